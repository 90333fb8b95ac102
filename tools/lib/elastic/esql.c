/*
 * ES|QL queries into predicates (query.h), read with the grammar of
 * Elasticsearch's ES|QL (EsqlBaseLexer/EsqlBaseParser and the commands'
 * reference): commands separated by '|', keywords in any case.
 *
 * FROM gives the context: its indices (list `index`) and METADATA fields
 * (list `metadata`). WHERE gives the predicates, every WHERE ANDed in order.
 * Commands that make columns declare them computed from where they stand
 * (EVAL, STATS and INLINE STATS: their named values and BY x = ... keys,
 * ROW, GROK and DISSECT: the pattern's names, RENAME: the new name,
 * MV_EXPAND: the expanded column, ENRICH ... WITH: the new names,
 * COMPLETION and CHANGE_POINT: their output columns): a WHERE on such a
 * column afterwards is computed: true, one on a source field before is a
 * real predicate. A plain STATS ... BY field keeps the event's field.
 * KEEP, DROP, SORT, LIMIT and SAMPLE filter nothing and are skipped.
 * LOOKUP JOIN and ENRICH without WITH add columns nobody can name here:
 * read and left alone.
 *
 * Meanings in WHERE:
 *   ==, !=       case-sensitive; =~ ignores case; a number's text
 *   <, <=, >, >= numbers (strings as text)
 *   LIKE         '*' and '?' wildcards, '\' escapes one character; lists
 *   RLIKE        a regular expression as written; lists
 *   IN, NOT IN   one predicate per value; IS [NOT] NULL: exists
 *   field : "q", MATCH(field, "q"), MATCH_PHRASE   match (a full-text match)
 *   STARTS_WITH, ENDS_WITH, CONTAINS, CIDR_MATCH, MV_CONTAINS
 *                starts_with, ends_with, contains, cidr, eq
 *   TO_LOWER(f), TO_UPPER(f)   f compared ignoring case (ci)
 *   TO_STRING, TO_IP, TO_INTEGER, TO_LONG, TO_DOUBLE and x::type around a
 *                field: the field itself
 *   KQL("..."), QSTR("...")    the kuery and Lucene parsers' predicates,
 *                placed where the call stands (under NOT, OR)
 *   any other value (a function, arithmetic, CASE ...)  computed: the
 *                expression as the predicate's field, no raw_field
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "elastic/eql_msg.h"
#include "elastic/query.h"
#include "rule/expr.h"
#include "rule/pattern.h"
#include "rule/predicate.h"
#include "rule/rule.h"

#define ESQL_MAX_DEPTH 200	/* nesting of expressions */
#define ESQL_MAX_COLUMNS 4096	/* computed columns one query may declare */

#define NONE EXPR_NONE

/* ---- tokens ---- */

enum qtok {
	Q_END, Q_NAME, Q_STRING, Q_INT, Q_DEC, Q_PARAM,
	Q_LP, Q_RP, Q_LB, Q_RB, Q_LBRACE, Q_RBRACE, Q_COMMA,
	Q_EQ, Q_CIEQ, Q_NE, Q_LT, Q_LE, Q_GT, Q_GE, Q_ASSIGN, Q_CAST, Q_COLON,
	Q_PLUS, Q_MINUS, Q_STAR, Q_SLASH, Q_PERCENT,
};

struct qtoken {
	enum qtok kind;
	unsigned char raw;	/* Q_STRING: """...""" */
	unsigned char qualified;	/* Q_NAME: has a '.' or a `quoted` part */
	size_t off, len;
	size_t name;		/* Q_NAME: the name without backticks, in names */
};

/* ---- syntax tree ---- */

enum qnode_kind {
	N_FIELD, N_STRING, N_NUMBER, N_QUALNUM, N_BOOL, N_NULL, N_PARAM, N_ARRAY, N_MAP,
	N_FUNC, N_CAST, N_ARITH, N_NEG,
	N_AND, N_OR, N_NOT, N_CMP, N_IN, N_ISNULL, N_LIKE, N_RLIKE, N_MATCH,
};

#define F_NEG 1		/* N_IN, N_LIKE, N_RLIKE: NOT; N_ISNULL: IS NOT; N_NUMBER: minus */
#define F_STAR 2	/* N_FUNC: f(*) */

struct qnode {
	unsigned char kind, op, flags;
	size_t tok, endtok;	/* first and last token, for messages and column names */
	size_t a, b;
	size_t first, n;
	size_t name;		/* N_FIELD, N_FUNC (lower-case), N_CAST (type): offset in names */
};

struct qparser {
	struct qmsg msg;
	const char *q;
	size_t len;
	struct qtoken *toks;
	size_t ntoks, atoks, pos;
	struct qnode *nodes;
	size_t nnodes, anodes;
	size_t *kids;
	size_t nkids, akids;
	struct strbuf names;
	unsigned depth;
	int failed;		/* a syntax error in this command */
	int any_failed;
};

/* ---- messages ---- */

static void syntax(struct qparser *p, size_t off, size_t n, const char *what)
{
	if (p->failed)
		return;
	p->failed = p->any_failed = 1;
	qmsg_error(&p->msg, RC_SYNTAX, off, n, "%s", what);
}

/* ---- lexer ---- */

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_idch(int c)
{
	return is_alpha(c) || is_digit(c) || c == '_';
}

static void push_tok(struct qparser *p, enum qtok kind, size_t off, size_t len)
{
	struct qtoken *t;

	if (p->ntoks == p->atoks) {
		p->atoks = p->atoks ? p->atoks * 2 : 64;
		p->toks = xrealloc(p->toks, p->atoks * sizeof(*p->toks));
	}
	t = &p->toks[p->ntoks++];
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->off = off;
	t->len = len;
}

/* Skip spaces and comments from i; the offset after them (end on an unterminated comment). */
static size_t skip_space(struct qparser *p, size_t i, size_t end)
{
	const char *q = p->q;

	for (;;) {
		while (i < end && (q[i] == ' ' || q[i] == '\t' || q[i] == '\n' || q[i] == '\r'))
			i++;
		if (i + 1 < end && q[i] == '/' && q[i + 1] == '/') {
			while (i < end && q[i] != '\n')
				i++;
			continue;
		}
		if (i + 1 < end && q[i] == '/' && q[i + 1] == '*') {
			size_t j = i + 2;

			while (j + 1 < end && !(q[j] == '*' && q[j + 1] == '/'))
				j++;
			if (j + 1 >= end) {
				syntax(p, i, 2, "an unterminated comment");
				return end;
			}
			i = j + 2;
			continue;
		}
		return i;
	}
}

/*
 * A string at i: the offset past it, or 0 (syntax error). "..." takes \t \n
 * \r \" \\ and no line break; """...""" takes nothing, and up to two more
 * quotes after its closing three belong to it.
 */
static size_t lex_string(struct qparser *p, size_t i, size_t end, int *raw)
{
	const char *q = p->q;
	size_t j;

	if (i + 2 < end && q[i + 1] == '"' && q[i + 2] == '"') {
		for (j = i + 3; j + 2 < end; j++)
			if (q[j] == '"' && q[j + 1] == '"' && q[j + 2] == '"')
				break;
		if (j + 2 >= end) {
			syntax(p, i, end - i, "an unterminated \"\"\"raw\"\"\" string");
			return 0;
		}
		j += 3;
		if (j < end && q[j] == '"')
			j++;
		if (j < end && q[j] == '"')
			j++;
		*raw = 1;
		return j;
	}
	*raw = 0;
	for (j = i + 1; j < end && q[j] != '"'; j++) {
		if (q[j] == '\n' || q[j] == '\r') {
			syntax(p, i, j - i, "a line break inside a string");
			return 0;
		}
		if (q[j] == '\\') {
			if (j + 1 < end && strchr("tnr\"\\", q[j + 1]) && q[j + 1]) {
				j++;
				continue;
			}
			syntax(p, j, 2, "an escape that ES|QL does not know");
			return 0;
		}
	}
	if (j >= end) {
		syntax(p, i, end - i, "an unterminated string");
		return 0;
	}
	return j + 1;
}

/* One identifier at i (plain or `quoted`), its text added to the names pool; the offset after it. */
static size_t lex_ident(struct qparser *p, size_t i, size_t end, int *quoted)
{
	const char *q = p->q;
	size_t j;

	if (q[i] == '`') {
		for (j = i + 1; j < end; j++) {
			if (q[j] == '`') {
				if (j + 1 < end && q[j + 1] == '`') {
					strbuf_addch(&p->names, '`');
					j++;
					continue;
				}
				break;
			}
			strbuf_addch(&p->names, q[j]);
		}
		if (j >= end || j == i + 1) {
			syntax(p, i, j - i, "an unterminated or empty `quoted` name");
			return 0;
		}
		*quoted = 1;
		return j + 1;
	}
	for (j = i; j < end && (is_idch((unsigned char)q[j]) || (j == i && q[j] == '@')); j++)
		strbuf_addch(&p->names, q[j]);
	return j;
}

static int ident_start(const char *q, size_t i, size_t end)
{
	unsigned char c = (unsigned char)q[i];

	if (is_alpha(c) || c == '`')
		return 1;
	return (c == '_' || c == '@') && i + 1 < end && is_idch((unsigned char)q[i + 1]);
}

/* The tokens of query[start, end) (one command's arguments), ending with Q_END. */
static int lex(struct qparser *p, size_t start, size_t end)
{
	const char *q = p->q;
	size_t i = start;

	p->ntoks = 0;
	p->pos = 0;
	while (!p->failed) {
		unsigned char c;
		size_t j;

		i = skip_space(p, i, end);
		if (i >= end || p->failed)
			break;
		c = (unsigned char)q[i];
		if (ident_start(q, i, end)) {
			size_t at = p->names.len;
			int quoted = 0, dotted = 0;

			j = lex_ident(p, i, end, &quoted);
			/* a.b.`c`: one qualified name */
			while (j && j + 1 < end && q[j] == '.' && ident_start(q, j + 1, end)) {
				strbuf_addch(&p->names, '.');
				dotted = 1;
				j = lex_ident(p, j + 1, end, &quoted);
			}
			if (!j)
				break;
			strbuf_addch(&p->names, '\0');
			push_tok(p, Q_NAME, i, j - i);
			p->toks[p->ntoks - 1].name = at;
			p->toks[p->ntoks - 1].qualified = (unsigned char)(quoted || dotted);
			i = j;
			continue;
		}
		if (is_digit(c) || (c == '.' && i + 1 < end && is_digit((unsigned char)q[i + 1]))) {
			int dec = 0;

			j = i;
			while (j < end && is_digit((unsigned char)q[j]))
				j++;
			if (j < end && q[j] == '.' && !(j + 1 < end && ident_start(q, j + 1, end) &&
							!(q[j + 1] == 'e' || q[j + 1] == 'E'))) {
				dec = 1;
				j++;
				while (j < end && is_digit((unsigned char)q[j]))
					j++;
			}
			if (j < end && (q[j] == 'e' || q[j] == 'E')) {
				size_t k = j + 1;

				if (k < end && (q[k] == '+' || q[k] == '-'))
					k++;
				if (k < end && is_digit((unsigned char)q[k])) {
					while (k < end && is_digit((unsigned char)q[k]))
						k++;
					j = k;
					dec = 1;
				}
			}
			push_tok(p, dec ? Q_DEC : Q_INT, i, j - i);
			i = j;
			continue;
		}
		if (c == '"') {
			int raw;

			j = lex_string(p, i, end, &raw);
			if (!j)
				break;
			push_tok(p, Q_STRING, i, j - i);
			p->toks[p->ntoks - 1].raw = (unsigned char)raw;
			i = j;
			continue;
		}
		j = i + 1;
		switch (c) {
		case '(': push_tok(p, Q_LP, i, 1); break;
		case ')': push_tok(p, Q_RP, i, 1); break;
		case '[': push_tok(p, Q_LB, i, 1); break;
		case ']': push_tok(p, Q_RB, i, 1); break;
		case '{': push_tok(p, Q_LBRACE, i, 1); break;
		case '}': push_tok(p, Q_RBRACE, i, 1); break;
		case ',': push_tok(p, Q_COMMA, i, 1); break;
		case '+': push_tok(p, Q_PLUS, i, 1); break;
		case '-': push_tok(p, Q_MINUS, i, 1); break;
		case '*': push_tok(p, Q_STAR, i, 1); break;
		case '/': push_tok(p, Q_SLASH, i, 1); break;
		case '%': push_tok(p, Q_PERCENT, i, 1); break;
		case '?':
			while (j < end && is_idch((unsigned char)q[j]))
				j++;
			push_tok(p, Q_PARAM, i, j - i);
			break;
		case ':':
			if (j < end && q[j] == ':') {
				push_tok(p, Q_CAST, i, 2);
				j++;
			} else {
				push_tok(p, Q_COLON, i, 1);
			}
			break;
		case '=':
			if (j < end && q[j] == '=') {
				push_tok(p, Q_EQ, i, 2);
				j++;
			} else if (j < end && q[j] == '~') {
				push_tok(p, Q_CIEQ, i, 2);
				j++;
			} else {
				push_tok(p, Q_ASSIGN, i, 1);
			}
			break;
		case '!':
			if (j < end && q[j] == '=') {
				push_tok(p, Q_NE, i, 2);
				j++;
			} else {
				syntax(p, i, 1, "'!' that is not '!='");
			}
			break;
		case '<':
		case '>':
			if (j < end && q[j] == '=') {
				push_tok(p, c == '<' ? Q_LE : Q_GE, i, 2);
				j++;
			} else {
				push_tok(p, c == '<' ? Q_LT : Q_GT, i, 1);
			}
			break;
		default:
			syntax(p, i, 1, "a character ES|QL does not use here");
			break;
		}
		i = j;
	}
	push_tok(p, Q_END, end, 0);
	return p->failed ? -1 : 0;
}

/* ---- parser helpers ---- */

static const struct qtoken *tok(const struct qparser *p, size_t k)
{
	size_t i = p->pos + k;

	return &p->toks[i < p->ntoks ? i : p->ntoks - 1];
}

static const char *name_at(const struct qparser *p, size_t off)
{
	return p->names.buf + off;
}

/* An unqualified name spelled w, in any case. */
static int tok_word(const struct qparser *p, const struct qtoken *t, const char *w)
{
	size_t n = strlen(w);

	return t->kind == Q_NAME && !t->qualified && t->len == n && strncasecmp(p->q + t->off, w, n) == 0;
}

static int at_word(const struct qparser *p, const char *w)
{
	return tok_word(p, tok(p, 0), w);
}

static int accept_word(struct qparser *p, const char *w)
{
	if (!at_word(p, w))
		return 0;
	p->pos++;
	return 1;
}

static int accept(struct qparser *p, enum qtok kind)
{
	if (tok(p, 0)->kind != kind)
		return 0;
	p->pos++;
	return 1;
}

static void expected(struct qparser *p, const char *what)
{
	const struct qtoken *t = tok(p, 0);
	char *m = xasprintf("expected %s", what);

	syntax(p, t->off, t->len, m);
	free(m);
}

static int expect(struct qparser *p, enum qtok kind, const char *what)
{
	if (accept(p, kind))
		return 1;
	expected(p, what);
	return 0;
}

static int is_keyword(const struct qparser *p, const struct qtoken *t)
{
	static const char *const words[] = {
		"and", "or", "not", "in", "is", "null", "like", "rlike", "true", "false", "by",
		"where", "as", "on", "with", "asc", "desc", "nulls", NULL,
	};
	const char *const *w;

	for (w = words; *w; w++)
		if (tok_word(p, t, *w))
			return 1;
	return 0;
}

static size_t new_node(struct qparser *p, unsigned kind, size_t first)
{
	struct qnode *n;

	if (p->nnodes == p->anodes) {
		p->anodes = p->anodes ? p->anodes * 2 : 64;
		p->nodes = xrealloc(p->nodes, p->anodes * sizeof(*p->nodes));
	}
	n = &p->nodes[p->nnodes];
	memset(n, 0, sizeof(*n));
	n->kind = (unsigned char)kind;
	n->tok = first;
	n->endtok = p->pos ? p->pos - 1 : 0;
	n->a = n->b = NONE;
	return p->nnodes++;
}

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

static void nlist_drop(struct nlist *l)
{
	if (l->v != l->small)
		free(l->v);
}

static void nlist_give(struct qparser *p, size_t x, struct nlist *l)
{
	size_t i;

	while (p->nkids + l->n > p->akids) {
		p->akids = p->akids ? p->akids * 2 : 64;
		p->kids = xrealloc(p->kids, p->akids * sizeof(*p->kids));
	}
	p->nodes[x].first = p->nkids;
	p->nodes[x].n = l->n;
	for (i = 0; i < l->n; i++)
		p->kids[p->nkids++] = l->v[i];
	nlist_drop(l);
}

static size_t add_name(struct qparser *p, const char *s, size_t n)
{
	size_t at = p->names.len;

	strbuf_add(&p->names, s, n);
	strbuf_addch(&p->names, '\0');
	return at;
}

static int enter(struct qparser *p)
{
	if (p->depth >= ESQL_MAX_DEPTH) {
		const struct qtoken *t = tok(p, 0);

		if (!p->failed) {
			p->failed = p->any_failed = 1;
			qmsg_error(&p->msg, RC_LIMIT, t->off, t->len,
				   "expressions nested deeper than %d", ESQL_MAX_DEPTH);
		}
		return 0;
	}
	p->depth++;
	return 1;
}

/* ---- expressions ---- */

static size_t parse_bool(struct qparser *p);

/* { "key": constant, ... } (function options): read, not kept */
static size_t parse_map(struct qparser *p)
{
	size_t start = p->pos++;

	if (!accept(p, Q_RBRACE)) {
		for (;;) {
			if (!expect(p, Q_STRING, "a quoted option name") || !expect(p, Q_COLON, "':'"))
				return NONE;
			if (tok(p, 0)->kind == Q_LBRACE) {
				if (parse_map(p) == NONE)
					return NONE;
			} else if (parse_bool(p) == NONE) {
				return NONE;
			}
			if (accept(p, Q_COMMA))
				continue;
			if (!expect(p, Q_RBRACE, "',' or '}'"))
				return NONE;
			break;
		}
	}
	return new_node(p, N_MAP, start);
}

static size_t parse_call(struct qparser *p)
{
	const struct qtoken *t = tok(p, 0);
	size_t start = p->pos, x, i, n = t->len;
	struct nlist args;
	char name[64];
	int star = 0;

	if (n >= sizeof(name))
		n = sizeof(name) - 1;
	for (i = 0; i < n; i++) {
		char c = p->q[t->off + i];

		name[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	name[n] = '\0';
	p->pos += 2;
	nlist_init(&args);
	if (tok(p, 0)->kind == Q_STAR && tok(p, 1)->kind == Q_RP) {
		p->pos += 2;
		star = 1;
	} else if (!accept(p, Q_RP)) {
		for (;;) {
			size_t a = tok(p, 0)->kind == Q_LBRACE ? parse_map(p) : parse_bool(p);

			if (a == NONE) {
				nlist_drop(&args);
				return NONE;
			}
			nlist_push(&args, a);
			/* FIRST(value BY sort) and LAST(...) */
			if (accept_word(p, "by"))
				continue;
			if (accept(p, Q_COMMA))
				continue;
			if (!expect(p, Q_RP, "',' or ')' after a function argument")) {
				nlist_drop(&args);
				return NONE;
			}
			break;
		}
	}
	x = new_node(p, N_FUNC, start);
	p->nodes[x].flags = star ? F_STAR : 0;
	p->nodes[x].name = add_name(p, name, n);
	nlist_give(p, x, &args);
	return x;
}

static size_t parse_constant_list(struct qparser *p)
{
	size_t start = p->pos++, x;
	struct nlist l;

	nlist_init(&l);
	if (!accept(p, Q_RB)) {
		for (;;) {
			size_t v = parse_bool(p);

			if (v == NONE) {
				nlist_drop(&l);
				return NONE;
			}
			nlist_push(&l, v);
			if (accept(p, Q_COMMA))
				continue;
			if (!expect(p, Q_RB, "',' or ']'")) {
				nlist_drop(&l);
				return NONE;
			}
			break;
		}
	}
	x = new_node(p, N_ARRAY, start);
	nlist_give(p, x, &l);
	return x;
}

static size_t parse_primary(struct qparser *p)
{
	const struct qtoken *t = tok(p, 0);
	size_t x = NONE, start = p->pos;

	switch (t->kind) {
	case Q_STRING:
		p->pos++;
		x = new_node(p, N_STRING, start);
		break;
	case Q_INT:
	case Q_DEC:
		p->pos++;
		/* 1 day, 15 minutes: a time span */
		if (t->kind == Q_INT && tok(p, 0)->kind == Q_NAME && !tok(p, 0)->qualified &&
		    !is_keyword(p, tok(p, 0)) && tok(p, 1)->kind != Q_LP) {
			p->pos++;
			x = new_node(p, N_QUALNUM, start);
		} else {
			x = new_node(p, N_NUMBER, start);
		}
		break;
	case Q_PARAM:
		p->pos++;
		x = new_node(p, N_PARAM, start);
		break;
	case Q_LB:
		x = parse_constant_list(p);
		break;
	case Q_LP:
		p->pos++;
		x = parse_bool(p);
		if (x == NONE || !expect(p, Q_RP, "')'"))
			return NONE;
		break;
	case Q_NAME:
		if (tok_word(p, t, "true") || tok_word(p, t, "false")) {
			p->pos++;
			x = new_node(p, N_BOOL, start);
			p->nodes[x].op = tok_word(p, t, "true");
		} else if (tok_word(p, t, "null")) {
			p->pos++;
			x = new_node(p, N_NULL, start);
		} else if (!t->qualified && tok(p, 1)->kind == Q_LP && !is_keyword(p, t)) {
			x = parse_call(p);
		} else if (!is_keyword(p, t)) {
			p->pos++;
			x = new_node(p, N_FIELD, start);
			p->nodes[x].name = t->name;
		} else {
			expected(p, "a value, a field or '('");
			return NONE;
		}
		break;
	default:
		expected(p, "a value, a field or '('");
		return NONE;
	}
	if (x == NONE)
		return NONE;
	/* x::type */
	while (tok(p, 0)->kind == Q_CAST) {
		size_t c;

		p->pos++;
		if (tok(p, 0)->kind != Q_NAME) {
			expected(p, "a type after '::'");
			return NONE;
		}
		p->pos++;
		c = new_node(p, N_CAST, start);
		p->nodes[c].a = x;
		p->nodes[c].name = p->toks[p->pos - 1].name;
		x = c;
	}
	return x;
}

static size_t parse_unary(struct qparser *p)
{
	size_t start = p->pos, x;
	int neg = 0, signs = 0;

	while (tok(p, 0)->kind == Q_MINUS || tok(p, 0)->kind == Q_PLUS) {
		neg ^= tok(p, 0)->kind == Q_MINUS;
		signs++;
		p->pos++;
	}
	x = parse_primary(p);
	if (x == NONE || !neg)
		return x;
	if (p->nodes[x].kind == N_NUMBER && signs == 1) {
		p->nodes[x].flags |= F_NEG;
		p->nodes[x].tok = start;
		return x;
	}
	{
		size_t m = new_node(p, N_NEG, start);

		p->nodes[m].a = x;
		return m;
	}
}

static size_t parse_binary(struct qparser *p, int level)
{
	size_t start = p->pos;
	size_t x = level ? parse_binary(p, 0) : parse_unary(p);

	for (;;) {
		enum qtok k = tok(p, 0)->kind;
		size_t y, m;

		if (x == NONE)
			return NONE;
		if (level ? !(k == Q_PLUS || k == Q_MINUS)
			  : !(k == Q_STAR || k == Q_SLASH || k == Q_PERCENT))
			return x;
		p->pos++;
		y = level ? parse_binary(p, 0) : parse_unary(p);
		if (y == NONE)
			return NONE;
		m = new_node(p, N_ARITH, start);
		p->nodes[m].op = (unsigned char)k;
		p->nodes[m].a = x;
		p->nodes[m].b = y;
		x = m;
	}
}

static size_t parse_operator(struct qparser *p)
{
	return parse_binary(p, 1);
}

/* "pattern" or ("p1", "p2") after LIKE / RLIKE */
static int parse_patterns(struct qparser *p, struct nlist *l)
{
	int list = accept(p, Q_LP);

	for (;;) {
		if (tok(p, 0)->kind != Q_STRING) {
			expected(p, "a quoted pattern");
			return 0;
		}
		nlist_push(l, new_node(p, N_STRING, p->pos++));
		if (!list)
			return 1;
		if (accept(p, Q_COMMA))
			continue;
		return expect(p, Q_RP, "',' or ')'");
	}
}

/* operatorExpression [comparison | [NOT] IN (...) | IS [NOT] NULL | [NOT] LIKE/RLIKE | : q] */
static size_t parse_predicate(struct qparser *p)
{
	size_t start = p->pos, x = parse_operator(p), m, y;
	const struct qtoken *t;
	enum qtok k;
	int neg;

	if (x == NONE)
		return NONE;
	t = tok(p, 0);
	k = t->kind;
	if (k == Q_EQ || k == Q_CIEQ || k == Q_NE || k == Q_LT || k == Q_LE || k == Q_GT || k == Q_GE) {
		p->pos++;
		y = parse_operator(p);
		if (y == NONE)
			return NONE;
		m = new_node(p, N_CMP, start);
		p->nodes[m].op = (unsigned char)k;
		p->nodes[m].a = x;
		p->nodes[m].b = y;
		return m;
	}
	if (k == Q_COLON) {
		p->pos++;
		y = parse_primary(p);
		if (y == NONE)
			return NONE;
		m = new_node(p, N_MATCH, start);
		p->nodes[m].a = x;
		p->nodes[m].b = y;
		return m;
	}
	if (at_word(p, "is")) {
		p->pos++;
		neg = accept_word(p, "not");
		if (!accept_word(p, "null")) {
			expected(p, "NULL after IS");
			return NONE;
		}
		m = new_node(p, N_ISNULL, start);
		p->nodes[m].flags = neg ? F_NEG : 0;
		p->nodes[m].a = x;
		return m;
	}
	neg = 0;
	if (at_word(p, "not") && (tok_word(p, tok(p, 1), "in") || tok_word(p, tok(p, 1), "like") ||
				   tok_word(p, tok(p, 1), "rlike"))) {
		p->pos++;
		neg = 1;
	}
	if (accept_word(p, "in")) {
		struct nlist l;

		if (!expect(p, Q_LP, "'(' after IN"))
			return NONE;
		nlist_init(&l);
		for (;;) {
			y = parse_operator(p);
			if (y == NONE) {
				nlist_drop(&l);
				return NONE;
			}
			nlist_push(&l, y);
			if (accept(p, Q_COMMA))
				continue;
			if (!expect(p, Q_RP, "',' or ')' in a list")) {
				nlist_drop(&l);
				return NONE;
			}
			break;
		}
		m = new_node(p, N_IN, start);
		p->nodes[m].flags = neg ? F_NEG : 0;
		p->nodes[m].a = x;
		nlist_give(p, m, &l);
		return m;
	}
	if (at_word(p, "like") || at_word(p, "rlike")) {
		int regex = at_word(p, "rlike");
		struct nlist l;

		p->pos++;
		nlist_init(&l);
		if (!parse_patterns(p, &l)) {
			nlist_drop(&l);
			return NONE;
		}
		m = new_node(p, regex ? N_RLIKE : N_LIKE, start);
		p->nodes[m].flags = neg ? F_NEG : 0;
		p->nodes[m].a = x;
		nlist_give(p, m, &l);
		return m;
	}
	return x;
}

static size_t parse_not(struct qparser *p)
{
	size_t start = p->pos, x;
	int nots = 0;

	while (at_word(p, "not")) {
		p->pos++;
		nots++;
	}
	x = parse_predicate(p);
	if (x == NONE || nots % 2 == 0)
		return x;
	{
		size_t m = new_node(p, N_NOT, start);

		p->nodes[m].a = x;
		return m;
	}
}

static size_t parse_chain(struct qparser *p, const char *word, unsigned kind,
			  size_t (*operand)(struct qparser *))
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

static size_t parse_and(struct qparser *p)
{
	return parse_chain(p, "and", N_AND, parse_not);
}

static size_t parse_bool(struct qparser *p)
{
	size_t x;

	if (!enter(p))
		return NONE;
	x = parse_chain(p, "or", N_OR, parse_and);
	p->depth--;
	return x;
}

/* ---- the query ---- */

struct esql {
	struct qparser p;
	struct pred_builder *pb;
	struct rule *rule;
	size_t root;
	size_t columns;		/* computed columns declared */
	int capped;
	/* lowering scratch */
	struct pattern pat;
	struct strbuf lhs, rhs, raw;
};

static const struct qnode *node(const struct esql *E, size_t x)
{
	return &E->p.nodes[x];
}

static const struct qtoken *node_tok(const struct esql *E, size_t x)
{
	return &E->p.toks[node(E, x)->tok];
}

static void unsupported(struct esql *E, size_t x, const char *what)
{
	const struct qtoken *t = node_tok(E, x);

	qmsg_error(&E->p.msg, RC_UNSUPPORTED, t->off, t->len, "%s", what);
}

static void declare(struct esql *E, const char *name, size_t n)
{
	if (n == 0)
		return;
	if (E->columns >= ESQL_MAX_COLUMNS) {
		if (!E->capped)
			rule_error_at(E->rule, 0, 0, PARSE_PARTIAL, RC_LIMIT,
				      "query: more than %d computed columns; the rest are not followed",
				      ESQL_MAX_COLUMNS);
		E->capped = 1;
		return;
	}
	E->columns++;
	pb_computed(E->pb, name, n);
}

/* The source text of tokens [first, last] of the current command. */
static void span_text(const struct esql *E, size_t first, size_t last, struct strbuf *out)
{
	const struct qtoken *a = &E->p.toks[first], *b = &E->p.toks[last];

	if (b->off + b->len > a->off)
		strbuf_add(out, E->p.q + a->off, b->off + b->len - a->off);
}

static void decode_string(const struct esql *E, const struct qtoken *t, struct strbuf *out)
{
	const char *s = E->p.q + t->off;
	size_t i;

	if (t->raw) {
		strbuf_add(out, s + 3, t->len - 6);
		return;
	}
	for (i = 1; i + 1 < t->len; i++) {
		char c = s[i];

		if (c == '\\') {
			c = s[++i];
			c = c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c;
		}
		strbuf_addch(out, c);
	}
}

/* A value expression as text: names, quoted strings, calls as name(args), spaced operators. */
static int render(const struct esql *E, size_t x, struct strbuf *out)
{
	const struct qnode *n = node(E, x);
	const struct qtoken *t = node_tok(E, x);
	size_t i;

	switch (n->kind) {
	case N_FIELD:
		strbuf_addstr(out, name_at(&E->p, n->name));
		return 0;
	case N_STRING: {
		struct strbuf s = STRBUF_INIT;

		decode_string(E, t, &s);
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
	case N_QUALNUM:
	case N_PARAM:
		span_text(E, n->tok, n->endtok, out);
		return 0;
	case N_BOOL:
		strbuf_addstr(out, n->op ? "true" : "false");
		return 0;
	case N_NULL:
		strbuf_addstr(out, "null");
		return 0;
	case N_ARRAY:
	case N_FUNC:
		if (n->kind == N_FUNC)
			strbuf_add(out, E->p.q + t->off, t->len);
		strbuf_addch(out, n->kind == N_FUNC ? '(' : '[');
		if (n->flags & F_STAR)
			strbuf_addch(out, '*');
		for (i = 0; i < n->n; i++) {
			if (i)
				strbuf_addstr(out, ", ");
			if (render(E, E->p.kids[n->first + i], out) < 0)
				return -1;
		}
		strbuf_addch(out, n->kind == N_FUNC ? ')' : ']');
		return 0;
	case N_MAP:
		strbuf_addstr(out, "{...}");
		return 0;
	case N_CAST:
		if (render(E, n->a, out) < 0)
			return -1;
		strbuf_addf(out, "::%s", name_at(&E->p, n->name));
		return 0;
	case N_NEG:
		strbuf_addch(out, '-');
		return render(E, n->a, out);
	case N_ARITH: {
		static const char *const ops[] = {
			[Q_PLUS] = " + ", [Q_MINUS] = " - ", [Q_STAR] = " * ",
			[Q_SLASH] = " / ", [Q_PERCENT] = " % ",
		};
		size_t side[2] = { n->a, n->b };
		int k;

		for (k = 0; k < 2; k++) {
			int paren = node(E, side[k])->kind == N_ARITH;

			if (k)
				strbuf_addstr(out, ops[n->op]);
			if (paren)
				strbuf_addch(out, '(');
			if (render(E, side[k], out) < 0)
				return -1;
			if (paren)
				strbuf_addch(out, ')');
		}
		return 0;
	}
	default:
		/* a condition used as a value (CASE(a == 1, ...)): its source text */
		span_text(E, n->tok, n->endtok, out);
		return 0;
	}
}

/*
 * The field under value x, seen through conversions that keep the event's
 * value: TO_LOWER/TO_UPPER (setting *ci), TO_STRING, TO_IP, TO_INTEGER,
 * TO_LONG, TO_DOUBLE and ::casts. NONE when x is not such a field.
 */
static size_t field_under(const struct esql *E, size_t x, int *ci)
{
	static const char *const same[] = {
		"to_string", "to_str", "to_ip", "to_integer", "to_int", "to_long", "to_double",
		"to_dbl", NULL,
	};

	for (;;) {
		const struct qnode *n = node(E, x);
		const char *name;
		const char *const *s;

		if (n->kind == N_FIELD)
			return x;
		if (n->kind == N_CAST) {
			x = n->a;
			continue;
		}
		if (n->kind != N_FUNC || n->n != 1)
			return NONE;
		name = name_at(&E->p, n->name);
		if (!strcmp(name, "to_lower") || !strcmp(name, "to_upper")) {
			*ci = 1;
			x = E->p.kids[n->first];
			continue;
		}
		for (s = same; *s && strcmp(*s, name); s++)
			;
		if (!*s)
			return NONE;
		x = E->p.kids[n->first];
	}
}

static int is_literal(const struct qnode *n)
{
	return n->kind == N_STRING || n->kind == N_NUMBER || n->kind == N_BOOL || n->kind == N_NULL ||
		n->kind == N_QUALNUM;
}

/* The predicate's left side: a field (through conversions) or a computed expression. */
static int set_lhs(struct esql *E, struct pred_spec *s, size_t x)
{
	int ci = 0;
	size_t f = field_under(E, x, &ci);

	strbuf_reset(&E->lhs);
	if (f != NONE) {
		s->field = name_at(&E->p, node(E, f)->name);
		s->ci |= ci;
		return 0;
	}
	if (render(E, x, &E->lhs) < 0) {
		unsupported(E, x, "an expression that is not a value");
		return -1;
	}
	s->field = E->lhs.buf;
	s->no_raw_field = 1;
	s->computed = 1;
	return 0;
}

enum rhs_mode { RHS_EQ, RHS_LIKE, RHS_REGEX, RHS_CIDR, RHS_ORDER, RHS_MATCH };

/* lhs op value: one leaf (see the header for the meanings). */
static size_t value_leaf(struct esql *E, size_t lhs, enum pred_op op, enum rhs_mode mode,
			 size_t value, int ci, int negated)
{
	const struct qnode *v = node(E, value);
	struct pred_spec s;
	size_t i;

	pred_spec_init(&s);
	s.ci = ci;
	if (set_lhs(E, &s, lhs) < 0)
		return NONE;
	s.op = op;
	s.negated = negated;
	strbuf_reset(&E->rhs);
	strbuf_reset(&E->raw);
	switch (v->kind) {
	case N_NULL:
		/* x == null is null in ES|QL, never true: IS NULL is the test */
		unsupported(E, value, "a comparison with null, which is never true (IS NULL is)");
		return NONE;
	case N_BOOL:
	case N_NUMBER:
		if (v->kind == N_BOOL)
			strbuf_addstr(&E->rhs, v->op ? "true" : "false");
		else
			render(E, value, &E->rhs);
		if (mode == RHS_ORDER && v->kind == N_NUMBER) {
			char *end;

			s.kind = PV_NUMBER;
			errno = 0;
			if (!strpbrk(E->rhs.buf, ".eE")) {
				s.integer = strtoll(E->rhs.buf, &end, 10);
				s.is_int = errno == 0;
			}
			if (!s.is_int)
				s.number = strtod(E->rhs.buf, &end);
			return pb_leaf(E->pb, &s);
		}
		s.kind = PV_TEXT;
		s.text = E->rhs.buf;
		s.len = E->rhs.len;
		if (mode == RHS_MATCH)
			s.op = PRED_MATCH;
		return pb_leaf(E->pb, &s);
	case N_STRING:
		decode_string(E, node_tok(E, value), &E->raw);
		s.raw_value = E->raw.buf;
		s.raw_value_len = E->raw.len;
		pattern_reset(&E->pat);
		switch (mode) {
		case RHS_EQ:
		case RHS_MATCH:
			pattern_add_lit(&E->pat, E->raw.buf, E->raw.len);
			s.kind = PV_PATTERN;
			s.pat = &E->pat;
			break;
		case RHS_LIKE:
			/* '*' any run, '?' one character, '\' makes the next one literal */
			for (i = 0; i < E->raw.len; i++) {
				char c = E->raw.buf[i];

				if (c == '\\' && i + 1 < E->raw.len)
					pattern_add_lit(&E->pat, &E->raw.buf[++i], 1);
				else if (c == '*' || c == '?')
					pattern_add_wild(&E->pat, c == '*' ? PAT_STAR : PAT_ONE);
				else
					pattern_add_lit(&E->pat, &c, 1);
			}
			s.kind = PV_PATTERN;
			s.pat = &E->pat;
			break;
		case RHS_REGEX:
		case RHS_CIDR:
		case RHS_ORDER:
			s.kind = PV_TEXT;
			s.text = E->raw.buf;
			s.len = E->raw.len;
			if (mode == RHS_CIDR)
				s.ci = 0;
			break;
		}
		return pb_leaf(E->pb, &s);
	case N_FIELD:
		if (mode == RHS_EQ || mode == RHS_ORDER) {
			/* another column: a fieldref, computed when either side is */
			s.kind = PV_FIELD;
			s.text = name_at(&E->p, v->name);
			s.len = strlen(s.text);
			if (pb_is_computed(E->pb, s.text, s.len))
				s.computed = 1;
			return pb_leaf(E->pb, &s);
		}
		/* fall through */
	default:
		if (render(E, value, &E->rhs) < 0) {
			unsupported(E, value, "an expression that is not a value");
			return NONE;
		}
		s.kind = PV_FIELD;
		s.text = E->rhs.buf;
		s.len = E->rhs.len;
		s.computed = 1;
		if (s.op == PRED_REGEX || s.op == PRED_CIDR || s.op == PRED_MATCH)
			s.op = PRED_EQ;
		return pb_leaf(E->pb, &s);
	}
}

static size_t lower(struct esql *E, size_t x);

static size_t lower_list(struct esql *E, size_t lhs, enum pred_op op, enum rhs_mode mode, int ci,
			 size_t first, size_t count)
{
	size_t i, root = NONE;

	for (i = 0; i < count; i++)
		root = pb_or(E->pb, root, value_leaf(E, lhs, op, mode, E->p.kids[first + i], ci, 0));
	return root;
}

/* KQL("...") and QSTR("..."): the other language's parser, its predicates placed here. */
static size_t lower_embedded(struct esql *E, size_t x, int kql)
{
	const struct qnode *n = node(E, x);
	const struct qtoken *t = node_tok(E, x);
	struct strbuf text = STRBUF_INIT;
	size_t before, after, root;

	if (n->n < 1 || node(E, E->p.kids[n->first])->kind != N_STRING) {
		unsupported(E, x, kql ? "KQL() without a quoted query" : "QSTR() without a quoted query");
		return NONE;
	}
	decode_string(E, node_tok(E, E->p.kids[n->first]), &text);
	rule_messages(E->rule, &before);
	pb_capture_begin(E->pb);
	if (kql)
		kuery_parse(E->pb, E->rule, text.buf ? text.buf : "", text.len);
	else
		lucene_parse(E->pb, E->rule, text.buf ? text.buf : "", text.len);
	root = pb_capture_end(E->pb);
	rule_messages(E->rule, &after);
	/* its messages count lines in the embedded query: say where that is */
	if (after > before)
		qmsg_error(&E->p.msg, RC_UNSUPPORTED, t->off, t->len,
			   "the %s query given here is not read whole (see the message before)",
			   kql ? "kuery" : "Lucene");
	strbuf_release(&text);
	return root;
}

static size_t lower_call(struct esql *E, size_t x)
{
	const struct qnode *n = node(E, x);
	const char *name = name_at(&E->p, n->name);
	size_t count;
	enum pred_op op = PRED_EQ;
	enum rhs_mode mode = RHS_EQ;
	int known = 1;

	if (!strcmp(name, "kql"))
		return lower_embedded(E, x, 1);
	if (!strcmp(name, "qstr"))
		return lower_embedded(E, x, 0);
	if (!strcmp(name, "starts_with"))
		op = PRED_STARTS_WITH, mode = RHS_EQ;
	else if (!strcmp(name, "ends_with"))
		op = PRED_ENDS_WITH, mode = RHS_EQ;
	else if (!strcmp(name, "contains"))
		op = PRED_CONTAINS, mode = RHS_EQ;
	else if (!strcmp(name, "cidr_match"))
		op = PRED_CIDR, mode = RHS_CIDR;
	else if (!strcmp(name, "match") || !strcmp(name, "match_phrase"))
		op = PRED_MATCH, mode = RHS_MATCH;
	else if (strcmp(name, "mv_contains") != 0)
		known = 0;
	if (!known) {
		/* any other function as a filter: a computed test that it is true */
		struct pred_spec s;

		pred_spec_init(&s);
		strbuf_reset(&E->lhs);
		render(E, x, &E->lhs);
		s.field = E->lhs.buf;
		s.no_raw_field = 1;
		s.computed = 1;
		s.kind = PV_TEXT;
		s.text = "true";
		s.len = 4;
		return pb_leaf(E->pb, &s);
	}
	if (n->n < 2) {
		unsupported(E, x, "a function called with too few arguments");
		return NONE;
	}
	count = n->n - 1;
	/* MATCH(field, "q", {options}): the options are not a value */
	if (node(E, E->p.kids[n->first + count])->kind == N_MAP)
		count--;
	if (count == 0 || (op != PRED_CIDR && count != 1)) {
		unsupported(E, x, "a function called with the wrong number of arguments");
		return NONE;
	}
	return lower_list(E, E->p.kids[n->first], op, mode, 0, n->first + 1, count);
}

static size_t lower(struct esql *E, size_t x)
{
	const struct qnode *n = node(E, x);
	size_t i, r;

	switch (n->kind) {
	case N_AND:
	case N_OR: {
		size_t *v = xmalloc(n->n * sizeof(*v)), root;

		for (i = 0; i < n->n; i++)
			v[i] = lower(E, E->p.kids[node(E, x)->first + i]);
		root = pb_join(E->pb, node(E, x)->kind == N_AND ? EXPR_AND : EXPR_OR, v, node(E, x)->n);
		free(v);
		return root;
	}
	case N_NOT:
		return pb_not(E->pb, lower(E, n->a));
	case N_CMP: {
		size_t lhs = n->a, rhs = n->b;
		int swapped = 0, negated = 0, ci = n->op == Q_CIEQ;
		enum pred_op op;

		if (is_literal(node(E, lhs)) && !is_literal(node(E, rhs))) {
			lhs = n->b;
			rhs = n->a;
			swapped = 1;
		}
		switch (n->op) {
		case Q_NE: op = PRED_EQ; negated = 1; break;
		case Q_LT: op = swapped ? PRED_GT : PRED_LT; break;
		case Q_LE: op = swapped ? PRED_GTE : PRED_LTE; break;
		case Q_GT: op = swapped ? PRED_LT : PRED_GT; break;
		case Q_GE: op = swapped ? PRED_LTE : PRED_GTE; break;
		default: op = PRED_EQ; break;
		}
		return value_leaf(E, lhs, op, op == PRED_EQ ? RHS_EQ : RHS_ORDER, rhs, ci, negated);
	}
	case N_IN:
		if (is_literal(node(E, n->a))) {
			/* true IN (cond, cond): any of them; "x" IN (a, b): a == "x" or b == "x" */
			int is_bool = node(E, n->a)->kind == N_BOOL;
			size_t *v = xmalloc(n->n * sizeof(*v));

			for (i = 0; i < node(E, x)->n; i++) {
				size_t k = E->p.kids[node(E, x)->first + i], leaf;

				if (is_bool) {
					leaf = lower(E, k);
					if (!node(E, n->a)->op)
						leaf = pb_not(E->pb, leaf);
				} else {
					leaf = value_leaf(E, k, PRED_EQ, RHS_EQ, n->a, 0, 0);
				}
				v[i] = leaf;
			}
			r = pb_join(E->pb, EXPR_OR, v, node(E, x)->n);
			free(v);
		} else {
			r = lower_list(E, n->a, PRED_EQ, RHS_EQ, 0, n->first, n->n);
		}
		return n->flags & F_NEG ? pb_not(E->pb, r) : r;
	case N_LIKE:
	case N_RLIKE:
		r = lower_list(E, n->a, n->kind == N_LIKE ? PRED_EQ : PRED_REGEX,
			       n->kind == N_LIKE ? RHS_LIKE : RHS_REGEX, 0, n->first, n->n);
		return n->flags & F_NEG ? pb_not(E->pb, r) : r;
	case N_ISNULL: {
		struct pred_spec s;

		pred_spec_init(&s);
		if (set_lhs(E, &s, n->a) < 0)
			return NONE;
		s.op = PRED_EXISTS;
		s.ci = 0;
		s.negated = !(n->flags & F_NEG);	/* IS NULL: does not exist */
		return pb_leaf(E->pb, &s);
	}
	case N_MATCH:
		return value_leaf(E, n->a, PRED_MATCH, RHS_MATCH, n->b, 0, 0);
	case N_FUNC:
		return lower_call(E, x);
	case N_BOOL:
		if (n->op)
			return NONE;
		unsupported(E, x, "'false' as a filter");
		return NONE;
	case N_FIELD: {
		struct pred_spec s;

		pred_spec_init(&s);
		s.field = name_at(&E->p, n->name);
		s.kind = PV_TEXT;
		s.text = "true";
		s.len = 4;
		return pb_leaf(E->pb, &s);
	}
	case N_CAST:
	case N_ARITH:
	case N_NEG:
	case N_PARAM: {
		struct pred_spec s;

		pred_spec_init(&s);
		strbuf_reset(&E->lhs);
		render(E, x, &E->lhs);
		s.field = E->lhs.buf;
		s.no_raw_field = 1;
		s.computed = 1;
		s.kind = PV_TEXT;
		s.text = "true";
		s.len = 4;
		return pb_leaf(E->pb, &s);
	}
	default:
		unsupported(E, x, "a value where a condition is expected");
		return NONE;
	}
}

/* ---- commands ---- */

/* FROM a, "b", c:d [METADATA _id, _index]: read as raw source names. */
static void cmd_from(struct esql *E, size_t i, size_t end)
{
	struct qparser *p = &E->p;
	const char *q = p->q;
	int meta = 0;

	for (;;) {
		size_t j;

		i = skip_space(p, i, end);
		if (i >= end || p->failed)
			return;
		if (q[i] == ',') {
			i++;
			continue;
		}
		if (q[i] == '[' || q[i] == ']') {	/* [METADATA ...], the old spelling */
			i++;
			continue;
		}
		if (q[i] == '"') {
			struct strbuf s = STRBUF_INIT;
			struct qtoken t;
			int raw;

			j = lex_string(p, i, end, &raw);
			if (!j)
				return;
			memset(&t, 0, sizeof(t));
			t.off = i;
			t.len = j - i;
			t.raw = (unsigned char)raw;
			decode_string(E, &t, &s);
			pb_context_add(E->pb, meta ? "metadata" : "index", s.buf ? s.buf : "", s.len);
			strbuf_release(&s);
			i = j;
			continue;
		}
		for (j = i; j < end && !strchr(" \t\r\n,\"[]", q[j]); j++)
			if (q[j] == '/' && j + 1 < end && (q[j + 1] == '/' || q[j + 1] == '*'))
				break;
		if (j == i) {
			syntax(p, i, 1, "expected an index pattern");
			return;
		}
		if (!meta && j - i == 8 && strncasecmp(q + i, "metadata", 8) == 0) {
			meta = 1;
		} else {
			pb_context_add(E->pb, meta ? "metadata" : "index", q + i, j - i);
		}
		i = j;
	}
}

/* [name =] expression: the column it makes, declared after the expression is read. */
static int read_field(struct esql *E, int aggregate, int by)
{
	struct qparser *p = &E->p;
	size_t first = p->pos, x, last, name = NONE;
	struct strbuf col = STRBUF_INIT;

	if (tok(p, 0)->kind == Q_NAME && tok(p, 1)->kind == Q_ASSIGN) {
		name = tok(p, 0)->name;
		p->pos += 2;
	}
	x = parse_bool(p);
	if (x == NONE)
		return 0;
	last = p->pos - 1;
	/* STATS x = COUNT(*) WHERE cond: the condition picks what the aggregate counts */
	if (aggregate && at_word(p, "where")) {
		p->pos++;
		if (parse_bool(p) == NONE)
			return 0;
	}
	if (name != NONE) {
		declare(E, name_at(p, name), strlen(name_at(p, name)));
	} else if (by && node(E, x)->kind == N_FIELD) {
		/* BY field: the event's own values */
	} else {
		/* a column without a name is named by its expression as written */
		span_text(E, first, last, &col);
		declare(E, col.buf ? col.buf : "", col.len);
	}
	strbuf_release(&col);
	return 1;
}

static int read_fields(struct esql *E, int aggregate, int by)
{
	do {
		if (!read_field(E, aggregate, by))
			return 0;
	} while (accept(&E->p, Q_COMMA));
	return 1;
}

static void cmd_where(struct esql *E)
{
	size_t x = parse_bool(&E->p);

	if (x == NONE)
		return;
	if (tok(&E->p, 0)->kind != Q_END) {
		expected(&E->p, "AND, OR or the end of the command");
		return;
	}
	E->root = pb_and(E->pb, E->root, lower(E, x));
}

static void cmd_stats(struct esql *E)
{
	struct qparser *p = &E->p;

	if (!at_word(p, "by") && tok(p, 0)->kind != Q_END && !read_fields(E, 1, 0))
		return;
	if (accept_word(p, "by") && !read_fields(E, 0, 1))
		return;
	if (tok(p, 0)->kind != Q_END)
		expected(p, "',' , BY or the end of the command");
}

/* The columns a GROK or DISSECT pattern makes: %{SYNTAX:name[:type]}, (?<name>...), %{name}. */
static void pattern_columns(struct esql *E, const char *s, size_t n, int grok)
{
	size_t i, j;

	for (i = 0; i + 1 < n; i++) {
		if (grok && s[i] == '(' && i + 3 < n && s[i + 1] == '?' && s[i + 2] == '<' &&
		    s[i + 3] != '=' && s[i + 3] != '!') {
			for (j = i + 3; j < n && s[j] != '>'; j++)
				;
			if (j < n)
				declare(E, s + i + 3, j - (i + 3));
			continue;
		}
		if (s[i] != '%' || s[i + 1] != '{')
			continue;
		for (j = i + 2; j < n && s[j] != '}'; j++)
			;
		if (j >= n)
			return;
		{
			const char *k = s + i + 2;
			size_t kn = j - (i + 2), c;

			if (grok) {
				/* SYNTAX:name[:type]: no name, no column */
				const char *colon = memchr(k, ':', kn);

				if (!colon)
					continue;
				kn -= (size_t)(colon + 1 - k);
				k = colon + 1;
				colon = memchr(k, ':', kn);
				if (colon)
					kn = (size_t)(colon - k);
			} else {
				/* %{?skip} and %{*key}/%{&value} name no column of their own */
				while (kn && (*k == '{'))
					k++, kn--;
				if (kn && (*k == '?' || *k == '*' || *k == '&'))
					continue;
				if (kn && *k == '+')
					k++, kn--;
				for (c = 0; c < kn; c++)
					if (k[c] == '-' && c + 1 < kn && k[c + 1] == '>')
						break;
				kn = c;
				for (c = 0; c < kn; c++)
					if (k[c] == '/')
						break;
				kn = c;
			}
			declare(E, k, kn);
		}
		i = j;
	}
}

/* GROK expr "pattern"[, "pattern"...]; DISSECT expr "pattern" [option = value, ...] */
static void cmd_pattern(struct esql *E, int grok)
{
	struct qparser *p = &E->p;
	struct strbuf s = STRBUF_INIT;

	if (parse_primary(p) == NONE)
		return;
	do {
		if (tok(p, 0)->kind != Q_STRING) {
			expected(p, "a quoted pattern");
			goto out;
		}
		strbuf_reset(&s);
		decode_string(E, tok(p, 0), &s);
		pattern_columns(E, s.buf ? s.buf : "", s.len, grok);
		p->pos++;
	} while (grok && accept(p, Q_COMMA));
	if (!grok && tok(p, 0)->kind == Q_NAME) {
		do {
			if (!expect(p, Q_NAME, "an option name") || !expect(p, Q_ASSIGN, "'='") ||
			    parse_primary(p) == NONE)
				goto out;
		} while (accept(p, Q_COMMA));
	}
	if (tok(p, 0)->kind != Q_END)
		expected(p, "the end of the command");
out:
	strbuf_release(&s);
}

/* RENAME old AS new, ... or new = old, ... */
static void cmd_rename(struct esql *E)
{
	struct qparser *p = &E->p;

	do {
		if (tok(p, 0)->kind != Q_NAME) {
			expected(p, "a column name");
			return;
		}
		if (tok(p, 1)->kind == Q_ASSIGN && tok(p, 2)->kind == Q_NAME) {
			declare(E, name_at(p, tok(p, 0)->name), strlen(name_at(p, tok(p, 0)->name)));
			p->pos += 3;
		} else if (tok_word(p, tok(p, 1), "as") && tok(p, 2)->kind == Q_NAME) {
			declare(E, name_at(p, tok(p, 2)->name), strlen(name_at(p, tok(p, 2)->name)));
			p->pos += 3;
		} else {
			p->pos++;
			expected(p, "AS and the new name");
			return;
		}
	} while (accept(p, Q_COMMA));
	if (tok(p, 0)->kind != Q_END)
		expected(p, "',' or the end of the command");
}

/* ENRICH policy [ON field] [WITH [new =] field, ...]: the policy name read raw */
static void cmd_enrich(struct esql *E, size_t i, size_t end)
{
	struct qparser *p = &E->p;
	const char *q = p->q;

	i = skip_space(p, i, end);
	while (i < end && !strchr(" \t\r\n", q[i]))
		i++;
	if (lex(p, i, end) < 0)
		return;
	if (accept_word(p, "on") && !expect(p, Q_NAME, "a field after ON"))
		return;
	if (accept_word(p, "with")) {
		do {
			if (tok(p, 0)->kind != Q_NAME) {
				expected(p, "a field after WITH");
				return;
			}
			declare(E, name_at(p, tok(p, 0)->name), strlen(name_at(p, tok(p, 0)->name)));
			p->pos++;
			if (accept(p, Q_ASSIGN) && !expect(p, Q_NAME, "an enrich field"))
				return;
		} while (accept(p, Q_COMMA));
	}
	if (tok(p, 0)->kind != Q_END)
		expected(p, "ON, WITH or the end of the command");
}

/* COMPLETION [name =] prompt WITH {...}; the older COMPLETION prompt WITH id [AS name] */
static void cmd_completion(struct esql *E)
{
	struct qparser *p = &E->p;
	size_t name = NONE;

	if (tok(p, 0)->kind == Q_NAME && tok(p, 1)->kind == Q_ASSIGN) {
		name = tok(p, 0)->name;
		p->pos += 2;
	}
	if (parse_primary(p) == NONE)
		return;
	if (accept_word(p, "with")) {
		if (tok(p, 0)->kind == Q_LBRACE) {
			if (parse_map(p) == NONE)
				return;
		} else if (!expect(p, Q_NAME, "an inference id or options")) {
			return;
		}
	}
	if (accept_word(p, "as")) {
		if (tok(p, 0)->kind != Q_NAME) {
			expected(p, "a column name after AS");
			return;
		}
		name = tok(p, 0)->name;
		p->pos++;
	}
	if (name != NONE)
		declare(E, name_at(p, name), strlen(name_at(p, name)));
	else
		declare(E, "completion", strlen("completion"));
	if (tok(p, 0)->kind != Q_END)
		expected(p, "WITH, AS or the end of the command");
}

/* CHANGE_POINT value [ON key] [AS type, pvalue] */
static void cmd_change_point(struct esql *E)
{
	struct qparser *p = &E->p;

	if (!expect(p, Q_NAME, "a column"))
		return;
	if (accept_word(p, "on") && !expect(p, Q_NAME, "a key column"))
		return;
	if (accept_word(p, "as")) {
		if (tok(p, 0)->kind != Q_NAME || tok(p, 1)->kind != Q_COMMA || tok(p, 2)->kind != Q_NAME) {
			expected(p, "two column names after AS");
			return;
		}
		declare(E, name_at(p, tok(p, 0)->name), strlen(name_at(p, tok(p, 0)->name)));
		declare(E, name_at(p, tok(p, 2)->name), strlen(name_at(p, tok(p, 2)->name)));
		p->pos += 3;
	} else {
		declare(E, "type", 4);
		declare(E, "pvalue", 6);
	}
	if (tok(p, 0)->kind != Q_END)
		expected(p, "the end of the command");
}

/* The command word at i, lower-cased in word; the offset after it. */
static size_t command_word(struct qparser *p, size_t i, size_t end, char *word, size_t size)
{
	size_t n = 0;

	i = skip_space(p, i, end);
	while (i < end && (is_alpha((unsigned char)p->q[i]) || p->q[i] == '_')) {
		if (n + 1 < size)
			word[n++] = is_alpha((unsigned char)p->q[i]) ? (char)(p->q[i] | 0x20) : p->q[i];
		i++;
	}
	word[n] = '\0';
	return i;
}

static void command(struct esql *E, size_t start, size_t end, int first)
{
	struct qparser *p = &E->p;
	char word[24], second[24];
	size_t i, word_at, j;

	p->failed = 0;
	p->depth = 0;
	word_at = skip_space(p, start, end);
	i = command_word(p, start, end, word, sizeof(word));
	if (p->failed)
		return;
	if (!word[0]) {
		syntax(p, word_at, 1, first ? "expected a source command (FROM)" : "expected a command after '|'");
		return;
	}
	/* two-word commands: INLINE STATS, LOOKUP JOIN */
	j = command_word(p, i, end, second, sizeof(second));
	if (!strcmp(word, "inline") && !strcmp(second, "stats")) {
		strcpy(word, "inlinestats");
		i = j;
	} else if (!strcmp(word, "lookup") && !strcmp(second, "join")) {
		strcpy(word, "lookupjoin");
		i = j;
	}
	if (first != (!strcmp(word, "from") || !strcmp(word, "row") || !strcmp(word, "ts") ||
		      !strcmp(word, "show"))) {
		syntax(p, word_at, i - word_at, first ? "expected FROM or ROW to start the query"
			: "a source command after '|'");
		return;
	}
	if (!strcmp(word, "from")) {
		cmd_from(E, i, end);
		return;
	}
	if (!strcmp(word, "enrich")) {
		cmd_enrich(E, i, end);
		return;
	}
	if (!strcmp(word, "keep") || !strcmp(word, "drop") || !strcmp(word, "sort") ||
	    !strcmp(word, "limit") || !strcmp(word, "sample") || !strcmp(word, "lookupjoin"))
		return;	/* they filter nothing and make no column we can name */
	if (lex(p, i, end) < 0)
		return;
	if (!strcmp(word, "where"))
		cmd_where(E);
	else if (!strcmp(word, "eval") || !strcmp(word, "row")) {
		if (read_fields(E, 0, 0) && tok(p, 0)->kind != Q_END)
			expected(p, "',' or the end of the command");
	}
	else if (!strcmp(word, "stats") || !strcmp(word, "inlinestats"))
		cmd_stats(E);
	else if (!strcmp(word, "grok") || !strcmp(word, "dissect"))
		cmd_pattern(E, word[0] == 'g');
	else if (!strcmp(word, "rename"))
		cmd_rename(E);
	else if (!strcmp(word, "mv_expand")) {
		if (tok(p, 0)->kind != Q_NAME || tok(p, 1)->kind != Q_END)
			expected(p, "one column to expand");
		else
			declare(E, name_at(p, tok(p, 0)->name), strlen(name_at(p, tok(p, 0)->name)));
	} else if (!strcmp(word, "completion"))
		cmd_completion(E);
	else if (!strcmp(word, "change_point"))
		cmd_change_point(E);
	else
		qmsg_error(&p->msg, RC_UNSUPPORTED, word_at, i - word_at,
			   "a command this reader does not know");
}

/* The offset of the next '|' outside strings and comments, or end (len); SIZE_MAX on an error. */
static size_t next_pipe(struct qparser *p, size_t i)
{
	const char *q = p->q;
	size_t j;

	while (i < p->len) {
		if (q[i] == '|')
			return i;
		if (q[i] == '"') {
			int raw;

			j = lex_string(p, i, p->len, &raw);
			if (!j)
				return (size_t)-1;
			i = j;
		} else if (q[i] == '`') {
			for (j = i + 1; j < p->len && q[j] != '`'; j++)
				;
			i = j + 1;
		} else if (q[i] == '/' && i + 1 < p->len && (q[i + 1] == '/' || q[i + 1] == '*')) {
			j = skip_space(p, i, p->len);
			if (p->failed)
				return (size_t)-1;
			i = j;
		} else {
			i++;
		}
	}
	return p->len;
}

void esql_parse(struct pred_builder *pb, struct rule *r, const char *query, size_t len)
{
	struct esql E;
	size_t start = 0, end;
	int first = 1;

	memset(&E, 0, sizeof(E));
	E.p.q = query;
	E.p.len = len;
	E.pb = pb;
	E.rule = r;
	E.root = NONE;
	strbuf_init(&E.p.names, 256);
	qmsg_init(&E.p.msg, r, query, len);
	pattern_init(&E.pat);
	strbuf_init(&E.lhs, 64);
	strbuf_init(&E.rhs, 64);
	strbuf_init(&E.raw, 64);
	if (qmsg_check_text(&E.p.msg) < 0)
		E.p.any_failed = 1;
	while (!E.p.any_failed) {
		end = next_pipe(&E.p, start);
		if (end == (size_t)-1)
			break;
		command(&E, start, end, first);
		if (E.p.any_failed)
			break;	/* after a syntax error, nothing is trusted */
		first = 0;
		if (end >= len)
			break;
		start = end + 1;
	}
	if (!E.p.any_failed)
		pb_emit(pb, E.root);
	pattern_release(&E.pat);
	strbuf_release(&E.lhs);
	strbuf_release(&E.rhs);
	strbuf_release(&E.raw);
	free(E.p.toks);
	free(E.p.nodes);
	free(E.p.kids);
	strbuf_release(&E.p.names);
}
