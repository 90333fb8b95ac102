/*
 * kusto.h: the KQL front end: one rule per query (SPEC §3), its metadata
 * from the container and its predicates from the query (kusto/kql.h).
 *
 * Three shapes of file, told apart by extension:
 *   .yaml/.yml  a Microsoft Sentinel analytic rule or hunting query: `query`
 *   .md         Bert-JanP style: each fenced block whose info string is KQL or
 *               Kusto (any case), and each unlabelled block that looks like a
 *               query (kusto_looks_like_query()); a block holding several
 *               queries separated by a blank line or a comment header
 *               ("// Sentinel" on a line of its own) gives one rule per query
 *   .kql/.txt   the whole file as one query (.txt only when it looks like one)
 *
 * What it records:
 *   uid         "kusto:<source>:<path>#<n>", n the 1-based query in the file
 *   title       Sentinel `name`; markdown: the first heading; else the file name
 *   description Sentinel `description`; markdown: the "Description" section
 *   status      Sentinel `status`, else null; severity: Sentinel `severity`
 *               lower-cased, else null
 *   rule_type   Sentinel `kind` as written (Scheduled, NRT); "Scheduled" for an
 *               older rule without `kind` but with a `queryFrequency`; "hunting"
 *               for a file under "Hunting Queries/" and for markdown and text
 *   language    "kql"; query: the query as written
 *   attack      Sentinel: `relevantTechniques` (T####[.###], anything else in
 *               other) and `tactics` as written ("InitialAccess": detcat-tag
 *               resolves the spellings); markdown: the technique
 *               ids of the tables under a MITRE ATT&CK heading (a "Technique
 *               ID" column, a sub-technique column joined to it: | T1069 |
 *               003 | is T1069.003; a tactic column), all through rule/meta.h
 *   context     tables: Sentinel requiredDataConnectors[].dataTypes, then the
 *               tables kusto_query_tables() finds
 *   predicates  kql_parse() of the query, fields mapped with map per table
 *   parse       kql_parse()'s verdict (ok, partial, failed with the query's
 *               line and column); no_query for a rule without a query;
 *               failed with the reason for a file that is not valid YAML or
 *               not a query at all
 *   id (Sentinel), section (markdown: the heading the block sits under)
 *
 * Ownership: rules appended to rules_out belong to the list;
 * kusto_query_tables() appends new strings to an array the caller owns.
 */
#ifndef DETCAT_KUSTO_H
#define DETCAT_KUSTO_H

#include <stddef.h>
#include <jansson.h>

#include "rule/fieldmap.h"
#include "rule/frontend.h"
#include "rule/rule.h"

/* The front end for detcat-normalize (rule/frontend.h). */
extern const struct frontend kusto_frontend;

/*
 * Parse one file (text need not be NUL-terminated) and append one rule per
 * query to rules_out (a file without any still gives one rule), fields mapped
 * with map (may be NULL: every field unmapped). Thread-safe for distinct
 * lists. Returns the number of rules appended that carry errors.
 */
int kusto_parse_file(const char *source, const char *path, const char *text, size_t len,
		     const struct fieldmap *map, struct rule_list *rules_out);

/*
 * The tables a KQL query reads, appended to tables as written, in order of
 * first appearance, without repeats. A lexical scan, not a parse (comments and
 * string literals are skipped): the first name of each tabular statement, of
 * the value of a tabular `let` (a scalar let is skipped; a function's body is
 * scanned like a query), of each operand of `union`, of the right side of
 * `join` and `lookup`, and the names in `search in (...)`. Names bound by a
 * `let` and function parameters are not tables; nor are tables reached only
 * through a call (toscalar(T | ...), table("T"), a subquery inside `in (...)`).
 */
void kusto_query_tables(const char *q, size_t len, json_t *tables);

/*
 * 1 when text starts like a KQL query: a `let NAME =`, a name followed by a
 * pipe or the end of the statement, a parenthesis, or a tabular operator such
 * as union, print or datatable (leading comments skipped). Tells a query in an
 * unlabelled markdown block from a command line or a list of paths.
 */
int kusto_looks_like_query(const char *text, size_t len);

#endif
