/*
 * http: HTTP requests over one reused connection per endpoint.  The only
 * file that includes curl.
 *
 * A struct http wraps one curl easy handle, so consecutive requests to the
 * same host reuse the connection.  Only http and https are allowed,
 * redirects are never followed, TLS is always verified.  Request headers
 * and bodies are never logged (they carry signatures and tokens), and
 * libcurl's copies of the header lines are zeroed before they are freed.
 * A body whose announced Content-Length exceeds max_body is refused before
 * it is read; a body without one is cut off at max_body.
 */
#ifndef LEADER_EXEC_HTTP_H
#define LEADER_EXEC_HTTP_H

#include <stddef.h>

#include "buf.h"

#define HTTP_READ_PIECE	(64L * 1024)	/* libcurl's receive buffer */

struct http;
struct curl_slist;

struct http_opts {
	const char	*label;		/* "IMDS", "EC2": for logs */
	int		 no_proxy;	/* ignore *_proxy variables */
	const char	*ca_file;	/* NULL: libcurl's default */
	const char	*ca_dir;	/* NULL: libcurl's default */
};

/*
 * Called while a transfer runs; returning non-zero aborts it (used for
 * SIGINT/SIGTERM).  Set once by main.c.
 */
typedef int	(*http_abort_fn)(void);

struct http_request {
	const char	*method;	/* "GET", "PUT", "POST" */
	const char	*url;
	const char	*const *headers; /* "Name: value", NULL-terminated */
	const char	*body;		/* may be NULL */
	size_t		 body_len;
	long		 connect_timeout_ms;
	long		 timeout_ms;	/* whole request */
	size_t		 max_body;	/* larger responses fail */
	/* With a sink, the body is streamed to it instead of collected. */
	int		(*sink)(void *ctx, const char *, size_t);
	void		*sink_ctx;
};

struct http_response {
	long		 status;	/* HTTP status, 0 without answer (set
					   also when the body was refused) */
	struct buf	 body;		/* without a sink; caller frees */
	int		 reused;	/* the connection was reused */
	int		 reconnected;	/* a new connection on a handle used
					   before: libcurl may have sent the
					   request on the old one first, and
					   lost its answer */
	int		 timed_out;	/* transport failure was a timeout */
	int		 aborted;	/* the abort function stopped it */
	int		 too_large;	/* the body exceeded max_body */
	int		 sink_failed;	/* the sink returned -1 */
	int		 tls_failed;	/* the peer's certificate did not verify */
	char		 error[256];	/* transport error, "" when none */
	/*
	 * The ETag header of the final answer as sent (quotes kept), ""
	 * when none or longer than the buffer.
	 */
	char		 etag[256];
};

/* Initialise libcurl once per process; 0 or -1. */
int		 http_global_init(void);
void		 http_global_cleanup(void);
void		 http_set_abort(http_abort_fn);
/* A client, or NULL (err filled).  The label and CA paths are copied. */
struct http	*http_new(const struct http_opts *, char *err, size_t errlen);
void		 http_free(struct http *);
/*
 * Perform req.  0 when an HTTP answer arrived (any status); -1 on a
 * transport failure (resp->error says what).  resp is reset first; the
 * caller frees resp->body with buf_free().
 */
int		 http_do(struct http *, const struct http_request *,
		    struct http_response *);
/*
 * Zero the strings of a libcurl header list (libcurl's copies of header
 * lines that carry signatures and tokens) before curl_slist_free_all.
 */
void		 http_zero_headers(struct curl_slist *);
/* Requests and new connections made through this client so far. */
void		 http_counts(const struct http *, unsigned *requests,
		    unsigned *connections);

#endif
