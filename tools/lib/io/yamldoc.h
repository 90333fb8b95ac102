/*
 * yamldoc.h: YAML text → a small read-only tree, safe on hostile input.
 *
 * libyaml's event parser feeds a tree of nodes kept in one arena per stream.
 * Aliases point at their anchored node (shared, never copied); the expanded
 * size of every document (aliases counted as often as they are used) is capped,
 * so an alias bomb is rejected at load time instead of exploding later walks.
 * Nesting depth is capped too. Merge keys (`<<: *base`) are applied as PyYAML
 * does, and plain scalars are resolved with the YAML 1.1 rules PyYAML uses
 * (null, ~, true/false/yes/no/on/off, ints, floats).
 *
 * Ownership: a yamldoc owns every node and string of every document; they
 * live until yamldoc_release(). Nodes are never modified after loading.
 */
#ifndef DETCAT_YAMLDOC_H
#define DETCAT_YAMLDOC_H

#include <stddef.h>

enum ynode_kind { YNODE_SCALAR, YNODE_MAP, YNODE_SEQ };

/* What a scalar resolves to; quoted scalars are always YSCALAR_STR. */
enum yscalar_type { YSCALAR_STR, YSCALAR_NULL, YSCALAR_BOOL, YSCALAR_INT, YSCALAR_FLOAT };

struct ynode {
	enum ynode_kind kind;
	enum yscalar_type type;		/* scalars only */
	unsigned line;			/* 1-based */
	unsigned column;		/* 1-based */
	size_t start, end;		/* where the node's text is: character indices,
					 * yamldoc_offset() gives bytes */
	/* scalar */
	const char *str;		/* NUL-terminated, len bytes (may hold NULs) */
	size_t len;
	int boolean;			/* YSCALAR_BOOL */
	long long integer;		/* YSCALAR_INT */
	double number;			/* YSCALAR_FLOAT */
	/* map: n keys[i] → vals[i] (keys are scalars); seq: n items in vals */
	size_t n;
	struct ynode **keys;
	struct ynode **vals;
	size_t weight;			/* expanded size, for the alias cap */
	const unsigned char *overridden;	/* maps of more than 16 keys: 1 where a
					 * later key repeats keys[i] (else NULL) */
};

struct yamldoc_limits {
	size_t max_depth;		/* nesting of collections */
	size_t max_expanded;		/* nodes per document, aliases expanded */
};
#define YAML_LIMITS_DEFAULT { 128, 1000000 }

/* A key written twice in one map (merge keys aside): the later one wins. */
struct ydup {
	size_t doc;			/* index in docs */
	unsigned line;			/* the later key's line */
	unsigned first_line;		/* the earlier one's */
	const char *key;
};
#define YAML_MAX_DUPS 64		/* kept per stream; ndups counts them all */

struct yamldoc {
	size_t ndocs;
	struct ynode **docs;		/* root of each document; NULL for an empty one */
	unsigned *doc_lines;		/* first line of each document */
	/* duplicate keys, in the order their maps closed (at most YAML_MAX_DUPS) */
	struct ydup *dups;
	size_t ndups;			/* all of them, kept or not */
	/* on error: documents loaded before it stay available (ndocs of them);
	 * err_doc_line is the first line of the document the error is in */
	int failed;
	unsigned err_line;
	unsigned err_doc_line;
	char err[256];
	struct yamldoc_arena *arena;
	const char *text;		/* the input (borrowed), for offsets */
	size_t len;
	size_t bom;
	int ascii;			/* no byte >= 0x80: characters are bytes */
};

/*
 * Parse every document of text. Returns 0, or -1 with s->err/s->err_line set
 * (a syntax error, an alias bomb, too deep nesting). s must be freed either way.
 */
int yamldoc_load(struct yamldoc *s, const char *text, size_t len,
		     const struct yamldoc_limits *limits);
/* Byte offset in the input of a node's start or end (the input must still live). */
size_t yamldoc_offset(const struct yamldoc *s, size_t chars);
void yamldoc_release(struct yamldoc *s);

/*
 * A map that is base with over laid on top (maps present in both merged
 * recursively, anything else taken from over), allocated in s's arena. Used for
 * multi-document files whose first document is a template. Returns over when
 * either is not a map.
 */
const struct ynode *yamldoc_merge(struct yamldoc *s, const struct ynode *base,
			       const struct ynode *over);

/* Index of key in a map (the last one if repeated), or -1. */
long ynode_find(const struct ynode *map, const char *key);

/* Value of key in a map (the last one if repeated), NULL if absent or not a map. */
const struct ynode *ynode_get(const struct ynode *map, const char *key);
/* A scalar that resolved to a string (or any scalar when any is set): its text, else NULL. */
const char *ynode_str(const struct ynode *n);
int ynode_is_scalar(const struct ynode *n);
int ynode_is_null(const struct ynode *n);
/* For a map: 1 when key i is repeated later in the map (then it is overridden). */
int ynode_key_overridden(const struct ynode *map, size_t i);

#endif
