/*
 * EQL queries into predicates (query.h), as Elasticsearch reads them (the
 * EQL syntax and function references) with what the eql package accepts
 * besides (?"raw" strings, descendant of / child of, join).
 *
 * The query is read in two passes: the tokens and a syntax tree first (a
 * syntax error stops there: the rule is partial with no predicates), then
 * the tree is lowered into the builder's and/or/not tree, each event query
 * in its own scope {category: C, language: eql, type: the rule's type} so
 * that its fields map with its category.
 * What is read but has no predicate meaning (a function nobody defined, a
 * pipe other than head and tail) makes the rule partial, the rest is kept.
 *
 * Meanings (Elasticsearch EQL):
 *   ==, !=          case-sensitive, no wildcards; a number's text, null = exists
 *   :               case-insensitive, '*' and '?' wildcards, lists
 *   like, like~     wildcards, case-sensitive / not; lists
 *   regex, regex~   a regular expression as written (ci, regex_flags "i")
 *   in, in~, not in one predicate per value (not in: each negated)
 *   <, <=, >, >=    a number (or a string, compared as text)
 *   stringContains, startsWith, endsWith (~)  contains / starts_with / ends_with
 *   cidrMatch       cidr, one per block; wildcard (~) one pattern per value
 *   a field against a field                   the value is the other field (fieldref)
 *   a function's value (length(x) > 5, a substring, concat ...)  computed:
 *                   the expression as written is the predicate's field, no
 *                   raw_field, computed: true (never an indicator)
 * Sequences and samples: every step's filters, ANDed; a missing event
 * ![...] and an until [...] step are filters on events that must not occur
 * (their tree under NOT), their predicates marked "step": "missing"/"until".
 * descendant of / child of / event of [...]: the subquery's filters in its
 * own category scope, each marked "relation": "descendant_of" (...).
 * Join keys (by), maxspan, runs, fork and aliases are read and left out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "common/util.h"
#include "elastic/eql_msg.h"
#include "elastic/query.h"
#include "rule/expr.h"
#include "rule/pattern.h"
#include "rule/predicate.h"
#include "rule/rule.h"

/* Deepest nesting of expressions read; deeper is a clean RC_LIMIT error. */
#define EQL_MAX_DEPTH 200

/* ---- tokens ---- */

enum etok {
	T_END, T_NAME, T_BQNAME, T_STRING, T_NUMBER,
	T_LPAREN, T_RPAREN, T_LBRACK, T_RBRACK, T_MISSING,
	T_COMMA, T_DOT, T_PIPE, T_QMARK, T_DOLLAR,
	T_EQ, T_ASSIGN, T_NE, T_LT, T_LE, T_GT, T_GE, T_COLON,
	T_PLUS, T_MINUS, T_STAR, T_SLASH, T_PERCENT,
};

/* How a string token is quoted: escapes are read in S_DQ and S_SQ only. */
enum { S_DQ, S_SQ, S_RAW3, S_RAWDQ, S_RAWSQ };

struct etoken {
	enum etok kind;
	unsigned char sub;	/* T_STRING: S_* */
	size_t off, len;
};

/* ---- the syntax tree ---- */

enum enode_kind {
	N_FIELD, N_STRING, N_NUMBER, N_BOOL, N_NULL,
	N_FUNC, N_ARITH, N_NEG,
	N_AND, N_OR, N_NOT, N_CMP, N_IN, N_STRPRED, N_SUBQ,
	N_EVENT, N_STEP, N_SEQ,
};

enum { SP_COLON, SP_LIKE, SP_LIKE_CI, SP_REGEX, SP_REGEX_CI };	/* N_STRPRED op */
enum { STEP_PLAIN, STEP_MISSING, STEP_UNTIL };			/* N_STEP op */
enum { SEQ_SEQUENCE, SEQ_SAMPLE, SEQ_JOIN };			/* N_SEQ op */

#define F_CI 1		/* N_FUNC with '~', N_IN in~ */
#define F_NEG 2		/* N_IN: not in; N_NUMBER: a minus sign before it */

struct enode {
	unsigned char kind, op, flags;
	size_t tok;		/* where it is, for messages */
	size_t a, b;		/* children (EXPR_NONE: none) */
	size_t first, n;	/* list children in kids[] */
	size_t name;		/* N_FIELD, N_FUNC (lower-case, no '~'), N_SUBQ: offset in names */
};

struct eparser {
	struct qmsg msg;
	const char *q;
	size_t len;
	struct etoken *toks;
	size_t ntoks, atoks, pos;
	struct enode *nodes;
	size_t nnodes, anodes;
	size_t *kids;
	size_t nkids, akids;
	struct strbuf names;	/* NUL-terminated names, by offset */
	unsigned depth;
	int failed;		/* a syntax error was recorded: stop */
};

#define NONE EXPR_NONE

/* ---- lexer ---- */

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static void syntax(struct eparser *p, size_t off, size_t n, const char *what)
{
	if (p->failed)
		return;
	p->failed = 1;
	qmsg_error(&p->msg, RC_SYNTAX, off, n, "%s", what);
}

static void push_tok(struct eparser *p, enum etok kind, unsigned sub, size_t off, size_t len)
{
	if (p->ntoks == p->atoks) {
		p->atoks = p->atoks ? p->atoks * 2 : 64;
		p->toks = xrealloc(p->toks, p->atoks * sizeof(*p->toks));
	}
	p->toks[p->ntoks].kind = kind;
	p->toks[p->ntoks].sub = (unsigned char)sub;
	p->toks[p->ntoks].off = off;
	p->toks[p->ntoks].len = len;
	p->ntoks++;
}

/*
 * A quoted string starting at i (its opening quote q at i + skip): the
 * offset just past it, or 0 with a syntax error. Regular strings take the
 * escapes \n \r \t \b \f \" \' \\ and \u{X..} (2 to 8 hex digits) and no line
 * break; raw ones take none (?"..." only \" for the quote itself).
 */
static size_t lex_quoted(struct eparser *p, size_t i, size_t skip, int raw)
{
	const char *q = p->q;
	size_t j = i + skip + 1;
	char quote = q[i + skip];

	while (j < p->len && q[j] != quote) {
		if (q[j] == '\n' || q[j] == '\r') {
			if (!raw) {
				syntax(p, i, j - i, "a line break inside a string");
				return 0;
			}
		} else if (q[j] == '\\') {
			if (raw) {
				if (j + 1 < p->len && q[j + 1] == quote)
					j++;
			} else if (j + 1 < p->len && strchr("nrtbf\"'\\", q[j + 1]) && q[j + 1]) {
				j++;
			} else if (j + 2 < p->len && q[j + 1] == 'u' && q[j + 2] == '{') {
				size_t k = j + 3, digits;
				unsigned long cp = 0;

				while (k < p->len && is_hex((unsigned char)q[k]) && k - (j + 3) < 9) {
					cp = cp * 16 + (unsigned long)(is_digit(q[k]) ? q[k] - '0'
								       : (q[k] | 0x20) - 'a' + 10);
					k++;
				}
				digits = k - (j + 3);
				if (k >= p->len || q[k] != '}' || digits < 2 || digits > 8 || cp == 0 ||
				    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
					syntax(p, j, k - j + 1, "a \\u{...} escape that is not 2 to 8 hex digits of a character");
					return 0;
				}
				j = k;
			} else {
				syntax(p, j, 2, "an escape that EQL does not know");
				return 0;
			}
		}
		j++;
	}
	if (j >= p->len) {
		syntax(p, i, p->len - i, "an unterminated string");
		return 0;
	}
	return j + 1;
}

static int lex(struct eparser *p)
{
	const char *q = p->q;
	size_t i = 0, n = p->len;

	while (i < n && !p->failed) {
		unsigned char c = (unsigned char)q[i];
		size_t j;

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			i++;
			continue;
		}
		if (c == '/' && i + 1 < n && q[i + 1] == '/') {
			while (i < n && q[i] != '\n')
				i++;
			continue;
		}
		if (c == '/' && i + 1 < n && q[i + 1] == '*') {
			j = i + 2;
			while (j + 1 < n && !(q[j] == '*' && q[j + 1] == '/'))
				j++;
			if (j + 1 >= n) {
				syntax(p, i, 2, "an unterminated comment");
				break;
			}
			i = j + 2;
			continue;
		}
		if (is_alpha(c)) {
			j = i + 1;
			while (j < n && (is_alpha((unsigned char)q[j]) || is_digit((unsigned char)q[j])))
				j++;
			if (j < n && q[j] == '~')
				j++;
			push_tok(p, T_NAME, 0, i, j - i);
			i = j;
			continue;
		}
		if (is_digit(c)) {
			j = i;
			while (j < n && is_digit((unsigned char)q[j]))
				j++;
			if (j + 1 < n && q[j] == '.' && is_digit((unsigned char)q[j + 1])) {
				j++;
				while (j < n && is_digit((unsigned char)q[j]))
					j++;
			}
			if (j < n && (q[j] == 'e' || q[j] == 'E')) {
				size_t k = j + 1;

				if (k < n && (q[k] == '+' || q[k] == '-'))
					k++;
				if (k < n && is_digit((unsigned char)q[k])) {
					while (k < n && is_digit((unsigned char)q[k]))
						k++;
					j = k;
				}
			}
			push_tok(p, T_NUMBER, 0, i, j - i);
			i = j;
			continue;
		}
		if (c == '`') {
			j = i + 1;
			for (;;) {
				while (j < n && q[j] != '`' && q[j] != '\n' && q[j] != '\r')
					j++;
				if (j + 1 < n && q[j] == '`' && q[j + 1] == '`') {
					j += 2;	/* a doubled backtick is one backtick of the name */
					continue;
				}
				break;
			}
			if (j >= n || q[j] != '`' || j == i + 1) {
				syntax(p, i, j - i, "an unterminated or empty `quoted` field name");
				break;
			}
			push_tok(p, T_BQNAME, 0, i, j + 1 - i);
			i = j + 1;
			continue;
		}
		if (c == '"' && i + 2 < n && q[i + 1] == '"' && q[i + 2] == '"') {
			const char *end = NULL;

			for (j = i + 3; j + 2 < n; j++)
				if (q[j] == '"' && q[j + 1] == '"' && q[j + 2] == '"') {
					end = q + j;
					break;
				}
			if (!end) {
				syntax(p, i, n - i, "an unterminated \"\"\"raw\"\"\" string");
				break;
			}
			j += 3;
			/* up to two more quotes belong to the string: """a"""" is a" */
			if (j < n && q[j] == '"')
				j++;
			if (j < n && q[j] == '"')
				j++;
			push_tok(p, T_STRING, S_RAW3, i, j - i);
			i = j;
			continue;
		}
		if (c == '"' || c == '\'') {
			j = lex_quoted(p, i, 0, 0);
			if (!j)
				break;
			push_tok(p, T_STRING, c == '"' ? S_DQ : S_SQ, i, j - i);
			i = j;
			continue;
		}
		if (c == '?' && i + 1 < n && (q[i + 1] == '"' || q[i + 1] == '\'')) {
			j = lex_quoted(p, i, 1, 1);
			if (!j)
				break;
			push_tok(p, T_STRING, q[i + 1] == '"' ? S_RAWDQ : S_RAWSQ, i, j - i);
			i = j;
			continue;
		}
		j = i + 1;
		switch (c) {
		case '(': push_tok(p, T_LPAREN, 0, i, 1); break;
		case ')': push_tok(p, T_RPAREN, 0, i, 1); break;
		case '[': push_tok(p, T_LBRACK, 0, i, 1); break;
		case ']': push_tok(p, T_RBRACK, 0, i, 1); break;
		case ',': push_tok(p, T_COMMA, 0, i, 1); break;
		case '.': push_tok(p, T_DOT, 0, i, 1); break;
		case '|': push_tok(p, T_PIPE, 0, i, 1); break;
		case '?': push_tok(p, T_QMARK, 0, i, 1); break;
		case '$': push_tok(p, T_DOLLAR, 0, i, 1); break;
		case ':': push_tok(p, T_COLON, 0, i, 1); break;
		case '+': push_tok(p, T_PLUS, 0, i, 1); break;
		case '-': push_tok(p, T_MINUS, 0, i, 1); break;
		case '*': push_tok(p, T_STAR, 0, i, 1); break;
		case '/': push_tok(p, T_SLASH, 0, i, 1); break;
		case '%': push_tok(p, T_PERCENT, 0, i, 1); break;
		case '=':
			if (i + 1 < n && q[i + 1] == '=') {
				push_tok(p, T_EQ, 0, i, 2);
				j++;
			} else {
				push_tok(p, T_ASSIGN, 0, i, 1);
			}
			break;
		case '!':
			if (i + 1 < n && q[i + 1] == '=') {
				push_tok(p, T_NE, 0, i, 2);
				j++;
			} else if (i + 1 < n && q[i + 1] == '[') {
				push_tok(p, T_MISSING, 0, i, 2);
				j++;
			} else {
				syntax(p, i, 1, "'!' that is neither '!=' nor a missing event '!['");
			}
			break;
		case '<':
		case '>':
			if (i + 1 < n && q[i + 1] == '=') {
				push_tok(p, c == '<' ? T_LE : T_GE, 0, i, 2);
				j++;
			} else {
				push_tok(p, c == '<' ? T_LT : T_GT, 0, i, 1);
			}
			break;
		default:
			syntax(p, i, 1, "a character EQL does not use");
			break;
		}
		i = j;
	}
	push_tok(p, T_END, 0, n, 0);
	return p->failed ? -1 : 0;
}

/* ---- parser helpers ---- */

static const struct etoken *tok(const struct eparser *p, size_t k)
{
	size_t i = p->pos + k;

	return &p->toks[i < p->ntoks ? i : p->ntoks - 1];
}

static int tok_word(const struct eparser *p, const struct etoken *t, const char *w)
{
	size_t n = strlen(w);

	return t->kind == T_NAME && t->len == n && memcmp(p->q + t->off, w, n) == 0;
}

static int at_word(const struct eparser *p, const char *w)
{
	return tok_word(p, tok(p, 0), w);
}

static int accept_word(struct eparser *p, const char *w)
{
	if (!at_word(p, w))
		return 0;
	p->pos++;
	return 1;
}

static int accept(struct eparser *p, enum etok kind)
{
	if (tok(p, 0)->kind != kind)
		return 0;
	p->pos++;
	return 1;
}

static void expected(struct eparser *p, const char *what)
{
	const struct etoken *t = tok(p, 0);
	char *m = xasprintf("expected %s", what);

	syntax(p, t->off, t->len, m);
	free(m);
}

static int expect(struct eparser *p, enum etok kind, const char *what)
{
	if (accept(p, kind))
		return 1;
	expected(p, what);
	return 0;
}

/* Words that are never a field name. */
static int is_keyword(const struct eparser *p, const struct etoken *t)
{
	static const char *const words[] = {
		"and", "or", "not", "in", "in~", "like", "like~", "regex", "regex~", "where",
		"sequence", "sample", "join", "by", "with", "until", "of", "true", "false",
		"null", NULL,
	};
	const char *const *w;

	for (w = words; *w; w++)
		if (tok_word(p, t, *w))
			return 1;
	return 0;
}

static size_t new_node(struct eparser *p, unsigned kind, size_t tokidx)
{
	struct enode *n;

	if (p->nnodes == p->anodes) {
		p->anodes = p->anodes ? p->anodes * 2 : 64;
		p->nodes = xrealloc(p->nodes, p->anodes * sizeof(*p->nodes));
	}
	n = &p->nodes[p->nnodes];
	memset(n, 0, sizeof(*n));
	n->kind = (unsigned char)kind;
	n->tok = tokidx;
	n->a = n->b = NONE;
	return p->nnodes++;
}

/* A list being read: children gathered here, then copied into kids[] at once. */
struct nlist {
	size_t small[8];
	size_t *v;
	size_t n, alloc;
};

static void nlist_init(struct nlist *l)
{
	l->v = l->small;
	l->n = 0;
	l->alloc = sizeof(l->small) / sizeof(l->small[0]);
}

static void nlist_push(struct nlist *l, size_t x)
{
	if (l->n == l->alloc) {
		l->alloc *= 2;
		if (l->v == l->small) {
			l->v = xmalloc(l->alloc * sizeof(*l->v));
			memcpy(l->v, l->small, sizeof(l->small));
		} else {
			l->v = xrealloc(l->v, l->alloc * sizeof(*l->v));
		}
	}
	l->v[l->n++] = x;
}

/* Give node x the list's children and free the list. */
static void nlist_give(struct eparser *p, size_t x, struct nlist *l)
{
	size_t i;

	if (p->nkids + l->n > p->akids) {
		while (p->nkids + l->n > p->akids)
			p->akids = p->akids ? p->akids * 2 : 64;
		p->kids = xrealloc(p->kids, p->akids * sizeof(*p->kids));
	}
	p->nodes[x].first = p->nkids;
	p->nodes[x].n = l->n;
	for (i = 0; i < l->n; i++)
		p->kids[p->nkids++] = l->v[i];
	if (l->v != l->small)
		free(l->v);
}

static void nlist_drop(struct nlist *l)
{
	if (l->v != l->small)
		free(l->v);
}

static size_t add_name(struct eparser *p, const char *s, size_t n)
{
	size_t at = p->names.len;

	strbuf_add(&p->names, s, n);
	strbuf_addch(&p->names, '\0');
	return at;
}

static const char *name_at(const struct eparser *p, size_t off)
{
	return p->names.buf + off;
}

static int enter(struct eparser *p)
{
	if (p->depth >= EQL_MAX_DEPTH) {
		const struct etoken *t = tok(p, 0);

		if (!p->failed) {
			p->failed = 1;
			qmsg_error(&p->msg, RC_LIMIT, t->off, t->len,
				   "expressions nested deeper than %d", EQL_MAX_DEPTH);
		}
		return 0;
	}
	p->depth++;
	return 1;
}

/* ---- expressions ---- */

static size_t parse_expr(struct eparser *p);
static size_t parse_event_query(struct eparser *p);

/*
 * A field path: ?optional, NAME or `quoted` segments joined by '.', [N]
 * indexes written right after a segment. Kept as one name, the '?' dropped,
 * a quoted segment without its backticks.
 */
static size_t parse_field(struct eparser *p)
{
	struct strbuf sb = STRBUF_INIT;
	size_t start = p->pos, x, prev_end;
	const struct etoken *t;

	accept(p, T_QMARK);
	for (;;) {
		t = tok(p, 0);
		if (t->kind == T_NAME && !is_keyword(p, t) && p->q[t->off + t->len - 1] != '~') {
			strbuf_add(&sb, p->q + t->off, t->len);
		} else if (t->kind == T_BQNAME) {
			size_t i;

			for (i = t->off + 1; i + 1 < t->off + t->len; i++) {
				strbuf_addch(&sb, p->q[i]);
				if (p->q[i] == '`')
					i++;	/* `` is one backtick */
			}
		} else {
			expected(p, "a field name");
			strbuf_release(&sb);
			return NONE;
		}
		p->pos++;
		prev_end = t->off + t->len;
		/* [N] right after the segment: an array index */
		while (tok(p, 0)->kind == T_LBRACK && tok(p, 0)->off == prev_end &&
		       tok(p, 1)->kind == T_NUMBER && tok(p, 2)->kind == T_RBRACK) {
			strbuf_addch(&sb, '[');
			strbuf_add(&sb, p->q + tok(p, 1)->off, tok(p, 1)->len);
			strbuf_addch(&sb, ']');
			prev_end = tok(p, 2)->off + 1;
			p->pos += 3;
		}
		if (tok(p, 0)->kind == T_DOT && tok(p, 0)->off == prev_end) {
			p->pos++;
			strbuf_addch(&sb, '.');
			continue;
		}
		break;
	}
	x = new_node(p, N_FIELD, start);
	p->nodes[x].name = add_name(p, sb.buf, sb.len);
	strbuf_release(&sb);
	return x;
}

/* NAME(args): the name lower-cased, '~' noted. */
static size_t parse_call(struct eparser *p)
{
	const struct etoken *t = tok(p, 0);
	size_t start = p->pos, x, i, n = t->len;
	struct nlist args;
	char name[64];
	int ci = p->q[t->off + n - 1] == '~';

	if (ci)
		n--;
	if (n >= sizeof(name))
		n = sizeof(name) - 1;
	for (i = 0; i < n; i++) {
		char c = p->q[t->off + i];

		name[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	name[n] = '\0';
	p->pos += 2;	/* name ( */
	nlist_init(&args);
	if (!accept(p, T_RPAREN)) {
		for (;;) {
			size_t a = parse_expr(p);

			if (a == NONE) {
				nlist_drop(&args);
				return NONE;
			}
			nlist_push(&args, a);
			if (accept(p, T_COMMA)) {
				if (accept(p, T_RPAREN))
					break;
				continue;
			}
			if (!expect(p, T_RPAREN, "',' or ')' after a function argument")) {
				nlist_drop(&args);
				return NONE;
			}
			break;
		}
	}
	x = new_node(p, N_FUNC, start);
	p->nodes[x].flags = ci ? F_CI : 0;
	p->nodes[x].name = add_name(p, name, n);
	nlist_give(p, x, &args);
	return x;
}

static size_t parse_primary(struct eparser *p)
{
	const struct etoken *t = tok(p, 0);
	size_t x;

	switch (t->kind) {
	case T_STRING:
		p->pos++;
		return new_node(p, N_STRING, p->pos - 1);
	case T_NUMBER:
		p->pos++;
		return new_node(p, N_NUMBER, p->pos - 1);
	case T_LPAREN:
		p->pos++;
		x = parse_expr(p);
		if (x == NONE || !expect(p, T_RPAREN, "')'"))
			return NONE;
		return x;
	case T_NAME:
		if (tok_word(p, t, "true") || tok_word(p, t, "false")) {
			p->pos++;
			x = new_node(p, N_BOOL, p->pos - 1);
			p->nodes[x].op = tok_word(p, t, "true");
			return x;
		}
		if (tok_word(p, t, "null")) {
			p->pos++;
			return new_node(p, N_NULL, p->pos - 1);
		}
		if (tok(p, 1)->kind == T_LPAREN && !is_keyword(p, t))
			return parse_call(p);
		/* descendant of [ ... ], child of, event of */
		if (tok_word(p, tok(p, 1), "of") && tok(p, 2)->kind == T_LBRACK && !is_keyword(p, t)) {
			size_t start = p->pos, ev;

			p->pos += 3;
			ev = parse_event_query(p);
			if (ev == NONE || !expect(p, T_RBRACK, "']' after the subquery"))
				return NONE;
			x = new_node(p, N_SUBQ, start);
			p->nodes[x].name = add_name(p, p->q + t->off, t->len);
			p->nodes[x].a = ev;
			return x;
		}
		return parse_field(p);
	case T_BQNAME:
	case T_QMARK:
		return parse_field(p);
	case T_DOLLAR:
		syntax(p, t->off, t->len, "a $variable, which EQL rules do not use");
		return NONE;
	default:
		expected(p, "a value, a field or '('");
		return NONE;
	}
}

/* sign* primary: a minus before a number is part of it */
static size_t parse_unary(struct eparser *p)
{
	size_t start = p->pos, x;
	int neg = 0, signs = 0;

	while (tok(p, 0)->kind == T_MINUS || tok(p, 0)->kind == T_PLUS) {
		neg ^= tok(p, 0)->kind == T_MINUS;
		signs++;
		p->pos++;
	}
	x = parse_primary(p);
	if (x == NONE || !neg)
		return x;
	if (p->nodes[x].kind == N_NUMBER && signs == 1) {
		p->nodes[x].flags |= F_NEG;
		return x;
	}
	{
		size_t m = new_node(p, N_NEG, start);

		p->nodes[m].a = x;
		return m;
	}
}

static size_t parse_mul(struct eparser *p)
{
	size_t x = parse_unary(p);

	while (x != NONE && (tok(p, 0)->kind == T_STAR || tok(p, 0)->kind == T_SLASH ||
			     tok(p, 0)->kind == T_PERCENT)) {
		size_t op = p->pos++, y = parse_unary(p), m;

		if (y == NONE)
			return NONE;
		m = new_node(p, N_ARITH, op);
		p->nodes[m].op = (unsigned char)p->toks[op].kind;
		p->nodes[m].a = x;
		p->nodes[m].b = y;
		x = m;
	}
	return x;
}

static size_t parse_sum(struct eparser *p)
{
	size_t x = parse_mul(p);

	while (x != NONE && (tok(p, 0)->kind == T_PLUS || tok(p, 0)->kind == T_MINUS)) {
		size_t op = p->pos++, y = parse_mul(p), m;

		if (y == NONE)
			return NONE;
		m = new_node(p, N_ARITH, op);
		p->nodes[m].op = (unsigned char)p->toks[op].kind;
		p->nodes[m].a = x;
		p->nodes[m].b = y;
		x = m;
	}
	return x;
}

/* ( v, v, ... ) with a trailing comma allowed; literals only when lit */
static int parse_list(struct eparser *p, struct nlist *l, int lit)
{
	if (!expect(p, T_LPAREN, "'('"))
		return 0;
	for (;;) {
		size_t v;

		if (lit) {
			const struct etoken *t = tok(p, 0);

			if (t->kind != T_STRING && t->kind != T_NUMBER && t->kind != T_MINUS &&
			    !tok_word(p, t, "true") && !tok_word(p, t, "false") &&
			    !tok_word(p, t, "null")) {
				expected(p, "a string, number, boolean or null");
				return 0;
			}
			v = parse_unary(p);
		} else {
			v = parse_expr(p);
		}
		if (v == NONE)
			return 0;
		nlist_push(l, v);
		if (accept(p, T_COMMA)) {
			if (accept(p, T_RPAREN))
				return 1;
			continue;
		}
		return expect(p, T_RPAREN, "',' or ')' in a list");
	}
}

/* sum [comparison | [not] in (...) | : like like~ regex regex~ value-or-list] */
static size_t parse_term(struct eparser *p)
{
	size_t x = parse_sum(p), opk, y, m;
	const struct etoken *t;
	enum etok k;

	if (x == NONE)
		return NONE;
	t = tok(p, 0);
	k = t->kind;
	if (k == T_EQ || k == T_NE || k == T_LT || k == T_LE || k == T_GT || k == T_GE) {
		opk = p->pos++;
		y = parse_sum(p);
		if (y == NONE)
			return NONE;
		m = new_node(p, N_CMP, opk);
		p->nodes[m].op = (unsigned char)k;
		p->nodes[m].a = x;
		p->nodes[m].b = y;
		return m;
	}
	if (k == T_ASSIGN) {
		syntax(p, t->off, t->len, "'=', which EQL does not take: '==' or ':'");
		return NONE;
	}
	if (tok_word(p, t, "in") || tok_word(p, t, "in~") ||
	    (tok_word(p, t, "not") && (tok_word(p, tok(p, 1), "in") || tok_word(p, tok(p, 1), "in~")))) {
		struct nlist l;
		int neg = accept_word(p, "not");

		opk = p->pos++;
		nlist_init(&l);
		if (!parse_list(p, &l, 0)) {
			nlist_drop(&l);
			return NONE;
		}
		m = new_node(p, N_IN, opk);
		p->nodes[m].flags = (unsigned char)((neg ? F_NEG : 0) |
						    (tok_word(p, &p->toks[opk], "in~") ? F_CI : 0));
		p->nodes[m].a = x;
		nlist_give(p, m, &l);
		return m;
	}
	{
		int sp = k == T_COLON ? SP_COLON : tok_word(p, t, "like") ? SP_LIKE
			: tok_word(p, t, "like~") ? SP_LIKE_CI : tok_word(p, t, "regex") ? SP_REGEX
			: tok_word(p, t, "regex~") ? SP_REGEX_CI : -1;
		struct nlist l;

		if (sp < 0)
			return x;
		opk = p->pos++;
		nlist_init(&l);
		if (tok(p, 0)->kind == T_LPAREN) {
			if (!parse_list(p, &l, 1)) {
				nlist_drop(&l);
				return NONE;
			}
		} else {
			t = tok(p, 0);
			if (t->kind != T_STRING && t->kind != T_NUMBER && t->kind != T_MINUS &&
			    !tok_word(p, t, "true") && !tok_word(p, t, "false") && !tok_word(p, t, "null")) {
				nlist_drop(&l);
				expected(p, "a string or a list of strings");
				return NONE;
			}
			y = parse_unary(p);
			if (y == NONE) {
				nlist_drop(&l);
				return NONE;
			}
			nlist_push(&l, y);
		}
		m = new_node(p, N_STRPRED, opk);
		p->nodes[m].op = (unsigned char)sp;
		p->nodes[m].a = x;
		nlist_give(p, m, &l);
		return m;
	}
}

static size_t parse_not(struct eparser *p)
{
	size_t start = p->pos, x;
	int nots = 0;

	while (at_word(p, "not") && !tok_word(p, tok(p, 1), "in") && !tok_word(p, tok(p, 1), "in~")) {
		p->pos++;
		nots++;
	}
	x = parse_term(p);
	if (x == NONE || nots % 2 == 0)
		return x;
	{
		size_t m = new_node(p, N_NOT, start);

		p->nodes[m].a = x;
		return m;
	}
}

/* one chain of and (or of or): the operands in one node */
static size_t parse_chain(struct eparser *p, const char *word, unsigned kind,
			  size_t (*operand)(struct eparser *))
{
	size_t start = p->pos, x = operand(p), m;
	struct nlist l;

	if (x == NONE || !at_word(p, word))
		return x;
	nlist_init(&l);
	nlist_push(&l, x);
	while (accept_word(p, word)) {
		x = operand(p);
		if (x == NONE) {
			nlist_drop(&l);
			return NONE;
		}
		nlist_push(&l, x);
	}
	m = new_node(p, kind, start);
	nlist_give(p, m, &l);
	return m;
}

static size_t parse_and(struct eparser *p)
{
	return parse_chain(p, "and", N_AND, parse_not);
}

static size_t parse_expr(struct eparser *p)
{
	size_t x;

	if (!enter(p))
		return NONE;
	x = parse_chain(p, "or", N_OR, parse_and);
	p->depth--;
	return x;
}

/* ---- queries ---- */

/* CATEGORY where EXPR; CATEGORY a name, any, or a quoted string */
static size_t parse_event_query(struct eparser *p)
{
	const struct etoken *t = tok(p, 0);
	size_t start = p->pos, x, cond;

	if (!(t->kind == T_NAME && !is_keyword(p, t) && p->q[t->off + t->len - 1] != '~') &&
	    !(t->kind == T_STRING && t->sub != S_SQ)) {
		expected(p, "an event category (process, file, any ...)");
		return NONE;
	}
	p->pos++;
	if (!accept_word(p, "where")) {
		expected(p, "'where' after the event category");
		return NONE;
	}
	cond = parse_expr(p);
	if (cond == NONE)
		return NONE;
	x = new_node(p, N_EVENT, start);
	p->nodes[x].a = cond;
	return x;
}

/* by EXPR, EXPR ... (join keys: read, not kept) */
static int parse_by(struct eparser *p)
{
	if (!accept_word(p, "by"))
		return 1;
	for (;;) {
		if (parse_expr(p) == NONE)
			return 0;
		if (!accept(p, T_COMMA))
			return 1;
	}
}

/* with maxspan=N[unit] | with runs=N */
static int parse_with(struct eparser *p, const char *what)
{
	if (!accept_word(p, "with"))
		return 1;
	if (!accept_word(p, what)) {
		char *m = xasprintf("'%s' after 'with'", what);

		expected(p, m);
		free(m);
		return 0;
	}
	if (!expect(p, T_ASSIGN, "'='") || !expect(p, T_NUMBER, "a number"))
		return 0;
	/* a unit right after the number (30s, 5m) */
	if (tok(p, 0)->kind == T_NAME && tok(p, 0)->off == p->toks[p->pos - 1].off + p->toks[p->pos - 1].len)
		p->pos++;
	return 1;
}

/* [ event query ] or ![ ... ], then by, with runs, fork, as: one step */
static size_t parse_step(struct eparser *p, unsigned kind)
{
	size_t start = p->pos, ev, x;
	int missing = tok(p, 0)->kind == T_MISSING;

	if (!missing && !expect(p, T_LBRACK, "'[' to open a step"))
		return NONE;
	if (missing)
		p->pos++;
	ev = parse_event_query(p);
	if (ev == NONE || !expect(p, T_RBRACK, "']' to close the step"))
		return NONE;
	for (;;) {
		if (at_word(p, "by")) {
			if (!parse_by(p))
				return NONE;
		} else if (at_word(p, "with") && tok_word(p, tok(p, 1), "runs")) {
			if (!parse_with(p, "runs"))
				return NONE;
		} else if (at_word(p, "fork")) {
			p->pos++;
			if (accept(p, T_ASSIGN) && !accept_word(p, "true") && !accept_word(p, "false")) {
				expected(p, "true or false");
				return NONE;
			}
		} else if (at_word(p, "as") && tok(p, 1)->kind == T_NAME) {
			p->pos += 2;
		} else {
			break;
		}
	}
	x = new_node(p, N_STEP, start);
	p->nodes[x].op = (unsigned char)(missing ? STEP_MISSING : kind);
	p->nodes[x].a = ev;
	return x;
}

static size_t parse_sequence(struct eparser *p, unsigned kind)
{
	size_t start = p->pos++, x, s;
	struct nlist steps;

	/* sequence [by ...] [with maxspan=...] [by ...], in either order */
	for (;;) {
		if (at_word(p, "by")) {
			if (!parse_by(p))
				return NONE;
		} else if (at_word(p, "with") && kind != SEQ_SAMPLE) {
			if (!parse_with(p, "maxspan"))
				return NONE;
		} else {
			break;
		}
	}
	nlist_init(&steps);
	while (tok(p, 0)->kind == T_LBRACK || tok(p, 0)->kind == T_MISSING) {
		s = parse_step(p, STEP_PLAIN);
		if (s == NONE) {
			nlist_drop(&steps);
			return NONE;
		}
		nlist_push(&steps, s);
	}
	if (steps.n == 0) {
		nlist_drop(&steps);
		expected(p, "'[' to open the first step");
		return NONE;
	}
	if (kind != SEQ_SAMPLE && accept_word(p, "until")) {
		s = parse_step(p, STEP_UNTIL);
		if (s == NONE) {
			nlist_drop(&steps);
			return NONE;
		}
		p->nodes[s].op = STEP_UNTIL;
		nlist_push(&steps, s);
	}
	x = new_node(p, N_SEQ, start);
	p->nodes[x].op = (unsigned char)kind;
	nlist_give(p, x, &steps);
	return x;
}

/*
 * The whole query: one event query, sequence, sample or join, then pipes.
 * Pipes head and tail only cut the results; any other is noted in
 * *other_pipe (the token of its name) for a partial message.
 */
static size_t parse_query(struct eparser *p, size_t *other_pipe)
{
	size_t x;

	*other_pipe = NONE;
	if (at_word(p, "sequence"))
		x = parse_sequence(p, SEQ_SEQUENCE);
	else if (at_word(p, "sample"))
		x = parse_sequence(p, SEQ_SAMPLE);
	else if (at_word(p, "join"))
		x = parse_sequence(p, SEQ_JOIN);
	else
		x = parse_event_query(p);
	if (x == NONE)
		return NONE;
	while (accept(p, T_PIPE)) {
		const struct etoken *t = tok(p, 0);

		if (t->kind != T_NAME) {
			expected(p, "a pipe name");
			return NONE;
		}
		if (!tok_word(p, t, "head") && !tok_word(p, t, "tail") && *other_pipe == NONE)
			*other_pipe = p->pos;
		p->pos++;
		/* arguments: expressions separated by commas, or none */
		if (tok(p, 0)->kind != T_PIPE && tok(p, 0)->kind != T_END) {
			for (;;) {
				if (parse_expr(p) == NONE)
					return NONE;
				if (!accept(p, T_COMMA))
					break;
			}
		}
	}
	if (tok(p, 0)->kind != T_END) {
		expected(p, "the end of the query, 'and', 'or' or '|'");
		return NONE;
	}
	return x;
}

/* ---- lowering: the syntax tree into the builder's tree ---- */

struct lower {
	struct eparser *p;
	struct pred_builder *pb;
	struct pattern pat;
	struct strbuf lhs, rhs, raw;	/* scratch: rendered field, value, value as written */
	struct pred_extra extras[2];
	size_t nextras;
};

static const struct enode *node(const struct lower *L, size_t x)
{
	return &L->p->nodes[x];
}

static const struct etoken *node_tok(const struct lower *L, size_t x)
{
	return &L->p->toks[node(L, x)->tok];
}

static void unsupported(struct lower *L, size_t x, const char *what)
{
	const struct etoken *t = node_tok(L, x);

	qmsg_error(&L->p->msg, RC_UNSUPPORTED, t->off, t->len, "%s", what);
}

/* A string token's value, escapes resolved, appended to out. */
static void decode_string(const struct eparser *p, const struct etoken *t, struct strbuf *out)
{
	const char *s = p->q + t->off;
	size_t i, n = t->len;

	switch (t->sub) {
	case S_RAW3: {
		/* """ ... """ plus up to two quotes that belong to the text */
		strbuf_add(out, s + 3, n - 6);
		return;
	}
	case S_RAWDQ:
	case S_RAWSQ:
		for (i = 2; i + 1 < n; i++) {
			if (s[i] == '\\' && i + 2 < n && s[i + 1] == s[1])
				i++;
			strbuf_addch(out, s[i]);
		}
		return;
	default:
		break;
	}
	for (i = 1; i + 1 < n; i++) {
		char c = s[i];

		if (c != '\\') {
			strbuf_addch(out, c);
			continue;
		}
		c = s[++i];
		switch (c) {
		case 'n': strbuf_addch(out, '\n'); break;
		case 'r': strbuf_addch(out, '\r'); break;
		case 't': strbuf_addch(out, '\t'); break;
		case 'b': strbuf_addch(out, '\b'); break;
		case 'f': strbuf_addch(out, '\f'); break;
		case 'u': {
			unsigned long cp = 0;
			char u[4];
			size_t k, un;

			for (i += 2; s[i] != '}'; i++)
				cp = cp * 16 + (unsigned long)(is_digit(s[i]) ? s[i] - '0'
							       : (s[i] | 0x20) - 'a' + 10);
			if (cp < 0x80) {
				u[0] = (char)cp;
				un = 1;
			} else if (cp < 0x800) {
				u[0] = (char)(0xC0 | (cp >> 6));
				u[1] = (char)(0x80 | (cp & 0x3F));
				un = 2;
			} else if (cp < 0x10000) {
				u[0] = (char)(0xE0 | (cp >> 12));
				u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
				u[2] = (char)(0x80 | (cp & 0x3F));
				un = 3;
			} else {
				u[0] = (char)(0xF0 | (cp >> 18));
				u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
				u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
				u[3] = (char)(0x80 | (cp & 0x3F));
				un = 4;
			}
			for (k = 0; k < un; k++)
				strbuf_addch(out, u[k]);
			break;
		}
		default: strbuf_addch(out, c); break;	/* \" \' \\ */
		}
	}
}

static int is_literal(const struct enode *n)
{
	return n->kind == N_STRING || n->kind == N_NUMBER || n->kind == N_BOOL || n->kind == N_NULL;
}

/* A number as written, its sign included. */
static void number_text(const struct lower *L, size_t x, struct strbuf *out)
{
	const struct etoken *t = node_tok(L, x);

	if (node(L, x)->flags & F_NEG)
		strbuf_addch(out, '-');
	strbuf_add(out, L->p->q + t->off, t->len);
}

static const char *arith_op(unsigned op)
{
	switch (op) {
	case T_PLUS: return "+";
	case T_MINUS: return "-";
	case T_STAR: return "*";
	case T_SLASH: return "/";
	default: return "%";
	}
}

/*
 * A value expression as text, for a computed predicate's field or value:
 * fields by name, strings in double quotes, calls as written with ", "
 * between arguments, arithmetic spaced with nested arithmetic in parentheses.
 * 0, or -1 when x is not a value (a comparison inside a call).
 */
static int render(const struct lower *L, size_t x, struct strbuf *out)
{
	const struct enode *n = node(L, x);
	const struct etoken *t = node_tok(L, x);
	size_t i;

	switch (n->kind) {
	case N_FIELD:
		strbuf_addstr(out, name_at(L->p, n->name));
		return 0;
	case N_STRING: {
		struct strbuf s = STRBUF_INIT;

		decode_string(L->p, t, &s);
		strbuf_addch(out, '"');
		for (i = 0; i < s.len; i++) {
			if (s.buf[i] == '"' || s.buf[i] == '\\')
				strbuf_addch(out, '\\');
			strbuf_addch(out, s.buf[i]);
		}
		strbuf_addch(out, '"');
		strbuf_release(&s);
		return 0;
	}
	case N_NUMBER:
		number_text(L, x, out);
		return 0;
	case N_BOOL:
		strbuf_addstr(out, n->op ? "true" : "false");
		return 0;
	case N_NULL:
		strbuf_addstr(out, "null");
		return 0;
	case N_FUNC:
		strbuf_add(out, L->p->q + t->off, t->len);
		strbuf_addch(out, '(');
		for (i = 0; i < n->n; i++) {
			if (i)
				strbuf_addstr(out, ", ");
			if (render(L, L->p->kids[n->first + i], out) < 0)
				return -1;
		}
		strbuf_addch(out, ')');
		return 0;
	case N_NEG:
		strbuf_addch(out, '-');
		if (node(L, n->a)->kind == N_ARITH)
			strbuf_addch(out, '(');
		if (render(L, n->a, out) < 0)
			return -1;
		if (node(L, n->a)->kind == N_ARITH)
			strbuf_addch(out, ')');
		return 0;
	case N_ARITH: {
		size_t side[2] = { n->a, n->b };
		int k;

		for (k = 0; k < 2; k++) {
			int paren = node(L, side[k])->kind == N_ARITH;

			if (k)
				strbuf_addf(out, " %s ", arith_op(n->op));
			if (paren)
				strbuf_addch(out, '(');
			if (render(L, side[k], out) < 0)
				return -1;
			if (paren)
				strbuf_addch(out, ')');
		}
		return 0;
	}
	default:
		return -1;
	}
}

/* Functions that give a value (not a filter): a comparison on them is computed. */
static int value_function(const char *name)
{
	static const char *const names[] = {
		"add", "between", "concat", "divide", "indexof", "length", "modulo", "multiply",
		"number", "string", "substring", "subtract", NULL,
	};
	const char *const *n;

	for (n = names; *n; n++)
		if (!strcmp(name, *n))
			return 1;
	return 0;
}

/* The left side of a predicate: a field as written, or an expression as a computed field. */
static int set_lhs(struct lower *L, struct pred_spec *s, size_t x)
{
	const struct enode *n = node(L, x);

	strbuf_reset(&L->lhs);
	if (n->kind == N_FIELD) {
		s->field = name_at(L->p, n->name);
		return 0;
	}
	if (n->kind == N_FUNC && !value_function(name_at(L->p, n->name))) {
		unsupported(L, x, "a function EQL does not define as a value");
		return -1;
	}
	if (render(L, x, &L->lhs) < 0) {
		unsupported(L, x, "an expression that is not a value");
		return -1;
	}
	s->field = L->lhs.buf;
	s->no_raw_field = 1;
	s->computed = 1;
	return 0;
}

static size_t make_leaf(struct lower *L, struct pred_spec *s)
{
	s->extras = L->nextras ? L->extras : NULL;
	s->nextras = L->nextras;
	return pb_leaf(L->pb, s);
}

/* The kinds of value a predicate's right side may hold. */
enum rhs_mode {
	RHS_EQ,		/* ==, in: literal text, no wildcards */
	RHS_WILD,	/* :, like, wildcard(): '*' and '?' */
	RHS_REGEX,	/* regex, match() */
	RHS_CIDR,	/* cidrMatch() */
	RHS_ORDER,	/* <, <=, >, >= */
};

/*
 * One predicate: lhs (a field or an expression) op value. value may be a
 * literal, a field (fieldref) or an expression (a computed fieldref).
 * negated as written (!=, not in); ci for the case-insensitive forms.
 */
static size_t value_leaf(struct lower *L, size_t lhs, enum pred_op op, enum rhs_mode mode,
			 size_t value, int ci, int negated)
{
	const struct enode *v = node(L, value);
	struct pred_spec s;

	pred_spec_init(&s);
	if (set_lhs(L, &s, lhs) < 0)
		return NONE;
	s.op = op;
	s.negated = negated;
	s.ci = ci;
	strbuf_reset(&L->rhs);
	strbuf_reset(&L->raw);
	switch (v->kind) {
	case N_NULL:
		if (mode != RHS_EQ) {
			unsupported(L, value, "null compared other than with == or !=");
			return NONE;
		}
		/* x == null: x does not exist; x != null: it does */
		s.op = PRED_EXISTS;
		s.kind = PV_NONE;
		s.ci = 0;
		s.negated = !negated;
		return make_leaf(L, &s);
	case N_BOOL:
		strbuf_addstr(&L->rhs, v->op ? "true" : "false");
		s.kind = PV_TEXT;
		s.text = L->rhs.buf;
		s.len = L->rhs.len;
		if (mode == RHS_ORDER) {
			unsupported(L, value, "a boolean compared by order");
			return NONE;
		}
		s.op = mode == RHS_REGEX ? PRED_REGEX : mode == RHS_CIDR ? PRED_CIDR : op;
		return make_leaf(L, &s);
	case N_NUMBER:
		number_text(L, value, &L->rhs);
		if (mode == RHS_ORDER) {
			const char *text = L->rhs.buf;
			char *end;

			s.kind = PV_NUMBER;
			errno = 0;
			if (!strpbrk(text, ".eE")) {
				s.integer = strtoll(text, &end, 10);
				s.is_int = errno == 0;
			}
			if (!s.is_int)
				s.number = strtod(text, &end);
			return make_leaf(L, &s);
		}
		/* a number compared for equality is its text, as Sigma gives it */
		s.kind = PV_TEXT;
		s.text = L->rhs.buf;
		s.len = L->rhs.len;
		if (mode == RHS_REGEX)
			s.op = PRED_REGEX;
		else if (mode == RHS_CIDR)
			s.op = PRED_CIDR;
		return make_leaf(L, &s);
	case N_STRING:
		decode_string(L->p, node_tok(L, value), &L->raw);
		s.raw_value = L->raw.buf;
		s.raw_value_len = L->raw.len;
		switch (mode) {
		case RHS_EQ:
			pattern_reset(&L->pat);
			pattern_add_lit(&L->pat, L->raw.buf, L->raw.len);
			s.kind = PV_PATTERN;
			s.pat = &L->pat;
			break;
		case RHS_WILD: {
			size_t i;

			/* EQL has no escape for a wildcard: '*' and '?' always are */
			pattern_reset(&L->pat);
			for (i = 0; i < L->raw.len; i++) {
				char c = L->raw.buf[i];

				if (c == '*' || c == '?')
					pattern_add_wild(&L->pat, c == '*' ? PAT_STAR : PAT_ONE);
				else
					pattern_add_lit(&L->pat, &c, 1);
			}
			s.kind = PV_PATTERN;
			s.pat = &L->pat;
			break;
		}
		case RHS_REGEX:
			s.op = PRED_REGEX;
			s.kind = PV_TEXT;
			s.text = L->raw.buf;
			s.len = L->raw.len;
			s.regex_flags = ci ? "i" : NULL;
			break;
		case RHS_CIDR:
			s.op = PRED_CIDR;
			s.kind = PV_TEXT;
			s.text = L->raw.buf;
			s.len = L->raw.len;
			s.ci = 0;
			break;
		case RHS_ORDER:
			s.kind = PV_TEXT;
			s.text = L->raw.buf;
			s.len = L->raw.len;
			break;
		}
		return make_leaf(L, &s);
	case N_FIELD:
		if (mode == RHS_REGEX || mode == RHS_CIDR) {
			unsupported(L, value, "a field where a pattern is expected");
			return NONE;
		}
		s.kind = PV_FIELD;
		s.text = name_at(L->p, v->name);
		s.len = strlen(s.text);
		return make_leaf(L, &s);
	default:
		if (mode == RHS_REGEX || mode == RHS_CIDR) {
			unsupported(L, value, "an expression where a pattern is expected");
			return NONE;
		}
		if (v->kind == N_FUNC && !value_function(name_at(L->p, v->name))) {
			unsupported(L, value, "a function EQL does not define as a value");
			return NONE;
		}
		if (render(L, value, &L->rhs) < 0) {
			unsupported(L, value, "an expression that is not a value");
			return NONE;
		}
		/* compared with a value the query computes: a computed fieldref */
		s.kind = PV_FIELD;
		s.text = L->rhs.buf;
		s.len = L->rhs.len;
		s.computed = 1;
		return make_leaf(L, &s);
	}
}

static size_t lower(struct lower *L, size_t x);

static enum pred_op cmp_op(unsigned k, int swapped, int *negated)
{
	*negated = 0;
	switch (k) {
	case T_NE: *negated = 1; return PRED_EQ;
	case T_LT: return swapped ? PRED_GT : PRED_LT;
	case T_LE: return swapped ? PRED_GTE : PRED_LTE;
	case T_GT: return swapped ? PRED_LT : PRED_GT;
	case T_GE: return swapped ? PRED_LTE : PRED_GTE;
	default: return PRED_EQ;
	}
}

static size_t lower_cmp(struct lower *L, size_t x)
{
	const struct enode *n = node(L, x);
	size_t lhs = n->a, rhs = n->b;
	int swapped = 0, negated;
	enum pred_op op;

	if (is_literal(node(L, lhs)) && !is_literal(node(L, rhs))) {
		lhs = n->b;
		rhs = n->a;
		swapped = 1;
	}
	if (is_literal(node(L, lhs))) {
		unsupported(L, x, "a comparison of two constants");
		return NONE;
	}
	op = cmp_op(n->op, swapped, &negated);
	return value_leaf(L, lhs, op, op == PRED_EQ ? RHS_EQ : RHS_ORDER, rhs, 0, negated);
}

static size_t lower_list(struct lower *L, enum pred_op op, enum rhs_mode mode, int ci,
			 size_t lhs, size_t first, size_t count)
{
	size_t i, root = NONE, leaf;

	if (count == 0)
		return NONE;
	for (i = 0; i < count; i++) {
		leaf = value_leaf(L, lhs, op, mode, L->p->kids[first + i], ci, 0);
		root = root == NONE ? leaf : pb_or(L->pb, root, leaf);
	}
	return root;
}

/* stringContains(), startsWith(), endsWith(), cidrMatch(), wildcard(), match() as filters */
static size_t lower_call(struct lower *L, size_t x)
{
	const struct enode *n = node(L, x);
	const char *name = name_at(L->p, n->name);
	int ci = (n->flags & F_CI) != 0;
	enum pred_op op;
	enum rhs_mode mode;

	if (!strcmp(name, "stringcontains"))
		op = PRED_CONTAINS, mode = RHS_EQ;
	else if (!strcmp(name, "startswith"))
		op = PRED_STARTS_WITH, mode = RHS_EQ;
	else if (!strcmp(name, "endswith"))
		op = PRED_ENDS_WITH, mode = RHS_EQ;
	else if (!strcmp(name, "cidrmatch"))
		op = PRED_CIDR, mode = RHS_CIDR;
	else if (!strcmp(name, "wildcard"))
		op = PRED_EQ, mode = RHS_WILD;
	else if (!strcmp(name, "match"))
		op = PRED_REGEX, mode = RHS_REGEX;
	else if (!strcmp(name, "arraycontains"))
		op = PRED_EQ, mode = RHS_EQ;
	else if (value_function(name)) {
		unsupported(L, x, "a function that gives a value, used as a filter");
		return NONE;
	} else {
		unsupported(L, x, "a function EQL does not define");
		return NONE;
	}
	if (n->n < 2 || (op != PRED_CIDR && mode != RHS_WILD && op != PRED_REGEX &&
			 strcmp(name, "arraycontains") != 0 && n->n != 2)) {
		unsupported(L, x, "a function called with the wrong number of arguments");
		return NONE;
	}
	return lower_list(L, op, mode, ci, L->p->kids[n->first], n->first + 1, n->n - 1);
}

/* An event query: its category in the context, its filters in the category's scope. */
static size_t lower_event(struct lower *L, size_t x)
{
	static const char *const keys[] = { "category", "language", "type" };
	const struct enode *n = node(L, x);
	const struct etoken *t = node_tok(L, x);
	struct strbuf cat = STRBUF_INIT;
	const char *vals[3];
	size_t root;

	if (t->kind == T_STRING)
		decode_string(L->p, t, &cat);
	else
		strbuf_add(&cat, L->p->q + t->off, t->len);
	pb_context_add(L->pb, "category", cat.buf ? cat.buf : "", cat.len);
	/* the rule's own scope keys (elastic.c) stay, with the category added */
	vals[0] = cat.buf ? cat.buf : "";
	vals[1] = "eql";
	vals[2] = json_string_value(json_object_get(json_object_get(L->p->msg.rule->rec, "context"), "type"));
	pb_scope_push(L->pb, 3, keys, vals, 0);
	root = lower(L, n->a);
	pb_scope_pop(L->pb);
	strbuf_release(&cat);
	return root;
}

/* Mark every leaf made while lowering x with key: value. */
static size_t lower_marked(struct lower *L, size_t x, const char *key, const char *value, size_t n)
{
	size_t root, saved = L->nextras;

	if (L->nextras < sizeof(L->extras) / sizeof(L->extras[0])) {
		L->extras[L->nextras].key = key;
		L->extras[L->nextras].kind = PX_STR;
		L->extras[L->nextras].s = value;
		L->extras[L->nextras].n = n;
		L->nextras++;
	}
	root = lower(L, x);
	L->nextras = saved;
	return root;
}

static size_t lower_seq(struct lower *L, size_t x)
{
	const struct enode *n = node(L, x);
	size_t i, root = NONE;

	if (n->op == SEQ_JOIN)
		unsupported(L, x, "join, which Elasticsearch EQL does not run (its steps are read)");
	for (i = 0; i < n->n; i++) {
		size_t step = L->p->kids[n->first + i], sub;
		unsigned kind = node(L, step)->op;

		if (kind == STEP_PLAIN) {
			sub = lower(L, node(L, step)->a);
		} else {
			const char *role = kind == STEP_MISSING ? "missing" : "until";

			/* events that must not come: their filters negated */
			sub = pb_not(L->pb, lower_marked(L, node(L, step)->a, "step", role, strlen(role)));
		}
		root = pb_and(L->pb, root, sub);
	}
	return root;
}

static size_t lower(struct lower *L, size_t x)
{
	const struct enode *n = node(L, x);
	size_t i, kids[2];

	switch (n->kind) {
	case N_AND:
	case N_OR: {
		size_t *v = xmalloc(n->n * sizeof(*v)), root;

		for (i = 0; i < n->n; i++)
			v[i] = lower(L, L->p->kids[node(L, x)->first + i]);
		root = pb_join(L->pb, node(L, x)->kind == N_AND ? EXPR_AND : EXPR_OR, v, node(L, x)->n);
		free(v);
		return root;
	}
	case N_NOT:
		return pb_not(L->pb, lower(L, n->a));
	case N_CMP:
		return lower_cmp(L, x);
	case N_IN:
		kids[0] = lower_list(L, PRED_EQ, RHS_EQ, (n->flags & F_CI) != 0, n->a, n->first, n->n);
		return n->flags & F_NEG ? pb_not(L->pb, kids[0]) : kids[0];
	case N_STRPRED:
		switch (n->op) {
		case SP_COLON:
			return lower_list(L, PRED_EQ, RHS_WILD, 1, n->a, n->first, n->n);
		case SP_LIKE:
		case SP_LIKE_CI:
			return lower_list(L, PRED_EQ, RHS_WILD, n->op == SP_LIKE_CI, n->a, n->first, n->n);
		default:
			return lower_list(L, PRED_REGEX, RHS_REGEX, n->op == SP_REGEX_CI, n->a, n->first,
					  n->n);
		}
	case N_FUNC:
		return lower_call(L, x);
	case N_SUBQ: {
		const char *rel = name_at(L->p, n->name);
		char relation[64];

		snprintf(relation, sizeof(relation), "%.50s_of", rel);
		return lower_marked(L, n->a, "relation", relation, strlen(relation));
	}
	case N_EVENT:
		return lower_event(L, x);
	case N_SEQ:
		return lower_seq(L, x);
	case N_BOOL:
		if (n->op)
			return NONE;	/* where true: no filter */
		unsupported(L, x, "'false' as a filter");
		return NONE;
	case N_FIELD: {
		/* a field alone is a boolean field that is true */
		struct pred_spec s;

		pred_spec_init(&s);
		s.field = name_at(L->p, n->name);
		s.kind = PV_TEXT;
		s.text = "true";
		s.len = 4;
		return make_leaf(L, &s);
	}
	default:
		unsupported(L, x, "a value where a filter is expected");
		return NONE;
	}
}

/* ---- entry point ---- */

void eql_parse(struct pred_builder *pb, struct rule *r, const char *query, size_t len)
{
	struct eparser p;
	struct lower L;
	size_t root, other_pipe;

	memset(&p, 0, sizeof(p));
	p.q = query;
	p.len = len;
	strbuf_init(&p.names, 256);
	qmsg_init(&p.msg, r, query, len);
	if (qmsg_check_text(&p.msg) < 0 || lex(&p) < 0)
		goto out;
	root = parse_query(&p, &other_pipe);
	if (root == NONE) {
		if (!p.failed)
			syntax(&p, 0, 0, "an empty query");
		goto out;
	}
	memset(&L, 0, sizeof(L));
	L.p = &p;
	L.pb = pb;
	pattern_init(&L.pat);
	strbuf_init(&L.lhs, 64);
	strbuf_init(&L.rhs, 64);
	strbuf_init(&L.raw, 64);
	if (other_pipe != NONE) {
		const struct etoken *t = &p.toks[other_pipe];

		qmsg_error(&p.msg, RC_UNSUPPORTED, t->off, t->len,
			   "a pipe Elasticsearch EQL does not run (only head and tail)");
	}
	pb_emit(pb, lower(&L, root));
	pattern_release(&L.pat);
	strbuf_release(&L.lhs);
	strbuf_release(&L.rhs);
	strbuf_release(&L.raw);
out:
	free(p.toks);
	free(p.nodes);
	free(p.kids);
	strbuf_release(&p.names);
}
