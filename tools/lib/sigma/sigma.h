/*
 * sigma.h: the Sigma front end. One YAML file → one rule per rule document
 * (SPEC §3), with predicates in canonical fields (SPEC §4).
 *
 * What it records, beyond the common fields:
 *   uid         "sigma:<id>"; "sigma:<path>" when the id is missing (an error);
 *               "#<n>" added for later documents of an `action: global` file
 *               that share the template's id
 *   query       the `detection:` block (`correlation:`, `filter:`) as written
 *               in the file; for `action: global` files the template's block,
 *               a newline, then the document's
 *   rule_type   detection | aggregation (old `| count() ... > N`: an
 *               `aggregation` object and a computed predicate) | correlation
 *               (a `correlation` object: type, rules, group_by, timespan,
 *               condition) | filter (a `filter` object whose `rules` are the
 *               ids it applies to, or "any"; its predicates carry the polarity
 *               of the filter's condition, so `not selection` gives exclusions)
 *   predicates  one per value, plus `selection` (the search identifier),
 *               `modifiers` and `raw_value` as written; field-less (keyword)
 *               searches use the pseudo-field "keywords" with op contains;
 *               `null` is (field, exists) negated; a field without a mapping
 *               keeps its raw name and carries `unmapped: true`
 *   attack      techniques (attack.tNNNN[.NNN], upper-cased), tactics
 *               (attack.<name> as written), other (other attack.* tags)
 *   author, date, modified, references, falsepositives, tags, related,
 *   id, name; document and line for multi-document files; timeframe
 *
 * Hostile input is bounded: YAML alias expansion and nesting (yamldoc.h),
 * condition nesting, values expanded by windash, predicates per rule.
 *
 * Ownership: rules appended to rules_out belong to the list.
 */
#ifndef DETCAT_SIGMA_H
#define DETCAT_SIGMA_H

#include <stddef.h>
#include <jansson.h>

#include "rule/fieldmap.h"
#include "rule/frontend.h"
#include "rule/rule.h"

#define SIGMA_KEYWORDS_FIELD "keywords"

/* The front end for detcat-normalize (rule/frontend.h). */
extern const struct frontend sigma_frontend;

/*
 * Parse one Sigma file (text need not be NUL-terminated) and append one rule
 * per rule document to rules_out (a file with none still gives one failed
 * rule). map may be NULL (nothing mapped). Uniqueness of uids across files is
 * the caller's job (rules_make_uids_unique()). Thread-safe for distinct lists.
 * Returns the number of rules appended that carry errors.
 */
int sigma_parse_file(const char *source, const char *path, const char *text, size_t len,
		     const struct fieldmap *map, struct rule_list *rules_out);

#endif
