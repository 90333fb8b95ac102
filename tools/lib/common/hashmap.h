/*
 * hashmap.h: one string → number map for every table the tools index by name
 * (the ATT&CK ids and tactic spellings, the catalog's rows, the event
 * catalog, field maps). Open addressing with linear probing, FNV-1a, never
 * more than half full. The numbers are usually indexes into the caller's
 * own vector of rows, kept in insertion order, so output order never depends
 * on the hash.
 *
 * Ownership: keys are borrowed: the caller keeps each key alive, unchanged,
 * while it is in the map (a string of its rows, an arena). The map owns only
 * its slots (hashmap_release()).
 */
#ifndef DETCAT_HASHMAP_H
#define DETCAT_HASHMAP_H

#include <stddef.h>
#include <stdint.h>

struct hashmap {
	const char **keys;	/* NULL: an empty slot */
	size_t *vals;
	uint64_t *hashes;	/* each key's hash: compared before the key, kept when growing */
	size_t cap, n;		/* cap is 0 or a power of two */
	int ci;			/* keys compared ignoring ASCII case */
};

/* ci: 1 when "Image" and "image" are one key. */
void hashmap_init(struct hashmap *m, int ci);
void hashmap_release(struct hashmap *m);
/* 1 with *val set when key is in the map, else 0. */
int hashmap_get(const struct hashmap *m, const char *key, size_t *val);
/* Add key → val unless key is there already (its value is kept): 1 when added. */
int hashmap_put(struct hashmap *m, const char *key, size_t val);
size_t hashmap_count(const struct hashmap *m);

#endif
