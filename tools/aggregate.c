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
#include "io/stage.h"
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
		"  -a, --attack TABLE    the ATT&CK table written by detcat-attack, or the STIX\n"
		"                        bundle itself (enterprise-attack.json, plain or zstd;\n"
		"                        slower: read whole at every run) (required)\n"
		"      --sources FILE    a source's record (detcat-fetch-unpack --record), listed\n"
		"                        in the corpus record with the rules it gave (repeatable)\n"
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

static size_t nadded;	/* records the catalog took, over every input */
static char **source_paths;	/* --sources, in order (global: still reachable at an early exit) */

/* add every record of one file; returns EXIT_OK or EXIT_RECORD_ERRORS; dies when it cannot be opened */
static int read_file(struct catalog *cat, const char *path, int merge)
{
	const char *name = strcmp(path, "-") ? path : "standard input", *oerr = NULL;
	struct ndjson_reader *r = ndjson_reader_open(path, &oerr);
	int status = EXIT_OK, rc, first = 1;
	struct stage_msgs msgs = { 0, 0 };
	char jerr[256];
	json_t *rec;

	if (!r)
		msg_die("%s: %s", name, oerr);
	while ((rc = ndjson_reader_next_json(r, &rec, jerr, sizeof(jerr))) != 0) {
		char *err = NULL;
		const char *kind;
		const char *wrong = rc == 1 && first && !merge ? stage_wrong_kind(rec, STAGE_TAGGED) : NULL;

		if (wrong && strstr(wrong, "catalog"))
			msg_die("%s: a catalog or partial of detcat-aggregate: give --merge to reduce it "
				"with others", name);
		if (wrong)
			msg_die("%s: %s", name, wrong);
		first &= rc != 1;

		if (rc == -1) {	/* truncated zstd, read error: keep what came before */
			msg_warn("%s: %s", name, ndjson_reader_error(r));
			status = EXIT_RECORD_ERRORS;
			break;
		}
		if (rc == -2) {
			stage_warn(&msgs, "%s:%zu: %s", name, ndjson_reader_lineno(r), jerr);
			status = EXIT_RECORD_ERRORS;
			continue;
		}
		kind = json_string_value(json_object_get(rec, "kind"));
		if (merge && kind && (!strcmp(kind, "technique") || !strcmp(kind, "corpus"))) {
			json_decref(rec);
			continue;	/* recomputed from the rule records */
		}
		if (merge != (kind && !strcmp(kind, "rule"))) {
			stage_warn(&msgs, "%s:%zu: %s", name, ndjson_reader_lineno(r), merge
				   ? "not a rule record of a partial or catalog"
				   : "not a tagged rule (a catalog or partial? use --merge)");
			status = EXIT_RECORD_ERRORS;
		} else if (catalog_add(cat, rec, &err) != 0) {
			stage_warn(&msgs, "%s:%zu: %s", name, ndjson_reader_lineno(r), err);
			status = EXIT_RECORD_ERRORS;
		} else {
			nadded++;
		}
		free(err);
		json_decref(rec);
	}
	stage_warn_end(&msgs, name);
	ndjson_reader_close(r);
	return status;
}

/*
 * corpus.sources: every source, in the order of the --sources records, then
 * any other source of the rules by name; each with the rules it gave and, from
 * its record, its files, when it was last fetched, and whether it is stale.
 */
static void add_sources(json_t *corpus, struct catalog *cat, char **paths, size_t npaths)
{
	json_t *counts = json_object(), *list = json_array(), *v;
	const char *key;
	size_t i;

	for (i = 0; i < catalog_nrules(cat); i++) {
		const char *src, *vendor;
		json_t *c;

		catalog_rule_origin(cat, i, &src, &vendor);
		if (!src)
			continue;
		c = json_object_get(counts, src);
		if (!c)
			json_object_set_new(counts, src, c = json_pack("{s:s?,s:I}", "vendor", vendor,
								       "rules", (json_int_t)0));
		json_object_set_new(c, "rules", json_integer(json_integer_value(json_object_get(c, "rules")) + 1));
	}
	for (i = 0; i < npaths; i++) {
		json_error_t jerr;
		json_t *r = json_load_file(paths[i], 0, &jerr), *c;
		const char *name = json_string_value(json_object_get(r, "name"));
		json_t *out;

		if (!name) {
			msg_warn("%s: not a source record (detcat-fetch-unpack --record): %s", paths[i],
				 r ? "no name" : jerr.text);
			json_decref(r);
			continue;
		}
		c = json_object_get(counts, name);
		out = json_pack("{s:s,s:O*,s:I,s:O*,s:O*,s:b}", "name", name,
				"vendor", json_object_get(r, "vendor"),
				"rules", c ? json_integer_value(json_object_get(c, "rules")) : (json_int_t)0,
				"files", json_object_get(r, "files"), "fetched", json_object_get(r, "fetched"),
				"stale", json_is_true(json_object_get(r, "stale")));
		if (json_object_get(r, "error"))
			json_object_set(out, "error", json_object_get(r, "error"));
		json_array_append_new(list, out);
		json_object_del(counts, name);
		json_decref(r);
	}
	json_object_foreach(counts, key, v)
		json_array_append_new(list, json_pack("{s:s,s:O*,s:O,s:b}", "name", key, "vendor",
						      json_object_get(v, "vendor"), "rules",
						      json_object_get(v, "rules"), "stale", 0));
	json_object_set_new(corpus, "sources", list);
	json_decref(counts);
}

static int put_line(const char *line, size_t len, void *wr)
{
	return ndjson_writer_line(wr, line, len) < 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "attack", required_argument, NULL, 'a' },
		{ "output", required_argument, NULL, 'o' },
		{ "plain", no_argument, NULL, 'p' },
		{ "partial", no_argument, NULL, 'P' },
		{ "merge", no_argument, NULL, 'M' },
		{ "sources", required_argument, NULL, 'S' },
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
	json_t *corpus = NULL;
	char *aerr = NULL;
	int c, status = EXIT_OK, partial = 0, merge = 0, include_retired = 0, werr;
	size_t i, nsource_paths = 0;

	cli_init("detcat-aggregate");
	source_paths = xcalloc((size_t)argc, sizeof(char *));
	while ((c = getopt_long(argc, argv, "a:o:ph", longopts, NULL)) != -1) {
		switch (c) {
		case 'a': attack_path = optarg; break;
		case 'o': output = optarg; break;
		case 'p': format = NDJSON_PLAIN; break;
		case 'P': partial = 1; break;
		case 'M': merge = 1; break;
		case 'S': source_paths[nsource_paths++] = optarg; break;
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
	/* before the reading: a terminal or a bad path should not cost it */
	wr = ndjson_writer_open(output, format, &err);
	if (!wr)
		msg_die("%s: %s", output ? output : "standard output", err);
	cat = catalog_new(db);
	catalog_include_retired(cat, include_retired);
	if (optind == argc)
		status |= read_file(cat, "-", merge);
	for (i = (size_t)optind; i < (size_t)argc; i++)
		status |= read_file(cat, argv[i], merge);

	if (status && !nadded) {
		ndjson_writer_abort(wr);
		catalog_free(cat);
		attack_db_free(db);
		msg_die("no input line was a tagged rule: nothing to aggregate");
	}
	werr = catalog_write(cat, partial, put_line, wr);
	if (!werr && !partial) {
		corpus = catalog_corpus(cat);
		add_sources(corpus, cat, source_paths, nsource_paths);
		werr = ndjson_writer_put(wr, corpus) < 0;
	}
	if (werr)
		ndjson_writer_die(wr);
	json_decref(corpus);
	free(source_paths);
	{
		char a[32], b[32];

		msg_warn("%s: %s rules, %s techniques with rules%s", output ? output : "standard output",
			 stage_num(catalog_nrules(cat), a, sizeof(a)),
			 stage_num(partial ? 0 : catalog_ntechniques(cat), b, sizeof(b)),
			 partial ? " (partial: no technique record)" : "");
	}
	catalog_free(cat);
	attack_db_free(db);
	if (ndjson_writer_close(wr) < 0)
		return EXIT_FATAL;
	if (!output && cli_close_stdout() < 0)
		return EXIT_FATAL;
	return status ? EXIT_RECORD_ERRORS : EXIT_OK;
}
