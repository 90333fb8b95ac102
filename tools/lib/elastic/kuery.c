/*
 * kuery queries into predicates (query.h), as Kibana's kuery grammar reads
 * them (packages/kbn-es-query, grammar.peggy), by recursive descent on the
 * characters, building the builder's and/or/not tree as it goes. A syntax
 * error stops the parse: the rule is partial with no predicates.
 *
 * Grammar (PEG, as Kibana's):
 *   query   = or;  or = and (OR and)*;  and = not (AND not)*
 *   not     = 'not' Space+ not / sub
 *   sub     = '(' query ')' / Field ':' '{' query '}' / Field RangeOp Literal
 *           / Field ':' values / Value                      (free text)
 *   values  = '(' vor ')' / Value;  vor, vand, vnot as or, and, not
 *   OR, AND = Space+ ('or' | 'and', any case) Space+
 * Unquoted literals run up to a special character ( \ ( ) : < > " * { } )
 * or a keyword, spaces included (`*S3 Browser*` is one value), trimmed;
 * they take the escapes \t \r \n, \uXXXX, \ before a special character and
 * \or \and \not; '*' is their only wildcard ('?' is a character). Quoted
 * strings take \t \r \n \\ \" and no wildcard; any other backslash is kept.
 *
 * Meanings (Kibana, on Elasticsearch):
 *   field:*          exists
 *   field:value      a term on a keyword field: eq, case-sensitive, '*' a
 *                    wildcard when unquoted; on a text field (the map's
 *                    text_fields) a token or phrase match: match, ci; on
 *                    a `.caseless` field (lower-cased keyword) eq, ci
 *   field:(a or b)   the field applied to each value, the list's and/or/not kept
 *   field >= v       gte (gt, lt, lte), a number when v is unquoted and reads as one
 *   a:{ b:1 }        nested: the inner fields are a.b
 *   value            free text on every field: the keywords pseudo-field,
 *                    match ci ('*' alone matches everything: no predicate)
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

/* Deepest nesting of parentheses, nots and nested queries; deeper is RC_LIMIT. */
#define KQ_MAX_DEPTH 200

#define NONE EXPR_NONE

struct kparser {
	struct qmsg msg;
	struct pred_builder *pb;
	const char *q;
	size_t len, pos;
	unsigned depth;
	int failed;
	struct strbuf prefix;	/* the nested path, "a.b." */
};

/* A literal as read: its text and wildcards, where it was written. */
struct klit {
	struct pattern pat;
	size_t off, end;	/* as written, quotes included */
	int quoted;
};

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_special(int c)
{
	return c && strchr("\\():<>\"*{}", c) != NULL;
}

static void syntax(struct kparser *p, size_t off, size_t n, const char *what)
{
	if (p->failed)
		return;
	p->failed = 1;
	qmsg_error(&p->msg, RC_SYNTAX, off, n, "%s", what);
}

/* The length of the token at off, for messages: up to the next space or special character. */
static size_t tok_len(const struct kparser *p, size_t off)
{
	size_t j = off;

	if (off >= p->len)
		return 0;
	if (is_special((unsigned char)p->q[off]))
		return 1;
	while (j < p->len && !is_space((unsigned char)p->q[j]) && !is_special((unsigned char)p->q[j]))
		j++;
	return j - off;
}

static void skip_spaces(struct kparser *p)
{
	while (p->pos < p->len && is_space((unsigned char)p->q[p->pos]))
		p->pos++;
}

static int word_at(const struct kparser *p, size_t i, const char *w)
{
	size_t n = strlen(w), k;

	if (i + n > p->len)
		return 0;
	for (k = 0; k < n; k++)
		if ((p->q[i + k] | 0x20) != w[k])
			return 0;
	return 1;
}

/* 'w' Space+ at i: the offset past the spaces, or 0. */
static size_t word_spaces(const struct kparser *p, size_t i, const char *w)
{
	size_t j = i + strlen(w);

	if (!word_at(p, i, w) || j >= p->len || !is_space((unsigned char)p->q[j]))
		return 0;
	while (j < p->len && is_space((unsigned char)p->q[j]))
		j++;
	return j;
}

/* Space+ 'w' Space+ at i (or, and): the offset past it, or 0. */
static size_t binop_at(const struct kparser *p, size_t i, const char *w)
{
	size_t j = i;

	while (j < p->len && is_space((unsigned char)p->q[j]))
		j++;
	if (j == i)
		return 0;
	return word_spaces(p, j, w);
}

static int enter(struct kparser *p)
{
	if (p->depth >= KQ_MAX_DEPTH) {
		if (!p->failed) {
			p->failed = 1;
			qmsg_error(&p->msg, RC_LIMIT, p->pos, tok_len(p, p->pos),
				   "queries nested deeper than %d", KQ_MAX_DEPTH);
		}
		return 0;
	}
	p->depth++;
	return 1;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* \uXXXX at i (the backslash): the code point, or -1. */
static long unicode_at(const struct kparser *p, size_t i)
{
	long cp = 0;
	size_t k;

	if (i + 6 > p->len || p->q[i + 1] != 'u')
		return -1;
	for (k = 2; k < 6; k++) {
		int h = hexval((unsigned char)p->q[i + k]);

		if (h < 0)
			return -1;
		cp = cp * 16 + h;
	}
	return cp;
}

static void add_utf8(struct pattern *pat, long cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	}
	pattern_add_lit(pat, b, n);
}

static void add_escaped_space(struct pattern *pat, char c)
{
	char e = c == 't' ? '\t' : c == 'r' ? '\r' : '\n';

	pattern_add_lit(pat, &e, 1);
}

/* A quoted string at p->pos (its '"'): 0, or -1 with a syntax error. */
static int read_quoted(struct kparser *p, struct klit *l)
{
	size_t i = p->pos + 1;

	l->quoted = 1;
	while (i < p->len && p->q[i] != '"') {
		if (p->q[i] == '\\' && i + 1 < p->len && strchr("trn", p->q[i + 1])) {
			add_escaped_space(&l->pat, p->q[i + 1]);
			i += 2;
		} else if (p->q[i] == '\\' && i + 1 < p->len && (p->q[i + 1] == '\\' || p->q[i + 1] == '"')) {
			pattern_add_lit(&l->pat, p->q + i + 1, 1);
			i += 2;
		} else {
			pattern_add_lit(&l->pat, p->q + i, 1);
			i++;
		}
	}
	if (i >= p->len) {
		syntax(p, p->pos, p->len - p->pos, "an unterminated string");
		return -1;
	}
	p->pos = i + 1;
	return 0;
}

/*
 * An unquoted literal at p->pos: 0 (with l->end past what it read, spaces
 * before a keyword or special character left unread), 1 when there is none
 * here, -1 with a syntax error.
 */
static int read_unquoted(struct kparser *p, struct klit *l)
{
	size_t i = p->pos, keep = 0;	/* keep: pattern length without trailing spaces */
	size_t last = p->pos;		/* just past the last character that is not a space */

	while (i < p->len) {
		unsigned char c = (unsigned char)p->q[i];
		long cp;

		if (c == '\\') {
			if (i + 1 >= p->len) {
				syntax(p, i, 1, "a backslash at the end of the query");
				return -1;
			}
			if (strchr("trn", p->q[i + 1])) {
				add_escaped_space(&l->pat, p->q[i + 1]);
				i += 2;
			} else if (is_special((unsigned char)p->q[i + 1])) {
				pattern_add_lit(&l->pat, p->q + i + 1, 1);
				i += 2;
			} else if ((cp = unicode_at(p, i)) >= 0) {
				if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) {
					syntax(p, i, 6, "a \\u escape that is no character (NUL or a surrogate)");
					return -1;
				}
				add_utf8(&l->pat, cp);
				i += 6;
			} else if (word_at(p, i + 1, "or") || word_at(p, i + 1, "and") || word_at(p, i + 1, "not")) {
				size_t n = (p->q[i + 1] | 0x20) == 'o' ? 2 : 3;

				pattern_add_lit(&l->pat, p->q + i + 1, n);
				i += 1 + n;
			} else {
				syntax(p, i, 2, "an escape kuery does not know (a backslash before a character that is not special)");
				return -1;
			}
			keep = l->pat.text.len;
			last = i;
			continue;
		}
		if (c == '*') {
			pattern_add_wild(&l->pat, PAT_STAR);
			i++;
			keep = l->pat.text.len;
			last = i;
			continue;
		}
		if (is_space(c)) {
			/* a run of spaces at once, so that a long run is read in linear time */
			size_t j = i;

			while (j < p->len && is_space((unsigned char)p->q[j]))
				j++;
			if (j < p->len && (word_spaces(p, j, "or") || word_spaces(p, j, "and")))
				break;
			pattern_add_lit(&l->pat, p->q + i, j - i);
			i = j;
			continue;
		}
		if (is_special(c) || word_spaces(p, i, "not"))
			break;
		pattern_add_lit(&l->pat, p->q + i, 1);
		i++;
		keep = l->pat.text.len;
		last = i;
	}
	if (i == p->pos)
		return 1;
	/* trimmed, as Kibana trims the literal; the trailing spaces are read again as spaces */
	l->pat.text.len = keep;
	l->pat.text.buf[keep] = '\0';
	l->pat.kinds.len = keep;
	if (l->pat.kinds.buf)
		l->pat.kinds.buf[keep] = '\0';
	p->pos = last;
	return 0;
}

/* A literal (quoted or unquoted) at p->pos: 0, 1 when there is none, -1 on a syntax error. */
static int read_literal(struct kparser *p, struct klit *l)
{
	int rc;

	pattern_reset(&l->pat);
	l->quoted = 0;
	l->off = p->pos;
	if (p->pos < p->len && p->q[p->pos] == '"')
		rc = read_quoted(p, l);
	else
		rc = read_unquoted(p, l);
	l->end = p->pos;
	return rc;
}

/* The literal's text, NUL-terminated (wildcards as '*'). */
static const char *lit_text(const struct klit *l)
{
	return l->pat.text.buf ? l->pat.text.buf : "";
}

static int lit_only_stars(const struct klit *l)
{
	size_t i;

	if (l->quoted || l->pat.text.len == 0)
		return 0;
	for (i = 0; i < l->pat.kinds.len; i++)
		if (l->pat.kinds.buf[i] != PAT_STAR)
			return 0;
	return 1;
}

/* ---- predicates ---- */

/*
 * Elastic Defend's `.caseless` multi-fields are keywords with a lowercase
 * normaliser: the value is lower-cased too, so the term matches in any case.
 */
static int is_caseless(const char *field)
{
	size_t n = strlen(field);

	return n > 9 && !strcmp(field + n - 9, ".caseless");
}

/* field:value (field NULL: free text) as a leaf. */
static size_t value_leaf(struct kparser *p, const char *field, const struct klit *l)
{
	struct pred_spec s;
	int text;

	if (lit_only_stars(l) && !field)
		return NONE;	/* '*' on every field matches every document */
	pred_spec_init(&s);
	s.field = field;
	s.raw_value = p->q + l->off;
	s.raw_value_len = l->end - l->off;
	if (lit_only_stars(l)) {
		s.op = PRED_EXISTS;
		return pb_leaf(p->pb, &s);
	}
	text = !field || pb_is_text_field(p->pb, field, strlen(field));
	s.kind = PV_PATTERN;
	s.pat = &l->pat;
	s.ci = text || is_caseless(field);
	if (text && !pattern_has_wild(&l->pat))
		s.op = PRED_MATCH;
	return pb_leaf(p->pb, &s);
}

/* field OP value, a number when the value reads as one. */
static size_t range_leaf(struct kparser *p, const char *field, enum pred_op op, const struct klit *l)
{
	struct pred_spec s;
	const char *t = lit_text(l);
	char *end;

	pred_spec_init(&s);
	s.field = field;
	s.op = op;
	s.raw_value = p->q + l->off;
	s.raw_value_len = l->end - l->off;
	if (*t && !l->quoted && !pattern_has_wild(&l->pat)) {
		long long v;
		double d;

		v = strtoll(t, &end, 10);
		if (!*end) {
			s.kind = PV_NUMBER;
			s.is_int = 1;
			s.integer = v;
			return pb_leaf(p->pb, &s);
		}
		d = strtod(t, &end);
		if (!*end && t[strspn(t, "0123456789.-+eE")] == '\0') {
			s.kind = PV_NUMBER;
			s.number = d;
			return pb_leaf(p->pb, &s);
		}
	}
	s.kind = PV_TEXT;
	s.text = t;
	s.len = l->pat.text.len;
	return pb_leaf(p->pb, &s);
}

/* ---- the grammar ---- */

static size_t parse_or(struct kparser *p);

/* Value lists of one field: '(' vor ')' / Value. */
static size_t parse_values(struct kparser *p, const char *field);

static size_t parse_vnot(struct kparser *p, const char *field)
{
	size_t j = word_spaces(p, p->pos, "not"), x;

	if (!j)
		return parse_values(p, field);
	if (!enter(p))
		return NONE;
	p->pos = j;
	x = pb_not(p->pb, parse_vnot(p, field));
	p->depth--;
	return x;
}

static size_t parse_vand(struct kparser *p, const char *field)
{
	size_t x = parse_vnot(p, field), j;

	while (!p->failed && (j = binop_at(p, p->pos, "and"))) {
		p->pos = j;
		x = pb_and(p->pb, x, parse_vnot(p, field));
	}
	return x;
}

static size_t parse_vor(struct kparser *p, const char *field)
{
	size_t x = parse_vand(p, field), j;

	while (!p->failed && (j = binop_at(p, p->pos, "or"))) {
		p->pos = j;
		x = pb_or(p->pb, x, parse_vand(p, field));
	}
	return x;
}

static size_t parse_values(struct kparser *p, const char *field)
{
	struct klit l;
	size_t x = NONE, open = p->pos;
	int rc;

	if (p->failed)
		return NONE;
	if (p->pos < p->len && p->q[p->pos] == '(') {
		if (!enter(p))
			return NONE;
		p->pos++;
		skip_spaces(p);
		x = parse_vor(p, field);
		skip_spaces(p);
		if (!p->failed && (p->pos >= p->len || p->q[p->pos] != ')'))
			syntax(p, p->pos >= p->len ? open : p->pos, p->pos >= p->len ? 1 : tok_len(p, p->pos),
			       p->pos >= p->len ? "a '(' that is never closed" : "expected ')' to close the list of values");
		p->pos++;
		p->depth--;
		return x;
	}
	pattern_init(&l.pat);
	rc = read_literal(p, &l);
	if (rc == 1)
		syntax(p, p->pos, tok_len(p, p->pos), "expected a value");
	else if (rc == 0)
		x = value_leaf(p, field, &l);
	pattern_release(&l.pat);
	return x;
}

/* The field name: the nested prefix and the literal (caller frees). */
static char *field_name(struct kparser *p, const struct klit *l)
{
	struct strbuf sb;

	strbuf_init(&sb, p->prefix.len + l->pat.text.len + 1);
	strbuf_add(&sb, p->prefix.buf, p->prefix.len);
	strbuf_add(&sb, lit_text(l), l->pat.text.len);
	return strbuf_detach(&sb, NULL);
}

/* '(' query ')' / nested / range / field:values / free text */
static size_t parse_sub(struct kparser *p)
{
	struct klit l;
	size_t x = NONE, open = p->pos, save;
	char *field = NULL;
	int rc;

	if (p->failed)
		return NONE;
	if (p->pos < p->len && p->q[p->pos] == '(') {
		if (!enter(p))
			return NONE;
		p->pos++;
		skip_spaces(p);
		x = parse_or(p);
		skip_spaces(p);
		if (!p->failed && (p->pos >= p->len || p->q[p->pos] != ')'))
			syntax(p, p->pos >= p->len ? open : p->pos, p->pos >= p->len ? 1 : tok_len(p, p->pos),
			       p->pos >= p->len ? "a '(' that is never closed" : "expected ')'");
		p->pos++;
		p->depth--;
		return x;
	}
	pattern_init(&l.pat);
	rc = read_literal(p, &l);
	if (rc != 0) {
		if (rc == 1)
			syntax(p, p->pos, tok_len(p, p->pos),
			       p->pos >= p->len ? "expected a query" : "expected a field or a value");
		goto out;
	}
	save = p->pos;
	skip_spaces(p);
	if (p->pos < p->len && p->q[p->pos] == ':') {
		field = field_name(p, &l);
		p->pos++;
		skip_spaces(p);
		if (p->pos < p->len && p->q[p->pos] == '{') {
			size_t plen = p->prefix.len;

			if (!enter(p))
				goto out;
			open = p->pos++;
			strbuf_addstr(&p->prefix, field + plen);
			strbuf_addch(&p->prefix, '.');
			skip_spaces(p);
			x = parse_or(p);
			skip_spaces(p);
			if (!p->failed && (p->pos >= p->len || p->q[p->pos] != '}'))
				syntax(p, p->pos >= p->len ? open : p->pos,
				       p->pos >= p->len ? 1 : tok_len(p, p->pos),
				       p->pos >= p->len ? "a '{' that is never closed" : "expected '}'");
			p->pos++;
			p->prefix.len = plen;
			p->prefix.buf[plen] = '\0';
			p->depth--;
			goto out;
		}
		if (!strcmp(field + p->prefix.len, "*") && !l.quoted) {
			free(field);
			field = NULL;	/* *:value is free text */
		}
		x = parse_values(p, field);
		goto out;
	}
	if (p->pos < p->len && (p->q[p->pos] == '<' || p->q[p->pos] == '>')) {
		enum pred_op op = p->q[p->pos] == '<' ? PRED_LT : PRED_GT;
		struct klit v;

		if (p->pos + 1 < p->len && p->q[p->pos + 1] == '=') {
			op = op == PRED_LT ? PRED_LTE : PRED_GTE;
			p->pos++;
		}
		p->pos++;
		skip_spaces(p);
		pattern_init(&v.pat);
		rc = read_literal(p, &v);
		if (rc == 1)
			syntax(p, p->pos, tok_len(p, p->pos), "expected a value after the range operator");
		else if (rc == 0) {
			field = field_name(p, &l);
			x = range_leaf(p, field, op, &v);
		}
		pattern_release(&v.pat);
		goto out;
	}
	p->pos = save;
	x = value_leaf(p, NULL, &l);
out:
	free(field);
	pattern_release(&l.pat);
	return x;
}

static size_t parse_not(struct kparser *p)
{
	size_t j = word_spaces(p, p->pos, "not"), x;

	if (!j)
		return parse_sub(p);
	if (!enter(p))
		return NONE;
	p->pos = j;
	x = pb_not(p->pb, parse_not(p));
	p->depth--;
	return x;
}

static size_t parse_and(struct kparser *p)
{
	size_t x = parse_not(p), j;

	while (!p->failed && (j = binop_at(p, p->pos, "and"))) {
		p->pos = j;
		x = pb_and(p->pb, x, parse_not(p));
	}
	return x;
}

static size_t parse_or(struct kparser *p)
{
	size_t x = parse_and(p), j;

	while (!p->failed && (j = binop_at(p, p->pos, "or"))) {
		p->pos = j;
		x = pb_or(p->pb, x, parse_and(p));
	}
	return x;
}

void kuery_parse(struct pred_builder *pb, struct rule *r, const char *query, size_t len)
{
	struct kparser p;
	size_t root = NONE;

	memset(&p, 0, sizeof(p));
	p.pb = pb;
	p.q = query;
	p.len = len;
	strbuf_init(&p.prefix, 32);
	qmsg_init(&p.msg, r, query, len);
	if (qmsg_check_text(&p.msg) < 0)
		goto out;
	skip_spaces(&p);
	if (p.pos < p.len)	/* an empty query matches every event: no predicate */
		root = parse_or(&p);
	skip_spaces(&p);
	if (!p.failed && p.pos < p.len)
		syntax(&p, p.pos, tok_len(&p, p.pos), "unexpected text after the query");
	if (!p.failed)
		pb_emit(pb, root);
out:
	strbuf_release(&p.prefix);
}
