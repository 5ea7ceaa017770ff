/*
 * leader: one election, end to end.  Reads the instance's identity and
 * credentials, finds its group, then runs the steps around the pure
 * decision of election.c: read, decide, claim, settle, re-read, confirm
 * or retract.  Returns what main.c needs to act; exits and execs nothing.
 */
#ifndef LEADER_EXEC_LEADER_H
#define LEADER_EXEC_LEADER_H

#include <stdint.h>

#include "cli.h"
#include "election.h"
#include "err.h"
#include "group.h"

/* What main.c read from the environment (borrowed strings, may be NULL). */
struct runenv {
	const char	*imds_endpoint;	/* AWS_EC2_METADATA_SERVICE_ENDPOINT */
	int		 imds_disabled;	/* AWS_EC2_METADATA_DISABLED=true */
	const char	*ec2_endpoint;	/* AWS_ENDPOINT_URL_EC2 */
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

/*
 * Run one election as o says.  0 with res filled, or -1 with e set (res
 * still holds what was learnt, for --status and logs).  Free res with
 * leader_result_free() in both cases.
 */
int	leader_run(const struct options *o, const struct runenv *env,
	    struct leader_result *res, struct lerr *e);
void	leader_result_free(struct leader_result *);

#endif
