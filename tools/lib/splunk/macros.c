/*
 * Splunk search macros: loaded from macros/NAME.yml, expanded by text (macros.h).
 */
#include "splunk/macros.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hashmap.h"
#include "common/text.h"
#include "common/util.h"
#include "io/yamldoc.h"

struct macro {
	char *key;		/* "name", or "name(n)" for one with n parameters */
	char *definition;
	size_t nargs;
	char **args;
};

struct splunk_macros {
	struct macro *v;
	size_t n, alloc;
	struct hashmap byname;	/* key → index in v */
};

struct splunk_macros *splunk_macros_new(void)
{
	struct splunk_macros *m = xcalloc(1, sizeof(*m));

	hashmap_init(&m->byname, 0);
	return m;
}

void splunk_macros_free(struct splunk_macros *m)
{
	size_t i, j;

	if (!m)
		return;
	for (i = 0; i < m->n; i++) {
		free(m->v[i].key);
		free(m->v[i].definition);
		for (j = 0; j < m->v[i].nargs; j++)
			free(m->v[i].args[j]);
		free(m->v[i].args);
	}
	free(m->v);
	hashmap_release(&m->byname);
	free(m);
}

size_t splunk_macros_count(const struct splunk_macros *m)
{
	return m ? m->n : 0;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static void trim(const char **s, size_t *n)
{
	while (*n && is_space(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && is_space((*s)[*n - 1]))
		(*n)--;
}

/* "name(3)" → name length and 3; -1 when name carries no arity */
static long arity_suffix(const char *name, size_t n, size_t *base)
{
	size_t i;
	long k = 0;

	*base = n;
	if (n < 4 || name[n - 1] != ')')
		return -1;
	for (i = n - 1; i > 0 && name[i - 1] >= '0' && name[i - 1] <= '9'; i--)
		;
	if (i == n - 1 || i < 2 || name[i - 1] != '(')
		return -1;
	for (size_t j = i; j < n - 1; j++)
		k = k * 10 + (name[j] - '0');
	if (k > 1000)
		return -1;
	*base = i - 1;
	return k;
}

static char *make_key(const char *name, size_t n, size_t nargs)
{
	return nargs ? xasprintf("%.*s(%zu)", (int)n, name, nargs) : xstrndup(name, n);
}

int splunk_macros_define(struct splunk_macros *m, const char *name, size_t nargs,
			 const char *const *args, const char *definition)
{
	size_t base, i, idx;
	long k = arity_suffix(name, strlen(name), &base);
	struct macro *mc;
	char *key;

	if (k >= 0 && (size_t)k != nargs && nargs)
		return -1;
	key = make_key(name, base, k >= 0 ? (size_t)k : nargs);
	if (hashmap_get(&m->byname, key, &idx)) {
		free(key);
		return -1;
	}
	if (m->n == m->alloc) {
		m->alloc = m->alloc ? 2 * m->alloc : 64;
		m->v = xrealloc(m->v, m->alloc * sizeof(*m->v));
	}
	mc = &m->v[m->n];
	mc->key = key;
	mc->definition = xstrdup(definition);
	mc->nargs = nargs;
	mc->args = nargs ? xcalloc(nargs, sizeof(char *)) : NULL;
	for (i = 0; i < nargs; i++)
		mc->args[i] = xstrdup(args[i]);
	hashmap_put(&m->byname, mc->key, m->n);
	m->n++;
	return 0;
}

static int fail(struct fe_msg *msg, unsigned line, const char *what)
{
	msg->line = line;
	snprintf(msg->text, sizeof(msg->text), "%s", what);
	return -1;
}

int splunk_macros_add(struct splunk_macros *m, const char *path, const char *text, size_t len,
		      struct fe_msg *msg)
{
	struct yamldoc ys;
	const struct ynode *root, *name, *def, *args;
	const char *argv[64];
	size_t nargs = 0, i;
	int rc = 0;

	(void)path;
	if (yamldoc_load(&ys, text, len, NULL) < 0) {
		rc = fail(msg, ys.err_line, "invalid YAML");
		snprintf(msg->text, sizeof(msg->text), "invalid YAML: %.200s", ys.err);
		goto out;
	}
	root = ys.ndocs ? ys.docs[0] : NULL;
	if (!root || root->kind != YNODE_MAP) {
		rc = fail(msg, root ? root->line : 0, "a macro file must be a map");
		goto out;
	}
	name = ynode_get(root, "name");
	def = ynode_get(root, "definition");
	if (!ynode_is_scalar(name) || ynode_is_null(name) || !name->len || memchr(name->str, '\0', name->len)) {
		rc = fail(msg, root->line, "a macro needs a 'name'");
		goto out;
	}
	if (!ynode_is_scalar(def) || ynode_is_null(def) || memchr(def->str, '\0', def->len)) {
		rc = fail(msg, name->line, "a macro needs a 'definition'");
		goto out;
	}
	args = ynode_get(root, "arguments");
	if (!args)
		args = ynode_get(root, "args");
	if (args && args->kind == YNODE_SEQ) {
		for (i = 0; i < args->n; i++) {
			if (!ynode_is_scalar(args->vals[i]) || nargs == 64) {
				rc = fail(msg, args->line, "'arguments' must be a list of names");
				goto out;
			}
			argv[nargs++] = args->vals[i]->str;
		}
	} else if (args && !ynode_is_null(args)) {
		rc = fail(msg, args->line, "'arguments' must be a list of names");
		goto out;
	}
	if (splunk_macros_define(m, name->str, nargs, argv, def->str) < 0) {
		rc = fail(msg, name->line, "");
		snprintf(msg->text, sizeof(msg->text), "macro '%.120s' is defined twice (or its arity disagrees with 'arguments')",
			 name->str);
	}
out:
	yamldoc_release(&ys);
	return rc;
}

/* ---- expansion ---- */

struct expander {
	const struct splunk_macros *m;
	struct splunk_expansion *x;
	const char *stack[SPLUNK_MACRO_DEPTH];
	size_t depth;
	size_t limit;
};

static void note_name(char ***v, size_t *n, const char *s)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp((*v)[i], s))
			return;
	if (*n >= 4096)
		return;
	*v = xrealloc(*v, (*n + 1) * sizeof(char *));
	(*v)[(*n)++] = xstrdup(s);
}

static int xfail(struct expander *E, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int xfail(struct expander *E, const char *fmt, ...)
{
	va_list ap;

	if (!E->x->failed) {
		E->x->failed = 1;
		va_start(ap, fmt);
		vsnprintf(E->x->err, sizeof(E->x->err), fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int emit(struct expander *E, const char *s, size_t n)
{
	if (E->x->out.len + n > E->limit)
		return xfail(E, "the search is too large once its macros are expanded");
	strbuf_add(&E->x->out, s, n);
	return 0;
}

/* The end of a double-quoted string that starts at s[i] (one past its quote), or n. */
static size_t quoted_end(const char *s, size_t n, size_t i)
{
	for (i++; i < n && s[i] != '"'; i++)
		if (s[i] == '\\' && i + 1 < n)
			i++;
	return i < n ? i + 1 : n;
}

/* Split args at top-level commas: offsets into *av as (start, len) pairs; the count. */
static size_t split_args(const char *s, size_t n, const char **as, size_t *an, size_t max)
{
	size_t i = 0, start = 0, k = 0;
	int depth = 0;

	if (!n)
		return 0;
	while (i <= n) {
		if (i == n || (s[i] == ',' && depth == 0)) {
			const char *a = s + start;
			size_t l = i - start;

			trim(&a, &l);
			if (k == max)
				return max + 1;
			as[k] = a;
			an[k++] = l;
			start = i + 1;
			i++;
			continue;
		}
		if (s[i] == '"') {
			i = quoted_end(s, n, i);
			continue;
		}
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && depth > 0)
			depth--;
		i++;
	}
	return k;
}

static int expand(struct expander *E, const char *s, size_t n);

/* What an undefined special macro means, appended to buf; 0 when name is not special. */
static int special(const char *name, size_t nlen, const char *const *as, const size_t *an,
		   size_t nargs, struct strbuf *buf)
{
	if (nlen >= 7 && !memcmp(name + nlen - 7, "_filter", 7) && nargs == 0)
		return 1;	/* a tuning hook: nothing */
	if (nlen == 19 && !memcmp(name, "drop_dm_object_name", 19) && nargs == 1) {
		strbuf_addf(buf, "rename %.*s.* AS *", (int)an[0], as[0]);
		return 1;
	}
	if (nlen == 22 && !memcmp(name, "security_content_ctime", 22) && nargs == 1) {
		strbuf_addf(buf, "convert timeformat=\"%%Y-%%m-%%dT%%H:%%M:%%S\" ctime(%.*s)",
			    (int)an[0], as[0]);
		return 1;
	}
	if (nlen == 30 && !memcmp(name, "security_content_summariesonly", 30) && nargs == 0) {
		strbuf_addstr(buf, "summariesonly=false allow_old_summaries=true fillnull_value=null");
		return 1;
	}
	return 0;
}

/* def with each $arg$ replaced by its value */
static void substitute(const struct macro *mc, const char *const *as, const size_t *an,
		       struct strbuf *buf)
{
	const char *d = mc->definition;
	size_t i, k;

	while (*d) {
		if (*d == '$') {
			for (k = 0; k < mc->nargs; k++) {
				size_t l = strlen(mc->args[k]);

				if (!strncmp(d + 1, mc->args[k], l) && d[1 + l] == '$')
					break;
			}
			if (k < mc->nargs) {
				strbuf_add(buf, as[k], an[k]);
				d += strlen(mc->args[k]) + 2;
				continue;
			}
		}
		i = strcspn(d + 1, "$") + 1;
		strbuf_add(buf, d, i);
		d += i;
	}
}

/* One reference: the text between two backticks. */
static int reference(struct expander *E, const char *s, size_t n)
{
	const char *name = s, *as[64];
	size_t nlen = n, an[64], nargs = 0, idx, i;
	const char *paren = memchr(s, '(', n);
	struct strbuf buf;
	char *key;
	int rc = 0;

	if (paren) {
		size_t close = n;

		while (close > 0 && s[close - 1] != ')')
			close--;
		if (!close || s + close - 1 < paren)
			return xfail(E, "a macro call without its ')'");
		nlen = paren - s;
		nargs = split_args(paren + 1, s + close - 1 - (paren + 1), as, an, 64);
		if (nargs > 64)
			return xfail(E, "a macro call with more than 64 arguments");
	}
	trim(&name, &nlen);
	if (!nlen)
		return 0;	/* `` or `()`: nothing to call */
	for (i = 0; i < nlen; i++)
		if (is_space(name[i]) || name[i] == '`')
			break;
	if (i < nlen) {
		size_t l = 0;

		while (l < n && l < 60 && (unsigned char)s[l] >= ' ' && (unsigned char)s[l] < 0x80)
			l++;	/* the message stays one line of UTF-8 */
		return xfail(E, "a backtick that starts no macro name: `%.*s`", (int)l, s);
	}
	key = make_key(name, nlen, nargs);
	note_name(&E->x->used, &E->x->nused, key);
	strbuf_init(&buf, 64);
	if (E->m && hashmap_get(&E->m->byname, key, &idx)) {
		const struct macro *mc = &E->m->v[idx];

		for (i = 0; i < E->depth; i++)
			if (!strcmp(E->stack[i], mc->key)) {
				rc = xfail(E, "macro cycle: '%.200s' reaches itself", mc->key);
				goto out;
			}
		if (E->depth == SPLUNK_MACRO_DEPTH) {
			rc = xfail(E, "macros nested too deep at '%.200s'", mc->key);
			goto out;
		}
		substitute(mc, as, an, &buf);
		E->x->expanded++;
		E->stack[E->depth++] = mc->key;
		if (emit(E, " ", 1) < 0 || expand(E, buf.buf, buf.len) < 0 || emit(E, " ", 1) < 0)
			rc = -1;
		E->depth--;
	} else if (special(name, nlen, as, an, nargs, &buf)) {
		E->x->expanded++;
		if (emit(E, " ", 1) < 0 || emit(E, buf.buf, buf.len) < 0 || emit(E, " ", 1) < 0)
			rc = -1;
	} else {
		note_name(&E->x->undefined, &E->x->nundefined, key);
		rc = emit(E, " ", 1);
	}
out:
	free(key);
	strbuf_release(&buf);
	return rc;
}

static int expand(struct expander *E, const char *s, size_t n)
{
	size_t i = 0, j;

	while (i < n) {
		if (s[i] == '\\' && i + 1 < n && s[i + 1] != '`') {
			/* \" outside a string is a quote in a word, not a string */
			if (emit(E, s + i, 2) < 0)
				return -1;
			i += 2;
		} else if (s[i] == '"') {
			j = quoted_end(s, n, i);
			if (emit(E, s + i, j - i) < 0)
				return -1;
			i = j;
		} else if (s[i] == '`' && i + 2 < n && s[i + 1] == '`' && s[i + 2] == '`') {
			/* a comment, up to the next ``` (or the end) */
			for (j = i + 3; j + 2 < n; j++)
				if (s[j] == '`' && s[j + 1] == '`' && s[j + 2] == '`')
					break;
			i = j + 2 < n ? j + 3 : n;
			if (emit(E, " ", 1) < 0)
				return -1;
		} else if (s[i] == '`') {
			const char *close = memchr(s + i + 1, '`', n - i - 1);

			if (!close)
				return xfail(E, "a macro reference without its closing backtick");
			if (reference(E, s + i + 1, close - (s + i + 1)) < 0)
				return -1;
			i = close - s + 1;
		} else {
			for (j = i + 1; j < n && s[j] != '"' && s[j] != '`' && s[j] != '\\'; j++)
				;
			if (emit(E, s + i, j - i) < 0)
				return -1;
			i = j;
		}
	}
	return 0;
}

int splunk_macros_expand(const struct splunk_macros *m, const char *spl, size_t len,
			 struct splunk_expansion *x)
{
	struct expander E;

	memset(x, 0, sizeof(*x));
	strbuf_init(&x->out, len + 64);
	memset(&E, 0, sizeof(E));
	E.m = m;
	E.x = x;
	E.limit = len > SPLUNK_MACRO_MAX_OUT / 16 ? 16 * len : SPLUNK_MACRO_MAX_OUT;
	return expand(&E, spl, len);
}

void splunk_expansion_release(struct splunk_expansion *x)
{
	size_t i;

	strbuf_release(&x->out);
	for (i = 0; i < x->nused; i++)
		free(x->used[i]);
	for (i = 0; i < x->nundefined; i++)
		free(x->undefined[i]);
	free(x->used);
	free(x->undefined);
	memset(x, 0, sizeof(*x));
}

void splunk_expansion_report(const struct splunk_expansion *x, struct rule *r, unsigned line)
{
	size_t i;

	for (i = 0; i < x->nundefined; i++) {
		const char *u = x->undefined[i];

		if (utf8_invalid_at(u, strlen(u)) == UTF8_VALID)
			rule_error_at(r, line, 0, PARSE_PARTIAL, RC_UNDEFINED, "undefined macro '%.200s'", u);
		else
			rule_error_at(r, line, 0, PARSE_PARTIAL, RC_UNDEFINED,
				      "an undefined macro whose name is not valid UTF-8");
	}
	if (x->failed)
		rule_error_at(r, line, 0, PARSE_FAILED, RC_SYNTAX, "%s", x->err);
}
