/*
 * manifest.h: what each page of a site was made from, so a rebuild renders only
 * the pages whose inputs changed (SPEC §7). The site is cut into units, each one
 * call of a page function (a rule's page, a technique's page, or "global": every
 * page that reads the whole catalog); a unit has the hash of exactly the inputs
 * it reads (site.h says which) and the files it wrote, each with its size, mtime
 * and inode as written. DIR/.detcat-manifest holds them, under a first line that
 * names the tool's version and a hash of its own executable: a manifest of
 * another build, or none, means every unit is rendered.
 *
 * A unit is skipped only when its hash is the same and every file it wrote is
 * still there as written (same size and mtime, to the nanosecond): a page
 * deleted or edited by hand is rendered again.
 *
 * Ownership: a manifest is its caller's (manifest_free); strings passed in are
 * copied.
 */
#ifndef DETCAT_MANIFEST_H
#define DETCAT_MANIFEST_H

#include <jansson.h>

#define MANIFEST_FILE ".detcat-manifest"

struct manifest;

/* An empty manifest for this run. */
/* what besides the catalog the pages read, e.g. "have:SHA256": NULL for nothing */
void manifest_set_context(const char *ctx);
struct manifest *manifest_new(void);
/* DIR's manifest when it was written by this very build of the tool, else an empty one. */
struct manifest *manifest_read(const char *dir);
void manifest_free(struct manifest *m);

/*
 * Start unit `name` with input hash `hash` (hex) in next. When prev holds it with
 * the same hash and its files are untouched, they are carried into next, set in
 * written (relative path -> true), and 1 is returned: nothing to render. Else 0:
 * the caller renders, and manifest_file() records each file it writes.
 */
int manifest_unit(struct manifest *next, const struct manifest *prev, const char *dir,
		  const char *name, const char *hash, json_t *written);
/* a file of the current unit, as it now is on disk at DIR/rel */
void manifest_file(struct manifest *next, const char *dir, const char *rel);
/* units rendered and skipped so far */
void manifest_counts(const struct manifest *m, size_t *rendered, size_t *skipped);
/* DIR/.detcat-manifest, through a temporary file; dies on a write error */
void manifest_write(const struct manifest *m, const char *dir);

#endif
