/*
 * KQL rules: Sentinel YAML, Bert-JanP markdown and plain query files become
 * records with their ATT&CK ids, the tables the query reads and the
 * predicates kql.c makes of it. The tables come from a small lexer
 * (comments, the string literal forms, names, punctuation) and a few
 * statement shapes, which also cut a markdown block into its queries.
 */
#include "kusto/kusto.h"

#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kusto/kql.h"
#include "rule/meta.h"
#include "rule/predicate.h"
#include "rule/rule.h"
#include "common/util.h"
#include "io/yamldoc.h"
#include "rule/yamlrule.h"

/* Tokens per query: past this the scan stops (tables stay as found so far). */
#define KQL_MAX_TOKENS 1000000
/* Functions within functions scanned for tables (the recursion's bound). */
#define KQL_MAX_NEST 16
/* Nested union/materialize operands followed: past this, deeper ones are not. */
#define KQL_MAX_OPERAND_DEPTH 64
/* let functions whose table(param) calls are followed (each scans the query once) */
#define KQL_MAX_TABLE_FUNCTIONS 64
/* parameters of one function looked for in table(param) */
#define KQL_MAX_TABLE_PARAMS 16
/* comment headers checked for a wrapped comment per block (each scans the query before it) */
#define KQL_MAX_HEADER_CHECKS 64
/* Distinct names in one list (tables, technique ids): each is checked against all before it. */
#define KUSTO_MAX_NAMES 1000

/* ---- lexer ---- */

enum ktok_kind { KT_NAME, KT_STRING, KT_NUMBER, KT_PUNCT };

struct ktok {
	enum ktok_kind kind;
	size_t b, e;		/* bytes of the query */
	unsigned depth;		/* brackets around it; a bracket has its outer depth */
	size_t match;		/* a bracket: its partner's index; SIZE_MAX when unclosed */
	/* a blank line before the token: [blank, resume) holds it (blank > 0 only then) */
	size_t blank, resume;
	/* a comment on a line of its own before the token: where the first begins, else 0 */
	size_t header;
};

struct klex {
	const char *q;
	size_t len;
	struct ktok *v;
	size_t n, alloc;
};

static int is_name_start(int c)
{
	return isalpha(c) || c == '_';
}

static int is_name_char(int c)
{
	return isalnum(c) || c == '_';
}

/* (strchr would find the NUL a query may hold) */
static int is_opener(int c)
{
	return c == '(' || c == '[' || c == '{';
}

static int is_closer(int c)
{
	return c == ')' || c == ']' || c == '}';
}

/* A string literal from q[i] (at its quote): where it ends. None spans lines but ```. */
static size_t skip_string(const char *q, size_t len, size_t i, int verbatim)
{
	char quote = q[i];

	for (i++; i < len && q[i] != '\n'; i++) {
		if (q[i] == quote) {
			/* @"a""b": a doubled quote stays inside a verbatim string */
			if (verbatim && i + 1 < len && q[i + 1] == quote) {
				i++;
				continue;
			}
			return i + 1;
		}
		if (!verbatim && q[i] == '\\' && i + 1 < len && q[i + 1] != '\n')
			i++;
	}
	return i;
}

/* The length of the string literal prefix at q[i], or 0: @"..", h"..", H@'..', ```..``` */
static size_t string_at(const char *q, size_t len, size_t i)
{
	size_t j = i;
	int verbatim = 0;

	if (len - i >= 3 && !memcmp(q + i, "```", 3)) {
		const char *end = len - i > 3 ? memmem(q + i + 3, len - i - 3, "```", 3) : NULL;

		return end ? (size_t)(end - q) + 3 - i : len - i;
	}
	if ((q[j] == 'h' || q[j] == 'H') && j + 1 < len && (q[j + 1] == '"' || q[j + 1] == '\'' ||
							     q[j + 1] == '@'))
		j++;
	if (q[j] == '@' && j + 1 < len && (q[j + 1] == '"' || q[j + 1] == '\'')) {
		verbatim = 1;
		j++;
	}
	if (q[j] != '"' && q[j] != '\'')
		return 0;
	return skip_string(q, len, j, verbatim) - i;
}

/* Tokens of q[0..len): comments and white space dropped, blank lines noted. */
static void klex_run(struct klex *lx, const char *q, size_t len)
{
	size_t i = 0, blank = 0, resume = 0, header = 0;
	size_t *open = NULL, depth = 0, nopen = 0;	/* the unclosed brackets */

	memset(lx, 0, sizeof(*lx));
	lx->q = q;
	lx->len = len;
	while (i < len && lx->n < KQL_MAX_TOKENS) {
		unsigned char c = (unsigned char)q[i];
		struct ktok *t;
		size_t k;

		if (c == '\n') {
			/* the next line is blank: only spaces up to its end */
			for (k = i + 1; k < len && (q[k] == ' ' || q[k] == '\t' || q[k] == '\r'); k++)
				;
			if (k < len && q[k] == '\n') {
				if (!blank)
					blank = i + 1;
				resume = k + 1;
			}
			i++;
			continue;
		}
		if (isspace(c)) {
			i++;
			continue;
		}
		if (c == '/' && i + 1 < len && q[i + 1] == '/') {
			for (k = i; k > 0 && (q[k - 1] == ' ' || q[k - 1] == '\t'); k--)
				;
			if (!header && (k == 0 || q[k - 1] == '\n'))
				header = k;
			if (header == 0 && k == 0)
				header = SIZE_MAX;	/* a comment at offset 0 heads the first query */
			while (i < len && q[i] != '\n')
				i++;
			continue;
		}
		if (lx->n == lx->alloc) {
			lx->alloc = lx->alloc ? lx->alloc * 2 : 256;
			lx->v = xrealloc(lx->v, lx->alloc * sizeof(*lx->v));
		}
		t = &lx->v[lx->n++];
		t->b = i;
		t->blank = blank;
		t->resume = resume;
		t->header = header == SIZE_MAX ? 0 : header;
		blank = resume = header = 0;
		if ((k = string_at(q, len, i)) > 0) {
			t->kind = KT_STRING;
			i += k;
		} else if (is_name_start(c)) {
			t->kind = KT_NAME;
			while (i < len && is_name_char((unsigned char)q[i]))
				i++;
		} else if (isdigit(c)) {
			/* numbers, timespans (7d), hex (0x1F), reals (1.5) */
			t->kind = KT_NUMBER;
			while (i < len && (is_name_char((unsigned char)q[i]) || q[i] == '.'))
				i++;
		} else {
			t->kind = KT_PUNCT;
			i++;
		}
		t->e = i;
		t->match = SIZE_MAX;
		/* any closer closes the innermost bracket: a mismatch is not ours to report */
		if (t->kind == KT_PUNCT && is_closer(c) && depth) {
			t->match = open[--depth];
			lx->v[t->match].match = lx->n - 1;
		}
		t->depth = (unsigned)(depth < UINT_MAX ? depth : UINT_MAX);
		if (t->kind == KT_PUNCT && is_opener(c)) {
			if (depth == nopen) {
				nopen = nopen ? nopen * 2 : 64;
				open = xrealloc(open, nopen * sizeof(*open));
			}
			open[depth++] = lx->n - 1;
		}
	}
	free(open);
}

static void klex_release(struct klex *lx)
{
	free(lx->v);
	lx->v = NULL;
	lx->n = lx->alloc = 0;
}

/* Token i is the name or punctuation s (NULL-safe past the end). */
static int tok_is(const struct klex *lx, size_t i, const char *s)
{
	size_t n = strlen(s);

	return i < lx->n && lx->v[i].e - lx->v[i].b == n && !memcmp(lx->q + lx->v[i].b, s, n) &&
		lx->v[i].kind != KT_STRING;
}

static int tok_is_name(const struct klex *lx, size_t i)
{
	return i < lx->n && lx->v[i].kind == KT_NAME;
}

static int tok_in(const struct klex *lx, size_t i, const char *const *words)
{
	for (; *words; words++)
		if (tok_is(lx, i, *words))
			return 1;
	return 0;
}

/* Operators that start a tabular expression without naming a table. */
static const char *const tabular_sources[] = {
	"print", "range", "datatable", "externaldata", "external_data", "evaluate", "search",
	"find", "union", "materialize", "view", "let", "set", "declare", "alias", "restrict",
	"pattern", "true", "false", "null", NULL
};

/* ---- tables ---- */

struct tscan {
	const struct klex *lx;
	size_t end;		/* the statement's end (a token index) */
	json_t *found;		/* candidate names, in order */
	json_t *lets;		/* names that are not tables: let-bound, parameters */
	unsigned nest;		/* function bodies being scanned */
	unsigned operands;	/* expression_at() calls under way */
};

static void add_unique(json_t *a, const char *s, size_t n)
{
	json_t *e, *v;
	size_t i;

	if (json_array_size(a) >= KUSTO_MAX_NAMES)
		return;
	json_array_foreach(a, i, e)
		if (json_string_length(e) == n && memcmp(json_string_value(e), s, n) == 0)
			return;
	if ((v = json_stringn(s, n)))
		json_array_append_new(a, v);
}

/* A name that can only be a table reference here: what follows it ends the operand. */
static void maybe_table(struct tscan *ts, size_t i)
{
	const struct klex *lx = ts->lx;

	if (!tok_is_name(lx, i) || i >= ts->end || tok_in(lx, i, tabular_sources))
		return;
	if (i + 1 < ts->end && !tok_is(lx, i + 1, "|") && !tok_is(lx, i + 1, ";") &&
	    !tok_is(lx, i + 1, ")") && !tok_is(lx, i + 1, ",") && !tok_is(lx, i + 1, "on"))
		return;
	add_unique(ts->found, lx->q + lx->v[i].b, lx->v[i].e - lx->v[i].b);
}

/* Past `kind=inner`, `withsource=T`, `hint.strategy=shuffle` options. */
static size_t skip_options(const struct tscan *ts, size_t j)
{
	const struct klex *lx = ts->lx;

	for (;;) {
		if (tok_is_name(lx, j) && tok_is(lx, j + 1, "=") && !tok_is(lx, j + 2, "~") &&
		    !tok_is(lx, j + 2, "="))
			j += 3;
		else if (tok_is_name(lx, j) && tok_is(lx, j + 1, ".") && tok_is_name(lx, j + 2) &&
			 tok_is(lx, j + 3, "="))
			j += 5;
		else
			return j;
	}
}

/* The closing bracket of the one at token i, or the statement's end. */
static size_t matching(const struct tscan *ts, size_t i)
{
	size_t m = i < ts->lx->n ? ts->lx->v[i].match : SIZE_MAX;

	return m < ts->end ? m : ts->end;
}

static void union_at(struct tscan *ts, size_t i);

/* search [options] in (T1, T2) ...; find in (T1, T2) where ... */
static void search_at(struct tscan *ts, size_t i)
{
	size_t j = skip_options(ts, i + 1), close;

	if (!tok_is(ts->lx, j, "in") || !tok_is(ts->lx, j + 1, "("))
		return;
	close = matching(ts, j + 1);
	for (j += 2; j < close; j++)
		if (tok_is(ts->lx, j - 1, "(") || tok_is(ts->lx, j - 1, ","))
			maybe_table(ts, j);
}

/* A plain string literal token ("SigninLogs", 'x'; no escapes): its text inside the quotes. */
static int plain_string(const struct klex *lx, size_t i, const char **s, size_t *n)
{
	const struct ktok *t;
	const char *c;

	if (i >= lx->n || lx->v[i].kind != KT_STRING)
		return 0;
	t = &lx->v[i];
	c = lx->q + t->b;
	if (t->e - t->b < 2 || (*c != '"' && *c != '\'') || lx->q[t->e - 1] != *c ||
	    memchr(c + 1, '\\', t->e - t->b - 2))
		return 0;
	*s = c + 1;
	*n = t->e - t->b - 2;
	return 1;
}

/* The table a tabular expression at token i starts from, if it names one. */
static void expression_at(struct tscan *ts, size_t i)
{
	const struct klex *lx = ts->lx;
	const char *s;
	size_t n;

	if (ts->operands >= KQL_MAX_OPERAND_DEPTH)
		return;
	ts->operands++;
	while (i < ts->end && tok_is(lx, i, "("))
		i++;
	/* table("SigninLogs"); arg("").Resources, a table of Azure Resource Graph */
	if (tok_is(lx, i, "table") && tok_is(lx, i + 1, "(") && plain_string(lx, i + 2, &s, &n) &&
	    tok_is(lx, i + 3, ")"))
		add_unique(ts->found, s, n);
	else if (tok_is(lx, i, "arg") && tok_is(lx, i + 1, "(") && lx->v[i + 1].match != SIZE_MAX &&
		 tok_is(lx, lx->v[i + 1].match + 1, ".") && tok_is_name(lx, lx->v[i + 1].match + 2))
		add_unique(ts->found, lx->q + lx->v[lx->v[i + 1].match + 2].b,
			   lx->v[lx->v[i + 1].match + 2].e - lx->v[lx->v[i + 1].match + 2].b);
	else if (tok_is(lx, i, "union"))
		union_at(ts, i);
	else if (tok_is(lx, i, "search") || tok_is(lx, i, "find"))
		search_at(ts, i);
	else if (tok_is(lx, i, "materialize") && tok_is(lx, i + 1, "("))
		expression_at(ts, i + 2);
	else
		maybe_table(ts, i);
	ts->operands--;
}

/* union [options] T1, (T2 | ...), T3 */
static void union_at(struct tscan *ts, size_t i)
{
	const struct klex *lx = ts->lx;
	size_t j = skip_options(ts, i + 1);

	while (j < ts->end) {
		if (tok_is(lx, j, "(")) {
			expression_at(ts, j + 1);
			j = matching(ts, j) + 1;
		} else if (tok_is_name(lx, j)) {
			maybe_table(ts, j);
			j++;
			if (tok_is(lx, j, "("))		/* a function call: MyParser(...) */
				j = matching(ts, j) + 1;
		} else {
			return;
		}
		if (!tok_is(lx, j, ","))
			return;
		j++;
	}
}

/* join [options] (T | ...) on ...; lookup [options] T on ... */
static void join_at(struct tscan *ts, size_t i)
{
	size_t j = skip_options(ts, i + 1);

	if (tok_is(ts->lx, j, "("))
		expression_at(ts, j + 1);
	else
		maybe_table(ts, j);
}

/* Everything after the head: `| union`, `| join`, `| lookup`, at any depth. */
static void operators(struct tscan *ts, size_t b)
{
	size_t i;

	for (i = b; i < ts->end; i++) {
		if (i == 0 || !(tok_is(ts->lx, i - 1, "|") || tok_is(ts->lx, i - 1, "(")))
			continue;
		if (tok_is(ts->lx, i, "union"))
			union_at(ts, i);
		else if (tok_is(ts->lx, i, "join") || tok_is(ts->lx, i, "lookup"))
			join_at(ts, i);
	}
}

/* What the value of `let NAME = v...` is. */
enum let_kind { LET_SCALAR, LET_TABULAR, LET_FUNCTION };

static enum let_kind let_kind(const struct klex *lx, size_t v)
{
	if (tok_is(lx, v, "view"))
		return tok_is(lx, v + 1, "(") ? LET_FUNCTION : LET_SCALAR;
	/* () { ... } and (T:(*), x:string) { ... } are functions, (T | ...) a table */
	if (tok_is(lx, v, "("))
		return tok_is(lx, v + 1, ")") || (tok_is_name(lx, v + 1) && tok_is(lx, v + 2, ":")) ?
			LET_FUNCTION : LET_TABULAR;
	if (!tok_is_name(lx, v) || tok_is(lx, v, "true") || tok_is(lx, v, "false"))
		return LET_SCALAR;
	/* a call: dynamic([...]), ago(1d), toscalar(...) is a scalar, but materialize() */
	return !tok_is(lx, v + 1, "(") || tok_is(lx, v, "materialize") ? LET_TABULAR : LET_SCALAR;
}

static void statements(struct tscan *ts, size_t b, size_t e, unsigned depth);

static void exclude_name(struct tscan *ts, size_t i)
{
	char *name = xstrndup(ts->lx->q + ts->lx->v[i].b, ts->lx->v[i].e - ts->lx->v[i].b);

	json_object_set_new(ts->lets, name, json_true());
	free(name);
}

/*
 * let f = [view] (T:(*), x:string) { body }: a function reads the tables its
 * body names (Bert-JanP's Functions/ and ASIM rules wrap whole queries this
 * way); its parameters are not tables.
 */
static void function_at(struct tscan *ts, size_t v)
{
	const struct klex *lx = ts->lx;
	size_t close, i;

	if (tok_is(lx, v, "view"))
		v++;
	close = matching(ts, v);
	for (i = v + 1; i < close; i++)
		if (tok_is_name(lx, i) && tok_is(lx, i + 1, ":") &&
		    (tok_is(lx, i - 1, "(") || tok_is(lx, i - 1, ",")))
			exclude_name(ts, i);
	if (tok_is(lx, close + 1, "{") && ts->nest < KQL_MAX_NEST) {
		ts->nest++;
		statements(ts, close + 2, matching(ts, close + 1), lx->v[close + 1].depth + 1);
		ts->nest--;
	}
}

static void statement(struct tscan *ts, size_t b)
{
	const struct klex *lx = ts->lx;

	if (b >= ts->end)
		return;
	if (tok_is(lx, b, "let")) {
		if (!tok_is_name(lx, b + 1) || !tok_is(lx, b + 2, "="))
			return;
		switch (let_kind(lx, b + 3)) {
		case LET_TABULAR:
			expression_at(ts, b + 3);
			operators(ts, b + 3);
			break;
		case LET_FUNCTION:
			function_at(ts, b + 3);
			break;
		case LET_SCALAR:
			break;
		}
		return;
	}
	/* set option=...; declare query_parameters(...); .show commands */
	if (tok_is(lx, b, "set") || tok_is(lx, b, "declare") || tok_is(lx, b, "alias") ||
	    tok_is(lx, b, "restrict") || tok_is(lx, b, "pattern") || tok_is(lx, b, "."))
		return;
	expression_at(ts, b);
	operators(ts, b);
}

/* The statements of tokens [b, e), separated by `;` at depth. */
static void statements(struct tscan *ts, size_t b, size_t e, unsigned depth)
{
	size_t end = ts->end, i;

	for (i = b; i <= e; i++) {
		if (i < e && !(tok_is(ts->lx, i, ";") && ts->lx->v[i].depth == depth))
			continue;
		ts->end = i;
		statement(ts, b);
		b = i + 1;
	}
	ts->end = end;
}

/*
 * let F = (tableName: string, ...) { table(tableName) | ... }: each call
 * F("SigninLogs", ...) reads the table its argument names.
 */
static void parameter_tables(struct tscan *ts)
{
	const struct klex *lx = ts->lx;
	size_t i, j, c, followed = 0;

	for (i = 0; i + 4 < lx->n && followed < KQL_MAX_TABLE_FUNCTIONS; i++) {
		size_t fn = i + 1, open = i + 3, close, k = 0, pos = SIZE_MAX, body_end;

		if (!tok_is(lx, i, "let") || !tok_is_name(lx, fn) || !tok_is(lx, i + 2, "=") ||
		    !tok_is(lx, open, "(") || (close = lx->v[open].match) == SIZE_MAX ||
		    !tok_is(lx, close + 1, "{") || (body_end = lx->v[close + 1].match) == SIZE_MAX)
			continue;
		/* which parameter the body reads with table(...) */
		for (j = open + 1; j < close && pos == SIZE_MAX && k < KQL_MAX_TABLE_PARAMS; j++) {
			if (!tok_is_name(lx, j) || !tok_is(lx, j + 1, ":") ||
			    !(tok_is(lx, j - 1, "(") || tok_is(lx, j - 1, ",")))
				continue;
			for (c = close + 2; c + 3 < body_end; c++)
				if (tok_is(lx, c, "table") && tok_is(lx, c + 1, "(") && tok_is(lx, c + 3, ")") &&
				    lx->v[c + 2].kind == KT_NAME && lx->v[c + 2].e - lx->v[c + 2].b == lx->v[j].e - lx->v[j].b &&
				    !memcmp(lx->q + lx->v[c + 2].b, lx->q + lx->v[j].b, lx->v[j].e - lx->v[j].b)) {
					pos = k;
					break;
				}
			k++;
		}
		if (pos == SIZE_MAX)
			continue;
		followed++;
		/* its calls: F("T", ...) after the body */
		for (c = body_end + 1; c + 1 < lx->n; c++) {
			size_t a = c + 2, arg = 0, cend;
			const char *s;
			size_t n;

			if (lx->v[c].kind != KT_NAME || lx->v[c].e - lx->v[c].b != lx->v[fn].e - lx->v[fn].b ||
			    memcmp(lx->q + lx->v[c].b, lx->q + lx->v[fn].b, lx->v[fn].e - lx->v[fn].b) ||
			    !tok_is(lx, c + 1, "(") || (cend = lx->v[c + 1].match) == SIZE_MAX)
				continue;
			while (arg < pos && a < cend) {		/* to the pos-th argument, at the call's depth */
				if (tok_is(lx, a, ",") && lx->v[a].depth == lx->v[c + 1].depth + 1)
					arg++;
				a++;
			}
			if (arg == pos && plain_string(lx, a, &s, &n) &&
			    (tok_is(lx, a + 1, ",") || a + 1 == cend))
				add_unique(ts->found, s, n);
		}
	}
}

void kusto_query_tables(const char *q, size_t len, json_t *tables)
{
	struct klex lx;
	struct tscan ts;
	json_t *e;
	size_t i;

	klex_run(&lx, q, len);
	memset(&ts, 0, sizeof(ts));
	ts.lx = &lx;
	ts.end = lx.n;
	ts.found = json_array();
	ts.lets = json_object();
	/* names bound by let anywhere (function bodies too) are not tables */
	for (i = 0; i + 2 < lx.n; i++)
		if (tok_is(&lx, i, "let") && tok_is_name(&lx, i + 1) && tok_is(&lx, i + 2, "="))
			exclude_name(&ts, i + 1);
	statements(&ts, 0, lx.n, 0);
	parameter_tables(&ts);
	json_array_foreach(ts.found, i, e)
		if (!json_object_get(ts.lets, json_string_value(e)))
			add_unique(tables, json_string_value(e), json_string_length(e));
	json_decref(ts.found);
	json_decref(ts.lets);
	klex_release(&lx);
}

/* The query shape test on tokens from i (a statement's first). */
static int starts_query(const struct klex *lx, size_t i)
{
	static const char *const starts[] = { "union", "print", "range", "datatable",
					      "externaldata", "search", "find", "evaluate", NULL };

	while (tok_is(lx, i, "("))
		i++;
	if (tok_is(lx, i, "let"))
		return tok_is_name(lx, i + 1) && tok_is(lx, i + 2, "=");
	if (tok_in(lx, i, starts))
		return 1;
	return tok_is_name(lx, i) && (i + 1 >= lx->n || tok_is(lx, i + 1, "|") ||
				      tok_is(lx, i + 1, ";") || tok_is(lx, i + 1, ")") ||
				      lx->v[i + 1].blank);
}

int kusto_looks_like_query(const char *text, size_t len)
{
	struct klex lx;
	int yes;

	klex_run(&lx, text, len);
	yes = lx.n > 0 && starts_query(&lx, 0);
	klex_release(&lx);
	return yes;
}

struct kspan {
	size_t b, e;
};

/*
 * The queries of a block that may hold several (*out, caller frees; at least
 * one span). They are cut at a blank line, or before a comment on a line of
 * its own (a header: "// Sentinel"), at the top level after a complete
 * statement (not after `;`, a pipe, an operator or `by`), before something
 * that starts a query. Kusto's own tools cut queries at blank lines; asking
 * both sides to look complete keeps a blank line or a comment inside one
 * query (after its lets, before a `| where`) from splitting it. A comment
 * header goes with the query after it.
 */

/*
 * Whether the name at token i is, in the query of tokens [from, i) (text
 * [q, q + len)), a name that query reads as a column rather than as a table:
 * then a comment line before it is a wrapped comment, not the header of a
 * new query ("// ... is equal on the\nDeviceName\n| where ...").
 */
static int column_before(const struct klex *lx, size_t from, size_t i, const char *q, size_t len)
{
	const struct ktok *t = &lx->v[i];
	size_t j, k;
	json_t *tables;
	int seen = 0, table = 0;

	for (j = from; j < i && !seen; j++)
		seen = lx->v[j].kind == t->kind && lx->v[j].e - lx->v[j].b == t->e - t->b &&
		       !memcmp(lx->q + lx->v[j].b, lx->q + t->b, t->e - t->b);
	if (!seen)
		return 0;
	tables = json_array();
	kusto_query_tables(q, len, tables);
	for (k = 0; k < json_array_size(tables) && !table; k++)
		table = json_string_length(json_array_get(tables, k)) == t->e - t->b &&
			!memcmp(json_string_value(json_array_get(tables, k)), lx->q + t->b, t->e - t->b);
	json_decref(tables);
	return !table;
}

static size_t split_queries(const char *q, size_t len, struct kspan **out)
{
	static const char *const open_words[] = { "by", "on", "and", "or", "not", "in", NULL };
	struct klex lx;
	struct kspan *v = xmalloc(sizeof(*v));
	size_t n = 0, i, b = 0, bi = 0, checks = 0;

	klex_run(&lx, q, len);
	for (i = 1; i < lx.n; i++) {
		const struct ktok *t = &lx.v[i], *p = &lx.v[i - 1];

		if ((!t->blank && !t->header) || t->depth || p->depth)
			continue;
		if (p->kind == KT_PUNCT && !is_closer((unsigned char)q[p->b]))
			continue;
		if (tok_in(&lx, i - 1, open_words) || !starts_query(&lx, i))
			continue;
		/* after a comment alone, a parenthesis is more likely a union operand */
		if (!t->blank && tok_is(&lx, i, "("))
			continue;
		/* past the bound a header cuts as it did before the check */
		if (!t->blank && checks++ < KQL_MAX_HEADER_CHECKS &&
		    column_before(&lx, bi, i, q + b, t->header - b))
			continue;
		v = xrealloc(v, (n + 2) * sizeof(*v));
		v[n].b = b;
		if (t->blank && (!t->header || t->blank <= t->header)) {
			v[n++].e = t->blank;
			b = t->header > t->resume ? t->header : t->resume;
		} else {
			v[n++].e = t->header;
			b = t->header;
		}
		bi = i;
	}
	v[n].b = b;
	v[n++].e = len;
	klex_release(&lx);
	*out = v;
	return n;
}

/* ---- records ---- */

struct file_ctx {
	const char *source, *path, *text;
	size_t len;
	const struct fieldmap *map;
	struct rule_list *out;
	size_t nqueries;
	int errors;
};

static struct rule *new_rule(struct file_ctx *f)
{
	struct rule *r = rule_new("kusto", f->source, f->path);
	char *uid = xasprintf("kusto:%s:%s#%zu", f->source ? f->source : "", f->path, ++f->nqueries);

	rule_set_str(r, "uid", uid);
	free(uid);
	json_object_set_new(r->rec, "language", json_string("kql"));
	json_object_set_new(json_object_get(r->rec, "attack"), "other", json_array());
	json_object_set_new(json_object_get(r->rec, "context"), "tables", json_array());
	return r;
}

static void finish(struct file_ctx *f, struct rule *r)
{
	if (rule_has_errors(r))
		f->errors++;
	rule_list_push(f->out, r);
}

/* key ← s[0..n) as a string, or null (also when not valid UTF-8) */
static void set_strn(struct rule *r, const char *key, const char *s, size_t n)
{
	json_t *v = s ? json_stringn(s, n) : NULL;

	json_object_set_new(r->rec, key, v ? v : json_null());
}

/*
 * Whether every statement of q is a let (or set, declare) binding: a block
 * that only names values for the query a page shows next ("let VictimDeviceId
 * = ...;"), or a list of regular expressions to copy. Kusto runs no such
 * text: a query ends in a tabular expression.
 */
static int only_bindings(const char *q, size_t n)
{
	static const char *const binds[] = { "let", "set", "declare", "alias", NULL };
	struct klex lx;
	size_t i;
	int start = 1, yes = 1;

	klex_run(&lx, q, n);
	for (i = 0; i < lx.n && yes; i++) {
		if (start && !tok_in(&lx, i, binds))
			yes = 0;
		start = tok_is(&lx, i, ";") && lx.v[i].depth == 0;
	}
	klex_release(&lx);
	return yes;
}

/*
 * Give r its query text, tables and predicates; an empty query is no query,
 * and so is one of bindings only that reads no table.
 */
static void set_query(struct file_ctx *f, struct rule *r, const char *q, size_t n)
{
	struct pred_builder *pb;
	json_t *tables;
	size_t k;

	for (k = 0; k < n && isspace((unsigned char)q[k]); k++)
		;
	if (k == n) {
		rule_set_no_query(r);
		return;
	}
	set_strn(r, "query", q, n);
	tables = json_object_get(json_object_get(r->rec, "context"), "tables");
	kusto_query_tables(q, n, tables);
	pb = pb_new(r, f->map, 0, NULL, NULL);
	kql_parse(pb, r, q, n);
	pb_free(pb);
	if (json_array_size(tables) == 0 && only_bindings(q, n))
		rule_set_no_query(r);
}

static int all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* The file name without folders and extension. */
static void title_from_path(struct rule *r, const char *path)
{
	const char *base = strrchr(path, '/'), *dot;

	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	set_strn(r, "title", base, dot && dot > base ? (size_t)(dot - base) : strlen(base));
}

/* ---- Sentinel YAML ---- */

static void trim(const char **s, size_t *n)
{
	while (*n && isspace((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

/* relevantTechniques: "T1204.001" → techniques; anything else → other, as written (meta.h) */
static void add_technique(struct rule *r, void *ctx, const char *s, size_t n)
{
	(void)ctx;
	meta_technique(r, s, n);
}

/*
 * Sentinel writes tactics in CamelCase ("DefenseEvasion"); ATT&CK names them
 * in words, which our ATT&CK table matches case-insensitively. Anything that
 * is not a single run of letters ("Initial access") is kept as written.
 */
/* A tactic as written (trimmed, once): ATT&CK names resolve in the ATT&CK layer. */
static void add_tactic(struct rule *r, void *ctx, const char *s, size_t n)
{
	(void)ctx;
	meta_tactic(r, s, n);
}

static void add_table(struct rule *r, void *ctx, const char *s, size_t n)
{
	(void)ctx;
	trim(&s, &n);
	if (n)
		add_unique(json_object_get(json_object_get(r->rec, "context"), "tables"), s, n);
}

/* The value of a top-level "key:" line, unquoted (caller frees), or NULL. */
static char *top_level_value(const char *text, size_t len, const char *key)
{
	size_t k = strlen(key), ls = 0;

	while (ls < len) {
		const char *nl = memchr(text + ls, '\n', len - ls);
		size_t le = nl ? (size_t)(nl - text) : len;

		if (le - ls > k && !memcmp(text + ls, key, k)) {
			const char *s = text + ls + k;
			size_t n = le - ls - k;

			trim(&s, &n);
			if (n >= 2 && (*s == '\'' || *s == '"') && s[n - 1] == *s) {
				s++;
				n -= 2;
			}
			return n ? xstrndup(s, n) : NULL;
		}
		ls = nl ? le + 1 : len;
	}
	return NULL;
}

static void sentinel(struct file_ctx *f)
{
	struct rule *r = new_rule(f);
	struct yamldoc ys;
	const struct ynode *root = NULL, *n, *q;
	size_t i;

	json_object_set_new(r->rec, "id", json_null());
	if (yamldoc_load(&ys, f->text, f->len, NULL) < 0) {
		/* the record is still named by the file's own lines, as far as they go */
		char *id = top_level_value(f->text, f->len, "id:");
		char *name = top_level_value(f->text, f->len, "name:");

		set_strn(r, "id", id, id ? strlen(id) : 0);
		set_strn(r, "title", name, name ? strlen(name) : 0);
		free(id);
		free(name);
		rule_error(r, ys.err_line, PARSE_FAILED, "invalid YAML: %s", ys.err);
		goto out;
	}
	for (i = 0; i < ys.ndocs && !root; i++)
		root = ys.docs[i];
	if (!root || root->kind != YNODE_MAP) {
		title_from_path(r, f->path);
		rule_error(r, root ? root->line : 0, PARSE_FAILED,
			   root ? "not a query: not a map" : "not a query: empty file");
		goto out;
	}
	yamlrule_meta(r, "id", root, "id");
	yamlrule_meta(r, "title", root, "name");
	yamlrule_meta(r, "description", root, "description");
	yamlrule_meta(r, "status", root, "status");
	yamlrule_meta(r, "severity", root, "severity");
	n = ynode_get(root, "severity");
	if (yamlrule_text(n)) {
		char *low = xstrndup(n->str, n->len);

		for (i = 0; low[i]; i++)
			low[i] = (char)tolower((unsigned char)low[i]);
		set_strn(r, "severity", low, strlen(low));
		free(low);
	}
	yamlrule_meta(r, "rule_type", root, "kind");
	if (!ynode_get(root, "kind")) {
		/* hunting queries have no kind; older analytic rules are scheduled ones */
		if (strstr(f->path, "Hunting Queries/"))
			rule_set_str(r, "rule_type", "hunting");
		else if (ynode_get(root, "queryFrequency"))
			rule_set_str(r, "rule_type", "Scheduled");
	}
	yamlrule_each(r, ynode_get(root, "relevantTechniques"), "relevantTechniques", add_technique, NULL);
	yamlrule_each(r, ynode_get(root, "tactics"), "tactics", add_tactic, NULL);
	n = ynode_get(root, "requiredDataConnectors");
	if (n && n->kind == YNODE_SEQ) {
		for (i = 0; i < n->n; i++)
			yamlrule_each(r, ynode_get(n->vals[i], "dataTypes"), "dataTypes", add_table, NULL);
	} else if (n && !ynode_is_null(n)) {
		rule_error(r, n->line, PARSE_PARTIAL, "'requiredDataConnectors' must be a list");
	}
	q = ynode_get(root, "query");
	if (!q) {
		/*
		 * A rule moved elsewhere upstream leaves a stub (id, name,
		 * description): a rule without a query. A YAML file without an id
		 * either (a data connector, a workbook, a parser) is no rule at all.
		 */
		if (ynode_get(root, "id") || ynode_get(root, "name"))
			rule_set_no_query(r);
		else
			rule_error(r, 0, PARSE_FAILED, "not a query: no 'query'");
	} else if (ynode_is_null(q)) {
		rule_set_no_query(r);
	} else if (!yamlrule_text(q)) {
		rule_error(r, q->line, PARSE_FAILED, "'query' must be text");
	} else {
		set_query(f, r, q->str, q->len);
	}
out:
	yamldoc_release(&ys);
	finish(f, r);
}

/* ---- markdown ---- */

struct md_query {
	size_t b, e;			/* the query's bytes */
	size_t sb, se;			/* the heading it sits under */
};

/* The columns of an ATT&CK table, from its header row (-1: none). */
struct md_cols {
	long technique, sub, tactic;
};

struct md {
	struct file_ctx *f;
	json_t *techniques, *tactics;	/* as the tables state them, for every query of the file */
	size_t tb, te;			/* title: the first level-1 heading, else the first */
	int title_level;		/* 0: none yet */
	size_t db, de;			/* the Description section */
	struct md_query *q;
	size_t nq, alloc;
};

static int ci_contains(const char *s, size_t n, const char *word)
{
	size_t k = strlen(word), i;

	for (i = 0; i + k <= n; i++)
		if (!strncasecmp(s + i, word, k))
			return 1;
	return 0;
}

/* Technique ids T####[.###] standing alone as words in s[0..n). */
static void ids_in(json_t *a, const char *s, size_t n)
{
	size_t i, k;

	for (i = 0; i + 5 <= n; i++) {
		if (s[i] != 'T' || (i && isalnum((unsigned char)s[i - 1])) || !all_digits(s + i + 1, 4))
			continue;
		k = 5;
		if (i + 9 <= n && s[i + 5] == '.' && all_digits(s + i + 6, 3))
			k = 9;
		if (i + k < n && isalnum((unsigned char)s[i + k]))
			continue;
		add_unique(a, s + i, k);
	}
}

/* A sub-technique cell: "003", ".003" or "T1069.003" (the digits at *digits). */
static int sub_cell(const char *s, size_t n, const char **digits)
{
	if (n == 4 && s[0] == '.')
		s++, n--;
	if (n == 3 && all_digits(s, 3)) {
		*digits = s;
		return 1;
	}
	if (n == 9 && s[0] == 'T' && all_digits(s + 1, 4) && s[5] == '.' && all_digits(s + 6, 3)) {
		*digits = s + 6;
		return 1;
	}
	return 0;
}

#define MD_MAX_CELLS 64

/*
 * A table row under a MITRE ATT&CK heading. The first row is the header; it
 * names the columns: "Technique ID" (Bert-JanP's template: ids come from that
 * column only, else from any cell), a sub-technique column ("Sub-technique",
 * "Sub-Technique ID": | T1069 | 003 | is T1069.003) and a tactic column
 * ("Tactic", "Tactics": names as written, comma-separated; a table may hold
 * tactics only). *cols carries the columns between rows.
 */
static void md_table_row(struct md *m, const char *s, size_t n, int header, struct md_cols *cols)
{
	const char *cell[MD_MAX_CELLS];
	size_t len[MD_MAX_CELLS], i = 0, b, nc = 0, k;

	if (n && s[0] == '|')
		i = 1;
	for (b = i; i <= n && nc < MD_MAX_CELLS; i++) {
		if (i < n && (s[i] != '|' || (i > 0 && s[i - 1] == '\\')))
			continue;
		cell[nc] = s + b;
		len[nc] = i - b;
		trim(&cell[nc], &len[nc]);
		if (i == n && !len[nc])
			break;		/* after the closing pipe */
		nc++;
		b = i + 1;
	}
	if (header) {
		cols->technique = cols->sub = cols->tactic = -1;
		for (k = 0; k < nc; k++) {
			if (ci_contains(cell[k], len[k], "sub") && ci_contains(cell[k], len[k], "technique"))
				cols->sub = (long)k;
			else if (len[k] == 12 && !strncasecmp(cell[k], "technique id", 12))
				cols->technique = (long)k;
			else if (ci_contains(cell[k], len[k], "tactic"))
				cols->tactic = (long)k;
		}
		return;
	}
	/* the delimiter row (| --- | :-: |) holds no ids nor names */
	if (nc && len[0] && strspn(cell[0], "-: ") >= len[0])
		return;
	for (k = 0; k < nc; k++) {
		json_t *ids;
		const char *d;

		if ((long)k == cols->sub || (long)k == cols->tactic ||
		    (cols->technique >= 0 && (long)k != cols->technique))
			continue;
		ids = json_array();
		ids_in(ids, cell[k], len[k]);
		/* | T1069 | 003 |: the row's technique is the sub-technique */
		if (cols->sub >= 0 && cols->sub < (long)nc && json_array_size(ids) == 1 &&
		    json_string_length(json_array_get(ids, 0)) == 5 &&
		    sub_cell(cell[cols->sub], len[cols->sub], &d)) {
			char id[10];

			memcpy(id, json_string_value(json_array_get(ids, 0)), 5);
			id[5] = '.';
			memcpy(id + 6, d, 3);
			id[9] = 0;
			json_array_clear(ids);
			json_array_append_new(ids, json_string(id));
		}
		for (i = 0; i < json_array_size(ids); i++)
			add_unique(m->techniques, json_string_value(json_array_get(ids, i)),
				   json_string_length(json_array_get(ids, i)));
		json_decref(ids);
	}
	if (cols->tactic >= 0 && cols->tactic < (long)nc) {
		const char *t = cell[cols->tactic];
		size_t tn = len[cols->tactic], e;

		while (tn) {
			const char *one;
			size_t on;

			for (e = 0; e < tn && t[e] != ','; e++)
				;
			one = t;
			on = e;
			trim(&one, &on);
			if (on && strspn(one, "-") < on && strncasecmp(one, "n/a", on) != 0)
				add_unique(m->tactics, one, on);
			t += e < tn ? e + 1 : e;
			tn -= e < tn ? e + 1 : e;
		}
	}
}

static int info_is_kql(const char *s, size_t n)
{
	size_t k = 0;

	while (k < n && !isspace((unsigned char)s[k]) && s[k] != '{')
		k++;
	return (k == 3 && !strncasecmp(s, "kql", 3)) || (k == 5 && !strncasecmp(s, "kusto", 5));
}

static void md_block(struct md *m, size_t b, size_t e, int labelled, size_t sb, size_t se)
{
	const char *t = m->f->text;
	struct kspan *spans;
	size_t n, i;

	if (labelled < 0 || (!labelled && !kusto_looks_like_query(t + b, e - b)))
		return;
	n = split_queries(t + b, e - b, &spans);
	for (i = 0; i < n; i++) {
		const char *s = t + b + spans[i].b;
		size_t k = spans[i].e - spans[i].b;

		trim(&s, &k);
		if (!k && n > 1)
			continue;
		if (m->nq == m->alloc) {
			m->alloc = m->alloc ? m->alloc * 2 : 8;
			m->q = xrealloc(m->q, m->alloc * sizeof(*m->q));
		}
		m->q[m->nq].b = (size_t)(s - t);
		m->q[m->nq].e = (size_t)(s - t) + k;
		m->q[m->nq].sb = sb;
		m->q[m->nq].se = se;
		m->nq++;
	}
	free(spans);
}

/*
 * One pass over the lines, CommonMark's way for what matters here: fences of
 * three or more backticks or tildes (an unclosed one runs to the end), ATX
 * headings outside fences, and pipe tables.
 */
static void md_scan(struct md *m)
{
	const char *t = m->f->text;
	size_t len = m->f->len, ls = 0;
	size_t fb = 0, flen = 0, sb = 0, se = 0;
	char fch = 0;
	int in_fence = 0, labelled = 0, mitre = 0, prev_table = 0, in_desc = 0, desc_done = 0;
	struct md_cols cols = { -1, -1, -1 };

	while (ls < len) {
		const char *nl = memchr(t + ls, '\n', len - ls);
		size_t le = nl ? (size_t)(nl - t) : len, next = nl ? le + 1 : len, p = ls, k;

		while (p < le && (t[p] == ' ' || t[p] == '\t'))
			p++;
		for (k = 0; p + k < le && (t[p + k] == '`' || t[p + k] == '~') && t[p + k] == t[p]; k++)
			;
		if (in_fence) {
			const char *rest = t + p + k;
			size_t rn = le - p - k;

			trim(&rest, &rn);
			if (k >= flen && t[p] == fch && !rn) {
				in_fence = 0;
				md_block(m, fb, ls, labelled, sb, se);
			}
			ls = next;
			continue;
		}
		if (k >= 3) {
			const char *info = t + p + k;
			size_t in = le - p - k;

			trim(&info, &in);
			/* ``` with a backtick in its info string is inline code, not a fence */
			if (t[p] == '~' || !memchr(info, '`', in)) {
				in_fence = 1;
				fch = t[p];
				flen = k;
				fb = next;
				/* 1: KQL; 0: unlabelled, a query if it looks like one; -1: another language */
				labelled = info_is_kql(info, in) ? 1 : in ? -1 : 0;
				prev_table = 0;
				ls = next;
				continue;
			}
		}
		if (p - ls <= 3 && p < le && t[p] == '#') {
			size_t lv = 0, hb, he;

			while (p + lv < le && t[p + lv] == '#')
				lv++;
			if (lv <= 6 && (p + lv == le || t[p + lv] == ' ' || t[p + lv] == '\t')) {
				const char *h;
				size_t hn, e;

				h = t + p + lv;
				hn = le - p - lv;
				trim(&h, &hn);
				/* a closing run of #s goes, "C#" stays */
				for (e = hn; e && h[e - 1] == '#'; e--)
					;
				if (e < hn && (!e || h[e - 1] == ' ' || h[e - 1] == '\t')) {
					hn = e;
					trim(&h, &hn);
				}
				hb = (size_t)(h - t);
				he = hb + hn;
				if (in_desc) {
					m->de = ls;
					in_desc = 0;
					desc_done = 1;
				}
				if (!m->title_level || (m->title_level > 1 && lv == 1)) {
					m->tb = hb;
					m->te = he;
					m->title_level = (int)lv;
				}
				sb = hb;
				se = he;
				mitre = ci_contains(t + hb, he - hb, "mitre att&ck");
				if (!desc_done && he - hb == 11 && !strncasecmp(t + hb, "description", 11)) {
					in_desc = 1;
					m->db = next;
				}
				prev_table = 0;
				ls = next;
				continue;
			}
		}
		if (p < le && t[p] == '|') {
			if (mitre) {
				md_table_row(m, t + p, le - p, !prev_table, &cols);
			}
			prev_table = 1;
		} else {
			prev_table = 0;
		}
		ls = next;
	}
	if (in_fence)
		md_block(m, fb, len, labelled, sb, se);
	if (in_desc)
		m->de = len;
}

static void markdown(struct file_ctx *f)
{
	const char *t = f->text;
	struct md m;
	size_t i, k, nrec;
	json_t *id;

	memset(&m, 0, sizeof(m));
	m.f = f;
	m.techniques = json_array();
	m.tactics = json_array();
	md_scan(&m);
	/* a file with no query (a README, an index) is still one record */
	nrec = m.nq ? m.nq : 1;
	for (i = 0; i < nrec; i++) {
		struct rule *r = new_rule(f);
		const char *d = t + m.db;
		size_t dn = m.de - m.db;

		if (m.title_level)
			set_strn(r, "title", t + m.tb, m.te - m.tb);
		else
			title_from_path(r, f->path);
		trim(&d, &dn);
		if (dn)
			set_strn(r, "description", d, dn);
		rule_set_str(r, "rule_type", "hunting");
		json_array_foreach(m.techniques, k, id)
			meta_technique(r, json_string_value(id), json_string_length(id));
		json_array_foreach(m.tactics, k, id)
			meta_tactic(r, json_string_value(id), json_string_length(id));
		if (!m.nq) {
			rule_set_no_query(r);
		} else {
			if (m.q[i].se > m.q[i].sb)
				set_strn(r, "section", t + m.q[i].sb, m.q[i].se - m.q[i].sb);
			set_query(f, r, t + m.q[i].b, m.q[i].e - m.q[i].b);
		}
		finish(f, r);
	}
	json_decref(m.techniques);
	json_decref(m.tactics);
	free(m.q);
}

/* ---- whole-file queries ---- */

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcasecmp(s + n - k, suffix);
}

/*
 * .kql says what it holds; .txt files sit beside the queries in Bert-JanP's
 * repository but some are data (a CSV an externaldata reads) or notes, so a
 * .txt has to look like a query to be one.
 */
static void text_file(struct file_ctx *f)
{
	struct rule *r = new_rule(f);
	size_t k;

	title_from_path(r, f->path);
	rule_set_str(r, "rule_type", "hunting");
	for (k = 0; k < f->len && isspace((unsigned char)f->text[k]); k++)
		;
	if (k == f->len)
		rule_set_no_query(r);
	else if (has_suffix(f->path, ".txt") && !kusto_looks_like_query(f->text, f->len))
		rule_error(r, 0, PARSE_FAILED, "not a query: the text does not look like KQL");
	else
		set_query(f, r, f->text, f->len);
	finish(f, r);
}

int kusto_parse_file(const char *source, const char *path, const char *text, size_t len,
		     const struct fieldmap *map, struct rule_list *rules_out)
{
	struct file_ctx f;

	memset(&f, 0, sizeof(f));
	f.map = map;
	f.source = source;
	f.path = path;
	f.text = text;
	f.len = len;
	f.out = rules_out;
	if (has_suffix(path, ".yaml") || has_suffix(path, ".yml"))
		sentinel(&f);
	else if (has_suffix(path, ".md"))
		markdown(&f);
	else
		text_file(&f);
	return f.errors;
}

/* ---- the front end ---- */

/* Sentinel YAML, markdown collections and query files; parse() tells queries apart. */
static enum fe_kind classify(const char *path, const char *text, size_t len)
{
	(void)text;
	(void)len;
	if (fe_has_suffix(path, ".yaml") || fe_has_suffix(path, ".yml") || fe_has_suffix(path, ".kql") ||
	    fe_has_suffix(path, ".csl") || fe_has_suffix(path, ".md") || fe_has_suffix(path, ".txt"))
		return FE_RULE;
	return FE_SKIP;
}

static int parse(const struct fe_input *in, struct rule_list *out)
{
	return kusto_parse_file(in->source, in->path, in->text, in->len, in->map, out);
}

const struct frontend kusto_frontend = { "kusto", classify, NULL, NULL, NULL, parse };
