/* Patterns: literal bytes and wildcard markers (pattern.h). */
#include "rule/pattern.h"

#include <stdlib.h>
#include <string.h>

void pattern_init(struct pattern *p)
{
	strbuf_init(&p->text, 32);
	strbuf_init(&p->kinds, 32);
}

void pattern_release(struct pattern *p)
{
	strbuf_release(&p->text);
	strbuf_release(&p->kinds);
}

void pattern_reset(struct pattern *p)
{
	strbuf_reset(&p->text);
	strbuf_reset(&p->kinds);
}

void pattern_add_lit(struct pattern *p, const char *s, size_t n)
{
	strbuf_add(&p->text, s, n);
	strbuf_grow(&p->kinds, n);
	memset(p->kinds.buf + p->kinds.len, PAT_LIT, n);
	p->kinds.len += n;
	p->kinds.buf[p->kinds.len] = '\0';
}

void pattern_add_wild(struct pattern *p, enum pat_kind k)
{
	strbuf_addch(&p->text, k == PAT_STAR ? '*' : '?');
	strbuf_addch(&p->kinds, (int)k);
}

void pattern_copy(struct pattern *dst, const struct pattern *src)
{
	pattern_reset(dst);
	strbuf_add(&dst->text, src->text.buf, src->text.len);
	strbuf_add(&dst->kinds, src->kinds.buf, src->kinds.len);
}

int pattern_has_wild(const struct pattern *p)
{
	size_t i;

	for (i = 0; i < p->kinds.len; i++)
		if (p->kinds.buf[i] != PAT_LIT)
			return 1;
	return 0;
}

int pattern_starts_star(const struct pattern *p)
{
	return p->kinds.len > 0 && p->kinds.buf[0] == PAT_STAR;
}

int pattern_ends_star(const struct pattern *p)
{
	return p->kinds.len > 0 && p->kinds.buf[p->kinds.len - 1] == PAT_STAR;
}

void pattern_surround_star(struct pattern *p, int front, int back)
{
	if (front && !pattern_starts_star(p)) {
		struct pattern tmp;

		pattern_init(&tmp);
		pattern_add_wild(&tmp, PAT_STAR);
		strbuf_add(&tmp.text, p->text.buf, p->text.len);
		strbuf_add(&tmp.kinds, p->kinds.buf, p->kinds.len);
		pattern_release(p);
		*p = tmp;
	}
	if (back && !pattern_ends_star(p))
		pattern_add_wild(p, PAT_STAR);
}
