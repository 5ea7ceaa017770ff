/*
 * Unit tests for supervise.c: the timing invariant and its defaults, the
 * status mapping and the lease schedule as tables; then real children
 * (/bin/sh) for exit statuses, signals, forwarding, lease loss, the death
 * signal, the process group and the signal state the command starts with.
 * Times are asserted as wide bounds (a loaded 2-core machine).
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "deadline.h"
#include "supervise.h"
#include "util.h"

/* --- pure: timing --- */

/* The defaults derived from --lease, and whether they hold the invariant. */
START_TEST(test_timing_default)
{
	static const struct {
		long	 lease, interval, deadline, kill_after;
		int	 valid;
	} t[] = {
		{ 15000, 5000, 10000, 2000, 1 },	/* 10 + 2 + 1 < 15 */
		{ 6000, 2000, 4000, 500, 1 },	/* issue 14's --lease 6 */
		{ 4500, 1500, 3000, 250, 1 },
		{ 60000, 20000, 40000, 9500, 1 },
		{ 3000, 1000, 2000, 0, 0 },		/* nothing left */
		{ 1000, 333, 666, 0, 0 },
	};
	struct supervise_timing	 s;
	struct lerr		 e;
	size_t			 i;

	for (i = 0; i < nitems(t); i++) {
		supervise_timing_default(t[i].lease, &s);
		ck_assert_int_eq(s.lease_ms, t[i].lease);
		ck_assert_int_eq(s.renew_interval_ms, t[i].interval);
		ck_assert_int_eq(s.renew_deadline_ms, t[i].deadline);
		ck_assert_int_eq(s.kill_after_ms, t[i].kill_after);
		ck_assert_int_eq(supervise_timing_valid(s.lease_ms,
		    s.renew_deadline_ms, s.kill_after_ms, SUPERVISE_DRIFT_MS),
		    t[i].valid);
		lerr_clear(&e);
		ck_assert_int_eq(supervise_timing_check(&s, SUPERVISE_DRIFT_MS,
		    &e), t[i].valid ? 0 : -1);
	}
}
END_TEST

/* renew deadline + kill-after + drift < lease, strictly; no overflow. */
START_TEST(test_timing_valid)
{
	static const struct {
		long	 lease, deadline, kill_after, drift;
		int	 valid;
	} t[] = {
		{ 15000, 10000, 3999, 1000, 1 },
		{ 15000, 10000, 4000, 1000, 0 },	/* equal: unsafe */
		{ 15000, 10000, 5000, 1000, 0 },
		{ 15000, 10000, 0, 1000, 1 },
		{ 15000, 10000, 2000, 0, 1 },
		{ 15000, 0, 2000, 1000, 0 },
		{ 0, 10000, 2000, 1000, 0 },
		{ 15000, 10000, -1, 1000, 0 },
		{ 15000, 10000, 2000, -1, 0 },
		{ LONG_MAX, LONG_MAX, LONG_MAX, LONG_MAX, 0 },
		{ LONG_MAX, LONG_MAX / 2, LONG_MAX / 4, 1000, 1 },
	};
	size_t	 i;

	for (i = 0; i < nitems(t); i++)
		ck_assert_msg(supervise_timing_valid(t[i].lease, t[i].deadline,
		    t[i].kill_after, t[i].drift) == t[i].valid, "row %zu", i);
}
END_TEST

/* The refusal names the numbers and the fix; the interval is checked. */
START_TEST(test_timing_check)
{
	struct supervise_timing	 s;
	struct lerr		 e;

	supervise_timing_default(15000, &s);
	s.kill_after_ms = 5000;
	lerr_clear(&e);
	ck_assert_int_eq(supervise_timing_check(&s, 1000, &e), -1);
	ck_assert_int_eq(e.cls, LERR_USAGE);
	ck_assert_str_eq(e.msg, "--lease 15s is too short for its renew "
	    "deadline 10s + --kill-after 5s + clock drift 1s: their sum must "
	    "stay below the lease, so that the command is dead before another "
	    "instance sees the lease expire; lower --kill-after or raise "
	    "--lease");
	supervise_timing_default(15000, &s);
	s.renew_interval_ms = 10000;
	lerr_clear(&e);
	ck_assert_int_eq(supervise_timing_check(&s, 1000, &e), -1);
	ck_assert_int_eq(e.cls, LERR_USAGE);
	s.renew_interval_ms = 0;
	lerr_clear(&e);
	ck_assert_int_eq(supervise_timing_check(&s, 1000, &e), -1);
	s.renew_interval_ms = 9999;
	lerr_clear(&e);
	ck_assert_int_eq(supervise_timing_check(&s, 1000, &e), 0);
	ck_assert_int_eq(e.cls, LERR_NONE);
}
END_TEST

/* Exit codes pass through; death by signal N is 128 + N. */
START_TEST(test_status)
{
	static const struct {
		int	 wstatus, status;
	} t[] = {
		{ W_EXITCODE(0, 0), 0 },
		{ W_EXITCODE(3, 0), 3 },
		{ W_EXITCODE(126, 0), 126 },
		{ W_EXITCODE(127, 0), 127 },
		{ W_EXITCODE(255, 0), 255 },
		{ W_EXITCODE(0, SIGHUP), 129 },
		{ W_EXITCODE(0, SIGKILL), 137 },
		{ W_EXITCODE(0, SIGTERM), 143 },
		{ W_EXITCODE(0, SIGSEGV) | WCOREFLAG, 139 },
		{ W_STOPCODE(SIGSTOP), -1 },
	};
	size_t	 i;

	for (i = 0; i < nitems(t); i++)
		ck_assert_msg(supervise_status(t[i].wstatus) == t[i].status,
		    "row %zu", i);
}
END_TEST

/* --- pure: the lease schedule --- */

enum step_kind { NEXT, RENEWED_OK, RENEWED_FAIL, RENEWED_LOST, STOPPED,
    KILLED };

struct step {
	enum step_kind		 kind;
	long long		 now, sent;
	enum supervise_action	 action;	/* NEXT: expected */
	long			 wait, budget;	/* NEXT: expected */
};

static void
run_steps(long lease, const struct step *t, size_t n)
{
	struct supervise_timing	 tm;
	struct supervise_lease	 l;
	size_t			 i;
	long			 w;

	supervise_timing_default(lease, &tm);
	supervise_lease_start(&l, &tm, 1000);
	for (i = 0; i < n; i++) {
		switch (t[i].kind) {
		case NEXT:
			ck_assert_msg(supervise_lease_next(&l, t[i].now, &w) ==
			    t[i].action, "step %zu: action", i);
			ck_assert_msg(w == t[i].wait, "step %zu: wait %ld",
			    i, w);
			ck_assert_msg(supervise_lease_budget(&l, t[i].now) ==
			    t[i].budget, "step %zu: budget", i);
			break;
		case RENEWED_OK:
			supervise_lease_renewed(&l, t[i].sent,
			    SUPERVISE_RENEWED, t[i].now);
			break;
		case RENEWED_FAIL:
			supervise_lease_renewed(&l, t[i].sent,
			    SUPERVISE_RENEW_FAILED, t[i].now);
			break;
		case RENEWED_LOST:
			supervise_lease_renewed(&l, t[i].sent,
			    SUPERVISE_RENEW_LOST, t[i].now);
			break;
		case STOPPED:
			supervise_lease_stopped(&l, t[i].now);
			break;
		case KILLED:
			supervise_lease_killed(&l);
			break;
		}
	}
}

/*
 * Lease 15 s written at 1000: renew at 6000 (lease/3), the deadline
 * follows the send time of the last success, failures retry every
 * interval/3, the deadline stops, kill-after kills, then nothing.
 */
START_TEST(test_lease_schedule)
{
	static const struct step t[] = {
		{ NEXT, 1000, 0, SUPERVISE_WAIT, 5000, 10000 },
		{ NEXT, 5999, 0, SUPERVISE_WAIT, 1, 5001 },
		{ NEXT, 6000, 0, SUPERVISE_RENEW, -1, 5000 },
		{ RENEWED_OK, 6300, 6000, 0, 0, 0 },
		{ NEXT, 6300, 0, SUPERVISE_WAIT, 4700, 9700 },
		{ NEXT, 11000, 0, SUPERVISE_RENEW, -1, 5000 },
		{ RENEWED_FAIL, 11200, 11000, 0, 0, 0 },
		{ NEXT, 11200, 0, SUPERVISE_WAIT, 1666, 4800 },
		{ NEXT, 12866, 0, SUPERVISE_RENEW, -1, 3134 },
		{ RENEWED_FAIL, 15000, 12866, 0, 0, 0 },
		/* the retry would be at 16666: the deadline 16000 is first */
		{ NEXT, 15000, 0, SUPERVISE_WAIT, 1000, 1000 },
		{ NEXT, 16000, 0, SUPERVISE_STOP, -1, 0 },
		{ STOPPED, 16010, 0, 0, 0, 0 },
		{ NEXT, 16010, 0, SUPERVISE_WAIT, 2000, 0 },
		{ NEXT, 18009, 0, SUPERVISE_WAIT, 1, 0 },
		{ NEXT, 18010, 0, SUPERVISE_KILL, -1, 0 },
		{ KILLED, 18010, 0, 0, 0, 0 },
		{ NEXT, 30000, 0, SUPERVISE_WAIT, -1, 0 },
	};

	run_steps(15000, t, nitems(t));
}
END_TEST

/* A late success never moves the deadline back; a success after failures
 * restores the schedule; a stale success sent before the last one counts
 * only for the next attempt. */
START_TEST(test_lease_recovers)
{
	static const struct step t[] = {
		{ RENEWED_FAIL, 7000, 6000, 0, 0, 0 },
		{ NEXT, 7000, 0, SUPERVISE_WAIT, 1666, 4000 },
		{ RENEWED_OK, 9000, 7666, 0, 0, 0 },
		{ NEXT, 9000, 0, SUPERVISE_WAIT, 3666, 8666 },
		{ RENEWED_OK, 9100, 5000, 0, 0, 0 },	/* stale: kept */
		{ NEXT, 9100, 0, SUPERVISE_WAIT, 900, 8566 },
		{ NEXT, 17666, 0, SUPERVISE_STOP, -1, 0 },
	};

	run_steps(15000, t, nitems(t));
}
END_TEST

/* A renewal refused for certain stops at once, long before the deadline. */
START_TEST(test_lease_revoked)
{
	static const struct step t[] = {
		{ RENEWED_OK, 6100, 6000, 0, 0, 0 },
		{ RENEWED_LOST, 11100, 11000, 0, 0, 0 },
		{ NEXT, 11100, 0, SUPERVISE_STOP, -1, 4900 },
		{ STOPPED, 11100, 0, 0, 0, 0 },
		{ NEXT, 11100, 0, SUPERVISE_WAIT, 2000, 4900 },
		{ NEXT, 13100, 0, SUPERVISE_KILL, -1, 2900 },
	};

	run_steps(15000, t, nitems(t));
}
END_TEST

/* Tiny intervals still retry at least SUPERVISE_RETRY_MIN_MS apart. */
START_TEST(test_lease_retry_floor)
{
	static const struct step t[] = {
		{ RENEWED_FAIL, 1001, 1000, 0, 0, 0 },
		{ NEXT, 1001, 0, SUPERVISE_WAIT, SUPERVISE_RETRY_MIN_MS, 19 },
	};

	run_steps(30, t, nitems(t));
}
END_TEST

/* --- real children --- */

static char	 tmpdir[64];
static char	 path_a[128], path_b[128];

static void
setup(void)
{
	strcpy(tmpdir, "/tmp/test_supervise.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(path_a, sizeof(path_a), "%s/a", tmpdir);
	snprintf(path_b, sizeof(path_b), "%s/b", tmpdir);
}

static void
teardown(void)
{
	unlink(path_a);
	unlink(path_b);
	rmdir(tmpdir);
}

struct exec_ctx {
	char	*const *argv;
	int	 out_fd;	/* -1, or stdout for the command */
	const struct supervise_sigstate *sig;
};

/* main.c's part in the child, as main.c does it: restore, exec. */
static int
exec_argv(void *p)
{
	struct exec_ctx	*x = p;

	if (x->out_fd != -1 && dup2(x->out_fd, STDOUT_FILENO) == -1)
		return 126;
	if (x->sig != NULL && supervise_sigstate_restore(x->sig) == -1)
		return 126;
	execv(x->argv[0], x->argv);
	return errno == ENOENT ? 127 : 126;
}

/* Run sh -c script under supervise_run; asserts it ran. */
static void
run_sh(const char *script, struct supervise_config *c,
    struct supervise_result *r)
{
	char		*argv[] = { "/bin/sh", "-c", (char *)script, path_a,
			    path_b, NULL };
	struct exec_ctx	 x = { argv, -1, NULL };
	struct lerr	 e = { LERR_NONE, "" };

	c->child_exec = exec_argv;
	c->child_ctx = &x;
	ck_assert_int_eq(supervise_run(c, r, &e), 0);
	ck_assert_int_eq(e.cls, LERR_NONE);
	ck_assert_int_gt(r->pid, 0);
}

static void
read_file(const char *path, char *buf, size_t len)
{
	FILE	*f = fopen(path, "r");
	size_t	 n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* The command's exit status passes through: 0, 3. */
START_TEST(test_exit_status)
{
	struct supervise_config	 c;
	struct supervise_result	 r;

	memset(&c, 0, sizeof(c));
	run_sh("exit 0", &c, &r);
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(r.lost, 0);
	ck_assert_int_eq(r.signal, 0);
	run_sh("exit 3", &c, &r);
	ck_assert_int_eq(r.status, 3);
	ck_assert(WIFEXITED(r.wstatus));
}
END_TEST

/* A command that cannot be run: the callback's 127/126 are the status. */
START_TEST(test_exec_failure)
{
	char			*missing[] = { "/nonexistent/cmd", NULL };
	char			*notexec[] = { "/", NULL };
	struct exec_ctx		 x = { missing, -1, NULL };
	struct supervise_config	 c;
	struct supervise_result	 r;
	struct lerr		 e = { LERR_NONE, "" };

	memset(&c, 0, sizeof(c));
	c.child_exec = exec_argv;
	c.child_ctx = &x;
	ck_assert_int_eq(supervise_run(&c, &r, &e), 0);
	ck_assert_int_eq(r.status, 127);
	x.argv = notexec;
	ck_assert_int_eq(supervise_run(&c, &r, &e), 0);
	ck_assert_int_eq(r.status, 126);
}
END_TEST

/*
 * A command stopped by ^Z (SIGTSTP) is resumed: it goes on and exits 4;
 * SIGSTOP is respected until someone continues it (here: itself, through
 * a background kill -CONT).
 */
START_TEST(test_stop_resumed)
{
	struct supervise_config	 c;
	struct supervise_result	 r;
	char			 buf[32];

	memset(&c, 0, sizeof(c));
	run_sh("kill -TSTP $$; echo resumed > \"$0\"; exit 4", &c, &r);
	ck_assert_int_eq(r.status, 4);
	read_file(path_a, buf, sizeof(buf));
	ck_assert_str_eq(buf, "resumed\n");
	run_sh("(sleep 1; kill -CONT $$) & kill -STOP $$; exit 6", &c, &r);
	ck_assert_int_eq(r.status, 6);
	ck_assert_int_ge(r.elapsed_ms, 900);
}
END_TEST

/* Death by signal N is 128 + N. */
START_TEST(test_killed_by_signal)
{
	struct supervise_config	 c;
	struct supervise_result	 r;

	memset(&c, 0, sizeof(c));
	run_sh("kill -KILL $$", &c, &r);
	ck_assert_int_eq(r.status, 128 + SIGKILL);
	ck_assert(WIFSIGNALED(r.wstatus));
	run_sh("kill -TERM $$", &c, &r);
	ck_assert_int_eq(r.status, 128 + SIGTERM);
	ck_assert_int_eq(r.signal, 0);
}
END_TEST

/*
 * SIGTERM to the supervising process reaches the child's group: the
 * command traps it (its sleep dies of it), writes a file and exits 7;
 * the supervisor is still alive and reports the signal.
 */
START_TEST(test_forward_term)
{
	struct supervise_config	 c;
	struct supervise_result	 r;
	char			 buf[32];

	memset(&c, 0, sizeof(c));
	run_sh("trap 'echo got > \"$0\"; exit 7' TERM; kill -TERM $PPID; "
	    "i=0; while [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; "
	    "exit 9", &c, &r);
	ck_assert_int_eq(r.status, 7);
	ck_assert_int_eq(r.signal, SIGTERM);
	read_file(path_a, buf, sizeof(buf));
	ck_assert_str_eq(buf, "got\n");
}
END_TEST

/*
 * Every forwarded signal reaches the group: each of the six sent to the
 * supervisor kills the command (128 + N) and is reported.
 */
START_TEST(test_forward_all)
{
	static const int	 sigs[] = {
		SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2
	};
	struct supervise_config	 c;
	struct supervise_result	 r;
	char			 script[160];
	size_t			 i;

	memset(&c, 0, sizeof(c));
	for (i = 0; i < nitems(sigs); i++) {
		snprintf(script, sizeof(script), "kill -%d $PPID; i=0; "
		    "while [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; "
		    "exit 9", sigs[i]);
		run_sh(script, &c, &r);
		ck_assert_msg(r.status == 128 + sigs[i], "signal %d: status "
		    "%d", sigs[i], r.status);
		ck_assert_int_eq(r.signal, sigs[i]);
	}
}
END_TEST

/* pid's process exists and is not a zombie. */
static int
alive(pid_t pid)
{
	char	 path[64], buf[256], *p;
	FILE	*f;
	size_t	 n;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ')
		return 0;
	return p[2] != 'Z' && p[2] != 'X';
}

/* Wait (bounded) until pid is gone; 1 if it went. */
static int
gone_within(pid_t pid, long ms)
{
	long long	 end = now_ms() + ms;

	while (alive(pid)) {
		if (now_ms() > end)
			return 0;
		usleep(20000);
	}
	return 1;
}

/* The pid a command wrote to path, waiting for it (bounded). */
static pid_t
pid_from(const char *path, long ms)
{
	long long	 end = now_ms() + ms;
	char		 buf[32];
	struct stat	 st;

	while (stat(path, &st) == -1 || st.st_size == 0) {
		ck_assert_msg(now_ms() < end, "no pid in %s", path);
		usleep(20000);
	}
	usleep(50000);		/* the write is complete */
	read_file(path, buf, sizeof(buf));
	return (pid_t)atol(buf);
}

/* The child leads its own process group, not ours. */
static int
check_group(void *p)
{
	pid_t	 ours = *(pid_t *)p;

	return getpgrp() == getpid() && getpgrp() != ours ? 0 : 1;
}

struct renew_ctx {
	unsigned	 calls;
	unsigned	 fail_from;	/* fail from this call on (1-based) */
	unsigned	 fail_only;	/* or only this one; 0 none */
	unsigned	 lost_at;	/* this call says LOST; 0 none */
	long		 max_budget, min_budget;
};

static int
renew_cb(void *p, long budget_ms, struct lerr *e)
{
	struct renew_ctx	*x = p;

	x->calls++;
	if (budget_ms > x->max_budget)
		x->max_budget = budget_ms;
	if (x->min_budget == 0 || budget_ms < x->min_budget)
		x->min_budget = budget_ms;
	if (x->calls == x->lost_at) {
		lerr_set(e, LERR_EC2, "PutObject: 412 PreconditionFailed "
		    "(test)");
		return SUPERVISE_RENEW_LOST;
	}
	if ((x->fail_from != 0 && x->calls >= x->fail_from) ||
	    x->calls == x->fail_only) {
		lerr_set(e, LERR_EC2, "PutObject: 503 SlowDown (test)");
		return SUPERVISE_RENEW_FAILED;
	}
	return SUPERVISE_RENEWED;
}

static void
lease_config(struct supervise_config *c, struct renew_ctx *x, long lease,
    long interval, long deadline, long kill_after)
{
	memset(c, 0, sizeof(*c));
	memset(x, 0, sizeof(*x));
	c->renew = renew_cb;
	c->renew_ctx = x;
	c->timing.lease_ms = lease;
	c->timing.renew_interval_ms = interval;
	c->timing.renew_deadline_ms = deadline;
	c->timing.kill_after_ms = kill_after;
}

/*
 * Renewals while the command runs, about every lease/3: lease 900 ms, so
 * every 300 ms for 2 s: at least 2, and never more than elapsed/interval
 * + 2 (one failure is retried a third of an interval later); the lease is
 * kept.
 */
START_TEST(test_renew_interval)
{
	struct supervise_config	 c;
	struct supervise_result	 r;
	struct renew_ctx	 x;

	lease_config(&c, &x, 900, 0, 0, 0);
	supervise_timing_default(900, &c.timing);	/* renew every 300 */
	ck_assert_int_eq(c.timing.renew_interval_ms, 300);
	x.fail_only = 2;
	run_sh("sleep 2", &c, &r);
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(r.lost, 0);
	ck_assert_uint_eq(r.renew_failures, 1);
	ck_assert_str_eq(r.renew_error.msg, "PutObject: 503 SlowDown (test)");
	ck_assert_uint_eq(x.calls, r.renewals + r.renew_failures);
	ck_assert_uint_ge(r.renewals, 2);
	ck_assert_int_ge(r.elapsed_ms, 1900);
	ck_assert_uint_le(x.calls, r.elapsed_ms / 300 + 2);
	ck_assert_int_le(x.max_budget, 600);
	ck_assert_int_gt(x.min_budget, 0);
}
END_TEST

/*
 * Renewals failing: at the renew deadline the command's group gets
 * SIGTERM (it traps it, exits 5), leadership is reported lost, no SIGKILL
 * for the command; what remains of its group (a TERM-ignoring background
 * sleep) is SIGKILLed once the command has exited.
 */
START_TEST(test_renew_lost_term)
{
	struct supervise_config	 c;
	struct supervise_result	 r;
	struct renew_ctx	 x;
	char			 buf[32];
	pid_t			 bg;

	lease_config(&c, &x, 3000, 300, 1000, 1500);
	x.fail_from = 1;
	run_sh("(trap '' TERM; exec sleep 30) & echo $! > \"$1\"; "
	    "trap 'echo term > \"$0\"; exit 5' TERM; i=0; "
	    "while [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done; exit 9",
	    &c, &r);
	ck_assert_int_eq(r.lost, 1);
	ck_assert_int_eq(r.killed, 0);
	ck_assert_int_eq(r.status, 5);
	ck_assert_uint_eq(r.renewals, 0);
	ck_assert_uint_ge(r.renew_failures, 2);
	ck_assert_int_ge(r.elapsed_ms, 1000);
	ck_assert_int_lt(r.elapsed_ms, 15000);
	ck_assert_int_le(x.max_budget, 1000);
	read_file(path_a, buf, sizeof(buf));
	ck_assert_str_eq(buf, "term\n");
	bg = pid_from(path_b, 1000);
	ck_assert_int_gt(bg, 1);
	ck_assert_msg(gone_within(bg, 5000), "the group's sleep survived");
}
END_TEST

/* A lease schedule that cannot work starts nothing. */
START_TEST(test_renew_bad_timing)
{
	struct supervise_config	 c;
	struct supervise_result	 r;
	struct renew_ctx	 x;
	struct lerr		 e = { LERR_NONE, "" };
	pid_t			 ours = getpgrp();

	lease_config(&c, &x, 3000, 0, 1000, 500);	/* no interval */
	c.child_exec = check_group;
	c.child_ctx = &ours;
	ck_assert_int_eq(supervise_run(&c, &r, &e), -1);
	ck_assert_int_eq(e.cls, LERR_USAGE);
	ck_assert_int_eq(r.pid, 0);
	ck_assert_uint_eq(x.calls, 0);
}
END_TEST

/*
 * A renewal that says LOST stops the command at once: with a renew
 * deadline of 30 s, the second renewal (about 0.6 s in) ends the run.
 */
START_TEST(test_renew_revoked)
{
	struct supervise_config	 c;
	struct supervise_result	 r;
	struct renew_ctx	 x;

	lease_config(&c, &x, 60000, 300, 30000, 2000);
	x.lost_at = 2;
	run_sh("i=0; while [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done; "
	    "exit 9", &c, &r);
	ck_assert_int_eq(r.lost, 1);
	ck_assert_int_eq(r.status, 128 + SIGTERM);
	ck_assert_uint_eq(x.calls, 2);
	ck_assert_uint_eq(r.renewals, 1);
	ck_assert_uint_eq(r.renew_failures, 1);
	ck_assert_str_eq(r.renew_error.msg, "PutObject: 412 "
	    "PreconditionFailed (test)");
	ck_assert_int_lt(r.elapsed_ms, 20000);
}
END_TEST

/*
 * A command that ignores SIGTERM is SIGKILLed kill-after later (137),
 * with its whole group (a TERM-ignoring background sleep).
 */
START_TEST(test_renew_lost_kill)
{
	struct supervise_config	 c;
	struct supervise_result	 r;
	struct renew_ctx	 x;
	pid_t			 bg;

	lease_config(&c, &x, 3000, 300, 800, 400);
	x.fail_from = 1;
	run_sh("(trap '' TERM; exec sleep 30) & echo $! > \"$0\"; "
	    "trap '' TERM; i=0; while [ $i -lt 400 ]; do sleep 0.05; "
	    "i=$((i+1)); done; exit 9", &c, &r);
	ck_assert_int_eq(r.lost, 1);
	ck_assert_int_eq(r.killed, 1);
	ck_assert_int_eq(r.status, 128 + SIGKILL);
	ck_assert_int_ge(r.elapsed_ms, 800 + 400);
	ck_assert_int_lt(r.elapsed_ms, 15000);
	bg = pid_from(path_a, 1000);
	ck_assert_int_gt(bg, 1);
	ck_assert_msg(gone_within(bg, 5000), "the group's sleep survived");
}
END_TEST

START_TEST(test_own_group)
{
	struct supervise_config	 c;
	struct supervise_result	 r;
	struct lerr		 e = { LERR_NONE, "" };
	pid_t			 ours = getpgrp();

	memset(&c, 0, sizeof(c));
	c.child_exec = check_group;
	c.child_ctx = &ours;
	ck_assert_int_eq(supervise_run(&c, &r, &e), 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(getpgrp(), ours);
}
END_TEST

/* Open descriptors, as a bitmap of the first 1024. */
static void
open_fds(unsigned char *map, size_t len)
{
	DIR		*d = opendir("/proc/self/fd");
	struct dirent	*de;
	int		 fd;

	memset(map, 0, len);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		fd = atoi(de->d_name);
		if (de->d_name[0] != '.' && fd != dirfd(d) && fd >= 0 &&
		    (size_t)fd < len * 8)
			map[fd / 8] |= 1 << (fd % 8);
	}
	closedir(d);
}

static unsigned char	 fds_before[128];

/* 0 when the child holds no descriptor the parent did not have before. */
static int
check_fds(void *p)
{
	unsigned char	 now[128];
	size_t		 i;

	(void)p;
	open_fds(now, sizeof(now));
	for (i = 0; i < sizeof(now); i++)
		if (now[i] & ~fds_before[i])
			return 1;
	return 0;
}

/* The command inherits no descriptor of supervise_run (its self-pipe). */
START_TEST(test_no_fd_leak)
{
	struct supervise_config	 c;
	struct supervise_result	 r;
	struct lerr		 e = { LERR_NONE, "" };
	unsigned char		 after[128];

	memset(&c, 0, sizeof(c));
	c.child_exec = check_fds;
	open_fds(fds_before, sizeof(fds_before));
	ck_assert_int_eq(supervise_run(&c, &r, &e), 0);
	ck_assert_int_eq(r.status, 0);
	open_fds(after, sizeof(after));
	ck_assert_mem_eq(after, fds_before, sizeof(after));
}
END_TEST

/* A status line of /proc/self/status, as a number (hex for Sig*). */
static unsigned long long
status_field(const char *text, const char *name)
{
	const char	*p = strstr(text, name);

	ck_assert_ptr_nonnull(p);
	return strtoull(p + strlen(name), NULL, 16);
}

/* The signals the libc lets a program see (not its reserved 32, 33). */
static unsigned long long
visible_bits(void)
{
	struct sigaction	 sa;
	unsigned long long	 bits = 0;
	int			 sig;

	for (sig = 1; sig <= 64 && sig < NSIG; sig++)
		if (sigaction(sig, NULL, &sa) == 0)
			bits |= 1ULL << (sig - 1);
	return bits;
}

static unsigned long long
set_bits(const sigset_t *s)
{
	unsigned long long	 bits = 0;
	int			 sig;

	for (sig = 1; sig <= 64 && sig < NSIG; sig++)
		if (sigismember(s, sig) == 1)
			bits |= 1ULL << (sig - 1);
	return bits;
}

static void
on_term(int sig)
{
	(void)sig;
}

/*
 * The command starts with the signal state recorded at start: mask empty
 * (though the supervisor blocked signals and the test blocked SIGUSR1
 * after recording), SIGHUP and SIGUSR2 ignored as recorded, SIGPIPE not
 * (ignored only after recording, as main.c does), SIGTERM default (caught
 * by main.c's handler here).  The caller's mask and handler are back
 * after supervise_run.
 */
START_TEST(test_child_signal_state)
{
	char			*argv[] = { "/bin/cat", "/proc/self/status",
				    NULL };
	struct supervise_sigstate st;
	struct exec_ctx		 x = { argv, -1, &st };
	struct supervise_config	 c;
	struct supervise_result	 r;
	struct lerr		 e = { LERR_NONE, "" };
	struct sigaction	 sa, old_hup, old_usr2, old_pipe, old_term;
	sigset_t		 usr1, oldmask;
	unsigned long long	 ign;
	char			 text[4096];

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGHUP, &sa, &old_hup);
	sigaction(SIGUSR2, &sa, &old_usr2);
	sigemptyset(&usr1);
	sigprocmask(SIG_SETMASK, &usr1, &oldmask);
	ck_assert_int_eq(supervise_sigstate_save(&st), 0);
	ck_assert_int_eq(sigismember(&st.ignored, SIGHUP), 1);
	ck_assert_int_eq(sigismember(&st.ignored, SIGUSR2), 1);
	sigaction(SIGPIPE, &sa, &old_pipe);
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, &old_term);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);

	x.out_fd = open(path_b, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600);
	ck_assert_int_ge(x.out_fd, 0);
	memset(&c, 0, sizeof(c));
	c.child_exec = exec_argv;
	c.child_ctx = &x;
	ck_assert_int_eq(supervise_run(&c, &r, &e), 0);
	close(x.out_fd);
	ck_assert_int_eq(r.status, 0);

	/* the supervisor put our state back */
	sigprocmask(SIG_SETMASK, NULL, &usr1);
	ck_assert_int_eq(sigismember(&usr1, SIGUSR1), 1);
	ck_assert_int_eq(sigismember(&usr1, SIGTERM), 0);
	sigaction(SIGTERM, NULL, &sa);
	ck_assert(sa.sa_handler == on_term);

	read_file(path_b, text, sizeof(text));
	ck_assert_uint_eq(status_field(text, "SigBlk:"), 0);
	ign = status_field(text, "SigIgn:") & visible_bits();
	ck_assert_uint_eq(ign, set_bits(&st.ignored));
	ck_assert(ign & (1ULL << (SIGHUP - 1)));
	ck_assert(ign & (1ULL << (SIGUSR2 - 1)));
	ck_assert(!(ign & (1ULL << (SIGPIPE - 1))));

	sigprocmask(SIG_SETMASK, &oldmask, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	sigaction(SIGUSR2, &old_usr2, NULL);
}
END_TEST

/*
 * PR_SET_PDEATHSIG: a process running supervise_run is SIGKILLed; its
 * child (the command, sleeping 30 s) dies within a few seconds.
 */
START_TEST(test_death_signal)
{
	char			*argv[] = { "/bin/sh", "-c",
				    "echo $$ > \"$0\"; exec sleep 30", path_a,
				    NULL };
	struct exec_ctx		 x = { argv, -1, NULL };
	struct supervise_config	 c;
	struct supervise_result	 r;
	struct lerr		 e = { LERR_NONE, "" };
	pid_t			 sup, cmd;
	int			 st;

	memset(&c, 0, sizeof(c));
	c.child_exec = exec_argv;
	c.child_ctx = &x;
	if ((sup = fork()) == 0) {
		supervise_run(&c, &r, &e);
		_exit(0);
	}
	ck_assert_int_gt(sup, 0);
	cmd = pid_from(path_a, 10000);
	ck_assert_int_gt(cmd, 1);
	ck_assert(alive(cmd));
	ck_assert_int_eq(kill(sup, SIGKILL), 0);
	ck_assert_int_eq(waitpid(sup, &st, 0), sup);
	ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	ck_assert_msg(gone_within(cmd, 5000), "the command outlived its "
	    "supervisor");
}
END_TEST

/* In the child: the terminal is ours, and a line can be read from it. */
static int
read_tty(void *p)
{
	char	 buf[16];
	ssize_t	 n;

	(void)p;
	if (tcgetpgrp(STDIN_FILENO) != getpgrp())
		return 1;
	n = read(STDIN_FILENO, buf, sizeof(buf));
	return n == 6 && memcmp(buf, "hello\n", 6) == 0 ? 0 : 2;
}

/* A session on the pty slave, supervising read_tty; its exit says how. */
static void
tty_session(const char *slave)
{
	struct supervise_config	 c;
	struct supervise_result	 r;
	struct lerr		 e = { LERR_NONE, "" };
	int			 fd;

	if (setsid() == -1 || (fd = open(slave, O_RDWR)) == -1 ||
	    dup2(fd, STDIN_FILENO) == -1)
		_exit(20);
	if (tcgetpgrp(STDIN_FILENO) != getpgrp())
		_exit(21);
	memset(&c, 0, sizeof(c));
	c.child_exec = read_tty;
	if (supervise_run(&c, &r, &e) == -1)
		_exit(22);
	if (!r.tty)
		_exit(23);
	if (tcgetpgrp(STDIN_FILENO) != getpgrp())
		_exit(24);		/* not taken back */
	_exit(r.status);
}

/*
 * Stdin a terminal and leader-exec in its foreground group: the child's
 * group gets the terminal (it reads a line instead of stopping on
 * SIGTTIN), and leader-exec has it back afterwards.
 */
START_TEST(test_terminal)
{
	long long	 end;
	pid_t		 p, w;
	int		 m, st = 0;
	char		 slave[64];

	m = posix_openpt(O_RDWR | O_NOCTTY);
	ck_assert_int_ge(m, 0);
	ck_assert_int_eq(grantpt(m), 0);
	ck_assert_int_eq(unlockpt(m), 0);
	ck_assert_int_eq(ptsname_r(m, slave, sizeof(slave)), 0);
	if ((p = fork()) == 0) {
		close(m);
		tty_session(slave);
	}
	ck_assert_int_gt(p, 0);
	ck_assert_int_eq(write(m, "hello\n", 6), 6);
	end = now_ms() + 20000;
	while ((w = waitpid(p, &st, WNOHANG)) == 0 && now_ms() < end)
		usleep(20000);
	if (w == 0) {
		kill(p, SIGKILL);
		waitpid(p, &st, 0);
	}
	close(m);
	ck_assert_msg(w == p, "the supervised reader hung (SIGTTIN?)");
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %d", st);
}
END_TEST

static Suite *
supervise_suite(void)
{
	Suite	*s = suite_create("supervise");
	TCase	*pure = tcase_create("Pure");
	TCase	*proc = tcase_create("Process");
	TCase	*lease = tcase_create("Lease");

	tcase_add_test(pure, test_timing_default);
	tcase_add_test(pure, test_timing_valid);
	tcase_add_test(pure, test_timing_check);
	tcase_add_test(pure, test_status);
	tcase_add_test(pure, test_lease_schedule);
	tcase_add_test(pure, test_lease_recovers);
	tcase_add_test(pure, test_lease_retry_floor);
	tcase_add_test(pure, test_lease_revoked);
	tcase_add_checked_fixture(proc, setup, teardown);
	tcase_set_timeout(proc, 60);
	tcase_add_test(proc, test_exit_status);
	tcase_add_test(proc, test_exec_failure);
	tcase_add_test(proc, test_killed_by_signal);
	tcase_add_test(proc, test_stop_resumed);
	tcase_add_test(proc, test_forward_term);
	tcase_add_test(proc, test_forward_all);
	tcase_add_test(proc, test_own_group);
	tcase_add_test(proc, test_no_fd_leak);
	tcase_add_test(proc, test_child_signal_state);
	tcase_add_test(proc, test_death_signal);
	tcase_add_test(proc, test_terminal);
	tcase_add_checked_fixture(lease, setup, teardown);
	tcase_set_timeout(lease, 60);
	tcase_add_test(lease, test_renew_interval);
	tcase_add_test(lease, test_renew_lost_term);
	tcase_add_test(lease, test_renew_lost_kill);
	tcase_add_test(lease, test_renew_revoked);
	tcase_add_test(lease, test_renew_bad_timing);
	suite_add_tcase(s, pure);
	suite_add_tcase(s, proc);
	suite_add_tcase(s, lease);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(supervise_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
