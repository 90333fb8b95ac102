/*
 * pattern.h: a value as a query compares it, escapes resolved: literal bytes
 * and wildcard markers (a run of any characters, one character). Each front
 * end decodes its own escape syntax into one (Sigma's \*, kuery's \:, SPL's
 * quoting, KQL's verbatim strings); the predicate builder makes the canonical
 * operator and value of it (rule/canon.h).
 *
 * Ownership: a pattern owns its buffers (pattern_release()).
 */
#ifndef DETCAT_PATTERN_H
#define DETCAT_PATTERN_H

#include <stddef.h>

#include "common/util.h"

enum pat_kind { PAT_LIT = 0, PAT_STAR = 1, PAT_ONE = 2 };

/* kinds.buf[i] describes text.buf[i]; a wildcard's text byte is '*' or '?'. */
struct pattern {
	struct strbuf text;
	struct strbuf kinds;
};

void pattern_init(struct pattern *p);
void pattern_release(struct pattern *p);
void pattern_reset(struct pattern *p);
void pattern_add_lit(struct pattern *p, const char *s, size_t n);
void pattern_add_wild(struct pattern *p, enum pat_kind k);
void pattern_copy(struct pattern *dst, const struct pattern *src);
int pattern_has_wild(const struct pattern *p);
int pattern_starts_star(const struct pattern *p);
int pattern_ends_star(const struct pattern *p);
/* Add a '*' at the front and/or the back, unless one is there already (the
 * contains/startswith/endswith modifiers, keyword searches). */
void pattern_surround_star(struct pattern *p, int front, int back);

#endif
