/*
 * Sigma conditions: or < and < not < ( ) | "1 of P" | "all of P" | identifier,
 * P an identifier, a glob with '*', or "them". Keywords are case-insensitive.
 * and/or/not go into the tree every front end shares (rule/expr.h), whose
 * walk pushes NOT down: each search identifier is emitted with the polarity
 * it has where the condition names it.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rule/expr.h"
#include "rule/predicate.h"
#include "rule/rule.h"
#include "sigma/sigma_int.h"
#include "common/util.h"

enum tok_kind { T_END, T_LPAREN, T_RPAREN, T_WORD };

struct tok {
	enum tok_kind kind;
	const char *s;
	size_t n;
};

/* A leaf of the condition: an identifier, or "1 of P" / "all of P". */
struct cleaf {
	int of, all;
	const char *s;		/* identifier or glob; NULL for "them" */
	size_t n;
};

/* and/or/not go into the shared tree (rule/expr.h); its leaves index leaves[] */
struct cparser {
	struct tok *toks;
	size_t ntoks, pos;
	struct expr tree;
	struct cleaf *leaves;
	size_t nleaves, aleaves;
	const char *err;
	const char *err_arg;
	size_t err_arg_n;
};

static int tokenize(const char *s, struct tok **out, size_t *nout)
{
	size_t n = 0, a = 16;
	struct tok *t = xmalloc(a * sizeof(*t));

	for (;;) {
		while (*s && isspace((unsigned char)*s))
			s++;
		if (n + 1 >= a) {
			a *= 2;
			t = xrealloc(t, a * sizeof(*t));
		}
		if (!*s) {
			t[n].kind = T_END;
			t[n].s = s;
			t[n].n = 0;
			n++;
			break;
		}
		if (*s == '(' || *s == ')') {
			t[n].kind = *s == '(' ? T_LPAREN : T_RPAREN;
			t[n].s = s;
			t[n].n = 1;
			s++;
		} else {
			const char *b = s;

			while (*s && !isspace((unsigned char)*s) && *s != '(' && *s != ')')
				s++;
			t[n].kind = T_WORD;
			t[n].s = b;
			t[n].n = (size_t)(s - b);
		}
		n++;
	}
	*out = t;
	*nout = n;
	return 0;
}

static int word_is(const struct tok *t, const char *w)
{
	return t->kind == T_WORD && strlen(w) == t->n && strncasecmp(t->s, w, t->n) == 0;
}

static int is_keyword(const struct tok *t)
{
	return word_is(t, "and") || word_is(t, "or") || word_is(t, "not") || word_is(t, "of");
}

static size_t new_leaf(struct cparser *p, int of, int all, const char *str, size_t n)
{
	if (p->nleaves == p->aleaves) {
		p->aleaves = p->aleaves ? p->aleaves * 2 : 16;
		p->leaves = xrealloc(p->leaves, p->aleaves * sizeof(*p->leaves));
	}
	p->leaves[p->nleaves].of = of;
	p->leaves[p->nleaves].all = all;
	p->leaves[p->nleaves].s = str;
	p->leaves[p->nleaves].n = n;
	return expr_leaf(&p->tree, p->nleaves++);
}

/* a parse error (the tree's EXPR_NONE: nothing is built after one) */
#define NONE EXPR_NONE

static size_t parse_or(struct cparser *p, unsigned depth);

static size_t perr(struct cparser *p, const char *msg, const struct tok *t)
{
	if (!p->err) {
		p->err = msg;
		p->err_arg = t ? t->s : NULL;
		p->err_arg_n = t ? t->n : 0;
	}
	return NONE;
}

static int is_count(const struct tok *t)
{
	size_t i;

	if (t->kind != T_WORD || t->n == 0)
		return 0;
	for (i = 0; i < t->n; i++)
		if (!isdigit((unsigned char)t->s[i]))
			return 0;
	return 1;
}

static size_t parse_primary(struct cparser *p, unsigned depth)
{
	struct tok *t = &p->toks[p->pos];
	size_t id;

	if (depth > SIGMA_MAX_COND_DEPTH)
		return perr(p, "condition nested too deeply", NULL);
	if (t->kind == T_LPAREN) {
		p->pos++;
		id = parse_or(p, depth + 1);
		if (id == NONE)
			return NONE;
		if (p->toks[p->pos].kind != T_RPAREN)
			return perr(p, "missing ')'", &p->toks[p->pos]);
		p->pos++;
		return id;
	}
	if ((is_count(t) || word_is(t, "all")) && word_is(&p->toks[p->pos + 1], "of")) {
		struct tok *target = &p->toks[p->pos + 2];
		int all = word_is(t, "all");

		if (target->kind != T_WORD || is_keyword(target))
			return perr(p, "'of' needs an identifier, a pattern or 'them'", target);
		if (word_is(target, "them"))
			id = new_leaf(p, 1, all, NULL, 0);
		else
			id = new_leaf(p, 1, all, target->s, target->n);
		p->pos += 3;
		return id;
	}
	if (t->kind == T_WORD && !is_keyword(t)) {
		id = new_leaf(p, 0, 0, t->s, t->n);
		p->pos++;
		return id;
	}
	if (t->kind == T_END)
		return perr(p, "condition ends too early", NULL);
	return perr(p, "unexpected", t);
}

static size_t parse_not(struct cparser *p, unsigned depth)
{
	size_t kid;

	if (depth > SIGMA_MAX_COND_DEPTH)
		return perr(p, "condition nested too deeply", NULL);
	if (!word_is(&p->toks[p->pos], "not"))
		return parse_primary(p, depth);
	p->pos++;
	kid = parse_not(p, depth + 1);
	if (kid == NONE)
		return NONE;
	return expr_not(&p->tree, kid);
}

/* n-ary and/or so that long chains do not make deep trees */
static size_t parse_chain(struct cparser *p, unsigned depth, const char *op,
			  enum expr_kind kind)
{
	size_t first, *ops = NULL, nops = 0, aops = 0, id;

	first = kind == EXPR_OR ? parse_chain(p, depth, "and", EXPR_AND) : parse_not(p, depth);
	if (first == NONE || !word_is(&p->toks[p->pos], op))
		return first;
	for (;;) {
		if (nops == aops) {
			aops = aops ? aops * 2 : 8;
			ops = xrealloc(ops, aops * sizeof(*ops));
		}
		ops[nops++] = first;
		if (!word_is(&p->toks[p->pos], op))
			break;
		p->pos++;
		first = kind == EXPR_OR ? parse_chain(p, depth, "and", EXPR_AND) : parse_not(p, depth);
		if (first == NONE) {
			free(ops);
			return NONE;
		}
	}
	id = expr_join(&p->tree, kind, ops, nops);
	free(ops);
	return id;
}

static size_t parse_or(struct cparser *p, unsigned depth)
{
	return parse_chain(p, depth, "or", EXPR_OR);
}

/* '*' matches any run; nothing else is special */
static int glob_match(const char *g, size_t gn, const char *s)
{
	size_t gi = 0, star = (size_t)-1;
	const char *mark = NULL;

	while (*s) {
		if (gi < gn && g[gi] == '*') {
			star = gi++;
			mark = s;
		} else if (gi < gn && g[gi] == *s) {
			gi++;
			s++;
		} else if (star != (size_t)-1) {
			gi = star + 1;
			s = ++mark;
		} else {
			return 0;
		}
	}
	while (gi < gn && g[gi] == '*')
		gi++;
	return gi == gn;
}

struct walk {
	struct cparser *p;
	struct sigma_ctx *c;
	unsigned line;
	int rc;
};

/* 1 when key i of the detection map is a search identifier, not a reserved key. */
int sigma_is_identifier(const struct sigma_ctx *c, size_t i)
{
	const char *k = c->detection->keys[i]->str;
	const char *const *r;

	for (r = c->reserved; *r; r++)
		if (strcmp(k, *r) == 0)
			return 0;
	return 1;
}

/* One leaf of the condition, reached with its polarity: emit what it names. */
static int walk_leaf(void *ctx, size_t payload, int neg, enum expr_kind joined)
{
	struct walk *w = ctx;
	const struct cleaf *lf = &w->p->leaves[payload];
	struct sigma_ctx *c = w->c;
	const struct ynode *det = c->detection;
	size_t i;
	int found = 0;

	(void)joined;
	if (!lf->of) {
		for (i = det->n; i-- > 0;) {
			if (!sigma_is_identifier(c, i))
				continue;
			if (strlen(det->keys[i]->str) == lf->n &&
			    memcmp(det->keys[i]->str, lf->s, lf->n) == 0) {
				sigma_emit_identifier(c, i, neg);
				return 0;
			}
		}
		rule_error(c->rule, w->line, PARSE_FAILED,
			   "condition uses '%.*s', which is not a search identifier",
			   lf->n > 100 ? 100 : (int)lf->n, lf->s);
		w->rc = -1;
		return 0;
	}
	for (i = 0; i < det->n; i++) {
		const char *k = det->keys[i]->str;

		if (!sigma_is_identifier(c, i) || ynode_key_overridden(det, i))
			continue;
		if (lf->s ? glob_match(lf->s, lf->n, k) : k[0] != '_') {
			sigma_emit_identifier(c, i, neg);
			found = 1;
		}
	}
	if (!found) {
		if (lf->s)
			rule_error(c->rule, w->line, PARSE_FAILED, "no search identifier matches '%.*s'",
				   lf->n > 100 ? 100 : (int)lf->n, lf->s);
		else
			rule_error(c->rule, w->line, PARSE_FAILED,
				   "'them' but there is no search identifier");
		w->rc = -1;
	}
	return 0;
}

static void cparser_release(struct cparser *p)
{
	free(p->toks);
	expr_release(&p->tree);
	free(p->leaves);
}

/* Parse expr fully and walk it; errors are recorded with what as context. */
static int condition_expr(struct sigma_ctx *c, const char *expr, unsigned line, int neg)
{
	struct cparser p;
	size_t root;
	int rc = -1;

	memset(&p, 0, sizeof(p));
	expr_init(&p.tree);
	tokenize(expr, &p.toks, &p.ntoks);
	root = parse_or(&p, 0);
	if (root != NONE && p.toks[p.pos].kind != T_END)
		root = perr(&p, "unexpected", &p.toks[p.pos]);
	if (root == NONE) {
		/* the reason first: a hostile condition can be very long */
		int cut = strlen(expr) > 120 ? 120 : (int)strlen(expr);
		const char *more = strlen(expr) > 120 ? "..." : "";

		if (p.err_arg && p.err_arg_n)
			rule_error(c->rule, line, PARSE_FAILED, "%s '%.*s' in condition '%.*s%s'",
				   p.err, p.err_arg_n > 60 ? 60 : (int)p.err_arg_n, p.err_arg,
				   cut, expr, more);
		else
			rule_error(c->rule, line, PARSE_FAILED, "%s in condition '%.*s%s'", p.err,
				   cut, expr, more);
		goto out;
	}
	{
		struct walk w = { &p, c, line, 0 };

		/* a condition under a polarity: the aggregation's "near" is never negated */
		expr_walk(&p.tree, neg ? expr_not(&p.tree, root) : root, walk_leaf, &w);
		rc = w.rc;
	}
out:
	cparser_release(&p);
	return rc;
}

static int is_integral(double d)
{
	return d > -9e18 && d < 9e18 && d == (double)(long long)d;
}

static const char *skip_space(const char *s)
{
	while (*s && isspace((unsigned char)*s))
		s++;
	return s;
}

static const char *read_name(const char *s, size_t *n)
{
	const char *b = s;

	while (*s && (isalnum((unsigned char)*s) || strchr("_.-@:", *s)))
		s++;
	*n = (size_t)(s - b);
	return b;
}

/*
 * The deprecated aggregation after '|': "count([field]) [by group] op N",
 * likewise min/max/avg/sum, or "near <condition>".
 */
static int aggregation(struct sigma_ctx *c, const char *agg, unsigned line)
{
	const char *s = skip_space(agg), *fn, *field = NULL, *group = NULL;
	enum pred_op op;
	const char *opname;
	size_t fnn, fieldn = 0, groupn = 0;
	json_t *a = json_object();
	char *end, opbuf[3];
	double num;
	struct strbuf raw = STRBUF_INIT;

	json_object_set_new(c->rule->rec, "rule_type", json_string("aggregation"));
	fn = read_name(s, &fnn);
	s = fn + fnn;
	json_object_set_new(a, "text", json_string(skip_space(agg)));
	json_object_set_new(a, "function", json_stringn(fn, fnn));
	json_object_set_new(c->rule->rec, "aggregation", a);
	if (fnn == 4 && strncasecmp(fn, "near", 4) == 0)
		return condition_expr(c, s, line, 0);
	if (!((fnn == 5 && !strncasecmp(fn, "count", 5)) || (fnn == 3 && (!strncasecmp(fn, "min", 3) ||
	      !strncasecmp(fn, "max", 3) || !strncasecmp(fn, "avg", 3) || !strncasecmp(fn, "sum", 3))))) {
		rule_error(c->rule, line, PARSE_PARTIAL, "unknown aggregation '%.*s'",
			   fnn > 60 ? 60 : (int)fnn, fn);
		return -1;
	}
	s = skip_space(s);
	if (*s != '(')
		goto bad;
	s = skip_space(s + 1);
	field = read_name(s, &fieldn);
	s = skip_space(field + fieldn);
	if (*s != ')')
		goto bad;
	s = skip_space(s + 1);
	if (strncasecmp(s, "by", 2) == 0 && isspace((unsigned char)s[2])) {
		group = read_name(skip_space(s + 2), &groupn);
		if (!groupn)
			goto bad;
		s = skip_space(group + groupn);
	}
	if (*s == '>' || *s == '<' || *s == '=') {
		size_t k = 0;

		opbuf[k++] = *s++;
		if (*s == '=')
			opbuf[k++] = *s++;
		opbuf[k] = '\0';
		op = !strcmp(opbuf, ">") ? PRED_GT : !strcmp(opbuf, ">=") ? PRED_GTE
			: !strcmp(opbuf, "<") ? PRED_LT : !strcmp(opbuf, "<=") ? PRED_LTE
			: PRED_EQ;
		opname = pred_op_name(op);
	} else {
		goto bad;
	}
	s = skip_space(s);
	num = strtod(s, &end);
	if (end == s || *skip_space(end))
		goto bad;
	if (fieldn)
		json_object_set_new(a, "field", json_stringn(field, fieldn));
	if (groupn)
		json_object_set_new(a, "group_by", json_stringn(group, groupn));
	json_object_set_new(a, "op", json_string(opname));
	json_object_set_new(a, "value", is_integral(num) ?
			    json_integer((json_int_t)num) : json_real(num));
	strbuf_add(&raw, fn, fnn);
	strbuf_addch(&raw, '(');
	strbuf_add(&raw, field, fieldn);
	strbuf_addch(&raw, ')');
	{
		char *fname = xstrndup(fn, fnn);
		struct pred_spec pr;
		struct pred_extra group_by = { "group_by", PX_STR, group, groupn, 0 };

		for (size_t k = 0; k < fnn; k++)
			fname[k] = (char)tolower((unsigned char)fname[k]);
		pred_spec_init(&pr);
		pr.field = fname;
		pr.raw_field = raw.buf;
		pr.op = op;
		pr.kind = PV_NUMBER;
		pr.is_int = is_integral(num);
		pr.integer = pr.is_int ? (long long)num : 0;
		pr.number = num;
		pr.computed = 1;
		pr.line = line;
		if (groupn) {
			pr.extras = &group_by;
			pr.nextras = 1;
		}
		pb_add(c->pb, &pr);
		free(fname);
	}
	strbuf_release(&raw);
	return 0;
bad:
	rule_error(c->rule, line, PARSE_PARTIAL, "cannot parse aggregation '%.120s'", skip_space(agg));
	return -1;
}

int sigma_condition(struct sigma_ctx *c, const char *cond, unsigned line)
{
	const char *bar = strchr(cond, '|');
	char *expr;
	int rc;

	if (!bar)
		return condition_expr(c, cond, line, 0);
	expr = xstrndup(cond, (size_t)(bar - cond));
	rc = condition_expr(c, expr, line, 0);
	free(expr);
	if (strchr(bar + 1, '|')) {
		rule_error(c->rule, line, PARSE_PARTIAL, "more than one '|' in condition '%.120s'", cond);
		return rc;
	}
	if (aggregation(c, bar + 1, line) < 0 && rc == 0)
		rc = 0;	/* the search itself is fine: partial */
	return rc;
}
