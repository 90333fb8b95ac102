/* The string → number map (hashmap.h). */
#include "common/hashmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"

static uint64_t hash(const char *s, int ci)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (ci && c >= 'A' && c <= 'Z')
			c = (unsigned char)(c + 32);
		h = (h ^ c) * 1099511628211ULL;
	}
	return h;
}

static int same(const struct hashmap *m, const char *a, const char *b)
{
	return m->ci ? strcasecmp(a, b) == 0 : strcmp(a, b) == 0;
}

void hashmap_init(struct hashmap *m, int ci)
{
	memset(m, 0, sizeof(*m));
	m->ci = ci;
}

void hashmap_release(struct hashmap *m)
{
	int ci = m->ci;

	free(m->keys);
	free(m->vals);
	free(m->hashes);
	hashmap_init(m, ci);
}

/* the slot of key (hash h), or the empty slot where it would go */
static size_t slot(const struct hashmap *m, const char *key, uint64_t h)
{
	size_t i;

	for (i = h & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1))
		if (m->hashes[i] == h && same(m, m->keys[i], key))
			break;
	return i;
}

int hashmap_get(const struct hashmap *m, const char *key, size_t *val)
{
	size_t i;

	if (!m->cap)
		return 0;
	i = slot(m, key, hash(key, m->ci));
	if (!m->keys[i])
		return 0;
	*val = m->vals[i];
	return 1;
}

static void place(struct hashmap *m, size_t i, const char *key, size_t val, uint64_t h)
{
	m->keys[i] = key;
	m->vals[i] = val;
	m->hashes[i] = h;
	m->n++;
}

int hashmap_put(struct hashmap *m, const char *key, size_t val)
{
	uint64_t h = hash(key, m->ci);
	size_t i, k;

	if (m->cap && m->keys[slot(m, key, h)])
		return 0;
	if ((m->n + 1) * 2 > m->cap) {
		struct hashmap big;

		hashmap_init(&big, m->ci);
		big.cap = m->cap ? m->cap * 2 : 64;
		big.keys = xcalloc(big.cap, sizeof(*big.keys));
		big.vals = xcalloc(big.cap, sizeof(*big.vals));
		big.hashes = xcalloc(big.cap, sizeof(*big.hashes));
		for (k = 0; k < m->cap; k++) {
			if (!m->keys[k])
				continue;
			for (i = m->hashes[k] & (big.cap - 1); big.keys[i]; i = (i + 1) & (big.cap - 1))
				;
			place(&big, i, m->keys[k], m->vals[k], m->hashes[k]);
		}
		free(m->keys);
		free(m->vals);
		free(m->hashes);
		*m = big;
	}
	place(m, slot(m, key, h), key, val, h);
	return 1;
}

size_t hashmap_count(const struct hashmap *m)
{
	return m->n;
}
