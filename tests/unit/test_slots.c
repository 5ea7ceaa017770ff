/*
 * Unit tests for slots.c: the rolling/quorum decision as a table of slot
 * records read and group members (free slots, all taken, holder dead,
 * lease expired, done, epochs, the quorum for N and P % with its ceiling
 * rounding, target health, the post-claim check), and the done marker.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decide_s3.h"
#include "record.h"
#include "slots.h"

#define ERRLEN	256
#define NOW	INT64_C(1763800000)
#define LEASE	15
#define GROUP	"elasticbeanstalk:environment-id=e-abc123"
#define NAME	"command"
#define SELF	"i-self"
#define MAXK	4
#define MAXM	8

/* A slot read, in short: absent when holder is NULL. */
struct sspec {
	const char		*holder;
	enum record_state	 state;
	const char		*epoch;
	int64_t			 term;
	int64_t			 lease;		/* lease_expiry */
};

/* A member: id, running, healthy. */
struct mspec {
	const char	*id;
	int		 running;
	int		 healthy;
};

struct scase {
	const char		*name;		/* the rule the case protects */
	int			 k;
	struct sspec		 slot[MAXK];
	struct mspec		 member[MAXM];
	int			 use_health;
	const char		*epoch;
	const char		*done_epoch;	/* self's done marker, or NULL */
	enum record_state	 done_state;
	enum slots_quorum_kind	 qkind;
	int			 qvalue;
	int			 own_slot;
	enum slots_outcome	 want;
	int			 want_slot;	/* TAKE/KEEP/GIVE_UP, else -1 */
	int			 want_create;
	int			 want_available, want_needed, want_running;
	const char		*want_reason;	/* exact, or NULL */
};

#define LIVE	(NOW + 5)
#define GONE	(NOW - 60)
#define HELD	RECORD_HELD
#define REL	RECORD_RELEASED
#define FREE	{ NULL, 0, NULL, 0, 0 }
#define M4	{ { SELF, 1, 1 }, { "i-a", 1, 1 }, { "i-b", 1, 1 }, \
		  { "i-c", 1, 1 } }
#define NOQ	SLOTS_QUORUM_NONE, 0
#define QN(n)	SLOTS_QUORUM_COUNT, n
#define QP(p)	SLOTS_QUORUM_PERCENT, p

static const struct scase cases[] = {
	{ "no slot records: take slot, create it", 1, { FREE }, M4, 0, "7",
	  NULL, 0, NOQ, -1, SLOTS_TAKE, 0, 1, 3, 0, 4,
	  "slot 0 of 1 is free (no record); 0 live" },
	{ "a live slot of another holder: all taken", 1,
	  { { "i-a", HELD, "7", 100, LIVE } }, M4, 0, "7", NULL, 0, NOQ, -1,
	  SLOTS_WAIT_FULL, -1, 0, 2, 0, 4, "all 1 slot taken" },
	{ "two slots, one live: take the other", 2,
	  { { "i-a", HELD, "7", 100, LIVE }, FREE }, M4, 0, "7", NULL, 0,
	  NOQ, -1, SLOTS_TAKE, 1, 1, 2, 0, 4, NULL },
	{ "both slots live: wait", 2,
	  { { "i-a", HELD, "7", 100, LIVE }, { "i-b", HELD, "7", 90, LIVE } },
	  M4, 0, "7", NULL, 0, NOQ, -1, SLOTS_WAIT_FULL, -1, 0, 1, 0, 4,
	  "all 2 slots taken" },
	{ "holder not running: its slot is free (replace)", 1,
	  { { "i-a", HELD, "7", 100, LIVE } },
	  { { SELF, 1, 1 }, { "i-a", 0, 0 }, { "i-b", 1, 1 } }, 0, "7", NULL,
	  0, NOQ, -1, SLOTS_TAKE, 0, 0, 1, 0, 2,
	  "slot 0 of 1 is free (its holder is gone or its lease expired); "
	  "0 live" },
	{ "holder unknown to EC2: its slot is free", 1,
	  { { "i-zz", HELD, "7", 100, LIVE } }, M4, 0, "7", NULL, 0, NOQ, -1,
	  SLOTS_TAKE, 0, 0, 3, 0, 4, NULL },
	{ "lease expired beyond the drift: free", 1,
	  { { "i-a", HELD, "7", 100, NOW - DS_DRIFT_SECONDS - 1 } }, M4, 0,
	  "7", NULL, 0, NOQ, -1, SLOTS_TAKE, 0, 0, 3, 0, 4, NULL },
	{ "lease expired within the drift: still live", 1,
	  { { "i-a", HELD, "7", 100, NOW - DS_DRIFT_SECONDS } }, M4, 0, "7",
	  NULL, 0, NOQ, -1, SLOTS_WAIT_FULL, -1, 0, 2, 0, 4, NULL },
	{ "released slot: free (replace)", 1,
	  { { "i-a", REL, "7", 100, NOW } }, M4, 0, "7", NULL, 0, NOQ, -1,
	  SLOTS_TAKE, 0, 0, 3, 0, 4,
	  "slot 0 of 1 is free (released); 0 live" },
	{ "a live slot of an earlier epoch still counts as taken", 1,
	  { { "i-a", HELD, "6", 100, LIVE } }, M4, 0, "7", NULL, 0, NOQ, -1,
	  SLOTS_WAIT_FULL, -1, 0, 2, 0, 4, NULL },
	{ "done this epoch: nothing to do, even with a free slot", 1,
	  { FREE }, M4, 0, "7", "7", RECORD_DONE, NOQ, -1, SLOTS_DONE, -1, 0,
	  0, 0, 0, "this instance already ran the command in epoch 7" },
	{ "done in an earlier epoch: run again", 1, { FREE }, M4, 0, "8",
	  "7", RECORD_DONE, NOQ, -1, SLOTS_TAKE, 0, 1, 3, 0, 4, NULL },
	{ "failed this epoch: a retry takes a slot", 1, { FREE }, M4, 0, "7",
	  "7", RECORD_FAILED, NOQ, -1, SLOTS_TAKE, 0, 1, 3, 0, 4, NULL },
	{ "no epoch: a done marker never stops a run", 1, { FREE }, M4, 0, "",
	  NULL, 0, NOQ, -1, SLOTS_TAKE, 0, 1, 3, 0, 4, NULL },
	{ "quorum 5 of 4 running: nobody claims", 2, { FREE, FREE }, M4, 0,
	  "7", NULL, 0, QN(5), -1, SLOTS_WAIT_QUORUM, -1, 0, 3, 5, 4,
	  "quorum 5: 3 instances would remain running and not running the "
	  "command, 5 needed (4 running)" },
	{ "quorum 3 of 4, nobody out: start", 2, { FREE, FREE }, M4, 0, "7",
	  NULL, 0, QN(3), -1, SLOTS_TAKE, -1, 1, 3, 3, 4, NULL },
	{ "quorum 3 of 4, one out: wait though a slot is free", 2,
	  { { "i-a", HELD, "7", 100, LIVE }, FREE }, M4, 0, "7", NULL, 0,
	  QN(3), -1, SLOTS_WAIT_QUORUM, -1, 0, 2, 3, 4, NULL },
	{ "quorum 0: always starts", 1, { FREE }, M4, 0, "7", NULL, 0, QN(0),
	  -1, SLOTS_TAKE, 0, 1, 3, 0, 4, NULL },
	{ "quorum 50% of 4 is 2: one out, start", 4,
	  { { "i-a", HELD, "7", 100, LIVE }, FREE, FREE, FREE }, M4, 0, "7",
	  NULL, 0, QP(50), -1, SLOTS_TAKE, -1, 1, 2, 2, 4, NULL },
	{ "quorum 50% of 4 is 2: two out, wait", 4,
	  { { "i-a", HELD, "7", 100, LIVE }, { "i-b", HELD, "7", 90, LIVE },
	  FREE, FREE }, M4, 0, "7", NULL, 0, QP(50), -1, SLOTS_WAIT_QUORUM,
	  -1, 0, 1, 2, 4, NULL },
	{ "quorum 50% of 5 rounds up to 3", 2, { FREE, FREE },
	  { { SELF, 1, 1 }, { "i-a", 1, 1 }, { "i-b", 1, 1 }, { "i-c", 1, 1 },
	  { "i-d", 1, 1 } }, 0, "7", NULL, 0, QP(50), -1, SLOTS_TAKE, -1, 1,
	  4, 3, 5, NULL },
	{ "quorum 75% of 4 is 3 (exact)", 2, { FREE, FREE }, M4, 0, "7", NULL,
	  0, QP(75), -1, SLOTS_TAKE, -1, 1, 3, 3, 4, NULL },
	{ "quorum 76% of 4 rounds up to 4: wait", 2, { FREE, FREE }, M4, 0,
	  "7", NULL, 0, QP(76), -1, SLOTS_WAIT_QUORUM, -1, 0, 3, 4, 4, NULL },
	{ "quorum 1% of 4 rounds up to 1", 2, { FREE, FREE }, M4, 0, "7",
	  NULL, 0, QP(1), -1, SLOTS_TAKE, -1, 1, 3, 1, 4, NULL },
	{ "quorum 100% can never start", 2, { FREE, FREE }, M4, 0, "7", NULL,
	  0, QP(100), -1, SLOTS_WAIT_QUORUM, -1, 0, 3, 4, 4, NULL },
	{ "stopped members do not count", 2, { FREE, FREE },
	  { { SELF, 1, 1 }, { "i-a", 1, 1 }, { "i-b", 0, 0 }, { "i-c", 0, 0 } },
	  0, "7", NULL, 0, QN(2), -1, SLOTS_WAIT_QUORUM, -1, 0, 1, 2, 2,
	  NULL },
	{ "target group: unhealthy members do not count", 2, { FREE, FREE },
	  { { SELF, 1, 1 }, { "i-a", 1, 1 }, { "i-b", 1, 0 }, { "i-c", 1, 0 } },
	  1, "7", NULL, 0, QN(2), -1, SLOTS_WAIT_QUORUM, -1, 0, 1, 2, 2,
	  "quorum 2: 1 instance would remain running and not running the "
	  "command, 2 needed (2 running and healthy)" },
	{ "without a target group health is ignored", 2, { FREE, FREE },
	  { { SELF, 1, 1 }, { "i-a", 1, 1 }, { "i-b", 1, 0 }, { "i-c", 1, 0 } },
	  0, "7", NULL, 0, QN(2), -1, SLOTS_TAKE, -1, 1, 3, 2, 4, NULL },
	{ "target group: an unhealthy self leaves the healthy ones", 2,
	  { FREE, FREE },
	  { { SELF, 1, 0 }, { "i-a", 1, 1 }, { "i-b", 1, 1 }, { "i-c", 1, 0 } },
	  1, "7", NULL, 0, QN(2), -1, SLOTS_TAKE, -1, 1, 2, 2, 2, NULL },
	{ "target group: an unhealthy holder still holds its slot", 1,
	  { { "i-a", HELD, "7", 100, LIVE } },
	  { { SELF, 1, 1 }, { "i-a", 1, 0 } }, 1, "7", NULL, 0, NOQ, -1,
	  SLOTS_WAIT_FULL, -1, 0, 0, 0, 1, NULL },
	{ "after a claim, the quorum holds: keep", 2,
	  { { SELF, HELD, "7", 101, LIVE }, { "i-a", HELD, "7", 100, LIVE } },
	  M4, 0, "7", NULL, 0, QP(50), 0, SLOTS_KEEP, 0, 0, 2, 2, 4,
	  "holding slot 0 of 2; quorum 50% holds: 2 remain, 2 needed" },
	{ "after a claim, a racing claim broke it: give up", 3,
	  { { SELF, HELD, "7", 101, LIVE }, { "i-a", HELD, "7", 101, LIVE },
	  { "i-b", HELD, "7", 100, LIVE } }, M4, 0, "7", NULL, 0, QN(2), 0,
	  SLOTS_GIVE_UP, 0, 0, 1, 2, 4, NULL },
};

static struct record	 recs[MAXK];

static void
fill(const struct sspec *s, struct record *r)
{
	memset(r, 0, sizeof(*r));
	r->version = RECORD_VERSION;
	strcpy(r->group, GROUP);
	strcpy(r->name, NAME);
	strcpy(r->epoch, s->epoch);
	strcpy(r->holder, s->holder);
	strcpy(r->writer, s->holder);
	r->term = s->term;
	r->state = s->state;
	r->exit_status = s->state == RECORD_DONE ? 0 :
	    s->state == RECORD_FAILED ? 1 : RECORD_EXIT_NONE;
	r->lease_expiry = s->lease;
	r->renewed = r->written = s->lease - LEASE;
}

static void
setup(const struct scase *c, struct slots_input *in,
    const struct record **slot, struct slots_member *m, struct record *done)
{
	size_t	 n;
	int	 i;

	memset(in, 0, sizeof(*in));
	for (i = 0; i < c->k; i++) {
		slot[i] = NULL;
		if (c->slot[i].holder != NULL) {
			fill(&c->slot[i], &recs[i]);
			slot[i] = &recs[i];
		}
	}
	for (n = 0; n < MAXM && c->member[n].id != NULL; n++) {
		m[n].id = c->member[n].id;
		m[n].running = c->member[n].running;
		m[n].healthy = c->member[n].healthy;
	}
	if (c->done_epoch != NULL) {
		struct sspec	 d = { SELF, c->done_state, c->done_epoch, 50,
				    NOW - 100 };

		fill(&d, done);
		in->done = done;
	}
	in->slot = slot;
	in->k = c->k;
	in->member = m;
	in->nmember = n;
	in->use_health = c->use_health;
	in->self_id = SELF;
	in->group = GROUP;
	in->name = NAME;
	in->epoch = c->epoch;
	in->now = NOW;
	in->lease = LEASE;
	in->quorum.kind = c->qkind;
	in->quorum.value = c->qvalue;
	in->own_slot = c->own_slot;
}

START_TEST(test_table)
{
	const struct scase	*c = &cases[_i];
	const struct record	*slot[MAXK];
	struct slots_member	 m[MAXM];
	struct record		 done;
	struct slots_input	 in;
	struct slots_result	 out;
	char			 err[ERRLEN] = "";

	setup(c, &in, slot, m, &done);
	ck_assert_msg(slots_decide(&in, &out, err, sizeof(err)) == 0,
	    "%s: %s", c->name, err);
	ck_assert_msg(out.outcome == c->want, "%s: outcome %s, want %s",
	    c->name, slots_outcome_name(out.outcome),
	    slots_outcome_name(c->want));
	if (c->want_slot >= 0 || c->want != SLOTS_TAKE)
		ck_assert_msg(out.slot == c->want_slot, "%s: slot %d, want %d",
		    c->name, out.slot, c->want_slot);
	if (c->want != SLOTS_DONE) {
		ck_assert_msg(out.available == c->want_available,
		    "%s: available %d, want %d", c->name, out.available,
		    c->want_available);
		ck_assert_msg(out.needed == c->want_needed, "%s: needed %d, "
		    "want %d", c->name, out.needed, c->want_needed);
		ck_assert_msg(out.running == c->want_running, "%s: running %d, "
		    "want %d", c->name, out.running, c->want_running);
	}
	if (c->want == SLOTS_TAKE) {
		ck_assert_msg(out.slot >= 0 && out.slot < c->k, "%s", c->name);
		ck_assert_msg(out.create == c->want_create, "%s: create",
		    c->name);
		ck_assert_int_eq(out.next.state, RECORD_HELD);
		ck_assert_str_eq(out.next.holder, SELF);
		ck_assert_str_eq(out.next.epoch, c->epoch);
		ck_assert_int_eq(out.next.lease_expiry, NOW + LEASE);
		ck_assert_msg(record_check(&out.next, err, sizeof(err)) == 0,
		    "%s: %s", c->name, err);
	}
	if (c->want_reason != NULL)
		ck_assert_str_eq(out.reason, c->want_reason);
}
END_TEST

/* Terms: above every slot's, at least now, so one slot's terms only rise. */
START_TEST(test_term)
{
	struct sspec		 s0 = { "i-a", REL, "7", NOW + 500, NOW };
	struct sspec		 s1 = { "i-b", HELD, "7", NOW + 900, LIVE };
	const struct record	*slot[2];
	struct slots_member	 m[2] = { { SELF, 1, 1 }, { "i-b", 1, 1 } };
	struct slots_input	 in;
	struct slots_result	 out;
	char			 err[ERRLEN];

	fill(&s0, &recs[0]);
	fill(&s1, &recs[1]);
	slot[0] = &recs[0];
	slot[1] = &recs[1];
	memset(&in, 0, sizeof(in));
	in.slot = slot;
	in.k = 2;
	in.member = m;
	in.nmember = 2;
	in.self_id = SELF;
	in.group = GROUP;
	in.name = NAME;
	in.epoch = "7";
	in.now = NOW;
	in.lease = LEASE;
	in.own_slot = -1;
	ck_assert_int_eq(slots_decide(&in, &out, err, sizeof(err)), 0);
	ck_assert_int_eq(out.outcome, SLOTS_TAKE);
	ck_assert_int_eq(out.slot, 0);
	ck_assert_int_eq(out.next.term, NOW + 901);
	recs[0].term = recs[1].term = 5;
	ck_assert_int_eq(slots_decide(&in, &out, err, sizeof(err)), 0);
	ck_assert_int_eq(out.next.term, NOW);
	recs[0].term = INT64_MAX;
	ck_assert_int_eq(slots_decide(&in, &out, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "a slot's term cannot grow");
}
END_TEST

/* The scan starts at a hash of self: different instances, other slots. */
START_TEST(test_spread)
{
	static const char *const ids[] = { "i-a", "i-b", "i-c", "i-d",
	    "i-e", "i-f", "i-g", "i-h" };
	const struct record	*slot[MAXK] = { NULL, NULL, NULL, NULL };
	struct slots_member	 m[1];
	struct slots_input	 in;
	struct slots_result	 out;
	char			 err[ERRLEN];
	int			 seen[MAXK] = { 0 }, i, distinct = 0;

	memset(&in, 0, sizeof(in));
	in.slot = slot;
	in.k = MAXK;
	in.member = m;
	in.nmember = 1;
	in.group = GROUP;
	in.name = NAME;
	in.now = NOW;
	in.lease = LEASE;
	in.own_slot = -1;
	for (i = 0; i < 8; i++) {
		m[0].id = in.self_id = ids[i];
		m[0].running = 1;
		ck_assert_int_eq(slots_decide(&in, &out, err, sizeof(err)), 0);
		ck_assert_int_eq(out.outcome, SLOTS_TAKE);
		seen[out.slot]++;
	}
	for (i = 0; i < MAXK; i++)
		distinct += seen[i] > 0;
	ck_assert_int_ge(distinct, 2);
}
END_TEST

START_TEST(test_refuses)
{
	const struct record	*slot[1] = { NULL };
	struct slots_member	 m[1] = { { SELF, 1, 1 } };
	struct slots_input	 in;
	struct slots_result	 out;
	char			 err[ERRLEN];

	memset(&in, 0, sizeof(in));
	in.slot = slot;
	in.k = 1;
	in.member = m;
	in.nmember = 1;
	in.self_id = SELF;
	in.group = GROUP;
	in.name = NAME;
	in.now = NOW;
	in.lease = LEASE;
	in.own_slot = -1;
	ck_assert_int_eq(slots_decide(&in, &out, err, sizeof(err)), 0);
	in.k = 0;
	ck_assert_int_eq(slots_decide(&in, &out, err, sizeof(err)), -1);
	in.k = SLOTS_MAX + 1;
	ck_assert_int_eq(slots_decide(&in, &out, err, sizeof(err)), -1);
	in.k = 1;
	in.quorum.kind = SLOTS_QUORUM_PERCENT;
	in.quorum.value = 0;
	ck_assert_int_eq(slots_decide(&in, &out, err, sizeof(err)), -1);
	in.quorum.value = 101;
	ck_assert_int_eq(slots_decide(&in, &out, err, sizeof(err)), -1);
	in.quorum.kind = SLOTS_QUORUM_COUNT;
	in.quorum.value = -1;
	ck_assert_int_eq(slots_decide(&in, &out, err, sizeof(err)), -1);
	in.quorum.value = 0;
	in.own_slot = 1;
	ck_assert_int_eq(slots_decide(&in, &out, err, sizeof(err)), -1);
	in.own_slot = -1;
	in.self_id = "i self";
	ck_assert_int_eq(slots_decide(&in, &out, err, sizeof(err)), -1);
	in.self_id = SELF;
	{
		struct sspec	 s = { "i-a", HELD, "7", 100, LIVE };

		fill(&s, &recs[0]);
		strcpy(recs[0].name, "other");
		slot[0] = &recs[0];
		ck_assert_int_eq(slots_decide(&in, &out, err, sizeof(err)),
		    -1);
		ck_assert_str_eq(err, "slot 0 belongs to another group or "
		    "name");
	}
}
END_TEST

START_TEST(test_done_record)
{
	struct sspec	 s = { SELF, HELD, "7", 1234, LIVE };
	struct record	 cur, out;
	char		 err[ERRLEN];

	fill(&s, &cur);
	ck_assert_int_eq(slots_done_record(&cur, 0, NOW, &out, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(out.state, RECORD_DONE);
	ck_assert_int_eq(out.exit_status, 0);
	ck_assert_int_eq(out.term, 1234);
	ck_assert_int_eq(out.written, NOW);
	ck_assert_int_eq(slots_done_record(&cur, 3, NOW, &out, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(out.state, RECORD_FAILED);
	ck_assert_int_eq(out.exit_status, 3);
	ck_assert_int_eq(slots_done_record(&cur, 256, NOW, &out, err,
	    sizeof(err)), -1);
	cur.epoch[0] = '\0';
	ck_assert_int_eq(slots_done_record(&cur, 0, NOW, &out, err,
	    sizeof(err)), -1);
}
END_TEST

START_TEST(test_names)
{
	struct slots_quorum	 q = { SLOTS_QUORUM_PERCENT, 50 };
	char			 t[16];

	slots_quorum_text(&q, t, sizeof(t));
	ck_assert_str_eq(t, "50%");
	q.kind = SLOTS_QUORUM_COUNT;
	q.value = 5;
	slots_quorum_text(&q, t, sizeof(t));
	ck_assert_str_eq(t, "5");
	ck_assert_str_eq(slots_outcome_name(SLOTS_WAIT_QUORUM), "wait-quorum");
	ck_assert_str_eq(slots_outcome_name(SLOTS_GIVE_UP), "give-up");
}
END_TEST

static Suite *
slots_suite(void)
{
	Suite	*s = suite_create("slots");
	TCase	*core = tcase_create("Core");
	TCase	*limits = tcase_create("Limits");

	tcase_add_loop_test(core, test_table, 0,
	    (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(core, test_term);
	tcase_add_test(core, test_spread);
	tcase_add_test(core, test_done_record);
	tcase_add_test(core, test_names);
	tcase_add_test(limits, test_refuses);
	suite_add_tcase(s, core);
	suite_add_tcase(s, limits);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(slots_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
