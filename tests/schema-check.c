/*
 * schema-check: validate every line of NDJSON input (FILEs, or stdin when none)
 * against a JSON Schema, and say what is wrong with each invalid record:
 * "schema-check: FILE:LINE: /json/pointer: what is wrong". Exit 0 when every
 * record is valid, 1 when some are not, 2 on usage, schema or I/O errors.
 *
 * The schema language is a subset of draft 2020-12, enough for detcat's own
 * schemas (see the usage text). A keyword outside it is an error when the schema
 * is loaded, so that a misspelt keyword cannot silently switch a check off.
 * `pattern` uses PCRE2 syntax with `$` anchored at the very end, and runs under
 * match limits; hostile documents and schemas meet depth and step budgets.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <pcre2.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

#define SCHEMA_MAX_DEPTH 128		/* nesting of the schema document */
#define EVAL_MAX_DEPTH 512		/* schema and document nesting while validating */
#define STEPS_BASE 100000ULL 		/* validation steps every record may take, */
#define STEPS_PER_BYTE 16ULL		/* plus this many per byte of its line */
#define ERRORS_KEPT 32			/* messages kept per record; the rest are counted */
#define MATCH_LIMIT 10000000		/* pcre2 match() calls per match */
#define MATCH_HEAP_KIB (64 * 1024)	/* pcre2 backtracking memory per match */
#define JIT_STACK_MAX (8 * 1024 * 1024)
#define SHOW_STRING 40			/* code points of a string shown in a message */
#define SHOW_KEY 100			/* code points of a key shown in a pointer */
#define SHOW_POINTER 160		/* bytes of a pointer shown in a message */
#define SHOW_ENUM 8			/* enum values listed in a message */
#define SHOW_JSON 60			/* bytes of an array or object shown in a message */

enum {
	TYPE_NULL = 1 << 0,
	TYPE_BOOLEAN = 1 << 1,
	TYPE_OBJECT = 1 << 2,
	TYPE_ARRAY = 1 << 3,
	TYPE_NUMBER = 1 << 4,
	TYPE_STRING = 1 << 5,
	TYPE_INTEGER = 1 << 6
};

static const char *const type_names[] = {
	"null", "boolean", "object", "array", "number", "string", "integer"
};
#define NTYPES (sizeof(type_names) / sizeof(type_names[0]))

/*
 * A compiled schema. Strings and json_t values are borrowed from the schema
 * document, which lives as long as the program; subschemas are owned, except
 * `ref`, which points into the $defs table (or at the root).
 */
struct pattern {
	pcre2_code *code;
	const char *source;
};

struct property {
	const char *name;
	size_t len;
	struct schema *schema;
};

struct pattern_property {
	struct pattern re;
	struct schema *schema;
};

struct schema_list {
	struct schema **v;
	size_t n;
};

struct schema {
	int always;			/* boolean schema: 1 true, 0 false; -1 keywords */
	const char *title;		/* names alternatives in messages */
	unsigned types;			/* TYPE_* bits, 0 for any */
	json_t *enum_values;
	json_t *const_value;
	int has_const;
	struct pattern *pattern;
	json_int_t min_length, max_length;	/* -1 when absent, as below */
	json_int_t min_items, max_items;
	json_int_t min_properties, max_properties;
	json_t *minimum, *maximum, *exclusive_minimum, *exclusive_maximum;
	int unique_items;
	struct property *properties;	/* sorted by name */
	size_t nproperties;
	struct pattern_property *pattern_properties;
	size_t npattern_properties;
	struct schema *additional_properties;
	json_t *required;		/* array of strings */
	struct schema *items;
	struct schema_list all_of, any_of, one_of;
	struct schema *not_schema, *if_schema, *then_schema, *else_schema;
	const struct schema *ref;
};

/* ---- small helpers on JSON values ---- */

static int real_is_integral(double d)
{
	/* every double of magnitude 2^52 or more is a whole number */
	if (d >= 4503599627370496.0 || d <= -4503599627370496.0)
		return 1;
	return (double)(long long)d == d;
}

static unsigned instance_types(const json_t *x)
{
	switch (json_typeof(x)) {
	case JSON_NULL:
		return TYPE_NULL;
	case JSON_TRUE:
	case JSON_FALSE:
		return TYPE_BOOLEAN;
	case JSON_OBJECT:
		return TYPE_OBJECT;
	case JSON_ARRAY:
		return TYPE_ARRAY;
	case JSON_STRING:
		return TYPE_STRING;
	case JSON_INTEGER:
		return TYPE_NUMBER | TYPE_INTEGER;
	case JSON_REAL:
		return TYPE_NUMBER | (real_is_integral(json_real_value(x)) ? TYPE_INTEGER : 0);
	}
	return 0;
}

static const char *instance_type_name(const json_t *x)
{
	switch (json_typeof(x)) {
	case JSON_NULL:
		return "null";
	case JSON_TRUE:
	case JSON_FALSE:
		return "boolean";
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
		return "integer";
	case JSON_REAL:
		return "number";
	}
	return "?";
}

/* Compare two numbers by value, whatever their JSON spelling (1 == 1.0). */
static int number_cmp(const json_t *a, const json_t *b)
{
	long double x, y;

	if (json_is_integer(a) && json_is_integer(b)) {
		json_int_t i = json_integer_value(a), j = json_integer_value(b);

		return (i > j) - (i < j);
	}
	/* long double holds every int64 and every double exactly */
	x = json_is_integer(a) ? (long double)json_integer_value(a) : (long double)json_real_value(a);
	y = json_is_integer(b) ? (long double)json_integer_value(b) : (long double)json_real_value(b);
	return (x > y) - (x < y);
}

/* JSON Schema equality: numbers by value, objects regardless of key order. */
static int instance_equal(const json_t *a, const json_t *b)
{
	if (json_is_number(a) && json_is_number(b))
		return number_cmp(a, b) == 0;
	if (json_typeof(a) != json_typeof(b))
		return 0;
	switch (json_typeof(a)) {
	case JSON_STRING:
		return json_string_length(a) == json_string_length(b) &&
		       !memcmp(json_string_value(a), json_string_value(b), json_string_length(a));
	case JSON_ARRAY: {
		size_t i, n = json_array_size(a);

		if (n != json_array_size(b))
			return 0;
		for (i = 0; i < n; i++)
			if (!instance_equal(json_array_get(a, i), json_array_get(b, i)))
				return 0;
		return 1;
	}
	case JSON_OBJECT: {
		const char *key;
		size_t len;
		json_t *value, *other;

		if (json_object_size(a) != json_object_size(b))
			return 0;
		json_object_keylen_foreach((json_t *)a, key, len, value) {
			other = json_object_getn(b, key, len);
			if (!other || !instance_equal(value, other))
				return 0;
		}
		return 1;
	}
	default:
		return 1;	/* null, true, false */
	}
}

static uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n--)
		h = (h ^ *c++) * 0x100000001b3ULL;	/* FNV-1a */
	return h;
}

static uint64_t hash_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

/* A hash that agrees with instance_equal(). */
static uint64_t instance_hash(const json_t *x)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ json_typeof(x);

	switch (json_typeof(x)) {
	case JSON_INTEGER:
	case JSON_REAL: {
		double d = json_is_real(x) ? json_real_value(x) : 0;
		long long i;

		if (json_is_integer(x)) {
			i = json_integer_value(x);
		} else if (real_is_integral(d) && d >= -9223372036854775808.0 &&
			   d < 9223372036854775808.0) {
			i = (long long)d;
		} else {
			return hash_mix(hash_bytes(h, &d, sizeof(d)));
		}
		return hash_mix(hash_bytes(0x9e3779b97f4a7c15ULL, &i, sizeof(i)));
	}
	case JSON_STRING:
		return hash_mix(hash_bytes(h, json_string_value(x), json_string_length(x)));
	case JSON_ARRAY: {
		size_t i;

		for (i = 0; i < json_array_size(x); i++)
			h = hash_mix(h ^ instance_hash(json_array_get(x, i)));
		return h;
	}
	case JSON_OBJECT: {
		const char *key;
		size_t len;
		json_t *value;
		uint64_t sum = 0;

		/* order-independent: a sum of per-member hashes */
		json_object_keylen_foreach((json_t *)x, key, len, value)
			sum += hash_mix(hash_bytes(h, key, len) ^ instance_hash(value));
		return hash_mix(h ^ sum);
	}
	default:
		return hash_mix(h);
	}
}

/* Length of a UTF-8 string in code points (jansson has checked the encoding). */
static size_t utf8_length(const char *s, size_t n)
{
	size_t i, count = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			count++;
	return count;
}

/* Append s[0..n) for a message: control characters escaped, cut after max
 * code points with "...". */
static void text_add_shown(struct strbuf *sb, const char *s, size_t n, size_t max)
{
	size_t i, count = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c & 0xc0) != 0x80) {
			if (count++ == max) {
				strbuf_addstr(sb, "...");
				return;
			}
		}
		if (c < 0x20 || c == 0x7f)
			strbuf_addf(sb, "\\x%02x", c);
		else
			strbuf_addch(sb, c);
	}
}

static void number_add(struct strbuf *sb, const json_t *x)
{
	char buf[40];
	int prec;

	if (json_is_integer(x)) {
		strbuf_addf(sb, "%" JSON_INTEGER_FORMAT, json_integer_value(x));
		return;
	}
	/* the shortest spelling that reads back as the same double */
	for (prec = 15; prec < 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, json_real_value(x));
		if (strtod(buf, NULL) == json_real_value(x))
			break;
	}
	snprintf(buf, sizeof(buf), "%.*g", prec, json_real_value(x));
	strbuf_addstr(sb, buf);
}

static void value_add(struct strbuf *sb, const json_t *x);

/* Compact JSON of an array or object, cut with "..." once sb reaches limit bytes. */
static void container_add(struct strbuf *sb, const json_t *x, size_t limit)
{
	const char *key;
	size_t i, len;
	json_t *value;

	strbuf_addch(sb, json_is_array(x) ? '[' : '{');
	if (json_is_array(x)) {
		json_array_foreach((json_t *)x, i, value) {
			if (sb->len >= limit) {
				strbuf_addstr(sb, "...");
				break;
			}
			if (i)
				strbuf_addch(sb, ',');
			if (json_is_array(value) || json_is_object(value))
				container_add(sb, value, limit);
			else
				value_add(sb, value);
		}
		strbuf_addch(sb, ']');
		return;
	}
	i = 0;
	json_object_keylen_foreach((json_t *)x, key, len, value) {
		if (sb->len >= limit) {
			strbuf_addstr(sb, "...");
			break;
		}
		if (i++)
			strbuf_addch(sb, ',');
		strbuf_addch(sb, '\'');
		text_add_shown(sb, key, len, SHOW_STRING);
		strbuf_addstr(sb, "':");
		if (json_is_array(value) || json_is_object(value))
			container_add(sb, value, limit);
		else
			value_add(sb, value);
	}
	strbuf_addch(sb, '}');
}

/* A short description of a value for messages: 'text', 12, true, {'a':[1]}. */
static void value_add(struct strbuf *sb, const json_t *x)
{
	switch (json_typeof(x)) {
	case JSON_STRING:
		strbuf_addch(sb, '\'');
		text_add_shown(sb, json_string_value(x), json_string_length(x), SHOW_STRING);
		strbuf_addch(sb, '\'');
		break;
	case JSON_INTEGER:
	case JSON_REAL:
		number_add(sb, x);
		break;
	case JSON_TRUE:
		strbuf_addstr(sb, "true");
		break;
	case JSON_FALSE:
		strbuf_addstr(sb, "false");
		break;
	case JSON_NULL:
		strbuf_addstr(sb, "null");
		break;
	case JSON_OBJECT:
	case JSON_ARRAY:
		container_add(sb, x, sb->len + SHOW_JSON);
		break;
	}
}

/* value_add() into a new string, which the caller frees. */
static char *value_text(const json_t *x)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_grow(&sb, 16);
	value_add(&sb, x);
	return strbuf_detach(&sb, NULL);
}

/* Append "/key" to a JSON pointer (RFC 6901: '~' is "~0", '/' is "~1"). */
static size_t pointer_push_key(struct strbuf *p, const char *key, size_t len)
{
	size_t old = p->len, i;
	struct strbuf shown = STRBUF_INIT;

	strbuf_addch(p, '/');
	strbuf_init(&shown, len);
	text_add_shown(&shown, key, len, SHOW_KEY);
	for (i = 0; i < shown.len; i++) {
		if (shown.buf[i] == '~')
			strbuf_addstr(p, "~0");
		else if (shown.buf[i] == '/')
			strbuf_addstr(p, "~1");
		else
			strbuf_addch(p, shown.buf[i]);
	}
	strbuf_release(&shown);
	return old;
}

static size_t pointer_push_index(struct strbuf *p, size_t i)
{
	size_t old = p->len;

	strbuf_addf(p, "/%zu", i);
	return old;
}

static void pointer_pop(struct strbuf *p, size_t old)
{
	p->len = old;
	if (p->buf)
		p->buf[old] = '\0';
}

/* A pointer for messages: "/" for the root ("" in RFC 6901), long ones cut in the middle. */
static void pointer_add_shown(struct strbuf *sb, const struct strbuf *p)
{
	if (!p->len) {
		strbuf_addch(sb, '/');
	} else if (p->len <= SHOW_POINTER) {
		strbuf_add(sb, p->buf, p->len);
	} else {
		strbuf_add(sb, p->buf, SHOW_POINTER / 2);
		strbuf_addstr(sb, "...");
		strbuf_add(sb, p->buf + p->len - SHOW_POINTER / 2, SHOW_POINTER / 2);
	}
}

/* ---- loading a schema ---- */

struct definition {
	const char *name;
	size_t len;
	struct schema *schema;
};

struct loader {
	const char *file;
	json_t *doc;
	struct strbuf where;		/* JSON pointer of what is being compiled */
	struct definition *defs;
	size_t ndefs;
	struct schema *root;
	int depth;
	int errors;
};

static void loader_error(struct loader *ld, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void loader_error(struct loader *ld, const char *fmt, ...)
{
	struct strbuf where;
	va_list ap;
	char *m;

	va_start(ap, fmt);
	m = xvasprintf(fmt, ap);
	va_end(ap);
	strbuf_init(&where, 64);
	pointer_add_shown(&where, &ld->where);
	msg_warn("%s: %s: %s", ld->file, where.buf, m);
	strbuf_release(&where);
	free(m);
	ld->errors++;
}

static struct schema *schema_new(void)
{
	struct schema *s = xcalloc(1, sizeof(*s));

	s->always = -1;
	s->min_length = s->max_length = -1;
	s->min_items = s->max_items = -1;
	s->min_properties = s->max_properties = -1;
	return s;
}

static void pattern_free(struct pattern *p)
{
	if (p)
		pcre2_code_free(p->code);
}

/* Frees what s owns: subschemas reached through $ref belong to the loader. */
static void schema_free(struct schema *s)
{
	size_t i;

	if (!s)
		return;
	if (s->pattern) {
		pattern_free(s->pattern);
		free(s->pattern);
	}
	for (i = 0; i < s->nproperties; i++)
		schema_free(s->properties[i].schema);
	free(s->properties);
	for (i = 0; i < s->npattern_properties; i++) {
		pattern_free(&s->pattern_properties[i].re);
		schema_free(s->pattern_properties[i].schema);
	}
	free(s->pattern_properties);
	schema_free(s->additional_properties);
	schema_free(s->items);
	for (i = 0; i < s->all_of.n; i++)
		schema_free(s->all_of.v[i]);
	free(s->all_of.v);
	for (i = 0; i < s->any_of.n; i++)
		schema_free(s->any_of.v[i]);
	free(s->any_of.v);
	for (i = 0; i < s->one_of.n; i++)
		schema_free(s->one_of.v[i]);
	free(s->one_of.v);
	schema_free(s->not_schema);
	schema_free(s->if_schema);
	schema_free(s->then_schema);
	schema_free(s->else_schema);
	free(s);
}

static void schema_compile(struct loader *ld, json_t *node, struct schema *s);

/* Compile the subschema `node` found under the pointer suffix already pushed. */
static struct schema *subschema_compile(struct loader *ld, json_t *node)
{
	struct schema *s = schema_new();

	schema_compile(ld, node, s);
	return s;
}

static struct schema *keyed_subschema(struct loader *ld, const char *key, size_t len, json_t *node)
{
	size_t old = pointer_push_key(&ld->where, key, len);
	struct schema *s = subschema_compile(ld, node);

	pointer_pop(&ld->where, old);
	return s;
}

static int pattern_compile(struct loader *ld, struct pattern *p, const char *src, size_t len)
{
	int err;
	PCRE2_SIZE off;
	PCRE2_UCHAR msg[256];

	p->source = src;
	/* ECMA-262 `$` only matches at the very end, not before a final newline */
	p->code = pcre2_compile((PCRE2_SPTR)src, len,
				PCRE2_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_NEVER_BACKSLASH_C,
				&err, &off, NULL);
	if (!p->code) {
		pcre2_get_error_message(err, msg, sizeof(msg));
		loader_error(ld, "pattern '%s' does not compile: %s at offset %zu", src, (char *)msg,
			     (size_t)off);
		return 0;
	}
	pcre2_jit_compile(p->code, PCRE2_JIT_COMPLETE);	/* when available; else interpreted */
	return 1;
}

static int count_value(struct loader *ld, json_t *v, json_int_t *out)
{
	char *shown;

	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = json_integer_value(v);
		return 1;
	}
	if (json_is_real(v) && json_real_value(v) >= 0 && json_real_value(v) < 9.2e18 &&
	    real_is_integral(json_real_value(v))) {
		*out = (json_int_t)json_real_value(v);
		return 1;
	}
	shown = value_text(v);
	loader_error(ld, "expected a non-negative integer, got %s", shown);
	free(shown);
	return 0;
}

static json_t *number_value(struct loader *ld, json_t *v)
{
	if (json_is_number(v))
		return v;
	loader_error(ld, "expected a number, got %s", instance_type_name(v));
	return NULL;
}

static void schema_list_compile(struct loader *ld, json_t *v, struct schema_list *l)
{
	size_t i, old;

	if (!json_is_array(v) || !json_array_size(v)) {
		loader_error(ld, "expected a non-empty array of schemas");
		return;
	}
	l->n = json_array_size(v);
	l->v = xcalloc(l->n, sizeof(*l->v));
	for (i = 0; i < l->n; i++) {
		old = pointer_push_index(&ld->where, i);
		l->v[i] = subschema_compile(ld, json_array_get(v, i));
		pointer_pop(&ld->where, old);
	}
}

static int property_cmp(const void *a, const void *b)
{
	const struct property *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->name, y->name, n);

	if (c)
		return c;
	return (x->len > y->len) - (x->len < y->len);
}

/* One compiler per keyword; each is called with the keyword pushed on `where`. */
typedef void keyword_fn(struct loader *ld, struct schema *s, json_t *v);

static void kw_type(struct loader *ld, struct schema *s, json_t *v)
{
	size_t i, n = json_is_array(v) ? json_array_size(v) : 1;
	unsigned t;

	if (!json_is_string(v) && !(json_is_array(v) && n)) {
		loader_error(ld, "expected a type name or a non-empty array of them");
		return;
	}
	for (i = 0; i < n; i++) {
		json_t *name = json_is_array(v) ? json_array_get(v, i) : v;

		if (!json_is_string(name)) {
			loader_error(ld, "expected a type name, got %s", instance_type_name(name));
			continue;
		}
		for (t = 0; t < NTYPES; t++)
			if (!strcmp(json_string_value(name), type_names[t]))
				break;
		if (t == NTYPES) {
			loader_error(ld, "unknown type '%s'", json_string_value(name));
			continue;
		}
		if (s->types & 1u << t)
			loader_error(ld, "type '%s' listed twice", type_names[t]);
		s->types |= 1u << t;
	}
}

static void kw_enum(struct loader *ld, struct schema *s, json_t *v)
{
	if (!json_is_array(v) || !json_array_size(v))
		loader_error(ld, "expected a non-empty array");
	else
		s->enum_values = v;
}

static void kw_const(struct loader *ld, struct schema *s, json_t *v)
{
	(void)ld;
	s->const_value = v;
	s->has_const = 1;
}

static void kw_pattern(struct loader *ld, struct schema *s, json_t *v)
{
	if (!json_is_string(v)) {
		loader_error(ld, "expected a string");
		return;
	}
	s->pattern = xcalloc(1, sizeof(*s->pattern));
	pattern_compile(ld, s->pattern, json_string_value(v), json_string_length(v));
}

static void kw_unique_items(struct loader *ld, struct schema *s, json_t *v)
{
	if (!json_is_boolean(v))
		loader_error(ld, "expected true or false");
	else
		s->unique_items = json_is_true(v);
}

static void kw_properties(struct loader *ld, struct schema *s, json_t *v)
{
	const char *key;
	size_t len, i = 0;
	json_t *sub;

	if (!json_is_object(v)) {
		loader_error(ld, "expected an object");
		return;
	}
	s->properties = xcalloc(json_object_size(v), sizeof(*s->properties));
	json_object_keylen_foreach(v, key, len, sub) {
		s->properties[i].name = key;
		s->properties[i].len = len;
		s->properties[i].schema = keyed_subschema(ld, key, len, sub);
		i++;
	}
	s->nproperties = i;
	qsort(s->properties, s->nproperties, sizeof(*s->properties), property_cmp);
}

static void kw_pattern_properties(struct loader *ld, struct schema *s, json_t *v)
{
	const char *key;
	size_t len, i = 0, old;
	json_t *sub;

	if (!json_is_object(v)) {
		loader_error(ld, "expected an object");
		return;
	}
	s->pattern_properties = xcalloc(json_object_size(v), sizeof(*s->pattern_properties));
	json_object_keylen_foreach(v, key, len, sub) {
		struct pattern_property *pp = &s->pattern_properties[i++];

		old = pointer_push_key(&ld->where, key, len);
		pattern_compile(ld, &pp->re, key, len);
		pp->schema = subschema_compile(ld, sub);
		pointer_pop(&ld->where, old);
	}
	s->npattern_properties = i;
}

static void kw_required(struct loader *ld, struct schema *s, json_t *v)
{
	size_t i, j;

	if (!json_is_array(v)) {
		loader_error(ld, "expected an array of property names");
		return;
	}
	for (i = 0; i < json_array_size(v); i++) {
		json_t *name = json_array_get(v, i);

		if (!json_is_string(name)) {
			loader_error(ld, "expected a property name, got %s", instance_type_name(name));
			return;
		}
		for (j = 0; j < i; j++)
			if (instance_equal(name, json_array_get(v, j)))
				loader_error(ld, "property '%s' listed twice", json_string_value(name));
	}
	s->required = v;
}

/* Only local references: "#" (the root) and "#/$defs/NAME". */
static void kw_ref(struct loader *ld, struct schema *s, json_t *v)
{
	static const char prefix[] = "#/$defs/";
	const char *ref = json_string_value(v);
	struct strbuf name = STRBUF_INIT;
	size_t i, len;

	if (!ref) {
		loader_error(ld, "expected a string");
		return;
	}
	if (!strcmp(ref, "#")) {
		s->ref = ld->root;
		return;
	}
	len = json_string_length(v);
	if (strncmp(ref, prefix, sizeof(prefix) - 1) || len == sizeof(prefix) - 1 ||
	    memchr(ref + sizeof(prefix) - 1, '/', len - (sizeof(prefix) - 1))) {
		loader_error(ld, "unsupported reference '%s': only '#' and '#/$defs/NAME' are", ref);
		return;
	}
	strbuf_init(&name, len);
	for (i = sizeof(prefix) - 1; i < len; i++) {
		if (ref[i] == '~' && (ref[i + 1] == '0' || ref[i + 1] == '1')) {
			strbuf_addch(&name, ref[i + 1] == '0' ? '~' : '/');
			i++;
		} else {
			strbuf_addch(&name, ref[i]);
		}
	}
	for (i = 0; i < ld->ndefs; i++) {
		if (ld->defs[i].len == name.len && !memcmp(ld->defs[i].name, name.buf, name.len)) {
			s->ref = ld->defs[i].schema;
			break;
		}
	}
	if (!s->ref)
		loader_error(ld, "reference '%s' names no entry of $defs", ref);
	strbuf_release(&name);
}

static void kw_defs(struct loader *ld, struct schema *s, json_t *v)
{
	(void)s;
	(void)v;
	if (ld->depth > 1)
		loader_error(ld, "$defs is only supported at the top of the schema");
	/* the root's were compiled before anything could refer to them */
}

static void kw_id(struct loader *ld, struct schema *s, json_t *v)
{
	(void)s;
	if (!json_is_string(v))
		loader_error(ld, "expected a string");
	else if (ld->depth > 1)
		loader_error(ld, "$id is only supported at the top of the schema");
}

/* Another dialect would mean other rules for the same keywords. */
static void kw_dialect(struct loader *ld, struct schema *s, json_t *v)
{
	const char *uri = json_string_value(v);

	(void)s;
	if (!uri)
		loader_error(ld, "expected a string");
	else if (strcmp(uri, "https://json-schema.org/draft/2020-12/schema") &&
		 strcmp(uri, "https://json-schema.org/draft/2020-12/schema#"))
		loader_error(ld, "unsupported dialect '%s': only draft 2020-12 is", uri);
}

static void kw_title(struct loader *ld, struct schema *s, json_t *v)
{
	if (!json_is_string(v))
		loader_error(ld, "expected a string");
	else
		s->title = json_string_value(v);
}

static void kw_annotation_string(struct loader *ld, struct schema *s, json_t *v)
{
	(void)s;
	if (!json_is_string(v))
		loader_error(ld, "expected a string");
}

static void kw_annotation_array(struct loader *ld, struct schema *s, json_t *v)
{
	(void)s;
	if (!json_is_array(v))
		loader_error(ld, "expected an array");
}

static void kw_annotation_any(struct loader *ld, struct schema *s, json_t *v)
{
	(void)ld;
	(void)s;
	(void)v;
}

/* How each keyword is compiled: most fill one member of struct schema. */
enum keyword_kind { KW_COUNT, KW_NUMBER, KW_SCHEMA, KW_SCHEMA_LIST, KW_OTHER };

static const struct keyword {
	const char *name;
	enum keyword_kind kind;
	size_t member;			/* offsetof(struct schema, ...) */
	keyword_fn *compile;		/* for KW_OTHER */
} keywords[] = {
#define MEMBER(name, kind, member) { name, kind, offsetof(struct schema, member), NULL }
#define OTHER(name, fn) { name, KW_OTHER, 0, fn }
	OTHER("type", kw_type),
	OTHER("enum", kw_enum),
	OTHER("const", kw_const),
	OTHER("pattern", kw_pattern),
	MEMBER("minLength", KW_COUNT, min_length),
	MEMBER("maxLength", KW_COUNT, max_length),
	MEMBER("minimum", KW_NUMBER, minimum),
	MEMBER("maximum", KW_NUMBER, maximum),
	MEMBER("exclusiveMinimum", KW_NUMBER, exclusive_minimum),
	MEMBER("exclusiveMaximum", KW_NUMBER, exclusive_maximum),
	MEMBER("minItems", KW_COUNT, min_items),
	MEMBER("maxItems", KW_COUNT, max_items),
	OTHER("uniqueItems", kw_unique_items),
	MEMBER("items", KW_SCHEMA, items),
	MEMBER("minProperties", KW_COUNT, min_properties),
	MEMBER("maxProperties", KW_COUNT, max_properties),
	OTHER("properties", kw_properties),
	OTHER("patternProperties", kw_pattern_properties),
	MEMBER("additionalProperties", KW_SCHEMA, additional_properties),
	OTHER("required", kw_required),
	MEMBER("allOf", KW_SCHEMA_LIST, all_of),
	MEMBER("anyOf", KW_SCHEMA_LIST, any_of),
	MEMBER("oneOf", KW_SCHEMA_LIST, one_of),
	MEMBER("not", KW_SCHEMA, not_schema),
	MEMBER("if", KW_SCHEMA, if_schema),
	MEMBER("then", KW_SCHEMA, then_schema),
	MEMBER("else", KW_SCHEMA, else_schema),
	OTHER("$ref", kw_ref),
	OTHER("$defs", kw_defs),
	OTHER("$id", kw_id),
	OTHER("$schema", kw_dialect),
	OTHER("$comment", kw_annotation_string),
	OTHER("title", kw_title),
	OTHER("description", kw_annotation_string),
	OTHER("format", kw_annotation_string),
	OTHER("contentEncoding", kw_annotation_string),
	OTHER("contentMediaType", kw_annotation_string),
	OTHER("examples", kw_annotation_array),
	OTHER("default", kw_annotation_any),
#undef MEMBER
#undef OTHER
};

static const struct keyword *keyword_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (!strcmp(keywords[i].name, name))
			return &keywords[i];
	return NULL;
}

static void keyword_compile(struct loader *ld, const struct keyword *kw, struct schema *s,
			    json_t *v)
{
	char *member = (char *)s + kw->member;

	switch (kw->kind) {
	case KW_COUNT:
		count_value(ld, v, (json_int_t *)member);
		break;
	case KW_NUMBER:
		*(json_t **)member = number_value(ld, v);
		break;
	case KW_SCHEMA:
		*(struct schema **)member = subschema_compile(ld, v);
		break;
	case KW_SCHEMA_LIST:
		schema_list_compile(ld, v, (struct schema_list *)member);
		break;
	case KW_OTHER:
		kw->compile(ld, s, v);
		break;
	}
}

/* Compile node into s; errors are reported and counted in ld. */
static void schema_compile(struct loader *ld, json_t *node, struct schema *s)
{
	const char *key;
	size_t len, old;
	json_t *v;

	if (json_is_boolean(node)) {
		s->always = json_is_true(node);
		return;
	}
	if (!json_is_object(node)) {
		loader_error(ld, "expected a schema (an object or a boolean), got %s",
			     instance_type_name(node));
		return;
	}
	if (ld->depth >= SCHEMA_MAX_DEPTH) {
		loader_error(ld, "schema nests deeper than %d levels", SCHEMA_MAX_DEPTH);
		return;
	}
	ld->depth++;
	json_object_keylen_foreach(node, key, len, v) {
		const struct keyword *kw = strlen(key) == len ? keyword_find(key) : NULL;

		old = pointer_push_key(&ld->where, key, len);
		if (kw)
			keyword_compile(ld, kw, s, v);
		else
			loader_error(ld, "unknown keyword '%s'", key);
		pointer_pop(&ld->where, old);
	}
	if ((s->then_schema || s->else_schema) && !s->if_schema)
		loader_error(ld, "'then' or 'else' without 'if'");
	ld->depth--;
}

/* Load and compile FILE; dies (exit 2) on any error in it. */
static void loader_load(struct loader *ld, const char *file)
{
	json_error_t err;
	json_t *defs;
	const char *key;
	size_t len, old;
	json_t *v;

	memset(ld, 0, sizeof(*ld));
	ld->file = file;
	strbuf_init(&ld->where, 64);
	ld->doc = json_load_file(file, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
	if (!ld->doc && err.line > 0)
		msg_die("%s:%d: %s", file, err.line, err.text);
	if (!ld->doc)
		msg_die("%s: %s", file, err.text);
	ld->root = schema_new();
	defs = json_is_object(ld->doc) ? json_object_get(ld->doc, "$defs") : NULL;
	if (defs && !json_is_object(defs)) {
		old = pointer_push_key(&ld->where, "$defs", 5);
		loader_error(ld, "expected an object");
		pointer_pop(&ld->where, old);
	} else if (defs) {
		/* every entry exists before any is compiled, so that refs can cycle */
		ld->defs = xcalloc(json_object_size(defs), sizeof(*ld->defs));
		json_object_keylen_foreach(defs, key, len, v) {
			ld->defs[ld->ndefs].name = key;
			ld->defs[ld->ndefs].len = len;
			ld->defs[ld->ndefs].schema = schema_new();
			ld->ndefs++;
		}
		old = pointer_push_key(&ld->where, "$defs", 5);
		ld->depth = 1;	/* the entries sit one level below the root */
		for (size_t i = 0; i < ld->ndefs; i++) {
			size_t o = pointer_push_key(&ld->where, ld->defs[i].name, ld->defs[i].len);

			schema_compile(ld, json_object_getn(defs, ld->defs[i].name, ld->defs[i].len),
				       ld->defs[i].schema);
			pointer_pop(&ld->where, o);
		}
		ld->depth = 0;
		pointer_pop(&ld->where, old);
	}
	schema_compile(ld, ld->doc, ld->root);
	if (ld->errors)
		exit(EXIT_FATAL);
}

static void loader_release(struct loader *ld)
{
	size_t i;

	for (i = 0; i < ld->ndefs; i++)
		schema_free(ld->defs[i].schema);
	free(ld->defs);
	schema_free(ld->root);
	json_decref(ld->doc);
	strbuf_release(&ld->where);
}

/* ---- validating ---- */

/* Messages about one record or one speculative branch of it (oneOf...). */
struct error_list {
	char **msg;		/* the first ERRORS_KEPT, "pointer: text" */
	size_t kept;
	size_t count;		/* all of them */
};
#define ERROR_LIST_INIT { NULL, 0, 0 }

static void error_list_release(struct error_list *e)
{
	size_t i;

	for (i = 0; i < e->kept; i++)
		free(e->msg[i]);
	free(e->msg);
	e->msg = NULL;
	e->kept = e->count = 0;
}

static void error_list_push(struct error_list *e, char *m)
{
	e->count++;
	if (e->kept == ERRORS_KEPT) {
		free(m);
		return;
	}
	if (!e->msg)
		e->msg = xcalloc(ERRORS_KEPT, sizeof(*e->msg));
	e->msg[e->kept++] = m;
}

/* Move src's messages to dst, each followed by suffix (if any); src is released. */
static void error_list_move(struct error_list *dst, struct error_list *src, const char *suffix)
{
	size_t i;

	for (i = 0; i < src->kept; i++) {
		if (suffix) {
			error_list_push(dst, xasprintf("%s%s", src->msg[i], suffix));
			free(src->msg[i]);
		} else {
			error_list_push(dst, src->msg[i]);
		}
	}
	dst->count += src->count - src->kept;
	free(src->msg);
	src->msg = NULL;
	src->kept = src->count = 0;
}

struct validator {
	struct strbuf ptr;		/* JSON pointer of the value being checked */
	unsigned depth;
	unsigned long long steps, budget;
	char *abort_msg;		/* set when the record is given up on */
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	pcre2_jit_stack *jit;
};

static void validator_init(struct validator *v)
{
	memset(v, 0, sizeof(*v));
	strbuf_init(&v->ptr, 256);
	v->md = pcre2_match_data_create(1, NULL);
	v->mctx = pcre2_match_context_create(NULL);
	if (!v->md || !v->mctx)
		msg_die("out of memory for pcre2");
	pcre2_set_match_limit(v->mctx, MATCH_LIMIT);
	pcre2_set_heap_limit(v->mctx, MATCH_HEAP_KIB);
	v->jit = pcre2_jit_stack_create(32 * 1024, JIT_STACK_MAX, NULL);
	if (v->jit)
		pcre2_jit_stack_assign(v->mctx, NULL, v->jit);
}

static void validator_release(struct validator *v)
{
	strbuf_release(&v->ptr);
	pcre2_match_data_free(v->md);
	pcre2_match_context_free(v->mctx);
	pcre2_jit_stack_free(v->jit);
	free(v->abort_msg);
}

static void error_add(struct validator *v, struct error_list *e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void error_add(struct validator *v, struct error_list *e, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	char *m;

	va_start(ap, fmt);
	m = xvasprintf(fmt, ap);
	va_end(ap);
	strbuf_grow(&sb, 64);
	pointer_add_shown(&sb, &v->ptr);
	strbuf_addstr(&sb, ": ");
	strbuf_addstr(&sb, m);
	free(m);
	error_list_push(e, strbuf_detach(&sb, NULL));
}

/* Give up on the whole record (too deep, too costly): one message says why. */
static void validator_abort(struct validator *v, const char *why)
{
	struct strbuf sb = STRBUF_INIT;

	if (v->abort_msg)
		return;
	strbuf_grow(&sb, 64);
	pointer_add_shown(&sb, &v->ptr);
	strbuf_addstr(&sb, ": ");
	strbuf_addstr(&sb, why);
	v->abort_msg = strbuf_detach(&sb, NULL);
}

/* 1 on a match, 0 on none, -1 when the match could not be decided (reported). */
static int pattern_match(struct validator *v, struct error_list *e, const struct pattern *p,
			 const char *s, size_t n)
{
	int rc;
	PCRE2_UCHAR msg[256];

	v->steps += n / 64;	/* long subjects count against the record's budget */
	rc = pcre2_match(p->code, (PCRE2_SPTR)s, n, 0, 0, v->md, v->mctx);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	pcre2_get_error_message(rc, msg, sizeof(msg));
	error_add(v, e, "pattern '%s' could not be matched: %s", p->source, (char *)msg);
	return -1;
}

static int schema_validate(struct validator *v, const struct schema *s, json_t *x,
			   struct error_list *e);

static int validate_child_key(struct validator *v, const struct schema *s, json_t *x,
			      const char *key, size_t len, struct error_list *e)
{
	size_t old = pointer_push_key(&v->ptr, key, len);
	int ok = schema_validate(v, s, x, e);

	pointer_pop(&v->ptr, old);
	return ok;
}

static void check_type(struct validator *v, const struct schema *s, json_t *x,
			struct error_list *e)
{
	struct strbuf want = STRBUF_INIT;
	unsigned t, n = 0, total = 0;

	for (t = 0; t < NTYPES; t++)
		total += !!(s->types & 1u << t);
	strbuf_grow(&want, 32);
	for (t = 0; t < NTYPES; t++) {
		if (!(s->types & 1u << t))
			continue;
		if (n++)
			strbuf_addstr(&want, n == total ? " or " : ", ");
		strbuf_addstr(&want, type_names[t]);
	}
	error_add(v, e, "expected %s, got %s", want.buf, instance_type_name(x));
	strbuf_release(&want);
}

static void check_enum(struct validator *v, const struct schema *s, json_t *x,
			struct error_list *e)
{
	struct strbuf list = STRBUF_INIT;
	size_t i, n = json_array_size(s->enum_values);
	char *got;

	for (i = 0; i < n; i++)
		if (instance_equal(x, json_array_get(s->enum_values, i)))
			return;
	strbuf_grow(&list, 64);
	for (i = 0; i < n && i < SHOW_ENUM; i++) {
		if (i)
			strbuf_addstr(&list, ", ");
		value_add(&list, json_array_get(s->enum_values, i));
	}
	if (n > SHOW_ENUM)
		strbuf_addf(&list, " (and %zu more)", n - SHOW_ENUM);
	got = value_text(x);
	error_add(v, e, "%s is not one of %s", got, list.buf);
	free(got);
	strbuf_release(&list);
}

static void check_const(struct validator *v, const struct schema *s, json_t *x,
			struct error_list *e)
{
	char *want, *got;

	if (instance_equal(x, s->const_value))
		return;
	want = value_text(s->const_value);
	got = value_text(x);
	error_add(v, e, "must be %s, got %s", want, got);
	free(want);
	free(got);
}

static void check_string(struct validator *v, const struct schema *s, json_t *x,
			struct error_list *e)
{
	const char *str = json_string_value(x);
	size_t n = json_string_length(x), chars;
	char *shown;

	if (s->min_length >= 0 || s->max_length >= 0) {
		chars = utf8_length(str, n);
		v->steps += n / 64;
		if (s->min_length >= 0 && chars < (uint64_t)s->min_length)
			error_add(v, e, "string of %zu characters is shorter than minLength %" JSON_INTEGER_FORMAT,
				  chars, s->min_length);
		if (s->max_length >= 0 && chars > (uint64_t)s->max_length)
			error_add(v, e, "string of %zu characters is longer than maxLength %" JSON_INTEGER_FORMAT,
				  chars, s->max_length);
	}
	if (s->pattern && pattern_match(v, e, s->pattern, str, n) == 0) {
		shown = value_text(x);
		error_add(v, e, "%s does not match pattern '%s'", shown, s->pattern->source);
		free(shown);
	}
}

static void check_bound(struct validator *v, json_t *x, const json_t *bound, int want_sign,
			int exclusive, const char *keyword, struct error_list *e)
{
	int c = number_cmp(x, bound);
	char *a, *b;

	if (c == want_sign || (!exclusive && c == 0))
		return;
	a = value_text(x);
	b = value_text(bound);
	error_add(v, e, "%s is %s %s %s", a,
		  want_sign > 0 ? (exclusive ? "not greater than" : "less than")
				: (exclusive ? "not less than" : "greater than"),
		  keyword, b);
	free(a);
	free(b);
}

static void check_number(struct validator *v, const struct schema *s, json_t *x,
			struct error_list *e)
{
	if (s->minimum)
		check_bound(v, x, s->minimum, 1, 0, "minimum", e);
	if (s->exclusive_minimum)
		check_bound(v, x, s->exclusive_minimum, 1, 1, "exclusiveMinimum", e);
	if (s->maximum)
		check_bound(v, x, s->maximum, -1, 0, "maximum", e);
	if (s->exclusive_maximum)
		check_bound(v, x, s->exclusive_maximum, -1, 1, "exclusiveMaximum", e);
}

struct hashed {
	uint64_t hash;
	size_t index;
};

static int hashed_cmp(const void *a, const void *b)
{
	const struct hashed *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return (x->index > y->index) - (x->index < y->index);
}

/* uniqueItems in O(n log n): sort by hash, compare only equal hashes. */
static void check_unique(struct validator *v, json_t *x, struct error_list *e)
{
	size_t i, j, n = json_array_size(x), a = 0, b = 0;
	struct hashed *h;

	if (n < 2)
		return;
	h = xcalloc(n, sizeof(*h));
	for (i = 0; i < n; i++) {
		h[i].hash = instance_hash(json_array_get(x, i));
		h[i].index = i;
	}
	v->steps += n;
	qsort(h, n, sizeof(*h), hashed_cmp);
	for (i = 0; i < n && a == b; i++) {
		for (j = i + 1; j < n && h[j].hash == h[i].hash; j++) {
			v->steps++;
			if (instance_equal(json_array_get(x, h[i].index), json_array_get(x, h[j].index))) {
				a = h[i].index;
				b = h[j].index;
				break;
			}
		}
	}
	free(h);
	if (a != b)
		error_add(v, e, "items %zu and %zu are equal (uniqueItems)", a < b ? a : b, a < b ? b : a);
}

static void check_array(struct validator *v, const struct schema *s, json_t *x,
			struct error_list *e)
{
	size_t i, n = json_array_size(x), old;

	if (s->min_items >= 0 && n < (uint64_t)s->min_items)
		error_add(v, e, "array of %zu items is shorter than minItems %" JSON_INTEGER_FORMAT,
			  n, s->min_items);
	if (s->max_items >= 0 && n > (uint64_t)s->max_items)
		error_add(v, e, "array of %zu items is longer than maxItems %" JSON_INTEGER_FORMAT,
			  n, s->max_items);
	if (s->unique_items)
		check_unique(v, x, e);
	if (s->items) {
		for (i = 0; i < n && !v->abort_msg; i++) {
			old = pointer_push_index(&v->ptr, i);
			schema_validate(v, s->items, json_array_get(x, i), e);
			pointer_pop(&v->ptr, old);
		}
	}
}

static const struct property *property_find(const struct schema *s, const char *key, size_t len)
{
	struct property k = { key, len, NULL };

	if (!s->nproperties)
		return NULL;
	return bsearch(&k, s->properties, s->nproperties, sizeof(k), property_cmp);
}

static void show_key(struct strbuf *sb, const char *key, size_t len)
{
	strbuf_addch(sb, '\'');
	text_add_shown(sb, key, len, SHOW_KEY);
	strbuf_addch(sb, '\'');
}

/* A property whose schema is `false`: reported on the object, as a name. */
static void property_not_allowed(struct validator *v, const char *key, size_t len,
				 int unexpected, struct error_list *e)
{
	struct strbuf k = STRBUF_INIT;

	strbuf_grow(&k, len + 2);
	show_key(&k, key, len);
	error_add(v, e, unexpected ? "unexpected property %s" : "property %s is not allowed", k.buf);
	strbuf_release(&k);
}

static void check_object(struct validator *v, const struct schema *s, json_t *x,
			struct error_list *e)
{
	size_t i, n = json_object_size(x), len;
	const char *key;
	json_t *value;

	if (s->required) {
		for (i = 0; i < json_array_size(s->required); i++) {
			json_t *name = json_array_get(s->required, i);
			struct strbuf k = STRBUF_INIT;

			if (json_object_getn(x, json_string_value(name), json_string_length(name)))
				continue;
			strbuf_grow(&k, 16);
			show_key(&k, json_string_value(name), json_string_length(name));
			error_add(v, e, "missing required property %s", k.buf);
			strbuf_release(&k);
		}
	}
	if (s->min_properties >= 0 && n < (uint64_t)s->min_properties)
		error_add(v, e, "object of %zu properties has fewer than minProperties %" JSON_INTEGER_FORMAT,
			  n, s->min_properties);
	if (s->max_properties >= 0 && n > (uint64_t)s->max_properties)
		error_add(v, e, "object of %zu properties has more than maxProperties %" JSON_INTEGER_FORMAT,
			  n, s->max_properties);
	if (!s->nproperties && !s->npattern_properties && !s->additional_properties)
		return;
	json_object_keylen_foreach(x, key, len, value) {
		const struct property *p = property_find(s, key, len);
		int matched = !!p;

		if (v->abort_msg)
			break;
		if (p) {
			if (!p->schema->always)
				property_not_allowed(v, key, len, 0, e);
			else
				validate_child_key(v, p->schema, value, key, len, e);
		}
		for (i = 0; i < s->npattern_properties; i++) {
			const struct pattern_property *pp = &s->pattern_properties[i];
			int m = pattern_match(v, e, &pp->re, key, len);

			if (m <= 0)
				continue;
			matched = 1;
			if (!pp->schema->always)
				property_not_allowed(v, key, len, 0, e);
			else
				validate_child_key(v, pp->schema, value, key, len, e);
		}
		if (matched || !s->additional_properties)
			continue;
		if (!s->additional_properties->always)
			property_not_allowed(v, key, len, 1, e);
		else
			validate_child_key(v, s->additional_properties, value, key, len, e);
	}
}

static char *alternative_suffix(const char *keyword, size_t i, size_t n, const struct schema *alt)
{
	if (alt->title)
		return xasprintf(" (%s alternative %zu of %zu, '%s')", keyword, i + 1, n, alt->title);
	return xasprintf(" (%s alternative %zu of %zu)", keyword, i + 1, n);
}

/*
 * anyOf and oneOf. When no alternative matches, the messages of the closest one
 * (fewest problems) are the most useful: they are kept, each saying which
 * alternative it comes from; on a tie, all the tied ones are.
 */
static void check_alternatives(struct validator *v, const struct schema_list *l, int one,
			       json_t *x, struct error_list *e)
{
	const char *keyword = one ? "oneOf" : "anyOf";
	struct error_list *errs = xcalloc(l->n, sizeof(*errs));
	size_t i, matched = 0, best = SIZE_MAX, nbest = 0;
	struct strbuf which = STRBUF_INIT;

	for (i = 0; i < l->n && !v->abort_msg; i++) {
		if (schema_validate(v, l->v[i], x, &errs[i])) {
			matched++;
			if (!one)
				break;	/* one match is enough for anyOf */
			if (matched > 1)
				strbuf_addstr(&which, ", ");
			strbuf_addf(&which, "%zu", i + 1);
			if (l->v[i]->title)
				strbuf_addf(&which, " '%s'", l->v[i]->title);
		} else if (errs[i].count < best) {
			best = errs[i].count;
			nbest = 1;
		} else if (errs[i].count == best) {
			nbest++;
		}
	}
	if (v->abort_msg || (matched == 1) || (matched && !one))
		goto out;
	if (matched > 1) {
		error_add(v, e, "matches %zu of the %zu oneOf alternatives (%s): expected exactly one",
			  matched, l->n, which.buf);
		goto out;
	}
	if (nbest > 1)
		error_add(v, e, "matches none of the %zu %s alternatives", l->n, keyword);
	for (i = 0; i < l->n; i++) {
		char *suffix;

		if (errs[i].count != best)
			continue;
		suffix = alternative_suffix(keyword, i, l->n, l->v[i]);
		error_list_move(e, &errs[i], suffix);
		free(suffix);
	}
out:
	for (i = 0; i < l->n; i++)
		error_list_release(&errs[i]);
	free(errs);
	strbuf_release(&which);
}

static void check_applicators(struct validator *v, const struct schema *s, json_t *x,
			      struct error_list *e)
{
	struct error_list scratch = ERROR_LIST_INIT;
	size_t i;

	if (s->ref)
		schema_validate(v, s->ref, x, e);
	for (i = 0; i < s->all_of.n && !v->abort_msg; i++)
		schema_validate(v, s->all_of.v[i], x, e);
	if (s->any_of.n)
		check_alternatives(v, &s->any_of, 0, x, e);
	if (s->one_of.n)
		check_alternatives(v, &s->one_of, 1, x, e);
	if (s->not_schema && schema_validate(v, s->not_schema, x, &scratch)) {
		if (s->not_schema->title)
			error_add(v, e, "matches the schema under 'not': %s", s->not_schema->title);
		else
			error_add(v, e, "matches the schema under 'not'");
	}
	error_list_release(&scratch);
	if (s->if_schema) {
		if (schema_validate(v, s->if_schema, x, &scratch)) {
			if (s->then_schema)
				schema_validate(v, s->then_schema, x, e);
		} else if (s->else_schema) {
			schema_validate(v, s->else_schema, x, e);
		}
		error_list_release(&scratch);
	}
}

/* Check x against s, adding a message to e for each problem; 1 when x is valid. */
static int schema_validate(struct validator *v, const struct schema *s, json_t *x,
			   struct error_list *e)
{
	size_t before = e->count;

	if (v->abort_msg)
		return 0;
	if (++v->steps > v->budget) {
		validator_abort(v, "too costly to validate: gave up");
		return 0;
	}
	if (v->depth >= EVAL_MAX_DEPTH) {
		validator_abort(v, "schema and document nest too deep: gave up");
		return 0;
	}
	v->depth++;
	if (s->always >= 0) {
		if (!s->always)
			error_add(v, e, "no value is allowed here (the schema is false)");
		goto out;
	}
	if (s->types && !(s->types & instance_types(x))) {
		/* the other keywords would only repeat this problem */
		check_type(v, s, x, e);
		goto out;
	}
	if (s->enum_values)
		check_enum(v, s, x, e);
	if (s->has_const)
		check_const(v, s, x, e);
	if (json_is_string(x))
		check_string(v, s, x, e);
	else if (json_is_number(x))
		check_number(v, s, x, e);
	else if (json_is_array(x))
		check_array(v, s, x, e);
	else if (json_is_object(x))
		check_object(v, s, x, e);
	check_applicators(v, s, x, e);
out:
	v->depth--;
	return e->count == before && !v->abort_msg;
}

/* ---- the program ---- */

struct totals {
	unsigned long long records;
	unsigned long long invalid;
};

static void record_report(const char *name, size_t lineno, struct validator *v,
			  struct error_list *e)
{
	size_t i;

	if (v->abort_msg) {
		msg_warn("%s:%zu: %s", name, lineno, v->abort_msg);
		return;
	}
	for (i = 0; i < e->kept; i++)
		msg_warn("%s:%zu: %s", name, lineno, e->msg[i]);
	if (e->count > e->kept)
		msg_warn("%s:%zu: and %zu more problems", name, lineno, e->count - e->kept);
}

/* Check one line; 1 when it is a valid record. */
static int line_check(struct validator *v, const struct schema *root, const char *name,
		      size_t lineno, const char *line, size_t len)
{
	struct error_list e = ERROR_LIST_INIT;
	json_error_t err;
	json_t *doc;
	int ok;

	doc = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL | JSON_DECODE_ANY, &err);
	if (!doc) {
		msg_warn("%s:%zu: invalid JSON at column %d: %s", name, lineno, err.column, err.text);
		return 0;
	}
	strbuf_reset(&v->ptr);
	v->depth = 0;
	v->steps = 0;
	v->budget = STEPS_BASE + STEPS_PER_BYTE * len;
	free(v->abort_msg);
	v->abort_msg = NULL;
	ok = schema_validate(v, root, doc, &e);
	if (!ok)
		record_report(name, lineno, v, &e);
	error_list_release(&e);
	json_decref(doc);
	return ok;
}

/* Check every line of f; returns EXIT_FATAL on a read error, else EXIT_OK. */
static int stream_check(struct validator *v, const struct schema *root, FILE *f,
			const char *name, struct totals *t)
{
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	int status = EXIT_OK;

	while ((n = getline(&line, &cap, f)) >= 0) {
		size_t len = (size_t)n;

		lineno++;
		if (len && line[len - 1] == '\n')
			len--;
		if (len && line[len - 1] == '\r')
			len--;
		if (!len)
			continue;
		t->records++;
		if (!line_check(v, root, name, lineno, line, len))
			t->invalid++;
	}
	if (ferror(f)) {
		msg_warn("%s: read error: %s", name, strerror(errno));
		status = EXIT_FATAL;
	}
	free(line);
	return status;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: schema-check SCHEMA.json [FILE...]\n"
		"Validate every line of NDJSON input (FILEs, or stdin) against a JSON Schema.\n"
		"Keywords: type enum const pattern minLength maxLength minimum maximum\n"
		"  exclusiveMinimum exclusiveMaximum minItems maxItems uniqueItems items\n"
		"  properties patternProperties additionalProperties required minProperties\n"
		"  maxProperties allOf anyOf oneOf not if then else $ref (#, #/$defs/NAME) $defs;\n"
		"  annotations $schema $id title description $comment examples default format\n"
		"  contentEncoding contentMediaType. Any other keyword is an error.\n"
		"Exit status: 0 all valid, 1 some records invalid, 2 usage, schema or I/O error.\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct loader ld;
	struct validator v;
	struct totals t = { 0, 0 };
	int c, i, status = EXIT_OK;

	msg_setprog("schema-check");
	while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("schema-check %s\n", DETCAT_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_FATAL;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_FATAL;
	}
	loader_load(&ld, argv[optind++]);
	validator_init(&v);
	if (optind == argc) {
		status = stream_check(&v, ld.root, stdin, "-", &t);
	} else {
		for (i = optind; i < argc; i++) {
			FILE *f = strcmp(argv[i], "-") ? fopen(argv[i], "r") : stdin;

			if (!f) {
				msg_warn("%s: %s", argv[i], strerror(errno));
				status = EXIT_FATAL;
				continue;
			}
			if (stream_check(&v, ld.root, f, argv[i], &t) != EXIT_OK)
				status = EXIT_FATAL;
			if (f != stdin)
				fclose(f);
		}
	}
	msg_warn("%llu records, %llu invalid", t.records, t.invalid);
	validator_release(&v);
	loader_release(&ld);
	if (status == EXIT_OK && t.invalid)
		status = EXIT_RECORD_ERRORS;
	return status;
}
