/* Lucene queries into predicates (query.h): not written yet. */
#include "elastic/query.h"

void lucene_parse(struct pred_builder *pb, struct rule *r, const char *query, size_t len)
{
	(void)pb;
	(void)query;
	(void)len;
	rule_error_at(r, 0, 0, PARSE_FAILED, RC_NOT_PARSED, "lucene queries are not parsed yet: metadata only");
}
