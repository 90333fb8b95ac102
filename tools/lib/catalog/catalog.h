/*
 * catalog.h: the reduce of detcat-aggregate (SPEC §3 "catalog").
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
 * Each rule record gets `similar`: the rules of other vendors (other_vendors)
 * and of its own (same_vendor) whose indicator sets overlap its own most, by
 * Jaccard |A ∩ B| / |A ∪ B| (shared, union), best first; each technique record
 * counts its rules with a close one (SIMILAR_CLOSE_PCT) in `similar`.
 *
 * Partial aggregates: catalog_partial() returns just the rule records (no
 * `similar`), sorted by uid; catalog_add() takes such `rule` records as well as
 * tagged rules, so that merging the partials of every source gives the same
 * catalog, byte for byte, as aggregating all the tagged rules at once.
 *
 * catalog_write() writes the same records as text, one line each, through a
 * callback, without a JSON tree for any of them: what detcat-aggregate uses, so
 * that its memory holds each rule's summary text and key numbers only.
 *
 * Ownership: catalog_add borrows rec and keeps nothing of it (the rule is boiled
 * down to its text and interned keys at once); catalog_finish, catalog_partial
 * and catalog_corpus return new references. The attack_db must outlive the catalog.
 */
#ifndef DETCAT_CATALOG_H
#define DETCAT_CATALOG_H

#include <jansson.h>
#include "attack/attack.h"

/* the catalog records' shape; the corpus record says it (`schema_version`), detcat-diff checks it */
#define CATALOG_SCHEMA_VERSION 1
#define CATALOG_SAMPLES 5	/* sample values per field */
#define CATALOG_UNMAPPED 50	/* unmapped fields listed in the corpus record */
#define SIMILAR_MAX 5		/* similar rules listed per rule, of other vendors and of its own */
#define SIMILAR_MIN_PCT 25	/* listed from this Jaccard overlap of indicator sets, in % */
#define SIMILAR_CLOSE_PCT 50	/* a "close" counterpart or near-duplicate from here */

struct catalog;

struct catalog *catalog_new(const struct attack_db *db);
/*
 * Retired rules (rule/retired.h) are left out of every count, field, indicator,
 * exclusion and reach by default, and listed apart in each technique's
 * rules.retired; yes = 1 counts them with the live ones (still listed apart).
 */
void catalog_include_retired(struct catalog *c, int yes);
/*
 * Add one tagged rule, or one `rule` record of a partial or of a catalog. Returns 0; 1 when the uid was already added (the rule is
 * ignored); -1 when rec is not a tagged rule. *err (caller frees) says why.
 */
int catalog_add(struct catalog *c, const json_t *rec, char **err);
/* one record as compact JSON, without its newline; nonzero stops the writing */
typedef int (*catalog_line_fn)(const char *line, size_t len, void *ctx);
/*
 * Every record but the corpus one through emit, in output order: the technique
 * records then the rule records, or (partial) the rule records only. Returns 0,
 * or the first nonzero emit returned. Call once.
 */
int catalog_write(struct catalog *c, int partial, catalog_line_fn emit, void *ctx);
/* after catalog_write (not partial): the corpus record (new reference) */
json_t *catalog_corpus(struct catalog *c);
size_t catalog_nrules(const struct catalog *c);
/* technique records written by catalog_write */
size_t catalog_ntechniques(const struct catalog *c);
/* rule i in output order (by uid): its record's source and vendor strings, NULL when none */
void catalog_rule_origin(struct catalog *c, size_t i, const char **source, const char **vendor);
/* the rule records only, by uid (a JSON array): a partial aggregate; call once, instead of finish */
json_t *catalog_partial(struct catalog *c);
/* all records, in output order (a JSON array); call once */
json_t *catalog_finish(struct catalog *c);
void catalog_free(struct catalog *c);

#endif
