/* Technique pages: the reference pages' sections, in HTML and Markdown (site.h). */
#include "site/site.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog/coverage.h"
#include "common/util.h"
#include "site/eventpage.h"
#include "site/html.h"
#include "site/table.h"

/* ---- technique pages ---- */


/* the rule's best match in another vendor when it overlaps at least min_pct %, else NULL */
static const json_t *close_counterpart(const json_t *rule, long long min_pct)
{
	const json_t *m = json_array_get(json_object_get(json_object_get(rule, "similar"),
							 "other_vendors"), 0);
	long long sh = json_integer_value(json_object_get(m, "shared"));
	long long un = json_integer_value(json_object_get(m, "union"));

	return m && un > 0 && sh * 100 >= un * min_pct ? m : NULL;
}

/* " (counterpart: Elastic: title, 67 %)" after a rule in a list */
static void counterpart_note(struct strbuf *html, struct strbuf *md, const struct site *s,
			     const json_t *m, const char *prefix)
{
	const char *uid = site_str(m, "uid");
	const json_t *r = json_object_get(s->rules, uid);
	const char *t = r ? json_string_value(json_object_get(r, "title")) : NULL;

	strbuf_addstr(html, " <span class=\"meta\">counterpart: <a href=\"");
	site_rule_href(html, prefix, uid);
	strbuf_addstr(html, "\">");
	site_esc(html, site_vendor_label(site_str(m, "vendor")));
	strbuf_addstr(html, ": ");
	site_rule_title(html, r, uid);
	strbuf_addf(html, "</a>, %lld %%</span>", site_match_percent(m));
	strbuf_addstr(md, " (counterpart: [");
	md_escape(md, site_vendor_label(site_str(m, "vendor")));
	strbuf_addstr(md, ": ");
	md_escape(md, t && *t ? t : uid);
	strbuf_addstr(md, "](");
	site_rule_link(md, prefix, uid, ".md");
	strbuf_addf(md, "), %lld %%)", site_match_percent(m));
}

/* rule titles as the list shows them, for sorting */
static const char *list_title(const struct site *s, const char *uid)
{
	const char *t = json_string_value(json_object_get(json_object_get(s->rules, uid), "title"));

	return t && *t ? t : uid;
}

static const struct site *sort_site;	/* qsort has no context argument in C11 */

/* by title (ignoring case, then exactly), then path, then uid */
static int cmp_by_title(const void *a, const void *b)
{
	const char *x = json_string_value(*(json_t *const *)a), *y = json_string_value(*(json_t *const *)b);
	const char *tx = list_title(sort_site, x), *ty = list_title(sort_site, y);
	int d = strcasecmp(tx, ty);

	if (!d)
		d = strcmp(tx, ty);
	if (!d)
		d = strcmp(site_str(json_object_get(sort_site->rules, x), "path"),
			   site_str(json_object_get(sort_site->rules, y), "path"));
	return d ? d : strcmp(x, y);
}

/* the uids of a list, sorted by title (a new array) */
static json_t *sorted_by_title(const struct site *s, json_t *list)
{
	size_t n = json_array_size(list), i;
	json_t **v = xmalloc((n + 1) * sizeof(*v)), *out = json_array();

	for (i = 0; i < n; i++)
		v[i] = json_array_get(list, i);
	sort_site = s;
	qsort(v, n, sizeof(*v), cmp_by_title);
	for (i = 0; i < n; i++)
		json_array_append(out, v[i]);
	free(v);
	return out;
}

/* rules grouped by vendor, each group by title; equal titles told apart by their path */
/*
 * With a profile (mark set), each rule says whether it runs with the profile's
 * telemetry: in HTML in the status colours of the stylesheet.
 */
static void runnable_mark(struct strbuf *html, struct strbuf *md, const struct site *s, const char *uid)
{
	if (json_object_get(json_object_get(s->coverage, "runnable"), uid)) {
		strbuf_addstr(html, " <span class=\"status-ok runnable\">runnable</span>");
		strbuf_addstr(md, " (runnable)");
	} else {
		strbuf_addstr(html, " <span class=\"status-failed not-runnable\">not runnable</span>");
		strbuf_addstr(md, " (not runnable)");
	}
}

static void add_vendor_groups(struct strbuf *html, struct strbuf *md, const struct site *s,
			      const json_t *uids, long long min_pct, int mark)
{
	const char **vendors;
	json_t *by = json_object();
	size_t nv, i, j;
	const json_t *u;

	json_array_foreach((json_t *)uids, i, u) {
		const json_t *r = json_object_get(s->rules, json_string_value(u));
		const char *v = r ? site_str(r, "vendor") : "unknown";

		if (!json_object_get(by, v))
			json_object_set_new(by, v, json_array());
		json_array_append(json_object_get(by, v), (json_t *)u);
	}
	nv = site_vendor_list(by, &vendors);
	for (i = 0; i < nv; i++) {
		json_t *list = json_object_get(by, vendors[i]);

		if (!list)
			continue;
		list = sorted_by_title(s, list);
		strbuf_addstr(html, "<h3>");
		site_esc(html, site_vendor_label(vendors[i]));
		strbuf_addf(html, " <span class=\"meta\">%zu rule%s", json_array_size(list),
			    json_array_size(list) == 1 ? "" : "s");
		strbuf_addf(md, "\n### ");
		md_escape(md, site_vendor_label(vendors[i]));
		strbuf_addf(md, " (%zu rule%s", json_array_size(list), json_array_size(list) == 1 ? "" : "s");
		if (mark) {
			size_t run = 0;

			json_array_foreach(list, j, u)
				run += json_object_get(json_object_get(s->coverage, "runnable"),
						       json_string_value(u)) != NULL;
			strbuf_addf(html, ", %zu runnable", run);
			strbuf_addf(md, ", %zu runnable", run);
		}
		strbuf_addstr(html, "</span></h3>\n<ul>\n");
		strbuf_addstr(md, ")\n\n");
		json_array_foreach(list, j, u) {
			const char *uid = json_string_value(u);
			const json_t *r = json_object_get(s->rules, uid);
			const char *t = r ? json_string_value(json_object_get(r, "title")) : NULL;

			const json_t *cp = r ? close_counterpart(r, min_pct) : NULL;
			const char *prev = j ? json_string_value(json_array_get(list, j - 1)) : NULL;
			const char *next = json_string_value(json_array_get(list, j + 1));
			int twin = (prev && !strcmp(list_title(s, prev), list_title(s, uid))) ||
				   (next && !strcmp(list_title(s, next), list_title(s, uid)));

			strbuf_addstr(html, "<li><a href=\"");
			site_rule_href(html, "../", uid);
			strbuf_addstr(html, "\">");
			site_rule_title(html, r, uid);
			strbuf_addstr(html, "</a>");
			strbuf_addstr(md, "- [");
			md_escape(md, t && *t ? t : uid);
			strbuf_addstr(md, "](");
			site_rule_link(md, "../", uid, ".md");
			strbuf_addstr(md, ")");
			if (twin) {	/* the same title twice: say which file each is */
				const char *path = r ? site_str(r, "path") : "";

				strbuf_addstr(html, " <span class=\"meta\">");
				site_esc(html, *path ? path : uid);
				strbuf_addstr(html, "</span>");
				strbuf_addstr(md, " (");
				md_escape(md, *path ? path : uid);
				strbuf_addstr(md, ")");
			}
			if (r && json_is_true(json_object_get(r, "retired"))) {
				strbuf_addstr(html, " <span class=\"meta retired\">retired: ");
				site_esc(html, site_str(r, "retired_why"));
				strbuf_addstr(html, "</span>");
				strbuf_addstr(md, " (retired: ");
				md_escape(md, site_str(r, "retired_why"));
				strbuf_addstr(md, ")");
			}
			if (mark)
				runnable_mark(html, md, s, uid);
			if (cp)
				counterpart_note(html, md, s, cp, "../");
			strbuf_addstr(html, "</li>\n");
			strbuf_addstr(md, "\n");
		}
		strbuf_addstr(html, "</ul>\n");
		json_decref(list);
	}
	free(vendors);
	json_decref(by);
}

static void uid_details(struct strbuf *sb, const struct site *s, const json_t *item, const char *verb)
{
	const json_t *uids = json_object_get(item, "uids"), *u;
	size_t i;

	strbuf_addstr(sb, "<details><summary><code>");
	site_esc_value(sb, json_object_get(item, "value"));
	strbuf_addstr(sb, "</code></summary>\n<ul>\n");
	json_array_foreach((json_t *)uids, i, u) {
		const char *uid = json_string_value(u);

		if (!uid)
			continue;
		strbuf_addstr(sb, "<li><a href=\"");
		site_rule_href(sb, "../", uid);
		strbuf_addstr(sb, "\">");
		site_rule_title(sb, json_object_get(s->rules, uid), uid);
		strbuf_addstr(sb, "</a></li>\n");
	}
	if (!json_array_size(uids))
		strbuf_addf(sb, "<li class=\"note\">no rule %s listed</li>\n", verb);
	strbuf_addstr(sb, "</ul></details>");
}

struct op_count {
	const char *op;
	long long n;
};

static int cmp_op_count(const void *a, const void *b)
{
	const struct op_count *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->op, y->op);
}

/* "eq 21, match 8, regex_match 7": most used first, as the reference pages; in HTML
 * each entry is kept on one line */
static void ops_text(struct strbuf *sb, const json_t *ops, int html)
{
	struct op_count *v = xmalloc((json_object_size(ops) + 1) * sizeof(*v));
	const char *key;
	json_t *val;
	size_t n = 0, i;

	json_object_foreach((json_t *)ops, key, val) {
		v[n].op = key;
		v[n++].n = json_integer_value(val);
	}
	qsort(v, n, sizeof(*v), cmp_op_count);
	for (i = 0; i < n; i++) {
		strbuf_addstr(sb, i ? ", " : "");
		if (html) {
			strbuf_addstr(sb, "<span class=\"nw\">");
			site_esc(sb, v[i].op);
			strbuf_addf(sb, " %lld</span>", v[i].n);
		} else {
			md_escape(sb, v[i].op);
			strbuf_addf(sb, " %lld", v[i].n);
		}
	}
	free(v);
}

static void samples_text(struct strbuf *sb, const json_t *samples, int md)
{
	const json_t *v;
	size_t i;

	json_array_foreach((json_t *)samples, i, v) {
		char *t = site_value_text(v);

		if (md) {
			strbuf_addstr(sb, i ? ", " : "");
			md_escape(sb, t);
		} else {
			/* one code span each: a value may itself hold ", " */
			strbuf_addstr(sb, i ? " <code>" : "<code>");
			html_escape(sb, t);
			strbuf_addstr(sb, "</code>");
		}
		free(t);
	}
}

/* long tables show their top rows; the rest is folded (HTML; Markdown has every row) */
#define TOP_ROWS 25

static void fold_after_top(struct table *tb, size_t i, size_t n, const char *what)
{
	char *summary;

	if (i != TOP_ROWS || n <= TOP_ROWS + 5)
		return;
	summary = xasprintf("%zu more %s", n - TOP_ROWS, what);
	table_fold(tb, summary);
	free(summary);
}

/* Indicators or exclusions: (field, kind, value) with the rules here, and the corpus reach. */
static void indicator_table(struct strbuf *html, struct strbuf *md, const struct site *s,
			    const json_t *list, const char *verb, int with_reach)
{
	static const struct table_col cols[] = {
		{ "Field", 0, "field", 0, 1 }, { "Kind", 0, 0, 0, 0 }, { "Value", 0, 0, 0, 0 },
		{ "Rules (here)", 0, 0, 1, 0 }, { "Corpus reach", 0, 0, 1, 0 },
	};
	static const struct table_col excl_cols[] = {
		{ "Field", 0, "field", 0, 1 }, { "Kind", 0, 0, 0, 0 }, { "Value", 0, 0, 0, 0 },
		{ "Rules", 0, 0, 1, 0 },
	};
	struct table tb;
	const json_t *e;
	size_t i;

	strbuf_addch(md, '\n');
	table_begin(&tb, html, md, with_reach ? cols : excl_cols, with_reach ? 5 : 4);
	json_array_foreach((json_t *)list, i, e) {
		char *v = site_value_text(json_object_get(e, "value"));

		fold_after_top(&tb, i, json_array_size(list), "values");
		table_cell(&tb, site_str(e, "field"));
		table_cell(&tb, site_str(e, "op"));
		table_cell_open(&tb);
		uid_details(html, s, e, verb);
		md_escape(md, v);
		table_cell_close(&tb);
		table_cell_num(&tb, json_integer_value(json_object_get(e, "rules")));
		if (with_reach)
			table_cell_num(&tb, json_integer_value(json_object_get(e, "reach")));
		free(v);
	}
	table_end(&tb);
}

/* an event that stands for every event of its provider ("any") */
static int is_catch_all(const json_t *e)
{
	return strcmp(site_str(e, "event"), "any") == 0;
}

struct event_row {
	const json_t *e;
	size_t pos;	/* in the catalog's order (provider, event) */
};

/* most rules first, then as the catalog sorts them */
static int cmp_event_rules(const void *a, const void *b)
{
	const struct event_row *x = a, *y = b;
	long long nx = json_integer_value(json_object_get(x->e, "rules"));
	long long ny = json_integer_value(json_object_get(y->e, "rules"));

	if (nx != ny)
		return nx > ny ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* the specific events (catch_all 0) or the catch-all ones, most rules first */
static void events_table(struct strbuf *html, struct strbuf *md, const struct site *sort_site_of_events,
			 const json_t *events, int catch_all)
{
	static const struct table_col cols[] = {
		{ "Provider", 0, 0, 0, 0 }, { "Event", 0, 0, 0, 0 }, { "Title", 0, 0, 0, 0 },
		{ "Rules", 0, 0, 1, 0 }, { "Collected", 0, 0, 0, 0 },
	};
	const struct profile *p = sort_site_of_events->profile;
	size_t n = json_array_size(events), k = 0, i;
	struct event_row *v = xmalloc((n + 1) * sizeof(*v));
	struct table tb;

	for (i = 0; i < n; i++)
		if (is_catch_all(json_array_get(events, i)) == catch_all) {
			v[k].e = json_array_get(events, i);
			v[k++].pos = i;
		}
	if (!k) {
		free(v);
		return;
	}
	qsort(v, k, sizeof(*v), cmp_event_rules);
	strbuf_addch(md, '\n');
	table_begin(&tb, html, md, cols, p ? 5 : 4);
	for (i = 0; i < k; i++) {
		char *t = site_value_text(json_object_get(v[i].e, "event"));

		table_cell(&tb, site_str(v[i].e, "provider"));
		if (!site_event_has_page(sort_site_of_events, site_str(v[i].e, "provider"), t)) {
			table_cell(&tb, t);
			goto title;
		}
		table_cell_open(&tb);	/* the event's own page */
		strbuf_addstr(html, "<a href=\"");
		site_event_href(html, "../", site_str(v[i].e, "provider"), t, ".html");
		strbuf_addstr(html, "\">");
		site_esc(html, t);
		strbuf_addstr(html, "</a>");
		strbuf_addstr(md, "[");
		md_escape(md, t);
		strbuf_addstr(md, "](");
		site_event_href(md, "../", site_str(v[i].e, "provider"), t, ".md");
		strbuf_addstr(md, ")");
		table_cell_close(&tb);
title:
		table_cell(&tb, site_str(v[i].e, "title"));
		table_cell_num(&tb, json_integer_value(json_object_get(v[i].e, "rules")));
		if (p)	/* by the profile the site is built for */
			table_cell(&tb, profile_covers(p, site_str(v[i].e, "provider"), t) ? "yes" : "no");
		free(t);
	}
	table_end(&tb);
	free(v);
}

void site_technique_page(const struct site *s, const json_t *t)
{
	struct strbuf html = STRBUF_INIT, md = STRBUF_INIT, title = STRBUF_INIT, name = STRBUF_INIT;
	const char *id = site_str(t, "id"), *tname = site_str(t, "name"), *parent, *desc, *url;
	char *fullname = NULL;
	const json_t *tactics = json_object_get(t, "tactics"), *rules = json_object_get(t, "rules");
	const json_t *events = json_object_get(t, "events"), *fields = json_object_get(t, "fields");
	const json_t *inds = json_object_get(t, "indicators"), *excl = json_object_get(t, "exclusions");
	const json_t *e;
	size_t i;
	char *rel;

	parent = json_string_value(json_object_get(t, "parent"));
	if (parent && json_string_value(json_object_get(s->tech_ids, parent))) {
		/* "User Execution: Malicious Link", as ATT&CK names sub-techniques */
		tname = fullname = xasprintf("%s: %s", json_string_value(json_object_get(s->tech_ids, parent)), tname);
	}
	strbuf_addf(&title, "%s %s", tname, id);
	site_page_head(&html, "../", title.buf);
	strbuf_addstr(&html, "<h1>");
	site_esc(&html, tname);
	strbuf_addstr(&html, " <span class=\"meta\">");
	site_esc(&html, id);
	strbuf_addstr(&html, "</span></h1>\n<p class=\"meta\">Tactic");
	strbuf_addstr(&md, "# ");
	md_escape(&md, tname);
	strbuf_addstr(&md, " ");
	md_escape(&md, id);
	strbuf_addstr(&md, "\n\nTactic");
	if (json_array_size(tactics) != 1) {
		strbuf_addch(&html, 's');
		strbuf_addch(&md, 's');
	}
	strbuf_addstr(&html, ": ");
	strbuf_addstr(&md, ": ");
	json_array_foreach((json_t *)tactics, i, e) {
		if (i) {
			strbuf_addstr(&html, ", ");
			strbuf_addstr(&md, ", ");
		}
		site_esc(&html, json_string_value(e) ? json_string_value(e) : "");
		md_escape(&md, json_string_value(e) ? json_string_value(e) : "");
	}
	strbuf_addstr(&html, "</p>\n");
	strbuf_addstr(&md, "\n");
	if (parent) {
		strbuf_addstr(&html, "<p class=\"meta\">Sub-technique of ");
		if (json_object_get(s->tech_ids, parent)) {
			strbuf_addstr(&html, "<a href=\"");
			site_tech_href(&html, "../", parent);
			strbuf_addstr(&html, "\">");
			site_esc(&html, parent);
			strbuf_addstr(&html, "</a>");
		} else {
			site_esc(&html, parent);
		}
		strbuf_addstr(&html, "</p>\n");
		strbuf_addstr(&md, "\nSub-technique of ");
		md_escape(&md, parent);
		strbuf_addstr(&md, "\n");
	}

	/* ATT&CK's own description, and its page */
	desc = json_string_value(json_object_get(t, "description"));
	url = json_string_value(json_object_get(t, "url"));
	if (desc) {
		strbuf_addstr(&html, "<p class=\"description\">");
		site_esc(&html, desc);
		strbuf_addstr(&html, "</p>\n");
		strbuf_addstr(&md, "\n");
		md_escape(&md, desc);
		strbuf_addstr(&md, "\n");
	}
	if (url && (!strncmp(url, "https://", 8) || !strncmp(url, "http://", 7))) {
		strbuf_addstr(&html, "<p class=\"meta\"><a href=\"");
		site_esc(&html, url);
		strbuf_addstr(&html, "\">ATT&amp;CK page</a></p>\n");
		strbuf_addstr(&md, "\nATT&CK page: ");
		md_escape(&md, url);
		strbuf_addstr(&md, "\n");
	}

	/* events covered: the specific ones by number of rules, then the catch-all "any" ones apart */
	{
		size_t nany = 0, nspec = 0;

		json_array_foreach((json_t *)events, i, e)
			nany += is_catch_all(e);
		nspec = json_array_size(events) - nany;
		strbuf_addf(&html, "<h2>Events covered</h2>\n<p>%zu catalog event%s tagged with this technique "
			    "by at least one rule", json_array_size(events),
			    json_array_size(events) == 1 ? " is" : "s are");
		strbuf_addf(&md, "\n## Events covered\n\n%zu catalog event%s tagged with this technique by at "
			    "least one rule", json_array_size(events), json_array_size(events) == 1 ? " is" : "s are");
		if (nany) {
			strbuf_addf(&html, ": %zu specific, most rules first, and %zu catch-all (any event of a "
				    "provider, from a rule whose scope names no event type) apart", nspec, nany);
			strbuf_addf(&md, ": %zu specific, most rules first, and %zu catch-all apart", nspec, nany);
		}
		strbuf_addstr(&html, ".</p>\n");
		strbuf_addstr(&md, ".\n");
		events_table(&html, &md, s, events, 0);
		if (nany) {
			strbuf_addf(&html, "<h3>Catch-all events (%zu)</h3>\n", nany);
			strbuf_addf(&md, "\n### Catch-all events (%zu)\n", nany);
			events_table(&html, &md, s, events, 1);
		}
	}

	/* with a profile: what it runs here, by vendor */
	if (s->profile) {
		static const struct table_col cols[] = {
			{ "Vendor", 0, 0, 0, 0 }, { "Rules", 0, 0, 1, 0 }, { "Runnable", 0, 0, 1, 0 },
		};
		const json_t *c = json_object_get(s->tech_coverage, id);
		const json_t *by = json_object_get(c, "by_vendor");
		const char **vendors;
		size_t nv, k;
		struct table tb;

		strbuf_addstr(&html, "<h2 id=\"runnable\">Runnable with the profile</h2>\n<p><strong>");
		strbuf_addf(&html, "%lld of %lld</strong> rules of this technique run with the telemetry of the "
			    "profile <strong>", (long long)json_integer_value(json_object_get(c, "runnable")),
			    (long long)json_integer_value(json_object_get(c, "rules")));
		site_esc(&html, profile_name(s->profile));
		strbuf_addstr(&html, "</strong> (a rule runs when one of its events is collected); each rule "
			      "below says whether it does.</p>\n");
		strbuf_addf(&md, "\n## Runnable with the profile\n\n%lld of %lld rules of this technique run "
			    "with the telemetry of the profile **",
			    (long long)json_integer_value(json_object_get(c, "runnable")),
			    (long long)json_integer_value(json_object_get(c, "rules")));
		md_escape(&md, profile_name(s->profile));
		strbuf_addstr(&md, "**; each rule below says whether it does.\n\n");
		if (json_object_size(by)) {
			nv = site_vendor_list(by, &vendors);
			table_begin(&tb, &html, &md, cols, 3);
			for (k = 0; k < nv; k++) {
				const json_t *v = json_object_get(by, vendors[k]);

				if (!v)
					continue;
				table_cell(&tb, site_vendor_label(vendors[k]));
				table_cell_num(&tb, json_integer_value(json_object_get(v, "rules")));
				table_cell_num(&tb, json_integer_value(json_object_get(v, "runnable")));
			}
			table_end(&tb);
			free(vendors);
		}
	}

	/* authoring guide */
	strbuf_addf(&html, "<h2>Authoring guide</h2>\n<p>Patterns shared across the %lld rules of this "
		    "technique: which fields they filter on, what values they look for, and what they "
		    "exclude. Field names are normalized across vendors; each rule counts at most once "
		    "per row.</p>\n", (long long)json_integer_value(json_object_get(rules, "total")));
	strbuf_addf(&md, "\n## Authoring guide\n\nPatterns shared across the %lld rules of this technique.\n",
		    (long long)json_integer_value(json_object_get(rules, "total")));

	strbuf_addf(&html, "<h3>Fields filtered most (%zu distinct)</h3>\n", json_array_size(fields));
	strbuf_addf(&md, "\n### Fields filtered most (%zu distinct)\n", json_array_size(fields));
	if (json_array_size(fields)) {
		static const struct table_col cols[] = {
			{ "Field", 0, "field", 0, 1 }, { "Rules", 0, 0, 1, 0 }, { "How", 0, 0, 0, 0 },
			{ "Sample values", 0, "samples", 0, 0 },
		};
		struct table tb;

		strbuf_addch(&md, '\n');
		table_begin(&tb, &html, &md, cols, 4);
		json_array_foreach((json_t *)fields, i, e) {
			fold_after_top(&tb, i, json_array_size(fields), "fields");
			table_cell(&tb, site_str(e, "field"));
			table_cell_num(&tb, json_integer_value(json_object_get(e, "rules")));
			table_cell_open(&tb);
			ops_text(&html, json_object_get(e, "ops"), 1);
			ops_text(&md, json_object_get(e, "ops"), 0);
			table_cell_close(&tb);
			table_cell_open(&tb);
			samples_text(&html, json_object_get(e, "samples"), 0);
			samples_text(&md, json_object_get(e, "samples"), 1);
			table_cell_close(&tb);
		}
		table_end(&tb);
	}

	strbuf_addf(&html, "<h3>Top indicator values (%zu distinct)</h3>\n<p class=\"note\">Corpus reach: "
		    "rules across the whole catalog with the same (field, kind, value). Open a value for "
		    "the rules under this technique that use it.</p>\n", json_array_size(inds));
	strbuf_addf(&md, "\n### Top indicator values (%zu distinct)\n", json_array_size(inds));
	if (json_array_size(inds)) {
		indicator_table(&html, &md, s, inds, "uses it", 1);
	}

	strbuf_addf(&html, "<h3>Exclusions (%zu distinct)</h3>\n<p class=\"note\">Values that rules "
		    "under this technique require an event not to have: every predicate under a NOT, "
		    "wherever the NOT stands in the query, pushed down to its value (a filter "
		    "clause, a != or !has, a negated list). These are the false-positive paths authors "
		    "filter out.</p>\n", json_array_size(excl));
	strbuf_addf(&md, "\n### Exclusions (%zu distinct)\n", json_array_size(excl));
	if (json_array_size(excl)) {
		indicator_table(&html, &md, s, excl, "excludes it", 0);
	}

	strbuf_addstr(&html, "<h2>Rules under this technique</h2>\n");
	strbuf_addstr(&md, "\n## Rules under this technique\n");
	{
		const json_t *sim = json_object_get(t, "similar");
		long long pct = json_integer_value(json_object_get(sim, "min_percent"));
		long long other = json_integer_value(json_object_get(sim, "other_vendors"));
		long long same = json_integer_value(json_object_get(sim, "same_vendor"));
		long long total = json_integer_value(json_object_get(rules, "total"));

		if (!pct)
			pct = 50;
		strbuf_addf(&html, "<p>Every %srule tagged with this technique, grouped by vendor, by title. "
			    "<strong>%lld of %lld</strong> ha%s a close counterpart in another vendor, and "
			    "%lld a near-duplicate in %s own (indicator sets overlapping %lld %% or more; "
			    "see each rule's page).</p>\n",
			    json_is_true(json_object_get(json_object_get(rules, "retired"), "counted")) ? "" : "live ",
			    other, total, other == 1 ? "s" : "ve", same,
			    same == 1 ? "its" : "their", pct);
		strbuf_addf(&md, "\n%lld of %lld rules have a close counterpart in another vendor, and "
			    "%lld a near-duplicate in their own (indicator overlap %lld %% or more).\n",
			    other, total, same, pct);
		add_vendor_groups(&html, &md, s, json_object_get(rules, "uids"), pct, s->profile != NULL);
	}
	{
		const json_t *ret = json_object_get(rules, "retired");
		size_t nret = json_array_size(json_object_get(ret, "uids"));
		int counted = json_is_true(json_object_get(ret, "counted"));

		if (nret) {
			strbuf_addf(&html, "<h2>Retired rules (%zu)</h2>\n<p class=\"note\">Rules upstream has "
				    "retired (deprecated, unsupported, placeholders), listed apart: %s</p>\n",
				    nret, counted ? "this catalog counts them with the live ones (detcat-aggregate "
				    "--include-retired)." : "they are left out of every count, field, indicator "
				    "and exclusion above.");
			strbuf_addf(&md, "\n## Retired rules (%zu)\n\nRules upstream has retired, listed apart%s.\n",
				    nret, counted ? " (counted above too)" : " (not counted above)");
			add_vendor_groups(&html, &md, s, json_object_get(ret, "uids"), 101, 0);
		}
	}
	site_page_foot(&html);

	safe_filename(&name, id);
	rel = xasprintf("technique/%s.html", name.buf);
	site_write_file(s, rel, &html);
	free(rel);
	rel = xasprintf("technique/%s.md", name.buf);
	site_write_file(s, rel, &md);
	free(rel);
	strbuf_release(&html);
	strbuf_release(&md);
	strbuf_release(&title);
	strbuf_release(&name);
	free(fullname);
}

