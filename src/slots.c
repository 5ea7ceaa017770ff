/*
 * slots: the rolling/quorum decision.  See slots.h for the rules.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "decide_s3.h"
#include "election.h"
#include "err.h"
#include "record.h"
#include "slots.h"
#include "util.h"

static const char *const outcome_names[] = {
	[SLOTS_TAKE] = "take",
	[SLOTS_WAIT_FULL] = "wait-full",
	[SLOTS_WAIT_QUORUM] = "wait-quorum",
	[SLOTS_DONE] = "done",
	[SLOTS_KEEP] = "keep",
	[SLOTS_GIVE_UP] = "give-up"
};

const char *
slots_outcome_name(enum slots_outcome o)
{
	if ((size_t)o < nitems(outcome_names))
		return outcome_names[o];
	return "unknown";
}

void
slots_quorum_text(const struct slots_quorum *q, char *out, size_t outlen)
{
	if (q->kind == SLOTS_QUORUM_COUNT)
		snprintf(out, outlen, "%d", q->value);
	else if (q->kind == SLOTS_QUORUM_PERCENT)
		snprintf(out, outlen, "%d%%", q->value);
	else
		snprintf(out, outlen, "none");
}

static const struct slots_member *
find_member(const struct slots_input *in, const char *id)
{
	size_t	 i;

	for (i = 0; i < in->nmember; i++)
		if (in->member[i].id != NULL &&
		    strcmp(in->member[i].id, id) == 0)
			return &in->member[i];
	return NULL;
}

static int
counts_running(const struct slots_input *in, const struct slots_member *m)
{
	return m->running && (!in->use_health || m->healthy);
}

/* A slot is live: held, holder running, lease unexpired (with drift). */
static int
slot_live(const struct slots_input *in, const struct record *r)
{
	const struct slots_member	*m;

	if (r == NULL || r->state != RECORD_HELD)
		return 0;
	if ((m = find_member(in, r->holder)) == NULL || !m->running)
		return 0;
	return in->now <= r->lease_expiry + DS_DRIFT_SECONDS;
}

/* 1 when id holds a live slot (other than skip). */
static int
holds_live(const struct slots_input *in, const char *id)
{
	int	 i;

	for (i = 0; i < in->k; i++)
		if (in->slot[i] != NULL && slot_live(in, in->slot[i]) &&
		    strcmp(in->slot[i]->holder, id) == 0)
			return 1;
	return 0;
}

/* running, available, needed and live into out. */
static void
count_quorum(const struct slots_input *in, struct slots_result *out)
{
	const struct slots_member	*m;
	size_t				 i;
	int				 j;

	for (j = 0; j < in->k; j++)
		out->live += in->slot[j] != NULL && slot_live(in, in->slot[j]);
	for (i = 0; i < in->nmember; i++) {
		m = &in->member[i];
		if (m->id == NULL || !counts_running(in, m))
			continue;
		out->running++;
		if (strcmp(m->id, in->self_id) != 0 && !holds_live(in, m->id))
			out->available++;
	}
	if (in->quorum.kind == SLOTS_QUORUM_COUNT)
		out->needed = in->quorum.value;
	else if (in->quorum.kind == SLOTS_QUORUM_PERCENT)
		out->needed = (in->quorum.value * out->running + 99) / 100;
}

static int
check_record(const struct slots_input *in, const struct record *r,
    const char *what, char *err, size_t errlen)
{
	char	 why[200];

	if (record_check(r, why, sizeof(why)) == -1)
		return err_reason(err, errlen, "%s: %s", what, why);
	if (strcmp(r->group, in->group) != 0 || strcmp(r->name, in->name) != 0)
		return err_reason(err, errlen, "%s belongs to another group or "
		    "name", what);
	return 0;
}

static int
check_input(const struct slots_input *in, char *err, size_t errlen)
{
	char	 what[32];
	int	 i;

	if (in->k < 1 || in->k > SLOTS_MAX || in->slot == NULL)
		return err_reason(err, errlen, "slot count out of range (1 to %d)",
		    SLOTS_MAX);
	if (in->self_id == NULL || !record_valid_id(in->self_id) ||
	    in->name == NULL || !election_valid_word(in->name,
	    RECORD_NAME_MAX) || in->group == NULL || in->group[0] == '\0' ||
	    (in->epoch != NULL && in->epoch[0] != '\0' &&
	    !election_valid_epoch(in->epoch)))
		return err_reason(err, errlen, "invalid self id, name, group or "
		    "epoch");
	if (in->lease < 1 || in->lease > DS_LEASE_MAX || in->now < 0 ||
	    in->now > RECORD_TIME_MAX - DS_LEASE_MAX)
		return err_reason(err, errlen, "lease or time out of range");
	if ((in->quorum.kind == SLOTS_QUORUM_COUNT && in->quorum.value < 0) ||
	    (in->quorum.kind == SLOTS_QUORUM_PERCENT &&
	    (in->quorum.value < 1 || in->quorum.value > 100)))
		return err_reason(err, errlen, "quorum out of range");
	if (in->own_slot < -1 || in->own_slot >= in->k)
		return err_reason(err, errlen, "own slot out of range");
	for (i = 0; i < in->k; i++) {
		snprintf(what, sizeof(what), "slot %d", i);
		if (in->slot[i] != NULL &&
		    check_record(in, in->slot[i], what, err, errlen) == -1)
			return -1;
	}
	if (in->done != NULL && check_record(in, in->done, "the done marker",
	    err, errlen) == -1)
		return -1;
	return 0;
}

static int
epoch_is(const struct slots_input *in, const char *epoch)
{
	return strcmp(in->epoch != NULL ? in->epoch : "", epoch) == 0;
}

/* The first slot to scan: a hash of self, so runs spread out. */
static int
first_slot(const struct slots_input *in)
{
	uint32_t	 h = 2166136261u;
	const char	*p;

	for (p = in->self_id; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return (int)(h % (uint32_t)in->k);
}

/* The held record self writes into a free slot. */
static int
take(const struct slots_input *in, int i, struct slots_result *out,
    char *err, size_t errlen)
{
	struct record	*n = &out->next;
	int64_t		 term = 0;
	int		 j;

	for (j = 0; j < in->k; j++)
		if (in->slot[j] != NULL && in->slot[j]->term > term)
			term = in->slot[j]->term;
	if (term == INT64_MAX)
		return err_reason(err, errlen, "a slot's term cannot grow");
	term = term + 1 > in->now ? term + 1 : in->now;
	memset(n, 0, sizeof(*n));
	n->version = RECORD_VERSION;
	strlcpy(n->group, in->group, sizeof(n->group));
	strlcpy(n->name, in->name, sizeof(n->name));
	strlcpy(n->epoch, in->epoch != NULL ? in->epoch : "", sizeof(n->epoch));
	strlcpy(n->holder, in->self_id, sizeof(n->holder));
	strlcpy(n->writer, in->self_id, sizeof(n->writer));
	n->term = term;
	n->state = RECORD_HELD;
	n->exit_status = RECORD_EXIT_NONE;
	n->lease_expiry = in->now + in->lease;
	n->renewed = n->written = in->now;
	out->outcome = SLOTS_TAKE;
	out->slot = i;
	out->create = in->slot[i] == NULL;
	snprintf(out->reason, sizeof(out->reason), "slot %d of %d is free "
	    "(%s); %d live", i, in->k, in->slot[i] == NULL ? "no record" :
	    in->slot[i]->state != RECORD_HELD ? "released" :
	    "its holder is gone or its lease expired", out->live);
	return 0;
}

/* With the counts made: quorum first, then a free slot. */
static int
choose(const struct slots_input *in, struct slots_result *out, char *err,
    size_t errlen)
{
	char	 q[16];
	int	 i, j;

	slots_quorum_text(&in->quorum, q, sizeof(q));
	if (out->available < out->needed) {
		out->outcome = in->own_slot >= 0 ? SLOTS_GIVE_UP :
		    SLOTS_WAIT_QUORUM;
		out->slot = in->own_slot;
		snprintf(out->reason, sizeof(out->reason), "quorum %s: %d "
		    "instance%s would remain running and not running the "
		    "command, %d needed (%d running%s)", q, out->available,
		    out->available == 1 ? "" : "s", out->needed, out->running,
		    in->use_health ? " and healthy" : "");
		return 0;
	}
	if (in->own_slot >= 0) {
		out->outcome = SLOTS_KEEP;
		out->slot = in->own_slot;
		snprintf(out->reason, sizeof(out->reason), "holding slot %d "
		    "of %d; quorum %s holds: %d remain, %d needed",
		    in->own_slot, in->k, q, out->available, out->needed);
		return 0;
	}
	for (j = 0, i = first_slot(in); j < in->k; j++, i = (i + 1) % in->k)
		if (in->slot[i] == NULL || !slot_live(in, in->slot[i]))
			return take(in, i, out, err, errlen);
	out->outcome = SLOTS_WAIT_FULL;
	out->slot = -1;
	snprintf(out->reason, sizeof(out->reason), "all %d slot%s taken",
	    in->k, in->k == 1 ? "" : "s");
	return 0;
}

int
slots_decide(const struct slots_input *in, struct slots_result *out,
    char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	out->slot = -1;
	if (check_input(in, err, errlen) == -1)
		return -1;
	if (in->done != NULL && in->epoch != NULL && in->epoch[0] != '\0' &&
	    in->done->state == RECORD_DONE && epoch_is(in, in->done->epoch) &&
	    strcmp(in->done->holder, in->self_id) == 0 && in->own_slot < 0) {
		out->outcome = SLOTS_DONE;
		snprintf(out->reason, sizeof(out->reason), "this instance "
		    "already ran the command in epoch %s", in->epoch);
		return 0;
	}
	count_quorum(in, out);
	if (choose(in, out, err, errlen) == -1) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	return 0;
}

int
slots_done_record(const struct record *cur, int status, int64_t now,
    struct record *out, char *err, size_t errlen)
{
	char	 why[200];

	if (cur->epoch[0] == '\0')
		return err_reason(err, errlen, "no epoch: nothing to record");
	if (status < 0 || status > 255)
		return err_reason(err, errlen, "exit status out of range");
	*out = *cur;
	out->state = status == 0 ? RECORD_DONE : RECORD_FAILED;
	out->exit_status = status;
	out->lease_expiry = out->renewed = out->written = now;
	if (record_check(out, why, sizeof(why)) == -1)
		return err_reason(err, errlen, "the done marker: %s", why);
	return 0;
}
