/*
 * eql_msg.h: where in a query a problem is, for the EQL and ES|QL parsers
 * (query.h): "query line L, column C: what is wrong near 'token'".
 *
 * Lines and columns are 1-based and count in the query text itself (the
 * TOML reader does not say where the query starts in the file); a column
 * counts characters, not bytes. The token is quoted as written, cut at 40
 * bytes or at its first line end, whichever comes first, on a character
 * boundary, with control characters shown as spaces, so a message stays on
 * one line whatever the query holds.
 *
 * Ownership: nothing is kept; the rule is the caller's.
 */
#ifndef DETCAT_ELASTIC_EQL_MSG_H
#define DETCAT_ELASTIC_EQL_MSG_H

#include <stddef.h>

#include "rule/rule.h"

/* How many messages one query may give; past them, one "more problems" line. */
#define QMSG_MAX 5

struct qmsg {
	struct rule *rule;
	const char *query;
	size_t len;
	unsigned count;		/* messages asked for so far */
};

void qmsg_init(struct qmsg *m, struct rule *r, const char *query, size_t len);

/* Line and column of byte offset off of the query. */
void qmsg_position(const struct qmsg *m, size_t off, unsigned *line, unsigned *column);

/*
 * 0 when the query is UTF-8 without a NUL byte; else -1 with a message
 * naming the first byte that is not (a parser reads nothing more).
 */
int qmsg_check_text(struct qmsg *m);

/*
 * Record a partial error on the rule: "query line L, column C: <fmt ...>
 * near '<token>'", the token being query[off .. off + toklen) (at the end of
 * the query: "at the end of the query" instead). After QMSG_MAX messages,
 * one last "and more problems" and then nothing.
 */
void qmsg_error(struct qmsg *m, enum rule_code code, size_t off, size_t toklen, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#endif
