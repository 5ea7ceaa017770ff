/*
 * fuzz_election: libFuzzer target for election.c.
 *
 * The input describes a snapshot: a flags byte (bit 0 patient, bits 1-2
 * the epoch: none, "", "7" or a string from the input, bit 3 a raw 64-bit
 * now instead of one near 2023, bits 4-5 claim_ranks), the number of
 * instances (0 to 16), then which one is self (or none) and per instance
 * an id "i-XX", a state, a launch time (absent, small, or raw 64 bits)
 * and up to three tags with keys from a small set and values from the
 * input.  Ids may repeat, as they could across pages of a listing.
 *
 * Checked after election.h: the member table agrees with the snapshot;
 * ranks are 1..nholders, unique, in holder order; LEADER means self is
 * the first-ranked holder, FOLLOWER that a leader exists and is another
 * instance, CLAIM and WAIT that there is no holder and claim_term >= now
 * and > max_term (max_term counting only the terms that may raise a
 * claim: up to now, or a day ahead on a live instance); a patient instance
 * claims instead of waiting.  With unique ids, reversing the order of the
 * snapshot changes nothing.  election_parse_tag() agrees with a reference
 * parser and election_format_tag() gives every valid tag back.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "election.h"
#include "fuzz.h"
#include "group.h"

#define TAG_KEY		"leader-exec:command"
#define MAX_INST	16
#define MAX_TAGS	3
#define NOW_2023	INT64_C(1700000000)

static const char *const keys[] = {
	TAG_KEY, "leader-exec:other", "Name", TAG_KEY
};

/* election_parse_tag() written again from its contract in election.h. */
static int
ref_parse_tag(const char *v, int64_t *term, const char **epoch)
{
	size_t	 n = strspn(v, "0123456789"), m;

	if (n < 1 || n > 19 || v[0] == '0')
		return -1;
	if (n == 19 && strncmp(v, "9223372036854775807", 19) > 0)
		return -1;
	if (v[n] == '@') {
		m = strspn(v + n + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789._-");
		if (m < 1 || m > ELECTION_EPOCH_MAX || v[n + 1 + m] != '\0')
			return -1;
		*epoch = v + n + 1;
	} else if (v[n] == '\0')
		*epoch = NULL;
	else
		return -1;
	*term = (int64_t)strtoll(v, NULL, 10);
	return 0;
}

static void
check_tag(const char *v)
{
	int64_t		 t1 = 0, t2 = 0;
	const char	*e1 = NULL, *e2 = NULL;
	char		 out[96];
	int		 rc;

	rc = election_parse_tag(v, &t1, &e1);
	FUZZ_CHECK(rc == ref_parse_tag(v, &t2, &e2));
	if (rc != 0)
		return;
	FUZZ_CHECK(t1 == t2 && e1 == e2 && t1 >= 1);
	FUZZ_CHECK(election_format_tag(t1, e1, out, sizeof(out)) == 0);
	FUZZ_CHECK(strcmp(out, v) == 0);
}

static int
epoch_matches(const char *want, const char *have)
{
	if (want == NULL || want[0] == '\0')
		return 1;
	return have != NULL && strcmp(want, have) == 0;
}

/* holder_cmp of election.c: term, then launch time (absent last), id. */
static int
holder_order(const struct election_member *a,
    const struct election_member *b)
{
	int64_t	 la, lb;

	if (a->term != b->term)
		return a->term < b->term ? -1 : 1;
	la = a->inst->launch_time < 0 ? INT64_MAX : a->inst->launch_time;
	lb = b->inst->launch_time < 0 ? INT64_MAX : b->inst->launch_time;
	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a->inst->id, b->inst->id);
}

static void
check_election(const struct election_input *in, const struct election *e,
    int unique)
{
	const struct group		*g = in->group;
	const struct election_member	*m, *by_rank[MAX_INST + 1];
	const struct instance		*self = NULL;
	const char			*ep;
	int64_t				 term, max_term = 0;
	size_t				 i, nlive = 0, nholders = 0, ranks;

	ranks = in->claim_ranks ? in->claim_ranks : ELECTION_CLAIM_RANKS;
	FUZZ_CHECK(e->nmembers == g->ninst);
	FUZZ_CHECK(memchr(e->reason, '\0', sizeof(e->reason)) != NULL);
	FUZZ_CHECK(e->reason[0] != '\0');
	memset(by_rank, 0, sizeof(by_rank));
	for (i = 0; i < g->ninst; i++) {
		m = &e->members[i];
		ep = NULL;
		FUZZ_CHECK(m->inst == &g->inst[i]);
		FUZZ_CHECK(m->live == (g->inst[i].state == STATE_RUNNING));
		FUZZ_CHECK(m->tag == instance_tag(m->inst, in->tag_key));
		FUZZ_CHECK(m->tag_valid == (m->tag != NULL &&
		    election_parse_tag(m->tag, &term, &ep) == 0));
		if (m->tag_valid) {
			FUZZ_CHECK(m->term == term && term >= 1);
			/* Issue 11 item 4: only terms that may raise a claim. */
			if ((term <= in->now || (m->live &&
			    term - ELECTION_TERM_AHEAD <= in->now)) &&
			    term > max_term)
				max_term = term;
		} else
			FUZZ_CHECK(m->term == 0);
		FUZZ_CHECK(m->holder == (m->live && m->tag_valid &&
		    epoch_matches(in->epoch, ep)));
		if (m->holder) {
			FUZZ_CHECK(m->rank >= 1 && m->rank <= g->ninst);
			FUZZ_CHECK(by_rank[m->rank] == NULL);
			by_rank[m->rank] = m;
			nholders++;
		} else
			FUZZ_CHECK(m->rank == 0);
		nlive += m->live;
		if (strcmp(g->inst[i].id, in->self_id) == 0)
			self = &g->inst[i];
	}
	FUZZ_CHECK(e->nlive == nlive && e->nholders == nholders);
	FUZZ_CHECK(e->max_term == max_term);
	/* Ranks 1..nholders, each once, in holder order. */
	for (i = 1; i <= nholders; i++) {
		FUZZ_CHECK(by_rank[i] != NULL);
		if (i > 1)
			FUZZ_CHECK(holder_order(by_rank[i - 1],
			    by_rank[i]) <= 0);
	}

	if (e->outcome == ELECT_STALE) {
		FUZZ_CHECK(e->self == NULL && e->leader == NULL);
		/* Which of several equal ids is self is not specified. */
		if (unique)
			FUZZ_CHECK(self == NULL ||
			    self->state != STATE_RUNNING);
		return;
	}
	FUZZ_CHECK(e->self != NULL && e->self->state == STATE_RUNNING);
	FUZZ_CHECK(strcmp(e->self->id, in->self_id) == 0);
	FUZZ_CHECK(e->self >= g->inst && e->self < g->inst + g->ninst);
	m = &e->members[e->self - g->inst];
	FUZZ_CHECK(e->self_claim_rank >= 1 && e->self_claim_rank <= nlive);
	FUZZ_CHECK(e->self_term == (m->holder ? m->term : 0));
	switch (e->outcome) {
	case ELECT_LEADER:
		FUZZ_CHECK(nholders >= 1 && m->holder && m->rank == 1);
		FUZZ_CHECK(e->leader == e->self && !e->retract);
		FUZZ_CHECK(e->leader_term == m->term);
		break;
	case ELECT_FOLLOWER:
		FUZZ_CHECK(nholders >= 1 && e->leader != NULL);
		FUZZ_CHECK(e->leader != e->self && m->rank != 1);
		/* Even with an id listed twice, self never follows itself. */
		FUZZ_CHECK(strcmp(e->leader->id, e->self->id) != 0);
		FUZZ_CHECK(e->leader == by_rank[1]->inst);
		FUZZ_CHECK(e->leader_term == by_rank[1]->term);
		FUZZ_CHECK(e->retract == m->holder);
		break;
	case ELECT_CLAIM:
	case ELECT_WAIT:
		FUZZ_CHECK(nholders == 0 && e->leader == NULL && !e->retract);
		FUZZ_CHECK(e->claim_term >= in->now);
		FUZZ_CHECK(e->claim_term > max_term || max_term == INT64_MAX);
		FUZZ_CHECK((e->outcome == ELECT_CLAIM) ==
		    (e->self_claim_rank <= ranks || in->patient));
		break;
	default:
		FUZZ_CHECK(!"unknown outcome");
	}
}

/* The same decision, whatever the order of the snapshot. */
static void
check_reversed(const struct election_input *in, const struct election *e)
{
	struct election_input	 rin = *in;
	struct group		 rg;
	struct election		 re;
	size_t			 i, n = in->group->ninst;

	if (n < 2)
		return;
	memset(&rg, 0, sizeof(rg));
	if ((rg.inst = calloc(n, sizeof(*rg.inst))) == NULL)
		return;
	for (i = 0; i < n; i++)
		rg.inst[i] = in->group->inst[n - 1 - i];
	rg.ninst = rg.cap = n;
	rin.group = &rg;
	if (election_decide(&rin, &re) == 0) {
		FUZZ_CHECK(re.outcome == e->outcome);
		FUZZ_CHECK((re.leader == NULL) == (e->leader == NULL));
		if (re.leader != NULL)
			FUZZ_CHECK(strcmp(re.leader->id, e->leader->id) == 0);
		FUZZ_CHECK(re.leader_term == e->leader_term &&
		    re.self_term == e->self_term &&
		    re.retract == e->retract &&
		    re.claim_term == e->claim_term &&
		    re.max_term == e->max_term && re.nlive == e->nlive &&
		    re.nholders == e->nholders &&
		    re.self_claim_rank == e->self_claim_rank);
		election_free(&re);
	}
	/* The instances are borrowed from in's group. */
	free(rg.inst);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader		 r = { data, size };
	struct election_input	 in;
	struct election		 e;
	struct group		 g;
	struct instance		*inst;
	char			*epoch = NULL, self_id[INSTANCE_ID_MAX];
	uint8_t			 flags, b;
	size_t			 n, i, j, selfidx;
	int			 unique = 1;

	memset(&g, 0, sizeof(g));
	memset(&in, 0, sizeof(in));
	flags = take_byte(&r);
	n = take_byte(&r) % (MAX_INST + 1);
	in.patient = flags & 1;
	in.claim_ranks = (flags >> 4) & 3;
	in.now = (flags & 8) ? take_i64(&r) : NOW_2023 + take_byte(&r);
	switch ((flags >> 1) & 3) {
	case 0:
		in.epoch = NULL;
		break;
	case 1:
		in.epoch = "";
		break;
	case 2:
		in.epoch = "7";
		break;
	default:
		if ((epoch = take_string(&r, 70)) == NULL)
			return 0;
		in.epoch = epoch;
		break;
	}
	selfidx = take_byte(&r) % (n + 1);

	if (n > 0 && (g.inst = calloc(n, sizeof(*g.inst))) == NULL)
		goto out;
	g.cap = n;
	for (i = 0; i < n; i++) {
		inst = &g.inst[g.ninst++];
		snprintf(inst->id, sizeof(inst->id), "i-%02x", take_byte(&r));
		inst->state = (enum instance_state)(take_byte(&r) % 7);
		b = take_byte(&r);
		inst->launch_time = b == 0 ? -1 : b == 255 ? take_i64(&r) : b;
		b = take_byte(&r) % (MAX_TAGS + 1);
		if (b > 0 && (inst->tags = calloc(b, sizeof(*inst->tags))) ==
		    NULL)
			goto out;
		for (j = 0; j < b; j++) {
			if ((inst->tags[j].value = take_string(&r, 80)) == NULL)
				goto out;
			if ((inst->tags[j].key = strdup(keys[take_byte(&r) %
			    (sizeof(keys) / sizeof(keys[0]))])) == NULL) {
				free(inst->tags[j].value);
				goto out;
			}
			inst->ntags++;
			check_tag(inst->tags[j].value);
		}
	}
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (strcmp(g.inst[i].id, g.inst[j].id) == 0)
				unique = 0;
	if (selfidx < n)
		memcpy(self_id, g.inst[selfidx].id, sizeof(self_id));
	else
		memcpy(self_id, "i-self", sizeof("i-self"));

	in.group = &g;
	in.self_id = self_id;
	in.tag_key = TAG_KEY;
	if (election_decide(&in, &e) == -1)
		goto out;
	touch(election_outcome_name(e.outcome));
	check_election(&in, &e, unique);
	if (unique)
		check_reversed(&in, &e);
	if (e.outcome == ELECT_WAIT) {
		struct election	 pe;

		in.patient = 1;
		if (election_decide(&in, &pe) == 0) {
			FUZZ_CHECK(pe.outcome == ELECT_CLAIM);
			FUZZ_CHECK(pe.claim_term == e.claim_term);
			election_free(&pe);
		}
	}
	election_free(&e);
	FUZZ_CHECK(e.members == NULL && e.nmembers == 0);
 out:
	group_free(&g);
	free(epoch);
	return 0;
}
