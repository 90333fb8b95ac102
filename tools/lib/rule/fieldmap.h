/*
 * fieldmap.h: a vendor's raw field names → canonical (ECS) names, read from
 * mappings/fields/<vendor>.yaml. Vendor-neutral: a scope is any set of
 * key/value pairs that describe where a rule reads (Sigma logsource
 * product/category/service, a Splunk datamodel, a KQL table).
 *
 * The file:
 *
 *   vendor: sigma
 *   default:                        # used when no scope below has the field
 *     CommandLine: process.command_line
 *     Hashes:                       # one raw field holding "ALGO=value" lists
 *       field: process.hash
 *       split: {SHA256: process.hash.sha256, MD5: process.hash.md5}
 *   scopes:                         # most specific first; every matching one
 *     - match: {category: file_event}    # is tried in order, then default
 *       fields: {TargetFilename: file.path}
 *     - match: {category: [registry_set, registry_event]}   # a list: any of
 *       fields: {...}
 *     - match: {product: windows}
 *       unlisted: winlog.event_data.     # any other field: this prefix + its name
 *   unlisted: ""                    # a field listed nowhere: this prefix + its
 *                                   # name ("": the name as written is canonical)
 *   text_fields: [message]          # canonical names of full-text fields, which a
 *                                   # query language may match by token (kuery)
 *
 * A field is looked up in the fields of every matching scope, then in default;
 * only when all of those miss does the first matching scope with `unlisted`
 * name it (prefix + raw name as written), then the top-level `unlisted`.
 *
 * A scope matches when every key of `match` is present in the rule's scope
 * with one of the listed values (compared case-insensitively). Field names are
 * looked up case-insensitively. A map is immutable once loaded and may be
 * shared by threads.
 *
 * Ownership: fieldmap_load*() returns a map the caller frees with
 * fieldmap_free(); every string it hands out belongs to the map.
 */
#ifndef DETCAT_FIELDMAP_H
#define DETCAT_FIELDMAP_H

#include <stddef.h>

struct fieldmap;

struct fieldmap_entry {
	const char *field;		/* canonical name, or a prefix (append_raw) */
	int append_raw;			/* from `unlisted`: canonical = field + raw name */
	/* value-prefix split: a value "KEY<sep>rest" names the field split_fields[i] */
	size_t nsplit;
	const char *const *split_keys;
	const char *const *split_fields;
	char split_sep;
};

/* NULL on failure with a message in err ("FILE:LINE: what is wrong"). */
struct fieldmap *fieldmap_load(const char *path, char *err, size_t errlen);
struct fieldmap *fieldmap_load_text(const char *name, const char *text, size_t len,
				    char *err, size_t errlen);
void fieldmap_free(struct fieldmap *map);

#define FIELDMAP_VIEW_MAX 64

/* The scopes that match one rule, resolved once and used for all its fields. */
struct fieldmap_view {
	const struct fieldmap *map;
	size_t n;
	unsigned idx[FIELDMAP_VIEW_MAX];
};

/*
 * keys/vals: the rule's scope, n pairs; a NULL value is skipped. map may be
 * NULL (then every lookup misses).
 */
void fieldmap_view_init(struct fieldmap_view *v, const struct fieldmap *map, size_t n,
			const char *const *keys, const char *const *vals);
/* The entry for raw (matching scopes first, then default), or NULL: unmapped. */
const struct fieldmap_entry *fieldmap_lookup(const struct fieldmap_view *v, const char *raw);

/* 1 when the canonical field is one of the map's text_fields. */
int fieldmap_is_text(const struct fieldmap *map, const char *canonical);

/* The canonical name for raw under e (malloc'd); NULL when e is NULL. */
char *fieldmap_canonical(const struct fieldmap_entry *e, const char *raw);

/*
 * When e splits values and value starts with one of its keys followed by the
 * separator (key compared case-insensitively), return the field for it and set
 * *skip to the length of "KEY<sep>". Otherwise NULL.
 */
const char *fieldmap_split(const struct fieldmap_entry *e, const char *value, size_t len,
			   size_t *skip);

#endif
