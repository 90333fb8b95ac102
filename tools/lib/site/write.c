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

#include "common/util.h"
#include "site/eventpage.h"

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

void site_write(const struct site *s)
{
	static const char *const dirs[] = { "technique", "rule", "vendor", "navigator", "event" };
	struct strbuf css = STRBUF_INIT;
	const char *key;
	json_t *t, *r;
	size_t i;

	make_dir(s->dir);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char *sub = xasprintf("%s/%s", s->dir, dirs[i]);

		make_dir(sub);
		free(sub);
	}
	strbuf_addstr(&css, stylesheet);
	site_write_file(s, "style.css", &css);
	strbuf_release(&css);
	site_index_page(s);
	json_array_foreach(s->techniques, i, t)
		site_technique_page(s, t);
	json_object_foreach(s->rules, key, r)
		site_rule_page(s, key, r);
	site_event_pages(s);
	remove_stale(s);
}
