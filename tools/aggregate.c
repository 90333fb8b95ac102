/*
 * detcat-aggregate: read every tagged-rule file of a build (detcat-tag) and write
 * one catalog (SPEC §3): a `technique` record per technique and
 * sub-technique with rules, in ATT&CK order; a `rule` record per rule, by uid;
 * one `corpus` record. The same bytes for the same set of rules, whatever the
 * order of the files. The reduce itself is tools/lib/catalog/catalog.c.
 *
 * --partial stops after the map: the rule records of the inputs, which
 * --merge later reduces with other partials (or whole catalogs) into the same
 * catalog as one run over every input: the way to spread a larger corpus
 * over machines, or to re-aggregate one changed source.
 */
#include "attack/attack.h"
#include "catalog/catalog.h"
#include "common/cli.h"
#include "io/ndjson.h"
#include "common/util.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: detcat-aggregate --attack TABLE [options] [FILE...]\n"
		"\n"
		"Read tagged-rule records (zstd or plain NDJSON; standard input when no FILE)\n"
		"and write the catalog: one technique record per technique with rules (ATT&CK\n"
		"order), one rule record per rule (by uid), one corpus record.\n"
		"\n"
		"  -a, --attack TABLE    the ATT&CK table written by detcat-attack (required)\n"
		"      --partial         write only the rule records (a partial aggregate)\n"
		"      --merge           the inputs are partial aggregates or catalogs: take\n"
		"                        their rule records, skip technique and corpus records\n"
		"      --include-retired count the rules upstream retired (deprecated,\n"
		"                        unsupported) with the live ones; by default they are\n"
		"                        only listed apart\n"
		"  -o, --output FILE     write FILE instead of standard output\n"
		"  -p, --plain           write plain NDJSON, not zstd\n"
		"  -h, --help            this text\n"
		"      --version         print the version\n"
		"\n"
		"Exit status: 0 all good, 1 some input lines were bad (skipped) or an input\n"
		"was truncated, 2 usage or fatal error.\n");
}

/* add every record of one file; returns EXIT_OK or EXIT_RECORD_ERRORS; dies when it cannot be opened */
static int read_file(struct catalog *cat, const char *path, int merge)
{
	const char *name = strcmp(path, "-") ? path : "standard input", *oerr = NULL;
	struct ndjson_reader *r = ndjson_reader_open(path, &oerr);
	int status = EXIT_OK, rc;
	char jerr[256];
	json_t *rec;

	if (!r)
		msg_die("%s: %s", name, oerr);
	while ((rc = ndjson_reader_next_json(r, &rec, jerr, sizeof(jerr))) != 0) {
		char *err = NULL;
		const char *kind;

		if (rc == -1) {	/* truncated zstd, read error: keep what came before */
			msg_warn("%s: %s", name, ndjson_reader_error(r));
			status = EXIT_RECORD_ERRORS;
			break;
		}
		if (rc == -2) {
			msg_warn("%s:%zu: %s", name, ndjson_reader_lineno(r), jerr);
			status = EXIT_RECORD_ERRORS;
			continue;
		}
		kind = json_string_value(json_object_get(rec, "kind"));
		if (merge && kind && (!strcmp(kind, "technique") || !strcmp(kind, "corpus"))) {
			json_decref(rec);
			continue;	/* recomputed from the rule records */
		}
		if (merge != (kind && !strcmp(kind, "rule"))) {
			msg_warn("%s:%zu: %s", name, ndjson_reader_lineno(r), merge
				 ? "not a rule record of a partial or catalog"
				 : "not a tagged rule (a catalog or partial? use --merge)");
			status = EXIT_RECORD_ERRORS;
		} else if (catalog_add(cat, rec, &err) != 0) {
			msg_warn("%s:%zu: %s", name, ndjson_reader_lineno(r), err);
			status = EXIT_RECORD_ERRORS;
		}
		free(err);
		json_decref(rec);
	}
	ndjson_reader_close(r);
	return status;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "attack", required_argument, NULL, 'a' },
		{ "output", required_argument, NULL, 'o' },
		{ "plain", no_argument, NULL, 'p' },
		{ "partial", no_argument, NULL, 'P' },
		{ "merge", no_argument, NULL, 'M' },
		{ "include-retired", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *attack_path = NULL, *output = NULL, *err = NULL;
	enum ndjson_format format = NDJSON_ZSTD;
	struct ndjson_writer *wr;
	struct attack_db *db;
	struct catalog *cat;
	json_t *records, *rec;
	char *aerr = NULL;
	int c, status = EXIT_OK, partial = 0, merge = 0, include_retired = 0;
	size_t i;

	msg_setprog("detcat-aggregate");
	while ((c = getopt_long(argc, argv, "a:o:ph", longopts, NULL)) != -1) {
		switch (c) {
		case 'a': attack_path = optarg; break;
		case 'o': output = optarg; break;
		case 'p': format = NDJSON_PLAIN; break;
		case 'P': partial = 1; break;
		case 'M': merge = 1; break;
		case 'R': include_retired = 1; break;
		case 'h': usage(stdout); return cli_close_stdout() ? EXIT_FATAL : EXIT_OK;
		case 'V': cli_print_version(); return cli_close_stdout() ? EXIT_FATAL : EXIT_OK;
		default: usage(stderr); return EXIT_FATAL;
		}
	}
	if (!attack_path) {
		msg_warn("--attack TABLE is required (the output of detcat-attack)");
		usage(stderr);
		return EXIT_FATAL;
	}
	db = attack_db_load(attack_path, &aerr);
	if (!db)
		msg_die("%s", aerr);
	cat = catalog_new(db);
	catalog_include_retired(cat, include_retired);
	if (optind == argc)
		status |= read_file(cat, "-", merge);
	for (i = (size_t)optind; i < (size_t)argc; i++)
		status |= read_file(cat, argv[i], merge);

	records = partial ? catalog_partial(cat) : catalog_finish(cat);
	wr = ndjson_writer_open(output, format, &err);
	if (!wr)
		msg_die("%s: %s", output ? output : "standard output", err);
	json_array_foreach(records, i, rec)
		if (ndjson_writer_put(wr, rec) < 0) {
			ndjson_writer_abort(wr);
			msg_die("%s: write error", output ? output : "standard output");
		}
	json_decref(records);
	catalog_free(cat);
	attack_db_free(db);
	if (ndjson_writer_close(wr) < 0)
		return EXIT_FATAL;
	if (!output && cli_close_stdout() < 0)
		return EXIT_FATAL;
	return status ? EXIT_RECORD_ERRORS : EXIT_OK;
}
