/*
 * splunk.h: the Splunk front end for splunk/security_content's detections/:
 * one rule per detection file (SPEC §3), its SPL search with its macros
 * expanded (macros.h, from the source's macros/ support files) read into
 * predicates (spl.h).
 *
 * What it records:
 *   uid         "splunk:<id>"; "splunk:<path>" when the id is missing (an error)
 *   title       `name`; description, status as written; severity only when the
 *               file has an explicit `severity` (security_content has none)
 *   rule_type   `type` as written (TTP, Anomaly, Hunting, Correlation, ...)
 *   language    "spl"; query: `search` as written
 *   attack      techniques: tags.mitre_attack_id (trimmed; anything that is not
 *               T####[.###] goes to other); tactics: none in this format
 *   context     data_source: the `data_source` list as written (`data_sources`,
 *               a misspelling some files carry, when it is absent); datamodel:
 *               the data models the search names (splunk_datamodels());
 *               macros: the macros it names; commands, sourcetype, source,
 *               eventtype, index, EventCode, subsearch: from the SPL (spl.h)
 *   predicates  from the search, mapped with map in the data model's scope
 *   parse       ok, or partial/failed with the reason (an undefined macro, a
 *               command not read, a syntax error); a file that is not valid
 *               YAML or has no `search` fails with its reason
 *
 * Ownership: rules appended to rules_out belong to the list; splunk_datamodels()
 * appends new strings to an array the caller owns.
 */
#ifndef DETCAT_SPLUNK_H
#define DETCAT_SPLUNK_H

#include <stddef.h>
#include <jansson.h>

#include "rule/fieldmap.h"
#include "rule/frontend.h"
#include "rule/rule.h"
#include "splunk/macros.h"

/* The front end for detcat-normalize (rule/frontend.h). */
extern const struct frontend splunk_frontend;

/*
 * Parse one detection file (text need not be NUL-terminated) and append one
 * rule to rules_out, its macros expanded with macros (NULL: none defined).
 * map (may be NULL) names the fields. Thread-safe for distinct lists. Returns
 * the number of rules appended that carry errors.
 */
int splunk_parse_file(const char *source, const char *path, const char *text, size_t len,
		      const struct fieldmap *map, const struct splunk_macros *macros,
		      struct rule_list *rules_out);

/*
 * The data models an SPL search reads, as names ("Endpoint.Processes",
 * "Network_Traffic"), appended to names in order of first appearance, without
 * repeats. A lexical scan, not a parse: `datamodel=NAME`, `datamodel:NAME`
 * (NAME bare or in double quotes) and `from datamodel NAME` anywhere outside a
 * double-quoted string, whichever SPL command they belong to.
 */
void splunk_datamodels(const char *spl, size_t len, json_t *names);

#endif
