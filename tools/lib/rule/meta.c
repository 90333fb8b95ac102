/* ATT&CK as rules state it, with one policy (meta.h). */
#include "rule/meta.h"

#include <string.h>

#include <jansson.h>

static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t' || **s == '\n' || **s == '\r')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\n' ||
		      (*s)[*n - 1] == '\r'))
		(*n)--;
}

/* The record's attack list `key`, made when missing (borrowed). */
static json_t *list(struct rule *r, const char *key)
{
	json_t *attack = json_object_get(r->rec, "attack"), *l;

	if (!json_is_object(attack)) {
		attack = json_object();
		json_object_set_new(r->rec, "attack", attack);
	}
	l = json_object_get(attack, key);
	if (!json_is_array(l)) {
		l = json_array();
		json_object_set_new(attack, key, l);
	}
	return l;
}

static void add_once(json_t *l, const char *s, size_t n)
{
	json_t *e, *v;
	size_t i;

	json_array_foreach(l, i, e)
		if (json_string_length(e) == n && memcmp(json_string_value(e), s, n) == 0)
			return;
	if ((v = json_stringn(s, n)))
		json_array_append_new(l, v);
}

void meta_technique(struct rule *r, const char *s, size_t n)
{
	char id[10];

	trim(&s, &n);
	if (!n)
		return;
	if (rule_technique_id(s, n, id))
		add_once(list(r, "techniques"), id, strlen(id));
	else
		add_once(list(r, "other"), s, n);
}

void meta_tactic(struct rule *r, const char *s, size_t n)
{
	trim(&s, &n);
	if (n)
		add_once(list(r, "tactics"), s, n);
}

void meta_other(struct rule *r, const char *s, size_t n)
{
	trim(&s, &n);
	if (n)
		add_once(list(r, "other"), s, n);
}
