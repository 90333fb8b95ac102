/*
 * frontend.h: what a vendor's front end gives detcat-normalize, the same
 * shape for every vendor (Sigma, Elastic, Splunk, Kusto).
 *
 * detcat-normalize runs in two phases per source: it first hands every
 * support file of the source to support_add() (Splunk's macros, later
 * Sentinel's parser functions), in path order, then parses the rule files,
 * in parallel, each with the finished support of its source. Which raw files
 * are rules and which are support is the front end's call, by what a file
 * holds as well as where it sits: a third-party collection laid out by
 * product folders still yields its rules. A file that looks like a rule of
 * the vendor but does not parse is a failed rule record, never silence.
 *
 * Ownership: a front end is a static table. Support state belongs to
 * normalize, which frees it with support_free() after the last rule of its
 * source; parse() only reads it, from several threads at once.
 */
#ifndef DETCAT_FRONTEND_H
#define DETCAT_FRONTEND_H

#include <stddef.h>

#include "rule/fieldmap.h"
#include "rule/rule.h"

enum fe_kind {
	FE_SKIP,		/* not for this front end: README, LICENSE, pictures */
	FE_RULE,		/* one or more rules */
	FE_SUPPORT,		/* read before the rules (macros, parser functions) */
};

/* One rule file to parse. */
struct fe_input {
	const char *source;
	const char *path;		/* inside the source, top folder stripped */
	const char *text;		/* not NUL-terminated */
	size_t len;
	const struct fieldmap *map;	/* the vendor's field map; may be NULL */
	const void *support;		/* the source's support, NULL when none */
};

/* A problem with a support file: the file is left out, the rest goes on. */
struct fe_msg {
	unsigned line;
	char text[256];
};

struct frontend {
	const char *vendor;
	/* what the raw file at path, holding text, is for this front end */
	enum fe_kind (*classify)(const char *path, const char *text, size_t len);
	/* support files; all three NULL for a vendor without any */
	void *(*support_new)(void);
	/* 0, or -1 with msg set (the file gives nothing) */
	int (*support_add)(void *support, const char *path, const char *text, size_t len,
			   struct fe_msg *msg);
	void (*support_free)(void *support);
	/*
	 * Append the file's rules to out (a file with none still gives one
	 * failed rule). Thread-safe for distinct lists. Returns how many of the
	 * rules appended carry errors.
	 */
	int (*parse)(const struct fe_input *in, struct rule_list *out);
};

/*
 * Helpers for classify(): a path's extension (case-insensitive), its first
 * folder, and whether a line of text starts with a top-level key ("search:",
 * "[rule]"), i.e. at column 0, outside any indentation.
 */
int fe_has_suffix(const char *path, const char *suffix);
/* 1 when the first folder of path is name; with prefix, when it starts with name */
int fe_first_folder_is(const char *path, const char *name, int prefix);
/* 1 when some line of text[0..len) begins with line_start */
int fe_has_line(const char *text, size_t len, const char *line_start);

#endif
