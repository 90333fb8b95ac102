/*
 * detcat-normalize: read raw-file records (detcat-fetch-unpack) and write one
 * rule record per rule, sorted by uid, with predicates in canonical fields
 * (SPEC §3, §4). Files that are not rules are skipped; a rule that does not
 * parse is still written, with its errors.
 *
 * Two phases (rule/frontend.h): the support files of each source (Splunk's
 * macros) are read as they come; a source's rule files wait for the end of
 * the input when its front end has support files, and are parsed at once
 * otherwise. Worker threads parse (files are independent); the main thread
 * sorts and writes at the end, so the output does not depend on the number
 * of threads.
 */
#include "common/cli.h"
#include "common/text.h"
#include "common/util.h"
#include "elastic/elastic.h"
#include "io/ndjson.h"
#include "io/rawfile.h"
#include "io/stage.h"
#include "kusto/kusto.h"
#include "rule/fieldmap.h"
#include "rule/frontend.h"
#include "rule/rule.h"
#include "sigma/sigma.h"
#include "splunk/splunk.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
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
	int require_rules;	/* a source (or the input) with no rule is fatal */
	const char *log;	/* --log: the rules' messages go there, not to stderr */
	long threads;
};

/* Every front end, with what normalize keeps for it. */
struct vendor {
	const struct frontend *fe;
	struct fieldmap *map;
	int map_loaded;
	size_t metadata_only;	/* rules whose query language is not parsed yet */
};

static struct vendor vendors[] = {
	{ &sigma_frontend, NULL, 0, 0 },
	{ &elastic_frontend, NULL, 0, 0 },
	{ &splunk_frontend, NULL, 0, 0 },
	{ &kusto_frontend, NULL, 0, 0 },
};
#define NVENDORS (sizeof(vendors) / sizeof(vendors[0]))

static struct vendor *find_vendor(const char *name)
{
	size_t i;

	for (i = 0; i < NVENDORS; i++)
		if (strcmp(vendors[i].fe->vendor, name) == 0)
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
	file = xasprintf("%s/fields/%s.yaml", opt->mappings, v->fe->vendor);
	v->map = fieldmap_load(file, err, sizeof(err));
	if (!v->map)
		msg_die("%s (%s)", err, cli_mappings_hint());
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

/* ---- the rules' own messages: standard error, or the --log file ---- */

static FILE *log_file;
static size_t nnotes;

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	va_list ap;

	nnotes++;
	va_start(ap, fmt);
	if (log_file) {
		fprintf(log_file, "%s: ", msg_prog());
		vfprintf(log_file, fmt, ap);
		fputc('\n', log_file);
	} else {
		char *text = xvasprintf(fmt, ap);

		msg_warn("%s", text);
		free(text);
	}
	va_end(ap);
}

/* ---- support: one state per (vendor, source) whose front end has support files ---- */

struct source {
	struct vendor *v;
	char *name;
	void *support;
	struct raw_file *held;		/* rule files waiting for the support to be complete */
	size_t nheld, aheld;
};

static struct source *sources;
static size_t nsources, asources;

static struct source *source_for(struct vendor *v, const char *name)
{
	size_t i;

	for (i = 0; i < nsources; i++)
		if (sources[i].v == v && strcmp(sources[i].name, name ? name : "") == 0)
			return &sources[i];
	if (nsources == asources) {
		asources = asources ? asources * 2 : 4;
		sources = xrealloc(sources, asources * sizeof(*sources));
	}
	memset(&sources[nsources], 0, sizeof(sources[0]));
	sources[nsources].v = v;
	sources[nsources].name = xstrdup(name ? name : "");
	sources[nsources].support = v->fe->support_new();
	return &sources[nsources++];
}

/* ---- the summary: per source, files read and rules by status ---- */

struct tally {
	char *source;
	size_t files, rules, status[4], metadata_only;
};

static struct tally *tallies;
static size_t ntallies, atallies;
static size_t nrecords;		/* input lines that were raw-file records */

static struct tally *tally_for(const char *source)
{
	size_t i;

	if (!source)
		source = "?";
	for (i = 0; i < ntallies; i++)
		if (strcmp(tallies[i].source, source) == 0)
			return &tallies[i];
	if (ntallies == atallies) {
		atallies = atallies ? atallies * 2 : 8;
		tallies = xrealloc(tallies, atallies * sizeof(*tallies));
	}
	memset(&tallies[ntallies], 0, sizeof(tallies[0]));
	tallies[ntallies].source = xstrdup(source);
	return &tallies[ntallies++];
}

/* "sigma: 4,058 files → 4,025 rules: 4,021 ok, 4 partial"; the statuses with no
 * rule are left out. Returns the number of sources that gave nothing usable:
 * no rule, or only rules that failed to parse (metadata only is not a failure). */
static size_t print_summary(void)
{
	static const char *const names[4] = { "ok", "partial", "failed", "no query" };
	struct strbuf sb = STRBUF_INIT;
	char a[32], b[32];
	size_t i, k, empty = 0;

	for (i = 0; i < ntallies; i++) {
		const struct tally *t = &tallies[i];
		const char *sep = ": ";

		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s: %s files \xe2\x86\x92 %s rules", t->source, stage_num(t->files, a, sizeof(a)),
			    stage_num(t->rules, b, sizeof(b)));
		for (k = 0; k < 4; k++) {
			size_t n = t->status[k] - (k == PARSE_FAILED ? t->metadata_only : 0);

			if (!n)
				continue;
			strbuf_addf(&sb, "%s%s %s", sep, stage_num(n, a, sizeof(a)), names[k]);
			sep = ", ";
		}
		if (t->metadata_only)
			strbuf_addf(&sb, "%s%s metadata only (query not parsed yet)", sep,
				    stage_num(t->metadata_only, a, sizeof(a)));
		msg_warn("%s", sb.buf);
		/* no rule, or only rules that failed (not for want of a parser): nothing usable */
		empty += t->rules == 0 || t->status[PARSE_FAILED] - t->metadata_only == t->rules;
	}
	strbuf_release(&sb);
	return empty;
}

/* ---- parallel parsing ---- */

struct job {
	struct raw_file raw;		/* owned until parsed */
	const struct frontend *fe;
	const struct fieldmap *map;
	const void *support;
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
	struct fe_input in;
	size_t i;

	in.source = j->raw.source;
	in.path = j->raw.path;
	in.text = j->raw.text;
	in.len = j->raw.text_len;
	in.map = j->map;
	in.support = j->support;
	j->fe->parse(&in, &j->out);
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

static void pool_add(struct pool *p, struct raw_file *raw, const struct frontend *fe,
		     const struct fieldmap *map, const void *support)
{
	pthread_mutex_lock(&p->lock);
	if (p->njobs == p->alloc) {
		p->alloc = p->alloc ? p->alloc * 2 : 1024;
		p->jobs = xrealloc(p->jobs, p->alloc * sizeof(*p->jobs));
	}
	memset(&p->jobs[p->njobs], 0, sizeof(p->jobs[0]));
	p->jobs[p->njobs].raw = *raw;
	memset(raw, 0, sizeof(*raw));
	p->jobs[p->njobs].fe = fe;
	p->jobs[p->njobs].map = map;
	p->jobs[p->njobs].support = support;
	p->njobs++;
	pthread_cond_signal(&p->more);
	pthread_mutex_unlock(&p->lock);
}

/* ---- input ---- */

/* A support file: into its source's state now. Returns 1 when it was bad. */
static int add_support(struct vendor *v, struct raw_file *raw)
{
	struct source *src;
	struct fe_msg m;

	if (!v->fe->support_add)
		return 0;
	src = source_for(v, raw->source);
	if (raw->error || !raw->has_text) {
		note("%s:%s: %s", raw->source ? raw->source : "?", raw->path,
			 raw->error ? raw->error : "raw record has no text");
		return 1;
	}
	memset(&m, 0, sizeof(m));
	if (v->fe->support_add(src->support, raw->path, raw->text, raw->text_len, &m) == 0)
		return 0;
	if (m.line)
		note("%s:%s:%u: %s", raw->source ? raw->source : "?", raw->path, m.line, m.text);
	else
		note("%s:%s: %s", raw->source ? raw->source : "?", raw->path, m.text);
	return 1;
}

/* A rule file: parsed now, or held until its source's support files are all in. */
static void add_rule_file(struct vendor *v, struct raw_file *raw, const struct options *opt,
			  struct pool *pool)
{
	struct source *src;

	if (!v->fe->support_new) {
		pool_add(pool, raw, v->fe, vendor_map(v, opt), NULL);
		return;
	}
	src = source_for(v, raw->source);
	if (src->nheld == src->aheld) {
		src->aheld = src->aheld ? src->aheld * 2 : 256;
		src->held = xrealloc(src->held, src->aheld * sizeof(*src->held));
	}
	src->held[src->nheld++] = *raw;
	memset(raw, 0, sizeof(*raw));
}

/* Returns 1 when the input had bad lines, 0 otherwise. */
static int read_input(const char *name, const struct options *opt, struct pool *pool,
		      struct rule_list *direct)
{
	const char *err = NULL, *line;
	struct ndjson_reader *rd = ndjson_reader_open(name, &err);
	struct raw_file raw;
	struct stage_msgs badlines = { 0, 0 };
	size_t len;
	int rc, bad = 0, first = 1;

	if (!rd)
		msg_die("%s: %s", strcmp(name, "-") ? name : "standard input", err);
	memset(&raw, 0, sizeof(raw));
	while ((rc = ndjson_reader_next(rd, &line, &len)) != 0) {
		struct vendor *v;
		enum fe_kind kind;

		if (rc < 0) {
			msg_warn("%s: %s", ndjson_reader_name(rd), ndjson_reader_error(rd));
			bad = 1;
			break;
		}
		raw_file_release(&raw);
		if (first) {
			const char *wrong = stage_wrong_kind_line(line, len, STAGE_RAW);

			if (wrong)
				msg_die("%s: %s", strcmp(name, "-") ? name : "standard input", wrong);
			first = 0;
		}
		if (raw_file_decode(line, len, &raw, &err) < 0) {
			stage_warn(&badlines, "%s:%zu: %s", ndjson_reader_name(rd), ndjson_reader_lineno(rd), err);
			bad = 1;
			continue;
		}
		if (!raw.vendor || !raw.path) {
			stage_warn(&badlines, "%s:%zu: not a raw-file record (no vendor or path)",
				   ndjson_reader_name(rd), ndjson_reader_lineno(rd));
			bad = 1;
			continue;
		}
		nrecords++;
		v = find_vendor(raw.vendor);
		if (!v)
			continue;	/* the ATT&CK bundle, other data */
		tally_for(raw.source)->files++;
		kind = v->fe->classify(raw.path, raw.has_text ? raw.text : "",
				       raw.has_text ? raw.text_len : 0);
		if (kind == FE_SUPPORT) {
			bad |= add_support(v, &raw);
		} else if (kind != FE_RULE) {
			continue;	/* not a rule: README, LICENSE, pictures */
		} else if (raw.error || !raw.has_text) {
			rule_list_push(direct, failed_record(&raw, raw.error ? raw.error
							     : "raw record has no text"));
		} else {
			add_rule_file(v, &raw, opt, pool);
		}
	}
	raw_file_release(&raw);
	stage_warn_end(&badlines, strcmp(name, "-") ? name : "standard input");
	ndjson_reader_close(rd);
	return bad;
}

/* The end of the input: every source's support is complete, its rules can go. */
static void release_held(const struct options *opt, struct pool *pool)
{
	size_t i, k;

	for (i = 0; i < nsources; i++)
		for (k = 0; k < sources[i].nheld; k++)
			pool_add(pool, &sources[i].held[k], sources[i].v->fe,
				 vendor_map(sources[i].v, opt), sources[i].support);
}

static void free_sources(void)
{
	size_t i;

	for (i = 0; i < nsources; i++) {
		sources[i].v->fe->support_free(sources[i].support);
		free(sources[i].held);
		free(sources[i].name);
	}
	free(sources);
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

/* One message per error: "SOURCE:PATH[:LINE[:COLUMN]]: message"; a query not
 * parsed yet is counted for one line at the end instead. */
static void report_errors(const struct rule *r, struct vendor *v)
{
	const char *src = rule_source(r), *path = rule_path(r);
	const struct rule_msg *m;
	size_t n, i;

	m = rule_messages(r, &n);
	for (i = 0; i < n; i++) {
		if (v && m[i].code == RC_NOT_PARSED) {
			v->metadata_only++;
			continue;
		}
		if (m[i].line && m[i].column)
			note("%s:%s:%u:%u: %s", src ? src : "?", path ? path : "?", m[i].line,
				 m[i].column, m[i].text);
		else if (m[i].line)
			note("%s:%s:%u: %s", src ? src : "?", path ? path : "?", m[i].line,
				 m[i].text);
		else
			note("%s:%s: %s", src ? src : "?", path ? path : "?", m[i].text);
	}
}

/* The vendor of a rule, from its uid's prefix ("sigma:..."). */
static struct vendor *rule_vendor(const struct rule *r)
{
	const char *uid = rule_uid(r), *colon = uid ? strchr(uid, ':') : NULL;
	size_t i;

	for (i = 0; colon && i < NVENDORS; i++)
		if (strlen(vendors[i].fe->vendor) == (size_t)(colon - uid) &&
		    memcmp(vendors[i].fe->vendor, uid, (size_t)(colon - uid)) == 0)
			return &vendors[i];
	return NULL;
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
		"      --log FILE        write the rules' own messages (parse errors) to FILE,\n"
		"                        not standard error; the summary says how many\n"
		"      --require-rules   a source that gives no rule, or only rules that failed\n"
		"                        to parse (or an input with no rule file), is a fatal\n"
		"                        error: nothing is written, exit 2\n"
		"  -h, --help            this text\n"
		"      --version         print the version\n"
		"\n"
		"One line per source on standard error at the end: files read, rules by status.\n"
		"\n"
		"Exit status: 0 all good, 1 some records carry errors, 2 usage or fatal error\n"
		"(or no input line was a raw-file record).\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "plain", no_argument, NULL, 'p' },
		{ "mappings", required_argument, NULL, 'm' },
		{ "threads", required_argument, NULL, 'j' },
		{ "stats", no_argument, NULL, 'S' },
		{ "require-rules", no_argument, NULL, 'R' },
		{ "log", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct options opt = { NULL, NDJSON_ZSTD, NULL, 0, 0, NULL, 0 };
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
	size_t i, k, empty;
	char num[32];

	cli_init("detcat-normalize");
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
		case 'R': opt.require_rules = 1; break;
		case 'L': opt.log = optarg; break;
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

	if (opt.log && !(log_file = fopen(opt.log, "w")))
		msg_die("cannot write '%s': %s", opt.log, strerror(errno));
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
	release_held(&opt, &pool);
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
		struct tally *tl = tally_for(rule_source(r));

		tl->rules++;
		tl->status[rule_status(r)]++;
		if (rule_has_errors(r)) {
			size_t before;
			struct vendor *rv = rule_vendor(r);

			before = rv ? rv->metadata_only : 0;
			report_errors(r, rv);
			if (rv)
				tl->metadata_only += rv->metadata_only > before;
			status = EXIT_RECORD_ERRORS;
		}
		if (opt.stats) {
			json_t *j = rule_to_json(r);

			count_rule(&st, j, rule_status(r));
			json_decref(j);
		}
		strbuf_reset(&line);
		rule_serialize(r, &line);
		if (ndjson_writer_line(w, line.buf, line.len) < 0)
			ndjson_writer_die(w);
	}
	strbuf_release(&line);
	for (i = 0; i < NVENDORS; i++)
		fieldmap_free(vendors[i].map);
	free_sources();
	empty = print_summary();
	if (log_file) {
		if (fclose(log_file) != 0)
			msg_die("cannot write '%s': %s", opt.log, strerror(errno));
		if (nnotes)
			msg_warn("%zu message%s about rules in %s", nnotes, nnotes > 1 ? "s" : "", opt.log);
	}
	if (status && !nrecords) {
		msg_warn("no input line was a raw-file record: nothing to normalize");
		ndjson_writer_abort(w);
		w = NULL;
		status = EXIT_FATAL;
	} else if (opt.require_rules && (empty || rules.n == 0)) {
		for (i = 0; i < ntallies; i++)
			if (tallies[i].rules && tallies[i].status[PARSE_FAILED] - tallies[i].metadata_only == tallies[i].rules)
				msg_warn("%s: every one of its %s rules failed to parse: is its vendor right?",
					 tallies[i].source, stage_num(tallies[i].rules, num, sizeof(num)));
			else if (!tallies[i].rules)
				msg_warn("%s: no rule in %s files: is its vendor right, do its include globs match?",
					 tallies[i].source, stage_num(tallies[i].files, num, sizeof(num)));
		if (!ntallies)
			msg_warn("%s: no rule file in the input: is the source's location right, do its "
				 "include globs match anything?", optind < argc ? argv[optind] : "standard input");
		ndjson_writer_abort(w);
		w = NULL;
		status = EXIT_FATAL;
	}
	for (i = 0; i < ntallies; i++)
		free(tallies[i].source);
	free(tallies);
	if (opt.stats)
		print_stats(&st);
	json_decref(st.unmapped);
	rule_list_release(&rules);
	if (!w)
		return EXIT_FATAL;
	if (ndjson_writer_close(w) < 0)
		return EXIT_FATAL;
	if (!opt.output && cli_close_stdout() < 0)
		return EXIT_FATAL;
	return status;
}
