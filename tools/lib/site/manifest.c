/*
 * The site's manifest (manifest.h): units, their input hashes and the files
 * each wrote, as one line per file under a line that names the build:
 *
 *     detcat-report-manifest 1 VERSION EXE-SHA256
 *     UNIT <tab> HASH <tab> REL <tab> SIZE <tab> MTIME-SEC <tab> MTIME-NSEC <tab> INODE
 *
 * A line that does not read so makes the whole manifest untrusted.
 */
#include "site/manifest.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "common/sha256.h"
#include "common/util.h"

struct manifest {
	json_t *units;		/* name -> {"h": hash, "f": [[rel, size, sec, nsec, ino], ...]} */
	json_t *cur;		/* the unit being rendered (borrowed from units), NULL when none */
	size_t rendered, skipped;
};

static char *first_line, *context;

/* What besides the catalog the pages read (the telemetry profile of --have):
 * part of the first line, so a manifest made with other inputs is not trusted. */
void manifest_set_context(const char *ctx)
{
	free(context);
	context = ctx ? xstrdup(ctx) : NULL;
	free(first_line);
	first_line = NULL;
}

/* "detcat-report-manifest 1 VERSION EXE-SHA256 [CONTEXT]": this build and these
 * inputs, no other */
static const char *build_line(void)
{
	if (!first_line) {
		struct strbuf exe = STRBUF_INIT;
		char hex[SHA256_HEX_LEN + 1] = "unknown";

		if (strbuf_read_file(&exe, "/proc/self/exe") == 0)
			sha256_hex(exe.buf, exe.len, hex);
		strbuf_release(&exe);
		first_line = xasprintf("detcat-report-manifest 1 %s %s%s%s", DETCAT_VERSION, hex,
				 context ? " " : "", context ? context : "");
	}
	return first_line;
}

struct manifest *manifest_new(void)
{
	struct manifest *m = xcalloc(1, sizeof(*m));

	m->units = json_object();
	return m;
}

void manifest_free(struct manifest *m)
{
	if (!m)
		return;
	json_decref(m->units);
	free(m);
}

/* split line at tabs into exactly n fields, in place */
static int fields(char *line, char **f, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		char *t = strchr(line, '\t');

		f[i] = line;
		if ((t != NULL) != (i < n - 1))
			return 0;
		if (t) {
			*t = '\0';
			line = t + 1;
		}
	}
	return 1;
}

struct manifest *manifest_read(const char *dir)
{
	char *path = xasprintf("%s/" MANIFEST_FILE, dir), *line, *next;
	struct manifest *m = manifest_new();
	struct strbuf sb = STRBUF_INIT;
	const char *want = build_line();
	size_t wl = strlen(want);
	int ok;

	ok = strbuf_read_file(&sb, path) == 0 && sb.len > wl && !strncmp(sb.buf, want, wl) && sb.buf[wl] == '\n';
	for (line = ok ? sb.buf + wl + 1 : NULL; ok && line && *line; line = next) {
		char *f[7], *end;
		json_t *u, *file;
		unsigned long long v[4];
		int i;

		next = strchr(line, '\n');
		if (!next) {
			ok = 0;	/* cut short */
			break;
		}
		*next++ = '\0';
		if (!fields(line, f, 7) || !*f[0] || !*f[1] || !*f[2]) {
			ok = 0;
			break;
		}
		for (i = 0; i < 4; i++) {
			errno = 0;
			v[i] = strtoull(f[3 + i], &end, 10);
			if (errno || end == f[3 + i] || *end)
				ok = 0;
		}
		if (!ok)
			break;
		u = json_object_get(m->units, f[0]);
		if (!u) {
			u = json_pack("{s:s, s:[]}", "h", f[1], "f");
			json_object_set_new(m->units, f[0], u);
		} else if (strcmp(json_string_value(json_object_get(u, "h")), f[1]) != 0) {
			ok = 0;	/* one unit, two hashes: not ours */
			break;
		}
		file = json_pack("[s, I, I, I, I]", f[2], (json_int_t)v[0], (json_int_t)v[1], (json_int_t)v[2],
				 (json_int_t)v[3]);
		json_array_append_new(json_object_get(u, "f"), file);
	}
	if (!ok)
		json_object_clear(m->units);
	strbuf_release(&sb);
	free(path);
	return m;
}

/* 1 when DIR/rel is as the manifest recorded it: size and mtime (the inode is
 * recorded only: a site copied with its mtimes, cp -a, is still trusted) */
static int untouched(const char *dir, const json_t *file)
{
	char *path = xasprintf("%s/%s", dir, json_string_value(json_array_get(file, 0)));
	struct stat st;
	int same = stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		(json_int_t)st.st_size == json_integer_value(json_array_get(file, 1)) &&
		(json_int_t)st.st_mtim.tv_sec == json_integer_value(json_array_get(file, 2)) &&
		(json_int_t)st.st_mtim.tv_nsec == json_integer_value(json_array_get(file, 3));

	free(path);
	return same;
}

int manifest_unit(struct manifest *next, const struct manifest *prev, const char *dir,
		  const char *name, const char *hash, json_t *written)
{
	const json_t *old = prev ? json_object_get(prev->units, name) : NULL, *file;
	size_t i;

	next->cur = NULL;
	if (strpbrk(name, "\t\n") || strpbrk(hash, "\t\n")) {
		next->rendered++;
		return 0;	/* cannot be written down: rendered every time */
	}
	if (old && strcmp(json_string_value(json_object_get(old, "h")), hash) == 0 &&
	    json_array_size(json_object_get(old, "f")) && !json_object_get(next->units, name)) {
		int same = 1;

		json_array_foreach(json_object_get(old, "f"), i, file)
			if (!(same = untouched(dir, file)))
				break;
		if (same) {
			json_array_foreach(json_object_get(old, "f"), i, file)
				json_object_set_new(written, json_string_value(json_array_get(file, 0)), json_true());
			json_object_set_new(next->units, name, json_deep_copy(old));
			next->skipped++;
			return 1;
		}
	}
	next->cur = json_object_get(next->units, name);
	if (!next->cur) {
		next->cur = json_pack("{s:s, s:[]}", "h", hash, "f");
		json_object_set_new(next->units, name, next->cur);
	}
	next->rendered++;
	return 0;
}

void manifest_file(struct manifest *next, const char *dir, const char *rel)
{
	char *path;
	struct stat st;

	if (!next || !next->cur || strpbrk(rel, "\t\n"))
		return;
	path = xasprintf("%s/%s", dir, rel);
	if (stat(path, &st) == 0)
		json_array_append_new(json_object_get(next->cur, "f"),
				      json_pack("[s, I, I, I, I]", rel, (json_int_t)st.st_size,
						(json_int_t)st.st_mtim.tv_sec, (json_int_t)st.st_mtim.tv_nsec,
						(json_int_t)st.st_ino));
	free(path);
}

void manifest_counts(const struct manifest *m, size_t *rendered, size_t *skipped)
{
	*rendered = m->rendered;
	*skipped = m->skipped;
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void manifest_write(const struct manifest *m, const char *dir)
{
	char *path = xasprintf("%s/" MANIFEST_FILE, dir), *tmp = xasprintf("%s.tmp", path);
	size_t n = json_object_size(m->units), i = 0, j;
	const char **keys = xcalloc(n + 1, sizeof(*keys)), *key;
	const json_t *u, *file;
	FILE *f;
	int bad;

	json_object_foreach(m->units, key, u)
		keys[i++] = key;
	qsort(keys, n, sizeof(*keys), cmp_key);
	f = fopen(tmp, "wb");
	if (!f)
		msg_die("%s: %s", tmp, strerror(errno));
	fprintf(f, "%s\n", build_line());
	for (i = 0; i < n; i++) {
		u = json_object_get(m->units, keys[i]);
		json_array_foreach(json_object_get(u, "f"), j, file)
			fprintf(f, "%s\t%s\t%s\t%" JSON_INTEGER_FORMAT "\t%" JSON_INTEGER_FORMAT "\t%"
				JSON_INTEGER_FORMAT "\t%" JSON_INTEGER_FORMAT "\n", keys[i],
				json_string_value(json_object_get(u, "h")), json_string_value(json_array_get(file, 0)),
				json_integer_value(json_array_get(file, 1)), json_integer_value(json_array_get(file, 2)),
				json_integer_value(json_array_get(file, 3)), json_integer_value(json_array_get(file, 4)));
	}
	bad = ferror(f);
	if ((fclose(f) != 0) | bad || rename(tmp, path) != 0) {
		remove(tmp);
		msg_die("%s: write error", path);
	}
	free(keys);
	free(tmp);
	free(path);
}
