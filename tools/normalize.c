/*
 * detcat-normalize: read raw-file records (detcat-fetch-unpack) and write one
 * rule record per rule, sorted by uid, with predicates in canonical fields
 * (SPEC §3, §4). Files that are not rules are skipped; a rule that does not
 * parse is still written, with its errors.
 *
 * The main thread reads records; worker threads parse them (files are
 * independent); the main thread sorts and writes at the end, so the output
 * does not depend on the number of threads.
 */
#include "common/cli.h"
#include "elastic/elastic.h"
#include "rule/fieldmap.h"
#include "kusto/kusto.h"
#include "io/ndjson.h"
#include "io/rawfile.h"
#include "rule/rule.h"
#include "sigma/sigma.h"
#include "splunk/splunk.h"
#include "common/text.h"
#include "common/util.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define MAX_THREADS 16

struct options {
	const char *output;
	enum ndjson_format format;
	const char *mappings;
	int stats;
	long threads;
};

typedef int (*parse_fn)(const char *source, const char *path, const char *text, size_t len,
			const struct fieldmap *map, struct rule_list *rules_out);

/* A front end per vendor; parse NULL: not supported yet. */
struct vendor {
	const char *name;
	int (*is_rule_file)(const char *path);
	parse_fn parse;
	struct fieldmap *map;
	int map_loaded;
	size_t unsupported;
	size_t metadata_only;	/* rules whose query language is not parsed yet */
};

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

static int first_folder_is(const char *path, const char *name, int prefix)
{
	size_t n = strlen(name);
	const char *slash = strchr(path, '/');

	if (!slash || strncmp(path, name, n) != 0)
		return 0;
	return prefix || (size_t)(slash - path) == n;
}

/* .yml or .yaml in the folders rules, rules-*, deprecated and unsupported */
static int sigma_is_rule_file(const char *path)
{
	return (has_suffix(path, ".yml") || has_suffix(path, ".yaml")) &&
		(first_folder_is(path, "rules", 1) || first_folder_is(path, "deprecated", 0) ||
		 first_folder_is(path, "unsupported", 0));
}

static int elastic_is_rule_file(const char *path)
{
	return has_suffix(path, ".toml") && first_folder_is(path, "rules", 1);
}

static int splunk_is_rule_file(const char *path)
{
	return has_suffix(path, ".yml") && first_folder_is(path, "detections", 0);
}

static int kusto_is_rule_file(const char *path)
{
	return has_suffix(path, ".yaml") || has_suffix(path, ".yml") || has_suffix(path, ".kql") ||
		has_suffix(path, ".md") || has_suffix(path, ".txt");
}

static struct vendor vendors[] = {
	{ "sigma", sigma_is_rule_file, sigma_parse_file, NULL, 0, 0, 0 },
	{ "elastic", elastic_is_rule_file, elastic_parse_file, NULL, 0, 0, 0 },
	{ "splunk", splunk_is_rule_file, splunk_parse_file, NULL, 0, 0, 0 },
	{ "kusto", kusto_is_rule_file, kusto_parse_file, NULL, 0, 0, 0 },
};
#define NVENDORS (sizeof(vendors) / sizeof(vendors[0]))

static struct vendor *find_vendor(const char *name)
{
	size_t i;

	for (i = 0; i < NVENDORS; i++)
		if (strcmp(vendors[i].name, name) == 0)
			return &vendors[i];
	return NULL;
}

/* Loaded once, by the main thread, before the first job that needs it. */
static const struct fieldmap *vendor_map(struct vendor *v, const struct options *opt)
{
	char err[512];
	char *file;

	if (v->map_loaded)
		return v->map;
	v->map_loaded = 1;
	file = xasprintf("%s/fields/%s.yaml", opt->mappings, v->name);
	v->map = fieldmap_load(file, err, sizeof(err));
	if (!v->map)
		msg_die("%s", err);
	free(file);
	return v->map;
}

/* A record for a raw file that could not become a rule. */
static struct rule *failed_record(const struct raw_file *raw, const char *msg)
{
	struct rule *r = rule_new(raw->vendor, raw->source, raw->path);
	char *uid = xasprintf("%s:%s", raw->vendor, raw->path ? raw->path : "?");

	rule_set_str(r, "uid", uid);
	free(uid);
	rule_error(r, 0, PARSE_FAILED, "%s", msg);
	if (raw->url)
		rule_set_str(r, "url", raw->url);
	return r;
}


/* ---- parallel parsing ---- */

struct job {
	struct raw_file raw;		/* owned until parsed */
	parse_fn parse;
	const struct fieldmap *map;
	struct rule_list out;
};

struct pool {
	pthread_mutex_t lock;
	pthread_cond_t more;
	struct job *jobs;
	size_t njobs, alloc, next;
	int done;		/* no more jobs will come */
};

static void run_job(struct job *j)
{
	size_t i;

	j->parse(j->raw.source, j->raw.path, j->raw.text, j->raw.text_len, j->map, &j->out);
	/* serialize and free here, in parallel, rather than in the main thread */
	for (i = 0; i < j->out.n; i++) {
		if (j->raw.url)
			rule_set_str(j->out.v[i], "url", j->raw.url);
		rule_freeze(j->out.v[i]);
	}
	raw_file_release(&j->raw);
}

static void *worker(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		struct job *j;

		pthread_mutex_lock(&p->lock);
		while (p->next == p->njobs && !p->done)
			pthread_cond_wait(&p->more, &p->lock);
		if (p->next == p->njobs) {
			pthread_mutex_unlock(&p->lock);
			return NULL;
		}
		/* jobs may move when the array grows: copy out, write back */
		j = xmalloc(sizeof(*j));
		*j = p->jobs[p->next];
		{
			size_t idx = p->next++;

			pthread_mutex_unlock(&p->lock);
			run_job(j);
			pthread_mutex_lock(&p->lock);
			p->jobs[idx].out = j->out;
			pthread_mutex_unlock(&p->lock);
		}
		free(j);
	}
}

static void pool_add(struct pool *p, struct raw_file *raw, parse_fn parse, const struct fieldmap *map)
{
	pthread_mutex_lock(&p->lock);
	if (p->njobs == p->alloc) {
		p->alloc = p->alloc ? p->alloc * 2 : 1024;
		p->jobs = xrealloc(p->jobs, p->alloc * sizeof(*p->jobs));
	}
	memset(&p->jobs[p->njobs], 0, sizeof(p->jobs[0]));
	p->jobs[p->njobs].raw = *raw;
	memset(raw, 0, sizeof(*raw));
	p->jobs[p->njobs].parse = parse;
	p->jobs[p->njobs].map = map;
	p->njobs++;
	pthread_cond_signal(&p->more);
	pthread_mutex_unlock(&p->lock);
}

/* ---- input ---- */


/* Returns 1 when the input had bad lines, 0 otherwise. */
static int read_input(const char *name, const struct options *opt, struct pool *pool,
		      struct rule_list *direct)
{
	const char *err = NULL, *line;
	struct ndjson_reader *rd = ndjson_reader_open(name, &err);
	struct raw_file raw;
	size_t len;
	int rc, bad = 0;

	if (!rd)
		msg_die("%s: %s", strcmp(name, "-") ? name : "standard input", err);
	memset(&raw, 0, sizeof(raw));
	while ((rc = ndjson_reader_next(rd, &line, &len)) != 0) {
		struct vendor *v;

		if (rc < 0) {
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
		if (!raw.vendor || !raw.path) {
			msg_warn("%s:%zu: not a raw-file record (no vendor or path)",
				 ndjson_reader_name(rd), ndjson_reader_lineno(rd));
			bad = 1;
			continue;
		}
		v = find_vendor(raw.vendor);
		if (!v || !v->is_rule_file(raw.path))
			continue;	/* not a rule: README, LICENSE, other vendors' data */
		if (raw.error || !raw.has_text) {
			rule_list_push(direct, failed_record(&raw, raw.error ? raw.error
							     : "raw record has no text"));
		} else if (!v->parse) {
			v->unsupported++;
			rule_list_push(direct, failed_record(&raw, "vendor not supported yet"));
		} else {
			pool_add(pool, &raw, v->parse, vendor_map(v, opt));
		}
	}
	raw_file_release(&raw);
	ndjson_reader_close(rd);
	return bad;
}

/* ---- output ---- */

struct stats {
	size_t rules, status[4], active, active_ok;
	size_t preds, mapped, active_preds, active_mapped;
	json_t *unmapped;	/* raw field → count, rule folders only */
};

static void count_rule(struct stats *st, const json_t *r, enum parse_status s)
{
	const char *path = json_string_value(json_object_get(r, "path"));
	int active = path && strncmp(path, "rules", 5) == 0;
	json_t *p;
	size_t i;

	st->rules++;
	st->status[s]++;
	if (active) {
		st->active++;
		st->active_ok += s == PARSE_OK;
	}
	json_array_foreach(json_object_get(r, "predicates"), i, p) {
		int unmapped = json_is_true(json_object_get(p, "unmapped"));
		const char *f;
		json_t *c;

		if (json_is_true(json_object_get(p, "computed")))
			continue;
		st->preds++;
		st->mapped += !unmapped;
		if (!active)
			continue;
		st->active_preds++;
		st->active_mapped += !unmapped;
		if (!unmapped)
			continue;
		f = json_string_value(json_object_get(p, "raw_field"));
		c = json_object_get(st->unmapped, f ? f : "");
		json_object_set_new(st->unmapped, f ? f : "", json_integer(json_integer_value(c) + 1));
	}
}

static int cmp_count(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_int_t cx = json_integer_value(json_array_get(x, 1));
	json_int_t cy = json_integer_value(json_array_get(y, 1));

	if (cx != cy)
		return cx < cy ? 1 : -1;
	return strcmp(json_string_value(json_array_get(x, 0)),
		      json_string_value(json_array_get(y, 0)));
}

static double pct(size_t a, size_t b)
{
	return b ? 100.0 * (double)a / (double)b : 0.0;
}

static void print_stats(const struct stats *st)
{
	const char *k;
	json_t *v, **top;
	size_t n = json_object_size(st->unmapped), i = 0;

	msg_warn("stats: %zu rules: ok %zu, partial %zu, failed %zu, no_query %zu", st->rules,
		 st->status[PARSE_OK], st->status[PARSE_PARTIAL], st->status[PARSE_FAILED],
		 st->status[PARSE_NO_QUERY]);
	msg_warn("stats: rules*/: %zu rules, %zu ok (%.2f %%)", st->active, st->active_ok,
		 pct(st->active_ok, st->active));
	msg_warn("stats: predicates %zu, mapped %.2f %%; in rules*/ %zu, mapped %.2f %%",
		 st->preds, pct(st->mapped, st->preds), st->active_preds,
		 pct(st->active_mapped, st->active_preds));
	top = xcalloc(n + 1, sizeof(*top));
	json_object_foreach(st->unmapped, k, v)
		top[i++] = json_pack("[sI]", k, json_integer_value(v));
	qsort(top, n, sizeof(*top), cmp_count);
	for (i = 0; i < n; i++) {
		if (i < 40)
			msg_warn("stats: unmapped %6lld %s",
				 (long long)json_integer_value(json_array_get(top[i], 1)),
				 json_string_value(json_array_get(top[i], 0)));
		json_decref(top[i]);
	}
	free(top);
}

/* the front ends' message for a query language they do not parse yet */
#define NOT_PARSED_YET "queries are not parsed yet: metadata only"

/* One message per error: "SOURCE:PATH[:LINE]: message"; a query not parsed yet
 * is counted for one line at the end instead. */
static void report_errors(const json_t *r, struct vendor *v)
{
	const char *src = json_string_value(json_object_get(r, "source"));
	const char *path = json_string_value(json_object_get(r, "path"));
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(r, "parse"), "errors"), i, e) {
		json_int_t line = json_integer_value(json_object_get(e, "line"));
		const char *m = json_string_value(json_object_get(e, "message"));

		if (!m)
			m = "?";
		if (v && strstr(m, NOT_PARSED_YET)) {
			v->metadata_only++;
			continue;
		}
		if (line)
			msg_warn("%s:%s:%lld: %s", src ? src : "?", path ? path : "?",
				 (long long)line, m);
		else
			msg_warn("%s:%s: %s", src ? src : "?", path ? path : "?", m);
	}
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: detcat-normalize [options] [FILE...]\n"
		"\n"
		"Read raw-file records (zstd or plain NDJSON; standard input when no FILE)\n"
		"and write one rule record per rule, sorted by uid.\n"
		"\n"
		"  -o, --output FILE     write FILE instead of standard output\n"
		"  -p, --plain           write plain NDJSON, not zstd\n"
		"  -m, --mappings DIR    field maps in DIR/fields/<vendor>.yaml\n"
		"                        (default: $DETCAT_MAPPINGS, else ./mappings,\n"
		"                        else the installed ones)\n"
		"  -j, --threads N       parse with N threads (default: one per CPU)\n"
		"      --stats           print counts and the most common unmapped fields\n"
		"  -h, --help            this text\n"
		"      --version         print the version\n"
		"\n"
		"Exit status: 0 all good, 1 some records carry errors, 2 usage or fatal error.\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "plain", no_argument, NULL, 'p' },
		{ "mappings", required_argument, NULL, 'm' },
		{ "threads", required_argument, NULL, 'j' },
		{ "stats", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct options opt = { NULL, NDJSON_ZSTD, NULL, 0, 0 };
	struct pool pool;
	pthread_t tids[MAX_THREADS];
	struct stats st;
	struct rule_list rules = { NULL, 0, 0 };
	struct strbuf line = STRBUF_INIT;
	struct ndjson_writer *w;
	const char *err = NULL;
	char *end;
	int c, status = EXIT_OK;
	long t, nthreads;
	size_t i, k;

	msg_setprog("detcat-normalize");
	while ((c = getopt_long(argc, argv, "o:pm:j:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': opt.output = optarg; break;
		case 'p': opt.format = NDJSON_PLAIN; break;
		case 'm': opt.mappings = optarg; break;
		case 'j':
			opt.threads = strtol(optarg, &end, 10);
			if (*end || opt.threads < 1) {
				msg_warn("--threads: '%s' is not a positive number", optarg);
				return EXIT_FATAL;
			}
			break;
		case 'S': opt.stats = 1; break;
		case 'h': usage(stdout); return cli_close_stdout() ? EXIT_FATAL : EXIT_OK;
		case 'V': cli_print_version(); return cli_close_stdout() ? EXIT_FATAL : EXIT_OK;
		default: usage(stderr); return EXIT_FATAL;
		}
	}
	opt.mappings = cli_mappings_dir(opt.mappings);
	nthreads = opt.threads ? opt.threads : sysconf(_SC_NPROCESSORS_ONLN);
	if (nthreads < 1)
		nthreads = 1;
	if (nthreads > MAX_THREADS)
		nthreads = MAX_THREADS;

	/* open the output first: a bad path should not cost a parse */
	w = ndjson_writer_open(opt.output, opt.format, &err);
	if (!w)
		msg_die("%s: %s", opt.output ? opt.output : "standard output", err);

	memset(&pool, 0, sizeof(pool));
	pthread_mutex_init(&pool.lock, NULL);
	pthread_cond_init(&pool.more, NULL);
	for (t = 0; t < nthreads; t++)
		if (pthread_create(&tids[t], NULL, worker, &pool) != 0)
			msg_die("cannot start a thread: %s", strerror(errno));
	if (optind == argc)
		status |= read_input("-", &opt, &pool, &rules);
	for (i = (size_t)optind; i < (size_t)argc; i++)
		status |= read_input(argv[i], &opt, &pool, &rules);
	pthread_mutex_lock(&pool.lock);
	pool.done = 1;
	pthread_cond_broadcast(&pool.more);
	pthread_mutex_unlock(&pool.lock);
	for (t = 0; t < nthreads; t++)
		pthread_join(tids[t], NULL);
	for (i = 0; i < pool.njobs; i++) {
		for (k = 0; k < pool.jobs[i].out.n; k++)
			rule_list_push(&rules, pool.jobs[i].out.v[k]);
		free(pool.jobs[i].out.v);
	}
	free(pool.jobs);
	pthread_mutex_destroy(&pool.lock);
	pthread_cond_destroy(&pool.more);

	rules_make_uids_unique(&rules);
	memset(&st, 0, sizeof(st));
	st.unmapped = json_object();
	for (i = 0; i < rules.n; i++) {
		struct rule *r = rules.v[i];

		if (rule_has_errors(r) || opt.stats) {
			json_t *j = rule_to_json(r);

			if (rule_has_errors(r)) {
				struct vendor *v = find_vendor(json_string_value(json_object_get(j, "vendor")));

				/* a vendor not supported yet: one line below, not one per file */
				if (!v || v->parse)
					report_errors(j, v);
				status = EXIT_RECORD_ERRORS;
			}
			if (opt.stats)
				count_rule(&st, j, rule_status(r));
			json_decref(j);
		}
		strbuf_reset(&line);
		rule_serialize(r, &line);
		if (ndjson_writer_line(w, line.buf, line.len) < 0) {
			ndjson_writer_abort(w);
			msg_die("%s: write error", opt.output ? opt.output : "standard output");
		}
	}
	strbuf_release(&line);
	for (i = 0; i < NVENDORS; i++) {
		if (vendors[i].unsupported)
			msg_warn("vendor '%s' is not supported yet: %zu files recorded as failed",
				 vendors[i].name, vendors[i].unsupported);
		if (vendors[i].metadata_only)
			msg_warn("%s: %zu rules with their metadata only (%s)", vendors[i].name,
				 vendors[i].metadata_only, NOT_PARSED_YET);
		fieldmap_free(vendors[i].map);
	}
	if (opt.stats)
		print_stats(&st);
	json_decref(st.unmapped);
	rule_list_release(&rules);
	if (ndjson_writer_close(w) < 0)
		return EXIT_FATAL;
	if (!opt.output && cli_close_stdout() < 0)
		return EXIT_FATAL;
	return status;
}
