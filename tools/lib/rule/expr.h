/*
 * expr.h: one and/or/not tree for every front end, and the one NOT push-down.
 *
 * A query parser builds the boolean structure of what a rule filters on as it
 * reads it: leaves are the caller's numbers (a predicate the builder holds, a
 * Sigma search identifier), inner nodes are and, or and not. expr_walk() then
 * visits the leaves left to right with NOT pushed down to them by De Morgan's
 * laws: a leaf is negated when an odd number of nots lies above it. (De Morgan
 * also swaps and and or below a not; the walk hands each leaf the connective
 * that holds it after the swap, for callers that want it.)
 *
 * EXPR_NONE stands for "nothing here" (a part the parser skipped, an empty
 * clause): and/or leave it out, not of nothing is nothing, and a walk from it
 * visits no leaf. Node ids stay valid until expr_reset() or expr_release().
 * The walk uses a stack of its own, so a tree of any depth is walked without
 * recursion; parsers bound their own recursion while building it.
 *
 * Ownership: a tree owns its nodes; leaves are plain numbers.
 */
#ifndef DETCAT_EXPR_H
#define DETCAT_EXPR_H

#include <stddef.h>

enum expr_kind { EXPR_LEAF, EXPR_AND, EXPR_OR, EXPR_NOT };

#define EXPR_NONE ((size_t)-1)

struct expr_node {
	enum expr_kind kind;
	size_t a;		/* LEAF: the payload; NOT: the child; AND/OR: first in kids */
	size_t n;		/* AND/OR: number of children */
};

struct expr {
	struct expr_node *nodes;
	size_t nnodes, anodes;
	size_t *kids;
	size_t nkids, akids;
};

void expr_init(struct expr *e);
void expr_release(struct expr *e);
/* Forget every node, keeping the memory. */
void expr_reset(struct expr *e);

size_t expr_leaf(struct expr *e, size_t payload);
size_t expr_not(struct expr *e, size_t x);
/* a and b (or: a or b); an operand of the same kind is flattened into the new node */
size_t expr_and(struct expr *e, size_t a, size_t b);
size_t expr_or(struct expr *e, size_t a, size_t b);
/* kids[0..n) joined by kind (EXPR_AND or EXPR_OR); EXPR_NONE kids are left out */
size_t expr_join(struct expr *e, enum expr_kind kind, const size_t *kids, size_t n);

/*
 * Called for each leaf, left to right: negated is 1 under an odd number of
 * nots; joined is the connective of the node that holds the leaf once NOT is
 * pushed down (EXPR_AND or EXPR_OR; EXPR_AND for a leaf alone). A non-zero
 * return stops the walk and is returned by expr_walk().
 */
typedef int (*expr_leaf_fn)(void *ctx, size_t payload, int negated, enum expr_kind joined);

int expr_walk(const struct expr *e, size_t root, expr_leaf_fn fn, void *ctx);

/* How many leaves lie under root (a leaf reached twice counts twice). */
size_t expr_count_leaves(const struct expr *e, size_t root);

#endif
