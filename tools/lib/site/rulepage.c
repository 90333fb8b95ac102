/* Rule pages: metadata, predicates raw and canonical, similar rules, the query (site.h). */
#include "site/site.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "site/html.h"
#include "site/table.h"

/* ---- rule pages ---- */

static void row(struct strbuf *sb, const char *key, const char *val)
{
	strbuf_addstr(sb, "<tr><th>");
	site_esc(sb, key);
	strbuf_addstr(sb, "</th><td>");
	site_esc(sb, val);
	strbuf_addstr(sb, "</td></tr>\n");
}

/* a "- **key**: value" line of a rule's Markdown page */
static void md_item(struct strbuf *md, const char *key, const char *val)
{
	strbuf_addstr(md, "- **");
	md_escape(md, key);
	strbuf_addstr(md, "**: ");
	md_escape(md, val);
	strbuf_addch(md, '\n');
}

/* "case-insensitive, negated, exclusion, computed": what is true of a predicate */
static void predicate_flags(struct strbuf *sb, const json_t *p)
{
	static const char *const keys[][2] = {
		{ "ci", "case-insensitive" }, { "negated", "negated" },
		{ "exclusion", "exclusion" }, { "computed", "computed" }, { "unmapped", "unmapped" }
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (json_is_true(json_object_get(p, keys[i][0]))) {
			strbuf_addstr(sb, sb->len ? ", " : "");
			strbuf_addstr(sb, keys[i][1]);
		}
}

static int is_web_url(const char *u)
{
	return !strncmp(u, "https://", 8) || !strncmp(u, "http://", 7);
}

/* a fence longer than any run of backticks in text */
static void md_fence(struct strbuf *md, const char *text)
{
	size_t run = 0, longest = 0, i;

	for (; *text; text++) {
		run = *text == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	for (i = 0; i < (longest < 3 ? 3 : longest + 1); i++)
		strbuf_addch(md, '`');
}

/* the similar rules of one group: other vendors' (counterparts) or its own vendor's */
static void similar_table(struct strbuf *html, struct strbuf *md, const struct site *s,
			  const json_t *list, const char *heading, const char *none)
{
	static const struct table_col cols[] = {
		{ "Rule", 0, 0, 0, 0 }, { "Vendor", 0, 0, 0, 0 }, { "Shared", 0, 0, 1, 0 },
		{ "Union", 0, 0, 1, 0 }, { "Overlap", 0, 0, 1, 0 },
	};
	struct table tb;
	const json_t *m;
	size_t i;

	strbuf_addf(html, "<h3>%s</h3>\n", heading);
	strbuf_addf(md, "\n### %s\n\n", heading);
	if (!json_array_size(list)) {
		strbuf_addf(html, "<p class=\"note\">%s</p>\n", none);
		strbuf_addf(md, "%s\n", none);
		return;
	}
	table_begin(&tb, html, md, cols, 5);
	json_array_foreach((json_t *)list, i, m) {
		const char *uid = site_str(m, "uid");
		const json_t *r = json_object_get(s->rules, uid);
		const char *t = r ? json_string_value(json_object_get(r, "title")) : NULL;

		table_cell_open(&tb);
		if (r) {
			strbuf_addstr(html, "<a href=\"");
			site_rule_href(html, "../", uid);
			strbuf_addstr(html, "\">");
			site_rule_title(html, r, uid);
			strbuf_addstr(html, "</a>");
			strbuf_addstr(md, "[");
			md_escape(md, t && *t ? t : uid);
			strbuf_addstr(md, "](");
			site_rule_link(md, "../", uid, ".md");
			strbuf_addstr(md, ")");
		} else {
			site_esc(html, uid);
			md_escape(md, uid);
		}
		table_cell_close(&tb);
		table_cell(&tb, site_vendor_label(site_str(m, "vendor")));
		table_cell_num(&tb, json_integer_value(json_object_get(m, "shared")));
		table_cell_num(&tb, json_integer_value(json_object_get(m, "union")));
		table_cell_open(&tb);
		strbuf_addf(html, "%lld %%", site_match_percent(m));
		strbuf_addf(md, "%lld %%", site_match_percent(m));
		table_cell_close(&tb);
	}
	table_end(&tb);
}

/* 1 when some predicate is an indicator (catalog.h): with a value, not negated, exclusion or computed */
static int has_indicators(const json_t *preds)
{
	const json_t *p;
	size_t i;

	json_array_foreach((json_t *)preds, i, p)
		if (json_object_get(p, "value") && !json_is_null(json_object_get(p, "value")) &&
		    !json_is_true(json_object_get(p, "negated")) && !json_is_true(json_object_get(p, "exclusion")) &&
		    !json_is_true(json_object_get(p, "computed")))
			return 1;
	return 0;
}

/* a list or a string as "a, b, c"; "" for anything else */
static void list_text(struct strbuf *sb, const json_t *v)
{
	const json_t *e;
	size_t i;

	if (json_is_string(v)) {
		strbuf_addstr(sb, json_string_value(v));
		return;
	}
	json_array_foreach((json_t *)v, i, e) {
		char *t = site_value_text(e);

		strbuf_addstr(sb, i ? ", " : "");
		strbuf_addstr(sb, t);
		free(t);
	}
}

/* the rule's scope as its vendor states it: "category: process_creation; product: windows" */
static void scope_text(struct strbuf *sb, const json_t *ctx)
{
	const char *key;
	json_t *v;
	int n = 0;

	json_object_foreach((json_t *)ctx, key, v) {
		struct strbuf t = STRBUF_INIT;

		list_text(&t, v);
		if (!t.len && !json_is_number(v)) {
			strbuf_release(&t);
			continue;
		}
		if (json_is_number(v) || json_is_boolean(v)) {
			char *x = site_value_text(v);

			strbuf_addstr(&t, x);
			free(x);
		}
		strbuf_addstr(sb, n++ ? "; " : "");
		strbuf_addstr(sb, key);
		strbuf_addstr(sb, ": ");
		strbuf_addstr(sb, t.buf);
		strbuf_release(&t);
	}
}

/* a metadata row in both forms, left out when the value is empty */
static void meta_row(struct strbuf *html, struct strbuf *md, const char *key, const char *val)
{
	if (!val || !*val)
		return;
	row(html, key, val);
	md_item(md, key, val);
}

/* references and false positives: a list each, as the rule states them */
static void text_list(struct strbuf *html, struct strbuf *md, const char *heading, const json_t *v,
		      int links)
{
	const json_t *e;
	size_t i, n = json_is_array(v) ? json_array_size(v) : json_is_string(v) ? 1 : 0;

	if (!n)
		return;
	strbuf_addf(html, "<h2>%s</h2>\n<ul>\n", heading);
	strbuf_addf(md, "\n## %s\n\n", heading);
	for (i = 0; i < n; i++) {
		char *t;

		e = json_is_array(v) ? json_array_get(v, i) : v;
		t = site_value_text(e);
		strbuf_addstr(html, "<li>");
		if (links && is_web_url(t)) {
			strbuf_addstr(html, "<a href=\"");
			site_esc(html, t);
			strbuf_addstr(html, "\">");
			site_esc(html, t);
			strbuf_addstr(html, "</a>");
		} else {
			site_esc(html, t);
		}
		strbuf_addstr(html, "</li>\n");
		strbuf_addstr(md, "- ");
		md_escape(md, t);
		strbuf_addch(md, '\n');
		free(t);
	}
	strbuf_addstr(html, "</ul>\n");
}

void site_rule_page(const struct site *s, const char *uid, const json_t *r)
{
	struct strbuf html = STRBUF_INIT, md = STRBUF_INIT, name = STRBUF_INIT;
	const json_t *parse = json_object_get(r, "parse"), *e, *preds = json_object_get(r, "predicates");
	const json_t *techs = json_object_get(r, "techniques"), *events = json_object_get(r, "events");
	const json_t *sim = json_object_get(r, "similar");
	const char *title = json_string_value(json_object_get(r, "title")), *status = site_str(parse, "status");
	const char *url = site_str(r, "url");
	size_t i, n;
	char *rel;

	site_page_head(&html, "../", title && *title ? title : uid);
	strbuf_addstr(&html, "<h1>");
	site_rule_title(&html, r, uid);
	strbuf_addstr(&html, "</h1>\n<table>\n<tbody>\n");
	strbuf_addstr(&md, "# ");
	md_escape(&md, title && *title ? title : uid);
	strbuf_addstr(&md, "\n\n");
	row(&html, "uid", uid);
	row(&html, "Vendor", site_vendor_label(site_str(r, "vendor")));
	row(&html, "Source", site_str(r, "source"));
	md_item(&md, "uid", uid);
	md_item(&md, "Vendor", site_vendor_label(site_str(r, "vendor")));
	md_item(&md, "Source", site_str(r, "source"));
	strbuf_addstr(&html, "<tr><th>Path</th><td>");
	if (is_web_url(url)) {
		strbuf_addstr(&html, "<a href=\"");
		site_esc(&html, url);
		strbuf_addstr(&html, "\">");
		site_esc(&html, site_str(r, "path"));
		strbuf_addstr(&html, "</a> <span class=\"meta\">(upstream)</span>");
		strbuf_addstr(&md, "- **Path**: [");
		md_escape(&md, site_str(r, "path"));
		strbuf_addstr(&md, "](");
		strbuf_addstr(&md, url);	/* percent-encoded: no space, no ')' to escape */
		strbuf_addstr(&md, ")\n");
	} else {
		site_esc(&html, site_str(r, "path"));
		md_item(&md, "Path", site_str(r, "path"));
	}
	strbuf_addstr(&html, "</td></tr>\n");
	{
		struct strbuf st = STRBUF_INIT, au = STRBUF_INIT, sc = STRBUF_INIT;
		const char *status_w = site_str(r, "status");

		strbuf_addstr(&st, *status_w ? status_w : "");
		if (json_is_true(json_object_get(r, "retired"))) {
			strbuf_addstr(&st, st.len ? " (retired: " : "retired (");
			strbuf_addstr(&st, site_str(r, "retired_why"));
			strbuf_addstr(&st, ")");
		}
		meta_row(&html, &md, "Status", st.buf);
		list_text(&au, json_object_get(r, "author"));
		meta_row(&html, &md, "Author", au.buf);
		meta_row(&html, &md, "Date", site_str(r, "date"));
		meta_row(&html, &md, "Modified", site_str(r, "modified"));
		scope_text(&sc, json_object_get(r, "context"));
		meta_row(&html, &md, "Scope", sc.buf);
		strbuf_release(&st);
		strbuf_release(&au);
		strbuf_release(&sc);
	}
	row(&html, "Severity", *site_str(r, "severity") ? site_str(r, "severity") : "not stated");
	if (json_is_number(json_object_get(r, "risk_score"))) {
		char *rs = site_value_text(json_object_get(r, "risk_score"));

		meta_row(&html, &md, "Risk score", rs);
		free(rs);
	}
	row(&html, "Rule type", site_str(r, "rule_type"));
	row(&html, "Language", site_str(r, "language"));
	md_item(&md, "Severity", *site_str(r, "severity") ? site_str(r, "severity") : "not stated");
	md_item(&md, "Rule type", site_str(r, "rule_type"));
	md_item(&md, "Language", site_str(r, "language"));
	strbuf_addstr(&html, "<tr><th>Techniques</th><td>");
	strbuf_addstr(&md, "- **Techniques**:");
	n = 0;
	json_array_foreach((json_t *)techs, i, e) {
		const char *id = json_string_value(e);

		if (!id)
			continue;
		strbuf_addstr(&html, n ? ", " : "");
		strbuf_addstr(&md, n++ ? ", " : " ");
		if (json_object_get(s->tech_ids, id)) {
			strbuf_addstr(&html, "<a href=\"");
			site_tech_href(&html, "../", id);
			strbuf_addstr(&html, "\">");
			site_esc(&html, id);
			strbuf_addstr(&html, "</a>");
			strbuf_addstr(&md, "[");
			md_escape(&md, id);
			strbuf_addstr(&md, "](../technique/");
			safe_filename(&md, id);
			strbuf_addstr(&md, ".md)");
		} else {
			site_esc(&html, id);
			md_escape(&md, id);
		}
	}
	strbuf_addstr(&html, "</td></tr>\n<tr><th>Tactics</th><td>");
	strbuf_addstr(&md, "\n- **Tactics**:");
	json_array_foreach(json_object_get(r, "tactics"), i, e) {
		char *v = site_value_text(e);

		strbuf_addstr(&html, i ? ", " : "");
		strbuf_addstr(&md, i ? ", " : " ");
		site_esc(&html, v);
		md_escape(&md, v);
		free(v);
	}
	if (json_is_true(json_object_get(r, "tactics_derived"))) {
		strbuf_addstr(&html, " <span class=\"meta\">(from its techniques: the rule states none)</span>");
		strbuf_addstr(&md, " (from its techniques: the rule states none)");
	}
	strbuf_addstr(&html, "</td></tr>\n<tr><th>Parse status</th><td class=\"status-");
	site_esc(&html, status);
	strbuf_addstr(&html, "\">");
	site_esc(&html, status);
	strbuf_addstr(&html, "</td></tr>\n</tbody>\n</table>\n");
	strbuf_addstr(&md, "\n");
	md_item(&md, "Parse status", status);

	if (json_string_value(json_object_get(r, "description")) && *site_str(r, "description")) {
		strbuf_addstr(&html, "<h2>Description</h2>\n<p class=\"description\">");
		site_esc(&html, site_str(r, "description"));
		strbuf_addstr(&html, "</p>\n");
		strbuf_addstr(&md, "\n## Description\n\n");
		md_escape(&md, site_str(r, "description"));
		strbuf_addch(&md, '\n');
	}
	text_list(&html, &md, "False positives", json_object_get(r, "falsepositives"), 0);
	text_list(&html, &md, "References", json_object_get(r, "references"), 1);

	if (json_array_size(json_object_get(parse, "errors"))) {
		strbuf_addstr(&html, "<h2>Parse messages</h2>\n<ul>\n");
		strbuf_addstr(&md, "\n## Parse messages\n\n");
		json_array_foreach(json_object_get(parse, "errors"), i, e) {
			strbuf_addstr(&html, "<li>");
			site_esc(&html, json_is_object(e) ? site_str(e, "message") : "");
			strbuf_addstr(&html, "</li>\n");
			strbuf_addstr(&md, "- ");
			md_escape(&md, json_is_object(e) ? site_str(e, "message") : "");
			strbuf_addch(&md, '\n');
		}
		strbuf_addstr(&html, "</ul>\n");
	}
	if (json_array_size(json_object_get(r, "attack_issues"))) {
		strbuf_addstr(&html, "<h2>ATT&amp;CK issues</h2>\n<ul>\n");
		strbuf_addstr(&md, "\n## ATT&CK issues\n\n");
		json_array_foreach(json_object_get(r, "attack_issues"), i, e) {
			char *v = site_value_text(e);

			strbuf_addstr(&html, "<li><code>");
			site_esc(&html, v);
			strbuf_addstr(&html, "</code></li>\n");
			strbuf_addstr(&md, "- ");
			md_escape(&md, v);
			strbuf_addch(&md, '\n');
			free(v);
		}
		strbuf_addstr(&html, "</ul>\n");
	}

	strbuf_addf(&html, "<h2>Events (%zu)</h2>\n", json_array_size(events));
	strbuf_addf(&md, "\n## Events (%zu)\n", json_array_size(events));
	if (json_array_size(events)) {
		static const struct table_col cols[] = {
			{ "Provider", 0, 0, 0, 0 }, { "Event", 0, 0, 0, 0 }, { "Title", 0, 0, 0, 0 },
		};
		struct table tb;

		strbuf_addch(&md, '\n');
		table_begin(&tb, &html, &md, cols, 3);
		json_array_foreach((json_t *)events, i, e) {
			char *v = site_value_text(json_object_get(e, "event"));

			table_cell(&tb, site_str(e, "provider"));
			table_cell(&tb, v);
			table_cell(&tb, site_str(e, "title"));
			free(v);
		}
		table_end(&tb);
	}

	strbuf_addf(&html, "<h2>Predicates (%zu)</h2>\n", json_array_size(preds));
	strbuf_addf(&md, "\n## Predicates (%zu)\n", json_array_size(preds));
	if (json_array_size(preds)) {
		static const struct table_col cols[] = {
			{ "Field <span class=\"meta\">(as written)</span>", "Field (as written)", "field", 0, 0 },
			{ "Kind", 0, 0, 0, 0 }, { "Value", 0, 0, 0, 1 }, { "Raw value", 0, 0, 0, 1 },
			{ "Flags", 0, 0, 0, 0 }, { "Selection", 0, "samples", 0, 0 },
		};
		struct table tb;

		strbuf_addch(&md, '\n');
		table_begin(&tb, &html, &md, cols, 6);
		json_array_foreach((json_t *)preds, i, e) {
			char *v = site_value_text(json_object_get(e, "value"));
			char *raw = site_value_text(json_object_get(e, "raw_value"));
			char *sel = site_value_text(json_object_get(e, "selection"));
			struct strbuf flags = STRBUF_INIT;

			predicate_flags(&flags, e);
			table_cell_open(&tb);
			strbuf_addstr(&html, "<code>");
			site_esc(&html, site_str(e, "field"));
			strbuf_addstr(&html, "</code><br><span class=\"meta\">");
			site_esc(&html, site_str(e, "raw_field"));
			strbuf_addstr(&html, "</span>");
			md_escape(&md, site_str(e, "field"));
			if (site_str(e, "raw_field")) {
				strbuf_addstr(&md, " (");
				md_escape(&md, site_str(e, "raw_field"));
				strbuf_addstr(&md, ")");
			}
			table_cell_close(&tb);
			table_cell(&tb, site_str(e, "op"));
			table_cell(&tb, v);
			table_cell(&tb, raw);
			table_cell(&tb, flags.buf ? flags.buf : "");
			table_cell(&tb, sel);
			strbuf_release(&flags);
			free(v);
			free(raw);
			free(sel);
		}
		table_end(&tb);
	}

	/* what no other catalog shows: this detection's counterparts and near-duplicates */
	strbuf_addstr(&html, "<h2>Similar rules</h2>\n<p class=\"note\">Rules whose canonical (field, "
		      "kind, value) indicators overlap this rule's most: shared indicators over the union of "
		      "both sets (Jaccard). A counterpart in another vendor is where to look when porting "
		      "this detection; a near-duplicate in the same vendor, when de-duplicating.</p>\n");
	strbuf_addstr(&md, "\n## Similar rules\n\nRules whose canonical indicators overlap this rule's "
		      "most (shared over union, Jaccard).\n");
	if (!has_indicators(preds)) {
		/* nothing to compare: say so, not that no rule shares its indicators */
		strbuf_addstr(&html, "<p class=\"note\">This rule has no indicator to compare (");
		strbuf_addstr(&md, "\nThis rule has no indicator to compare (");
		if (json_array_size(preds)) {
			strbuf_addstr(&html, "its predicates are all exclusions, negated or computed");
			strbuf_addstr(&md, "its predicates are all exclusions, negated or computed");
		} else {
			strbuf_addstr(&html, "no predicate: parse status ");
			site_esc(&html, status);
			strbuf_addstr(&md, "no predicate: parse status ");
			md_escape(&md, status);
		}
		strbuf_addstr(&html, "), so its counterparts are not known.</p>\n");
		strbuf_addstr(&md, "), so its counterparts are not known.\n");
	} else {
		similar_table(&html, &md, s, json_object_get(sim, "other_vendors"), "Counterparts in other vendors",
			      "No rule of another vendor shares a quarter of its indicators with this one.");
		similar_table(&html, &md, s, json_object_get(sim, "same_vendor"), "Near-duplicates in the same vendor",
			      "No rule of the same vendor shares a quarter of its indicators with this one.");
	}

	if (json_string_value(json_object_get(r, "query"))) {
		strbuf_addstr(&html, "<h2>Query</h2>\n<pre><code>");
		site_esc(&html, site_str(r, "query"));
		strbuf_addstr(&html, "</code></pre>\n");
		strbuf_addstr(&md, "\n## Query\n\n");
		md_fence(&md, site_str(r, "query"));
		strbuf_addch(&md, '\n');
		strbuf_addstr(&md, site_str(r, "query"));
		if (md.len && md.buf[md.len - 1] != '\n')
			strbuf_addch(&md, '\n');
		md_fence(&md, site_str(r, "query"));
		strbuf_addch(&md, '\n');
	}
	site_page_foot(&html);

	safe_filename(&name, uid);
	rel = xasprintf("rule/%s.html", name.buf);
	site_write_file(s, rel, &html);
	free(rel);
	rel = xasprintf("rule/%s.md", name.buf);
	site_write_file(s, rel, &md);
	free(rel);
	strbuf_release(&html);
	strbuf_release(&md);
	strbuf_release(&name);
}

