/*
 * The KQL parser: a lexer (string forms, comments, multi-character
 * operators, hyphenated operator names), a recursive-descent reader of
 * statements, tabular operators and scalar expressions into a small tree,
 * and the walk that turns `where` trees into predicates (kql.h).
 *
 * The grammar is Kusto's as its reference documents it, read strictly
 * where predicates come from (where, extend, project, summarize, join,
 * union, let) and by balanced skipping elsewhere (sort, top, render,
 * evaluate's arguments), so that a query Kusto rejects is failed here too
 * where it matters and a query it accepts is never failed for an operator
 * we do not need to understand.
 */
#include "kusto/kql.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "rule/pattern.h"

#define NONE ((size_t)-1)
/* Tables one scope names (a union of more keeps the first ones). */
#define KQL_MAX_TABLES 64
/* Messages about unsupported constructs per query; past it the status says enough. */
#define KQL_MAX_MSGS 8
/* let-bound names followed inside each other when resolving values. */
#define KQL_MAX_RESOLVE 16

/* ---- lexer ---- */

enum tk { TK_NAME, TK_STRING, TK_NUMBER, TK_OP, TK_END };

struct tok {
	enum tk kind;
	size_t b, e;		/* bytes of the query */
	unsigned line, col;
	size_t sv, sn;		/* TK_STRING: the decoded value in P->sv */
	size_t match;		/* a bracket: its partner; NONE when unclosed */
	int space_before;	/* white space or a comment before it */
};

enum nk {
	N_NAME, N_PATH, N_STR, N_NUM, N_BOOL, N_NULL, N_CALL, N_BIN, N_LIST, N_BETWEEN, N_TAB,
	N_RAW, N_STAR, N_UNARY,
};

struct node {
	enum nk kind;
	size_t tb, te;		/* first and last token */
	size_t op;		/* N_BIN, N_BETWEEN: the operator's token; N_CALL: the name's */
	size_t a, b;		/* N_BIN: operands; N_PATH: base; N_BETWEEN: a, lo = k0, hi = b */
	size_t k0, nk;		/* N_CALL, N_LIST: kids[k0..k0+nk) */
	size_t tab;		/* N_TAB: tabinfo */
	size_t sv, sn;		/* N_STR: decoded (adjacent literals joined) */
};

/* What a tabular expression gives: its tables and the columns it made. */
struct tabinfo {
	char **tables;
	size_t ntables;
	char **computed;	/* made by the query: extend, summarize, ... */
	size_t ncomputed;
	char **outputs;		/* columns it projects as they are */
	size_t noutputs;
	int external;		/* datatable, externaldata: values not from an event */
};

enum bkind { B_SCALAR, B_TABULAR };

struct binding {
	char *name;
	enum bkind kind;
	size_t node;		/* B_SCALAR: its value (NONE: not known) */
	size_t tab;		/* B_TABULAR */
	int from_table;		/* B_SCALAR computed from a table (toscalar) */
};

struct kp {
	struct pred_builder *pb;
	struct rule *r;
	const char *q;
	size_t len;
	struct tok *t;
	size_t nt, at;
	size_t i;
	struct strbuf sv;
	struct node *nodes;
	size_t nn, an;
	size_t *kids;
	size_t nkids, akids;
	struct binding *b;
	size_t nb, ab;
	struct tabinfo *tabs;
	size_t ntabs, atabs;
	size_t cur;		/* tabinfo of the pipeline being read, NONE outside */
	unsigned depth;
	int failed;
	int search;		/* reading a search predicate: ':' and bare strings */
	int negated;		/* under an odd number of not() while walking a where */
	unsigned nmsgs;
	struct strbuf tmp;
	struct pattern pat;
};

static const char *const hyphen_ops[] = {
	"project-away", "project-keep", "project-rename", "project-reorder", "project-smart",
	"mv-expand", "mv-apply", "parse-where", "parse-kv", "make-series", "top-nested",
	"top-hitters", "sample-distinct", "make-graph", "graph-match", "graph-merge",
	"graph-to-table", "graph-shortest-paths", "graph-mark-components", NULL
};

/* word operators that take a '!' in front and may end in '~' (in~) */
static const char *const negatable[] = {
	"has", "has_cs", "contains", "contains_cs", "startswith", "startswith_cs", "endswith",
	"endswith_cs", "hasprefix", "hasprefix_cs", "hassuffix", "hassuffix_cs", "in", "between",
	"has_any", "has_all", NULL
};

static int in_list(const char *s, size_t n, const char *const *words)
{
	for (; *words; words++)
		if (strlen(*words) == n && !memcmp(*words, s, n))
			return 1;
	return 0;
}

static int name_start(int c)
{
	return isalpha(c) || c == '_' || c == '$';
}

static int name_char(int c)
{
	return isalnum(c) || c == '_';
}

static void lex_error(struct kp *P, size_t at, unsigned line, unsigned col, const char *what);

static struct tok *new_tok(struct kp *P, enum tk kind, size_t b, unsigned line, unsigned col)
{
	struct tok *t;

	if (P->nt == P->at) {
		P->at = P->at ? P->at * 2 : 256;
		P->t = xrealloc(P->t, P->at * sizeof(*P->t));
	}
	t = &P->t[P->nt++];
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->b = b;
	t->line = line;
	t->col = col;
	t->match = NONE;
	return t;
}

static void put_utf8(struct strbuf *sb, unsigned long c)
{
	if (c < 0x80) {
		strbuf_addch(sb, (int)c);
	} else if (c < 0x800) {
		strbuf_addch(sb, (int)(0xc0 | (c >> 6)));
		strbuf_addch(sb, (int)(0x80 | (c & 0x3f)));
	} else if (c < 0x10000) {
		strbuf_addch(sb, (int)(0xe0 | (c >> 12)));
		strbuf_addch(sb, (int)(0x80 | ((c >> 6) & 0x3f)));
		strbuf_addch(sb, (int)(0x80 | (c & 0x3f)));
	} else {
		strbuf_addch(sb, (int)(0xf0 | (c >> 18)));
		strbuf_addch(sb, (int)(0x80 | ((c >> 12) & 0x3f)));
		strbuf_addch(sb, (int)(0x80 | ((c >> 6) & 0x3f)));
		strbuf_addch(sb, (int)(0x80 | (c & 0x3f)));
	}
}

/*
 * A string literal at q[i] (its quote, after any h/@ prefix): decoded into
 * P->sv. Returns the byte after it, or 0 when it is not closed on its line.
 */
static size_t lex_string(struct kp *P, size_t i, int verbatim)
{
	const char *q = P->q;
	char quote = q[i];

	for (i++; i < P->len && q[i] != '\n'; i++) {
		if (q[i] == quote) {
			if (verbatim && i + 1 < P->len && q[i + 1] == quote) {
				strbuf_addch(&P->sv, quote);
				i++;
				continue;
			}
			return i + 1;
		}
		if (!verbatim && q[i] == '\\' && i + 1 < P->len && q[i + 1] != '\n') {
			char c = q[++i];

			switch (c) {
			case 'n': strbuf_addch(&P->sv, '\n'); break;
			case 't': strbuf_addch(&P->sv, '\t'); break;
			case 'r': strbuf_addch(&P->sv, '\r'); break;
			case '0': strbuf_addch(&P->sv, '\0'); break;
			case 'u':
				if (i + 4 < P->len && isxdigit((unsigned char)q[i + 1]) &&
				    isxdigit((unsigned char)q[i + 2]) && isxdigit((unsigned char)q[i + 3]) &&
				    isxdigit((unsigned char)q[i + 4])) {
					char hex[5];

					memcpy(hex, q + i + 1, 4);
					hex[4] = 0;
					put_utf8(&P->sv, strtoul(hex, NULL, 16));
					i += 4;
				} else {
					strbuf_addch(&P->sv, 'u');
				}
				break;
			default: strbuf_addch(&P->sv, c); break;
			}
			continue;
		}
		strbuf_addch(&P->sv, q[i]);
	}
	return 0;
}

/*
 * The bytes of a Unicode space separator at q[i] (no-break spaces pasted from
 * web pages, U+2000..U+200A, U+202F, U+205F, U+3000), or 0: white space to
 * Kusto as to .NET's char.IsWhiteSpace.
 */
static size_t unicode_space(const char *q, size_t i, size_t len)
{
	const unsigned char *u = (const unsigned char *)q + i;

	if (len - i >= 2 && u[0] == 0xc2 && (u[1] == 0xa0 || u[1] == 0x85))
		return 2;
	if (len - i < 3)
		return 0;
	if (u[0] == 0xe2 && u[1] == 0x80 && ((u[2] >= 0x80 && u[2] <= 0x8a) || u[2] == 0xa8 ||
					      u[2] == 0xa9 || u[2] == 0xaf))
		return 3;
	if ((u[0] == 0xe2 && u[1] == 0x81 && u[2] == 0x9f) || (u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80) ||
	    (u[0] == 0xe1 && u[1] == 0x9a && u[2] == 0x80))
		return 3;
	return 0;
}

static void lex(struct kp *P)
{
	const char *q = P->q;
	size_t i = 0, ls = 0, *open = NULL, nopen = 0, aopen = 0;
	unsigned line = 1;
	int space = 1;

	while (i < P->len && !P->failed) {
		unsigned char c = (unsigned char)q[i];
		unsigned col = (unsigned)(i - ls + 1);
		struct tok *t;
		size_t j;

		if (c == '\n') {
			line++;
			ls = ++i;
			space = 1;
			continue;
		}
		if (isspace(c) || (j = unicode_space(q, i, P->len))) {
			i += isspace(c) ? 1 : j;
			space = 1;
			continue;
		}
		if (c == '/' && i + 1 < P->len && q[i + 1] == '/') {
			while (i < P->len && q[i] != '\n')
				i++;
			space = 1;
			continue;
		}
		/* ```multi-line``` */
		if (c == '`' && P->len - i >= 3 && !memcmp(q + i, "```", 3)) {
			const char *end = memmem(q + i + 3, P->len - i - 3, "```", 3);

			if (!end) {
				lex_error(P, i, line, col, "unterminated multi-line string");
				break;
			}
			t = new_tok(P, TK_STRING, i, line, col);
			t->sv = P->sv.len;
			strbuf_add(&P->sv, q + i + 3, (size_t)(end - (q + i + 3)));
			t->sn = P->sv.len - t->sv;
			for (j = i; j < (size_t)(end - q); j++)
				if (q[j] == '\n') {
					line++;
					ls = j + 1;
				}
			i = (size_t)(end - q) + 3;
			t->e = i;
			t->space_before = space;
			space = 0;
			continue;
		}
		/* "..", '..', @"..", h"..", H@'..' */
		j = i;
		if ((c == 'h' || c == 'H') && i + 1 < P->len &&
		    (q[i + 1] == '"' || q[i + 1] == '\'' ||
		     (q[i + 1] == '@' && i + 2 < P->len && (q[i + 2] == '"' || q[i + 2] == '\''))))
			j++;
		if (q[j] == '@' && j + 1 < P->len && (q[j + 1] == '"' || q[j + 1] == '\''))
			j++;
		if (q[j] == '"' || q[j] == '\'') {
			size_t end;

			int verbatim = j > i && q[j - 1] == '@';

			t = new_tok(P, TK_STRING, i, line, col);
			t->sv = P->sv.len;
			end = lex_string(P, j, verbatim);
			if (!end) {
				P->nt--;
				lex_error(P, i, line, col, verbatim ? "unterminated verbatim string" :
					  "unterminated string");
				break;
			}
			t = &P->t[P->nt - 1];
			t->sn = P->sv.len - t->sv;
			t->e = i = end;
			t->space_before = space;
			space = 0;
			continue;
		}
		if (name_start(c) || (c == '!' && i + 1 < P->len && isalpha((unsigned char)q[i + 1]))) {
			t = new_tok(P, TK_NAME, i, line, col);
			for (j = i + 1; j < P->len && name_char((unsigned char)q[j]); j++)
				;
			if (c == '!' && !in_list(q + i + 1, j - i - 1, negatable)) {
				/* ! before a name that is no operator: the ! alone */
				t->kind = TK_OP;
				j = i + 1;
			}
			/* in~ !in~ */
			if (t->kind == TK_NAME && j < P->len && q[j] == '~' &&
			    ((j - i == 2 && !memcmp(q + i, "in", 2)) || (j - i == 3 && !memcmp(q + i, "!in", 3))))
				j++;
			/* project-away, mv-expand, ... */
			while (t->kind == TK_NAME && j + 1 < P->len && q[j] == '-' &&
			       isalpha((unsigned char)q[j + 1])) {
				size_t k;

				for (k = j + 1; k < P->len && name_char((unsigned char)q[k]); k++)
					;
				if (!in_list(q + i, k - i, hyphen_ops) && !(k < P->len && q[k] == '-'))
					break;
				if (!in_list(q + i, k - i, hyphen_ops)) {
					/* graph-shortest-paths: a longer one may follow */
					size_t m;

					for (m = k + 1; m < P->len && (name_char((unsigned char)q[m]) || q[m] == '-'); m++)
						;
					if (!in_list(q + i, m - i, hyphen_ops))
						break;
					k = m;
				}
				j = k;
			}
			i = j;
		} else if (isdigit(c) || (c == '.' && i + 1 < P->len && isdigit((unsigned char)q[i + 1]))) {
			t = new_tok(P, TK_NUMBER, i, line, col);
			for (j = i + 1; j < P->len; j++) {
				if (name_char((unsigned char)q[j]))
					continue;
				if (q[j] == '.' && j + 1 < P->len && q[j + 1] != '.' && !name_start((unsigned char)q[j + 1]))
					continue;
				/* 1e-5, 1e+5 */
				if ((q[j] == '-' || q[j] == '+') && (q[j - 1] == 'e' || q[j - 1] == 'E') &&
				    j + 1 < P->len && isdigit((unsigned char)q[j + 1]) && isdigit((unsigned char)q[i]))
					continue;
				break;
			}
			i = j;
		} else {
			static const char *const two[] = { "==", "!=", "=~", "!~", "<>", "<=", ">=", "..",
							   "=>", "<|", NULL };
			const char *const *w;

			t = new_tok(P, TK_OP, i, line, col);
			j = i + 1;
			for (w = two; *w; w++)
				if (i + 1 < P->len && q[i] == (*w)[0] && q[i + 1] == (*w)[1]) {
					j = i + 2;
					break;
				}
			if (j == i + 1 && (c == '(' || c == '[' || c == '{')) {
				if (nopen == aopen) {
					aopen = aopen ? aopen * 2 : 64;
					open = xrealloc(open, aopen * sizeof(*open));
				}
				open[nopen++] = P->nt - 1;
			} else if (j == i + 1 && (c == ')' || c == ']' || c == '}') && nopen) {
				char o = q[P->t[open[nopen - 1]].b];

				if ((o == '(' && c == ')') || (o == '[' && c == ']') || (o == '{' && c == '}')) {
					t->match = open[--nopen];
					P->t[t->match].match = P->nt - 1;
				}
			}
			i = j;
		}
		t = &P->t[P->nt - 1];
		t->e = i;
		t->space_before = space;
		space = 0;
	}
	free(open);
	new_tok(P, TK_END, P->len, line, (unsigned)(P->len - ls + 1));
	P->t[P->nt - 1].e = P->len;
}

/* ---- messages ---- */

static void message(struct kp *P, size_t i, enum parse_status st, enum rule_code code,
		    const char *what)
{
	const struct tok *t = &P->t[i < P->nt ? i : P->nt - 1];

	if (t->kind == TK_END)
		rule_error_at(P->r, 0, 0, st, code, "query line %u, column %u: %s at the end of the query",
			      t->line, t->col, what);
	else {
		/* the token up to 40 bytes, on one line (a multi-line string spans several) */
		size_t n = t->e - t->b > 40 ? 40 : t->e - t->b, k;

		for (k = 0; k < n && P->q[t->b + k] != '\n' && P->q[t->b + k] != '\r'; k++)
			;
		rule_error_at(P->r, 0, 0, st, code, "query line %u, column %u: %s near '%.*s'",
			      t->line, t->col, what, (int)k, P->q + t->b);
	}
}

static void lex_error(struct kp *P, size_t at, unsigned line, unsigned col, const char *what)
{
	size_t k;

	/* the literal's start, up to 20 bytes on its line */
	for (k = 0; k < 20 && at + k < P->len && P->q[at + k] != '\n' && P->q[at + k] != '\r'; k++)
		;
	P->failed = 1;
	rule_error_at(P->r, 0, 0, PARSE_FAILED, RC_SYNTAX, "query line %u, column %u: %s near '%.*s'",
		      line, col, what, (int)k, P->q + at);
}

static void syntax(struct kp *P, const char *what)
{
	if (P->failed)
		return;
	P->failed = 1;
	message(P, P->i, PARSE_FAILED, RC_SYNTAX, what);
}

static void unsupported(struct kp *P, size_t i, const char *what)
{
	if (P->failed)
		return;
	if (P->nmsgs++ < KQL_MAX_MSGS)
		message(P, i, PARSE_PARTIAL, RC_UNSUPPORTED, what);
}

/* ---- tokens ---- */

static const struct tok *tok(const struct kp *P, size_t i)
{
	return &P->t[i < P->nt ? i : P->nt - 1];
}

static int is_op(const struct kp *P, size_t i, const char *s)
{
	const struct tok *t = tok(P, i);

	return t->kind == TK_OP && t->e - t->b == strlen(s) && !memcmp(P->q + t->b, s, t->e - t->b);
}

static int is_word(const struct kp *P, size_t i, const char *s)
{
	const struct tok *t = tok(P, i);

	return t->kind == TK_NAME && t->e - t->b == strlen(s) && !memcmp(P->q + t->b, s, t->e - t->b);
}

static int is_kind(const struct kp *P, size_t i, enum tk k)
{
	return tok(P, i)->kind == k;
}

static int word_in(const struct kp *P, size_t i, const char *const *words)
{
	const struct tok *t = tok(P, i);

	return t->kind == TK_NAME && in_list(P->q + t->b, t->e - t->b, words);
}

static int expect_op(struct kp *P, const char *s, const char *what)
{
	if (!is_op(P, P->i, s)) {
		syntax(P, what);
		return -1;
	}
	P->i++;
	return 0;
}

/* The end of a clause: a pipe, a statement's end, a closing bracket. */
static int clause_end(const struct kp *P, size_t i)
{
	return is_kind(P, i, TK_END) || is_op(P, i, "|") || is_op(P, i, ";") || is_op(P, i, ")") ||
		is_op(P, i, "}") || is_op(P, i, "]");
}

/* Past a bracket group at i (an opener), or past the token. */
static size_t skip_group(const struct kp *P, size_t i)
{
	const struct tok *t = tok(P, i);

	if (t->kind == TK_OP && (is_op(P, i, "(") || is_op(P, i, "[") || is_op(P, i, "{")))
		return t->match == NONE ? P->nt - 1 : t->match + 1;
	return i + 1;
}

/* Skip to the clause's end; an opener without its closer is a syntax error. */
static void skip_clause(struct kp *P)
{
	while (!clause_end(P, P->i)) {
		const struct tok *t = tok(P, P->i);

		if (t->kind == TK_OP && t->match == NONE &&
		    (is_op(P, P->i, "(") || is_op(P, P->i, "[") || is_op(P, P->i, "{"))) {
			syntax(P, "unclosed bracket");
			return;
		}
		P->i = skip_group(P, P->i);
	}
}

/* hint.x=y, kind=inner, isfuzzy=true, withsource=T, bagexpansion=array: options */
static void skip_options(struct kp *P)
{
	static const char *const options[] = {
		"kind", "isfuzzy", "withsource", "with_source", "bagexpansion", "flags", "hint",
		"decodeblocks", "pair_delimiter", "kv_delimiter", "quote", "escape", "greedy", NULL
	};

	for (;;) {
		size_t j = P->i;

		if (!word_in(P, j, options))
			return;
		while (is_op(P, j + 1, ".") && is_kind(P, j + 2, TK_NAME))
			j += 2;
		if (!is_op(P, j + 1, "=") || is_kind(P, j + 2, TK_END))
			return;
		P->i = skip_group(P, j + 2);
	}
}

/* ---- nodes ---- */

static size_t new_node(struct kp *P, enum nk kind, size_t tb, size_t te)
{
	struct node *n;

	if (P->nn == P->an) {
		P->an = P->an ? P->an * 2 : 128;
		P->nodes = xrealloc(P->nodes, P->an * sizeof(*P->nodes));
	}
	n = &P->nodes[P->nn];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->tb = tb;
	n->te = te;
	n->a = n->b = n->op = n->tab = NONE;
	return P->nn++;
}

static size_t add_kids(struct kp *P, const size_t *v, size_t n)
{
	size_t k0 = P->nkids;

	if (P->nkids + n > P->akids) {
		P->akids = (P->nkids + n) * 2 + 64;
		P->kids = xrealloc(P->kids, P->akids * sizeof(*P->kids));
	}
	if (n)
		memcpy(P->kids + P->nkids, v, n * sizeof(*v));
	P->nkids += n;
	return k0;
}

static struct node *nd(struct kp *P, size_t id)
{
	return &P->nodes[id];
}

/* The node's source text, white space runs made one space (in P->tmp). */
static void node_text(struct kp *P, size_t id, struct strbuf *sb)
{
	const struct node *n = nd(P, id);
	size_t i;

	strbuf_reset(sb);
	for (i = n->tb; i <= n->te && i < P->nt; i++) {
		const struct tok *t = &P->t[i];

		if (i > n->tb && t->space_before)
			strbuf_addch(sb, ' ');
		strbuf_add(sb, P->q + t->b, t->e - t->b);
	}
}

/* ---- tabinfo and bindings ---- */

static size_t new_tab(struct kp *P)
{
	if (P->ntabs == P->atabs) {
		P->atabs = P->atabs ? P->atabs * 2 : 16;
		P->tabs = xrealloc(P->tabs, P->atabs * sizeof(*P->tabs));
	}
	memset(&P->tabs[P->ntabs], 0, sizeof(P->tabs[0]));
	return P->ntabs++;
}

static void strv_add(char ***v, size_t *n, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strlen((*v)[i]) == len && !memcmp((*v)[i], s, len))
			return;
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = xstrndup(s, len);
}

static void strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void tab_copy(struct kp *P, size_t dst, size_t src)
{
	size_t i;

	if (src == NONE || dst == NONE || src == dst)
		return;
	for (i = 0; i < P->tabs[src].ntables; i++)
		if (P->tabs[dst].ntables < KQL_MAX_TABLES)
			strv_add(&P->tabs[dst].tables, &P->tabs[dst].ntables, P->tabs[src].tables[i],
				 strlen(P->tabs[src].tables[i]));
	for (i = 0; i < P->tabs[src].ncomputed; i++)
		strv_add(&P->tabs[dst].computed, &P->tabs[dst].ncomputed, P->tabs[src].computed[i],
			 strlen(P->tabs[src].computed[i]));
	for (i = 0; i < P->tabs[src].noutputs; i++)
		strv_add(&P->tabs[dst].outputs, &P->tabs[dst].noutputs, P->tabs[src].outputs[i],
			 strlen(P->tabs[src].outputs[i]));
	P->tabs[dst].external |= P->tabs[src].external;
}

static struct binding *find_binding(struct kp *P, const char *s, size_t n)
{
	size_t i;

	for (i = P->nb; i-- > 0;)
		if (strlen(P->b[i].name) == n && !memcmp(P->b[i].name, s, n))
			return &P->b[i];
	return NULL;
}

static struct binding *binding_at(struct kp *P, size_t i)
{
	const struct tok *t = tok(P, i);

	return t->kind == TK_NAME ? find_binding(P, P->q + t->b, t->e - t->b) : NULL;
}

static struct binding *bind(struct kp *P, size_t name_tok, enum bkind kind)
{
	const struct tok *t = tok(P, name_tok);
	struct binding *b;

	if (P->nb == P->ab) {
		P->ab = P->ab ? P->ab * 2 : 16;
		P->b = xrealloc(P->b, P->ab * sizeof(*P->b));
	}
	b = &P->b[P->nb++];
	memset(b, 0, sizeof(*b));
	b->name = xstrndup(P->q + t->b, t->e - t->b);
	b->kind = kind;
	b->node = b->tab = NONE;
	return b;
}

/* The pipeline being read made the column name[0..n) (or projects it, outputs). */
static void made_column(struct kp *P, const char *s, size_t n, int computed)
{
	if (P->cur == NONE)
		return;
	if (computed) {
		pb_computed(P->pb, s, n);
		strv_add(&P->tabs[P->cur].computed, &P->tabs[P->cur].ncomputed, s, n);
	} else {
		strv_add(&P->tabs[P->cur].outputs, &P->tabs[P->cur].noutputs, s, n);
	}
}

static void made_column_tok(struct kp *P, size_t i, int computed)
{
	const struct tok *t = tok(P, i);

	if (t->kind == TK_STRING)
		made_column(P, P->sv.buf + t->sv, t->sn, computed);
	else
		made_column(P, P->q + t->b, t->e - t->b, computed);
}

/* Open the scope of tabinfo ti: its tables, its computed columns. */
static void scope_open(struct kp *P, size_t ti)
{
	const char *keys[KQL_MAX_TABLES], *vals[KQL_MAX_TABLES];
	const struct tabinfo *T = &P->tabs[ti];
	size_t i, n = T->ntables < KQL_MAX_TABLES ? T->ntables : KQL_MAX_TABLES;

	for (i = 0; i < n; i++) {
		keys[i] = "tables";
		vals[i] = T->tables[i];
	}
	pb_scope_push(P->pb, n, keys, vals, PB_SCOPE_FRESH);
	for (i = 0; i < T->ncomputed; i++)
		pb_computed(P->pb, T->computed[i], strlen(T->computed[i]));
}

/* ---- expressions ---- */

static size_t expr(struct kp *P);
static size_t tabular(struct kp *P, int in_list_ctx);
static void let_statement(struct kp *P);
static int tabular_start(struct kp *P, size_t i, int in_list_ctx);

static const char *const cmp_words[] = {
	"has", "!has", "has_cs", "!has_cs", "contains", "!contains", "contains_cs", "!contains_cs",
	"startswith", "!startswith", "startswith_cs", "!startswith_cs", "endswith", "!endswith",
	"endswith_cs", "!endswith_cs", "hasprefix", "!hasprefix", "hasprefix_cs", "!hasprefix_cs",
	"hassuffix", "!hassuffix", "hassuffix_cs", "!hassuffix_cs", "in", "!in", "in~", "!in~",
	"has_any", "has_all", "between", "!between", "matches", "like", "notlike", "!has_any",
	"!has_all", "contains_any", NULL
};

static const char *const cmp_ops[] = { "==", "!=", "=~", "!~", "<>", "<", "<=", ">", ">=", NULL };

static const char *const reserved[] = { "and", "or", "by", "on", "with", NULL };

static int is_cmp(const struct kp *P, size_t i)
{
	const struct tok *t = tok(P, i);

	if (t->kind == TK_OP)
		return in_list(P->q + t->b, t->e - t->b, cmp_ops) || (P->search && is_op(P, i, ":"));
	return word_in(P, i, cmp_words);
}

static int deeper(struct kp *P)
{
	if (P->depth >= KQL_MAX_DEPTH) {
		if (!P->failed) {
			P->failed = 1;
			message(P, P->i, PARSE_FAILED, RC_LIMIT, "nested more than 200 deep");
		}
		return -1;
	}
	P->depth++;
	return 0;
}

/* Arguments of a call or elements of a list up to the closer; kids appended. */
static size_t arg_list(struct kp *P, const char *closer, size_t *k0)
{
	size_t *v = NULL, n = 0, a = 0;

	while (!P->failed && !is_op(P, P->i, closer)) {
		size_t x;

		/* name = value (named arguments of functions) */
		if (is_kind(P, P->i, TK_NAME) && is_op(P, P->i + 1, "="))
			P->i += 2;
		if (is_op(P, P->i, "*") && (is_op(P, P->i + 1, ",") || is_op(P, P->i + 1, closer))) {
			x = new_node(P, N_STAR, P->i, P->i);
			P->i++;
		} else {
			x = expr(P);
		}
		if (x == NONE)
			break;
		if (n == a) {
			a = a ? a * 2 : 8;
			v = xrealloc(v, a * sizeof(*v));
		}
		v[n++] = x;
		if (is_op(P, P->i, ","))
			P->i++;
		else if (!is_op(P, P->i, closer))
			syntax(P, closer[0] == ')' ? "expected ',' or ')'" : "expected ',' or ']'");
	}
	*k0 = add_kids(P, v, n);
	free(v);
	if (!P->failed)
		P->i++;
	return n;
}

/* Calls whose argument is a literal of its own syntax: datetime(2024-01-01), typeof(string) */
static const char *const raw_calls[] = {
	"datetime", "timespan", "time", "guid", "typeof", "bool", "boolean", "int", "long", "real",
	"double", "decimal", "date", NULL
};

/* dynamic(...): a list's elements as nodes, anything else raw */
static size_t dynamic_literal(struct kp *P, size_t name)
{
	size_t open = P->i, close = tok(P, open)->match, id;

	if (close == NONE) {
		syntax(P, "unclosed bracket");
		return NONE;
	}
	if (is_op(P, open + 1, "[")) {
		size_t k0, n;

		P->i = open + 2;
		n = arg_list(P, "]", &k0);
		if (P->failed)
			return NONE;
		if (!is_op(P, P->i, ")")) {
			syntax(P, "expected ')'");
			return NONE;
		}
		id = new_node(P, N_LIST, name, P->i);
		nd(P, id)->k0 = k0;
		nd(P, id)->nk = n;
		P->i++;
		return id;
	}
	P->i = close + 1;
	return new_node(P, N_RAW, name, close);
}

static size_t primary(struct kp *P)
{
	size_t i = P->i, id;
	const struct tok *t = tok(P, i);

	if (t->kind == TK_STRING) {
		struct strbuf *sv = &P->sv;
		size_t sb = sv->len;

		/* adjacent literals are one string (copied after the lexer's values) */
		while (is_kind(P, P->i, TK_STRING)) {
			const struct tok *s = tok(P, P->i);

			strbuf_grow(sv, s->sn);
			memcpy(sv->buf + sv->len, sv->buf + s->sv, s->sn);
			sv->len += s->sn;
			sv->buf[sv->len] = '\0';
			P->i++;
		}
		id = new_node(P, N_STR, i, P->i - 1);
		nd(P, id)->sv = sb;
		nd(P, id)->sn = P->sv.len - sb;
		return id;
	}
	if (t->kind == TK_NUMBER) {
		P->i++;
		id = new_node(P, N_NUM, i, i);
		nd(P, id)->op = i;
		return id;
	}
	if (t->kind == TK_NAME) {
		if (word_in(P, i, reserved) || word_in(P, i, cmp_words)) {
			syntax(P, "expected a value");
			return NONE;
		}
		P->i++;
		if (is_op(P, P->i, "(")) {
			size_t k0, n;

			if (word_in(P, i, raw_calls)) {
				size_t close = tok(P, P->i)->match;

				if (close == NONE) {
					syntax(P, "unclosed bracket");
					return NONE;
				}
				P->i = close + 1;
				return new_node(P, N_RAW, i, close);
			}
			if (is_word(P, i, "dynamic"))
				return dynamic_literal(P, i);
			if ((is_word(P, i, "toscalar") || is_word(P, i, "materialize")) &&
			    tabular_start(P, P->i + 1, 0)) {
				size_t ti;

				P->i++;
				ti = tabular(P, 0);
				if (P->failed)
					return NONE;
				if (expect_op(P, ")", "expected ')'") < 0)
					return NONE;
				id = new_node(P, N_TAB, i, P->i - 1);
				nd(P, id)->tab = ti;
				return id;
			}
			P->i++;
			n = arg_list(P, ")", &k0);
			if (P->failed)
				return NONE;
			id = new_node(P, N_CALL, i, P->i - 1);
			nd(P, id)->op = i;
			nd(P, id)->k0 = k0;
			nd(P, id)->nk = n;
			return id;
		}
		id = new_node(P, is_word(P, i, "true") || is_word(P, i, "false") ? N_BOOL :
			      is_word(P, i, "null") ? N_NULL : N_NAME, i, i);
		nd(P, id)->op = i;
		return id;
	}
	if (is_op(P, i, "(")) {
		size_t x;

		if (tabular_start(P, i + 1, 0)) {
			size_t ti;

			P->i++;
			ti = tabular(P, 0);
			if (P->failed || expect_op(P, ")", "expected ')'") < 0)
				return NONE;
			id = new_node(P, N_TAB, i, P->i - 1);
			nd(P, id)->tab = ti;
			return id;
		}
		P->i++;
		x = expr(P);
		if (x == NONE)
			return NONE;
		/* (a, b): a list (the right side of in) */
		if (is_op(P, P->i, ",")) {
			size_t a = 8, *v = xmalloc(a * sizeof(*v)), n = 1, k0;

			v[0] = x;
			while (!P->failed && is_op(P, P->i, ",")) {
				P->i++;
				if ((x = expr(P)) == NONE)
					break;
				if (n == a)
					v = xrealloc(v, (a *= 2) * sizeof(*v));
				v[n++] = x;
			}
			k0 = add_kids(P, v, n);
			free(v);
			if (P->failed || expect_op(P, ")", "expected ',' or ')'") < 0)
				return NONE;
			id = new_node(P, N_LIST, i, P->i - 1);
			nd(P, id)->k0 = k0;
			nd(P, id)->nk = n;
			return id;
		}
		if (expect_op(P, ")", "expected ')'") < 0)
			return NONE;
		/* the parentheses' tokens belong to an expression's text; a literal stays itself */
		if (nd(P, x)->kind != N_STR && nd(P, x)->kind != N_NUM && nd(P, x)->kind != N_BOOL &&
		    nd(P, x)->kind != N_NAME && nd(P, x)->kind != N_NULL) {
			nd(P, x)->tb = i;
			nd(P, x)->te = P->i - 1;
		}
		return x;
	}
	if (is_op(P, i, "[")) {
		size_t k0, n;

		/* ['column name'] */
		if (is_kind(P, i + 1, TK_STRING) && is_op(P, i + 2, "]")) {
			P->i = i + 3;
			id = new_node(P, N_NAME, i, i + 2);
			nd(P, id)->op = i;
			return id;
		}
		P->i++;
		n = arg_list(P, "]", &k0);
		if (P->failed)
			return NONE;
		id = new_node(P, N_LIST, i, P->i - 1);
		nd(P, id)->k0 = k0;
		nd(P, id)->nk = n;
		return id;
	}
	if (is_op(P, i, "{")) {
		size_t close = tok(P, i)->match;

		if (close == NONE) {
			syntax(P, "unclosed bracket");
			return NONE;
		}
		P->i = close + 1;
		return new_node(P, N_RAW, i, close);
	}
	if (P->search && is_op(P, i, "*")) {
		P->i++;
		return new_node(P, N_STAR, i, i);
	}
	syntax(P, "expected a value");
	return NONE;
}

static size_t postfix(struct kp *P)
{
	size_t x = primary(P);

	while (x != NONE && !P->failed) {
		size_t id;

		if (is_op(P, P->i, ".") && (is_kind(P, P->i + 1, TK_NAME) || is_kind(P, P->i + 1, TK_STRING))) {
			P->i += 2;
		} else if (is_op(P, P->i, "[") || (is_op(P, P->i, ".") && is_op(P, P->i + 1, "["))) {
			/* a[0], a["k"], a.['k'], a.[0] */
			P->i += is_op(P, P->i, ".") ? 2 : 1;
			if (expr(P) == NONE || expect_op(P, "]", "expected ']'") < 0)
				return NONE;
		} else if (is_op(P, P->i, "(") && nd(P, x)->kind == N_PATH) {
			/* a method-like call: a.b(...) (database("x").T is rarer) */
			size_t k0;

			P->i++;
			arg_list(P, ")", &k0);
			if (P->failed)
				return NONE;
		} else {
			break;
		}
		id = new_node(P, N_PATH, nd(P, x)->tb, P->i - 1);
		nd(P, id)->a = x;
		x = id;
	}
	return x;
}

static size_t unary(struct kp *P)
{
	size_t i = P->i, x, id;

	if (is_op(P, i, "-") || is_op(P, i, "+") || is_op(P, i, "!")) {
		if (deeper(P) < 0)
			return NONE;
		P->i++;
		x = unary(P);
		P->depth--;
		if (x == NONE)
			return NONE;
		id = new_node(P, N_UNARY, i, nd(P, x)->te);
		nd(P, id)->a = x;
		nd(P, id)->op = i;
		return id;
	}
	return postfix(P);
}

static size_t binary(struct kp *P, int level);

/*
 * level 0 or, 1 and (each a chain: one node, its operands in kids, so that
 * a long chain is no deep tree), 2 comparison, 3 + -, 4 * / %
 */
static size_t binary(struct kp *P, int level)
{
	size_t l, r, op, id;

	if (level == 5)
		return unary(P);
	l = binary(P, level + 1);
	if (level <= 1) {
		const char *w = level ? "and" : "or";
		size_t *v, n = 1, a = 8;

		if (l == NONE || P->failed || !is_word(P, P->i, w))
			return l;
		op = P->i;
		v = xmalloc(a * sizeof(*v));
		v[0] = l;
		while (is_word(P, P->i, w)) {
			P->i++;
			if ((r = binary(P, level + 1)) == NONE || P->failed) {
				free(v);
				return NONE;
			}
			if (n == a)
				v = xrealloc(v, (a *= 2) * sizeof(*v));
			v[n++] = r;
		}
		id = new_node(P, N_BIN, nd(P, v[0])->tb, nd(P, v[n - 1])->te);
		nd(P, id)->op = op;
		nd(P, id)->k0 = add_kids(P, v, n);
		nd(P, id)->nk = n;
		free(v);
		return id;
	}
	while (l != NONE && !P->failed) {
		op = P->i;
		if (level == 2 && is_cmp(P, op)) {
		} else if (level == 3 && (is_op(P, op, "+") || is_op(P, op, "-"))) {
		} else if (level == 4 && (is_op(P, op, "*") || is_op(P, op, "/") || is_op(P, op, "%"))) {
		} else {
			break;
		}
		P->i++;
		if (level == 2 && is_word(P, op, "matches")) {
			if (!is_word(P, P->i, "regex")) {
				syntax(P, "expected 'regex'");
				break;
			}
			P->i++;
		}
		if (level == 2 && (is_word(P, op, "between") || is_word(P, op, "!between"))) {
			size_t lo, hi;

			if (expect_op(P, "(", "expected '('") < 0 || (lo = binary(P, 3)) == NONE ||
			    expect_op(P, "..", "expected '..'") < 0 || (hi = binary(P, 3)) == NONE ||
			    expect_op(P, ")", "expected ')'") < 0) {
				l = NONE;
				break;
			}
			id = new_node(P, N_BETWEEN, nd(P, l)->tb, P->i - 1);
			nd(P, id)->op = op;
			nd(P, id)->a = l;
			nd(P, id)->k0 = lo;
			nd(P, id)->b = hi;
			l = id;
			continue;
		}
		r = binary(P, level + 1);
		if (r == NONE) {
			l = NONE;
			break;
		}
		id = new_node(P, N_BIN, nd(P, l)->tb, nd(P, r)->te);
		nd(P, id)->op = op;
		nd(P, id)->a = l;
		nd(P, id)->b = r;
		l = id;
		/* comparisons do not chain */
		if (level == 2)
			break;
	}
	return l;
}

static size_t expr(struct kp *P)
{
	size_t x;

	if (deeper(P) < 0)
		return NONE;
	x = binary(P, 0);
	P->depth--;
	return x;
}

/* ---- values ---- */

enum kv_kind { KV_STR, KV_NUM, KV_BOOL, KV_FIELD, KV_EXPR };

struct kval {
	enum kv_kind kind;
	size_t node;
};

struct kvals {
	struct kval *v;
	size_t n, a;
	int from_table;		/* some value comes from a table: not resolvable */
};

static void kv_push(struct kvals *V, enum kv_kind k, size_t node)
{
	if (V->n == V->a) {
		V->a = V->a ? V->a * 2 : 8;
		V->v = xrealloc(V->v, V->a * sizeof(*V->v));
	}
	V->v[V->n].kind = k;
	V->v[V->n++].node = node;
}

/* The values a node stands for: a literal, a list, a let-bound name, pack_array(...). */
static void values_of(struct kp *P, size_t id, struct kvals *V, unsigned depth)
{
	const struct node *n = nd(P, id);
	size_t i;

	switch (n->kind) {
	case N_STR:
		kv_push(V, KV_STR, id);
		return;
	case N_NUM:
		kv_push(V, KV_NUM, id);
		return;
	case N_BOOL:
		kv_push(V, KV_BOOL, id);
		return;
	case N_LIST:
		for (i = 0; i < n->nk; i++)
			values_of(P, P->kids[nd(P, id)->k0 + i], V, depth);
		return;
	case N_TAB:
		V->from_table = 1;
		return;
	case N_CALL:
		if (is_word(P, n->op, "pack_array") || is_word(P, n->op, "dynamic")) {
			for (i = 0; i < n->nk; i++)
				values_of(P, P->kids[nd(P, id)->k0 + i], V, depth);
			return;
		}
		break;
	case N_NAME: {
		struct binding *b = binding_at(P, n->op);

		if (!b) {
			kv_push(V, KV_FIELD, id);
			return;
		}
		if (b->kind == B_TABULAR || b->from_table) {
			V->from_table = 1;
			return;
		}
		if (b->node != NONE && depth < KQL_MAX_RESOLVE) {
			values_of(P, b->node, V, depth + 1);
			return;
		}
		break;
	}
	default:
		break;
	}
	kv_push(V, KV_EXPR, id);
}

/* ---- where trees ---- */

/* The field a node filters on: a column, a path, through tostring()/tolower(). */
static int field_of(struct kp *P, size_t id, struct strbuf *sb, int *ci, size_t *root)
{
	const struct node *n = nd(P, id);

	if (n->kind == N_NAME) {
		const struct tok *t = tok(P, n->op);

		strbuf_reset(sb);
		if (t->kind == TK_OP)	/* ['name'] */
			t = tok(P, n->op + 1);
		if (t->kind == TK_STRING)
			strbuf_add(sb, P->sv.buf + t->sv, t->sn);
		else
			strbuf_add(sb, P->q + t->b, t->e - t->b);
		*root = sb->len;
		return binding_at(P, n->op) ? -1 : 0;
	}
	if (n->kind == N_PATH) {
		size_t r;

		/* AdditionalFields.x, parse_json(AdditionalFields).x, Col["x"]: the whole path */
		node_text(P, id, sb);
		for (r = 0; r < sb->len && (name_char((unsigned char)sb->buf[r]) || sb->buf[r] == '$'); r++)
			;
		*root = r;
		return 0;
	}
	if (n->kind == N_CALL && n->nk == 1 &&
	    (is_word(P, n->op, "tolower") || is_word(P, n->op, "toupper"))) {
		*ci = 1;
		return field_of(P, P->kids[n->k0], sb, ci, root);
	}
	if (n->kind == N_CALL && n->nk == 1 &&
	    (is_word(P, n->op, "tostring") || is_word(P, n->op, "toint") || is_word(P, n->op, "tolong") ||
	     is_word(P, n->op, "todouble") || is_word(P, n->op, "toreal") ||
	     is_word(P, n->op, "todatetime")))
		return field_of(P, P->kids[n->k0], sb, ci, root);
	return -1;
}

struct leafop {
	const char *word;
	enum pred_op op;
	int ci, neg;
};

static const struct leafop leaf_ops[] = {
	{ "==", PRED_EQ, 0, 0 }, { "!=", PRED_EQ, 0, 1 }, { "=~", PRED_EQ, 1, 0 }, { "!~", PRED_EQ, 1, 1 },
	{ "<>", PRED_EQ, 0, 1 }, { ":", PRED_MATCH, 1, 0 },
	{ "<", PRED_LT, 0, 0 }, { "<=", PRED_LTE, 0, 0 }, { ">", PRED_GT, 0, 0 }, { ">=", PRED_GTE, 0, 0 },
	{ "has", PRED_MATCH, 1, 0 }, { "!has", PRED_MATCH, 1, 1 },
	{ "has_cs", PRED_MATCH, 0, 0 }, { "!has_cs", PRED_MATCH, 0, 1 },
	{ "contains", PRED_CONTAINS, 1, 0 }, { "!contains", PRED_CONTAINS, 1, 1 },
	{ "contains_cs", PRED_CONTAINS, 0, 0 }, { "!contains_cs", PRED_CONTAINS, 0, 1 },
	{ "startswith", PRED_STARTS_WITH, 1, 0 }, { "!startswith", PRED_STARTS_WITH, 1, 1 },
	{ "startswith_cs", PRED_STARTS_WITH, 0, 0 }, { "!startswith_cs", PRED_STARTS_WITH, 0, 1 },
	{ "endswith", PRED_ENDS_WITH, 1, 0 }, { "!endswith", PRED_ENDS_WITH, 1, 1 },
	{ "endswith_cs", PRED_ENDS_WITH, 0, 0 }, { "!endswith_cs", PRED_ENDS_WITH, 0, 1 },
	{ "hasprefix", PRED_STARTS_WITH, 1, 0 }, { "!hasprefix", PRED_STARTS_WITH, 1, 1 },
	{ "hasprefix_cs", PRED_STARTS_WITH, 0, 0 }, { "!hasprefix_cs", PRED_STARTS_WITH, 0, 1 },
	{ "hassuffix", PRED_ENDS_WITH, 1, 0 }, { "!hassuffix", PRED_ENDS_WITH, 1, 1 },
	{ "hassuffix_cs", PRED_ENDS_WITH, 0, 0 }, { "!hassuffix_cs", PRED_ENDS_WITH, 0, 1 },
	{ "in", PRED_EQ, 0, 0 }, { "!in", PRED_EQ, 0, 1 }, { "in~", PRED_EQ, 1, 0 }, { "!in~", PRED_EQ, 1, 1 },
	{ "has_any", PRED_MATCH, 1, 0 }, { "!has_any", PRED_MATCH, 1, 1 },
	{ "has_all", PRED_MATCH, 1, 0 }, { "!has_all", PRED_MATCH, 1, 1 },
	{ "matches", PRED_REGEX, 0, 0 },
	{ NULL, PRED_EQ, 0, 0 }
};

static const struct leafop *leaf_op(struct kp *P, size_t op)
{
	const struct tok *t = tok(P, op);
	size_t i;

	for (i = 0; leaf_ops[i].word; i++)
		if (strlen(leaf_ops[i].word) == t->e - t->b && !memcmp(leaf_ops[i].word, P->q + t->b, t->e - t->b))
			return &leaf_ops[i];
	return NULL;
}

/* A spec's operator as written, for the differential test. */
struct leafctx {
	struct pred_str mod;
	struct strbuf field, value, raw;
};

/* One predicate: field (as filled), a value of kind k at node v. */
static size_t value_leaf(struct kp *P, struct pred_spec *s, const struct kval *v, struct leafctx *L)
{
	const struct node *n = nd(P, v->node);
	const struct tok *t = tok(P, n->op);
	size_t id;

	s->pat = NULL;
	s->text = NULL;
	s->len = 0;
	node_text(P, v->node, &L->raw);
	s->raw_value = L->raw.buf;
	s->raw_value_len = L->raw.len;
	switch (v->kind) {
	case KV_STR:
		if (s->op == PRED_REGEX || s->op == PRED_CIDR || s->op >= PRED_GT) {
			s->kind = PV_TEXT;
			s->text = P->sv.buf + n->sv;
			s->len = n->sn;
		} else {
			pattern_reset(&P->pat);
			pattern_add_lit(&P->pat, P->sv.buf + n->sv, n->sn);
			s->kind = PV_PATTERN;
			s->pat = &P->pat;
		}
		break;
	case KV_NUM:
	case KV_BOOL: {
		char *end;
		const char *txt = P->q + t->b;
		size_t tl = t->e - t->b;

		strbuf_reset(&L->value);
		strbuf_add(&L->value, txt, tl);
		if (s->op >= PRED_GT && v->kind == KV_NUM) {
			errno = 0;
			s->integer = strtoll(L->value.buf, &end, 0);
			if (!*end && !errno) {
				s->kind = PV_NUMBER;
				s->is_int = 1;
				break;
			}
			s->number = strtod(L->value.buf, &end);
			if (!*end) {
				s->kind = PV_NUMBER;
				s->is_int = 0;
				break;
			}
		}
		if (s->op == PRED_EQ || s->op >= PRED_GT || s->op == PRED_REGEX) {
			s->kind = PV_TEXT;
			s->text = L->value.buf;
			s->len = L->value.len;
		} else {
			pattern_reset(&P->pat);
			pattern_add_lit(&P->pat, L->value.buf, L->value.len);
			s->kind = PV_PATTERN;
			s->pat = &P->pat;
		}
		break;
	}
	case KV_FIELD:
		strbuf_reset(&L->value);
		if (t->kind == TK_OP && is_kind(P, n->op + 1, TK_STRING))
			strbuf_add(&L->value, P->sv.buf + tok(P, n->op + 1)->sv, tok(P, n->op + 1)->sn);
		else
			strbuf_add(&L->value, P->q + t->b, t->e - t->b);
		s->kind = PV_FIELD;
		s->text = L->value.buf;
		s->len = L->value.len;
		if (pb_is_computed(P->pb, s->text, s->len))
			s->computed = 1;
		break;
	case KV_EXPR:
		/* ago(7d), a function of the row, a scalar let we cannot fold: as written */
		strbuf_reset(&L->value);
		strbuf_add(&L->value, L->raw.buf, L->raw.len);
		s->kind = PV_TEXT;
		s->text = L->value.buf;
		s->len = L->value.len;
		break;
	}
	id = pb_leaf(P->pb, s);
	return id;
}

/* Start a spec on the left side lhs; 0, or -1 when it is an expression (a computed pseudo-field). */
static void lhs_spec(struct kp *P, size_t lhs, struct pred_spec *s, struct leafctx *L, int ci)
{
	size_t root = 0;
	int fci = 0;

	pred_spec_init(s);
	s->line = 0;
	s->modifiers = &L->mod;
	s->nmodifiers = 1;
	if (field_of(P, lhs, &L->field, &fci, &root) == 0) {
		s->field = L->field.buf;
		s->ci = ci || fci;
		if (root < L->field.len && pb_is_computed(P->pb, L->field.buf, root))
			s->computed = 1;
		return;
	}
	node_text(P, lhs, &L->field);
	s->field = L->field.buf;
	s->no_raw_field = 1;
	s->computed = 1;
	s->ci = ci;
}

static void leafctx_init(struct leafctx *L)
{
	memset(L, 0, sizeof(*L));
	strbuf_init(&L->field, 32);
	strbuf_init(&L->value, 32);
	strbuf_init(&L->raw, 32);
}

static void leafctx_release(struct leafctx *L)
{
	strbuf_release(&L->field);
	strbuf_release(&L->value);
	strbuf_release(&L->raw);
}

static void set_mod(struct kp *P, struct leafctx *L, size_t optok)
{
	const struct tok *t = tok(P, optok);

	L->mod.s = P->q + t->b;
	L->mod.n = t->e - t->b;
	if (is_word(P, optok, "matches")) {
		L->mod.s = "matches regex";
		L->mod.n = 13;
	}
}

/* A filter we cannot split: one computed leaf, its text the whole expression. */
static size_t computed_leaf(struct kp *P, size_t id, struct leafctx *L)
{
	struct pred_spec s;

	pred_spec_init(&s);
	node_text(P, id, &L->field);
	s.field = L->field.buf;
	s.no_raw_field = 1;
	s.computed = 1;
	s.kind = PV_TEXT;
	s.text = "true";
	s.len = 4;
	return pb_leaf(P->pb, &s);
}

static size_t tree(struct kp *P, size_t id, unsigned depth);

/* lhs OP rhs, the comparison families. */
static size_t cmp_tree(struct kp *P, size_t id)
{
	const struct node *n = nd(P, id);
	const struct leafop *lo = leaf_op(P, n->op);
	struct leafctx L;
	struct pred_spec s;
	struct kvals V = { NULL, 0, 0, 0 };
	size_t *v, nv = 0, i, res = EXPR_NONE;
	int all;

	if (!lo) {
		unsupported(P, n->op, "an operator that is not read");
		leafctx_init(&L);
		res = computed_leaf(P, id, &L);
		leafctx_release(&L);
		return res;
	}
	leafctx_init(&L);
	set_mod(P, &L, n->op);
	/* a literal on the left: "x" == Field */
	if (nd(P, n->a)->kind == N_STR && lo->op == PRED_EQ && nd(P, n->b)->kind == N_NAME) {
		size_t a = n->a;

		lhs_spec(P, n->b, &s, &L, lo->ci);
		values_of(P, a, &V, 0);
	} else {
		lhs_spec(P, n->a, &s, &L, lo->ci);
		values_of(P, n->b, &V, 0);
	}
	s.op = lo->op;
	if (V.from_table) {
		/* the values come from a table (a join in disguise): one computed leaf */
		node_text(P, n->b, &L.raw);
		s.computed = 1;
		s.kind = PV_TEXT;
		s.text = L.raw.buf;
		s.len = L.raw.len;
		s.raw_value = L.raw.buf;
		s.raw_value_len = L.raw.len;
		res = pb_leaf(P->pb, &s);
		goto out;
	}
	v = xmalloc((V.n ? V.n : 1) * sizeof(*v));
	for (i = 0; i < V.n; i++) {
		struct pred_spec c = s;

		v[nv++] = value_leaf(P, &c, &V.v[i], &L);
		/* the ActionType values a query asks for, for the events mapping (SPEC §5) */
		if (V.v[i].kind == KV_STR && lo->op == PRED_EQ && !lo->neg && !P->negated && !c.computed &&
		    !strcasecmp(s.field, "ActionType"))
			pb_context_add(P->pb, "action_types", P->sv.buf + nd(P, V.v[i].node)->sv,
				       nd(P, V.v[i].node)->sn);
	}
	all = is_word(P, n->op, "has_all") || is_word(P, n->op, "!has_all");
	res = nv ? pb_join(P->pb, all ? EXPR_AND : EXPR_OR, v, nv) : EXPR_NONE;
	free(v);
	/* in (dynamic([])): an empty list filters on no value (an allow-list left empty) */
out:
	if (lo->neg)
		res = pb_not(P->pb, res);
	free(V.v);
	leafctx_release(&L);
	return res;
}

static const char *const private_nets[] = {
	"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", NULL
};

/* isnotempty(x), ipv4_is_private(x), not(...), other functions */
static size_t call_tree(struct kp *P, size_t id, unsigned depth)
{
	const struct node *n = nd(P, id);
	struct leafctx L;
	struct pred_spec s;
	size_t res = EXPR_NONE, arg0 = n->nk ? P->kids[n->k0] : NONE;
	int neg = 0;

	if (is_word(P, n->op, "not") && n->nk == 1)
	{
		size_t x;

		P->negated = !P->negated;
		x = tree(P, arg0, depth + 1);
		P->negated = !P->negated;
		return pb_not(P->pb, x);
	}
	leafctx_init(&L);
	set_mod(P, &L, n->op);
	if (n->nk == 1 && (is_word(P, n->op, "isnotempty") || is_word(P, n->op, "isnotnull") ||
			   is_word(P, n->op, "isempty") || is_word(P, n->op, "isnull"))) {
		neg = is_word(P, n->op, "isempty") || is_word(P, n->op, "isnull");
		lhs_spec(P, arg0, &s, &L, 0);
		s.op = PRED_EXISTS;
		s.kind = PV_NONE;
		res = pb_leaf(P->pb, &s);
	} else if (n->nk == 1 && is_word(P, n->op, "ipv4_is_private")) {
		size_t v[3], k;

		lhs_spec(P, arg0, &s, &L, 0);
		s.op = PRED_CIDR;
		s.kind = PV_TEXT;
		for (k = 0; private_nets[k]; k++) {
			s.text = private_nets[k];
			s.len = strlen(private_nets[k]);
			v[k] = pb_leaf(P->pb, &s);
		}
		res = pb_join(P->pb, EXPR_OR, v, 3);
	} else if (n->nk >= 2 && (is_word(P, n->op, "ipv4_is_in_range") || is_word(P, n->op, "ipv4_is_match") ||
				  is_word(P, n->op, "ipv4_is_in_any_range") || is_word(P, n->op, "has_any_ipv4") ||
				  is_word(P, n->op, "has_ipv4"))) {
		struct kvals V = { NULL, 0, 0, 0 };
		size_t *v, nv = 0, i;
		int match = !is_word(P, n->op, "ipv4_is_in_range") && !is_word(P, n->op, "ipv4_is_in_any_range");

		lhs_spec(P, arg0, &s, &L, 0);
		s.op = match ? PRED_EQ : PRED_CIDR;
		for (i = 1; i < n->nk && (!match || i == 1 || is_word(P, n->op, "has_any_ipv4")); i++)
			values_of(P, P->kids[n->k0 + i], &V, 0);
		if (V.from_table) {
			s.computed = 1;
			s.kind = PV_TEXT;
			node_text(P, id, &L.raw);
			s.text = L.raw.buf;
			s.len = L.raw.len;
			res = pb_leaf(P->pb, &s);
		} else {
			v = xmalloc((V.n ? V.n : 1) * sizeof(*v));
			for (i = 0; i < V.n; i++) {
				struct pred_spec c = s;

				if (V.v[i].kind == KV_STR && !match)
					c.op = PRED_CIDR;
				v[nv++] = value_leaf(P, &c, &V.v[i], &L);
			}
			res = nv ? pb_join(P->pb, EXPR_OR, v, nv) : computed_leaf(P, id, &L);
			free(v);
		}
		free(V.v);
	} else {
		/* any other function as a filter: a computed test that it is true */
		res = computed_leaf(P, id, &L);
	}
	leafctx_release(&L);
	return neg ? pb_not(P->pb, res) : res;
}

/* The predicates of a where (or search) expression, as a builder tree. */
static size_t tree(struct kp *P, size_t id, unsigned depth)
{
	const struct node *n;
	struct leafctx L;
	size_t res;

	if (id == NONE || depth > KQL_MAX_DEPTH * 4)
		return EXPR_NONE;
	n = nd(P, id);
	switch (n->kind) {
	case N_BIN:
		if (n->nk) {
			size_t *v = xmalloc(n->nk * sizeof(*v)), k, nk = n->nk, k0 = n->k0;
			int and = is_word(P, n->op, "and");

			for (k = 0; k < nk; k++)
				v[k] = tree(P, P->kids[k0 + k], depth + 1);
			res = pb_join(P->pb, and ? EXPR_AND : EXPR_OR, v, nk);
			free(v);
			return res;
		}
		if (is_cmp(P, n->op))
			return cmp_tree(P, id);
		break;
	case N_BETWEEN: {
		struct pred_spec s, lo, hi;
		struct kvals V = { NULL, 0, 0, 0 };
		size_t a, b;
		int neg = is_word(P, n->op, "!between");

		leafctx_init(&L);
		set_mod(P, &L, n->op);
		lhs_spec(P, n->a, &s, &L, 0);
		lo = hi = s;
		lo.op = PRED_GTE;
		hi.op = PRED_LTE;
		values_of(P, n->k0, &V, 0);
		values_of(P, nd(P, id)->b, &V, 0);
		if (V.from_table || V.n != 2) {
			/* a bound from a table or a let list: the bounds as written */
			struct kval x = { KV_EXPR, n->k0 }, y = { KV_EXPR, nd(P, id)->b };

			a = value_leaf(P, &lo, &x, &L);
			b = value_leaf(P, &hi, &y, &L);
		} else {
			a = value_leaf(P, &lo, &V.v[0], &L);
			b = value_leaf(P, &hi, &V.v[1], &L);
		}
		free(V.v);
		leafctx_release(&L);
		res = pb_and(P->pb, a, b);
		return neg ? pb_not(P->pb, res) : res;
	}
	case N_CALL:
		return call_tree(P, id, depth);
	case N_NAME:
	case N_PATH: {
		/* a boolean column */
		struct pred_spec s;

		leafctx_init(&L);
		lhs_spec(P, id, &s, &L, 0);
		s.nmodifiers = 0;
		s.kind = PV_TEXT;
		s.text = "true";
		s.len = 4;
		res = pb_leaf(P->pb, &s);
		leafctx_release(&L);
		return res;
	}
	case N_STR:
		if (P->search) {
			/* search "term": a token match on any column; * is a wildcard */
			struct pred_spec s;
			const char *v = P->sv.buf + n->sv;
			size_t k, b = 0;

			pred_spec_init(&s);
			pattern_reset(&P->pat);
			for (k = 0; k <= n->sn; k++) {
				if (k < n->sn && v[k] != '*')
					continue;
				pattern_add_lit(&P->pat, v + b, k - b);
				if (k < n->sn)
					pattern_add_wild(&P->pat, PAT_STAR);
				b = k + 1;
			}
			s.op = PRED_MATCH;
			s.kind = PV_PATTERN;
			s.pat = &P->pat;
			s.ci = 1;
			leafctx_init(&L);
			node_text(P, id, &L.raw);
			s.raw_value = L.raw.buf;
			s.raw_value_len = L.raw.len;
			res = pb_leaf(P->pb, &s);
			leafctx_release(&L);
			return res;
		}
		break;
	case N_STAR:
		return EXPR_NONE;
	case N_UNARY:
		if (is_op(P, n->op, "!"))
		{
			size_t x;

			P->negated = !P->negated;
			x = tree(P, n->a, depth + 1);
			P->negated = !P->negated;
			return pb_not(P->pb, x);
		}
		break;
	default:
		break;
	}
	leafctx_init(&L);
	res = computed_leaf(P, id, &L);
	leafctx_release(&L);
	return res;
}

/* ---- tabular operators ---- */

static void pipe_op(struct kp *P, size_t ti);

static void where_op(struct kp *P)
{
	size_t x = expr(P);

	if (x == NONE || P->failed)
		return;
	if (!clause_end(P, P->i)) {
		syntax(P, "expected '|' or the end of the query");
		return;
	}
	pb_emit(P->pb, tree(P, x, 0));
}

/* The name a column takes when it is not named: count() → count_, dcount(X) → dcount_X */
static void default_name(struct kp *P, size_t x, struct strbuf *sb)
{
	const struct node *n = nd(P, x);
	static const struct { const char *fn, *prefix; } names[] = {
		{ "make_set", "set_" }, { "make_list", "list_" }, { "make_bag", "bag_" },
		{ "make_set_if", "set_" }, { "make_list_if", "list_" }, { "take_any", "any_" },
		{ "any", "any_" }, { NULL, NULL }
	};
	size_t i;

	strbuf_reset(sb);
	if (n->kind == N_NAME) {
		const struct tok *t = tok(P, n->op);

		strbuf_add(sb, P->q + t->b, t->e - t->b);
		return;
	}
	if (n->kind != N_CALL)
		return;
	for (i = 0; names[i].fn; i++)
		if (is_word(P, n->op, names[i].fn)) {
			strbuf_addstr(sb, names[i].prefix);
			break;
		}
	if (!names[i].fn) {
		strbuf_add(sb, P->q + tok(P, n->op)->b, tok(P, n->op)->e - tok(P, n->op)->b);
		strbuf_addch(sb, '_');
	}
	if (n->nk && nd(P, P->kids[n->k0])->kind == N_NAME && !is_word(P, n->op, "count") &&
	    !is_word(P, n->op, "countif")) {
		const struct tok *t = tok(P, nd(P, P->kids[n->k0])->op);

		strbuf_add(sb, P->q + t->b, t->e - t->b);
	}
}

/* a name or ['name'] at i followed by '=': where the value starts, or 0 */
static size_t assigned_name(const struct kp *P, size_t i)
{
	if (is_kind(P, i, TK_NAME) && is_op(P, i + 1, "="))
		return i + 2;
	if (is_op(P, i, "[") && is_kind(P, i + 1, TK_STRING) && is_op(P, i + 2, "]") && is_op(P, i + 3, "="))
		return i + 4;
	return 0;
}

enum assign_mode {
	AM_EXTEND,		/* x = e: computed; e alone: nothing */
	AM_PROJECT,		/* x = e: computed; a column alone: an output */
	AM_AGGREGATE,		/* x = agg(): computed; agg() alone: its default name computed */
	AM_BY,			/* x = e: computed; a column or bin(col, ...): an output */
};

/* name = expr, ... up to the clause's end (or `by`, `on`); 0 or -1 */
static int assignments(struct kp *P, enum assign_mode mode, const char *const *stop)
{
	struct strbuf name = STRBUF_INIT;

	if (clause_end(P, P->i) || (stop && word_in(P, P->i, stop)))
		return 0;
	for (;;) {
		size_t v = assigned_name(P, P->i), x, nametok = P->i;

		if (is_op(P, P->i, "(") && tok(P, P->i)->match != NONE && is_op(P, tok(P, P->i)->match + 1, "=")) {
			/* (a, b) = f(...) */
			size_t k, close = tok(P, P->i)->match;

			for (k = P->i + 1; k < close; k++)
				if (is_kind(P, k, TK_NAME))
					made_column_tok(P, k, 1);
			P->i = close + 2;
			v = 0;
			nametok = NONE;
		} else if (v) {
			P->i = v;
		}
		if (mode == AM_PROJECT && !v && is_kind(P, P->i, TK_NAME) && (is_op(P, P->i + 1, "*"))) {
			/* project-away Name*, project Col* */
			P->i += 2;
			x = NONE;
		} else {
			x = expr(P);
			if (x == NONE)
				break;
		}
		if (v) {
			made_column_tok(P, is_op(P, nametok, "[") ? nametok + 1 : nametok, 1);
		} else if (x != NONE) {
			const struct node *n = nd(P, x);

			if (mode == AM_AGGREGATE && n->kind == N_CALL &&
			    (is_word(P, n->op, "arg_max") || is_word(P, n->op, "arg_min"))) {
				size_t k;

				/* arg_max(T, a, b): the row's own columns */
				for (k = 0; k < n->nk; k++)
					if (nd(P, P->kids[n->k0 + k])->kind == N_NAME)
						made_column_tok(P, nd(P, P->kids[n->k0 + k])->op, 0);
			} else if (mode == AM_AGGREGATE) {
				default_name(P, x, &name);
				if (name.len)
					made_column(P, name.buf, name.len, 1);
			} else if ((mode == AM_PROJECT || mode == AM_BY) && n->kind == N_NAME) {
				made_column_tok(P, n->op, 0);
			} else if (mode == AM_BY && n->kind == N_CALL && n->nk &&
				   nd(P, P->kids[n->k0])->kind == N_NAME) {
				made_column_tok(P, nd(P, P->kids[n->k0])->op, 0);
			}
		}
		if (!is_op(P, P->i, ","))
			break;
		P->i++;
	}
	strbuf_release(&name);
	if (P->failed)
		return -1;
	if (!clause_end(P, P->i) && !(stop && word_in(P, P->i, stop))) {
		syntax(P, "expected ',' or '|'");
		return -1;
	}
	return 0;
}

static void summarize_op(struct kp *P)
{
	static const char *const by[] = { "by", NULL };

	skip_options(P);
	if (assignments(P, AM_AGGREGATE, by) < 0)
		return;
	if (is_word(P, P->i, "by")) {
		P->i++;
		assignments(P, AM_BY, NULL);
	}
}

/* make-series [x =] agg() [default = v] on Axis [from a] [to b] step s [by ...] */
static void make_series_op(struct kp *P)
{
	struct strbuf name = STRBUF_INIT;

	skip_options(P);
	while (!clause_end(P, P->i) && !is_word(P, P->i, "on") && !P->failed) {
		size_t v = assigned_name(P, P->i), x;

		if (v && is_word(P, P->i, "default")) {
			P->i = v;
			expr(P);
		} else {
			if (v) {
				made_column_tok(P, P->i, 1);
				P->i = v;
			}
			x = expr(P);
			if (x == NONE)
				break;
			if (!v) {
				default_name(P, x, &name);
				if (name.len)
					made_column(P, name.buf, name.len, 1);
			}
		}
		if (is_op(P, P->i, ","))
			P->i++;
	}
	strbuf_release(&name);
	skip_clause(P);
}

/* parse [kind=...] expr with * "lit" name [: type] ...: the names are computed */
static void parse_op(struct kp *P)
{
	skip_options(P);
	if (expr(P) == NONE)
		return;
	if (!is_word(P, P->i, "with")) {
		syntax(P, "expected 'with'");
		return;
	}
	P->i++;
	while (!clause_end(P, P->i)) {
		if (is_kind(P, P->i, TK_NAME) && !is_op(P, P->i - 1, ":"))
			made_column_tok(P, P->i, 1);
		P->i = skip_group(P, P->i);
	}
}

/* parse-kv expr as (a:string, b:long) with (...) */
static void parse_kv_op(struct kp *P)
{
	size_t k, close;

	while (!clause_end(P, P->i) && !is_word(P, P->i, "as"))
		P->i = skip_group(P, P->i);
	if (is_word(P, P->i, "as") && is_op(P, P->i + 1, "(") && (close = tok(P, P->i + 1)->match) != NONE) {
		for (k = P->i + 2; k < close; k++)
			if (is_kind(P, k, TK_NAME) && is_op(P, k + 1, ":"))
				made_column_tok(P, k, 1);
		P->i = close + 1;
	}
	skip_clause(P);
}

/* mv-expand [opts] [x =] expr [to typeof(t)], ... [limit n]; mv-apply's items stop at `on` */
static void mv_expand_op(struct kp *P, int apply)
{
	for (;;) {
		size_t v;

		if (is_word(P, P->i, "with_itemindex") && is_op(P, P->i + 1, "=")) {
			made_column_tok(P, P->i + 2, 1);
			P->i += 3;
			continue;
		}
		skip_options(P);
		v = assigned_name(P, P->i);
		if (v) {
			made_column_tok(P, P->i, 1);
			P->i = v;
		}
		if (expr(P) == NONE)
			return;
		if (is_word(P, P->i, "to") && is_word(P, P->i + 1, "typeof"))
			P->i = skip_group(P, P->i + 2);
		if (!is_op(P, P->i, ","))
			break;
		P->i++;
	}
	if (is_word(P, P->i, "limit"))
		P->i += 2;
	if (!apply && !clause_end(P, P->i))
		syntax(P, "expected ',' or '|'");
}

/* The right side of a join or lookup, then `on` keys: its columns come in computed. */
static void join_op(struct kp *P)
{
	size_t ti, k, on, saved = P->cur;
	struct tabinfo *R;
	char **keys = NULL;
	size_t nkeys = 0;

	skip_options(P);
	if (is_op(P, P->i, "(")) {
		size_t open = P->i;

		P->i++;
		ti = tabular(P, 0);
		P->cur = saved;
		if (P->failed || expect_op(P, ")", "expected ')'") < 0)
			return;
		(void)open;
	} else {
		ti = tabular(P, 0);
		P->cur = saved;
		if (P->failed)
			return;
	}
	if (!is_word(P, P->i, "on")) {
		/* join without on: Kusto infers the keys; a syntax warning only */
		if (!clause_end(P, P->i))
			syntax(P, "expected 'on'");
		return;
	}
	P->i++;
	on = P->i;
	for (;;) {
		size_t x = expr(P);

		if (x == NONE) {
			strv_free(keys, nkeys);
			return;
		}
		if (nd(P, x)->kind == N_NAME)
			strv_add(&keys, &nkeys, P->q + tok(P, nd(P, x)->op)->b,
				 tok(P, nd(P, x)->op)->e - tok(P, nd(P, x)->op)->b);
		if (!is_op(P, P->i, ","))
			break;
		P->i++;
	}
	(void)on;
	R = &P->tabs[ti];
	for (k = 0; k < R->ncomputed + R->noutputs; k++) {
		const char *c = k < R->ncomputed ? R->computed[k] : R->outputs[k - R->ncomputed];
		size_t j;

		for (j = 0; j < nkeys && strcmp(keys[j], c) != 0; j++)
			;
		if (j == nkeys)
			made_column(P, c, strlen(c), 1);
	}
	strv_free(keys, nkeys);
	if (!clause_end(P, P->i))
		syntax(P, "expected ',' or '|'");
}

/* union operands: names (wildcards too), (subqueries), function calls; tables into ti */
static void union_operands(struct kp *P, size_t ti)
{
	skip_options(P);
	for (;;) {
		size_t saved = P->cur;

		if (is_op(P, P->i, "(")) {
			size_t sub;

			P->i++;
			sub = tabular(P, 0);
			P->cur = saved;
			if (P->failed || expect_op(P, ")", "expected ')'") < 0)
				return;
			tab_copy(P, ti, sub);
		} else if (is_kind(P, P->i, TK_NAME) || is_op(P, P->i, "*")) {
			size_t b = tok(P, P->i)->b, e;
			struct binding *bd = binding_at(P, P->i);

			/* Device*Events: a name with wildcards, written without spaces */
			P->i++;
			while ((is_op(P, P->i, "*") || is_kind(P, P->i, TK_NAME)) && !tok(P, P->i)->space_before)
				P->i++;
			e = tok(P, P->i - 1)->e;
			if (is_op(P, P->i, "(")) {
				P->i = skip_group(P, P->i);
				if (tok(P, P->i - 1)->match == NONE) {
					syntax(P, "unclosed bracket");
					return;
				}
			}
			while (is_op(P, P->i, ".") && is_kind(P, P->i + 1, TK_NAME)) {
				b = tok(P, P->i + 1)->b;
				e = tok(P, P->i + 1)->e;
				P->i += 2;
				if (is_op(P, P->i, "("))
					P->i = skip_group(P, P->i);
			}
			if (bd && bd->kind == B_TABULAR)
				tab_copy(P, ti, bd->tab);
			else if (P->tabs[ti].ntables < KQL_MAX_TABLES)
				strv_add(&P->tabs[ti].tables, &P->tabs[ti].ntables, P->q + b, e - b);
		} else {
			syntax(P, "expected a table");
			return;
		}
		if (!is_op(P, P->i, ","))
			break;
		P->i++;
	}
	if (!clause_end(P, P->i))
		syntax(P, "expected ',' or '|'");
}

/* search [kind=...] [in (T, ...)] predicate */
static void search_op(struct kp *P, size_t ti, int source)
{
	size_t x;

	skip_options(P);
	if (is_word(P, P->i, "in") && is_op(P, P->i + 1, "(")) {
		size_t close = tok(P, P->i + 1)->match, k;

		if (close == NONE) {
			syntax(P, "unclosed bracket");
			if (source)
				scope_open(P, ti);
			return;
		}
		for (k = P->i + 2; k < close; k++)
			if (is_kind(P, k, TK_NAME) && source && P->tabs[ti].ntables < KQL_MAX_TABLES)
				strv_add(&P->tabs[ti].tables, &P->tabs[ti].ntables, P->q + tok(P, k)->b,
					 tok(P, k)->e - tok(P, k)->b);
		P->i = close + 1;
	}
	/* the scope is open even when the predicate does not parse: tabular() pops it */
	if (source)
		scope_open(P, ti);
	P->search = 1;
	x = expr(P);
	if (x != NONE && !P->failed) {
		if (!clause_end(P, P->i))
			syntax(P, "expected '|' or the end of the query");
		else
			pb_emit(P->pb, tree(P, x, 0));
	}
	P->search = 0;
}

static const char *const skipped_ops[] = {
	"sort", "order", "top", "take", "limit", "sample", "sample-distinct", "count", "distinct",
	"getschema", "render", "invoke", "project-away", "project-keep", "project-reorder",
	"top-nested", "top-hitters", "consume", "fork", "facet", "reduce", "project-smart",
	"partition", "scan", "make-graph", "graph-match", "graph-merge", "graph-to-table",
	"graph-shortest-paths", "graph-mark-components", "evaluate", "print", "range", "lookup_", NULL
};

/* One operator after a pipe. */
static void pipe_op(struct kp *P, size_t ti)
{
	size_t w = P->i;

	if (!is_kind(P, w, TK_NAME)) {
		syntax(P, "expected an operator after '|'");
		return;
	}
	P->i++;
	if (is_word(P, w, "where") || is_word(P, w, "filter")) {
		where_op(P);
	} else if (is_word(P, w, "extend") || is_word(P, w, "serialize")) {
		assignments(P, AM_EXTEND, NULL);
	} else if (is_word(P, w, "project") || is_word(P, w, "project-rename")) {
		assignments(P, AM_PROJECT, NULL);
	} else if (is_word(P, w, "summarize")) {
		summarize_op(P);
	} else if (is_word(P, w, "make-series")) {
		make_series_op(P);
	} else if (is_word(P, w, "join") || is_word(P, w, "lookup")) {
		join_op(P);
	} else if (is_word(P, w, "union")) {
		size_t more = new_tab(P);

		union_operands(P, more);
		tab_copy(P, ti, more);
	} else if (is_word(P, w, "mv-expand") || is_word(P, w, "mvexpand")) {
		mv_expand_op(P, 0);
	} else if (is_word(P, w, "mv-apply") || is_word(P, w, "mvapply")) {
		mv_expand_op(P, 1);
		if (P->failed)
			return;
		/* on (operators): a pipeline on each row's expanded values, without a source */
		if (!is_word(P, P->i, "on") || !is_op(P, P->i + 1, "(")) {
			syntax(P, "expected 'on ('");
			return;
		}
		P->i += 2;
		if (deeper(P) < 0)
			return;
		pipe_op(P, ti);
		while (!P->failed && is_op(P, P->i, "|")) {
			P->i++;
			pipe_op(P, ti);
		}
		P->depth--;
		if (!P->failed)
			expect_op(P, ")", "expected ')'");
	} else if (is_word(P, w, "parse") || is_word(P, w, "parse-where")) {
		parse_op(P);
	} else if (is_word(P, w, "parse-kv")) {
		parse_kv_op(P);
	} else if (is_word(P, w, "search")) {
		search_op(P, ti, 0);
	} else if (is_word(P, w, "as")) {
		skip_options(P);
		if (!is_kind(P, P->i, TK_NAME)) {
			syntax(P, "expected a name");
			return;
		}
		bind(P, P->i, B_TABULAR)->tab = ti;
		P->i++;
	} else if (word_in(P, w, skipped_ops)) {
		if (is_word(P, w, "evaluate") && is_kind(P, P->i, TK_NAME)) {
			skip_options(P);
			if (is_kind(P, P->i, TK_NAME))
				pb_context_add(P->pb, "evaluate", P->q + tok(P, P->i)->b,
					       tok(P, P->i)->e - tok(P, P->i)->b);
		}
		size_t k, start = P->i;

		skip_clause(P);
		if (is_word(P, w, "scan")) {
			/* scan's steps are conditions on the rows: filters we do not read */
			unsupported(P, w, "scan's step conditions are not read");
		} else if (is_word(P, w, "partition") || is_word(P, w, "fork") || is_word(P, w, "facet")) {
			/* their subqueries may filter: say so rather than drop them */
			for (k = start; k < P->i; k++)
				if (is_word(P, k, "where") || is_word(P, k, "filter")) {
					unsupported(P, w, "a filter inside this operator is not read");
					break;
				}
		}
	} else {
		P->i = w;
		syntax(P, "unknown operator");
	}
}

/*
 * Whether token i starts a tabular expression. in_list_ctx: inside `in (...)`,
 * where a bare unknown name is a column, not a table.
 */
static int tabular_start(struct kp *P, size_t i, int in_list_ctx)
{
	static const char *const sources[] = {
		"union", "datatable", "externaldata", "external_data", "range", "print", "search",
		"find", "materialize", "evaluate", NULL
	};
	struct binding *b;
	unsigned n = 0;

	while (is_op(P, i, "(") && n++ < 64)
		i++;
	if (word_in(P, i, sources)) {
		/* print / range / search could be column names: then a pipe does not follow */
		if (is_word(P, i, "union") || is_word(P, i, "datatable") || is_word(P, i, "externaldata") ||
		    is_word(P, i, "external_data") || is_word(P, i, "materialize") || is_word(P, i, "find"))
			return 1;
		return !is_op(P, i + 1, ")") && !is_op(P, i + 1, ",") && !is_cmp(P, i + 1);
	}
	if (!is_kind(P, i, TK_NAME))
		return 0;
	b = binding_at(P, i);
	if (b)
		return b->kind == B_TABULAR;
	if (is_op(P, i + 1, "(")) {
		size_t close = tok(P, i + 1)->match;

		/* F(...) | ..., arg("").Resources | ..., database("x").T */
		if (close == NONE)
			return 0;
		i = close;
		while (is_op(P, i + 1, ".") && is_kind(P, i + 2, TK_NAME))
			i += 2;
		return is_op(P, i + 1, "|") || (i > close && (is_op(P, i + 1, ";") || is_op(P, i + 1, "}") ||
							      is_kind(P, i + 1, TK_END) || is_op(P, i + 1, ")")));
	}
	if (is_op(P, i + 1, "|"))
		return 1;
	if (in_list_ctx)
		return 0;
	return is_kind(P, i + 1, TK_END) || is_op(P, i + 1, ";") || is_op(P, i + 1, ")") ||
		is_op(P, i + 1, "}");
}

/*
 * A tabular expression: a source, then `| operator`s. Returns its tabinfo
 * (tables, columns). Opens and closes its own scope.
 */
static size_t tabular(struct kp *P, int in_list_ctx)
{
	size_t ti = new_tab(P), saved = P->cur, i = P->i;
	int opened = 0;

	(void)in_list_ctx;
	if (deeper(P) < 0)
		return ti;
	P->cur = ti;
	if (is_op(P, i, "(")) {
		size_t sub;

		P->i++;
		sub = tabular(P, 0);
		P->cur = ti;
		if (!P->failed && expect_op(P, ")", "expected ')'") == 0)
			tab_copy(P, ti, sub);
	} else if (is_word(P, i, "union")) {
		P->i++;
		union_operands(P, ti);
	} else if (is_word(P, i, "datatable") || is_word(P, i, "externaldata") ||
		   is_word(P, i, "external_data")) {
		P->tabs[ti].external = 1;
		P->i++;
		skip_options(P);
		if (is_op(P, P->i, "(")) {
			size_t close = tok(P, P->i)->match, k;

			/*
			 * the schema's names are columns of this table, which is no
			 * log: a filter on them is on the query's own data (computed)
			 */
			for (k = P->i + 1; close != NONE && k < close; k++)
				if (is_kind(P, k, TK_NAME) && is_op(P, k + 1, ":"))
					made_column_tok(P, k, 1);
		}
		if (!is_op(P, P->i, "(")) {
			syntax(P, "expected '('");
		} else {
			P->i = skip_group(P, P->i);
			if (!is_op(P, P->i, "[")) {
				syntax(P, "expected '['");
			} else {
				size_t close = tok(P, P->i)->match, k;

				/* externaldata's URLs: recorded, never fetched */
				for (k = P->i + 1; is_word(P, i, "externaldata") && close != NONE && k < close; k++)
					if (is_kind(P, k, TK_STRING))
						pb_context_add(P->pb, "externaldata", P->sv.buf + tok(P, k)->sv,
							       tok(P, k)->sn);
				P->i = skip_group(P, P->i);
			}
			if (is_word(P, P->i, "with") && is_op(P, P->i + 1, "("))
				P->i = skip_group(P, P->i + 1);
		}
	} else if (is_word(P, i, "search")) {
		P->i++;
		search_op(P, ti, 1);
		opened = 1;
	} else if (is_word(P, i, "find")) {
		unsupported(P, i, "find is not read");
		skip_clause(P);
	} else if (is_word(P, i, "print") || is_word(P, i, "range") || is_word(P, i, "evaluate")) {
		P->i++;
		if (is_word(P, i, "evaluate") && is_kind(P, P->i, TK_NAME))
			pb_context_add(P->pb, "evaluate", P->q + tok(P, P->i)->b, tok(P, P->i)->e - tok(P, P->i)->b);
		P->tabs[ti].external = 1;
		skip_clause(P);
	} else if (is_word(P, i, "materialize") && is_op(P, i + 1, "(")) {
		size_t sub;

		P->i += 2;
		sub = tabular(P, 0);
		P->cur = ti;
		if (!P->failed && expect_op(P, ")", "expected ')'") == 0)
			tab_copy(P, ti, sub);
	} else if (is_kind(P, i, TK_NAME)) {
		struct binding *b = binding_at(P, i);
		size_t nb = tok(P, i)->b, ne = tok(P, i)->e;

		if (word_in(P, i, reserved) || word_in(P, i, cmp_words)) {
			syntax(P, "expected a table");
		} else {
			P->i++;
			if (is_op(P, P->i, "(")) {
				size_t close = tok(P, P->i)->match;

				if (close == NONE)
					syntax(P, "unclosed bracket");
				else
					P->i = close + 1;
			}
			/* cluster("x").database("y").T, database("y").T */
			while (!P->failed && is_op(P, P->i, ".") && is_kind(P, P->i + 1, TK_NAME)) {
				nb = tok(P, P->i + 1)->b;
				ne = tok(P, P->i + 1)->e;
				b = NULL;
				P->i += 2;
				if (is_op(P, P->i, "("))
					P->i = skip_group(P, P->i);
			}
			if (b && b->kind == B_TABULAR)
				tab_copy(P, ti, b->tab);
			else if (b && b->kind == B_SCALAR)
				syntax(P, "a scalar used as a table");
			else
				strv_add(&P->tabs[ti].tables, &P->tabs[ti].ntables, P->q + nb, ne - nb);
		}
	} else if (is_op(P, i, "|")) {
		syntax(P, "the query starts with '|'");
	} else {
		syntax(P, "expected a table or a tabular expression");
	}
	if (!opened)
		scope_open(P, ti);
	while (!P->failed && is_op(P, P->i, "|")) {
		size_t nt = P->tabs[ti].ntables;

		P->i++;
		pipe_op(P, ti);
		if (P->tabs[ti].ntables != nt) {
			/* | union T2: the rest reads both */
			pb_scope_pop(P->pb);
			scope_open(P, ti);
		}
	}
	pb_scope_pop(P->pb);
	P->depth--;
	P->cur = saved;
	return ti;
}

/* ---- statements ---- */

/* let f = [view] (params) { body }: the body's value (or tabular) is f's */
static void function_let(struct kp *P, size_t name)
{
	size_t close, k, nb0 = P->nb, last = NONE, ti = NONE;
	int tab = 0;

	if (is_word(P, P->i, "view"))
		P->i++;
	close = tok(P, P->i)->match;
	if (close == NONE) {
		syntax(P, "unclosed bracket");
		return;
	}
	/* parameters are scalars we do not know (a tabular one: T:(*)) */
	for (k = P->i + 1; k < close; k++)
		if (is_kind(P, k, TK_NAME) && is_op(P, k + 1, ":") && (is_op(P, k - 1, "(") || is_op(P, k - 1, ","))) {
			struct binding *b = bind(P, k, is_op(P, k + 2, "(") ? B_TABULAR : B_SCALAR);

			if (b->kind == B_TABULAR)
				b->tab = new_tab(P);
		}
	P->i = close + 1;
	if (!is_op(P, P->i, "{")) {
		syntax(P, "expected '{'");
		return;
	}
	P->i++;
	/* the body: lets, then one expression */
	for (;;) {
		while (is_op(P, P->i, ";"))
			P->i++;
		if (is_op(P, P->i, "}") || P->failed || is_kind(P, P->i, TK_END))
			break;
		if (is_word(P, P->i, "let")) {
			/* nested lets: like top-level ones, forgotten after the body */
			let_statement(P);
		} else if (tabular_start(P, P->i, 0)) {
			ti = tabular(P, 0);
			tab = 1;
		} else {
			last = expr(P);
		}
		if (P->failed)
			return;
		if (!is_op(P, P->i, ";") && !is_op(P, P->i, "}")) {
			syntax(P, "expected ';' or '}'");
			return;
		}
	}
	if (P->failed || expect_op(P, "}", "expected '}'") < 0)
		return;
	/* the body's own names go out of scope */
	while (P->nb > nb0)
		free(P->b[--P->nb].name);
	if (tab) {
		bind(P, name, B_TABULAR)->tab = ti;
	} else {
		struct binding *b = bind(P, name, B_SCALAR);

		b->node = last;
	}
}

static void let_statement(struct kp *P)
{
	size_t name;

	P->i++;
	if (!is_kind(P, P->i, TK_NAME) && !(is_op(P, P->i, "[") && is_kind(P, P->i + 1, TK_STRING))) {
		syntax(P, "expected a name after 'let'");
		return;
	}
	name = P->i;
	P->i += is_op(P, P->i, "[") ? 3 : 1;
	if (expect_op(P, "=", "expected '='") < 0)
		return;
	if ((is_word(P, P->i, "view") && is_op(P, P->i + 1, "(")) ||
	    (is_op(P, P->i, "(") && (is_op(P, P->i + 1, ")") ||
				    (is_kind(P, P->i + 1, TK_NAME) && is_op(P, P->i + 2, ":"))))) {
		function_let(P, name);
	} else if (tabular_start(P, P->i, 0)) {
		size_t ti = tabular(P, 0);

		bind(P, name, B_TABULAR)->tab = ti;
	} else {
		size_t x = expr(P), n0 = P->ntabs;
		struct binding *b;

		(void)n0;
		if (x == NONE)
			return;
		b = bind(P, name, B_SCALAR);
		b->node = x;
		b->from_table = nd(P, x)->kind == N_TAB;
	}
}

static void statement(struct kp *P)
{
	if (is_word(P, P->i, "let")) {
		let_statement(P);
	} else if (is_word(P, P->i, "set") || is_word(P, P->i, "declare") || is_word(P, P->i, "alias") ||
		   is_word(P, P->i, "restrict") || is_word(P, P->i, "pattern")) {
		while (!is_op(P, P->i, ";") && !is_kind(P, P->i, TK_END))
			P->i = skip_group(P, P->i);
	} else {
		tabular(P, 0);
	}
}

void kql_parse(struct pred_builder *pb, struct rule *r, const char *query, size_t len)
{
	struct kp P;
	size_t i;

	memset(&P, 0, sizeof(P));
	P.pb = pb;
	P.r = r;
	P.q = query;
	P.len = len;
	P.cur = NONE;
	strbuf_init(&P.sv, 256);
	strbuf_init(&P.tmp, 64);
	pattern_init(&P.pat);
	lex(&P);
	if (!P.failed && P.nt == 1)
		syntax(&P, "empty query");
	while (!P.failed && !is_kind(&P, P.i, TK_END)) {
		while (is_op(&P, P.i, ";"))
			P.i++;
		if (is_kind(&P, P.i, TK_END))
			break;
		statement(&P);
		if (P.failed)
			break;
		if (is_op(&P, P.i, ";"))
			continue;
		if (!is_kind(&P, P.i, TK_END))
			syntax(&P, "expected ';' or the end of the query");
	}
	for (i = 0; i < P.nb; i++)
		free(P.b[i].name);
	free(P.b);
	for (i = 0; i < P.ntabs; i++) {
		strv_free(P.tabs[i].tables, P.tabs[i].ntables);
		strv_free(P.tabs[i].computed, P.tabs[i].ncomputed);
		strv_free(P.tabs[i].outputs, P.tabs[i].noutputs);
	}
	free(P.tabs);
	free(P.t);
	free(P.nodes);
	free(P.kids);
	strbuf_release(&P.sv);
	strbuf_release(&P.tmp);
	pattern_release(&P.pat);
}
