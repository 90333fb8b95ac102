/*
 * util.h: what every detcat tool needs: messages in one format, allocation that
 * dies rather than returns NULL, and a growable byte buffer.
 *
 * Ownership: xmalloc/xstrdup/strbuf_detach return memory the caller frees;
 * a strbuf owns its buffer until strbuf_release() or strbuf_detach().
 */
#ifndef DETCAT_UTIL_H
#define DETCAT_UTIL_H

#include <stdarg.h>
#include <stddef.h>

/* Exit statuses of every tool (SPEC §8). */
enum {
	EXIT_OK = 0,		/* all good */
	EXIT_RECORD_ERRORS = 1,	/* some records carry errors; output is complete */
	EXIT_FATAL = 2		/* usage or fatal I/O error */
};

#define DETCAT_VERSION "0.1.0"

/* The name messages start with, e.g. "detcat-normalize". */
void msg_setprog(const char *name);
const char *msg_prog(void);

/* "detcat-TOOL: <message>\n" on stderr. */
void msg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* msg_warn, then exit(EXIT_FATAL). */
void msg_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

struct strbuf {
	char *buf;	/* always NUL-terminated once initialised */
	size_t len;
	size_t alloc;
};
#define STRBUF_INIT { NULL, 0, 0 }

void strbuf_init(struct strbuf *sb, size_t hint);
void strbuf_release(struct strbuf *sb);
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_add(struct strbuf *sb, const void *data, size_t n);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_reset(struct strbuf *sb);
/* Append the whole file at path. Returns 0, or -1 with errno set (sb as it was). */
int strbuf_read_file(struct strbuf *sb, const char *path);

#endif
