#include "io/http.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* the libcurl functions we call, resolved on first use */
static struct {
	int loaded;
	CURLcode (*global_init)(long);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
} curl;

static const char *curl_load(void)
{
	void *h;

	if (curl.loaded)
		return NULL;
	h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return dlerror();
#define RESOLVE(field, name)                                   \
	do {                                                   \
		*(void **)&curl.field = dlsym(h, name);        \
		if (!curl.field)                               \
			return "libcurl lacks " name;          \
	} while (0)
	RESOLVE(global_init, "curl_global_init");
	RESOLVE(easy_init, "curl_easy_init");
	RESOLVE(easy_setopt, "curl_easy_setopt");
	RESOLVE(easy_perform, "curl_easy_perform");
	RESOLVE(easy_getinfo, "curl_easy_getinfo");
	RESOLVE(easy_cleanup, "curl_easy_cleanup");
	RESOLVE(easy_strerror, "curl_easy_strerror");
	RESOLVE(slist_append, "curl_slist_append");
	RESOLVE(slist_free_all, "curl_slist_free_all");
#undef RESOLVE
	if (curl.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return "curl_global_init failed";
	curl.loaded = 1;
	return NULL;
}

void http_state_release(struct http_state *s)
{
	free(s->url);
	free(s->etag);
	free(s->last_modified);
	memset(s, 0, sizeof(*s));
}

static char *json_strdup_or_null(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? xstrdup(s) : NULL;
}

void http_state_load(const char *path, struct http_state *s)
{
	json_t *o = json_load_file(path, 0, NULL);

	memset(s, 0, sizeof(*s));
	if (!o)
		return;
	s->url = json_strdup_or_null(o, "url");
	s->etag = json_strdup_or_null(o, "etag");
	s->last_modified = json_strdup_or_null(o, "last_modified");
	json_decref(o);
}

int http_state_save(const char *path, const struct http_state *s)
{
	json_t *o = json_object();
	char *tmp = xasprintf("%s.tmp", path);
	int rc;

	json_object_set_new(o, "url", json_string(s->url ? s->url : ""));
	if (s->etag)
		json_object_set_new(o, "etag", json_string(s->etag));
	if (s->last_modified)
		json_object_set_new(o, "last_modified", json_string(s->last_modified));
	rc = json_dump_file(o, tmp, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -1;
	if (rc != 0) {
		msg_warn("cannot write fetch state '%s': %s", path, strerror(errno));
		unlink(tmp);
	}
	json_decref(o);
	free(tmp);
	return rc;
}

struct transfer {
	struct strbuf *body;
	struct http_state *seen;
	unsigned long long max;
	int too_big;
};

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *data)
{
	struct transfer *t = data;
	size_t n = size * nmemb;

	if (t->body->len + n > t->max) {
		t->too_big = 1;
		return 0;	/* aborts the transfer */
	}
	strbuf_add(t->body, ptr, n);
	return n;
}

/* The value of header line "Name: value\r\n", or NULL when it is another header. */
static char *header_value(const char *line, size_t n, const char *name)
{
	size_t k = strlen(name);
	const char *v;

	if (n <= k || strncasecmp(line, name, k) != 0 || line[k] != ':')
		return NULL;
	v = line + k + 1;
	while (v < line + n && (*v == ' ' || *v == '\t'))
		v++;
	while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == '\n' || line[n - 1] == ' '))
		n--;
	return v < line + n ? xstrndup(v, (size_t)(line + n - v)) : NULL;
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *data)
{
	struct transfer *t = data;
	size_t n = size * nmemb;
	char *v;

	if (n >= 5 && !strncmp(line, "HTTP/", 5)) {
		/* a new response (after a redirect): forget the previous validators */
		free(t->seen->etag);
		free(t->seen->last_modified);
		t->seen->etag = t->seen->last_modified = NULL;
	} else if ((v = header_value(line, n, "ETag")) != NULL) {
		free(t->seen->etag);
		t->seen->etag = v;
	} else if ((v = header_value(line, n, "Last-Modified")) != NULL) {
		free(t->seen->last_modified);
		t->seen->last_modified = v;
	}
	return n;
}

static struct curl_slist *add_header(struct curl_slist *list, const char *name, const char *value)
{
	char *h;

	if (!value)
		return list;
	h = xasprintf("%s: %s", name, value);
	list = curl.slist_append(list, h);
	free(h);
	return list;
}

enum http_outcome http_get(const struct http_request *req, struct strbuf *body, struct http_state *seen,
			   char **why)
{
	const struct http_state *old = req->validators;
	struct transfer t = { body, seen, req->max_bytes, 0 };
	struct curl_slist *hdrs = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	const char *err;
	enum http_outcome rc = HTTP_FAILED;
	long status = 0;
	CURLcode cc;
	CURL *c;

	*why = NULL;
	if ((err = curl_load()) != NULL) {
		*why = xasprintf("cannot load libcurl: %s", err);
		return HTTP_FAILED;
	}
	if (old) {
		hdrs = add_header(hdrs, "If-None-Match", old->etag);
		hdrs = add_header(hdrs, "If-Modified-Since", old->last_modified);
	}
	c = curl.easy_init();
	if (!c)
		msg_die("cannot initialise libcurl");
	curl.easy_setopt(c, CURLOPT_URL, req->url);
	curl.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl.easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
	curl.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl.easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl.easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	curl.easy_setopt(c, CURLOPT_TIMEOUT, req->timeout);
	curl.easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl.easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
	curl.easy_setopt(c, CURLOPT_USERAGENT, "detcat/" DETCAT_VERSION);
	curl.easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl.easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl.easy_setopt(c, CURLOPT_WRITEDATA, &t);
	curl.easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl.easy_setopt(c, CURLOPT_HEADERDATA, &t);
	curl.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (hdrs)
		curl.easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	cc = curl.easy_perform(c);
	curl.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (t.too_big)
		*why = xasprintf("download is larger than %llu bytes (--max-total-size)", req->max_bytes);
	else if (cc != CURLE_OK)
		*why = xstrdup(*errbuf ? errbuf : curl.easy_strerror(cc));
	else if (status == 304 && hdrs)
		rc = HTTP_NOT_MODIFIED;
	else if (status == 200)
		rc = HTTP_OK;
	else
		*why = xasprintf("HTTP status %ld", status);
	curl.slist_free_all(hdrs);
	curl.easy_cleanup(c);
	return rc;
}
