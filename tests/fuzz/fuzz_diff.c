/* libFuzzer target: detcat-diff's catalog reader (rule records read straight from
 * their text, the other records pruned by the same scan, then jansson) on
 * arbitrary bytes, plain or zstd. It must never crash, hang or leak; and a
 * catalog it accepts, diffed with a second reading of itself, must show no
 * difference at all. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "catalog/diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct snapshot *load(const uint8_t *data, size_t size, int *ok)
{
	FILE *f = fmemopen((void *)data, size, "rb");
	struct snapshot *s = snapshot_new("fuzz");
	char *err = NULL;

	*ok = 0;
	if (f) {
		*ok = snapshot_read(s, f, "fuzz", &err) == 0;
		fclose(f);
	}
	free(err);
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snapshot *a, *b;
	char *err = NULL;
	json_t *out;
	int oka, okb;

	if (size == 0)
		return 0;
	a = load(data, size, &oka);
	b = load(data, size, &okb);
	if (oka != okb)
		__builtin_trap();
	if (oka) {
		out = diff_compare(a, b, DIFF_ALL, NULL, &err);
		if (out && json_array_size(out) != 0)
			__builtin_trap();
		json_decref(out);
		free(err);
	}
	snapshot_free(a);
	snapshot_free(b);
	return 0;
}
