/*
 * Unit tests for election.c: the decision as a table of snapshots.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "election.h"

#define KEY	"leader-exec:command"
#define NOW	1763800000LL	/* 2025-11-22 */

struct row {
	const char		*id;
	enum instance_state	 state;
	int64_t			 launch;
	const char		*tag;		/* value of KEY or NULL */
};

struct table_case {
	const char		*name;		/* the rule the case protects */
	struct row		 rows[8];
	const char		*self;
	const char		*epoch;
	int			 patient;
	enum election_outcome	 want;
	const char		*want_leader;	/* NULL: none */
	int64_t			 want_claim;	/* for CLAIM and WAIT */
	int			 want_retract;
};

static void
build(struct group *g, const struct row *rows)
{
	size_t	 n, i;

	for (n = 0; rows[n].id != NULL; n++)
		;
	memset(g, 0, sizeof(*g));
	g->inst = calloc(n ? n : 1, sizeof(*g->inst));
	ck_assert_ptr_nonnull(g->inst);
	g->ninst = g->cap = n;
	for (i = 0; i < n; i++) {
		struct instance	*in = &g->inst[i];

		strcpy(in->id, rows[i].id);
		in->state = rows[i].state;
		in->launch_time = rows[i].launch;
		in->tags = calloc(2, sizeof(*in->tags));
		ck_assert_ptr_nonnull(in->tags);
		/* An unrelated tag first, so lookups must search by key. */
		in->tags[0].key = strdup("elasticbeanstalk:environment-id");
		in->tags[0].value = strdup("e-test");
		in->ntags = 1;
		if (rows[i].tag != NULL) {
			in->tags[1].key = strdup(KEY);
			in->tags[1].value = strdup(rows[i].tag);
			in->ntags = 2;
		}
	}
}

#define R	STATE_RUNNING
#define T	STATE_TERMINATED

static const struct table_case cases[] = {
	{ "no holder: the most senior instance claims at once with term now",
	  { { "i-a", R, 100, NULL }, { "i-b", R, 200, NULL } },
	  "i-a", NULL, 0, ELECT_CLAIM, NULL, NOW, 0 },
	{ "no holder: a junior among the first three also claims at once",
	  { { "i-a", R, 100, NULL }, { "i-b", R, 200, NULL },
	    { "i-c", R, 300, NULL } },
	  "i-c", NULL, 0, ELECT_CLAIM, NULL, NOW, 0 },
	{ "no holder: the fourth by seniority waits instead of claiming",
	  { { "i-a", R, 100, NULL }, { "i-b", R, 200, NULL },
	    { "i-c", R, 300, NULL }, { "i-d", R, 400, NULL } },
	  "i-d", NULL, 0, ELECT_WAIT, NULL, NOW, 0 },
	{ "no holder: a junior that has waited once claims",
	  { { "i-a", R, 100, NULL }, { "i-b", R, 200, NULL },
	    { "i-c", R, 300, NULL }, { "i-d", R, 400, NULL } },
	  "i-d", NULL, 1, ELECT_CLAIM, NULL, NOW, 0 },
	{ "seniority ignores dead instances: a terminated elder does not push self back",
	  { { "i-0", T, 10, NULL }, { "i-1", T, 20, NULL },
	    { "i-2", T, 30, NULL }, { "i-d", R, 400, NULL } },
	  "i-d", NULL, 0, ELECT_CLAIM, NULL, NOW, 0 },
	{ "one holder: it leads, self follows without retracting",
	  { { "i-a", R, 100, NULL }, { "i-b", R, 200, "1763700000" } },
	  "i-a", NULL, 0, ELECT_FOLLOWER, "i-b", 0, 0 },
	{ "one holder: the holder itself is leader",
	  { { "i-a", R, 100, NULL }, { "i-b", R, 200, "1763700000" } },
	  "i-b", NULL, 0, ELECT_LEADER, "i-b", 0, 0 },
	{ "several holders: the lowest term wins although it launched last",
	  { { "i-a", R, 100, "1763700005" }, { "i-b", R, 900, "1763700001" },
	    { "i-c", R, 50, "1763700003" } },
	  "i-a", NULL, 0, ELECT_FOLLOWER, "i-b", 0, 1 },
	{ "equal terms: the earlier launch wins",
	  { { "i-a", R, 300, "1763700000" }, { "i-b", R, 200, "1763700000" } },
	  "i-b", NULL, 0, ELECT_LEADER, "i-b", 0, 0 },
	{ "equal terms: the loser retracts its own claim",
	  { { "i-a", R, 300, "1763700000" }, { "i-b", R, 200, "1763700000" } },
	  "i-a", NULL, 0, ELECT_FOLLOWER, "i-b", 0, 1 },
	{ "equal terms and launch times: the lower instance id wins",
	  { { "i-0b", R, 200, "1763700000" }, { "i-0a", R, 200, "1763700000" } },
	  "i-0b", NULL, 0, ELECT_FOLLOWER, "i-0a", 0, 1 },
	{ "an unknown launch time ranks after a known one",
	  { { "i-a", R, -1, "1763700000" }, { "i-b", R, 500, "1763700000" } },
	  "i-a", NULL, 0, ELECT_FOLLOWER, "i-b", 0, 1 },
	{ "self missing from the snapshot: stale, never follower",
	  { { "i-a", R, 100, "1763700000" } },
	  "i-z", NULL, 0, ELECT_STALE, NULL, 0, 0 },
	{ "self not running: stale",
	  { { "i-a", R, 100, "1763700000" }, { "i-z", STATE_STOPPING, 50, NULL } },
	  "i-z", NULL, 0, ELECT_STALE, NULL, 0, 0 },
	{ "self pending: stale (only running instances count)",
	  { { "i-z", STATE_PENDING, 50, NULL } },
	  "i-z", NULL, 0, ELECT_STALE, NULL, 0, 0 },
	{ "dead holders never lead: terminated holder ignored, self claims",
	  { { "i-old", T, 10, "1763700000" }, { "i-a", R, 100, NULL } },
	  "i-a", NULL, 0, ELECT_CLAIM, NULL, NOW, 0 },
	{ "dead holders never lead: stopped and shutting-down ignored",
	  { { "i-s", STATE_STOPPED, 10, "1763700000" },
	    { "i-d", STATE_SHUTTING_DOWN, 11, "1763700001" },
	    { "i-a", R, 100, NULL } },
	  "i-a", NULL, 0, ELECT_CLAIM, NULL, NOW, 0 },
	{ "issue 11 item 4: dead instances' terms, even far ahead, do not pin the claim",
	  { { "i-old1", T, 10, "1999999999" }, { "i-old2", T, 11, "1999999990" },
	    { "i-s", STATE_STOPPED, 12, "9223372036854775807" },
	    { "i-new", R, 500, NULL } },
	  "i-new", NULL, 0, ELECT_CLAIM, NULL, NOW, 0 },
	{ "issue 11 item 4: a dead leader's term at now still keeps the next above it",
	  { { "i-old", T, 10, "1763800000" }, { "i-s", STATE_STOPPED, 12,
	    "1763800001" }, { "i-new", R, 500, NULL } },
	  "i-new", NULL, 0, ELECT_CLAIM, NULL, NOW + 1, 0 },
	{ "issue 11 item 4: a live term more than a day ahead does not raise the claim",
	  { { "i-a", R, 100, "9223372036854775807@41" },
	    { "i-c", R, 150, "1763886401@41" }, { "i-b", R, 200, NULL } },
	  "i-b", "42", 0, ELECT_CLAIM, NULL, NOW, 0 },
	{ "issue 11 item 4: a live term exactly a day ahead still raises the claim",
	  { { "i-a", R, 100, "1763886400@41" }, { "i-b", R, 200, NULL } },
	  "i-b", "42", 0, ELECT_CLAIM, NULL, 1763886401LL, 0 },
	{ "epoch: a holder of an older epoch does not block the new one",
	  { { "i-a", R, 100, "1763700000@41" }, { "i-b", R, 200, NULL } },
	  "i-b", "42", 0, ELECT_CLAIM, NULL, NOW, 0 },
	{ "epoch: the older epoch's term still raises the new term",
	  { { "i-a", R, 100, "1763801000@41" }, { "i-b", R, 200, NULL } },
	  "i-b", "42", 0, ELECT_CLAIM, NULL, 1763801001LL, 0 },
	{ "epoch: a holder of the same epoch leads",
	  { { "i-a", R, 100, "1763700000@42" }, { "i-b", R, 200, NULL } },
	  "i-b", "42", 0, ELECT_FOLLOWER, "i-a", 0, 0 },
	{ "epoch: a tag without epoch does not count for an epoch",
	  { { "i-a", R, 100, "1763700000" }, { "i-b", R, 200, NULL } },
	  "i-b", "42", 0, ELECT_CLAIM, NULL, NOW, 0 },
	{ "epoch: without an epoch, a tag of any epoch counts",
	  { { "i-a", R, 100, "1763700000@41" }, { "i-b", R, 200, NULL } },
	  "i-b", NULL, 0, ELECT_FOLLOWER, "i-a", 0, 0 },
	{ "epoch: self's claim for an old epoch is not retracted, just ignored",
	  { { "i-a", R, 100, "1763700000@42" }, { "i-b", R, 200, "1763600000@41" } },
	  "i-b", "42", 0, ELECT_FOLLOWER, "i-a", 0, 0 },
	{ "an instance listed twice (two pages) still leads, never retracts itself",
	  { { "i-b", R, 100, NULL }, { "i-a", R, 100, "1763700000" },
	    { "i-a", R, 100, "1763700000" } },
	  "i-a", NULL, 0, ELECT_LEADER, "i-a", 0, 0 },
	{ "malformed tag values never make a holder",
	  { { "i-a", R, 100, "abc" }, { "i-b", R, 110, "0" },
	    { "i-c", R, 120, "12@" }, { "i-d", R, 130, "-5" },
	    { "i-e", R, 140, NULL } },
	  "i-e", NULL, 1, ELECT_CLAIM, NULL, NOW, 0 },
	{ "lease: a claim whose lease has not expired holds",
	  { { "i-a", R, 100, "1763790000+1763800010@42" },
	    { "i-b", R, 200, NULL } },
	  "i-b", "42", 0, ELECT_FOLLOWER, "i-a", 0, 0 },
	{ "lease: one second past the expiry is within the drift allowance",
	  { { "i-a", R, 100, "1763790000+1763799999" },
	    { "i-b", R, 200, NULL } },
	  "i-b", NULL, 0, ELECT_FOLLOWER, "i-a", 0, 0 },
	{ "lease: expired past the drift allowance, no holder; its term "
	  "still raises the claim",
	  { { "i-a", R, 100, "1763800005+1763799998" },
	    { "i-b", R, 200, NULL } },
	  "i-b", NULL, 0, ELECT_CLAIM, NULL, 1763800006, 0 },
	{ "lease: an expired claim of self is not a holder: claim, no "
	  "retraction",
	  { { "i-a", R, 100, "1763790000+1763790015" },
	    { "i-b", R, 200, NULL } },
	  "i-a", NULL, 0, ELECT_CLAIM, NULL, NOW, 0 },
	{ "lease: an expired claim ranks after no one, a live later one leads",
	  { { "i-a", R, 100, "1763790000+1763790015" },
	    { "i-b", R, 200, "1763790020+1763800010" } },
	  "i-a", NULL, 0, ELECT_FOLLOWER, "i-b", 0, 0 },
	{ "finished: a failed task's claim is not a holder (retry)",
	  { { "i-a", R, 100, "1763790000=3@42" }, { "i-b", R, 200, NULL } },
	  "i-b", "42", 0, ELECT_CLAIM, NULL, NOW, 0 },
	{ "finished: a succeeded task's claim (=0) still leads",
	  { { "i-a", R, 100, "1763790000=0@42" }, { "i-b", R, 200, NULL } },
	  "i-b", "42", 0, ELECT_FOLLOWER, "i-a", 0, 0 },
};

/* Every row of the table decides as written. */
START_TEST(test_table)
{
	const struct table_case	*c = &cases[_i];
	struct election_input	 in;
	struct election		 out;
	struct group		 g;

	build(&g, c->rows);
	memset(&in, 0, sizeof(in));
	in.group = &g;
	in.self_id = c->self;
	in.tag_key = KEY;
	in.epoch = c->epoch;
	in.now = NOW;
	in.patient = c->patient;
	ck_assert_int_eq(election_decide(&in, &out), 0);
	ck_assert_msg(out.outcome == c->want, "%s: outcome %s, want %s",
	    c->name, election_outcome_name(out.outcome),
	    election_outcome_name(c->want));
	if (c->want_leader == NULL)
		ck_assert_msg(out.leader == NULL, "%s: leader %s, want none",
		    c->name, out.leader ? out.leader->id : "");
	else {
		ck_assert_msg(out.leader != NULL, "%s: no leader", c->name);
		ck_assert_str_eq(out.leader->id, c->want_leader);
	}
	if (c->want == ELECT_CLAIM || c->want == ELECT_WAIT)
		ck_assert_msg(out.claim_term == c->want_claim,
		    "%s: claim term %lld, want %lld", c->name,
		    (long long)out.claim_term, (long long)c->want_claim);
	ck_assert_msg(out.retract == c->want_retract, "%s: retract %d",
	    c->name, out.retract);
	ck_assert(out.reason[0] != '\0');
	election_free(&out);
	group_free(&g);
}
END_TEST

/* Holders are ranked 1..n in the order term, launch, id; others rank 0. */
START_TEST(test_member_ranks)
{
	static const struct row rows[] = {
		{ "i-a", R, 300, "1763700002" }, { "i-b", R, 100, "1763700002" },
		{ "i-c", R, 200, "1763700001" }, { "i-d", T, 1, "1763700000" },
		{ "i-e", R, 50, NULL }, { NULL, 0, 0, NULL } };
	struct election_input	 in = { 0 };
	struct election		 out;
	struct group		 g;

	build(&g, rows);
	in.group = &g;
	in.self_id = "i-e";
	in.tag_key = KEY;
	in.now = NOW;
	ck_assert_int_eq(election_decide(&in, &out), 0);
	ck_assert_uint_eq(out.nmembers, 5);
	ck_assert_uint_eq(out.members[0].rank, 3);
	ck_assert_uint_eq(out.members[1].rank, 2);
	ck_assert_uint_eq(out.members[2].rank, 1);
	ck_assert_uint_eq(out.members[3].rank, 0);	/* dead */
	ck_assert_uint_eq(out.members[4].rank, 0);	/* no tag */
	ck_assert_uint_eq(out.nholders, 3);
	ck_assert_uint_eq(out.nlive, 4);
	ck_assert_int_eq(out.max_term, 1763700002);
	ck_assert_uint_eq(out.self_claim_rank, 1);
	ck_assert_str_eq(out.leader->id, "i-c");
	election_free(&out);
	group_free(&g);
}
END_TEST

/* The decision is the same whatever order DescribeInstances returned. */
START_TEST(test_order_independent)
{
	static const struct row fwd[] = {
		{ "i-a", R, 200, "1763700000" }, { "i-b", R, 100, "1763700000" },
		{ "i-c", R, 100, "1763700000" }, { NULL, 0, 0, NULL } };
	static const struct row rev[] = {
		{ "i-c", R, 100, "1763700000" }, { "i-b", R, 100, "1763700000" },
		{ "i-a", R, 200, "1763700000" }, { NULL, 0, 0, NULL } };
	const struct row	*tables[] = { fwd, rev };
	size_t			 t;

	for (t = 0; t < 2; t++) {
		struct election_input	 in = { 0 };
		struct election		 out;
		struct group		 g;

		build(&g, tables[t]);
		in.group = &g;
		in.self_id = "i-a";
		in.tag_key = KEY;
		in.now = NOW;
		ck_assert_int_eq(election_decide(&in, &out), 0);
		ck_assert_str_eq(out.leader->id, "i-b");
		election_free(&out);
		group_free(&g);
	}
}
END_TEST

/* An empty snapshot is stale, not an error. */
START_TEST(test_empty_group)
{
	struct election_input	 in = { 0 };
	struct election		 out;
	struct group		 g = { 0 };

	in.group = &g;
	in.self_id = "i-a";
	in.tag_key = KEY;
	in.now = NOW;
	ck_assert_int_eq(election_decide(&in, &out), 0);
	ck_assert_int_eq(out.outcome, ELECT_STALE);
	election_free(&out);
}
END_TEST

/* Tag values: "<term>" or "<term>@<epoch>", strictly. */
START_TEST(test_parse_tag)
{
	int64_t		 term;
	const char	*epoch;

	ck_assert_int_eq(election_parse_tag("1763700000", &term, &epoch), 0);
	ck_assert_int_eq(term, 1763700000);
	ck_assert_ptr_null(epoch);
	ck_assert_int_eq(election_parse_tag("17@42", &term, &epoch), 0);
	ck_assert_int_eq(term, 17);
	ck_assert_str_eq(epoch, "42");
	ck_assert_int_eq(election_parse_tag("9223372036854775807", &term,
	    &epoch), 0);
	ck_assert_int_eq(term, INT64_MAX);
	ck_assert_int_eq(election_parse_tag("9223372036854775808", &term,
	    &epoch), -1);
	ck_assert_int_eq(election_parse_tag("", &term, &epoch), -1);
	ck_assert_int_eq(election_parse_tag("0", &term, &epoch), -1);
	ck_assert_int_eq(election_parse_tag("012", &term, &epoch), -1);
	ck_assert_int_eq(election_parse_tag("+1", &term, &epoch), -1);
	ck_assert_int_eq(election_parse_tag("1 ", &term, &epoch), -1);
	ck_assert_int_eq(election_parse_tag("1@", &term, &epoch), -1);
	ck_assert_int_eq(election_parse_tag("1@a b", &term, &epoch), -1);
	ck_assert_int_eq(election_parse_tag("1@4@2", &term, &epoch), -1);
	ck_assert_int_eq(election_parse_tag(NULL, &term, &epoch), -1);
}
END_TEST

/* Claims: a lease or a status between the term and the epoch. */
START_TEST(test_parse_claim)
{
	struct election_claim	 c;
	int64_t			 term;
	const char		*epoch;

	ck_assert_int_eq(election_parse_claim("17+1763800015@42", &c), 0);
	ck_assert_int_eq(c.term, 17);
	ck_assert_int_eq(c.expiry, 1763800015);
	ck_assert_int_eq(c.status, -1);
	ck_assert_str_eq(c.epoch, "42");
	ck_assert_int_eq(election_parse_claim("17=3", &c), 0);
	ck_assert_int_eq(c.expiry, 0);
	ck_assert_int_eq(c.status, 3);
	ck_assert_ptr_null(c.epoch);
	ck_assert_int_eq(election_parse_claim("17=255@a", &c), 0);
	ck_assert_int_eq(c.status, 255);
	ck_assert_int_eq(election_parse_claim("17", &c), 0);
	ck_assert_int_eq(c.expiry, 0);
	ck_assert_int_eq(c.status, -1);
	/* The old reader keeps the term and the epoch. */
	ck_assert_int_eq(election_parse_tag("17+99@42", &term, &epoch), 0);
	ck_assert_int_eq(term, 17);
	ck_assert_str_eq(epoch, "42");
	ck_assert_int_eq(election_parse_claim("17=0@42", &c), 0);
	ck_assert_int_eq(c.status, 0);
	ck_assert_str_eq(c.epoch, "42");
	ck_assert_int_eq(election_parse_claim("17=00", &c), -1);
	ck_assert_int_eq(election_parse_claim("17=256", &c), -1);
	ck_assert_int_eq(election_parse_claim("17=03", &c), -1);
	ck_assert_int_eq(election_parse_claim("17+", &c), -1);
	ck_assert_int_eq(election_parse_claim("17+0", &c), -1);
	ck_assert_int_eq(election_parse_claim("17+5=3", &c), -1);
	ck_assert_int_eq(election_parse_claim("17=3+5", &c), -1);
	ck_assert_int_eq(election_parse_claim("17+9223372036854775808", &c),
	    -1);
	ck_assert_int_eq(election_parse_claim("17@42+5", &c), -1);
	ck_assert_int_eq(election_parse_claim("17++5", &c), -1);
}
END_TEST

/* A claim formats as it parses; a lease and a status never together. */
START_TEST(test_format_claim)
{
	struct election_claim	 c = { 17, 1763800015, -1, "42" }, back;
	char			 out[96];

	ck_assert_int_eq(election_format_claim(&c, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "17+1763800015@42");
	ck_assert_int_eq(election_parse_claim(out, &back), 0);
	ck_assert_int_eq(back.term, 17);
	ck_assert_int_eq(back.expiry, 1763800015);
	c.expiry = 0;
	c.status = 3;
	c.epoch = NULL;
	ck_assert_int_eq(election_format_claim(&c, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "17=3");
	c.expiry = 5;
	ck_assert_int_eq(election_format_claim(&c, out, sizeof(out)), -1);
	c.expiry = 0;
	c.status = 0;
	ck_assert_int_eq(election_format_claim(&c, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "17=0");
	c.status = -2;
	ck_assert_int_eq(election_format_claim(&c, out, sizeof(out)), -1);
	c.status = -1;
	c.epoch = "a b";
	ck_assert_int_eq(election_format_claim(&c, out, sizeof(out)), -1);
}
END_TEST

/* Formatting round-trips through parsing and refuses small buffers. */
START_TEST(test_format_tag)
{
	char		 out[96], small[5];
	int64_t		 term;
	const char	*epoch;

	ck_assert_int_eq(election_format_tag(1763700000, "42", out,
	    sizeof(out)), 0);
	ck_assert_str_eq(out, "1763700000@42");
	ck_assert_int_eq(election_parse_tag(out, &term, &epoch), 0);
	ck_assert_int_eq(term, 1763700000);
	ck_assert_str_eq(epoch, "42");
	ck_assert_int_eq(election_format_tag(5, NULL, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "5");
	ck_assert_int_eq(election_format_tag(5, "", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "5");
	ck_assert_int_eq(election_format_tag(123456, NULL, small,
	    sizeof(small)), -1);
}
END_TEST

/* Epochs: 1..64 characters of letters, digits, '.', '_', '-'. */
START_TEST(test_valid_epoch)
{
	char	 long_epoch[ELECTION_EPOCH_MAX + 2];

	ck_assert_int_eq(election_valid_epoch("42"), 1);
	ck_assert_int_eq(election_valid_epoch("v1.2_rc-3"), 1);
	ck_assert_int_eq(election_valid_epoch(""), 0);
	ck_assert_int_eq(election_valid_epoch("a@b"), 0);
	ck_assert_int_eq(election_valid_epoch("a b"), 0);
	memset(long_epoch, 'x', ELECTION_EPOCH_MAX);
	long_epoch[ELECTION_EPOCH_MAX] = '\0';
	ck_assert_int_eq(election_valid_epoch(long_epoch), 1);
	long_epoch[ELECTION_EPOCH_MAX] = 'x';
	long_epoch[ELECTION_EPOCH_MAX + 1] = '\0';
	ck_assert_int_eq(election_valid_epoch(long_epoch), 0);
}
END_TEST

/*
 * Issue 11 item 4: the next term never saturates silently at INT64_MAX:
 * with a clock near the end of time and a live INT64_MAX term, the
 * decision fails and says why.
 */
START_TEST(test_term_never_saturates)
{
	static const struct row rows[] = {
		{ "i-a", R, 1, "9223372036854775807@old" }, { "i-b", R, 2, NULL },
		{ NULL, 0, 0, NULL } };
	struct election_input	 in = { 0 };
	struct election		 out;
	struct group		 g;

	build(&g, rows);
	in.group = &g;
	in.self_id = "i-b";
	in.tag_key = KEY;
	in.epoch = "new";
	in.now = INT64_MAX - 10;
	ck_assert_int_eq(election_decide(&in, &out), -1);
	ck_assert_ptr_null(out.members);
	ck_assert_msg(strstr(out.reason, "exceed") != NULL, "%s", out.reason);
	in.now = NOW;
	ck_assert_int_eq(election_decide(&in, &out), 0);
	ck_assert_int_eq(out.outcome, ELECT_CLAIM);
	ck_assert_int_eq(out.claim_term, NOW);
	election_free(&out);
	group_free(&g);
}
END_TEST

static Suite *
election_suite(void)
{
	Suite	*s = suite_create("election");
	TCase	*core = tcase_create("Core");
	TCase	*limits = tcase_create("Limits");

	tcase_add_loop_test(core, test_table, 0,
	    (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(core, test_member_ranks);
	tcase_add_test(core, test_order_independent);
	tcase_add_test(core, test_empty_group);
	tcase_add_test(core, test_parse_tag);
	tcase_add_test(core, test_format_tag);
	tcase_add_test(core, test_parse_claim);
	tcase_add_test(core, test_format_claim);
	tcase_add_test(limits, test_valid_epoch);
	tcase_add_test(limits, test_term_never_saturates);
	suite_add_tcase(s, core);
	suite_add_tcase(s, limits);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(election_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
