#include "rule/canon.h"

#include "common/casemap.h"

#include <string.h>
#include <strings.h>

void canon_value_init(struct canon_value *v)
{
	v->op = OP_EQ;
	strbuf_init(&v->value, 32);
}

void canon_value_release(struct canon_value *v)
{
	strbuf_release(&v->value);
}

void canon_lower(char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] + 32);
}

void canon_lower_buf(struct strbuf *sb)
{
	casemap_lower_utf8(sb);
}

/* The whole pattern as a glob, literal specials escaped. */
static void glob_text(const struct pattern *p, struct strbuf *out)
{
	const char *k = p->kinds.buf, *t = p->text.buf;
	size_t i;

	for (i = 0; i < p->kinds.len; i++) {
		if (k[i] == PAT_LIT && (t[i] == '*' || t[i] == '?' || t[i] == '\\'))
			strbuf_addch(out, '\\');
		strbuf_addch(out, t[i]);
	}
}

void canon_glob(const struct pattern *p, int ci, struct canon_value *out)
{
	strbuf_reset(&out->value);
	if (pattern_has_wild(p))
		glob_text(p, &out->value);
	else
		strbuf_add(&out->value, p->text.buf, p->text.len);
	if (ci)
		canon_lower_buf(&out->value);
}

void canon_pattern(const struct pattern *p, int ci, struct canon_value *out)
{
	const char *k = p->kinds.buf, *t = p->text.buf;
	size_t n = p->kinds.len, lo = 0, hi = n, i;
	int lead, trail, inner = 0;

	strbuf_reset(&out->value);
	while (lo < hi && k[lo] == PAT_STAR)
		lo++;
	while (hi > lo && k[hi - 1] == PAT_STAR)
		hi--;
	if (n > 0 && lo == hi) {
		out->op = OP_EXISTS;
		return;
	}
	lead = lo > 0;
	trail = hi < n;
	for (i = lo; i < hi; i++)
		if (k[i] != PAT_LIT)
			inner = 1;
	if (inner) {
		glob_text(p, &out->value);
		out->op = OP_WILDCARD;
	} else {
		strbuf_add(&out->value, t + lo, hi - lo);
		out->op = lead && trail ? OP_CONTAINS : lead ? OP_ENDS_WITH
			: trail ? OP_STARTS_WITH : OP_EQ;
	}
	if (ci)
		canon_lower_buf(&out->value);
}

static const char *const name_fields[][2] = {
	{ "process.executable", "process.name" },
	{ "process.parent.executable", "process.parent.name" },
	{ "file.path", "file.name" },
	{ "dll.path", "dll.name" },
};

const char *canon_name_field(const char *path_field)
{
	size_t i;

	for (i = 0; i < sizeof(name_fields) / sizeof(name_fields[0]); i++)
		if (strcmp(path_field, name_fields[i][0]) == 0)
			return name_fields[i][1];
	return NULL;
}

int canon_path_suffix(const char **field, struct canon_value *v)
{
	const char *name = canon_name_field(*field);
	const char *s = v->value.buf;
	size_t n = v->value.len, i;

	if (!name || strcmp(v->op, OP_ENDS_WITH) != 0 || n < 2 || (s[0] != '\\' && s[0] != '/'))
		return 0;
	for (i = 1; i < n; i++)
		if (s[i] == '\\' || s[i] == '/')
			return 0;
	memmove(v->value.buf, s + 1, n - 1);
	v->value.len = n - 1;
	v->value.buf[v->value.len] = '\0';
	v->op = OP_EQ;
	*field = name;
	return 1;
}

static size_t digest_length(const char *field)
{
	static const struct { const char *name; size_t len; } digests[] = {
		{ "md5", 32 }, { "sha1", 40 }, { "sha256", 64 }, { "sha384", 96 },
		{ "sha512", 128 }, { "imphash", 32 },
	};
	const char *last = strrchr(field, '.');
	size_t i;

	last = last ? last + 1 : field;
	for (i = 0; i < sizeof(digests) / sizeof(digests[0]); i++)
		if (strcasecmp(last, digests[i].name) == 0)
			return digests[i].len;
	return 0;
}

static int all_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return 1;
}

int canon_split_value(const struct fieldmap_entry *e, const char **field,
		      struct canon_value *v)
{
	const char *target;
	size_t skip, rest;

	if (!e || !e->nsplit || !strcmp(v->op, OP_WILDCARD) || !strcmp(v->op, OP_EXISTS))
		return 0;
	target = fieldmap_split(e, v->value.buf, v->value.len, &skip);
	if (!target)
		return 0;
	rest = v->value.len - skip;
	memmove(v->value.buf, v->value.buf + skip, rest);
	v->value.len = rest;
	v->value.buf[rest] = '\0';
	if (!strcmp(v->op, OP_ENDS_WITH))
		v->op = OP_EQ;
	else if (!strcmp(v->op, OP_CONTAINS) || !strcmp(v->op, OP_STARTS_WITH))
		v->op = rest == digest_length(target) && all_hex(v->value.buf, rest)
			? OP_EQ : OP_STARTS_WITH;
	*field = target;
	return 1;
}
