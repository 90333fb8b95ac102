/*
 * table.h: one table written as HTML and as Markdown at once, so that the
 * two forms of every page carry the same rows (detcat-report writes each page
 * twice). Columns are declared once; cells are then given in order, a row
 * ending with its last cell.
 *
 *   HTML      <table>\n<thead><tr><th>Field</th>...</tr></thead>\n<tbody>\n
 *             <tr><td class="field"><code>x</code></td><td class="num">3</td></tr>\n
 *             </tbody>\n</table>\n
 *   Markdown  | Field | Rules |\n|---|---:|\n| x | 3 |\n
 *
 * A cell is text (escaped for each form), a number, or written by the caller
 * into both buffers between table_cell_open() and table_cell_close() (a link,
 * a <details> list in HTML and the plain value in Markdown).
 *
 * Ownership: the table borrows both buffers and the column array; md may be
 * NULL for a table that only the HTML page has.
 */
#ifndef DETCAT_SITE_TABLE_H
#define DETCAT_SITE_TABLE_H

#include <stddef.h>

#include "common/util.h"

struct table_col {
	const char *title;	/* HTML of the header cell (escaped already) */
	const char *md_title;	/* NULL: the same as title */
	const char *td_class;	/* the cells' class attribute, or NULL */
	int num;		/* right-aligned number: th and td class "num", Markdown ---: */
	int code;		/* text cells in <code> (HTML) */
};

struct table {
	struct strbuf *html, *md;
	const struct table_col *cols;
	size_t ncols, col;
	int folded;		/* table_fold() was called */
};

/* Write the header of both forms. */
void table_begin(struct table *t, struct strbuf *html, struct strbuf *md,
		 const struct table_col *cols, size_t ncols);
/* The next cell: text escaped for each form. */
void table_cell(struct table *t, const char *text);
void table_cell_num(struct table *t, long long n);
/* The next cell, written by the caller into t->html and t->md (may be NULL). */
void table_cell_open(struct table *t);
/* The same, with this cell's own class attribute (HTML, escaped already) instead of the column's. */
void table_cell_open_class(struct table *t, const char *td_class);
void table_cell_close(struct table *t);
/*
 * Between two rows: the rows after this go, in HTML, into a table of their own
 * inside <details> with this summary (HTML, escaped already), folded until
 * opened; Markdown keeps one table. At most once per table.
 */
void table_fold(struct table *t, const char *summary_html);
void table_end(struct table *t);

#endif
