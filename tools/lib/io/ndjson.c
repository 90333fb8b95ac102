#include "io/ndjson.h"
#include "common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

static const unsigned char zstd_magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };

struct ndjson_reader {
	FILE *f;
	int own;		/* close f at the end */
	char *name;
	const char *err;	/* static text, set on error */
	int zstd;
	int eof;		/* no more bytes from f */
	int frame_open;		/* zstd: inside a frame (last call did not return 0) */

	ZSTD_DCtx *dctx;
	unsigned char *in;	/* compressed input */
	size_t in_size, in_pos, in_len;

	char *buf;		/* decompressed (or plain) bytes */
	size_t buf_alloc, start, end;
	size_t lineno;
};

/* Input that is neither zstd nor text: what it is, to say so once. */
static const char *other_format(const unsigned char *p, size_t n)
{
	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return "gzip-compressed input: the tools read zstd or plain NDJSON (gunzip it; "
		       "an archive of rules goes to detcat-fetch-unpack)";
	if (n >= 4 && !memcmp(p, "PK\3\4", 4))
		return "a zip archive, not NDJSON (an archive of rules goes to detcat-fetch-unpack)";
	if (n >= 3 && !memcmp(p, "BZh", 3))
		return "bzip2-compressed input: the tools read zstd or plain NDJSON";
	if (n >= 6 && !memcmp(p, "\xfd" "7zXZ\0", 6))
		return "xz-compressed input: the tools read zstd or plain NDJSON";
	return NULL;
}

static struct ndjson_reader *reader_new(FILE *f, int own, const char *name)
{
	struct ndjson_reader *r = xcalloc(1, sizeof(*r));

	r->f = f;
	r->own = own;
	r->name = xstrdup(name);
	r->in_size = ZSTD_DStreamInSize();
	r->in = xmalloc(r->in_size);
	/* room for what the peek below may read, when it turns out to be plain text */
	r->buf_alloc = r->in_size > (1 << 16) ? r->in_size : 1 << 16;
	r->buf = xmalloc(r->buf_alloc);
	/* peek at the first bytes to tell zstd from plain text */
	while (r->in_len < sizeof(zstd_magic) && !r->eof) {
		size_t n = fread(r->in + r->in_len, 1, r->in_size - r->in_len, f);
		if (n == 0) {
			if (ferror(f))
				r->err = strerror(errno);
			r->eof = 1;
		}
		r->in_len += n;
	}
	if (r->in_len >= sizeof(zstd_magic) && !memcmp(r->in, zstd_magic, sizeof(zstd_magic))) {
		r->zstd = 1;
		r->dctx = ZSTD_createDCtx();
		if (!r->dctx)
			msg_die("cannot allocate a zstd decompression context");
	} else if (!r->err && (r->err = other_format(r->in, r->in_len)) != NULL) {
		r->eof = 1;	/* named once, at the open: not one bad line per record */
	} else {
		/* plain: move what we peeked into the line buffer */
		memcpy(r->buf, r->in, r->in_len);
		r->end = r->in_len;
		r->in_len = 0;
	}
	return r;
}

/* r, or NULL with *err when its first bytes were of another format (closed) */
static struct ndjson_reader *refused(struct ndjson_reader *r, const char **err)
{
	if (r->err && r->eof && !r->zstd && r->end == 0 && r->in_len) {
		*err = r->err;
		ndjson_reader_close(r);
		return NULL;
	}
	return r;
}

struct ndjson_reader *ndjson_reader_open(const char *path, const char **err)
{
	struct stat st;
	FILE *f;

	if (!path || !strcmp(path, "-"))
		return refused(reader_new(stdin, 0, "-"), err);
	f = fopen(path, "rb");
	if (!f) {
		*err = strerror(errno);
		return NULL;
	}
	/* a folder opens, then fails on the first read: say so up front (exit 2) */
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		*err = "is a folder, not an NDJSON file";
		return NULL;
	}
	return refused(reader_new(f, 1, path), err);
}

struct ndjson_reader *ndjson_reader_fdopen(FILE *f, const char *name)
{
	return reader_new(f, 0, name);
}

/* Make room for at least one more chunk at the end of buf, moving the unread
 * part to the front first. */
static void reader_make_room(struct ndjson_reader *r, size_t want)
{
	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->buf_alloc - r->end < want) {
		while (r->buf_alloc - r->end < want)
			r->buf_alloc *= 2;
		r->buf = xrealloc(r->buf, r->buf_alloc);
	}
}

/* Append more bytes to buf. Returns 1 if bytes were added, 0 at the end, -1 on error. */
static int reader_fill(struct ndjson_reader *r)
{
	if (r->err)
		return -1;
	if (!r->zstd) {
		size_t n;

		if (r->eof)
			return 0;
		reader_make_room(r, 1 << 16);
		n = fread(r->buf + r->end, 1, r->buf_alloc - r->end, r->f);
		if (n == 0) {
			if (ferror(r->f)) {
				r->err = strerror(errno);
				return -1;
			}
			r->eof = 1;
			return 0;
		}
		r->end += n;
		return 1;
	}
	for (;;) {
		ZSTD_inBuffer in;
		ZSTD_outBuffer out;
		size_t ret, before;

		if (r->in_pos == r->in_len) {
			if (r->eof) {
				if (r->frame_open) {
					r->err = "truncated input (zstd stream ends inside a frame)";
					return -1;
				}
				return 0;
			}
			r->in_pos = 0;
			r->in_len = fread(r->in, 1, r->in_size, r->f);
			if (r->in_len == 0) {
				if (ferror(r->f)) {
					r->err = strerror(errno);
					return -1;
				}
				r->eof = 1;
				continue;
			}
		}
		reader_make_room(r, ZSTD_DStreamOutSize());
		in.src = r->in;
		in.size = r->in_len;
		in.pos = r->in_pos;
		out.dst = r->buf;
		out.size = r->buf_alloc;
		out.pos = r->end;
		before = r->end;
		ret = ZSTD_decompressStream(r->dctx, &out, &in);
		if (ZSTD_isError(ret)) {
			r->err = ZSTD_getErrorName(ret);
			return -1;
		}
		r->in_pos = in.pos;
		r->end = out.pos;
		r->frame_open = ret != 0;
		if (r->end > before)
			return 1;
	}
}

int ndjson_reader_next(struct ndjson_reader *r, const char **line, size_t *len)
{
	size_t scanned = 0;

	for (;;) {
		char *nl = memchr(r->buf + r->start + scanned, '\n', r->end - r->start - scanned);

		if (nl) {
			char *s = r->buf + r->start;
			size_t n = (size_t)(nl - s);

			r->start += n + 1;
			r->lineno++;
			if (n > 0 && s[n - 1] == '\r')
				n--;
			if (n == 0)
				continue;	/* empty line */
			s[n] = '\0';
			*line = s;
			*len = n;
			return 1;
		}
		scanned = r->end - r->start;
		switch (reader_fill(r)) {
		case 1:
			continue;
		case -1:
			return -1;
		}
		/* end of input: a last line without newline */
		if (r->end > r->start) {
			char *s;
			size_t n = r->end - r->start;

			reader_make_room(r, 1);
			s = r->buf + r->start;
			r->start = r->end;
			r->lineno++;
			if (n > 0 && s[n - 1] == '\r')
				n--;
			if (n == 0)
				return 0;
			s[n] = '\0';
			*line = s;
			*len = n;
			return 1;
		}
		return 0;
	}
}

int ndjson_decode_object(const char *line, size_t len, json_t **obj, char *err_out, size_t errlen)
{
	json_error_t jerr;

	*obj = json_loadb(line, len, JSON_ALLOW_NUL, &jerr);
	if (!*obj) {
		snprintf(err_out, errlen, "invalid JSON at column %d: %s", jerr.column, jerr.text);
		return -2;
	}
	if (!json_is_object(*obj)) {
		json_decref(*obj);
		*obj = NULL;
		snprintf(err_out, errlen, "record is not a JSON object");
		return -2;
	}
	return 1;
}

int ndjson_reader_next_json(struct ndjson_reader *r, json_t **obj, char *err_out, size_t errlen)
{
	const char *line;
	size_t len;
	int rc = ndjson_reader_next(r, &line, &len);

	return rc != 1 ? rc : ndjson_decode_object(line, len, obj, err_out, errlen);
}

const char *ndjson_reader_error(const struct ndjson_reader *r) { return r->err; }
const char *ndjson_reader_name(const struct ndjson_reader *r) { return r->name; }
size_t ndjson_reader_lineno(const struct ndjson_reader *r) { return r->lineno; }

void ndjson_reader_close(struct ndjson_reader *r)
{
	if (!r)
		return;
	if (r->own)
		fclose(r->f);
	ZSTD_freeDCtx(r->dctx);
	free(r->in);
	free(r->buf);
	free(r->name);
	free(r);
}

struct ndjson_writer {
	FILE *f;
	char *path;		/* target renamed into place; NULL for stdout and devices */
	char *tmp;		/* temporary file renamed over path */
	int own;		/* a device we opened and close */
	char *name;		/* for messages */
	enum ndjson_format fmt;
	int failed;
	int err;		/* errno of the first failed write */

	ZSTD_CCtx *cctx;
	struct strbuf in;	/* uncompressed bytes waiting for the compressor */
	unsigned char *out;
	size_t out_size;
	struct ndjson_writer *next_open;	/* the writers with a temporary file */
};

/*
 * A tool that dies (msg_die, exit, or SIGINT/SIGTERM/SIGHUP) with a writer open
 * leaves no temporary file behind: the writers with one are listed, and removed
 * at exit or on the signal.
 */
static struct ndjson_writer *open_writers;

static void remove_temporaries(void)
{
	struct ndjson_writer *w;

	for (w = open_writers; w; w = w->next_open)
		unlink(w->tmp);
}

/* SIGINT, SIGTERM, SIGHUP: the same (unlink is async-signal-safe), then the
 * default action, so the caller still sees the tool killed by the signal */
static void remove_temporaries_on_signal(int sig)
{
	remove_temporaries();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void watch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	size_t i;

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction old, sa;

		/* a signal ignored by the caller (nohup, a background job) stays ignored */
		if (sigaction(sigs[i], NULL, &old) != 0 || old.sa_handler == SIG_IGN)
			continue;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = remove_temporaries_on_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(sigs[i], &sa, NULL);
	}
}

static void unlist(struct ndjson_writer *w)
{
	struct ndjson_writer **p;

	for (p = &open_writers; *p; p = &(*p)->next_open)
		if (*p == w) {
			*p = w->next_open;
			return;
		}
}

#define WRITER_CHUNK (1 << 20)

struct ndjson_writer *ndjson_writer_open(const char *path, enum ndjson_format fmt, const char **err)
{
	struct ndjson_writer *w = xcalloc(1, sizeof(*w));
	struct stat st;

	w->name = xstrdup(path && strcmp(path, "-") ? path : "standard output");

	w->fmt = fmt;
	if ((!path || !strcmp(path, "-")) && fmt == NDJSON_ZSTD && isatty(STDOUT_FILENO)) {
		/* as zstd does: compressed bytes are no use on a terminal */
		*err = "will not write zstd-compressed output to a terminal (use -p for plain NDJSON, or -o FILE)";
		free(w->name);
		free(w);
		return NULL;
	}
	if (!path || !strcmp(path, "-")) {
		w->f = stdout;
	} else if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* a device or a pipe (-o /dev/null, -o /dev/stdout): written in place,
		 * never renamed over */
		w->f = fopen(path, "wb");
		if (!w->f) {
			*err = strerror(errno);
			free(w->name);
			free(w);
			return NULL;
		}
		w->own = 1;
	} else {
		int fd;
		mode_t mask;

		w->path = xstrdup(path);
		w->tmp = xasprintf("%s.tmp.XXXXXX", path);
		fd = mkstemp(w->tmp);
		if (fd < 0) {
			*err = strerror(errno);
			free(w->tmp);
			free(w->path);
			free(w->name);
			free(w);
			return NULL;
		}
		mask = umask(0);
		umask(mask);
		fchmod(fd, 0666 & ~mask);
		w->f = fdopen(fd, "wb");
		if (!w->f)
			msg_die("fdopen: %s", strerror(errno));
		{
			static int registered;

			if (!registered++) {
				atexit(remove_temporaries);
				watch_signals();
			}
		}
		w->next_open = open_writers;
		open_writers = w;
	}
	strbuf_init(&w->in, WRITER_CHUNK + 4096);
	if (fmt == NDJSON_ZSTD) {
		w->cctx = ZSTD_createCCtx();
		if (!w->cctx)
			msg_die("cannot allocate a zstd compression context");
		ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, NDJSON_ZSTD_LEVEL);
		ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1);
		/* compression runs in worker threads beside the producer; the output is
		 * the same for any number of workers >= 1 (checked by a unit test) */
		ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_nbWorkers, NDJSON_ZSTD_WORKERS);
		/* small jobs, so the workers start while records still come in rather
		 * than all at the end; fixed, so the output stays the same */
		ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_jobSize, 1 << 20);
		w->out_size = ZSTD_CStreamOutSize();
		w->out = xmalloc(w->out_size);
	}
	return w;
}

/*
 * A write failed: keep its errno for the message. On standard output, EPIPE
 * means the reader has gone (`| head`): nothing more is wanted, so the program
 * ends here, quietly, with status 0.
 */
static void write_failed(struct ndjson_writer *w)
{
	int e = errno ? errno : EIO;

	if (e == EPIPE && !w->path)
		exit(EXIT_OK);
	if (!w->failed)
		w->err = e;
	w->failed = 1;
}

static int writer_flush(struct ndjson_writer *w, ZSTD_EndDirective mode)
{
	ZSTD_inBuffer in = { w->in.buf, w->in.len, 0 };

	if (w->failed)
		return -1;
	if (w->fmt == NDJSON_PLAIN) {
		if (w->in.len && fwrite(w->in.buf, 1, w->in.len, w->f) != w->in.len)
			write_failed(w);
		strbuf_reset(&w->in);
		return w->failed ? -1 : 0;
	}
	for (;;) {
		ZSTD_outBuffer out = { w->out, w->out_size, 0 };
		size_t left = ZSTD_compressStream2(w->cctx, &out, &in, mode);

		if (ZSTD_isError(left))
			msg_die("zstd: %s", ZSTD_getErrorName(left));
		if (out.pos && fwrite(w->out, 1, out.pos, w->f) != out.pos) {
			write_failed(w);
			return -1;
		}
		if (mode == ZSTD_e_continue ? in.pos == in.size : left == 0)
			break;
	}
	strbuf_reset(&w->in);
	return 0;
}

int ndjson_writer_line(struct ndjson_writer *w, const char *line, size_t len)
{
	strbuf_add(&w->in, line, len);
	strbuf_addch(&w->in, '\n');
	if (w->in.len >= WRITER_CHUNK)
		return writer_flush(w, ZSTD_e_continue);
	return w->failed ? -1 : 0;
}

static int dump_to_strbuf(const char *buffer, size_t size, void *data)
{
	strbuf_add(data, buffer, size);
	return 0;
}

int ndjson_writer_put(struct ndjson_writer *w, const json_t *obj)
{
	if (json_dump_callback(obj, dump_to_strbuf, &w->in, JSON_COMPACT | JSON_ENCODE_ANY) < 0)
		msg_die("cannot encode a record as JSON");
	strbuf_addch(&w->in, '\n');
	if (w->in.len >= WRITER_CHUNK)
		return writer_flush(w, ZSTD_e_continue);
	return w->failed ? -1 : 0;
}

static void writer_free(struct ndjson_writer *w)
{
	unlist(w);
	ZSTD_freeCCtx(w->cctx);
	free(w->out);
	strbuf_release(&w->in);
	free(w->path);
	free(w->tmp);
	free(w->name);
	free(w);
}

int ndjson_writer_close(struct ndjson_writer *w)
{
	int rc = 0;

	errno = 0;
	if (writer_flush(w, w->fmt == NDJSON_ZSTD ? ZSTD_e_end : ZSTD_e_flush) < 0)
		rc = -1;
	else if (fflush(w->f) != 0 || ferror(w->f)) {
		write_failed(w);
		rc = -1;
	}
	if (w->path) {
		if (fclose(w->f) != 0 && rc == 0) {
			write_failed(w);
			rc = -1;
		}
		if (rc == 0 && rename(w->tmp, w->path) != 0) {
			w->err = errno;
			rc = -1;
		}
		if (rc != 0)
			unlink(w->tmp);
	} else if (w->own && fclose(w->f) != 0 && rc == 0) {
		write_failed(w);
		rc = -1;
	}
	if (rc != 0)
		msg_warn("%s: %s", w->name, strerror(w->err ? w->err : EIO));
	writer_free(w);
	return rc;
}

void ndjson_writer_die(struct ndjson_writer *w)
{
	msg_warn("%s: %s", w->name, strerror(w->err ? w->err : EIO));
	ndjson_writer_abort(w);
	exit(EXIT_FATAL);
}

void ndjson_writer_abort(struct ndjson_writer *w)
{
	if (!w)
		return;
	if (w->path) {
		fclose(w->f);
		unlink(w->tmp);
	} else if (w->own) {
		fclose(w->f);
	}
	writer_free(w);
}
