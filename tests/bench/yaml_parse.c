/*
 * yaml-parse [FILE]: the floor detcat-normalize is measured against: read
 * raw-file records (zstd or plain NDJSON) and load every .yml/.yaml text into a
 * libyaml document, doing nothing with it. Prints the count of documents.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "io/ndjson.h"
#include "common/util.h"

static int is_yaml(const char *path)
{
	size_t n = strlen(path);

	return (n > 4 && !strcmp(path + n - 4, ".yml")) || (n > 5 && !strcmp(path + n - 5, ".yaml"));
}

int main(int argc, char **argv)
{
	const char *err = NULL;
	struct ndjson_reader *r;
	char msg[256];
	json_t *o;
	size_t docs = 0;
	int rc;

	msg_setprog("yaml-parse");
	r = ndjson_reader_open(argc > 1 ? argv[1] : "-", &err);
	if (!r)
		msg_die("%s: %s", argc > 1 ? argv[1] : "-", err);
	while ((rc = ndjson_reader_next_json(r, &o, msg, sizeof(msg))) != 0 && rc != -1) {
		const char *path, *text;

		if (rc != 1)
			continue;
		path = json_string_value(json_object_get(o, "path"));
		text = json_string_value(json_object_get(o, "text"));
		if (path && text && is_yaml(path)) {
			yaml_parser_t p;
			yaml_document_t d;

			yaml_parser_initialize(&p);
			yaml_parser_set_input_string(&p, (const unsigned char *)text,
						     json_string_length(json_object_get(o, "text")));
			while (yaml_parser_load(&p, &d)) {
				int empty = !yaml_document_get_root_node(&d);

				yaml_document_delete(&d);
				if (empty)
					break;
				docs++;
			}
			yaml_parser_delete(&p);
		}
		json_decref(o);
	}
	ndjson_reader_close(r);
	printf("%zu documents\n", docs);
	return 0;
}
