#include "io/rawfile.h"
#include "common/text.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

void raw_file_release(struct raw_file *r)
{
	free(r->vendor);
	free(r->source);
	free(r->path);
	free(r->text);
	free(r->error);
	free(r->url);
	memset(r, 0, sizeof(*r));
}

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
		: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static int hex4(const char *p, const char *end, unsigned *out)
{
	int i, v;

	if (end - p < 4)
		return -1;
	for (*out = 0, i = 0; i < 4; i++) {
		if ((v = hexval((unsigned char)p[i])) < 0)
			return -1;
		*out = *out << 4 | (unsigned)v;
	}
	return 0;
}

static void put_utf8(struct strbuf *sb, unsigned cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 63));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | cp >> 12);
		b[1] = (char)(0x80 | (cp >> 6 & 63));
		b[2] = (char)(0x80 | (cp & 63));
		n = 3;
	} else {
		b[0] = (char)(0xF0 | cp >> 18);
		b[1] = (char)(0x80 | (cp >> 12 & 63));
		b[2] = (char)(0x80 | (cp >> 6 & 63));
		b[3] = (char)(0x80 | (cp & 63));
		n = 4;
	}
	strbuf_add(sb, b, n);
}

/* A JSON string at *pp (after its '"'), decoded into sb (may be NULL: skip). */
static int json_str(const char **pp, const char *end, struct strbuf *sb)
{
	const char *p = *pp;

	for (;;) {
		const char *run = p;
		unsigned cp, lo;

		while (p < end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
			p++;
		if (sb)
			strbuf_add(sb, run, (size_t)(p - run));
		if (p >= end || (unsigned char)*p < 0x20)
			return -1;
		if (*p == '"') {
			*pp = p + 1;
			return 0;
		}
		if (++p >= end)
			return -1;
		switch (*p++) {
		case '"': cp = '"'; break;
		case '\\': cp = '\\'; break;
		case '/': cp = '/'; break;
		case 'b': cp = '\b'; break;
		case 'f': cp = '\f'; break;
		case 'n': cp = '\n'; break;
		case 'r': cp = '\r'; break;
		case 't': cp = '\t'; break;
		case 'u':
			if (hex4(p, end, &cp) < 0)
				return -1;
			p += 4;
			if (cp >= 0xD800 && cp < 0xDC00) {
				if (end - p < 6 || p[0] != '\\' || p[1] != 'u' ||
				    hex4(p + 2, end, &lo) < 0 || lo < 0xDC00 || lo > 0xDFFF)
					return -1;
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				p += 6;
			} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
				return -1;
			}
			break;
		default:
			return -1;
		}
		if (sb)
			put_utf8(sb, cp);
	}
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* Skip any JSON value (nested ones by bracket counting, strings respected). */
static int skip_value(const char **pp, const char *end)
{
	const char *p = *pp;
	size_t depth = 0;

	do {
		p = skip_ws(p, end);
		if (p >= end)
			return -1;
		if (*p == '"') {
			p++;
			if (json_str(&p, end, NULL) < 0)
				return -1;
		} else if (*p == '{' || *p == '[') {
			depth++;
			p++;
		} else if (*p == '}' || *p == ']') {
			if (depth == 0)
				return -1;
			depth--;
			p++;
		} else if (*p == ',' || *p == ':') {
			if (depth == 0)
				return -1;
			p++;
		} else {
			const char *b = p;

			while (p < end && strchr("+-.0123456789eEtrufalsn", *p))
				p++;
			if (p == b)
				return -1;
		}
	} while (depth > 0);
	*pp = p;
	return 0;
}

/* Decode the raw-file fields of one record; -1 with err set when the line is not one. */
int raw_file_decode(const char *line, size_t len, struct raw_file *out, const char **err)
{
	const char *p = line, *end = line + len;
	struct strbuf key = STRBUF_INIT, val = STRBUF_INIT;
	int rc = -1;

	*err = "not a JSON object";
	p = skip_ws(p, end);
	if (p >= end || *p++ != '{')
		goto out;
	p = skip_ws(p, end);
	if (p < end && *p == '}') {
		p++;
		goto done;
	}
	for (;;) {
		char **dst = NULL;

		p = skip_ws(p, end);
		if (p >= end || *p++ != '"')
			goto out;
		strbuf_reset(&key);
		if (json_str(&p, end, &key) < 0)
			goto out;
		p = skip_ws(p, end);
		if (p >= end || *p++ != ':')
			goto out;
		p = skip_ws(p, end);
		if (!strcmp(key.buf, "vendor"))
			dst = &out->vendor;
		else if (!strcmp(key.buf, "source"))
			dst = &out->source;
		else if (!strcmp(key.buf, "path"))
			dst = &out->path;
		else if (!strcmp(key.buf, "text"))
			dst = &out->text;
		else if (!strcmp(key.buf, "error"))
			dst = &out->error;
		else if (!strcmp(key.buf, "url"))
			dst = &out->url;
		if (dst && p < end && *p == '"') {
			p++;
			strbuf_init(&val, dst == &out->text ? (size_t)(end - p) : 64);
			if (json_str(&p, end, &val) < 0) {
				strbuf_release(&val);
				goto out;
			}
			free(*dst);
			if (dst == &out->text) {
				out->has_text = 1;
				*dst = strbuf_detach(&val, &out->text_len);
			} else {
				*dst = strbuf_detach(&val, NULL);
			}
		} else if (skip_value(&p, end) < 0) {
			goto out;
		}
		p = skip_ws(p, end);
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		if (p < end && *p == '}') {
			p++;
			break;
		}
		goto out;
	}
done:
	if (skip_ws(p, end) != end)
		goto out;
	*err = "a string is not valid UTF-8";
	if ((out->vendor && utf8_invalid_at(out->vendor, strlen(out->vendor)) != UTF8_VALID) ||
	    (out->source && utf8_invalid_at(out->source, strlen(out->source)) != UTF8_VALID) ||
	    (out->path && utf8_invalid_at(out->path, strlen(out->path)) != UTF8_VALID) ||
	    (out->error && utf8_invalid_at(out->error, strlen(out->error)) != UTF8_VALID))
		goto out;
	rc = 0;
out:
	if (rc < 0 && !strcmp(*err, "not a JSON object"))
		*err = "not a valid raw-file record (bad JSON)";
	strbuf_release(&key);
	return rc;
}
