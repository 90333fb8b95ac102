/*
 * detcat-fetch-unpack: turn a rule repository (an archive, a folder, a single file
 * or an http(s) URL to any of these) into one raw-file record per file, sorted by
 * path, with the archive's top folder stripped. Hostile entries are reported and
 * skipped; nothing is written to disk but the output and its fetch state.
 */
#include "common/cli.h"
#include "io/http.h"
#include "io/jsonout.h"
#include "io/ndjson.h"
#include "io/stage.h"
#include "common/sha256.h"
#include "common/text.h"
#include "common/util.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <jansson.h>
#include <locale.h>
#include <malloc.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Defaults sized for the real corpora (largest file: the ATT&CK bundle, ~50 MB;
 * largest archive: ~40 MB unpacked in ~4,000 files), with room to grow. */
#define DEFAULT_MAX_ENTRY_SIZE (256ULL << 20)
#define DEFAULT_MAX_TOTAL_SIZE (2ULL << 30)
#define DEFAULT_MAX_ENTRIES 200000ULL
#define DEFAULT_TIMEOUT 600L

struct options {
	const char *source;
	const char *vendor;
	const char **include;
	size_t ninclude;
	const char **exclude;
	size_t nexclude;
	const char *output;
	const char *state;
	const char *record;	/* the source record (--record), or NULL */
	const char *browse;	/* URL prefix of the files' web pages, or NULL */
	enum ndjson_format format;
	unsigned long long max_entry_size;
	unsigned long long max_total_size;
	unsigned long long max_entries;
	long timeout;
};

/* One entry of the input: read by the main thread, encoded by the encoder. */
struct entry {
	char *path;		/* top folder stripped */
	char *data;		/* file contents until encoded; NULL for skipped entries */
	size_t len;
	char *error;		/* why it was skipped or what is wrong with it */
	int skipped;		/* reported, not a file */
	size_t order;		/* input order, to keep the sort stable */
	char *line;		/* the encoded record */
	size_t line_len;
};

/*
 * The main thread reads (decompresses) entries; an encoder thread hashes,
 * validates and encodes each finished one, and, writing to a file, compresses
 * it at once while the paths come in order (code hosts' archives are sorted,
 * and so is our folder walk), keeping nothing. Should an entry come out of
 * order, the input is read again and written sorted (unpack_run). Messages
 * about entries are printed at the end, in path order, so that they are the
 * same on every run.
 */
struct unpack {
	const struct options *opt;
	const char *where;	/* location, for messages */
	struct entry **v;
	size_t n, alloc;
	unsigned long long total;	/* bytes read so far */
	int stop;			/* a limit was hit: read no further */
	char *top;			/* the archive's top folder, stripped from paths */
	int top_known;

	int started;		/* the encoder runs (or ran) */
	pthread_t encoder;
	pthread_mutex_t lock;	/* guards v, n, ready, finished */
	pthread_cond_t more;
	size_t ready;		/* v[0..ready) are complete */
	int finished;
	int idle;		/* the encoder waits for more */
	size_t taken;		/* entries the encoder has taken */
	size_t pending;		/* bytes completed since the encoder last woke */

	/* the encoder's own */
	struct ndjson_writer *w;	/* streaming writer, or NULL */
	int in_order;
	const char *last;
	int write_failed;	/* errno of a failed write */
	int errors;
};

static const char *vendors[] = { "sigma", "elastic", "splunk", "kusto", "attack", NULL };

/* A new entry; the one before it is complete and goes to the encoder. */
static struct entry *unpack_add(struct unpack *u, const char *path)
{
	struct entry *e = xcalloc(1, sizeof(*e));

	e->path = xstrdup(path);
	pthread_mutex_lock(&u->lock);
	if (u->n == u->alloc) {
		u->alloc = u->alloc ? u->alloc * 2 : 256;
		u->v = xrealloc(u->v, u->alloc * sizeof(*u->v));
	}
	if (u->n)
		u->pending += u->v[u->n - 1]->len;
	e->order = u->n;
	u->v[u->n++] = e;
	u->ready = u->n - 1;
	/* wake an idle encoder for a batch: a wake-up per entry costs more than
	 * encoding the entry */
	if (u->idle && (u->ready - u->taken >= 32 || u->pending >= (1 << 20))) {
		u->pending = 0;
		pthread_cond_signal(&u->more);
	}
	pthread_mutex_unlock(&u->lock);
	return e;
}

static void entry_skip(struct entry *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Mark e as not unpacked, saying why (reported at the end, in path order). */
static void entry_skip(struct entry *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	e->error = xvasprintf(fmt, ap);
	va_end(ap);
	e->skipped = 1;
}

/* NULL when the path is safe to name a file below the output, else why not. */
static const char *path_problem(const char *p)
{
	const char *c;

	if (!*p)
		return "empty path";
	if (p[0] == '/' || p[0] == '\\' || (p[0] && p[1] == ':'))
		return "absolute path";
	for (c = p; *c;) {
		size_t n = strcspn(c, "/\\");

		if (n == 2 && c[0] == '.' && c[1] == '.')
			return "path escapes the top folder ('..')";
		c += n;
		if (*c)
			c++;
	}
	return NULL;
}

/* Counts against the entry-count limit. Returns 0 when the entry may be read. */
static int unpack_count_entry(struct unpack *u, const char *path)
{
	char limit[32];

	if (u->n < u->opt->max_entries)
		return 0;
	snprintf(limit, sizeof(limit), "%llu", u->opt->max_entries);
	entry_skip(unpack_add(u, path), "more than %s entries (--max-entries): the rest is not read", limit);
	u->stop = 1;
	return -1;
}

static int path_wanted(const struct options *opt, const char *path)
{
	size_t i;
	int in = opt->ninclude == 0;

	for (i = 0; !in && i < opt->ninclude; i++)
		in = fnmatch(opt->include[i], path, 0) == 0;
	for (i = 0; in && i < opt->nexclude; i++)
		in = fnmatch(opt->exclude[i], path, 0) != 0;
	return in;
}

/* Reserve room for n more bytes of data. Returns 0, or -1 (entry marked) on a limit. */
static int unpack_charge(struct unpack *u, struct entry *e, unsigned long long n)
{
	char size[32];

	if (e->len + n > u->opt->max_entry_size) {
		snprintf(size, sizeof(size), "%llu", u->opt->max_entry_size);
		entry_skip(e, "file is larger than the limit of %s bytes (--max-entry-size)", size);
		return -1;
	}
	if (u->total + n > u->opt->max_total_size) {
		snprintf(size, sizeof(size), "%llu", u->opt->max_total_size);
		entry_skip(e, "input unpacks to more than %s bytes (--max-total-size): the rest is not read", size);
		u->stop = 1;
		return -1;
	}
	u->total += n;
	return 0;
}

/* The archive cannot be read on: one record names it, entries so far are kept. */
static void unpack_damaged(struct unpack *u, const char *why)
{
	const char *base = strrchr(u->where, '/');
	struct entry *e = unpack_add(u, base && base[1] ? base + 1 : u->where);

	entry_skip(e, "damaged input, nothing after this point can be read: %s", why ? why : "unknown error");
	u->stop = 1;
}

static void entry_drop_data(struct entry *e)
{
	free(e->data);
	e->data = NULL;
	e->len = 0;
}

/*
 * Archives from code hosts hold one top folder named after the revision
 * ("sigma-r2026-07-01/"): paths are given without it. It is the first entry's
 * top folder; entries outside it keep their whole path.
 */
static const char *unpack_strip(struct unpack *u, const char *path)
{
	size_t k;

	if (!u->top_known) {
		const char *slash = strchr(path, '/');

		u->top_known = 1;
		if (slash)
			u->top = xstrndup(path, (size_t)(slash - path));
	}
	if (!u->top)
		return path;
	k = strlen(u->top);
	if (!strncmp(path, u->top, k) && path[k] == '/')
		return path + k + 1;
	return path;
}

/* Read the entries of an open libarchive reader. Returns 0, or -1 if the archive
 * itself is damaged (entries read so far are kept). */
static int unpack_archive(struct unpack *u, struct archive *a, int raw, const char *raw_name)
{
	struct archive_entry *ae;
	int r;

	while (!u->stop && (r = archive_read_next_header(a, &ae)) != ARCHIVE_EOF) {
		const char *path, *problem;
		struct entry *e;
		mode_t type;
		size_t alloc;

		if (r == ARCHIVE_FATAL || r == ARCHIVE_RETRY) {
			unpack_damaged(u, archive_error_string(a));
			return -1;
		}
		path = raw ? raw_name : archive_entry_pathname_utf8(ae);
		if (!path)
			path = archive_entry_pathname(ae);
		if (!path)
			path = "";
		type = archive_entry_filetype(ae);
		if (!raw)
			path = unpack_strip(u, path);
		if (!raw && type == AE_IFDIR)
			continue;	/* folders make no record; nothing is created on disk */
		/* filters apply to files: hostile entries are reported wherever they are */
		if (!raw && type == AE_IFREG && !archive_entry_hardlink(ae) && !path_problem(path) &&
		    (!*path || !path_wanted(u->opt, path))) {
			archive_read_data_skip(a);
			continue;
		}
		if (unpack_count_entry(u, path) < 0)
			break;
		e = unpack_add(u, path);
		if (utf8_invalid_at(e->path, strlen(e->path)) != (size_t)-1) {
			entry_skip(e, "%s", "file name is not valid UTF-8");
			continue;
		}
		if ((problem = path_problem(path)) != NULL) {
			entry_skip(e, "%s: not unpacked", problem);
			continue;
		}
		if (archive_entry_hardlink(ae)) {
			entry_skip(e, "hard link to '%s': not unpacked", archive_entry_hardlink(ae));
			continue;
		}
		if (type == AE_IFLNK) {
			const char *to = archive_entry_symlink(ae);

			entry_skip(e, "symbolic link to '%s': not unpacked", to ? to : "?");
			continue;
		}
		if (!raw && type != AE_IFREG) {
			entry_skip(e, "%s: not unpacked", "device or special file");
			continue;
		}
		if (!raw && archive_entry_size_is_set(ae)) {
			la_int64_t size = archive_entry_size(ae);

			if (size < 0 || unpack_charge(u, e, (unsigned long long)size) < 0) {
				if (!e->skipped)
					entry_skip(e, "%s", "negative size");
				continue;
			}
			alloc = (size_t)size;
			u->total -= (unsigned long long)size;	/* charged again as read */
		} else {
			alloc = 1 << 16;
		}
		e->data = xmalloc(alloc + 1);
		for (;;) {
			la_ssize_t got;

			if (e->len == alloc) {
				alloc *= 2;
				e->data = xrealloc(e->data, alloc + 1);
			}
			got = archive_read_data(a, e->data + e->len, alloc - e->len);
			if (got == 0)
				break;
			if (got < 0) {
				entry_skip(e, "cannot read: %s", archive_error_string(a));
				entry_drop_data(e);
				if (got == ARCHIVE_FATAL) {
					u->stop = 1;
					return -1;
				}
				break;
			}
			if (unpack_charge(u, e, (unsigned long long)got) < 0) {
				entry_drop_data(e);
				break;
			}
			e->len += (size_t)got;
		}
	}
	return 0;
}

static struct archive *archive_new(int raw)
{
	struct archive *a = archive_read_new();

	if (!a)
		msg_die("cannot allocate an archive reader");
	archive_read_support_filter_all(a);
	if (raw) {
		archive_read_support_format_raw(a);
	} else {
		/* formats with a magic number; "all" would add mtree, which takes
		 * lines of plain text for entries */
		archive_read_support_format_tar(a);
		archive_read_support_format_zip(a);
		archive_read_support_format_7zip(a);
		archive_read_support_format_cpio(a);
		archive_read_support_format_ar(a);
		archive_read_support_format_iso9660(a);
		archive_read_support_format_rar(a);
		archive_read_support_format_rar5(a);
		archive_read_support_format_xar(a);
	}
	return a;
}

/* The name a single file gets: its base name without a compression suffix. */
static char *single_name(const char *location)
{
	static const char *suffixes[] = { ".zst", ".gz", ".xz", ".bz2", NULL };
	const char *base = strrchr(location, '/');
	char *name, *q;
	size_t i, n;

	base = base ? base + 1 : location;
	q = strpbrk(base, "?#");	/* URL query or fragment */
	name = xstrndup(base, q ? (size_t)(q - base) : strlen(base));
	n = strlen(name);
	for (i = 0; suffixes[i]; i++) {
		size_t k = strlen(suffixes[i]);

		if (n > k && !strcmp(name + n - k, suffixes[i])) {
			name[n - k] = '\0';
			break;
		}
	}
	if (!*name) {
		free(name);
		name = xstrdup("data");
	}
	return name;
}

/* Open an archive reader on the location or the buffer. A failure to read the
 * file is fatal (-2); anything else is damaged content: one record, the rest of the
 * run goes on (-1). */
static int archive_open_input(struct unpack *u, struct archive **ap, int raw, const char *location,
			      const void *buf, size_t len)
{
	struct archive *a = archive_new(raw);
	int r = buf ? archive_read_open_memory(a, buf, len) : archive_read_open_filename(a, location, 1 << 16);
	int e = archive_errno(a);

	if (r == ARCHIVE_OK) {
		*ap = a;
		return 0;
	}
	if (e == EACCES || e == ENOENT || e == EISDIR || e == EIO || e == ENOMEM) {
		msg_warn("%s: %s: %s", u->opt->source, location, archive_error_string(a));
		archive_read_free(a);
		return -2;
	}
	unpack_damaged(u, archive_error_string(a));
	archive_read_free(a);
	return -1;
}

/* An archive when libarchive knows its format, else a single (possibly
 * compressed) file. buf/len is used when not NULL, else the file at location.
 * Returns 0, -1 (damaged: recorded) or -2 (cannot read: fatal). */
static int unpack_input(struct unpack *u, const char *location, const void *buf, size_t len)
{
	struct archive *a;
	struct archive_entry *ae;
	struct stat st;
	char *name;
	int r;

	if (buf ? len == 0 : stat(location, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0) {
		/* libarchive reads no entry from nothing: an empty file is still a file */
		name = single_name(location);
		unpack_add(u, name)->data = xstrdup("");
		free(name);
		return 0;
	}
	/* peek: does any archive format recognise it? (libarchive picks the format
	 * when opening, so an unknown one fails there or at the first header) */
	a = archive_new(0);
	r = buf ? archive_read_open_memory(a, buf, len) : archive_read_open_filename(a, location, 1 << 16);
	if (r == ARCHIVE_OK)
		r = archive_read_next_header(a, &ae);
	archive_read_free(a);
	if (r == ARCHIVE_OK || r == ARCHIVE_WARN || r == ARCHIVE_EOF) {
		if ((r = archive_open_input(u, &a, 0, location, buf, len)) < 0)
			return r;
		r = unpack_archive(u, a, 0, NULL);
		archive_read_free(a);
		return r;
	}
	/* not an archive: one file, decompressed when it is compressed */
	if ((r = archive_open_input(u, &a, 1, location, buf, len)) < 0)
		return r;
	name = single_name(location);
	r = unpack_archive(u, a, 1, name);
	free(name);
	archive_read_free(a);
	return r;
}

static int read_whole(int fd, struct entry *e, struct unpack *u)
{
	size_t alloc = 1 << 16;

	e->data = xmalloc(alloc + 1);
	for (;;) {
		ssize_t got;

		if (e->len == alloc) {
			alloc *= 2;
			e->data = xrealloc(e->data, alloc + 1);
		}
		got = read(fd, e->data + e->len, alloc - e->len);
		if (got == 0)
			return 0;
		if (got < 0) {
			if (errno == EINTR)
				continue;
			entry_skip(e, "cannot read: %s", strerror(errno));
			entry_drop_data(e);
			return -1;
		}
		if (unpack_charge(u, e, (unsigned long long)got) < 0) {
			entry_drop_data(e);
			return -1;
		}
		e->len += (size_t)got;
	}
}

/* A folder's entry, sorted the way full paths sort: a folder's name as "name/". */
struct dir_item {
	char *name;
	int is_dir;
};

static int dir_item_cmp(const void *a, const void *b)
{
	const struct dir_item *x = a, *y = b;
	const unsigned char *p = (const unsigned char *)x->name, *q = (const unsigned char *)y->name;

	while (*p && *p == *q)
		p++, q++;
	/* past the common prefix, a folder goes on with '/' */
	return (int)(*p ? *p : x->is_dir ? '/' : 0) - (int)(*q ? *q : y->is_dir ? '/' : 0);
}

/*
 * Walk a folder; paths are relative to it. Links and special files are skipped.
 * Entries come in the byte order of their whole paths, as in a code host's
 * archive, so that records stream out without a sort.
 */
static void unpack_dir(struct unpack *u, const char *root, const char *rel)
{
	char *dirpath = *rel ? xasprintf("%s/%s", root, rel) : xstrdup(root);
	DIR *d = opendir(dirpath);
	struct dirent *de;
	struct dir_item *items = NULL;
	size_t n = 0, alloc = 0, i;

	if (!d) {
		struct entry *e = unpack_add(u, *rel ? rel : ".");

		entry_skip(e, "cannot open folder: %s", strerror(errno));
		free(dirpath);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") || !strcmp(de->d_name, ".git"))
			continue;
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 32;
			items = xrealloc(items, alloc * sizeof(*items));
		}
		items[n].name = xstrdup(de->d_name);
		/* d_type may be DT_UNKNOWN: then lstat below decides, and a folder sorts
		 * as a file, which at worst costs a sort at the end */
		items[n++].is_dir = de->d_type == DT_DIR;
	}
	closedir(d);
	qsort(items, n, sizeof(*items), dir_item_cmp);
	for (i = 0; i < n && !u->stop; i++) {
		char *relpath, *full;
		struct stat st;
		struct entry *e;

		relpath = *rel ? xasprintf("%s/%s", rel, items[i].name) : xstrdup(items[i].name);
		full = xasprintf("%s/%s", root, relpath);
		if (lstat(full, &st) != 0) {
			e = unpack_add(u, relpath);
			entry_skip(e, "cannot stat: %s", strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			unpack_dir(u, root, relpath);
		} else if (S_ISREG(st.st_mode) && !path_wanted(u->opt, relpath)) {
			/* left out by --include/--exclude */
		} else if (unpack_count_entry(u, relpath) == 0) {
			e = unpack_add(u, relpath);
			if (utf8_invalid_at(relpath, strlen(relpath)) != (size_t)-1) {
				entry_skip(e, "%s", "file name is not valid UTF-8");
			} else if (S_ISLNK(st.st_mode)) {
				entry_skip(e, "%s: not read", "symbolic link");
			} else if (!S_ISREG(st.st_mode)) {
				entry_skip(e, "%s: not read", "device or special file");
			} else if ((unsigned long long)st.st_size > u->opt->max_entry_size) {
				unpack_charge(u, e, (unsigned long long)st.st_size);
			} else {
				int fd = open(full, O_RDONLY | O_NOFOLLOW);

				if (fd < 0) {
					entry_skip(e, "cannot open: %s", strerror(errno));
				} else {
					read_whole(fd, e, u);
					close(fd);
				}
			}
		}
		free(relpath);
		free(full);
	}
	for (i = 0; i < n; i++)
		free(items[i].name);
	free(items);
	free(dirpath);
}

/* GET the URL, conditionally when we still have the output of the last fetch. */
static enum http_outcome fetch_url(const struct options *opt, const char *url, const char *state_path,
				   struct strbuf *body, struct http_state *seen)
{
	struct http_state old;
	struct http_request req;
	enum http_outcome rc;
	char *why;

	memset(&old, 0, sizeof(old));
	if (state_path && opt->output && access(opt->output, F_OK) == 0)
		http_state_load(state_path, &old);
	if (old.url && strcmp(old.url, url) != 0)
		http_state_release(&old);
	req.url = url;
	req.validators = old.etag || old.last_modified ? &old : NULL;
	req.timeout = opt->timeout;
	req.max_bytes = opt->max_total_size;
	rc = http_get(&req, body, seen, &why);
	if (rc == HTTP_FAILED)
		msg_warn("%s: %s: %s", opt->source, url, why);
	free(why);
	http_state_release(&old);
	return rc;
}

/* ---- output ---- */

static int entry_cmp(const void *a, const void *b)
{
	const struct entry *x = *(struct entry *const *)a, *y = *(struct entry *const *)b;
	int c = strcmp(x->path, y->path);

	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * The browse prefix with "{rev}" replaced by the revision the archive's top
 * folder names (GitHub's "detection-rules-14cf530": 7 to 40 hex digits after
 * the last '-'), so that links point at the snapshot, not a moving branch.
 * Returns -1 when the prefix asks for "{rev}" and the archive names none: a
 * record then has no url rather than a broken one.
 */
static int browse_prefix(struct strbuf *url, const char *browse, const char *top)
{
	const char *at = strstr(browse, "{rev}"), *dash = top ? strrchr(top, '-') : NULL;
	size_t n = 0;

	if (dash)
		while (isxdigit((unsigned char)dash[1 + n]))
			n++;
	if (!at) {
		strbuf_addstr(url, browse);
		return 0;
	}
	if (!dash || n < 7 || n > 40 || dash[1 + n])
		return -1;
	strbuf_add(url, browse, (size_t)(at - browse));
	strbuf_add(url, dash + 1, n);
	strbuf_addstr(url, at + 5);
	return 0;
}

/* Append one record for e to sb (without newline). Returns 1 if the record
 * carries an error. top: the archive's top folder, or NULL. */
static int entry_record(const struct options *opt, const char *top, struct entry *e, struct strbuf *sb)
{
	size_t bad;
	char hex[65];

	strbuf_addch(sb, '{');
	json_append_key(sb, "source");
	json_append_string(sb, opt->source, strlen(opt->source));
	json_append_key(sb, "vendor");
	json_append_string(sb, opt->vendor, strlen(opt->vendor));
	json_append_key(sb, "path");
	if (utf8_invalid_at(e->path, strlen(e->path)) == (size_t)-1) {
		json_append_string(sb, e->path, strlen(e->path));
		if (opt->browse) {
			struct strbuf url = STRBUF_INIT;

			if (browse_prefix(&url, opt->browse, top) == 0) {
				url_path_encode(&url, e->path);
				json_append_key(sb, "url");
				json_append_string(sb, url.buf, url.len);
			}
			strbuf_release(&url);
		}
	} else {
		char *b64 = base64_encode(e->path, strlen(e->path), NULL);

		json_append_string(sb, b64, strlen(b64));
		free(b64);
	}
	if (e->skipped) {
		json_append_key(sb, "error");
		json_append_string(sb, e->error, strlen(e->error));
		strbuf_addstr(sb, ",\"skipped\":true}");
		return 1;
	}
	sha256_hex(e->data, e->len, hex);
	json_append_key(sb, "sha256");
	json_append_string(sb, hex, 64);
	json_append_key(sb, "bytes");
	strbuf_addf(sb, "%zu", e->len);
	bad = utf8_invalid_at(e->data, e->len);
	if (bad == (size_t)-1) {
		json_append_key(sb, "text");
		json_append_string(sb, e->data, e->len);
		strbuf_addch(sb, '}');
		return 0;
	}
	{
		size_t n;
		char *b64 = base64_encode(e->data, e->len, &n);
		char *why = xasprintf("not valid UTF-8 (first bad byte at offset %zu): kept as base64", bad);

		json_append_key(sb, "text_b64");
		json_append_string(sb, b64, n);
		json_append_key(sb, "error");
		json_append_string(sb, why, strlen(why));
		e->error = why;
		free(b64);
	}
	strbuf_addch(sb, '}');
	return 1;
}

static void unpack_release(struct unpack *u);

/* Back to the state before a run, keeping the options. */
static void unpack_reset(struct unpack *u)
{
	const struct options *opt = u->opt;
	const char *where = u->where;

	memset(u, 0, sizeof(*u));
	u->opt = opt;
	u->where = where;
}

static void *encoder_main(void *arg)
{
	struct unpack *u = arg;
	size_t i = 0;

	for (;;) {
		struct strbuf sb = STRBUF_INIT;
		struct entry *e;

		pthread_mutex_lock(&u->lock);
		while (i >= u->ready && !u->finished) {
			u->taken = i;
			u->idle = 1;
			pthread_cond_wait(&u->more, &u->lock);
			u->idle = 0;
		}
		if (i >= u->ready) {
			pthread_mutex_unlock(&u->lock);
			break;
		}
		e = u->v[i++];
		pthread_mutex_unlock(&u->lock);

		strbuf_init(&sb, e->len + e->len / 8 + 256);
		u->errors += entry_record(u->opt, u->top, e, &sb);
		e->line = strbuf_detach(&sb, &e->line_len);
		entry_drop_data(e);
		if (u->w && u->in_order) {
			if (u->last && strcmp(e->path, u->last) < 0) {
				u->in_order = 0;
			} else {
				if (ndjson_writer_line(u->w, e->line, e->line_len) < 0)
					u->write_failed = errno ? errno : EIO;
				u->last = e->path;
				free(e->line);	/* written: a sort will not need it */
				e->line = NULL;
			}
		}
	}
	return NULL;
}

/* Open the output (when it is a file, records stream into it) and start the
 * encoder. Returns 0, or -1 when the output cannot be created. */
static int unpack_start(struct unpack *u, int stream)
{
	const char *err = NULL;

	pthread_mutex_init(&u->lock, NULL);
	pthread_cond_init(&u->more, NULL);
	u->in_order = 1;
	if (stream && u->opt->output) {
		u->w = ndjson_writer_open(u->opt->output, u->opt->format, &err);
		if (!u->w) {
			msg_warn("cannot create '%s': %s", u->opt->output, err);
			return -1;
		}
	}
	if (pthread_create(&u->encoder, NULL, encoder_main, u) != 0)
		msg_die("cannot start a thread: %s", strerror(errno));
	u->started = 1;
	return 0;
}

/* Let the encoder finish, report the entries' problems in path order, and
 * complete the output (or drop it when abort is set). Returns 0, -1, or 1 when
 * streamed entries came out of order: the input must be read again. */
static int unpack_finish(struct unpack *u, int abort)
{
	struct ndjson_writer *w = u->w;
	const char *err = NULL;
	size_t i;

	pthread_mutex_lock(&u->lock);
	u->ready = u->n;
	u->finished = 1;
	pthread_cond_signal(&u->more);
	pthread_mutex_unlock(&u->lock);
	pthread_join(u->encoder, NULL);

	if (w && !u->in_order && !abort && !u->write_failed) {
		ndjson_writer_abort(w);
		return 1;
	}
	if (u->n)	/* qsort(NULL, 0, ...) is undefined: an --include matching nothing */
		qsort(u->v, u->n, sizeof(*u->v), entry_cmp);
	for (i = 0; i < u->n; i++)
		if (u->v[i]->error)
			msg_warn("%s:%s: %s", u->opt->source, u->v[i]->path, u->v[i]->error);
	if (u->write_failed)
		msg_warn("%s: %s", u->opt->output ? u->opt->output : "standard output", strerror(u->write_failed));
	if (abort || u->write_failed) {
		ndjson_writer_abort(w);
		return -1;
	}
	if (w)
		return ndjson_writer_close(w);
	/* not streamed: write sorted */
	w = ndjson_writer_open(u->opt->output, u->opt->format, &err);
	if (!w) {
		msg_warn("cannot create '%s': %s", u->opt->output, err);
		return -1;
	}
	for (i = 0; i < u->n; i++)
		if (ndjson_writer_line(w, u->v[i]->line, u->v[i]->line_len) < 0)
			break;
	return ndjson_writer_close(w);
}

/*
 * Read the input (a folder, or a file or buffer) into records, streaming them
 * into the output; when they turn out not to come in order, read it all again
 * and sort. Returns 0 or -1.
 */
static int unpack_run(struct unpack *u, const char *location, const void *buf, size_t len, int is_dir)
{
	int stream, rc = -1;

	for (stream = 1; stream >= 0; stream--) {
		int fatal = 0;

		if (unpack_start(u, stream) != 0)
			return -1;
		if (is_dir)
			unpack_dir(u, location, "");
		else
			fatal = unpack_input(u, location, buf, len) == -2;
		rc = unpack_finish(u, fatal);
		if (rc != 1)
			break;
		unpack_release(u);
		unpack_reset(u);
	}
	return rc;
}

static void unpack_release(struct unpack *u)
{
	size_t i;

	for (i = 0; i < u->n; i++) {
		free(u->v[i]->path);
		free(u->v[i]->data);
		free(u->v[i]->error);
		free(u->v[i]->line);
		free(u->v[i]);
	}
	free(u->v);
	free(u->top);
	if (u->started) {
		pthread_mutex_destroy(&u->lock);
		pthread_cond_destroy(&u->more);
	}
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: detcat-fetch-unpack --source NAME --vendor VENDOR [options] LOCATION\n"
		"\n"
		"Read a rule repository and write one raw-file record per file (zstd NDJSON).\n"
		"LOCATION is an archive (tar, tar.gz, tar.zst, zip, ...), a folder, a single\n"
		"file (plain or compressed), or an http:// or https:// URL to one of these.\n"
		"\n"
		"  -s, --source NAME          source name written into every record\n"
		"  -V, --vendor VENDOR        sigma, elastic, splunk, kusto or attack\n"
		"  -i, --include GLOB         keep only paths matching a GLOB (repeatable;\n"
		"                             '*' also matches '/')\n"
		"  -x, --exclude GLOB         drop paths matching GLOB (repeatable)\n"
		"      --browse URL           give each record a url: URL followed by its path,\n"
		"                             percent-encoded (the file's page upstream)\n"
		"  -o, --output FILE          write FILE instead of standard output\n"
		"  -p, --plain                write plain NDJSON, not zstd\n"
		"      --state FILE           HTTP validators (default: OUTPUT.http-state)\n"
		"      --record FILE          keep the source's record in FILE: name, vendor,\n"
		"                             location, files, when last fetched, stale or not;\n"
		"                             with it, a failed fetch of a URL that fetched\n"
		"                             before keeps the output, marks the source stale\n"
		"                             and exits 1; one that never fetched exits 2\n"
		"      --max-entry-size SIZE  largest file unpacked (default 256M)\n"
		"      --max-total-size SIZE  most bytes unpacked in all (default 2G)\n"
		"      --max-entries N        most entries read (default 200000)\n"
		"      --timeout SECONDS      whole HTTP transfer (default 600)\n"
		"  -h, --help                 this text\n"
		"      --version              print the version\n"
		"\n"
		"Exit status: 0 all good, 1 some records carry errors, 2 usage or fatal error.\n");
}

enum { OPT_STATE = 256, OPT_RECORD, OPT_BROWSE, OPT_MAX_ENTRY, OPT_MAX_TOTAL, OPT_MAX_ENTRIES, OPT_TIMEOUT, OPT_VERSION };

static const struct option longopts[] = {
	{ "source", required_argument, NULL, 's' },
	{ "vendor", required_argument, NULL, 'V' },
	{ "include", required_argument, NULL, 'i' },
	{ "exclude", required_argument, NULL, 'x' },
	{ "output", required_argument, NULL, 'o' },
	{ "plain", no_argument, NULL, 'p' },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "record", required_argument, NULL, OPT_RECORD },
	{ "browse", required_argument, NULL, OPT_BROWSE },
	{ "max-entry-size", required_argument, NULL, OPT_MAX_ENTRY },
	{ "max-total-size", required_argument, NULL, OPT_MAX_TOTAL },
	{ "max-entries", required_argument, NULL, OPT_MAX_ENTRIES },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 }
};

static void parse_options(int argc, char **argv, struct options *opt)
{
	int c, i, ok;

	memset(opt, 0, sizeof(*opt));
	opt->format = NDJSON_ZSTD;
	opt->max_entry_size = DEFAULT_MAX_ENTRY_SIZE;
	opt->max_total_size = DEFAULT_MAX_TOTAL_SIZE;
	opt->max_entries = DEFAULT_MAX_ENTRIES;
	opt->timeout = DEFAULT_TIMEOUT;
	opt->include = xcalloc((size_t)argc, sizeof(char *));
	opt->exclude = xcalloc((size_t)argc, sizeof(char *));
	while ((c = getopt_long(argc, argv, "s:V:i:x:o:ph", longopts, NULL)) != -1) {
		switch (c) {
		case 's': opt->source = optarg; break;
		case 'V': opt->vendor = optarg; break;
		case 'i': opt->include[opt->ninclude++] = optarg; break;
		case 'x': opt->exclude[opt->nexclude++] = optarg; break;
		case 'o': opt->output = strcmp(optarg, "-") ? optarg : NULL; break;
		case 'p': opt->format = NDJSON_PLAIN; break;
		case OPT_STATE: opt->state = optarg; break;
		case OPT_RECORD: opt->record = optarg; break;
		case OPT_BROWSE: opt->browse = optarg; break;
		case OPT_MAX_ENTRY: opt->max_entry_size = cli_parse_size(optarg, "--max-entry-size"); break;
		case OPT_MAX_TOTAL: opt->max_total_size = cli_parse_size(optarg, "--max-total-size"); break;
		case OPT_MAX_ENTRIES: opt->max_entries = cli_parse_size(optarg, "--max-entries"); break;
		case OPT_TIMEOUT: opt->timeout = (long)cli_parse_size(optarg, "--timeout"); break;
		case 'h': usage(stdout); exit(cli_close_stdout() ? EXIT_FATAL : EXIT_OK);
		case OPT_VERSION: cli_print_version(); exit(cli_close_stdout() ? EXIT_FATAL : EXIT_OK);
		default: usage(stderr); exit(EXIT_FATAL);
		}
	}
	if (optind != argc - 1) {
		msg_warn(optind < argc ? "more than one LOCATION given" : "no LOCATION given");
		usage(stderr);
		exit(EXIT_FATAL);
	}
	if (!opt->source || !*opt->source)
		msg_die("--source NAME is required");
	if (!opt->vendor)
		msg_die("--vendor VENDOR is required");
	for (i = 0, ok = 0; vendors[i]; i++)
		ok |= !strcmp(opt->vendor, vendors[i]);
	if (!ok)
		msg_die("unknown vendor '%s' (sigma, elastic, splunk, kusto or attack)", opt->vendor);
}

/* ---- the source record (--record) ---- */

static char *iso_time(time_t t)
{
	char buf[32];
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(buf);
}

/* Written only when its bytes change, so that make sees a change only then. */
static void record_write(const struct options *opt, const char *location, json_int_t files,
			 const char *fetched, const char *error)
{
	json_t *rec = json_pack("{s:s,s:s,s:s,s:s,s:I}", "kind", "source", "name", opt->source,
				"vendor", opt->vendor, "location", location, "files", files);
	char *text, *tmp;
	struct strbuf old = STRBUF_INIT;
	FILE *f;

	if (fetched)
		json_object_set_new(rec, "fetched", json_string(fetched));
	json_object_set_new(rec, "stale", json_boolean(error != NULL));
	if (error)
		json_object_set_new(rec, "error", json_string(error));
	text = json_dumps(rec, JSON_COMPACT);
	json_decref(rec);
	if (strbuf_read_file(&old, opt->record) == 0 && old.len == strlen(text) + 1 &&
	    !memcmp(old.buf, text, old.len - 1)) {
		strbuf_release(&old);
		free(text);
		return;
	}
	strbuf_release(&old);
	tmp = xasprintf("%s.tmp", opt->record);
	f = fopen(tmp, "wb");
	if (!f || fprintf(f, "%s\n", text) < 0 || fclose(f) != 0 || rename(tmp, opt->record) != 0)
		msg_die("cannot write '%s': %s", opt->record, strerror(errno));
	free(tmp);
	free(text);
}

static size_t files_written(const struct unpack *u)
{
	size_t i, n = 0;

	for (i = 0; i < u->n; i++)
		n += !u->v[i]->skipped;
	return n;
}

int main(int argc, char **argv)
{
	struct options opt;
	struct unpack u;
	const char *location;
	int rc, stale = 0;
	struct stat st;

	cli_init("detcat-fetch-unpack");
	/* files come and go by the thousand: keep freed memory for the next ones
	 * rather than map and unmap it (page faults were a sixth of the run) */
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	/* names in archives are UTF-8: read them as such, without a conversion
	 * through the C locale for every entry */
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "");
	parse_options(argc, argv, &opt);
	if (!opt.output && opt.format == NDJSON_ZSTD && isatty(STDOUT_FILENO))
		msg_die("will not write zstd-compressed output to a terminal (use -p for plain NDJSON, or -o FILE)");
	location = argv[optind];
	memset(&u, 0, sizeof(u));
	u.opt = &opt;
	u.where = location;

	if (!strncasecmp(location, "http://", 7) || !strncasecmp(location, "https://", 8)) {
		struct strbuf body = STRBUF_INIT;
		struct http_state seen;
		char *state = NULL;
		enum http_outcome got;

		memset(&seen, 0, sizeof(seen));
		if (opt.state)
			state = xstrdup(opt.state);
		else if (opt.output)
			state = xasprintf("%s.http-state", opt.output);
		json_t *prev = opt.record ? json_load_file(opt.record, 0, NULL) : NULL;
		const char *prev_fetched = json_string_value(json_object_get(prev, "fetched"));
		json_int_t prev_files = json_integer_value(json_object_get(prev, "files"));
		int have_output = opt.output && access(opt.output, F_OK) == 0;

		got = fetch_url(&opt, location, state, &body, &seen);
		rc = -1;
		if (got == HTTP_NOT_MODIFIED) {
			msg_warn("%s: %s: not modified, '%s' kept", opt.source, location, opt.output);
			rc = 0;
			if (opt.record) {
				char *now = prev_fetched ? NULL : iso_time(time(NULL));

				record_write(&opt, location, prev_files, prev_fetched ? prev_fetched : now, NULL);
				free(now);
			}
		} else if (got == HTTP_OK) {
			rc = unpack_run(&u, location, body.buf, body.len, 0);
			/* validators only once the output they describe is in place */
			if (rc == 0 && state && (seen.etag || seen.last_modified)) {
				seen.url = xstrdup(location);
				http_state_save(state, &seen);
			}
			if (rc == 0) {
				char n[32], b[32];

				msg_warn("%s: %s: fetched, %s bytes, %s files", opt.source, location,
					 stage_num(body.len, b, sizeof(b)), stage_num(files_written(&u), n, sizeof(n)));
			}
			if (rc == 0 && opt.record) {
				char *now = iso_time(time(NULL));

				record_write(&opt, location, (json_int_t)files_written(&u), now, NULL);
				free(now);
			}
		} else if (opt.record && prev_fetched && have_output) {
			/* the last good output stays: the build goes on, the source is stale */
			msg_warn("%s: fetch failed: keeping the raw file of its last good fetch, %s (stale)",
				 opt.source, prev_fetched);
			record_write(&opt, location, prev_files, prev_fetched, "fetch failed");
			stale = 1;
			rc = 0;
		} else if (opt.record) {
			msg_warn("%s: fetch failed and it never fetched before: no raw file to fall back on",
				 opt.source);
		}
		json_decref(prev);
		strbuf_release(&body);
		http_state_release(&seen);
		free(state);
	} else {
		if (stat(location, &st) != 0)
			msg_die("%s: cannot read '%s': %s", opt.source, location, strerror(errno));
		rc = unpack_run(&u, location, NULL, 0, S_ISDIR(st.st_mode));
		/* a local snapshot is not fetched: no date, so that the same files give
		 * the same catalog on any machine (SPEC §7: no timestamps) */
		if (rc == 0 && opt.record)
			record_write(&opt, location, (json_int_t)files_written(&u), NULL, NULL);
	}
	unpack_release(&u);
	free(opt.include);
	free(opt.exclude);
	if (rc != 0)
		return EXIT_FATAL;
	if (!opt.output && cli_close_stdout() != 0)
		return EXIT_FATAL;
	/* a limit hit or a damaged archive is an error even if every record is fine;
	 * so is a stale source, whose output is its last good one */
	return u.errors || u.stop || stale ? EXIT_RECORD_ERRORS : EXIT_OK;
}
