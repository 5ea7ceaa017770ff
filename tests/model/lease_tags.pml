/*
 * lease_tags.pml: the lease of DESIGN.md section 8 on the tags store, as
 * a Promela model for spin: `leader-exec --hold --standby` on every
 * instance, the election of section 3 (decide() is election.pml's, the
 * transcription of election_decide(), included from there), a claim tag
 * that carries a lease expiry and is renewed by rewriting it, an
 * eventually consistent store, supervised children, holder death.
 * README.md (next to this file) states what it proves and how to run it.
 *
 * Each instance runs elections back to back (a standby polls every tick);
 * one election is leader.c's loop as election.pml models it (claim, settle
 * S, re-read; a young claim of its own that this run did not write is
 * confirmed only after a settle; a follower retracts its own claim).  A
 * holder is a claim that is live *and* unexpired on the reader's clock:
 * an expired claim still counts for the highest term seen but holds
 * nothing (decide() sees it as a claim of another epoch).  The confirmed
 * leader starts the child; while it runs, the own tag is rewritten every
 * P ticks with a new expiry (own clock + L); a rewrite may fail (the
 * instance cut off from EC2, or a single error).  When no rewrite has
 * succeeded for R ticks the child gets SIGTERM, SIGKILL K ticks later;
 * it runs through tick stop + K.  The supervisor counts from the tick the
 * lease it holds was written: the claim, the last successful rewrite, or,
 * for a claim inherited from its own earlier leader-exec, the expiry it
 * reads minus L.  When the child exits, the tag is deleted (release, as
 * --hold does) with DeleteTags-with-value.
 *
 * The store and time are as in election.pml: a write made in tick t is
 * visible from t + 0..LAG on (one time for every reader; a second write to
 * the same tag makes the first one visible at once); clocks are now +
 * off[i], odd ids D ahead, even ids right; a term is the claimant's clock
 * (or the highest term seen + 1); expiry as in s3.pml: expired when the
 * reader's clock has reached it.  Launches are visible at once (the stale
 * rule is election.pml's business), terminations too; a terminated
 * instance's child dies with it; a leader-exec killed with -9 takes its
 * child along (PDEATHSIG) and is restarted the next tick.
 *
 * Property (assertion): two_children, when a child starts, no other child
 * runs.
 */

#ifndef N
#define N	3	/* instances running at once, at most */
#endif
#ifndef M
#define M	3	/* launches in all */
#endif
#ifndef LAG
#define LAG	1	/* visibility lag of tag writes, at most */
#endif
#ifndef S
#define S	2	/* settle */
#endif
#ifndef L
#define L	5	/* lease */
#endif
#ifndef R
#define R	2	/* renew deadline */
#endif
#ifndef K
#define K	1	/* kill-after */
#endif
#ifndef D
#define D	1	/* clock drift between instances, at most */
#endif
#ifndef P
#define P	1	/* renew interval */
#endif
#ifndef TQ
#define TQ	6	/* the environment acts at ticks < TQ */
#endif
#ifndef TMAX
#define TMAX	10
#endif
#ifndef KILLS
#define KILLS	1
#endif
#ifndef CRASHES
#define CRASHES	1
#endif
#ifndef FAILS
#define FAILS	0	/* single failed rewrites, in all */
#endif
#ifndef PARTITIONS
#define PARTITIONS 1	/* holders cut off from EC2 for a while, in all */
#endif
#ifndef RUNS
#define RUNS	3	/* children started, in all */
#endif
#ifndef OWN_MARGIN
#define OWN_MARGIN 1	/* 1 (proposed): an instance deems its own claim
			   expired D earlier than its clock says, as the
			   fastest other clock may; 0: at its expiry */
#endif
#ifndef FIX_INHERIT
#define FIX_INHERIT 2	/* a claim of its own that this run did not write
			   (its earlier leader-exec's): 2 as leader.c is
			   (see election.pml: settled when young, believed
			   at once when 3 settles old); 1 always settled */
#endif

#define UNLAUNCHED	0
#define RUNNING		1
#define TERMINATED	2

/* Phases. */
#define POLL		0	/* between runs */
#define ELECTING	1	/* in a run, asleep until wake */
#define RUN		2	/* the child runs */
#define STOPPING	3	/* SIGTERM sent, SIGKILL at kill_at */
#define DOWN		4	/* leader-exec killed, restarted next tick */

#define CLOCK(k)	(now + off[k])

byte now = 1;
byte st[M];
byte off[M];
byte launch_t[M];
byte nlaunched, nalive, nkilled, ncrashed, nfailed, nparted, nruns;
byte cut;

/* The tag store: last written (term 0: no tag), what readers see while it
 * is invisible, and when it becomes visible. */
byte tterm[M], texp[M];
byte oterm[M], oexp[M];
byte vis[M];

#define VTERM(j)	(vis[j] != 0 -> oterm[j] : tterm[j])
#define VEXP(j)		(vis[j] != 0 -> oexp[j] : texp[j])

bit child[M];
byte kill_at[M];
byte phase[M];
byte wake[M];
byte ct[M];			/* the run's claim (term), 0: none */
bit inh[M];			/* ct is a claim found, not made by this run */
bit pat[M];
byte last_ok[M];
byte next_renew[M];
byte acted;

hidden byte d_clk, d_me;	/* the deciding instance's clock and id */
hidden byte d_j, d_max, d_lead, d_rank, d_hold, d_out, d_claim, d_lterm;
hidden byte d_retract;
byte d_d, d_w;
hidden byte two_children;

/* decide()'s view: an expired claim is a claim of another epoch. */
#define D_N		M
#define D_PRESENT(j)	(st[j] != UNLAUNCHED)
#define D_LIVE(j)	(st[j] == RUNNING)
#define D_LAUNCH(j)	launch_t[j]
#define D_IDKEY(j)	(j)
#define D_TERM(j)	VTERM(j)
#define D_TEP(j)	(d_clk + (j == d_me && OWN_MARGIN -> D : 0) < VEXP(j) -> \
			 1 : 2)
/* The lease is modelled by D_TEP above, so no claim lapses otherwise. */
#define D_LAPSED(j)	0

#define DECIDE_ONLY
#include "election.pml"
#undef DECIDE_ONLY

#define CUT(i)		((cut >> (i)) & 1)
#define ACTED(i)	((acted >> (i)) & 1)
#define SET_ACTED(i)	acted = acted | (1 << (i))

inline choose_delay(bound)
{
	d_d = 0;
	do
	:: d_d < bound -> d_d++
	:: break
	od
}

/* Write (term t, expiry x) into i's tag; visible after 0..LAG ticks. */
inline store_write(i, t, x)
{
	oterm[i] = tterm[i]; oexp[i] = texp[i];
	tterm[i] = t; texp[i] = (t == 0 -> 0 : x);
	choose_delay(LAG);
	if
	:: d_d == 0 -> vis[i] = 0; oterm[i] = 0; oexp[i] = 0
	:: else -> vis[i] = now + d_d
	fi;
	printf("@ t=%d i%d writes tag term %d expiry %d (0: deleted), visible at t=%d\n",
	    now, i, t, texp[i], now + d_d);
	d_d = 0
}

inline end_run(i)
{
	phase[i] = POLL; ct[i] = 0; inh[i] = 0; pat[i] = 0; wake[i] = 0;
	SET_ACTED(i)
}

/* The verdict leader: the child starts. */
inline start_child(i)
{
	two_children = 0;
	d_j = 0;
	do
	:: d_j < M ->
		if
		:: d_j != i && child[d_j] -> two_children = 1
		:: else
		fi;
		d_j++
	:: else -> break
	od;
	printf("@ t=%d i%d CONFIRMED, runs the command (term %d, lease to %d)\n",
	    now, i, VTERM(i), VEXP(i));
	assert(!two_children);
	child[i] = 1; kill_at[i] = 0; nruns++;
	/* the lease it holds was written at expiry - L on its clock */
	last_ok[i] = VEXP(i) - L - off[i];
	next_renew[i] = now;
	phase[i] = RUN; ct[i] = 0; inh[i] = 0; pat[i] = 0; wake[i] = 0
}

inline stop_child(i)
{
	kill_at[i] = now + K;
	phase[i] = STOPPING;
	printf("@ t=%d i%d stops its child (SIGTERM; SIGKILL at t=%d)\n",
	    now, i, kill_at[i])
}

/* One read of the group and what follows, as election.pml's step(). */
inline step(i)
{
	d_clk = CLOCK(i); d_me = i;
	d_step {
		decide(i, 1, d_clk, pat[i], 0);
#if FIX_INHERIT
		if
		:: inh[i] && VTERM(i) != ct[i] -> ct[i] = 0; inh[i] = 0
		:: else
		fi;
#endif
		if
		:: ct[i] != 0 && d_out != O_STALE && VTERM(i) != ct[i] ->
			wake[i] = now + 1
		:: else ->
			if
			:: d_out == O_STALE -> wake[i] = now + 1
			:: d_out == O_LEADER && ct[i] == 0 &&
			   !(FIX_INHERIT == 2 && d_lterm + 3 * S <= d_clk) ->
				ct[i] = d_lterm; inh[i] = 1; wake[i] = now + S
			:: d_out == O_LEADER &&
			   (ct[i] != 0 || (FIX_INHERIT == 2 &&
			    d_lterm + 3 * S <= d_clk)) ->
				d_w = 3
			:: d_out == O_FOLLOWER ->
				if
				:: d_retract && VTERM(i) != 0 &&
				   tterm[i] == VTERM(i) -> d_w = 1
				:: else
				fi;
				end_run(i)
			:: d_out == O_WAIT -> pat[i] = 1; wake[i] = now + S
			:: d_out == O_CLAIM ->
				ct[i] = d_claim; d_w = 2; wake[i] = now + S
			fi
		fi;
		d_clk = 0; d_me = 0
	};
	if
	:: d_w == 1 -> store_write(i, 0, 0)
	:: d_w == 2 ->
		printf("@ t=%d i%d claims term %d\n", now, i, ct[i]);
		store_write(i, ct[i], CLOCK(i) + L)
	:: d_w == 3 -> start_child(i)
	:: else
	fi;
	d_w = 0
}

proctype Instance(byte i)
{
end_unlaunched:
	st[i] != UNLAUNCHED;
end_loop:
	do
	:: st[i] == TERMINATED -> break
	/* a standby starts a run every tick (cut off: its reads fail) */
	:: atomic {
		st[i] == RUNNING && phase[i] == POLL && !ACTED(i) &&
		!CUT(i) && nruns < RUNS ->
		phase[i] = ELECTING; step(i)
	   }
	:: atomic {
		st[i] == RUNNING && phase[i] == ELECTING && now >= wake[i] &&
		!CUT(i) -> step(i)
	   }
	/* the child runs: it exits (release), or the tag is rewritten */
	:: atomic {
		st[i] == RUNNING && phase[i] == RUN && !ACTED(i) ->
		SET_ACTED(i);
		if
		:: child[i] = 0;
			printf("@ t=%d i%d: child exited\n", now, i);
			if
			:: !CUT(i) && tterm[i] != 0 -> store_write(i, 0, 0)
			:: else
			fi;
			end_run(i)
		:: now >= next_renew[i] ->
			next_renew[i] = now + P;
			if
			:: !CUT(i) -> store_write(i, tterm[i], CLOCK(i) + L);
				last_ok[i] = now
			:: CUT(i) -> printf("@ t=%d i%d: rewrite failed\n", now, i)
			:: !CUT(i) && nfailed < FAILS -> nfailed++;
				printf("@ t=%d i%d: rewrite failed\n", now, i)
			fi;
			if
			:: now - last_ok[i] >= R -> stop_child(i)
			:: else
			fi
		:: now < next_renew[i] ->
			if
			:: now - last_ok[i] >= R -> stop_child(i)
			:: else
			fi
		fi
	   }
	:: atomic {
		st[i] == RUNNING && phase[i] == STOPPING && !child[i] ->
		printf("@ t=%d i%d: child gone, leader-exec exits 119\n", now, i);
		kill_at[i] = 0; end_run(i)
	   }
	:: atomic {
		st[i] == RUNNING && phase[i] == DOWN && !ACTED(i) ->
		phase[i] = POLL
	   }
	od
}

inline reset(k)
{
	child[k] = 0; kill_at[k] = 0; ct[k] = 0; inh[k] = 0; pat[k] = 0;
	wake[k] = 0; last_ok[k] = 0; next_renew[k] = 0
}

inline launch()
{
	st[nlaunched] = RUNNING; launch_t[nlaunched] = now;
	off[nlaunched] = (nlaunched % 2 -> D : 0);
	printf("@ t=%d launch i%d, clock ahead by %d\n", now, nlaunched,
	    off[nlaunched]);
	nlaunched++; nalive++
}

#define KILL(k)	:: nkilled < KILLS && st[k] == RUNNING -> \
			st[k] = TERMINATED; nalive--; nkilled++; \
			reset(k); phase[k] = POLL; off[k] = 0; launch_t[k] = 0; \
			cut = cut & ~(1 << (k)); \
			printf("@ t=%d terminate i%d\n", now, k)
#define CRASH(k) :: ncrashed < CRASHES && st[k] == RUNNING && \
			phase[k] != DOWN -> \
			ncrashed++; reset(k); phase[k] = DOWN; SET_ACTED(k); \
			printf("@ t=%d kill -9 of i%d's leader-exec\n", now, k)
#define PART(k) :: nparted < PARTITIONS && phase[k] == RUN -> \
			nparted++; cut = cut | (1 << (k)); \
			printf("@ t=%d i%d cut off from EC2\n", now, k)

inline env_step()
{
	if
	:: now < TQ ->
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
		fi;
		if
		:: skip
		CRASH(0)
		CRASH(1)
#if M > 2
		CRASH(2)
#endif
#if M > 3
		CRASH(3)
#endif
		fi;
		if
		:: skip
		PART(0)
		PART(1)
#if M > 2
		PART(2)
#endif
#if M > 3
		PART(3)
#endif
		:: cut != 0 -> cut = 0; printf("@ t=%d the partition heals\n", now)
		fi;
		/* launches: the first ones at tick 1, later ones only to
		 * replace terminated ones */
		if
		:: now == 1 || nalive < N ->
			do
			:: nlaunched < M && nalive < N -> launch()
			:: now > 1 || nalive > 0 -> break
			:: nlaunched == M -> break
			od
		:: else
		fi
	:: else
	fi
}

proctype Clock()
{
end_clock:
	do
	:: atomic {
		timeout && now < TMAX ->
		now++;
		acted = 0;
		d_step {
			d_j = 0;
			do
			:: d_j < M ->
				if
				:: vis[d_j] != 0 && vis[d_j] <= now ->
					vis[d_j] = 0; oterm[d_j] = 0; oexp[d_j] = 0
				:: else
				fi;
				if
				:: child[d_j] && kill_at[d_j] != 0 &&
				   kill_at[d_j] < now -> child[d_j] = 0
				:: else
				fi;
				d_j++
			:: else -> break
			od;
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
