/* Tables in HTML and Markdown from one description (table.h). */
#include "site/table.h"

#include <string.h>

#include "site/html.h"

static void html_head(struct table *t)
{
	size_t i;

	strbuf_addstr(t->html, "<table>\n<thead><tr>");
	for (i = 0; i < t->ncols; i++) {
		strbuf_addstr(t->html, t->cols[i].num ? "<th class=\"num\">" : "<th>");
		strbuf_addstr(t->html, t->cols[i].title);
		strbuf_addstr(t->html, "</th>");
	}
	strbuf_addstr(t->html, "</tr></thead>\n<tbody>\n");
}

void table_fold(struct table *t, const char *summary_html)
{
	if (t->folded || t->col)
		return;
	t->folded = 1;
	strbuf_addstr(t->html, "</tbody>\n</table>\n<details class=\"more\"><summary>");
	strbuf_addstr(t->html, summary_html);
	strbuf_addstr(t->html, "</summary>\n");
	html_head(t);
}

void table_begin(struct table *t, struct strbuf *html, struct strbuf *md,
		 const struct table_col *cols, size_t ncols)
{
	size_t i;

	t->html = html;
	t->md = md;
	t->cols = cols;
	t->ncols = ncols;
	t->col = 0;
	t->folded = 0;
	html_head(t);
	if (!md)
		return;
	for (i = 0; i < ncols; i++) {
		strbuf_addstr(md, i ? " | " : "| ");
		strbuf_addstr(md, cols[i].md_title ? cols[i].md_title : cols[i].title);
	}
	strbuf_addstr(md, " |\n");
	for (i = 0; i < ncols; i++)
		strbuf_addstr(md, cols[i].num ? "|---:" : "|---");
	strbuf_addstr(md, "|\n");
}

static void open_cell(struct table *t, const char *td_class)
{
	if (t->col == 0)
		strbuf_addstr(t->html, "<tr>");
	if (td_class)
		strbuf_addf(t->html, "<td class=\"%s\">", td_class);
	else
		strbuf_addstr(t->html, "<td>");
	if (t->md)
		strbuf_addstr(t->md, t->col ? " | " : "| ");
}

void table_cell_open(struct table *t)
{
	const struct table_col *c = &t->cols[t->col];

	open_cell(t, c->num ? "num" : c->td_class);
}

void table_cell_open_class(struct table *t, const char *td_class)
{
	open_cell(t, td_class);
}

void table_cell_close(struct table *t)
{
	strbuf_addstr(t->html, "</td>");
	if (++t->col == t->ncols) {
		strbuf_addstr(t->html, "</tr>\n");
		if (t->md)
			strbuf_addstr(t->md, " |\n");
		t->col = 0;
	}
}

void table_cell(struct table *t, const char *text)
{
	int code = t->cols[t->col].code;

	table_cell_open(t);
	if (code)
		strbuf_addstr(t->html, "<code>");
	html_escape(t->html, text ? text : "");
	if (code)
		strbuf_addstr(t->html, "</code>");
	if (t->md)
		md_escape(t->md, text ? text : "");
	table_cell_close(t);
}

void table_cell_num(struct table *t, long long n)
{
	table_cell_open(t);
	strbuf_addf(t->html, "%lld", n);
	if (t->md)
		strbuf_addf(t->md, "%lld", n);
	table_cell_close(t);
}

void table_end(struct table *t)
{
	strbuf_addstr(t->html, "</tbody>\n</table>\n");
	if (t->folded)
		strbuf_addstr(t->html, "</details>\n");
}
