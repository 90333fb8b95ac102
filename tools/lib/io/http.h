/*
 * http.h: one HTTP(S) GET into memory, conditional when validators are given,
 * and the small state file that keeps those validators between runs.
 *
 * libcurl is loaded when the first request is made, not when a tool starts: it
 * brings some forty shared libraries, which would triple the start-up time of
 * every run that only reads local files (git keeps its HTTP client apart for the
 * same reason). Ownership: strings in a struct http_state are the struct's,
 * freed by http_state_release(); the body strbuf is the caller's.
 */
#ifndef DETCAT_HTTP_H
#define DETCAT_HTTP_H

#include "common/util.h"

struct http_state {
	char *url;
	char *etag;
	char *last_modified;
};

/* Missing or unreadable state is an empty state. */
void http_state_load(const char *path, struct http_state *s);
/* Written through a temporary file. Returns 0, or -1 after a message. */
int http_state_save(const char *path, const struct http_state *s);
void http_state_release(struct http_state *s);

struct http_request {
	const char *url;
	const struct http_state *validators;	/* NULL: an unconditional GET */
	long timeout;				/* seconds for the whole transfer */
	unsigned long long max_bytes;		/* a larger body aborts the transfer */
};

enum http_outcome { HTTP_OK, HTTP_NOT_MODIFIED, HTTP_FAILED };

/*
 * GET req->url, following redirects, into body. seen receives the final
 * response's validators. On HTTP_FAILED, *why is a message (caller frees).
 */
enum http_outcome http_get(const struct http_request *req, struct strbuf *body, struct http_state *seen,
			   char **why);

#endif
