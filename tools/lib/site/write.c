/*
 * The whole run of the site (site.h): its folders, the stylesheet, every page,
 * then the pages an earlier run wrote that this one did not, removed.
 */
#include "site/site.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "common/sha256.h"
#include "common/util.h"
#include "site/eventpage.h"
#include "site/html.h"

static void make_dir(const char *path)
{
	if (mkdir(path, 0777) != 0 && errno != EEXIST)
		msg_die("%s: %s", path, strerror(errno));
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
	"main.wide { max-width: 100rem; padding: 1rem 1rem 3rem; }\n"
	".matrix { display: grid; grid-template-columns: repeat(var(--cols, 14), minmax(0, 1fr)); gap: .25rem; align-items: start; }\n"
	".matrix section { min-width: 0; } .matrix h3 { font-size: .62rem; text-transform: uppercase; margin: 0 0 .25rem; color: var(--muted); overflow-wrap: anywhere; min-height: 2.2em; }\n"
	".cell { display: block; font-size: .66rem; line-height: 1.25; padding: .2rem .25rem; margin-bottom: .2rem; border: 1px solid var(--line); border-radius: 3px; color: var(--fg); overflow-wrap: anywhere; }\n"
	".cell.sub { margin-left: .35rem; } .cell .tid { font-weight: 600; } .cell .count { float: right; font-weight: 600; } .cell .vendors { color: var(--muted); font-size: .6rem; }\n"
	"details.subs { margin-bottom: .2rem; } details.subs > summary { display: block; list-style: none; } details.subs > summary::-webkit-details-marker { display: none; }\n"
	"details.subs > summary .cell { margin-bottom: 0; } .nsub { display: block; font-size: .6rem; color: var(--muted); padding: 0 .25rem .1rem; }\n"
	".nsub::before { content: \"\\25b8  \"; } details.subs[open] .nsub::before { content: \"\\25be  \"; }\n"
	".search input { font: inherit; padding: .2rem .4rem; } .results { columns: 2; font-size: .9rem; } .toc { font-size: .95rem; }\n"
	".heat-1 { background: #eef4fc; } .heat-2 { background: #d3e3f8; } .heat-3 { background: #a9c8f0; }\n"
	".heat-4 { background: #7eaae6; } .heat-5 { background: #5b8fd9; } .heat-4 .vendors, .heat-5 .vendors { color: var(--fg); }\n"
	".filters { font-size: .95rem; } .filters strong { color: var(--fg); }\n"
	".status-ok { color: #1e7b34; } .status-partial { color: #9a6700; } .status-failed { color: #b3261e; }\n";

/* Pages the previous run wrote (its list, s->previous) that this one did not:
 * removed. Nothing else under the folder is touched, whoever put it there. */
static void remove_stale(const struct site *s)
{
	const char *rel;
	json_t *v;

	json_object_foreach(s->previous, rel, v) {
		char *full;

		if (json_object_get(s->written, rel))
			continue;
		full = xasprintf("%s/%s", s->dir, rel);
		if (remove(full) != 0 && errno != ENOENT)
			msg_warn("%s: %s", full, strerror(errno));
		free(full);
	}
}

/* ---- what each page is made from (site.h) ---- */

static void hash_str(struct sha256_ctx *c, const char *str)
{
	sha256_update(c, str, strlen(str) + 1);	/* with its NUL: "ab" "c" is not "a" "bc" */
}

static void hash_line(struct sha256_ctx *c, const struct site *s, const char *kind, const char *key)
{
	char *k = xasprintf("%s%s", kind, key);
	const char *h = json_string_value(json_object_get(s->line_hash, k));

	hash_str(c, h ? h : "-");
	free(k);
}


static void hash_json(struct sha256_ctx *c, const json_t *v)
{
	char *d = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	hash_str(c, d ? d : "");
	free(d);
}

/* a rule page: its line, its similar rules' titles, which of its techniques have pages */
static void rule_hash(const struct site *s, const char *uid, const json_t *r, char out[SHA256_HEX_LEN + 1])
{
	static const char *const groups[] = { "other_vendors", "same_vendor" };
	const json_t *sim = json_object_get(r, "similar"), *m, *e;
	struct sha256_ctx c;
	size_t g, i;

	sha256_init(&c);
	hash_str(&c, "rule");
	hash_line(&c, s, "r", uid);
	for (g = 0; g < 2; g++)
		json_array_foreach(json_object_get(sim, groups[g]), i, m) {
			const json_t *o = json_object_get(s->rules, site_str(m, "uid"));

			hash_str(&c, o ? "+" : "-");
			hash_json(&c, json_object_get(o, "title"));
		}
	json_array_foreach(json_object_get(r, "techniques"), i, e)
		hash_str(&c, json_string_value(e) && json_object_get(s->tech_ids, json_string_value(e)) ? "+" : "-");
	sha256_final_hex(&c, out);
}

/* every string in v that is a rule's uid: that rule's line and its first counterpart's */
static void hash_named_rules(struct sha256_ctx *c, const struct site *s, const json_t *v)
{
	const char *key;
	json_t *e;
	size_t i;

	if (json_is_string(v)) {
		const json_t *r = json_object_get(s->rules, json_string_value(v));

		if (r) {
			hash_line(c, s, "r", json_string_value(v));
			hash_line(c, s, "r", site_str(json_array_get(json_object_get(json_object_get(r, "similar"),
										     "other_vendors"), 0), "uid"));
		}
	} else if (json_is_array(v)) {
		json_array_foreach((json_t *)v, i, e)
			hash_named_rules(c, s, e);
	} else if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, e)
			hash_named_rules(c, s, e);
	}
}

/* the part every technique page shares: technique names, the events with a page */
static void technique_common_hash(const struct site *s, char out[SHA256_HEX_LEN + 1])
{
	struct sha256_ctx c;
	const char *uid;
	json_t *r;

	sha256_init(&c);
	hash_json(&c, s->tech_ids);
	json_object_foreach(s->rules, uid, r) {
		hash_str(&c, json_is_true(json_object_get(r, "retired")) ? "retired" : "live");
		hash_json(&c, json_object_get(r, "events"));
	}
	sha256_final_hex(&c, out);
}

static void technique_hash(const struct site *s, const json_t *t, const char *common,
			   char out[SHA256_HEX_LEN + 1])
{
	struct sha256_ctx c;

	sha256_init(&c);
	hash_str(&c, "technique");
	hash_str(&c, common);
	hash_line(&c, s, "t", site_str(t, "id"));
	hash_named_rules(&c, s, t);
	sha256_final_hex(&c, out);
}

/* unit `kind:key` with its hash: 1 when its pages can stay as they are */
static int unchanged(const struct site *s, const char *kind, const char *key, const char *hash)
{
	char *name;
	int same;

	if (!s->next)
		return 0;
	name = xasprintf("%s:%s", kind, key);
	same = manifest_unit(s->next, s->prev, s->dir, name, hash, s->written);
	free(name);
	return same;
}

void site_write(const struct site *s)
{
	static const char *const dirs[] = { "technique", "rule", "vendor", "navigator", "event" };
	char hash[SHA256_HEX_LEN + 1], common[SHA256_HEX_LEN + 1];
	const char *key;
	json_t *t, *r;
	size_t i;

	make_dir(s->dir);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char *sub = xasprintf("%s/%s", s->dir, dirs[i]);

		make_dir(sub);
		free(sub);
	}
	if (!unchanged(s, "global", "", s->catalog_hash)) {
		struct strbuf css = STRBUF_INIT;

		strbuf_addstr(&css, stylesheet);
		site_write_file(s, "style.css", &css);
		strbuf_release(&css);
		site_index_page(s);
		site_event_pages(s);
	}
	technique_common_hash(s, common);
	json_array_foreach(s->techniques, i, t) {
		technique_hash(s, t, common, hash);
		if (!unchanged(s, "technique", site_str(t, "id"), hash))
			site_technique_page(s, t);
	}
	json_object_foreach(s->rules, key, r) {
		rule_hash(s, key, r, hash);
		if (!unchanged(s, "rule", key, hash))
			site_rule_page(s, key, r);
	}
	remove_stale(s);
}
