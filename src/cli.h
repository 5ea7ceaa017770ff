/*
 * cli: the command line, parsed and validated without side effects.
 *
 * cli_parse() reads argv only: no environment, no output, no exit.  The
 * command to run is borrowed from argv.
 */
#ifndef LEADER_EXEC_CLI_H
#define LEADER_EXEC_CLI_H

#include <stddef.h>

#include "election.h"
#include "group.h"
#include "region.h"
#include "slots.h"

#define CLI_NAME_MAX		64
#define CLI_DEFAULT_NAME	"command"
#define CLI_DEFAULT_SETTLE_MS	3000
#define CLI_DEFAULT_TIMEOUT_MS	60000
#define CLI_MAX_TIMEOUT_MS	(24L * 3600 * 1000)
#define CLI_TAG_PREFIX		"leader-exec:"
#define CLI_DEFAULT_LEASE_MS	15000
#define CLI_MAX_LEASE_MS	(3600L * 1000)
#define CLI_BUCKET_MAX		63	/* S3 bucket names: 3 to 63 */
#define CLI_PREFIX_MAX		256	/* our bound on an object key prefix */
#define CLI_S3_DEFAULT_PREFIX	"leader-exec/"
#define CLI_TARGET_GROUP_MAX	256	/* bytes of a target group ARN */

enum store_kind {
	STORE_TAGS,		/* leadership in EC2 tags (default) */
	STORE_S3		/* a conditional-write record in S3 */
};

/* Where leadership is recorded: --store or LEADER_EXEC_STORE. */
struct store_spec {
	enum store_kind	 kind;
	int		 eb_bucket;	/* "s3": elasticbeanstalk-REGION-ACCOUNT */
	char		 bucket[CLI_BUCKET_MAX + 1];
	char		 prefix[CLI_PREFIX_MAX + 1];	/* "" or ends in '/' */
};

enum cli_mode {
	MODE_RUN,		/* [--] command [args]: exec on the leader */
	MODE_EXPORT,		/* --export: print export lines */
	MODE_CHECK,		/* --check: exit status only */
	MODE_STATUS,		/* --status: describe the group */
	MODE_HELP,		/* --help */
	MODE_VERSION		/* --version */
};

enum cli_on_error {
	ON_ERROR_FAIL,		/* report, exit with the error's status */
	ON_ERROR_RUN,		/* report, then act as leader */
	ON_ERROR_SKIP		/* report, then act as follower */
};

struct options {
	enum cli_mode	 mode;
	int		 json;		/* --json (with --status) */
	int		 all;		/* --all: run everywhere */
	int		 dry_run;	/* --dry-run: write and run nothing */
	int		 verbose;	/* -v count */
	int		 allow_imdsv1;	/* --allow-imdsv1 */
	int		 allow_http_endpoint; /* --allow-http-endpoint */
	char		 name[CLI_NAME_MAX + 1];
	char		 tag_key[sizeof(CLI_TAG_PREFIX) + CLI_NAME_MAX];
	char		 epoch[ELECTION_EPOCH_MAX + 1];
	int		 epoch_set;	/* --epoch given ("none" sets it "") */
	const char	*manifest;	/* --manifest, borrowed; NULL: default */
	char		 scope_key[TAG_KEY_SIZE];
	char		 scope_value[TAG_VALUE_SIZE];
	int		 scope_set;
	char		 region[REGION_SIZE];
	long		 settle_ms;
	struct store_spec store;
	int		 store_set;	/* --store given */
	long		 lease_ms;	/* --lease */
	long		 kill_after_ms;	/* --kill-after; -1: derived */
	int		 hold;		/* --hold: a service, released after */
	int		 standby;	/* --standby: a follower waits to take over */
	int		 wait;		/* --wait: a follower waits for the
					   leader's command to end */
	int		 protect;	/* --protect: scale-in protection
					   while holding */
	long		 timeout_ms;
	int		 follower_exit;
	enum cli_on_error on_error;
	int		 rolling;	/* --rolling K: 1 to SLOTS_MAX; 0 off */
	struct slots_quorum quorum;	/* --quorum N|P% */
	char		 target_group[CLI_TARGET_GROUP_MAX + 1]; /* "" none */
	char		 target_group_region[32]; /* the ARN's region */
	char	       **command;	/* borrowed from argv, NULL-terminated */
	int		 ncommand;
};

/*
 * Parse argv into o (defaults first).  0 on success; -1 with a one-line
 * reason in err (for "leader-exec: <err>") on a usage error.
 */
int	cli_parse(int argc, char **argv, struct options *o, char *err,
	    size_t errlen);
/*
 * Parse a store: "tags", "s3" (Elastic Beanstalk's bucket) or
 * "s3://BUCKET[/PREFIX]" (a prefix gets a trailing '/').  0, or -1 with a
 * reason in err naming what (for --store or LEADER_EXEC_STORE).
 */
int	cli_parse_store(const char *what, const char *s, struct store_spec *,
	    char *err, size_t errlen);
/* Parse a duration: "3", "2.5", "2.5s", "500ms" -> ms; -1 if malformed. */
long	cli_parse_duration(const char *);
/*
 * Validate an ELBv2 target group ARN,
 * arn:aws[-cn|-us-gov]:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID
 * (ACCOUNT 12 digits, NAME 1 to 32 of [A-Za-z0-9-], ID 1 to 32 hex digits),
 * copying its region into region (32 bytes).  1 valid, else 0.
 */
int	cli_valid_target_group(const char *arn, char *region);
/* 1 when code is one leader-exec reserves for itself (errors, 126/127). */
int	cli_reserved_status(int code);
/* The --help text. */
extern const char cli_help[];

#endif
