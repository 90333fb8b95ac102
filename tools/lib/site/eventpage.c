/* Event pages and the events index (eventpage.h). */
#include "site/eventpage.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "site/html.h"
#include "site/table.h"

#define TOP_INDICATORS 25

void site_event_href(struct strbuf *sb, const char *prefix, const char *provider, const char *event,
		     const char *ext)
{
	char *name = xasprintf("%s-%s", provider, event);

	strbuf_addstr(sb, prefix);
	strbuf_addstr(sb, "event/");
	safe_filename(sb, name);
	strbuf_addstr(sb, ext);
	free(name);
}

/* the events live rules read: those with a page (built once per site) */
static const struct site *known_site;
static json_t *known;

int site_event_has_page(const struct site *s, const char *provider, const char *event)
{
	char *k = xasprintf("%s\x1f%s", provider, event);
	int yes;

	if (known_site != s || !known) {
		const char *uid;
		const json_t *r, *e;
		size_t j;

		json_decref(known);
		known = json_object();
		known_site = s;
		json_object_foreach(s->rules, uid, r) {
			if (json_is_true(json_object_get(r, "retired")))
				continue;
			json_array_foreach(json_object_get(r, "events"), j, e) {
				char *ek;

				if (!json_string_value(json_object_get(e, "provider")) ||
				    !json_string_value(json_object_get(e, "event")))
					continue;
				ek = xasprintf("%s\x1f%s", json_string_value(json_object_get(e, "provider")),
					       json_string_value(json_object_get(e, "event")));
				json_object_set_new(known, ek, json_true());
				free(ek);
			}
		}
	}
	yes = json_object_get(known, k) != NULL;
	free(k);
	return yes;
}

struct count {
	const char *key;
	long long n;
};

static int cmp_count(const void *a, const void *b)
{
	const struct count *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* an object key -> integer, as an array sorted by count then key (*n set) */
static struct count *sorted_counts(const json_t *obj, size_t *n)
{
	struct count *v = xmalloc((json_object_size(obj) + 1) * sizeof(*v));
	const char *key;
	json_t *val;
	size_t i = 0;

	json_object_foreach((json_t *)obj, key, val) {
		v[i].key = key;
		v[i++].n = json_integer_value(val);
	}
	qsort(v, i, sizeof(*v), cmp_count);
	*n = i;
	return v;
}

static void bump(json_t *obj, const char *key)
{
	json_object_set_new(obj, key, json_integer(json_integer_value(json_object_get(obj, key)) + 1));
}

static void count_table(struct strbuf *html, struct strbuf *md, const json_t *counts, const char *what,
			size_t top)
{
	const struct table_col cols[] = { { what, 0, 0, 0, 1 }, { "Rules", 0, 0, 1, 0 } };
	struct table tb;
	size_t n, i;
	struct count *v = sorted_counts(counts, &n);

	strbuf_addch(md, '\n');
	table_begin(&tb, html, md, cols, 2);
	for (i = 0; i < n && i < top; i++) {
		if (i == TOP_INDICATORS && n > TOP_INDICATORS + 5) {	/* the rest folded (HTML) */
			char *more = xasprintf("%zu more", n - TOP_INDICATORS);

			table_fold(&tb, more);
			free(more);
		}
		table_cell(&tb, v[i].key);
		table_cell_num(&tb, v[i].n);
	}
	table_end(&tb);
	free(v);
}

static void event_page(const struct site *s, const json_t *e)
{
	struct strbuf html = STRBUF_INIT, md = STRBUF_INIT, title = STRBUF_INIT, rel = STRBUF_INIT;
	const char *prov = site_str(e, "provider"), *ev = site_str(e, "event"), *etitle = site_str(e, "title");
	const json_t *uids = json_object_get(e, "uids"), *u, *p;
	json_t *techs = json_object(), *fields = json_object(), *inds = json_object(), *by = json_object();
	const char **vendors;
	size_t i, j, nv;

	json_array_foreach((json_t *)uids, i, u) {
		const json_t *r = json_object_get(s->rules, json_string_value(u));
		json_t *seen = json_object();
		const char *v = site_str(r, "vendor");

		if (!json_object_get(by, v))
			json_object_set_new(by, v, json_array());
		json_array_append(json_object_get(by, v), (json_t *)u);
		json_array_foreach(json_object_get(r, "techniques"), j, p)
			if (json_string_value(p))
				bump(techs, json_string_value(p));
		json_array_foreach(json_object_get(r, "predicates"), j, p) {
			const char *f = site_str(p, "field");
			char *k;

			if (!*f || json_is_true(json_object_get(p, "computed")))
				continue;
			k = xasprintf("f\x1f%s", f);
			if (!json_object_get(seen, k)) {
				json_object_set_new(seen, k, json_true());
				bump(fields, f);
			}
			free(k);
			if (!json_is_true(json_object_get(p, "negated")) && !json_is_true(json_object_get(p, "exclusion")) &&
			    json_object_get(p, "value") && !json_is_null(json_object_get(p, "value"))) {
				char *val = site_value_text(json_object_get(p, "value"));

				k = xasprintf("%s %s %s", f, site_str(p, "op"), val);
				if (!json_object_get(seen, k)) {
					json_object_set_new(seen, k, json_true());
					bump(inds, k);
				}
				free(k);
				free(val);
			}
		}
		json_decref(seen);
	}

	strbuf_addf(&title, "%s %s: %s", prov, ev, etitle);
	site_page_head(&html, "../", title.buf);
	strbuf_addstr(&html, "<h1>");
	site_esc(&html, prov);
	strbuf_addstr(&html, " ");
	site_esc(&html, ev);
	strbuf_addstr(&html, " <span class=\"meta\">");
	site_esc(&html, etitle);
	strbuf_addstr(&html, "</span></h1>\n");
	strbuf_addf(&html, "<p>%zu live rule%s read%s this event (it is one of each rule's alternatives: a rule "
		    "runs when any of its events is collected). <a href=\"index.html\">All events</a></p>\n",
		    json_array_size(uids), json_array_size(uids) == 1 ? "" : "s", json_array_size(uids) == 1 ? "s" : "");
	strbuf_addstr(&md, "# ");
	md_escape(&md, title.buf);
	strbuf_addf(&md, "\n\n%zu live rules read this event. [All events](index.md)\n", json_array_size(uids));

	strbuf_addf(&html, "<h2>Techniques (%zu)</h2>\n", json_object_size(techs));
	strbuf_addf(&md, "\n## Techniques (%zu)\n", json_object_size(techs));
	{
		static const struct table_col cols[] = { { "Technique", 0, 0, 0, 0 }, { "Name", 0, 0, 0, 0 },
							 { "Rules", 0, 0, 1, 0 } };
		struct table tb;
		size_t n;
		struct count *v = sorted_counts(techs, &n);

		strbuf_addch(&md, '\n');
		table_begin(&tb, &html, &md, cols, 3);
		for (i = 0; i < n; i++) {
			const char *name = json_string_value(json_object_get(s->tech_ids, v[i].key));

			if (i == TOP_INDICATORS && n > TOP_INDICATORS + 5) {	/* the rest folded (HTML) */
				char *more = xasprintf("%zu more techniques", n - TOP_INDICATORS);

				table_fold(&tb, more);
				free(more);
			}

			table_cell_open(&tb);
			if (name) {
				strbuf_addstr(&html, "<a href=\"");
				site_tech_href(&html, "../", v[i].key);
				strbuf_addstr(&html, "\">");
				site_esc(&html, v[i].key);
				strbuf_addstr(&html, "</a>");
				strbuf_addstr(&md, "[");
				md_escape(&md, v[i].key);
				strbuf_addstr(&md, "](../technique/");
				safe_filename(&md, v[i].key);
				strbuf_addstr(&md, ".md)");
			} else {
				site_esc(&html, v[i].key);
				md_escape(&md, v[i].key);
			}
			table_cell_close(&tb);
			table_cell(&tb, name ? name : "");
			table_cell_num(&tb, v[i].n);
		}
		table_end(&tb);
		free(v);
	}
	strbuf_addf(&html, "<h2>Fields filtered on (%zu)</h2>\n<p class=\"note\">By the rules that read this "
		    "event, each counted once per field; normalized names.</p>\n", json_object_size(fields));
	strbuf_addf(&md, "\n## Fields filtered on (%zu)\n", json_object_size(fields));
	count_table(&html, &md, fields, "Field", (size_t)-1);
	strbuf_addf(&html, "<h2>Top indicators (%d of %zu)</h2>\n<p class=\"note\">Field, kind and value, by "
		    "the number of these rules that look for it.</p>\n",
		    json_object_size(inds) < TOP_INDICATORS ? (int)json_object_size(inds) : TOP_INDICATORS,
		    json_object_size(inds));
	strbuf_addf(&md, "\n## Top indicators (%zu distinct)\n", json_object_size(inds));
	count_table(&html, &md, inds, "Indicator", TOP_INDICATORS);

	strbuf_addstr(&html, "<h2>Rules</h2>\n");
	strbuf_addstr(&md, "\n## Rules\n");
	nv = site_vendor_list(by, &vendors);
	for (i = 0; i < nv; i++) {
		const json_t *list = json_object_get(by, vendors[i]);

		if (!list)
			continue;
		strbuf_addstr(&html, "<h3>");
		site_esc(&html, site_vendor_label(vendors[i]));
		strbuf_addf(&html, " <span class=\"meta\">%zu</span></h3>\n<ul>\n", json_array_size(list));
		strbuf_addstr(&md, "\n### ");
		md_escape(&md, site_vendor_label(vendors[i]));
		strbuf_addf(&md, " (%zu)\n\n", json_array_size(list));
		json_array_foreach((json_t *)list, j, u) {
			const char *uid = json_string_value(u);
			const json_t *r = json_object_get(s->rules, uid);
			const char *t = json_string_value(json_object_get(r, "title"));

			strbuf_addstr(&html, "<li><a href=\"");
			site_rule_href(&html, "../", uid);
			strbuf_addstr(&html, "\">");
			site_rule_title(&html, r, uid);
			strbuf_addstr(&html, "</a></li>\n");
			strbuf_addstr(&md, "- [");
			md_escape(&md, t && *t ? t : uid);
			strbuf_addstr(&md, "](");
			site_rule_link(&md, "../", uid, ".md");
			strbuf_addstr(&md, ")\n");
		}
		strbuf_addstr(&html, "</ul>\n");
	}
	free(vendors);
	site_page_foot(&html);
	site_event_href(&rel, "", prov, ev, ".html");
	site_write_file(s, rel.buf, &html);
	strbuf_reset(&rel);
	site_event_href(&rel, "", prov, ev, ".md");
	site_write_file(s, rel.buf, &md);
	strbuf_release(&html);
	strbuf_release(&md);
	strbuf_release(&title);
	strbuf_release(&rel);
	json_decref(techs);
	json_decref(fields);
	json_decref(inds);
	json_decref(by);
}

static int cmp_event_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void site_event_pages(const struct site *s)
{
	json_t *events = json_object(), *r, *e;
	struct strbuf html = STRBUF_INIT, md = STRBUF_INIT;
	const char *uid, *key, **keys, *last = NULL;
	size_t i, j, n;
	long long noevents = 0;

	/* rules in uid order, so that each event's list is too */
	n = json_object_size(s->rules);
	keys = xmalloc((n + 1) * sizeof(*keys));
	i = 0;
	json_object_foreach(s->rules, uid, r)
		keys[i++] = uid;
	qsort(keys, n, sizeof(*keys), cmp_event_key);
	for (i = 0; i < n; i++) {
		r = json_object_get(s->rules, keys[i]);
		if (json_is_true(json_object_get(r, "retired")))
			continue;
		noevents += json_array_size(json_object_get(r, "events")) == 0;
		json_array_foreach(json_object_get(r, "events"), j, e) {
			const char *prov = json_string_value(json_object_get(e, "provider"));
			const char *ev = json_string_value(json_object_get(e, "event"));
			char *k;
			json_t *rec, *list;

			if (!prov || !ev)
				continue;
			k = xasprintf("%s\x1f%s", prov, ev);
			rec = json_object_get(events, k);
			if (!rec) {
				rec = json_pack("{s:s,s:s,s:s?,s:[]}", "provider", prov, "event", ev, "title",
						json_string_value(json_object_get(e, "title")), "uids");
				json_object_set_new(events, k, rec);
			}
			list = json_object_get(rec, "uids");
			if (!json_array_size(list) ||
			    strcmp(json_string_value(json_array_get(list, json_array_size(list) - 1)), keys[i]))
				json_array_append_new(list, json_string(keys[i]));
			free(k);
		}
	}
	free(keys);

	n = json_object_size(events);
	keys = xmalloc((n + 1) * sizeof(*keys));
	i = 0;
	json_object_foreach(events, key, e)
		keys[i++] = key;
	qsort(keys, n, sizeof(*keys), cmp_event_key);

	site_page_head(&html, "../", "Events: detcat catalog");
	strbuf_addf(&html, "<h1>Events</h1>\n<p>The %zu log events that live rules read, by provider, with "
		    "the number of rules that read each (a rule's events are alternatives). %lld live rules "
		    "read no event the catalog knows: no telemetry profile can run them. "
		    "<a href=\"../index.html\">Index</a></p>\n", n, noevents);
	strbuf_addf(&md, "# Events\n\n%zu log events that live rules read, by provider; %lld live rules read "
		    "no event. [Index](../index.md)\n", n, noevents);
	{
		static const struct table_col cols[] = { { "Event", 0, 0, 0, 0 }, { "Title", 0, 0, 0, 0 },
							 { "Rules", 0, 0, 1, 0 } };
		struct table tb;
		int open = 0;

		for (i = 0; i < n; i++) {
			const json_t *ev = json_object_get(events, keys[i]);
			const char *prov = site_str(ev, "provider");

			if (!last || strcmp(last, prov)) {
				if (open)
					table_end(&tb);
				strbuf_addstr(&html, "<h2>");
				site_esc(&html, prov);
				strbuf_addstr(&html, "</h2>\n");
				strbuf_addstr(&md, "\n## ");
				md_escape(&md, prov);
				strbuf_addstr(&md, "\n\n");
				table_begin(&tb, &html, &md, cols, 3);
				open = 1;
				last = prov;
			}
			table_cell_open(&tb);
			strbuf_addstr(&html, "<a href=\"");
			site_event_href(&html, "../", prov, site_str(ev, "event"), ".html");
			strbuf_addstr(&html, "\">");
			site_esc(&html, site_str(ev, "event"));
			strbuf_addstr(&html, "</a>");
			strbuf_addstr(&md, "[");
			md_escape(&md, site_str(ev, "event"));
			strbuf_addstr(&md, "](");
			site_event_href(&md, "../", prov, site_str(ev, "event"), ".md");
			strbuf_addstr(&md, ")");
			table_cell_close(&tb);
			table_cell(&tb, site_str(ev, "title"));
			table_cell_num(&tb, (long long)json_array_size(json_object_get(ev, "uids")));
			event_page(s, ev);
		}
		if (open)
			table_end(&tb);
	}
	site_page_foot(&html);
	site_write_file(s, "event/index.html", &html);
	site_write_file(s, "event/index.md", &md);
	strbuf_release(&html);
	strbuf_release(&md);
	free(keys);
	json_decref(events);
}
