/*
 * ndjson.h: streams of newline-delimited JSON, zstd-compressed or plain.
 *
 * A reader detects zstd by its magic number, so every tool takes either on input.
 * Lines may be of any length. A zstd stream that ends inside a frame is an error
 * ("truncated input"), never a short file. A folder, and gzip, zip, bzip2 or xz
 * input, are refused at the open with one message, not one bad line per record.
 *
 * A writer compresses with zstd at a fixed level (byte-identical output for the same
 * records) unless asked for plain text. Writing to a named file goes through a
 * temporary file in the same folder that is renamed over the target only on
 * ndjson_writer_close(), so a failed run never leaves half an output behind (an
 * exit with the writer still open removes the temporary file). zstd is never
 * written to a terminal: opening standard output then fails with a message.
 *
 * A closed pipe is no error: EPIPE on standard output (`| head -1`) ends the
 * program at once, quietly, with status 0 (the tools ignore SIGPIPE, see
 * cli_init()).
 *
 * Ownership: the line returned by ndjson_reader_next() belongs to the reader and is
 * valid until the next call. json_t values passed to ndjson_writer_put() stay the
 * caller's (borrowed).
 */
#ifndef DETCAT_NDJSON_H
#define DETCAT_NDJSON_H

#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

#define NDJSON_ZSTD_LEVEL 1
#define NDJSON_ZSTD_WORKERS 2

struct ndjson_reader;

/* path "-" or NULL is stdin. Returns NULL and sets *err (static text) on failure. */
struct ndjson_reader *ndjson_reader_open(const char *path, const char **err);
/* Same, over a FILE the reader does not close. name is used in messages. */
struct ndjson_reader *ndjson_reader_fdopen(FILE *f, const char *name);
/*
 * Next line without its newline, NUL-terminated, length in *len.
 * Returns 1 with a line, 0 at a clean end, -1 on error (see ndjson_reader_error()).
 * Empty lines are skipped.
 */
int ndjson_reader_next(struct ndjson_reader *r, const char **line, size_t *len);
/* Next line parsed as a JSON object (new reference). Same return values; a line
 * that is not a JSON object returns -2 with *err_out set (the stream goes on). */
int ndjson_reader_next_json(struct ndjson_reader *r, json_t **obj, char *err_out, size_t errlen);
/* One line as a JSON object: 1, or -2 with err_out set (not JSON, not an object). */
int ndjson_decode_object(const char *line, size_t len, json_t **obj, char *err_out, size_t errlen);
const char *ndjson_reader_error(const struct ndjson_reader *r);
const char *ndjson_reader_name(const struct ndjson_reader *r);
/* line number of the last line returned (1-based) */
size_t ndjson_reader_lineno(const struct ndjson_reader *r);
void ndjson_reader_close(struct ndjson_reader *r);

enum ndjson_format { NDJSON_ZSTD, NDJSON_PLAIN };

struct ndjson_writer;

/* path "-" or NULL is stdout. Returns NULL and sets *err on failure. */
struct ndjson_writer *ndjson_writer_open(const char *path, enum ndjson_format fmt, const char **err);
/* one line; a newline is appended. Returns 0, or -1 on a write error. */
int ndjson_writer_line(struct ndjson_writer *w, const char *line, size_t len);
/* one JSON value, compact, keys in insertion order. */
int ndjson_writer_put(struct ndjson_writer *w, const json_t *obj);
/* Finish the stream; on success rename into place. Returns 0 or -1 after one
 * message naming the file and the system's reason ("out.zst: No space left on
 * device"). Always frees w. */
int ndjson_writer_close(struct ndjson_writer *w);
/* Drop the output: remove the temporary file, leave any old target alone. */
void ndjson_writer_abort(struct ndjson_writer *w);
/* After ndjson_writer_line/_put returned -1: the same one message as a failed
 * close, the output dropped, exit 2. */
void ndjson_writer_die(struct ndjson_writer *w) __attribute__((noreturn));

#endif
