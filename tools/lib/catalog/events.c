#include "catalog/events.h"
#include "common/hashmap.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "io/yamldoc.h"

/*
 * Everything the file says is resolved at load time: provider and event names
 * to indices, match values to lower case with a wildcard flag, patterns split
 * at their {event}. A rule costs a few hash probes and string compares.
 */

struct ev_provider {
	char *name;
	char *log;		/* NULL: not said */
	char **names;		/* other spellings */
	size_t nnames;
	char *unlisted;		/* title template of an open provider, else NULL */
	size_t first, n;	/* its events: ev->events[first .. first + n) */
};

/* one key of `match` or `where` */
struct ev_cond {
	char *key;
	char **vals;		/* lower case */
	unsigned char *glob;	/* vals[i] holds '*' or '?' */
	size_t nvals;
	int absent;		/* null: the key must be absent */
};

struct ev_narrow {
	char **fields, **raw_fields, **context, **provider_fields;
	size_t nfields, nraw, ncontext, npf;
	char *pre, *post;	/* pattern around {event}; NULL: the whole value */
	char *split;		/* NULL: no split */
	unsigned *providers;	/* where names are looked up, in order */
	size_t nproviders;
};

struct ev_scope {
	struct ev_cond *match, *where;
	size_t nmatch, nwhere;
	size_t *events;		/* defaults: catalog indices */
	size_t nevents;
	struct ev_narrow *narrow;
	size_t nnarrow;
};

/* scope entries by (key, value) of their first exact match value */
struct ev_slot {
	char *kv;		/* "key\0value" as "key=value" with value lower case */
	size_t *scopes;
	size_t n;
};

struct ev_vendor {
	char *name;
	struct ev_scope *scopes;
	size_t nscopes;
	struct ev_slot *slots;	/* in the order made */
	size_t nslots, aslots;
	struct hashmap slot_index;	/* kv → slots[] */
	char **keys;		/* the match keys that index */
	size_t nkeys;
	size_t *scan;		/* scopes with no exact value to index by */
	size_t nscan;
};

/* catalog lookup: (provider, lower-case event) → event index */

struct events {
	struct ev_provider *providers;
	size_t nproviders;
	struct event_ref *events;
	size_t nevents;
	char **hkeys;		/* "PROV\x1fevent" per listed event (events[]) */
	size_t nhkeys;
	struct hashmap listed;	/* hkeys[i] → i, case-insensitive */
	struct ev_vendor *vendors;
	size_t nvendors;
};

/* ---- small helpers ---- */

static char *lower_dup(const char *s)
{
	char *d = xstrdup(s), *p;

	for (p = d; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	return d;
}

static int lc(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* glob with '*' and '?', case-insensitive; pattern already lower case */
static int glob_ci(const char *pat, const char *s)
{
	const char *star = NULL, *resume = NULL;

	while (*s) {
		if (*pat == '*') {
			star = pat++;
			resume = s;
		} else if (*pat == '?' || (*pat && *pat == lc((unsigned char)*s))) {
			pat++;
			s++;
		} else if (star) {
			pat = star + 1;
			s = ++resume;
		} else {
			return 0;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

static int starts_ci(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static int ends_ci(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

static int contains_ci(const char *s, const char *needle)
{
	return strcasestr(s, needle) != NULL;
}

/* ---- the catalog hash ---- */

/* "PROV\x1fevent": one key for a provider's event */
static char *listed_key(unsigned prov, const char *event, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%u\x1f%s", prov, event);

	return n >= 0 && (size_t)n < size ? buf : xasprintf("%u\x1f%s", prov, event);
}

static void hash_build(struct events *ev)
{
	size_t i;

	hashmap_init(&ev->listed, 1);
	ev->hkeys = xcalloc(ev->nevents + 1, sizeof(*ev->hkeys));
	for (i = 0; i < ev->nevents; i++) {
		ev->hkeys[i] = xasprintf("%u\x1f%s", ev->events[i].prov, ev->events[i].event);
		hashmap_put(&ev->listed, ev->hkeys[i], i);	/* spelled twice: refused by the caller */
	}
	ev->nhkeys = ev->nevents;
}

static long find_listed(const struct events *ev, unsigned prov, const char *event)
{
	char buf[160], *key = listed_key(prov, event, buf, sizeof(buf));
	size_t i;
	int found = hashmap_get(&ev->listed, key, &i);

	if (key != buf)
		free(key);
	return found ? (long)i : -1;
}

static long find_provider(const struct events *ev, const char *name)
{
	size_t i;

	for (i = 0; i < ev->nproviders; i++)
		if (strcmp(ev->providers[i].name, name) == 0)
			return (long)i;
	return -1;
}

/* ---- freeing ---- */

static void strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void cond_release(struct ev_cond *c)
{
	free(c->key);
	strv_free(c->vals, c->nvals);
	free(c->glob);
}

static void narrow_release(struct ev_narrow *n)
{
	strv_free(n->fields, n->nfields);
	strv_free(n->raw_fields, n->nraw);
	strv_free(n->context, n->ncontext);
	strv_free(n->provider_fields, n->npf);
	free(n->pre);
	free(n->post);
	free(n->split);
	free(n->providers);
}

static void scope_release(struct ev_scope *s)
{
	size_t i;

	for (i = 0; i < s->nmatch; i++)
		cond_release(&s->match[i]);
	for (i = 0; i < s->nwhere; i++)
		cond_release(&s->where[i]);
	for (i = 0; i < s->nnarrow; i++)
		narrow_release(&s->narrow[i]);
	free(s->match);
	free(s->where);
	free(s->events);
	free(s->narrow);
}

static void vendor_release(struct ev_vendor *v)
{
	size_t i;

	free(v->name);
	for (i = 0; i < v->nscopes; i++)
		scope_release(&v->scopes[i]);
	free(v->scopes);
	for (i = 0; i < v->nslots; i++) {
		free(v->slots[i].kv);
		free(v->slots[i].scopes);
	}
	free(v->slots);
	hashmap_release(&v->slot_index);
	strv_free(v->keys, v->nkeys);
	free(v->scan);
}

void events_free(struct events *ev)
{
	size_t i;

	if (!ev)
		return;
	for (i = 0; i < ev->nproviders; i++) {
		free(ev->providers[i].name);
		free(ev->providers[i].log);
		strv_free(ev->providers[i].names, ev->providers[i].nnames);
		free(ev->providers[i].unlisted);
	}
	free(ev->providers);
	for (i = 0; i < ev->nevents; i++) {
		free((char *)ev->events[i].event);
		free((char *)ev->events[i].title);
	}
	free(ev->events);
	for (i = 0; i < ev->nhkeys; i++)
		free(ev->hkeys[i]);
	free(ev->hkeys);
	hashmap_release(&ev->listed);
	for (i = 0; i < ev->nvendors; i++)
		vendor_release(&ev->vendors[i]);
	free(ev->vendors);
	free(ev);
}

/* ---- loading ---- */

struct loader {
	const char *name;
	char *err;
	size_t errlen;
};

static int load_err(struct loader *ld, const struct ynode *node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int load_err(struct loader *ld, const struct ynode *node, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(ld->err, ld->errlen, "%s:%u: ", ld->name, node ? node->line : 0);

	if (n > 0 && (size_t)n < ld->errlen) {
		va_start(ap, fmt);
		vsnprintf(ld->err + n, ld->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* A scalar's text (any type: 4688 is an int to YAML), or NULL. */
static const char *scalar(const struct ynode *n)
{
	return n && n->kind == YNODE_SCALAR && !ynode_is_null(n) ? n->str : NULL;
}

/* A scalar or a list of scalars → a new string vector. -1 on a bad node. */
static int strings_of(struct loader *ld, const struct ynode *n, const char *what, char ***out,
		      size_t *nout)
{
	size_t i;

	*out = NULL;
	*nout = 0;
	if (!n || ynode_is_null(n))
		return 0;
	if (n->kind == YNODE_SCALAR) {
		*out = xcalloc(1, sizeof(**out));
		(*out)[(*nout)++] = xstrdup(n->str);
		return 0;
	}
	if (n->kind != YNODE_SEQ)
		return load_err(ld, n, "%s must be a string or a list of strings", what);
	*out = xcalloc(n->n + 1, sizeof(**out));
	for (i = 0; i < n->n; i++) {
		if (!scalar(n->vals[i]) || !*n->vals[i]->str)
			return load_err(ld, n->vals[i], "%s must be a string or a list of strings",
					what);
		(*out)[(*nout)++] = xstrdup(n->vals[i]->str);
	}
	return 0;
}

static int check_keys(struct loader *ld, const struct ynode *map, const char *what,
		      const char *const *allowed)
{
	size_t i, k;

	for (i = 0; i < map->n; i++) {
		for (k = 0; allowed[k]; k++)
			if (strcmp(map->keys[i]->str, allowed[k]) == 0)
				break;
		if (!allowed[k])
			return load_err(ld, map->keys[i], "unknown key '%s' in %s",
					map->keys[i]->str, what);
		if (ynode_key_overridden(map, i))
			return load_err(ld, map->keys[i], "key '%s' repeated in %s",
					map->keys[i]->str, what);
	}
	return 0;
}

static int load_providers(struct events *ev, struct loader *ld, const struct ynode *node)
{
	static const char *const keys[] = { "log", "names", "unlisted", "events", "about", NULL };
	size_t i, k, alloc = 0;

	if (!node || node->kind != YNODE_MAP || node->n == 0)
		return load_err(ld, node, "'providers' must be a non-empty map of provider to events");
	ev->providers = xcalloc(node->n, sizeof(*ev->providers));
	for (i = 0; i < node->n; i++) {
		const struct ynode *p = node->vals[i], *evs;
		struct ev_provider *pr = &ev->providers[ev->nproviders];
		const char *name = node->keys[i]->str;

		if (ynode_key_overridden(node, i))
			return load_err(ld, node->keys[i], "provider '%s' repeated", name);
		if (!*name || strchr(name, '|'))
			return load_err(ld, node->keys[i], "'%s' is not a provider name", name);
		if (p->kind != YNODE_MAP)
			return load_err(ld, p, "provider '%s' must be a map with 'events'", name);
		if (check_keys(ld, p, "a provider", keys) < 0)
			return -1;
		ev->nproviders++;
		pr->name = xstrdup(name);
		if (ynode_get(p, "log")) {
			if (!scalar(ynode_get(p, "log")))
				return load_err(ld, ynode_get(p, "log"), "'log' must be a string");
			pr->log = xstrdup(ynode_get(p, "log")->str);
		}
		if (strings_of(ld, ynode_get(p, "names"), "'names'", &pr->names, &pr->nnames) < 0)
			return -1;
		if (ynode_get(p, "unlisted")) {
			const char *u = scalar(ynode_get(p, "unlisted"));

			if (!u || !strstr(u, "{event}"))
				return load_err(ld, ynode_get(p, "unlisted"),
						"'unlisted' must be a title holding {event}");
			pr->unlisted = xstrdup(u);
		}
		evs = ynode_get(p, "events");
		if (!evs || evs->kind != YNODE_MAP || evs->n == 0)
			return load_err(ld, evs ? evs : p, "provider '%s' needs a map of events", name);
		pr->first = ev->nevents;
		for (k = 0; k < evs->n; k++) {
			const char *title = scalar(evs->vals[k]);
			struct event_ref *e;

			if (ynode_key_overridden(evs, k))
				return load_err(ld, evs->keys[k], "event '%s' of '%s' repeated",
						evs->keys[k]->str, name);
			if (!*evs->keys[k]->str)
				return load_err(ld, evs->keys[k], "empty event name in '%s'", name);
			if (!title || !*title)
				return load_err(ld, evs->vals[k], "event '%s' of '%s' needs a title",
						evs->keys[k]->str, name);
			if (ev->nevents == alloc) {
				alloc = alloc ? alloc * 2 : 256;
				ev->events = xrealloc(ev->events, alloc * sizeof(*ev->events));
			}
			e = &ev->events[ev->nevents];
			memset(e, 0, sizeof(*e));
			e->event = xstrdup(evs->keys[k]->str);
			e->title = xstrdup(title);
			e->listed = 1;
			e->prov = (unsigned)(ev->nproviders - 1);
			e->order = ev->nevents++;
			pr->n++;
		}
	}
	/* names point into providers, which no longer move */
	for (i = 0; i < ev->nevents; i++)
		ev->events[i].provider = ev->providers[ev->events[i].prov].name;
	hash_build(ev);
	/* the same event spelled twice without case inside one provider */
	for (i = 0; i < ev->nevents; i++)
		if ((size_t)find_listed(ev, ev->events[i].prov, ev->events[i].event) != i) {
			snprintf(ld->err, ld->errlen, "%s: event '%s' of '%s' listed twice", ld->name,
				 ev->events[i].event, ev->events[i].provider);
			return -1;
		}
	return 0;
}

static int load_conds(struct loader *ld, const struct ynode *node, const char *what,
		      struct ev_cond **out, size_t *nout, int allow_absent)
{
	size_t i, k;

	*out = NULL;
	*nout = 0;
	if (!node)
		return 0;
	if (node->kind != YNODE_MAP || node->n == 0)
		return load_err(ld, node, "'%s' must be a non-empty map of key to values", what);
	*out = xcalloc(node->n, sizeof(**out));
	for (i = 0; i < node->n; i++) {
		struct ev_cond *c = &(*out)[(*nout)++];
		const struct ynode *v = node->vals[i];

		if (ynode_key_overridden(node, i))
			return load_err(ld, node->keys[i], "key '%s' repeated in '%s'",
					node->keys[i]->str, what);
		c->key = xstrdup(node->keys[i]->str);
		if (ynode_is_null(v)) {
			if (!allow_absent)
				return load_err(ld, v, "'%s' needs values for '%s'", what, c->key);
			c->absent = 1;
			continue;
		}
		if (strings_of(ld, v, "a match value", &c->vals, &c->nvals) < 0)
			return -1;
		c->glob = xcalloc(c->nvals + 1, 1);
		for (k = 0; k < c->nvals; k++) {
			char *low = lower_dup(c->vals[k]);

			free(c->vals[k]);
			c->vals[k] = low;
			c->glob[k] = strpbrk(low, "*?") != NULL;
		}
	}
	return 0;
}

/* `events: {Provider: [event, ...]}` → catalog indices */
static int load_event_set(struct events *ev, struct loader *ld, const struct ynode *node,
			  size_t **out, size_t *nout)
{
	size_t i, k, alloc = 0;

	*out = NULL;
	*nout = 0;
	if (!node || ynode_is_null(node))
		return 0;
	if (node->kind != YNODE_MAP)
		return load_err(ld, node, "'events' must be a map of provider to a list of events");
	for (i = 0; i < node->n; i++) {
		long p = find_provider(ev, node->keys[i]->str);
		char **names;
		size_t nnames;

		if (p < 0)
			return load_err(ld, node->keys[i], "unknown provider '%s'", node->keys[i]->str);
		if (strings_of(ld, node->vals[i], "events", &names, &nnames) < 0)
			return -1;
		for (k = 0; k < nnames; k++) {
			long e = find_listed(ev, (unsigned)p, names[k]);

			if (e < 0) {
				load_err(ld, node->vals[i], "'%s' has no event '%s'",
					 node->keys[i]->str, names[k]);
				strv_free(names, nnames);
				return -1;
			}
			if (*nout == alloc) {
				alloc = alloc ? alloc * 2 : 4;
				*out = xrealloc(*out, alloc * sizeof(**out));
			}
			(*out)[(*nout)++] = (size_t)e;
		}
		strv_free(names, nnames);
	}
	return 0;
}

static void add_provider(struct ev_narrow *n, unsigned p)
{
	size_t i;

	for (i = 0; i < n->nproviders; i++)
		if (n->providers[i] == p)
			return;
	n->providers = xrealloc(n->providers, (n->nproviders + 1) * sizeof(*n->providers));
	n->providers[n->nproviders++] = p;
}

static int load_narrow(struct events *ev, struct loader *ld, const struct ynode *node,
		       const struct ev_scope *sc, struct ev_narrow *n)
{
	static const char *const keys[] = { "field", "raw_field", "context", "pattern", "split",
		"providers", "logs", "provider_field", NULL };
	char **list;
	size_t nlist, i, k;
	const char *pat;

	if (node->kind != YNODE_MAP)
		return load_err(ld, node, "'narrow' must be a map or a list of maps");
	if (check_keys(ld, node, "'narrow'", keys) < 0)
		return -1;
	if (strings_of(ld, ynode_get(node, "field"), "'field'", &n->fields, &n->nfields) < 0 ||
	    strings_of(ld, ynode_get(node, "raw_field"), "'raw_field'", &n->raw_fields, &n->nraw) < 0 ||
	    strings_of(ld, ynode_get(node, "context"), "'context'", &n->context, &n->ncontext) < 0 ||
	    strings_of(ld, ynode_get(node, "provider_field"), "'provider_field'",
		       &n->provider_fields, &n->npf) < 0)
		return -1;
	if (!n->nfields && !n->nraw && !n->ncontext)
		return load_err(ld, node, "'narrow' needs a 'field', 'raw_field' or 'context'");
	if ((pat = scalar(ynode_get(node, "pattern"))) != NULL) {
		const char *at = strstr(pat, "{event}");

		if (!at || strstr(at + 7, "{event}"))
			return load_err(ld, ynode_get(node, "pattern"),
					"'pattern' must hold {event} once");
		n->pre = xstrndup(pat, (size_t)(at - pat));
		n->post = xstrdup(at + 7);
	} else if (ynode_get(node, "pattern")) {
		return load_err(ld, ynode_get(node, "pattern"), "'pattern' must be a string");
	}
	if (ynode_get(node, "split")) {
		const char *s = scalar(ynode_get(node, "split"));

		if (!s || !*s)
			return load_err(ld, ynode_get(node, "split"), "'split' must be a string");
		n->split = xstrdup(s);
	}
	if (strings_of(ld, ynode_get(node, "providers"), "'providers'", &list, &nlist) < 0)
		return -1;
	for (i = 0; i < nlist; i++) {
		long p = find_provider(ev, list[i]);

		if (p < 0) {
			load_err(ld, ynode_get(node, "providers"), "unknown provider '%s'", list[i]);
			strv_free(list, nlist);
			return -1;
		}
		add_provider(n, (unsigned)p);
	}
	strv_free(list, nlist);
	if (strings_of(ld, ynode_get(node, "logs"), "'logs'", &list, &nlist) < 0)
		return -1;
	for (i = 0; i < nlist; i++) {
		size_t found = 0;

		for (k = 0; k < ev->nproviders; k++)
			if (ev->providers[k].log && strcasecmp(ev->providers[k].log, list[i]) == 0) {
				add_provider(n, (unsigned)k);
				found++;
			}
		if (!found) {
			load_err(ld, ynode_get(node, "logs"), "no provider writes the log '%s'", list[i]);
			strv_free(list, nlist);
			return -1;
		}
	}
	strv_free(list, nlist);
	/* by default, names are looked up in the providers of the scope's events */
	if (!n->nproviders)
		for (i = 0; i < sc->nevents; i++)
			add_provider(n, ev->events[sc->events[i]].prov);
	if (!n->nproviders)
		return load_err(ld, node, "'narrow' needs 'providers' or 'logs' (the scope has no events)");
	return 0;
}

static int load_scope(struct events *ev, struct loader *ld, const struct ynode *node,
		      struct ev_scope *sc)
{
	static const char *const keys[] = { "match", "where", "events", "narrow", "about", NULL };
	const struct ynode *nar;
	size_t i;

	if (node->kind != YNODE_MAP)
		return load_err(ld, node, "a scope must be a map with 'match' and 'events'");
	if (check_keys(ld, node, "a scope", keys) < 0)
		return -1;
	if (!ynode_get(node, "match"))
		return load_err(ld, node, "a scope needs 'match'");
	if (load_conds(ld, ynode_get(node, "match"), "match", &sc->match, &sc->nmatch, 1) < 0 ||
	    load_conds(ld, ynode_get(node, "where"), "where", &sc->where, &sc->nwhere, 0) < 0 ||
	    load_event_set(ev, ld, ynode_get(node, "events"), &sc->events, &sc->nevents) < 0)
		return -1;
	nar = ynode_get(node, "narrow");
	if (nar && !ynode_is_null(nar)) {
		size_t n = nar->kind == YNODE_SEQ ? nar->n : 1;

		sc->narrow = xcalloc(n, sizeof(*sc->narrow));
		for (i = 0; i < n; i++) {
			sc->nnarrow++;
			if (load_narrow(ev, ld, nar->kind == YNODE_SEQ ? nar->vals[i] : nar, sc,
					&sc->narrow[i]) < 0)
				return -1;
		}
	}
	if (!sc->nevents && !sc->nnarrow)
		return load_err(ld, node, "a scope needs 'events' or 'narrow'");
	return 0;
}

/* ---- the per-vendor index of scope entries ---- */

static struct ev_slot *slot_find(const struct ev_vendor *v, const char *kv)
{
	size_t i;

	return hashmap_get(&v->slot_index, kv, &i) ? &v->slots[i] : NULL;
}

/* the slot for kv, made when missing */
static struct ev_slot *slot_insert(struct ev_vendor *v, const char *kv)
{
	struct ev_slot *s = slot_find(v, kv);

	if (s)
		return s;
	if (v->nslots == v->aslots) {
		v->aslots = v->aslots ? v->aslots * 2 : 16;
		v->slots = xrealloc(v->slots, v->aslots * sizeof(*v->slots));
		/* the keys are the slots' own strings, which do not move */
	}
	s = &v->slots[v->nslots];
	memset(s, 0, sizeof(*s));
	s->kv = xstrdup(kv);
	hashmap_put(&v->slot_index, s->kv, v->nslots++);
	return s;
}

static void vendor_index(struct ev_vendor *v)
{
	size_t i, k;

	v->scan = xcalloc(v->nscopes + 1, sizeof(*v->scan));
	v->keys = xcalloc(v->nscopes + 1, sizeof(*v->keys));
	for (i = 0; i < v->nscopes; i++) {
		const struct ev_scope *sc = &v->scopes[i];
		const struct ev_cond *c = NULL;
		size_t m;

		/* the first key whose values are all exact */
		for (m = 0; m < sc->nmatch && !c; m++) {
			c = &sc->match[m];
			for (k = 0; k < c->nvals; k++)
				if (c->glob[k])
					break;
			if (c->absent || k < c->nvals)
				c = NULL;
		}
		if (!c) {
			v->scan[v->nscan++] = i;
			continue;
		}
		for (k = 0; k < v->nkeys; k++)
			if (strcmp(v->keys[k], c->key) == 0)
				break;
		if (k == v->nkeys)
			v->keys[v->nkeys++] = xstrdup(c->key);
		for (k = 0; k < c->nvals; k++) {
			char *kv = xasprintf("%s=%s", c->key, c->vals[k]);
			struct ev_slot *s = slot_insert(v, kv);

			free(kv);
			if (s->n && s->scopes[s->n - 1] == i)
				continue;
			s->scopes = xrealloc(s->scopes, (s->n + 1) * sizeof(*s->scopes));
			s->scopes[s->n++] = i;
		}
	}
}

static int load_vendors(struct events *ev, struct loader *ld, const struct ynode *node)
{
	size_t i, k;

	if (!node || ynode_is_null(node))
		return 0;
	if (node->kind != YNODE_MAP)
		return load_err(ld, node, "'scopes' must be a map of vendor to a list of scopes");
	ev->vendors = xcalloc(node->n + 1, sizeof(*ev->vendors));
	for (i = 0; i < node->n; i++) {
		const struct ynode *list = node->vals[i];
		struct ev_vendor *v = &ev->vendors[ev->nvendors];

		if (ynode_key_overridden(node, i))
			return load_err(ld, node->keys[i], "vendor '%s' repeated", node->keys[i]->str);
		ev->nvendors++;
		v->name = xstrdup(node->keys[i]->str);
		if (ynode_is_null(list))
			continue;
		if (list->kind != YNODE_SEQ)
			return load_err(ld, list, "the scopes of '%s' must be a list", v->name);
		v->scopes = xcalloc(list->n + 1, sizeof(*v->scopes));
		for (k = 0; k < list->n; k++) {
			v->nscopes++;
			if (load_scope(ev, ld, list->vals[k], &v->scopes[k]) < 0)
				return -1;
		}
		vendor_index(v);
	}
	return 0;
}

struct events *events_load_text(const char *name, const char *text, size_t len,
				char *err, size_t errlen)
{
	static const char *const keys[] = { "version", "providers", "scopes", NULL };
	struct loader ld = { name, err, errlen };
	struct yamldoc ys;
	struct events *ev = xcalloc(1, sizeof(*ev));
	const struct ynode *root;

	if (yamldoc_load(&ys, text, len, NULL) < 0) {
		snprintf(err, errlen, "%s:%u: %s", name, ys.err_line, ys.err);
		goto fail;
	}
	root = ys.ndocs ? ys.docs[0] : NULL;
	if (ys.ndocs != 1 || !root || root->kind != YNODE_MAP) {
		snprintf(err, errlen, "%s: expected one YAML map", name);
		goto fail;
	}
	if (check_keys(&ld, root, "the file", keys) < 0 ||
	    load_providers(ev, &ld, ynode_get(root, "providers")) < 0 ||
	    load_vendors(ev, &ld, ynode_get(root, "scopes")) < 0)
		goto fail;
	yamldoc_release(&ys);
	return ev;
fail:
	yamldoc_release(&ys);
	events_free(ev);
	return NULL;
}

struct events *events_load(const char *path, char *err, size_t errlen)
{
	struct strbuf sb = STRBUF_INIT;
	struct events *ev;

	if (strbuf_read_file(&sb, path) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		strbuf_release(&sb);
		return NULL;
	}
	ev = events_load_text(path, sb.buf, sb.len, err, errlen);
	strbuf_release(&sb);
	return ev;
}

size_t events_count(const struct events *ev)
{
	return ev->nevents;
}

const struct event_ref *events_at(const struct events *ev, size_t i)
{
	return i < ev->nevents ? &ev->events[i] : NULL;
}

const struct event_ref *events_find(const struct events *ev, const char *provider,
				    const char *event)
{
	long p = find_provider(ev, provider), e;

	if (p < 0 || (e = find_listed(ev, (unsigned)p, event)) < 0)
		return NULL;
	return &ev->events[e];
}

/* ---- event lists ---- */

void event_list_init(struct event_list *l)
{
	memset(l, 0, sizeof(*l));
}

static void event_list_reset(struct event_list *l)
{
	size_t i;

	for (i = 0; i < l->nunresolved; i++)
		free(l->unresolved[i]);
	for (i = 0; i < l->nowned; i++)
		free(l->owned[i]);
	l->n = l->nunresolved = l->nowned = 0;
	l->scopes = 0;
}

void event_list_release(struct event_list *l)
{
	event_list_reset(l);
	free(l->v);
	free(l->unresolved);
	free(l->owned);
	memset(l, 0, sizeof(*l));
}

static char *own(struct event_list *l, char *s)
{
	if (l->nowned == l->oalloc) {
		l->oalloc = l->oalloc ? l->oalloc * 2 : 8;
		l->owned = xrealloc(l->owned, l->oalloc * sizeof(*l->owned));
	}
	return l->owned[l->nowned++] = s;
}

static void push_ref(struct event_list *l, const struct event_ref *e)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].prov == e->prov && (e->listed ? l->v[i].listed && l->v[i].order == e->order
						: !l->v[i].listed && strcasecmp(l->v[i].event, e->event) == 0))
			return;
	if (l->n == l->alloc) {
		l->alloc = l->alloc ? l->alloc * 2 : 8;
		l->v = xrealloc(l->v, l->alloc * sizeof(*l->v));
	}
	l->v[l->n++] = *e;
}

static void push_unresolved(struct event_list *l, char *s)
{
	size_t i;

	for (i = 0; i < l->nunresolved; i++)
		if (strcmp(l->unresolved[i], s) == 0) {
			free(s);
			return;
		}
	if (l->nunresolved == l->ualloc) {
		l->ualloc = l->ualloc ? l->ualloc * 2 : 4;
		l->unresolved = xrealloc(l->unresolved, l->ualloc * sizeof(*l->unresolved));
	}
	l->unresolved[l->nunresolved++] = s;
}

static int cmp_ref(const void *a, const void *b)
{
	const struct event_ref *x = a, *y = b;

	if (x->prov != y->prov)
		return x->prov < y->prov ? -1 : 1;
	if (x->listed != y->listed)
		return x->listed ? -1 : 1;
	if (x->listed)
		return x->order < y->order ? -1 : x->order > y->order;
	return strcmp(x->event, y->event);
}

json_t *event_list_json(const struct event_list *l)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < l->n; i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:s}", "provider", l->v[i].provider,
						   "event", l->v[i].event, "title", l->v[i].title));
	return a;
}

/* ---- matching a rule ---- */

/* Scalar JSON as text into buf (strings borrowed), NULL for anything else. */
static const char *json_text(const json_t *v, char *buf, size_t n)
{
	if (!v)
		return NULL;
	switch (json_typeof(v)) {
	case JSON_STRING:
		return json_string_value(v);
	case JSON_INTEGER:
		snprintf(buf, n, "%lld", (long long)json_integer_value(v));
		return buf;
	case JSON_REAL:
		snprintf(buf, n, "%.17g", json_real_value(v));
		return buf;
	case JSON_TRUE:
		return "true";
	case JSON_FALSE:
		return "false";
	default:
		return NULL;
	}
}

/* context[key], else context as nested objects along the dots of key */
static const json_t *context_get(const json_t *ctx, const char *key)
{
	const json_t *v = json_object_get(ctx, key);
	const char *dot;
	char *head;

	if (v || !json_is_object(ctx) || !(dot = strchr(key, '.')))
		return v;
	head = xstrndup(key, (size_t)(dot - key));
	v = json_object_get(ctx, head);
	free(head);
	return v ? context_get(v, dot + 1) : NULL;
}

/* calls fn on every scalar value of context[key]; stops when fn returns nonzero */
static int context_each(const json_t *ctx, const char *key,
			int (*fn)(const char *val, void *arg), void *arg)
{
	const json_t *v = context_get(ctx, key), *e;
	char buf[64];
	const char *s;
	size_t i;

	if (!v)
		return 0;
	if (json_is_array(v)) {
		json_array_foreach(v, i, e)
			if ((s = json_text(e, buf, sizeof(buf))) && fn(s, arg))
				return 1;
		return 0;
	}
	return (s = json_text(v, buf, sizeof(buf))) && fn(s, arg);
}

static int cond_value_matches(const struct ev_cond *c, const char *val)
{
	size_t k;

	for (k = 0; k < c->nvals; k++)
		if (c->glob[k] ? glob_ci(c->vals[k], val) : strcasecmp(c->vals[k], val) == 0)
			return 1;
	return 0;
}

static int cond_fn(const char *val, void *arg)
{
	return cond_value_matches(arg, val);
}

static int context_present(const json_t *ctx, const char *key)
{
	const json_t *v = context_get(ctx, key);

	return v && !json_is_null(v) && !(json_is_array(v) && json_array_size(v) == 0) &&
		!(json_is_string(v) && json_string_length(v) == 0);
}

/* a positive, event-level predicate; its value as text */
static const char *pred_value(const json_t *p, char *buf, size_t n)
{
	if (json_is_true(json_object_get(p, "negated")) ||
	    json_is_true(json_object_get(p, "computed")))
		return NULL;
	return json_text(json_object_get(p, "value"), buf, n);
}

static int where_holds(const struct ev_cond *c, const json_t *preds)
{
	const json_t *p;
	char buf[64];
	size_t i;

	json_array_foreach(preds, i, p) {
		const char *f = json_string_value(json_object_get(p, "field"));
		const char *op = json_string_value(json_object_get(p, "op"));
		const char *v;

		if (!f || strcasecmp(f, c->key) != 0 || !op ||
		    (strcmp(op, "eq") != 0 && strcmp(op, "match") != 0))
			continue;
		if ((v = pred_value(p, buf, sizeof(buf))) && cond_value_matches(c, v))
			return 1;
	}
	return 0;
}

static int scope_matches(const struct ev_scope *sc, const json_t *ctx, const json_t *preds)
{
	size_t i;

	for (i = 0; i < sc->nmatch; i++) {
		const struct ev_cond *c = &sc->match[i];

		if (c->absent ? context_present(ctx, c->key)
			      : !context_each(ctx, c->key, cond_fn, (void *)c))
			return 0;
	}
	for (i = 0; i < sc->nwhere; i++)
		if (!where_holds(&sc->where[i], preds))
			return 0;
	return 1;
}

/* one narrowing in progress */
struct narrowing {
	const struct events *ev;
	const struct ev_narrow *n;
	unsigned *cand;		/* candidate providers, in order */
	size_t ncand;
	struct event_list *out;
	size_t found;		/* events resolved */
};

static int provider_named(const struct ev_provider *pr, const char *op, const char *val)
{
	char *full = xasprintf("microsoft-windows-%s", pr->name);
	const char *names[2] = { pr->name, full };
	size_t i, total = 2 + pr->nnames;
	int hit = 0;

	for (i = 0; i < total && !hit; i++) {
		const char *nm = i < 2 ? names[i] : pr->names[i - 2];

		if (!strcmp(op, "eq") || !strcmp(op, "match"))
			hit = strcasecmp(nm, val) == 0;
		else if (!strcmp(op, "contains"))
			hit = contains_ci(nm, val);
		else if (!strcmp(op, "starts_with"))
			hit = starts_ci(nm, val);
		else if (!strcmp(op, "ends_with"))
			hit = ends_ci(nm, val);
	}
	free(full);
	return hit;
}

/* keep the candidates that positive provider-name predicates name, if any */
static void restrict_providers(struct narrowing *nw, const json_t *preds)
{
	const struct ev_narrow *n = nw->n;
	unsigned *keep = xcalloc(nw->ncand + 1, sizeof(*keep));
	size_t nkeep = 0, i, k, f;
	const json_t *p;
	char buf[64];

	for (k = 0; k < nw->ncand; k++) {
		int named = 0;

		json_array_foreach(preds, i, p) {
			const char *field = json_string_value(json_object_get(p, "field"));
			const char *op = json_string_value(json_object_get(p, "op"));
			const char *v = pred_value(p, buf, sizeof(buf));

			if (!field || !op || !v)
				continue;
			for (f = 0; f < n->npf; f++)
				if (strcasecmp(field, n->provider_fields[f]) == 0)
					break;
			if (f < n->npf && provider_named(&nw->ev->providers[nw->cand[k]], op, v)) {
				named = 1;
				break;
			}
		}
		if (named)
			keep[nkeep++] = nw->cand[k];
	}
	if (nkeep) {
		memcpy(nw->cand, keep, nkeep * sizeof(*keep));
		nw->ncand = nkeep;
	}
	free(keep);
}

static void resolve_exact(struct narrowing *nw, const char *name, const char *spelled)
{
	const struct events *ev = nw->ev;
	size_t k;
	long e;

	for (k = 0; k < nw->ncand; k++)
		if ((e = find_listed(ev, nw->cand[k], name)) >= 0) {
			push_ref(nw->out, &ev->events[e]);
			nw->found++;
			return;
		}
	for (k = 0; k < nw->ncand; k++) {
		const struct ev_provider *pr = &ev->providers[nw->cand[k]];
		struct event_ref r;
		struct strbuf sb = STRBUF_INIT;
		const char *t, *at;

		if (!pr->unlisted)
			continue;
		/* the title: the template with {event} replaced (every time it occurs) */
		for (t = pr->unlisted; (at = strstr(t, "{event}")); t = at + 7) {
			strbuf_add(&sb, t, (size_t)(at - t));
			strbuf_addstr(&sb, spelled);
		}
		strbuf_addstr(&sb, t);
		memset(&r, 0, sizeof(r));
		r.provider = pr->name;
		r.event = own(nw->out, xstrdup(spelled));
		r.title = own(nw->out, strbuf_detach(&sb, NULL));
		r.prov = nw->cand[k];
		push_ref(nw->out, &r);
		nw->found++;
		return;
	}
	{
		struct strbuf sb = STRBUF_INIT;

		for (k = 0; k < nw->ncand; k++) {
			if (k)
				strbuf_addch(&sb, '|');
			strbuf_addstr(&sb, ev->providers[nw->cand[k]].name);
		}
		strbuf_addf(&sb, ": %s", spelled);
		push_unresolved(nw->out, strbuf_detach(&sb, NULL));
	}
}

/* a wildcard-like predicate: every listed event (but "any") of the candidates it fits */
static void resolve_pattern(struct narrowing *nw, const char *op, const char *val)
{
	const struct events *ev = nw->ev;
	char *low = lower_dup(val);
	size_t k, i;

	for (k = 0; k < nw->ncand; k++) {
		const struct ev_provider *pr = &ev->providers[nw->cand[k]];

		for (i = pr->first; i < pr->first + pr->n; i++) {
			const char *e = ev->events[i].event;
			int hit;

			if (strcmp(e, "any") == 0)
				continue;
			if (!strcmp(op, "starts_with"))
				hit = starts_ci(e, val);
			else if (!strcmp(op, "ends_with"))
				hit = ends_ci(e, val);
			else if (!strcmp(op, "contains"))
				hit = contains_ci(e, val);
			else
				hit = glob_ci(low, e);
			if (hit) {
				push_ref(nw->out, &ev->events[i]);
				nw->found++;
			}
		}
	}
	free(low);
}

/* one named value: through the pattern, then looked up */
static void resolve_value(struct narrowing *nw, const char *op, const char *val,
			  const char *spelled)
{
	const struct ev_narrow *n = nw->n;
	char *name = NULL, *sp = NULL;

	if (n->pre) {
		size_t len = strlen(val), a = strlen(n->pre), b = strlen(n->post);

		if (strcmp(op, "eq") != 0 && strcmp(op, "match") != 0)
			return;
		if (len <= a + b || !starts_ci(val, n->pre) || !ends_ci(val, n->post))
			return;
		name = xstrndup(val + a, len - a - b);
		if (spelled && strlen(spelled) == len)
			sp = xstrndup(spelled + a, len - a - b);
		val = name;
		spelled = sp;
	}
	if (!strcmp(op, "eq") || !strcmp(op, "match"))
		resolve_exact(nw, val, spelled ? spelled : val);
	else if (!strcmp(op, "starts_with") || !strcmp(op, "ends_with") ||
		 !strcmp(op, "contains") || !strcmp(op, "wildcard"))
		resolve_pattern(nw, op, val);
	free(name);
	free(sp);
}

/* a value that may hold several names separated by n->split */
static void resolve_split(struct narrowing *nw, const char *op, const char *val,
			  const char *spelled)
{
	const char *sep = nw->n->split, *at;
	size_t k;

	if (!sep || !strcasestr(val, sep)) {
		resolve_value(nw, op, val, spelled);
		return;
	}
	k = strlen(sep);
	for (;;) {
		char *part;

		at = strcasestr(val, sep);
		part = at ? xstrndup(val, (size_t)(at - val)) : xstrdup(val);
		resolve_value(nw, op, part, NULL);
		free(part);
		if (!at)
			break;
		val = at + k;
	}
}

static int context_fn(const char *val, void *arg)
{
	resolve_split(arg, "eq", val, val);
	return 0;
}

static int field_listed(char *const *list, size_t n, const char *f)
{
	size_t i;

	for (i = 0; f && i < n; i++)
		if (strcasecmp(list[i], f) == 0)
			return 1;
	return 0;
}

static void narrow_one(struct narrowing *nw, const json_t *ctx, const json_t *preds)
{
	const struct ev_narrow *n = nw->n;
	const json_t *p;
	char buf[64];
	size_t i;

	json_array_foreach(preds, i, p) {
		const char *op = json_string_value(json_object_get(p, "op"));
		const char *v = pred_value(p, buf, sizeof(buf));
		const char *raw = json_string_value(json_object_get(p, "raw_value"));

		if (!v || !op)
			continue;
		if (!field_listed(n->fields, n->nfields, json_string_value(json_object_get(p, "field"))) &&
		    !field_listed(n->raw_fields, n->nraw, json_string_value(json_object_get(p, "raw_field"))))
			continue;
		/* ci values are lower-cased: spell an event as the rule wrote it */
		resolve_split(nw, op, v, raw && strcasecmp(raw, v) == 0 ? raw : v);
	}
	for (i = 0; i < n->ncontext; i++)
		context_each(ctx, n->context[i], context_fn, nw);
}

size_t events_for_rule(const struct events *ev, const json_t *rule, struct event_list *out)
{
	const char *vendor = json_string_value(json_object_get(rule, "vendor"));
	const json_t *ctx = json_object_get(rule, "context");
	const json_t *preds = json_object_get(rule, "predicates");
	const struct ev_vendor *v = NULL;
	unsigned char *mark;
	size_t i, k, j;

	event_list_reset(out);
	for (i = 0; vendor && i < ev->nvendors && !v; i++)
		if (strcmp(ev->vendors[i].name, vendor) == 0)
			v = &ev->vendors[i];
	if (!v || !v->nscopes)
		return 0;
	if (!json_is_object(ctx))
		ctx = NULL;
	if (!json_is_array(preds))
		preds = NULL;

	/* candidates: the index by (key, value), and the scopes that cannot be indexed */
	mark = xcalloc(v->nscopes, 1);
	for (i = 0; i < v->nscan; i++)
		mark[v->scan[i]] = 1;
	for (k = 0; ctx && k < v->nkeys; k++) {
		const json_t *val = context_get(ctx, v->keys[k]), *e;
		size_t n = json_is_array(val) ? json_array_size(val) : val ? 1 : 0;

		for (j = 0; j < n; j++) {
			char buf[64], *kv, *low;
			const char *s;
			const struct ev_slot *slot;

			e = json_is_array(val) ? json_array_get(val, j) : val;
			if (!(s = json_text(e, buf, sizeof(buf))))
				continue;
			low = lower_dup(s);
			kv = xasprintf("%s=%s", v->keys[k], low);
			slot = slot_find(v, kv);
			for (i = 0; slot && i < slot->n; i++)
				mark[slot->scopes[i]] = 1;
			free(kv);
			free(low);
		}
	}

	for (i = 0; i < v->nscopes; i++) {
		const struct ev_scope *sc = &v->scopes[i];
		size_t found = 0;

		if (!mark[i] || !scope_matches(sc, ctx, preds))
			continue;
		out->scopes++;
		for (k = 0; k < sc->nnarrow; k++) {
			struct narrowing nw;

			memset(&nw, 0, sizeof(nw));
			nw.ev = ev;
			nw.n = &sc->narrow[k];
			nw.out = out;
			nw.cand = xcalloc(nw.n->nproviders + 1, sizeof(*nw.cand));
			memcpy(nw.cand, nw.n->providers, nw.n->nproviders * sizeof(*nw.cand));
			nw.ncand = nw.n->nproviders;
			if (nw.n->npf && preds)
				restrict_providers(&nw, preds);
			narrow_one(&nw, ctx, preds);
			found += nw.found;
			free(nw.cand);
		}
		if (!found)
			for (k = 0; k < sc->nevents; k++)
				push_ref(out, &ev->events[sc->events[k]]);
	}
	free(mark);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cmp_ref);
	return out->n;
}
