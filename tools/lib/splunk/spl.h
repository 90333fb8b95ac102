/*
 * spl.h: a Splunk search (SPL), its macros already expanded (macros.h), into
 * predicates through the predicate builder.
 *
 * Two expression languages, as Splunk's search reference has them:
 *   search syntax   the base search, `| search`, tstats/mstats `where`:
 *                   implicit AND, AND/OR/NOT (OR binds tighter than AND),
 *                   parentheses, f=v, f!=v, f<v..., f IN (a, b), free text,
 *                   quoted and unquoted values (\" and \\ escapes, '*'
 *                   wildcards, "()" inside a word), CASE()/TERM(); values
 *                   compare ignoring case; a [subsearch] is not expanded: the
 *                   filter on its results is a computed predicate on the
 *                   pseudo-field "[subsearch]", its own filters are read;
 *   eval syntax     `| where` (and searchmatch()): comparisons, AND/OR/NOT
 *                   (AND binds tighter), like()/LIKE, match(), isnull(),
 *                   isnotnull(), in()/IN, cidrmatch(), searchmatch(),
 *                   lower()/upper() around a field; values compare with case.
 *                   A comparison on anything else (len(x) > 9) is a filter on
 *                   a computed value: a computed predicate named by its text.
 * sourcetype, source, eventtype, index and EventCode compared positively go to
 * the rule's context as well. tstats/mstats/from/datamodel name a data model:
 * it is the scope ({datamodel: Endpoint, dataset: Processes}) of what follows.
 * Columns made by the pipeline (eval, stats and friends, rename, rex, lookup
 * OUTPUT, convert, iplocation, tstats aggregates and `by ... as`) are computed;
 * `rename X.* AS *` (drop_dm_object_name) keeps the fields what they were.
 * Subsearches of join/append/appendpipe are read as pipelines of their own.
 * Commands that do not filter are named in context.commands; a command this
 * reader does not know makes the rule partial.
 *
 * Ownership: the parser borrows pb and r; nothing is kept after the call.
 */
#ifndef DETCAT_SPL_H
#define DETCAT_SPL_H

#include <stddef.h>

#include "rule/predicate.h"
#include "rule/rule.h"
#include "splunk/macros.h"

/* Parentheses, NOTs and subsearches nested deeper than this fail the rule. */
#define SPL_MAX_DEPTH 200

/*
 * Parse spl[0..len) into pb and emit its predicates; problems go to r as
 * messages on the given line (the search's line in the file). A syntax error
 * fails the rule and emits nothing. macros (may be NULL) expand the search
 * strings of `map search="..."`, which Splunk expands when map runs them.
 * keys/vals (n pairs) are the scope pb was made with: the scopes the search
 * opens (data models, subsearches) hold them too.
 */
void spl_parse(struct pred_builder *pb, struct rule *r, const char *spl, size_t len,
	       unsigned line, const struct splunk_macros *macros, size_t n,
	       const char *const *keys, const char *const *vals);

#endif
