/*
 * The index's list of sources (site.h): each source of the build with the
 * rules it gave, its files, when it was last fetched, and a stale flag when
 * its fetch failed and its last good raw file was used (corpus.sources).
 */
#include "site/site.h"
#include "site/html.h"
#include "site/table.h"

#include <string.h>

void site_sources_section(const struct site *s, struct strbuf *html, struct strbuf *md)
{
	static const struct table_col cols[] = {
		{ "Source", 0, 0, 0, 0 }, { "Vendor", 0, 0, 0, 0 }, { "Rules", 0, 0, 1, 0 },
		{ "Files", 0, 0, 1, 0 }, { "Last fetched", 0, "nw", 0, 0 }, { "State", 0, 0, 0, 0 },
	};
	const json_t *list = json_object_get(s->corpus, "sources"), *src;
	size_t i, nstale = 0;
	struct table tb;

	if (!json_array_size(list))
		return;
	json_array_foreach(list, i, src)
		nstale += json_is_true(json_object_get(src, "stale"));
	strbuf_addstr(html, "<h2>Sources</h2>\n");
	strbuf_addstr(md, "\n## Sources\n\n");
	if (nstale) {
		strbuf_addf(html, "<p class=\"status-failed\">%zu source%s stale: the last fetch failed, "
			    "the rules are those of the last good fetch.</p>\n", nstale, nstale > 1 ? "s are" : " is");
		strbuf_addf(md, "**%zu source%s stale**: the last fetch failed, the rules are those of the "
			    "last good fetch.\n\n", nstale, nstale > 1 ? "s are" : " is");
	}
	table_begin(&tb, html, md, cols, sizeof(cols) / sizeof(cols[0]));
	json_array_foreach(list, i, src) {
		const char *fetched = json_string_value(json_object_get(src, "fetched"));
		const json_t *files = json_object_get(src, "files");
		int stale = json_is_true(json_object_get(src, "stale"));
		char day[11] = "";

		if (fetched && strlen(fetched) >= 10) {
			memcpy(day, fetched, 10);	/* the date is enough: 2026-12-03 */
			day[10] = '\0';
		}
		table_cell(&tb, site_str(src, "name"));
		table_cell(&tb, strcmp(site_str(src, "vendor"), "attack") ? site_vendor_label(site_str(src, "vendor"))
				 : "ATT&CK");
		table_cell_num(&tb, json_integer_value(json_object_get(src, "rules")));
		if (files)
			table_cell_num(&tb, json_integer_value(files));
		else
			table_cell(&tb, "");
		table_cell(&tb, fetched ? day : "local copy");
		if (stale) {
			table_cell_open_class(&tb, "status-failed");
			strbuf_addstr(tb.html, "stale");
			strbuf_addstr(tb.md, "**stale**");
			table_cell_close(&tb);
		} else {
			table_cell(&tb, "current");
		}
	}
	table_end(&tb);
}
