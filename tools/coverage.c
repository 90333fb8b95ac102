/*
 * detcat-coverage: what a telemetry profile can run. Reads the catalog of
 * detcat-aggregate and a profile of the events a team collects, and writes as
 * NDJSON the profile's summary, each technique's runnable rules (by vendor)
 * and the next events to collect, best first; --layer adds an ATT&CK
 * Navigator layer of the covered techniques, scored by runnable rules.
 */
#include "catalog/coverage.h"
#include "catalog/events.h"
#include "common/cli.h"
#include "common/util.h"
#include "io/ndjson.h"
#include "io/stage.h"
#include "site/navigator.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: detcat-coverage --have PROFILE [options] [CATALOG]\n"
		"\n"
		"Read the catalog written by detcat-aggregate (zstd or plain NDJSON; standard\n"
		"input when CATALOG is - or absent) and a telemetry profile (YAML: the events\n"
		"collected, by provider; see mappings/profiles/), and write plain NDJSON: one\n"
		"`coverage` record (the profile, rules runnable by vendor, techniques covered),\n"
		"one `technique_coverage` record per technique with rules (catalog order), and\n"
		"one `next_event` record per event not collected, by rules then techniques\n"
		"gained if it alone were added.\n"
		"\n"
		"  -H, --have PROFILE    the telemetry profile (required)\n"
		"  -e, --events FILE     the event catalog (default: events.yaml of the mappings)\n"
		"  -l, --layer FILE      also write an ATT&CK Navigator layer of the covered\n"
		"                        techniques, scored by runnable rules\n"
		"  -o, --output FILE     write FILE instead of standard output\n"
		"  -h, --help            this text\n"
		"      --version         print the version\n"
		"\n"
		"Exit status: 0 all good, 1 some catalog lines were bad (skipped),\n"
		"2 usage or fatal error (a profile of the wrong shape among them).\n");
}

/* what coverage_compute() reads of a rule: vendor, retired, events (provider, event, title) */
static json_t *slim_rule(const json_t *rec)
{
	json_t *r = json_object(), *evs = json_array();
	const json_t *e;
	size_t i;

	if (json_object_get(rec, "vendor"))
		json_object_set(r, "vendor", json_object_get(rec, "vendor"));
	if (json_is_true(json_object_get(rec, "retired")))
		json_object_set_new(r, "retired", json_true());
	json_array_foreach(json_object_get(rec, "events"), i, e) {
		json_t *slim = json_object();

		if (json_object_get(e, "provider"))
			json_object_set(slim, "provider", json_object_get(e, "provider"));
		if (json_object_get(e, "event"))
			json_object_set(slim, "event", json_object_get(e, "event"));
		if (json_object_get(e, "title"))
			json_object_set(slim, "title", json_object_get(e, "title"));
		json_array_append_new(evs, slim);
	}
	json_object_set_new(r, "events", evs);
	return r;
}

/* ... and of a technique: id, name, the uids of its rules */
static json_t *slim_technique(const json_t *rec)
{
	json_t *t = json_object(), *uids = json_object_get(json_object_get(rec, "rules"), "uids");

	json_object_set(t, "id", json_object_get(rec, "id"));
	if (json_object_get(rec, "name"))
		json_object_set(t, "name", json_object_get(rec, "name"));
	json_object_set_new(t, "rules", json_pack("{s:O}", "uids", uids ? uids : json_array()));
	return t;
}

/*
 * The catalog as coverage needs it: a rule record carries its predicates,
 * query and similar rules, a technique its fields and indicators; only what
 * coverage_compute() reads is kept (the shared catalog: 9,000 rules, 617 MB
 * whole), the rest freed with each record.
 */
static int read_catalog(const char *path, json_t *techniques, json_t *rules, json_t **corpus)
{
	const char *name = strcmp(path, "-") ? path : "standard input", *oerr = NULL;
	struct ndjson_reader *r = ndjson_reader_open(path, &oerr);
	struct stage_msgs msgs = { 0, 0 };
	int status = EXIT_OK, rc, first = 1;
	char jerr[256];
	json_t *rec;

	if (!r)
		msg_die("%s: %s", name, oerr);
	while ((rc = ndjson_reader_next_json(r, &rec, jerr, sizeof(jerr))) != 0) {
		const char *kind, *wrong = rc == 1 && first ? stage_wrong_kind(rec, STAGE_CATALOG) : NULL;

		if (wrong)
			msg_die("%s: %s", name, wrong);
		first &= rc != 1;
		if (rc == -1) {
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
		if (kind && !strcmp(kind, "technique") && json_string_value(json_object_get(rec, "id"))) {
			json_array_append_new(techniques, slim_technique(rec));
		} else if (kind && !strcmp(kind, "rule") && json_string_value(json_object_get(rec, "uid"))) {
			json_object_set_new(rules, json_string_value(json_object_get(rec, "uid")), slim_rule(rec));
		} else if (kind && !strcmp(kind, "corpus")) {
			json_decref(*corpus);	/* the layer's attack_version */
			*corpus = json_pack("{s:O?}", "attack_version", json_object_get(rec, "attack_version"));
		} else {
			stage_warn(&msgs, "%s:%zu: not a technique, rule or corpus record", name,
				   ndjson_reader_lineno(r));
			status = EXIT_RECORD_ERRORS;
		}
		json_decref(rec);
	}
	stage_warn_end(&msgs, name);
	ndjson_reader_close(r);
	return status;
}

/* the technique_coverage records as the technique records navigator_layer() scores */
static json_t *layer_of(const json_t *cov, const char *profile, const char *attack_version)
{
	json_t *techs = json_array(), *layer;
	const json_t *t;
	char *name = xasprintf("detcat: runnable with %s", profile);
	char *desc = xasprintf("Techniques scored by the number of catalog rules runnable with the "
			       "events of the profile '%s'.", profile);
	size_t i;

	json_array_foreach(json_object_get(cov, "technique_records"), i, t) {
		json_t *by;
		const char *v;
		json_t *val;

		if (!json_integer_value(json_object_get(t, "runnable")))
			continue;
		by = json_object();
		json_object_foreach(json_object_get(t, "by_vendor"), v, val)
			if (json_integer_value(json_object_get(val, "runnable")))
				json_object_set(by, v, json_object_get(val, "runnable"));
		json_array_append_new(techs, json_pack("{s:O,s:{s:O,s:o}}", "id", json_object_get(t, "technique"),
						       "rules", "total", json_object_get(t, "runnable"),
						       "by_vendor", by));
	}
	layer = navigator_layer(techs, NULL, name, desc, attack_version);
	json_decref(techs);
	free(name);
	free(desc);
	return layer;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "have", required_argument, NULL, 'H' },
		{ "events", required_argument, NULL, 'e' },
		{ "layer", required_argument, NULL, 'l' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *have = NULL, *events_path = NULL, *layer_path = NULL, *output = NULL, *err = NULL;
	json_t *techniques = json_array(), *rules = json_object(), *corpus = json_object(), *cov, *rec;
	struct ndjson_writer *wr;
	struct profile *p;
	struct events *ev;
	char perr[512];
	char *file = NULL;
	int c, status;
	size_t i;

	cli_init("detcat-coverage");
	while ((c = getopt_long(argc, argv, "H:e:l:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'H': have = optarg; break;
		case 'e': events_path = optarg; break;
		case 'l': layer_path = optarg; break;
		case 'o': output = optarg; break;
		case 'h': usage(stdout); return cli_close_stdout() ? EXIT_FATAL : EXIT_OK;
		case 'V': cli_print_version(); return cli_close_stdout() ? EXIT_FATAL : EXIT_OK;
		default: usage(stderr); return EXIT_FATAL;
		}
	}
	if (!have) {
		msg_warn("--have PROFILE is required");
		usage(stderr);
		return EXIT_FATAL;
	}
	if (argc - optind > 1) {
		msg_warn("expected one CATALOG");
		usage(stderr);
		return EXIT_FATAL;
	}
	if (!events_path)
		events_path = file = xasprintf("%s/events.yaml", cli_mappings_dir(NULL));
	ev = events_load(events_path, perr, sizeof(perr));
	if (!ev)
		msg_die("%s (%s)", perr, cli_mappings_hint());
	p = profile_load(have, ev, perr, sizeof(perr));
	if (!p)
		msg_die("%s", perr);
	status = read_catalog(optind < argc ? argv[optind] : "-", techniques, rules, &corpus);
	cov = coverage_compute(p, ev, techniques, rules);

	wr = ndjson_writer_open(output, NDJSON_PLAIN, &err);
	if (!wr)
		msg_die("%s: %s", output ? output : "standard output", err);
	rec = json_deep_copy(cov);
	json_object_del(rec, "technique_records");
	json_object_del(rec, "next");
	json_object_del(rec, "runnable");
	if (ndjson_writer_put(wr, rec) < 0)
		ndjson_writer_die(wr);
	json_decref(rec);
	json_array_foreach(json_object_get(cov, "technique_records"), i, rec)
		if (ndjson_writer_put(wr, rec) < 0)
			ndjson_writer_die(wr);
	json_array_foreach(json_object_get(cov, "next"), i, rec)
		if (ndjson_writer_put(wr, rec) < 0)
			ndjson_writer_die(wr);
	if (ndjson_writer_close(wr) < 0)
		return EXIT_FATAL;
	if (layer_path) {
		json_t *layer = layer_of(cov, json_string_value(json_object_get(cov, "profile")),
					 json_string_value(json_object_get(corpus, "attack_version")));

		if (json_dump_file(layer, layer_path, JSON_INDENT(2)) != 0)
			msg_die("%s: %s", layer_path, strerror(errno));
		json_decref(layer);
	}
	{
		const json_t *r = json_object_get(cov, "rules"), *t = json_object_get(cov, "techniques");

		msg_warn("%s: %lld of %lld rules runnable, %lld of %lld techniques covered",
			 json_string_value(json_object_get(cov, "profile")),
			 (long long)json_integer_value(json_object_get(r, "runnable")),
			 (long long)json_integer_value(json_object_get(r, "total")),
			 (long long)json_integer_value(json_object_get(t, "covered")),
			 (long long)json_integer_value(json_object_get(t, "total")));
	}
	json_decref(cov);
	json_decref(techniques);
	json_decref(rules);
	json_decref(corpus);
	profile_free(p);
	events_free(ev);
	free(file);
	if (!output && cli_close_stdout() < 0)
		return EXIT_FATAL;
	return status;
}
