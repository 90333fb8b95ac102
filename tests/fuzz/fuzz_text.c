/* libFuzzer target: UTF-8 validation agrees with jansson's own check, and
 * base64 decodes what it encoded. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/text.h"
#include "common/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = json_stringn((const char *)data, size);
	int valid = utf8_invalid_at((const char *)data, size) == (size_t)-1;
	struct strbuf back = STRBUF_INIT;
	size_t n;
	char *b64;

	if (!!j != valid)
		__builtin_trap();
	json_decref(j);
	b64 = base64_encode(data, size, &n);
	if (base64_decode(b64, n, &back) != 0 || back.len != size || (size && memcmp(back.buf, data, size)))
		__builtin_trap();
	free(b64);
	strbuf_release(&back);
	return 0;
}
