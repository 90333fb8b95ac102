/*
 * SHA-256 as specified in FIPS 180-4. Two block functions compute the same thing:
 * a portable one in C and, on x86-64 CPUs that have them, one built on the SHA
 * extensions (SHA-NI). sha256_init() picks one per context from a CPU test made once
 * per process.
 */
#include "common/sha256.h"

#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#include <stdatomic.h>
#endif

/* FIPS 180-4 §4.2.2: first 32 bits of the fractional parts of the cube roots of the
 * first 64 primes. */
static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5,
	0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
	0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
	0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* FIPS 180-4 §5.3.3: the initial hash value. */
static const uint32_t sha256_iv[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

static int force_portable;

static inline uint32_t load_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline void store_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static inline uint32_t ror32(uint32_t x, unsigned n)
{
	return x >> n | x << (32 - n);
}

/* The six functions of FIPS 180-4 §4.1.2, Ch and Maj in equivalent cheaper forms. */
#define CH(x, y, z)	((z) ^ ((x) & ((y) ^ (z))))
#define MAJ(x, y, z)	(((x) & (y)) | ((z) & ((x) | (y))))
#define BSIG0(x)	(ror32(x, 2) ^ ror32(x, 13) ^ ror32(x, 22))
#define BSIG1(x)	(ror32(x, 6) ^ ror32(x, 11) ^ ror32(x, 25))
#define SSIG0(x)	(ror32(x, 7) ^ ror32(x, 18) ^ ((x) >> 3))
#define SSIG1(x)	(ror32(x, 17) ^ ror32(x, 19) ^ ((x) >> 10))

/*
 * One round with the working variables renamed instead of shifted: the caller
 * rotates the argument list, so "d += t1" is the new e and "h = ..." the new a.
 */
#define ROUND(a, b, c, d, e, f, g, h, t, wt) do { \
	uint32_t t1_ = (h) + BSIG1(e) + CH(e, f, g) + sha256_k[t] + (wt); \
	(d) += t1_; \
	(h) = t1_ + BSIG0(a) + MAJ(a, b, c); \
} while (0)

/* W[t] for t >= 16 in a 16-word ring: w[j] holds W[t-16] and becomes W[t]. */
#define W_NEXT(j) (w[(j) & 15] += SSIG1(w[((j) + 14) & 15]) + \
			w[((j) + 9) & 15] + SSIG0(w[((j) + 1) & 15]))

#define W_LOADED(j) w[j]

/* Rounds t..t+7, taking W[t+i] from W(j + i). */
#define ROUNDS8(t, W, j) do { \
	ROUND(a, b, c, d, e, f, g, h, (t) + 0, W((j) + 0)); \
	ROUND(h, a, b, c, d, e, f, g, (t) + 1, W((j) + 1)); \
	ROUND(g, h, a, b, c, d, e, f, (t) + 2, W((j) + 2)); \
	ROUND(f, g, h, a, b, c, d, e, (t) + 3, W((j) + 3)); \
	ROUND(e, f, g, h, a, b, c, d, (t) + 4, W((j) + 4)); \
	ROUND(d, e, f, g, h, a, b, c, (t) + 5, W((j) + 5)); \
	ROUND(c, d, e, f, g, h, a, b, (t) + 6, W((j) + 6)); \
	ROUND(b, c, d, e, f, g, h, a, (t) + 7, W((j) + 7)); \
} while (0)

static void sha256_blocks_portable(uint32_t st[8], const unsigned char *p,
				   size_t nblocks)
{
	uint32_t w[16];
	uint32_t a, b, c, d, e, f, g, h;
	int t, i;

	for (; nblocks; nblocks--, p += 64) {
		for (i = 0; i < 16; i++)
			w[i] = load_be32(p + 4 * i);
		a = st[0]; b = st[1]; c = st[2]; d = st[3];
		e = st[4]; f = st[5]; g = st[6]; h = st[7];

		ROUNDS8(0, W_LOADED, 0);
		ROUNDS8(8, W_LOADED, 8);
		for (t = 16; t < 64; t += 16) {
			ROUNDS8(t, W_NEXT, 0);
			ROUNDS8(t + 8, W_NEXT, 8);
		}

		st[0] += a; st[1] += b; st[2] += c; st[3] += d;
		st[4] += e; st[5] += f; st[6] += g; st[7] += h;
	}
}

#if defined(__x86_64__)
/*
 * SHA-NI keeps the state in two registers as {A,B,E,F} and {C,D,G,H} (A in the top
 * lane). SHA256RNDS2 runs two rounds from the two low lanes of its third operand,
 * each holding W[t] + K[t]; SHA256MSG1 and SHA256MSG2 do the two halves of the
 * message schedule for four words at a time.
 */
#define SHANI_ATTR __attribute__((target("sha,sse4.1")))

/* Four rounds starting at round t, message words in m. */
#define SHANI_ROUNDS4(m, t) do { \
	__m128i wk_ = _mm_add_epi32((m), \
			_mm_loadu_si128((const __m128i *)&sha256_k[t])); \
	cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk_); \
	wk_ = _mm_shuffle_epi32(wk_, 0x0e); \
	abef = _mm_sha256rnds2_epu32(abef, cdgh, wk_); \
} while (0)

/* m0 = W[t-16..t-13] becomes W[t..t+3]; m1, m2, m3 are the three groups after it. */
#define SHANI_SCHEDULE(m0, m1, m2, m3) \
	((m0) = _mm_sha256msg2_epu32(_mm_add_epi32(_mm_sha256msg1_epu32((m0), (m1)), \
				_mm_alignr_epi8((m3), (m2), 4)), (m3)))

#define SHANI_ROUNDS16(t) do { \
	SHANI_SCHEDULE(m0, m1, m2, m3); SHANI_ROUNDS4(m0, (t) + 0); \
	SHANI_SCHEDULE(m1, m2, m3, m0); SHANI_ROUNDS4(m1, (t) + 4); \
	SHANI_SCHEDULE(m2, m3, m0, m1); SHANI_ROUNDS4(m2, (t) + 8); \
	SHANI_SCHEDULE(m3, m0, m1, m2); SHANI_ROUNDS4(m3, (t) + 12); \
} while (0)

static SHANI_ATTR void sha256_blocks_shani(uint32_t st[8], const unsigned char *p,
					   size_t nblocks)
{
	/* byte order within each 32-bit lane reversed: message words are big-endian */
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i abef, cdgh, abef_in, cdgh_in, tmp;
	__m128i m0, m1, m2, m3;

	tmp = _mm_loadu_si128((const __m128i *)&st[0]);	/* lanes 0..3: A B C D */
	cdgh = _mm_loadu_si128((const __m128i *)&st[4]);	/* E F G H */
	tmp = _mm_shuffle_epi32(tmp, 0xb1);			/* B A D C */
	cdgh = _mm_shuffle_epi32(cdgh, 0x1b);			/* H G F E */
	abef = _mm_alignr_epi8(tmp, cdgh, 8);			/* F E B A */
	cdgh = _mm_blend_epi16(cdgh, tmp, 0xf0);		/* H G D C */

	for (; nblocks; nblocks--, p += 64) {
		abef_in = abef;
		cdgh_in = cdgh;

		m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 0)), bswap);
		m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), bswap);
		m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 32)), bswap);
		m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 48)), bswap);

		SHANI_ROUNDS4(m0, 0);
		SHANI_ROUNDS4(m1, 4);
		SHANI_ROUNDS4(m2, 8);
		SHANI_ROUNDS4(m3, 12);
		SHANI_ROUNDS16(16);
		SHANI_ROUNDS16(32);
		SHANI_ROUNDS16(48);

		abef = _mm_add_epi32(abef, abef_in);
		cdgh = _mm_add_epi32(cdgh, cdgh_in);
	}

	tmp = _mm_shuffle_epi32(abef, 0x1b);			/* A B E F */
	cdgh = _mm_shuffle_epi32(cdgh, 0xb1);			/* G H C D */
	abef = _mm_blend_epi16(tmp, cdgh, 0xf0);		/* A B C D */
	cdgh = _mm_alignr_epi8(cdgh, tmp, 8);			/* E F G H */
	_mm_storeu_si128((__m128i *)&st[0], abef);
	_mm_storeu_si128((__m128i *)&st[4], cdgh);
}
#endif

#if defined(__x86_64__)
/*
 * CPUID leaf 7 EBX bit 29 is SHA. Asked directly because clang (14 at least) does not
 * know "sha" in __builtin_cpu_supports(). Cached: CPUID can trap to the hypervisor
 * and cost microseconds, too much for a context per record. Threads that race here
 * compute the same answer.
 */
static int cpu_has_shani(void)
{
	static atomic_int cached = -1;
	int has = atomic_load_explicit(&cached, memory_order_relaxed);
	unsigned int eax, ebx, ecx, edx;

	if (has >= 0)
		return has;
	has = __builtin_cpu_supports("sse4.1") &&
	      __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) &&
	      (ebx & (1u << 29));
	atomic_store_explicit(&cached, has, memory_order_relaxed);
	return has;
}
#endif

static sha256_blocks_fn *sha256_pick(void)
{
	if (force_portable)
		return sha256_blocks_portable;
#if defined(__x86_64__)
	if (cpu_has_shani())
		return sha256_blocks_shani;
#endif
	return sha256_blocks_portable;
}

void sha256_force_portable(int on)
{
	force_portable = on;
}

int sha256_uses_shani(void)
{
	return sha256_pick() != sha256_blocks_portable;
}

void sha256_init(struct sha256_ctx *ctx)
{
	memcpy(ctx->state, sha256_iv, sizeof(ctx->state));
	ctx->nbytes = 0;
	ctx->blocks = sha256_pick();
}

void sha256_update(struct sha256_ctx *ctx, const void *data, size_t n)
{
	const unsigned char *p = data;
	size_t have = (size_t)(ctx->nbytes & 63);

	if (!n)
		return;
	ctx->nbytes += n;
	if (have) {
		size_t take = 64 - have < n ? 64 - have : n;

		memcpy(ctx->buf + have, p, take);
		p += take;
		n -= take;
		if (have + take < 64)
			return;
		ctx->blocks(ctx->state, ctx->buf, 1);
	}
	if (n >= 64) {
		ctx->blocks(ctx->state, p, n / 64);
		p += n & ~(size_t)63;
		n &= 63;
	}
	if (n)
		memcpy(ctx->buf, p, n);
}

void sha256_final(struct sha256_ctx *ctx, unsigned char out[SHA256_DIGEST_LEN])
{
	uint64_t bits = ctx->nbytes << 3;
	size_t have = (size_t)(ctx->nbytes & 63);
	int i;

	/* FIPS 180-4 §5.1.1: a 1 bit, zeros, then the length in bits, big-endian */
	ctx->buf[have++] = 0x80;
	if (have > 56) {
		memset(ctx->buf + have, 0, 64 - have);
		ctx->blocks(ctx->state, ctx->buf, 1);
		have = 0;
	}
	memset(ctx->buf + have, 0, 56 - have);
	store_be32(ctx->buf + 56, (uint32_t)(bits >> 32));
	store_be32(ctx->buf + 60, (uint32_t)bits);
	ctx->blocks(ctx->state, ctx->buf, 1);

	for (i = 0; i < 8; i++)
		store_be32(out + 4 * i, ctx->state[i]);
}

void sha256_final_hex(struct sha256_ctx *ctx, char out[SHA256_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[SHA256_DIGEST_LEN];
	int i;

	sha256_final(ctx, md);
	for (i = 0; i < SHA256_DIGEST_LEN; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 15];
	}
	out[SHA256_HEX_LEN] = '\0';
}

void sha256_hex(const void *data, size_t n, char out[SHA256_HEX_LEN + 1])
{
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, data, n);
	sha256_final_hex(&ctx, out);
}
