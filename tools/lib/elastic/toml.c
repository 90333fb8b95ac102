/*
 * A strict TOML 1.0 reader (toml.h): one pass of recursive descent over the
 * text, building the jansson tree as it goes.
 *
 * What TOML forbids about tables depends on how each table came to be, which
 * jansson cannot record; a side table (struct meta) keyed by node address
 * holds it for the tables made by headers and dotted keys and for arrays of
 * tables. Everything else (inline tables, arrays written as values and all
 * they hold) has no entry, and no entry means sealed.
 */
#include "elastic/toml.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "common/util.h"

enum {
	T_HEADER = 1,	/* defined by a [header], or an element of [[header]] */
	T_DOTTED = 2,	/* defined by dotted keys, in section `section` only */
	T_AOT = 4	/* an array made by [[header]] */
};

struct meta_entry {
	const json_t *node;
	unsigned flags, section, depth;
};

/* Open addressing on the node address; cap is a power of two, at most half full. */
struct meta {
	struct meta_entry *v;
	size_t n, cap;
};

struct parser {
	const char *s;
	size_t len, pos;
	json_t *root;
	struct meta meta;
	/*
	 * Dotted keys may add to a table only within the section that made it:
	 * every [header] and every inline table opens a new section.
	 */
	unsigned section, nsections;
	struct toml_error *err;
	int failed;
};

/* The parts of a dotted key, one after another in text: part i is off[i]..off[i+1]. */
struct key {
	struct strbuf text;
	size_t off[TOML_MAX_DEPTH + 1];
	size_t n;
};

/* ---- the side table ---- */

static size_t meta_slot(const struct meta *m, const json_t *node)
{
	uintptr_t h = (uintptr_t)node;

	h ^= h >> 17;
	h *= (uintptr_t)0x9e3779b97f4a7c15ULL;
	return (size_t)(h >> 7) & (m->cap - 1);
}

/* The entry of node, or NULL; valid until the next meta_put(). */
static struct meta_entry *meta_get(const struct meta *m, const json_t *node)
{
	size_t i;

	if (!m->cap || !node)
		return NULL;
	for (i = meta_slot(m, node); m->v[i].node; i = (i + 1) & (m->cap - 1))
		if (m->v[i].node == node)
			return &m->v[i];
	return NULL;
}

static void meta_put(struct meta *m, const json_t *node, unsigned flags, unsigned section,
		     unsigned depth)
{
	size_t i;

	if (2 * (m->n + 1) > m->cap) {
		struct meta old = *m;

		m->cap = old.cap ? old.cap * 2 : 64;
		m->v = xcalloc(m->cap, sizeof(*m->v));
		m->n = 0;
		for (i = 0; i < old.cap; i++)
			if (old.v[i].node)
				meta_put(m, old.v[i].node, old.v[i].flags, old.v[i].section,
					 old.v[i].depth);
		free(old.v);
	}
	for (i = meta_slot(m, node); m->v[i].node; i = (i + 1) & (m->cap - 1))
		;
	m->v[i].node = node;
	m->v[i].flags = flags;
	m->v[i].section = section;
	m->v[i].depth = depth;
	m->n++;
}

/* ---- errors ---- */

static unsigned line_at(const struct parser *p, size_t pos)
{
	const char *s = p->s, *end = p->s + pos, *nl;
	unsigned line = 1;

	while (s < end && (nl = memchr(s, '\n', (size_t)(end - s)))) {
		line++;
		s = nl + 1;
	}
	return line;
}

/* Record the first error, at byte offset pos. Always returns -1. */
__attribute__((format(printf, 3, 4)))
static int fail_at(struct parser *p, size_t pos, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return -1;
	p->failed = 1;
	p->err->line = line_at(p, pos);
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

#define fail(p, ...) fail_at((p), (p)->pos, __VA_ARGS__)

/* The character at pos, for a message: 'x', end of line, U+0007, ... */
static const char *describe(const struct parser *p, size_t pos, char *buf, size_t n)
{
	unsigned char c;

	if (pos >= p->len)
		return "end of file";
	c = (unsigned char)p->s[pos];
	if (c == '\n' || (c == '\r' && pos + 1 < p->len && p->s[pos + 1] == '\n'))
		return "end of line";
	if (c > 0x20 && c < 0x7f)
		snprintf(buf, n, "'%c'", c);
	else if (c < 0x80)
		snprintf(buf, n, "U+%04X", c);
	else
		return "a non-ASCII character";
	return buf;
}

/*
 * A key for a message, its parts joined by '.': at most about 80 bytes,
 * cut on a character boundary, control characters as '?', so the message
 * stays short, printable and valid UTF-8.
 */
static const char *key_display(const struct key *k, size_t nparts, char *buf, size_t n)
{
	size_t i, j, o = 0;

	for (i = 0; i < nparts && o + 8 < n; i++) {
		const char *s = k->text.buf + k->off[i];
		size_t len = k->off[i + 1] - k->off[i];

		if (i)
			buf[o++] = '.';
		for (j = 0; j < len && o + 4 < n; j++) {
			unsigned char c = (unsigned char)s[j];

			buf[o++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
		}
		if (j < len) {
			/* back up to the start of a character */
			while (o > 0 && ((unsigned char)buf[o - 1] & 0xc0) == 0x80)
				o--;
			if (o > 0 && (unsigned char)buf[o - 1] >= 0xc0)
				o--;
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
	}
	buf[o] = '\0';
	return buf;
}

/* ---- characters ---- */

static int peek(const struct parser *p)
{
	return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

static int peek_at(const struct parser *p, size_t off)
{
	return p->pos + off < p->len ? (unsigned char)p->s[p->pos + off] : -1;
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int is_bare(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '-' ||
		c == '_';
}

/* Controls TOML allows nowhere but as escapes (tab and newlines are checked apart). */
static int is_control(int c)
{
	return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7f;
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t'))
		p->pos++;
}

/* A newline (LF or CRLF) at pos: its length, else 0. */
static size_t newline_at(const struct parser *p, size_t pos)
{
	if (pos < p->len && p->s[pos] == '\n')
		return 1;
	if (pos + 1 < p->len && p->s[pos] == '\r' && p->s[pos + 1] == '\n')
		return 2;
	return 0;
}

/* From '#' to the end of the line (not included). */
static int comment(struct parser *p)
{
	for (p->pos++; p->pos < p->len; p->pos++) {
		int c = (unsigned char)p->s[p->pos];

		if (c == '\n' || newline_at(p, p->pos))
			return 0;
		if (is_control(c))
			return fail(p, "control character U+%04X in a comment", c);
	}
	return 0;
}

/* Whitespace, comments and newlines, as between the values of an array. */
static int skip_wcn(struct parser *p)
{
	for (;;) {
		size_t nl;

		skip_ws(p);
		if (peek(p) == '#' && comment(p) < 0)
			return -1;
		if (!(nl = newline_at(p, p->pos)))
			return 0;
		p->pos += nl;
	}
}

/* After a key/value pair or a header: whitespace, a comment, then a newline or the end. */
static int end_of_line(struct parser *p, const char *after)
{
	char buf[16];
	size_t nl;

	skip_ws(p);
	if (peek(p) == '#' && comment(p) < 0)
		return -1;
	if (p->pos == p->len)
		return 0;
	if ((nl = newline_at(p, p->pos))) {
		p->pos += nl;
		return 0;
	}
	return fail(p, "unexpected %s after %s", describe(p, p->pos, buf, sizeof(buf)), after);
}

/* ---- strings ---- */

static void put_utf8(struct strbuf *sb, unsigned long cp)
{
	char b[4];

	if (cp < 0x80) {
		b[0] = (char)cp;
		strbuf_add(sb, b, 1);
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		strbuf_add(sb, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		strbuf_add(sb, b, 3);
	} else {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		strbuf_add(sb, b, 4);
	}
}

/* At a backslash in a basic string: append what the escape stands for. */
static int escape(struct parser *p, struct strbuf *sb)
{
	size_t start = p->pos, ndig, i;
	unsigned long cp = 0;
	char buf[16];
	int c = peek_at(p, 1);

	p->pos += 2;
	switch (c) {
	case 'b': strbuf_addch(sb, '\b'); return 0;
	case 't': strbuf_addch(sb, '\t'); return 0;
	case 'n': strbuf_addch(sb, '\n'); return 0;
	case 'f': strbuf_addch(sb, '\f'); return 0;
	case 'r': strbuf_addch(sb, '\r'); return 0;
	case '"': strbuf_addch(sb, '"'); return 0;
	case '\\': strbuf_addch(sb, '\\'); return 0;
	case 'u': ndig = 4; break;
	case 'U': ndig = 8; break;
	default:
		if (c > 0x20 && c < 0x7f)
			return fail_at(p, start, "invalid escape '\\%c'", c);
		return fail_at(p, start, "invalid escape: '\\' followed by %s",
			       describe(p, start + 1, buf, sizeof(buf)));
	}
	for (i = 0; i < ndig; i++) {
		int h = peek(p);

		if (!is_hex(h))
			return fail_at(p, start, "\\%c needs %zu hexadecimal digits", c, ndig);
		cp = cp * 16 + (unsigned long)(is_digit(h) ? h - '0' : (h | 0x20) - 'a' + 10);
		p->pos++;
	}
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return fail_at(p, start, "\\%c%0*lX is not a Unicode scalar value", c, (int)ndig, cp);
	put_utf8(sb, cp);
	return 0;
}

/* "..." on one line, the opening quote at pos. */
static int basic_string(struct parser *p, struct strbuf *sb)
{
	size_t start = p->pos++;

	for (;;) {
		size_t run = p->pos;
		int c;

		while (run < p->len) {
			c = (unsigned char)p->s[run];
			if (c == '"' || c == '\\' || is_control(c))
				break;
			run++;
		}
		strbuf_add(sb, p->s + p->pos, run - p->pos);
		p->pos = run;
		c = peek(p);
		if (c == '"') {
			p->pos++;
			return 0;
		}
		if (c == '\\') {
			if (escape(p, sb) < 0)
				return -1;
			continue;
		}
		if (c < 0 || c == '\n' || c == '\r')
			return fail_at(p, start, "unterminated string");
		return fail(p, "control character U+%04X in a string (escape it)", c);
	}
}

/* '...' on one line: no escapes. */
static int literal_string(struct parser *p, struct strbuf *sb)
{
	size_t start = p->pos++, run = p->pos;
	int c = -1;

	while (run < p->len) {
		c = (unsigned char)p->s[run];
		if (c == '\'' || is_control(c))
			break;
		run++;
	}
	strbuf_add(sb, p->s + p->pos, run - p->pos);
	p->pos = run;
	if (run < p->len && c == '\'') {
		p->pos++;
		return 0;
	}
	if (run == p->len || c == '\n' || c == '\r')
		return fail_at(p, start, "unterminated string");
	return fail(p, "control character U+%04X in a literal string", c);
}

/*
 * At a run of quote characters q inside a multi-line string: up to two are
 * content, three end the string and up to two more before them are content
 * too (""""a"""" is `"a"`). Returns 1 at the end, 0 to go on, -1 on error.
 */
static int ml_quotes(struct parser *p, struct strbuf *sb, char q)
{
	size_t k = 0;

	while (p->pos + k < p->len && p->s[p->pos + k] == q)
		k++;
	if (k < 3) {
		strbuf_add(sb, p->s + p->pos, k);
		p->pos += k;
		return 0;
	}
	if (k > 5)
		return fail(p, "too many quotes (%zu) at the end of a multi-line string", k);
	strbuf_add(sb, p->s + p->pos, k - 3);
	p->pos += k;
	return 1;
}

/*
 * A backslash that ends a line (only blanks after it) in a multi-line basic
 * string: it and all blanks and newlines after it vanish. Returns 1 when
 * that was one, 0 when the backslash is an ordinary escape.
 */
static int line_ending_backslash(struct parser *p)
{
	size_t i = p->pos + 1, nl;

	while (i < p->len && (p->s[i] == ' ' || p->s[i] == '\t'))
		i++;
	if (!newline_at(p, i))
		return 0;
	for (;;) {
		if (i < p->len && (p->s[i] == ' ' || p->s[i] == '\t'))
			i++;
		else if ((nl = newline_at(p, i)))
			i += nl;
		else
			break;
	}
	p->pos = i;
	return 1;
}

/* """...""" or '''...''', the opening delimiter at pos. */
static int ml_string(struct parser *p, struct strbuf *sb, char q)
{
	size_t start = p->pos, nl;
	int basic = q == '"';

	p->pos += 3;
	/* a newline right after the opening delimiter is not content */
	p->pos += newline_at(p, p->pos);
	for (;;) {
		size_t run = p->pos;
		int c, r;

		while (run < p->len) {
			c = (unsigned char)p->s[run];
			if (c == q || c == '\r' || (basic && c == '\\') || (is_control(c) && c != '\n'))
				break;
			run++;
		}
		strbuf_add(sb, p->s + p->pos, run - p->pos);
		p->pos = run;
		c = peek(p);
		if (c < 0)
			return fail_at(p, start, "unterminated multi-line string");
		if (c == q) {
			if ((r = ml_quotes(p, sb, q)) != 0)
				return r < 0 ? -1 : 0;
		} else if (c == '\\') {
			if (!line_ending_backslash(p) && escape(p, sb) < 0)
				return -1;
		} else if ((nl = newline_at(p, p->pos))) {
			strbuf_addch(sb, '\n');		/* CRLF as LF */
			p->pos += nl;
		} else {
			return fail(p, "control character U+%04X in a multi-line string", c);
		}
	}
}

/* ---- keys ---- */

static void key_init(struct key *k)
{
	strbuf_init(&k->text, 32);
	k->n = 0;
	k->off[0] = 0;
}

/* simple-key *( ws '.' ws simple-key ) */
static int parse_key(struct parser *p, struct key *k)
{
	char buf[16];

	for (;;) {
		int c = peek(p);

		if (k->n == TOML_MAX_DEPTH)
			return fail(p, "key has more than %d dotted parts", TOML_MAX_DEPTH);
		if ((c == '"' || c == '\'') && peek_at(p, 1) == c && peek_at(p, 2) == c)
			return fail(p, "a multi-line string cannot be a key");
		if (c == '"') {
			if (basic_string(p, &k->text) < 0)
				return -1;
		} else if (c == '\'') {
			if (literal_string(p, &k->text) < 0)
				return -1;
		} else if (is_bare(c)) {
			size_t b = p->pos;

			while (is_bare(peek(p)))
				p->pos++;
			strbuf_add(&k->text, p->s + b, p->pos - b);
		} else {
			return fail(p, "expected a key, found %s", describe(p, p->pos, buf, sizeof(buf)));
		}
		k->off[++k->n] = k->text.len;
		skip_ws(p);
		if (peek(p) != '.')
			return 0;
		p->pos++;
		skip_ws(p);
	}
}

static const char *part(const struct key *k, size_t i, size_t *len)
{
	*len = k->off[i + 1] - k->off[i];
	return k->text.buf + k->off[i];
}

/* ---- values ---- */

static json_t *parse_value(struct parser *p, unsigned depth);
static int keyval(struct parser *p, json_t *table, unsigned depth);

static int digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_digit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int num2(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

static int days_in_month(int year, int month)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

/* HH:MM:SS[.frac] at s[0..n): its length, or 0 when it is not one. */
static size_t time_len(const char *s, size_t n)
{
	size_t i = 8;

	if (n < 8 || !digits(s, 2) || s[2] != ':' || !digits(s + 3, 2) || s[5] != ':' ||
	    !digits(s + 6, 2))
		return 0;
	if (num2(s) > 23 || num2(s + 3) > 59 || num2(s + 6) > 60)
		return 0;
	if (i < n && s[i] == '.') {
		if (i + 1 >= n || !is_digit((unsigned char)s[i + 1]))
			return 0;
		for (i++; i < n && is_digit((unsigned char)s[i]); i++)
			;
	}
	return i;
}

/*
 * A date, a time or a date-time (RFC 3339, with TOML's space or 't' between
 * date and time), checked and kept as written.
 */
static json_t *date_time(struct parser *p)
{
	const char *s = p->s + p->pos;
	size_t n = p->len - p->pos, i, t;

	if (n >= 3 && s[2] == ':') {
		if (!(i = time_len(s, n)))
			return fail(p, "invalid local time"), NULL;
		goto done;
	}
	if (n < 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
	    !digits(s + 8, 2))
		return fail(p, "invalid date"), NULL;
	{
		int year = (s[0] - '0') * 1000 + num2(s + 1) * 10 + (s[3] - '0');
		int month = num2(s + 5), day = num2(s + 8);

		if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month))
			return fail(p, "invalid date %.10s", s), NULL;
	}
	i = 10;
	/* a space starts the time only when a time follows; otherwise it ends the date */
	if (i < n && (s[i] == 'T' || s[i] == 't' ||
		      (s[i] == ' ' && n > i + 3 && digits(s + i + 1, 2) && s[i + 3] == ':'))) {
		if (!(t = time_len(s + i + 1, n - i - 1)))
			return fail(p, "invalid time in a date-time"), NULL;
		i += 1 + t;
		if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
			i++;
		} else if (i < n && (s[i] == '+' || s[i] == '-')) {
			if (n < i + 6 || !digits(s + i + 1, 2) || s[i + 3] != ':' ||
			    !digits(s + i + 4, 2) || num2(s + i + 1) > 23 || num2(s + i + 4) > 59)
				return fail(p, "invalid time offset in a date-time"), NULL;
			i += 6;
		}
	}
done:
	p->pos += i;
	return json_stringn_nocheck(s, i);
}

/* digit *( digit / '_' digit ) at s[*i], radix 10 (or 16, 8, 2): 0 when malformed */
static int digit_run(const char *s, size_t n, size_t *i, int radix)
{
	int seen = 0;

	for (; *i < n; (*i)++) {
		int c = (unsigned char)s[*i];
		int ok = radix == 16 ? is_hex(c) : c >= '0' && c < '0' + radix;

		if (ok) {
			seen = 1;
		} else if (c == '_') {
			if (!seen || *i + 1 >= n)
				return 0;
			c = (unsigned char)s[*i + 1];
			if (!(radix == 16 ? is_hex(c) : c >= '0' && c < '0' + radix))
				return 0;
		} else {
			break;
		}
	}
	return seen;
}

/* Without underscores, NUL-terminated, for strtoll/strtod. */
static char *strip_underscores(const char *s, size_t n)
{
	char *o = xmalloc(n + 1);
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (s[i] != '_')
			o[k++] = s[i];
	o[k] = '\0';
	return o;
}

static json_t *radix_integer(struct parser *p, const char *s, size_t n)
{
	int radix = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : 2;
	size_t i = 2;
	char *d;
	long long v;

	if (!digit_run(s, n, &i, radix) || i != n)
		return fail(p, "invalid %s integer '%.*s'", radix == 16 ? "hexadecimal" :
			    radix == 8 ? "octal" : "binary", (int)(n > 40 ? 40 : n), s), NULL;
	d = strip_underscores(s + 2, n - 2);
	errno = 0;
	v = strtoll(d, NULL, radix);
	free(d);
	if (errno == ERANGE)
		return fail(p, "integer '%.*s' does not fit in 64 bits", (int)(n > 40 ? 40 : n), s),
			NULL;
	p->pos += n;
	return json_integer(v);
}

/*
 * An integer or float token (the characters a number can hold, up to the
 * first other one). Leading zeros are refused, '_' must sit between digits,
 * a '.' needs digits on both sides.
 */
static json_t *number(struct parser *p)
{
	const char *s = p->s + p->pos;
	size_t n = 0, i = 0, show;
	int is_float = 0;
	char *d;
	json_t *v;

	while (p->pos + n < p->len && (is_bare((unsigned char)s[n]) || s[n] == '.' || s[n] == '+'))
		n++;
	show = n > 40 ? 40 : n;
	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b'))
		return radix_integer(p, s, n);
	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	if ((n - i == 3 && (!memcmp(s + i, "inf", 3) || !memcmp(s + i, "nan", 3)))) {
		p->pos += n;
		return json_stringn_nocheck(s, n);	/* not finite: kept as written */
	}
	if (i == n || !is_digit((unsigned char)s[i]))
		return fail(p, "expected a value, found '%.*s'", (int)show, s), NULL;
	if (s[i] == '0' && i + 1 < n && (is_digit((unsigned char)s[i + 1]) || s[i + 1] == '_'))
		return fail(p, "leading zero in '%.*s'", (int)show, s), NULL;
	if (!digit_run(s, n, &i, 10))
		return fail(p, "invalid number '%.*s'", (int)show, s), NULL;
	if (i < n && s[i] == '.') {
		i++;
		is_float = 1;
		if (!digit_run(s, n, &i, 10))
			return fail(p, "invalid float '%.*s' (digits must follow '.')", (int)show, s), NULL;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		is_float = 1;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (!digit_run(s, n, &i, 10))
			return fail(p, "invalid float '%.*s' (bad exponent)", (int)show, s), NULL;
	}
	if (i != n)
		return fail(p, "invalid number '%.*s'", (int)show, s), NULL;
	d = strip_underscores(s, n);
	errno = 0;
	if (is_float) {
		double f = strtod(d, NULL);

		/* overflow: binary64 has no finite value for it, keep the text */
		v = errno == ERANGE && (f > 1.0 || f < -1.0) ? json_stringn_nocheck(s, n) : json_real(f);
	} else {
		long long x = strtoll(d, NULL, 10);

		v = errno == ERANGE ? NULL : json_integer(x);
		if (!v)
			fail(p, "integer '%.*s' does not fit in 64 bits", (int)show, s);
	}
	free(d);
	if (v)
		p->pos += n;
	return v;
}

static json_t *number_or_date(struct parser *p)
{
	const char *s = p->s + p->pos;
	size_t n = p->len - p->pos;

	if ((n >= 5 && digits(s, 4) && s[4] == '-') || (n >= 3 && digits(s, 2) && s[2] == ':'))
		return date_time(p);
	return number(p);
}

/* [ values, newlines and comments allowed, trailing comma allowed ] */
static json_t *parse_array(struct parser *p, unsigned depth)
{
	json_t *a, *v;
	size_t start = p->pos;
	char buf[16];

	if (depth > TOML_MAX_DEPTH)
		return fail(p, "nested deeper than %d levels", TOML_MAX_DEPTH), NULL;
	a = json_array();
	p->pos++;
	for (;;) {
		if (skip_wcn(p) < 0)
			goto bad;
		if (p->pos == p->len) {
			fail_at(p, start, "unterminated array");
			goto bad;
		}
		if (peek(p) == ']')
			break;
		if (!(v = parse_value(p, depth + 1)))
			goto bad;
		json_array_append_new(a, v);
		if (skip_wcn(p) < 0)
			goto bad;
		if (peek(p) == ',') {
			p->pos++;
			continue;
		}
		if (peek(p) == ']')
			break;
		if (p->pos == p->len)
			fail_at(p, start, "unterminated array");
		else
			fail(p, "expected ',' or ']' in an array, found %s",
			     describe(p, p->pos, buf, sizeof(buf)));
		goto bad;
	}
	p->pos++;
	return a;
bad:
	json_decref(a);
	return NULL;
}

/* { key = value, ... } on one line, no trailing comma; sealed once closed */
static json_t *parse_inline_table(struct parser *p, unsigned depth)
{
	unsigned outer = p->section;
	json_t *t;
	char buf[16];

	if (depth > TOML_MAX_DEPTH)
		return fail(p, "nested deeper than %d levels", TOML_MAX_DEPTH), NULL;
	t = json_object();
	p->section = ++p->nsections;
	p->pos++;
	skip_ws(p);
	if (peek(p) == '}')
		goto done;
	for (;;) {
		if (keyval(p, t, depth) < 0)
			goto bad;
		skip_ws(p);
		if (peek(p) == ',') {
			p->pos++;
			skip_ws(p);
			if (peek(p) == '}') {
				fail(p, "trailing comma in an inline table");
				goto bad;
			}
			continue;
		}
		if (peek(p) == '}')
			break;
		if (p->pos == p->len || newline_at(p, p->pos))
			fail(p, "an inline table must close on its line");
		else
			fail(p, "expected ',' or '}' in an inline table, found %s",
			     describe(p, p->pos, buf, sizeof(buf)));
		goto bad;
	}
done:
	p->pos++;
	p->section = outer;
	return t;
bad:
	p->section = outer;
	json_decref(t);
	return NULL;
}

static json_t *string_value(struct parser *p)
{
	struct strbuf sb;
	int q = peek(p), r;
	json_t *v;

	strbuf_init(&sb, 0);	/* buf set even for "" */
	if (peek_at(p, 1) == q && peek_at(p, 2) == q)
		r = ml_string(p, &sb, (char)q);
	else if (q == '"')
		r = basic_string(p, &sb);
	else
		r = literal_string(p, &sb);
	/* valid by construction: the document passed UTF-8 validation, escapes are scalar values */
	v = r < 0 ? NULL : json_stringn_nocheck(sb.buf, sb.len);
	strbuf_release(&sb);
	return v;
}

/* A value; depth is the one it will sit at (arrays and inline tables count it). */
static json_t *parse_value(struct parser *p, unsigned depth)
{
	int c = peek(p);
	char buf[16];

	switch (c) {
	case '"':
	case '\'':
		return string_value(p);
	case '[':
		return parse_array(p, depth);
	case '{':
		return parse_inline_table(p, depth);
	case 't':
		if (p->len - p->pos >= 4 && !memcmp(p->s + p->pos, "true", 4)) {
			p->pos += 4;
			return json_true();
		}
		break;
	case 'f':
		if (p->len - p->pos >= 5 && !memcmp(p->s + p->pos, "false", 5)) {
			p->pos += 5;
			return json_false();
		}
		break;
	case 'i':
	case 'n':
	case '+':
	case '-':
		return number(p);
	default:
		if (is_digit(c))
			return number_or_date(p);
	}
	if (c < 0 || newline_at(p, p->pos) || c == '#')
		return fail(p, "missing value"), NULL;
	return fail(p, "expected a value, found %s", describe(p, p->pos, buf, sizeof(buf))), NULL;
}

/* ---- tables ---- */

/*
 * The table that the last part of a dotted key goes into, for a pair in
 * table t (at *depth): intermediate tables are made, or reused when this
 * section made them (or a header path made them in passing); never an
 * inline table, a table a header defined, or one made by an earlier
 * section's dotted keys.
 */
static json_t *dotted_parent(struct parser *p, json_t *t, unsigned *depth, const struct key *k)
{
	char buf[96];
	size_t i, len;

	for (i = 0; i + 1 < k->n; i++) {
		const char *name = part(k, i, &len);
		json_t *c = json_object_getn(t, name, len);
		struct meta_entry *m = meta_get(&p->meta, c);

		if (!c) {
			if (*depth + 1 > TOML_MAX_DEPTH)
				return fail(p, "nested deeper than %d levels", TOML_MAX_DEPTH), NULL;
			c = json_object();
			json_object_setn_new_nocheck(t, name, len, c);
			meta_put(&p->meta, c, T_DOTTED, p->section, ++*depth);
			t = c;
			continue;
		}
		if (!json_is_object(c))
			return fail(p, "'%s' is already a value, not a table",
				    key_display(k, i + 1, buf, sizeof(buf))), NULL;
		if (!m)
			return fail(p, "cannot add keys to the inline table '%s'",
				    key_display(k, i + 1, buf, sizeof(buf))), NULL;
		if (m->flags & T_HEADER)
			return fail(p, "table '%s' is defined by a header: dotted keys cannot add to it",
				    key_display(k, i + 1, buf, sizeof(buf))), NULL;
		if ((m->flags & T_DOTTED) && m->section != p->section)
			return fail(p, "table '%s' was defined by dotted keys before: cannot add to it here",
				    key_display(k, i + 1, buf, sizeof(buf))), NULL;
		m->flags |= T_DOTTED;
		m->section = p->section;
		*depth = m->depth;
		t = c;
	}
	return t;
}

/* key = value, into table t at depth */
static int keyval(struct parser *p, json_t *t, unsigned depth)
{
	struct key k;
	char buf[96];
	const char *name;
	size_t len;
	json_t *parent, *v;
	int rc = -1;

	key_init(&k);
	if (parse_key(p, &k) < 0)
		goto out;
	if (peek(p) != '=') {
		fail(p, "expected '=' after the key '%s'", key_display(&k, k.n, buf, sizeof(buf)));
		goto out;
	}
	p->pos++;
	skip_ws(p);
	if (!(parent = dotted_parent(p, t, &depth, &k)))
		goto out;
	name = part(&k, k.n - 1, &len);
	if (json_object_getn(parent, name, len)) {
		fail(p, "duplicate key '%s'", key_display(&k, k.n, buf, sizeof(buf)));
		goto out;
	}
	if (!(v = parse_value(p, depth + 1)))
		goto out;
	json_object_setn_new_nocheck(parent, name, len, v);
	rc = 0;
out:
	strbuf_release(&k.text);
	return rc;
}

/*
 * A [header] or [[header]] path from the root: missing tables are made on
 * the way, an array of tables leads into its last element. Returns the
 * table the following pairs go into, and its depth.
 */
static json_t *header_table(struct parser *p, const struct key *k, int array, unsigned *depth)
{
	json_t *t = p->root, *c;
	unsigned d = 0;
	char buf[96];
	size_t i, len;

	for (i = 0; i < k->n; i++) {
		const char *name = part(k, i, &len);
		int last = i + 1 == k->n;
		struct meta_entry *m;

		c = json_object_getn(t, name, len);
		if (!c) {
			if (d + 1 + (last && array) > TOML_MAX_DEPTH)
				return fail(p, "nested deeper than %d levels", TOML_MAX_DEPTH), NULL;
			if (last && array) {
				json_t *elem = json_object();

				c = json_array();
				json_object_setn_new_nocheck(t, name, len, c);
				meta_put(&p->meta, c, T_AOT, 0, d + 1);
				json_array_append_new(c, elem);
				meta_put(&p->meta, elem, T_HEADER, 0, d + 2);
				*depth = d + 2;
				return elem;
			}
			c = json_object();
			json_object_setn_new_nocheck(t, name, len, c);
			meta_put(&p->meta, c, last ? T_HEADER : 0, 0, ++d);
			t = c;
			continue;
		}
		m = meta_get(&p->meta, c);
		if (!m || !(json_is_object(c) || (m->flags & T_AOT))) {
			if (json_is_object(c))
				return fail(p, "cannot add to the inline table '%s'",
					    key_display(k, i + 1, buf, sizeof(buf))), NULL;
			return fail(p, "'%s' is already a value, not a table",
				    key_display(k, i + 1, buf, sizeof(buf))), NULL;
		}
		if (m->flags & T_AOT) {
			if (last && !array)
				return fail(p, "'%s' is an array of tables, not a table",
					    key_display(k, i + 1, buf, sizeof(buf))), NULL;
			if (last) {
				/* m dies when meta_put() grows the table */
				unsigned ed = m->depth + 1;
				json_t *elem;

				if (ed > TOML_MAX_DEPTH)
					return fail(p, "nested deeper than %d levels", TOML_MAX_DEPTH), NULL;
				elem = json_object();
				json_array_append_new(c, elem);
				meta_put(&p->meta, elem, T_HEADER, 0, ed);
				*depth = ed;
				return elem;
			}
			c = json_array_get(c, json_array_size(c) - 1);
			m = meta_get(&p->meta, c);
		} else if (last) {
			if (array)
				return fail(p, "'%s' is a table, not an array of tables",
					    key_display(k, i + 1, buf, sizeof(buf))), NULL;
			if (m->flags & (T_HEADER | T_DOTTED))
				return fail(p, "table '%s' is defined twice",
					    key_display(k, i + 1, buf, sizeof(buf))), NULL;
			m->flags |= T_HEADER;
		}
		d = m->depth;
		t = c;
	}
	*depth = d;
	return t;
}

static int header(struct parser *p, json_t **table, unsigned *depth)
{
	struct key k;
	int array, rc = -1;
	json_t *t;

	key_init(&k);
	array = peek_at(p, 1) == '[';
	p->pos += array ? 2 : 1;
	skip_ws(p);
	if (parse_key(p, &k) < 0)
		goto out;
	if (peek(p) != ']' || (array && peek_at(p, 1) != ']')) {
		fail(p, "expected '%s' to close the header", array ? "]]" : "]");
		goto out;
	}
	p->pos += array ? 2 : 1;
	if (!(t = header_table(p, &k, array, depth)))
		goto out;
	*table = t;
	p->section = ++p->nsections;
	rc = 0;
out:
	strbuf_release(&k.text);
	return rc;
}

/* ---- the document ---- */

int toml_load(const char *text, size_t len, json_t **out, struct toml_error *e)
{
	struct parser p;
	json_t *table;
	unsigned depth = 0;
	size_t bad;

	memset(&p, 0, sizeof(p));
	p.s = text;
	p.len = len;
	p.err = e;
	e->line = 0;
	e->msg[0] = '\0';
	*out = NULL;
	if ((bad = utf8_invalid_at(text, len)) != UTF8_VALID)
		return fail_at(&p, bad, "invalid UTF-8");
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		p.pos = 3;
	p.root = table = json_object();
	while (!p.failed) {
		skip_ws(&p);
		if (p.pos == p.len)
			break;
		if (peek(&p) == '[') {
			if (header(&p, &table, &depth) < 0)
				break;
			end_of_line(&p, "a table header");
		} else if (peek(&p) != '#' && !newline_at(&p, p.pos)) {
			if (keyval(&p, table, depth) < 0)
				break;
			end_of_line(&p, "a value");
		} else {
			end_of_line(&p, "a comment");
		}
	}
	free(p.meta.v);
	if (p.failed) {
		json_decref(p.root);
		return -1;
	}
	*out = p.root;
	return 0;
}

int toml_parse(const char *text, size_t len, json_t **out, char *err, size_t errlen)
{
	struct toml_error e;

	if (toml_load(text, len, out, &e) == 0)
		return 0;
	if (errlen)
		snprintf(err, errlen, "line %u: %s", e.line, e.msg);
	return -1;
}
