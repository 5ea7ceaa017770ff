/*
 * store: where leadership is recorded.  One ops table per store, one file
 * per store (store_tags.c: EC2 tags, DESIGN.md section 3); leader.c picks
 * the table and never branches on which store it has.
 *
 * A store is given the run's context (struct store_ctx: options, deadline,
 * the EC2 client, the instance and its group) and fills the result that
 * main.c acts on.  A store never includes leader.h: the types it shares
 * with leader.c and main.c live here.
 */
#ifndef LEADER_EXEC_STORE_H
#define LEADER_EXEC_STORE_H

#include <stdint.h>

#include "cli.h"
#include "deadline.h"
#include "election.h"
#include "err.h"
#include "group.h"
#include "record.h"
#include "region.h"

struct credentials;
struct ec2;

/* What main.c read from the environment (borrowed strings, may be NULL). */
struct runenv {
	const char	*imds_endpoint;	/* AWS_EC2_METADATA_SERVICE_ENDPOINT */
	int		 imds_disabled;	/* AWS_EC2_METADATA_DISABLED=true */
	const char	*ec2_endpoint;	/* AWS_ENDPOINT_URL_EC2 */
	const char	*s3_endpoint;	/* AWS_ENDPOINT_URL_S3 */
	const char	*elbv2_endpoint; /* AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2 */
	const char	*as_endpoint;	/* AWS_ENDPOINT_URL_AUTOSCALING */
	const char	*any_endpoint;	/* AWS_ENDPOINT_URL */
	const char	*region;	/* AWS_REGION, else AWS_DEFAULT_REGION */
	const char	*region_var;	/* which of the two region names */
	const char	*manifest;	/* LEADER_EXEC_MANIFEST */
	const char	*ca_file;	/* SSL_CERT_FILE */
	const char	*ca_dir;	/* SSL_CERT_DIR */
	int64_t		 (*wall_clock)(void); /* unix seconds */
};

enum leader_verdict {
	VERDICT_LEADER,
	VERDICT_FOLLOWER,
	VERDICT_NONE		/* --dry-run or --status: nobody leads yet */
};

struct leader_result {
	enum leader_verdict	 verdict;
	char			 self_id[INSTANCE_ID_MAX];
	char			 leader_id[INSTANCE_ID_MAX];	/* "" if none */
	int64_t			 term;		/* the leader's term, or 0 */
	char			 epoch[ELECTION_EPOCH_MAX + 1];	/* "" none */
	const char		*epoch_source;	/* "--epoch", "manifest", ... */
	char			 scope_key[TAG_KEY_SIZE];
	char			 scope_value[TAG_VALUE_SIZE];
	const char		*scope_source;	/* "--scope", "own tag" */
	const char		*store;		/* "tags", "s3" */
	char			 store_desc[400];	/* LEADER_EXEC_STORE for
						   the command: "tags" or
						   "s3://BUCKET/PREFIX" */
	int			 supervise;	/* the leader must fork, renew
						   and record (not exec in place) */
	long			 lease_ms;	/* with supervise: the lease */
	long long		 lease_written_ms; /* now_ms() when the lease
						   was last written (sent) */
	int			 done;		/* nothing to do: the epoch's
						   command already succeeded */
	/* The s3 store: where the record is and what it said. */
	char			 record_url[1200];	/* s3://BUCKET/KEY */
	struct record		 record;
	int			 have_record;
	int			 retry;		/* this claim retries a failed
						   epoch */
	char			 region[REGION_SIZE];
	char			 reason[256];
	int			 claimed;	/* this run wrote a claim */
	int			 retracted;	/* this run deleted its claim */
	struct group		 group;		/* the last snapshot */
	struct election		 election;	/* decided on group */
	int			 decided;	/* election is filled */
	unsigned		 imds_requests, imds_conns;
	unsigned		 ec2_requests, ec2_conns;
};

/* What every store works with; borrowed for the store's lifetime. */
struct store_ctx {
	const struct options	*o;
	const struct runenv	*env;
	struct leader_result	*res;	/* self_id, scope, epoch set; filled */
	struct deadline		*dl;	/* the overall --timeout; a store
					   that waits for a leader without
					   bound (--standby, --wait) starts
					   it anew for each election step */
	struct ec2		*ec2;
	const struct instance	*self;	/* tagless: id, state, launch time */
	int			 have_self; /* self was read (else --scope) */
	const struct credentials *creds;	/* for other clients */
	const char		*account_id;	/* identity document, or "" */
};

struct store_ops {
	const char	*name;		/* "tags" */
	/*
	 * Decide who leads, claiming if the store's rules say so; fills
	 * ctx->res (verdict, leader, term, reason).  0, or -1 with e set.
	 */
	int		(*elect)(struct store_ctx *, void *state, struct lerr *e);
	/*
	 * After a failed elect(): withdraw whatever claim this run wrote
	 * and did not confirm, so it does not block the others.  Best
	 * effort, bounded by its own short deadline.
	 */
	void		(*abandon)(struct store_ctx *, void *state);
	/*
	 * While a supervised command runs: renew this run's lease within
	 * budget_ms.  0 renewed, -1 with e set.  NULL: the store has no
	 * lease (it never asks for supervision).
	 */
	int		(*renew)(struct store_ctx *, void *state, long budget_ms,
			    struct lerr *e);
	/*
	 * After the command: record its outcome (status: exit status, or
	 * 128 + N for death by signal N) and release what needs releasing.
	 * 0, or -1 with e set.  NULL: nothing to record.
	 */
	int		(*finish)(struct store_ctx *, void *state, int status,
			    struct lerr *e);
	/* Release what state owns (not state itself); may be NULL. */
	void		(*close)(struct store_ctx *, void *state);
	size_t		 state_size;	/* zeroed by the caller */
};

/* The EC2 tags store (store_tags.c). */
extern const struct store_ops store_tags;
/* The S3 conditional-write store (store_s3.c). */
extern const struct store_ops store_s3;
/* --rolling K on S3: K slots and a done marker per instance (store_rolling.c). */
extern const struct store_ops store_rolling;

#endif
