/*
 * yamlrule.c: rule metadata from YAML nodes, shared by the Splunk and Kusto
 * front ends. See yamlrule.h.
 */
#include "rule/yamlrule.h"

#include <jansson.h>

const char *yamlrule_text(const struct ynode *n)
{
	return ynode_is_scalar(n) && n->type != YSCALAR_NULL ? n->str : NULL;
}

void yamlrule_meta(struct rule *r, const char *key, const struct ynode *root, const char *name)
{
	const struct ynode *n = ynode_get(root, name);
	const char *s = yamlrule_text(n);
	json_t *v = s ? json_stringn(s, n->len) : NULL;	/* NULL too for invalid UTF-8 */

	if (n && !s && !ynode_is_null(n))
		rule_error(r, n->line, PARSE_PARTIAL, "'%.100s' must be text", name);
	json_object_set_new(r->rec, key, v ? v : json_null());
}

void yamlrule_each(struct rule *r, const struct ynode *n, const char *name,
		    void (*add)(struct rule *r, void *ctx, const char *s, size_t len), void *ctx)
{
	size_t i;

	if (!n || ynode_is_null(n))
		return;
	if (n->kind == YNODE_SCALAR) {
		add(r, ctx, n->str, n->len);
		return;
	}
	if (n->kind != YNODE_SEQ) {
		rule_error(r, n->line, PARSE_PARTIAL, "'%.100s' must be a list", name);
		return;
	}
	for (i = 0; i < n->n; i++) {
		const char *s = yamlrule_text(n->vals[i]);

		if (s)
			add(r, ctx, s, n->vals[i]->len);
		else
			rule_error(r, n->vals[i]->line, PARSE_PARTIAL, "'%.100s' must hold strings", name);
	}
}
