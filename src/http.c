/*
 * http: HTTP requests over one reused connection per endpoint.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "http.h"
#include "log.h"
#include "util.h"

struct http {
	CURL		*curl;
	char		 label[16];
	unsigned	 requests;
	unsigned	 connections;
};

struct transfer {
	const struct http_request *req;
	struct http_response	  *resp;
	size_t			   received;
};

static http_abort_fn	 abort_fn;

int
http_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void
http_global_cleanup(void)
{
	curl_global_cleanup();
}

void
http_set_abort(http_abort_fn fn)
{
	abort_fn = fn;
}

static size_t
write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct transfer	*t = arg;
	size_t		 n = size * nmemb;

	if (n > t->req->max_body - t->received) {
		t->resp->too_large = 1;
		return 0;
	}
	t->received += n;
	if (t->req->sink != NULL) {
		if (t->req->sink(t->req->sink_ctx, data, n) == -1) {
			t->resp->sink_failed = 1;
			return 0;
		}
		return n;
	}
	if (buf_append(&t->resp->body, data, n) == -1) {
		t->resp->too_large = 1;
		return 0;
	}
	return n;
}

/* Keep the ETag of the last response header block. */
static size_t
header_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct transfer	*t = arg;
	size_t		 n = size * nmemb, vlen;
	const char	*v, *end;

	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0)
		t->resp->etag[0] = '\0';	/* a new answer (after 100) */
	if (n < 5 || strncasecmp(data, "etag:", 5) != 0)
		return n;
	v = data + 5;
	end = data + n;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' ||
	    end[-1] == ' ' || end[-1] == '\t'))
		end--;
	vlen = (size_t)(end - v);
	if (vlen < sizeof(t->resp->etag)) {
		memcpy(t->resp->etag, v, vlen);
		t->resp->etag[vlen] = '\0';
	}
	return n;
}

static int
progress_cb(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	struct transfer	*t = arg;

	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	if (abort_fn != NULL && abort_fn()) {
		t->resp->aborted = 1;
		return 1;
	}
	return 0;
}

void
http_zero_headers(struct curl_slist *list)
{
	for (; list != NULL; list = list->next)
		if (list->data != NULL)
			explicit_bzero(list->data, strlen(list->data));
}

/* Options that stay the same for every request of a client. */
static int
setup_handle(struct http *h, const struct http_opts *o)
{
	CURL	*c = h->curl;

#if LIBCURL_VERSION_NUM >= 0x075500
	if (curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") !=
	    CURLE_OK)
		return -1;
#else
	if (curl_easy_setopt(c, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS)) != CURLE_OK)
		return -1;
#endif
	if (curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress_cb) !=
	    CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_BUFFERSIZE, HTTP_READ_PIECE) !=
	    CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_USERAGENT, PACKAGE_NAME "/"
	    PACKAGE_VERSION) != CURLE_OK)
		return -1;
	if (o->no_proxy &&
	    curl_easy_setopt(c, CURLOPT_NOPROXY, "*") != CURLE_OK)
		return -1;
	/* The same CA certificates verify an https:// proxy (HTTPS_PROXY). */
	if (o->ca_file != NULL &&
	    (curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_PROXY_CAINFO, o->ca_file) != CURLE_OK))
		return -1;
	if (o->ca_dir != NULL &&
	    (curl_easy_setopt(c, CURLOPT_CAPATH, o->ca_dir) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_PROXY_CAPATH, o->ca_dir) != CURLE_OK))
		return -1;
	return 0;
}

struct http *
http_new(const struct http_opts *o, char *err, size_t errlen)
{
	struct http	*h;

	if ((h = calloc(1, sizeof(*h))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	strlcpy(h->label, o->label, sizeof(h->label));
	if ((h->curl = curl_easy_init()) == NULL || setup_handle(h, o) == -1) {
		snprintf(err, errlen, "%s: cannot set up libcurl", o->label);
		http_free(h);
		return NULL;
	}
	return h;
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	if (h->curl != NULL)
		curl_easy_cleanup(h->curl);
	free(h);
}

void
http_counts(const struct http *h, unsigned *requests, unsigned *connections)
{
	*requests = h->requests;
	*connections = h->connections;
}

/* Per-request options; the handle keeps its connection between requests. */
static int
set_request(CURL *c, const struct http_request *req, struct curl_slist *hdrs,
    struct transfer *t, char *errbuf)
{
	int	 is_post = strcmp(req->method, "POST") == 0;
	int	 is_get = strcmp(req->method, "GET") == 0;

	if (curl_easy_setopt(c, CURLOPT_URL, req->url) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_WRITEDATA, t) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_XFERINFODATA, t) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb) !=
	    CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_HEADERDATA, t) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	    req->connect_timeout_ms) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, req->timeout_ms) !=
	    CURLE_OK ||
	    /* An announced Content-Length over the cap: refused unread. */
	    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)req->max_body) != CURLE_OK)
		return -1;
	if (is_get)
		return curl_easy_setopt(c, CURLOPT_HTTPGET, 1L) == CURLE_OK &&
		    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL) ==
		    CURLE_OK ? 0 : -1;
	if (curl_easy_setopt(c, CURLOPT_POST, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? req->body :
	    "") != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)req->body_len) != CURLE_OK)
		return -1;
	return curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST,
	    is_post ? NULL : req->method) == CURLE_OK ? 0 : -1;
}

int
http_do(struct http *h, const struct http_request *req,
    struct http_response *resp)
{
	struct curl_slist	*hdrs = NULL, *tmp;
	struct transfer		 t;
	char			 errbuf[CURL_ERROR_SIZE];
	const char *const	*hp;
	CURLcode		 cc;
	long			 nconn = 0;
	int			 rc = -1;

	memset(resp, 0, sizeof(*resp));
	buf_init(&resp->body, req->max_body);
	memset(&t, 0, sizeof(t));
	t.req = req;
	t.resp = resp;
	errbuf[0] = '\0';

	/* No "Expect: 100-continue" round trip on POST. */
	if ((hdrs = curl_slist_append(NULL, "Expect:")) == NULL)
		goto nomem;
	for (hp = req->headers; hp != NULL && *hp != NULL; hp++) {
		if ((tmp = curl_slist_append(hdrs, *hp)) == NULL)
			goto nomem;
		hdrs = tmp;
	}
	if (set_request(h->curl, req, hdrs, &t, errbuf) == -1) {
		snprintf(resp->error, sizeof(resp->error),
		    "cannot set up the request");
		goto out;
	}
	h->requests++;
	cc = curl_easy_perform(h->curl);
	curl_easy_getinfo(h->curl, CURLINFO_NUM_CONNECTS, &nconn);
	h->connections += (unsigned)nconn;
	resp->reused = nconn == 0;
	resp->reconnected = nconn > 0 && h->requests > 1;
	if (cc == CURLE_OK) {
		curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE,
		    &resp->status);
		log_msg(LOG_TRACE, "%s: %s %s -> %ld (%zu bytes, %s connection)",
		    h->label, req->method, req->url, resp->status, t.received,
		    resp->reused ? "reused" : "new");
		rc = 0;
		goto out;
	}
	/* An answer whose body was refused still has a status worth knowing. */
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &resp->status);
	resp->timed_out = cc == CURLE_OPERATION_TIMEDOUT;
	if (resp->too_large || cc == CURLE_FILESIZE_EXCEEDED) {
		resp->too_large = 1;
		snprintf(resp->error, sizeof(resp->error),
		    "response larger than %zu bytes", req->max_body);
	}
	else if (resp->aborted)
		snprintf(resp->error, sizeof(resp->error), "interrupted");
	else if (resp->sink_failed)
		snprintf(resp->error, sizeof(resp->error),
		    "response rejected while reading");
	else if ((resp->tls_failed = cc == CURLE_PEER_FAILED_VERIFICATION ||
	    cc == CURLE_SSL_CACERT_BADFILE))
		snprintf(resp->error, sizeof(resp->error), "TLS: %s (the "
		    "certificate must name the host and chain to a CA in "
		    "SSL_CERT_FILE, SSL_CERT_DIR or the system bundle)",
		    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(cc));
	else
		snprintf(resp->error, sizeof(resp->error), "%s",
		    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(cc));
	log_msg(LOG_TRACE, "%s: %s %s -> failed: %s", h->label, req->method,
	    req->url, resp->error);
	goto out;
nomem:
	snprintf(resp->error, sizeof(resp->error), "out of memory");
out:
	/* The handle must not keep pointers into this stack frame. */
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(h->curl, CURLOPT_ERRORBUFFER, NULL);
	/* libcurl's copies of our headers hold signatures and tokens. */
	http_zero_headers(hdrs);
	curl_slist_free_all(hdrs);
	return rc;
}
