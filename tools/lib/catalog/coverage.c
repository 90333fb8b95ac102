/* Telemetry profiles and what they can run (coverage.h). */
#include "catalog/coverage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "io/yamldoc.h"

#define SEP '\x1f'

struct profile {
	char *name;
	json_t *providers;	/* provider -> {"any": true} or {"events": {event: true}} */
};

void profile_free(struct profile *p)
{
	if (!p)
		return;
	free(p->name);
	json_decref(p->providers);
	free(p);
}

/* the catalog's spelling of a provider, or NULL */
static const char *catalog_provider(const struct events *ev, const char *name)
{
	size_t i, n = ev ? events_count(ev) : 0;

	for (i = 0; i < n; i++)
		if (strcmp(events_at(ev, i)->provider, name) == 0)
			return events_at(ev, i)->provider;
	return NULL;
}

static int fail(char *err, size_t errlen, const char *path, const struct ynode *n, const char *what)
{
	snprintf(err, errlen, "%s:%u: %s", path, n ? n->line : 1, what);
	return -1;
}

/* one provider's value: `any`, or a list of events (numbers or strings, `any` among them) */
static int add_provider(struct profile *p, const struct events *ev, const char *path,
			const struct ynode *key, const struct ynode *val, char *err, size_t errlen)
{
	const char *prov = key->str;
	json_t *entry = json_object_get(p->providers, prov), *evs;
	size_t i;

	if (!entry) {
		entry = json_object();
		json_object_set_new(p->providers, prov, entry);
	}
	if (ev && !catalog_provider(ev, prov))
		msg_warn("%s:%u: provider '%s' is not in the event catalog", path, key->line, prov);
	if (ynode_is_scalar(val) && val->type == YSCALAR_STR && strcmp(val->str, "any") == 0) {
		json_object_set_new(entry, "any", json_true());
		return 0;
	}
	if (val->kind != YNODE_SEQ) {
		char *m = xasprintf("provider '%s': expected a list of events or 'any'", prov);

		fail(err, errlen, path, val, m);
		free(m);
		return -1;
	}
	evs = json_object_get(entry, "events");
	if (!evs) {
		evs = json_object();
		json_object_set_new(entry, "events", evs);
	}
	for (i = 0; i < val->n; i++) {
		const struct ynode *e = val->vals[i];
		const struct event_ref *ref;

		if (!ynode_is_scalar(e) || ynode_is_null(e) || e->type == YSCALAR_BOOL ||
		    e->type == YSCALAR_FLOAT || !*e->str || strlen(e->str) != e->len) {
			char *m = xasprintf("provider '%s': an event is a number or a name", prov);

			fail(err, errlen, path, e, m);
			free(m);
			return -1;
		}
		if (strcmp(e->str, "any") == 0) {
			json_object_set_new(entry, "any", json_true());
			continue;
		}
		ref = ev ? events_find(ev, prov, e->str) : NULL;
		if (ev && !ref && catalog_provider(ev, prov))
			msg_warn("%s:%u: event '%s' of provider '%s' is not in the event catalog",
				 path, e->line, e->str, prov);
		json_object_set_new(evs, ref ? ref->event : e->str, json_true());
	}
	return 0;
}

struct profile *profile_load(const char *path, const struct events *ev, char *err, size_t errlen)
{
	struct strbuf sb = STRBUF_INIT;
	struct yamldoc doc = { 0 };
	struct profile *p = xcalloc(1, sizeof(*p));
	const struct ynode *root, *events;
	const char *base;
	size_t i;
	int ok = -1;

	p->providers = json_object();
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	p->name = xstrdup(base);
	if (strlen(p->name) > 5 && strcmp(p->name + strlen(p->name) - 5, ".yaml") == 0)
		p->name[strlen(p->name) - 5] = '\0';
	if (strbuf_read_file(&sb, path) < 0) {
		snprintf(err, errlen, "%s: cannot read the profile", path);
		goto out;
	}
	if (yamldoc_load(&doc, sb.buf ? sb.buf : "", sb.len, NULL) < 0) {
		snprintf(err, errlen, "%s:%u: %s", path, doc.err_line, doc.err);
		goto out;
	}
	root = doc.ndocs == 1 ? doc.docs[0] : NULL;
	if (!root || root->kind != YNODE_MAP) {
		fail(err, errlen, path, root, doc.ndocs > 1 ? "one YAML document expected"
		     : "expected a map with 'events'");
		goto out;
	}
	for (i = 0; i < root->n; i++) {
		const char *k = root->keys[i]->str;

		if (strcmp(k, "events") && strcmp(k, "name") && strcmp(k, "description")) {
			char *m = xasprintf("unknown key '%s' (a profile has name, description, events)", k);

			fail(err, errlen, path, root->keys[i], m);
			free(m);
			goto out;
		}
	}
	if (ynode_get(root, "name")) {
		const char *n = ynode_str(ynode_get(root, "name"));

		if (!n || !*n) {
			fail(err, errlen, path, ynode_get(root, "name"), "'name' is a string");
			goto out;
		}
		free(p->name);
		p->name = xstrdup(n);
	}
	events = ynode_get(root, "events");
	if (!events || events->kind != YNODE_MAP) {
		fail(err, errlen, path, events ? events : root, "'events' must be a map of provider to events");
		goto out;
	}
	for (i = 0; i < events->n; i++) {
		if (!ynode_str(events->keys[i]) || !*events->keys[i]->str) {
			fail(err, errlen, path, events->keys[i], "a provider is a name");
			goto out;
		}
		if (add_provider(p, ev, path, events->keys[i], events->vals[i], err, errlen) < 0)
			goto out;
	}
	ok = 0;
out:
	yamldoc_release(&doc);
	strbuf_release(&sb);
	if (ok < 0) {
		profile_free(p);
		return NULL;
	}
	return p;
}

const char *profile_name(const struct profile *p)
{
	return p->name;
}

int profile_covers(const struct profile *p, const char *provider, const char *event)
{
	const json_t *entry = json_object_get(p->providers, provider);

	if (!entry)
		return 0;
	if (json_is_true(json_object_get(entry, "any")))
		return 1;
	if (strcmp(event, "any") == 0)	/* provider-wide: only the whole provider covers it */
		return 0;
	return json_object_get(json_object_get(entry, "events"), event) != NULL;
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* the keys of an object, sorted (a new array of borrowed strings; *n set) */
static const char **sorted_keys(const json_t *obj, size_t *n)
{
	const char **v = xmalloc((json_object_size(obj) + 1) * sizeof(*v)), *key;
	json_t *val;
	size_t i = 0;

	json_object_foreach((json_t *)obj, key, val)
		v[i++] = key;
	qsort(v, i, sizeof(*v), cmp_cstr);
	*n = i;
	return v;
}

json_t *profile_json(const struct profile *p)
{
	json_t *evs = json_object();
	const char **provs;
	size_t n, i;

	provs = sorted_keys(p->providers, &n);
	for (i = 0; i < n; i++) {
		const json_t *entry = json_object_get(p->providers, provs[i]);

		if (json_is_true(json_object_get(entry, "any"))) {
			json_object_set_new(evs, provs[i], json_string("any"));
		} else {
			size_t ne, j;
			const char **e = sorted_keys(json_object_get(entry, "events"), &ne);
			json_t *list = json_array();

			for (j = 0; j < ne; j++)
				json_array_append_new(list, json_string(e[j]));
			json_object_set_new(evs, provs[i], list);
			free((void *)e);
		}
	}
	free((void *)provs);
	return json_pack("{s:s,s:o}", "name", p->name, "events", evs);
}

/* ---- coverage ---- */

struct candidate {
	const char *key;	/* "provider SEP event" (the cands object's key) */
	const char *title;
	long long rules, techniques;
	long long rule_stamp, tech_stamp;	/* last rule / technique counted, + 1 */
};

static int cmp_candidate(const void *a, const void *b)
{
	const struct candidate *x = *(struct candidate *const *)a, *y = *(struct candidate *const *)b;

	if (x->rules != y->rules)
		return x->rules > y->rules ? -1 : 1;
	if (x->techniques != y->techniques)
		return x->techniques > y->techniques ? -1 : 1;
	return strcmp(x->key, y->key);	/* provider, then event: SEP sorts below any name character */
}

struct cands {
	json_t *index;		/* key -> integer index into v */
	struct candidate **v;
	size_t n, cap;
};

static struct candidate *cand_get(struct cands *c, const struct profile *p, const char *prov,
				  const char *event, const char *title)
{
	char *key;
	json_t *at;
	struct candidate *cd;

	if (profile_covers(p, prov, event))
		return NULL;
	key = xasprintf("%s%c%s", prov, SEP, event);
	at = json_object_get(c->index, key);
	if (at) {
		free(key);
		cd = c->v[json_integer_value(at)];
		if (!cd->title && title)
			cd->title = title;
		return cd;
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	json_object_set_new(c->index, key, json_integer((json_int_t)c->n));
	cd = xcalloc(1, sizeof(*cd));
	cd->key = json_object_iter_key(json_object_iter_at(c->index, key));
	cd->title = title;
	c->v[c->n++] = cd;
	free(key);
	return cd;
}

/* the candidates a rule not yet runnable gains from: each event's own, and its provider's "any" */
static void rule_candidates(struct cands *c, const struct profile *p, const json_t *rule,
			    long long stamp, int techs)
{
	const json_t *e;
	size_t i;

	json_array_foreach(json_object_get(rule, "events"), i, e) {
		const char *prov = json_string_value(json_object_get(e, "provider"));
		const char *ev = json_string_value(json_object_get(e, "event"));
		struct candidate *cd[2];
		int k;

		if (!prov || !ev)
			continue;
		cd[0] = cand_get(c, p, prov, ev, json_string_value(json_object_get(e, "title")));
		cd[1] = strcmp(ev, "any") ? cand_get(c, p, prov, "any", NULL) : NULL;
		for (k = 0; k < 2; k++) {
			if (!cd[k])
				continue;
			if (techs && cd[k]->tech_stamp != stamp) {
				cd[k]->tech_stamp = stamp;
				cd[k]->techniques++;
			} else if (!techs && cd[k]->rule_stamp != stamp) {
				cd[k]->rule_stamp = stamp;
				cd[k]->rules++;
			}
		}
	}
}

static int rule_runnable(const struct profile *p, const json_t *rule)
{
	const json_t *e;
	size_t i;

	json_array_foreach(json_object_get(rule, "events"), i, e) {
		const char *prov = json_string_value(json_object_get(e, "provider"));
		const char *ev = json_string_value(json_object_get(e, "event"));

		if (prov && ev && profile_covers(p, prov, ev))
			return 1;
	}
	return 0;
}

static void vendor_add(json_t *by, const char *vendor, int runnable)
{
	json_t *v = json_object_get(by, vendor);

	if (!v) {
		v = json_pack("{s:I,s:I}", "rules", (json_int_t)0, "runnable", (json_int_t)0);
		json_object_set_new(by, vendor, v);
	}
	json_object_set_new(v, "rules", json_integer(json_integer_value(json_object_get(v, "rules")) + 1));
	if (runnable)
		json_object_set_new(v, "runnable",
				    json_integer(json_integer_value(json_object_get(v, "runnable")) + 1));
}

/* a copy of by with its vendors in key order */
static json_t *sorted_object(const json_t *by)
{
	size_t n, i;
	const char **k = sorted_keys(by, &n);
	json_t *out = json_object();

	for (i = 0; i < n; i++)
		json_object_set(out, k[i], json_object_get(by, k[i]));
	free((void *)k);
	return out;
}

json_t *coverage_compute(const struct profile *p, const struct events *ev,
			 const json_t *techniques, const json_t *rules)
{
	json_t *out = json_object(), *runnable = json_object(), *trecs = json_array(), *next = json_array();
	json_t *by = json_object(), *prof = profile_json(p);
	struct cands c = { json_object(), NULL, 0, 0 };
	long long total = 0, with_events = 0, nrun = 0, ntech = 0, covered = 0, stamp = 0;
	const char *uid;
	const json_t *r, *t;
	size_t i, j;

	/* in uid order, so that titles and stamps do not depend on the object's order */
	{
		size_t n;
		const char **uids = sorted_keys(rules, &n);

		for (i = 0; i < n; i++) {
			int run;

			uid = uids[i];
			r = json_object_get(rules, uid);
			run = rule_runnable(p, r);
			if (json_is_true(json_object_get(r, "retired"))) {
				if (run)	/* for a catalog that counts them (--include-retired) */
					json_object_set_new(runnable, uid, json_true());
				continue;	/* the totals and gains: live rules, as the catalog's counts */
			}
			total++;
			with_events += json_array_size(json_object_get(r, "events")) > 0;
			nrun += run;
			vendor_add(by, json_string_value(json_object_get(r, "vendor")) ?
				   json_string_value(json_object_get(r, "vendor")) : "unknown", run);
			if (run)
				json_object_set_new(runnable, uid, json_true());
			else
				rule_candidates(&c, p, r, ++stamp, 0);
		}
		free((void *)uids);
	}
	for (i = 0; ev && i < events_count(ev); i++) {
		const struct event_ref *e = events_at(ev, i);

		cand_get(&c, p, e->provider, e->event, e->title);
	}
	/* per technique: the rules the catalog counts for it (its own and its sub-techniques') */
	json_array_foreach((json_t *)techniques, i, t) {
		const json_t *uids = json_object_get(json_object_get(t, "rules"), "uids"), *u;
		json_t *tby = json_object();
		long long n = 0, run = 0;

		json_array_foreach((json_t *)uids, j, u) {
			const json_t *rr = json_object_get(rules, json_string_value(u));
			int isrun = json_object_get(runnable, json_string_value(u)) != NULL;

			if (!rr)
				continue;
			n++;
			run += isrun;
			vendor_add(tby, json_string_value(json_object_get(rr, "vendor")) ?
				   json_string_value(json_object_get(rr, "vendor")) : "unknown", isrun);
		}
		if (!n) {
			json_decref(tby);
			continue;
		}
		ntech++;
		covered += run > 0;
		if (!run) {
			stamp++;
			json_array_foreach((json_t *)uids, j, u)
				rule_candidates(&c, p, json_object_get(rules, json_string_value(u)), stamp, 1);
		}
		json_array_append_new(trecs, json_pack("{s:s,s:s,s:O?,s:I,s:I,s:o}", "kind", "technique_coverage",
						       "technique", json_string_value(json_object_get(t, "id")) ? json_string_value(json_object_get(t, "id")) : "", "name",
						       json_object_get(t, "name"), "rules", (json_int_t)n,
						       "runnable", (json_int_t)run, "by_vendor", sorted_object(tby)));
		json_decref(tby);
	}
	qsort(c.v, c.n, sizeof(*c.v), cmp_candidate);
	for (i = 0; i < c.n; i++) {
		const char *k = c.v[i]->key, *e = strchr(k, SEP) + 1;

		json_array_append_new(next, json_pack("{s:s,s:I,s:s%,s:s,s:s?,s:I,s:I}", "kind", "next_event",
						      "rank", (json_int_t)(i + 1), "provider", k, (size_t)(e - 1 - k),
						      "event", e, "title", c.v[i]->title,
						      "rules_gained", (json_int_t)c.v[i]->rules,
						      "techniques_gained", (json_int_t)c.v[i]->techniques));
		free(c.v[i]);
	}
	free(c.v);
	json_decref(c.index);
	json_object_set_new(out, "kind", json_string("coverage"));
	json_object_set(out, "profile", json_object_get(prof, "name"));
	json_object_set(out, "events", json_object_get(prof, "events"));
	json_decref(prof);
	json_object_set_new(out, "rules", json_pack("{s:I,s:I,s:I,s:o}", "total", (json_int_t)total,
						    "with_events", (json_int_t)with_events,
						    "runnable", (json_int_t)nrun, "by_vendor", sorted_object(by)));
	json_decref(by);
	json_object_set_new(out, "techniques", json_pack("{s:I,s:I}", "total", (json_int_t)ntech,
							 "covered", (json_int_t)covered));
	json_object_set_new(out, "technique_records", trecs);
	json_object_set_new(out, "next", next);
	json_object_set_new(out, "runnable", runnable);
	return out;
}

json_t *coverage_technique_index(const json_t *cov)
{
	json_t *index = json_object(), *t;
	size_t i;

	json_array_foreach(json_object_get(cov, "technique_records"), i, t)
		if (json_string_value(json_object_get(t, "technique")))
			json_object_set(index, json_string_value(json_object_get(t, "technique")), t);
	return index;
}
