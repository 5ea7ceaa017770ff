/*
 * supervise: the command as a supervised child, with its lease renewed.
 *
 * Modelled on FreeBSD's timeout(1) (signals blocked around fork, one
 * wait loop that reaps with waitpid, -k as kill-after, 128 + N) and
 * daemontools' supervise (a self-pipe that wakes the loop).  The first
 * half is pure arithmetic; the second the process code.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "deadline.h"
#include "log.h"
#include "supervise.h"

/* --- timing and status: pure --- */

void
supervise_timing_default(long lease_ms, struct supervise_timing *t)
{
	long	 slack;

	t->lease_ms = lease_ms;
	t->renew_interval_ms = lease_ms / 3;
	t->renew_deadline_ms = lease_ms / 3 * 2;
	slack = lease_ms - t->renew_deadline_ms - SUPERVISE_DRIFT_MS;
	t->kill_after_ms = slack > 0 ? slack / 2 : 0;
}

int
supervise_timing_valid(long lease_ms, long renew_deadline_ms,
    long kill_after_ms, long drift_ms)
{
	long	 left;

	if (lease_ms <= 0 || renew_deadline_ms <= 0 || kill_after_ms < 0 ||
	    drift_ms < 0 || renew_deadline_ms >= lease_ms)
		return 0;
	/* deadline + kill-after + drift < lease, without overflow */
	left = lease_ms - renew_deadline_ms;
	if (kill_after_ms >= left)
		return 0;
	return drift_ms < left - kill_after_ms;
}

int
supervise_timing_check(const struct supervise_timing *t, long drift_ms,
    struct lerr *e)
{
	if (!supervise_timing_valid(t->lease_ms, t->renew_deadline_ms,
	    t->kill_after_ms, drift_ms)) {
		lerr_set(e, LERR_USAGE, "--lease %gs is too short for its "
		    "renew deadline %gs + --kill-after %gs + clock drift %gs: "
		    "their sum must stay below the lease, so that the command "
		    "is dead before another instance sees the lease expire; "
		    "lower --kill-after or raise --lease",
		    t->lease_ms / 1000.0, t->renew_deadline_ms / 1000.0,
		    t->kill_after_ms / 1000.0, drift_ms / 1000.0);
		return -1;
	}
	if (t->renew_interval_ms <= 0 ||
	    t->renew_interval_ms >= t->renew_deadline_ms) {
		lerr_set(e, LERR_USAGE, "the renew interval %gs must be "
		    "positive and below the renew deadline %gs; raise --lease",
		    t->renew_interval_ms / 1000.0,
		    t->renew_deadline_ms / 1000.0);
		return -1;
	}
	return 0;
}

int
supervise_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return -1;
}

/* --- the lease schedule: pure --- */

void
supervise_lease_start(struct supervise_lease *l,
    const struct supervise_timing *t, long long written)
{
	memset(l, 0, sizeof(*l));
	l->t = *t;
	l->last_ok = written;
	l->next_try = written + t->renew_interval_ms;
}

static long
until(long long when, long long now)
{
	long long	 d = when - now;

	return d <= 0 ? 0 : d > 0x7fffffffL ? 0x7fffffffL : (long)d;
}

enum supervise_action
supervise_lease_next(const struct supervise_lease *l, long long now,
    long *wait_ms)
{
	long long	 deadline = l->last_ok + l->t.renew_deadline_ms;

	*wait_ms = -1;
	if (l->killed)
		return SUPERVISE_WAIT;
	if (l->stopped) {
		if (now >= l->kill_at)
			return SUPERVISE_KILL;
		*wait_ms = until(l->kill_at, now);
		return SUPERVISE_WAIT;
	}
	if (l->revoked || now >= deadline)
		return SUPERVISE_STOP;
	if (now >= l->next_try)
		return SUPERVISE_RENEW;
	*wait_ms = until(l->next_try < deadline ? l->next_try : deadline, now);
	return SUPERVISE_WAIT;
}

long
supervise_lease_budget(const struct supervise_lease *l, long long now)
{
	return until(l->last_ok + l->t.renew_deadline_ms, now);
}

void
supervise_lease_renewed(struct supervise_lease *l, long long sent,
    enum supervise_renewal how, long long now)
{
	long	 retry = l->t.renew_interval_ms / 3;

	if (how == SUPERVISE_RENEW_LOST) {
		l->revoked = 1;
		return;
	}
	if (how == SUPERVISE_RENEWED) {
		if (sent > l->last_ok)
			l->last_ok = sent;
		l->next_try = sent + l->t.renew_interval_ms;
		return;
	}
	if (retry < SUPERVISE_RETRY_MIN_MS)
		retry = SUPERVISE_RETRY_MIN_MS;
	l->next_try = now + retry;
}

void
supervise_lease_stopped(struct supervise_lease *l, long long now)
{
	l->stopped = 1;
	l->kill_at = now + l->t.kill_after_ms;
}

void
supervise_lease_killed(struct supervise_lease *l)
{
	l->killed = 1;
}

/* --- the child's signal state --- */

int
supervise_sigstate_save(struct supervise_sigstate *s)
{
	struct sigaction	 sa;
	int			 sig;

	sigemptyset(&s->ignored);
	if (sigprocmask(SIG_SETMASK, NULL, &s->mask) == -1)
		return -1;
	for (sig = 1; sig < NSIG; sig++)
		if (sigaction(sig, NULL, &sa) == 0 &&
		    !(sa.sa_flags & SA_SIGINFO) && sa.sa_handler == SIG_IGN)
			sigaddset(&s->ignored, sig);
	return 0;
}

int
supervise_sigstate_restore(const struct supervise_sigstate *s)
{
	struct sigaction	 cur, want;
	int			 sig, rc = 0;

	memset(&want, 0, sizeof(want));
	sigemptyset(&want.sa_mask);
	for (sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP ||
		    sigaction(sig, NULL, &cur) == -1)
			continue;	/* fixed, or reserved by the libc */
		want.sa_handler = sigismember(&s->ignored, sig) == 1 ?
		    SIG_IGN : SIG_DFL;
		if ((cur.sa_flags & SA_SIGINFO) ||
		    cur.sa_handler != want.sa_handler)
			if (sigaction(sig, &want, NULL) == -1)
				rc = -1;
	}
	if (sigprocmask(SIG_SETMASK, &s->mask, NULL) == -1)
		rc = -1;
	return rc;
}

/* --- the process code --- */

/* The signals forwarded to the child's group, then SIGCHLD. */
static const int	 forwarded[] = {
	SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2
};
#define NHANDLED	(sizeof(forwarded) / sizeof(forwarded[0]) + 1)

/* Shared with the handler (one supervise_run at a time). */
static volatile sig_atomic_t	 sv_pgid;	/* 0 until the group exists */
static volatile sig_atomic_t	 sv_got;	/* first forwarded signal */
static int			 sv_pipe[2] = { -1, -1 };

/* What supervise_run changed, to put back. */
struct sv_saved {
	sigset_t		 mask;		/* the caller's */
	sigset_t		 blocked;	/* what we blocked */
	struct sigaction	 old[NHANDLED];
	size_t			 installed;	/* handlers installed */
};

static int
handled(size_t i)
{
	return i < NHANDLED - 1 ? forwarded[i] : SIGCHLD;
}

/*
 * Forward at once, from the handler: kill(2) is async-signal-safe, and a
 * renewal in progress (an HTTP request of up to the renew deadline) must
 * not delay a SIGTERM on its way to the command.  The byte wakes the loop.
 */
static void
sv_on_signal(int sig)
{
	int		 saved = errno;
	char		 b = (char)sig;
	ssize_t		 n;

	if (sig != SIGCHLD) {
		if (sv_got == 0)
			sv_got = sig;
		if (sv_pgid > 0)
			kill(-(pid_t)sv_pgid, sig);
	}
	n = write(sv_pipe[1], &b, 1);	/* a full pipe is awake already */
	(void)n;
	errno = saved;
}

/*
 * Put back what sv_setup changed.  Signals stay blocked until the old
 * handlers are back and the pipe is closed (its descriptor numbers may be
 * reused at once); one arriving now goes to the old disposition.
 */
static void
sv_teardown(struct sv_saved *s)
{
	size_t	 i;

	sigprocmask(SIG_BLOCK, &s->blocked, NULL);
	for (i = 0; i < s->installed; i++)
		sigaction(handled(i), &s->old[i], NULL);
	s->installed = 0;
	sv_pgid = 0;
	if (sv_pipe[0] != -1)
		close(sv_pipe[0]);
	if (sv_pipe[1] != -1)
		close(sv_pipe[1]);
	sv_pipe[0] = sv_pipe[1] = -1;
	sigprocmask(SIG_SETMASK, &s->mask, NULL);
}

/* Block the handled signals (and SIGTTOU), make the pipe, install handlers. */
static int
sv_setup(struct sv_saved *s, struct lerr *e)
{
	struct sigaction	 sa;
	size_t			 i;

	memset(s, 0, sizeof(*s));
	sigemptyset(&s->blocked);
	for (i = 0; i < NHANDLED; i++)
		sigaddset(&s->blocked, handled(i));
	sigaddset(&s->blocked, SIGTTOU);
	sigprocmask(SIG_BLOCK, &s->blocked, &s->mask);
	sv_got = 0;
	sv_pgid = 0;
	if (pipe2(sv_pipe, O_CLOEXEC | O_NONBLOCK) == -1) {
		lerr_set(e, LERR_INTERNAL, "cannot supervise the command: "
		    "pipe: %s", strerror(errno));
		sv_pipe[0] = sv_pipe[1] = -1;
		sv_teardown(s);
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sv_on_signal;
	sa.sa_flags = SA_RESTART;
	sigfillset(&sa.sa_mask);
	for (i = 0; i < NHANDLED; i++, s->installed++)
		if (sigaction(handled(i), &sa, &s->old[i]) == -1) {
			lerr_set(e, LERR_INTERNAL, "cannot supervise the "
			    "command: sigaction: %s", strerror(errno));
			sv_teardown(s);
			return -1;
		}
	return 0;
}

/* 1 when stdin is a terminal whose foreground group is ours. */
static int
sv_foreground_tty(void)
{
	pid_t	 fg;

	if (!isatty(STDIN_FILENO))
		return 0;
	fg = tcgetpgrp(STDIN_FILENO);
	return fg != -1 && fg == getpgrp();
}

/* The child, up to child_exec; never returns. */
static void
sv_child(const struct supervise_config *c, pid_t parent, int tty,
    const struct sv_saved *s)
{
	size_t	 i;
	int	 st;

	if (setpgid(0, 0) == -1)
		_exit(SUPERVISE_SETUP_FAILED);
	if (tty)
		(void)tcsetpgrp(STDIN_FILENO, getpid());
	/* The parent may have died before prctl: then nobody would kill us. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent)
		_exit(SUPERVISE_SETUP_FAILED);
	close(sv_pipe[0]);
	close(sv_pipe[1]);
	for (i = 0; i < NHANDLED; i++)
		signal(handled(i), s->old[i].sa_handler == SIG_IGN &&
		    !(s->old[i].sa_flags & SA_SIGINFO) ? SIG_IGN : SIG_DFL);
	sigprocmask(SIG_SETMASK, &s->mask, NULL);
	st = c->child_exec(c->child_ctx);
	_exit(st >= 0 && st <= 255 ? st : 126);
}

static void
sv_drain(void)
{
	char	 b[64];

	while (read(sv_pipe[0], b, sizeof(b)) > 0)
		continue;
}

/*
 * The child stopped.  A stop from the terminal (^Z, or SIGTTIN/SIGTTOU)
 * is undone at once: the child's group has the terminal and leader-exec
 * waits in its shell's foreground, so a stopped command would leave the
 * terminal wedged (even ^C stays pending); and suspending leader-exec too
 * would let the lease expire while the command can be resumed later.  A
 * deliberate SIGSTOP is left alone (the lease is kept, renewed).
 */
static void
sv_stopped(pid_t pid, int sig)
{
	int	 st;

	while (waitpid(pid, &st, WUNTRACED | WNOHANG) == -1 && errno == EINTR)
		continue;		/* consume the report */
	if (sig != SIGTSTP && sig != SIGTTIN && sig != SIGTTOU)
		return;
	log_msg(LOG_INFO, "the command was stopped by signal %d: resuming "
	    "it (a supervised command is not suspended)", sig);
	kill(-pid, SIGCONT);
}

/*
 * 1 when the child was reaped (or is gone: r->status -1).  With
 * kill_group, what remains of its group is SIGKILLed first, while the
 * zombie still pins the group id.  Signals are blocked while the pid is
 * freed, so the handler never signals a group whose id may be reused.
 */
static int
sv_reap(pid_t pid, const sigset_t *blocked, int kill_group,
    struct supervise_result *r)
{
	siginfo_t	 si;
	sigset_t	 was;
	pid_t		 w;
	int		 st;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WSTOPPED | WNOHANG |
	    WNOWAIT) == 0) {
		if (si.si_pid == 0)
			return 0;	/* still running */
		if (si.si_code == CLD_STOPPED) {
			sv_stopped(pid, si.si_status);
			return 0;
		}
	} else if (errno == EINTR)
		return 0;
	if (kill_group)
		kill(-pid, SIGKILL);
	sigprocmask(SIG_BLOCK, blocked, &was);
	while ((w = waitpid(pid, &st, 0)) == -1 && errno == EINTR)
		continue;
	sv_pgid = 0;
	sigprocmask(SIG_SETMASK, &was, NULL);
	if (w == -1) {
		r->status = -1;
		return 1;
	}
	r->wstatus = st;
	r->status = supervise_status(st);
	return 1;
}

/* One renewal attempt, bounded by what is left to the deadline. */
static void
sv_renew(const struct supervise_config *c, struct supervise_lease *l,
    struct supervise_result *r)
{
	struct lerr	 e = { LERR_NONE, "" };
	long long	 sent = now_ms();
	long		 budget = supervise_lease_budget(l, sent);
	int		 rc;

	if (budget <= 0)
		return;		/* the deadline passed: the loop stops it */
	rc = c->renew(c->renew_ctx, budget, &e);
	if (rc != SUPERVISE_RENEWED && rc != SUPERVISE_RENEW_LOST)
		rc = SUPERVISE_RENEW_FAILED;
	supervise_lease_renewed(l, sent, (enum supervise_renewal)rc, now_ms());
	if (rc == SUPERVISE_RENEWED) {
		r->renewals++;
		log_msg(LOG_VERBOSE, "lease renewed");
		return;
	}
	r->renew_failures++;
	r->renew_error = e;
	log_msg(LOG_INFO, "lease renewal %s: %s",
	    rc == SUPERVISE_RENEW_LOST ? "refused" : "failed, retrying",
	    e.msg[0] ? e.msg : "no reason given");
}

/* Do what the lease schedule says is due; 0 when nothing was. */
static int
sv_lease_step(const struct supervise_config *c, struct supervise_lease *l,
    pid_t pid, struct supervise_result *r, long *wait_ms)
{
	switch (supervise_lease_next(l, now_ms(), wait_ms)) {
	case SUPERVISE_WAIT:
		return 0;
	case SUPERVISE_RENEW:
		sv_renew(c, l, r);
		break;
	case SUPERVISE_STOP:
		if (l->revoked)
			log_msg(LOG_INFO, "leadership lost; stopping the "
			    "command (SIGTERM, SIGKILL after %ld ms)",
			    l->t.kill_after_ms);
		else
			log_msg(LOG_INFO, "leadership lost: no lease renewal "
			    "for %ld ms; stopping the command (SIGTERM, "
			    "SIGKILL after %ld ms)", l->t.renew_deadline_ms,
			    l->t.kill_after_ms);
		r->lost = 1;
		kill(-pid, SIGTERM);
		supervise_lease_stopped(l, now_ms());
		break;
	case SUPERVISE_KILL:
		r->killed = 1;
		kill(-pid, SIGKILL);
		supervise_lease_killed(l);
		break;
	}
	return 1;
}

/* Wait for the child, renewing, until it is reaped. */
static void
sv_loop(const struct supervise_config *c, pid_t pid, const sigset_t *blocked,
    struct supervise_result *r)
{
	struct supervise_lease	 l;
	struct pollfd		 pfd;
	long			 wait_ms;

	if (c->renew != NULL)
		supervise_lease_start(&l, &c->timing,
		    c->written_ms != 0 ? c->written_ms : now_ms());
	pfd.fd = sv_pipe[0];
	pfd.events = POLLIN;
	for (;;) {
		sv_drain();
		if (sv_reap(pid, blocked, r->lost, r))
			break;
		wait_ms = -1;
		if (c->renew != NULL && sv_lease_step(c, &l, pid, r, &wait_ms))
			continue;
		(void)poll(&pfd, 1, wait_ms > 0x7fffffffL ? -1 : (int)wait_ms);
	}
}

int
supervise_run(const struct supervise_config *c, struct supervise_result *r,
    struct lerr *e)
{
	struct sv_saved	 s;
	long long	 start;
	pid_t		 parent, pid;
	sigset_t	 unblock;
	int		 rc = -1;

	memset(r, 0, sizeof(*r));
	/* The CLI checks with the drift; a schedule must at least exist. */
	if (c->renew != NULL && supervise_timing_check(&c->timing, 0, e) == -1)
		return -1;
	if (sv_setup(&s, e) == -1)
		return -1;
	r->tty = sv_foreground_tty();
	parent = getpid();
	start = now_ms();
	fflush(NULL);
	if ((pid = fork()) == -1) {
		lerr_set(e, LERR_INTERNAL, "cannot start the command: fork: "
		    "%s", strerror(errno));
		goto out;
	}
	if (pid == 0)
		sv_child(c, parent, r->tty, &s);
	r->pid = pid;
	(void)setpgid(pid, pid);	/* either side may win the race */
	if (r->tty)
		(void)tcsetpgrp(STDIN_FILENO, pid);
	sv_pgid = pid;
	log_msg(LOG_VERBOSE, "command started: pid %ld in its own process "
	    "group%s", (long)pid, r->tty ? ", with the terminal" : "");
	unblock = s.blocked;
	sigdelset(&unblock, SIGTTOU);
	sigprocmask(SIG_UNBLOCK, &unblock, NULL);
	sv_loop(c, pid, &s.blocked, r);
	r->elapsed_ms = now_ms() - start;
	if (r->tty)
		(void)tcsetpgrp(STDIN_FILENO, getpgrp());
	if (r->status == -1) {
		lerr_set(e, LERR_INTERNAL, "lost track of the command (pid "
		    "%ld): reaped elsewhere", (long)pid);
		goto out;
	}
	rc = 0;
out:
	sv_teardown(&s);
	r->signal = sv_got;
	return rc;
}
