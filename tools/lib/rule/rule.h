/*
 * rule.h: rule records and their predicates (SPEC §3), for every vendor's
 * front end.
 *
 * A record is a jansson object for its few rule-level keys, laid out by
 * rule_new() in the documented order so that a front end can fill them in any
 * order. Predicates are many (tens of thousands per corpus), so they are
 * written as JSON text as they are made, not as jansson objects: that keeps
 * normalize within twice a bare YAML parse. rule_serialize() splices them into
 * the record's "predicates" array; rule_to_json() gives the whole record as
 * jansson when a caller (a test, --stats) wants to look inside.
 *
 * parse.status only ever gets worse: ok < partial < failed; no_query is set
 * for a rule without a query and is overridden by failed. Messages are kept
 * as structs (line, column, status, a code) and serialised once, with the
 * record; they outlive rule_freeze(), so a tool reports them without parsing
 * the record back.
 *
 * Ownership: a rule owns its record and predicate text (rule_free()); r->rec
 * may be edited with jansson directly (borrowed). A rule_list owns its rules.
 */
#ifndef DETCAT_RULE_H
#define DETCAT_RULE_H

#include <stddef.h>
#include <jansson.h>

#include "common/util.h"

enum parse_status { PARSE_OK, PARSE_PARTIAL, PARSE_FAILED, PARSE_NO_QUERY };

const char *parse_status_name(enum parse_status st);

/* What kind of problem a message is, for tools that count or group them. */
enum rule_code {
	RC_GENERIC,		/* anything else */
	RC_NOT_PARSED,		/* the query's language is not parsed: metadata only */
	RC_SYNTAX,		/* the query (or file) does not parse */
	RC_UNSUPPORTED,		/* a construct read but not turned into predicates */
	RC_UNDEFINED,		/* a name the rule uses is defined nowhere (macro, identifier) */
	RC_DUPLICATE,		/* the uid is taken */
	RC_LIMIT,		/* a cap on hostile input was reached */
	RC_ENCODING,		/* not valid UTF-8 */
	RC_METADATA,		/* a metadata key has the wrong shape */
};

struct rule_msg {
	unsigned line;		/* 0: unknown */
	unsigned column;	/* 0: unknown; 1-based, in the query */
	enum parse_status status;
	enum rule_code code;
	char *text;
};

struct rule {
	json_t *rec;		/* "predicates" in it stays an empty placeholder */
	struct strbuf preds;	/* predicate objects, comma-separated */
	size_t npreds;
	int pred_open;		/* the last predicate's '}' is still to come */
	/* frozen (rule_freeze): only the serialized line and what sorting needs */
	char *text;
	size_t text_len;
	char *uid, *path, *source;
	int preds_in_rec;	/* thawed: "predicates" in rec is the real array */
	/* parse: status and messages ("parse" in rec is a placeholder) */
	enum parse_status status;
	struct rule_msg *msgs;
	size_t nmsgs, amsgs;
};

/*
 * A technique id as rules write it: "T####" or "T####.###", a lower-case 't'
 * accepted. 1 with id holding it NUL-terminated and 'T' upper-cased; 0 when
 * s[0..n) is anything else.
 */
int rule_technique_id(const char *s, size_t n, char id[10]);

/* New record {uid: null, vendor, source, path, title: null, ...}. */
struct rule *rule_new(const char *vendor, const char *source, const char *path);
void rule_free(struct rule *r);

/* Set a key to a string (NULL → JSON null). */
void rule_set_str(struct rule *r, const char *key, const char *val);
const char *rule_uid(const struct rule *r);

/*
 * Record an error: appends {line, message} to parse.errors (line 0: omitted)
 * and worsens parse.status to at least st. rule_error() is rule_error_at()
 * without a column, code RC_GENERIC.
 */
void rule_error(struct rule *r, unsigned line, enum parse_status st, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The same with a column ({line, column, message}; 0: omitted) and a code. */
void rule_error_at(struct rule *r, unsigned line, unsigned column, enum parse_status st,
		   enum rule_code code, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* The messages so far, in order (borrowed). */
const struct rule_msg *rule_messages(const struct rule *r, size_t *n);
/* Set parse.status to no_query unless the rule already failed. */
void rule_set_no_query(struct rule *r);
enum parse_status rule_status(const struct rule *r);
/* 1 when parse.errors is not empty. */
int rule_has_errors(const struct rule *r);

/*
 * One predicate: {field, raw_field, op, value, ci, negated, exclusion
 * [, computed]} with exclusion = negated (SPEC §3). The value is a string
 * (str, len) when str is set, else a number when has_number is set, else
 * absent (exists). raw_field NULL is written as null.
 */
struct predicate {
	const char *field;
	const char *raw_field;
	const char *op;
	const char *str;
	size_t len;
	int has_number, is_int;
	long long integer;
	double number;
	int ci, negated, computed;
};

/*
 * Append a predicate. Returns 0, or -1 (nothing written) when a string is not
 * valid UTF-8. Extra keys for the same predicate may follow, until the next
 * rule_add_predicate() or rule_serialize().
 */
int rule_add_predicate(struct rule *r, const struct predicate *p);
void predicate_extra_str(struct rule *r, const char *key, const char *s, size_t n);
void predicate_extra_bool(struct rule *r, const char *key, int b);
/* json: JSON text already rendered (e.g. an array shared by many predicates) */
void predicate_extra_raw(struct rule *r, const char *key, const char *json, size_t n);

/* The record as one compact JSON line (no newline), appended to out. */
void rule_serialize(struct rule *r, struct strbuf *out);

/*
 * Serialize the rule and free its jansson record and predicate text, keeping
 * the line and what sorting needs (uid, path, status). Functions that change
 * the record thaw it again (parsing the line back), which is rare: duplicate
 * uids. Lets parallel front ends hand finished rules on cheaply.
 */
void rule_freeze(struct rule *r);
const char *rule_path(const struct rule *r);
const char *rule_source(const struct rule *r);
/* The whole record as a new jansson object. */
json_t *rule_to_json(struct rule *r);

struct rule_list {
	struct rule **v;
	size_t n, alloc;
};

void rule_list_push(struct rule_list *l, struct rule *r);
/* Frees every rule and the list's array. */
void rule_list_release(struct rule_list *l);

/*
 * Sort by uid, then path, and make uids unique: the first of a repeated uid
 * keeps it, every later one becomes "<uid>@<path>" (then "#2", "#3"... if
 * still taken) and gets an error "duplicate id" (partial). The list ends
 * sorted by final uid; the result does not depend on input order.
 * Returns how many uids were changed.
 */
size_t rules_make_uids_unique(struct rule_list *l);

#endif
