/*
 * yamlrule.h: the metadata of a rule written in YAML (Splunk detections,
 * Sentinel analytic rules), read into a rule record the same way by every
 * front end: a scalar as written, or a list of scalars (a lone scalar is a
 * list of one). A wrong shape is a `partial` error on the rule with the line,
 * never a crash.
 */
#ifndef DETCAT_YAMLRULE_H
#define DETCAT_YAMLRULE_H

#include <stddef.h>

#include "rule/rule.h"
#include "io/yamldoc.h"

/* A scalar's text whatever it resolved to (a date, a number); NULL for null or a collection. */
const char *yamlrule_text(const struct ynode *n);
/* key ← root[name] as written, or null; an error when it is not text. */
void yamlrule_meta(struct rule *r, const char *key, const struct ynode *root, const char *name);
/* add(r, ctx, text, len) for each scalar of n; name is the key, for messages. */
void yamlrule_each(struct rule *r, const struct ynode *n, const char *name,
		    void (*add)(struct rule *r, void *ctx, const char *s, size_t len), void *ctx);

#endif
