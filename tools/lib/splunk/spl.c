/*
 * SPL into predicates (spl.h): a pipeline split at its top-level pipes, each
 * command read by what it does to the events: filters become leaves of the
 * builder's tree, columns the pipeline makes are declared computed, a data
 * model opens a scope.
 */
#include "splunk/spl.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/text.h"
#include "common/util.h"
#include "rule/pattern.h"
#include "splunk/macros.h"

#define NONE EXPR_NONE

/* A text being read: the expanded search, or the string of a searchmatch(). */
struct src {
	const char *q;
	size_t end;
};

struct spl {
	struct pred_builder *pb;
	struct rule *r;
	unsigned line;
	int failed;		/* a syntax error: nothing is trusted */
	int all_computed;	/* the rows come from a lookup table, not events */
	unsigned depth;
	int neg;		/* NOTs above the term being read, for the context */
	size_t scopes;		/* scopes pushed, popped at the end */
	struct pattern pat;
	struct strbuf a, b;	/* scratch */
	const struct splunk_macros *macros;	/* for the search strings of map */
	size_t nscope;		/* the rule's scope, for the scopes opened inside it */
	const char *const *skeys, *const *svals;
};

static void syntax(struct spl *S, enum rule_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void syntax(struct spl *S, enum rule_code code, const char *fmt, ...)
{
	char buf[300];
	va_list ap;

	if (S->failed)
		return;
	S->failed = 1;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	rule_error_at(S->r, S->line, 0, PARSE_FAILED, code, "%s", buf);
}

static void partial(struct spl *S, enum rule_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void partial(struct spl *S, enum rule_code code, const char *fmt, ...)
{
	char buf[300];
	size_t i, n;
	const struct rule_msg *m;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	m = rule_messages(S->r, &n);
	for (i = 0; i < n; i++)
		if (!strcmp(m[i].text, buf))
			return;	/* once per rule */
	rule_error_at(S->r, S->line, 0, PARSE_PARTIAL, code, "%s", buf);
}

static int enter(struct spl *S)
{
	if (++S->depth > SPL_MAX_DEPTH) {
		syntax(S, RC_LIMIT, "the search nests deeper than %d levels", SPL_MAX_DEPTH);
		return -1;
	}
	return 0;
}

static int is_sp(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static size_t skip_sp(const struct src *t, size_t i)
{
	while (i < t->end && is_sp(t->q[i]))
		i++;
	return i;
}

/* The end of a "..." string starting at i, one past its closing quote; 0 when unclosed. */
static size_t str_end(const struct src *t, size_t i)
{
	for (i++; i < t->end; i++) {
		if (t->q[i] == '\\' && i + 1 < t->end)
			i++;
		else if (t->q[i] == '"')
			return i + 1;
	}
	return 0;
}

/* The end of a [subsearch] starting at i, one past its ']'; 0 when unbalanced. */
static size_t sub_end(const struct src *t, size_t i)
{
	int depth = 0;

	for (; i < t->end; i++) {
		if (t->q[i] == '\\' && i + 1 < t->end) {
			i++;
		} else if (t->q[i] == '"') {
			size_t j = str_end(t, i);

			if (!j)
				return 0;
			i = j - 1;
		} else if (t->q[i] == '[') {
			depth++;
		} else if (t->q[i] == ']' && --depth == 0) {
			return i + 1;
		}
	}
	return 0;
}

static int word_is(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && !memcmp(s, w, n);
}

static int word_is_ci(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && !strncasecmp(s, w, n);
}

/* ---- search syntax ---- */

enum tk { T_END, T_LP, T_RP, T_COMMA, T_WORD, T_STR, T_OP, T_SUB, T_ERR };
enum cmp { C_EQ, C_NE, C_LT, C_LE, C_GT, C_GE };

struct tok {
	enum tk k;
	size_t s, e;		/* its text */
	enum cmp op;
};

/* The next token of search syntax at *pos (advanced past it). */
static void slex(struct spl *S, const struct src *t, size_t *pos, struct tok *k)
{
	const char *q = t->q;
	size_t i = skip_sp(t, *pos);
	int depth = 0;

	k->s = i;
	if (i >= t->end) {
		k->k = T_END;
		k->e = *pos = i;
		return;
	}
	switch (q[i]) {
	case '(': k->k = T_LP; k->e = *pos = i + 1; return;
	case ')': k->k = T_RP; k->e = *pos = i + 1; return;
	case ',': k->k = T_COMMA; k->e = *pos = i + 1; return;
	case '[': {
		size_t j = sub_end(t, i);

		if (!j) {
			syntax(S, RC_SYNTAX, "a '[' without its ']'");
			k->k = T_ERR;
			k->e = *pos = t->end;
			return;
		}
		k->k = T_SUB;
		k->e = *pos = j;
		return;
	}
	case '"': {
		size_t j = str_end(t, i);

		if (!j) {
			syntax(S, RC_SYNTAX, "a '\"' without its closing quote");
			k->k = T_ERR;
			k->e = *pos = t->end;
			return;
		}
		k->k = T_STR;
		k->e = *pos = j;
		return;
	}
	case '=': k->k = T_OP; k->op = C_EQ; k->e = *pos = i + (i + 1 < t->end && q[i + 1] == '=' ? 2 : 1); return;
	case '<': case '>':
		k->k = T_OP;
		k->op = q[i] == '<' ? C_LT : C_GT;
		if (i + 1 < t->end && q[i + 1] == '=') {
			k->op = q[i] == '<' ? C_LE : C_GE;
			i++;
		}
		k->e = *pos = i + 1;
		return;
	case '!':
		if (i + 1 < t->end && q[i + 1] == '=') {
			k->k = T_OP;
			k->op = C_NE;
			k->e = *pos = i + 2;
			return;
		}
		break;
	}
	/* a word: up to a space or an operator; "(...)" inside it belongs to it */
	k->k = T_WORD;
	for (; i < t->end; i++) {
		char c = q[i];

		if (c == '\\' && i + 1 < t->end) {
			i++;
			continue;
		}
		if (depth && c == '"') {
			/* f(x, "y") inside a word: its string belongs to it */
			size_t j = str_end(t, i);

			if (!j)
				break;
			i = j - 1;
			continue;
		}
		if (depth && c != '(' && c != ')')
			continue;
		if (is_sp(c) || c == '=' || c == '<' || c == '>' || c == '"' || c == ',')
			break;
		if (c == '!' && i + 1 < t->end && q[i + 1] == '=')
			break;
		if (c == '(') {
			/* NOT(...), IN(...): the keyword ends at its parenthesis */
			if (!depth && ((i - k->s == 3 && (!memcmp(q + k->s, "NOT", 3) || !memcmp(q + k->s, "AND", 3))) ||
				       (i - k->s == 2 && (!memcmp(q + k->s, "IN", 2) || !memcmp(q + k->s, "OR", 2)))))
				break;
			depth++;
		} else if (c == ')') {
			if (!depth)
				break;
			depth--;
		}
	}
	k->e = *pos = i;
}

static void speek(struct spl *S, const struct src *t, size_t pos, struct tok *k)
{
	slex(S, t, &pos, k);
}

/*
 * A value as search compares it into S->pat: '*' a wildcard, \\ and \" the
 * characters, any other backslash kept as written. Quoted: without its quotes.
 */
static void search_value(struct spl *S, const char *s, size_t n, int quoted)
{
	size_t i;

	pattern_reset(&S->pat);
	if (quoted) {
		s++;
		n -= 2;
	}
	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n && (s[i + 1] == '\\' || s[i + 1] == '"')) {
			pattern_add_lit(&S->pat, s + i + 1, 1);
			i++;
		} else if (s[i] == '*') {
			pattern_add_wild(&S->pat, PAT_STAR);
		} else {
			pattern_add_lit(&S->pat, s + i, 1);
		}
	}
}

/* time modifiers and tstats dataset selectors: not filters on event fields */
static int not_a_filter_field(const char *f, size_t n)
{
	static const char *const names[] = {
		"earliest", "latest", "_index_earliest", "_index_latest", "starttime", "endtime",
		"timeformat", "nodename", "span", "summariesonly", "allow_old_summaries",
		"fillnull_value", "prestats", "local", "append", "chunk_size", NULL
	};
	size_t i;

	for (i = 0; names[i]; i++)
		if (word_is_ci(f, n, names[i]))
			return 1;
	return 0;
}

static const char *context_key(const char *f, size_t n)
{
	static const char *const keys[] = { "sourcetype", "source", "eventtype", "index", "EventCode", NULL };
	size_t i;

	/* field names are case-sensitive: Sysmon's EventType is not Splunk's eventtype */
	for (i = 0; keys[i]; i++)
		if (word_is(f, n, keys[i]))
			return keys[i];
	return NULL;
}

static int parse_number(const char *s, size_t n, int *is_int, long long *ll, double *d)
{
	char buf[64], *e;

	if (!n || n >= sizeof(buf))
		return 0;
	memcpy(buf, s, n);
	buf[n] = 0;
	*ll = strtoll(buf, &e, 10);
	if (*e == 0) {
		*is_int = 1;
		return 1;
	}
	*d = strtod(buf, &e);
	if (*e == 0 && n) {
		*is_int = 0;
		return 1;
	}
	return 0;
}

/* an IPv4 network a.b.c.d/n, or an IPv6 one (hex digits and colons)/n */
static int is_cidr(const char *s, size_t n)
{
	const char *slash = memchr(s, '/', n);
	size_t i, dots = 0, colons = 0, alpha = 0, bits;

	if (!slash || slash == s || slash + 1 == s + n || s + n - slash > 4)
		return 0;
	for (i = slash - s + 1; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	bits = (size_t)atoi(slash + 1);
	for (i = 0; s + i < slash; i++) {
		if (s[i] == '.')
			dots++;
		else if (s[i] == ':')
			colons++;
		else if (!isxdigit((unsigned char)s[i]))
			return 0;
		else if (!isdigit((unsigned char)s[i]))
			alpha++;
	}
	return (dots == 3 && !colons && !alpha && bits <= 32) || (colons >= 2 && !dots && bits <= 128);
}

/* One comparison of search syntax: field (NULL: free text) op the value token. */
static size_t search_leaf(struct spl *S, const struct src *t, const struct tok *f,
			  enum cmp op, const struct tok *v)
{
	struct pred_spec sp;
	const char *vs = t->q + v->s;
	size_t vn = v->e - v->s;
	int quoted = v->k == T_STR, ci = 1, term = 0;
	char *field = NULL;
	size_t id;

	if (f && f->k == T_WORD && not_a_filter_field(t->q + f->s, f->e - f->s))
		return NONE;
	if (!quoted && vn > 6 && (!strncmp(vs, "CASE(", 5) || !strncmp(vs, "TERM(", 5)) && vs[vn - 1] == ')') {
		ci = vs[0] != 'C';
		term = vs[0] == 'T';
		vs += 5;
		vn -= 6;
		if (vn >= 2 && vs[0] == '"' && vs[vn - 1] == '"')
			quoted = 1;
	}
	pred_spec_init(&sp);
	if (f && f->k == T_STR && f->e - f->s >= 2) {
		search_value(S, t->q + f->s, f->e - f->s, 1);
		field = xstrndup(S->pat.text.buf, S->pat.text.len);
	} else if (f) {
		field = xstrndup(t->q + f->s, f->e - f->s);
	}
	sp.field = field;
	sp.line = S->line;
	sp.raw_value = t->q + v->s;
	sp.raw_value_len = v->e - v->s;
	sp.computed = S->all_computed;
	search_value(S, vs, vn, quoted);
	if ((op == C_EQ || op == C_NE) && f && is_cidr(S->pat.text.buf, S->pat.text.len) &&
	    !pattern_has_wild(&S->pat)) {
		/* search matches an IP field against a network written in CIDR notation */
		sp.negated = op == C_NE;
		sp.op = PRED_CIDR;
		sp.kind = PV_TEXT;
		sp.text = S->pat.text.buf;
		sp.len = S->pat.text.len;
	} else if (op == C_EQ || op == C_NE) {
		sp.negated = op == C_NE;
		sp.ci = ci;
		if (!f && !pattern_has_wild(&S->pat)) {
			sp.op = PRED_MATCH;
			sp.kind = PV_TEXT;
			sp.text = S->pat.text.buf;
			sp.len = S->pat.text.len;
		} else {
			sp.op = PRED_EQ;
			sp.kind = PV_PATTERN;
			sp.pat = &S->pat;
		}
		(void)term;
	} else {
		int is_int = 0;
		long long ll = 0;
		double d = 0;

		sp.op = op == C_LT ? PRED_LT : op == C_LE ? PRED_LTE : op == C_GT ? PRED_GT : PRED_GTE;
		if (parse_number(S->pat.text.buf, S->pat.text.len, &is_int, &ll, &d)) {
			sp.kind = PV_NUMBER;
			sp.is_int = is_int;
			sp.integer = ll;
			sp.number = d;
		} else {
			sp.kind = PV_TEXT;
			sp.text = S->pat.text.buf;
			sp.len = S->pat.text.len;
		}
	}
	if (f && op == C_EQ && !(S->neg & 1) && !S->all_computed) {
		const char *key = context_key(field, strlen(field));

		if (key)
			pb_context_add(S->pb, key, S->pat.text.buf, S->pat.text.len);
	}
	id = pb_leaf(S->pb, &sp);
	free(field);
	return id;
}

static size_t search_conj(struct spl *S, const struct src *t, size_t *pos, int in_paren);
static size_t subpipeline(struct spl *S, const struct src *t, size_t b, size_t e, int fresh);

static size_t search_in_list(struct spl *S, const struct src *t, size_t *pos, const struct tok *f)
{
	struct tok k;
	size_t root = NONE;

	slex(S, t, pos, &k);
	if (k.k != T_LP) {
		syntax(S, RC_SYNTAX, "'IN' must be followed by '('");
		return NONE;
	}
	for (;;) {
		slex(S, t, pos, &k);
		if (k.k == T_RP)
			break;
		if (k.k == T_COMMA)
			continue;
		if (k.k != T_WORD && k.k != T_STR) {
			if (!S->failed)
				syntax(S, RC_SYNTAX, "an 'IN' list without its ')'");
			return NONE;
		}
		root = pb_or(S->pb, root, search_leaf(S, t, f, C_EQ, &k));
	}
	return root;
}

static size_t search_primary(struct spl *S, const struct src *t, size_t *pos)
{
	struct tok k, n, v;
	size_t x;

	slex(S, t, pos, &k);
	switch (k.k) {
	case T_LP:
		if (enter(S) < 0)
			return NONE;
		x = search_conj(S, t, pos, 1);
		S->depth--;
		if (S->failed)
			return NONE;
		slex(S, t, pos, &n);
		if (n.k != T_RP)
			syntax(S, RC_SYNTAX, "a '(' without its ')'");
		return x;
	case T_SUB: {
		/*
		 * Its results are not known here: the filter on them is a computed
		 * one (pseudo-field "[subsearch]", the subsearch as its value), and
		 * the subsearch's own filters are read as a pipeline of its own.
		 */
		struct pred_spec sp;

		pb_context_add(S->pb, "subsearch", t->q + k.s, k.e - k.s);
		pred_spec_init(&sp);
		sp.field = "[subsearch]";
		sp.no_raw_field = 1;
		sp.computed = 1;
		sp.kind = PV_TEXT;
		sp.text = t->q + k.s;
		sp.len = k.e - k.s;
		sp.line = S->line;
		x = pb_leaf(S->pb, &sp);
		return pb_and(S->pb, x, subpipeline(S, t, k.s + 1, k.e - 1, 1));
	}
	case T_WORD:
	case T_STR:
		speek(S, t, *pos, &n);
		if (n.k == T_OP) {
			slex(S, t, pos, &n);
			speek(S, t, *pos, &v);
			if (v.k == T_WORD || v.k == T_STR) {
				slex(S, t, pos, &v);
			} else {
				v.k = T_WORD;	/* f= with nothing after it: the empty value */
				v.s = v.e = n.e;
			}
			return search_leaf(S, t, &k, n.op, &v);
		}
		if (n.k == T_WORD && word_is(t->q + n.s, n.e - n.s, "IN")) {
			slex(S, t, pos, &n);
			return search_in_list(S, t, pos, &k);
		}
		return search_leaf(S, t, NULL, C_EQ, &k);
	case T_RP:
		syntax(S, RC_SYNTAX, "a ')' without its '('");
		return NONE;
	case T_COMMA:
		return NONE;	/* a stray comma between terms */
	default:
		return NONE;
	}
}

static size_t search_unary(struct spl *S, const struct src *t, size_t *pos)
{
	struct tok k;
	size_t x;

	speek(S, t, *pos, &k);
	if (k.k == T_WORD && word_is(t->q + k.s, k.e - k.s, "NOT")) {
		slex(S, t, pos, &k);
		if (enter(S) < 0)
			return NONE;
		S->neg++;
		x = search_unary(S, t, pos);
		S->neg--;
		S->depth--;
		return pb_not(S->pb, x);
	}
	return search_primary(S, t, pos);
}

/* OR binds tighter than AND in search syntax */
static size_t search_disj(struct spl *S, const struct src *t, size_t *pos)
{
	struct tok k;
	size_t x = search_unary(S, t, pos);

	while (!S->failed) {
		speek(S, t, *pos, &k);
		if (k.k != T_WORD || !word_is(t->q + k.s, k.e - k.s, "OR"))
			break;
		slex(S, t, pos, &k);
		x = pb_or(S->pb, x, search_unary(S, t, pos));
	}
	return x;
}

static size_t search_conj(struct spl *S, const struct src *t, size_t *pos, int in_paren)
{
	struct tok k;
	size_t x = NONE;

	while (!S->failed) {
		speek(S, t, *pos, &k);
		if (k.k == T_END || k.k == T_ERR)
			break;
		if (k.k == T_RP) {
			if (in_paren)
				break;
			slex(S, t, pos, &k);
			syntax(S, RC_SYNTAX, "a ')' without its '('");
			break;
		}
		if (k.k == T_WORD && word_is(t->q + k.s, k.e - k.s, "AND")) {
			slex(S, t, pos, &k);
			continue;
		}
		if (k.k == T_WORD && word_is(t->q + k.s, k.e - k.s, "OR")) {
			slex(S, t, pos, &k);
			continue;	/* OR with nothing before it */
		}
		x = pb_and(S->pb, x, search_disj(S, t, pos));
	}
	return x;
}

/* A whole search-syntax expression in t->q[start..t->end). */
static size_t search_expr(struct spl *S, const struct src *t, size_t start)
{
	size_t pos = start;

	return search_conj(S, t, &pos, 0);
}

/* ---- eval syntax (where) ---- */

enum en {
	E_OR, E_AND, E_NOT, E_CMP, E_IN, E_LIKE, E_CALL, E_FIELD, E_STR, E_NUM, E_OTHER
};

struct enode {
	enum en k;
	enum cmp op;
	size_t s, e;		/* its text */
	size_t a, b;		/* children; E_IN/E_CALL: kids in S-local vector */
	size_t kid0, nkids;
};

struct eval {
	struct spl *S;
	const struct src *t;
	size_t pos;
	struct enode *v;
	size_t n, alloc;
	size_t *kids;
	size_t nk, ak;
};

enum et { ET_END, ET_LP, ET_RP, ET_COMMA, ET_STR, ET_QF, ET_NUM, ET_NAME, ET_OP, ET_ERR };
enum eop { EO_EQ, EO_NE, EO_LT, EO_LE, EO_GT, EO_GE, EO_ARITH, EO_NOT };

struct etok {
	enum et k;
	enum eop op;
	size_t s, e;
};

static void elex(struct eval *E, size_t *pos, struct etok *k)
{
	const struct src *t = E->t;
	const char *q = t->q;
	size_t i = skip_sp(t, *pos);

	k->s = i;
	if (i >= t->end) {
		k->k = ET_END;
		k->e = *pos = i;
		return;
	}
	switch (q[i]) {
	case '(': k->k = ET_LP; k->e = *pos = i + 1; return;
	case ')': k->k = ET_RP; k->e = *pos = i + 1; return;
	case ',': k->k = ET_COMMA; k->e = *pos = i + 1; return;
	case '"': {
		size_t j = str_end(t, i);

		if (!j) {
			syntax(E->S, RC_SYNTAX, "a '\"' without its closing quote");
			k->k = ET_ERR;
			k->e = *pos = t->end;
			return;
		}
		k->k = ET_STR;
		k->e = *pos = j;
		return;
	}
	case '\'': {
		size_t j;

		for (j = i + 1; j < t->end && q[j] != '\''; j++)
			;
		if (j >= t->end) {
			syntax(E->S, RC_SYNTAX, "a \"'\" without its closing quote");
			k->k = ET_ERR;
			k->e = *pos = t->end;
			return;
		}
		k->k = ET_QF;
		k->e = *pos = j + 1;
		return;
	}
	case '=':
		k->k = ET_OP;
		k->op = EO_EQ;
		k->e = *pos = i + (i + 1 < t->end && q[i + 1] == '=' ? 2 : 1);
		return;
	case '!':
		k->k = ET_OP;
		if (i + 1 < t->end && q[i + 1] == '=') {
			k->op = EO_NE;
			k->e = *pos = i + 2;
		} else {
			k->op = EO_NOT;
			k->e = *pos = i + 1;
		}
		return;
	case '<': case '>':
		k->k = ET_OP;
		k->op = q[i] == '<' ? EO_LT : EO_GT;
		if (i + 1 < t->end && q[i + 1] == '=') {
			k->op = q[i] == '<' ? EO_LE : EO_GE;
			i++;
		} else if (q[i] == '<' && i + 1 < t->end && q[i + 1] == '>') {
			k->op = EO_NE;
			i++;
		}
		k->e = *pos = i + 1;
		return;
	case '+': case '-': case '*': case '/': case '%': case '.':
		if (q[i] == '.' && i + 1 < t->end && isdigit((unsigned char)q[i + 1]))
			break;
		k->k = ET_OP;
		k->op = EO_ARITH;
		k->e = *pos = i + 1;
		return;
	}
	if (isdigit((unsigned char)q[i]) || q[i] == '.') {
		size_t j = i;

		while (j < t->end && (isalnum((unsigned char)q[j]) || q[j] == '.'))
			j++;
		k->k = ET_NUM;
		k->e = *pos = j;
		return;
	}
	if (isalpha((unsigned char)q[i]) || q[i] == '_' || q[i] == '@' || q[i] == '$' || (unsigned char)q[i] >= 0x80) {
		size_t j = i;

		while (j < t->end && (isalnum((unsigned char)q[j]) || q[j] == '_' || q[j] == '.' ||
				      q[j] == '@' || q[j] == '$' || q[j] == ':' || q[j] == '{' || q[j] == '}' ||
				      (unsigned char)q[j] >= 0x80))
			j++;
		while (j > i + 1 && q[j - 1] == '.')
			j--;
		k->k = ET_NAME;
		k->e = *pos = j;
		return;
	}
	syntax(E->S, RC_SYNTAX, "unexpected '%c' in an eval expression", q[i]);
	k->k = ET_ERR;
	k->e = *pos = t->end;
}

static void epeek(struct eval *E, struct etok *k)
{
	size_t p = E->pos;

	elex(E, &p, k);
}

static size_t enew(struct eval *E, enum en k, size_t s, size_t e)
{
	if (E->n == E->alloc) {
		E->alloc = E->alloc ? 2 * E->alloc : 32;
		E->v = xrealloc(E->v, E->alloc * sizeof(*E->v));
	}
	memset(&E->v[E->n], 0, sizeof(E->v[E->n]));
	E->v[E->n].k = k;
	E->v[E->n].s = s;
	E->v[E->n].e = e;
	E->v[E->n].a = E->v[E->n].b = NONE;
	return E->n++;
}

/* eval's keywords are read in any case (where not a=1 and b=2) */
static int ename_is(struct eval *E, const struct etok *k, const char *w)
{
	return k->k == ET_NAME && word_is_ci(E->t->q + k->s, k->e - k->s, w);
}

static size_t e_or(struct eval *E);

/* args of a call or an IN list, after its '(' up to its ')': kids of node x */
static void e_args(struct eval *E, size_t x)
{
	size_t tmp[64], n = 0, i;
	struct etok k;

	epeek(E, &k);
	if (k.k == ET_RP) {
		elex(E, &E->pos, &k);
	} else {
		while (!E->S->failed) {
			size_t a = e_or(E);

			if (E->S->failed)
				return;
			if (n < 64)
				tmp[n++] = a;
			elex(E, &E->pos, &k);
			if (k.k == ET_RP)
				break;
			if (k.k != ET_COMMA) {
				syntax(E->S, RC_SYNTAX, "a function call without its ')'");
				return;
			}
		}
	}
	if (E->nk + n > E->ak) {
		E->ak = (E->nk + n) * 2 + 16;
		E->kids = xrealloc(E->kids, E->ak * sizeof(size_t));
	}
	E->v[x].kid0 = E->nk;
	E->v[x].nkids = n;
	for (i = 0; i < n; i++)
		E->kids[E->nk++] = tmp[i];
}

static size_t e_prim(struct eval *E)
{
	struct etok k, n;
	size_t x;

	elex(E, &E->pos, &k);
	switch (k.k) {
	case ET_LP:
		if (enter(E->S) < 0)
			return NONE;
		x = e_or(E);
		E->S->depth--;
		elex(E, &E->pos, &n);
		if (n.k != ET_RP && !E->S->failed)
			syntax(E->S, RC_SYNTAX, "a '(' without its ')'");
		return x;
	case ET_STR:
		return enew(E, E_STR, k.s, k.e);
	case ET_NUM:
		return enew(E, E_NUM, k.s, k.e);
	case ET_QF:
		return enew(E, E_FIELD, k.s, k.e);
	case ET_NAME:
		epeek(E, &n);
		if (n.k == ET_LP) {
			elex(E, &E->pos, &n);
			if (enter(E->S) < 0)
				return NONE;
			x = enew(E, E_CALL, k.s, k.e);
			e_args(E, x);
			E->S->depth--;
			E->v[x].e = E->pos;
			return x;
		}
		return enew(E, E_FIELD, k.s, k.e);
	case ET_OP:
		if (k.op == EO_ARITH && E->t->q[k.s] == '-') {
			x = e_prim(E);
			if (x == NONE)
				return NONE;
			return enew(E, E_OTHER, k.s, E->v[x].e);
		}
		/* fall through */
	default:
		if (!E->S->failed)
			syntax(E->S, RC_SYNTAX, "an eval expression expected");
		return NONE;
	}
}

static size_t e_arith(struct eval *E)
{
	size_t x = e_prim(E), s;
	struct etok k;

	if (x == NONE)
		return NONE;
	s = E->v[x].s;
	while (!E->S->failed) {
		epeek(E, &k);
		if (k.k != ET_OP || k.op != EO_ARITH)
			break;
		elex(E, &E->pos, &k);
		if (e_prim(E) == NONE)
			return NONE;
		x = enew(E, E_OTHER, s, E->pos);
	}
	return x;
}

static size_t e_cmp(struct eval *E)
{
	size_t a = e_arith(E), x;
	struct etok k;

	if (a == NONE)
		return NONE;
	epeek(E, &k);
	if (k.k == ET_OP && k.op <= EO_GE) {
		elex(E, &E->pos, &k);
		x = enew(E, E_CMP, E->v[a].s, 0);
		E->v[x].op = (enum cmp)k.op;	/* EO_EQ..EO_GE match C_EQ..C_GE */
		E->v[x].a = a;
		E->v[x].b = e_arith(E);
		E->v[x].e = E->pos;
		return E->v[x].b == NONE ? NONE : x;
	}
	if (ename_is(E, &k, "LIKE")) {
		elex(E, &E->pos, &k);
		x = enew(E, E_LIKE, E->v[a].s, 0);
		E->v[x].a = a;
		E->v[x].b = e_arith(E);
		E->v[x].e = E->pos;
		return E->v[x].b == NONE ? NONE : x;
	}
	if (ename_is(E, &k, "IN")) {
		elex(E, &E->pos, &k);
		elex(E, &E->pos, &k);
		if (k.k != ET_LP) {
			syntax(E->S, RC_SYNTAX, "'IN' must be followed by '('");
			return NONE;
		}
		x = enew(E, E_IN, E->v[a].s, 0);
		E->v[x].a = a;
		e_args(E, x);
		E->v[x].e = E->pos;
		return x;
	}
	return a;
}

static size_t e_not(struct eval *E)
{
	struct etok k;
	size_t x, y;

	epeek(E, &k);
	if (ename_is(E, &k, "NOT") || (k.k == ET_OP && k.op == EO_NOT)) {
		elex(E, &E->pos, &k);
		if (enter(E->S) < 0)
			return NONE;
		y = e_not(E);
		E->S->depth--;
		if (y == NONE)
			return NONE;
		x = enew(E, E_NOT, k.s, E->pos);
		E->v[x].a = y;
		return x;
	}
	return e_cmp(E);
}

static size_t e_bin(struct eval *E, enum en kind, const char *word, size_t (*sub)(struct eval *))
{
	size_t x = sub(E), y, z;
	struct etok k;

	while (x != NONE && !E->S->failed) {
		epeek(E, &k);
		if (!ename_is(E, &k, word) && !(kind == E_OR && ename_is(E, &k, "XOR")))
			break;
		elex(E, &E->pos, &k);
		y = sub(E);
		if (y == NONE)
			return NONE;
		z = enew(E, kind, E->v[x].s, E->pos);
		E->v[z].a = x;
		E->v[z].b = y;
		x = z;
	}
	return x;
}

static size_t e_and(struct eval *E)
{
	return e_bin(E, E_AND, "AND", e_not);
}

static size_t e_or(struct eval *E)
{
	return e_bin(E, E_OR, "OR", e_and);
}

/* ---- eval syntax into predicates ---- */

static const struct enode *en(const struct eval *E, size_t x)
{
	return &E->v[x];
}

static size_t kid(const struct eval *E, size_t x, size_t i)
{
	return E->kids[E->v[x].kid0 + i];
}

/* the name of call x */
static int call_name(const struct eval *E, size_t x, const char *name)
{
	const struct enode *n = en(E, x);
	const char *s = E->t->q + n->s;
	size_t l = 0;

	while (n->s + l < n->e && s[l] != '(')
		l++;
	while (l && is_sp(s[l - 1]))
		l--;	/* LIKE (f, "%x%") */
	return n->k == E_CALL && word_is_ci(s, l, name);
}

/*
 * x names a field: the field's text into buf (single quotes off) and 1; 2 for
 * lower()/upper() around one (compared ignoring case); 0 otherwise.
 */
static int fieldish(const struct eval *E, size_t x, struct strbuf *buf)
{
	const struct enode *n = en(E, x);

	if (n->k == E_FIELD) {
		const char *s = E->t->q + n->s;
		size_t l = n->e - n->s;

		if (s[0] == '\'') {
			s++;
			l -= 2;
		}
		if (word_is(s, l, "true") || word_is(s, l, "false") || word_is(s, l, "null"))
			return 0;
		strbuf_reset(buf);
		strbuf_add(buf, s, l);
		return 1;
	}
	if ((call_name(E, x, "lower") || call_name(E, x, "upper")) && n->nkids == 1 &&
	    fieldish(E, kid(E, x, 0), buf) == 1)
		return 2;
	return 0;
}

/* x is a literal: its text (a string decoded: \" and \\ resolved) into buf */
static int literal(const struct eval *E, size_t x, struct strbuf *buf, int *is_num)
{
	const struct enode *n = en(E, x);
	const char *s = E->t->q + n->s;
	size_t l = n->e - n->s, i;

	*is_num = 0;
	strbuf_reset(buf);
	if (n->k == E_NUM) {
		*is_num = 1;
		strbuf_add(buf, s, l);
		return 1;
	}
	if (n->k != E_STR)
		return 0;
	for (i = 1; i + 1 < l; i++) {
		if (s[i] == '\\' && i + 2 < l && (s[i + 1] == '"' || s[i + 1] == '\\'))
			i++;
		strbuf_addch(buf, s[i]);
	}
	return 1;
}

static void spec_base(struct spl *S, struct pred_spec *sp, const char *field)
{
	pred_spec_init(sp);
	sp->field = field;
	sp->line = S->line;
	sp->computed = S->all_computed;
}

/* A filter on what x computes: a computed predicate named by x's text. */
static size_t computed_leaf(struct eval *E, size_t x, enum pred_op op, const char *val, size_t vlen)
{
	struct pred_spec sp;
	char *name = xstrndup(E->t->q + en(E, x)->s, en(E, x)->e - en(E, x)->s);
	size_t id;

	spec_base(E->S, &sp, name);
	sp.computed = 1;
	sp.no_raw_field = 1;	/* a pseudo-field: the expression's text */
	sp.op = op;
	if (op != PRED_EXISTS) {
		sp.kind = PV_TEXT;
		sp.text = val;
		sp.len = vlen;
	}
	id = pb_leaf(E->S->pb, &sp);
	free(name);
	return id;
}

static enum pred_op cmp_op(enum cmp c)
{
	switch (c) {
	case C_LT: return PRED_LT;
	case C_LE: return PRED_LTE;
	case C_GT: return PRED_GT;
	case C_GE: return PRED_GTE;
	default: return PRED_EQ;
	}
}

static enum cmp mirror(enum cmp c)
{
	switch (c) {
	case C_LT: return C_GT;
	case C_LE: return C_GE;
	case C_GT: return C_LT;
	case C_GE: return C_LE;
	default: return c;
	}
}

/* field (buf a) compared to the literal in buf b */
static size_t value_leaf(struct eval *E, int ci, enum cmp op, int is_num, const char *raw, size_t rawn)
{
	struct spl *S = E->S;
	struct pred_spec sp;
	int is_int = 0;
	long long ll = 0;
	double d = 0;

	spec_base(S, &sp, S->a.buf);
	sp.ci = ci == 2;
	sp.op = cmp_op(op);
	sp.negated = op == C_NE;
	sp.raw_value = raw;
	sp.raw_value_len = rawn;
	if ((is_num || op > C_NE) && parse_number(S->b.buf, S->b.len, &is_int, &ll, &d) &&
	    op > C_NE) {
		sp.kind = PV_NUMBER;
		sp.is_int = is_int;
		sp.integer = ll;
		sp.number = d;
	} else {
		sp.kind = PV_TEXT;
		sp.text = S->b.buf;
		sp.len = S->b.len;
	}
	if (op == C_EQ && !(S->neg & 1) && !S->all_computed) {
		const char *key = context_key(S->a.buf, S->a.len);

		if (key)
			pb_context_add(S->pb, key, S->b.buf, S->b.len);
	}
	return pb_leaf(S->pb, &sp);
}

static size_t lower_eval(struct eval *E, size_t x);

static size_t lower_cmp(struct eval *E, size_t x)
{
	struct spl *S = E->S;
	const struct enode *n = en(E, x);
	size_t fa = n->a, fb = n->b;
	enum cmp op = n->op;
	int ci, is_num;

	if (!fieldish(E, fa, &S->a) && fieldish(E, fb, &S->a)) {
		size_t t = fa;

		fa = fb;
		fb = t;
		op = mirror(op);
	}
	ci = fieldish(E, fa, &S->a);
	if (ci && literal(E, fb, &S->b, &is_num))
		return value_leaf(E, ci, op, is_num, E->t->q + en(E, fb)->s, en(E, fb)->e - en(E, fb)->s);
	if (ci && (op == C_EQ || op == C_NE) && en(E, fb)->k == E_CALL && call_name(E, fb, "null")) {
		struct pred_spec sp;
		size_t id;

		spec_base(S, &sp, S->a.buf);
		sp.op = PRED_EXISTS;
		id = pb_leaf(S->pb, &sp);
		return op == C_EQ ? pb_not(S->pb, id) : id;
	}
	if (ci == 1 && (op == C_EQ || op == C_NE)) {
		struct strbuf other = STRBUF_INIT;
		struct pred_spec sp;
		size_t id = NONE;

		strbuf_init(&other, 32);
		if (fieldish(E, fb, &other) == 1) {
			spec_base(S, &sp, S->a.buf);
			sp.kind = PV_FIELD;
			sp.text = other.buf;
			sp.len = other.len;
			sp.negated = op == C_NE;
			id = pb_leaf(S->pb, &sp);
		}
		strbuf_release(&other);
		if (id != NONE)
			return id;
	}
	/* anything else: a filter on a value the query computes */
	{
		size_t lit = literal(E, fb, &S->b, &is_num) ? fb : NONE;
		struct pred_spec sp;
		char *name = xstrndup(E->t->q + n->s, n->e - n->s);
		size_t id;

		(void)lit;
		spec_base(S, &sp, name);
		sp.computed = 1;
		sp.no_raw_field = 1;	/* a pseudo-field: the expression's text */
		sp.op = PRED_EQ;
		sp.kind = PV_TEXT;
		sp.text = "true";
		sp.len = 4;
		id = pb_leaf(S->pb, &sp);
		free(name);
		return id;
	}
}

/* like(): % any run, _ one character */
static size_t like_leaf(struct eval *E, size_t f, size_t p)
{
	struct spl *S = E->S;
	struct pred_spec sp;
	int ci = fieldish(E, f, &S->a), is_num;
	size_t i;

	if (!ci || !literal(E, p, &S->b, &is_num))
		return computed_leaf(E, f, PRED_EXISTS, NULL, 0);
	pattern_reset(&S->pat);
	for (i = 0; i < S->b.len; i++) {
		char c = S->b.buf[i];

		if (c == '%')
			pattern_add_wild(&S->pat, PAT_STAR);
		else if (c == '_')
			pattern_add_wild(&S->pat, PAT_ONE);
		else if (c == '\\' && i + 1 < S->b.len && (S->b.buf[i + 1] == '%' || S->b.buf[i + 1] == '_'))
			pattern_add_lit(&S->pat, &S->b.buf[++i], 1);
		else
			pattern_add_lit(&S->pat, &c, 1);
	}
	spec_base(S, &sp, S->a.buf);
	sp.ci = ci == 2;
	sp.kind = PV_PATTERN;
	sp.pat = &S->pat;
	sp.raw_value = E->t->q + en(E, p)->s;
	sp.raw_value_len = en(E, p)->e - en(E, p)->s;
	return pb_leaf(S->pb, &sp);
}

static size_t spl_searchmatch(struct spl *S, const char *s, size_t n);

static size_t lower_call(struct eval *E, size_t x)
{
	struct spl *S = E->S;
	const struct enode *n = en(E, x);
	struct pred_spec sp;
	int ci, is_num;
	size_t i, root = NONE;

	if (call_name(E, x, "like") && n->nkids == 2)
		return like_leaf(E, kid(E, x, 0), kid(E, x, 1));
	if ((call_name(E, x, "match") || call_name(E, x, "regex")) && n->nkids == 2 &&
	    (ci = fieldish(E, kid(E, x, 0), &S->a)) && literal(E, kid(E, x, 1), &S->b, &is_num)) {
		spec_base(S, &sp, S->a.buf);
		sp.op = PRED_REGEX;
		sp.kind = PV_TEXT;
		sp.text = S->b.buf;
		sp.len = S->b.len;
		sp.ci = ci == 2;
		return pb_leaf(S->pb, &sp);
	}
	if ((call_name(E, x, "isnull") || call_name(E, x, "isnotnull")) && n->nkids == 1 &&
	    fieldish(E, kid(E, x, 0), &S->a)) {
		size_t id;

		spec_base(S, &sp, S->a.buf);
		sp.op = PRED_EXISTS;
		id = pb_leaf(S->pb, &sp);
		return call_name(E, x, "isnull") ? pb_not(S->pb, id) : id;
	}
	if (call_name(E, x, "cidrmatch") && n->nkids == 2 && fieldish(E, kid(E, x, 1), &S->a) &&
	    literal(E, kid(E, x, 0), &S->b, &is_num)) {
		spec_base(S, &sp, S->a.buf);
		sp.op = PRED_CIDR;
		sp.kind = PV_TEXT;
		sp.text = S->b.buf;
		sp.len = S->b.len;
		return pb_leaf(S->pb, &sp);
	}
	if (call_name(E, x, "searchmatch") && n->nkids == 1 && literal(E, kid(E, x, 0), &S->b, &is_num)) {
		char *text = xstrndup(S->b.buf, S->b.len);
		size_t r = spl_searchmatch(S, text, S->b.len);

		free(text);
		return r;
	}
	if (call_name(E, x, "in") && n->nkids >= 2 && (ci = fieldish(E, kid(E, x, 0), &S->a))) {
		for (i = 1; i < n->nkids; i++) {
			size_t k = kid(E, x, i);

			fieldish(E, kid(E, x, 0), &S->a);
			if (!literal(E, k, &S->b, &is_num))
				return computed_leaf(E, x, PRED_EQ, "true", 4);
			root = pb_or(S->pb, root, value_leaf(E, ci, C_EQ, is_num, E->t->q + en(E, k)->s,
							     en(E, k)->e - en(E, k)->s));
		}
		return root;
	}
	if ((call_name(E, x, "true")) && n->nkids == 0)
		return NONE;
	return computed_leaf(E, x, PRED_EQ, "true", 4);
}

static size_t lower_eval(struct eval *E, size_t x)
{
	struct spl *S = E->S;
	const struct enode *n;
	size_t r, i;
	int ci, is_num;

	if (x == NONE)
		return NONE;
	n = en(E, x);
	switch (n->k) {
	case E_AND:
		return pb_and(S->pb, lower_eval(E, n->a), lower_eval(E, n->b));
	case E_OR:
		return pb_or(S->pb, lower_eval(E, n->a), lower_eval(E, n->b));
	case E_NOT:
		S->neg++;
		r = pb_not(S->pb, lower_eval(E, n->a));
		S->neg--;
		return r;
	case E_CMP:
		return lower_cmp(E, x);
	case E_LIKE:
		return like_leaf(E, n->a, n->b);
	case E_IN:
		ci = fieldish(E, n->a, &S->a);
		if (!ci)
			return computed_leaf(E, x, PRED_EQ, "true", 4);
		r = NONE;
		for (i = 0; i < n->nkids; i++) {
			size_t k = kid(E, x, i);

			fieldish(E, n->a, &S->a);
			if (!literal(E, k, &S->b, &is_num))
				return computed_leaf(E, x, PRED_EQ, "true", 4);
			r = pb_or(S->pb, r, value_leaf(E, ci, C_EQ, is_num, E->t->q + en(E, k)->s,
						       en(E, k)->e - en(E, k)->s));
		}
		return r;
	case E_CALL:
		return lower_call(E, x);
	case E_FIELD:
		if (fieldish(E, x, &S->a))
			return computed_leaf(E, x, PRED_EQ, "true", 4);
		return NONE;	/* true, false */
	default:
		return computed_leaf(E, x, PRED_EQ, "true", 4);
	}
}

/* A where expression in t->q[start..t->end): its tree. */
static size_t eval_expr(struct spl *S, const struct src *t, size_t start)
{
	struct eval E;
	struct etok k;
	size_t x, r = NONE;

	memset(&E, 0, sizeof(E));
	E.S = S;
	E.t = t;
	E.pos = start;
	x = e_or(&E);
	if (!S->failed) {
		elex(&E, &E.pos, &k);
		if (k.k != ET_END)
			syntax(S, RC_SYNTAX, k.k == ET_RP ? "a ')' without its '('" :
			       "an eval expression goes on past its end");
	}
	if (!S->failed)
		r = lower_eval(&E, x);
	free(E.v);
	free(E.kids);
	return r;
}

static size_t spl_searchmatch(struct spl *S, const char *s, size_t n)
{
	struct src t = { s, n };

	if (enter(S) < 0)
		return NONE;
	n = search_expr(S, &t, 0);
	S->depth--;
	return n;
}

/* ---- commands ---- */

/* Words of a command's arguments: split at spaces and commas, "..." and (...) kept whole. */
struct words {
	size_t n, alloc;
	size_t *s, *e;
};

static void words_split(const struct src *t, size_t i, struct words *w)
{
	const char *q = t->q;

	w->n = 0;
	for (;;) {
		size_t b;
		int depth = 0;

		while (i < t->end && (is_sp(q[i]) || q[i] == ','))
			i++;
		if (i >= t->end)
			return;
		b = i;
		while (i < t->end && ((!is_sp(q[i]) && q[i] != ',') || depth)) {
			if (q[i] == '\\' && i + 1 < t->end) {
				i += 2;
				continue;
			}
			if (q[i] == '"') {
				size_t j = str_end(t, i);

				i = j ? j : t->end;
				continue;
			}
			if (q[i] == '(')
				depth++;
			else if (q[i] == ')' && depth)
				depth--;
			i++;
		}
		if (w->n == w->alloc) {
			w->alloc = w->alloc ? 2 * w->alloc : 16;
			w->s = xrealloc(w->s, w->alloc * sizeof(size_t));
			w->e = xrealloc(w->e, w->alloc * sizeof(size_t));
		}
		w->s[w->n] = b;
		w->e[w->n++] = i;
	}
}

static void words_release(struct words *w)
{
	free(w->s);
	free(w->e);
}

static void computed_word(struct spl *S, const char *s, size_t n)
{
	if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0]) {
		s++;
		n -= 2;
	}
	if (n)
		pb_computed(S->pb, s, n);
}

/*
 * Aggregations (stats, tstats, top...): `f(x) as y` makes y, `count` and
 * `f(x)` make themselves; options (k=v) make nothing. Stops at `by`; returns
 * the index of the word after it, or w->n.
 */
static size_t aggregations(struct spl *S, const struct src *t, const struct words *w, size_t from,
			   const char *stop)
{
	size_t i;

	for (i = from; i < w->n; i++) {
		const char *s = t->q + w->s[i];
		size_t n = w->e[i] - w->s[i];

		if (word_is_ci(s, n, "by") || (stop && word_is_ci(s, n, stop)))
			return i;
		if (word_is_ci(s, n, "as")) {
			if (i + 1 < w->n)
				computed_word(S, t->q + w->s[i + 1], w->e[i + 1] - w->s[i + 1]);
			i++;
			continue;
		}
		if (memchr(s, '=', n) && !memchr(s, '(', n))
			continue;	/* an option */
		if (i + 1 < w->n && word_is_ci(t->q + w->s[i + 1], w->e[i + 1] - w->s[i + 1], "as"))
			continue;
		computed_word(S, s, n);
	}
	return i;
}

/* `by a, b as c`: renamed keys are computed */
static void by_clause(struct spl *S, const struct src *t, const struct words *w, size_t i)
{
	for (; i < w->n; i++)
		if (word_is_ci(t->q + w->s[i], w->e[i] - w->s[i], "as") && i + 1 < w->n) {
			computed_word(S, t->q + w->s[i + 1], w->e[i + 1] - w->s[i + 1]);
			i++;
		}
}

#define SPL_MAX_SCOPE 40

/* A scope of the rule's own pairs and n more (a scope replaces the rule's for the fields made in it). */
static void scope_push(struct spl *S, size_t n, const char *const *keys, const char *const *vals,
		       unsigned flags)
{
	const char *k[SPL_MAX_SCOPE], *v[SPL_MAX_SCOPE];
	size_t m = 0, i;

	for (i = 0; i < S->nscope && m < SPL_MAX_SCOPE; i++, m++) {
		k[m] = S->skeys[i];
		v[m] = S->svals[i];
	}
	for (i = 0; i < n && m < SPL_MAX_SCOPE; i++, m++) {
		k[m] = keys[i];
		v[m] = vals[i];
	}
	pb_scope_push(S->pb, m, k, v, flags);
	S->scopes++;
}

/* Open the scope of a data model "Root[.Dataset]" named by s[0..n). */
static void datamodel_scope(struct spl *S, const char *s, size_t n)
{
	static const char *const keys[] = { "datamodel", "dataset" };
	const char *vals[2];
	char *root, *dot;

	while (n && (s[0] == '"' || s[0] == '\'')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == '"' || s[n - 1] == '\''))
		n--;
	if (!n)
		return;
	root = xstrndup(s, n);
	dot = strchr(root, '.');
	if (dot)
		*dot++ = 0;
	vals[0] = root;
	vals[1] = dot && *dot ? dot : NULL;
	scope_push(S, 2, keys, vals, 0);
	free(root);
}

/* the position of a top-level word w (case-insensitive) in t from i, or t->end */
static size_t find_word(const struct src *t, size_t i, const char *w)
{
	size_t wl = strlen(w);
	int depth = 0;

	while (i < t->end) {
		char c = t->q[i];

		if (c == '\\' && i + 1 < t->end) {
			i += 2;
			continue;
		}
		if (c == '"') {
			size_t j = str_end(t, i);

			i = j ? j : t->end;
			continue;
		}
		if (c == '[') {
			size_t j = sub_end(t, i);

			i = j ? j : t->end;
			continue;
		}
		if (c == '(')
			depth++;
		else if (c == ')' && depth)
			depth--;
		if (!depth && (i == 0 || is_sp(t->q[i - 1])) && i + wl <= t->end &&
		    !strncasecmp(t->q + i, w, wl) && (i + wl == t->end || is_sp(t->q[i + wl])))
			return i;
		i++;
	}
	return t->end;
}

static size_t pipeline(struct spl *S, const struct src *t, size_t start, int first_is_search);

/* tstats and mstats: aggregations, from datamodel=..., where <search>, by ... */
static size_t cmd_tstats(struct spl *S, const struct src *t, size_t i)
{
	size_t from = find_word(t, i, "from"), where = find_word(t, i, "where");
	size_t by, head_end, root = NONE;
	struct src head, tail;
	struct words w = { 0, 0, NULL, NULL };

	if (where < from)
		from = t->end;
	head_end = from < where ? from : where;
	head.q = t->q;
	head.end = head_end;
	words_split(&head, i, &w);
	if (from < t->end) {
		size_t j = skip_sp(t, from + 4), k;

		if (t->end - j > 9 && !strncasecmp(t->q + j, "datamodel", 9)) {
			j += 9;
			while (j < t->end && (is_sp(t->q[j]) || t->q[j] == '=' || t->q[j] == ':'))
				j++;
			for (k = j; k < t->end && !is_sp(t->q[k]); k++)
				;
			datamodel_scope(S, t->q + j, k - j);
		}
	}
	aggregations(S, t, &w, 0, NULL);
	if (where < t->end) {
		by = find_word(t, where + 5, "by");
		tail.q = t->q;
		tail.end = by;
		root = search_expr(S, &tail, where + 5);
		tail.end = t->end;
		if (by < t->end) {
			words_split(&tail, by + 2, &w);
			by_clause(S, &tail, &w, 0);
		}
	} else {
		by = find_word(t, head_end, "by");
		if (by < t->end) {
			tail.q = t->q;
			tail.end = t->end;
			words_split(&tail, by + 2, &w);
			by_clause(S, &tail, &w, 0);
		}
	}
	words_release(&w);
	return root;
}

static void cmd_eval(struct spl *S, const struct src *t, size_t i)
{
	const char *q = t->q;
	int depth = 0;
	size_t b = skip_sp(t, i);

	/* name = expr, name = expr: the names before each top-level '=' after a comma */
	while (b < t->end) {
		size_t j = b;

		while (j < t->end && q[j] != '=' && q[j] != ',')
			j++;
		if (j < t->end && q[j] == '=') {
			const char *s = q + b;
			size_t n = j - b;

			while (n && is_sp(s[n - 1]))
				n--;
			computed_word(S, s, n);
		}
		/* skip the expression to the next top-level comma */
		for (; j < t->end; j++) {
			if (q[j] == '"') {
				size_t e = str_end(t, j);

				if (!e) {
					syntax(S, RC_SYNTAX, "a '\"' without its closing quote");
					return;
				}
				j = e - 1;
			} else if (q[j] == '(') {
				depth++;
			} else if (q[j] == ')' && depth) {
				depth--;
			} else if (q[j] == ',' && !depth) {
				break;
			}
		}
		b = skip_sp(t, j + 1);
	}
}

static void cmd_rename(struct spl *S, const struct src *t, size_t i)
{
	struct words w = { 0, 0, NULL, NULL };
	size_t k;

	words_split(t, i, &w);
	for (k = 0; k + 2 < w.n; k++) {
		const char *a = t->q + w.s[k], *b = t->q + w.s[k + 2];
		size_t an = w.e[k] - w.s[k], bn = w.e[k + 2] - w.s[k + 2];

		if (!word_is_ci(t->q + w.s[k + 1], w.e[k + 1] - w.s[k + 1], "as"))
			continue;
		/* X.* AS *: the data model's prefix off, the fields stay what they are */
		if (!(an > 2 && a[an - 1] == '*' && a[an - 2] == '.' && bn == 1 && b[0] == '*'))
			computed_word(S, b, bn);
		k += 2;
	}
	words_release(&w);
}

static void cmd_rex(struct spl *S, const struct src *t, size_t i)
{
	struct words w = { 0, 0, NULL, NULL };
	size_t k, j;
	int sed = 0;
	const char *field = NULL;
	size_t fn = 0;

	words_split(t, i, &w);
	for (k = 0; k < w.n; k++) {
		const char *s = t->q + w.s[k];
		size_t n = w.e[k] - w.s[k];

		if (n > 6 && !strncasecmp(s, "field=", 6)) {
			field = s + 6;
			fn = n - 6;
		} else if (n >= 8 && !strncasecmp(s, "mode=sed", 8)) {
			sed = 1;
		} else if (s[0] == '"') {
			for (j = 0; j + 3 < n; j++)
				if (s[j] == '(' && s[j + 1] == '?' && (s[j + 2] == '<' || (s[j + 2] == 'P' && s[j + 3] == '<'))) {
					size_t b = j + (s[j + 2] == 'P' ? 4 : 3), e = b;

					while (e < n && s[e] != '>')
						e++;
					if (e < n && e > b)
						pb_computed(S->pb, s + b, e - b);
				}
		}
	}
	if (sed)
		computed_word(S, field ? field : "_raw", field ? fn : 4);
	words_release(&w);
}

static void cmd_lookup(struct spl *S, const struct src *t, size_t i)
{
	struct words w = { 0, 0, NULL, NULL };
	size_t k;
	int out = 0;

	words_split(t, i, &w);
	for (k = 0; k < w.n; k++) {
		const char *s = t->q + w.s[k];
		size_t n = w.e[k] - w.s[k];

		if (word_is_ci(s, n, "output") || word_is_ci(s, n, "outputnew")) {
			out = 1;
			continue;
		}
		if (!out)
			continue;
		if (k + 2 < w.n && word_is_ci(t->q + w.s[k + 1], w.e[k + 1] - w.s[k + 1], "as")) {
			computed_word(S, t->q + w.s[k + 2], w.e[k + 2] - w.s[k + 2]);
			k += 2;
			continue;
		}
		computed_word(S, s, n);
	}
	words_release(&w);
}

static void cmd_iplocation(struct spl *S, const struct src *t, size_t i)
{
	static const char *const made[] = { "City", "Country", "Region", "lat", "lon", "Continent",
					    "MetroCode", "Timezone", NULL };
	struct words w = { 0, 0, NULL, NULL };
	const char *prefix = "";
	size_t pn = 0, k;
	char buf[128];

	words_split(t, i, &w);
	for (k = 0; k < w.n; k++)
		if (w.e[k] - w.s[k] > 7 && !strncasecmp(t->q + w.s[k], "prefix=", 7)) {
			prefix = t->q + w.s[k] + 7;
			pn = w.e[k] - w.s[k] - 7;
			if (pn > 64)
				pn = 64;
		}
	for (k = 0; made[k]; k++) {
		int n = snprintf(buf, sizeof(buf), "%.*s%s", (int)pn, prefix, made[k]);

		pb_computed(S->pb, buf, (size_t)n);
	}
	words_release(&w);
}

/* convert ctime(x) [as y]; also spath output=x, transaction's and addtotals' columns */
static void cmd_convert(struct spl *S, const struct src *t, size_t i)
{
	struct words w = { 0, 0, NULL, NULL };
	size_t k;

	words_split(t, i, &w);
	for (k = 0; k < w.n; k++) {
		const char *s = t->q + w.s[k], *p;
		size_t n = w.e[k] - w.s[k];

		if (memchr(s, '=', n))
			continue;
		if (k + 2 < w.n && word_is_ci(t->q + w.s[k + 1], w.e[k + 1] - w.s[k + 1], "as")) {
			computed_word(S, t->q + w.s[k + 2], w.e[k + 2] - w.s[k + 2]);
			k += 2;
			continue;
		}
		p = memchr(s, '(', n);
		if (p && s[n - 1] == ')')
			computed_word(S, p + 1, s + n - 1 - (p + 1));
	}
	words_release(&w);
}

static void cmd_option_output(struct spl *S, const struct src *t, size_t i, const char *opt,
			      const char *dflt)
{
	struct words w = { 0, 0, NULL, NULL };
	size_t k, ol = strlen(opt);
	int seen = 0;

	words_split(t, i, &w);
	for (k = 0; k < w.n; k++)
		if (w.e[k] - w.s[k] > ol && !strncasecmp(t->q + w.s[k], opt, ol)) {
			computed_word(S, t->q + w.s[k] + ol, w.e[k] - w.s[k] - ol);
			seen = 1;
		}
	if (!seen && dflt)
		pb_computed(S->pb, dflt, strlen(dflt));
	words_release(&w);
}

/* regex [field=|field!=]"re" */
static size_t cmd_regex(struct spl *S, const struct src *t, size_t i)
{
	struct pred_spec sp;
	size_t j = skip_sp(t, i), fb = j, fe, id;
	int neg = 0;
	char *field;

	while (j < t->end && t->q[j] != '=' && t->q[j] != '!' && t->q[j] != '"' && !is_sp(t->q[j]))
		j++;
	fe = j;
	if (j < t->end && t->q[j] == '!') {
		neg = 1;
		j++;
	}
	if (j < t->end && t->q[j] == '=')
		j++;
	else
		fe = fb;	/* no field: _raw */
	j = skip_sp(t, j);
	strbuf_reset(&S->b);
	if (j < t->end && t->q[j] == '"') {
		size_t e = str_end(t, j), k;

		if (!e) {
			syntax(S, RC_SYNTAX, "a '\"' without its closing quote");
			return NONE;
		}
		for (k = j + 1; k + 1 < e; k++) {
			if (t->q[k] == '\\' && k + 2 < e && (t->q[k + 1] == '"' || t->q[k + 1] == '\\'))
				k++;
			strbuf_addch(&S->b, t->q[k]);
		}
	} else {
		size_t e = j;

		while (e < t->end && !is_sp(t->q[e]))
			e++;
		strbuf_add(&S->b, t->q + j, e - j);
	}
	field = fe > fb ? xstrndup(t->q + fb, fe - fb) : xstrdup("_raw");
	spec_base(S, &sp, field);
	sp.op = PRED_REGEX;
	sp.kind = PV_TEXT;
	sp.text = S->b.buf;
	sp.len = S->b.len;
	sp.negated = neg;
	id = pb_leaf(S->pb, &sp);
	free(field);
	return id;
}

/*
 * t->q[b..e) (inside a subsearch's brackets, or a map's search string) read
 * as a pipeline of its own: fresh, the columns of the outer pipeline are not
 * seen in it (the other side of a join).
 */
static size_t subpipeline(struct spl *S, const struct src *t, size_t b, size_t e, int fresh)
{
	size_t saved = S->scopes, root;
	int all = S->all_computed;
	struct src sub = { t->q, e };

	if (enter(S) < 0)
		return NONE;
	S->scopes = 0;
	scope_push(S, 0, NULL, NULL, fresh ? PB_SCOPE_FRESH : 0);
	S->all_computed = 0;
	root = pipeline(S, &sub, b, 2);
	while (S->scopes) {
		pb_scope_pop(S->pb);
		S->scopes--;
	}
	S->scopes = saved;
	S->all_computed = all;
	S->depth--;
	return root;
}

/* join/append/appendpipe/...: the [subsearch] read as a pipeline of its own */
static size_t cmd_subsearch(struct spl *S, const struct src *t, size_t i, int fresh)
{
	size_t b = i;

	while (b < t->end && t->q[b] != '[') {
		if (t->q[b] == '"') {
			size_t e = str_end(t, b);

			if (!e)
				break;
			b = e;
			continue;
		}
		b++;
	}
	if (b < t->end) {
		size_t e = sub_end(t, b);

		if (!e) {
			syntax(S, RC_SYNTAX, "a '[' without its ']'");
			return NONE;
		}
		return subpipeline(S, t, b + 1, e - 1, fresh);
	}
	return NONE;
}

/* map search="...": the search it runs for each row, read as a pipeline of its own */
static size_t cmd_map(struct spl *S, const struct src *t, size_t i)
{
	size_t j = find_word(t, i, "search=");
	size_t k, e, root;
	struct strbuf text;
	struct src sub;

	if (j >= t->end) {
		/* map search="..." is one word: find it by its prefix */
		for (j = i; j + 8 < t->end; j++)
			if (!strncasecmp(t->q + j, "search=\"", 8))
				break;
		if (j + 8 >= t->end)
			return cmd_subsearch(S, t, i, 1);
	}
	j += 7;
	if (t->q[j] != '"')
		return NONE;
	e = str_end(t, j);
	if (!e) {
		syntax(S, RC_SYNTAX, "a '\"' without its closing quote");
		return NONE;
	}
	strbuf_init(&text, e - j);
	for (k = j + 1; k + 1 < e; k++) {
		if (t->q[k] == '\\' && k + 2 < e && (t->q[k + 1] == '"' || t->q[k + 1] == '\\'))
			k++;
		strbuf_addch(&text, t->q[k]);
	}
	/* a string is expanded when map runs it: its macros are expanded now */
	{
		struct splunk_expansion x;

		if (splunk_macros_expand(S->macros, text.buf, text.len, &x) < 0) {
			splunk_expansion_report(&x, S->r, S->line);
			S->failed = 1;
			splunk_expansion_release(&x);
			strbuf_release(&text);
			return NONE;
		}
		splunk_expansion_report(&x, S->r, S->line);
		sub.q = x.out.buf;
		sub.end = x.out.len;
		root = subpipeline(S, &sub, 0, x.out.len, 1);
		splunk_expansion_release(&x);
	}
	strbuf_release(&text);
	return root;
}

/* Commands that do not filter the events and make no column a filter reads. */
static int passive(const char *s, size_t n)
{
	static const char *const names[] = {
		"table", "fields", "dedup", "sort", "head", "tail", "reverse", "fillnull", "bin",
		"bucket", "mvexpand", "makemv", "nomv", "fieldformat", "xmlkv", "fromjson", "extract",
		"kv", "multikv", "typer", "outputlookup", "collect", "sendalert", "foreach", "fit",
		"replace", "return", "format", "addinfo", "localize", "filldown", "mvcombine",
		"untable", "xyseries", "transpose", "tags", "highlight", "abstract", "uniq",
		"outputcsv", "sendemail", "summaryindex", "iconify", "autoregress", "makeresults",
		"timewrap", "strcat", "delta", "accum", "trendline", "predict", "rangemap",
		"cluster", "kmeans", "anomalydetection", "outlier", "apply", "summary", "score",
		"xpath", "setfields", "geom", "addcoltotals", "rest", "metadata", "eventcount",
		"ldapsearch", "ldapfilter", "ldapgroup", "map", "dbxquery", "mcollect", "convert",
		"spath", "transaction", "addtotals", "iplocation", "lookup", "rex", "rename", "eval",
		"stats", "eventstats", "streamstats", "chart", "timechart", "top", "rare", "sistats",
		"geostats", "inputlookup", "inputcsv", "datamodel", "from", "tstats", "mstats", "search",
		"where", "regex", "join", "append", "appendpipe", "appendcols", "union", "multisearch",
		"selfjoin", "loadjob", "savedsearch", "gentimes", "history", "audit", "arules",
		"associate", "correlate", "contingency", "fieldsummary", "analyzefields", "findtypes",
		"diff", "concurrency", "cofilter", "erex", "kvform", "nokv", "overlap", "relevancy",
		"reltime", "scrub", "searchtxn", "set", "shape", "sichart", "sirare", "sitimechart",
		"sitop", "tscollect", "typeahead", "typelearner", "walklex", "x11", "bucketdir",
		"macro", "lookup_sample", "mvzip", "mvindex", NULL
	};
	size_t i;

	for (i = 0; names[i]; i++)
		if (word_is_ci(s, n, names[i]))
			return 1;
	return 0;
}

static size_t command(struct spl *S, const struct src *t, size_t i, int first_is_search, int first)
{
	const char *q = t->q;
	size_t b, e;

	i = skip_sp(t, i);
	if (i >= t->end)
		return NONE;
	if (first && first_is_search)
		return search_expr(S, t, i);
	b = i;
	for (e = b; e < t->end && (isalnum((unsigned char)q[e]) || q[e] == '_'); e++)
		;
	if (e == b) {
		syntax(S, RC_SYNTAX, "a command name expected after '|'");
		return NONE;
	}
	pb_context_add(S->pb, "commands", q + b, e - b);
#define IS(w) word_is_ci(q + b, e - b, w)
	if (IS("search"))
		return search_expr(S, t, e);
	if (IS("where"))
		return eval_expr(S, t, e);
	if (IS("regex"))
		return cmd_regex(S, t, e);
	if (IS("tstats") || IS("mstats"))
		return cmd_tstats(S, t, e);
	if (IS("from") || IS("datamodel")) {
		size_t j = skip_sp(t, e), k;

		if (IS("from") && t->end - j > 10 && !strncasecmp(q + j, "datamodel", 9) &&
		    (q[j + 9] == ':' || q[j + 9] == '=' || is_sp(q[j + 9]))) {
			j = skip_sp(t, j + 10);
		} else if (IS("from")) {
			return NONE;
		}
		for (k = j; k < t->end && !is_sp(q[k]); k++)
			;
		if (IS("datamodel")) {
			/* datamodel Root Dataset [search] */
			size_t d = skip_sp(t, k), de;

			for (de = d; de < t->end && !is_sp(q[de]); de++)
				;
			if (de > d && !word_is_ci(q + d, de - d, "search") && !word_is_ci(q + d, de - d, "flat")) {
				char *name = xasprintf("%.*s.%.*s", (int)(k - j), q + j, (int)(de - d), q + d);

				datamodel_scope(S, name, strlen(name));
				free(name);
				return NONE;
			}
		}
		datamodel_scope(S, q + j, k - j);
		return NONE;
	}
	if (IS("stats") || IS("eventstats") || IS("streamstats") || IS("chart") || IS("timechart") ||
	    IS("sistats") || IS("geostats")) {
		struct words w = { 0, 0, NULL, NULL };

		words_split(t, e, &w);
		aggregations(S, t, &w, 0, NULL);
		words_release(&w);
		return NONE;
	}
	if (IS("top") || IS("rare")) {
		pb_computed(S->pb, "count", 5);
		pb_computed(S->pb, "percent", 7);
		return NONE;
	}
	if (IS("eval")) {
		cmd_eval(S, t, e);
		return NONE;
	}
	if (IS("rename")) {
		cmd_rename(S, t, e);
		return NONE;
	}
	if (IS("rex")) {
		cmd_rex(S, t, e);
		return NONE;
	}
	if (IS("lookup")) {
		cmd_lookup(S, t, e);
		return NONE;
	}
	if (IS("inputlookup") || IS("inputcsv")) {
		if (first)
			S->all_computed = 1;
		return NONE;
	}
	if (IS("iplocation")) {
		cmd_iplocation(S, t, e);
		return NONE;
	}
	if (IS("convert")) {
		cmd_convert(S, t, e);
		return NONE;
	}
	if (IS("spath")) {
		cmd_option_output(S, t, e, "output=", NULL);
		return NONE;
	}
	if (IS("transaction")) {
		pb_computed(S->pb, "duration", 8);
		pb_computed(S->pb, "eventcount", 10);
		return NONE;
	}
	if (IS("addtotals")) {
		cmd_option_output(S, t, e, "fieldname=", "Total");
		return NONE;
	}
	if (IS("join") || IS("append") || IS("appendcols") || IS("union") || IS("multisearch"))
		return cmd_subsearch(S, t, e, 1);
	if (IS("appendpipe"))
		return cmd_subsearch(S, t, e, 0);
	if (IS("map"))
		return cmd_map(S, t, e);
	if (IS("cyberchef")) {
		cmd_option_output(S, t, e, "outfield=", NULL);
		return NONE;
	}
	if (passive(q + b, e - b))
		return NONE;
	partial(S, RC_UNSUPPORTED, "command '%.*s' is not read", (int)(e - b > 60 ? 60 : e - b), q + b);
	return NONE;
#undef IS
}

/* Commands that start a search of their own. */
static int generating(const char *s, size_t n)
{
	static const char *const names[] = {
		"tstats", "mstats", "inputlookup", "inputcsv", "from", "datamodel", "makeresults",
		"rest", "metadata", "eventcount", "loadjob", "savedsearch", "ldapsearch", "dbxquery",
		"gentimes", "multisearch", "union", "summary", NULL
	};
	size_t i;

	for (i = 0; names[i]; i++)
		if (word_is_ci(s, n, names[i]))
			return 1;
	return 0;
}

/* The next top-level '|' from i (outside strings and subsearches), or t->end. */
static size_t next_pipe(struct spl *S, const struct src *t, size_t i)
{
	while (i < t->end) {
		char c = t->q[i];

		if (c == '|')
			return i;
		if (c == '\\' && i + 1 < t->end) {
			i += 2;
		} else if (c == '"') {
			size_t j = str_end(t, i);

			if (!j) {
				syntax(S, RC_SYNTAX, "a '\"' without its closing quote");
				return t->end;
			}
			i = j;
		} else if (c == '[') {
			size_t j = sub_end(t, i);

			if (!j) {
				syntax(S, RC_SYNTAX, "a '[' without its ']'");
				return t->end;
			}
			i = j;
		} else if (c == ']') {
			syntax(S, RC_SYNTAX, "a ']' without its '['");
			return t->end;
		} else {
			i++;
		}
	}
	return t->end;
}

/*
 * The commands of t->q[start..t->end), ANDed. first_is_search: the first
 * stage is a search expression unless the text starts with '|' (or names a
 * generating command in a subsearch).
 */
static size_t pipeline(struct spl *S, const struct src *t, size_t start, int first_is_search)
{
	size_t i = skip_sp(t, start), root = NONE;
	int first = 1;

	if (i < t->end && t->q[i] == '|')
		first_is_search = 0;
	if (first_is_search == 2) {
		/* a subsearch: [tstats ...] names its generating command without a '|' */
		size_t k = i;

		while (k < t->end && (isalnum((unsigned char)t->q[k]) || t->q[k] == '_'))
			k++;
		first_is_search = !(k < t->end && is_sp(t->q[k]) && generating(t->q + i, k - i));
	}
	while (i < t->end && !S->failed) {
		size_t end = next_pipe(S, t, i);
		struct src stage = { t->q, end };
		size_t j = skip_sp(t, i);

		if (S->failed)
			break;
		if (j < end) {
			if (first && first_is_search) {
				/* "search ..." at the start is the same search */
				size_t k = j;

				while (k < end && isalpha((unsigned char)t->q[k]))
					k++;
				if (word_is_ci(t->q + j, k - j, "search") && (k == end || is_sp(t->q[k])))
					j = k;
			}
			root = pb_and(S->pb, root, command(S, &stage, j, first_is_search, first));
			first = 0;
		} else if (first && first_is_search) {
			first = 0;
		}
		if (end >= t->end)
			break;
		i = end + 1;
	}
	return root;
}

void spl_parse(struct pred_builder *pb, struct rule *r, const char *spl, size_t len,
	       unsigned line, const struct splunk_macros *macros, size_t nscope,
	       const char *const *keys, const char *const *vals)
{
	struct spl S;
	struct src t = { spl, len };
	size_t root;

	memset(&S, 0, sizeof(S));
	S.pb = pb;
	S.r = r;
	S.line = line;
	S.macros = macros;
	S.nscope = nscope;
	S.skeys = keys;
	S.svals = vals;
	pattern_init(&S.pat);
	strbuf_init(&S.a, 64);
	strbuf_init(&S.b, 64);
	/* every text the builder is handed is a piece of this one */
	if (utf8_invalid_at(spl, len) != UTF8_VALID)
		syntax(&S, RC_ENCODING, "the search is not valid UTF-8");
	else if (memchr(spl, '\0', len))
		syntax(&S, RC_SYNTAX, "the search holds a NUL byte");
	root = S.failed ? NONE : pipeline(&S, &t, 0, 1);
	if (!S.failed)
		pb_emit(pb, root);
	while (S.scopes) {
		pb_scope_pop(pb);
		S.scopes--;
	}
	pattern_release(&S.pat);
	strbuf_release(&S.a);
	strbuf_release(&S.b);
}
