/*
 * slots: the rolling/quorum decision (DESIGN.md section 9), pure.
 *
 * --rolling K: every instance runs the command once per epoch, at most K
 * at a time.  The K slots of a group and name are K records (record.h)
 * the s3 store keeps at PREFIX/<scope>/<name>.slot-<i>.json; a run takes a
 * free slot with a conditional write, runs the command under the slot's
 * lease, then writes its own done marker
 * (PREFIX/<scope>/<name>.done-<instance id>.json) and releases the slot.
 *
 * Input: the K slot records as read (NULL: no object), self's done
 * marker, the group's members (running, and healthy in the target group
 * when --target-group is given), self, now, the epoch, K and the quorum.
 * No I/O, no clock, no allocation.
 *
 * Rules, in this order:
 *  - Done: with an epoch, self's done marker in state done for this epoch
 *    -> SLOTS_DONE (the command already ran here this epoch).  Without
 *    an epoch nothing is recorded: every run runs once.
 *  - A slot is live when it is held, its holder is a running member and
 *    now <= lease_expiry + DS_DRIFT_SECONDS; a live slot of another epoch
 *    (an earlier deployment's run) counts too.  Any other slot (no
 *    object, released, expired, holder not running) is free.
 *  - Quorum, checked before any claim: running = members in state running
 *    (and, with a target group, healthy); available = running members
 *    other than self that hold no live slot; needed = N for --quorum N,
 *    ceil(P x running / 100) for --quorum P% (so 50% of 5 is 3).  When
 *    available < needed -> SLOTS_WAIT_QUORUM; nobody claims.
 *  - A free slot exists -> SLOTS_TAKE the first free one scanning from
 *    slot hash(self) mod K (so instances spread over the slots), creating
 *    it (If-None-Match: *) when absent, else replacing it (If-Match).  The
 *    new record: held by self, epoch, term = max(every slot's term + 1,
 *    now) (so one slot's terms only rise: a fencing token), lease now +
 *    lease.  No free slot -> SLOTS_WAIT_FULL.
 *  - After its claim (own_slot >= 0, slots read again): the quorum with
 *    every other live holder counted -> SLOTS_KEEP when it holds, else
 *    SLOTS_GIVE_UP (release the slot and wait).  Two runs that claimed at
 *    once and see each other may both give up; they retry after a
 *    jittered pause.  Of two claims, the one whose re-read comes later
 *    sees the other's, so the quorum is never broken by a race.
 */
#ifndef LEADER_EXEC_SLOTS_H
#define LEADER_EXEC_SLOTS_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

#define SLOTS_MAX	1000	/* --rolling K: 1 to SLOTS_MAX */

enum slots_quorum_kind {
	SLOTS_QUORUM_NONE,	/* no --quorum */
	SLOTS_QUORUM_COUNT,	/* --quorum N: N >= 0 instances remain */
	SLOTS_QUORUM_PERCENT	/* --quorum P%: P 1 to 100 */
};

struct slots_quorum {
	enum slots_quorum_kind	 kind;
	int			 value;	/* N, or P */
};

struct slots_member {
	const char	*id;
	int		 running;	/* EC2 state running */
	int		 healthy;	/* healthy in the target group */
};

enum slots_outcome {
	SLOTS_TAKE,		/* write next into slot (create or replace) */
	SLOTS_WAIT_FULL,	/* every slot is live: poll again */
	SLOTS_WAIT_QUORUM,	/* starting would break the quorum: poll */
	SLOTS_DONE,		/* self ran the command this epoch */
	SLOTS_KEEP,		/* after a claim: the quorum holds: run */
	SLOTS_GIVE_UP		/* after a claim: it breaks: release, wait */
};

struct slots_input {
	const struct record *const *slot;	/* k entries; NULL: absent */
	int			 k;		/* 1 to SLOTS_MAX */
	const struct record	*done;		/* self's marker, or NULL */
	const struct slots_member *member;	/* the group's instances */
	size_t			 nmember;
	int			 use_health;	/* --target-group given */
	const char		*self_id;
	const char		*group;		/* record_format_group() */
	const char		*name;
	const char		*epoch;		/* NULL or "": none */
	int64_t			 now;		/* unix seconds */
	int64_t			 lease;		/* seconds, 1 to DS_LEASE_MAX */
	struct slots_quorum	 quorum;
	int			 own_slot;	/* the slot this process holds
						   after its claim, else -1 */
};

struct slots_result {
	enum slots_outcome	 outcome;
	int			 slot;		/* TAKE, KEEP, GIVE_UP */
	int			 create;	/* TAKE: If-None-Match: * */
	struct record		 next;		/* TAKE: the record to write */
	int			 live;		/* live slots */
	int			 running;	/* members counted running */
	int			 available;	/* running, not self, no slot */
	int			 needed;	/* what the quorum asks */
	char			 reason[256];	/* one line, for the log */
};

/*
 * Decide for in (rules above) into out.  0; or -1 with a reason in err
 * and out zeroed when the inputs are invalid (k, self id, name, group,
 * epoch, lease, now, quorum, own_slot, a slot or done record that fails
 * record_check()), or a term would overflow.
 */
int	slots_decide(const struct slots_input *in, struct slots_result *out,
	    char *err, size_t errlen);
/*
 * Self's done marker after the command of the slot record cur exited
 * with status (0 to 255): done (0) or failed, for cur's epoch (which must
 * not be empty), term kept, times now.  0, or -1 with a reason in err.
 */
int	slots_done_record(const struct record *cur, int status, int64_t now,
	    struct record *out, char *err, size_t errlen);
/* The quorum as the command line spells it: "5", "50%", or "none". */
void	slots_quorum_text(const struct slots_quorum *q, char *out,
	    size_t outlen);
/* "take", "wait-full", "wait-quorum", "done", "keep", "give-up". */
const char *slots_outcome_name(enum slots_outcome);

#endif
