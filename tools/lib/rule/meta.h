/*
 * meta.h: what a rule states of ATT&CK, kept the same way by every front end
 * (SPEC §3 `attack`): one reader of technique ids, one policy for trimming and
 * repeats. Tactics stay as the rule spells them ("TA0007 - Discovery",
 * "DefenseEvasion", "defense-evasion"): the ATT&CK layer resolves spellings
 * (attack_db_tactic()), never a front end.
 *
 * The policy: ASCII white space around a value is trimmed, an empty value is
 * dropped, and each value is kept once per list, in the order first stated.
 * A technique id is "T####" or "T####.###" with a 't' of either case (written
 * upper-case); anything else given as a technique goes to attack.other as
 * stated. Values that are not valid UTF-8 are dropped.
 *
 * Ownership: the lists live in the rule record (attack.techniques, .tactics,
 * .other); these functions copy what they are given.
 */
#ifndef DETCAT_META_H
#define DETCAT_META_H

#include <stddef.h>

#include "rule/rule.h"

/* A technique id as the rule states it (s[0..n)): to techniques, or to other. */
void meta_technique(struct rule *r, const char *s, size_t n);
/* A tactic as the rule states it. */
void meta_tactic(struct rule *r, const char *s, size_t n);
/* Anything else ATT&CK-like the rule states (groups, software, another framework). */
void meta_other(struct rule *r, const char *s, size_t n);

#endif
