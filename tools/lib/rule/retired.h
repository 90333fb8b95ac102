/*
 * retired.h: whether upstream has retired a rule (SPEC §3, issue 13): it stays
 * in the catalog, marked, but out of the live counts.
 *
 * Per vendor, from the rule's path and its lifecycle status as the vendor
 * writes it (rule `status`; Elastic's maturity is kept there too):
 *   sigma    deprecated/, unsupported/, rules-placeholder/ (top folder), or
 *            status deprecated | unsupported
 *   elastic  a _deprecated folder anywhere in the path, or maturity deprecated
 *   splunk   a deprecated folder anywhere in the path, or status deprecated
 *   kusto    a deprecated folder anywhere in the path, or status deprecated
 * Comparisons of statuses and folder names ignore ASCII case.
 *
 * Ownership: the returned reason is a static string.
 */
#ifndef DETCAT_RETIRED_H
#define DETCAT_RETIRED_H

/*
 * NULL when the rule is live; else why it is retired, as a short phrase for
 * the pages ("in the deprecated/ folder", "status deprecated"). Any argument
 * may be NULL.
 */
const char *rule_retired(const char *vendor, const char *path, const char *status);

#endif
