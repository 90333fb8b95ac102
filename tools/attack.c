/*
 * detcat-attack: read the raw-file records of the ATT&CK source (STIX 2.1
 * bundles, detcat-fetch-unpack) and write the compact table of tactics and
 * techniques that detcat-tag and later stages load (schema/attack.schema.json).
 * The output is sorted and the same bytes for the same bundle.
 */
#include "attack/attack.h"
#include "common/cli.h"
#include "io/ndjson.h"
#include "io/rawfile.h"
#include "common/util.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct input {
	struct attack_build *build;
	size_t bundles;
	char *where;		/* "SOURCE:PATH" of the first bundle, for messages */
};

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* Add the bundles of one input to in->build. Returns 1 when a record was bad, else 0. */
static int read_input(const char *name, struct input *in)
{
	const char *err = NULL, *line;
	struct ndjson_reader *rd = ndjson_reader_open(name, &err);
	struct raw_file raw;
	size_t len;
	int rc, bad = 0;

	if (!rd)
		msg_die("%s: %s", strcmp(name, "-") ? name : "standard input", err);
	memset(&raw, 0, sizeof(raw));
	/* decoded without a jansson tree: the record holds ~40 MB of bundle text */
	while ((rc = ndjson_reader_next(rd, &line, &len)) != 0) {
		const char *where;
		char *berr = NULL;

		if (rc == -1) {
			msg_warn("%s: %s", ndjson_reader_name(rd), ndjson_reader_error(rd));
			bad = 1;
			break;
		}
		raw_file_release(&raw);
		if (raw_file_decode(line, len, &raw, &err) < 0) {
			msg_warn("%s:%zu: %s", ndjson_reader_name(rd), ndjson_reader_lineno(rd), err);
			bad = 1;
			continue;
		}
		where = raw.source ? raw.source : raw.vendor;
		if (!raw.vendor || !raw.path) {
			msg_warn("%s:%zu: not a raw-file record (no vendor or path)",
				 ndjson_reader_name(rd), ndjson_reader_lineno(rd));
			bad = 1;
		} else if (strcmp(raw.vendor, "attack") != 0 || !has_suffix(raw.path, ".json")) {
			/* other vendors' files, and README or LICENSE files of the ATT&CK source */
		} else if (raw.error || !raw.has_text) {
			msg_warn("%s:%s: %s", where, raw.path, raw.error ? raw.error : "raw record has no text");
			bad = 1;
		} else if (attack_build_add(in->build, raw.text, raw.text_len, &berr) < 0) {
			msg_warn("%s:%s: %s", where, raw.path, berr);
			free(berr);
			bad = 1;
		} else if (in->bundles++ == 0) {
			in->where = xasprintf("%s:%s", where, raw.path);
		}
	}
	raw_file_release(&raw);
	ndjson_reader_close(rd);
	return bad;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: detcat-attack [options] [FILE...]\n"
		"\n"
		"Read the raw-file records of the ATT&CK source (STIX 2.1 bundles; zstd or\n"
		"plain NDJSON, standard input when no FILE) and write the table of enterprise\n"
		"tactics and techniques: one attack record, tactics in matrix order,\n"
		"techniques by id, revoked ones with their final replacement.\n"
		"\n"
		"  -o, --output FILE     write FILE instead of standard output\n"
		"  -p, --plain           write plain NDJSON, not zstd\n"
		"  -h, --help            this text\n"
		"      --version         print the version\n"
		"\n"
		"Exit status: 0 all good, 1 some records or objects had errors (the table\n"
		"is complete), 2 usage or fatal error (no technique in the input).\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "plain", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *output = NULL, *err = NULL;
	enum ndjson_format format = NDJSON_ZSTD;
	struct ndjson_writer *w;
	struct input in = { NULL, 0, NULL };
	json_t *problems, *table, *v;
	char *terr = NULL;
	int c, status = EXIT_OK;
	size_t i;

	cli_init("detcat-attack");
	while ((c = getopt_long(argc, argv, "o:ph", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': output = optarg; break;
		case 'p': format = NDJSON_PLAIN; break;
		case 'h': usage(stdout); return cli_close_stdout() ? EXIT_FATAL : EXIT_OK;
		case 'V': cli_print_version(); return cli_close_stdout() ? EXIT_FATAL : EXIT_OK;
		default: usage(stderr); return EXIT_FATAL;
		}
	}

	/* open the output first: a bad path should not cost a parse */
	w = ndjson_writer_open(output, format, &err);
	if (!w)
		msg_die("%s: %s", output ? output : "standard output", err);

	in.build = attack_build_new();
	if (optind == argc)
		status |= read_input("-", &in);
	for (i = (size_t)optind; i < (size_t)argc; i++)
		status |= read_input(argv[i], &in);

	problems = json_array();
	table = attack_build_table(in.build, problems, &terr);
	attack_build_free(in.build);
	if (!table) {
		ndjson_writer_abort(w);
		msg_die("%s", terr);
	}
	json_array_foreach(problems, i, v) {
		msg_warn("%s: %s", in.where, json_string_value(v));
		status = EXIT_RECORD_ERRORS;
	}
	json_decref(problems);
	free(in.where);

	v = json_array_get(table, 0);	/* the head record: its counts */
	msg_warn("%s: ATT&CK %s: %lld tactics, %lld techniques and %lld sub-techniques (%lld revoked, %lld deprecated)",
		 output ? output : "standard output",
		 json_string_value(json_object_get(v, "version")) ? json_string_value(json_object_get(v, "version")) : "(no version)",
		 (long long)json_integer_value(json_object_get(v, "tactics")),
		 (long long)(json_integer_value(json_object_get(v, "techniques")) - json_integer_value(json_object_get(v, "subtechniques"))),
		 (long long)json_integer_value(json_object_get(v, "subtechniques")),
		 (long long)json_integer_value(json_object_get(v, "revoked")),
		 (long long)json_integer_value(json_object_get(v, "deprecated")));
	json_array_foreach(table, i, v) {
		if (ndjson_writer_put(w, v) < 0)
			ndjson_writer_die(w);
	}
	json_decref(table);
	if (ndjson_writer_close(w) < 0)
		return EXIT_FATAL;
	if (!output && cli_close_stdout() < 0)
		return EXIT_FATAL;
	return status ? EXIT_RECORD_ERRORS : EXIT_OK;
}
