/*
 * rawfile.h: reading raw-file records (what detcat-fetch-unpack writes) without
 * building a jansson tree: the fields are decoded from the line directly.
 * Ownership: the strings in a struct raw_file are its own, freed by
 * raw_file_release(); start from a zeroed struct, and release it before
 * decoding another record into it.
 */
#ifndef DETCAT_RAWFILE_H
#define DETCAT_RAWFILE_H

#include <stddef.h>

/*
 * The fields of a raw-file record the tools read. Decoded from the line
 * directly: jansson would build (and free) a tree per record only for us to
 * copy five strings out of it, which was half of normalize's main thread.
 */
struct raw_file {
	char *vendor, *source, *path, *text, *error, *url;
	size_t text_len;
	int has_text;
};

/* Decode one record; -1 with *err (static text) when the line is not one. */
int raw_file_decode(const char *line, size_t len, struct raw_file *out, const char **err);
void raw_file_release(struct raw_file *r);

#endif
