/*
 * navigator.c: ATT&CK Navigator layers of catalog techniques. See navigator.h.
 *
 * Keys go in the order the Navigator's own export writes them, and techniques in
 * the order given: the same records always give the same bytes. Each technique
 * carries its colour: the shade the matrix gives it, on the same logarithmic
 * scale (site_heat()), since the Navigator's own gradient is linear and leaves
 * most cells pale when one technique has hundreds of rules; the gradient stays,
 * with the same colours, for the Navigator's legend.
 * Aggregate scores stay off: a parent's count already holds its sub-techniques'
 * rules.
 */
#include "site/navigator.h"

#include "common/text.h"
#include "common/util.h"
#include "site/site.h"

#include <stdlib.h>
#include <string.h>

/* known vendors, in the order every page lists them */
static const struct {
	const char *key, *label;
} vendors[] = {
	{ "sigma", "Sigma" }, { "elastic", "Elastic" }, { "splunk", "Splunk" }, { "kusto", "Kusto" }
};
#define NVENDORS (sizeof(vendors) / sizeof(vendors[0]))

/* the site's .heat-1 … .heat-5 */
static const char *const colors[] = { "#eef4fc", "#d3e3f8", "#a9c8f0", "#7eaae6", "#5b8fd9" };
#define NCOLORS (sizeof(colors) / sizeof(colors[0]))

/* a count of rules; 0 when absent, negative or not an integer */
static json_int_t count(const json_t *n)
{
	if (!json_is_integer(n) || json_integer_value(n) < 0)
		return 0;
	return json_integer_value(n);
}

/* the technique's score in the layer of vendor (NULL: all) */
static json_int_t score(const json_t *t, const char *vendor)
{
	const json_t *rules = json_object_get(t, "rules");

	if (!vendor)
		return count(json_object_get(rules, "total"));
	return count(json_object_get(json_object_get(rules, "by_vendor"), vendor));
}

/* "T1234" or "T1234.001": anything else would name no cell of the matrix */
static int technique_id(const char *s)
{
	size_t i;

	if (!s || s[0] != 'T')
		return 0;
	for (i = 1; i <= 4; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	if (s[5] == '\0')
		return 1;
	if (s[5] != '.')
		return 0;
	for (i = 6; i <= 8; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return s[9] == '\0';
}

/* ATT&CK revoked or deprecated it: the Navigator has no cell for it in the release's matrix */
static int retired_technique(const json_t *t)
{
	return json_is_true(json_object_get(t, "revoked")) || json_is_true(json_object_get(t, "deprecated"));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int known_vendor(const char *key)
{
	size_t i;

	for (i = 0; i < NVENDORS; i++)
		if (strcmp(vendors[i].key, key) == 0)
			return 1;
	return 0;
}

static json_t *text(const char *s, const char *what);

static const char *vendor_label(const char *key)
{
	size_t i;

	for (i = 0; i < NVENDORS; i++)
		if (strcmp(vendors[i].key, key) == 0)
			return vendors[i].label;
	return key;
}

/*
 * "12 rules: Sigma 7, Elastic 5": known vendors first, then the others by key;
 * in one vendor's layer, that vendor's rules only ("7 Sigma rules")
 */
static json_t *comment(const json_t *t, const char *vendor)
{
	const json_t *rules = json_object_get(t, "rules");
	json_t *by = json_object_get(rules, "by_vendor"), *v, *out;
	json_int_t total = count(json_object_get(rules, "total")), n;
	struct strbuf sb = STRBUF_INIT;
	const char **others, *key, *sep = ": ";
	size_t i, nothers = 0;

	if (vendor) {
		n = count(json_object_get(by, vendor));
		strbuf_addf(&sb, "%lld %s rule%s", (long long)n, vendor_label(vendor), n == 1 ? "" : "s");
		out = text(sb.buf, "a vendor");
		strbuf_release(&sb);
		return out;
	}
	strbuf_addf(&sb, "%lld rule%s", (long long)total, total == 1 ? "" : "s");
	for (i = 0; i < NVENDORS; i++)
		if ((n = count(json_object_get(by, vendors[i].key))) > 0) {
			strbuf_addf(&sb, "%s%s %lld", sep, vendors[i].label, (long long)n);
			sep = ", ";
		}
	others = xmalloc((json_object_size(by) + 1) * sizeof(*others));
	json_object_foreach(by, key, v)
		if (!known_vendor(key) && count(v) > 0)
			others[nothers++] = key;
	if (nothers)
		qsort(others, nothers, sizeof(*others), cmp_str);
	for (i = 0; i < nothers; i++) {
		strbuf_addf(&sb, "%s%s %lld", sep, others[i],
			    (long long)count(json_object_get(by, others[i])));
		sep = ", ";
	}
	out = json_string(sb.buf);
	free(others);
	strbuf_release(&sb);
	return out;
}

/* A text of the layer; bytes that are not UTF-8 become U+FFFD, with one warning (SPEC §8). */
static json_t *text(const char *s, const char *what)
{
	struct strbuf sb = STRBUF_INIT;
	size_t n, at;
	json_t *v;

	if (!s)
		s = "";
	n = strlen(s);
	if (utf8_invalid_at(s, n) == UTF8_VALID)
		return json_string(s);
	msg_warn("navigator layer: %s is not valid UTF-8; bad bytes shown as U+FFFD", what);
	while (n && (at = utf8_invalid_at(s, n)) != UTF8_VALID) {
		strbuf_add(&sb, s, at);
		strbuf_addstr(&sb, "\xEF\xBF\xBD");
		s += at + 1;
		n -= at + 1;
	}
	strbuf_add(&sb, s, n);
	v = json_string(sb.buf ? sb.buf : "");
	strbuf_release(&sb);
	return v;
}

static json_t *gradient(json_int_t max)
{
	json_t *g = json_object(), *c = json_array();
	size_t i;

	for (i = 0; i < NCOLORS; i++)
		json_array_append_new(c, json_string(colors[i]));
	json_object_set_new(g, "colors", c);
	json_object_set_new(g, "minValue", json_integer(0));
	json_object_set_new(g, "maxValue", json_integer(max));
	return g;
}

/* the shades and the rule counts each stands for: "1-3 rules", ... (site_heat()) */
static json_t *legend(json_int_t max, const char *vendor)
{
	json_t *items = json_array();
	json_int_t from = 1, n;
	int level = 1;

	for (n = 1; n <= max + 1; n++) {
		int h = n <= max ? site_heat(n, max) : 0;
		struct strbuf sb = STRBUF_INIT;

		if (h == level)
			continue;
		if (n - 1 < from) {	/* no count has this shade */
			level = h;
			continue;
		}
		if (from == n - 1)
			strbuf_addf(&sb, "%lld", (long long)from);
		else
			strbuf_addf(&sb, "%lld-%lld", (long long)from, (long long)(n - 1));
		strbuf_addf(&sb, " %s%srule%s", vendor ? vendor_label(vendor) : "", vendor ? " " : "",
			    n - 1 == 1 ? "" : "s");
		json_array_append_new(items, json_pack("{s:o,s:s}", "label", text(sb.buf, "a vendor"),
						       "color", colors[level - 1]));
		strbuf_release(&sb);
		from = n;
		level = h;
	}
	return items;
}

json_t *navigator_layer(const json_t *techniques, const char *vendor, const char *name,
			const char *description, const char *attack_version)
{
	json_t *layer = json_object(), *list = json_array(), *shown = json_object(), *t;
	json_int_t max = 1;
	size_t i;

	/* parents with a scored sub-technique */
	json_array_foreach(techniques, i, t) {
		const char *id = json_string_value(json_object_get(t, "id"));
		const char *parent = json_string_value(json_object_get(t, "parent"));

		if (parent && technique_id(id) && !retired_technique(t) && score(t, vendor) > 0)
			json_object_set_new(shown, parent, json_true());
	}
	json_array_foreach(techniques, i, t) {
		const char *id = json_string_value(json_object_get(t, "id"));
		json_int_t n = score(t, vendor);

		if (technique_id(id) && !retired_technique(t) && n > max)
			max = n;
	}
	json_array_foreach(techniques, i, t) {
		const char *id = json_string_value(json_object_get(t, "id"));
		json_int_t n = score(t, vendor);
		json_t *e;

		if (!technique_id(id) || n <= 0 || retired_technique(t))
			continue;
		e = json_object();
		json_object_set_new(e, "techniqueID", json_string(id));
		json_object_set_new(e, "score", json_integer(n));
		json_object_set_new(e, "color", json_string(colors[site_heat(n, max) - 1]));
		json_object_set_new(e, "enabled", json_true());
		json_object_set_new(e, "comment", comment(t, vendor));
		if (json_object_get(shown, id))
			json_object_set_new(e, "showSubtechniques", json_true());
		json_array_append_new(list, e);
	}
	json_decref(shown);

	json_object_set_new(layer, "name", text(name, "the name"));
	json_object_set_new(layer, "versions", json_pack("{s:s,s:s}",
			    "navigator", NAVIGATOR_VERSION, "layer", NAVIGATOR_LAYER_FORMAT));
	if (attack_version && *attack_version)
		json_object_set_new(json_object_get(layer, "versions"), "attack",
				    text(attack_version, "the ATT&CK version"));
	json_object_set_new(layer, "domain", json_string("enterprise-attack"));
	json_object_set_new(layer, "description", text(description, "the description"));
	json_object_set_new(layer, "sorting", json_integer(3));	/* score, descending */
	json_object_set_new(layer, "layout", json_pack("{s:s,s:b,s:b,s:b,s:b,s:s,s:s}",
			    "layout", "side", "showID", 1, "showName", 1,
			    "showAggregateScores", 0, "countUnscored", 0,
			    "aggregateFunction", "average", "expandedSubtechniques", "annotated"));
	json_object_set_new(layer, "hideDisabled", json_false());
	json_object_set_new(layer, "techniques", list);
	json_object_set_new(layer, "gradient", gradient(max));
	json_object_set_new(layer, "legendItems", legend(max, vendor));
	json_object_set_new(layer, "metadata", json_array());
	json_object_set_new(layer, "selectTechniquesAcrossTactics", json_true());
	json_object_set_new(layer, "selectSubtechniquesWithParent", json_false());
	return layer;
}
