/*
 * detcat-report: read the catalog of detcat-aggregate and write its static
 * site (SPEC §6): index, vendor, technique and rule pages in HTML and
 * Markdown, ATT&CK Navigator layers, style.css. The pages are tools/lib/site/.
 */
#include "common/cli.h"
#include "common/util.h"
#include "io/ndjson.h"
#include "site/site.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: detcat-report -o DIR CATALOG\n"
		"\n"
		"Read the catalog written by detcat-aggregate (zstd or plain NDJSON; standard\n"
		"input when CATALOG is -) and write a static site into DIR: index.html and\n"
		"index.md, vendor/VENDOR.html, technique/ID.html and .md, rule/UID.html and\n"
		".md, navigator/all.json and navigator/VENDOR.json (ATT&CK Navigator\n"
		"layers), style.css. Pages of an earlier run not written again are removed.\n"
		"\n"
		"  -o, --output DIR      the folder to write (created when missing; required)\n"
		"  -h, --help            this text\n"
		"      --version         print the version\n"
		"\n"
		"Exit status: 0 all good, 1 some catalog lines were bad (skipped),\n"
		"2 usage or fatal error.\n");
}

/* ---- reading ---- */

static int read_catalog(struct site *s, const char *path)
{
	const char *name = strcmp(path, "-") ? path : "standard input", *oerr = NULL;
	struct ndjson_reader *r = ndjson_reader_open(path, &oerr);
	int status = EXIT_OK, rc;
	char jerr[256];
	json_t *rec;

	if (!r)
		msg_die("%s: %s", name, oerr);
	while ((rc = ndjson_reader_next_json(r, &rec, jerr, sizeof(jerr))) != 0) {
		const char *kind;

		if (rc == -1) {
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
		if (kind && strcmp(kind, "technique") == 0 && json_string_value(json_object_get(rec, "id"))) {
			json_array_append(s->techniques, rec);
			json_object_set_new(s->tech_ids, site_str(rec, "id"), json_string(site_str(rec, "name")));
		} else if (kind && strcmp(kind, "rule") == 0 && json_string_value(json_object_get(rec, "uid"))) {
			json_object_set(s->rules, site_str(rec, "uid"), rec);
		} else if (kind && strcmp(kind, "corpus") == 0) {
			json_decref(s->corpus);
			s->corpus = json_incref(rec);
		} else {
			msg_warn("%s:%zu: not a technique, rule or corpus record", name, ndjson_reader_lineno(r));
			status = EXIT_RECORD_ERRORS;
		}
		json_decref(rec);
	}
	ndjson_reader_close(r);
	return status;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct site s = { 0 };
	int c, status;

	msg_setprog("detcat-report");
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': s.dir = optarg; break;
		case 'h': usage(stdout); return cli_close_stdout() ? EXIT_FATAL : EXIT_OK;
		case 'V': cli_print_version(); return cli_close_stdout() ? EXIT_FATAL : EXIT_OK;
		default: usage(stderr); return EXIT_FATAL;
		}
	}
	if (!s.dir || !*s.dir) {
		msg_warn("-o DIR is required");
		usage(stderr);
		return EXIT_FATAL;
	}
	if (argc - optind != 1) {
		msg_warn("expected one CATALOG");
		usage(stderr);
		return EXIT_FATAL;
	}
	s.techniques = json_array();
	s.rules = json_object();
	s.tech_ids = json_object();
	s.corpus = json_object();
	s.written = json_object();
	status = read_catalog(&s, argv[optind]);

	site_write(&s);

	json_decref(s.techniques);
	json_decref(s.rules);
	json_decref(s.tech_ids);
	json_decref(s.corpus);
	json_decref(s.written);
	return status;
}

