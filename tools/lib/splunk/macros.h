/*
 * macros.h: Splunk search macros, loaded from security_content's macros/NAME.yml
 * (the support files of the Splunk front end) and expanded in a search before
 * it is parsed, the way Splunk expands them: by text.
 *
 * A macro file has `name`, `definition` and, for a macro with parameters,
 * `arguments` (a list of names). A reference `name` calls the macro without
 * arguments, `name(a, b)` the one with two: macros.conf names them "name(2)",
 * and a file may use that spelling too. $arg$ in the definition becomes the
 * argument as written. A definition may itself hold macros (expanded in turn,
 * at most SPLUNK_MACRO_DEPTH deep; a macro that reaches itself is an error) or
 * a whole pipeline (`type=EXECVE | eval ...`), which is spliced in where the
 * reference stood.
 *
 * Names security_content leaves undefined on purpose expand to what they mean
 * when no file defines them: every `*_filter` (a customer's tuning hook) to
 * nothing, `drop_dm_object_name(X)` to `rename X.* AS *`,
 * `security_content_ctime(f)` to its convert command and
 * `security_content_summariesonly` to tstats' summariesonly options. Any other
 * undefined macro expands to nothing and is reported, so the rule is partial.
 *
 * Triple-backtick comments (```...```) are removed (a space stands in).
 *
 * Ownership: a macro set owns its names and definitions; it is immutable once
 * loaded and may be read by several threads. An expansion owns its text and
 * name lists (splunk_expansion_release()).
 */
#ifndef DETCAT_SPLUNK_MACROS_H
#define DETCAT_SPLUNK_MACROS_H

#include <stddef.h>

#include "common/util.h"
#include "rule/frontend.h"
#include "rule/rule.h"

#define SPLUNK_MACRO_DEPTH 32
/* An expansion larger than this (or 16 times its input) is cut off: an error. */
#define SPLUNK_MACRO_MAX_OUT (16u << 20)

struct splunk_macros;

struct splunk_macros *splunk_macros_new(void);
void splunk_macros_free(struct splunk_macros *m);
/*
 * One macros/NAME.yml file. Returns 0, or -1 with msg set (not YAML, no name or
 * definition, a name defined twice: the first definition is kept).
 */
int splunk_macros_add(struct splunk_macros *m, const char *path, const char *text, size_t len,
		      struct fe_msg *msg);
/* One macro by hand (tests): args[0..nargs) are its parameter names. 0, or -1 when taken. */
int splunk_macros_define(struct splunk_macros *m, const char *name, size_t nargs,
			 const char *const *args, const char *definition);
size_t splunk_macros_count(const struct splunk_macros *m);

struct splunk_expansion {
	struct strbuf out;		/* the search with every macro expanded */
	size_t expanded;		/* references replaced by a definition or a meaning */
	char **used;			/* every macro named, as "name" or "name(n)", once each */
	size_t nused;
	char **undefined;		/* those defined nowhere (and not special), once each */
	size_t nundefined;
	int failed;			/* a cycle, too deep, too large, an unclosed backtick */
	char err[256];			/* the reason, when failed */
};

/*
 * Expand every macro of spl[0..len) into x->out (m may be NULL: no macro is
 * defined). Returns 0, or -1 when x->failed (x->out then holds what was done).
 */
int splunk_macros_expand(const struct splunk_macros *m, const char *spl, size_t len,
			 struct splunk_expansion *x);
void splunk_expansion_release(struct splunk_expansion *x);
/*
 * Its problems as the rule's messages on line: each undefined macro (partial,
 * naming it), the failure (failed).
 */
void splunk_expansion_report(const struct splunk_expansion *x, struct rule *r, unsigned line);

#endif
