/*
 * Sigma detection items → predicates. A value goes through its modifiers left
 * to right as pySigma applies them (some expand one value into several:
 * windash, base64offset), and each result becomes one predicate.
 *
 * Escapes follow the Sigma specification: a backslash escapes only '*', '?'
 * and '\'; every other backslash is literal; '*' is any run, '?' one character.
 * Choices made here: every value is compared ignoring case unless |cased says
 * otherwise, base64 output included (the Sigma specification makes no
 * exception), so encoded values are lower-cased like any other; numbers
 * and booleans compared with eq become strings ("4688", "true").
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "common/util.h"
#include "rule/pattern.h"
#include "rule/predicate.h"
#include "rule/rule.h"
#include "sigma/sigma.h"
#include "sigma/sigma_int.h"

enum sv_kind { SV_STR, SV_REGEX, SV_NUM, SV_BOOL, SV_NULL, SV_CIDR, SV_FIELDREF, SV_EXISTS,
	       SV_CMP, SV_TIME };

static const char *const sv_names[] = { "a string", "a regular expression", "a number",
					"a boolean", "null", "a CIDR network", "a field reference",
					"an exists test", "a comparison", "a time part" };

struct sval {
	enum sv_kind kind;
	struct pattern pat;	/* SV_STR; the text of SV_REGEX, SV_CIDR, SV_FIELDREF */
	int cased, placeholder, utf16_bom;
	int ref_start, ref_end;
	enum pred_op op;	/* SV_CMP */
	const char *time_part;	/* SV_TIME */
	int is_int;
	long long i;
	double d;
	int boolean;
	char flags[4];		/* SV_REGEX: any of "ims" */
};

struct svlist {
	struct sval *v;
	size_t n, alloc;
};

static struct sval *svlist_push(struct svlist *l)
{
	struct sval *sv;

	if (l->n == l->alloc) {
		size_t i, old = l->alloc;

		l->alloc = l->alloc ? l->alloc * 2 : 4;
		l->v = xrealloc(l->v, l->alloc * sizeof(*l->v));
		for (i = old; i < l->alloc; i++)
			pattern_init(&l->v[i].pat);
	}
	sv = &l->v[l->n++];
	{
		struct pattern keep = sv->pat;

		memset(sv, 0, sizeof(*sv));
		sv->pat = keep;
	}
	pattern_reset(&sv->pat);
	return sv;
}

static void svlist_release(struct svlist *l)
{
	size_t i;

	for (i = 0; i < l->alloc; i++)
		pattern_release(&l->v[i].pat);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void sval_copy(struct sval *dst, const struct sval *src)
{
	struct pattern keep = dst->pat;

	*dst = *src;
	dst->pat = keep;
	pattern_copy(&dst->pat, &src->pat);
}

enum mod {
	M_CONTAINS, M_STARTSWITH, M_ENDSWITH, M_ALL, M_BASE64, M_BASE64OFFSET, M_WIDE,
	M_UTF16LE, M_UTF16BE, M_UTF16, M_WINDASH, M_RE, M_I, M_M, M_S, M_CASED, M_CIDR,
	M_LT, M_LTE, M_GT, M_GTE, M_NEQ, M_FIELDREF, M_EXISTS, M_EXPAND, M_MINUTE, M_HOUR,
	M_DAY, M_WEEK, M_MONTH, M_YEAR
};

static const struct {
	const char *name;
	enum mod mod;
} modifiers[] = {
	{ "contains", M_CONTAINS }, { "startswith", M_STARTSWITH }, { "endswith", M_ENDSWITH },
	{ "all", M_ALL }, { "base64", M_BASE64 }, { "base64offset", M_BASE64OFFSET },
	{ "wide", M_WIDE }, { "utf16le", M_UTF16LE }, { "utf16be", M_UTF16BE },
	{ "utf16", M_UTF16 }, { "windash", M_WINDASH }, { "re", M_RE }, { "i", M_I },
	{ "ignorecase", M_I }, { "m", M_M }, { "multiline", M_M }, { "s", M_S },
	{ "dotall", M_S }, { "cased", M_CASED }, { "cidr", M_CIDR }, { "lt", M_LT },
	{ "lte", M_LTE }, { "gt", M_GT }, { "gte", M_GTE }, { "neq", M_NEQ },
	{ "fieldref", M_FIELDREF }, { "exists", M_EXISTS }, { "expand", M_EXPAND },
	{ "minute", M_MINUTE }, { "hour", M_HOUR }, { "day", M_DAY }, { "week", M_WEEK },
	{ "month", M_MONTH }, { "year", M_YEAR },
};

#define MAX_MODS 16

/* One detection item being turned into predicates. */
struct item {
	struct sigma_ctx *c;
	const char *key;		/* as written, with modifiers */
	const char *field;		/* raw field, NULL for keywords */
	enum mod mods[MAX_MODS];
	struct pred_str modnames[MAX_MODS];	/* as written in the key */
	size_t nmods;
	const char *sel;		/* the search identifier */
	int negated;
	unsigned line;
	const struct ynode *value;	/* the scalar being processed */
};

/* ---- value sources ---- */

static void pattern_from_sigma(struct pattern *p, const char *s, size_t n)
{
	size_t i, run = 0;

	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (ch == '\\' && i + 1 < n && (s[i + 1] == '*' || s[i + 1] == '?' || s[i + 1] == '\\')) {
			pattern_add_lit(p, s + run, i - run);
			pattern_add_lit(p, s + i + 1, 1);
			i++;
			run = i + 1;
		} else if (ch == '*' || ch == '?') {
			pattern_add_lit(p, s + run, i - run);
			pattern_add_wild(p, ch == '*' ? PAT_STAR : PAT_ONE);
			run = i + 1;
		}
	}
	pattern_add_lit(p, s + run, n - run);
}

static void sval_from_scalar(struct sval *sv, const struct ynode *n)
{
	switch (n->type) {
	case YSCALAR_STR:
		sv->kind = SV_STR;
		pattern_from_sigma(&sv->pat, n->str, n->len);
		break;
	case YSCALAR_NULL:
		sv->kind = SV_NULL;
		break;
	case YSCALAR_BOOL:
		sv->kind = SV_BOOL;
		sv->boolean = n->boolean;
		break;
	case YSCALAR_INT:
		sv->kind = SV_NUM;
		sv->is_int = 1;
		sv->i = n->integer;
		sv->d = (double)n->integer;
		break;
	case YSCALAR_FLOAT:
		sv->kind = SV_NUM;
		sv->d = n->number;
		break;
	}
}

/* A number or boolean used as text: as written in the file. */
static int to_string(struct item *it, struct sval *sv)
{
	if (sv->kind == SV_STR)
		return 0;
	if (sv->kind == SV_NUM || sv->kind == SV_BOOL) {
		sv->kind = SV_STR;
		pattern_reset(&sv->pat);
		pattern_add_lit(&sv->pat, it->value->str, it->value->len);
		return 0;
	}
	return -1;
}

/* ---- encodings ---- */

static void base64_append(struct strbuf *out, const char *s, size_t n)
{
	size_t len;
	char *enc = base64_encode(s, n, &len);

	strbuf_add(out, enc, len);
	free(enc);
}

/* The bytes base64 encodes: after utf16, its U+FEFF becomes the LE byte order mark. */
static void base64_input(const struct sval *sv, struct strbuf *out)
{
	const char *s = sv->pat.text.buf;
	size_t n = sv->pat.text.len;

	strbuf_reset(out);
	if (sv->utf16_bom && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
		strbuf_add(out, "\xFF\xFE", 2);
		s += 3;
		n -= 3;
	}
	strbuf_add(out, s, n);
}

static void set_literal(struct sval *sv, const char *s, size_t n)
{
	pattern_reset(&sv->pat);
	pattern_add_lit(&sv->pat, s, n);
	sv->kind = SV_STR;
}

/* UTF-16 of ASCII text; wildcards stay wildcards. -1 on non-ASCII. */
static int utf16_ascii(struct sval *sv, int big_endian, int bom)
{
	struct pattern out;
	size_t i;

	pattern_init(&out);
	if (bom) {
		pattern_add_lit(&out, "\xEF\xBB\xBF", 3);
		sv->utf16_bom = 1;
	}
	for (i = 0; i < sv->pat.text.len; i++) {
		unsigned char ch = (unsigned char)sv->pat.text.buf[i];
		char pair[2];

		if (sv->pat.kinds.buf[i] != PAT_LIT) {
			pattern_add_wild(&out, (enum pat_kind)sv->pat.kinds.buf[i]);
			continue;
		}
		if (ch >= 0x80) {
			pattern_release(&out);
			return -1;
		}
		pair[big_endian ? 1 : 0] = (char)ch;
		pair[big_endian ? 0 : 1] = '\0';
		pattern_add_lit(&out, pair, 2);
	}
	pattern_release(&sv->pat);
	sv->pat = out;
	return 0;
}

static int is_word_byte(const struct pattern *p, size_t i)
{
	unsigned char ch;

	if (i >= p->text.len || p->kinds.buf[i] != PAT_LIT)
		return 0;
	ch = (unsigned char)p->text.buf[i];
	/* bytes of non-ASCII characters count as letters, as Python's \w mostly does */
	return isalnum(ch) || ch == '_' || ch >= 0x80;
}

/* windash: every '-' or '/' at the start of a word (regexp \B[-/]\b) in 5 forms */
static int windash(struct svlist *out, const struct sval *sv, struct strbuf *err)
{
	static const char *const dashes[] = { "-", "/", "\xE2\x80\x93", "\xE2\x80\x94",
					      "\xE2\x80\x95" };
	const struct pattern *p = &sv->pat;
	size_t pos[16], npos = 0, i, total = 1, k;

	for (i = 0; i < p->text.len; i++) {
		char ch = p->text.buf[i];

		if (p->kinds.buf[i] != PAT_LIT || (ch != '-' && ch != '/'))
			continue;
		if ((i > 0 && is_word_byte(p, i - 1)) || !is_word_byte(p, i + 1))
			continue;
		if (npos == sizeof(pos) / sizeof(pos[0]) || total * 5 > SIGMA_MAX_EXPANSION) {
			strbuf_addf(err, "windash would expand to more than %d values",
				    SIGMA_MAX_EXPANSION);
			return -1;
		}
		pos[npos++] = i;
		total *= 5;
	}
	for (k = 0; k < total; k++) {
		struct sval *nv = svlist_push(out);
		size_t rest = k, from = 0, j;

		sval_copy(nv, sv);
		pattern_reset(&nv->pat);
		for (j = 0; j < npos; j++) {
			const char *d = dashes[rest % 5];

			rest /= 5;
			strbuf_add(&nv->pat.text, p->text.buf + from, pos[j] - from);
			strbuf_add(&nv->pat.kinds, p->kinds.buf + from, pos[j] - from);
			pattern_add_lit(&nv->pat, d, strlen(d));
			from = pos[j] + 1;
		}
		strbuf_add(&nv->pat.text, p->text.buf + from, p->text.len - from);
		strbuf_add(&nv->pat.kinds, p->kinds.buf + from, p->kinds.len - from);
	}
	return 0;
}

static int valid_cidr(const char *s)
{
	const char *slash = strchr(s, '/');
	char addr[64];
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	int colons = 0, dots = 0;
	long bits = -1;
	size_t i;

	if (n == 0 || n >= sizeof(addr))
		return 0;
	memcpy(addr, s, n);
	addr[n] = '\0';
	for (i = 0; i < n; i++) {
		if (addr[i] == ':')
			colons++;
		else if (addr[i] == '.')
			dots++;
		else if (!isxdigit((unsigned char)addr[i]))
			return 0;
	}
	if (slash) {
		char *end;

		bits = strtol(slash + 1, &end, 10);
		if (end == slash + 1 || *end || bits < 0)
			return 0;
	}
	if (colons == 0) {
		unsigned a[4];
		char tail;

		if (dots != 3 || sscanf(addr, "%u.%u.%u.%u%c", &a[0], &a[1], &a[2], &a[3], &tail) != 4)
			return 0;
		for (i = 0; i < 4; i++)
			if (a[i] > 255)
				return 0;
		for (i = 0; i < n; i++)
			if (!isdigit((unsigned char)addr[i]) && addr[i] != '.')
				return 0;
		return bits <= 32;
	}
	return colons >= 2 && colons <= 7 && bits <= 128;
}

static int parse_number(const char *s, struct sval *sv)
{
	char *end;
	long long v;

	if (!*s)
		return -1;
	v = strtoll(s, &end, 10);
	if (*end == '\0') {
		sv->is_int = 1;
		sv->i = v;
		sv->d = (double)v;
		return 0;
	}
	sv->d = strtod(s, &end);
	if (*end)
		return -1;
	sv->is_int = 0;
	return 0;
}

/*
 * A regular expression that does not compile is reported (it is never run
 * here, so a pathological one costs nothing). PCRE2 accepts the Python
 * syntax pySigma rules are written in, named groups included.
 */
static int check_regex(const char *re, size_t n, struct strbuf *err)
{
	int code;
	PCRE2_SIZE off;
	pcre2_code *c = pcre2_compile((PCRE2_SPTR)re, n, PCRE2_UTF, &code, &off, NULL);
	PCRE2_UCHAR msg[160];

	if (c) {
		pcre2_code_free(c);
		return 0;
	}
	pcre2_get_error_message(code, msg, sizeof(msg));
	strbuf_addf(err, "invalid regular expression at offset %zu: %s", (size_t)off, (char *)msg);
	return -1;
}

/* ---- modifiers ---- */

/*
 * Apply modifier m to every value of *cur, results in *next (then swapped).
 * index is the position of m among the item's modifiers (re needs to be first).
 */
static int apply_mod(struct item *it, size_t index, struct svlist **cur, struct svlist **next,
		     struct strbuf *err)
{
	enum mod m = it->mods[index];
	const char *mname = NULL;
	struct strbuf bytes = STRBUF_INIT, enc = STRBUF_INIT;
	size_t k, j;
	int rc = 0;

	for (k = 0; k < sizeof(modifiers) / sizeof(modifiers[0]); k++)
		if (modifiers[k].mod == m)
			mname = modifiers[k].name;
	(*next)->n = 0;
	for (k = 0; k < (*cur)->n && rc == 0; k++) {
		struct sval *sv = &(*cur)->v[k];
		struct sval *nv;

		switch (m) {
		case M_ALL:
		case M_NEQ:
			break;
		case M_CONTAINS:
		case M_STARTSWITH:
		case M_ENDSWITH:
			if (sv->kind == SV_FIELDREF) {
				sv->ref_start |= m != M_ENDSWITH;
				sv->ref_end |= m != M_STARTSWITH;
				break;
			}
			if (sv->kind == SV_REGEX)
				break;
			if (to_string(it, sv) < 0)
				goto incompatible;
			pattern_surround_star(&sv->pat, m != M_STARTSWITH, m != M_ENDSWITH);
			break;
		case M_BASE64:
		case M_BASE64OFFSET:
			if (to_string(it, sv) < 0)
				goto incompatible;
			if (pattern_has_wild(&sv->pat)) {
				strbuf_addf(err, "'%.100s' cannot encode a value with wildcards", mname);
				rc = -1;
				break;
			}
			base64_input(sv, &bytes);
			if (m == M_BASE64) {
				strbuf_reset(&enc);
				base64_append(&enc, bytes.buf, bytes.len);
				set_literal(sv, enc.buf, enc.len);
				sv->utf16_bom = 0;
				break;
			}
			/* three encodings, shifted by 0, 1, 2 bytes, without the edge
			 * characters that depend on the bytes around the value */
			for (j = 0; j < 3; j++) {
				static const size_t starts[] = { 0, 2, 3 };
				static const size_t cut[] = { 0, 3, 2 };
				size_t end;

				strbuf_reset(&enc);
				{
					struct strbuf shifted = STRBUF_INIT;

					strbuf_add(&shifted, "  ", j);
					strbuf_add(&shifted, bytes.buf, bytes.len);
					base64_append(&enc, shifted.buf, shifted.len);
					strbuf_release(&shifted);
				}
				end = enc.len - cut[(bytes.len + j) % 3];
				nv = svlist_push(*next);
				sval_copy(nv, sv);
				set_literal(nv, enc.buf + starts[j], end > starts[j] ? end - starts[j] : 0);
				nv->utf16_bom = 0;
			}
			continue;
		case M_WIDE:
		case M_UTF16LE:
		case M_UTF16BE:
		case M_UTF16:
			if (to_string(it, sv) < 0)
				goto incompatible;
			if (utf16_ascii(sv, m == M_UTF16BE, m == M_UTF16) < 0) {
				strbuf_addf(err, "'%.100s' is only defined here for ASCII text", mname);
				rc = -1;
			}
			break;
		case M_WINDASH:
			if (to_string(it, sv) < 0)
				goto incompatible;
			if (windash(*next, sv, err) < 0)
				rc = -1;
			continue;
		case M_RE:
			if (index > 0) {
				strbuf_addf(err, "'re' must come before other value modifiers");
				rc = -1;
				break;
			}
			if (sv->kind == SV_NULL || sv->kind == SV_BOOL)
				goto incompatible;
			/* the regular expression as written: Sigma escapes do not apply */
			set_literal(sv, it->value->str, it->value->len);
			sv->kind = SV_REGEX;
			if (check_regex(sv->pat.text.buf, sv->pat.text.len, err) < 0)
				rc = -1;
			break;
		case M_I:
		case M_M:
		case M_S:
			if (sv->kind != SV_REGEX) {
				strbuf_addf(err, "'%.100s' needs 're' before it", mname);
				rc = -1;
				break;
			}
			{
				char f = m == M_I ? 'i' : m == M_M ? 'm' : 's';

				if (!strchr(sv->flags, f))
					sv->flags[strlen(sv->flags)] = f;
			}
			break;
		case M_CASED:
			if (to_string(it, sv) < 0)
				goto incompatible;
			sv->cased = 1;
			break;
		case M_CIDR:
			if (index > 0 || to_string(it, sv) < 0 || pattern_has_wild(&sv->pat))
				goto incompatible;
			if (!valid_cidr(sv->pat.text.buf)) {
				strbuf_addf(err, "'%.100s' is not an IP network", sv->pat.text.buf);
				rc = -1;
				break;
			}
			sv->kind = SV_CIDR;
			break;
		case M_LT:
		case M_LTE:
		case M_GT:
		case M_GTE:
			if (sv->kind == SV_STR && !pattern_has_wild(&sv->pat) &&
			    parse_number(sv->pat.text.buf, sv) == 0)
				sv->kind = SV_NUM;
			if (sv->kind != SV_NUM)
				goto incompatible;
			sv->kind = SV_CMP;
			sv->op = m == M_LT ? PRED_LT : m == M_LTE ? PRED_LTE : m == M_GT ? PRED_GT
				: PRED_GTE;
			break;
		case M_FIELDREF:
			if (to_string(it, sv) < 0 || pattern_has_wild(&sv->pat))
				goto incompatible;
			sv->kind = SV_FIELDREF;
			break;
		case M_EXISTS:
			if (!it->field) {
				strbuf_addf(err, "'exists' needs a field");
				rc = -1;
				break;
			}
			if (sv->kind != SV_BOOL || index > 0)
				goto incompatible;
			sv->kind = SV_EXISTS;
			break;
		case M_EXPAND:
			if (sv->kind != SV_REGEX && to_string(it, sv) < 0)
				goto incompatible;
			sv->placeholder = 1;
			break;
		case M_MINUTE:
		case M_HOUR:
		case M_DAY:
		case M_WEEK:
		case M_MONTH:
		case M_YEAR:
			if (sv->kind != SV_NUM || !sv->is_int)
				goto incompatible;
			sv->kind = SV_TIME;
			sv->time_part = mname;
			break;
		}
		if (rc)
			break;
		nv = svlist_push(*next);
		sval_copy(nv, sv);
		continue;
incompatible:
		strbuf_addf(err, "modifier '%.100s' does not apply to %s", mname, sv_names[sv->kind]);
		rc = -1;
	}
	strbuf_release(&bytes);
	strbuf_release(&enc);
	if (rc == 0) {
		struct svlist *t = *cur;

		*cur = *next;
		*next = t;
	}
	return rc;
}

/* ---- predicates ---- */

static void emit(struct item *it, struct sval *sv)
{
	struct pred_spec p;
	struct pred_extra extras[2];
	char num[64];

	pred_spec_init(&p);
	p.field = it->field;
	p.negated = it->negated;
	p.line = it->line;
	p.what = it->key;
	p.selection = it->sel;
	p.modifiers = it->modnames;
	p.nmodifiers = it->nmods;
	if (it->value->type != YSCALAR_NULL) {
		p.raw_value = it->value->str;
		p.raw_value_len = it->value->len;
	}
	p.extras = extras;
	switch (sv->kind) {
	case SV_STR:
		/* a keyword search matches text anywhere in the event */
		p.op = it->field ? PRED_EQ : PRED_CONTAINS;
		p.kind = PV_PATTERN;
		p.pat = &sv->pat;
		p.ci = !sv->cased;
		break;
	case SV_NULL:
		p.op = PRED_EXISTS;
		p.negated = !p.negated;
		break;
	case SV_EXISTS:
		p.op = PRED_EXISTS;
		p.negated = p.negated ^ !sv->boolean;
		break;
	case SV_BOOL:
		p.kind = PV_TEXT;
		p.text = sv->boolean ? "true" : "false";
		p.len = strlen(p.text);
		break;
	case SV_NUM:
		if (sv->is_int)
			snprintf(num, sizeof(num), "%lld", sv->i);
		else
			snprintf(num, sizeof(num), "%.17g", sv->d);
		p.kind = PV_TEXT;
		p.text = num;
		p.len = strlen(num);
		break;
	case SV_REGEX:
		p.op = PRED_REGEX;
		p.kind = PV_TEXT;
		p.ci = strchr(sv->flags, 'i') != NULL;
		p.text = sv->pat.text.buf;
		p.len = sv->pat.text.len;
		p.regex_flags = sv->flags;
		break;
	case SV_CIDR:
		p.op = PRED_CIDR;
		p.kind = PV_TEXT;
		p.text = sv->pat.text.buf;
		p.len = sv->pat.text.len;
		break;
	case SV_FIELDREF:
		p.op = sv->ref_start && sv->ref_end ? PRED_CONTAINS : sv->ref_start ? PRED_STARTS_WITH
			: sv->ref_end ? PRED_ENDS_WITH : PRED_EQ;
		p.kind = PV_FIELD;
		p.text = sv->pat.text.buf;
		p.len = sv->pat.text.len;
		break;
	case SV_CMP:
		p.op = sv->op;
		p.kind = PV_NUMBER;
		p.is_int = sv->is_int;
		p.integer = sv->i;
		p.number = sv->d;
		break;
	case SV_TIME:
		p.kind = PV_NUMBER;
		p.is_int = 1;
		p.integer = sv->i;
		extras[p.nextras].key = "time_part";
		extras[p.nextras].kind = PX_STR;
		extras[p.nextras].s = sv->time_part;
		extras[p.nextras].n = strlen(sv->time_part);
		p.nextras++;
		break;
	}
	if (sv->placeholder) {
		extras[p.nextras].key = "placeholder";
		extras[p.nextras].kind = PX_BOOL;
		extras[p.nextras].b = 1;
		p.nextras++;
	}
	pb_add(it->c->pb, &p);
}

static int parse_key(struct item *it, const char *key)
{
	const char *bar = strchr(key, '|');
	struct sigma_ctx *c = it->c;
	char *field;

	it->nmods = 0;
	field = bar ? xstrndup(key, (size_t)(bar - key)) : xstrdup(key);
	it->field = *field ? field : NULL;
	if (!*field)
		free(field);
	while (bar) {
		const char *name = bar + 1, *next = strchr(name, '|');
		size_t n = next ? (size_t)(next - name) : strlen(name), k;
		int found = 0;

		for (k = 0; k < sizeof(modifiers) / sizeof(modifiers[0]); k++) {
			if (strlen(modifiers[k].name) == n && memcmp(modifiers[k].name, name, n) == 0) {
				found = 1;
				break;
			}
		}
		if (!found) {
			rule_error(c->rule, it->line, PARSE_PARTIAL, "unknown modifier '%.*s' in '%.100s'",
				   (int)n, name, key);
			return -1;
		}
		if (it->nmods == MAX_MODS) {
			rule_error(c->rule, it->line, PARSE_PARTIAL, "too many modifiers in '%.100s'", key);
			return -1;
		}
		it->modnames[it->nmods].s = name;
		it->modnames[it->nmods].n = n;
		it->mods[it->nmods++] = modifiers[k].mod;
		if (modifiers[k].mod == M_NEQ)
			it->negated = !it->negated;
		bar = next;
	}
	return 0;
}

struct sigma_scratch {
	struct svlist a, b;
	struct strbuf err;
};

struct sigma_scratch *sigma_scratch_new(void)
{
	struct sigma_scratch *s = xcalloc(1, sizeof(*s));

	strbuf_init(&s->err, 64);
	return s;
}

void sigma_scratch_free(struct sigma_scratch *s)
{
	if (!s)
		return;
	svlist_release(&s->a);
	svlist_release(&s->b);
	strbuf_release(&s->err);
	free(s);
}

static void emit_value(struct item *it, const struct ynode *v, struct sigma_scratch *s)
{
	struct svlist *cur = &s->a, *next = &s->b;
	size_t k;

	if (v->kind != YNODE_SCALAR) {
		rule_error(it->c->rule, v->line, PARSE_PARTIAL,
			   "a value of '%.100s' is a %s, not a scalar", it->key,
			   v->kind == YNODE_MAP ? "map" : "list");
		return;
	}
	it->value = v;
	it->line = v->line;
	cur->n = 0;
	sval_from_scalar(svlist_push(cur), v);
	for (k = 0; k < it->nmods; k++) {
		strbuf_reset(&s->err);
		if (apply_mod(it, k, &cur, &next, &s->err) < 0) {
			rule_error(it->c->rule, v->line, PARSE_PARTIAL, "'%.100s': %s", it->key, s->err.buf);
			return;
		}
	}
	for (k = 0; k < cur->n; k++) {
		/* a keyword search matches text: a number is its digits */
		if (!it->field && (cur->v[k].kind == SV_NUM || cur->v[k].kind == SV_BOOL))
			to_string(it, &cur->v[k]);
		emit(it, &cur->v[k]);
	}
}

static void emit_item(struct sigma_ctx *c, const char *key, const struct ynode *val, int negated,
		      const char *sel, struct sigma_scratch *s)
{
	struct item it;
	size_t i;

	memset(&it, 0, sizeof(it));
	it.c = c;
	it.key = key;
	it.negated = negated;
	it.sel = sel;
	it.line = val->line;
	if (parse_key(&it, key) == 0) {
		if (val->kind == YNODE_SEQ) {
			if (val->n == 0)
				rule_error(c->rule, val->line, PARSE_PARTIAL,
					   "'%.100s' has an empty list of values", key);
			for (i = 0; i < val->n; i++)
				emit_value(&it, val->vals[i], s);
		} else {
			emit_value(&it, val, s);
		}
	}
	free((char *)it.field);
}

static void emit_map(struct sigma_ctx *c, const struct ynode *m, int negated, const char *sel,
		     struct sigma_scratch *s)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		if (ynode_key_overridden(m, i))
			continue;
		emit_item(c, m->keys[i]->str, m->vals[i], negated, sel, s);
	}
}

void sigma_emit_identifier(struct sigma_ctx *c, size_t idx, int negated)
{
	const struct ynode *v = c->detection->vals[idx];
	unsigned char bit = negated ? 2 : 1;
	struct sigma_scratch *s = c->scratch;
	const char *sel = c->detection->keys[idx]->str;
	size_t i;

	if (c->emitted[idx] & bit)
		return;
	c->emitted[idx] |= bit;
	if (v->kind == YNODE_MAP) {
		emit_map(c, v, negated, sel, s);
	} else if (v->kind == YNODE_SEQ) {
		for (i = 0; i < v->n; i++) {
			const struct ynode *e = v->vals[i];

			if (e->kind == YNODE_MAP)
				emit_map(c, e, negated, sel, s);
			else if (e->kind == YNODE_SCALAR)
				emit_item(c, "", e, negated, sel, s);
			else
				rule_error(c->rule, e->line, PARSE_PARTIAL,
					   "search identifier '%.100s' holds a nested list",
					   c->detection->keys[idx]->str);
		}
	} else if (v->type != YSCALAR_NULL) {
		emit_item(c, "", v, negated, sel, s);
	} else {
		rule_error(c->rule, v->line, PARSE_PARTIAL, "search identifier '%.100s' is empty",
			   c->detection->keys[idx]->str);
	}
}
