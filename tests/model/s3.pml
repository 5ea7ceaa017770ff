/*
 * s3.pml: the s3 store of DESIGN.md sections 7 and 8 as a Promela model,
 * for spin: one record written only with conditional PUTs, leases with
 * bounded clock drift, supervised children, holder death, scale-to-zero.
 * README.md (next to this file) states what it proves and how to run it.
 *
 * The record (one S3 object per group and name) holds epoch, holder,
 * term, state (held, idle, done, failed, released) and lease expiry; rver
 * stands for its ETag: it changes on every write, so If-Match: ETag is
 * "rver is still the version I read", If-None-Match: * is "no record".
 * The object is never deleted (release is a conditional overwrite), so it
 * outlives every instance.
 *
 * Each instance runs leader-exec under a supervisor (systemd, a Procfile)
 * that restarts it, as `--standby` does with every mode: it reads the
 * record every tick, decides (MAY_CLAIM below, the rules of DESIGN.md 7),
 * and on "claim" makes a conditional PUT; a PUT that succeeds starts the
 * child under a lease (state held, expiry = own clock + L).  While the
 * child runs, the lease is renewed every P ticks with If-Match on the
 * ETag of its own last write; a renewal may fail (the instance cut off
 * from S3, or a single 503 or reset), its answer may come up to W ticks
 * late, and a 412 means the record was taken.  When no renewal
 * has succeeded for R ticks (or on a 412) the child gets SIGTERM and,
 * K ticks later, SIGKILL: it is running through tick stop + K and gone
 * from the next tick.  When the child exits by itself, its outcome is
 * written with If-Match (the write may fail too): with an epoch, done or
 * failed; with --epoch none, idle; with --hold, released (MODE selects).
 *
 * Time and clocks: time is discrete; a tick is a second.  Every instance
 * reads its wall clock as now + off[i], with off[i] fixed by id (odd ids
 * D ahead) or, with OFFSETS=1, chosen in 0..D at launch, so any two
 * clocks differ by at most D (D is the drift between
 * instances; clocks within d of true time give D = 2d).  Deadlines (R, K,
 * P) run on the supervisor's monotonic clock: true ticks.  A reader
 * considers a lease expired when its clock has reached the recorded expiry
 * (whole seconds: a clock reading equal to the expiry may already be past
 * it), and a child killed at tick t may run through the whole of t: both
 * conservative, so that R + K + D < L is exactly the safe side.  A request
 * takes less than a tick (but for a renewal's answer, W); the clock
 * advances only when no instance can move, so every instance reads in
 * every tick (a read that decides "stand by" changes nothing and is not
 * a step; a read that decides "claim" and its PUT are one step unless
 * CLAIM_SPLIT=1).
 *
 * The environment (at the start of a tick, ticks < TQ): launches (at
 * tick 1 and when none runs, at most N running, M in all), terminations (the instance and
 * its child are gone at once, and DescribeInstances says so at once),
 * leader-exec crashes (kill -9: PDEATHSIG kills the child at once; the
 * instance runs on and its leader-exec is restarted the next tick, so it
 * may find its own held record), a holder cut off from S3 until the
 * partition heals, new epochs (deployments).  All
 * instances may die and new ones appear: scale-to-zero within an epoch.
 *
 * Properties (assertions):
 *   two_children  when a child starts, no other child of the record runs
 *   done_rerun    no child starts for an epoch after the record said done
 *                 for that epoch
 *   term_order    every write keeps or raises the term, raising it by one
 *                 exactly when holder or epoch change; every child's term
 *                 is above that of every earlier child of another holder
 *                 or epoch (the fencing token never repeats, also across
 *                 scale-to-zero)
 *   ran_twice     (CHECK_ONCE=1) no child starts for an epoch whose
 *                 command succeeded before: exactly once; it fails when
 *                 the outcome could not be recorded (at least once)
 */

#ifndef N
#define N	3	/* instances running at once, at most */
#endif
#ifndef M
#define M	3	/* launches in all (ids 0..M-1) */
#endif
#ifndef L
#define L	5	/* lease (ticks) */
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
#define P	1	/* renew interval (lease / 3 in leader-exec) */
#endif
#ifndef TQ
#define TQ	6	/* the environment acts at ticks < TQ */
#endif
#ifndef TMAX
#define TMAX	8	/* the clock stops at TMAX */
#endif
#ifndef KILLS
#define KILLS	1	/* terminations in all */
#endif
#ifndef CRASHES
#define CRASHES	1	/* leader-exec killed (instance running), in all */
#endif
#ifndef EPOCHS
#define EPOCHS	1	/* epochs 1..EPOCHS (<= 7) */
#endif
#ifndef OFFSETS
#define OFFSETS	0	/* 1: spin chooses each clock's offset in 0..D;
			   0: odd ids run D ahead, even ids are right */
#endif
#ifndef RUNS
#define RUNS	3	/* children started, in all (a bound like TMAX) */
#endif
#ifndef BUG
#define BUG	0	/* a broken rule, to show the checks find it:
			   1 done ignored (claimed like failed); 2 release
			   deletes the object; 3 no wait for a live holder of
			   another epoch; 4 claims without If-Match or
			   If-None-Match (needs CLAIM_SPLIT=1) */
#endif
#ifndef W
#define W	0	/* a renewal's answer may come up to W ticks after
			   the PUT landed (slow request) */
#endif
#ifndef DEADLINE_FROM_SEND
#define DEADLINE_FROM_SEND 1	/* 1: the renew deadline counts from the
			   send of the last successful renewal; 0: from its
			   answer */
#endif
#ifndef CHECK_ONCE
#define CHECK_ONCE 0	/* 1: also assert ran_twice (no child starts for an
			   epoch whose command succeeded before, recorded or
			   not): exactly once, which the store cannot give */
#endif
#ifndef CLAIM_SPLIT
#define CLAIM_SPLIT 0	/* 1: a claim's read and its PUT are two steps
			   (others may write between); 0: one step, which
			   is the same for S3, where a PUT based on an
			   outdated read gets 412 and changes nothing */
#endif
#ifndef MODE
#define MODE	3	/* 0: with an epoch (done/failed); 1: --hold
			   (released); 2: --epoch none (idle); 3: any */
#endif
#ifndef FAILS
#define FAILS	1	/* single PUTs that fail (503, reset), in all */
#endif
#ifndef PARTITIONS
#define PARTITIONS 1	/* holders cut off from S3 for a while, in all */
#endif

/* Record states; S_NONE: no object. */
#define S_NONE		0
#define S_HELD		1
#define S_IDLE		2
#define S_DONE		3
#define S_FAILED	4
#define S_RELEASED	5

/* Instance states. */
#define UNLAUNCHED	0
#define RUNNING		1
#define TERMINATED	2

/* Phases of an instance's leader-exec. */
#define POLL		0	/* reads and decides every tick */
#define WRITE		1	/* a claim decided, its PUT follows */
#define RUN		2	/* the child runs, the lease is renewed */
#define STOPPING	3	/* SIGTERM sent, SIGKILL at kill_at */
#define DOWN		4	/* leader-exec crashed, restarted next tick */

/* Outcomes of s3_decide. */
#define O_CREATE	0	/* PUT If-None-Match: * */
#define O_CLAIM		1	/* PUT If-Match: the ETag read */
#define O_FOLLOW	2	/* a live holder: stand by */
#define O_WAIT		3	/* a live holder of another epoch: wait */
#define O_DONE		4	/* the epoch is done: nothing to run */

#define NOBODY		255
#define EBIT(e)		(1 << (e))
#define CLOCK(k)	(now + off[k])

byte now = 1;
byte epoch = 1;
byte st[M];
byte off[M];			/* wall clock = now + off */
byte nlaunched, nalive, nkilled, ncrashed, nfailed, nparted;
byte cut;			/* bit i: instance i cannot reach S3 */

/* The record. */
byte rstate;			/* S_NONE: no object */
byte rver;			/* the ETag: changes on every write */
byte rep, rhold, rterm, rexp;

/* Children: running (through tick kill_at when stopping). */
bit child[M];
byte kill_at[M];		/* 0: not being stopped */
byte done_mask;			/* epochs the record said done for */
byte ok_mask;			/* epochs whose command succeeded */
byte last_term, last_hold, last_ep;	/* the last child started */
byte nruns;			/* children started */

/* Per-instance leader-exec state, global so the clock and environment
 * can reset it. */
byte phase[M];
byte myver[M];			/* ETag read (WRITE) or of my last write */
byte wterm[M];			/* term of the pending claim */
byte last_ok[M];		/* tick of the last successful renewal */
byte next_renew[M];
byte ans_at[M];			/* a renewal's answer is due then, 0: none */
byte ans_t[M];			/* the last_ok it brings */

byte acted;			/* bit i: instance i acted in this tick */
hidden byte d_j;
hidden byte two_children, done_rerun, term_order, ran_twice;

/*
 * The decision for instance self, epoch ep, its clock clk, over the record
 * and the group's liveness (DescribeInstances: st[]), DESIGN.md 7:
 *   no record                              -> claim (If-None-Match: *)
 *   another epoch: held by another live holder -> wait, else claim
 *   this epoch: done                       -> nothing to do
 *               held or idle by another live holder -> follow (stand by)
 *               else (failed, released, dead holder, expired lease, self
 *               the holder of a record its earlier leader-exec left)
 *                                          -> claim (If-Match)
 * A holder is live while its instance runs and, for held, while the lease
 * is unexpired on the reader's clock (idle has no lease: an idle holder
 * runs nothing).  The claim's term is the record's, plus one unless holder
 * and epoch stay the same; a new record starts at term 1.
 */
#define HOLDER_LIVE(self, clk) \
	(rhold != self && st[rhold] == RUNNING && \
	 (rstate == S_IDLE || (rstate == S_HELD && clk < rexp)))
#define MAY_CLAIM(self, ep, clk) \
	(rstate == S_NONE || \
	 (rep != ep && (BUG == 3 || \
	  !(rstate == S_HELD && HOLDER_LIVE(self, clk)))) || \
	 (rep == ep && (BUG == 1 || rstate != S_DONE) && \
	  !HOLDER_LIVE(self, clk)))
#define CLAIM_TERM(self, ep) \
	(rstate == S_NONE -> 1 : \
	 (rhold == self && rep == ep -> rterm : rterm + 1))

/* A PUT lands: check the term rule, write the record. */
inline put(i, s, t, e, x)
{
	term_order = (rstate != S_NONE &&
	    (t < rterm || (t == rterm) != (rhold == i && rep == e)));
	assert(!term_order);
	rstate = s; rver++; rhold = i; rterm = t; rep = e; rexp = x;
	myver[i] = rver
}

/* The claim's PUT succeeded: the child starts. */
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
	printf("@ t=%d i%d runs the command: epoch %d, term %d, lease to %d\n",
	    now, i, rep, rterm, rexp);
	assert(!two_children);
	done_rerun = ((done_mask & EBIT(rep)) != 0);
	assert(!done_rerun);
#if CHECK_ONCE
	ran_twice = ((ok_mask & EBIT(rep)) != 0);
	assert(!ran_twice);
#endif
	term_order = (last_term != 0 &&
	    (rterm < last_term || (rterm == last_term &&
	     (last_hold != i || last_ep != rep))));
	assert(!term_order);
	last_term = rterm; last_hold = i; last_ep = rep; nruns++;
	child[i] = 1; kill_at[i] = 0;
	last_ok[i] = now; next_renew[i] = now + P;
	phase[i] = RUN
}

/* Stop the child: SIGTERM now, SIGKILL at now + K. */
inline stop_child(i)
{
	ans_at[i] = 0; ans_t[i] = 0;
	kill_at[i] = now + K;
	phase[i] = STOPPING;
	printf("@ t=%d i%d stops its child (SIGTERM; SIGKILL at t=%d)\n",
	    now, i, kill_at[i])
}

/* A request of instance i fails: it is cut off from S3 (every request
 * fails until the partition heals), or a single 503, reset or timeout
 * (FAILS in all).  OK(i): it can reach S3 now. */
#define CUT(i)		((cut >> (i)) & 1)
#define OK(i)		(!CUT(i))
#define NETFAIL(i)	:: CUT(i) || nfailed < FAILS -> \
			nfailed = nfailed + (CUT(i) -> 0 : 1);

/* The child exits by itself with ok (1) or not: record the outcome. */
inline finish(i, ok)
{
	child[i] = 0; ans_at[i] = 0; ans_t[i] = 0;
#if CHECK_ONCE
	ok_mask = ok_mask | (ok -> EBIT(rep) : 0);
#endif
	if
	:: OK(i) && rver == myver[i] ->
		if
		:: MODE == 0 || MODE == 3 ->
			if
			:: ok -> put(i, S_DONE, rterm, rep, 0);
				done_mask = done_mask | EBIT(rep)
			:: !ok -> put(i, S_FAILED, rterm, rep, 0)
			fi
		:: (MODE == 1 || MODE == 3) && BUG != 2 ->
			put(i, S_RELEASED, rterm, rep, 0)
		:: (MODE == 1 || MODE == 3) && BUG == 2 ->
			rstate = S_NONE; rver++	/* DeleteObject */
		:: MODE == 2 || MODE == 3 -> put(i, S_IDLE, rterm, rep, 0)
		fi;
		printf("@ t=%d i%d: child exited (ok %d), record %d\n", now, i,
		    ok, rstate)
	:: OK(i) && rver != myver[i] ->
		printf("@ t=%d i%d: child exited (ok %d), 412\n", now, i, ok)
	NETFAIL(i)
		printf("@ t=%d i%d: child exited (ok %d), PUT failed\n", now, i,
		    ok)
	fi;
	phase[i] = POLL
}

/* acted bit i: instance i has acted in this tick (the clock clears it). */
#define ACTED(i)	((acted >> (i)) & 1)
#define SET_ACTED(i)	acted = acted | (1 << (i))

/* The claim's conditional PUT: If-None-Match: * (no record was read) or
 * If-Match: the ETag read. */
inline claim_put(i)
{
	if
	:: BUG == 4 || (myver[i] == 0 && rstate == S_NONE) ||
	   (myver[i] != 0 && rver == myver[i]) -> /* (OK(i): it just read) */
		put(i, S_HELD, wterm[i], epoch, CLOCK(i) + L);
		start_child(i)
	:: else ->
		printf("@ t=%d i%d: claim 412\n", now, i);
		phase[i] = POLL; myver[i] = 0
	NETFAIL(i)
		printf("@ t=%d i%d: claim PUT failed\n", now, i);
		phase[i] = POLL; myver[i] = 0; SET_ACTED(i)
	fi;
	wterm[i] = 0
}

proctype Instance(byte i)
{
end_unlaunched:
	st[i] != UNLAUNCHED;
end_loop:
	do
	:: st[i] == TERMINATED -> break
	/*
	 * It reads the record every tick; only a read that decides "claim"
	 * is a step (a read that decides follow, wait or done changes
	 * nothing), so a claim happens as soon as the record allows it.
	 */
	:: atomic {
		st[i] == RUNNING && phase[i] == POLL && !ACTED(i) && OK(i) &&
		nruns < RUNS &&
		MAY_CLAIM(i, epoch, CLOCK(i)) ->
		phase[i] = WRITE; myver[i] = rver;
		wterm[i] = CLAIM_TERM(i, epoch);
		printf("@ t=%d i%d reads record (state %d, holder i%d, epoch %d, term %d, expiry %d) at clock %d: claim term %d\n",
		    now, i, rstate, rhold, rep, rterm, rexp, CLOCK(i), wterm[i]);
#if !CLAIM_SPLIT
		claim_put(i)
#else
		skip
#endif
	   }
#if CLAIM_SPLIT
	:: atomic {
		st[i] == RUNNING && phase[i] == WRITE -> claim_put(i)
	   }
#endif
	/* While the child runs: it exits, or the lease is renewed. */
	:: atomic {
		st[i] == RUNNING && phase[i] == RUN && !ACTED(i) ->
		SET_ACTED(i);
		/* a renewal's answer arrives */
		if
		:: ans_at[i] != 0 && now >= ans_at[i] ->
			last_ok[i] = ans_t[i]; ans_at[i] = 0; ans_t[i] = 0
		:: else
		fi;
		if
		:: finish(i, 1)
		:: finish(i, 0)
		:: now >= next_renew[i] && ans_at[i] == 0 ->
			next_renew[i] = now + P;
			if
			:: OK(i) && rver == myver[i] ->
				put(i, S_HELD, rterm, rep, CLOCK(i) + L);
				printf("@ t=%d i%d renews: lease to %d\n", now, i, rexp);
				/* the answer comes 0..W ticks later */
				d_j = 0;
				do
				:: d_j < W -> d_j++
				:: break
				od;
				if
				:: d_j == 0 -> last_ok[i] = now
				:: else -> ans_at[i] = now + d_j;
					ans_t[i] = (DEADLINE_FROM_SEND -> now : now + d_j);
					printf("@ t=%d i%d: its answer comes at t=%d\n",
					    now, i, ans_at[i])
				fi;
				d_j = 0
			:: OK(i) && rver != myver[i] ->
				printf("@ t=%d i%d: renewal 412\n", now, i);
				stop_child(i)
			NETFAIL(i)
				printf("@ t=%d i%d: renewal failed\n", now, i)
			fi;
			if
			:: phase[i] == RUN && now - last_ok[i] >= R ->
				stop_child(i)
			:: else
			fi
		:: now < next_renew[i] || ans_at[i] != 0 ->
			if
			:: now - last_ok[i] >= R -> stop_child(i)
			:: else
			fi
		fi
	   }
	/* The child was killed (the clock clears child[]): exit 119, and
	 * the supervisor starts leader-exec again. */
	:: atomic {
		st[i] == RUNNING && phase[i] == STOPPING && !child[i] ->
		printf("@ t=%d i%d: child gone, leader-exec exits 119\n", now, i);
		phase[i] = POLL; kill_at[i] = 0; SET_ACTED(i)
	   }
	:: atomic {
		st[i] == RUNNING && phase[i] == DOWN && !ACTED(i) ->
		phase[i] = POLL
	   }
	od
}

/* Forget an instance's leader-exec state. */
inline reset(k)
{
	child[k] = 0; kill_at[k] = 0; myver[k] = 0; wterm[k] = 0;
	last_ok[k] = 0; next_renew[k] = 0; ans_at[k] = 0; ans_t[k] = 0
}

inline launch()
{
	st[nlaunched] = RUNNING;
#if OFFSETS
	d_j = 0;
	do
	:: d_j < D -> d_j++
	:: break
	od;
#else
	d_j = (nlaunched % 2 -> D : 0);
#endif
	off[nlaunched] = d_j;
	printf("@ t=%d launch i%d, clock ahead by %d\n", now, nlaunched, d_j);
	nlaunched++; nalive++;
	d_j = 0
}

#define KILL(k)	:: nkilled < KILLS && st[k] == RUNNING -> \
			st[k] = TERMINATED; nalive--; nkilled++; \
			reset(k); phase[k] = POLL; off[k] = 0; \
			cut = cut & ~(1 << (k)); \
			printf("@ t=%d terminate i%d\n", now, k)
#define CRASH(k) :: ncrashed < CRASHES && st[k] == RUNNING && \
			phase[k] != DOWN -> \
			ncrashed++; reset(k); phase[k] = DOWN; SET_ACTED(k); \
			printf("@ t=%d kill -9 of i%d's leader-exec\n", now, k)
#define PART(k) :: nparted < PARTITIONS && phase[k] == RUN -> \
			nparted++; cut = cut | (1 << (k)); \
			printf("@ t=%d i%d cut off from S3\n", now, k)

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
#if M > 4
		KILL(4)
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
#if M > 4
		CRASH(4)
#endif
		fi;
		/* a holder cut off from S3, or the partition healing */
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
#if M > 4
		PART(4)
#endif
		:: cut != 0 -> cut = 0; printf("@ t=%d the partition heals\n", now)
		fi;
		if
		:: skip
		:: epoch < EPOCHS -> epoch++;
			printf("@ t=%d new deployment: epoch %d\n", now, epoch)
		fi;
		/* launches: the first instances at tick 1, later ones only
		 * when none runs (scale-to-zero and back); in S3 the launch
		 * time is never part of a decision */
		if
		:: now == 1 || nalive == 0 ->
			do
			:: nlaunched < M && nalive < N -> launch()
			:: nalive > 0 -> break
			:: nalive == 0 && nlaunched == M -> break
			od
		:: nalive > 0 || nlaunched == M -> skip
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
		/* SIGKILL at the end of tick kill_at */
		d_step {
			d_j = 0;
			do
			:: d_j < M ->
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
