/*
 * supervise: run the command as a child while leadership is held
 * (DESIGN.md section 8).
 *
 * The child gets its own process group and PR_SET_PDEATHSIG(SIGKILL), so
 * a killed leader-exec never leaves a leader's command behind; SIGTERM,
 * SIGINT, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 sent to leader-exec go to
 * the child's whole group; the result is the child's exit status, or
 * 128 + N when signal N killed it.  With a renew callback the lease is
 * renewed while the child runs, and when no renewal has succeeded for the
 * renew deadline the child's group gets SIGTERM, SIGKILL kill-after later,
 * and the result says leadership was lost (main.c exits 119).
 *
 * The timing invariant, which keeps two commands from ever running at
 * once (checked by supervise_timing_valid and by the model):
 *
 *	renew deadline + kill-after + clock drift < lease
 *
 * A renewal writes an expiry of (time the request was sent) + lease; the
 * supervisor counts the renew deadline from the time the last successful
 * renewal was sent, so the child is dead (SIGKILLed) by renew deadline +
 * kill-after after the last write, before any other instance, whose clock
 * may be drift ahead, can see the lease expired.
 *
 * Only main.c execs: supervise_run forks, and the child calls main.c's
 * child_exec callback, which restores the signal state leader-exec started
 * with (supervise_sigstate_restore) and execs.
 *
 * Pure parts (timing arithmetic, the lease schedule, status mapping) take
 * explicit times and are unit-tested with tables; supervise_run is the
 * only process code.  One supervise_run at a time per process (the signal
 * handlers share static state); call it from the main thread (the death
 * signal follows the thread that forked).
 */
#ifndef LEADER_EXEC_SUPERVISE_H
#define LEADER_EXEC_SUPERVISE_H

#include <signal.h>
#include <sys/types.h>

#include "err.h"

/* The clock drift the defaults allow between instances (milliseconds). */
#define SUPERVISE_DRIFT_MS	1000L
/* A failed renewal is retried after renew interval / 3, at least this. */
#define SUPERVISE_RETRY_MIN_MS	10L
/* The child's status when it cannot be set up (death signal, group). */
#define SUPERVISE_SETUP_FAILED	126

/* All in milliseconds. */
struct supervise_timing {
	long	 lease_ms;		/* how long one write holds the lease */
	long	 renew_interval_ms;	/* renew this often (lease / 3) */
	long	 renew_deadline_ms;	/* stop the child after this long
					   without a successful renewal */
	long	 kill_after_ms;		/* SIGKILL this long after SIGTERM */
};

/*
 * The defaults for a lease of lease_ms: renew every lease/3, renew
 * deadline 2/3 of the lease (client-go's 10 s of 15 s), and kill-after
 * half of what the invariant leaves with SUPERVISE_DRIFT_MS of drift:
 * (lease - deadline - drift) / 2, the other half a margin for scheduling
 * and signal delivery.  Lease 15 s: renew 5 s, deadline 10 s, kill-after
 * 2 s (10 + 2 + 1 = 13 < 15).  Lease 6 s: 2 s, 4 s, 0.5 s.  A lease of
 * 3 s or less leaves nothing (kill-after 0, and the invariant fails).
 */
void	supervise_timing_default(long lease_ms, struct supervise_timing *);

/*
 * 1 when renew_deadline + kill_after + drift < lease with every term
 * non-negative and lease and renew deadline positive, else 0.
 */
int	supervise_timing_valid(long lease_ms, long renew_deadline_ms,
	    long kill_after_ms, long drift_ms);

/*
 * 0 when t is usable with drift_ms of clock drift (valid as above, and
 * 0 < renew interval < renew deadline), else -1 with e set (LERR_USAGE)
 * to a message for the command line naming the numbers and the fix.
 */
int	supervise_timing_check(const struct supervise_timing *, long drift_ms,
	    struct lerr *);

/*
 * The exit status a shell would report for a waitpid() status: the exit
 * code, or 128 + N for a death by signal N; -1 for anything else.
 */
int	supervise_status(int wstatus);

/*
 * What a renew callback returns.  LOST is for a definite refusal (the
 * record now names another holder, S3's 412 on the conditional PUT): no
 * retry can succeed, so the child is stopped at once, not at the deadline.
 */
enum supervise_renewal {
	SUPERVISE_RENEWED = 0,
	SUPERVISE_RENEW_FAILED = -1,	/* transient: retry to the deadline */
	SUPERVISE_RENEW_LOST = -2	/* leadership gone: stop the child */
};

/*
 * The lease schedule, pure: every time is on the monotonic clock in ms
 * (now_ms()), passed in.  supervise_run drives it; tests drive it with
 * tables.
 */
enum supervise_action {
	SUPERVISE_WAIT,		/* nothing due: wait (wait_ms, -1 forever) */
	SUPERVISE_RENEW,	/* attempt a renewal now */
	SUPERVISE_STOP,		/* renew deadline passed, or the lease was
				   lost: SIGTERM the group */
	SUPERVISE_KILL		/* kill-after passed: SIGKILL the group */
};

struct supervise_lease {
	struct supervise_timing	 t;
	long long		 last_ok;	/* last successful write sent */
	long long		 next_try;	/* next renewal attempt */
	long long		 kill_at;	/* SIGKILL at (once stopped) */
	int			 revoked;	/* a renewal said LOST */
	int			 stopped;	/* SIGTERM sent: lease lost */
	int			 killed;	/* SIGKILL sent */
};

/* Start the schedule for a lease last written (request sent) at written. */
void	supervise_lease_start(struct supervise_lease *,
	    const struct supervise_timing *, long long written);
/* What is due at now; *wait_ms is how long until something is (or -1). */
enum supervise_action supervise_lease_next(const struct supervise_lease *,
	    long long now, long *wait_ms);
/* The budget of a renewal attempted at now: what is left to the deadline. */
long	supervise_lease_budget(const struct supervise_lease *, long long now);
/*
 * Record a renewal attempt whose request was sent at sent and which ended
 * at now: RENEWED moves the deadline to sent + renew deadline (never
 * back) and the next attempt to sent + interval; FAILED retries at now +
 * interval / 3; LOST makes STOP due at once.
 */
void	supervise_lease_renewed(struct supervise_lease *, long long sent,
	    enum supervise_renewal, long long now);
/* Record SIGTERM sent at now (SIGKILL is due kill-after later). */
void	supervise_lease_stopped(struct supervise_lease *, long long now);
/* Record SIGKILL sent. */
void	supervise_lease_killed(struct supervise_lease *);

/*
 * The signal state to hand to the command: the mask and the ignored
 * signals leader-exec started with (ignored signals survive exec, as with
 * env(1) and nohup(1); caught ones become default).
 */
struct supervise_sigstate {
	sigset_t	 mask;
	sigset_t	 ignored;
};

/* Record the current mask and ignored signals (main.c, at start). */
int	supervise_sigstate_save(struct supervise_sigstate *);
/*
 * Make every signal ignored as recorded or default, then set the
 * recorded mask (in that order, so no handler runs after the mask opens).
 * 0, or -1 if a disposition or the mask could not be set.
 */
int	supervise_sigstate_restore(const struct supervise_sigstate *);

struct supervise_config {
	/*
	 * Called in the child, which is in its own group with the death
	 * signal set, supervise_run's handlers reset to default (or
	 * ignored, as they were) and the mask supervise_run was called with:
	 * restore the start signal state and exec; return only on failure,
	 * with env(1)'s 127 (not found) or 126 (not runnable), which the
	 * child _exit()s with.
	 */
	int		 (*child_exec)(void *ctx);
	void		*child_ctx;
	/*
	 * NULL: no lease, only supervision.  Else renew the lease, taking
	 * at most budget_ms (never past the renew deadline), and return an
	 * enum supervise_renewal: SUPERVISE_RENEWED (0), or FAILED (-1) or
	 * LOST (-2) with e set (kept in the result, logged).  It must write
	 * an expiry of at least (time it was called) + lease.
	 */
	int		 (*renew)(void *ctx, long budget_ms, struct lerr *e);
	void		*renew_ctx;
	struct supervise_timing	 timing;	/* with renew */
	long long	 written_ms;	/* now_ms() when the lease was last
					   written (claim sent); 0: now */
};

struct supervise_result {
	pid_t		 pid;		/* the child (its group id too) */
	int		 status;	/* exit status, or 128 + N */
	int		 wstatus;	/* as waitpid() reported it */
	int		 signal;	/* first signal received and forwarded,
					   0 if none */
	int		 lost;		/* renew deadline passed or a renewal
					   said LOST: leadership lost, the
					   child was stopped */
	int		 killed;	/* SIGKILL after kill-after */
	int		 tty;		/* the terminal went to the child */
	unsigned	 renewals;	/* successful renewals */
	unsigned	 renew_failures;
	long long	 elapsed_ms;	/* from fork to reaping */
	struct lerr	 renew_error;	/* the last failed renewal's error */
};

/*
 * Fork the command and supervise it until it exits (see above).  When
 * stdin is a terminal and leader-exec is in its foreground process group,
 * the terminal is handed to the child's group for the run (tcsetpgrp,
 * SIGTTOU blocked) and taken back after, so an interactive command reads
 * it (a background group would get SIGTTIN) and ^C reaches the command,
 * not leader-exec.  A stop by SIGTSTP/SIGTTIN/SIGTTOU (^Z) is undone with
 * SIGCONT: a stopped command would wedge the terminal, and suspending
 * leader-exec too would let the lease lapse while the command could still
 * be resumed; a deliberate SIGSTOP is left alone, the lease still renewed.
 * When leadership is lost, whatever remains of the child's group when the
 * child exits is SIGKILLed too (before it is reaped, while its zombie
 * still holds the group id).  Forwarded signals are passed on once
 * each and never escalated (the command decides).  0 with r filled once
 * the child was reaped; -1 with e set when it could not be started
 * (LERR_INTERNAL), or, with renew, when c->timing fails
 * supervise_timing_check with no drift (LERR_USAGE; nothing started).  The signal dispositions and mask are restored on return.
 */
int	supervise_run(const struct supervise_config *,
	    struct supervise_result *, struct lerr *);

#endif
