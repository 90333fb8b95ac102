/* The helpers front ends use to classify raw files (frontend.h). */
#include "rule/frontend.h"

#include <string.h>
#include <strings.h>

int fe_has_suffix(const char *path, const char *suffix)
{
	size_t n = strlen(path), k = strlen(suffix);

	return n >= k && strcasecmp(path + n - k, suffix) == 0;
}

int fe_first_folder_is(const char *path, const char *name, int prefix)
{
	size_t n = strlen(name);
	const char *slash = strchr(path, '/');

	if (!slash || strncmp(path, name, n) != 0)
		return 0;
	return prefix || (size_t)(slash - path) == n;
}

int fe_has_line(const char *text, size_t len, const char *line_start)
{
	size_t k = strlen(line_start);
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));

		if ((size_t)(end - p) >= k && memcmp(p, line_start, k) == 0)
			return 1;
		if (!eol)
			break;
		p = eol + 1;
	}
	return 0;
}
