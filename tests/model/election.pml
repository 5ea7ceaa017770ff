/*
 * election.pml: leader-exec's election as a Promela model, for spin.
 * README.md (next to this file) states what it proves and how to run it.
 *
 * What is modelled (DESIGN.md section 3, src/election.c, src/leader.c):
 * at most N instances running at once, M launched in all, each running
 * leader-exec elections one after another.  One election ("run") is the
 * loop of leader.c's elect():
 *
 *   read the group and decide (the inline decide() below is a
 *   transcription of election_decide(); decide_table.pml checks it against
 *   the C function on the cases of cases.txt), then
 *   - own claim made by this run but not visible yet: re-read next tick;
 *   - stale (self not visible as running): re-read next tick;
 *   - leader: confirmed, the run ends (the command would run now);
 *   - follower: retract its own matching claim with DeleteTags-with-value
 *     (deletes only if the stored value still equals the one seen), end;
 *   - wait (junior beyond the RANKS most senior): sleep S ticks, then
 *     decide again as patient;
 *   - claim: CreateTags on self with term max(highest term seen + 1, now)
 *     and the run's epoch, sleep S ticks (settle), re-read.
 *
 * Abstractions (each is also listed in README.md):
 * - Time is discrete.  Clock advances "now" by one tick only when no
 *   other process can move (timeout), so every step of an instance takes
 *   less than a tick and no instance sleeps less than it asked.  Re-read
 *   back-off (200 ms .. 2 s in leader.c) is one tick.  A term is the tick
 *   at which it was decided (plus SKEW for a clock that runs ahead).
 * - One read stands for leader.c's holders-first read and the full read
 *   that follows it when nobody holds: both happen in the same tick and
 *   see the same store, and the holders read decides only the outcomes
 *   (leader, follower) on which the full read would agree.  The read of
 *   self in find_scope() is the stale rule (self not yet visible).
 * - The store: every instance has one tag slot (key leader-exec:<name>).
 *   A write (CreateTags, DeleteTags) made in tick t becomes visible to
 *   every reader from tick t + d on, d chosen by spin in 0..L; before
 *   that readers see the previous value.  Every reader sees the same
 *   thing at the same tick (no reader sees a write that another does not,
 *   and nothing once visible disappears again).  A second write to a slot
 *   whose previous write is still invisible makes the previous one visible
 *   at once (its delay is then the ticks between the two writes).
 * - A launched instance becomes visible after 0..L ticks (LAUNCH_LAG);
 *   state changes (termination) are visible at once; terminated instances
 *   stay visible, dead, with their tags (EC2 shows them about an hour).
 * - The environment acts at the start of a tick, before any instance
 *   (env_step): at ticks < TQ it may terminate one running instance
 *   (KILLS in all), start a new epoch (1..EPOCHS; with EPOCH_BETWEEN_RUNS
 *   only while no run is on, as EB runs one deployment at a time) and
 *   launch any number of instances (same tick: same launch time, ranked
 *   by id).  Before TQ an idle instance starts up to RUNS runs at ticks of
 *   spin's choosing, GAP ticks apart at least.  From TQ on (the quiet
 *   phase) running instances run elections back to back, GAP ticks apart,
 *   except that all but one of them may stop for good (liveness asks
 *   only that one instance keeps running elections).
 * - A dead instance's launch time, epoch of its tag and confirmation are
 *   forgotten (its term counts for max(seen) only while it is at most
 *   now); a terminated instance's process ends.
 * - Options: W > 0 lets a claim's CreateTags land up to W ticks after the
 *   decision (a slow or retried API call), carrying the term decided
 *   earlier; ABORTS lets that many runs give up at a tick within the
 *   settle after their claim (deadline, signal), retracting the claim
 *   (ABORT_RETRACT 1, as leader.c does) or not (0: killed, or the
 *   DeleteTags failed); FIX_INHERIT 2 is what leader.c does (see step()),
 *   FIX_INHERIT 1 a stricter variant, FIX_INHERIT 0 leader.c before it.
 *
 * Properties (assertions; each can be switched off with -D...=0):
 *   CHECK_SAFETY  two_leaders: never two running instances confirmed
 *                 leader for the same epoch ("confirmed": a run ended with
 *                 the verdict leader; an instance stays confirmed for that
 *                 epoch until it is terminated).
 *   CHECK_STICKY  not_sticky: while an instance is confirmed for epoch e
 *                 and running, every decision for e on it is "leader" (no
 *                 new claim) and every decision for e elsewhere is
 *                 "follower of it" (or stale).
 *   CHECK_LIVE    nobody_leads: when tick TMAX (> TQ) begins, if any
 *                 instance is running, a running instance is confirmed for
 *                 the current epoch: bounded liveness, TMAX - TQ ticks
 *                 after the environment went quiet.
 *
 * With -DDECIDE_ONLY only decide() is compiled, for decide_table.pml.
 */

#ifndef DECIDE_ONLY

/* ---------------------------------------------------------------------- */
/* Parameters (check.sh passes them with -D).                             */
/* ---------------------------------------------------------------------- */

#ifndef N
#define N	3	/* instances running at once, at most */
#endif
#ifndef M
#define M	4	/* launches in all (instance ids 0..M-1), M <= 6 */
#endif
#ifndef L
#define L	1	/* visibility lag bound (ticks) */
#endif
#ifndef S
#define S	2	/* settle time (ticks) */
#endif
#ifndef W
#define W	0	/* CreateTags may land up to W ticks after the decision */
#endif
#ifndef TQ
#define TQ	6	/* the environment acts at ticks < TQ */
#endif
#ifndef TMAX
#define TMAX	TQ	/* the clock stops at TMAX */
#endif
#ifndef KILLS
#define KILLS	2	/* terminations in all */
#endif
#ifndef EPOCHS
#define EPOCHS	2	/* epochs 1..EPOCHS (EPOCHS <= 7) */
#endif
#ifndef RUNS
#define RUNS	2	/* runs per instance before TQ */
#endif
#ifndef RANKS
#define RANKS	1	/* claim_ranks: the RANKS most senior claim at once */
#endif
#ifndef GAP
#define GAP	1	/* ticks between the end of a run and the next one */
#endif
#ifndef EPOCH_BETWEEN_RUNS
#define EPOCH_BETWEEN_RUNS 1	/* a new epoch starts only when no run is on */
#endif
#ifndef SKEW
#define SKEW	0	/* wall clocks may run up to SKEW ticks ahead */
#endif
#ifndef ABORTS
#define ABORTS	0	/* runs that give up after claiming, in all */
#endif
#ifndef ABORT_RETRACT
#define ABORT_RETRACT 1	/* 1: they retract (leader.c); 0: killed, no retract */
#endif
#ifndef FIX_INHERIT
#define FIX_INHERIT 2	/* 2: leader.c as it is (a young inherited claim is
			   confirmed after a settle); 0: before that fix;
			   1: always confirm an inherited claim */
#endif
#ifndef LAUNCH_LAG
#define LAUNCH_LAG 1	/* new instances become visible after 0..L ticks */
#endif
#ifndef CHECK_SAFETY
#define CHECK_SAFETY 1
#endif
#ifndef CHECK_STICKY
#define CHECK_STICKY 1
#endif
#ifndef CHECK_LIVE
#define CHECK_LIVE 1
#endif

/* Instance states. */
#define UNLAUNCHED	0
#define RUNNING		1
#define TERMINATED	2

/* Phases of an instance between two of its steps. */
#define IDLE		0	/* between runs */
#define ELECTING	1	/* in a run, sleeping until wake */
#define WRITING		2	/* claim decided, CreateTags lands at wake */

#define EBIT(e)		(1 << (e))
/* FIX_INHERIT 2: a found claim whose term is 3 settle periods old is
 * believed at once (any retraction of it would be visible by then). */
#if FIX_INHERIT == 2
#define OLD_CLAIM	(d_lterm + 3 * S <= CLOCK(i))
#else
#define OLD_CLAIM	0
#endif
#define ABORTING	(abt != 0 && now >= abt && naborted < ABORTS)
#define BIT(x, k)	(((x) >> (k)) & 1)
#define NBITS(x)	(BIT(x, 0) + BIT(x, 1) + BIT(x, 2) + BIT(x, 3) + \
			 BIT(x, 4) + BIT(x, 5))

byte now = 1;			/* the clock (a term is never below 1) */
byte epoch = 1;			/* the current deployment's epoch */
byte st[M];			/* UNLAUNCHED, RUNNING, TERMINATED */
byte launch_t[M];		/* launch tick */
byte seen_at[M];		/* tick it becomes visible; 0: visible */
/* The tag store: the last written value (term 0: no tag), the value
 * readers see while it is invisible, and when it becomes visible. */
byte tterm[M], tep[M];
byte oterm[M], oep[M];
byte vis[M];			/* 0: the last write is visible */
#if SKEW
byte skew[M];			/* how far its wall clock runs ahead */
#define CLOCK(k)	(now + skew[k])
#define FORGET_SKEW(k)	skew[k] = 0
#else
#define CLOCK(k)	now
#define FORGET_SKEW(k)	skip
#endif
byte conf[M];			/* epochs for which it was confirmed leader */
byte nlaunched, nalive, nkilled;
byte inrun;			/* bit i: instance i is in a run */
byte naborted;			/* runs aborted so far */
byte retired;			/* bit i: i runs no more elections (quiet phase) */

/* Scratch for decide() and the checks: never stored in the state. */
hidden byte d_j, d_max, d_lead, d_rank, d_hold, d_out, d_claim, d_lterm;
hidden byte d_retract;
/* Carried from one statement to the next inside an atomic step, so in the
 * state (hidden variables are not restored when spin backtracks); always
 * 0 between steps. */
byte d_d, d_w;
hidden byte two_leaders, not_sticky, nobody_leads;

/* What a reader sees now. */
#define VTERM(j)	(vis[j] != 0 -> oterm[j] : tterm[j])
#define VEP(j)		(vis[j] != 0 -> oep[j] : tep[j])

#define D_N		M
#define D_PRESENT(j)	(st[j] != UNLAUNCHED && seen_at[j] == 0)
#define D_LIVE(j)	(st[j] == RUNNING)
#define D_LAUNCH(j)	launch_t[j]
#define D_IDKEY(j)	(j)
#define D_TERM(j)	VTERM(j)
#define D_TEP(j)	VEP(j)
/* The model's claims carry no lease and no outcome (leases: cases.txt). */
#define D_LAPSED(j)	0

#endif /* DECIDE_ONLY */

/* ---------------------------------------------------------------------- */
/* The decision: a transcription of election_decide() (src/election.c).   */
/* ---------------------------------------------------------------------- */

/* Outcomes, in the order of enum election_outcome. */
#define O_STALE		0
#define O_LEADER	1
#define O_FOLLOWER	2
#define O_CLAIM		3
#define O_WAIT		4

#define NOBODY		255	/* no leader */
#define CLAIM_RANKS_DEFAULT 3	/* ELECTION_CLAIM_RANKS */
#define LAUNCH_UNKNOWN	2147483647	/* unknown launch times sort last */
#define TERM_AHEAD	86400	/* ELECTION_TERM_AHEAD */

/*
 * Defined before this point (by the model above, or by decide_table.pml),
 * the snapshot as the deciding instance sees it:
 *   D_N            number of instances in the snapshot
 *   D_PRESENT(j)   instance j is in the snapshot
 *   D_LIVE(j)      its state is running
 *   D_LAUNCH(j)    launch time, < 0 when unknown
 *   D_IDKEY(j)     distinct integers in the order strcmp() gives the ids
 *   D_TERM(j)      term of its tag when the tag parses, else 0
 *   D_TEP(j)       epoch of that tag, 0 when the tag has none
 * and these scratch variables (hidden in the model): d_j, d_max, d_lead,
 * d_rank, d_hold, d_out, d_claim, d_lterm, d_retract.
 * Epoch 0 in an election means "none" (every tag epoch matches).
 */
#define LKEY(j)		(D_LAUNCH(j) < 0 -> LAUNCH_UNKNOWN : D_LAUNCH(j))
/* senior_cmp(a, b) < 0: launch time, then id */
#define SENIOR(a, b)	(LKEY(a) < LKEY(b) || \
			 (LKEY(a) == LKEY(b) && D_IDKEY(a) < D_IDKEY(b)))
/* holder_cmp(a, b) < 0: term, then seniority */
#define RANKS_BEFORE(a, b) (D_TERM(a) < D_TERM(b) || \
			 (D_TERM(a) == D_TERM(b) && SENIOR(a, b)))

/*
 * Decide for instance self, election epoch ep, time tnow.  Sets d_out, and
 * d_lead/d_lterm (first-ranked holder and its term, NOBODY/0 when none or
 * stale), d_claim (claim term, rule 4 only, else 0), d_retract.
 */
inline decide(self, ep, tnow, patient, ranks)
{
	d_j = 0; d_max = 0; d_lead = NOBODY; d_rank = 1; d_hold = 0;
	d_claim = 0; d_lterm = 0; d_retract = 0;
	/*
	 * Rule 2: holders are live, parse, match the epoch, and have
	 * neither an expired lease nor a finished command's status.
	 */
	do
	:: d_j < D_N ->
		if
		:: D_PRESENT(d_j) && D_TERM(d_j) > 0 ->
			/* term_counts(): up to now, or TERM_AHEAD if live */
			if
			:: (D_TERM(d_j) <= tnow || (D_LIVE(d_j) &&
			   D_TERM(d_j) - tnow <= TERM_AHEAD)) &&
			   D_TERM(d_j) > d_max -> d_max = D_TERM(d_j)
			:: else
			fi;
			if
			:: D_LIVE(d_j) && !D_LAPSED(d_j) &&
			    (ep == 0 || D_TEP(d_j) == ep) ->
				if
				:: d_lead == NOBODY || RANKS_BEFORE(d_j, d_lead) ->
					d_lead = d_j
				:: else
				fi;
				if
				:: d_j == self -> d_hold = 1
				:: else
				fi
			:: else
			fi
		:: else
		fi;
		d_j++
	:: else -> break
	od;
	if
	/* Rule 1: self not visible as running: stale. */
	:: !(self < D_N && D_PRESENT(self) && D_LIVE(self)) ->
		d_out = O_STALE; d_lead = NOBODY
	:: else ->
		/* seniority among live instances: launch, then id */
		d_j = 0;
		do
		:: d_j < D_N ->
			if
			:: D_PRESENT(d_j) && D_LIVE(d_j) && SENIOR(d_j, self) ->
				d_rank++
			:: else
			fi;
			d_j++
		:: else -> break
		od;
		if
		/* Rules 2 and 3: the first-ranked holder leads. */
		:: d_lead != NOBODY ->
			d_lterm = D_TERM(d_lead);
			if
			:: d_lead == self -> d_out = O_LEADER
			:: else -> d_out = O_FOLLOWER; d_retract = d_hold
			fi
		/* Rule 4: nobody holds; the senior few claim, the rest wait. */
		:: else ->
			d_claim = (d_max < tnow -> tnow : d_max + 1);
			if
			:: d_rank <= (ranks == 0 -> CLAIM_RANKS_DEFAULT : ranks) ||
			   patient -> d_out = O_CLAIM
			:: else -> d_out = O_WAIT
			fi
		fi
	fi
}

#ifndef DECIDE_ONLY

/* Choose a delay d_d in 0..bound. */
inline choose_delay(bound)
{
	d_d = 0;
	do
	:: d_d < bound -> d_d++
	:: break
	od
}

/* Write (term t, epoch e) into i's slot; visible after 0..L ticks. */
inline store_write(i, t, e)
{
	oterm[i] = tterm[i]; oep[i] = tep[i];
	tterm[i] = t; tep[i] = e;
	choose_delay(L);
	if
	:: d_d == 0 -> vis[i] = 0; oterm[i] = 0; oep[i] = 0
	:: else -> vis[i] = now + d_d
	fi;
	printf("@ t=%d i%d writes tag %d@%d (0: deleted), visible at t=%d\n",
	    now, i, t, e, now + d_d)
}

/* The run ends; canonical locals, next run GAP ticks later at the earliest. */
inline end_run()
{
	inrun = inrun & ~(1 << i);
	phase = IDLE; rep = 0; ct = 0; patient = 0; wake = now + GAP;
	inh = 0; abt = 0
}

/* The verdict leader: check that no other running instance has it. */
inline confirm()
{
	printf("@ t=%d i%d CONFIRMED leader for epoch %d\n", now, i, rep);
#if CHECK_SAFETY
	two_leaders = 0; d_j = 0;
	do
	:: d_j < M ->
		if
		:: d_j != i && st[d_j] == RUNNING && (conf[d_j] & EBIT(rep)) ->
			two_leaders = 1
		:: else
		fi;
		d_j++
	:: else -> break
	od;
	assert(!two_leaders);	/* safety */
#endif
	conf[i] = conf[i] | EBIT(rep)
}

/* A confirmed leader keeps leading; everyone else follows it. */
inline check_sticky()
{
#if CHECK_STICKY
	not_sticky = 0;
	if
	:: (conf[i] & EBIT(rep)) && d_out != O_LEADER -> not_sticky = 1
	:: else
	fi;
	d_j = 0;
	do
	:: d_j < M ->
		if
		:: d_j != i && st[d_j] == RUNNING && (conf[d_j] & EBIT(rep)) &&
		   d_out != O_STALE && !(d_out == O_FOLLOWER && d_lead == d_j) ->
			not_sticky = 1
		:: else
		fi;
		d_j++
	:: else -> break
	od;
	assert(!not_sticky);	/* stickiness */
#endif
	skip
}

/* For trails (spin -t): what the instance read and decided. */
inline print_decision()
{
	if
	:: d_out == O_STALE ->
		printf("@ t=%d i%d reads (epoch %d): stale\n", now, i, rep)
	:: d_out == O_LEADER ->
		printf("@ t=%d i%d reads (epoch %d): leader, term %d\n", now, i,
		    rep, d_lterm)
	:: d_out == O_FOLLOWER ->
		printf("@ t=%d i%d reads (epoch %d): follower of i%d (term %d), retract %d\n",
		    now, i, rep, d_lead, d_lterm, d_retract)
	:: d_out == O_CLAIM ->
		printf("@ t=%d i%d reads (epoch %d, patient %d): no holder, claim term %d\n",
		    now, i, rep, patient, d_claim)
	:: d_out == O_WAIT ->
		printf("@ t=%d i%d reads (epoch %d): no holder, junior: wait\n",
		    now, i, rep)
	fi;
	if
	:: ct != 0 && d_out != O_STALE && (VTERM(i) != ct || VEP(i) != rep) ->
		printf("@ t=%d i%d: own claim %d not visible yet, re-read\n",
		    now, i, ct)
	:: else
	fi
}

/*
 * One read of the group, the decision, and what follows from it.  The
 * deterministic part is one d_step; the write it calls for (a retraction
 * or a claim) follows, with its nondeterministic visibility delay.
 */
inline step()
{
	d_step {
		decide(i, rep, CLOCK(i), patient, RANKS);
		print_decision();
		check_sticky();
#if FIX_INHERIT
		/* An inherited claim that is gone after the settle: forget it. */
		if
		:: inh && (VTERM(i) != ct || VEP(i) != rep) -> ct = 0; inh = 0
		:: else
		fi;
#endif
		if
		/* After a claim, wait until it shows before believing a read. */
		:: ct != 0 && d_out != O_STALE &&
		   (VTERM(i) != ct || VEP(i) != rep) ->
			wake = now + 1
		:: else ->
			if
			:: d_out == O_STALE -> wake = now + 1
#if FIX_INHERIT
			/* Proposed fix: a claim found, not made by this run
			 * (an earlier run's, perhaps being retracted, or one
			 * left by a run that died before confirming it), is
			 * believed only after one settle period and a re-read
			 * that still shows it.  FIX_INHERIT 2 believes it at
			 * once when its term is 3 settle periods old. */
			:: d_out == O_LEADER && ct == 0 && !OLD_CLAIM ->
				ct = d_lterm; inh = 1; wake = now + S
			:: d_out == O_LEADER && (ct != 0 || OLD_CLAIM) ->
				confirm(); end_run()
#else
			:: d_out == O_LEADER -> confirm(); end_run()
#endif
			:: d_out == O_FOLLOWER ->
				/* DeleteTags with the value seen: it deletes
				 * only if the stored value still matches. */
				if
				:: d_retract && VTERM(i) != 0 &&
				   tterm[i] == VTERM(i) && tep[i] == VEP(i) ->
					d_w = 1
				:: else
				fi;
				end_run()
			:: d_out == O_WAIT -> patient = 1; wake = now + S
			:: d_out == O_CLAIM -> ct = d_claim; d_w = 2
			fi
		fi
	};
	if
	:: d_w == 1 -> store_write(i, 0, 0)
	:: d_w == 2 ->
#if W > 0
		choose_delay(W);
		if
		:: d_d > 0 -> phase = WRITING; wake = now + d_d
		:: else -> store_write(i, ct, rep); wake = now + S
		fi;
#else
		store_write(i, ct, rep); wake = now + S;
#endif
#if ABORTS
		/* when this run would give up: now + 0..S, or never */
		if
		:: naborted < ABORTS ->
			choose_delay(S + 1);
			abt = (d_d > S -> 0 : now + d_d)
		:: else
		fi;
#endif
		skip
	:: else
	fi;
	d_w = 0; d_d = 0
}

proctype Instance(byte i)
{
	byte wake, rep, ct, runs, phase;
	bit patient, inh;		/* inh: ct is a claim found, not made */
	byte abt;			/* tick at which the run gives up, 0 never */

end_unlaunched:
	st[i] != UNLAUNCHED;
	wake = now;
end_loop:
	do
	:: st[i] == TERMINATED -> break
	/* start a run now */
	:: atomic {
		st[i] == RUNNING && phase == IDLE && now >= wake &&
		(now >= TQ || runs < RUNS) && !(retired & (1 << i)) ->
			runs = (runs < RUNS -> runs + 1 : runs);
			rep = epoch; patient = 0; ct = 0; phase = ELECTING;
			inrun = inrun | (1 << i);
			step()
	   }
	/* or not yet (only before the quiet phase) */
	:: atomic {
		st[i] == RUNNING && phase == IDLE && now >= wake && now < TQ ->
			wake = (runs < RUNS -> now + 1 : TQ)
	   }
	/* or, in the quiet phase, never again, if another instance goes on */
	:: atomic {
		st[i] == RUNNING && phase == IDLE && now >= wake && now >= TQ &&
		!(retired & (1 << i)) && nalive > 1 + NBITS(retired) ->
			retired = retired | (1 << i);
			printf("@ t=%d i%d stops running elections\n", now, i)
	   }
	:: atomic {
		st[i] == RUNNING && phase == ELECTING && now >= wake &&
		!ABORTING -> step()
	   }
#if ABORTS
	/* the run gives up (deadline, signal) at the tick chosen at its claim */
	:: atomic {
		st[i] == RUNNING && phase == ELECTING && ABORTING ->
			naborted++;
			printf("@ t=%d i%d: run aborted with claim %d\n", now, i, ct);
			if
			:: ABORT_RETRACT && tterm[i] == ct && tep[i] == rep ->
				store_write(i, 0, 0); d_d = 0
			:: else
			fi;
			end_run()
	   }
#endif
	:: atomic {
		st[i] == RUNNING && phase == WRITING && now >= wake ->
			store_write(i, ct, rep); d_d = 0;
			phase = ELECTING; wake = now + S
	   }
	od;
	/* terminated: forget everything, so dead instances compare equal */
	atomic {
		wake = 0; rep = 0; ct = 0; runs = 0; phase = 0; patient = 0;
		inh = 0; abt = 0
	}
}

inline launch()
{
	st[nlaunched] = RUNNING; launch_t[nlaunched] = now;
#if LAUNCH_LAG
	choose_delay(L);
	seen_at[nlaunched] = (d_d == 0 -> 0 : now + d_d); d_d = 0;
#endif
#if SKEW
	choose_delay(SKEW);
	skew[nlaunched] = d_d; d_d = 0;
	printf("@ t=%d launch i%d, visible at t=%d, clock ahead by %d\n", now,
	    nlaunched, (seen_at[nlaunched] == 0 -> now : seen_at[nlaunched]),
	    skew[nlaunched]);
#else
	printf("@ t=%d launch i%d, visible at t=%d\n", now, nlaunched,
	    (seen_at[nlaunched] == 0 -> now : seen_at[nlaunched]));
#endif
	nlaunched++; nalive++
}

#define KILL(k)	:: nkilled < KILLS && st[k] == RUNNING -> \
			st[k] = TERMINATED; nalive--; nkilled++; \
			inrun = inrun & ~(1 << k); \
			launch_t[k] = 0; seen_at[k] = 0; conf[k] = 0; \
			FORGET_SKEW(k); \
			tep[k] = 0; oep[k] = 0; \
			printf("@ t=%d terminate i%d\n", now, k)

/*
 * The environment at the start of a tick, before any instance acts in it:
 * any number of launches, terminations and new epochs within the budgets.
 */
inline env_step()
{
	if
	:: now < TQ ->
		/* at most one termination, */
		if
		:: skip
		KILL(0)
		KILL(1)
#if M > 2
		KILL(2)
#endif
#if M > 3
		KILL(3)
#endif
#if M > 4
		KILL(4)
#endif
#if M > 5
		KILL(5)
#endif
		fi;
		/* at most one new epoch, */
		if
		:: skip
		:: epoch < EPOCHS && (!EPOCH_BETWEEN_RUNS || inrun == 0) ->
			epoch++;
			printf("@ t=%d new deployment: epoch %d\n", now, epoch)
		fi;
		/* and any number of launches (equal launch times) */
		do
		:: break
		:: nlaunched < M && nalive < N -> launch()
		od
	:: else
	fi
}

proctype Clock()
{
end_clock:
	do
	:: atomic {
		timeout && now < TMAX ->
		d_step {
			now++;
			/* writes and launches due now become visible */
			d_j = 0;
			do
			:: d_j < M ->
				if
				:: vis[d_j] != 0 && vis[d_j] <= now ->
					vis[d_j] = 0; oterm[d_j] = 0; oep[d_j] = 0
				:: else
				fi;
				if
				:: seen_at[d_j] != 0 && seen_at[d_j] <= now ->
					seen_at[d_j] = 0
				:: else
				fi;
				d_j++
			:: else -> break
			od;
#if CHECK_LIVE
			/* bounded liveness, checked as the last tick begins */
			if
			:: now == TMAX && TMAX > TQ ->
				nobody_leads = (nalive > 0);
				d_j = 0;
				do
				:: d_j < M ->
					if
					:: st[d_j] == RUNNING &&
					   (conf[d_j] & EBIT(epoch)) ->
						nobody_leads = 0
					:: else
					fi;
					d_j++
				:: else -> break
				od;
				assert(!nobody_leads)	/* liveness */
			:: else
			fi;
#endif
			d_j = 0
		};
		env_step()
	   }
	od
}

init {
	byte k;

	atomic {
		env_step();
		run Clock();
		k = 0;
		do
		:: k < M -> run Instance(k); k++
		:: else -> break
		od;
		k = 0
	}
}

#endif /* DECIDE_ONLY */
