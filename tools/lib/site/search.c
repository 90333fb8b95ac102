/*
 * The index's search (site.h): search.js, a few lines that enhance the
 * index's search form, and search-index.js, the static index it loads on
 * first use: technique ids and names, rule titles, indicator values. Without
 * script the form opens rules.html, which lists every rule; the index itself
 * carries none of this, so that it stays light.
 *
 * search-index.js sets window.detcatIndex = {
 *   t: [[id, name], ...]                 techniques, catalog order → technique/ID.html
 *   r: [[title, file, vendor], ...]      rules by uid → rule/FILE.html
 *   v: [[value, [id, ...], n], ...]      indicator values shared by two rules or more
 *                                        (corpus reach >= 2; up to SEARCH_VALUE_MAX
 *                                        bytes), sorted, with the SEARCH_TECH_MAX
 *                                        techniques where most rules use them and
 *                                        the number of techniques in all
 * }; a script file rather than JSON so that it loads from file:// too. A value
 * of one rule only is on its technique page, not in the index: the index stays
 * about a megabyte on the whole corpus.
 */
#include "site/site.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "site/html.h"

#define SEARCH_VALUE_MAX 120
#define SEARCH_TECH_MAX 3

static const char search_js[] =
	"/* detcat search: the index's search form, enhanced (without script it opens rules.html) */\n"
	"(function () {\n"
	"\tvar form = document.getElementById('search'), q = document.getElementById('q');\n"
	"\tvar out = document.getElementById('results'), asked = false, MAX = 60;\n"
	"\tif (!form || !q || !out) return;\n"
	"\tfunction load(then) {\n"
	"\t\tif (window.detcatIndex) return then();\n"
	"\t\tif (asked) return;\n"
	"\t\tasked = true;\n"
	"\t\tvar s = document.createElement('script');\n"
	"\t\ts.src = 'search-index.js';\n"
	"\t\ts.onload = then;\n"
	"\t\tdocument.head.appendChild(s);\n"
	"\t}\n"
	"\tfunction item(href, text, meta) {\n"
	"\t\tvar li = document.createElement('li'), a = document.createElement('a');\n"
	"\t\ta.href = href;\n"
	"\t\ta.textContent = text;\n"
	"\t\tli.appendChild(a);\n"
	"\t\tif (meta) {\n"
	"\t\t\tvar m = document.createElement('span');\n"
	"\t\t\tm.className = 'meta';\n"
	"\t\t\tm.textContent = ' ' + meta;\n"
	"\t\t\tli.appendChild(m);\n"
	"\t\t}\n"
	"\t\tout.appendChild(li);\n"
	"\t}\n"
	"\tfunction run() {\n"
	"\t\tvar ix = window.detcatIndex, term = q.value.trim().toLowerCase(), n = 0, i, e, k;\n"
	"\t\tout.textContent = '';\n"
	"\t\tif (!ix || term.length < 2) return;\n"
	"\t\tfor (i = 0; i < ix.t.length && n < MAX; i++) {\n"
	"\t\t\te = ix.t[i];\n"
	"\t\t\tif ((e[0] + ' ' + e[1]).toLowerCase().indexOf(term) >= 0 && ++n)\n"
	"\t\t\t\titem('technique/' + e[0] + '.html', e[0] + ' ' + e[1], 'technique');\n"
	"\t\t}\n"
	"\t\tfor (i = 0; i < ix.r.length && n < MAX; i++) {\n"
	"\t\t\te = ix.r[i];\n"
	"\t\t\tif (e[0].toLowerCase().indexOf(term) >= 0 && ++n)\n"
	"\t\t\t\titem('rule/' + e[1] + '.html', e[0], e[2] + ' rule');\n"
	"\t\t}\n"
	"\t\tfor (i = 0; i < ix.v.length && n < MAX; i++) {\n"
	"\t\t\te = ix.v[i];\n"
	"\t\t\tif (e[0].toLowerCase().indexOf(term) < 0)\n"
	"\t\t\t\tcontinue;\n"
	"\t\t\tfor (k = 0; k < e[1].length && n < MAX; k++, n++)\n"
	"\t\t\t\titem('technique/' + e[1][k] + '.html', e[0], 'indicator of ' + e[1][k] +\n"
	"\t\t\t\t     (k == 0 && e[2] > e[1].length ? ' (and ' + (e[2] - e[1].length) + ' other techniques)' : ''));\n"
	"\t\t}\n"
	"\t\tif (!n)\n"
	"\t\t\titem('rules.html', 'Nothing found: every rule', '');\n"
	"\t\telse if (n >= MAX)\n"
	"\t\t\titem('rules.html', 'More: every rule', 'the first ' + MAX + ' are shown');\n"
	"\t}\n"
	"\tform.addEventListener('submit', function (ev) { ev.preventDefault(); load(run); });\n"
	"\tq.addEventListener('input', function () { load(run); });\n"
	"})();\n";

/* technique ids are made only of letters, digits and dots; anything else stays out */
static int plain_id(const char *id)
{
	if (!*id)
		return 0;
	for (; *id; id++)
		if (!((*id >= 'A' && *id <= 'Z') || (*id >= '0' && *id <= '9') || *id == '.'))
			return 0;
	return 1;
}

void site_search_files(const struct site *s)
{
	json_t *ix = json_object(), *t = json_array(), *r = json_array(), *v = json_array();
	json_t *values = json_object(), *rec, *val;
	struct strbuf js = STRBUF_INIT, file = STRBUF_INIT;
	const char **uids, *key;
	size_t i, j, n;
	char *text;

	json_array_foreach(s->techniques, i, rec) {
		const char *id = site_str(rec, "id");
		const json_t *e;

		if (!plain_id(id))
			continue;
		json_array_append_new(t, json_pack("[s,s]", id, site_str(rec, "name")));
		json_array_foreach(json_object_get(rec, "indicators"), j, e) {
			char *value = site_value_text(json_object_get(e, "value"));
			json_t *list;

			if (strlen(value) <= SEARCH_VALUE_MAX && *value &&
			    json_integer_value(json_object_get(e, "reach")) >= 2) {
				if (!(list = json_object_get(values, value)))
					json_object_set_new(values, value, list = json_array());
				json_array_append_new(list, json_pack("[s,I]", id,
					json_integer_value(json_object_get(e, "rules"))));
			}
			free(value);
		}
	}
	n = json_object_size(s->rules);
	uids = xmalloc((n + 1) * sizeof(*uids));
	j = 0;
	json_object_foreach(s->rules, key, val)
		uids[j++] = key;
	qsort(uids, n, sizeof(*uids), site_cmp_str);
	for (i = 0; i < n; i++) {
		const json_t *rule = json_object_get(s->rules, uids[i]);
		const char *title = site_str(rule, "title");

		strbuf_reset(&file);
		safe_filename(&file, uids[i]);
		json_array_append_new(r, json_pack("[s,s,s]", *title ? title : uids[i], file.buf,
						   site_vendor_label(site_str(rule, "vendor"))));
	}
	free(uids);
	/* values sorted: the same bytes for the same catalog */
	n = json_object_size(values);
	uids = xmalloc((n + 1) * sizeof(*uids));
	j = 0;
	json_object_foreach(values, key, val)
		uids[j++] = key;
	qsort(uids, n, sizeof(*uids), site_cmp_str);
	for (i = 0; i < n; i++) {
		json_t *list = json_object_get(values, uids[i]), *top = json_array();
		size_t nl = json_array_size(list), k;

		/* the techniques where most rules use it (a stable sort: ATT&CK order on ties) */
		for (k = 0; k < SEARCH_TECH_MAX && k < nl; k++) {
			size_t best = 0, m;
			json_int_t bn = -1;

			for (m = 0; m < nl; m++) {
				json_t *e = json_array_get(list, m);
				json_int_t rn = json_integer_value(json_array_get(e, 1));

				if (rn > bn) {
					bn = rn;
					best = m;
				}
			}
			json_array_append(top, json_array_get(json_array_get(list, best), 0));
			json_array_set_new(json_array_get(list, best), 1, json_integer(-2));
		}
		json_array_append_new(v, json_pack("[s,o,I]", uids[i], top, (json_int_t)nl));
	}
	free(uids);
	json_object_set_new(ix, "t", t);
	json_object_set_new(ix, "r", r);
	json_object_set_new(ix, "v", v);
	text = json_dumps(ix, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!text)
		msg_die("out of memory");
	strbuf_addstr(&js, "window.detcatIndex = ");
	strbuf_addstr(&js, text);
	strbuf_addstr(&js, ";\n");
	site_write_file(s, "search-index.js", &js);
	strbuf_reset(&js);
	strbuf_addstr(&js, search_js);
	site_write_file(s, "search.js", &js);
	free(text);
	strbuf_release(&js);
	strbuf_release(&file);
	json_decref(values);
	json_decref(ix);
}

void site_search_form(struct strbuf *html)
{
	strbuf_addstr(html, "<form id=\"search\" class=\"search\" action=\"rules.html\" role=\"search\">"
		      "<label for=\"q\">Search</label> <input id=\"q\" name=\"q\" type=\"search\" "
		      "placeholder=\"rule title, technique name or id, indicator value\" size=\"48\"> "
		      "<button type=\"submit\">Search</button> <a href=\"rules.html\">every rule</a></form>\n"
		      "<ul id=\"results\" class=\"results\"></ul>\n"
		      "<script src=\"search.js\" defer></script>\n");
}
