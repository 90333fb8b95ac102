/* Unicode simple lower-case mapping (casemap.h). */
#include "common/casemap.h"

#include <string.h>

struct casemap_run {
	uint32_t first, last;
	uint8_t stride;
	int32_t delta;
};

#include "common/casemap_table.h"

uint32_t casemap_lower(uint32_t c)
{
	size_t lo = 0, hi = sizeof(casemap_runs) / sizeof(casemap_runs[0]);

	if (c < 0x80)
		return c >= 'A' && c <= 'Z' ? c + 32 : c;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct casemap_run *r = &casemap_runs[mid];

		if (c < r->first)
			hi = mid;
		else if (c > r->last)
			lo = mid + 1;
		else
			return (c - r->first) % r->stride == 0 ? (uint32_t)((int32_t)c + r->delta) : c;
	}
	return c;
}

/* One code point at s[0..n): its value and length, or 0 when not valid UTF-8. */
static size_t decode(const unsigned char *s, size_t n, uint32_t *c)
{
	size_t len, i;
	uint32_t v;

	if (s[0] < 0x80) {
		*c = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		len = 2;
		v = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		len = 3;
		v = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		len = 4;
		v = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3F);
	}
	if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10FFFF)) ||
	    (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*c = v;
	return len;
}

static void encode(struct strbuf *out, uint32_t c)
{
	char b[4];

	if (c < 0x80) {
		strbuf_addch(out, (int)c);
		return;
	}
	if (c < 0x800) {
		b[0] = (char)(0xC0 | c >> 6);
		b[1] = (char)(0x80 | (c & 0x3F));
		strbuf_add(out, b, 2);
	} else if (c < 0x10000) {
		b[0] = (char)(0xE0 | c >> 12);
		b[1] = (char)(0x80 | (c >> 6 & 0x3F));
		b[2] = (char)(0x80 | (c & 0x3F));
		strbuf_add(out, b, 3);
	} else {
		b[0] = (char)(0xF0 | c >> 18);
		b[1] = (char)(0x80 | (c >> 12 & 0x3F));
		b[2] = (char)(0x80 | (c >> 6 & 0x3F));
		b[3] = (char)(0x80 | (c & 0x3F));
		strbuf_add(out, b, 4);
	}
}

void casemap_lower_utf8(struct strbuf *sb)
{
	const unsigned char *s = (const unsigned char *)sb->buf;
	struct strbuf out;
	size_t i, n = sb->len, k;
	uint32_t c;

	/* ASCII, the common case, in place */
	for (i = 0; i < n && s[i] < 0x80; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			sb->buf[i] = (char)(s[i] + 32);
	if (i == n)
		return;
	strbuf_init(&out, n + 8);
	strbuf_add(&out, sb->buf, i);
	while (i < n) {
		k = decode(s + i, n - i, &c);
		if (!k) {
			strbuf_addch(&out, s[i]);
			i++;
			continue;
		}
		encode(&out, casemap_lower(c));
		i += k;
	}
	strbuf_release(sb);
	*sb = out;
}
