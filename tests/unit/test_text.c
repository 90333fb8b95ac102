/*
 * Unit tests for text: UTF-8 validation at every range boundary, the hand-over from
 * the eight-byte ASCII path, an exhaustive check against a decoder written the other
 * way round, and base64 against RFC 4648 §10.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <cmocka.h>

#include "common/text.h"
#include "common/util.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Byte strings with explicit lengths, so that they may hold NUL. */
struct utf8_case {
	const char *s;
	size_t n;
	size_t want;	/* offset of the first bad sequence, or UTF8_VALID */
	const char *what;
};
#define U(lit, want, what) { lit, sizeof(lit) - 1, want, what }
#define OK UTF8_VALID

static void check_utf8_cases(const struct utf8_case *c, size_t count)
{
	size_t i, got;

	for (i = 0; i < count; i++) {
		got = utf8_invalid_at(c[i].s, c[i].n);
		if (got != c[i].want)
			fail_msg("%s: got offset %zd, want %zd", c[i].what,
				 (ssize_t)got, (ssize_t)c[i].want);
	}
}

static void test_utf8_accepts_every_range_boundary(void **state)
{
	static const struct utf8_case cases[] = {
		U("", OK, "empty"),
		U("plain ascii", OK, "ascii"),
		U("a\0b", OK, "NUL is a character"),
		U("\x7f", OK, "U+007F"),
		U("\xc2\x80", OK, "U+0080"),
		U("\xdf\xbf", OK, "U+07FF"),
		U("\xe0\xa0\x80", OK, "U+0800"),
		U("\xed\x9f\xbf", OK, "U+D7FF, last before surrogates"),
		U("\xee\x80\x80", OK, "U+E000, first after surrogates"),
		U("\xef\xbf\xbd", OK, "U+FFFD"),
		U("\xef\xbf\xbf", OK, "U+FFFF"),
		U("\xf0\x90\x80\x80", OK, "U+10000"),
		U("\xf3\xbf\xbf\xbf", OK, "U+FFFFF"),
		U("\xf4\x80\x80\x80", OK, "U+100000"),
		U("\xf4\x8f\xbf\xbf", OK, "U+10FFFF"),
		U("h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80!", OK, "mixed"),
	};

	(void)state;
	check_utf8_cases(cases, ARRAY_LEN(cases));
}

static void test_utf8_rejects_code_points_above_u10ffff(void **state)
{
	static const struct utf8_case cases[] = {
		U("\xf4\x90\x80\x80", 0, "U+110000"),
		U("\xf4\xbf\xbf\xbf", 0, "U+13FFFF"),
		U("\xf5\x80\x80\x80", 0, "lead F5"),
		U("\xf7\xbf\xbf\xbf", 0, "lead F7"),
		U("\xf8\x88\x80\x80\x80", 0, "five-byte form"),
		U("\xfc\x84\x80\x80\x80\x80", 0, "six-byte form"),
		U("ok\xfe", 2, "byte FE"),
		U("ok\xff", 2, "byte FF"),
	};

	(void)state;
	check_utf8_cases(cases, ARRAY_LEN(cases));
}

static void test_utf8_rejects_surrogates(void **state)
{
	static const struct utf8_case cases[] = {
		U("\xed\xa0\x80", 0, "U+D800"),
		U("\xed\xaf\xbf", 0, "U+DBFF"),
		U("\xed\xb0\x80", 0, "U+DC00"),
		U("\xed\xbf\xbf", 0, "U+DFFF"),
		U("x\xed\xa0\xbd\xed\xb8\x80", 1, "CESU-8 pair for U+1F600"),
	};

	(void)state;
	check_utf8_cases(cases, ARRAY_LEN(cases));
}

static void test_utf8_rejects_overlong_slash(void **state)
{
	static const struct utf8_case cases[] = {
		U("\xc0\xaf", 0, "two-byte '/'"),
		U("\xe0\x80\xaf", 0, "three-byte '/'"),
		U("\xf0\x80\x80\xaf", 0, "four-byte '/'"),
		U("..\xc0\xaf..", 2, "'/' inside a path"),
	};

	(void)state;
	check_utf8_cases(cases, ARRAY_LEN(cases));
}

static void test_utf8_rejects_overlong_forms_of_each_length(void **state)
{
	static const struct utf8_case cases[] = {
		U("\xc0\x80", 0, "two-byte NUL"),
		U("\xc1\xbf", 0, "two-byte U+007F"),
		U("\xe0\x80\x80", 0, "three-byte NUL"),
		U("\xe0\x9f\xbf", 0, "three-byte U+07FF"),
		U("\xf0\x80\x80\x80", 0, "four-byte NUL"),
		U("\xf0\x8f\xbf\xbf", 0, "four-byte U+FFFF"),
	};

	(void)state;
	check_utf8_cases(cases, ARRAY_LEN(cases));
}

static void test_utf8_rejects_sequences_truncated_at_end(void **state)
{
	static const struct utf8_case cases[] = {
		U("ab\xc3", 2, "two-byte, lead only"),
		U("ab\xe2", 2, "three-byte, lead only"),
		U("ab\xe2\x82", 2, "three-byte, one short"),
		U("\xf0\x9f\x98", 0, "four-byte, one short"),
		U("\xf0\x9f", 0, "four-byte, two short"),
		U("\xf4", 0, "four-byte, lead only"),
		U("\xe0\x80", 0, "cut-off overlong"),
	};

	(void)state;
	check_utf8_cases(cases, ARRAY_LEN(cases));
}

static void test_utf8_rejects_sequences_cut_short_by_another_byte(void **state)
{
	static const struct utf8_case cases[] = {
		U("\xc3" "a", 0, "two-byte, then ascii"),
		U("\xc3\x00", 0, "two-byte, then NUL"),
		U("\xe2\x82" "a", 0, "three-byte, then ascii"),
		U("\xe2\xc3\xa9", 0, "three-byte, then a new lead"),
		U("\xf0\x9f\x98" "a", 0, "four-byte, then ascii"),
		U("\xf0\x9f\x98\xf0\x9f\x98\x80", 0, "four-byte, then a new lead"),
	};

	(void)state;
	check_utf8_cases(cases, ARRAY_LEN(cases));
}

static void test_utf8_rejects_stray_continuation_bytes(void **state)
{
	static const struct utf8_case cases[] = {
		U("\x80", 0, "lone 80"),
		U("\xbf", 0, "lone BF"),
		U("a\x80", 1, "after ascii"),
		U("\xc3\xa9\xa9", 2, "one continuation too many"),
		U("\xf0\x9f\x98\x80\x80", 4, "after a four-byte sequence"),
	};

	(void)state;
	check_utf8_cases(cases, ARRAY_LEN(cases));
}

/*
 * A bad byte at every offset of a long ASCII run, from every start alignment: the
 * word-at-a-time path must stop on the right word and the byte path find the byte.
 */
static void test_utf8_reports_invalid_byte_inside_long_ascii_run(void **state)
{
	char buf[80];
	size_t start, at, n;

	(void)state;
	for (start = 0; start < 8; start++) {
		n = sizeof(buf) - start;
		for (at = 0; at < n; at++) {
			memset(buf, 'x', sizeof(buf));
			buf[start + at] = (char)0xff;
			assert_int_equal(utf8_invalid_at(buf + start, n), at);
		}
		memset(buf, 'x', sizeof(buf));
		assert_true(utf8_invalid_at(buf + start, n) == UTF8_VALID);
	}
}

/* Valid multi-byte sequences straddling word boundaries, then a bad one later on. */
static void test_utf8_resumes_ascii_path_after_multibyte_sequences(void **state)
{
	static const char *seqs[] = { "\xc3\xa9", "\xe2\x9c\x93", "\xf0\x9f\x98\x80" };
	char buf[96];
	size_t s, at, len, bad;

	(void)state;
	for (s = 0; s < ARRAY_LEN(seqs); s++) {
		len = strlen(seqs[s]);
		for (at = 0; at + len <= 40; at++) {
			memset(buf, 'x', sizeof(buf));
			memcpy(buf + at, seqs[s], len);
			assert_true(utf8_invalid_at(buf, sizeof(buf)) == UTF8_VALID);
			for (bad = at + len; bad < sizeof(buf); bad += 7) {
				buf[bad] = (char)0x80;
				assert_int_equal(utf8_invalid_at(buf, sizeof(buf)), bad);
				buf[bad] = 'x';
			}
			/* the same sequence cut off by the end of input */
			assert_int_equal(utf8_invalid_at(buf, at + len - 1), at);
		}
	}
}

/* Decodes the code point and then judges it: the opposite order to text.c. */
static size_t ref_invalid_at(const unsigned char *p, size_t n)
{
	size_t i = 0, len, k;
	uint32_t cp, min;

	while (i < n) {
		unsigned char c = p[i];

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			len = 2, cp = c & 0x1f, min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			len = 3, cp = c & 0x0f, min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			len = 4, cp = c & 0x07, min = 0x10000;
		} else {
			return i;
		}
		if (n - i < len)
			return i;
		for (k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return i;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return i;
		i += len;
	}
	return UTF8_VALID;
}

static void test_utf8_agrees_with_reference_decoder_on_all_short_strings(void **state)
{
	/* interesting values for the third and fourth byte of four-byte strings */
	static const unsigned char edge[] = {
		0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xf0, 0xff,
	};
	unsigned char b[4];
	uint32_t v;
	size_t i, j;

	(void)state;
	/* every string of one, two and three bytes */
	for (v = 0; v < (1u << 24); v++) {
		b[0] = (unsigned char)(v >> 16);
		b[1] = (unsigned char)(v >> 8);
		b[2] = (unsigned char)v;
		if (v < 256 && utf8_invalid_at((const char *)b + 2, 1) !=
			       ref_invalid_at(b + 2, 1))
			fail_msg("1 byte %02x", b[2]);
		if (v < 65536 && utf8_invalid_at((const char *)b + 1, 2) !=
				 ref_invalid_at(b + 1, 2))
			fail_msg("2 bytes %02x %02x", b[1], b[2]);
		if (utf8_invalid_at((const char *)b, 3) != ref_invalid_at(b, 3))
			fail_msg("3 bytes %02x %02x %02x", b[0], b[1], b[2]);
	}
	/* every lead and second byte of four-byte strings, edge values after them */
	for (v = 0; v < 65536; v++) {
		b[0] = (unsigned char)(v >> 8);
		b[1] = (unsigned char)v;
		for (i = 0; i < ARRAY_LEN(edge); i++) {
			for (j = 0; j < ARRAY_LEN(edge); j++) {
				b[2] = edge[i];
				b[3] = edge[j];
				if (utf8_invalid_at((const char *)b, 4) != ref_invalid_at(b, 4))
					fail_msg("4 bytes %02x %02x %02x %02x",
						 b[0], b[1], b[2], b[3]);
			}
		}
	}
}

/* RFC 4648 §10 */
static const struct {
	const char *raw;
	const char *padded;
	const char *unpadded;
} rfc4648[] = {
	{ "", "", "" },
	{ "f", "Zg==", "Zg" },
	{ "fo", "Zm8=", "Zm8" },
	{ "foo", "Zm9v", "Zm9v" },
	{ "foob", "Zm9vYg==", "Zm9vYg" },
	{ "fooba", "Zm9vYmE=", "Zm9vYmE" },
	{ "foobar", "Zm9vYmFy", "Zm9vYmFy" },
};

static void test_base64_encodes_rfc4648_vectors(void **state)
{
	size_t i, len;
	char *s;

	(void)state;
	for (i = 0; i < ARRAY_LEN(rfc4648); i++) {
		s = base64_encode(rfc4648[i].raw, strlen(rfc4648[i].raw), &len);
		assert_string_equal(s, rfc4648[i].padded);
		assert_int_equal(len, strlen(rfc4648[i].padded));
		free(s);
	}
	s = base64_encode("foo", 3, NULL);
	assert_string_equal(s, "Zm9v");
	free(s);
}

static void test_base64_decodes_rfc4648_vectors_padded_and_unpadded(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(rfc4648); i++) {
		strbuf_reset(&sb);
		assert_int_equal(base64_decode(rfc4648[i].padded,
					       strlen(rfc4648[i].padded), &sb), 0);
		assert_int_equal(sb.len, strlen(rfc4648[i].raw));
		assert_string_equal(sb.buf, rfc4648[i].raw);

		strbuf_reset(&sb);
		assert_int_equal(base64_decode(rfc4648[i].unpadded,
					       strlen(rfc4648[i].unpadded), &sb), 0);
		assert_string_equal(sb.buf, rfc4648[i].raw);
	}
	strbuf_release(&sb);
}

static void test_base64_uses_plus_and_slash_for_62_and_63(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char *s;

	(void)state;
	s = base64_encode("\xfb\xff", 2, NULL);
	assert_string_equal(s, "+/8=");
	assert_int_equal(base64_decode(s, strlen(s), &sb), 0);
	assert_memory_equal(sb.buf, "\xfb\xff", 2);
	free(s);
	strbuf_release(&sb);
}

static void test_base64_decode_appends_to_what_the_buffer_holds(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	strbuf_addstr(&sb, "say ");
	assert_int_equal(base64_decode("Zm9vYmFy", 8, &sb), 0);
	assert_string_equal(sb.buf, "say foobar");
	strbuf_release(&sb);
}

static void test_base64_round_trips_every_length_of_binary_data(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	unsigned char raw[300];
	size_t n, len;
	char *s;

	(void)state;
	for (n = 0; n < sizeof(raw); n++)
		raw[n] = (unsigned char)(n * 151 + 7);	/* every byte value */
	for (n = 0; n <= sizeof(raw); n++) {
		s = base64_encode(raw, n, &len);
		assert_int_equal(len, (n + 2) / 3 * 4);
		strbuf_reset(&sb);
		assert_int_equal(base64_decode(s, len, &sb), 0);
		assert_int_equal(sb.len, n);
		assert_memory_equal(sb.buf, raw, n);
		free(s);
	}
	strbuf_release(&sb);
}

static void test_base64_rejects_invalid_input_and_leaves_buffer_alone(void **state)
{
	static const struct {
		const char *s;
		size_t n;
		const char *what;
	} bad[] = {
#define B(lit, what) { lit, sizeof(lit) - 1, what }
		B("Z", "one character left over"),
		B("Zm9vY", "five characters"),
		B("Zg=", "padding short of a group"),
		B("Zg===", "three '='"),
		B("Zm9v=", "'=' after a full group"),
		B("=", "padding alone"),
		B("====", "a group of padding"),
		B("Z===", "three '=' in a group"),
		B("Zg==Zm8=", "padding in the middle"),
		B("=Zm9", "'=' first"),
		B("Zm9v\n", "newline"),
		B("Zm 9v", "space"),
		B("Zm9v\r\n", "CRLF"),
		B("Zm\0v", "NUL"),
		B("Zm9-", "URL-safe '-'"),
		B("Zm9_", "URL-safe '_'"),
		B("Zm9\xc3\xa9", "non-ASCII"),
		B("Zh==", "low bits set after one byte"),
		B("Zm9=", "low bits set after two bytes"),
		B("Zh", "low bits set, unpadded"),
#undef B
	};
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		strbuf_reset(&sb);
		strbuf_addstr(&sb, "keep");
		if (base64_decode(bad[i].s, bad[i].n, &sb) != -1)
			fail_msg("accepted: %s", bad[i].what);
		assert_int_equal(sb.len, 4);
		assert_string_equal(sb.buf, "keep");
	}
	strbuf_release(&sb);

	/* an empty strbuf stays usable after a failure */
	assert_int_equal(base64_decode("Z", 1, &sb), -1);
	assert_int_equal(sb.len, 0);
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_accepts_every_range_boundary),
		cmocka_unit_test(test_utf8_rejects_code_points_above_u10ffff),
		cmocka_unit_test(test_utf8_rejects_surrogates),
		cmocka_unit_test(test_utf8_rejects_overlong_slash),
		cmocka_unit_test(test_utf8_rejects_overlong_forms_of_each_length),
		cmocka_unit_test(test_utf8_rejects_sequences_truncated_at_end),
		cmocka_unit_test(test_utf8_rejects_sequences_cut_short_by_another_byte),
		cmocka_unit_test(test_utf8_rejects_stray_continuation_bytes),
		cmocka_unit_test(test_utf8_reports_invalid_byte_inside_long_ascii_run),
		cmocka_unit_test(test_utf8_resumes_ascii_path_after_multibyte_sequences),
		cmocka_unit_test(test_utf8_agrees_with_reference_decoder_on_all_short_strings),
		cmocka_unit_test(test_base64_encodes_rfc4648_vectors),
		cmocka_unit_test(test_base64_decodes_rfc4648_vectors_padded_and_unpadded),
		cmocka_unit_test(test_base64_uses_plus_and_slash_for_62_and_63),
		cmocka_unit_test(test_base64_decode_appends_to_what_the_buffer_holds),
		cmocka_unit_test(test_base64_round_trips_every_length_of_binary_data),
		cmocka_unit_test(test_base64_rejects_invalid_input_and_leaves_buffer_alone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
