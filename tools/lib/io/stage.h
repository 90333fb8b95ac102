/*
 * stage.h: what a stage of the chain says about its input as a whole, rather
 * than once per record: which kind of record a line is (a raw file, a rule, a
 * tagged rule, a catalog record, the ATT&CK table), the message when a tool is
 * given the wrong kind ("these are rule records: run detcat-tag first"), and
 * per-line messages capped, with a count of the rest at the end.
 */
#ifndef DETCAT_STAGE_H
#define DETCAT_STAGE_H

#include <stddef.h>
#include <jansson.h>

enum stage_kind {
	STAGE_UNKNOWN,
	STAGE_RAW,		/* detcat-fetch-unpack */
	STAGE_RULE,		/* detcat-normalize */
	STAGE_TAGGED,		/* detcat-tag */
	STAGE_CATALOG,		/* detcat-aggregate: technique, rule, corpus */
	STAGE_ATTACK		/* detcat-attack */
};

enum stage_kind stage_kind_of(const json_t *rec);
/*
 * NULL when rec may be read by a tool that wants kind want; else a static
 * message naming what rec is and what to run ("these are rule records of
 * detcat-normalize: run detcat-tag on them first").
 */
const char *stage_wrong_kind(const json_t *rec, enum stage_kind want);

/* the same for one NDJSON line (NULL too when the line is not JSON) */
const char *stage_wrong_kind_line(const char *line, size_t len, enum stage_kind want);

/* 4058 → "4,058", into buf (32 bytes are enough); returns buf */
const char *stage_num(size_t n, char *buf, size_t size);

/* the first STAGE_MSG_CAP messages of a kind are shown, the rest counted */
#define STAGE_MSG_CAP 10

struct stage_msgs {
	size_t shown, total;
};

/* msg_warn, unless STAGE_MSG_CAP messages were shown already (then counted) */
void stage_warn(struct stage_msgs *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "NAME: N more messages like these not shown (T in all)", when some were not shown */
void stage_warn_end(const struct stage_msgs *m, const char *name);

#endif
