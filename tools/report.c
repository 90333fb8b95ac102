/*
 * detcat-report: read the catalog of detcat-aggregate and write a static site
 * (SPEC §6, issue 5): index.html and index.md with the ATT&CK matrix, a page
 * per vendor (the matrix filtered to its rules), one HTML and one Markdown page
 * per technique and per rule, ATT&CK Navigator layers (all vendors and one per
 * vendor), and style.css. No JavaScript; every text from the catalog is
 * escaped; file names made from uids are safe (html.h). The same catalog gives
 * the same bytes, and pages of an earlier run that this one did not write are
 * removed.
 */
#include "common/cli.h"
#include "site/html.h"
#include "site/navigator.h"
#include "site/table.h"
#include "io/ndjson.h"
#include "common/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static const char *vendor_names[][2] = {
	{ "sigma", "Sigma" }, { "elastic", "Elastic" }, { "splunk", "Splunk" }, { "kusto", "Kusto" }
};
#define NVENDORS (sizeof(vendor_names) / sizeof(vendor_names[0]))

static void usage(FILE *f)
{
	fprintf(f,
		"usage: detcat-report -o DIR CATALOG\n"
		"\n"
		"Read the catalog written by detcat-aggregate (zstd or plain NDJSON; standard\n"
		"input when CATALOG is -) and write a static site into DIR: index.html and\n"
		"index.md, vendor/VENDOR.html, technique/ID.html and .md, rule/UID.html and\n"
		".md, navigator/all.json and navigator/VENDOR.json (ATT&CK Navigator\n"
		"layers), style.css. Pages of an earlier run not written again are removed.\n"
		"\n"
		"  -o, --output DIR      the folder to write (created when missing; required)\n"
		"  -h, --help            this text\n"
		"      --version         print the version\n"
		"\n"
		"Exit status: 0 all good, 1 some catalog lines were bad (skipped),\n"
		"2 usage or fatal error.\n");
}

struct site {
	const char *dir;
	json_t *techniques;	/* array, catalog order */
	json_t *rules;		/* uid -> record */
	json_t *corpus;
	json_t *tech_ids;	/* id -> true, for links */
	json_t *written;	/* relative path -> true: what this run wrote */
};

/* ---- small helpers ---- */

static const char *str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

/* a value of any JSON type as text; the caller frees */
static char *value_text(const json_t *v)
{
	if (!v || json_is_null(v))
		return xstrdup("");
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	{
		char *d = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT), *r;

		if (!d)
			return xstrdup("");
		r = xstrdup(d);
		free(d);
		return r;
	}
}

static void esc(struct strbuf *sb, const char *s) { html_escape(sb, s); }

static void esc_value(struct strbuf *sb, const json_t *v)
{
	char *t = value_text(v);

	html_escape(sb, t);
	free(t);
}

static const char *vendor_label(const char *v)
{
	size_t i;

	for (i = 0; i < NVENDORS; i++)
		if (strcmp(vendor_names[i][0], v) == 0)
			return vendor_names[i][1];
	return v;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* the vendors to show: the four known ones in order, then any other, sorted */
static size_t vendor_list(const json_t *by_vendor, const char ***out)
{
	const char **list = xmalloc((NVENDORS + json_object_size(by_vendor) + 1) * sizeof(*list));
	size_t n = 0, i, extra;
	const char *key;
	json_t *val;

	for (i = 0; i < NVENDORS; i++)
		list[n++] = vendor_names[i][0];
	extra = n;
	json_object_foreach((json_t *)by_vendor, key, val) {
		int known = 0;

		(void)val;
		for (i = 0; i < NVENDORS; i++)
			known |= strcmp(vendor_names[i][0], key) == 0;
		if (!known)
			list[n++] = key;
	}
	qsort(list + extra, n - extra, sizeof(*list), cmp_str);
	*out = list;
	return n;
}

static void rule_link(struct strbuf *sb, const char *prefix, const char *uid, const char *ext)
{
	strbuf_addstr(sb, prefix);
	strbuf_addstr(sb, "rule/");
	safe_filename(sb, uid);
	strbuf_addstr(sb, ext);
}

static void rule_href(struct strbuf *sb, const char *prefix, const char *uid)
{
	rule_link(sb, prefix, uid, ".html");
}

static void tech_href(struct strbuf *sb, const char *prefix, const char *id)
{
	strbuf_addstr(sb, prefix);
	strbuf_addstr(sb, "technique/");
	safe_filename(sb, id);
	strbuf_addstr(sb, ".html");
}

/* 1 when the file at path holds exactly sb's bytes */
static int same_content(const char *path, const struct strbuf *sb)
{
	struct stat st;
	char *buf;
	int fd, same = 0;
	ssize_t n;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size != sb->len)
		return 0;
	if ((fd = open(path, O_RDONLY)) < 0)
		return 0;
	buf = xmalloc(sb->len + 1);
	n = read(fd, buf, sb->len + 1);
	same = n >= 0 && (size_t)n == sb->len && memcmp(buf, sb->buf, sb->len) == 0;
	free(buf);
	close(fd);
	return same;
}

/*
 * Write one page. A page that already holds these bytes is left alone (a
 * rebuild rewrites only what changed, and mtimes say so); a changed page goes
 * through a temporary file renamed over it, so a reader never sees half of
 * it; a new page is written in place, which halves the file system work of a
 * first build (tens of thousands of pages).
 */
static void write_file(const struct site *s, const char *rel, const struct strbuf *sb)
{
	char *path = xasprintf("%s/%s", s->dir, rel), *tmp = NULL;
	const char *target = path;
	FILE *f;

	json_object_set_new(s->written, rel, json_true());
	if (same_content(path, sb)) {
		free(path);
		return;
	}
	f = fopen(path, "wbx");	/* new: in place */
	if (!f && errno == EEXIST) {
		tmp = xasprintf("%s.tmp", path);
		f = fopen(tmp, "wb");
		target = tmp;
	}
	if (!f)
		msg_die("%s: %s", target, strerror(errno));
	if ((sb->len && fwrite(sb->buf, 1, sb->len, f) != sb->len) | (fclose(f) != 0)) {
		remove(target);
		msg_die("%s: write error", target);
	}
	if (tmp && rename(tmp, path) != 0)
		msg_die("%s: %s", path, strerror(errno));
	free(path);
	free(tmp);
}

static void make_dir(const char *path)
{
	if (mkdir(path, 0777) != 0 && errno != EEXIST)
		msg_die("%s: %s", path, strerror(errno));
}

static void page_head(struct strbuf *sb, const char *prefix, const char *title)
{
	strbuf_addstr(sb, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	esc(sb, title);
	strbuf_addf(sb, "</title>\n<link rel=\"stylesheet\" href=\"%sstyle.css\">\n</head>\n<body>\n"
		    "<nav><a href=\"%sindex.html\">detcat catalog</a></nav>\n<main>\n", prefix, prefix);
}

static void page_foot(struct strbuf *sb)
{
	strbuf_addstr(sb, "</main>\n</body>\n</html>\n");
}

static void rule_title(struct strbuf *sb, const json_t *rule, const char *uid)
{
	const char *t = json_string_value(json_object_get(rule, "title"));

	esc(sb, t && *t ? t : uid);
}

/* ---- style.css ---- */

static const char stylesheet[] =
	":root { --fg: #1d1f21; --muted: #5f6368; --line: #d9dce0; --head: #f3f4f6; --link: #1a56b0; }\n"
	"* { box-sizing: border-box; }\n"
	"body { margin: 0; color: var(--fg); background: #fff; font: 15px/1.5 system-ui, -apple-system, \"Segoe UI\", Roboto, sans-serif; }\n"
	"nav { padding: .6rem 1.5rem; border-bottom: 1px solid var(--line); background: var(--head); }\n"
	"main { max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }\n"
	"h1 { font-size: 1.6rem; margin: .5rem 0; } h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid var(--line); }\n"
	"h3 { font-size: 1.05rem; margin-top: 1.2rem; }\n"
	"a { color: var(--link); text-decoration: none; } a:hover { text-decoration: underline; }\n"
	".meta, .note { color: var(--muted); }\n"
	"table { border-collapse: collapse; width: 100%; margin: .6rem 0 1rem; table-layout: auto; }\n"
	"th, td { border: 1px solid var(--line); padding: .25rem .5rem; text-align: left; vertical-align: top; overflow-wrap: break-word; }\n"
	"th { background: var(--head); font-weight: 600; white-space: nowrap; }\n"
	"td code, td.samples { overflow-wrap: anywhere; } td.field code, .nw { white-space: nowrap; }\n"
	"td.num, th.num { text-align: right; white-space: nowrap; width: 1%; }\n"
	"td.samples code { background: var(--head); padding: 0 .2rem; border-radius: 2px; }\n"
	"code, pre { font-family: ui-monospace, \"SFMono-Regular\", Menlo, Consolas, monospace; font-size: .9em; }\n"
	"pre { background: var(--head); padding: .75rem; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; }\n"
	"details summary { cursor: pointer; } details ul { margin: .3rem 0; padding-left: 1.2rem; }\n"
	".matrix-wrap { overflow-x: auto; } .matrix { display: flex; gap: .4rem; align-items: flex-start; }\n"
	".matrix section { flex: 0 0 9.5rem; } .matrix h3 { font-size: .8rem; text-transform: uppercase; margin: 0 0 .3rem; color: var(--muted); }\n"
	".cell { display: block; font-size: .8rem; line-height: 1.3; padding: .3rem .4rem; margin-bottom: .3rem; border: 1px solid var(--line); border-radius: 3px; color: var(--fg); }\n"
	".cell.sub { margin-left: .6rem; } .cell .tid { font-weight: 600; } .cell .count { float: right; font-weight: 600; } .cell .vendors { color: var(--muted); font-size: .72rem; }\n"
	".heat-1 { background: #eef4fc; } .heat-2 { background: #d3e3f8; } .heat-3 { background: #a9c8f0; }\n"
	".heat-4 { background: #7eaae6; } .heat-5 { background: #5b8fd9; } .heat-4 .vendors, .heat-5 .vendors { color: var(--fg); }\n"
	".filters { font-size: .95rem; } .filters strong { color: var(--fg); }\n"
	".status-ok { color: #1e7b34; } .status-partial { color: #9a6700; } .status-failed { color: #b3261e; }\n";

/* ---- technique pages ---- */

/* Jaccard of a similar-rules match, in whole percent */
static long long match_percent(const json_t *m)
{
	long long sh = json_integer_value(json_object_get(m, "shared"));
	long long un = json_integer_value(json_object_get(m, "union"));

	return un > 0 ? (200 * sh + un) / (2 * un) : 0;
}

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
	const char *uid = str(m, "uid");
	const json_t *r = json_object_get(s->rules, uid);
	const char *t = r ? json_string_value(json_object_get(r, "title")) : NULL;

	strbuf_addstr(html, " <span class=\"meta\">counterpart: <a href=\"");
	rule_href(html, prefix, uid);
	strbuf_addstr(html, "\">");
	esc(html, vendor_label(str(m, "vendor")));
	strbuf_addstr(html, ": ");
	rule_title(html, r, uid);
	strbuf_addf(html, "</a>, %lld %%</span>", match_percent(m));
	strbuf_addstr(md, " (counterpart: [");
	md_escape(md, vendor_label(str(m, "vendor")));
	strbuf_addstr(md, ": ");
	md_escape(md, t && *t ? t : uid);
	strbuf_addstr(md, "](");
	rule_link(md, prefix, uid, ".md");
	strbuf_addf(md, "), %lld %%)", match_percent(m));
}

static void add_vendor_groups(struct strbuf *html, struct strbuf *md, const struct site *s,
			      const json_t *uids, long long min_pct)
{
	const char **vendors;
	json_t *by = json_object();
	size_t nv, i, j;
	const json_t *u;

	json_array_foreach((json_t *)uids, i, u) {
		const json_t *r = json_object_get(s->rules, json_string_value(u));
		const char *v = r ? str(r, "vendor") : "unknown";

		if (!json_object_get(by, v))
			json_object_set_new(by, v, json_array());
		json_array_append(json_object_get(by, v), (json_t *)u);
	}
	nv = vendor_list(by, &vendors);
	for (i = 0; i < nv; i++) {
		json_t *list = json_object_get(by, vendors[i]);

		if (!list)
			continue;
		strbuf_addstr(html, "<h3>");
		esc(html, vendor_label(vendors[i]));
		strbuf_addf(html, " <span class=\"meta\">%zu rule%s</span></h3>\n<ul>\n",
			    json_array_size(list), json_array_size(list) == 1 ? "" : "s");
		strbuf_addf(md, "\n### ");
		md_escape(md, vendor_label(vendors[i]));
		strbuf_addf(md, " (%zu rule%s)\n\n", json_array_size(list), json_array_size(list) == 1 ? "" : "s");
		json_array_foreach(list, j, u) {
			const char *uid = json_string_value(u);
			const json_t *r = json_object_get(s->rules, uid);
			const char *t = r ? json_string_value(json_object_get(r, "title")) : NULL;

			const json_t *cp = r ? close_counterpart(r, min_pct) : NULL;

			strbuf_addstr(html, "<li><a href=\"");
			rule_href(html, "../", uid);
			strbuf_addstr(html, "\">");
			rule_title(html, r, uid);
			strbuf_addstr(html, "</a>");
			strbuf_addstr(md, "- [");
			md_escape(md, t && *t ? t : uid);
			strbuf_addstr(md, "](");
			rule_link(md, "../", uid, ".md");
			strbuf_addstr(md, ")");
			if (cp)
				counterpart_note(html, md, s, cp, "../");
			strbuf_addstr(html, "</li>\n");
			strbuf_addstr(md, "\n");
		}
		strbuf_addstr(html, "</ul>\n");
	}
	free(vendors);
	json_decref(by);
}

static void uid_details(struct strbuf *sb, const struct site *s, const json_t *item, const char *verb)
{
	const json_t *uids = json_object_get(item, "uids"), *u;
	size_t i;

	strbuf_addstr(sb, "<details><summary><code>");
	esc_value(sb, json_object_get(item, "value"));
	strbuf_addstr(sb, "</code></summary>\n<ul>\n");
	json_array_foreach((json_t *)uids, i, u) {
		const char *uid = json_string_value(u);

		if (!uid)
			continue;
		strbuf_addstr(sb, "<li><a href=\"");
		rule_href(sb, "../", uid);
		strbuf_addstr(sb, "\">");
		rule_title(sb, json_object_get(s->rules, uid), uid);
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
			esc(sb, v[i].op);
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
		char *t = value_text(v);

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
		char *v = value_text(json_object_get(e, "value"));

		table_cell(&tb, str(e, "field"));
		table_cell(&tb, str(e, "op"));
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

static void technique_page(const struct site *s, const json_t *t)
{
	struct strbuf html = STRBUF_INIT, md = STRBUF_INIT, title = STRBUF_INIT, name = STRBUF_INIT;
	const char *id = str(t, "id"), *tname = str(t, "name"), *parent, *desc, *url;
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
	page_head(&html, "../", title.buf);
	strbuf_addstr(&html, "<h1>");
	esc(&html, tname);
	strbuf_addstr(&html, " <span class=\"meta\">");
	esc(&html, id);
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
		esc(&html, json_string_value(e) ? json_string_value(e) : "");
		md_escape(&md, json_string_value(e) ? json_string_value(e) : "");
	}
	strbuf_addstr(&html, "</p>\n");
	strbuf_addstr(&md, "\n");
	if (parent) {
		strbuf_addstr(&html, "<p class=\"meta\">Sub-technique of ");
		if (json_object_get(s->tech_ids, parent)) {
			strbuf_addstr(&html, "<a href=\"");
			tech_href(&html, "../", parent);
			strbuf_addstr(&html, "\">");
			esc(&html, parent);
			strbuf_addstr(&html, "</a>");
		} else {
			esc(&html, parent);
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
		esc(&html, desc);
		strbuf_addstr(&html, "</p>\n");
		strbuf_addstr(&md, "\n");
		md_escape(&md, desc);
		strbuf_addstr(&md, "\n");
	}
	if (url && (!strncmp(url, "https://", 8) || !strncmp(url, "http://", 7))) {
		strbuf_addstr(&html, "<p class=\"meta\"><a href=\"");
		esc(&html, url);
		strbuf_addstr(&html, "\">ATT&amp;CK page</a></p>\n");
		strbuf_addstr(&md, "\nATT&CK page: ");
		md_escape(&md, url);
		strbuf_addstr(&md, "\n");
	}

	/* events covered */
	strbuf_addf(&html, "<h2>Events covered</h2>\n<p>%zu catalog event%s tagged with this technique "
		    "by at least one rule.</p>\n", json_array_size(events),
		    json_array_size(events) == 1 ? " is" : "s are");
	strbuf_addf(&md, "\n## Events covered\n\n%zu catalog event%s tagged with this technique by at "
		    "least one rule.\n", json_array_size(events), json_array_size(events) == 1 ? " is" : "s are");
	if (json_array_size(events)) {
		static const struct table_col cols[] = {
			{ "Provider", 0, 0, 0, 0 }, { "Event", 0, 0, 0, 0 }, { "Title", 0, 0, 0, 0 },
			{ "Rules", 0, 0, 1, 0 },
		};
		struct table tb;

		strbuf_addch(&md, '\n');
		table_begin(&tb, &html, &md, cols, 4);
		json_array_foreach((json_t *)events, i, e) {
			char *v = value_text(json_object_get(e, "event"));

			table_cell(&tb, str(e, "provider"));
			table_cell(&tb, v);
			table_cell(&tb, str(e, "title"));
			table_cell_num(&tb, json_integer_value(json_object_get(e, "rules")));
			free(v);
		}
		table_end(&tb);
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
			table_cell(&tb, str(e, "field"));
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
		strbuf_addf(&html, "<p>Every rule tagged with this technique, grouped by vendor. "
			    "<strong>%lld of %lld</strong> ha%s a close counterpart in another vendor, and "
			    "%lld a near-duplicate in %s own (indicator sets overlapping %lld %% or more; "
			    "see each rule's page).</p>\n", other, total, other == 1 ? "s" : "ve", same,
			    same == 1 ? "its" : "their", pct);
		strbuf_addf(&md, "\n%lld of %lld rules have a close counterpart in another vendor, and "
			    "%lld a near-duplicate in their own (indicator overlap %lld %% or more).\n",
			    other, total, same, pct);
		add_vendor_groups(&html, &md, s, json_object_get(rules, "uids"), pct);
	}
	page_foot(&html);

	safe_filename(&name, id);
	rel = xasprintf("technique/%s.html", name.buf);
	write_file(s, rel, &html);
	free(rel);
	rel = xasprintf("technique/%s.md", name.buf);
	write_file(s, rel, &md);
	free(rel);
	strbuf_release(&html);
	strbuf_release(&md);
	strbuf_release(&title);
	strbuf_release(&name);
	free(fullname);
}

/* ---- rule pages ---- */

static void row(struct strbuf *sb, const char *key, const char *val)
{
	strbuf_addstr(sb, "<tr><th>");
	esc(sb, key);
	strbuf_addstr(sb, "</th><td>");
	esc(sb, val);
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
		const char *uid = str(m, "uid");
		const json_t *r = json_object_get(s->rules, uid);
		const char *t = r ? json_string_value(json_object_get(r, "title")) : NULL;

		table_cell_open(&tb);
		if (r) {
			strbuf_addstr(html, "<a href=\"");
			rule_href(html, "../", uid);
			strbuf_addstr(html, "\">");
			rule_title(html, r, uid);
			strbuf_addstr(html, "</a>");
			strbuf_addstr(md, "[");
			md_escape(md, t && *t ? t : uid);
			strbuf_addstr(md, "](");
			rule_link(md, "../", uid, ".md");
			strbuf_addstr(md, ")");
		} else {
			esc(html, uid);
			md_escape(md, uid);
		}
		table_cell_close(&tb);
		table_cell(&tb, vendor_label(str(m, "vendor")));
		table_cell_num(&tb, json_integer_value(json_object_get(m, "shared")));
		table_cell_num(&tb, json_integer_value(json_object_get(m, "union")));
		table_cell_open(&tb);
		strbuf_addf(html, "%lld %%", match_percent(m));
		strbuf_addf(md, "%lld %%", match_percent(m));
		table_cell_close(&tb);
	}
	table_end(&tb);
}

static void rule_page(const struct site *s, const char *uid, const json_t *r)
{
	struct strbuf html = STRBUF_INIT, md = STRBUF_INIT, name = STRBUF_INIT;
	const json_t *parse = json_object_get(r, "parse"), *e, *preds = json_object_get(r, "predicates");
	const json_t *techs = json_object_get(r, "techniques"), *events = json_object_get(r, "events");
	const json_t *sim = json_object_get(r, "similar");
	const char *title = json_string_value(json_object_get(r, "title")), *status = str(parse, "status");
	const char *url = str(r, "url");
	size_t i, n;
	char *rel;

	page_head(&html, "../", title && *title ? title : uid);
	strbuf_addstr(&html, "<h1>");
	rule_title(&html, r, uid);
	strbuf_addstr(&html, "</h1>\n<table>\n<tbody>\n");
	strbuf_addstr(&md, "# ");
	md_escape(&md, title && *title ? title : uid);
	strbuf_addstr(&md, "\n\n");
	row(&html, "uid", uid);
	row(&html, "Vendor", vendor_label(str(r, "vendor")));
	row(&html, "Source", str(r, "source"));
	md_item(&md, "uid", uid);
	md_item(&md, "Vendor", vendor_label(str(r, "vendor")));
	md_item(&md, "Source", str(r, "source"));
	strbuf_addstr(&html, "<tr><th>Path</th><td>");
	if (is_web_url(url)) {
		strbuf_addstr(&html, "<a href=\"");
		esc(&html, url);
		strbuf_addstr(&html, "\">");
		esc(&html, str(r, "path"));
		strbuf_addstr(&html, "</a> <span class=\"meta\">(upstream)</span>");
		strbuf_addstr(&md, "- **Path**: [");
		md_escape(&md, str(r, "path"));
		strbuf_addstr(&md, "](");
		strbuf_addstr(&md, url);	/* percent-encoded: no space, no ')' to escape */
		strbuf_addstr(&md, ")\n");
	} else {
		esc(&html, str(r, "path"));
		md_item(&md, "Path", str(r, "path"));
	}
	strbuf_addstr(&html, "</td></tr>\n");
	row(&html, "Severity", str(r, "severity"));
	row(&html, "Rule type", str(r, "rule_type"));
	row(&html, "Language", str(r, "language"));
	md_item(&md, "Severity", str(r, "severity"));
	md_item(&md, "Rule type", str(r, "rule_type"));
	md_item(&md, "Language", str(r, "language"));
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
			tech_href(&html, "../", id);
			strbuf_addstr(&html, "\">");
			esc(&html, id);
			strbuf_addstr(&html, "</a>");
			strbuf_addstr(&md, "[");
			md_escape(&md, id);
			strbuf_addstr(&md, "](../technique/");
			safe_filename(&md, id);
			strbuf_addstr(&md, ".md)");
		} else {
			esc(&html, id);
			md_escape(&md, id);
		}
	}
	strbuf_addstr(&html, "</td></tr>\n<tr><th>Tactics</th><td>");
	strbuf_addstr(&md, "\n- **Tactics**:");
	json_array_foreach(json_object_get(r, "tactics"), i, e) {
		char *v = value_text(e);

		strbuf_addstr(&html, i ? ", " : "");
		strbuf_addstr(&md, i ? ", " : " ");
		esc(&html, v);
		md_escape(&md, v);
		free(v);
	}
	strbuf_addstr(&html, "</td></tr>\n<tr><th>Parse status</th><td class=\"status-");
	esc(&html, status);
	strbuf_addstr(&html, "\">");
	esc(&html, status);
	strbuf_addstr(&html, "</td></tr>\n</tbody>\n</table>\n");
	strbuf_addstr(&md, "\n");
	md_item(&md, "Parse status", status);

	if (json_array_size(json_object_get(parse, "errors"))) {
		strbuf_addstr(&html, "<h2>Parse messages</h2>\n<ul>\n");
		strbuf_addstr(&md, "\n## Parse messages\n\n");
		json_array_foreach(json_object_get(parse, "errors"), i, e) {
			strbuf_addstr(&html, "<li>");
			esc(&html, json_is_object(e) ? str(e, "message") : "");
			strbuf_addstr(&html, "</li>\n");
			strbuf_addstr(&md, "- ");
			md_escape(&md, json_is_object(e) ? str(e, "message") : "");
			strbuf_addch(&md, '\n');
		}
		strbuf_addstr(&html, "</ul>\n");
	}
	if (json_array_size(json_object_get(r, "attack_issues"))) {
		strbuf_addstr(&html, "<h2>ATT&amp;CK issues</h2>\n<ul>\n");
		strbuf_addstr(&md, "\n## ATT&CK issues\n\n");
		json_array_foreach(json_object_get(r, "attack_issues"), i, e) {
			char *v = value_text(e);

			strbuf_addstr(&html, "<li><code>");
			esc(&html, v);
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
			char *v = value_text(json_object_get(e, "event"));

			table_cell(&tb, str(e, "provider"));
			table_cell(&tb, v);
			table_cell(&tb, str(e, "title"));
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
			char *v = value_text(json_object_get(e, "value"));
			char *raw = value_text(json_object_get(e, "raw_value"));
			char *sel = value_text(json_object_get(e, "selection"));
			struct strbuf flags = STRBUF_INIT;

			predicate_flags(&flags, e);
			table_cell_open(&tb);
			strbuf_addstr(&html, "<code>");
			esc(&html, str(e, "field"));
			strbuf_addstr(&html, "</code><br><span class=\"meta\">");
			esc(&html, str(e, "raw_field"));
			strbuf_addstr(&html, "</span>");
			md_escape(&md, str(e, "field"));
			if (str(e, "raw_field")) {
				strbuf_addstr(&md, " (");
				md_escape(&md, str(e, "raw_field"));
				strbuf_addstr(&md, ")");
			}
			table_cell_close(&tb);
			table_cell(&tb, str(e, "op"));
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
	similar_table(&html, &md, s, json_object_get(sim, "other_vendors"), "Counterparts in other vendors",
		      "No rule of another vendor shares a quarter of its indicators with this one.");
	similar_table(&html, &md, s, json_object_get(sim, "same_vendor"), "Near-duplicates in the same vendor",
		      "No rule of the same vendor shares a quarter of its indicators with this one.");

	if (json_string_value(json_object_get(r, "query"))) {
		strbuf_addstr(&html, "<h2>Query</h2>\n<pre><code>");
		esc(&html, str(r, "query"));
		strbuf_addstr(&html, "</code></pre>\n");
		strbuf_addstr(&md, "\n## Query\n\n");
		md_fence(&md, str(r, "query"));
		strbuf_addch(&md, '\n');
		strbuf_addstr(&md, str(r, "query"));
		if (md.len && md.buf[md.len - 1] != '\n')
			strbuf_addch(&md, '\n');
		md_fence(&md, str(r, "query"));
		strbuf_addch(&md, '\n');
	}
	page_foot(&html);

	safe_filename(&name, uid);
	rel = xasprintf("rule/%s.html", name.buf);
	write_file(s, rel, &html);
	free(rel);
	rel = xasprintf("rule/%s.md", name.buf);
	write_file(s, rel, &md);
	free(rel);
	strbuf_release(&html);
	strbuf_release(&md);
	strbuf_release(&name);
}

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

/*
 * Shade 1..5 by rule count on a logarithmic scale up to the largest: counts
 * run from 1 to several hundred, and a linear scale left all but a handful of
 * cells in the palest shade. Level 1 + k for each k in 1..4 with
 * n >= max^(k/4), i.e. n^4 >= max^k (in long double: no libm needed).
 */
static int heat(long long n, long long max)
{
	long double n4 = (long double)n * n * n * n, mk = 1;
	int level = 1, k;

	if (n <= 0 || max <= 0)
		return 0;
	for (k = 1; k <= 4; k++) {
		mk *= (long double)max;
		if (n4 >= mk)
			level++;
	}
	return level;
}

/* a technique's rules: all of them, or one vendor's */
static long long tech_rules(const json_t *t, const char *only)
{
	const json_t *tr = json_object_get(t, "rules");

	return json_integer_value(only ? json_object_get(json_object_get(tr, "by_vendor"), only)
				  : json_object_get(tr, "total"));
}

/* the matrix of every technique with rules, or of one vendor's (only) */
static void matrix(struct strbuf *sb, const struct site *s, const char **vendors, size_t nv,
		   const char *only, const char *prefix)
{
	const char **cols = xmalloc((NTACTICS + 1) * sizeof(*cols));
	json_t *others = json_object(), *t, *e, *val;
	const char *key;
	size_t ncols = 0, i, j, k, extra;
	long long max = 0;

	json_array_foreach(s->techniques, i, t) {
		long long n = tech_rules(t, only);

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
	qsort(cols + extra, ncols - extra, sizeof(*cols), cmp_str);

	strbuf_addstr(sb, "<h2>ATT&amp;CK matrix</h2>\n<p class=\"note\">Techniques with rules");
	if (only) {
		strbuf_addstr(sb, " of ");
		esc(sb, vendor_label(only));
	}
	strbuf_addstr(sb, ", by tactic; the darker the cell, the more rules (on a logarithmic scale)");
	if (only) {
		strbuf_addstr(sb, " of ");
		esc(sb, vendor_label(only));
	}
	strbuf_addstr(sb, ". The number is the shading's count; the line below gives every vendor's.</p>\n"
		      "<div class=\"matrix-wrap\"><div class=\"matrix\">\n");
	for (k = 0; k < ncols; k++) {
		int any = 0;

		json_array_foreach(s->techniques, i, t)
			any |= has_tactic(t, cols[k]) && tech_rules(t, only) > 0;
		if (!any)
			continue;
		strbuf_addstr(sb, "<section><h3>");
		esc(sb, cols[k]);
		strbuf_addstr(sb, "</h3>\n");
		json_array_foreach(s->techniques, i, t) {
			const json_t *tr = json_object_get(t, "rules");
			long long n = tech_rules(t, only);
			int sub = !json_is_null(json_object_get(t, "parent")) && json_object_get(t, "parent");

			if (!has_tactic(t, cols[k]) || n <= 0)
				continue;
			strbuf_addf(sb, "<a class=\"cell heat-%d%s\" href=\"", heat(n, max), sub ? " sub" : "");
			tech_href(sb, prefix, str(t, "id"));
			strbuf_addstr(sb, "\"><span class=\"tid\">");
			esc(sb, str(t, "id"));
			strbuf_addf(sb, "</span> <span class=\"count\">%lld</span><br>", n);
			esc(sb, str(t, "name"));
			strbuf_addstr(sb, "<br><span class=\"vendors\">");
			for (j = 0; j < nv; j++) {
				long long v = json_integer_value(json_object_get(json_object_get(tr, "by_vendor"), vendors[j]));

				if (!v)
					continue;
				esc(sb, vendor_label(vendors[j]));
				strbuf_addf(sb, " %lld ", v);
			}
			strbuf_addstr(sb, "</span></a>\n");
		}
		strbuf_addstr(sb, "</section>\n");
	}
	strbuf_addstr(sb, "</div></div>\n");
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
			esc(sb, vendor_label(vendors[i]));
			strbuf_addstr(sb, "</strong>");
		} else if (n > 0) {
			strbuf_addf(sb, "<a href=\"%svendor/", prefix);
			safe_filename(sb, vendors[i]);
			strbuf_addstr(sb, ".html\">");
			esc(sb, vendor_label(vendors[i]));
			strbuf_addstr(sb, "</a>");
		} else {
			strbuf_addstr(sb, "<span class=\"meta\">");
			esc(sb, vendor_label(vendors[i]));
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
	struct table_col *cols = xcalloc(nv + 4, sizeof(*cols));
	struct strbuf *titles = xcalloc(nv + 1, sizeof(*titles));
	struct table tb;
	const json_t *t, *e;
	size_t i, j;

	cols[0].title = "ID";
	cols[1].title = "Name";
	cols[2].title = "Tactics";
	cols[3].title = "Rules";
	cols[3].num = 1;
	for (i = 0; i < nv; i++) {
		strbuf_init(&titles[i], 16);
		esc(&titles[i], vendor_label(vendors[i]));
		cols[4 + i].title = titles[i].buf;
		cols[4 + i].num = 1;
	}
	strbuf_addstr(html, "<h2>Techniques</h2>\n");
	if (md)
		strbuf_addstr(md, "\n## Techniques\n\n");
	table_begin(&tb, html, md, cols, nv + 4);
	json_array_foreach(s->techniques, i, t) {
		const json_t *tr = json_object_get(t, "rules");

		if (tech_rules(t, only) <= 0)
			continue;
		table_cell_open(&tb);
		strbuf_addstr(html, "<a href=\"");
		tech_href(html, prefix, str(t, "id"));
		strbuf_addstr(html, "\">");
		esc(html, str(t, "id"));
		strbuf_addstr(html, "</a>");
		if (md) {
			strbuf_addstr(md, "[");
			md_escape(md, str(t, "id"));
			strbuf_addstr(md, "](");
			strbuf_addstr(md, prefix);
			strbuf_addstr(md, "technique/");
			safe_filename(md, str(t, "id"));
			strbuf_addstr(md, ".md)");
		}
		table_cell_close(&tb);
		table_cell(&tb, str(t, "name"));
		table_cell_open(&tb);
		json_array_foreach(json_object_get(t, "tactics"), j, e) {
			char *v = value_text(e);

			if (j)
				strbuf_addstr(html, ", ");
			esc(html, v);
			if (md) {
				strbuf_addstr(md, j ? ", " : "");
				md_escape(md, v);
			}
			free(v);
		}
		table_cell_close(&tb);
		table_cell_num(&tb, json_integer_value(json_object_get(tr, "total")));
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

	strbuf_addstr(html, "<h2>ATT&amp;CK Navigator layers</h2>\n<p>Coverage scored by rule count, to open "
		      "in MITRE's <a href=\"https://mitre-attack.github.io/attack-navigator/\">ATT&amp;CK "
		      "Navigator</a> (layer format " NAVIGATOR_LAYER_FORMAT "): ");
	strbuf_addstr(md, "\n## ATT&CK Navigator layers\n\nCoverage scored by rule count (layer format "
		      NAVIGATOR_LAYER_FORMAT "): ");
	for (i = 0; i <= nv; i++) {
		const char *v = i ? vendors[i - 1] : NULL;
		char *name = v ? xasprintf("detcat: %s rules", vendor_label(v)) : xstrdup("detcat: all rules");
		char *desc = xasprintf("Techniques scored by the number of %s%srules in the detcat catalog.",
				       v ? vendor_label(v) : "", v ? " " : "");
		json_t *layer = navigator_layer(s->techniques, v, name, desc);
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
		write_file(s, file.buf, &sb);
		strbuf_addf(html, "%s<a href=\"%s\">", i ? " · " : "", file.buf);
		esc(html, v ? vendor_label(v) : "all vendors");
		strbuf_addstr(html, "</a>");
		strbuf_addf(md, "%s[", i ? ", " : "");
		md_escape(md, v ? vendor_label(v) : "all vendors");
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
	struct strbuf html = STRBUF_INIT, title = STRBUF_INIT, rel = STRBUF_INIT;

	strbuf_addf(&title, "%s rules: detcat catalog", vendor_label(v));
	page_head(&html, "../", title.buf);
	strbuf_addstr(&html, "<h1>");
	esc(&html, vendor_label(v));
	strbuf_addstr(&html, " rules</h1>\n");
	vendor_filter(&html, s, vendors, nv, v, "../");
	matrix(&html, s, vendors, nv, v, "../");
	techniques_table(&html, NULL, s, vendors, nv, v, "../");
	page_foot(&html);
	strbuf_addstr(&rel, "vendor/");
	safe_filename(&rel, v);
	strbuf_addstr(&rel, ".html");
	write_file(s, rel.buf, &html);
	strbuf_release(&html);
	strbuf_release(&title);
	strbuf_release(&rel);
}

static void index_page(const struct site *s)
{
	struct strbuf html = STRBUF_INIT, md = STRBUF_INIT;
	const json_t *crules = json_object_get(s->corpus, "rules"), *parse = json_object_get(s->corpus, "parse");
	json_t *by_vendor = json_object_get(crules, "by_vendor"), *val;
	const char **vendors, *key;
	size_t nv, i, j, nuids;
	const char **uids;

	page_head(&html, "", "detcat catalog");
	strbuf_addstr(&html, "<h1>detcat catalog</h1>\n");
	strbuf_addstr(&md, "# detcat catalog\n");
	nv = vendor_list(by_vendor, &vendors);
	vendor_filter(&html, s, vendors, nv, NULL, "");
	strbuf_addstr(&html, "<h2>Corpus</h2>\n");
	strbuf_addstr(&md, "\n## Corpus\n\n");
	{
		static const struct table_col cols[] = { { "Vendor", 0, 0, 0, 0 }, { "Rules", 0, 0, 1, 0 } };
		struct table tb;

		table_begin(&tb, &html, &md, cols, 2);
		for (i = 0; i < nv; i++) {
			table_cell(&tb, vendor_label(vendors[i]));
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
		esc(&html, key);
		strbuf_addf(&html, " %lld;", (long long)json_integer_value(val));
		strbuf_addstr(&md, " ");
		md_escape(&md, key);
		strbuf_addf(&md, " %lld;", (long long)json_integer_value(val));
	}
	strbuf_addf(&html, " techniques with rules: %lld.</p>\n",
		    (long long)json_integer_value(json_object_get(s->corpus, "techniques_with_rules")));
	strbuf_addf(&md, " techniques with rules: %lld.\n",
		    (long long)json_integer_value(json_object_get(s->corpus, "techniques_with_rules")));

	matrix(&html, s, vendors, nv, NULL, "");
	navigator_layers(s, vendors, nv, &html, &md);
	techniques_table(&html, &md, s, vendors, nv, NULL, "");

	/* every rule, so rules without a technique have a way in too */
	nuids = json_object_size(s->rules);
	uids = xmalloc((nuids + 1) * sizeof(*uids));
	j = 0;
	json_object_foreach(s->rules, key, val)
		uids[j++] = key;
	qsort(uids, nuids, sizeof(*uids), cmp_str);
	strbuf_addf(&html, "<h2>All rules (%zu)</h2>\n", nuids);
	strbuf_addf(&md, "\n## All rules (%zu)\n\n", nuids);
	{
		static const struct table_col cols[] = {
			{ "Vendor", 0, 0, 0, 0 }, { "Title", 0, 0, 0, 0 }, { "Parse status", 0, 0, 0, 0 },
		};
		struct table tb;
		struct strbuf cls = STRBUF_INIT;

		table_begin(&tb, &html, &md, cols, 3);
		for (i = 0; i < nuids; i++) {
			const json_t *r = json_object_get(s->rules, uids[i]);
			const char *st = str(json_object_get(r, "parse"), "status");
			const char *title = json_string_value(json_object_get(r, "title"));

			table_cell(&tb, vendor_label(str(r, "vendor")));
			table_cell_open(&tb);
			strbuf_addstr(&html, "<a href=\"");
			rule_href(&html, "", uids[i]);
			strbuf_addstr(&html, "\">");
			rule_title(&html, r, uids[i]);
			strbuf_addstr(&html, "</a>");
			strbuf_addstr(&md, "[");
			md_escape(&md, title && *title ? title : uids[i]);
			strbuf_addstr(&md, "](");
			rule_link(&md, "", uids[i], ".md");
			strbuf_addstr(&md, ")");
			table_cell_close(&tb);
			/* the status cell carries its own class */
			strbuf_reset(&cls);
			strbuf_addstr(&cls, "status-");
			esc(&cls, st);
			table_cell_open_class(&tb, cls.buf);
			esc(&html, st);
			md_escape(&md, st);
			table_cell_close(&tb);
		}
		table_end(&tb);
		strbuf_release(&cls);
	}
	page_foot(&html);
	write_file(s, "index.html", &html);
	write_file(s, "index.md", &md);
	for (i = 0; i < nv; i++)
		if (json_integer_value(json_object_get(by_vendor, vendors[i])) > 0)
			vendor_page(s, vendors, nv, vendors[i]);
	free(uids);
	free(vendors);
	strbuf_release(&html);
	strbuf_release(&md);
}

/*
 * Remove the pages an earlier run wrote that this one did not (a rule gone
 * from the corpus, a technique without rules now): only in the folders the
 * report owns, and only files with the extensions it writes.
 */
static void remove_stale(const struct site *s)
{
	static const char *const dirs[] = { "technique", "rule", "vendor", "navigator" };
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char *path = xasprintf("%s/%s", s->dir, dirs[i]);
		DIR *d = opendir(path);
		struct dirent *de;

		if (!d)
			msg_die("%s: %s", path, strerror(errno));
		while ((de = readdir(d)) != NULL) {
			const char *ext = strrchr(de->d_name, '.');
			char *rel;

			if (de->d_name[0] == '.' || !ext || (strcmp(ext, ".html") && strcmp(ext, ".md") &&
							      strcmp(ext, ".json") && strcmp(ext, ".tmp")))
				continue;
			rel = xasprintf("%s/%s", dirs[i], de->d_name);
			if (!json_object_get(s->written, rel)) {
				char *full = xasprintf("%s/%s", s->dir, rel);

				if (remove(full) != 0)
					msg_warn("%s: %s", full, strerror(errno));
				free(full);
			}
			free(rel);
		}
		closedir(d);
		free(path);
	}
}

/* ---- reading ---- */

static int read_catalog(struct site *s, const char *path)
{
	const char *name = strcmp(path, "-") ? path : "standard input", *oerr = NULL;
	struct ndjson_reader *r = ndjson_reader_open(path, &oerr);
	int status = EXIT_OK, rc;
	char jerr[256];
	json_t *rec;

	if (!r)
		msg_die("%s: %s", name, oerr);
	while ((rc = ndjson_reader_next_json(r, &rec, jerr, sizeof(jerr))) != 0) {
		const char *kind;

		if (rc == -1) {
			msg_warn("%s: %s", name, ndjson_reader_error(r));
			status = EXIT_RECORD_ERRORS;
			break;
		}
		if (rc == -2) {
			msg_warn("%s:%zu: %s", name, ndjson_reader_lineno(r), jerr);
			status = EXIT_RECORD_ERRORS;
			continue;
		}
		kind = json_string_value(json_object_get(rec, "kind"));
		if (kind && strcmp(kind, "technique") == 0 && json_string_value(json_object_get(rec, "id"))) {
			json_array_append(s->techniques, rec);
			json_object_set_new(s->tech_ids, str(rec, "id"), json_string(str(rec, "name")));
		} else if (kind && strcmp(kind, "rule") == 0 && json_string_value(json_object_get(rec, "uid"))) {
			json_object_set(s->rules, str(rec, "uid"), rec);
		} else if (kind && strcmp(kind, "corpus") == 0) {
			json_decref(s->corpus);
			s->corpus = json_incref(rec);
		} else {
			msg_warn("%s:%zu: not a technique, rule or corpus record", name, ndjson_reader_lineno(r));
			status = EXIT_RECORD_ERRORS;
		}
		json_decref(rec);
	}
	ndjson_reader_close(r);
	return status;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct site s = { 0 };
	struct strbuf css = STRBUF_INIT;
	const char *key;
	json_t *t, *r;
	int c, status;
	size_t i;
	char *sub;

	msg_setprog("detcat-report");
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': s.dir = optarg; break;
		case 'h': usage(stdout); return cli_close_stdout() ? EXIT_FATAL : EXIT_OK;
		case 'V': cli_print_version(); return cli_close_stdout() ? EXIT_FATAL : EXIT_OK;
		default: usage(stderr); return EXIT_FATAL;
		}
	}
	if (!s.dir || !*s.dir) {
		msg_warn("-o DIR is required");
		usage(stderr);
		return EXIT_FATAL;
	}
	if (argc - optind != 1) {
		msg_warn("expected one CATALOG");
		usage(stderr);
		return EXIT_FATAL;
	}
	s.techniques = json_array();
	s.rules = json_object();
	s.tech_ids = json_object();
	s.corpus = json_object();
	s.written = json_object();
	status = read_catalog(&s, argv[optind]);

	make_dir(s.dir);
	sub = xasprintf("%s/technique", s.dir);
	make_dir(sub);
	free(sub);
	sub = xasprintf("%s/rule", s.dir);
	make_dir(sub);
	free(sub);
	sub = xasprintf("%s/vendor", s.dir);
	make_dir(sub);
	free(sub);
	sub = xasprintf("%s/navigator", s.dir);
	make_dir(sub);
	free(sub);

	strbuf_addstr(&css, stylesheet);
	write_file(&s, "style.css", &css);
	strbuf_release(&css);
	index_page(&s);
	json_array_foreach(s.techniques, i, t)
		technique_page(&s, t);
	json_object_foreach(s.rules, key, r)
		rule_page(&s, key, r);
	remove_stale(&s);

	json_decref(s.techniques);
	json_decref(s.rules);
	json_decref(s.tech_ids);
	json_decref(s.corpus);
	json_decref(s.written);
	return status;
}
