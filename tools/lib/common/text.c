/*
 * UTF-8 validation follows "Well-Formed UTF-8 Byte Sequences" (Unicode, table 3-7):
 * the lead byte fixes the length and the allowed range of the second byte, which is
 * where overlongs, surrogates and code points past U+10FFFF are shut out; later
 * bytes are plain continuation bytes. Base64 is RFC 4648 §4.
 */
#include "common/text.h"

#include <stdint.h>
#include <string.h>

#include "common/util.h"

size_t utf8_invalid_at(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		unsigned char c, lo, hi;
		size_t len, k;

		/* detection rules are nearly all ASCII: skip it a word at a time */
		while (n - i >= 8) {
			uint64_t v;

			memcpy(&v, p + i, 8);
			if (v & 0x8080808080808080ULL)
				break;
			i += 8;
		}
		if (i == n)
			break;

		c = p[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		lo = 0x80;
		hi = 0xbf;
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			if (c == 0xe0)
				lo = 0xa0;	/* below is overlong */
			else if (c == 0xed)
				hi = 0x9f;	/* above is a surrogate */
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			if (c == 0xf0)
				lo = 0x90;	/* below is overlong */
			else if (c == 0xf4)
				hi = 0x8f;	/* above is past U+10FFFF */
		} else {
			/* stray continuation byte, C0/C1 (always overlong), F5..FF */
			return i;
		}
		if (n - i < len)
			return i;
		if (p[i + 1] < lo || p[i + 1] > hi)
			return i;
		for (k = 2; k < len; k++)
			if ((p[i + k] & 0xc0) != 0x80)
				return i;
		i += len;
	}
	return UTF8_VALID;
}

static const char base64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *base64_encode(const void *data, size_t n, size_t *outlen)
{
	const unsigned char *p = data;
	size_t groups = n / 3 + (n % 3 != 0);
	size_t len, i;
	char *out, *o;

	if (groups > (SIZE_MAX - 1) / 4)
		msg_die("base64: input of %zu bytes is too large", n);
	len = groups * 4;
	out = o = xmalloc(len + 1);

	for (i = 0; n - i >= 3; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];

		*o++ = base64_alphabet[v >> 18];
		*o++ = base64_alphabet[v >> 12 & 63];
		*o++ = base64_alphabet[v >> 6 & 63];
		*o++ = base64_alphabet[v & 63];
	}
	if (n - i == 1) {
		*o++ = base64_alphabet[p[i] >> 2];
		*o++ = base64_alphabet[(p[i] & 3) << 4];
		*o++ = '=';
		*o++ = '=';
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)p[i] << 8 | p[i + 1];

		*o++ = base64_alphabet[v >> 10];
		*o++ = base64_alphabet[v >> 4 & 63];
		*o++ = base64_alphabet[(v & 15) << 2];
		*o++ = '=';
	}
	*o = '\0';
	if (outlen)
		*outlen = len;
	return out;
}

/* The 6-bit value of a base64 character, or -1. Branches, not a 256-entry table:
 * decoding is off the hot path. */
static int base64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int base64_decode(const char *s, size_t n, struct strbuf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t oldlen = out->len, pad = 0, m, i, k;
	uint32_t v;
	int d;

	while (pad < n && p[n - 1 - pad] == '=')
		pad++;
	m = n - pad;
	/* padding only ever completes a group of four, with one or two '=' */
	if (pad > 2 || (pad && n % 4) || m % 4 == 1)
		goto invalid;

	strbuf_grow(out, m / 4 * 3 + 2);
	for (i = 0; m - i >= 4; i += 4) {
		v = 0;
		for (k = 0; k < 4; k++) {
			if ((d = base64_value(p[i + k])) < 0)
				goto invalid;
			v = v << 6 | (uint32_t)d;
		}
		out->buf[out->len++] = (char)(v >> 16);
		out->buf[out->len++] = (char)(v >> 8);
		out->buf[out->len++] = (char)v;
	}
	if (m - i >= 2) {
		size_t tail = m - i;	/* 2 or 3 characters: 1 or 2 bytes */

		v = 0;
		for (k = 0; k < tail; k++) {
			if ((d = base64_value(p[i + k])) < 0)
				goto invalid;
			v = v << 6 | (uint32_t)d;
		}
		if (tail == 2) {
			if (v & 15)
				goto invalid;
			out->buf[out->len++] = (char)(v >> 4);
		} else {
			if (v & 3)
				goto invalid;
			out->buf[out->len++] = (char)(v >> 10);
			out->buf[out->len++] = (char)(v >> 2);
		}
	}
	out->buf[out->len] = '\0';
	return 0;

invalid:
	if (out->buf) {
		out->len = oldlen;
		out->buf[oldlen] = '\0';
	}
	return -1;
}

void url_path_encode(struct strbuf *out, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	for (p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '.' || *p == '_' || *p == '~' || *p == '/') {
			strbuf_addch(out, (char)*p);
		} else {
			strbuf_addch(out, '%');
			strbuf_addch(out, hex[*p >> 4]);
			strbuf_addch(out, hex[*p & 15]);
		}
	}
}
