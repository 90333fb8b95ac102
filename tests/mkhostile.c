/*
 * mkhostile DIR: write the hostile inputs the CLI tests feed to detcat-fetch-unpack
 * (SPEC §8) into DIR. Each holds good entries beside the bad ones, so the tests can
 * check that every good entry still comes out. Built at test time, never committed.
 */
#include "common/util.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct archive *out_open(const char *dir, const char *name, int format, int filter)
{
	struct archive *a = archive_write_new();
	char *path = xasprintf("%s/%s", dir, name);

	archive_write_set_format(a, format);
	if (filter != ARCHIVE_FILTER_NONE)
		archive_write_add_filter(a, filter);
	if (archive_write_open_filename(a, path) != ARCHIVE_OK)
		msg_die("%s: %s", path, archive_error_string(a));
	free(path);
	return a;
}

static void out_close(struct archive *a)
{
	if (archive_write_close(a) != ARCHIVE_OK)
		msg_die("%s", archive_error_string(a));
	archive_write_free(a);
}

/* One entry; data may be NULL with size for a run of 'A's written in chunks. */
static void add(struct archive *a, const char *path, mode_t type, const char *data, size_t size,
		const char *link)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : 0644);
	archive_entry_set_mtime(e, 1700000000, 0);
	if (type == AE_IFLNK)
		archive_entry_set_symlink(e, link);
	if (type == AE_IFCHR)
		archive_entry_set_rdev(e, 0x0103);
	if (link && type == AE_IFREG) {
		archive_entry_set_hardlink(e, link);
		size = 0;
	}
	archive_entry_set_size(e, type == AE_IFREG ? (la_int64_t)size : 0);
	if (archive_write_header(a, e) != ARCHIVE_OK)
		msg_die("%s: %s", path, archive_error_string(a));
	if (type == AE_IFREG && size) {
		if (data) {
			archive_write_data(a, data, size);
		} else {
			static char chunk[65536];
			size_t left = size;

			memset(chunk, 'A', sizeof(chunk));
			while (left) {
				size_t n = left < sizeof(chunk) ? left : sizeof(chunk);

				archive_write_data(a, chunk, n);
				left -= n;
			}
		}
	}
	archive_entry_free(e);
}

#define GOOD(a, p) add(a, p, AE_IFREG, "title: good\n", 12, NULL)

static void truncate_file(const char *dir, const char *name, double keep)
{
	char *path = xasprintf("%s/%s", dir, name);
	struct stat st;

	if (stat(path, &st) != 0 || truncate(path, (off_t)((double)st.st_size * keep)) != 0)
		msg_die("%s: %s", path, strerror(errno));
	free(path);
}

int main(int argc, char **argv)
{
	struct archive *a;
	const char *dir;

	msg_setprog("mkhostile");
	if (argc != 2)
		msg_die("usage: mkhostile DIR");
	dir = argv[1];
	mkdir(dir, 0777);

	/* path traversal, absolute paths, links and a device in a tar */
	a = out_open(dir, "escape.tar", ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_NONE);
	add(a, "top/", AE_IFDIR, NULL, 0, NULL);
	GOOD(a, "top/rules/a.yml");
	GOOD(a, "top/../../etc/evil.yml");
	GOOD(a, "/etc/absolute.yml");
	add(a, "top/rules/link.yml", AE_IFLNK, NULL, 0, "/etc/passwd");
	add(a, "top/rules/hard.yml", AE_IFREG, NULL, 0, "top/rules/a.yml");
	add(a, "top/rules/tty", AE_IFCHR, NULL, 0, NULL);
	GOOD(a, "top/rules/z.yml");
	out_close(a);

	/* the same escape in a zip ("zip slip") */
	a = out_open(dir, "slip.zip", ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE);
	GOOD(a, "repo/rules/a.yml");
	GOOD(a, "repo/rules/../../../evil.yml");
	GOOD(a, "repo/rules/b.yml");
	out_close(a);

	/* decompression bomb: 64 MiB of one byte, a few KiB compressed */
	a = out_open(dir, "bomb.tar.gz", ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_GZIP);
	GOOD(a, "top/a.yml");
	add(a, "top/bomb.yml", AE_IFREG, NULL, 64u << 20, NULL);
	GOOD(a, "top/z.yml");
	out_close(a);

	/* many small files adding up: the total cap, not the per-file one, stops them */
	a = out_open(dir, "many.tar.zst", ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_ZSTD);
	{
		int i;

		for (i = 0; i < 8; i++) {
			char name[32];

			snprintf(name, sizeof(name), "top/f%d.yml", i);
			add(a, name, AE_IFREG, NULL, 4096, NULL);
		}
	}
	out_close(a);

	/* invalid UTF-8 inside a file and in a file name */
	a = out_open(dir, "utf8.tar", ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_NONE);
	GOOD(a, "top/a.yml");
	add(a, "top/latin1.yml", AE_IFREG, "title: caf\xe9\n", 11, NULL);
	add(a, "top/overlong.yml", AE_IFREG, "x: \xc0\xaf\n", 6, NULL);
	out_close(a);

	/* a tar.zst cut short in the middle of its zstd frame */
	a = out_open(dir, "truncated.tar.zst", ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_ZSTD);
	{
		int i;

		unsigned x = 12345;

		/* enough incompressible bytes for many zstd blocks, so the cut falls
		 * after the first entries */
		for (i = 0; i < 40; i++) {
			char name[32], body[16384];
			size_t k;

			snprintf(name, sizeof(name), "top/r%03d.yml", i);
			for (k = 0; k < sizeof(body); k++) {
				x = x * 1103515245u + 12345u;
				body[k] = (char)('a' + (x >> 16) % 26);
			}
			add(a, name, AE_IFREG, body, sizeof(body), NULL);
		}
	}
	out_close(a);
	truncate_file(dir, "truncated.tar.zst", 0.6);

	/* a folder with a symbolic link, a FIFO and a .git folder beside good files */
	{
		char *p = xasprintf("%s/dir", dir);
		char *q;
		FILE *f;

		mkdir(p, 0777);
		q = xasprintf("%s/sub", p); mkdir(q, 0777); free(q);
		q = xasprintf("%s/.git", p); mkdir(q, 0777); free(q);
		q = xasprintf("%s/a.yml", p); f = fopen(q, "w"); fputs("title: a\n", f); fclose(f); free(q);
		q = xasprintf("%s/sub/b.yml", p); f = fopen(q, "w"); fputs("title: b\n", f); fclose(f); free(q);
		q = xasprintf("%s/sub/c.txt", p); f = fopen(q, "w"); fputs("not a rule\n", f); fclose(f); free(q);
		/* sorts before sub/b.yml: '-' < '/' */
		q = xasprintf("%s/sub-x.yml", p); f = fopen(q, "w"); fputs("title: x\n", f); fclose(f); free(q);
		q = xasprintf("%s/.git/config", p); f = fopen(q, "w"); fputs("[core]\n", f); fclose(f); free(q);
		q = xasprintf("%s/link.yml", p);
		if (symlink("/etc/passwd", q) != 0)
			msg_die("symlink: %s", strerror(errno));
		free(q);
		q = xasprintf("%s/fifo", p);
		if (mkfifo(q, 0644) != 0)
			msg_die("mkfifo: %s", strerror(errno));
		free(q);
		free(p);
	}

	/* entries out of order, as no code host writes them: still sorted on output */
	a = out_open(dir, "unsorted.tar.gz", ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_GZIP);
	add(a, "top/m.yml", AE_IFREG, "title: m\n", 9, NULL);
	add(a, "top/z.yml", AE_IFREG, "title: z\n", 9, NULL);
	add(a, "top/a.yml", AE_IFREG, "title: a\n", 9, NULL);
	add(a, "top/z.yml", AE_IFREG, "title: z again\n", 15, NULL);
	add(a, "top/sub/b.yml", AE_IFREG, "title: b\n", 9, NULL);
	out_close(a);

	/* a single compressed JSON file cut short, like a damaged ATT&CK bundle */
	a = out_open(dir, "bundle.json.zst", ARCHIVE_FORMAT_RAW, ARCHIVE_FILTER_ZSTD);
	{
		struct strbuf sb = STRBUF_INIT;
		int i;

		strbuf_addstr(&sb, "{\"type\": \"bundle\", \"objects\": [");
		for (i = 0; i < 5000; i++)
			strbuf_addf(&sb, "%s{\"id\": \"x-%d\", \"n\": %d}", i ? ", " : "", i, i * 7919 % 10007);
		strbuf_addstr(&sb, "]}\n");
		add(a, "bundle.json", AE_IFREG, sb.buf, sb.len, NULL);
		strbuf_release(&sb);
	}
	out_close(a);
	truncate_file(dir, "bundle.json.zst", 0.5);
	return 0;
}
