/*
 * detcat-diff: what changed between two catalog snapshots (SPEC §7): rules
 * added, removed, moved and changed (and how), technique coverage, indicators
 * and corpus totals, as sorted NDJSON change records or as a Markdown or HTML
 * summary that links each rule to its page in the site. Exits like diff(1).
 * The comparison itself is tools/lib/catalog/diff.c.
 */
#include "catalog/diff.h"
#include "common/cli.h"
#include "common/util.h"
#include "io/ndjson.h"
#include "site/html.h"
#include "site/site.h"
#include "site/table.h"

#include <getopt.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: detcat-diff [options] OLD NEW\n"
		"\n"
		"Compare two catalogs (detcat-aggregate's output, zstd or plain NDJSON) or two\n"
		"snapshot folders (FOLDER/catalog.ndjson.zst and FOLDER/tagged/, as `make\n"
		"snapshot` keeps them) and write what changed from OLD to NEW.\n"
		"\n"
		"  -f, --format FORMAT   ndjson (change records, the default), md or html\n"
		"      --only KINDS      only these, comma-separated: added, removed, moved,\n"
		"                        changed, parse, technique, corpus; or aspects of a\n"
		"                        change: logic, text, attack, events, status,\n"
		"                        severity, level, metadata\n"
		"      --vendor V        only the rules of vendor V (and V's counts)\n"
		"      --site PREFIX     where the summary's links find the site's pages\n"
		"                        (default: the summary sits in the site's folder)\n"
		"  -o, --output FILE     write FILE instead of standard output\n"
		"  -z, --zstd            compress the NDJSON with zstd\n"
		"  -h, --help            this text\n"
		"      --version         print the version\n"
		"\n"
		"Exit status: 0 no differences, 1 differences, 2 trouble (usage, an input that\n"
		"cannot be read, is truncated or is not a catalog, different schema versions).\n");
}

static struct snapshot *volatile kept[2];	/* volatile: the stores stay */

struct load_job {
	struct snapshot *snap;
	const char *path;
	char *err;
	int status;
};

static void *load_thread(void *arg)
{
	struct load_job *j = arg;

	j->status = snapshot_load(j->snap, j->path, &j->err);
	return NULL;
}

/* ---- the summary: HTML and Markdown written side by side ---- */

struct summary {
	struct strbuf html, md;
	const char *prefix;	/* the site, relative to the summary */
};

static void both(struct summary *s, const char *html, const char *md)
{
	strbuf_addstr(&s->html, html);
	strbuf_addstr(&s->md, md);
}

/* escaped text into both forms (md_escape is for table cells and lines alike) */
static void text(struct summary *s, const char *t)
{
	html_escape(&s->html, t);
	md_escape(&s->md, t);
}

/* text as code: <code> in HTML, a code span in Markdown (plain escaped text when it holds a backquote or a line break) */
static void code(struct summary *s, const char *t)
{
	strbuf_addstr(&s->html, "<code>");
	html_escape(&s->html, t);
	strbuf_addstr(&s->html, "</code>");
	if (strpbrk(t, "`\n\r")) {
		md_escape(&s->md, t);
		return;
	}
	strbuf_addf(&s->md, "`%s`", t);
}

static void heading(struct summary *s, const char *t, size_t n)
{
	strbuf_addstr(&s->html, "<h2>");
	html_escape(&s->html, t);
	strbuf_addf(&s->html, " (%zu)</h2>\n", n);
	strbuf_addstr(&s->md, "\n## ");
	md_escape(&s->md, t);
	strbuf_addf(&s->md, " (%zu)\n\n", n);
}

static const char *str(const json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? v : "";
}

/* the rule's title linked to its page (linked: the page exists in the new site) */
static void rule_link(struct summary *s, const json_t *rec, int linked)
{
	const json_t *t = json_object_get(rec, "title");
	const char *uid = str(rec, "uid");
	const char *title = json_is_object(t) ? str(t, "after") : str(rec, "title");

	if (linked) {
		strbuf_addstr(&s->html, "<a href=\"");
		site_rule_href(&s->html, s->prefix, uid);
		strbuf_addstr(&s->html, "\">");
		strbuf_addstr(&s->md, "[");
	}
	text(s, *title ? title : uid);
	if (linked) {
		strbuf_addstr(&s->html, "</a>");
		strbuf_addstr(&s->md, "](");
		site_rule_link(&s->md, s->prefix, uid, ".md");
		strbuf_addstr(&s->md, ")");
	}
	both(s, " <code>", " `");
	html_escape(&s->html, uid);
	strbuf_addstr(&s->md, uid);	/* uids hold no backquote */
	both(s, "</code>", "`");
}

static void tech_link(struct summary *s, const char *id, const char *name)
{
	size_t at;

	strbuf_addstr(&s->html, "<a href=\"");
	site_tech_href(&s->html, s->prefix, id);
	strbuf_addstr(&s->html, "\">");
	html_escape(&s->html, id);
	strbuf_addstr(&s->html, "</a>");
	strbuf_addstr(&s->md, "[");
	md_escape(&s->md, id);
	strbuf_addstr(&s->md, "](");
	at = s->md.len;
	site_tech_href(&s->md, s->prefix, id);
	if (s->md.len - at > 5) {	/* technique/ID.html → .md */
		s->md.len -= 5;
		s->md.buf[s->md.len] = '\0';
		strbuf_addstr(&s->md, ".md");
	}
	strbuf_addstr(&s->md, ")");
	if (name && *name) {
		both(s, " ", " ");
		text(s, name);
	}
}

static long long count_kind(const json_t *recs, const char *kind, const char *aspect, const char *vendor)
{
	const json_t *r, *a;
	long long n = 0;
	size_t i, j;

	json_array_foreach(recs, i, r) {
		if (strcmp(str(r, "change"), kind) != 0 || (vendor && strcmp(str(r, "vendor"), vendor) != 0))
			continue;
		if (!aspect) {
			n++;
			continue;
		}
		if (strcmp(aspect, "metadata only") == 0) {
			a = json_object_get(r, "aspects");
			n += json_array_size(a) == 1 && strcmp(json_string_value(json_array_get(a, 0)), "metadata") == 0;
			continue;
		}
		if (strcmp(aspect, "worse") == 0) {
			n += json_is_true(json_object_get(r, "worse"));
			continue;
		}
		json_array_foreach(json_object_get(r, "aspects"), j, a)
			if (json_string_value(a) && strcmp(json_string_value(a), aspect) == 0) {
				n++;
				break;
			}
	}
	return n;
}

static void counts_table(struct summary *s, const json_t *recs)
{
	static const struct table_col cols[] = {
		{ "Change", NULL, NULL, 0, 0 }, { "Rules", NULL, NULL, 1, 0 },
	};
	static const struct { const char *label, *kind, *aspect; } rows[] = {
		{ "added", "added", NULL }, { "removed", "removed", NULL },
		{ "moved or renamed", "moved", NULL }, { "changed", "changed", NULL },
		{ "… logic (predicates)", "changed", "logic" },
		{ "… query text only", "changed", "text" },
		{ "… techniques", "changed", "attack" },
		{ "… events", "changed", "events" },
		{ "… status", "changed", "status" }, { "… maturity", "changed", "maturity" },
		{ "… retired or back (upstream)", "changed", "retired" },
		{ "… severity", "changed", "severity" }, { "… level", "changed", "level" },
		{ "… metadata only", "changed", "metadata only" },
		{ "parse status changed", "parse", NULL },
		{ "… parsing worse", "parse", "worse" },
	};
	struct table t;
	size_t i;

	table_begin(&t, &s->html, &s->md, cols, 2);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		table_cell(&t, rows[i].label);
		table_cell_num(&t, count_kind(recs, rows[i].kind, rows[i].aspect, NULL));
	}
	table_end(&t);
	strbuf_addstr(&s->md, "\n");
}

/* the vendors named by rule records, sorted */
static json_t *vendors_of(const json_t *recs)
{
	json_t *seen = json_object(), *out = json_array(), *r;
	const char **v;
	const char *key;
	size_t i, n = 0;

	json_array_foreach(recs, i, r)
		if (json_string_value(json_object_get(r, "uid")))
			json_object_set_new(seen, str(r, "vendor"), json_true());
	v = xmalloc((json_object_size(seen) + 1) * sizeof(*v));
	json_object_foreach(seen, key, r)
		v[n++] = key;
	qsort(v, n, sizeof(*v), site_cmp_str);
	for (i = 0; i < n; i++)
		json_array_append_new(out, json_string(v[i]));
	free(v);
	json_decref(seen);
	return out;
}

static void vendor_table(struct summary *s, const json_t *recs)
{
	static const struct table_col cols[] = {
		{ "Vendor", NULL, NULL, 0, 0 }, { "Added", NULL, NULL, 1, 0 },
		{ "Removed", NULL, NULL, 1, 0 }, { "Moved", NULL, NULL, 1, 0 },
		{ "Changed", NULL, NULL, 1, 0 }, { "Logic", NULL, NULL, 1, 0 },
		{ "Parse", NULL, NULL, 1, 0 },
	};
	json_t *vendors = vendors_of(recs), *v;
	struct table t;
	size_t i;

	if (!json_array_size(vendors)) {
		json_decref(vendors);
		return;
	}
	table_begin(&t, &s->html, &s->md, cols, 7);
	json_array_foreach(vendors, i, v) {
		const char *vn = json_string_value(v);

		table_cell(&t, site_vendor_label(vn));
		table_cell_num(&t, count_kind(recs, "added", NULL, vn));
		table_cell_num(&t, count_kind(recs, "removed", NULL, vn));
		table_cell_num(&t, count_kind(recs, "moved", NULL, vn));
		table_cell_num(&t, count_kind(recs, "changed", NULL, vn));
		table_cell_num(&t, count_kind(recs, "changed", "logic", vn));
		table_cell_num(&t, count_kind(recs, "parse", NULL, vn));
	}
	table_end(&t);
	json_decref(vendors);
}

static void corpus_section(struct summary *s, const json_t *c)
{
	static const struct table_col cols[] = {
		{ "Vendor", NULL, NULL, 0, 0 }, { "Before", NULL, NULL, 1, 0 },
		{ "After", NULL, NULL, 1, 0 }, { "Change", NULL, NULL, 1, 0 },
	};
	static const char *const statuses[] = { "ok", "partial", "failed", "no_query" };
	const json_t *bv = json_object_get(c, "by_vendor"), *parse = json_object_get(c, "parse");
	const json_t *b = json_object_get(bv, "before"), *a = json_object_get(bv, "after"), *e;
	json_t *keys = json_object();
	const char **names, *key;
	struct table t;
	size_t i, n = 0;

	both(s, "<h2>Corpus</h2>\n", "\n## Corpus\n\n");
	json_object_foreach((json_t *)b, key, e)
		json_object_set_new(keys, key, json_true());
	json_object_foreach((json_t *)a, key, e)
		json_object_set_new(keys, key, json_true());
	names = xmalloc((json_object_size(keys) + 1) * sizeof(*names));
	json_object_foreach(keys, key, e)
		names[n++] = key;
	qsort(names, n, sizeof(*names), site_cmp_str);
	table_begin(&t, &s->html, &s->md, cols, 4);
	for (i = 0; i <= n; i++) {
		long long x = json_integer_value(i < n ? json_object_get(b, names[i]) : json_object_get(json_object_get(c, "rules"), "before"));
		long long y = json_integer_value(i < n ? json_object_get(a, names[i]) : json_object_get(json_object_get(c, "rules"), "after"));
		char d[32];

		table_cell(&t, i < n ? site_vendor_label(names[i]) : "all rules");
		table_cell_num(&t, x);
		table_cell_num(&t, y);
		snprintf(d, sizeof(d), "%+lld", y - x);
		table_cell(&t, d);
	}
	for (i = 0; i < 4; i++) {
		long long x = json_integer_value(json_object_get(json_object_get(parse, "before"), statuses[i]));
		long long y = json_integer_value(json_object_get(json_object_get(parse, "after"), statuses[i]));
		char label[32], d[32];

		snprintf(label, sizeof(label), "parse: %s", statuses[i]);
		snprintf(d, sizeof(d), "%+lld", y - x);
		table_cell(&t, label);
		table_cell_num(&t, x);
		table_cell_num(&t, y);
		table_cell(&t, d);
	}
	table_end(&t);
	free(names);
	json_decref(keys);
	{
		const json_t *u = json_object_get(c, "unmapped_fields");
		static const char *const which[] = { "gained", "lost" };
		size_t k;

		for (k = 0; k < 2; k++) {
			const json_t *l = json_object_get(u, which[k]);

			if (!json_array_size(l))
				continue;
			strbuf_addf(&s->html, "<p>Unmapped fields %s (%zu):", which[k], json_array_size(l));
			strbuf_addf(&s->md, "\nUnmapped fields %s (%zu):", which[k], json_array_size(l));
			json_array_foreach(l, i, e) {
				both(s, i ? ", <code>" : " <code>", i ? ", `" : " `");
				html_escape(&s->html, json_string_value(e));
				md_escape(&s->md, json_string_value(e));
				both(s, "</code>", "`");
			}
			both(s, "</p>\n", "\n");
		}
	}
}

static void list_begin(struct summary *s)
{
	strbuf_addstr(&s->html, "<ul>\n");
}

static void list_end(struct summary *s)
{
	strbuf_addstr(&s->html, "</ul>\n");
}

static void item_begin(struct summary *s)
{
	both(s, "<li>", "- ");
}

static void item_end(struct summary *s)
{
	both(s, "</li>\n", "\n");
}

static void ids_text(struct summary *s, const json_t *ids, const char *sign)
{
	const json_t *e;
	size_t i;

	json_array_foreach(ids, i, e) {
		both(s, " ", " ");
		text(s, sign);
		text(s, json_string_value(e));
	}
}

/* the section a changed rule is listed in: its first aspect, the lifecycle ones as one */
static const char *primary_aspect(const json_t *r)
{
	const char *a = json_string_value(json_array_get(json_object_get(r, "aspects"), 0));

	if (!a)
		return "";
	if (!strcmp(a, "status") || !strcmp(a, "maturity") || !strcmp(a, "retired") ||
	    !strcmp(a, "severity") || !strcmp(a, "level"))
		return "lifecycle";
	return a;
}

static int in_section(const json_t *r, const char *kind, const char *aspect)
{
	return strcmp(str(r, "change"), kind) == 0 && (!aspect || strcmp(primary_aspect(r), aspect) == 0);
}

#define TRIPLES_SHOWN 6	/* predicates listed per rule and side in the summary */

/* a logic change's triples as a sub-list: "+ field op value", "− ...", at most TRIPLES_SHOWN each */
static void triples_list(struct summary *s, const json_t *logic)
{
	static const char *const sides[] = { "added", "removed" };
	size_t k, i;

	strbuf_addstr(&s->html, "\n<ul class=\"triples\">\n");
	for (k = 0; k < 2; k++) {
		const json_t *l = json_object_get(logic, sides[k]), *t;

		json_array_foreach(l, i, t) {
			char *v;

			if (i == TRIPLES_SHOWN) {
				char more[64];

				snprintf(more, sizeof(more), "… and %zu more", json_array_size(l) - i);
				both(s, "<li>", "\n  - ");
				text(s, more);
				strbuf_addstr(&s->html, "</li>\n");
				break;
			}
			both(s, "<li>", "\n  - ");
			both(s, k ? "− " : "+ ", k ? "− " : "+ ");
			code(s, str(t, "field"));
			both(s, " ", " ");
			if (json_is_true(json_object_get(t, "negated")))
				both(s, "not ", "not ");
			text(s, str(t, "op"));
			if (json_object_get(t, "value")) {
				v = site_value_text(json_object_get(t, "value"));
				both(s, " ", " ");
				code(s, v);
				free(v);
			}
			if (json_is_true(json_object_get(t, "computed")))
				both(s, " (computed)", " (computed)");
			strbuf_addstr(&s->html, "</li>\n");
		}
	}
	strbuf_addstr(&s->html, "</ul>\n");
}

static void rule_section(struct summary *s, const json_t *recs, const char *kind, const char *aspect,
			 const char *title)
{
	const json_t *r;
	size_t i, n = 0;

	json_array_foreach(recs, i, r)
		n += in_section(r, kind, aspect);
	if (!n)
		return;
	heading(s, title, n);
	list_begin(s);
	json_array_foreach(recs, i, r) {
		if (!in_section(r, kind, aspect))
			continue;
		item_begin(s);
		rule_link(s, r, strcmp(kind, "removed") != 0);
		if (!strcmp(kind, "added") || !strcmp(kind, "removed")) {
			both(s, ": ", ": ");
			text(s, str(r, "path"));
			ids_text(s, json_object_get(r, "techniques"), "");
		} else if (!strcmp(kind, "moved")) {
			static const char *const keys[] = { "path", "title" };
			size_t k, shown = 0;

			for (k = 0; k < 2; k++) {
				const json_t *ba = json_object_get(r, keys[k]);

				if (!ba || json_equal(json_object_get(ba, "before"), json_object_get(ba, "after")))
					continue;
				both(s, shown ? "; " : ": ", shown ? "; " : ": ");
				shown++;
				text(s, keys[k]);
				both(s, " ", " ");
				text(s, str(ba, "before"));
				both(s, " → ", " → ");
				text(s, str(ba, "after"));
			}
		} else if (!strcmp(kind, "parse")) {
			both(s, ": ", ": ");
			text(s, str(r, "before"));
			both(s, " → ", " → ");
			text(s, str(r, "after"));
			if (json_is_true(json_object_get(r, "worse")))
				both(s, " <strong>(worse)</strong>", " **(worse)**");
		} else {
			const json_t *a;
			size_t j;

			both(s, ":", ":");
			json_array_foreach(json_object_get(r, "aspects"), j, a) {
				const char *as = json_string_value(a);
				const json_t *d = json_object_get(r, as);
				char buf[64];

				both(s, j ? "; " : " ", j ? "; " : " ");
				text(s, as);
				if (!strcmp(as, "logic") || !strcmp(as, "attack") || !strcmp(as, "events")) {
					const char *plus = strcmp(as, "events") ? "added" : "gained";
					const char *minus = strcmp(as, "events") ? "removed" : "lost";

					snprintf(buf, sizeof(buf), " +%zu −%zu",
						 json_array_size(json_object_get(d, plus)),
						 json_array_size(json_object_get(d, minus)));
					text(s, buf);
					if (!strcmp(as, "attack")) {
						ids_text(s, json_object_get(d, plus), "+");
						ids_text(s, json_object_get(d, minus), "−");
					}
				} else if (json_is_object(d) && json_is_boolean(json_object_get(d, "before"))) {
					both(s, " ", " ");
					text(s, json_is_true(json_object_get(d, "before")) ? "retired" : "live");
					both(s, " → ", " → ");
					text(s, json_is_true(json_object_get(d, "after")) ? "retired" : "live");
				} else if (json_is_object(d)) {
					both(s, " ", " ");
					text(s, json_is_string(json_object_get(d, "before")) ? str(d, "before") : "none");
					both(s, " → ", " → ");
					text(s, json_is_string(json_object_get(d, "after")) ? str(d, "after") : "none");
				} else if (json_is_array(d)) {
					const json_t *k;
					size_t m;

					both(s, " (", " (");
					json_array_foreach(d, m, k) {
						if (m)
							both(s, ", ", ", ");
						text(s, json_string_value(k));
					}
					both(s, ")", ")");
				}
			}
			if (json_object_get(r, "logic"))
				triples_list(s, json_object_get(r, "logic"));
		}
		item_end(s);
	}
	list_end(s);
}

static void technique_section(struct summary *s, const json_t *recs)
{
	static const struct table_col cols[] = {
		{ "Technique", NULL, NULL, 0, 0 }, { "Rules before", NULL, NULL, 1, 0 },
		{ "Rules after", NULL, NULL, 1, 0 }, { "Change", NULL, NULL, 1, 0 },
		{ "Events gained / lost", NULL, NULL, 1, 0 },
		{ "Indicators gained / lost", NULL, NULL, 1, 0 },
	};
	const json_t *r;
	struct table t;
	size_t i, n = (size_t)count_kind(recs, "technique", NULL, NULL);

	if (!n)
		return;
	heading(s, "Techniques", n);
	table_begin(&t, &s->html, &s->md, cols, 6);
	json_array_foreach(recs, i, r) {
		const json_t *rules = json_object_get(r, "rules");
		long long x = json_integer_value(json_object_get(json_object_get(rules, "before"), "total"));
		long long y = json_integer_value(json_object_get(json_object_get(rules, "after"), "total"));
		const json_t *ev = json_object_get(r, "events"), *ind = json_object_get(r, "indicators");
		char buf[64];

		if (strcmp(str(r, "change"), "technique") != 0)
			continue;
		table_cell_open(&t);
		if (y)
			tech_link(s, str(r, "id"), str(r, "name"));
		else
			text(s, str(r, "id"));
		table_cell_close(&t);
		table_cell_num(&t, x);
		table_cell_num(&t, y);
		snprintf(buf, sizeof(buf), "%+lld", y - x);
		table_cell(&t, buf);
		snprintf(buf, sizeof(buf), "+%zu / −%zu", json_array_size(json_object_get(ev, "gained")),
			 json_array_size(json_object_get(ev, "lost")));
		table_cell(&t, buf);
		snprintf(buf, sizeof(buf), "+%zu / −%zu", json_array_size(json_object_get(ind, "gained")),
			 json_array_size(json_object_get(ind, "lost")));
		table_cell(&t, buf);
	}
	table_end(&t);
}

static void write_summary(struct summary *s, const json_t *recs, const char *old, const char *new)
{
	char *title = xasprintf("Catalog changes: %s → %s", old, new);
	const json_t *r;
	size_t i;

	site_page_head(&s->html, s->prefix, title);
	strbuf_addstr(&s->html, "<h1>");
	html_escape(&s->html, title);
	strbuf_addstr(&s->html, "</h1>\n");
	strbuf_addstr(&s->md, "# ");
	md_escape(&s->md, title);
	strbuf_addstr(&s->md, "\n\n");
	if (!json_array_size(recs))
		both(s, "<p>No differences.</p>\n", "No differences.\n");
	counts_table(s, recs);
	vendor_table(s, recs);
	json_array_foreach(recs, i, r)
		if (strcmp(str(r, "change"), "corpus") == 0)
			corpus_section(s, r);
	rule_section(s, recs, "added", NULL, "Rules added");
	rule_section(s, recs, "removed", NULL, "Rules removed");
	rule_section(s, recs, "moved", NULL, "Rules moved or renamed");
	rule_section(s, recs, "parse", NULL, "Parse status changed");
	/* changed rules by what matters most in each: the first of its aspects */
	rule_section(s, recs, "changed", "logic", "Logic changed");
	rule_section(s, recs, "changed", "text", "Query text changed, predicates the same");
	rule_section(s, recs, "changed", "attack", "Techniques changed");
	rule_section(s, recs, "changed", "events", "Events changed");
	rule_section(s, recs, "changed", "lifecycle", "Status, maturity, retirement, severity or level changed");
	technique_section(s, recs);
	rule_section(s, recs, "changed", "metadata", "Metadata only changed");
	site_page_foot(&s->html);
	free(title);
}

/* the name a person knows a snapshot by: the folder, or the file without .ndjson.zst */
static char *display_name(const char *path)
{
	char *p = xstrdup(path);
	size_t n = strlen(p);

	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	return p;
}

enum format { FORMAT_NDJSON, FORMAT_MD, FORMAT_HTML };

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "only", required_argument, NULL, 'O' },
		{ "vendor", required_argument, NULL, 'v' },
		{ "site", required_argument, NULL, 'S' },
		{ "output", required_argument, NULL, 'o' },
		{ "zstd", no_argument, NULL, 'z' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *output = NULL, *vendor = NULL, *prefix = "", *werr = NULL;
	enum ndjson_format zfmt = NDJSON_PLAIN;
	enum format format = FORMAT_NDJSON;
	struct load_job jobs[2];
	unsigned mask = DIFF_ALL;
	pthread_t thread;
	json_t *recs, *rec;
	char *err = NULL, *names[2];
	int c, threaded, status;
	size_t i;

	cli_init("detcat-diff");
	while ((c = getopt_long(argc, argv, "f:o:zh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "ndjson"))
				format = FORMAT_NDJSON;
			else if (!strcmp(optarg, "md") || !strcmp(optarg, "markdown"))
				format = FORMAT_MD;
			else if (!strcmp(optarg, "html"))
				format = FORMAT_HTML;
			else {
				msg_warn("--format: unknown format '%s' (ndjson, md or html)", optarg);
				return EXIT_FATAL;
			}
			break;
		case 'O':
			if (diff_parse_only(optarg, &mask, &err) < 0) {
				msg_warn("%s", err);
				free(err);
				usage(stderr);
				return EXIT_FATAL;
			}
			break;
		case 'v': vendor = optarg; break;
		case 'S': prefix = optarg; break;
		case 'o': output = optarg; break;
		case 'z': zfmt = NDJSON_ZSTD; break;
		case 'h': usage(stdout); return cli_close_stdout() ? EXIT_FATAL : EXIT_OK;
		case 'V': cli_print_version(); return cli_close_stdout() ? EXIT_FATAL : EXIT_OK;
		default: usage(stderr); return EXIT_FATAL;
		}
	}
	if (argc - optind != 2) {
		msg_warn("two catalogs or snapshots to compare, OLD and NEW");
		usage(stderr);
		return EXIT_FATAL;
	}
	/* a fixed seed: jansson's hash order never shows in the output, but stays the same */
	json_object_seed(1);
	for (i = 0; i < 2; i++) {
		names[i] = display_name(argv[optind + i]);
		jobs[i].snap = snapshot_new(names[i]);
		jobs[i].path = argv[optind + i];
		jobs[i].err = NULL;
	}
	/* the two sides are read at once, one on each core */
	threaded = pthread_create(&thread, NULL, load_thread, &jobs[1]) == 0;
	load_thread(&jobs[0]);
	if (threaded)
		pthread_join(thread, NULL);
	else
		load_thread(&jobs[1]);
	status = EXIT_OK;
	for (i = 0; i < 2; i++)
		if (jobs[i].status) {
			msg_warn("%s", jobs[i].err);
			free(jobs[i].err);
			status = EXIT_FATAL;
		}
	if (status) {
		snapshot_free(jobs[0].snap), snapshot_free(jobs[1].snap);
		free(names[0]), free(names[1]);
		return status;
	}
	recs = diff_compare(jobs[0].snap, jobs[1].snap, mask, vendor, &err);
	/*
	 * The snapshots stay until exit, held here so that a leak checker sees
	 * them reachable: freeing their hundreds of thousands of small blocks
	 * took a tenth of a run and gives nothing back to anyone.
	 */
	kept[0] = jobs[0].snap, kept[1] = jobs[1].snap;
	if (!recs) {
		msg_warn("%s", err);
		free(err);
		free(names[0]), free(names[1]);
		return EXIT_FATAL;
	}

	if (format == FORMAT_NDJSON) {
		struct ndjson_writer *wr = ndjson_writer_open(output, zfmt, &werr);

		if (!wr)
			msg_die("%s: %s", output ? output : "standard output", werr);
		json_array_foreach(recs, i, rec)
			if (ndjson_writer_put(wr, rec) < 0)
				ndjson_writer_die(wr);
		if (ndjson_writer_close(wr) < 0)
			return EXIT_FATAL;
	} else {
		struct summary s = { STRBUF_INIT, STRBUF_INIT, prefix };
		const struct strbuf *page;
		FILE *f = stdout;

		write_summary(&s, recs, names[0], names[1]);
		page = format == FORMAT_HTML ? &s.html : &s.md;
		if (output && !(f = fopen(output, "w")))
			msg_die("%s: cannot write", output);
		if (fwrite(page->buf, 1, page->len, f) != page->len || (output && fclose(f) != 0))
			msg_die("%s: write error", output ? output : "standard output");
		strbuf_release(&s.html);
		strbuf_release(&s.md);
	}
	status = json_array_size(recs) ? 1 : EXIT_OK;
	json_decref(recs);
	free(names[0]), free(names[1]);
	if (!output && cli_close_stdout() < 0)
		return EXIT_FATAL;
	return status;
}
