/*
 * predicate.h: the predicate builder, the seam every query parser plugs into.
 *
 * A parser says what the rule compares, as it reads it: a field as written
 * (or none, for a keyword or free-text search), an operator, a value (a
 * pattern with its escapes resolved and its wildcards marked, a literal text,
 * a number, another field), whether the comparison ignores case, whether it
 * is negated, and the line it sits on. The builder does everything else, the
 * same way for every vendor (SPEC §3, §4):
 *
 *   - the field map: the raw field looked up in the scope the predicate sits
 *     in (its table, data model, event category, logsource), the canonical
 *     name, or the raw name marked `unmapped`;
 *   - computed columns: a field the query itself made (eval, extend,
 *     summarize, STATS ... BY) gives `computed: true` and is never mapped;
 *   - the canonical operator and value: wildcards only at the ends become
 *     contains / starts_with / ends_with, a lone '*' becomes exists, case-
 *     insensitive values are lower-cased (every letter, Unicode simple case
 *     mapping), a path suffix that is a whole file name moves to the name
 *     field, "ALGO=digest" values of a hash list field move to the digest
 *     field;
 *   - the per-rule cap, messages for values that are not UTF-8, and the JSON.
 *
 * Parsers never call fieldmap, canon or JSON functions themselves.
 *
 * Two ways in:
 *   pb_add()     emit one predicate now (the parser knows its polarity: Sigma
 *                walks its condition with expr_walk() and adds the items of
 *                each search identifier it reaches);
 *   pb_leaf()    keep a predicate as a leaf of the builder's and/or/not tree
 *                (pb_and(), pb_or(), pb_not(), see expr.h); pb_emit(root)
 *                walks the tree once, NOT pushed down to the leaves by De
 *                Morgan's laws, and emits each leaf with its polarity.
 *
 * Scopes: pb_scope_push() opens a scope (key/value pairs, e.g. {tables:
 * DeviceFileEvents} or {category: process}) until pb_scope_pop(); a predicate
 * made while it is open maps its field with that scope, however late it is
 * emitted. Columns the query makes are declared with pb_computed() in the
 * scope that makes them; they are seen by the scopes opened inside it, unless
 * those are opened with PB_SCOPE_FRESH (the other side of a join, a subquery).
 * The builder starts in the rule's own scope, given to pb_init().
 *
 * Ownership: the builder borrows the rule and the map; every string a spec
 * points to is copied where it must outlive the call (pb_leaf, scopes,
 * computed names), so parsers may pass scratch buffers. pb_free() frees the
 * builder and what it holds, never the rule.
 */
#ifndef DETCAT_PREDICATE_H
#define DETCAT_PREDICATE_H

#include <stddef.h>

#include "rule/expr.h"
#include "rule/fieldmap.h"
#include "rule/pattern.h"
#include "rule/rule.h"

/* Predicates one rule may carry; past it, one partial error and no more. */
#define PB_MAX_PREDICATES 100000

/* The pseudo-field of a search without a field (Sigma keywords, free text). */
#define PB_KEYWORDS_FIELD "keywords"

/*
 * What the rule compares. With a pattern value: PRED_EQ lets the pattern's
 * wildcards decide (no wildcard: eq; only at the ends: contains/starts_with/
 * ends_with; a lone '*': exists; inside: wildcard); PRED_CONTAINS,
 * PRED_STARTS_WITH and PRED_ENDS_WITH add the '*' they imply first. The other
 * operators take their value as it is.
 */
enum pred_op {
	PRED_EQ,
	PRED_CONTAINS,
	PRED_STARTS_WITH,
	PRED_ENDS_WITH,
	PRED_MATCH,		/* token or phrase match: KQL has, kuery on a text field */
	PRED_REGEX,		/* a regular expression, as written (value: text) */
	PRED_CIDR,		/* an IP network (value: text; lower-cased) */
	PRED_EXISTS,		/* no value */
	PRED_GT,
	PRED_GTE,
	PRED_LT,
	PRED_LTE,
};

enum pred_value {
	PV_NONE,		/* exists */
	PV_PATTERN,		/* pat: literal text and wildcards */
	PV_TEXT,		/* text, len: a literal (no wildcards); an eq number is its text */
	PV_NUMBER,		/* is_int ? integer : number, written as a JSON number */
	PV_FIELD,		/* text: another field, mapped in the same scope (fieldref) */
};

/* A string with its length (not NUL-terminated). */
struct pred_str {
	const char *s;
	size_t n;
};

/* One more key of the predicate, written after the builder's own. */
struct pred_extra {
	const char *key;
	enum { PX_STR, PX_BOOL } kind;
	const char *s;		/* PX_STR */
	size_t n;
	int b;			/* PX_BOOL */
};

#define PB_MAX_EXTRAS 8
#define PB_MAX_MODIFIERS 16

struct pred_spec {
	const char *field;		/* as written; NULL: no field (keywords) */
	const char *raw_field;		/* written as raw_field instead of field */
	int no_raw_field;		/* raw_field is null (a computed pseudo-field) */
	enum pred_op op;
	enum pred_value kind;
	const struct pattern *pat;	/* PV_PATTERN */
	const char *text;		/* PV_TEXT, PV_FIELD */
	size_t len;
	int is_int;			/* PV_NUMBER */
	long long integer;
	double number;
	int ci;				/* compare ignoring case */
	int negated;			/* before any NOT above it in the tree */
	int computed;			/* a column the query made, whatever the scope says */
	unsigned line;			/* in the rule file, for messages; 0 unknown */
	const char *what;		/* the item as written, for messages (default: field) */
	/* written with the predicate, in this order, when set */
	const char *selection;		/* the named part of the rule it comes from */
	const struct pred_str *modifiers; /* how the comparison was modified, as written */
	size_t nmodifiers;
	const char *raw_value;		/* the value as written */
	size_t raw_value_len;
	const char *regex_flags;	/* PRED_REGEX: any of "ims" */
	const struct pred_extra *extras;
	size_t nextras;
};

/* A spec with everything off: op eq, no value, no field. */
void pred_spec_init(struct pred_spec *s);

#define PB_SCOPE_FRESH 1	/* computed columns of enclosing scopes are not seen */

struct pred_builder;

/*
 * Start building the predicates of rule r, mapped with map in the rule's
 * scope (n pairs keys[i] = vals[i]; a NULL value is skipped).
 */
struct pred_builder *pb_new(struct rule *r, const struct fieldmap *map, size_t n,
			    const char *const *keys, const char *const *vals);
void pb_free(struct pred_builder *pb);
/* Predicates emitted so far, and how many of them are on an unmapped field. */
size_t pb_emitted(const struct pred_builder *pb);
size_t pb_unmapped(const struct pred_builder *pb);
/* The operator's name as predicates write it ("eq", "contains", ...). */
const char *pred_op_name(enum pred_op op);

/* Open a scope (see above) until pb_scope_pop(); flags: 0 or PB_SCOPE_FRESH. */
void pb_scope_push(struct pred_builder *pb, size_t n, const char *const *keys,
		   const char *const *vals, unsigned flags);
void pb_scope_pop(struct pred_builder *pb);
/*
 * The column name[0..n) is made by the query, from here on, in the current
 * scope: a predicate made before this call (pb_leaf(), emitted later or not)
 * is not on it, so a filter read before `EVAL x = ...` stays on the event's x.
 */
void pb_computed(struct pred_builder *pb, const char *name, size_t n);
/* 1 when a filter on name[0..n) here would be on a computed column. */
int pb_is_computed(const struct pred_builder *pb, const char *name, size_t n);

/*
 * 1 when the field name[0..n), mapped in the current scope, is a full-text
 * field of the map (text_fields): a query language that matches such fields
 * by token (kuery) says so with PRED_MATCH.
 */
int pb_is_text_field(struct pred_builder *pb, const char *name, size_t n);

/* Emit one predicate now. Returns 0, or -1 when it was not written (capped, not UTF-8). */
int pb_add(struct pred_builder *pb, const struct pred_spec *s);

/* A predicate as a leaf of the tree (copied; scope recorded): its node id. */
size_t pb_leaf(struct pred_builder *pb, const struct pred_spec *s);
size_t pb_and(struct pred_builder *pb, size_t a, size_t b);
size_t pb_or(struct pred_builder *pb, size_t a, size_t b);
size_t pb_not(struct pred_builder *pb, size_t x);
size_t pb_join(struct pred_builder *pb, enum expr_kind kind, const size_t *kids, size_t n);
/* Emit every leaf under root, left to right, each with its polarity. */
void pb_emit(struct pred_builder *pb, size_t root);

/*
 * A query in another language inside this one (ES|QL KQL("..."), QSTR("...")):
 * between pb_capture_begin() and pb_capture_end(), pb_emit() and pb_add()
 * emit nothing; what they would have emitted is kept as one subtree (the
 * roots and added predicates ANDed, in order), which pb_capture_end()
 * returns (EXPR_NONE: nothing) for the caller to place in its own tree, under
 * a NOT or an OR. Captures do not nest.
 */
void pb_capture_begin(struct pred_builder *pb);
size_t pb_capture_end(struct pred_builder *pb);

/* The rule's context (SPEC §3): key → list of strings, each once, in order. */
void pb_context_add(struct pred_builder *pb, const char *key, const char *s, size_t n);
/* The rule's context: key → one string (replacing what was there). */
void pb_context_set(struct pred_builder *pb, const char *key, const char *s, size_t n);

#endif
