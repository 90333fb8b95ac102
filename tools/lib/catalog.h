/*
 * catalog.h: the reduce of detcat-aggregate (SPEC §3 "catalog", issue 5).
 *
 * Tagged rules go in one at a time (catalog_add); catalog_finish() returns every
 * catalog record in output order: one `technique` record per technique and
 * sub-technique with at least one rule (ATT&CK order; a parent counts its
 * sub-techniques' rules), one `rule` record per rule (by uid), one `corpus`
 * record. The result depends only on the set of rules added, not on their order.
 *
 * Every per-row count is a number of distinct rules ("each rule contributes at
 * most once per row"). Indicators are the canonical (field, op, value) triples of
 * predicates that are not computed, negated or exclusions and have a value;
 * exclusions are the triples of `exclusion: true` predicates that are not
 * computed. Reach is the number of rules in the whole catalog with the same
 * indicator triple.
 *
 * Ownership: catalog_add borrows rec (it keeps references to parts of it);
 * catalog_finish returns a new reference. The attack_db must outlive the catalog.
 */
#ifndef DETCAT_CATALOG_H
#define DETCAT_CATALOG_H

#include <jansson.h>
#include "attack.h"

#define CATALOG_SAMPLES 5	/* sample values per field */
#define CATALOG_UNMAPPED 50	/* unmapped fields listed in the corpus record */

struct catalog;

struct catalog *catalog_new(const struct attack_db *db);
/*
 * Add one tagged rule. Returns 0; 1 when the uid was already added (the rule is
 * ignored); -1 when rec is not a tagged rule. *err (caller frees) says why.
 */
int catalog_add(struct catalog *c, const json_t *rec, char **err);
/* all records, in output order (a JSON array); call once */
json_t *catalog_finish(struct catalog *c);
void catalog_free(struct catalog *c);

#endif
