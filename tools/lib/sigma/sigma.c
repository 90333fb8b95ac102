/*
 * Sigma files and documents: metadata, tags, logsource, `action: global`
 * templates, correlation and filter rules. Detection items are in
 * sigma_value.c, conditions in sigma_cond.c.
 */
#include "sigma/sigma.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rule/meta.h"
#include "rule/rule.h"
#include "sigma/sigma_int.h"
#include "common/text.h"
#include "common/util.h"

static json_t *scalar_json(const struct ynode *n)
{
	switch (n->type) {
	case YSCALAR_NULL:
		return json_null();
	case YSCALAR_BOOL:
		return json_boolean(n->boolean);
	case YSCALAR_INT:
		return json_integer(n->integer);
	case YSCALAR_FLOAT:
		return json_real(n->number);
	default:
		return json_stringn(n->str, n->len);
	}
}

/* Any node as JSON; the loader's alias cap bounds the size. */
static json_t *ynode_json(const struct ynode *n)
{
	json_t *j;
	size_t i;

	if (!n)
		return json_null();
	if (n->kind == YNODE_SCALAR)
		return scalar_json(n);
	if (n->kind == YNODE_SEQ) {
		j = json_array();
		for (i = 0; i < n->n; i++)
			json_array_append_new(j, ynode_json(n->vals[i]));
		return j;
	}
	j = json_object();
	for (i = 0; i < n->n; i++)
		json_object_set_new(j, n->keys[i]->str, ynode_json(n->vals[i]));
	return j;
}

/* A text field: a scalar as written, a list of scalars joined with ", ". */
static void meta_string(struct rule *rule, const char *out, const struct ynode *root, const char *key)
{
	const struct ynode *n = ynode_get(root, key);
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	if (!n || ynode_is_null(n)) {
		if (!json_object_get(rule->rec, out))
			json_object_set_new(rule->rec, out, json_null());
		return;
	}
	if (n->kind == YNODE_SCALAR) {
		json_object_set_new(rule->rec, out, json_stringn(n->str, n->len));
		return;
	}
	if (n->kind == YNODE_SEQ) {
		for (i = 0; i < n->n; i++) {
			if (n->vals[i]->kind != YNODE_SCALAR)
				continue;
			if (sb.len)
				strbuf_addstr(&sb, ", ");
			strbuf_add(&sb, n->vals[i]->str, n->vals[i]->len);
		}
		json_object_set_new(rule->rec, out, json_stringn(sb.buf ? sb.buf : "", sb.len));
		strbuf_release(&sb);
		return;
	}
	rule_error(rule, n->line, PARSE_PARTIAL, "'%.100s' must be text", key);
	json_object_set_new(rule->rec, out, json_null());
}

/* A list of strings: a scalar counts as a list of one. */
static json_t *string_list(struct rule *rule, const struct ynode *n, const char *key)
{
	json_t *a = json_array();
	size_t i;

	if (!n || ynode_is_null(n))
		return a;
	if (n->kind == YNODE_SCALAR) {
		json_array_append_new(a, json_stringn(n->str, n->len));
		return a;
	}
	if (n->kind != YNODE_SEQ) {
		rule_error(rule, n->line, PARSE_PARTIAL, "'%.100s' must be a list", key);
		return a;
	}
	for (i = 0; i < n->n; i++) {
		const struct ynode *e = n->vals[i];

		if (e->kind != YNODE_SCALAR || e->type == YSCALAR_NULL) {
			rule_error(rule, e->line, PARSE_PARTIAL, "'%.100s' must hold strings", key);
			continue;
		}
		json_array_append_new(a, json_stringn(e->str, e->len));
	}
	return a;
}

/* attack.tNNNN[.NNN] → technique; attack.<name> → tactic; other attack.* kept apart */
static void attack_tags(struct rule *rule, json_t *tags)
{
	size_t i;

	/* the record always has all three lists, other included */
	json_object_set_new(json_object_get(rule->rec, "attack"), "other", json_array());
	for (i = 0; i < json_array_size(tags); i++) {
		const char *t = json_string_value(json_array_get(tags, i));
		const char *r;
		char id[10];
		size_t n;

		if (strncasecmp(t, "attack.", 7) != 0)
			continue;
		r = t + 7;
		n = strlen(r);

		if (rule_technique_id(r, n, id))
			meta_technique(rule, r, n);	/* attack.tNNNN[.NNN] */
		else if (n > 0 && !isdigit((unsigned char)r[n - 1]) && strspn(r,
			 "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_") == n)
			meta_tactic(rule, r, n);
		else
			meta_other(rule, t, strlen(t));
	}
}

static void logsource(struct sigma_ctx *c, const struct ynode *ls)
{
	static const char *const keys[] = { "product", "category", "service" };
	const char *vals[3] = { NULL, NULL, NULL };
	json_t *ctx = json_object_get(c->rule->rec, "context");
	size_t i;

	if (ls && ls->kind == YNODE_MAP) {
		for (i = 0; i < ls->n; i++) {
			if (ynode_key_overridden(ls, i))
				continue;
			if (ls->vals[i]->kind == YNODE_SCALAR)
				json_object_set_new(ctx, ls->keys[i]->str, scalar_json(ls->vals[i]));
			else
				rule_error(c->rule, ls->vals[i]->line, PARSE_PARTIAL,
					   "logsource '%.100s' must be a scalar", ls->keys[i]->str);
		}
		for (i = 0; i < 3; i++)
			vals[i] = ynode_str(ynode_get(ls, keys[i]));
	} else if (ls && !ynode_is_null(ls)) {
		rule_error(c->rule, ls->line, PARSE_PARTIAL, "'logsource' must be a map");
	}
	c->pb = pb_new(c->rule, c->map, 3, keys, vals);
}

/* Run the condition(s) of a detection-like map over its identifiers. */
static void conditions(struct sigma_ctx *c, const struct ynode *det, const char *const *reserved,
		       const char *what)
{
	const struct ynode *cond = ynode_get(det, "condition");
	size_t i;

	c->detection = det;
	c->reserved = reserved;
	c->emitted = xcalloc(det->n + 1, 1);
	if (!cond || ynode_is_null(cond)) {
		rule_error(c->rule, det->line, PARSE_FAILED, "'%.100s' has no condition", what);
	} else if (cond->kind == YNODE_SCALAR) {
		sigma_condition(c, cond->str, cond->line);
	} else if (cond->kind == YNODE_SEQ) {
		/* old rules: a list of conditions, any of which matches */
		for (i = 0; i < cond->n; i++) {
			if (cond->vals[i]->kind == YNODE_SCALAR)
				sigma_condition(c, cond->vals[i]->str, cond->vals[i]->line);
			else
				rule_error(c->rule, cond->vals[i]->line, PARSE_FAILED,
					   "a condition must be a string");
		}
	} else {
		rule_error(c->rule, cond->line, PARSE_FAILED, "a condition must be a string");
	}
	free(c->emitted);
	c->emitted = NULL;
}

static void detection(struct sigma_ctx *c, const struct ynode *root)
{
	static const char *const reserved[] = { "condition", "timeframe", NULL };
	const struct ynode *det = ynode_get(root, "detection");
	const struct ynode *tf;

	json_object_set_new(c->rule->rec, "rule_type", json_string("detection"));
	if (!det || ynode_is_null(det)) {
		rule_error(c->rule, 0, PARSE_FAILED, "no 'detection'");
		return;
	}
	if (det->kind != YNODE_MAP) {
		rule_error(c->rule, det->line, PARSE_FAILED, "'detection' must be a map");
		return;
	}
	tf = ynode_get(det, "timeframe");
	if (ynode_is_scalar(tf))
		json_object_set_new(c->rule->rec, "timeframe", json_stringn(tf->str, tf->len));
	conditions(c, det, reserved, "detection");
}

static void filter_rule(struct sigma_ctx *c, const struct ynode *f)
{
	static const char *const reserved[] = { "condition", "rules", NULL };
	const struct ynode *rules;
	json_t *jf = json_object();

	json_object_set_new(c->rule->rec, "rule_type", json_string("filter"));
	json_object_set_new(c->rule->rec, "filter", jf);
	if (f->kind != YNODE_MAP) {
		rule_error(c->rule, f->line, PARSE_FAILED, "'filter' must be a map");
		return;
	}
	rules = ynode_get(f, "rules");
	if (!rules || ynode_is_null(rules)) {
		rule_error(c->rule, f->line, PARSE_PARTIAL,
			   "filter has no 'rules' (use 'any' for every rule of its logsource)");
		json_object_set_new(jf, "rules", json_array());
	} else if (rules->kind == YNODE_SCALAR &&
		   (!strcasecmp(rules->str, "any") || !strcasecmp(rules->str, "all"))) {
		json_object_set_new(jf, "rules", json_string("any"));
	} else if (rules->kind == YNODE_SEQ && rules->n == 0) {
		json_object_set_new(jf, "rules", json_string("any"));
	} else {
		json_object_set_new(jf, "rules", string_list(c->rule, rules, "rules"));
	}
	conditions(c, f, reserved, "filter");
}

static void correlation_rule(struct sigma_ctx *c, const struct ynode *co)
{
	static const char *const types[] = { "event_count", "value_count", "temporal",
					     "temporal_ordered", "temporal_extended",
					     "temporal_ordered_extended", "value_sum", "value_avg",
					     "value_percentile", "value_median", NULL };
	static const char *const ops[] = { "gt", "gte", "lt", "lte", "eq", "neq", NULL };
	const struct ynode *type, *cond, *span, *n;
	const char *const *t;
	json_t *jc = json_object();
	size_t i;

	json_object_set_new(c->rule->rec, "rule_type", json_string("correlation"));
	json_object_set_new(c->rule->rec, "correlation", jc);
	if (co->kind != YNODE_MAP) {
		rule_error(c->rule, co->line, PARSE_FAILED, "'correlation' must be a map");
		return;
	}
	type = ynode_get(co, "type");
	if (!ynode_str(type)) {
		rule_error(c->rule, co->line, PARSE_FAILED, "correlation has no 'type'");
	} else {
		for (t = types; *t && strcmp(*t, type->str); t++)
			;
		if (!*t)
			rule_error(c->rule, type->line, PARSE_PARTIAL,
				   "unknown correlation type '%.100s'", type->str);
		json_object_set_new(jc, "type", json_string(type->str));
	}
	n = ynode_get(co, "rules");
	if (!n)
		rule_error(c->rule, co->line, PARSE_PARTIAL, "correlation has no 'rules'");
	json_object_set_new(jc, "rules", string_list(c->rule, n, "rules"));
	json_object_set_new(jc, "group_by", string_list(c->rule, ynode_get(co, "group-by"),
							"group-by"));
	span = ynode_get(co, "timespan");
	if (!span)
		span = ynode_get(co, "timeframe");
	if (ynode_is_scalar(span))
		json_object_set_new(jc, "timespan", json_stringn(span->str, span->len));
	else
		rule_error(c->rule, co->line, PARSE_PARTIAL, "correlation has no 'timespan'");
	if ((n = ynode_get(co, "aliases")))
		json_object_set_new(jc, "aliases", ynode_json(n));
	if ((n = ynode_get(co, "generate")))
		json_object_set_new(jc, "generate", ynode_json(n));
	cond = ynode_get(co, "condition");
	if (!cond) {
		if (type && type->str && strncmp(type->str, "temporal", 8) != 0)
			rule_error(c->rule, co->line, PARSE_PARTIAL, "correlation has no 'condition'");
		return;
	}
	json_object_set_new(jc, "condition", ynode_json(cond));
	if (cond->kind != YNODE_MAP)
		return;		/* extended temporal conditions are expressions over rule names */
	for (i = 0; i < cond->n; i++) {
		const char *k = cond->keys[i]->str, *op = NULL;
		const struct ynode *v = cond->vals[i], *fld;
		struct pred_spec pr;

		for (t = ops; *t; t++)
			if (!strcmp(*t, k))
				op = *t;
		if (!op)
			continue;
		if (v->type != YSCALAR_INT && v->type != YSCALAR_FLOAT) {
			rule_error(c->rule, v->line, PARSE_PARTIAL,
				   "correlation condition '%.100s' needs a number", k);
			continue;
		}
		fld = ynode_get(cond, "field");
		pred_spec_init(&pr);
		pr.field = type && type->str ? type->str : "correlation";
		pr.raw_field = ynode_str(fld);
		pr.no_raw_field = !pr.raw_field;
		pr.op = !strcmp(op, "gt") ? PRED_GT : !strcmp(op, "gte") ? PRED_GTE
			: !strcmp(op, "lt") ? PRED_LT : !strcmp(op, "lte") ? PRED_LTE : PRED_EQ;
		pr.negated = !strcmp(op, "neq");
		pr.computed = 1;
		pr.kind = PV_NUMBER;
		pr.is_int = v->type == YSCALAR_INT;
		pr.integer = v->integer;
		pr.number = v->number;
		pr.line = v->line;
		pb_add(c->pb, &pr);
	}
}

/* Trim trailing blank and comment-only lines from text[b..e). */
static size_t trim_block(const char *text, size_t b, size_t e)
{
	while (e > b) {
		size_t ls = e, k;
		int blank = 1;

		while (ls > b && text[ls - 1] == '\n')
			ls--;
		if (ls < e && ls == b)
			return b;
		k = ls;
		while (k > b && text[k - 1] != '\n')
			k--;
		for (size_t j = k; j < ls; j++) {
			if (text[j] == '#')
				break;
			if (!isspace((unsigned char)text[j])) {
				blank = 0;
				break;
			}
		}
		if (!blank)
			return ls;
		e = k;
	}
	return e;
}

/* The block "key: ..." of doc as written. */
static void block_text(struct strbuf *sb, const struct yamldoc *ys, const struct ynode *doc,
		       const char *key)
{
	const char *text = ys->text;
	long i = ynode_find(doc, key);
	size_t b, e;

	if (i < 0 || !doc->keys[i]->end)
		return;
	b = yamldoc_offset(ys, doc->keys[i]->start);
	e = yamldoc_offset(ys, doc->vals[i]->end > doc->keys[i]->start ? doc->vals[i]->end
			       : doc->keys[i]->end);
	e = trim_block(text, b, e);
	if (sb->len)
		strbuf_addch(sb, '\n');
	strbuf_add(sb, text + b, e - b);
}

struct file_ctx {
	const char *source, *path, *text;
	size_t len;
	const struct fieldmap *map;
	struct rule_list *out;
	json_t *uids;		/* uids given in this file */
	struct sigma_scratch *scratch;
	size_t ndocs_rules;
	int multi;
	int errors;
};

static void finish(struct file_ctx *f, struct rule *rule)
{
	if (rule_has_errors(rule))
		f->errors++;
	rule_list_push(f->out, rule);
}

static void set_uid(struct file_ctx *f, struct rule *rule, const char *id, unsigned line)
{
	char *uid;

	if (id && *id) {
		uid = xasprintf("sigma:%s", id);
	} else {
		rule_error(rule, line, PARSE_PARTIAL, "missing id");
		uid = xasprintf("sigma:%s", f->path);
	}
	if (json_object_get(f->uids, uid)) {
		char *again = xasprintf("%s#%zu", uid, f->ndocs_rules);

		free(uid);
		uid = again;
	}
	json_object_set_new(f->uids, uid, json_true());
	json_object_set_new(rule->rec, "uid", json_string(uid));
	free(uid);
}

/*
 * A key written twice in one mapping of the rule: YAML readers keep the last
 * silently, so half of what the author wrote is never read. A finding: the
 * rule is partial, each duplicate named with both lines.
 */
static void duplicate_keys(struct rule *rule, const struct yamldoc *ys, size_t doc_index)
{
	size_t i, kept = ys->ndups < YAML_MAX_DUPS ? ys->ndups : YAML_MAX_DUPS;

	for (i = 0; i < kept; i++) {
		const struct ydup *d = &ys->dups[i];

		if (d->doc == doc_index)
			rule_error(rule, d->line, PARSE_PARTIAL,
				   "duplicate key '%s' (first at line %u): only the last one is read",
				   d->key, d->first_line);
	}
}

static void document(struct file_ctx *f, const struct yamldoc *ys, const struct ynode *root,
		     const struct ynode *tmpl, const struct ynode *orig, unsigned doc_line,
		     size_t doc_index)
{
	struct sigma_ctx c;
	struct rule *rule = rule_new("sigma", f->source, f->path);
	const struct ynode *n;
	struct strbuf q = STRBUF_INIT;
	json_t *tags;
	const char *qkey;

	memset(&c, 0, sizeof(c));
	c.map = f->map;
	c.rule = rule;
	c.scratch = f->scratch;
	f->ndocs_rules++;

	n = ynode_get(root, "id");
	set_uid(f, rule, ynode_is_scalar(n) && n->type != YSCALAR_NULL ? n->str : NULL, doc_line);
	meta_string(rule, "title", root, "title");
	meta_string(rule, "description", root, "description");
	meta_string(rule, "status", root, "status");
	meta_string(rule, "severity", root, "level");
	json_object_set_new(rule->rec, "language", json_string("sigma"));
	meta_string(rule, "author", root, "author");
	meta_string(rule, "date", root, "date");
	meta_string(rule, "modified", root, "modified");
	json_object_set_new(rule->rec, "references",
			    string_list(rule, ynode_get(root, "references"), "references"));
	json_object_set_new(rule->rec, "falsepositives",
			    string_list(rule, ynode_get(root, "falsepositives"), "falsepositives"));
	tags = string_list(rule, ynode_get(root, "tags"), "tags");
	json_object_set_new(rule->rec, "tags", tags);
	attack_tags(rule, tags);
	n = ynode_get(root, "related");
	json_object_set_new(rule->rec, "related", n && n->kind == YNODE_SEQ ? ynode_json(n) : json_array());
	n = ynode_get(root, "id");
	json_object_set_new(rule->rec, "id", ynode_is_scalar(n) ? scalar_json(n) : json_null());
	if ((n = ynode_get(root, "name")) && ynode_is_scalar(n))
		json_object_set_new(rule->rec, "name", scalar_json(n));
	if (f->multi) {
		json_object_set_new(rule->rec, "document", json_integer((json_int_t)doc_index + 1));
		json_object_set_new(rule->rec, "line", json_integer(doc_line));
	}
	logsource(&c, ynode_get(root, "logsource"));
	duplicate_keys(rule, ys, doc_index);

	if ((n = ynode_get(root, "correlation"))) {
		qkey = "correlation";
		correlation_rule(&c, n);
	} else if ((n = ynode_get(root, "filter"))) {
		qkey = "filter";
		filter_rule(&c, n);
	} else {
		qkey = "detection";
		detection(&c, root);
	}
	if (tmpl)
		block_text(&q, ys, tmpl, qkey);
	block_text(&q, ys, orig, qkey);
	if (q.len)
		json_object_set_new(rule->rec, "query", json_stringn(q.buf, q.len));
	strbuf_release(&q);
	pb_free(c.pb);
	finish(f, rule);
}

/*
 * For a file libyaml rejects: still a record, named by its id line if it has
 * one. from is where the broken document starts (0: the whole file); doc is
 * its number in a file whose earlier documents gave rules (0: none did).
 */
static void failed_file(struct file_ctx *f, size_t from, size_t doc, unsigned doc_line,
			unsigned line, const char *msg)
{
	struct rule *rule = rule_new("sigma", f->source, f->path);
	const char *p = f->text + from, *end = f->text + f->len;
	char *id = NULL, *title = NULL;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);
		char **dst = NULL;
		size_t skip = 0;

		if (n > 3 && !memcmp(p, "id:", 3)) {
			dst = &id;
			skip = 3;
		} else if (n > 6 && !memcmp(p, "title:", 6)) {
			dst = &title;
			skip = 6;
		}
		if (dst && !*dst) {
			const char *b = p + skip, *e = p + n;

			while (b < e && (*b == ' ' || *b == '\t' || *b == '\'' || *b == '"'))
				b++;
			while (e > b && (isspace((unsigned char)e[-1]) || e[-1] == '\'' || e[-1] == '"'))
				e--;
			if (e > b) {
				*dst = xstrndup(b, (size_t)(e - b));
				if (utf8_invalid_at(*dst, strlen(*dst)) != UTF8_VALID) {
					free(*dst);
					*dst = NULL;
				}
			}
		}
		if (!eol)
			break;
		p = eol + 1;
	}
	/* only a plausible id names the record; anything else falls back to the path */
	if (id && strspn(id, "0123456789abcdefABCDEF-") != strlen(id)) {
		free(id);
		id = NULL;
	}
	{
		char *uid = id ? xasprintf("sigma:%s", id) :
			    doc ? xasprintf("sigma:%s#%zu", f->path, doc) : xasprintf("sigma:%s", f->path);

		if (json_object_get(f->uids, uid)) {
			char *again = xasprintf("%s#%zu", uid, doc);

			free(uid);
			uid = again;
		}
		json_object_set_new(rule->rec, "uid", json_string(uid));
		free(uid);
	}
	if (doc) {
		json_object_set_new(rule->rec, "document", json_integer((json_int_t)doc));
		json_object_set_new(rule->rec, "line", json_integer(doc_line));
	}
	if (title) {
		json_t *t = json_string(title);

		json_object_set_new(rule->rec, "title", t ? t : json_null());
	}
	json_object_set_new(rule->rec, "language", json_string("sigma"));
	rule_error(rule, line, PARSE_FAILED, "%s", msg);
	free(id);
	free(title);
	finish(f, rule);
}

/* Byte offset of the start of a 1-based line. */
static size_t line_offset(const char *text, size_t len, unsigned line)
{
	size_t off = 0;

	while (line > 1 && off < len) {
		const char *nl = memchr(text + off, '\n', len - off);

		if (!nl)
			return len;
		off = (size_t)(nl - text) + 1;
		line--;
	}
	return off;
}

int sigma_parse_file(const char *source, const char *path, const char *text, size_t len,
		     const struct fieldmap *map, struct rule_list *rules_out)
{
	struct file_ctx f;
	struct yamldoc ys;
	const struct ynode *tmpl = NULL, *prev = NULL, *tmpl_orig = NULL;
	size_t i, nreal = 0, first = rules_out->n;

	memset(&f, 0, sizeof(f));
	f.source = source;
	f.path = path;
	f.text = text;
	f.len = len;
	f.map = map;
	f.out = rules_out;
	f.uids = json_object();
	f.scratch = sigma_scratch_new();
	if (yamldoc_load(&ys, text, len, NULL) < 0 && ys.ndocs == 0) {
		char msg[300];

		snprintf(msg, sizeof(msg), "invalid YAML: %s", ys.err);
		failed_file(&f, 0, 0, 0, ys.err_line, msg);
		goto out;
	}
	/* a broken document after good ones: those give their rules, the broken
	 * one a failed record (libyaml cannot read on past it) */
	for (i = 0; i < ys.ndocs; i++)
		if (ys.docs[i])
			nreal++;
	f.multi = nreal > 1 || ys.failed;
	for (i = 0; i < ys.ndocs; i++) {
		const struct ynode *root = ys.docs[i], *eff;
		const char *action;

		if (!root)
			continue;
		if (root->kind != YNODE_MAP) {
			struct rule *rule = rule_new("sigma", source, path);
			char *uid = xasprintf("sigma:%s#%zu", path, i + 1);

			json_object_set_new(rule->rec, "uid", json_string(uid));
			free(uid);
			json_object_set_new(rule->rec, "language", json_string("sigma"));
			rule_error(rule, ys.doc_lines[i], PARSE_FAILED,
				   "document %zu is not a map", i + 1);
			finish(&f, rule);
			continue;
		}
		action = ynode_str(ynode_get(root, "action"));
		if (action && !strcmp(action, "global")) {
			tmpl = tmpl ? yamldoc_merge(&ys, tmpl, root) : root;
			tmpl_orig = root;
			continue;
		}
		if (action && !strcmp(action, "reset")) {
			tmpl = tmpl_orig = NULL;
			continue;
		}
		if (action && !strcmp(action, "repeat") && prev)
			eff = yamldoc_merge(&ys, prev, root);
		else
			eff = tmpl ? yamldoc_merge(&ys, tmpl, root) : root;
		prev = eff;
		document(&f, &ys, eff, tmpl_orig, root, ys.doc_lines[i], i);
	}
	if (ys.failed) {
		char msg[300];

		snprintf(msg, sizeof(msg), "invalid YAML: %s", ys.err);
		failed_file(&f, line_offset(text, len, ys.err_doc_line), ys.ndocs + 1,
			    ys.err_doc_line, ys.err_line, msg);
	}
	if (f.out->n == first)
		failed_file(&f, 0, 0, 0, 0, "no rule in this file (empty, or only templates)");
out:
	yamldoc_release(&ys);
	json_decref(f.uids);
	sigma_scratch_free(f.scratch);
	return f.errors;
}

/* ---- the front end ---- */

/*
 * A rule file: .yml or .yaml in the folders SigmaHQ keeps rules in (rules*,
 * deprecated, unsupported: there even a broken file is a failed rule), and
 * anywhere else a file with a top-level `detection:` or `correlation:`, or a
 * `filter:` with its `logsource:` (third-party collections lay their rules
 * out by product: windows-os/, cloud-azure/ ...).
 */
static enum fe_kind classify(const char *path, const char *text, size_t len)
{
	if (!fe_has_suffix(path, ".yml") && !fe_has_suffix(path, ".yaml"))
		return FE_SKIP;
	if (fe_first_folder_is(path, "rules", 1) || fe_first_folder_is(path, "deprecated", 0) ||
	    fe_first_folder_is(path, "unsupported", 0))
		return FE_RULE;
	if (fe_has_line(text, len, "detection:") || fe_has_line(text, len, "correlation:") ||
	    (fe_has_line(text, len, "filter:") && fe_has_line(text, len, "logsource:")))
		return FE_RULE;
	return FE_SKIP;
}

static int parse(const struct fe_input *in, struct rule_list *out)
{
	return sigma_parse_file(in->source, in->path, in->text, in->len, in->map, out);
}

const struct frontend sigma_frontend = { "sigma", classify, NULL, NULL, NULL, parse };
