/*
 * s3probe: run s3.c calls from the command line, for the integration
 * scenario s3_client.py.  Test only: built by make check, never installed.
 *
 *   s3probe BUCKET get KEY
 *   s3probe BUCKET put KEY BODY [--if-none-match | --if-match ETAG]
 *
 * Credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
 * AWS_SESSION_TOKEN; region AWS_REGION (default us-east-1); endpoint
 * AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL (s3_resolve_endpoint);
 * deadline S3PROBE_TIMEOUT_MS (default 20000).  Prints one line:
 * "found ETAG BODY", "absent", "written ETAG" or "precondition", exit 0;
 * on an error "s3probe: MESSAGE" on stderr and the error's class as the
 * exit status (leader-exec's codes: 112, 113, 114, 115, 116...).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "creds.h"
#include "deadline.h"
#include "err.h"
#include "http.h"
#include "log.h"
#include "s3.h"
#include "util.h"

static int
usage(void)
{
	fprintf(stderr, "usage: s3probe BUCKET get KEY\n"
	    "       s3probe BUCKET put KEY BODY [--if-none-match | "
	    "--if-match ETAG]\n");
	return 2;
}

static int
env_creds(struct credentials *c, struct lerr *e)
{
	const char	*id = getenv("AWS_ACCESS_KEY_ID");
	const char	*secret = getenv("AWS_SECRET_ACCESS_KEY");
	const char	*token = getenv("AWS_SESSION_TOKEN");

	memset(c, 0, sizeof(*c));
	if (id == NULL || secret == NULL ||
	    strlcpy(c->access_key_id, id, sizeof(c->access_key_id)) >=
	    sizeof(c->access_key_id) ||
	    strlcpy(c->secret_access_key, secret,
	    sizeof(c->secret_access_key)) >= sizeof(c->secret_access_key) ||
	    strlcpy(c->session_token, token != NULL ? token : "",
	    sizeof(c->session_token)) >= sizeof(c->session_token)) {
		lerr_set(e, LERR_CREDS, "AWS_ACCESS_KEY_ID and "
		    "AWS_SECRET_ACCESS_KEY must be set");
		return -1;
	}
	c->source = "environment";
	return 0;
}

/* The call named by argv[2..]; prints its result line. */
static int
run(struct s3 *s3, const struct deadline *dl, int argc, char **argv,
    struct lerr *e)
{
	struct buf	 body;
	char		 etag[S3_ETAG_MAX];
	enum s3_cond	 cond = S3_PUT_ALWAYS;
	const char	*if_match = NULL;
	int		 rc;

	if (strcmp(argv[2], "get") == 0 && argc == 4) {
		buf_init(&body, S3_MAX_BODY);
		rc = s3_get(s3, dl, argv[1], argv[3], &body, etag, e);
		if (rc == 0)
			printf("found %s %s\n", etag, body.data ? body.data : "");
		else if (rc == S3_ABSENT)
			printf("absent\n");
		buf_free(&body);
		return rc == -1 ? -1 : 0;
	}
	if (strcmp(argv[2], "put") != 0 || argc < 5 || argc > 7)
		return -2;
	if (argc == 6 && strcmp(argv[5], "--if-none-match") == 0)
		cond = S3_PUT_IF_NONE_MATCH;
	else if (argc == 7 && strcmp(argv[5], "--if-match") == 0) {
		cond = S3_PUT_IF_MATCH;
		if_match = argv[6];
	} else if (argc != 5)
		return -2;
	rc = s3_put(s3, dl, argv[1], argv[3], argv[4], strlen(argv[4]),
	    "application/json", cond, if_match, etag, e);
	if (rc == 0)
		printf("written %s\n", etag);
	else if (rc == S3_PRECONDITION)
		printf("precondition\n");
	return rc == -1 ? -1 : 0;
}

int
main(int argc, char **argv)
{
	struct credentials	 cr;
	struct s3_config	 cfg;
	struct deadline		 dl;
	struct lerr		 e;
	struct s3		*s3 = NULL;
	const char		*region = getenv("AWS_REGION");
	const char		*t = getenv("S3PROBE_TIMEOUT_MS");
	char			 endpoint[256];
	int			 rc = 1;

	if (argc < 4)
		return usage();
	lerr_clear(&e);
	log_set_level(getenv("S3PROBE_VERBOSE") != NULL ? 2 : 0);
	srandom((unsigned)getpid() ^ (unsigned)time(NULL));
	if (region == NULL || region[0] == '\0')
		region = "us-east-1";
	deadline_start(&dl, t != NULL ? atol(t) : 20000);
	if (http_global_init() == -1) {
		fprintf(stderr, "s3probe: cannot initialise libcurl\n");
		return LERR_INTERNAL;
	}
	if (env_creds(&cr, &e) == -1 ||
	    s3_resolve_endpoint(region, getenv("AWS_ENDPOINT_URL_S3"),
	    getenv("AWS_ENDPOINT_URL"), 0, endpoint, sizeof(endpoint),
	    &e) == -1)
		goto out;
	cfg = (struct s3_config){ endpoint, region, &cr, NULL, NULL };
	if ((s3 = s3_new(&cfg, &e)) == NULL)
		goto out;
	switch (run(s3, &dl, argc, argv, &e)) {
	case -2:
		rc = usage();
		goto done;
	case 0:
		rc = 0;
		goto done;
	}
out:
	fprintf(stderr, "s3probe: %s\n", e.msg);
	rc = e.cls != LERR_NONE ? (int)e.cls : 1;
done:
	s3_free(s3);
	creds_clear(&cr);
	http_global_cleanup();
	return rc;
}
