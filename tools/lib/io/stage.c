#include "io/stage.h"
#include "common/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int has(const json_t *rec, const char *key)
{
	return json_object_get(rec, key) != NULL;
}

enum stage_kind stage_kind_of(const json_t *rec)
{
	const char *kind = json_string_value(json_object_get(rec, "kind"));

	if (!json_is_object(rec))
		return STAGE_UNKNOWN;
	if (kind) {
		if (!strcmp(kind, "technique") || !strcmp(kind, "rule") || !strcmp(kind, "corpus"))
			return STAGE_CATALOG;
		if (!strcmp(kind, "attack") || !strcmp(kind, "tactic") || !strcmp(kind, "attack-technique"))
			return STAGE_ATTACK;
		return STAGE_UNKNOWN;
	}
	if (has(rec, "uid") && has(rec, "parse"))
		return has(rec, "techniques") && has(rec, "events") ? STAGE_TAGGED : STAGE_RULE;
	if (has(rec, "path") && has(rec, "sha256") && !has(rec, "uid"))
		return STAGE_RAW;
	return STAGE_UNKNOWN;
}

const char *stage_wrong_kind(const json_t *rec, enum stage_kind want)
{
	static const char *const what[] = {
		[STAGE_RAW] = "these are raw-file records of detcat-fetch-unpack",
		[STAGE_RULE] = "these are rule records of detcat-normalize",
		[STAGE_TAGGED] = "these are tagged rules of detcat-tag",
		[STAGE_CATALOG] = "this is a catalog of detcat-aggregate",
		[STAGE_ATTACK] = "this is the ATT&CK table of detcat-attack",
	};
	/* the tool that writes each kind */
	static const char *const by[] = {
		[STAGE_RAW] = "detcat-fetch-unpack",
		[STAGE_RULE] = "detcat-normalize",
		[STAGE_TAGGED] = "detcat-tag",
		[STAGE_CATALOG] = "detcat-aggregate",
		[STAGE_ATTACK] = "detcat-attack",
	};
	static char msg[256];
	enum stage_kind got = stage_kind_of(rec);

	if (got == want || got == STAGE_UNKNOWN)
		return NULL;	/* a bad record is the record's own message */
	if (got < want && want <= STAGE_CATALOG) {
		size_t o = (size_t)snprintf(msg, sizeof(msg), "%s: run", what[got]);
		int k;

		for (k = (int)got + 1; k <= (int)want && o < sizeof(msg); k++)
			o += (size_t)snprintf(msg + o, sizeof(msg) - o, "%s%s", k > (int)got + 1 ? " then " : " ",
					      by[k]);
		if (o < sizeof(msg))
			snprintf(msg + o, sizeof(msg) - o, " on them first");
	} else {
		snprintf(msg, sizeof(msg), "%s, not the output of %s that this tool reads", what[got], by[want]);
	}
	return msg;
}

const char *stage_wrong_kind_line(const char *line, size_t len, enum stage_kind want)
{
	json_t *rec = json_loadb(line, len, JSON_ALLOW_NUL, NULL);
	const char *msg = rec ? stage_wrong_kind(rec, want) : NULL;

	json_decref(rec);
	return msg;
}

const char *stage_num(size_t n, char *buf, size_t size)
{
	char digits[32];
	size_t len, i, o = 0;

	snprintf(digits, sizeof(digits), "%zu", n);
	len = strlen(digits);
	for (i = 0; i < len && o + 2 < size; i++) {
		if (i && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

void stage_warn(struct stage_msgs *m, const char *fmt, ...)
{
	va_list ap;
	char *text;

	m->total++;
	if (m->shown >= STAGE_MSG_CAP)
		return;
	m->shown++;
	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	msg_warn("%s", text);
	free(text);
}

void stage_warn_end(const struct stage_msgs *m, const char *name)
{
	if (m->total > m->shown)
		msg_warn("%s: %zu more messages like these not shown (%zu in all)", name,
			 m->total - m->shown, m->total);
}
