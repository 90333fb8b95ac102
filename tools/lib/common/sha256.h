/*
 * sha256.h: SHA-256 (FIPS 180-4), streaming and one-shot, with SHA-NI on x86-64.
 *
 * Ownership: a sha256_ctx holds no heap memory and lives wherever the caller puts it;
 * output buffers are the caller's. A context is used by one thread at a time.
 */
#ifndef DETCAT_SHA256_H
#define DETCAT_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_LEN 32
#define SHA256_HEX_LEN 64	/* without the NUL */

typedef void sha256_blocks_fn(uint32_t state[8], const unsigned char *p, size_t nblocks);

struct sha256_ctx {
	uint32_t state[8];
	uint64_t nbytes;		/* fed so far; the last nbytes % 64 wait in buf */
	unsigned char buf[64];
	sha256_blocks_fn *blocks;	/* picked by sha256_init() */
};

void sha256_init(struct sha256_ctx *ctx);
void sha256_update(struct sha256_ctx *ctx, const void *data, size_t n);
/* Writes the digest; the context must be initialised again before reuse. */
void sha256_final(struct sha256_ctx *ctx, unsigned char out[SHA256_DIGEST_LEN]);

/* One-shot digest as lower-case hex, NUL-terminated. */
/* sha256_final(), written as 64 lower-case hex digits */
void sha256_final_hex(struct sha256_ctx *ctx, char out[SHA256_HEX_LEN + 1]);
void sha256_hex(const void *data, size_t n, char out[SHA256_HEX_LEN + 1]);

/*
 * For tests and benchmarks: with on != 0, contexts initialised from now on use the
 * portable C path even where the CPU has SHA-NI. Not thread-safe.
 */
void sha256_force_portable(int on);
/* Non-zero if contexts initialised now would use SHA-NI. */
int sha256_uses_shani(void);

#endif
