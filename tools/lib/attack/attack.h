/*
 * attack.h: the MITRE ATT&CK table of tactics and techniques.
 *
 * Two halves. attack_build_* turns STIX 2.1 bundles (mitre/cti enterprise-attack)
 * into the compact table that detcat-attack writes; attack_db_* loads that table
 * once and answers lookups by hash, for detcat-tag and the stages after it.
 *
 * Ownership: an attack_db owns every struct and string it hands out; they stay
 * valid until attack_db_free(). Error strings returned through char **err are the
 * caller's to free. attack_build_table() returns a new reference. A loaded
 * attack_db is never changed: lookups may run from many threads at once.
 */
#ifndef DETCAT_ATTACK_H
#define DETCAT_ATTACK_H

#include <stddef.h>
#include <jansson.h>

struct attack_tactic { const char *id, *shortname, *name; };
struct attack_technique {
	const char *id, *name, *parent;		/* parent NULL for a technique */
	const char **tactics; size_t ntactics;	/* shortnames */
	int subtechnique, revoked, deprecated;
	const char *revoked_by;			/* final current id when revoked, else NULL */
	const char *url;
	const char *description;	/* first paragraph, plain text; NULL when none */
};

/* ---- the table, as read by the tools after detcat-attack ---- */

struct attack_db;
/* Load the table written by detcat-attack (zstd or plain NDJSON). NULL + *err on failure. */
struct attack_db *attack_db_load(const char *path, char **err);
void attack_db_free(struct attack_db *db);
/* "T1059.001", "t1059.001" (case-insensitive, surrounding spaces ignored); NULL when unknown */
const struct attack_technique *attack_db_technique(const struct attack_db *db, const char *id);
/*
 * A tactic however a rule spells it: by id ("TA0002"), shortname ("execution",
 * "credential-access"), Sigma style ("credential_access", "attack.execution"),
 * name ("Credential Access", case-insensitive), CamelCase ("CredentialAccess"),
 * or both ("TA0006 - Credential Access"); NULL when unknown. The one place
 * tactic spellings are resolved: front ends keep them as written.
 */
const struct attack_tactic *attack_db_tactic(const struct attack_db *db, const char *name_or_id);
/* for iteration (aggregate/report later): techniques in ATT&CK order (tactic order of the
 * matrix, then id) and tactics in matrix order */
size_t attack_db_ntechniques(const struct attack_db *db);
const struct attack_technique *attack_db_technique_at(const struct attack_db *db, size_t i);
size_t attack_db_ntactics(const struct attack_db *db);
const struct attack_tactic *attack_db_tactic_at(const struct attack_db *db, size_t i);
/* the ATT&CK release the table was built from ("18.1"), NULL when the bundle did not say */
const char *attack_db_version(const struct attack_db *db);

/* ---- building the table from STIX bundles (detcat-attack) ---- */

struct attack_build;
struct attack_build *attack_build_new(void);
void attack_build_free(struct attack_build *b);
/*
 * Add the objects of one STIX bundle, given as JSON text. Objects of other
 * domains and kinds are dropped at once; an object seen twice (the same STIX id
 * in two bundles) keeps its latest `modified` version. Returns 0, or -1 with
 * *err when the text is not a STIX bundle.
 */
int attack_build_add(struct attack_build *b, const char *text, size_t len, char **err);
/*
 * The table records (schema/attack.schema.json), in output order: one `attack`
 * record, the tactics in matrix order, then techniques and sub-techniques by id.
 * Everything odd on the way (a revocation chain that ends nowhere or loops, a
 * duplicate id, ...) is appended to `problems` as one string each; the table is
 * complete anyway. NULL + *err when no enterprise technique was added.
 */
json_t *attack_build_table(struct attack_build *b, json_t *problems, char **err);

#endif
