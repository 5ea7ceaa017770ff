/*
 * election: who leads, as a pure function of a snapshot of the group.
 * See election.h for the rules.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "election.h"

int
election_valid_word(const char *s, size_t max)
{
	size_t	 n;

	for (n = 0; s[n] != '\0'; n++) {
		char	 c = s[n];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return n >= 1 && n <= max;
}

int
election_valid_epoch(const char *s)
{
	return election_valid_word(s, ELECTION_EPOCH_MAX);
}

/* 1 to 19 digits without sign or leading zero, at most INT64_MAX. */
static const char *
parse_number(const char *p, int64_t *v)
{
	int64_t		 t = 0;
	size_t		 ndigits = 0;

	if (*p < '1' || *p > '9')
		return NULL;
	for (; *p >= '0' && *p <= '9'; p++) {
		int	 d = *p - '0';

		if (++ndigits > 19 || t > (INT64_MAX - d) / 10)
			return NULL;
		t = t * 10 + d;
	}
	*v = t;
	return p;
}

int
election_parse_claim(const char *value, struct election_claim *c)
{
	const char	*p;
	int64_t		 n;

	memset(c, 0, sizeof(*c));
	c->status = -1;
	if (value == NULL || (p = parse_number(value, &c->term)) == NULL)
		return -1;
	if (*p == '+') {
		if ((p = parse_number(p + 1, &c->expiry)) == NULL)
			return -1;
	} else if (*p == '=') {
		if (p[1] == '0') {
			n = 0;
			p += 2;
		} else if ((p = parse_number(p + 1, &n)) == NULL || n > 255)
			return -1;
		c->status = (int)n;
	}
	if (*p == '\0')
		return 0;
	if (*p != '@' || !election_valid_epoch(p + 1))
		return -1;
	c->epoch = p + 1;
	return 0;
}

int
election_parse_tag(const char *value, int64_t *term, const char **epoch)
{
	struct election_claim	 c;

	if (election_parse_claim(value, &c) == -1)
		return -1;
	*term = c.term;
	*epoch = c.epoch;
	return 0;
}

int
election_format_claim(const struct election_claim *c, char *out,
    size_t outlen)
{
	char	 mid[32] = "";
	int	 n;

	if (c->term < 1 || c->expiry < 0 || c->status < -1 ||
	    c->status > 255 || (c->expiry > 0 && c->status >= 0) ||
	    (c->epoch != NULL && c->epoch[0] != '\0' &&
	    !election_valid_epoch(c->epoch)))
		return -1;
	if (c->expiry > 0)
		snprintf(mid, sizeof(mid), "+%" PRId64, c->expiry);
	else if (c->status >= 0)
		snprintf(mid, sizeof(mid), "=%d", c->status);
	n = snprintf(out, outlen, "%" PRId64 "%s%s%s", c->term, mid,
	    c->epoch != NULL && c->epoch[0] != '\0' ? "@" : "",
	    c->epoch != NULL ? c->epoch : "");
	return (n < 0 || (size_t)n >= outlen) ? -1 : 0;
}

int
election_format_tag(int64_t term, const char *epoch, char *out, size_t outlen)
{
	struct election_claim	 c;

	memset(&c, 0, sizeof(c));
	c.term = term;
	c.status = -1;
	c.epoch = epoch;
	return election_format_claim(&c, out, outlen);
}

const char *
election_outcome_name(enum election_outcome o)
{
	switch (o) {
	case ELECT_STALE:	return "stale";
	case ELECT_LEADER:	return "leader";
	case ELECT_FOLLOWER:	return "follower";
	case ELECT_CLAIM:	return "claim";
	case ELECT_WAIT:	return "wait";
	}
	return "unknown";
}

/* Unknown launch times sort last. */
static int64_t
launch_key(const struct instance *in)
{
	return in->launch_time < 0 ? INT64_MAX : in->launch_time;
}

/* Order of seniority: launch time, then id. */
static int
senior_cmp(const struct instance *a, const struct instance *b)
{
	int64_t	 la = launch_key(a), lb = launch_key(b);

	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a->id, b->id);
}

/* Order of holders: term, then seniority. */
static int
holder_cmp(const void *pa, const void *pb)
{
	const struct election_member *a = *(const struct election_member *const *)pa;
	const struct election_member *b = *(const struct election_member *const *)pb;

	if (a->term != b->term)
		return a->term < b->term ? -1 : 1;
	return senior_cmp(a->inst, b->inst);
}

static int
epoch_matches(const char *want, const char *have)
{
	if (want == NULL || want[0] == '\0')
		return 1;
	return have != NULL && strcmp(want, have) == 0;
}

/*
 * Whether a valid term raises the next claim (issue 11 item 4).  A live
 * instance's counts up to ELECTION_TERM_AHEAD seconds ahead of now; a
 * dead (non-running) instance's only up to now, so it keeps the term
 * rising across a scale-to-zero within the same second but can never
 * push it past now + 1.  Anyone may write 9223372036854775807.
 */
static int
term_counts(int64_t term, int live, int64_t now)
{
	if (term <= now)
		return 1;
	/* term >= 1: no overflow, whatever now is. */
	return live && term - ELECTION_TERM_AHEAD <= now;
}

void
election_free(struct election *e)
{
	free(e->members);
	e->members = NULL;
	e->nmembers = 0;
}

/*
 * A claim's lease has expired.  Another instance's only past its expiry
 * plus ELECTION_DRIFT_SECONDS (its clock may be that much behind ours);
 * self's own already ELECTION_DRIFT_SECONDS before it (ours may be that
 * much behind the others'), so a restarted run never revives a claim that
 * a faster clock has already taken as expired (tests/model/lease_tags.pml,
 * tags-own-margin-off).
 */
static int
claim_expired(const struct election_claim *cl, int64_t now, int own)
{
	if (cl->expiry <= 0)
		return 0;
	if (own)
		return now > cl->expiry - ELECTION_DRIFT_SECONDS;
	return cl->expiry <= INT64_MAX - ELECTION_DRIFT_SECONDS &&
	    now > cl->expiry + ELECTION_DRIFT_SECONDS;
}

int
election_decide(const struct election_input *in, struct election *out)
{
	const struct group	 *g = in->group;
	struct election_member	**holders = NULL;
	struct election_member	 *self_m = NULL;
	size_t			  i, ranks;
	int			  rc = -1;

	memset(out, 0, sizeof(*out));
	ranks = in->claim_ranks ? in->claim_ranks : ELECTION_CLAIM_RANKS;
	if (g->ninst > 0) {
		out->members = calloc(g->ninst, sizeof(*out->members));
		holders = calloc(g->ninst, sizeof(*holders));
		if (out->members == NULL || holders == NULL)
			goto out;
	}
	out->nmembers = g->ninst;

	for (i = 0; i < g->ninst; i++) {
		struct election_member	*m = &out->members[i];
		struct election_claim	 cl;

		m->inst = &g->inst[i];
		m->live = m->inst->state == STATE_RUNNING;
		m->tag = instance_tag(m->inst, in->tag_key);
		m->status = -1;
		if (m->tag != NULL && election_parse_claim(m->tag, &cl) == 0) {
			m->tag_valid = 1;
			m->term = cl.term;
			m->expiry = cl.expiry;
			m->status = cl.status;
			m->expired = claim_expired(&cl, in->now, strcmp(m->inst->id,
			    in->self_id) == 0);
			if (term_counts(m->term, m->live, in->now) &&
			    m->term > out->max_term)
				out->max_term = m->term;
			m->holder = m->live && !m->expired && m->status <= 0 &&
			    epoch_matches(in->epoch, cl.epoch);
		} else
			m->term = 0;
		if (m->live)
			out->nlive++;
		if (m->holder)
			holders[out->nholders++] = m;
		if (strcmp(m->inst->id, in->self_id) == 0)
			self_m = m;
	}
	if (out->nholders > 1)
		qsort(holders, out->nholders, sizeof(*holders), holder_cmp);
	for (i = 0; i < out->nholders; i++)
		holders[i]->rank = i + 1;

	/* Rule 1: a snapshot without self running says nothing about self. */
	if (self_m == NULL || !self_m->live) {
		out->outcome = ELECT_STALE;
		snprintf(out->reason, sizeof(out->reason),
		    "self %s is %s in the group's snapshot", in->self_id,
		    self_m == NULL ? "not yet visible" :
		    instance_state_name(self_m->inst->state));
		rc = 0;
		goto out;
	}
	out->self = self_m->inst;
	if (self_m->holder)
		out->self_term = self_m->term;
	for (i = 0; i < g->ninst; i++)
		if (out->members[i].live &&
		    senior_cmp(out->members[i].inst, out->self) < 0)
			out->self_claim_rank++;
	out->self_claim_rank++;

	/* Rules 2 and 3: the first-ranked holder leads. */
	if (out->nholders > 0) {
		out->leader = holders[0]->inst;
		out->leader_term = holders[0]->term;
		/*
		 * By id, not by member: pages read while the listing changes
		 * can show an instance twice, and either copy may rank first.
		 */
		if (strcmp(holders[0]->inst->id, self_m->inst->id) == 0) {
			out->outcome = ELECT_LEADER;
			out->self = holders[0]->inst;
			out->self_term = holders[0]->term;
			snprintf(out->reason, sizeof(out->reason),
			    "self holds the first-ranked claim (term %" PRId64
			    ", %zu holder%s)", out->leader_term,
			    out->nholders, out->nholders == 1 ? "" : "s");
		} else {
			out->outcome = ELECT_FOLLOWER;
			out->retract = self_m->holder;
			snprintf(out->reason, sizeof(out->reason),
			    "%s holds the first-ranked claim (term %" PRId64
			    ")%s", out->leader->id, out->leader_term,
			    out->retract ? "; self's later claim is retracted" :
			    "");
		}
		rc = 0;
		goto out;
	}

	/* Rule 4: nobody leads; the senior few claim, the rest wait once. */
	if (out->max_term < in->now)
		out->claim_term = in->now;
	else if (out->max_term < INT64_MAX)
		out->claim_term = out->max_term + 1;
	else {
		/* Only with a clock near the end of time: never saturate. */
		snprintf(out->reason, sizeof(out->reason), "the next term would "
		    "exceed %" PRId64 "; check the system clock", INT64_MAX);
		goto out;
	}
	if (in->now < 1) {
		snprintf(out->reason, sizeof(out->reason), "the clock reads %"
		    PRId64 "; a term must be positive", in->now);
		goto out;
	}
	if (out->self_claim_rank <= ranks || in->patient) {
		out->outcome = ELECT_CLAIM;
		snprintf(out->reason, sizeof(out->reason),
		    "no live instance holds a claim%s%s; self claims term %"
		    PRId64 " (seniority %zu of %zu)",
		    in->epoch && in->epoch[0] ? " for epoch " : "",
		    in->epoch && in->epoch[0] ? in->epoch : "",
		    out->claim_term, out->self_claim_rank, out->nlive);
	} else {
		out->outcome = ELECT_WAIT;
		snprintf(out->reason, sizeof(out->reason),
		    "no live instance holds a claim; self is seniority %zu of "
		    "%zu, so it waits for the %zu senior instances to claim",
		    out->self_claim_rank, out->nlive, ranks);
	}
	rc = 0;
out:
	free(holders);
	if (rc == -1) {
		election_free(out);
		if (out->reason[0] == '\0')
			snprintf(out->reason, sizeof(out->reason),
			    "out of memory");
	}
	return rc;
}
