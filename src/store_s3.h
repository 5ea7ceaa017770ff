/*
 * store_s3: what the S3 stores share (store_s3.c, store_rolling.c): the
 * bucket a run uses and its S3 client.
 */
#ifndef LEADER_EXEC_STORE_S3_H
#define LEADER_EXEC_STORE_S3_H

#include <stddef.h>

#include "err.h"
#include "s3.h"
#include "store.h"

/*
 * The bucket of c's run into bucket (len >= S3_BUCKET_MAX + 1):
 * --store s3://BUCKET, or Elastic Beanstalk's own for --store s3.  0, or
 * -1 with e set.
 */
int	store_s3_bucket(const struct store_ctx *c, char *bucket, size_t len,
	    struct lerr *e);
/*
 * The S3 client of c's run (the endpoint resolved into endpoint, len
 * bytes; the CA chosen) into *out, freed with s3_free().  0, or -1 with e
 * set.
 */
int	store_s3_client(const struct store_ctx *c, char *endpoint, size_t len,
	    struct s3 **out, struct lerr *e);

#endif
