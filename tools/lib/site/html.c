/*
 * html.c: escaping for detcat-report (see html.h).
 */
#include "site/html.h"
#include "common/sha256.h"

#include <string.h>

void html_escape(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': strbuf_addstr(sb, "&amp;"); break;
		case '<': strbuf_addstr(sb, "&lt;"); break;
		case '>': strbuf_addstr(sb, "&gt;"); break;
		case '"': strbuf_addstr(sb, "&quot;"); break;
		case '\'': strbuf_addstr(sb, "&#39;"); break;
		default: strbuf_addch(sb, *s);
		}
	}
}

void md_escape(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': strbuf_addstr(sb, "&amp;"); break;
		case '<': strbuf_addstr(sb, "&lt;"); break;
		case '>': strbuf_addstr(sb, "&gt;"); break;
		case '\n': case '\r': case '\t': strbuf_addch(sb, ' '); break;
		case '|': case '\\': case '`': case '*': case '_': case '[': case ']':
			strbuf_addch(sb, '\\');
			strbuf_addch(sb, *s);
			break;
		default: strbuf_addch(sb, *s);
		}
	}
}

#define SAFE_MAX 180

static int is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

void safe_filename(struct strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t start = sb->len;
	const unsigned char *p;
	unsigned char prev = 0;

	strbuf_grow(sb, 0);
	for (p = (const unsigned char *)s; *p; prev = *p++) {
		if (is_alnum(*p) || *p == '-' || *p == '_' || (*p == '.' && is_alnum(prev))) {
			strbuf_addch(sb, (char)*p);
		} else {
			strbuf_addch(sb, '~');
			strbuf_addch(sb, hex[*p >> 4]);
			strbuf_addch(sb, hex[*p & 15]);
		}
	}
	if (sb->len == start)
		strbuf_addstr(sb, "~");
	if (sb->len - start > SAFE_MAX) {
		char digest[SHA256_HEX_LEN + 1];

		sha256_hex(s, strlen(s), digest);
		sb->len = start + SAFE_MAX - 2 - SHA256_HEX_LEN;
		sb->buf[sb->len] = '\0';
		strbuf_addstr(sb, "~~");
		strbuf_addstr(sb, digest);
	}
}
