/*
 * sigma_int.h: what the parts of the Sigma front end share (not for tools).
 * sigma.c: files, documents, metadata; sigma_cond.c: conditions and old
 * aggregations; sigma_value.c: detection items, modifiers, predicates.
 */
#ifndef DETCAT_SIGMA_INT_H
#define DETCAT_SIGMA_INT_H

#include <jansson.h>

#include "rule/fieldmap.h"
#include "rule/predicate.h"
#include "rule/rule.h"
#include "io/yamldoc.h"

/* Caps that keep hostile rules bounded. */
#define SIGMA_MAX_EXPANSION 1024		/* values one value may expand into */
#define SIGMA_MAX_COND_DEPTH 200

struct sigma_scratch;

/* One rule being built. */
struct sigma_ctx {
	const struct fieldmap *map;
	struct pred_builder *pb;	/* in the rule's logsource; made by logsource() */
	struct rule *rule;		/* borrowed */
	/* the search identifiers: the keys of this map that are not reserved */
	const struct ynode *detection;
	const char *const *reserved;	/* keys that are not identifiers */
	unsigned char *emitted;		/* per key: bit 1 positive, bit 2 negated */
	struct sigma_scratch *scratch;	/* buffers reused by every value of a file */
};

struct sigma_scratch *sigma_scratch_new(void);
void sigma_scratch_free(struct sigma_scratch *s);

/* sigma_value.c: predicates of one search identifier with the given polarity. */
void sigma_emit_identifier(struct sigma_ctx *c, size_t idx, int negated);

/*
 * sigma_cond.c: parse one condition string and emit the predicates of the
 * identifiers it uses (NOT pushed down). line is for messages. Old
 * aggregations after '|' are recorded in the rule. Returns 0 or -1 (error
 * recorded, status failed).
 */
int sigma_condition(struct sigma_ctx *c, const char *cond, unsigned line);

/* 1 when key i of the detection map is a search identifier. */
int sigma_is_identifier(const struct sigma_ctx *c, size_t i);

#endif
