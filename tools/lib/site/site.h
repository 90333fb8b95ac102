/*
 * site.h: the static site of a catalog (SPEC §6), as detcat-report writes it:
 * index.html and index.md with the ATT&CK matrix, a page per vendor, one HTML
 * and one Markdown page per technique and per rule, ATT&CK Navigator layers
 * and style.css. No JavaScript is needed: the index's search box is enhanced by
 * search.js, and works as a link to rules.html without it. Every text from the catalog is escaped; file
 * names made from uids are safe (html.h). The same catalog gives the same
 * bytes, and pages of an earlier run that this one did not write are removed
 * (only those: the list of what a run wrote is the tool's, .detcat-pages).
 *
 * The tool reads the catalog into a struct site; site_write() writes it all.
 * The rest are the helpers the pages share (site.c), and one function per kind
 * of page (technique.c, rulepage.c, index.c).
 *
 * Ownership: a site's jansson values are the tool's; pages only read them.
 * Strings returned by site_str() are borrowed; site_value_text()'s are the
 * caller's to free.
 */
#ifndef DETCAT_SITE_H
#define DETCAT_SITE_H

#include <stddef.h>
#include <jansson.h>

#include "common/util.h"
#include "site/manifest.h"

struct profile;

struct site {
	const char *dir;
	json_t *techniques;	/* array, catalog order */
	json_t *rules;		/* uid -> record */
	json_t *corpus;
	json_t *tech_ids;	/* id -> true, for links */
	json_t *written;	/* relative path -> true: what this run wrote */
	json_t *previous;	/* relative path -> true: what the last run wrote (its .detcat-pages) */
	/* a telemetry profile (detcat-report --have), all NULL without one (index.c, technique.c) */
	const struct profile *profile;
	json_t *coverage;	/* coverage_compute()'s result for it */
	json_t *tech_coverage;	/* technique id -> its technique_coverage record */
	/*
	 * What pages are made from (manifest.h): the sha256 of each record's line,
	 * "r" UID or "t" ID -> hex, and of the whole catalog's lines; the manifest
	 * of the last run (prev: empty when there is none or it is another
	 * build's) and of this one (next). NULL prev and next: every page rendered.
	 */
	json_t *line_hash;
	char catalog_hash[65];
	struct manifest *prev, *next;
};

/*
 * Every page of the site into s->dir whose inputs changed since the last run
 * (or whose file is gone or was touched), then the stale ones removed. What
 * each kind of page reads, and so what its hash covers (write.c):
 *   rule page: its rule line; the titles of its similar rules (and whether
 *     they exist); whether each of its techniques has a page;
 *   technique page: its technique line; every rule line its record names
 *     (any string member equal to a rule's uid) and the line of each such
 *     rule's first counterpart; the techniques' ids and names; the set of
 *     events with a page (every rule's events and retired flag);
 *   everything else (index, vendor, rules, search, Navigator layers, event
 *     pages, style.css): the whole catalog.
 * A page function that starts reading more must say so there.
 */
void site_write(const struct site *s);

/* ---- pages ---- */
void site_index_page(const struct site *s);
void site_technique_page(const struct site *s, const json_t *t);
void site_rule_page(const struct site *s, const char *uid, const json_t *r);
/* the index's Sources section: rules, last fetch and stale flag per source (sources.c) */
void site_sources_section(const struct site *s, struct strbuf *html, struct strbuf *md);
/* rules.html and rules.md: every rule, so rules without a technique have a way in too */
void site_rules_page(const struct site *s);
/* search.js and search-index.js (search.c); the form of the index that uses them */
void site_search_files(const struct site *s);
void site_search_form(struct strbuf *html);

/* ---- helpers the pages share ---- */
/* a string member, "" when absent */
const char *site_str(const json_t *obj, const char *key);
/* a value of any JSON type as text (malloc'd) */
char *site_value_text(const json_t *v);
void site_esc(struct strbuf *sb, const char *s);
void site_esc_value(struct strbuf *sb, const json_t *v);
/* "Sigma" for "sigma" ... */
const char *site_vendor_label(const char *v);
int site_cmp_str(const void *a, const void *b);
/* the vendors to show: the four known ones in order, then any other, sorted (*out malloc'd) */
size_t site_vendor_list(const json_t *by_vendor, const char ***out);
void site_rule_link(struct strbuf *sb, const char *prefix, const char *uid, const char *ext);
void site_rule_href(struct strbuf *sb, const char *prefix, const char *uid);
void site_tech_href(struct strbuf *sb, const char *prefix, const char *id);
/* one page at s->dir/rel; left alone when it holds these bytes already */
void site_write_file(const struct site *s, const char *rel, const struct strbuf *sb);
void site_page_head(struct strbuf *sb, const char *prefix, const char *title);
/* the same, with a class on <main> ("wide": the overview pages with the matrix); NULL for none */
void site_page_head_main(struct strbuf *sb, const char *prefix, const char *title, const char *main_class);
void site_page_foot(struct strbuf *sb);
void site_rule_title(struct strbuf *sb, const json_t *rule, const char *uid);
/*
 * The shade (1 to 5) of a cell with n rules when the busiest has max, on a
 * logarithmic scale: shade k + 1 from max^(k/4) up; 0 for no rule. The
 * matrix and the Navigator layers use the same shades.
 */
int site_heat(long long n, long long max);
/* a similar rule's overlap, shared over union, in whole per cent */
long long site_match_percent(const json_t *m);

#endif
