/*
 * query.h: the four query languages of Elastic's detection rules, each parsed
 * into predicates through the predicate builder (rule/predicate.h).
 *
 * Each parser reads query[0..len) (not NUL-terminated), builds its boolean
 * tree with pb_leaf()/pb_and()/pb_or()/pb_not() and emits it with pb_emit(),
 * puts what it learns of the rule's scope into the context (pb_context_add:
 * EQL event categories, ES|QL indices), and records what it cannot read on
 * the rule (rule_error_at): `partial` with RC_SYNTAX or RC_UNSUPPORTED and a
 * message naming the query line, column and token, never silence. A rule
 * whose every filter became a predicate stays `ok`.
 *
 * Messages: "query line L, column C: what is wrong near 'token'"; the
 * message's own line and column (rule_error_at) stay 0, since the TOML
 * reader does not say where the query string starts in the file.
 *
 * Ownership: nothing is kept after the call; the builder and rule are the
 * caller's.
 */
#ifndef DETCAT_ELASTIC_QUERY_H
#define DETCAT_ELASTIC_QUERY_H

#include <stddef.h>

#include "rule/predicate.h"
#include "rule/rule.h"

void kuery_parse(struct pred_builder *pb, struct rule *r, const char *query, size_t len);
void lucene_parse(struct pred_builder *pb, struct rule *r, const char *query, size_t len);
void eql_parse(struct pred_builder *pb, struct rule *r, const char *query, size_t len);
void esql_parse(struct pred_builder *pb, struct rule *r, const char *query, size_t len);

#endif
