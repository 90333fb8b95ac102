/*
 * The and/or/not tree (expr.h). Children of and/or nodes are ranges of one
 * kids array, written once and never changed, so a new node may share the
 * range of an older one and extend it: a left-leaning chain a and b and c ...
 * built one operand at a time costs amortised O(1) per operand.
 */
#include "rule/expr.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

void expr_init(struct expr *e)
{
	memset(e, 0, sizeof(*e));
}

void expr_release(struct expr *e)
{
	free(e->nodes);
	free(e->kids);
	expr_init(e);
}

void expr_reset(struct expr *e)
{
	e->nnodes = 0;
	e->nkids = 0;
}

static size_t new_node(struct expr *e, enum expr_kind kind, size_t a, size_t n)
{
	if (e->nnodes == e->anodes) {
		e->anodes = e->anodes ? e->anodes * 2 : 32;
		e->nodes = xrealloc(e->nodes, e->anodes * sizeof(*e->nodes));
	}
	e->nodes[e->nnodes].kind = kind;
	e->nodes[e->nnodes].a = a;
	e->nodes[e->nnodes].n = n;
	return e->nnodes++;
}

static void push_kid(struct expr *e, size_t k)
{
	if (e->nkids == e->akids) {
		e->akids = e->akids ? e->akids * 2 : 64;
		e->kids = xrealloc(e->kids, e->akids * sizeof(*e->kids));
	}
	e->kids[e->nkids++] = k;
}

size_t expr_leaf(struct expr *e, size_t payload)
{
	return new_node(e, EXPR_LEAF, payload, 0);
}

size_t expr_not(struct expr *e, size_t x)
{
	if (x == EXPR_NONE)
		return EXPR_NONE;
	return new_node(e, EXPR_NOT, x, 0);
}

/* Append x to the kids being written, its own kids when it is of this kind. */
static void append_operand(struct expr *e, enum expr_kind kind, size_t x)
{
	size_t i, first, n;

	if (e->nodes[x].kind != kind) {
		push_kid(e, x);
		return;
	}
	first = e->nodes[x].a;
	n = e->nodes[x].n;
	for (i = 0; i < n; i++)
		push_kid(e, e->kids[first + i]);	/* kids may move: index, not pointer */
}

static size_t join2(struct expr *e, enum expr_kind kind, size_t a, size_t b)
{
	size_t start;

	if (a == EXPR_NONE)
		return b;
	if (b == EXPR_NONE)
		return a;
	/* a's range ends the kids array: extend it in a new node, a stays as it is */
	if (e->nodes[a].kind == kind && e->nodes[a].a + e->nodes[a].n == e->nkids) {
		start = e->nodes[a].a;
		append_operand(e, kind, b);
		return new_node(e, kind, start, e->nkids - start);
	}
	start = e->nkids;
	append_operand(e, kind, a);
	append_operand(e, kind, b);
	return new_node(e, kind, start, e->nkids - start);
}

size_t expr_and(struct expr *e, size_t a, size_t b)
{
	return join2(e, EXPR_AND, a, b);
}

size_t expr_or(struct expr *e, size_t a, size_t b)
{
	return join2(e, EXPR_OR, a, b);
}

size_t expr_join(struct expr *e, enum expr_kind kind, const size_t *kids, size_t n)
{
	size_t i, start = e->nkids, count = 0, only = EXPR_NONE;

	for (i = 0; i < n; i++) {
		if (kids[i] == EXPR_NONE)
			continue;
		only = kids[i];
		count++;
		append_operand(e, kind, kids[i]);
	}
	if (count <= 1) {
		e->nkids = start;	/* the one operand stands for itself */
		return only;
	}
	return new_node(e, kind, start, e->nkids - start);
}

struct frame {
	size_t node;
	int negated;
	enum expr_kind joined;
};

int expr_walk(const struct expr *e, size_t root, expr_leaf_fn fn, void *ctx)
{
	struct frame *stack, *f;
	size_t depth = 0, alloc = 64, i;
	int rc = 0;

	if (root == EXPR_NONE)
		return 0;
	stack = xmalloc(alloc * sizeof(*stack));
	stack[depth].node = root;
	stack[depth].negated = 0;
	stack[depth].joined = EXPR_AND;
	depth++;
	while (depth > 0 && rc == 0) {
		struct frame cur = stack[--depth];
		const struct expr_node *nd = &e->nodes[cur.node];

		switch (nd->kind) {
		case EXPR_LEAF:
			rc = fn(ctx, nd->a, cur.negated, cur.joined);
			break;
		case EXPR_NOT:
			f = &stack[depth++];
			f->node = nd->a;
			f->negated = !cur.negated;
			f->joined = cur.joined;
			break;
		case EXPR_AND:
		case EXPR_OR:
			if (depth + nd->n > alloc) {
				while (depth + nd->n > alloc)
					alloc *= 2;
				stack = xrealloc(stack, alloc * sizeof(*stack));
			}
			/* pushed last to first, so that the first child is visited first */
			for (i = nd->n; i-- > 0;) {
				f = &stack[depth++];
				f->node = e->kids[nd->a + i];
				f->negated = cur.negated;
				/* De Morgan: under a not, and reads as or and or as and */
				f->joined = (nd->kind == EXPR_AND) != cur.negated ? EXPR_AND : EXPR_OR;
			}
			break;
		}
	}
	free(stack);
	return rc;
}

static int count_leaf(void *ctx, size_t payload, int negated, enum expr_kind joined)
{
	(void)payload;
	(void)negated;
	(void)joined;
	(*(size_t *)ctx)++;
	return 0;
}

size_t expr_count_leaves(const struct expr *e, size_t root)
{
	size_t n = 0;

	expr_walk(e, root, count_leaf, &n);
	return n;
}
