/* libFuzzer target: the NDJSON reader on arbitrary bytes, plain or zstd. Every
 * line it returns must be NUL-terminated at its length; it must never crash,
 * hang or leak, whatever the input. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "io/ndjson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fmemopen((void *)data, size, "rb");
	struct ndjson_reader *r;
	const char *line;
	size_t len;
	char err[128];
	json_t *o;
	int rc;

	if (!f)
		return 0;
	r = ndjson_reader_fdopen(f, "fuzz");
	while ((rc = ndjson_reader_next(r, &line, &len)) == 1)
		if (line[len] != '\0')
			__builtin_trap();
	ndjson_reader_close(r);
	rewind(f);
	r = ndjson_reader_fdopen(f, "fuzz");
	while ((rc = ndjson_reader_next_json(r, &o, err, sizeof(err))) != 0 && rc != -1)
		if (rc == 1)
			json_decref(o);
	ndjson_reader_close(r);
	fclose(f);
	return 0;
}
