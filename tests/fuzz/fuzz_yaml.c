/*
 * libFuzzer target: the YAML reader (io/yamldoc) every YAML front end stands on,
 * on arbitrary bytes with the default limits. It must never crash, hang, leak
 * or read out of bounds; a load that fails says why on one line; every node of
 * a load that succeeds is walked (aliases are shared nodes, so the walk is
 * bounded by the expansion cap, which it checks), with its scalars
 * NUL-terminated at their length and its offsets inside the input.
 */
#include <stdint.h>
#include <string.h>

#include "io/yamldoc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t walk(const struct yamldoc *d, const struct ynode *n, size_t depth, size_t len)
{
	size_t i, seen = 1;

	if (!n || depth > 4096)	/* aliases may nest below the cap on collections */
		return 0;
	if (yamldoc_offset(d, n->start) > len || yamldoc_offset(d, n->end) > len)
		__builtin_trap();
	if (n->kind == YNODE_SCALAR) {
		if (!n->str || n->str[n->len] != '\0')
			__builtin_trap();
		return 1;
	}
	for (i = 0; i < n->n; i++) {
		if (n->kind == YNODE_MAP) {
			if (!n->keys[i] || n->keys[i]->kind != YNODE_SCALAR)
				__builtin_trap();
			(void)ynode_key_overridden(n, i);
		}
		seen += walk(d, n->vals[i], depth + 1, len);
		if (seen > 2000000)	/* twice the default cap: expansion went unchecked */
			__builtin_trap();
	}
	return seen;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct yamldoc_limits limits = YAML_LIMITS_DEFAULT;
	struct yamldoc d;
	size_t i;

	memset(&d, 0, sizeof(d));
	if (yamldoc_load(&d, (const char *)data, size, &limits) != 0) {
		if (!d.err[0] || strchr(d.err, '\n'))
			__builtin_trap();
	}
	for (i = 0; i < d.ndocs; i++) {
		walk(&d, d.docs[i], 0, size);
		if (d.docs[i] && d.docs[i]->kind == YNODE_MAP) {
			(void)ynode_get(d.docs[i], "title");
			if (i > 0 && d.docs[0] && d.docs[0]->kind == YNODE_MAP)
				walk(&d, yamldoc_merge(&d, d.docs[0], d.docs[i]), 0, size);
		}
	}
	yamldoc_release(&d);
	return 0;
}
