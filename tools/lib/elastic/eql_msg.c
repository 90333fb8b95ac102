/* Query positions and messages for the EQL and ES|QL parsers (eql_msg.h). */
#include "elastic/eql_msg.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "common/text.h"
#include "common/util.h"

#define TOKEN_SHOWN 40

void qmsg_init(struct qmsg *m, struct rule *r, const char *query, size_t len)
{
	m->rule = r;
	m->query = query;
	m->len = len;
	m->count = 0;
}

void qmsg_position(const struct qmsg *m, size_t off, unsigned *line, unsigned *column)
{
	size_t i;
	unsigned l = 1, c = 1;

	if (off > m->len)
		off = m->len;
	for (i = 0; i < off; i++) {
		unsigned char ch = (unsigned char)m->query[i];

		if (ch == '\n') {
			l++;
			c = 1;
		} else if ((ch & 0xC0) != 0x80) {
			c++;	/* a character starts here: continuation bytes do not count */
		}
	}
	*line = l;
	*column = c;
}

/* The token as shown in a message: one line, at most TOKEN_SHOWN bytes, whole characters. */
static void token_text(const struct qmsg *m, size_t off, size_t n, struct strbuf *out)
{
	size_t i, end;

	if (off >= m->len) {
		return;
	}
	if (n == 0)
		n = 1;
	if (n > m->len - off)
		n = m->len - off;
	end = n > TOKEN_SHOWN ? TOKEN_SHOWN : n;
	for (i = 0; i < end; i++)
		if (m->query[off + i] == '\n' || m->query[off + i] == '\r')
			break;
	end = i;
	/* back off to the start of a character so the text stays UTF-8 */
	if (end < n)
		while (end > 0 && ((unsigned char)m->query[off + end] & 0xC0) == 0x80)
			end--;
	/* a message is UTF-8: the token is cut before its first byte that is not */
	i = utf8_invalid_at(m->query + off, end);
	if (i != UTF8_VALID)
		end = i;
	for (i = 0; i < end; i++) {
		unsigned char ch = (unsigned char)m->query[off + i];

		strbuf_addch(out, ch < 0x20 || ch == 0x7F ? ' ' : ch);
	}
}

int qmsg_check_text(struct qmsg *m)
{
	size_t bad = utf8_invalid_at(m->query, m->len);
	const char *nul = memchr(m->query, '\0', m->len);

	if (bad != UTF8_VALID) {
		qmsg_error(m, RC_ENCODING, bad, 1, "bytes that are not UTF-8");
		return -1;
	}
	if (nul) {
		qmsg_error(m, RC_SYNTAX, (size_t)(nul - m->query), 1, "a NUL character");
		return -1;
	}
	return 0;
}

void qmsg_error(struct qmsg *m, enum rule_code code, size_t off, size_t toklen, const char *fmt, ...)
{
	struct strbuf what = STRBUF_INIT, tok = STRBUF_INIT;
	unsigned line, column;
	va_list ap;
	char *text;

	m->count++;
	if (m->count > QMSG_MAX + 1)
		return;
	if (m->count == QMSG_MAX + 1) {
		rule_error_at(m->rule, 0, 0, PARSE_PARTIAL, code,
			      "query: more problems than these %d; the rest are not listed", QMSG_MAX);
		return;
	}
	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	qmsg_position(m, off, &line, &column);
	token_text(m, off, toklen, &tok);
	strbuf_addf(&what, "query line %u, column %u: %s", line, column, text);
	if (off >= m->len)
		strbuf_addstr(&what, " at the end of the query");
	else
		strbuf_addf(&what, " near '%s'", tok.buf ? tok.buf : "");
	rule_error_at(m->rule, 0, 0, PARSE_PARTIAL, code, "%s", what.buf);
	free(text);
	strbuf_release(&what);
	strbuf_release(&tok);
}
