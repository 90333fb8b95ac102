/*
 * detcat-report: read the catalog of detcat-aggregate and write its static
 * site (SPEC §6): index, vendor, technique and rule pages in HTML and
 * Markdown, ATT&CK Navigator layers, style.css. The pages are tools/lib/site/.
 */
#include "catalog/coverage.h"
#include "catalog/events.h"
#include "common/cli.h"
#include "common/sha256.h"
#include "common/util.h"
#include "io/ndjson.h"
#include "io/stage.h"
#include "site/site.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: detcat-report -o DIR [--have PROFILE] [CATALOG]\n"
		"\n"
		"Read the catalog written by detcat-aggregate (zstd or plain NDJSON; standard\n"
		"input when CATALOG is - or absent) and write a static site into DIR:\n"
		"index.html and index.md, vendor/VENDOR.html, technique/ID.html and .md,\n"
		"rule/UID.html and .md, event/PROVIDER-EVENT.html and .md (a page per log\n"
		"event rules read) and event/index, navigator/all.json and\n"
		"navigator/VENDOR.json (ATT&CK Navigator layers), style.css. DIR/.detcat-pages\n"
		"lists what the run wrote; it is rewritten at every run (make's stamp of the\n"
		"site), and the pages the last run listed but this one did not write are\n"
		"removed: nothing else in DIR is.\n"
		"DIR/.detcat-manifest records what each page was made from: a page whose\n"
		"inputs did not change, and whose file is as the last run left it, is not\n"
		"rendered again.\n"
		"A catalog without rules is an error: nothing is written.\n"
		"\n"
		"  -o, --output DIR      the folder to write (created when missing; required)\n"
		"  -H, --have PROFILE    a telemetry profile (YAML, see mappings/profiles/): the\n"
		"                        matrix and technique pages show the rules runnable with\n"
		"                        its events, the index the next events to collect\n"
		"  -e, --events FILE     the event catalog for --have (default: events.yaml of\n"
		"                        the mappings)\n"
		"  -h, --help            this text\n"
		"      --version         print the version\n"
		"\n"
		"Exit status: 0 all good, 1 some catalog lines were bad (skipped),\n"
		"2 usage or fatal error.\n");
}

/* ---- reading ---- */

/* ndjson_reader_next_json(), with the sha256 of the line it read (what pages are made from) */
static int read_record(struct ndjson_reader *r, json_t **obj, char *err, size_t errlen,
		       char hex[SHA256_HEX_LEN + 1])
{
	const char *line;
	size_t len;
	int rc = ndjson_reader_next(r, &line, &len);

	if (rc != 1)
		return rc;
	sha256_hex(line, len, hex);
	return ndjson_decode_object(line, len, obj, err, errlen);
}

/* a duplicate uid or id keeps the last record, as the pages do */
static void set_line_hash(struct site *s, const char *kind, const char *key, const char *hex)
{
	char *k = xasprintf("%s%s", kind, key);

	json_object_set_new(s->line_hash, k, json_string(hex));
	free(k);
}

static int read_catalog(struct site *s, const char *path)
{
	const char *name = strcmp(path, "-") ? path : "standard input", *oerr = NULL;
	struct ndjson_reader *r = ndjson_reader_open(path, &oerr);
	int status = EXIT_OK, rc, first = 1;
	struct stage_msgs msgs = { 0, 0 };
	struct sha256_ctx all;
	char jerr[256], hex[SHA256_HEX_LEN + 1];
	json_t *rec = NULL;

	if (!r)
		msg_die("%s: %s", name, oerr);
	sha256_init(&all);
	while ((rc = read_record(r, &rec, jerr, sizeof(jerr), hex)) != 0) {
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
		sha256_update(&all, hex, SHA256_HEX_LEN);
		kind = json_string_value(json_object_get(rec, "kind"));
		if (kind && strcmp(kind, "technique") == 0 && json_string_value(json_object_get(rec, "id"))) {
			json_array_append(s->techniques, rec);
			json_object_set_new(s->tech_ids, site_str(rec, "id"), json_string(site_str(rec, "name")));
			set_line_hash(s, "t", site_str(rec, "id"), hex);
		} else if (kind && strcmp(kind, "rule") == 0 && json_string_value(json_object_get(rec, "uid"))) {
			json_object_set(s->rules, site_str(rec, "uid"), rec);
			set_line_hash(s, "r", site_str(rec, "uid"), hex);
		} else if (kind && strcmp(kind, "corpus") == 0) {
			json_decref(s->corpus);
			s->corpus = json_incref(rec);
		} else {
			stage_warn(&msgs, "%s:%zu: not a technique, rule or corpus record", name,
				   ndjson_reader_lineno(r));
			status = EXIT_RECORD_ERRORS;
		}
		json_decref(rec);
	}
	stage_warn_end(&msgs, name);
	ndjson_reader_close(r);
	sha256_final_hex(&all, s->catalog_hash);
	return status;
}

/* ---- the list of what a run wrote: DIR/.detcat-pages ---- */

#define PAGES_LIST ".detcat-pages"

/* a relative path inside DIR, as this tool writes them: no "..", not absolute */
static int safe_rel(const char *rel)
{
	const char *p;

	if (!*rel || rel[0] == '/')
		return 0;
	for (p = rel; (p = strstr(p, "..")) != NULL; p += 2)
		if ((p == rel || p[-1] == '/') && (p[2] == '/' || p[2] == '\0'))
			return 0;
	return 1;
}

static json_t *read_pages_list(const char *dir)
{
	char *path = xasprintf("%s/" PAGES_LIST, dir);
	struct strbuf sb = STRBUF_INIT;
	json_t *list = json_object();
	char *line, *next;

	if (strbuf_read_file(&sb, path) == 0) {
		for (line = sb.buf; line && *line; line = next) {
			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			if (safe_rel(line))
				json_object_set_new(list, line, json_true());
		}
	}
	strbuf_release(&sb);
	free(path);
	return list;
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Always rewritten, last: its time is when the site was last made whole. */
static void write_pages_list(const char *dir, const json_t *written)
{
	char *path = xasprintf("%s/" PAGES_LIST, dir), *tmp = xasprintf("%s.tmp", path);
	size_t n = json_object_size(written), i = 0;
	const char **keys = xcalloc(n + 1, sizeof(*keys)), *key;
	json_t *v;
	FILE *f;
	int bad;

	json_object_foreach((json_t *)written, key, v)
		keys[i++] = key;
	qsort(keys, n, sizeof(*keys), cmp_key);
	f = fopen(tmp, "wb");
	if (!f)
		msg_die("%s: %s", tmp, strerror(errno));
	for (i = 0; i < n; i++)
		fprintf(f, "%s\n", keys[i]);
	bad = ferror(f);
	if ((fclose(f) != 0) | bad || rename(tmp, path) != 0) {
		remove(tmp);
		msg_die("%s: %s", path, strerror(errno ? errno : EIO));
	}
	free(keys);
	free(tmp);
	free(path);
}

/* The pages made with a profile read it and the event catalog too: their bytes
 * go into the manifest's first line, so a site made with other ones (or none) is
 * rendered whole. */
static void profile_context(const char *have, const char *events_path)
{
	struct strbuf sb = STRBUF_INIT;
	char hex[SHA256_HEX_LEN + 1], *ctx;

	if (strbuf_read_file(&sb, have) != 0)
		msg_die("%s: %s", have, strerror(errno));
	strbuf_addch(&sb, '\0');
	if (strbuf_read_file(&sb, events_path) != 0)
		msg_die("%s: %s", events_path, strerror(errno));
	sha256_hex(sb.buf, sb.len, hex);
	ctx = xasprintf("have:%s", hex);
	manifest_set_context(ctx);
	free(ctx);
	strbuf_release(&sb);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "have", required_argument, NULL, 'H' },
		{ "events", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct site s = { 0 };
	const char *have = NULL, *events_path = NULL;
	struct profile *profile = NULL;
	struct events *ev = NULL;
	int c, status;

	cli_init("detcat-report");
	while ((c = getopt_long(argc, argv, "o:H:e:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': s.dir = optarg; break;
		case 'H': have = optarg; break;
		case 'e': events_path = optarg; break;
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
	if (argc - optind > 1) {
		msg_warn("expected one CATALOG");
		usage(stderr);
		return EXIT_FATAL;
	}
	if (have) {	/* read before the catalog: a bad profile stops the run early */
		char perr[512], *file = NULL;

		if (!events_path)
			events_path = file = xasprintf("%s/events.yaml", cli_mappings_dir(NULL));
		ev = events_load(events_path, perr, sizeof(perr));
		if (!ev)
			msg_die("%s (%s)", perr, cli_mappings_hint());
		profile = profile_load(have, ev, perr, sizeof(perr));
		if (!profile)
			msg_die("%s", perr);
		profile_context(have, events_path);
		free(file);
	}
	s.techniques = json_array();
	s.rules = json_object();
	s.tech_ids = json_object();
	s.corpus = json_object();
	s.written = json_object();
	s.line_hash = json_object();
	status = read_catalog(&s, optind < argc ? argv[optind] : "-");
	if (json_object_size(s.rules) == 0)
		msg_die("%s: no rule in the catalog: nothing to publish (is it the output of detcat-aggregate?)",
			optind < argc && strcmp(argv[optind], "-") ? argv[optind] : "standard input");
	s.previous = read_pages_list(s.dir);
	if (profile) {
		s.profile = profile;
		s.coverage = coverage_compute(profile, ev, s.techniques, s.rules);
		s.tech_coverage = coverage_technique_index(s.coverage);
	}
	s.prev = manifest_read(s.dir);
	s.next = manifest_new();

	site_write(&s);
	manifest_write(s.next, s.dir);
	write_pages_list(s.dir, s.written);
	{
		char a[32], b[32], u[32], k[32];
		size_t rendered, kept;

		manifest_counts(s.next, &rendered, &kept);
		msg_warn("%s: %s technique and %s rule pages; open %s/index.html", s.dir,
			 stage_num(json_array_size(s.techniques), a, sizeof(a)),
			 stage_num(json_object_size(s.rules), b, sizeof(b)), s.dir);
		msg_warn("%s: %s units of pages rendered, %s unchanged since the last run (" MANIFEST_FILE ")",
			 s.dir, stage_num(rendered, u, sizeof(u)), stage_num(kept, k, sizeof(k)));
	}

	json_decref(s.techniques);
	json_decref(s.rules);
	json_decref(s.tech_ids);
	json_decref(s.corpus);
	json_decref(s.written);
	json_decref(s.previous);
	json_decref(s.coverage);
	json_decref(s.tech_coverage);
	profile_free(profile);
	events_free(ev);
	json_decref(s.line_hash);
	manifest_free(s.prev);
	manifest_free(s.next);
	return status;
}

