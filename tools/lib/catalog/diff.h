/*
 * diff.h: what changed between two catalog snapshots (SPEC §7, issue 14).
 *
 * A snapshot is read from a catalog (detcat-aggregate's output) and, when it is
 * a snapshot folder, the tagged rule files beside it (FOLDER/catalog.ndjson.zst,
 * FOLDER/tagged/ *.ndjson.zst): the catalog gives the rules' logic, techniques,
 * events and the per-technique rows; the tagged files add each rule's lifecycle
 * (status, maturity, level) and its other metadata, compared only when both
 * sides have them. Each record is boiled down as it is read (predicates to
 * sorted canonical triples, query text and metadata to hashes), so that two
 * full catalogs fit in little memory.
 *
 * diff_compare() returns the change records, in output order: the `corpus`
 * record, `technique` records by id, then rule records by uid (added, removed,
 * moved, changed, parse for one uid in that order). Same snapshots, same bytes.
 *
 * Ownership: a snapshot owns everything it holds (snapshot_free()); records
 * given to snapshot_add*() are borrowed. diff_compare() returns a new reference;
 * error strings (*err) are the caller's to free.
 */
#ifndef DETCAT_CATALOG_DIFF_H
#define DETCAT_CATALOG_DIFF_H

#include <jansson.h>
#include <stdio.h>

#include "catalog/catalog.h"

/* the catalog schema version this diff reads (the corpus record's `schema_version`, 1 when absent) */
#define DIFF_SCHEMA_VERSION CATALOG_SCHEMA_VERSION

/* what --only selects: record kinds, and aspects of a `changed` record */
enum {
	DIFF_ADDED = 1 << 0, DIFF_REMOVED = 1 << 1, DIFF_MOVED = 1 << 2, DIFF_CHANGED = 1 << 3,
	DIFF_PARSE = 1 << 4, DIFF_TECHNIQUE = 1 << 5, DIFF_CORPUS = 1 << 6,
	/* aspects: a changed record with one of them */
	DIFF_LOGIC = 1 << 7, DIFF_TEXT = 1 << 8, DIFF_ATTACK = 1 << 9, DIFF_EVENTS = 1 << 10,
	DIFF_STATUS = 1 << 11, DIFF_SEVERITY = 1 << 12, DIFF_LEVEL = 1 << 13, DIFF_METADATA = 1 << 14,
	DIFF_ASPECTS = ((1 << 15) - 1) & ~((1 << 7) - 1),
	DIFF_ALL = (1 << 15) - 1
};

struct snapshot;

struct snapshot *snapshot_new(const char *name);
/*
 * One catalog record (technique, rule or corpus). Returns 0, or -1 with *err
 * when the record is not one of this catalog schema (a missing key, a wrong type).
 */
int snapshot_add(struct snapshot *s, const json_t *rec, char **err);
/* One tagged rule: its lifecycle and metadata, for a rule of the catalog (others are ignored). */
void snapshot_add_tagged(struct snapshot *s, const json_t *rec);
/* After the last record: 0, or -1 with *err (no corpus record, an unknown schema version). */
int snapshot_finish(struct snapshot *s, char **err);
/*
 * Read a catalog file (zstd or plain NDJSON) or a snapshot folder, and finish.
 * 0, or -1 with *err: a file that cannot be read, is truncated, holds a line
 * that is not JSON, or is not a catalog. A diff of half a catalog would lie, so
 * every one of these is trouble, not a finding.
 */
int snapshot_load(struct snapshot *s, const char *path, char **err);
/* The same for one catalog stream, named name in messages; f stays the caller's. */
int snapshot_read(struct snapshot *s, FILE *f, const char *name, char **err);
void snapshot_free(struct snapshot *s);

/* "added,logic,technique" → mask; -1 with *err on an unknown word */
int diff_parse_only(const char *list, unsigned *mask, char **err);
/*
 * The change records from old to new, filtered by mask (DIFF_ALL for every one)
 * and vendor (NULL for all). NULL with *err when the two cannot be compared
 * (different schema versions).
 */
json_t *diff_compare(const struct snapshot *old, const struct snapshot *new,
		     unsigned mask, const char *vendor, char **err);

#endif
