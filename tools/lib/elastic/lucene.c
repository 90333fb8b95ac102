/*
 * Lucene queries into predicates (query.h), as Elasticsearch's query_string
 * reads them (the Lucene classic query parser syntax), by recursive descent
 * on the characters. A syntax error stops the parse: the rule is partial
 * with no predicates.
 *
 *   field:term       eq ('*' and '?' wildcards; a text field of the map:
 *                    match, ci, as kuery); term alone: the keywords pseudo-field
 *   field:"phrase"   eq (match on a text field), no wildcard
 *   field:/re/       regex_match, as written
 *   field:[a TO b]   gte a and lte b ({ } exclusive: gt, lt; '*' an open end)
 *   field:>=v        gte (>, <, <=)
 *   _exists_:field   exists
 *   field:(a b)      the field applied to each term of the group
 *   AND &&, OR ||, NOT ! (upper case only; "or" is a term), +a (must), -a (must not)
 * Operators: terms side by side are ORed (query_string's default); AND binds
 * its neighbours and makes them required, as Lucene's parser does: of a list
 * with a required clause, the optional ones only score and are left out; a
 * prohibited clause is ANDed under NOT. A boost (^2) only scores: ignored;
 * a fuzzy or proximity search (~) has no predicate: partial.
 */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "elastic/eql_msg.h"
#include "elastic/query.h"
#include "rule/expr.h"
#include "rule/pattern.h"
#include "rule/predicate.h"
#include "rule/rule.h"

/* Deepest nesting of groups and prefixes; deeper is RC_LIMIT. */
#define LQ_MAX_DEPTH 200

#define NONE EXPR_NONE

struct lparser {
	struct qmsg msg;
	struct pred_builder *pb;
	const char *q;
	size_t len, pos;
	unsigned depth;
	int failed;
};

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Characters that end a term (unescaped); '+', '-', '*', '?' do not. */
static int ends_term(int c)
{
	return is_space(c) || (c && strchr("!():^[]\"{}~/", c) != NULL);
}

static void syntax(struct lparser *p, size_t off, size_t n, const char *what)
{
	if (p->failed)
		return;
	p->failed = 1;
	qmsg_error(&p->msg, RC_SYNTAX, off, n, "%s", what);
}

static size_t tok_len(const struct lparser *p, size_t off)
{
	size_t j = off;

	if (off >= p->len)
		return 0;
	while (j < p->len && !is_space((unsigned char)p->q[j]) && (j == off || !ends_term((unsigned char)p->q[j])))
		j++;
	return j - off;
}

static void skip_spaces(struct lparser *p)
{
	while (p->pos < p->len && is_space((unsigned char)p->q[p->pos]))
		p->pos++;
}

/* The operator word w (AND, OR, NOT, TO) as a whole token at p->pos. */
static int op_word(const struct lparser *p, const char *w)
{
	size_t n = strlen(w);

	return p->pos + n <= p->len && !memcmp(p->q + p->pos, w, n) &&
	       (p->pos + n == p->len || ends_term((unsigned char)p->q[p->pos + n]));
}

static int op_sym(const struct lparser *p, const char *s)
{
	return p->pos + 2 <= p->len && !memcmp(p->q + p->pos, s, 2);
}

static int enter(struct lparser *p)
{
	if (p->depth >= LQ_MAX_DEPTH) {
		if (!p->failed) {
			p->failed = 1;
			qmsg_error(&p->msg, RC_LIMIT, p->pos, tok_len(p, p->pos),
				   "queries nested deeper than %d", LQ_MAX_DEPTH);
		}
		return 0;
	}
	p->depth++;
	return 1;
}

/* A term at p->pos into pat ('*', '?' wildcards, '\' escapes): its length as written. */
static size_t read_term(struct lparser *p, struct pattern *pat)
{
	size_t start = p->pos;

	pattern_reset(pat);
	while (p->pos < p->len && !ends_term((unsigned char)p->q[p->pos])) {
		char c = p->q[p->pos];

		if (c == '\\') {
			if (p->pos + 1 >= p->len) {
				syntax(p, p->pos, 1, "a backslash at the end of the query");
				return 0;
			}
			pattern_add_lit(pat, p->q + p->pos + 1, 1);
			p->pos += 2;
		} else if (c == '*' || c == '?') {
			pattern_add_wild(pat, c == '*' ? PAT_STAR : PAT_ONE);
			p->pos++;
		} else {
			pattern_add_lit(pat, &c, 1);
			p->pos++;
		}
	}
	return p->pos - start;
}

/* "..." at p->pos into pat (\ escapes any character). */
static int read_phrase(struct lparser *p, struct pattern *pat)
{
	size_t i = p->pos + 1;

	pattern_reset(pat);
	while (i < p->len && p->q[i] != '"') {
		if (p->q[i] == '\\' && i + 1 < p->len)
			i++;
		pattern_add_lit(pat, p->q + i, 1);
		i++;
	}
	if (i >= p->len) {
		syntax(p, p->pos, p->len - p->pos, "an unterminated phrase");
		return -1;
	}
	p->pos = i + 1;
	return 0;
}

/* A boost (^N) is ignored; a fuzzy or proximity (~N) makes the rule partial. */
static void suffixes(struct lparser *p)
{
	while (p->pos < p->len && (p->q[p->pos] == '^' || p->q[p->pos] == '~')) {
		size_t at = p->pos++;

		while (p->pos < p->len && ((p->q[p->pos] >= '0' && p->q[p->pos] <= '9') || p->q[p->pos] == '.'))
			p->pos++;
		if (p->q[at] == '~')
			qmsg_error(&p->msg, RC_UNSUPPORTED, at, p->pos - at,
				   "a fuzzy or proximity search has no predicate");
	}
}

static size_t leaf(struct lparser *p, const char *field, enum pred_op op, const struct pattern *pat,
		   size_t off, size_t end)
{
	struct pred_spec s;

	pred_spec_init(&s);
	s.field = field;
	s.op = op;
	s.raw_value = p->q + off;
	s.raw_value_len = end - off;
	if (op == PRED_EXISTS)
		return pb_leaf(p->pb, &s);
	s.kind = PV_PATTERN;
	s.pat = pat;
	if (!field || pb_is_text_field(p->pb, field, strlen(field))) {
		s.ci = 1;
		if (!pattern_has_wild(pat))
			s.op = PRED_MATCH;
	}
	return pb_leaf(p->pb, &s);
}

/* A range bound: a number, a text, or nothing for '*'. */
static size_t bound(struct lparser *p, const char *field, enum pred_op op, const struct pattern *pat,
		    size_t off, size_t end)
{
	struct pred_spec s;
	const char *t = pat->text.buf ? pat->text.buf : "";
	char *e;
	double d;

	if (pat->text.len == 1 && pattern_has_wild(pat))
		return NONE;
	pred_spec_init(&s);
	s.field = field;
	s.op = op;
	s.raw_value = p->q + off;
	s.raw_value_len = end - off;
	d = strtod(t, &e);
	if (*t && !*e && t[strspn(t, "0123456789.-+eE")] == '\0') {
		s.kind = PV_NUMBER;
		s.is_int = !strpbrk(t, ".eE");
		s.integer = strtoll(t, NULL, 10);
		s.number = d;
	} else {
		s.kind = PV_TEXT;
		s.text = t;
		s.len = pat->text.len;
	}
	return pb_leaf(p->pb, &s);
}

/* [a TO b] or {a TO b} (mixed brackets allowed) at p->pos. */
static size_t range(struct lparser *p, const char *field)
{
	struct pattern lo, hi;
	size_t open = p->pos, lo_off, lo_end, hi_off, hi_end, x = NONE;
	int lo_incl = p->q[p->pos] == '[', hi_incl;

	pattern_init(&lo);
	pattern_init(&hi);
	p->pos++;
	skip_spaces(p);
	lo_off = p->pos;
	if (p->pos < p->len && p->q[p->pos] == '"' ? read_phrase(p, &lo) < 0 : (read_term(p, &lo), p->failed))
		goto out;
	lo_end = p->pos;
	skip_spaces(p);
	if (!op_word(p, "TO")) {
		syntax(p, p->pos, tok_len(p, p->pos), "expected 'TO' in a range");
		goto out;
	}
	p->pos += 2;
	skip_spaces(p);
	hi_off = p->pos;
	if (p->pos < p->len && p->q[p->pos] == '"' ? read_phrase(p, &hi) < 0 : (read_term(p, &hi), p->failed))
		goto out;
	hi_end = p->pos;
	skip_spaces(p);
	if (p->pos >= p->len || (p->q[p->pos] != ']' && p->q[p->pos] != '}')) {
		syntax(p, open, 1, "a range that is never closed");
		goto out;
	}
	hi_incl = p->q[p->pos++] == ']';
	if (lo_end == lo_off || hi_end == hi_off) {
		syntax(p, open, p->pos - open, "a range without its bounds");
		goto out;
	}
	x = pb_and(p->pb, bound(p, field, lo_incl ? PRED_GTE : PRED_GT, &lo, lo_off, lo_end),
		   bound(p, field, hi_incl ? PRED_LTE : PRED_LT, &hi, hi_off, hi_end));
	if (x == NONE) {	/* [* TO *]: any value */
		struct pred_spec s;

		pred_spec_init(&s);
		s.field = field;
		s.op = PRED_EXISTS;
		x = pb_leaf(p->pb, &s);
	}
out:
	pattern_release(&lo);
	pattern_release(&hi);
	return x;
}

static size_t parse_query(struct lparser *p, const char *field, int in_group);

/* One value (of field, NULL: the keywords) at p->pos. */
static size_t parse_value(struct lparser *p, const char *field)
{
	struct pattern pat;
	size_t x = NONE, off = p->pos, open;
	enum pred_op op = PRED_EQ;

	if (p->pos >= p->len) {
		syntax(p, p->pos, 0, "expected a value");
		return NONE;
	}
	pattern_init(&pat);
	switch (p->q[p->pos]) {
	case '(':
		if (!enter(p))
			break;
		open = p->pos++;
		x = parse_query(p, field, 1);
		if (!p->failed && (p->pos >= p->len || p->q[p->pos] != ')'))
			syntax(p, open, 1, "a '(' that is never closed");
		p->pos++;
		p->depth--;
		break;
	case '"':
		if (read_phrase(p, &pat) == 0) {
			x = leaf(p, field, PRED_EQ, &pat, off, p->pos);
			if (x != NONE && !field && !pat.text.len)
				x = NONE;
		}
		break;
	case '/': {
		size_t i = p->pos + 1;
		struct pred_spec s;

		while (i < p->len && p->q[i] != '/')
			i += p->q[i] == '\\' && i + 1 < p->len ? 2 : 1;
		if (i >= p->len) {
			syntax(p, p->pos, p->len - p->pos, "an unterminated regular expression");
			break;
		}
		pred_spec_init(&s);
		s.field = field;
		s.op = PRED_REGEX;
		s.kind = PV_TEXT;
		s.text = p->q + p->pos + 1;
		s.len = i - p->pos - 1;
		s.raw_value = p->q + p->pos;
		s.raw_value_len = i + 1 - p->pos;
		x = pb_leaf(p->pb, &s);
		p->pos = i + 1;
		break;
	}
	case '[':
	case '{':
		x = range(p, field);
		break;
	default:
		if (field && p->q[p->pos] == '>')
			op = PRED_GT;
		else if (field && p->q[p->pos] == '<')
			op = PRED_LT;
		if (op != PRED_EQ) {
			p->pos++;
			if (p->pos < p->len && p->q[p->pos] == '=') {
				op = op == PRED_GT ? PRED_GTE : PRED_LTE;
				p->pos++;
			}
			off = p->pos;
			read_term(p, &pat);
			if (!p->failed && p->pos == off)
				syntax(p, p->pos, tok_len(p, p->pos), "expected a value after the comparison");
			if (!p->failed)
				x = bound(p, field, op, &pat, off, p->pos);
			break;
		}
		if (!read_term(p, &pat)) {
			if (!p->failed)
				syntax(p, p->pos, tok_len(p, p->pos), "expected a term");
			break;
		}
		if (!field && pattern_has_wild(&pat) && pat.text.len == 1 && pat.kinds.buf[0] == PAT_STAR)
			break;	/* '*' alone matches every document */
		x = leaf(p, field, PRED_EQ, &pat, off, p->pos);
		break;
	}
	pattern_release(&pat);
	if (!p->failed)
		suffixes(p);
	return x;
}

/* A clause: [field ':'] value, or _exists_:field. */
static size_t parse_clause(struct lparser *p, const char *field)
{
	struct pattern name;
	size_t x = NONE;

	if (p->pos < p->len && !ends_term((unsigned char)p->q[p->pos]) && p->q[p->pos] != '<' && p->q[p->pos] != '>') {
		size_t save = p->pos;

		pattern_init(&name);
		read_term(p, &name);
		if (!p->failed && p->pos < p->len && p->q[p->pos] == ':') {
			char *f = xstrndup(name.text.buf ? name.text.buf : "", name.text.len);

			p->pos++;
			if (!strcmp(f, "_exists_")) {
				struct pattern fld;
				size_t off = p->pos;

				pattern_init(&fld);
				if (read_term(p, &fld) == 0 && !p->failed)
					syntax(p, p->pos, tok_len(p, p->pos), "expected a field name after _exists_:");
				else if (!p->failed)
					x = leaf(p, fld.text.buf, PRED_EXISTS, NULL, off, p->pos);
				pattern_release(&fld);
			} else {
				x = parse_value(p, !strcmp(f, "*") ? NULL : f);
			}
			free(f);
			pattern_release(&name);
			return x;
		}
		pattern_release(&name);
		if (p->failed)
			return NONE;
		p->pos = save;
	}
	return parse_value(p, field);
}

/* The modifiers before a clause: 0 none, 1 required (+), -1 prohibited (- ! NOT). */
static int modifier(struct lparser *p)
{
	if (p->pos < p->len && p->q[p->pos] == '+') {
		p->pos++;
		return 1;
	}
	if (p->pos < p->len && (p->q[p->pos] == '-' || p->q[p->pos] == '!')) {
		p->pos++;
		return -1;
	}
	if (op_word(p, "NOT")) {
		p->pos += 3;
		skip_spaces(p);
		return -1;
	}
	return 0;
}

static int at_end_of(const struct lparser *p, int in_group)
{
	return p->pos >= p->len || (in_group && p->q[p->pos] == ')');
}

/*
 * Clauses up to the end (or the group's ')'): required ones ANDed, each
 * prohibited one ANDed under NOT, the optional ones ORed when nothing is
 * required.
 */
static size_t parse_query(struct lparser *p, const char *field, int in_group)
{
	size_t must = NONE, nots = NONE, should = NONE, cur;
	int mod, conj;

	skip_spaces(p);
	while (!p->failed && !at_end_of(p, in_group)) {
		/* one clause, and the ones ANDed to it */
		mod = modifier(p);
		cur = parse_clause(p, field);
		if (mod < 0)
			cur = pb_not(p->pb, cur);
		conj = 0;
		skip_spaces(p);
		while (!p->failed && (op_word(p, "AND") || op_sym(p, "&&"))) {
			size_t next;
			int m;

			p->pos += op_sym(p, "&&") ? 2 : 3;
			skip_spaces(p);
			if (at_end_of(p, in_group)) {
				syntax(p, p->pos, tok_len(p, p->pos), "expected a clause after AND");
				break;
			}
			m = modifier(p);
			next = parse_clause(p, field);
			cur = pb_and(p->pb, cur, m < 0 ? pb_not(p->pb, next) : next);
			conj = 1;
			skip_spaces(p);
		}
		if (conj || mod > 0)
			must = pb_and(p->pb, must, cur);
		else if (mod < 0)
			nots = pb_and(p->pb, nots, cur);
		else
			should = pb_or(p->pb, should, cur);
		if (!p->failed && (op_word(p, "OR") || op_sym(p, "||"))) {
			p->pos += 2;
			skip_spaces(p);
			if (at_end_of(p, in_group))
				syntax(p, p->pos, tok_len(p, p->pos), "expected a clause after OR");
		}
		if (!p->failed && p->pos < p->len && !in_group && p->q[p->pos] == ')')
			syntax(p, p->pos, 1, "a ')' that closes nothing");
	}
	return pb_and(p->pb, pb_and(p->pb, must, nots), must != NONE ? NONE : should);
}

void lucene_parse(struct pred_builder *pb, struct rule *r, const char *query, size_t len)
{
	struct lparser p;
	size_t root;

	memset(&p, 0, sizeof(p));
	p.pb = pb;
	p.q = query;
	p.len = len;
	qmsg_init(&p.msg, r, query, len);
	if (qmsg_check_text(&p.msg) < 0)
		return;
	root = parse_query(&p, NULL, 0);
	if (!p.failed)
		pb_emit(pb, root);
}
