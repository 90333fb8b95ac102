/*
 * canon.h: canonical predicate values (SPEC §4), the same for every vendor.
 *
 * A front end decodes its own escape syntax into a pattern: literal bytes and
 * wildcard markers (any run, one character). canon_pattern() then picks the
 * operator: no wildcard → eq; wildcards only at the ends → contains /
 * starts_with / ends_with with the bare literal; any other wildcard → wildcard
 * with the value written as a glob in which a literal '*', '?' or '\' is
 * escaped with a backslash (the Sigma convention); a pattern of nothing but
 * '*' → exists. ci values are lower-cased: every letter (Unicode simple case
 * mapping), not only ASCII.
 *
 * canon_path_suffix() turns a path-field suffix that is a whole file name
 * (ends_with "\cmd.exe" or "/bash" on process.executable) into the name field
 * (process.name eq "cmd.exe"), for process.executable, process.parent.executable,
 * file.path and dll.path.
 *
 * Ownership: a canon_value owns its buffer (release it);
 * operator names are static strings.
 */
#ifndef DETCAT_CANON_H
#define DETCAT_CANON_H

#include <stddef.h>

#include "common/util.h"
#include "rule/fieldmap.h"
#include "rule/pattern.h"

/* Operator names, as written in predicates. */
#define OP_EQ "eq"
#define OP_CONTAINS "contains"
#define OP_STARTS_WITH "starts_with"
#define OP_ENDS_WITH "ends_with"
#define OP_WILDCARD "wildcard"
#define OP_REGEX "regex_match"
#define OP_MATCH "match"
#define OP_CIDR "cidr"
#define OP_EXISTS "exists"
#define OP_GT "gt"
#define OP_GTE "gte"
#define OP_LT "lt"
#define OP_LTE "lte"

struct canon_value {
	const char *op;
	struct strbuf value;	/* unused (empty) for exists */
};

void canon_value_init(struct canon_value *v);
void canon_value_release(struct canon_value *v);

/* Operator and value for a pattern (see above). */
void canon_pattern(const struct pattern *p, int ci, struct canon_value *out);

/* ASCII lower-casing in place (names, hex digits). */
void canon_lower(char *s, size_t n);
/* A case-insensitive value lower-cased in place, every letter (SPEC §4, common/casemap.h). */
void canon_lower_buf(struct strbuf *sb);

/*
 * The pattern as one text, for operators that keep their wildcards (a token
 * match): the literal when it has no wildcard, else a glob with a literal
 * '*', '?' or '\' escaped. out->op is left for the caller.
 */
void canon_glob(const struct pattern *p, int ci, struct canon_value *out);

/* The name field that goes with a path field, or NULL. */
const char *canon_name_field(const char *path_field);

/*
 * If *field is a path field, v is ends_with and its value is a separator
 * ('\' or '/') followed by a non-empty name with no separator, rewrite to
 * (name field, eq, name) and return 1; else leave everything and return 0.
 */
int canon_path_suffix(const char **field, struct canon_value *v);

/*
 * A field that holds a list of "KEY=value" items (Sysmon Hashes): when e
 * splits values and v's value starts with one of its keys, rewrite to the
 * field for that key with the rest of the value. eq and ends_with become eq;
 * contains and starts_with become starts_with, or eq when the rest is a whole
 * digest (hex of the length the field's last name part implies: md5, sha1,
 * sha256, sha384, sha512, imphash). Returns 1 when rewritten.
 */
int canon_split_value(const struct fieldmap_entry *e, const char **field,
		      struct canon_value *v);

#endif
