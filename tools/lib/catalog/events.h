/*
 * events.h: the catalog of log events (mappings/events.yaml) and the mapping
 * from a rule record to the events it reads (SPEC §5).
 *
 * The file has two halves, both data:
 *
 *   providers:                      # the catalog, in display order
 *     Sysmon:
 *       log: Microsoft-Windows-Sysmon/Operational   # optional: the log (channel) written to
 *       names: [Microsoft-Windows-Sysmon]           # optional: other spellings of the provider
 *       unlisted: "{event} API call"                # optional: an open provider; a named
 *                                                   # event not listed gets this title
 *       events:
 *         1: Process creation                       # event (a string) → title
 *   scopes:                         # per vendor: a rule's scope → events
 *     sigma:
 *       - match: {product: windows, category: process_creation}   # rule context keys
 *         where: {event.type: start}                # optional: positive predicates needed
 *         events: {Sysmon: [1], Security-Auditing: [4688]}        # what the scope reads
 *         narrow:                                   # optional, a map or a list of maps:
 *           field: event.code                       #   predicates (canonical field) that
 *                                                   #   name events: the events named
 *                                                   #   replace `events`
 *           raw_field: [ActionType]                 #   ... or by their field as written
 *           context: [data_source]                  #   ... or context values
 *           pattern: "Sysmon EventID {event}"       #   the event inside a value
 *           split: " AND "                          #   a value holding several
 *           providers: [Sysmon]                     #   where names are looked up
 *           logs: [System]                          #   ... or every provider of these logs
 *           provider_field: winlog.provider_name    #   predicates naming the provider
 *
 * Every scope entry of the rule's vendor whose `match` (and `where`) hold
 * contributes: the events its `narrow` resolves from the rule's positive
 * predicates or context values, or, when they resolve none, its `events`. A
 * match value is a string or a list (any of them), compared without case, with
 * '*' and '?' as wildcards; null means the key is absent. A context key is
 * looked up as written, then as a dotted path into nested objects.
 *
 * Ownership: an events catalog owns every string it hands out and is never
 * changed after loading: lookups may run from many threads at once. An
 * event_list owns the strings of events made up from an open provider's
 * `unlisted` title; everything else in it points into the catalog.
 */
#ifndef DETCAT_EVENTS_H
#define DETCAT_EVENTS_H

#include <stddef.h>
#include <jansson.h>

struct events;

/* NULL on failure with a message in err ("FILE:LINE: what is wrong"). */
struct events *events_load(const char *path, char *err, size_t errlen);
struct events *events_load_text(const char *name, const char *text, size_t len,
				char *err, size_t errlen);
void events_free(struct events *ev);

struct event_ref {
	const char *provider, *event, *title;
	int listed;		/* 0: made up from an open provider's `unlisted` title */
	unsigned prov;		/* provider index: catalog order */
	size_t order;		/* catalog order within everything listed */
};

/* The catalog itself, in file order (for the report's tables). */
size_t events_count(const struct events *ev);
const struct event_ref *events_at(const struct events *ev, size_t i);
/* A listed event by provider and event (the event compared without case), or NULL. */
const struct event_ref *events_find(const struct events *ev, const char *provider,
				    const char *event);

struct event_list {
	struct event_ref *v;	/* sorted: catalog order, made-up events after their
				 * provider's listed ones */
	size_t n, alloc;
	size_t scopes;		/* scope entries that matched the rule */
	char **unresolved;	/* "PROVIDER|PROVIDER: VALUE" named but not in the catalog */
	size_t nunresolved, ualloc;
	char **owned;		/* strings of made-up events */
	size_t nowned, oalloc;
};
#define EVENT_LIST_INIT { NULL, 0, 0, 0, NULL, 0, 0, NULL, 0, 0 }

void event_list_init(struct event_list *l);
void event_list_release(struct event_list *l);

/*
 * The events of one rule record (a JSON object with vendor, context and
 * predicates; rule is borrowed). out is emptied first. Returns out->n.
 */
size_t events_for_rule(const struct events *ev, const json_t *rule, struct event_list *out);

/* [{provider, event, title}, ...] of a list: a new reference. */
json_t *event_list_json(const struct event_list *l);

#endif
