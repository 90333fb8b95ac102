/* Retired rules, per vendor (retired.h). */
#include "rule/retired.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

/* 1 when one folder of path (not its file name) is name; top: the first folder only */
static int in_folder(const char *path, const char *name, int top)
{
	size_t n = strlen(name);
	const char *p = path;

	while (p && *p) {
		const char *slash = strchr(p, '/');

		if (!slash)
			return 0;	/* the file name */
		if ((size_t)(slash - p) == n && strncasecmp(p, name, n) == 0)
			return 1;
		if (top)
			return 0;
		p = slash + 1;
	}
	return 0;
}

static int is(const char *status, const char *word)
{
	return status && strcasecmp(status, word) == 0;
}

const char *rule_retired(const char *vendor, const char *path, const char *status)
{
	if (!vendor)
		return NULL;
	if (!path)
		path = "";
	if (strcmp(vendor, "sigma") == 0) {
		if (in_folder(path, "deprecated", 1))
			return "in the deprecated/ folder";
		if (in_folder(path, "unsupported", 1))
			return "in the unsupported/ folder";
		if (in_folder(path, "rules-placeholder", 1))
			return "in the rules-placeholder/ folder";
		if (is(status, "deprecated"))
			return "status deprecated";
		if (is(status, "unsupported"))
			return "status unsupported";
		return NULL;
	}
	if (strcmp(vendor, "elastic") == 0) {
		if (in_folder(path, "_deprecated", 0))
			return "in a _deprecated/ folder";
		return is(status, "deprecated") ? "maturity deprecated" : NULL;
	}
	if (strcmp(vendor, "splunk") == 0 || strcmp(vendor, "kusto") == 0) {
		if (in_folder(path, "deprecated", 0))
			return "in a deprecated/ folder";
		return is(status, "deprecated") ? "status deprecated" : NULL;
	}
	return NULL;
}
