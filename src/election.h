/*
 * election: who leads, as a pure function of a snapshot of the group.
 *
 * Input: the instances of the group as DescribeInstances showed them, the
 * id of the instance asking, the tag key of the leadership name, the
 * epoch (or none) and the time.  Output: what the asking instance should
 * do next and why.  No I/O, no clock, no allocation but the member table
 * that election_free() releases.  The steps around it (claim, settle,
 * re-read, retract) live in leader.c.
 *
 * Rules (DESIGN.md section 3):
 *  1. Only instances in state running are live.  If self is not a live
 *     member of the snapshot, the view is stale: ELECT_STALE.
 *  2. Holders are live instances whose tag parses as a claim (below),
 *     whose epoch equals the election's (any epoch when the election has
 *     none; a tag without epoch never matches an election with one), that
 *     is not a failed command's ("=<status>", status 1 to 255) and whose
 *     lease, if it has one, has not expired: now <= expiry +
 *     ELECTION_DRIFT_SECONDS.  An expired or failed claim still counts
 *     for the highest term.
 *  3. Holders rank by term, then launch time, then instance id, all
 *     ascending; the first is the leader.  A holder that is not the leader
 *     retracts its own tag.
 *  4. Without holders, the best-ranked live instances (launch time, then
 *     id) claim at once with term max(highest term seen + 1, now); the
 *     others wait one settle period first (ELECT_WAIT) and claim only if
 *     still no holder appears (patient).  "Seen" counts the valid tags
 *     (any epoch) of live instances up to ELECTION_TERM_AHEAD seconds
 *     ahead of now, and of dead instances up to now: a stopped instance's
 *     tag or a term far in the future cannot pin the next term (issue 11
 *     item 4), while a dead leader's term still keeps the next one above
 *     it.  A term that would pass INT64_MAX, or a clock below 1, fails the
 *     decision.
 */
#ifndef LEADER_EXEC_ELECTION_H
#define LEADER_EXEC_ELECTION_H

#include <stddef.h>
#include <stdint.h>

#include "group.h"

#define ELECTION_EPOCH_MAX	64
#define ELECTION_CLAIM_RANKS	3	/* how many claim without waiting */
#define ELECTION_TERM_AHEAD	86400	/* seconds: terms beyond now + this
					   do not raise the next claim */
#define ELECTION_DRIFT_SECONDS	1	/* clock drift allowed on an expiry */

/*
 * A claim, as a tag value: "<term>[+<expiry>|=<status>][@<epoch>]".
 *   <term>            a claim without lease (a one-shot, --check or
 *                     --export run's): sticky;
 *   <term>+<expiry>   held under a lease until <expiry> (unix seconds),
 *                     renewed by rewriting the tag (--hold, --standby,
 *                     --wait);
 *   <term>=0          a task that ran under a lease and succeeded: still
 *                     a holder (sticky), and what a --wait follower
 *                     waits for (exit 0);
 *   <term>=<status>   a task that failed with <status> (1 to 255): no
 *                     longer a holder (a later run retries), but what a
 *                     --wait follower reports (exit 120).
 * Values written before leases ("<term>", "<term>@<epoch>") parse as
 * they always did.
 */
struct election_claim {
	int64_t		 term;
	int64_t		 expiry;	/* 0: no lease */
	int		 status;	/* -1: not finished, 0: succeeded */
	const char	*epoch;		/* into the value, or NULL */
};
enum election_outcome {
	ELECT_STALE,		/* self not visible as running: re-read */
	ELECT_LEADER,		/* self is the first-ranked holder */
	ELECT_FOLLOWER,		/* another instance leads */
	ELECT_CLAIM,		/* no holder: claim with claim_term */
	ELECT_WAIT		/* no holder: let better-ranked claim first */
};

struct election_input {
	const struct group	*group;
	const char		*self_id;
	const char		*tag_key;	/* "leader-exec:<name>" */
	const char		*epoch;		/* NULL or "" for none */
	int64_t			 now;		/* unix seconds */
	int			 patient;	/* self has already waited */
	size_t			 claim_ranks;	/* 0: ELECTION_CLAIM_RANKS */
};

/* What the snapshot says about one instance (for --status). */
struct election_member {
	const struct instance	*inst;
	const char		*tag;		/* raw tag value or NULL */
	int			 tag_valid;	/* tag parsed */
	int64_t			 term;		/* parsed term, 0 if none */
	int64_t			 expiry;	/* the claim's lease, 0 none */
	int			 status;	/* a finished claim's, or -1 */
	int			 expired;	/* lease past expiry + drift */
	int			 live;
	int			 holder;
	size_t			 rank;		/* 1-based among holders, 0 if not */
};

struct election {
	enum election_outcome	 outcome;
	const struct instance	*self;		/* NULL when stale */
	const struct instance	*leader;	/* first holder or NULL */
	int64_t			 leader_term;
	int64_t			 self_term;	/* self's matching claim, or 0 */
	int			 retract;	/* self must delete its tag */
	int64_t			 claim_term;	/* ELECT_CLAIM, ELECT_WAIT */
	int64_t			 max_term;	/* highest term seen, any epoch */
	size_t			 nlive;
	size_t			 nholders;
	size_t			 self_claim_rank; /* 1-based by launch, id */
	struct election_member	*members;	/* one per group instance */
	size_t			 nmembers;
	char			 reason[256];
};

/*
 * Decide for in; fills out (members owned by out: election_free).
 * 0, or -1 with out->reason saying why (memory, a term that would
 * overflow, a clock below 1).
 */
int	election_decide(const struct election_input *in, struct election *out);
void	election_free(struct election *);
/*
 * Parse a claim "<term>[+<expiry>|=<status>][@<epoch>]".  The term and
 * the expiry are 1 to 19 decimal digits, no sign or leading zero, at most
 * INT64_MAX; the status 0 to 255 without leading zero; the epoch 1 to
 * ELECTION_EPOCH_MAX characters of [A-Za-z0-9._-].  0 with c filled (the
 * epoch a pointer into value, or NULL when absent), or -1.
 */
int	election_parse_claim(const char *value, struct election_claim *c);
/*
 * Parse a tag value as election_parse_claim() does, keeping only the term
 * and the epoch (the lease and the status are dropped).  0, or -1.
 */
int	election_parse_tag(const char *value, int64_t *term,
	    const char **epoch);
/* Format a tag value into out (size >= 96); 0, or -1 if it does not fit. */
int	election_format_tag(int64_t term, const char *epoch, char *out,
	    size_t outlen);
/*
 * Format a claim (expiry 0 for none, status -1 for none; not both) into
 * out (size >= 96); 0, or -1 if it does not fit or is not a valid claim.
 */
int	election_format_claim(const struct election_claim *c, char *out,
	    size_t outlen);
/* 1 when s is 1 to max characters of [A-Za-z0-9._-] (names, epochs). */
int	election_valid_word(const char *s, size_t max);
/* 1 when s is a valid epoch (as in tags), else 0. */
int	election_valid_epoch(const char *s);
/* "leader", "follower", ... */
const char *election_outcome_name(enum election_outcome);

#endif
