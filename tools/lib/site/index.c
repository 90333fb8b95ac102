/* The index with its ATT&CK matrix, vendor pages and Navigator layers (site.h). */
#include "site/site.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog/coverage.h"
#include "common/util.h"
#include "site/eventpage.h"
#include "site/html.h"
#include "site/navigator.h"
#include "site/table.h"

/* ---- the ATT&CK matrix on the index ---- */

static const char *const tactic_order[] = {
	"reconnaissance", "resource-development", "initial-access", "execution", "persistence",
	"privilege-escalation", "defense-evasion", "credential-access", "discovery",
	"lateral-movement", "collection", "command-and-control", "exfiltration", "impact"
};
#define NTACTICS (sizeof(tactic_order) / sizeof(tactic_order[0]))

static int has_tactic(const json_t *t, const char *tactic)
{
	const json_t *e;
	size_t i;

	json_array_foreach(json_object_get(t, "tactics"), i, e)
		if (json_string_value(e) && strcmp(json_string_value(e), tactic) == 0)
			return 1;
	return 0;
}


/* a technique's rules: all of them, or one vendor's */
static long long tech_rules(const json_t *t, const char *only)
{
	const json_t *tr = json_object_get(t, "rules");

	return json_integer_value(only ? json_object_get(json_object_get(tr, "by_vendor"), only)
				  : json_object_get(tr, "total"));
}

/* a technique's rules runnable with the site's profile: all, or one vendor's (0 without a profile) */
static long long tech_runnable(const struct site *s, const json_t *t, const char *only)
{
	const json_t *c = s->tech_coverage ? json_object_get(s->tech_coverage, site_str(t, "id")) : NULL;

	return json_integer_value(only ? json_object_get(json_object_get(json_object_get(c, "by_vendor"), only),
							 "runnable")
				  : json_object_get(c, "runnable"));
}

/* a cell with no rule runnable with the profile: white, its border dashed red (no stylesheet change) */
#define NORUN_STYLE "border: 1px dashed #b3261e; background: #fff"

/*
 * One cell of the matrix: id, count, name, every vendor's count (short labels,
 * in full on hover). With a profile, the counts are "runnable/all" and the
 * shade is the runnable rules'.
 */
static void matrix_cell(struct strbuf *sb, const struct site *s, const json_t *t, const char **vendors,
			size_t nv, const char *only, const char *prefix, long long max, int sub)
{
	const json_t *tr = json_object_get(t, "rules");
	long long n = tech_rules(t, only), run = tech_runnable(s, t, only);
	struct strbuf tip = STRBUF_INIT;
	size_t j;

	if (s->profile)
		strbuf_addf(&tip, "runnable with %s: %lld of %lld; ", profile_name(s->profile), run, n);
	for (j = 0; j < nv; j++) {
		long long v = json_integer_value(json_object_get(json_object_get(tr, "by_vendor"), vendors[j]));

		if (!v)
			continue;
		strbuf_addf(&tip, "%s%s ", tip.len && tip.buf[tip.len - 1] != ' ' ? ", " : "",
			    site_vendor_label(vendors[j]));
		if (s->profile)
			strbuf_addf(&tip, "%lld of ", tech_runnable(s, t, vendors[j]));
		strbuf_addf(&tip, "%lld", v);
	}
	if (s->profile)
		strbuf_addf(sb, "<a class=\"cell heat-%d%s%s\"%s href=\"", site_heat(run, max), sub ? " sub" : "",
			    run ? "" : " norun", run ? "" : " style=\"" NORUN_STYLE "\"");
	else
		strbuf_addf(sb, "<a class=\"cell heat-%d%s\" href=\"", site_heat(n, max), sub ? " sub" : "");
	site_tech_href(sb, prefix, site_str(t, "id"));
	strbuf_addstr(sb, "\" title=\"");
	site_esc(sb, tip.buf ? tip.buf : "");
	strbuf_addstr(sb, "\"><span class=\"tid\">");
	site_esc(sb, site_str(t, "id"));
	if (s->profile)	/* not floated: a wide "352/852" wraps whole below the id, not into the name */
		strbuf_addf(sb, "</span> <span class=\"count\" style=\"float: none; white-space: nowrap\">"
			    "%lld/%lld</span><br>", run, n);
	else
		strbuf_addf(sb, "</span> <span class=\"count\">%lld</span><br>", n);
	site_esc(sb, site_str(t, "name"));
	strbuf_addstr(sb, "<br><span class=\"vendors\">");
	for (j = 0; j < nv; j++) {
		long long v = json_integer_value(json_object_get(json_object_get(tr, "by_vendor"), vendors[j]));
		const char *label = site_vendor_label(vendors[j]);
		char abbr[3] = { 0, 0, 0 };

		if (!v)
			continue;
		/* "Si", "El", "Sp", "Ku": two ASCII letters, else the whole label */
		if (label[0] && label[1] && !(label[0] & 0x80) && !(label[1] & 0x80)) {
			abbr[0] = label[0];
			abbr[1] = label[1];
			label = abbr;
		}
		site_esc(sb, label);
		if (s->profile)
			strbuf_addf(sb, "&#8239;%lld/%lld ", tech_runnable(s, t, vendors[j]), v);
		else
			strbuf_addf(sb, "&#8239;%lld ", v);
	}
	strbuf_addstr(sb, "</span></a>");
	strbuf_release(&tip);
}

/* 1 when t is a sub-technique whose parent is shown in the same column */
static int folded_under_parent(const struct site *s, const json_t *t, const char *tactic, const char *only)
{
	const char *parent = json_string_value(json_object_get(t, "parent"));
	const json_t *p;
	size_t i;

	if (!parent)
		return 0;
	json_array_foreach(s->techniques, i, p)
		if (!strcmp(site_str(p, "id"), parent))
			return has_tactic(p, tactic) && tech_rules(p, only) > 0;
	return 0;
}

/*
 * The matrix of every technique with live rules, or of one vendor's (only):
 * a column per tactic, side by side in one grid that fits the page's width;
 * each technique's sub-techniques folded into it (<details>, no script).
 */
static void matrix(struct strbuf *sb, const struct site *s, const char **vendors, size_t nv,
		   const char *only, const char *prefix)
{
	const char **cols = xmalloc((NTACTICS + 1) * sizeof(*cols));
	json_t *others = json_object(), *t, *e, *val;
	const char *key;
	size_t ncols = 0, i, j, k, extra, shown = 0;
	long long max = 0;
	unsigned char *any;

	json_array_foreach(s->techniques, i, t) {
		long long n = s->profile ? tech_runnable(s, t, only) : tech_rules(t, only);

		if (n > max)
			max = n;
		json_array_foreach(json_object_get(t, "tactics"), j, e) {
			int known = 0;

			for (k = 0; k < NTACTICS; k++)
				known |= json_string_value(e) && strcmp(json_string_value(e), tactic_order[k]) == 0;
			if (!known && json_string_value(e))
				json_object_set_new(others, json_string_value(e), json_true());
		}
	}
	for (k = 0; k < NTACTICS; k++)
		cols[ncols++] = tactic_order[k];
	cols = xrealloc(cols, (NTACTICS + json_object_size(others) + 1) * sizeof(*cols));
	extra = ncols;
	json_object_foreach(others, key, val)
		cols[ncols++] = key;
	qsort(cols + extra, ncols - extra, sizeof(*cols), site_cmp_str);
	any = xcalloc(ncols + 1, 1);
	for (k = 0; k < ncols; k++) {
		json_array_foreach(s->techniques, i, t)
			any[k] |= has_tactic(t, cols[k]) && tech_rules(t, only) > 0;
		shown += any[k];
	}

	strbuf_addstr(sb, "<h2 id=\"matrix\">ATT&amp;CK matrix</h2>\n<p class=\"note\">Techniques with live rules");
	if (only) {
		strbuf_addstr(sb, " of ");
		site_esc(sb, site_vendor_label(only));
	}
	if (s->profile) {
		strbuf_addstr(sb, ", by tactic. Each cell gives the rules runnable with the telemetry of the "
			      "profile <strong>");
		site_esc(sb, profile_name(s->profile));
		strbuf_addstr(sb, "</strong> beside all its rules (runnable/all); the darker the cell, the more "
			      "runnable rules (on a logarithmic scale); a technique with none runnable has a white "
			      "cell with a dashed red border. The line below gives every vendor's "
			      "(Si Sigma, El Elastic, Sp Splunk, Ku Kusto: in full on hover). Open a technique's "
			      "sub-techniques with its triangle.</p>\n");
	} else {
		strbuf_addstr(sb, ", by tactic; the darker the cell, the more rules (on a logarithmic scale)");
		if (only) {
			strbuf_addstr(sb, " of ");
			site_esc(sb, site_vendor_label(only));
		}
		strbuf_addstr(sb, ". The number is the shading's count; the line below gives every vendor's "
			      "(Si Sigma, El Elastic, Sp Splunk, Ku Kusto: in full on hover). Open a technique's "
			      "sub-techniques with its triangle.</p>\n");
	}
	strbuf_addf(sb, "<div class=\"matrix\" style=\"--cols: %zu\">\n", shown ? shown : 1);
	for (k = 0; k < ncols; k++) {
		if (!any[k])
			continue;
		strbuf_addstr(sb, "<section><h3>");
		site_esc(sb, cols[k]);
		strbuf_addstr(sb, "</h3>\n");
		json_array_foreach(s->techniques, i, t) {
			const json_t *sub;
			size_t nsub = 0, m;
			int is_sub = json_string_value(json_object_get(t, "parent")) != NULL;

			if (!has_tactic(t, cols[k]) || tech_rules(t, only) <= 0)
				continue;
			if (is_sub && folded_under_parent(s, t, cols[k], only))
				continue;	/* shown inside its parent */
			if (!is_sub)
				json_array_foreach(s->techniques, m, sub)
					nsub += !strcmp(site_str(sub, "parent"), site_str(t, "id")) &&
						has_tactic(sub, cols[k]) && tech_rules(sub, only) > 0;
			if (!nsub) {
				matrix_cell(sb, s, t, vendors, nv, only, prefix, max, is_sub);
				strbuf_addch(sb, '\n');
				continue;
			}
			strbuf_addstr(sb, "<details class=\"subs\"><summary>");
			matrix_cell(sb, s, t, vendors, nv, only, prefix, max, 0);
			strbuf_addf(sb, "<span class=\"nsub\">%zu sub-technique%s</span></summary>\n", nsub,
				    nsub == 1 ? "" : "s");
			json_array_foreach(s->techniques, m, sub)
				if (!strcmp(site_str(sub, "parent"), site_str(t, "id")) &&
				    has_tactic(sub, cols[k]) && tech_rules(sub, only) > 0) {
					matrix_cell(sb, s, sub, vendors, nv, only, prefix, max, 1);
					strbuf_addch(sb, '\n');
				}
			strbuf_addstr(sb, "</details>\n");
		}
		strbuf_addstr(sb, "</section>\n");
	}
	strbuf_addstr(sb, "</div>\n");
	free(any);
	free(cols);
	json_decref(others);
}

/* ---- index, vendor pages, Navigator layers ---- */

/* "All vendors · Sigma 3,748 · Elastic 0 ...": the vendor filter of the overview pages */
static void vendor_filter(struct strbuf *sb, const struct site *s, const char **vendors, size_t nv,
			  const char *only, const char *prefix)
{
	const json_t *crules = json_object_get(s->corpus, "rules");
	size_t i;

	strbuf_addstr(sb, "<p class=\"filters\">Show: ");
	if (only) {
		strbuf_addf(sb, "<a href=\"%sindex.html\">All vendors</a>", prefix);
	} else {
		strbuf_addstr(sb, "<strong>All vendors</strong>");
	}
	strbuf_addf(sb, " <span class=\"meta\">%lld</span>",
		    (long long)json_integer_value(json_object_get(crules, "total")));
	for (i = 0; i < nv; i++) {
		long long n = json_integer_value(json_object_get(json_object_get(crules, "by_vendor"), vendors[i]));

		strbuf_addstr(sb, " · ");
		if (only && !strcmp(only, vendors[i])) {
			strbuf_addstr(sb, "<strong>");
			site_esc(sb, site_vendor_label(vendors[i]));
			strbuf_addstr(sb, "</strong>");
		} else if (n > 0) {
			strbuf_addf(sb, "<a href=\"%svendor/", prefix);
			safe_filename(sb, vendors[i]);
			strbuf_addstr(sb, ".html\">");
			site_esc(sb, site_vendor_label(vendors[i]));
			strbuf_addstr(sb, "</a>");
		} else {
			strbuf_addstr(sb, "<span class=\"meta\">");
			site_esc(sb, site_vendor_label(vendors[i]));
			strbuf_addstr(sb, "</span>");
		}
		strbuf_addf(sb, " <span class=\"meta\">%lld</span>", n);
	}
	strbuf_addstr(sb, "</p>\n");
}

/* Every technique with rules (of one vendor when only is set), per vendor; md may be NULL. */
static void techniques_table(struct strbuf *html, struct strbuf *md, const struct site *s,
			     const char **vendors, size_t nv, const char *only, const char *prefix)
{
	size_t fixed = s->profile ? 5 : 4;	/* ID, Name, Tactics, Rules[, Runnable] */
	struct table_col *cols = xcalloc(nv + fixed, sizeof(*cols));
	struct strbuf *titles = xcalloc(nv + 1, sizeof(*titles));
	struct table tb;
	const json_t *t, *e;
	size_t i, j;

	cols[0].title = "ID";
	cols[1].title = "Name";
	cols[2].title = "Tactics";
	cols[3].title = "Rules";
	cols[3].num = 1;
	if (s->profile) {
		cols[4].title = "Runnable";
		cols[4].num = 1;
	}
	for (i = 0; i < nv; i++) {
		strbuf_init(&titles[i], 16);
		site_esc(&titles[i], site_vendor_label(vendors[i]));
		cols[fixed + i].title = titles[i].buf;
		cols[fixed + i].num = 1;
	}
	strbuf_addstr(html, "<h2 id=\"techniques\">Techniques</h2>\n");
	if (md)
		strbuf_addstr(md, "\n## Techniques\n\n");
	if (s->profile) {
		strbuf_addstr(html, "<p class=\"note\">Runnable: the rules that run with the telemetry of the profile <strong>");
		site_esc(html, profile_name(s->profile));
		strbuf_addstr(html, "</strong>.</p>\n");
		if (md) {
			strbuf_addstr(md, "Runnable: the rules that run with the telemetry of the profile **");
			md_escape(md, profile_name(s->profile));
			strbuf_addstr(md, "**.\n\n");
		}
	}
	table_begin(&tb, html, md, cols, nv + fixed);
	json_array_foreach(s->techniques, i, t) {
		const json_t *tr = json_object_get(t, "rules");

		if (tech_rules(t, only) <= 0)
			continue;
		table_cell_open(&tb);
		strbuf_addstr(html, "<a href=\"");
		site_tech_href(html, prefix, site_str(t, "id"));
		strbuf_addstr(html, "\">");
		site_esc(html, site_str(t, "id"));
		strbuf_addstr(html, "</a>");
		if (md) {
			strbuf_addstr(md, "[");
			md_escape(md, site_str(t, "id"));
			strbuf_addstr(md, "](");
			strbuf_addstr(md, prefix);
			strbuf_addstr(md, "technique/");
			safe_filename(md, site_str(t, "id"));
			strbuf_addstr(md, ".md)");
		}
		table_cell_close(&tb);
		table_cell(&tb, site_str(t, "name"));
		table_cell_open(&tb);
		json_array_foreach(json_object_get(t, "tactics"), j, e) {
			char *v = site_value_text(e);

			if (j)
				strbuf_addstr(html, ", ");
			site_esc(html, v);
			if (md) {
				strbuf_addstr(md, j ? ", " : "");
				md_escape(md, v);
			}
			free(v);
		}
		table_cell_close(&tb);
		table_cell_num(&tb, json_integer_value(json_object_get(tr, "total")));
		if (s->profile)
			table_cell_num(&tb, tech_runnable(s, t, only));
		for (j = 0; j < nv; j++)
			table_cell_num(&tb, json_integer_value(json_object_get(
				json_object_get(tr, "by_vendor"), vendors[j])));
	}
	table_end(&tb);
	for (i = 0; i < nv; i++)
		strbuf_release(&titles[i]);
	free(titles);
	free(cols);
}

/* navigator/all.json and navigator/VENDOR.json; the list of them for the index */
static void navigator_layers(const struct site *s, const char **vendors, size_t nv, struct strbuf *html,
			     struct strbuf *md)
{
	size_t i;

	strbuf_addstr(html, "<h2 id=\"navigator\">ATT&amp;CK Navigator layers</h2>\n<p>Coverage scored by rule count, to open "
		      "in MITRE's <a href=\"https://mitre-attack.github.io/attack-navigator/\">ATT&amp;CK "
		      "Navigator</a> (layer format " NAVIGATOR_LAYER_FORMAT "): ");
	strbuf_addstr(md, "\n## ATT&CK Navigator layers\n\nCoverage scored by rule count (layer format "
		      NAVIGATOR_LAYER_FORMAT "): ");
	for (i = 0; i <= nv; i++) {
		const char *v = i ? vendors[i - 1] : NULL;
		char *name = v ? xasprintf("detcat: %s rules", site_vendor_label(v)) : xstrdup("detcat: all rules");
		char *desc = xasprintf("Techniques scored by the number of %s%srules in the detcat catalog.",
				       v ? site_vendor_label(v) : "", v ? " " : "");
		json_t *layer = navigator_layer(s->techniques, v, name, desc,
						json_string_value(json_object_get(s->corpus, "attack_version")));
		char *text = json_dumps(layer, JSON_INDENT(2));
		struct strbuf sb = STRBUF_INIT, file = STRBUF_INIT;

		if (!text)
			msg_die("out of memory");
		strbuf_addstr(&sb, text);
		strbuf_addch(&sb, '\n');
		strbuf_addstr(&file, "navigator/");
		if (v)
			safe_filename(&file, v);
		else
			strbuf_addstr(&file, "all");
		strbuf_addstr(&file, ".json");
		site_write_file(s, file.buf, &sb);
		strbuf_addf(html, "%s<a href=\"%s\">", i ? " · " : "", file.buf);
		site_esc(html, v ? site_vendor_label(v) : "all vendors");
		strbuf_addstr(html, "</a>");
		strbuf_addf(md, "%s[", i ? ", " : "");
		md_escape(md, v ? site_vendor_label(v) : "all vendors");
		strbuf_addf(md, "](%s)", file.buf);
		strbuf_release(&sb);
		strbuf_release(&file);
		free(text);
		json_decref(layer);
		free(name);
		free(desc);
	}
	strbuf_addstr(html, ".</p>\n");
	strbuf_addstr(md, ".\n");
}

static void vendor_page(const struct site *s, const char **vendors, size_t nv, const char *v)
{
	struct strbuf html = STRBUF_INIT, md = STRBUF_INIT, title = STRBUF_INIT, rel = STRBUF_INIT;
	const json_t *crules = json_object_get(s->corpus, "rules");

	strbuf_addf(&title, "%s rules: detcat catalog", site_vendor_label(v));
	site_page_head_main(&html, "../", title.buf, "wide");
	strbuf_addstr(&html, "<h1>");
	site_esc(&html, site_vendor_label(v));
	strbuf_addstr(&html, " rules</h1>\n");
	strbuf_addstr(&md, "# ");
	md_escape(&md, site_vendor_label(v));
	strbuf_addf(&md, " rules\n\n%lld rules. [All vendors](../index.md)\n",
		    (long long)json_integer_value(json_object_get(json_object_get(crules, "by_vendor"), v)));
	vendor_filter(&html, s, vendors, nv, v, "../");
	matrix(&html, s, vendors, nv, v, "../");
	techniques_table(&html, &md, s, vendors, nv, v, "../");
	site_page_foot(&html);
	strbuf_addstr(&rel, "vendor/");
	safe_filename(&rel, v);
	strbuf_addstr(&rel, ".html");
	site_write_file(s, rel.buf, &html);
	strbuf_reset(&rel);
	strbuf_addstr(&rel, "vendor/");
	safe_filename(&rel, v);
	strbuf_addstr(&rel, ".md");
	site_write_file(s, rel.buf, &md);
	strbuf_release(&html);
	strbuf_release(&md);
	strbuf_release(&title);
	strbuf_release(&rel);
}

/* numbers by value, before names; names as strcmp */
static int cmp_event_name(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	size_t dx = strspn(x, "0123456789"), dy = strspn(y, "0123456789");
	int nx = dx && !x[dx], ny = dy && !y[dy];

	if (nx != ny)
		return nx ? -1 : 1;
	if (nx && dx != dy)	/* no leading zeros in event ids: the longer is the larger */
		return dx < dy ? -1 : 1;
	return strcmp(x, y);
}

/* "Sysmon 1, 3, 11; auditd any": the events of a profile (profile_json's), numbers in order */
static void profile_events_text(struct strbuf *sb, const json_t *events, int md)
{
	const char *prov;
	const json_t *v, *e;
	size_t n = 0, i;

	json_object_foreach((json_t *)events, prov, v) {
		const char **names;

		strbuf_addstr(sb, n++ ? "; " : "");
		(md ? md_escape : site_esc)(sb, prov);
		if (json_is_string(v)) {
			strbuf_addstr(sb, " ");
			(md ? md_escape : site_esc)(sb, json_string_value(v));
			continue;
		}
		names = xmalloc((json_array_size(v) + 1) * sizeof(*names));
		json_array_foreach((json_t *)v, i, e)
			names[i] = json_string_value(e) ? json_string_value(e) : "";
		qsort(names, json_array_size(v), sizeof(*names), cmp_event_name);
		for (i = 0; i < json_array_size(v); i++) {
			strbuf_addstr(sb, i ? ", " : " ");
			(md ? md_escape : site_esc)(sb, names[i]);
		}
		free(names);
	}
}

/* what the profile the site was built for runs: its events, rules and techniques, by vendor */
static void profile_section(const struct site *s, const char **vendors, size_t nv, struct strbuf *html,
			    struct strbuf *md)
{
	static const struct table_col cols[] = {
		{ "Vendor", 0, 0, 0, 0 }, { "Rules", 0, 0, 1, 0 }, { "Runnable", 0, 0, 1, 0 },
	};
	const json_t *cr = json_object_get(s->coverage, "rules"), *ct = json_object_get(s->coverage, "techniques");
	const json_t *by = json_object_get(cr, "by_vendor");
	struct table tb;
	size_t i;

	strbuf_addstr(html, "<h2 id=\"profile\">Telemetry profile</h2>\n<p>This site was built for the "
		      "telemetry profile <strong>");
	site_esc(html, profile_name(s->profile));
	strbuf_addstr(html, "</strong>, which collects: ");
	profile_events_text(html, json_object_get(s->coverage, "events"), 0);
	strbuf_addf(html, ".</p>\n<p><strong>%lld of %lld</strong> live rules are runnable with it (a rule "
		    "runs when one of its events is collected; a rule that reads a provider without naming "
		    "an event needs the whole provider); <strong>%lld of %lld</strong> techniques with rules "
		    "are covered (one runnable rule or more).</p>\n",
		    (long long)json_integer_value(json_object_get(cr, "runnable")),
		    (long long)json_integer_value(json_object_get(cr, "total")),
		    (long long)json_integer_value(json_object_get(ct, "covered")),
		    (long long)json_integer_value(json_object_get(ct, "total")));
	strbuf_addstr(md, "\n## Telemetry profile\n\nThis site was built for the telemetry profile **");
	md_escape(md, profile_name(s->profile));
	strbuf_addstr(md, "**, which collects: ");
	profile_events_text(md, json_object_get(s->coverage, "events"), 1);
	strbuf_addf(md, ".\n\n%lld of %lld live rules are runnable with it; %lld of %lld techniques with "
		    "rules are covered (one runnable rule or more).\n\n",
		    (long long)json_integer_value(json_object_get(cr, "runnable")),
		    (long long)json_integer_value(json_object_get(cr, "total")),
		    (long long)json_integer_value(json_object_get(ct, "covered")),
		    (long long)json_integer_value(json_object_get(ct, "total")));
	table_begin(&tb, html, md, cols, 3);
	for (i = 0; i < nv; i++) {
		const json_t *v = json_object_get(by, vendors[i]);

		if (!v)
			continue;
		table_cell(&tb, site_vendor_label(vendors[i]));
		table_cell_num(&tb, json_integer_value(json_object_get(v, "rules")));
		table_cell_num(&tb, json_integer_value(json_object_get(v, "runnable")));
	}
	table_end(&tb);
}

#define TOP_NEXT 20

/* the events that would add the most runnable rules if collected: the top of coverage's ranking */
static void next_events_section(const struct site *s, struct strbuf *html, struct strbuf *md)
{
	static const struct table_col cols[] = {
		{ "Rank", 0, 0, 1, 0 }, { "Provider", 0, 0, 0, 0 }, { "Event", 0, 0, 0, 0 },
		{ "Title", 0, 0, 0, 0 }, { "Rules gained", 0, 0, 1, 0 },
		{ "Techniques newly covered", 0, 0, 1, 0 },
	};
	const json_t *next = json_object_get(s->coverage, "next"), *e;
	size_t i, gaining = 0;
	struct table tb;

	json_array_foreach((json_t *)next, i, e)
		gaining += json_integer_value(json_object_get(e, "rules_gained")) > 0;
	strbuf_addstr(html, "<h2 id=\"next\">Next events to collect</h2>\n<p class=\"note\">The events "
		      "the profile does not collect, by the rules each would make runnable if it alone were "
		      "added, then by the techniques it would newly cover; <code>any</code> stands for a whole "
		      "provider.");
	strbuf_addstr(md, "\n## Next events to collect\n\nThe events the profile does not collect, by the "
		      "rules each would make runnable if it alone were added, then by the techniques it would "
		      "newly cover; `any` stands for a whole provider.");
	if (!gaining) {
		strbuf_addstr(html, " None would make another rule runnable.</p>\n");
		strbuf_addstr(md, " None would make another rule runnable.\n");
		return;
	}
	strbuf_addf(html, " The top %zu of the %zu that would add a rule or more.</p>\n",
		    gaining < TOP_NEXT ? gaining : TOP_NEXT, gaining);
	strbuf_addf(md, " The top %zu of the %zu that would add a rule or more.\n\n",
		    gaining < TOP_NEXT ? gaining : TOP_NEXT, gaining);
	table_begin(&tb, html, md, cols, 6);
	json_array_foreach((json_t *)next, i, e) {
		const char *prov = site_str(e, "provider"), *ev = site_str(e, "event");

		if (i >= TOP_NEXT || json_integer_value(json_object_get(e, "rules_gained")) <= 0)
			break;
		table_cell_num(&tb, json_integer_value(json_object_get(e, "rank")));
		table_cell(&tb, prov);
		if (site_event_has_page(s, prov, ev)) {
			table_cell_open(&tb);
			strbuf_addstr(html, "<a href=\"");
			site_event_href(html, "", prov, ev, ".html");
			strbuf_addstr(html, "\">");
			site_esc(html, ev);
			strbuf_addstr(html, "</a>");
			strbuf_addstr(md, "[");
			md_escape(md, ev);
			strbuf_addstr(md, "](");
			site_event_href(md, "", prov, ev, ".md");
			strbuf_addstr(md, ")");
			table_cell_close(&tb);
		} else {
			table_cell(&tb, ev);
		}
		if (!*site_str(e, "title") && !strcmp(ev, "any")) {	/* a provider the catalog gives no "any" */
			char *t = xasprintf("Any %s event", prov);

			table_cell(&tb, t);
			free(t);
		} else {
			table_cell(&tb, site_str(e, "title"));
		}
		table_cell_num(&tb, json_integer_value(json_object_get(e, "rules_gained")));
		table_cell_num(&tb, json_integer_value(json_object_get(e, "techniques_gained")));
	}
	table_end(&tb);
}

void site_index_page(const struct site *s)
{
	struct strbuf html = STRBUF_INIT, md = STRBUF_INIT;
	const json_t *crules = json_object_get(s->corpus, "rules"), *parse = json_object_get(s->corpus, "parse");
	json_t *by_vendor = json_object_get(crules, "by_vendor"), *val;
	const char **vendors, *key;
	size_t nv, i;

	site_page_head_main(&html, "", "detcat catalog", "wide");
	strbuf_addstr(&html, "<h1>detcat catalog</h1>\n");
	site_search_form(&html);
	strbuf_addstr(&md, "# detcat catalog\n");
	nv = site_vendor_list(by_vendor, &vendors);
	vendor_filter(&html, s, vendors, nv, NULL, "");
	{
		/* `make diff` writes diff.html and diff.md beside the index: link them when there */
		char *diff = xasprintf("%s/diff.html", s->dir);

		if (access(diff, R_OK) == 0) {
			strbuf_addstr(&html, "<p><a href=\"diff.html\">What changed between two snapshots</a></p>\n");
			strbuf_addstr(&md, "\n[What changed between two snapshots](diff.md)\n");
		}
		free(diff);
	}
	strbuf_addstr(&html, "<p class=\"toc\">On this page: <a href=\"#corpus\">Corpus</a> · ");
	if (s->profile)
		strbuf_addstr(&html, "<a href=\"#profile\">Telemetry profile</a> · ");
	strbuf_addstr(&html, "<a href=\"#matrix\">ATT&amp;CK matrix</a> · ");
	if (s->profile)
		strbuf_addstr(&html, "<a href=\"#next\">Next events to collect</a> · ");
	strbuf_addstr(&html, "<a href=\"#navigator\">Navigator layers</a> · "
		      "<a href=\"#rules\">All rules</a> · <a href=\"event/index.html\">Events</a> · "
		      "<a href=\"#techniques\">Techniques</a></p>\n");
	strbuf_addstr(&html, "<h2 id=\"corpus\">Corpus</h2>\n");
	strbuf_addstr(&md, "\n## Corpus\n\n");
	{
		static const struct table_col cols[] = { { "Vendor", 0, 0, 0, 0 }, { "Rules", 0, 0, 1, 0 } };
		struct table tb;

		table_begin(&tb, &html, &md, cols, 2);
		for (i = 0; i < nv; i++) {
			table_cell(&tb, site_vendor_label(vendors[i]));
			table_cell_num(&tb, json_integer_value(json_object_get(by_vendor, vendors[i])));
		}
		/* the total, a header row in HTML */
		strbuf_addf(&html, "<tr><th>All</th><th class=\"num\">%lld</th></tr>\n",
			    (long long)json_integer_value(json_object_get(crules, "total")));
		strbuf_addf(&md, "| All | %lld |\n", (long long)json_integer_value(json_object_get(crules, "total")));
		table_end(&tb);
	}
	strbuf_addstr(&html, "<p>Parse status:");
	strbuf_addstr(&md, "\nParse status:");
	json_object_foreach((json_t *)parse, key, val) {
		strbuf_addstr(&html, " ");
		site_esc(&html, key);
		strbuf_addf(&html, " %lld;", (long long)json_integer_value(val));
		strbuf_addstr(&md, " ");
		md_escape(&md, key);
		strbuf_addf(&md, " %lld;", (long long)json_integer_value(val));
	}
	if (json_integer_value(json_object_get(crules, "retired"))) {
		long long nr = json_integer_value(json_object_get(crules, "retired"));
		int counted = json_is_true(json_object_get(crules, "retired_counted"));

		strbuf_addf(&html, " retired upstream %lld (%s);", nr, counted ? "counted with the live ones"
			    : "listed apart, not counted in the matrix or on technique pages");
		strbuf_addf(&md, " retired upstream %lld (%s);", nr, counted ? "counted with the live ones"
			    : "listed apart, not counted");
	}
	strbuf_addf(&html, " techniques with rules: %lld.</p>\n",
		    (long long)json_integer_value(json_object_get(s->corpus, "techniques_with_rules")));
	strbuf_addf(&md, " techniques with rules: %lld.\n",
		    (long long)json_integer_value(json_object_get(s->corpus, "techniques_with_rules")));

	site_sources_section(s, &html, &md);
	if (s->profile)
		profile_section(s, vendors, nv, &html, &md);
	matrix(&html, s, vendors, nv, NULL, "");
	if (s->profile)
		next_events_section(s, &html, &md);
	navigator_layers(s, vendors, nv, &html, &md);
	strbuf_addf(&html, "<h2 id=\"rules\">All rules</h2>\n<p><a href=\"rules.html\">Every rule of the catalog (%zu)</a>, "
		    "with its vendor and parse status, on a page of its own.</p>\n", json_object_size(s->rules));
	strbuf_addf(&md, "\n## All rules\n\n[Every rule of the catalog (%zu)](rules.md).\n", json_object_size(s->rules));
	strbuf_addstr(&html, "<p><a href=\"event/index.html\">The log events rules read</a>, by provider, each "
		      "with its rules, techniques, fields and indicators.</p>\n");
	strbuf_addstr(&md, "\n[The log events rules read](event/index.md).\n");
	/* last: the longest (a row per technique) */
	techniques_table(&html, &md, s, vendors, nv, NULL, "");
	site_page_foot(&html);
	site_write_file(s, "index.html", &html);
	site_write_file(s, "index.md", &md);
	for (i = 0; i < nv; i++)
		if (json_integer_value(json_object_get(by_vendor, vendors[i])) > 0)
			vendor_page(s, vendors, nv, vendors[i]);
	site_rules_page(s);
	site_search_files(s);
	free(vendors);
	strbuf_release(&html);
	strbuf_release(&md);
}

/* every rule, so rules without a technique have a way in too */
void site_rules_page(const struct site *s)
{
	struct strbuf html = STRBUF_INIT, md = STRBUF_INIT;
	const char **uids, *key;
	size_t nuids, i, j;
	json_t *val;

	site_page_head(&html, "", "All rules: detcat catalog");
	strbuf_addstr(&html, "<h1>All rules</h1>\n");
	strbuf_addstr(&md, "# All rules\n");
	nuids = json_object_size(s->rules);
	uids = xmalloc((nuids + 1) * sizeof(*uids));
	j = 0;
	json_object_foreach(s->rules, key, val)
		uids[j++] = key;
	qsort(uids, nuids, sizeof(*uids), site_cmp_str);
	strbuf_addf(&html, "<p>%zu rules, by uid; the retired ones say so.</p>\n", nuids);
	strbuf_addf(&md, "\n%zu rules, by uid; the retired ones say so.\n\n", nuids);
	{
		static const struct table_col cols[] = {
			{ "Vendor", 0, 0, 0, 0 }, { "Title", 0, 0, 0, 0 }, { "Status", 0, 0, 0, 0 },
			{ "Parse status", 0, 0, 0, 0 },
		};
		struct table tb;
		struct strbuf cls = STRBUF_INIT;

		table_begin(&tb, &html, &md, cols, 4);
		for (i = 0; i < nuids; i++) {
			const json_t *r = json_object_get(s->rules, uids[i]);
			const char *st = site_str(json_object_get(r, "parse"), "status");
			const char *title = json_string_value(json_object_get(r, "title"));

			table_cell(&tb, site_vendor_label(site_str(r, "vendor")));
			table_cell_open(&tb);
			strbuf_addstr(&html, "<a href=\"");
			site_rule_href(&html, "", uids[i]);
			strbuf_addstr(&html, "\">");
			site_rule_title(&html, r, uids[i]);
			strbuf_addstr(&html, "</a>");
			strbuf_addstr(&md, "[");
			md_escape(&md, title && *title ? title : uids[i]);
			strbuf_addstr(&md, "](");
			site_rule_link(&md, "", uids[i], ".md");
			strbuf_addstr(&md, ")");
			table_cell_close(&tb);
			strbuf_reset(&cls);
			strbuf_addstr(&cls, site_str(r, "status"));
			if (json_is_true(json_object_get(r, "retired")))
				strbuf_addstr(&cls, cls.len ? " (retired)" : "retired");
			table_cell(&tb, cls.buf ? cls.buf : "");
			/* the status cell carries its own class */
			strbuf_reset(&cls);
			strbuf_addstr(&cls, "status-");
			site_esc(&cls, st);
			table_cell_open_class(&tb, cls.buf);
			site_esc(&html, st);
			md_escape(&md, st);
			table_cell_close(&tb);
		}
		table_end(&tb);
		strbuf_release(&cls);
	}
	site_page_foot(&html);
	site_write_file(s, "rules.html", &html);
	site_write_file(s, "rules.md", &md);
	free(uids);
	strbuf_release(&html);
	strbuf_release(&md);
}
