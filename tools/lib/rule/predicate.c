/*
 * The predicate builder (predicate.h): from what a parser read to the
 * predicate record, the one place where field maps, canonical values and the
 * predicate JSON meet.
 */
#include "rule/predicate.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "io/jsonout.h"
#include "rule/canon.h"

struct pb_scope {
	struct fieldmap_view view;
	size_t parent;			/* for computed names; (size_t)-1: none */
	char **computed;
	size_t *stamps;			/* computed[k] was declared at clock stamps[k] */
	size_t ncomputed, acomputed;
};

/* A spec kept for pb_emit(): every string copied into one buffer. */
struct pb_leaf {
	struct pred_spec spec;
	size_t scope;
	size_t clock;			/* computed names declared before it are seen */
	struct pattern pat;
	struct pred_str *mods;
	struct pred_extra *extras;
	char *strings;
};

struct pred_builder {
	struct rule *rule;		/* borrowed */
	const struct fieldmap *map;	/* borrowed; NULL: nothing is mapped */
	struct pb_scope *scopes;	/* every scope ever opened; [0] the rule's */
	size_t nscopes, ascopes;
	size_t *stack;			/* open scopes, innermost last */
	size_t depth, astack;
	struct pb_leaf *leaves;
	size_t nleaves, aleaves;
	struct expr tree;
	size_t unmapped;		/* predicates emitted on an unmapped field */
	size_t emitted;
	int capped;
	size_t clock;			/* computed names declared so far */
	/* pb_capture_begin(): emitted roots kept as one subtree instead */
	unsigned capturing;
	size_t captured;
	/* scratch, reused by every predicate */
	struct pattern pat;
	struct canon_value cv;
	struct strbuf sb;
	/* the last field looked up: the items of one field come in runs */
	size_t last_scope;
	char *last_raw;
	char *last_canon;
	const struct fieldmap_entry *last_entry;
};

#define NO_SCOPE ((size_t)-1)

static const char *const op_names[] = {
	[PRED_EQ] = OP_EQ,
	[PRED_CONTAINS] = OP_CONTAINS,
	[PRED_STARTS_WITH] = OP_STARTS_WITH,
	[PRED_ENDS_WITH] = OP_ENDS_WITH,
	[PRED_MATCH] = OP_MATCH,
	[PRED_REGEX] = OP_REGEX,
	[PRED_CIDR] = OP_CIDR,
	[PRED_EXISTS] = OP_EXISTS,
	[PRED_GT] = OP_GT,
	[PRED_GTE] = OP_GTE,
	[PRED_LT] = OP_LT,
	[PRED_LTE] = OP_LTE,
};

void pred_spec_init(struct pred_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->op = PRED_EQ;
	s->kind = PV_NONE;
}

/* ---- scopes ---- */

static size_t new_scope(struct pred_builder *pb, size_t n, const char *const *keys,
			const char *const *vals, size_t parent)
{
	struct pb_scope *sc;

	if (pb->nscopes == pb->ascopes) {
		pb->ascopes = pb->ascopes ? pb->ascopes * 2 : 4;
		pb->scopes = xrealloc(pb->scopes, pb->ascopes * sizeof(*pb->scopes));
	}
	sc = &pb->scopes[pb->nscopes];
	memset(sc, 0, sizeof(*sc));
	fieldmap_view_init(&sc->view, pb->map, n, keys, vals);
	sc->parent = parent;
	return pb->nscopes++;
}

static size_t current_scope(const struct pred_builder *pb)
{
	return pb->stack[pb->depth - 1];
}

const char *pred_op_name(enum pred_op op)
{
	return op_names[op];
}

struct pred_builder *pb_new(struct rule *r, const struct fieldmap *map, size_t n,
			    const char *const *keys, const char *const *vals)
{
	struct pred_builder *pb = xcalloc(1, sizeof(*pb));

	pb->rule = r;
	pb->map = map;
	pb->astack = 8;
	pb->stack = xmalloc(pb->astack * sizeof(*pb->stack));
	pb->stack[pb->depth++] = new_scope(pb, n, keys, vals, NO_SCOPE);
	expr_init(&pb->tree);
	pattern_init(&pb->pat);
	canon_value_init(&pb->cv);
	strbuf_init(&pb->sb, 64);
	pb->last_scope = NO_SCOPE;
	return pb;
}

size_t pb_emitted(const struct pred_builder *pb)
{
	return pb->emitted;
}

size_t pb_unmapped(const struct pred_builder *pb)
{
	return pb->unmapped;
}

static void leaf_release(struct pb_leaf *l)
{
	pattern_release(&l->pat);
	free(l->mods);
	free(l->extras);
	free(l->strings);
}

void pb_free(struct pred_builder *pb)
{
	size_t i, k;

	if (!pb)
		return;
	for (i = 0; i < pb->nscopes; i++) {
		for (k = 0; k < pb->scopes[i].ncomputed; k++)
			free(pb->scopes[i].computed[k]);
		free(pb->scopes[i].computed);
		free(pb->scopes[i].stamps);
	}
	free(pb->scopes);
	free(pb->stack);
	for (i = 0; i < pb->nleaves; i++)
		leaf_release(&pb->leaves[i]);
	free(pb->leaves);
	expr_release(&pb->tree);
	pattern_release(&pb->pat);
	canon_value_release(&pb->cv);
	strbuf_release(&pb->sb);
	free(pb->last_raw);
	free(pb->last_canon);
	free(pb);
}

void pb_scope_push(struct pred_builder *pb, size_t n, const char *const *keys,
		   const char *const *vals, unsigned flags)
{
	size_t parent = flags & PB_SCOPE_FRESH ? NO_SCOPE : current_scope(pb);
	size_t id = new_scope(pb, n, keys, vals, parent);

	if (pb->depth == pb->astack) {
		pb->astack *= 2;
		pb->stack = xrealloc(pb->stack, pb->astack * sizeof(*pb->stack));
	}
	pb->stack[pb->depth++] = id;
}

void pb_scope_pop(struct pred_builder *pb)
{
	if (pb->depth <= 1)
		msg_die("internal error: the rule's own scope cannot be closed");
	pb->depth--;
}

void pb_computed(struct pred_builder *pb, const char *name, size_t n)
{
	struct pb_scope *sc = &pb->scopes[current_scope(pb)];

	if (pb_is_computed(pb, name, n))
		return;
	if (sc->ncomputed == sc->acomputed) {
		sc->acomputed = sc->acomputed ? sc->acomputed * 2 : 8;
		sc->computed = xrealloc(sc->computed, sc->acomputed * sizeof(*sc->computed));
		sc->stamps = xrealloc(sc->stamps, sc->acomputed * sizeof(*sc->stamps));
	}
	sc->stamps[sc->ncomputed] = pb->clock++;
	sc->computed[sc->ncomputed++] = xstrndup(name, n);
}

/* Whether name is computed in scope for a predicate made at clock (names declared later are not seen). */
static int scope_computed(const struct pred_builder *pb, size_t scope, size_t clock,
			  const char *name, size_t n)
{
	size_t k;

	for (; scope != NO_SCOPE; scope = pb->scopes[scope].parent) {
		const struct pb_scope *sc = &pb->scopes[scope];

		for (k = 0; k < sc->ncomputed; k++)
			if (sc->stamps[k] < clock && strlen(sc->computed[k]) == n &&
			    memcmp(sc->computed[k], name, n) == 0)
				return 1;
	}
	return 0;
}

int pb_is_computed(const struct pred_builder *pb, const char *name, size_t n)
{
	return scope_computed(pb, current_scope(pb), pb->clock, name, n);
}

/* ---- emitting ---- */

static const char *canonical(struct pred_builder *pb, size_t scope, const char *raw,
			     const struct fieldmap_entry **entry);

int pb_is_text_field(struct pred_builder *pb, const char *name, size_t n)
{
	const struct fieldmap_entry *e;
	const char *canon;
	char *raw = xstrndup(name, n);
	int text;

	canon = canonical(pb, current_scope(pb), raw, &e);
	text = fieldmap_is_text(pb->map, canon ? canon : raw);
	free(raw);
	return text;
}

/* The field map entry and canonical name of raw in a scope, cached for runs of one field. */
static const char *canonical(struct pred_builder *pb, size_t scope, const char *raw,
			     const struct fieldmap_entry **entry)
{
	if (pb->last_scope != scope || !pb->last_raw || strcmp(pb->last_raw, raw) != 0) {
		free(pb->last_raw);
		free(pb->last_canon);
		pb->last_scope = scope;
		pb->last_raw = xstrdup(raw);
		pb->last_entry = fieldmap_lookup(&pb->scopes[scope].view, raw);
		pb->last_canon = fieldmap_canonical(pb->last_entry, raw);
	}
	*entry = pb->last_entry;
	return pb->last_canon;
}

/* A value given as text, compared ignoring case: lower-cased (SPEC §4). */
static void text_value(struct pred_builder *pb, const struct pred_spec *s, int lower)
{
	strbuf_reset(&pb->cv.value);
	strbuf_add(&pb->cv.value, s->text, s->len);
	if (lower)
		canon_lower_buf(&pb->cv.value);
}

static int emit(struct pred_builder *pb, const struct pred_spec *s, size_t scope, size_t clock,
		int negated)
{
	struct predicate p;
	const struct fieldmap_entry *entry = NULL;
	const char *canon = NULL, *what;
	int unmapped = 0, computed;
	size_t i;

	if (pb->rule->npreds >= PB_MAX_PREDICATES) {
		if (!pb->capped)
			rule_error(pb->rule, s->line, PARSE_PARTIAL,
				   "more than %d predicates; the rest are left out", PB_MAX_PREDICATES);
		pb->capped = 1;
		return -1;
	}
	memset(&p, 0, sizeof(p));
	p.negated = negated;
	computed = s->computed ||
		(s->field && scope_computed(pb, scope, clock, s->field, strlen(s->field)));
	if (!s->field) {
		p.field = PB_KEYWORDS_FIELD;
	} else if (computed) {
		p.field = s->field;
	} else if ((canon = canonical(pb, scope, s->field, &entry))) {
		p.field = canon;
	} else {
		p.field = s->field;
		unmapped = 1;
	}
	p.raw_field = s->no_raw_field ? NULL : s->raw_field ? s->raw_field : s->field;
	p.computed = computed;
	p.op = op_names[s->op];
	p.ci = s->ci;
	switch (s->kind) {
	case PV_PATTERN:
		if (s->op == PRED_CONTAINS || s->op == PRED_STARTS_WITH || s->op == PRED_ENDS_WITH) {
			pattern_copy(&pb->pat, s->pat);
			pattern_surround_star(&pb->pat, s->op != PRED_STARTS_WITH,
					      s->op != PRED_ENDS_WITH);
			canon_pattern(&pb->pat, s->ci, &pb->cv);
		} else if (s->op == PRED_MATCH) {
			/* a token match keeps its operator; wildcards stay in the value */
			canon_glob(s->pat, s->ci, &pb->cv);
			pb->cv.op = OP_MATCH;
		} else if (s->op == PRED_EQ) {
			canon_pattern(s->pat, s->ci, &pb->cv);
		} else {
			msg_die("internal error: operator '%s' does not take a pattern", p.op);
		}
		if (!computed) {
			canon_split_value(entry, &p.field, &pb->cv);
			canon_path_suffix(&p.field, &pb->cv);
		}
		p.op = pb->cv.op;
		if (strcmp(p.op, OP_EXISTS) == 0) {
			p.ci = 0;
		} else {
			p.str = pb->cv.value.buf;
			p.len = pb->cv.value.len;
		}
		break;
	case PV_TEXT:
		/* a regular expression is as written; a network's hex digits are lower-case */
		text_value(pb, s, s->op == PRED_CIDR || (s->ci && s->op != PRED_REGEX));
		p.str = pb->cv.value.buf;
		p.len = pb->cv.value.len;
		break;
	case PV_FIELD: {
		/* the other field, mapped in the same scope (not through the cache:
		 * p.field may point into it) */
		char *ref;

		strbuf_reset(&pb->sb);
		strbuf_add(&pb->sb, s->text, s->len);
		ref = fieldmap_canonical(fieldmap_lookup(&pb->scopes[scope].view, pb->sb.buf),
					 pb->sb.buf);
		strbuf_reset(&pb->cv.value);
		strbuf_addstr(&pb->cv.value, ref ? ref : pb->sb.buf);
		free(ref);
		p.str = pb->cv.value.buf;
		p.len = pb->cv.value.len;
		break;
	}
	case PV_NUMBER:
		p.has_number = 1;
		p.is_int = s->is_int;
		p.integer = s->integer;
		p.number = s->number;
		break;
	case PV_NONE:
		p.op = OP_EXISTS;
		p.ci = 0;
		break;
	}
	if (rule_add_predicate(pb->rule, &p) < 0) {
		what = s->what ? s->what : s->field ? s->field : PB_KEYWORDS_FIELD;
		rule_error(pb->rule, s->line, PARSE_PARTIAL, "value of '%.100s' is not valid UTF-8",
			   what);
		return -1;
	}
	pb->emitted++;
	pb->unmapped += unmapped;
	if (s->selection)
		predicate_extra_str(pb->rule, "selection", s->selection, strlen(s->selection));
	if (s->nmodifiers) {
		strbuf_reset(&pb->sb);
		for (i = 0; i < s->nmodifiers; i++) {
			strbuf_addch(&pb->sb, i ? ',' : '[');
			json_append_string(&pb->sb, s->modifiers[i].s, s->modifiers[i].n);
		}
		strbuf_addch(&pb->sb, ']');
		predicate_extra_raw(pb->rule, "modifiers", pb->sb.buf, pb->sb.len);
	}
	if (s->raw_value)
		predicate_extra_str(pb->rule, "raw_value", s->raw_value, s->raw_value_len);
	if (unmapped)
		predicate_extra_bool(pb->rule, "unmapped", 1);
	if (s->op == PRED_REGEX && s->regex_flags && s->regex_flags[0])
		predicate_extra_str(pb->rule, "regex_flags", s->regex_flags, strlen(s->regex_flags));
	if (s->kind == PV_FIELD)
		predicate_extra_bool(pb->rule, "fieldref", 1);
	for (i = 0; i < s->nextras; i++) {
		const struct pred_extra *x = &s->extras[i];

		if (x->kind == PX_BOOL)
			predicate_extra_bool(pb->rule, x->key, x->b);
		else
			predicate_extra_str(pb->rule, x->key, x->s, x->n);
	}
	return 0;
}

int pb_add(struct pred_builder *pb, const struct pred_spec *s)
{
	if (pb->capturing) {
		pb->captured = expr_and(&pb->tree, pb->captured, pb_leaf(pb, s));
		return 0;
	}
	return emit(pb, s, current_scope(pb), pb->clock, s->negated);
}

/* ---- the tree ---- */

static size_t str_size(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

/* Copy s[0..n) into the leaf's buffer at *pos, NUL-terminated. */
static const char *keep(char *buf, size_t *pos, const char *s, size_t n)
{
	char *d;

	if (!s)
		return NULL;
	d = buf + *pos;
	memcpy(d, s, n);
	d[n] = '\0';
	*pos += n + 1;
	return d;
}

size_t pb_leaf(struct pred_builder *pb, const struct pred_spec *s)
{
	struct pb_leaf *l;
	size_t total, pos = 0, i;

	if (pb->nleaves == pb->aleaves) {
		pb->aleaves = pb->aleaves ? pb->aleaves * 2 : 16;
		pb->leaves = xrealloc(pb->leaves, pb->aleaves * sizeof(*pb->leaves));
	}
	l = &pb->leaves[pb->nleaves];
	memset(l, 0, sizeof(*l));
	l->spec = *s;
	l->scope = current_scope(pb);
	l->clock = pb->clock;
	total = str_size(s->field) + str_size(s->what) + str_size(s->selection) +
		str_size(s->regex_flags) + str_size(s->raw_field) +
		(s->text ? s->len + 1 : 0) + (s->raw_value ? s->raw_value_len + 1 : 0);
	for (i = 0; i < s->nmodifiers; i++)
		total += s->modifiers[i].n + 1;
	for (i = 0; i < s->nextras; i++)
		total += strlen(s->extras[i].key) + 1 +
			(s->extras[i].kind == PX_STR ? s->extras[i].n + 1 : 0);
	l->strings = xmalloc(total + 1);
	l->spec.field = keep(l->strings, &pos, s->field, str_size(s->field) - !!s->field);
	l->spec.what = keep(l->strings, &pos, s->what, str_size(s->what) - !!s->what);
	l->spec.selection = keep(l->strings, &pos, s->selection,
				 str_size(s->selection) - !!s->selection);
	l->spec.regex_flags = keep(l->strings, &pos, s->regex_flags,
				   str_size(s->regex_flags) - !!s->regex_flags);
	l->spec.raw_field = keep(l->strings, &pos, s->raw_field,
				 str_size(s->raw_field) - !!s->raw_field);
	l->spec.text = keep(l->strings, &pos, s->text, s->len);
	l->spec.raw_value = keep(l->strings, &pos, s->raw_value, s->raw_value_len);
	if (s->kind == PV_PATTERN) {
		pattern_init(&l->pat);
		pattern_copy(&l->pat, s->pat);
		l->spec.pat = NULL;	/* &l->pat, set when emitted: leaves[] grows */
	} else {
		l->spec.pat = NULL;
	}
	if (s->nmodifiers) {
		l->mods = xmalloc(s->nmodifiers * sizeof(*l->mods));
		for (i = 0; i < s->nmodifiers; i++) {
			l->mods[i].s = keep(l->strings, &pos, s->modifiers[i].s, s->modifiers[i].n);
			l->mods[i].n = s->modifiers[i].n;
		}
	}
	l->spec.modifiers = l->mods;
	if (s->nextras) {
		l->extras = xmalloc(s->nextras * sizeof(*l->extras));
		for (i = 0; i < s->nextras; i++) {
			l->extras[i] = s->extras[i];
			l->extras[i].key = keep(l->strings, &pos, s->extras[i].key,
						strlen(s->extras[i].key));
			if (s->extras[i].kind == PX_STR)
				l->extras[i].s = keep(l->strings, &pos, s->extras[i].s,
						      s->extras[i].n);
		}
	}
	l->spec.extras = l->extras;
	return expr_leaf(&pb->tree, pb->nleaves++);
}

size_t pb_and(struct pred_builder *pb, size_t a, size_t b)
{
	return expr_and(&pb->tree, a, b);
}

size_t pb_or(struct pred_builder *pb, size_t a, size_t b)
{
	return expr_or(&pb->tree, a, b);
}

size_t pb_not(struct pred_builder *pb, size_t x)
{
	return expr_not(&pb->tree, x);
}

size_t pb_join(struct pred_builder *pb, enum expr_kind kind, const size_t *kids, size_t n)
{
	return expr_join(&pb->tree, kind, kids, n);
}

static int emit_leaf(void *ctx, size_t payload, int negated, enum expr_kind joined)
{
	struct pred_builder *pb = ctx;
	const struct pb_leaf *l = &pb->leaves[payload];
	struct pred_spec s = l->spec;

	(void)joined;
	/* the leaf's own pattern: leaves[] may have moved since pb_leaf() */
	if (s.kind == PV_PATTERN)
		s.pat = &l->pat;
	emit(pb, &s, l->scope, l->clock, s.negated ^ negated);
	return 0;
}

void pb_emit(struct pred_builder *pb, size_t root)
{
	if (pb->capturing) {
		pb->captured = expr_and(&pb->tree, pb->captured, root);
		return;
	}
	expr_walk(&pb->tree, root, emit_leaf, pb);
}

void pb_capture_begin(struct pred_builder *pb)
{
	if (pb->capturing)
		msg_die("internal error: captures do not nest");
	pb->capturing = 1;
	pb->captured = EXPR_NONE;
}

size_t pb_capture_end(struct pred_builder *pb)
{
	if (!pb->capturing)
		msg_die("internal error: no capture to end");
	pb->capturing = 0;
	return pb->captured;
}

/* ---- context ---- */

void pb_context_add(struct pred_builder *pb, const char *key, const char *s, size_t n)
{
	json_t *ctx = json_object_get(pb->rule->rec, "context");
	json_t *list = json_object_get(ctx, key), *v, *e;
	size_t i;

	if (!json_is_array(list)) {
		list = json_array();
		json_object_set_new(ctx, key, list);
	}
	json_array_foreach(list, i, e)
		if (json_string_length(e) == n && memcmp(json_string_value(e), s, n) == 0)
			return;
	v = json_stringn(s, n);
	if (v)
		json_array_append_new(list, v);
}

void pb_context_set(struct pred_builder *pb, const char *key, const char *s, size_t n)
{
	json_t *v = json_stringn(s, n);

	json_object_set_new(json_object_get(pb->rule->rec, "context"), key, v ? v : json_null());
}
