/*
 * toml.h: a small, strict TOML 1.0 reader. A document becomes a jansson tree.
 *
 * Values map to JSON as: table → object (keys in document order), array →
 * array, string → string, integer → integer (64-bit), float → real,
 * boolean → true/false. Kept as strings, exactly as written (after
 * validation): offset and local date-times, local dates, local times, and
 * floats that binary64 cannot hold as finite numbers (inf, nan, 1e400).
 * Inside multi-line strings a CRLF becomes "\n". Keys may hold any
 * character, U+0000 included: use json_object_getn() for such keys.
 *
 * Everything TOML 1.0 rejects is rejected, with the line it is on: invalid
 * UTF-8, control characters in strings and comments, bad escapes and
 * surrogate code points, duplicate keys, a table defined twice (by headers
 * or dotted keys), additions to inline tables and static arrays, leading
 * zeros, integers beyond 64 bits, impossible dates, newlines in inline
 * tables, a key and its value on different lines. A UTF-8 byte-order mark
 * at the start is skipped.
 *
 * Bounded for hostile input: objects and arrays nest at most
 * TOML_MAX_DEPTH deep (so freeing or printing the tree never recurses
 * further), and time and memory grow linearly with the input.
 *
 * Ownership: on success *out is a new reference the caller json_decref()s;
 * on failure *out is NULL. The text is borrowed, never kept.
 */
#ifndef DETCAT_TOML_H
#define DETCAT_TOML_H

#include <stddef.h>
#include <jansson.h>

#define TOML_MAX_DEPTH 64

struct toml_error {
	unsigned line;		/* 1-based line of the problem */
	char msg[200];		/* lower case, no line number in it */
};

/*
 * Parse text[0..len) (need not be NUL-terminated). Returns 0, or -1 with
 * *e filled in.
 */
int toml_load(const char *text, size_t len, json_t **out, struct toml_error *e);

/*
 * The same, with the error as one string "line N: what is wrong" in
 * err[0..errlen) (errlen 0: no message).
 */
int toml_parse(const char *text, size_t len, json_t **out, char *err, size_t errlen);

#endif
