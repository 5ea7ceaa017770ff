/*
 * leader-exec: run a command on one elected instance of an EC2 group.
 *
 * The only file that exits or execs.  Parses the command line, reads the
 * environment, runs the election (leader.c), reports the one error that
 * ended it, then prints, exits or execs as the mode says.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "deadline.h"
#include "err.h"
#include "http.h"
#include "leader.h"
#include "log.h"
#include "report.h"
#include "supervise.h"
#include "util.h"

/*
 * The signals that end a run (issue 11 item 7), and SIGPIPE, which a run
 * ignores; their dispositions at start are restored exactly before exec
 * (item 8), as is the signal mask, which a run never changes otherwise.
 * caught[] is the head of touched[], so saved_action[i] is caught[i]'s.
 */
static const int		 caught[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
static const int		 touched[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT,
				    SIGPIPE };
static struct sigaction		 saved_action[nitems(touched)];
static sigset_t			 saved_mask;
static int			 saved_dumpable = -1;
static volatile sig_atomic_t	 got_signal;
/* The signal mask and ignored signals leader-exec started with. */
static struct supervise_sigstate start_signals;
/* The descriptors leader-exec was started with (the command's to inherit). */
#define FD_TRACKED	1024
static unsigned char	 start_fds[FD_TRACKED / 8];

/* Call fn for every open descriptor above 2 (from /proc/self/fd). */
static void
each_fd(void (*fn)(int))
{
	DIR		*d;
	struct dirent	*de;
	int		 dfd, fd;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return;
	dfd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		fd = atoi(de->d_name);
		if (fd > 2 && fd != dfd)
			fn(fd);
	}
	closedir(d);
}

static void
note_start_fd(int fd)
{
	if (fd < FD_TRACKED)
		start_fds[fd / 8] |= 1u << (fd % 8);
}

static void
cloexec_own_fd(int fd)
{
	int	 flags;

	if (fd >= FD_TRACKED || (start_fds[fd / 8] & (1u << (fd % 8))))
		return;
	if ((flags = fcntl(fd, F_GETFD)) != -1)
		fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

static void
on_signal(int sig)
{
	got_signal = sig;
}

static int
interrupted(void)
{
	return got_signal != 0;
}

static int64_t
wall_clock(void)
{
	return (int64_t)time(NULL);
}

/*
 * Record the dispositions and mask leader-exec was started with, then
 * catch the signals that end a run.  One ignored at start (nohup, trap '')
 * stays ignored: whoever started us asked not to be stopped by it.
 */
static void
install_signals(void)
{
	struct sigaction	 sa;
	size_t			 i;

	sigprocmask(SIG_BLOCK, NULL, &saved_mask);
	for (i = 0; i < nitems(touched); i++)
		sigaction(touched[i], NULL, &saved_action[i]);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < nitems(caught); i++)
		if (saved_action[i].sa_handler != SIG_IGN)
			sigaction(caught[i], &sa, NULL);
	/* A peer closing a TLS connection must be an error, not our death. */
	signal(SIGPIPE, SIG_IGN);
	deadline_set_abort(interrupted);
	http_set_abort(deadline_aborted);
}

/*
 * The last moment a signal can stop the command: with the caught signals
 * blocked, look whether one arrived (-1: do not exec), then put back the
 * dispositions and the mask of the start.  A signal that arrives after
 * the look stays pending until the mask is restored and then acts as it
 * would have on the command: its default or the disposition we inherited.
 */
static int
block_and_check_signals(void)
{
	sigset_t	 block;
	size_t		 i;

	sigemptyset(&block);
	for (i = 0; i < nitems(caught); i++)
		sigaddset(&block, caught[i]);
	sigprocmask(SIG_BLOCK, &block, NULL);
	return got_signal != 0 ? -1 : 0;
}

static int
restore_signals(void)
{
	size_t		 i;

	if (block_and_check_signals() == -1)
		return -1;
	for (i = 0; i < nitems(touched); i++)
		sigaction(touched[i], &saved_action[i], NULL);
	if (saved_dumpable != -1)
		prctl(PR_SET_DUMPABLE, saved_dumpable, 0, 0, 0);
	sigprocmask(SIG_SETMASK, &saved_mask, NULL);
	return 0;
}

/*
 * No core dump and no ptrace by others while credentials and tokens are
 * in memory (issue 11 item 9); restore_signals() puts it back for exec.
 */
static void
hide_secrets(void)
{
	saved_dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	if (saved_dumpable != -1)
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

static void
read_env(struct runenv *env)
{
	const char	*v;

	memset(env, 0, sizeof(*env));
	env->imds_endpoint = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	v = getenv("AWS_EC2_METADATA_DISABLED");
	env->imds_disabled = v != NULL && strcasecmp(v, "true") == 0;
	env->ec2_endpoint = getenv("AWS_ENDPOINT_URL_EC2");
	env->s3_endpoint = getenv("AWS_ENDPOINT_URL_S3");
	env->elbv2_endpoint =
	    getenv("AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2");
	env->as_endpoint = getenv("AWS_ENDPOINT_URL_AUTOSCALING");
	env->any_endpoint = getenv("AWS_ENDPOINT_URL");
	env->region = getenv("AWS_REGION");
	env->region_var = "AWS_REGION";
	if (env->region == NULL || env->region[0] == '\0') {
		env->region = getenv("AWS_DEFAULT_REGION");
		env->region_var = "AWS_DEFAULT_REGION";
	}
	env->manifest = getenv("LEADER_EXEC_MANIFEST");
	env->ca_file = getenv("SSL_CERT_FILE");
	env->ca_dir = getenv("SSL_CERT_DIR");
	env->wall_clock = wall_clock;
}

static int
write_out(const struct buf *b)
{
	if (b->len > 0 && fwrite(b->data, 1, b->len, stdout) != b->len)
		return -1;
	return fflush(stdout) == 0 ? 0 : -1;
}

/* The command's environment: who leads, as DESIGN.md section 4 says. */
static int
set_child_env(const struct options *o, const struct leader_result *r,
    int is_leader)
{
	char	 term[32];

	snprintf(term, sizeof(term), "%" PRId64, r->term);
	if (setenv("EB_IS_COMMAND_LEADER", is_leader ? "true" : "false", 1) ||
	    setenv("LEADER_EXEC_LEADER_ID", r->leader_id, 1) ||
	    setenv("LEADER_EXEC_TERM", term, 1) ||
	    setenv("LEADER_EXEC_NAME", o->name, 1) ||
	    setenv("LEADER_EXEC_STORE", r->store_desc, 1))
		return -1;
	if (r->epoch[0] != '\0')
		return setenv("LEADER_EXEC_EPOCH", r->epoch, 1);
	return unsetenv("LEADER_EXEC_EPOCH");
}

/* exec in place; returns only on failure, with env(1)'s statuses. */
static int
run_command(const struct options *o)
{
	int	 saved;

	fflush(stdout);
	fflush(stderr);
	if (restore_signals() == -1) {
		fprintf(stderr, "leader-exec: interrupted before the command "
		    "started; it was not run\n");
		return LERR_SIGNAL;
	}
	execvp(o->command[0], o->command);
	saved = errno;
	fprintf(stderr, "leader-exec: %s: %s\n", o->command[0],
	    strerror(saved));
	return saved == ENOENT ? 127 : 126;
}

/* In the supervised child: the start signal state, then exec. */
static int
child_exec(void *ctx)
{
	const struct options	*o = ctx;
	int			 saved;

	if (supervise_sigstate_restore(&start_signals) == -1) {
		fprintf(stderr, "leader-exec: cannot restore the signal "
		    "state for %s\n", o->command[0]);
		return 126;
	}
	execvp(o->command[0], o->command);
	saved = errno;
	fprintf(stderr, "leader-exec: %s: %s\n", o->command[0],
	    strerror(saved));
	return saved == ENOENT ? 127 : 126;
}

/* The supervisor's renewal: lost for good when another writer replaced us. */
static int
renew_lease(void *ctx, long budget_ms, struct lerr *e)
{
	if (leader_renew(ctx, budget_ms, e) == 0)
		return SUPERVISE_RENEWED;
	return e->cls == LERR_LOST ? SUPERVISE_RENEW_LOST :
	    SUPERVISE_RENEW_FAILED;
}

/* The lease timing from --lease and --kill-after (DESIGN.md section 8). */
static void
lease_timing(const struct options *o, long lease_ms,
    struct supervise_timing *t)
{
	supervise_timing_default(lease_ms, t);
	if (o->kill_after_ms >= 0)
		t->kill_after_ms = o->kill_after_ms;
}

/* --protect: clear the protection after the command; a failure is logged. */
static void
unprotect(struct leader_session *s)
{
	struct lerr	 e = { LERR_NONE, "" };

	if (leader_protect(s, 0, &e) == -1)
		fprintf(stderr, "leader-exec: could not clear the scale-in "
		    "protection: %s\n", e.msg);
}

/*
 * The leader's command as a supervised child: the lease renewed while it
 * runs, its outcome recorded after.  The command's status, 128 + N for a
 * death by signal N, 119 when leadership was lost and it was stopped.
 */
static int
run_supervised(const struct options *o, const struct leader_result *res,
    struct leader_session *s)
{
	struct supervise_config	 sc;
	struct supervise_result	 sr;
	struct lerr		 e = { LERR_NONE, "" };

	memset(&sc, 0, sizeof(sc));
	sc.child_exec = child_exec;
	sc.child_ctx = (void *)o;
	sc.renew = renew_lease;
	sc.renew_ctx = s;
	lease_timing(o, res->lease_ms, &sc.timing);
	sc.written_ms = res->lease_written_ms;
	if (leader_protect(s, 1, &e) == -1) {
		fprintf(stderr, "leader-exec: %s%s\n", e.msg,
		    o->on_error == ON_ERROR_RUN ? "; running unprotected as "
		    "--on-error run says" : "");
		if (o->on_error != ON_ERROR_RUN) {
			leader_abandon(s);
			return e.cls;
		}
	}
	/* Our connections stay ours: none reaches the command. */
	each_fd(cloexec_own_fd);
	fflush(stdout);
	fflush(stderr);
	/*
	 * A signal that came before this point ends the run: nothing starts.
	 * One that comes later stays pending until supervise_run's handlers
	 * take over, and then reaches the command.
	 */
	if (block_and_check_signals() == -1) {
		fprintf(stderr, "leader-exec: interrupted before the command "
		    "started; it was not run\n");
		leader_abandon(s);
		return LERR_SIGNAL;
	}
	if (supervise_run(&sc, &sr, &e) == -1) {
		fprintf(stderr, "leader-exec: %s\n", e.msg);
		unprotect(s);
		leader_abandon(s);
		return e.cls;
	}
	unprotect(s);
	if (sr.lost) {
		fprintf(stderr, "leader-exec: leadership lost: no lease renewal "
		    "succeeded for %ld ms (%s); %s was stopped\n",
		    sc.timing.renew_deadline_ms, sr.renew_error.msg[0] ?
		    sr.renew_error.msg : "no answer", o->command[0]);
		return LERR_LOST;
	}
	if (leader_finish(s, sr.status, &e) == -1) {
		fprintf(stderr, "leader-exec: %s exited %d, but %s\n",
		    o->command[0], sr.status, e.msg);
		return sr.status != 0 ? sr.status : (int)e.cls;
	}
	return sr.status;
}

/* The one line per decision, with its reason. */
static void
log_decision(const struct options *o, const struct leader_result *r)
{
	char	 ctx[160] = "";

	if (r->term != 0 || r->epoch[0] != '\0')
		snprintf(ctx, sizeof(ctx), " (term %" PRId64 "%s%s)", r->term,
		    r->epoch[0] ? ", epoch " : "", r->epoch);
	if (r->self_id[0] == '\0')
		log_msg(LOG_INFO, "%s: %s", o->name, r->reason);
	else if (r->done && r->leader_id[0] == '\0')
		log_msg(LOG_INFO, "%s: %s: nothing to do: %s", o->name,
		    r->self_id, r->reason);
	else if (r->verdict == VERDICT_LEADER)
		log_msg(LOG_INFO, "%s: %s leader%s: %s", o->name, r->self_id,
		    ctx, r->reason);
	else if (r->verdict == VERDICT_FOLLOWER)
		log_msg(LOG_INFO, "%s: %s follower of %s%s: %s", o->name,
		    r->self_id, r->leader_id[0] ? r->leader_id : "(unknown)",
		    ctx, r->reason);
	else
		log_msg(LOG_INFO, "%s: %s undecided%s: %s", o->name,
		    r->self_id, ctx, r->reason);
}

int
main(int argc, char *argv[])
{
	struct options		 o;
	struct runenv		 env;
	struct leader_result	 res;
	struct lerr		 e = { LERR_NONE, "" };
	struct buf		 out;
	struct leader_session	*session = NULL;
	struct supervise_timing	 timing;
	const char		*v;
	char			 err[300];
	int			 is_leader, status;

	if (cli_parse(argc, argv, &o, err, sizeof(err)) == -1) {
		fprintf(stderr, "leader-exec: %s\n", err);
		return LERR_USAGE;
	}
	if (o.mode == MODE_HELP) {
		fputs(cli_help, stdout);
		return fflush(stdout) == 0 ? 0 : LERR_INTERNAL;
	}
	if (o.mode == MODE_VERSION) {
		printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
		return fflush(stdout) == 0 ? 0 : LERR_INTERNAL;
	}
	if (!o.store_set && (v = getenv("LEADER_EXEC_STORE")) != NULL &&
	    v[0] != '\0' && cli_parse_store("LEADER_EXEC_STORE", v, &o.store,
	    err, sizeof(err)) == -1) {
		fprintf(stderr, "leader-exec: %s\n", err);
		return LERR_USAGE;
	}
	if (o.rolling > 0 && o.store.kind != STORE_S3) {
		fprintf(stderr, "leader-exec: --rolling needs --store s3 (or "
		    "s3://BUCKET): EC2 tags have no compare-and-swap, so the "
		    "tags store cannot keep slots exclusive\n");
		return LERR_USAGE;
	}
	if (o.store.kind == STORE_S3 || o.hold || o.standby || o.wait) {
		lease_timing(&o, o.lease_ms, &timing);
		if (supervise_timing_check(&timing, SUPERVISE_DRIFT_MS,
		    &e) == -1) {
			fprintf(stderr, "leader-exec: %s\n", e.msg);
			return LERR_USAGE;
		}
	}
	log_set_level(o.verbose);
	each_fd(note_start_fd);
	if (supervise_sigstate_save(&start_signals) == -1) {
		fprintf(stderr, "leader-exec: cannot read the signal state\n");
		return LERR_INTERNAL;
	}
	hide_secrets();
	install_signals();
	srandom((unsigned)getpid() ^ (unsigned)time(NULL));
	read_env(&env);
	if (http_global_init() == -1) {
		fprintf(stderr, "leader-exec: cannot initialise libcurl\n");
		return LERR_INTERNAL;
	}

	status = leader_run(&o, &env, &res, &session, &e) == 0 ? 0 : -1;
	/*
	 * A signal while a follower retracted (aborts are suspended then) or
	 * after the last answer still ends the run: nothing is acted on, and
	 * a lease this run took is given back.
	 */
	if (status == 0 && interrupted()) {
		status = -1;
		lerr_set(&e, LERR_SIGNAL, "interrupted (signal %d) after the "
		    "decision; acting on nothing", (int)got_signal);
		leader_abandon(session);
	}
	if (status == -1) {
		fprintf(stderr, "leader-exec: %s\n", e.msg);
		if (e.cls == LERR_SIGNAL || o.on_error == ON_ERROR_FAIL ||
		    o.mode == MODE_STATUS || e.cls == LERR_LEADER_FAILED ||
		    e.cls == LERR_QUORUM) {
			leader_close(session);
			leader_result_free(&res);
			http_global_cleanup();
			return e.cls;
		}
		leader_close(session);
		session = NULL;
		res.verdict = o.on_error == ON_ERROR_RUN ? VERDICT_LEADER :
		    VERDICT_FOLLOWER;
		snprintf(res.reason, sizeof(res.reason), "leadership unknown, "
		    "acting as %s as --on-error %s says",
		    res.verdict == VERDICT_LEADER ? "leader" : "follower",
		    o.on_error == ON_ERROR_RUN ? "run" : "skip");
	}
	is_leader = res.verdict == VERDICT_LEADER;
	if (o.mode != MODE_STATUS)
		log_decision(&o, &res);

	buf_init(&out, 64 * 1024 * 1024);
	status = 0;
	switch (o.mode) {
	case MODE_STATUS:
		if ((o.json ? report_status_json(&o, &res, &out) :
		    report_status_text(&o, &res, &out)) == -1 ||
		    write_out(&out) == -1) {
			fprintf(stderr, "leader-exec: cannot write the status\n");
			status = LERR_INTERNAL;
		}
		break;
	case MODE_CHECK:
		status = is_leader ? 0 : 1;
		break;
	case MODE_EXPORT:
		if (report_export(&o, &res, is_leader, &out) == -1 ||
		    write_out(&out) == -1) {
			fprintf(stderr, "leader-exec: cannot write to stdout\n");
			status = LERR_INTERNAL;
		}
		break;
	case MODE_RUN:
		if (o.dry_run) {
			log_msg(LOG_INFO, "dry run: would %s %s",
			    is_leader || o.all ? "run" :
			    res.verdict == VERDICT_NONE ? "claim, and once "
			    "confirmed run," : "not run", o.command[0]);
			break;
		}
		if (!is_leader && !o.all) {
			status = o.follower_exit;
			break;
		}
		if (set_child_env(&o, &res, is_leader) == -1) {
			fprintf(stderr, "leader-exec: cannot set the command's "
			    "environment\n");
			status = LERR_INTERNAL;
			break;
		}
		buf_free(&out);
		if (is_leader && res.supervise) {
			status = run_supervised(&o, &res, session);
			break;
		}
		leader_close(session);
		http_global_cleanup();
		leader_result_free(&res);
		return run_command(&o);
	case MODE_HELP:
	case MODE_VERSION:
		break;
	}
	leader_close(session);
	http_global_cleanup();
	leader_result_free(&res);
	buf_free(&out);
	return status;
}
