/*
 * The parts of the site every page shares (site.h): text helpers, links,
 * page head and foot, writing a file.
 */
#include "site/site.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "common/util.h"
#include "site/html.h"

static const char *vendor_names[][2] = {
	{ "sigma", "Sigma" }, { "elastic", "Elastic" }, { "splunk", "Splunk" }, { "kusto", "Kusto" }
};
#define NVENDORS (sizeof(vendor_names) / sizeof(vendor_names[0]))

/* ---- small helpers ---- */

const char *site_str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

/* a value of any JSON type as text; the caller frees */
char *site_value_text(const json_t *v)
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

void site_esc(struct strbuf *sb, const char *s)
{
	html_escape(sb, s);
}

void site_esc_value(struct strbuf *sb, const json_t *v)
{
	char *t = site_value_text(v);

	html_escape(sb, t);
	free(t);
}

const char *site_vendor_label(const char *v)
{
	size_t i;

	for (i = 0; i < NVENDORS; i++)
		if (strcmp(vendor_names[i][0], v) == 0)
			return vendor_names[i][1];
	return v;
}

int site_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* the vendors to show: the four known ones in order, then any other, sorted */
size_t site_vendor_list(const json_t *by_vendor, const char ***out)
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
	qsort(list + extra, n - extra, sizeof(*list), site_cmp_str);
	*out = list;
	return n;
}

void site_rule_link(struct strbuf *sb, const char *prefix, const char *uid, const char *ext)
{
	strbuf_addstr(sb, prefix);
	strbuf_addstr(sb, "rule/");
	safe_filename(sb, uid);
	strbuf_addstr(sb, ext);
}

void site_rule_href(struct strbuf *sb, const char *prefix, const char *uid)
{
	site_rule_link(sb, prefix, uid, ".html");
}

void site_tech_href(struct strbuf *sb, const char *prefix, const char *id)
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
void site_write_file(const struct site *s, const char *rel, const struct strbuf *sb)
{
	char *path = xasprintf("%s/%s", s->dir, rel), *tmp = NULL;
	const char *target = path;
	FILE *f;

	json_object_set_new(s->written, rel, json_true());
	if (same_content(path, sb)) {
		manifest_file(s->next, s->dir, rel);
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
	manifest_file(s->next, s->dir, rel);
	free(path);
	free(tmp);
}


void site_page_head(struct strbuf *sb, const char *prefix, const char *title)
{
	site_page_head_main(sb, prefix, title, NULL);
}

void site_page_head_main(struct strbuf *sb, const char *prefix, const char *title, const char *main_class)
{
	strbuf_addstr(sb, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	site_esc(sb, title);
	strbuf_addf(sb, "</title>\n<link rel=\"stylesheet\" href=\"%sstyle.css\">\n</head>\n<body>\n"
		    "<nav><a href=\"%sindex.html\">detcat catalog</a></nav>\n<main%s%s%s>\n", prefix, prefix,
		    main_class ? " class=\"" : "", main_class ? main_class : "", main_class ? "\"" : "");
}

void site_page_foot(struct strbuf *sb)
{
	strbuf_addstr(sb, "</main>\n</body>\n</html>\n");
}

void site_rule_title(struct strbuf *sb, const json_t *rule, const char *uid)
{
	const char *t = json_string_value(json_object_get(rule, "title"));

	site_esc(sb, t && *t ? t : uid);
}


int site_heat(long long n, long long max)
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

/* Jaccard of a similar-rules match, in whole percent */
long long site_match_percent(const json_t *m)
{
	long long sh = json_integer_value(json_object_get(m, "shared"));
	long long un = json_integer_value(json_object_get(m, "union"));

	return un > 0 ? (200 * sh + un) / (2 * un) : 0;
}



