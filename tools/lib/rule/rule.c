#include "rule/rule.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/jsonout.h"
#include "common/text.h"

static const char *const status_names[] = { "ok", "partial", "failed", "no_query" };

const char *parse_status_name(enum parse_status st)
{
	return status_names[st];
}

struct rule *rule_new(const char *vendor, const char *source, const char *path)
{
	struct rule *rule = xcalloc(1, sizeof(*rule));
	json_t *r = json_object();
	json_t *attack = json_object();
	json_t *parse = json_object();

	json_object_set_new(r, "uid", json_null());
	json_object_set_new(r, "vendor", json_string(vendor));
	json_object_set_new(r, "source", source ? json_string(source) : json_null());
	json_object_set_new(r, "path", path ? json_string(path) : json_null());
	json_object_set_new(r, "title", json_null());
	json_object_set_new(r, "description", json_null());
	json_object_set_new(r, "status", json_null());
	json_object_set_new(r, "severity", json_null());
	json_object_set_new(r, "rule_type", json_null());
	json_object_set_new(r, "language", json_null());
	json_object_set_new(r, "query", json_null());
	json_object_set_new(attack, "techniques", json_array());
	json_object_set_new(attack, "tactics", json_array());
	json_object_set_new(r, "attack", attack);
	json_object_set_new(r, "context", json_object());
	json_object_set_new(r, "predicates", json_array());
	json_object_set_new(parse, "status", json_string("ok"));
	json_object_set_new(parse, "errors", json_array());
	json_object_set_new(r, "parse", parse);
	rule->rec = r;
	strbuf_init(&rule->preds, 0);
	return rule;
}

void rule_free(struct rule *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nmsgs; i++)
		free(r->msgs[i].text);
	free(r->msgs);
	json_decref(r->rec);
	strbuf_release(&r->preds);
	free(r->text);
	free(r->uid);
	free(r->path);
	free(r->source);
	free(r);
}

/* Compact JSON as jansson writes it, but without its per-character escaping. */
static void write_json(struct strbuf *out, const json_t *v)
{
	const char *key;
	json_t *e;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		strbuf_addch(out, '{');
		json_object_foreach((json_t *)v, key, e) {
			json_append_key(out, key);
			write_json(out, e);
		}
		strbuf_addch(out, '}');
		break;
	case JSON_ARRAY:
		strbuf_addch(out, '[');
		json_array_foreach(v, i, e) {
			if (i)
				strbuf_addch(out, ',');
			write_json(out, e);
		}
		strbuf_addch(out, ']');
		break;
	case JSON_STRING:
		json_append_string(out, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		strbuf_addf(out, "%lld", (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		if (isfinite(json_real_value(v)))
			strbuf_addf(out, "%.17g", json_real_value(v));
		else
			strbuf_addstr(out, "null");
		break;
	case JSON_TRUE:
		strbuf_addstr(out, "true");
		break;
	case JSON_FALSE:
		strbuf_addstr(out, "false");
		break;
	default:
		strbuf_addstr(out, "null");
	}
}

static void close_pred(struct rule *r)
{
	if (r->pred_open) {
		strbuf_addch(&r->preds, '}');
		r->pred_open = 0;
	}
}

void rule_freeze(struct rule *r)
{
	struct strbuf sb = STRBUF_INIT;

	if (r->text)
		return;
	rule_serialize(r, &sb);
	r->uid = rule_uid(r) ? xstrdup(rule_uid(r)) : NULL;
	r->path = rule_path(r) ? xstrdup(rule_path(r)) : NULL;
	r->source = rule_source(r) ? xstrdup(rule_source(r)) : NULL;
	r->text = strbuf_detach(&sb, &r->text_len);
	json_decref(r->rec);
	r->rec = NULL;
	strbuf_release(&r->preds);
	r->npreds = 0;
}

/* Make the record editable again: the line, parsed back. */
static void thaw(struct rule *r)
{
	json_error_t err;

	if (!r->text)
		return;
	r->rec = json_loadb(r->text, r->text_len, JSON_ALLOW_NUL, &err);
	if (!r->rec)
		msg_die("internal error: frozen rule is not JSON: %s", err.text);
	r->preds_in_rec = 1;
	free(r->text);
	free(r->uid);
	free(r->path);
	free(r->source);
	r->text = r->uid = r->path = r->source = NULL;
}

const char *rule_source(const struct rule *r)
{
	if (r->text)
		return r->source;
	return json_string_value(json_object_get(r->rec, "source"));
}

const char *rule_path(const struct rule *r)
{
	if (r->text)
		return r->path;
	return json_string_value(json_object_get(r->rec, "path"));
}

void rule_set_str(struct rule *r, const char *key, const char *val)
{
	thaw(r);
	json_object_set_new(r->rec, key, val ? json_string(val) : json_null());
}

const char *rule_uid(const struct rule *r)
{
	if (r->text)
		return r->uid;
	return json_string_value(json_object_get(r->rec, "uid"));
}

enum parse_status rule_status(const struct rule *r)
{
	return r->status;
}

/* A message is one line: control characters a rule's text brought in (a field name with a
 * newline, an escape byte) are written as escapes. */
static char *one_line(const char *s, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	if (!len)
		return xstrdup("?");
	strbuf_init(&sb, len + 1);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			strbuf_addstr(&sb, "\\n");
		else if (c == '\t')
			strbuf_addstr(&sb, "\\t");
		else if (c == '\r')
			strbuf_addstr(&sb, "\\r");
		else if (c < 0x20 || c == 0x7f)
			strbuf_addf(&sb, "\\x%02x", c);
		else
			strbuf_addch(&sb, (char)c);
	}
	return strbuf_detach(&sb, NULL);
}

static void add_message(struct rule *r, unsigned line, unsigned column, enum parse_status st,
			enum rule_code code, const char *fmt, va_list ap)
{
	struct rule_msg *m;
	char buf[512];
	size_t len;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	/* a message cut mid-character by the buffer size, or not UTF-8: drop the bad tail */
	for (len = strlen(buf); len > 0 && utf8_invalid_at(buf, len) != UTF8_VALID; len--)
		buf[len - 1] = '\0';
	if (r->nmsgs == r->amsgs) {
		r->amsgs = r->amsgs ? r->amsgs * 2 : 4;
		r->msgs = xrealloc(r->msgs, r->amsgs * sizeof(*r->msgs));
	}
	m = &r->msgs[r->nmsgs++];
	m->line = line;
	m->column = column;
	m->status = st;
	m->code = code;
	m->text = one_line(buf, len);
	if (st == PARSE_FAILED && r->status != PARSE_FAILED)
		r->status = PARSE_FAILED;
	else if (st == PARSE_PARTIAL && r->status == PARSE_OK)
		r->status = PARSE_PARTIAL;
}

void rule_error(struct rule *r, unsigned line, enum parse_status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_message(r, line, 0, st, RC_GENERIC, fmt, ap);
	va_end(ap);
}

void rule_error_at(struct rule *r, unsigned line, unsigned column, enum parse_status st,
		   enum rule_code code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_message(r, line, column, st, code, fmt, ap);
	va_end(ap);
}

const struct rule_msg *rule_messages(const struct rule *r, size_t *n)
{
	*n = r->nmsgs;
	return r->msgs;
}

void rule_set_no_query(struct rule *r)
{
	if (r->status != PARSE_FAILED)
		r->status = PARSE_NO_QUERY;
}

int rule_has_errors(const struct rule *r)
{
	return r->nmsgs > 0;
}

/* {"status":...,"errors":[{"line":N,"column":N,"message":...},...]} */
static void write_parse(const struct rule *r, struct strbuf *out)
{
	size_t i;

	strbuf_addstr(out, "{\"status\":\"");
	strbuf_addstr(out, status_names[r->status]);
	strbuf_addstr(out, "\",\"errors\":[");
	for (i = 0; i < r->nmsgs; i++) {
		const struct rule_msg *m = &r->msgs[i];

		strbuf_addstr(out, i ? ",{" : "{");
		if (m->line)
			strbuf_addf(out, "\"line\":%u,", m->line);
		if (m->column)
			strbuf_addf(out, "\"column\":%u,", m->column);
		strbuf_addstr(out, "\"message\":");
		json_append_string(out, m->text, strlen(m->text));
		strbuf_addch(out, '}');
	}
	strbuf_addstr(out, "]}");
}

static int valid(const char *s, size_t n)
{
	return !s || utf8_invalid_at(s, n) == UTF8_VALID;
}

int rule_add_predicate(struct rule *r, const struct predicate *p)
{
	struct strbuf *sb = &r->preds;

	if (r->text || r->preds_in_rec)
		msg_die("internal error: predicate added to a finished rule");
	if (!valid(p->str, p->len) || !valid(p->field, strlen(p->field)) ||
	    (p->raw_field && !valid(p->raw_field, strlen(p->raw_field))))
		return -1;
	close_pred(r);
	if (r->npreds)
		strbuf_addch(sb, ',');
	strbuf_addstr(sb, "{\"field\":");
	json_append_string(sb, p->field, strlen(p->field));
	strbuf_addstr(sb, ",\"raw_field\":");
	if (p->raw_field)
		json_append_string(sb, p->raw_field, strlen(p->raw_field));
	else
		strbuf_addstr(sb, "null");
	strbuf_addstr(sb, ",\"op\":\"");
	strbuf_addstr(sb, p->op);
	strbuf_addch(sb, '"');
	if (p->str) {
		strbuf_addstr(sb, ",\"value\":");
		json_append_string(sb, p->str, p->len);
	} else if (p->has_number) {
		if (p->is_int)
			strbuf_addf(sb, ",\"value\":%lld", p->integer);
		else if (isfinite(p->number))
			strbuf_addf(sb, ",\"value\":%.17g", p->number);
		else
			strbuf_addstr(sb, ",\"value\":null");
	}
	strbuf_addstr(sb, p->ci ? ",\"ci\":true" : ",\"ci\":false");
	strbuf_addstr(sb, p->negated ? ",\"negated\":true,\"exclusion\":true"
		      : ",\"negated\":false,\"exclusion\":false");
	if (p->computed)
		strbuf_addstr(sb, ",\"computed\":true");
	r->pred_open = 1;
	r->npreds++;
	return 0;
}

void predicate_extra_str(struct rule *r, const char *key, const char *s, size_t n)
{
	json_append_key(&r->preds, key);
	json_append_string(&r->preds, s, n);
}

void predicate_extra_bool(struct rule *r, const char *key, int b)
{
	json_append_key(&r->preds, key);
	strbuf_addstr(&r->preds, b ? "true" : "false");
}

void predicate_extra_raw(struct rule *r, const char *key, const char *json, size_t n)
{
	json_append_key(&r->preds, key);
	strbuf_add(&r->preds, json, n);
}


void rule_serialize(struct rule *r, struct strbuf *out)
{
	const char *key;
	json_t *val;

	if (r->text) {
		strbuf_add(out, r->text, r->text_len);
		return;
	}
	close_pred(r);
	strbuf_addch(out, '{');
	json_object_foreach(r->rec, key, val) {
		json_append_key(out, key);
		if (strcmp(key, "predicates") == 0 && !r->preds_in_rec) {
			strbuf_addch(out, '[');
			strbuf_add(out, r->preds.buf ? r->preds.buf : "", r->preds.len);
			strbuf_addch(out, ']');
		} else if (strcmp(key, "parse") == 0) {
			write_parse(r, out);
		} else {
			write_json(out, val);
		}
	}
	strbuf_addch(out, '}');
}

json_t *rule_to_json(struct rule *r)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *j;
	json_error_t err;

	if (r->rec && r->preds_in_rec)
		return json_deep_copy(r->rec);
	rule_serialize(r, &sb);
	j = json_loadb(sb.buf, sb.len, JSON_ALLOW_NUL, &err);
	if (!j)
		msg_die("internal error: rule record is not JSON: %s", err.text);
	strbuf_release(&sb);
	return j;
}

void rule_list_push(struct rule_list *l, struct rule *r)
{
	if (l->n == l->alloc) {
		l->alloc = l->alloc ? l->alloc * 2 : 64;
		l->v = xrealloc(l->v, l->alloc * sizeof(*l->v));
	}
	l->v[l->n++] = r;
}

void rule_list_release(struct rule_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		rule_free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

struct sort_item {
	struct rule *rule;
	char *uid;		/* own copies: renaming a record frees its old uid */
	char *path;
	size_t index;
};

static int cmp_nullable(const char *a, const char *b)
{
	if (!a || !b)
		return a ? 1 : b ? -1 : 0;
	return strcmp(a, b);
}

static int cmp_items(const void *pa, const void *pb)
{
	const struct sort_item *a = pa, *b = pb;
	int c = cmp_nullable(a->uid, b->uid);

	if (c)
		return c;
	c = cmp_nullable(a->path, b->path);
	if (c)
		return c;
	return a->index < b->index ? -1 : a->index > b->index;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

size_t rules_make_uids_unique(struct rule_list *l)
{
	size_t n = l->n, i, changed = 0;
	struct sort_item *items = xcalloc(n + 1, sizeof(*items));
	json_t *taken = json_object();

	for (i = 0; i < n; i++) {
		items[i].rule = l->v[i];
		items[i].uid = dup_or_null(rule_uid(l->v[i]));
		items[i].path = dup_or_null(rule_path(l->v[i]));
		items[i].index = i;
		if (items[i].uid)
			json_object_set_new(taken, items[i].uid, json_true());
	}
	qsort(items, n, sizeof(*items), cmp_items);
	for (i = 1; i < n; i++) {
		const char *uid = items[i].uid, *first;
		char *fresh;
		size_t j;
		unsigned k;

		if (!uid || cmp_nullable(uid, items[i - 1].uid) != 0)
			continue;
		for (j = i - 1; j > 0 && cmp_nullable(items[j - 1].uid, uid) == 0; j--)
			;
		first = items[j].path;
		fresh = xasprintf("%s@%s", uid, items[i].path ? items[i].path : "");
		for (k = 2; json_object_get(taken, fresh); k++) {
			free(fresh);
			fresh = xasprintf("%s@%s#%u", uid, items[i].path ? items[i].path : "", k);
		}
		json_object_set_new(taken, fresh, json_true());
		rule_error(items[i].rule, 0, PARSE_PARTIAL, "duplicate id: uid '%s' is also used by %s",
			   uid, first ? first : "another rule");
		rule_set_str(items[i].rule, "uid", fresh);
		free(fresh);
		changed++;
	}
	for (i = 0; i < n; i++) {
		free(items[i].uid);
		items[i].uid = dup_or_null(rule_uid(items[i].rule));
	}
	/* renamed uids may sort elsewhere: order by the final uid */
	if (changed)
		qsort(items, n, sizeof(*items), cmp_items);
	for (i = 0; i < n; i++) {
		l->v[i] = items[i].rule;
		free(items[i].uid);
		free(items[i].path);
	}
	json_decref(taken);
	free(items);
	return changed;
}

static int digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int rule_technique_id(const char *s, size_t n, char id[10])
{
	if (!((n == 5 || (n == 9 && s[5] == '.' && digits(s + 6, 3))) &&
	      (s[0] == 'T' || s[0] == 't') && digits(s + 1, 4)))
		return 0;
	memcpy(id, s, n);
	id[0] = 'T';
	id[n] = '\0';
	return 1;
}
