/*
 * detcat-tag: read rule records (detcat-normalize) and write tagged rules
 * (SPEC §3, §5): the ATT&CK ids each rule states, checked against the table of
 * detcat-attack and named, and the log events the rule reads, from the scope
 * mapping of mappings/events.yaml. Sorted by uid; the same bytes for the same
 * input whatever the number of threads.
 */
#include "attack/attack.h"
#include "common/cli.h"
#include "catalog/events.h"
#include "io/ndjson.h"
#include "io/stage.h"
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

enum issue { ISSUE_UNKNOWN, ISSUE_REVOKED, ISSUE_DEPRECATED, ISSUE_UNKNOWN_TACTIC, NISSUES };
static const char *const issue_names[NISSUES] = {
	"unknown", "revoked", "deprecated", "unknown_tactic"
};

/* One input line, then its tagged record. Workers fill what the main thread reads back. */
struct item {
	char *line;		/* input, freed once tagged */
	size_t len;
	unsigned file;		/* index in argv of the input */
	size_t lineno;
	char *out;		/* the tagged record, NULL when the line was bad */
	size_t out_len;
	const char *uid;	/* inside out's record: kept as its own copy */
	char *uid_own;
	char *err;		/* what was wrong with the line */
	/* for --stats */
	char *vendor;
	char *scope;		/* the rule's scope, when it maps to no event */
	char **unresolved;
	size_t nunresolved;
	char **made_up;		/* "PROVIDER: EVENT" of events from an open provider */
	size_t nmade_up;
	size_t ntech, ntactic, nevents, issues[NISSUES];
};

struct work {
	const struct attack_db *db;
	const struct events *ev;
	struct item *items;
	size_t n, next;
	pthread_mutex_t lock;
};

/* ---- tagging one record ---- */

static json_t *technique_json(const struct attack_technique *t)
{
	json_t *tactics = json_array();
	size_t i;

	for (i = 0; i < t->ntactics; i++)
		json_array_append_new(tactics, json_string(t->tactics[i]));
	return json_pack("{s:s,s:s,s:o,s:o}", "id", t->id, "name", t->name, "tactics", tactics,
			 "parent", t->parent ? json_string(t->parent) : json_null());
}

static int has_id(const json_t *list, const char *id)
{
	const json_t *e;
	size_t i;

	json_array_foreach(list, i, e)
		if (strcmp(json_string_value(json_object_get(e, "id")), id) == 0)
			return 1;
	return 0;
}

static void add_issue(json_t *issues, struct item *it, const char *id, enum issue kind,
		      const char *replaced_by)
{
	json_t *o = json_pack("{s:s,s:s}", "id", id, "issue", issue_names[kind]);
	const json_t *e;
	size_t i;

	if (replaced_by)
		json_object_set_new(o, "replaced_by", json_string(replaced_by));
	json_array_foreach(issues, i, e)
		if (json_equal(e, o)) {
			json_decref(o);
			return;
		}
	json_array_append_new(issues, o);
	it->issues[kind]++;
}

static void tag_attack(const struct attack_db *db, json_t *rec, struct item *it)
{
	const json_t *attack = json_object_get(rec, "attack"), *e;
	json_t *techs = json_array(), *tactics = json_array(), *issues = json_array();
	size_t i;

	json_array_foreach(json_object_get(attack, "techniques"), i, e) {
		const char *id = json_string_value(e);
		const struct attack_technique *t = id ? attack_db_technique(db, id) : NULL;

		if (!id)
			continue;
		if (!t) {
			add_issue(issues, it, id, ISSUE_UNKNOWN, NULL);
			continue;
		}
		if (t->revoked) {
			const struct attack_technique *now =
				t->revoked_by ? attack_db_technique(db, t->revoked_by) : NULL;

			add_issue(issues, it, t->id, ISSUE_REVOKED, now ? now->id : NULL);
			if (!now)
				continue;
			t = now;
		}
		if (t->deprecated)
			add_issue(issues, it, t->id, ISSUE_DEPRECATED, NULL);
		if (!has_id(techs, t->id))
			json_array_append_new(techs, technique_json(t));
	}
	json_array_foreach(json_object_get(attack, "tactics"), i, e) {
		const char *name = json_string_value(e);
		const struct attack_tactic *t = name ? attack_db_tactic(db, name) : NULL;

		if (!name)
			continue;
		if (!t) {
			add_issue(issues, it, name, ISSUE_UNKNOWN_TACTIC, NULL);
			continue;
		}
		if (!has_id(tactics, t->id))
			json_array_append_new(tactics, json_pack("{s:s,s:s,s:s}", "id", t->id,
								 "shortname", t->shortname,
								 "name", t->name));
	}
	it->ntech = json_array_size(techs);
	it->ntactic = json_array_size(tactics);
	/* a rule that states techniques and no tactic has those of its techniques (ATT&CK) */
	if (!json_array_size(tactics) && json_array_size(techs)) {
		json_array_foreach(techs, i, e) {
			const json_t *tn;
			size_t k;

			json_array_foreach(json_object_get(e, "tactics"), k, tn) {
				const struct attack_tactic *t = attack_db_tactic(db, json_string_value(tn));

				if (t && !has_id(tactics, t->id))
					json_array_append_new(tactics, json_pack("{s:s,s:s,s:s}", "id", t->id,
										 "shortname", t->shortname,
										 "name", t->name));
			}
		}
		if (json_array_size(tactics))
			json_object_set_new(rec, "tactics_derived", json_true());
	}
	json_object_set_new(rec, "techniques", techs);
	json_object_set_new(rec, "tactics", tactics);
	json_object_set_new(rec, "attack_issues", issues);
}

/* "key=value key=value" of the rule's scalar context values, for the stats */
static char *scope_text(const json_t *ctx)
{
	struct strbuf sb = STRBUF_INIT;
	const char *k;
	json_t *v;

	strbuf_init(&sb, 64);
	json_object_foreach((json_t *)ctx, k, v) {
		if (!json_is_string(v))
			continue;
		if (sb.len)
			strbuf_addch(&sb, ' ');
		strbuf_addf(&sb, "%s=%s", k, json_string_value(v));
	}
	if (!sb.len)
		strbuf_addstr(&sb, "(no scope)");
	return strbuf_detach(&sb, NULL);
}

static void tag_events(const struct events *ev, json_t *rec, struct item *it,
		       struct event_list *l)
{
	size_t i;

	events_for_rule(ev, rec, l);
	json_object_set_new(rec, "events", event_list_json(l));
	it->nevents = l->n;
	if (!l->n)
		it->scope = scope_text(json_object_get(rec, "context"));
	if (l->nunresolved) {
		it->unresolved = xcalloc(l->nunresolved, sizeof(char *));
		for (i = 0; i < l->nunresolved; i++)
			it->unresolved[it->nunresolved++] = xstrdup(l->unresolved[i]);
	}
	for (i = 0; i < l->n; i++) {
		if (l->v[i].listed)
			continue;
		it->made_up = xrealloc(it->made_up, (it->nmade_up + 1) * sizeof(char *));
		it->made_up[it->nmade_up++] = xasprintf("%s: %s", l->v[i].provider, l->v[i].event);
	}
}

static void tag_item(const struct work *w, struct item *it, struct event_list *l)
{
	json_error_t jerr;
	json_t *rec = json_loadb(it->line, it->len, JSON_ALLOW_NUL, &jerr);
	const char *uid, *vendor;

	if (!rec) {
		it->err = xasprintf("invalid JSON at column %d: %s", jerr.column, jerr.text);
		goto out;
	}
	if (!json_is_object(rec)) {
		it->err = xstrdup("record is not a JSON object");
		goto out;
	}
	uid = json_string_value(json_object_get(rec, "uid"));
	if (!uid || !*uid) {
		it->err = xstrdup("not a rule record (no uid)");
		goto out;
	}
	vendor = json_string_value(json_object_get(rec, "vendor"));
	it->vendor = xstrdup(vendor ? vendor : "?");
	it->uid_own = xstrdup(uid);
	it->uid = it->uid_own;
	tag_attack(w->db, rec, it);
	tag_events(w->ev, rec, it, l);
	it->out = json_dumps(rec, JSON_COMPACT);
	if (!it->out)
		msg_die("out of memory writing a record");
	it->out_len = strlen(it->out);
out:
	json_decref(rec);
	free(it->line);
	it->line = NULL;
}

static void *worker(void *arg)
{
	struct work *w = arg;
	struct event_list l;

	event_list_init(&l);
	for (;;) {
		size_t i;

		pthread_mutex_lock(&w->lock);
		i = w->next < w->n ? w->next++ : w->n;
		pthread_mutex_unlock(&w->lock);
		if (i == w->n)
			break;
		tag_item(w, &w->items[i], &l);
	}
	event_list_release(&l);
	return NULL;
}

/* ---- input ---- */

struct input {
	struct item *items;
	size_t n, alloc;
};

/* Read every line of one input. Returns 1 when the stream itself failed. */
static int read_input(const char *name, unsigned file, struct input *in)
{
	const char *err = NULL, *line;
	struct ndjson_reader *rd = ndjson_reader_open(name, &err);
	size_t len;
	int rc, first = 1;

	if (!rd)
		msg_die("%s: %s", strcmp(name, "-") ? name : "standard input", err);
	while ((rc = ndjson_reader_next(rd, &line, &len)) != 0) {
		struct item *it;

		if (rc < 0) {
			msg_warn("%s: %s", ndjson_reader_name(rd), ndjson_reader_error(rd));
			ndjson_reader_close(rd);
			return 1;
		}
		if (first) {
			const char *wrong = stage_wrong_kind_line(line, len, STAGE_RULE);

			/* tagged rules may be tagged again */
			if (wrong && !strstr(wrong, "tagged rules"))
				msg_die("%s: %s", strcmp(name, "-") ? name : "standard input", wrong);
			first = 0;
		}
		if (in->n == in->alloc) {
			in->alloc = in->alloc ? in->alloc * 2 : 1024;
			in->items = xrealloc(in->items, in->alloc * sizeof(*in->items));
		}
		it = &in->items[in->n++];
		memset(it, 0, sizeof(*it));
		it->line = xstrndup(line, len);
		it->len = len;
		it->file = file;
		it->lineno = ndjson_reader_lineno(rd);
	}
	ndjson_reader_close(rd);
	return 0;
}

static void item_release(struct item *it)
{
	size_t i;

	free(it->line);
	free(it->out);
	free(it->uid_own);
	free(it->err);
	free(it->vendor);
	free(it->scope);
	for (i = 0; i < it->nunresolved; i++)
		free(it->unresolved[i]);
	free(it->unresolved);
	for (i = 0; i < it->nmade_up; i++)
		free(it->made_up[i]);
	free(it->made_up);
}

static int cmp_item(const void *a, const void *b)
{
	const struct item *x = *(const struct item *const *)a, *y = *(const struct item *const *)b;
	int c = strcmp(x->uid, y->uid);

	return c ? c : strcmp(x->out, y->out);
}

/* ---- --stats ---- */

struct vstats {
	const char *vendor;
	size_t rules, tech, tactic_only, events, issues[NISSUES];
};

static void count(json_t *counts, const char *key)
{
	json_t *c = json_object_get(counts, key);

	json_object_set_new(counts, key, json_integer(json_integer_value(c) + 1));
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

static void print_top(const char *what, json_t *counts, size_t max)
{
	size_t n = json_object_size(counts), i = 0;
	json_t **top = xcalloc(n + 1, sizeof(*top)), *v;
	const char *k;

	json_object_foreach(counts, k, v)
		top[i++] = json_pack("[sI]", k, json_integer_value(v));
	qsort(top, n, sizeof(*top), cmp_count);
	for (i = 0; i < n; i++) {
		if (i < max)
			msg_warn("stats: %s %6lld %s", what,
				 (long long)json_integer_value(json_array_get(top[i], 1)),
				 json_string_value(json_array_get(top[i], 0)));
		json_decref(top[i]);
	}
	free(top);
}

static double pct(size_t a, size_t b)
{
	return b ? 100.0 * (double)a / (double)b : 0.0;
}

static void print_stats(struct item **sorted, size_t n)
{
	struct vstats *vs = xcalloc(n + 1, sizeof(*vs));	/* at most one vendor per rule */
	size_t nv = 0, i, k;
	json_t *unmapped = json_object(), *unresolved = json_object(), *made_up = json_object();

	for (i = 0; i < n; i++) {
		const struct item *it = sorted[i];
		struct vstats *s = NULL;

		for (k = 0; k < nv && !s; k++)
			if (strcmp(vs[k].vendor, it->vendor) == 0)
				s = &vs[k];
		if (!s) {
			s = &vs[nv++];
			s->vendor = it->vendor;
		}
		s->rules++;
		s->tech += it->ntech > 0;
		s->tactic_only += !it->ntech && it->ntactic;
		s->events += it->nevents > 0;
		for (k = 0; k < NISSUES; k++)
			s->issues[k] += it->issues[k];
		if (it->scope)
			count(unmapped, it->scope);
		for (k = 0; k < it->nunresolved; k++)
			count(unresolved, it->unresolved[k]);
		for (k = 0; k < it->nmade_up; k++)
			count(made_up, it->made_up[k]);
	}
	for (k = 0; k < nv; k++)
		msg_warn("stats: %s: %zu rules, >= 1 valid technique %zu (%.1f %%), tactics only %zu, "
			 ">= 1 event %zu (%.1f %%); ids unknown %zu, revoked %zu, deprecated %zu, "
			 "unknown tactics %zu", vs[k].vendor, vs[k].rules, vs[k].tech,
			 pct(vs[k].tech, vs[k].rules), vs[k].tactic_only, vs[k].events,
			 pct(vs[k].events, vs[k].rules), vs[k].issues[ISSUE_UNKNOWN],
			 vs[k].issues[ISSUE_REVOKED], vs[k].issues[ISSUE_DEPRECATED],
			 vs[k].issues[ISSUE_UNKNOWN_TACTIC]);
	print_top("no event for scope", unmapped, 25);
	print_top("named but not in the catalog", unresolved, 25);
	print_top("made up from an open provider", made_up, 10);
	msg_warn("stats: %zu events made up from open providers (distinct)",
		 json_object_size(made_up));
	json_decref(unmapped);
	json_decref(unresolved);
	json_decref(made_up);
	free(vs);
}

/* ---- main ---- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: detcat-tag --attack TABLE [options] [FILE...]\n"
		"\n"
		"Read rule records (zstd or plain NDJSON; standard input when no FILE) and\n"
		"write them tagged with validated ATT&CK techniques and tactics and the log\n"
		"events they read, sorted by uid.\n"
		"\n"
		"  -a, --attack TABLE    the ATT&CK table written by detcat-attack, or the STIX\n"
		"                        bundle itself (enterprise-attack.json, plain or zstd;\n"
		"                        slower: read whole at every run) (required)\n"
		"  -e, --events FILE     the event catalog and scope mapping (default:\n"
		"                        events.yaml in $DETCAT_MAPPINGS, else ./mappings,\n"
		"                        else the installed mappings)\n"
		"  -o, --output FILE     write FILE instead of standard output\n"
		"  -p, --plain           write plain NDJSON, not zstd\n"
		"  -j, --threads N       tag with N threads (default: one per CPU)\n"
		"      --stats           print per-vendor shares and the scopes with no event\n"
		"  -h, --help            this text\n"
		"      --version         print the version\n"
		"\n"
		"Exit status: 0 all good, 1 some input lines were bad (skipped), 2 usage or\n"
		"fatal error.\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "attack", required_argument, NULL, 'a' },
		{ "events", required_argument, NULL, 'e' },
		{ "output", required_argument, NULL, 'o' },
		{ "plain", no_argument, NULL, 'p' },
		{ "threads", required_argument, NULL, 'j' },
		{ "stats", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *attack_path = NULL, *events_path = NULL, *output = NULL, *err = NULL;
	enum ndjson_format format = NDJSON_ZSTD;
	struct input in = { NULL, 0, 0 };
	struct item **sorted;
	struct work w;
	struct ndjson_writer *wr;
	struct attack_db *db;
	struct events *ev;
	pthread_t tids[MAX_THREADS];
	char *file = NULL, *aerr = NULL, eerr[512], *end;
	long threads = 0, t, nthreads;
	int c, stats = 0, status = EXIT_OK;
	size_t i, ngood = 0;
	struct stage_msgs badlines = { 0, 0 };

	cli_init("detcat-tag");
	while ((c = getopt_long(argc, argv, "a:e:o:pj:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'a': attack_path = optarg; break;
		case 'e': events_path = optarg; break;
		case 'o': output = optarg; break;
		case 'p': format = NDJSON_PLAIN; break;
		case 'j':
			threads = strtol(optarg, &end, 10);
			if (*end || threads < 1) {
				msg_warn("--threads: '%s' is not a positive number", optarg);
				return EXIT_FATAL;
			}
			break;
		case 'S': stats = 1; break;
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
	if (!events_path)
		events_path = file = xasprintf("%s/events.yaml", cli_mappings_dir(NULL));
	db = attack_db_load(attack_path, &aerr);
	if (!db)
		msg_die("%s", aerr);
	ev = events_load(events_path, eerr, sizeof(eerr));
	if (!ev && file)
		msg_die("%s (%s)", eerr, cli_mappings_hint());
	if (!ev)
		msg_die("%s", eerr);
	free(file);
	wr = ndjson_writer_open(output, format, &err);
	if (!wr)
		msg_die("%s: %s", output ? output : "standard output", err);

	if (optind == argc)
		status |= read_input("-", 0, &in);
	for (i = (size_t)optind; i < (size_t)argc; i++)
		status |= read_input(argv[i], (unsigned)i, &in);

	nthreads = threads ? threads : sysconf(_SC_NPROCESSORS_ONLN);
	if (nthreads < 1)
		nthreads = 1;
	if (nthreads > MAX_THREADS)
		nthreads = MAX_THREADS;
	if ((size_t)nthreads > in.n / 256 + 1)
		nthreads = (long)(in.n / 256 + 1);
	json_object_seed(0);	/* before threads: jansson seeds its hashes once */
	memset(&w, 0, sizeof(w));
	w.db = db;
	w.ev = ev;
	w.items = in.items;
	w.n = in.n;
	pthread_mutex_init(&w.lock, NULL);
	for (t = 0; t < nthreads; t++)
		if (pthread_create(&tids[t], NULL, worker, &w) != 0)
			msg_die("cannot start a thread: %s", strerror(errno));
	for (t = 0; t < nthreads; t++)
		pthread_join(tids[t], NULL);
	pthread_mutex_destroy(&w.lock);

	sorted = xcalloc(in.n + 1, sizeof(*sorted));
	for (i = 0; i < in.n; i++) {
		struct item *it = &in.items[i];

		if (it->err) {
			const char *name = it->file ? argv[it->file] : "standard input";

			stage_warn(&badlines, "%s:%zu: %s", strcmp(name, "-") ? name : "standard input",
				   it->lineno, it->err);
			status = EXIT_RECORD_ERRORS;
			continue;
		}
		sorted[ngood++] = it;
	}
	stage_warn_end(&badlines, "detcat-tag");
	if (in.n && !ngood) {
		msg_warn("no input line was a rule record: nothing to tag");
		ndjson_writer_abort(wr);
		wr = NULL;
	}
	qsort(sorted, ngood, sizeof(*sorted), cmp_item);
	for (i = 0; i < ngood; i++)
		if (ndjson_writer_line(wr, sorted[i]->out, sorted[i]->out_len) < 0)
			ndjson_writer_die(wr);
	if (wr) {
		size_t ntech = 0, nev = 0;
		char a[32], b[32], c3[32];

		for (i = 0; i < ngood; i++) {
			ntech += sorted[i]->ntech > 0;
			nev += sorted[i]->nevents > 0;
		}
		msg_warn("%s: %s rules tagged: %s with a valid ATT&CK technique, %s with a log event",
			 output ? output : "standard output", stage_num(ngood, a, sizeof(a)),
			 stage_num(ntech, b, sizeof(b)), stage_num(nev, c3, sizeof(c3)));
	}
	if (stats)
		print_stats(sorted, ngood);
	free(sorted);
	for (i = 0; i < in.n; i++)
		item_release(&in.items[i]);
	free(in.items);
	events_free(ev);
	attack_db_free(db);
	if (!wr || ndjson_writer_close(wr) < 0)
		return EXIT_FATAL;
	if (!output && cli_close_stdout() < 0)
		return EXIT_FATAL;
	return status ? EXIT_RECORD_ERRORS : EXIT_OK;
}
