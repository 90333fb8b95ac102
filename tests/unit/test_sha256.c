/*
 * Unit tests for sha256: FIPS 180-4 example vectors on both block functions, padding
 * at block boundaries, SHA-NI against portable C, and streaming against one-shot.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/sha256.h"
#include "common/util.h"

static const char msg448[] =
	"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
static const char msg896[] =
	"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
	"klmnopqrlmnopqrsmnopqrstnopqrstu";

/* A fixed-seed generator, so that a failure shows up again on the next run. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng_next(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void rng_fill(unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(rng_next() >> 56);
}

static void hex_with(int portable, const void *data, size_t n, char out[65])
{
	sha256_force_portable(portable);
	sha256_hex(data, n, out);
	sha256_force_portable(0);
}

/* Checks the digest on the portable path and on the default (SHA-NI where present). */
static void assert_digest_both_paths(const void *data, size_t n, const char *want)
{
	char hex[65];

	hex_with(1, data, n, hex);
	assert_string_equal(hex, want);
	hex_with(0, data, n, hex);
	assert_string_equal(hex, want);
}

static void test_sha256_matches_fips_vector_for_empty_message(void **state)
{
	(void)state;
	assert_digest_both_paths("", 0,
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_digest_both_paths(NULL, 0,
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_sha256_matches_fips_vector_for_abc(void **state)
{
	(void)state;
	assert_digest_both_paths("abc", 3,
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_sha256_matches_fips_vector_for_448_bit_message(void **state)
{
	(void)state;
	assert_int_equal(strlen(msg448) * 8, 448);
	assert_digest_both_paths(msg448, strlen(msg448),
		"248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_sha256_matches_fips_vector_for_896_bit_message(void **state)
{
	(void)state;
	assert_int_equal(strlen(msg896) * 8, 896);
	assert_digest_both_paths(msg896, strlen(msg896),
		"cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void million_a_in_odd_chunks(int portable)
{
	static const size_t chunks[] = { 1, 3, 7, 63, 65, 127, 129, 1001, 4097 };
	const char *want =
		"cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
	struct sha256_ctx ctx;
	unsigned char a[4097], md[32];
	char hex[65];
	size_t left = 1000000, i = 0, k;

	memset(a, 'a', sizeof(a));
	sha256_force_portable(portable);
	sha256_init(&ctx);
	sha256_force_portable(0);
	while (left) {
		size_t n = chunks[i++ % (sizeof(chunks) / sizeof(chunks[0]))];

		if (n > left)
			n = left;
		sha256_update(&ctx, a, n);
		left -= n;
	}
	sha256_final(&ctx, md);
	for (k = 0; k < 32; k++)
		snprintf(hex + 2 * k, 3, "%02x", md[k]);
	assert_string_equal(hex, want);
}

static void test_sha256_matches_fips_vector_for_one_million_a_in_odd_chunks(void **state)
{
	(void)state;
	million_a_in_odd_chunks(1);
	million_a_in_odd_chunks(0);
}

/* Lengths around the 55/56 and 64-byte edges decide how padding spills over. */
static void test_sha256_pads_correctly_at_block_boundaries(void **state)
{
	static const struct {
		size_t n;
		const char *hex;
	} cases[] = {
		{ 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
		{ 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
		{ 57, "f13b2d724659eb3bf47f2dd6af1accc87b81f09f59f2b75e5c0bed6589dfe8c6" },
		{ 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
		{ 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
		{ 65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0" },
		{ 119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb" },
		{ 120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c" },
		{ 128, "6836cf13bac400e9105071cd6af47084dfacad4e5e302c94bfed24e013afb73e" },
	};
	char a[128];
	size_t i;

	(void)state;
	memset(a, 'a', sizeof(a));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_digest_both_paths(a, cases[i].n, cases[i].hex);
}

static void test_sha256_hex_is_lower_case_and_nul_terminated(void **state)
{
	char hex[66];
	size_t i;

	(void)state;
	memset(hex, 'X', sizeof(hex));
	sha256_hex("abc", 3, hex);
	assert_int_equal(hex[64], '\0');
	assert_int_equal(hex[65], 'X');
	for (i = 0; i < 64; i++)
		assert_true((hex[i] >= '0' && hex[i] <= '9') ||
			    (hex[i] >= 'a' && hex[i] <= 'f'));
}

static void test_sha256_force_portable_switches_the_block_function(void **state)
{
	int native;

	(void)state;
	native = sha256_uses_shani();
	sha256_force_portable(1);
	assert_false(sha256_uses_shani());
	sha256_force_portable(0);
	assert_int_equal(sha256_uses_shani(), native);
}

static void skip_without_shani(void)
{
	if (!sha256_uses_shani()) {
		print_message("no SHA-NI on this CPU: nothing to compare against\n");
		skip();
	}
}

static void test_sha256_shani_and_portable_agree_on_random_lengths_0_to_300(void **state)
{
	unsigned char buf[300 + 3];
	char want[65], got[65];
	size_t n, off;

	(void)state;
	skip_without_shani();
	for (n = 0; n <= 300; n++) {
		/* also from unaligned starts: both paths load with unaligned reads */
		for (off = 0; off < 4; off++) {
			if (off + n > sizeof(buf))
				break;
			rng_fill(buf, sizeof(buf));
			hex_with(1, buf + off, n, want);
			hex_with(0, buf + off, n, got);
			assert_string_equal(got, want);
		}
	}
}

static void test_sha256_shani_and_portable_agree_on_one_mebibyte(void **state)
{
	size_t n = 1 << 20;
	unsigned char *buf;
	char want[65], got[65];

	(void)state;
	skip_without_shani();
	buf = xmalloc(n);
	rng_fill(buf, n);
	hex_with(1, buf, n, want);
	hex_with(0, buf, n, got);
	assert_string_equal(got, want);
	free(buf);
}

static void streaming_equals_one_shot(int portable)
{
	size_t n = 1 << 20, pos, k;
	unsigned char *buf, md[32];
	char want[65], got[65];
	struct sha256_ctx ctx;

	buf = xmalloc(n);
	rng_fill(buf, n);
	hex_with(portable, buf, n, want);

	sha256_force_portable(portable);
	sha256_init(&ctx);
	sha256_force_portable(0);
	for (pos = 0; pos < n; ) {
		size_t c;

		/* mostly small pieces that straddle blocks, now and then a long one */
		c = rng_next() % 8 ? rng_next() % 200 : rng_next() % 20000;
		if (c > n - pos)
			c = n - pos;
		sha256_update(&ctx, buf + pos, c);
		pos += c;
	}
	sha256_final(&ctx, md);
	for (k = 0; k < 32; k++)
		snprintf(got + 2 * k, 3, "%02x", md[k]);
	assert_string_equal(got, want);
	free(buf);
}

static void test_sha256_streaming_in_random_chunks_equals_one_shot(void **state)
{
	(void)state;
	streaming_equals_one_shot(1);
	streaming_equals_one_shot(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_matches_fips_vector_for_empty_message),
		cmocka_unit_test(test_sha256_matches_fips_vector_for_abc),
		cmocka_unit_test(test_sha256_matches_fips_vector_for_448_bit_message),
		cmocka_unit_test(test_sha256_matches_fips_vector_for_896_bit_message),
		cmocka_unit_test(test_sha256_matches_fips_vector_for_one_million_a_in_odd_chunks),
		cmocka_unit_test(test_sha256_pads_correctly_at_block_boundaries),
		cmocka_unit_test(test_sha256_hex_is_lower_case_and_nul_terminated),
		cmocka_unit_test(test_sha256_force_portable_switches_the_block_function),
		cmocka_unit_test(test_sha256_shani_and_portable_agree_on_random_lengths_0_to_300),
		cmocka_unit_test(test_sha256_shani_and_portable_agree_on_one_mebibyte),
		cmocka_unit_test(test_sha256_streaming_in_random_chunks_equals_one_shot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
