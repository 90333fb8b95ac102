/*
 * coverage.h: what a telemetry profile can run (issue 17). A profile is a
 * small YAML file of the events a team collects:
 *
 *   name: Sysmon-only Windows fleet          # optional
 *   events:
 *     Sysmon: [1, 3, 11]                     # provider: list of events
 *     Security-Auditing: [4688]
 *     auditd: any                            # the whole provider
 *
 * A rule is runnable when one of its events (alternatives) is covered. A
 * provider given as `any` (or with `any` in its list) covers every event of
 * the provider, "any" included. A rule's provider-wide event ("P any": its
 * scope names no event type) is covered only by `P: any`: the profile's
 * specific events may not be those it reads. Rules with no event are never
 * runnable.
 *
 * Next event to collect: for each catalog event the profile does not cover,
 * the rules that become runnable and the techniques that become covered (one
 * runnable rule or more) if it alone were added; "P any" stands for adding
 * `P: any`. Sorted by rules gained, techniques gained (both descending), then
 * provider and event.
 *
 * Ownership: a profile owns its strings; coverage_compute borrows its
 * arguments and returns a new reference.
 */
#ifndef DETCAT_COVERAGE_H
#define DETCAT_COVERAGE_H

#include <jansson.h>

#include "catalog/events.h"

struct profile;

/*
 * Read a profile. A provider or event the catalog ev does not list is a
 * warning ("FILE:LINE: ..."), not fatal; NULL with err set ("FILE:LINE: what
 * is wrong") when the file cannot be read or is not of the shape above.
 */
struct profile *profile_load(const char *path, const struct events *ev, char *err, size_t errlen);
void profile_free(struct profile *p);
/* 1 when the profile covers this event of a rule */
int profile_covers(const struct profile *p, const char *provider, const char *event);
/* {name, events: {provider: [events] or "any"}}: a new reference */
json_t *profile_json(const struct profile *p);

/*
 * The coverage of a catalog (techniques: array of technique records; rules:
 * uid -> rule record) with profile p:
 *   {kind: "coverage", profile, events, rules: {total, with_events, runnable, by_vendor},
 *    techniques: {total, covered},
 *    technique_records: [{kind: "technique_coverage", technique, name, rules, runnable,
 *                         by_vendor: {v: {rules, runnable}}}]   (catalog order),
 *    next: [{kind: "next_event", rank, provider, event, title, rules_gained,
 *            techniques_gained}],
 *    runnable: {uid: true}}
 * ev (may be NULL) adds its listed events to the candidates of `next`.
 */
json_t *coverage_compute(const struct profile *p, const struct events *ev,
			 const json_t *techniques, const json_t *rules);
/* technique id -> its technique_coverage record of cov: a new object, holding references */
json_t *coverage_technique_index(const json_t *cov);
/* the profile's name (borrowed) */
const char *profile_name(const struct profile *p);

#endif
