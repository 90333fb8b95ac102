/*
 * kql.h: KQL queries into predicates, through the predicate builder
 * (rule/predicate.h).
 *
 * kql_parse() reads a query (statements separated by `;`: `let` scalars,
 * lists, datatables, tabular lets and functions, `set`/`declare`, and
 * tabular expressions) and turns the filters of every `where`/`filter`
 * (and `search`) into predicates: one leaf per comparison, `not(...)`,
 * `and`/`or` pushed down by the builder, a list (literal or `let`-bound) one
 * predicate per value. Each tabular expression maps its fields in a scope of
 * its own tables ({tables: T}, several for a union); the right side of a
 * join or lookup, a union operand and a subquery in `in (...)` in a fresh
 * one. Columns the query makes (extend, project x = ..., project-rename,
 * summarize, parse, make-series, mv-expand x = ...) are declared with
 * pb_computed(), and a join brings in the right side's projected columns
 * as computed; a filter on them is `computed: true`. A filter whose value
 * comes from a table (`in (T | project x)`, a tabular or externaldata let,
 * toscalar()) is computed too, its value the expression as written.
 *
 * Each predicate carries `modifiers: [OP]` (the operator or function as
 * written) and, for a value read from the query, `raw_value` (its source
 * text), which the differential test compares with Kusto.Language's tree.
 *
 * What it cannot read makes the rule partial (RC_UNSUPPORTED); a query that
 * does not parse is failed (RC_SYNTAX), both with "query line L, column C:
 * what near 'token'"; nesting past KQL_MAX_DEPTH is failed (RC_LIMIT).
 *
 * Ownership: nothing is kept after the call; the builder and rule are the
 * caller's.
 */
#ifndef DETCAT_KQL_H
#define DETCAT_KQL_H

#include <stddef.h>

#include "rule/predicate.h"
#include "rule/rule.h"

/* Brackets and sub-expressions nested inside each other, at most. */
#define KQL_MAX_DEPTH 200

void kql_parse(struct pred_builder *pb, struct rule *r, const char *query, size_t len);

#endif
