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
	hashmap_init(m, ci);
}

int hashmap_get(const struct hashmap *m, const char *key, size_t *val)
{
	size_t i;

	if (!m->cap)
		return 0;
	for (i = hash(key, m->ci) & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1))
		if (same(m, m->keys[i], key)) {
			*val = m->vals[i];
			return 1;
		}
	return 0;
}

static void place(struct hashmap *m, const char *key, size_t val)
{
	size_t i;

	for (i = hash(key, m->ci) & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1))
		;
	m->keys[i] = key;
	m->vals[i] = val;
	m->n++;
}

int hashmap_put(struct hashmap *m, const char *key, size_t val)
{
	size_t dummy, k;

	if (hashmap_get(m, key, &dummy))
		return 0;
	if ((m->n + 1) * 2 > m->cap) {
		struct hashmap big;

		hashmap_init(&big, m->ci);
		big.cap = m->cap ? m->cap * 2 : 64;
		big.keys = xcalloc(big.cap, sizeof(*big.keys));
		big.vals = xcalloc(big.cap, sizeof(*big.vals));
		for (k = 0; k < m->cap; k++)
			if (m->keys[k])
				place(&big, m->keys[k], m->vals[k]);
		free(m->keys);
		free(m->vals);
		*m = big;
	}
	place(m, key, val);
	return 1;
}

size_t hashmap_count(const struct hashmap *m)
{
	return m->n;
}
