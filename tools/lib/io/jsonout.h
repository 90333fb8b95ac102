/*
 * jsonout.h: appending JSON text to a strbuf, for the hot paths that write large
 * records without building jansson values first (fetch-unpack's file texts).
 * The caller guarantees that strings are valid UTF-8; bytes >= 0x80 pass through.
 */
#ifndef DETCAT_JSONOUT_H
#define DETCAT_JSONOUT_H

#include <stddef.h>
#include "common/util.h"

/* "..." with JSON escapes for '"', '\\' and control characters */
void json_append_string(struct strbuf *sb, const char *s, size_t n);
/* "key": with the key escaped, preceded by ',' unless sb ends with '{' */
void json_append_key(struct strbuf *sb, const char *key);

#endif
