/* Unit tests of the NDJSON streams (ndjson.c), the JSON string writer (jsonout.c)
 * and size arguments (cli.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "common/cli.h"
#include "io/jsonout.h"
#include "io/ndjson.h"
#include "common/util.h"

static char *tmpname(void)
{
	char *p = xstrdup("/tmp/detcat-test-XXXXXX");
	int fd = mkstemp(p);

	assert_true(fd >= 0);
	close(fd);
	return p;
}

static void write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static void *compress_all(const void *data, size_t n, size_t *out_n)
{
	size_t cap = ZSTD_compressBound(n);
	void *out = xmalloc(cap);

	*out_n = ZSTD_compress(out, cap, data, n, 3);
	assert_false(ZSTD_isError(*out_n));
	return out;
}

/* all lines of a file, joined with '|' */
static char *read_lines(const char *path, int *rc_out)
{
	const char *err = NULL, *line;
	struct ndjson_reader *r = ndjson_reader_open(path, &err);
	struct strbuf sb = STRBUF_INIT;
	size_t len;
	int rc;

	assert_non_null(r);
	while ((rc = ndjson_reader_next(r, &line, &len)) == 1) {
		assert_int_equal(strlen(line), len);
		if (sb.len)
			strbuf_addch(&sb, '|');
		strbuf_add(&sb, line, len);
	}
	*rc_out = rc;
	ndjson_reader_close(r);
	strbuf_grow(&sb, 0);
	return strbuf_detach(&sb, NULL);
}

static void test_reader_reads_plain_lines_and_skips_empty_ones(void **state)
{
	char *p = tmpname(), *got;
	int rc;
	const char *text = "{\"a\":1}\n\n{\"b\":2}\r\n{\"c\":3}";

	(void)state;
	write_file(p, text, strlen(text));
	got = read_lines(p, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(got, "{\"a\":1}|{\"b\":2}|{\"c\":3}");
	free(got);
	unlink(p);
	free(p);
}

static void test_reader_detects_zstd_by_magic_number(void **state)
{
	const char *text = "{\"x\":\"one\"}\n{\"x\":\"two\"}\n";
	char *p = tmpname(), *got;
	size_t n;
	void *z = compress_all(text, strlen(text), &n);
	int rc;

	(void)state;
	write_file(p, z, n);
	got = read_lines(p, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(got, "{\"x\":\"one\"}|{\"x\":\"two\"}");
	free(got);
	free(z);
	unlink(p);
	free(p);
}

static void test_reader_returns_lines_longer_than_any_buffer(void **state)
{
	size_t big = 3u << 20, n;
	char *text = xmalloc(big + 8), *p = tmpname(), *got;
	void *z;
	int rc;

	(void)state;
	text[0] = '"';
	memset(text + 1, 'q', big);
	memcpy(text + 1 + big, "\"\nx\n", 4);
	z = compress_all(text, big + 5, &n);
	write_file(p, z, n);
	got = read_lines(p, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(strlen(got), big + 2 + 2);
	assert_memory_equal(got + big + 2, "|x", 2);
	free(got);
	write_file(p, text, big + 5);	/* and plain */
	got = read_lines(p, &rc);
	assert_int_equal(strlen(got), big + 4);
	free(got);
	free(z);
	free(text);
	unlink(p);
	free(p);
}

static void test_reader_reports_a_zstd_stream_cut_inside_a_frame(void **state)
{
	size_t n, i;
	struct strbuf sb = STRBUF_INIT;
	char *p = tmpname(), *got;
	void *z;
	int rc;

	(void)state;
	for (i = 0; i < 20000; i++)
		strbuf_addf(&sb, "{\"n\":%zu,\"s\":\"%zx\"}\n", i, i * 2654435761u);
	z = compress_all(sb.buf, sb.len, &n);
	write_file(p, z, n / 2);
	got = read_lines(p, &rc);
	assert_int_equal(rc, -1);
	free(got);
	{
		const char *err = NULL, *line;
		size_t len;
		struct ndjson_reader *r = ndjson_reader_open(p, &err);

		while (ndjson_reader_next(r, &line, &len) == 1)
			;
		assert_non_null(strstr(ndjson_reader_error(r), "truncated"));
		ndjson_reader_close(r);
	}
	free(z);
	strbuf_release(&sb);
	unlink(p);
	free(p);
}

static void test_reader_reads_concatenated_zstd_frames(void **state)
{
	size_t n1, n2;
	void *a = compress_all("{\"f\":1}\n", 8, &n1), *b = compress_all("{\"f\":2}\n", 8, &n2);
	char *both = xmalloc(n1 + n2), *p = tmpname(), *got;
	int rc;

	(void)state;
	memcpy(both, a, n1);
	memcpy(both + n1, b, n2);
	write_file(p, both, n1 + n2);
	got = read_lines(p, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(got, "{\"f\":1}|{\"f\":2}");
	free(got);
	free(a);
	free(b);
	free(both);
	unlink(p);
	free(p);
}

static void test_next_json_reports_a_bad_line_and_goes_on(void **state)
{
	char *p = tmpname(), err[200];
	const char *e = NULL;
	struct ndjson_reader *r;
	json_t *o = NULL;
	const char *text = "{\"a\":1}\nnot json\n[1]\n{\"b\":2}\n";

	(void)state;
	write_file(p, text, strlen(text));
	r = ndjson_reader_open(p, &e);
	assert_int_equal(ndjson_reader_next_json(r, &o, err, sizeof(err)), 1);
	assert_int_equal(json_integer_value(json_object_get(o, "a")), 1);
	json_decref(o);
	assert_int_equal(ndjson_reader_next_json(r, &o, err, sizeof(err)), -2);
	assert_int_equal(ndjson_reader_lineno(r), 2);
	assert_int_equal(ndjson_reader_next_json(r, &o, err, sizeof(err)), -2);
	assert_string_equal(err, "record is not a JSON object");
	assert_int_equal(ndjson_reader_next_json(r, &o, err, sizeof(err)), 1);
	assert_int_equal(json_integer_value(json_object_get(o, "b")), 2);
	json_decref(o);
	assert_int_equal(ndjson_reader_next_json(r, &o, err, sizeof(err)), 0);
	ndjson_reader_close(r);
	unlink(p);
	free(p);
}

static void roundtrip(enum ndjson_format fmt)
{
	char *p = tmpname(), *got;
	const char *err = NULL;
	struct ndjson_writer *w = ndjson_writer_open(p, fmt, &err);
	json_t *o = json_pack("{s:s, s:i}", "k", "v\n\"q\"", "n", 7);
	FILE *f;
	unsigned char magic[4];
	int rc;

	assert_non_null(w);
	assert_int_equal(ndjson_writer_put(w, o), 0);
	assert_int_equal(ndjson_writer_line(w, "{\"raw\":true}", 12), 0);
	assert_int_equal(ndjson_writer_close(w), 0);
	json_decref(o);
	f = fopen(p, "rb");
	assert_int_equal(fread(magic, 1, 4, f), 4);
	fclose(f);
	assert_int_equal(magic[0] == 0x28 && magic[1] == 0xb5, fmt == NDJSON_ZSTD);
	got = read_lines(p, &rc);
	assert_string_equal(got, "{\"k\":\"v\\n\\\"q\\\"\",\"n\":7}|{\"raw\":true}");
	free(got);
	unlink(p);
	free(p);
}

static void test_writer_output_reads_back_in_zstd_and_plain(void **state)
{
	(void)state;
	roundtrip(NDJSON_ZSTD);
	roundtrip(NDJSON_PLAIN);
}

static void test_writer_is_byte_identical_for_the_same_records(void **state)
{
	char *p[2];
	const char *err = NULL;
	int k;
	size_t i;

	(void)state;
	for (k = 0; k < 2; k++) {
		struct ndjson_writer *w;

		p[k] = tmpname();
		w = ndjson_writer_open(p[k], NDJSON_ZSTD, &err);
		for (i = 0; i < 50000; i++) {
			char line[64];
			int n = snprintf(line, sizeof(line), "{\"i\":%zu}", i);

			ndjson_writer_line(w, line, (size_t)n);
		}
		assert_int_equal(ndjson_writer_close(w), 0);
	}
	{
		FILE *a = fopen(p[0], "rb"), *b = fopen(p[1], "rb");
		int ca, cb;

		do {
			ca = getc(a);
			cb = getc(b);
			assert_int_equal(ca, cb);
		} while (ca != EOF);
		fclose(a);
		fclose(b);
	}
	for (k = 0; k < 2; k++) {
		unlink(p[k]);
		free(p[k]);
	}
}

/* compress with the writer's settings but another number of workers */
static void *compress_like_writer(const void *data, size_t n, int workers, size_t *out_n)
{
	ZSTD_CCtx *c = ZSTD_createCCtx();
	size_t cap = ZSTD_compressBound(n) + 1024;
	void *out = xmalloc(cap);
	ZSTD_inBuffer in = { data, n, 0 };
	ZSTD_outBuffer o = { out, cap, 0 };

	ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, NDJSON_ZSTD_LEVEL);
	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
	ZSTD_CCtx_setParameter(c, ZSTD_c_nbWorkers, workers);
	ZSTD_CCtx_setParameter(c, ZSTD_c_jobSize, 1 << 20);
	/* streamed in pieces as the writer does (one call would also record the
	 * content size in the frame header) */
	while (in.pos < n) {
		ZSTD_inBuffer piece = { (const char *)data + in.pos, n - in.pos < 65536 ? n - in.pos : 65536, 0 };

		ZSTD_compressStream2(c, &o, &piece, ZSTD_e_continue);
		in.pos += piece.pos;
	}
	while (ZSTD_compressStream2(c, &o, &in, ZSTD_e_end) != 0)
		;
	ZSTD_freeCCtx(c);
	*out_n = o.pos;
	return out;
}

static void test_writer_output_does_not_depend_on_the_number_of_workers(void **state)
{
	struct strbuf text = STRBUF_INIT;
	char *p = tmpname();
	const char *err = NULL;
	struct ndjson_writer *w = ndjson_writer_open(p, NDJSON_ZSTD, &err);
	size_t i, n1, n4, nw;
	void *one, *four, *written = xmalloc(8u << 20);
	FILE *f;

	(void)state;
	for (i = 0; i < 200000; i++) {
		size_t before = text.len;

		strbuf_addf(&text, "{\"i\":%zu,\"h\":\"%zx\"}", i, i * 2654435761u);
		ndjson_writer_line(w, text.buf + before, text.len - before);
		strbuf_addch(&text, '\n');
	}
	assert_int_equal(ndjson_writer_close(w), 0);
	f = fopen(p, "rb");
	nw = fread(written, 1, 8u << 20, f);
	fclose(f);
	one = compress_like_writer(text.buf, text.len, 1, &n1);
	four = compress_like_writer(text.buf, text.len, 4, &n4);
	assert_true(text.len > (3u << 20));	/* several jobs */
	assert_int_equal(n1, nw);
	assert_memory_equal(one, written, nw);
	assert_int_equal(n4, nw);
	assert_memory_equal(four, written, nw);
	free(one);
	free(four);
	free(written);
	strbuf_release(&text);
	unlink(p);
	free(p);
}

static void test_writer_abort_leaves_the_old_target_alone(void **state)
{
	char *p = tmpname(), *got;
	const char *err = NULL;
	struct ndjson_writer *w;
	int rc;

	(void)state;
	write_file(p, "{\"old\":1}\n", 10);
	w = ndjson_writer_open(p, NDJSON_PLAIN, &err);
	ndjson_writer_line(w, "{\"new\":1}", 9);
	ndjson_writer_abort(w);
	got = read_lines(p, &rc);
	assert_string_equal(got, "{\"old\":1}");
	free(got);
	unlink(p);
	free(p);
}

static void test_writer_writes_into_a_device_without_replacing_it(void **state)
{
	const char *err = NULL;
	struct ndjson_writer *w = ndjson_writer_open("/dev/null", NDJSON_ZSTD, &err);
	struct stat st;

	(void)state;
	assert_non_null(w);
	assert_int_equal(ndjson_writer_line(w, "{}", 2), 0);
	assert_int_equal(ndjson_writer_close(w), 0);
	assert_int_equal(stat("/dev/null", &st), 0);
	assert_true(S_ISCHR(st.st_mode));
}

static void test_json_append_string_escapes_quotes_backslashes_and_controls(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *back;
	const char in[] = "a\"b\\c\n\t\x01\x1f\x7f\xc3\xa9\0z";

	(void)state;
	json_append_string(&sb, in, sizeof(in) - 1);
	assert_string_equal(sb.buf, "\"a\\\"b\\\\c\\n\\t\\u0001\\u001f\x7f\xc3\xa9\\u0000z\"");
	/* and jansson reads back the same bytes */
	back = json_loadb(sb.buf, sb.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	assert_non_null(back);
	assert_int_equal(json_string_length(back), sizeof(in) - 1);
	assert_memory_equal(json_string_value(back), in, sizeof(in) - 1);
	json_decref(back);
	strbuf_release(&sb);
}

static void test_json_append_key_separates_members(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	strbuf_addch(&sb, '{');
	json_append_key(&sb, "a");
	strbuf_addch(&sb, '1');
	json_append_key(&sb, "b\"");
	strbuf_addstr(&sb, "2}");
	assert_string_equal(sb.buf, "{\"a\":1,\"b\\\"\":2}");
	strbuf_release(&sb);
}

static void test_cli_parse_size_takes_suffixes(void **state)
{
	(void)state;
	assert_true(cli_parse_size("0", "--x") == 0);
	assert_true(cli_parse_size("1000", "--x") == 1000);
	assert_true(cli_parse_size("64k", "--x") == 65536);
	assert_true(cli_parse_size("256M", "--x") == 256ULL << 20);
	assert_true(cli_parse_size("2G", "--x") == 2ULL << 30);
}

/* gzip, zip, bzip2, xz and a folder are refused at the open, with what they are */
static void test_reader_open_names_other_formats_and_folders_once(void **state)
{
	static const struct { const char *bytes; size_t n; const char *want; } cases[] = {
		{ "\x1f\x8b\x08\x00rest", 8, "gzip-compressed input" },
		{ "PK\3\4rest", 8, "a zip archive" },
		{ "BZh91AY", 7, "bzip2-compressed" },
		{ "\xfd" "7zXZ\0rest", 10, "xz-compressed" },
	};
	const char *err = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *p = tmpname();

		write_file(p, cases[i].bytes, cases[i].n);
		err = NULL;
		assert_null(ndjson_reader_open(p, &err));
		assert_non_null(err);
		assert_non_null(strstr(err, cases[i].want));
		remove(p);
		free(p);
	}
	err = NULL;
	assert_null(ndjson_reader_open("/tmp", &err));
	assert_non_null(strstr(err, "is a folder"));
	/* plain text that merely starts like nothing known still reads */
	{
		char *p = tmpname();
		int rc;
		char *got;

		write_file(p, "{\"a\":1}\n", 8);
		got = read_lines(p, &rc);
		assert_string_equal(got, "{\"a\":1}");
		assert_int_equal(rc, 0);
		free(got);
		remove(p);
		free(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_reads_plain_lines_and_skips_empty_ones),
		cmocka_unit_test(test_reader_detects_zstd_by_magic_number),
		cmocka_unit_test(test_reader_returns_lines_longer_than_any_buffer),
		cmocka_unit_test(test_reader_reports_a_zstd_stream_cut_inside_a_frame),
		cmocka_unit_test(test_reader_reads_concatenated_zstd_frames),
		cmocka_unit_test(test_next_json_reports_a_bad_line_and_goes_on),
		cmocka_unit_test(test_writer_output_reads_back_in_zstd_and_plain),
		cmocka_unit_test(test_writer_is_byte_identical_for_the_same_records),
		cmocka_unit_test(test_writer_output_does_not_depend_on_the_number_of_workers),
		cmocka_unit_test(test_writer_abort_leaves_the_old_target_alone),
		cmocka_unit_test(test_writer_writes_into_a_device_without_replacing_it),
		cmocka_unit_test(test_json_append_string_escapes_quotes_backslashes_and_controls),
		cmocka_unit_test(test_json_append_key_separates_members),
		cmocka_unit_test(test_cli_parse_size_takes_suffixes),
		cmocka_unit_test(test_reader_open_names_other_formats_and_folders_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
