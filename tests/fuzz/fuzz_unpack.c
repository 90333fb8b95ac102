/*
 * libFuzzer target: detcat-fetch-unpack's archive ingestion (format detection,
 * every libarchive reader we enable, path checks, the per-entry and total caps,
 * the UTF-8 check and the record encoder) on arbitrary bytes, as a downloaded
 * archive or compressed file is read: unpack_run() on the buffer, writing plain
 * NDJSON to a file in a temporary folder. It must never crash, hang, leak or
 * write anywhere but its output; every line it writes must be a raw-file record
 * (a JSON object with a path), never a path with "..", nor an absolute one.
 * Seeds: the archives tests/mkhostile makes (fuzz_unpack.seeds), small tars of
 * fixtures.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

/* the tool's own code, its main renamed; the HTTP side is never reached */
#define main fetch_unpack_main
#include "../../tools/fetch-unpack.c"
#undef main

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* http.c is left out of fuzz builds (it loads libcurl): these keep the linker happy */
void http_state_load(const char *path, struct http_state *s)
{
	(void)path;
	memset(s, 0, sizeof(*s));
}
int http_state_save(const char *path, const struct http_state *s)
{
	(void)path; (void)s;
	return -1;
}
void http_state_release(struct http_state *s)
{
	(void)s;
}
enum http_outcome http_get(const struct http_request *req, struct strbuf *body, struct http_state *seen,
			   char **why)
{
	(void)req; (void)body; (void)seen;
	*why = xstrdup("no HTTP in fuzzing");
	return HTTP_FAILED;
}

static char outdir[] = "/tmp/fuzz-unpack-XXXXXX";
static char outpath[sizeof(outdir) + 16];

static void cleanup(void)
{
	unlink(outpath);
	rmdir(outdir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc; (void)argv;
	msg_setprog("detcat-fetch-unpack");
	if (!mkdtemp(outdir))
		abort();
	atexit(cleanup);
	snprintf(outpath, sizeof(outpath), "%s/out.ndjson", outdir);
	return 0;
}

/* a component ".." (a name like "a../b" is no way out of the folder) */
static int has_dotdot(const char *p)
{
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return 1;
		p += n;
		while (*p == '/')
			p++;
	}
	return 0;
}

static void check_output(void)
{
	FILE *f = fopen(outpath, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f)
		return;	/* a fatal read: nothing written, which is allowed */
	while ((n = getline(&line, &cap, f)) > 0) {
		json_error_t je;
		json_t *o = json_loadb(line, (size_t)n, JSON_ALLOW_NUL, &je);
		const char *p = json_string_value(json_object_get(o, "path"));

		if (!p || p[0] == '/' || has_dotdot(p))
			if (!json_object_get(o, "error") || !p)
				__builtin_trap();
		json_decref(o);
	}
	free(line);
	fclose(f);
	unlink(outpath);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct options opt;
	struct unpack u;

	memset(&opt, 0, sizeof(opt));
	opt.source = "fuzz";
	opt.vendor = "sigma";
	opt.output = outpath;
	opt.format = NDJSON_PLAIN;
	/* small caps, so bombs stop quickly and stay inside libFuzzer's memory limit */
	opt.max_entry_size = 1u << 20;
	opt.max_total_size = 8u << 20;
	opt.max_entries = 1000;
	opt.timeout = 1;
	memset(&u, 0, sizeof(u));
	u.opt = &opt;
	u.where = "fuzz.tar";
	(void)unpack_run(&u, "fuzz.tar", data, size, 0);
	unpack_release(&u);
	check_output();
	return 0;
}
