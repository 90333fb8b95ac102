/*
 * html.h: text made safe for HTML, Markdown tables and file names, for
 * detcat-report. Every function appends to a strbuf; the input is UTF-8 text.
 */
#ifndef DETCAT_HTML_H
#define DETCAT_HTML_H

#include "common/util.h"

/* & < > " ' as entities; every other byte as it is. Safe in text and in
 * double- or single-quoted attribute values. */
void html_escape(struct strbuf *sb, const char *s);
/* A Markdown table cell: '|', '\\', '`', '*', '_', '[', ']' backslash-escaped,
 * & < > as entities, line breaks and tabs as spaces. */
void md_escape(struct strbuf *sb, const char *s);
/*
 * A file name (without extension) from any text, one-to-one: letters, digits,
 * '-' and '_' stay; '.' stays when it follows a letter or digit; every other byte
 * becomes "~xx" (two lower-case hex digits). So the result has no '/', never
 * starts with '.', never holds "..", and needs no escaping in an href.
 * A result longer than 180 bytes is cut and ends with "~~" and the SHA-256 of
 * the whole text (still one-to-one in practice, and short enough for any file system).
 */
void safe_filename(struct strbuf *sb, const char *s);

#endif
