/*
 * elastic.h: the Elastic front end (elastic/detection-rules TOML files). One
 * file → one rule (SPEC §3). This step reads the metadata only: queries
 * (kuery, lucene, EQL, ES|QL) are kept as written but not parsed, so
 * predicates stay empty and a rule with a query is `failed` with
 * "<language> queries are not parsed yet: metadata only".
 *
 * What it records:
 *   uid          "elastic:<rule.rule_id>"; "elastic:<path>" when it is missing
 *                (failed), or when the file is not TOML or has no [rule]
 *                table (failed, with the TOML error and its line)
 *   title, description, severity, rule_type  rule.name, .description,
 *                .severity, .type
 *   status       metadata.maturity (production, deprecated, ...)
 *   language     rule.language: kuery | lucene | eql | esql; null without one
 *                (machine_learning)
 *   query        rule.query as written; null without one (parse: no_query)
 *   attack       from each [[rule.threat]] of framework "MITRE ATT&CK" (or
 *                none given): techniques (technique[].id, then each of its
 *                subtechnique[].id; trimmed, in order, once each), tactics
 *                (tactic.name as written, once each); ids that are not
 *                Tnnnn[.nnn] and other frameworks' entries go to other
 *   context      index (rule.index as written), integration
 *                (metadata.integration, a string made a list of one), type
 *                (rule.type)
 *   author       rule.author joined with ", "
 *   date, modified  metadata.creation_date, .updated_date
 *   references, falsepositives, tags  rule.references, .false_positives, .tags
 *   risk_score, building_block_type, deprecation_date  when present
 *
 * A value of the wrong type (a number for name, a table for index) is left
 * out with a `partial` error naming it.
 *
 * Ownership: rules appended to rules_out belong to the list.
 */
#ifndef DETCAT_ELASTIC_H
#define DETCAT_ELASTIC_H

#include <stddef.h>

#include "rule/fieldmap.h"
#include "rule/frontend.h"
#include "rule/rule.h"

/* The front end for detcat-normalize (rule/frontend.h). */
extern const struct frontend elastic_frontend;

/*
 * Parse one detection-rules TOML file (text need not be NUL-terminated) and
 * append exactly one rule to rules_out. map may be NULL; it is not used yet.
 * Thread-safe for distinct lists. Returns the number of rules appended that
 * carry errors (0 or 1).
 */
int elastic_parse_file(const char *source, const char *path, const char *text, size_t len,
		       const struct fieldmap *map, struct rule_list *rules_out);

#endif
