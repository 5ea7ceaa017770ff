/*
 * err: an error travelling back to main.c, which reports it once.
 *
 * A failing function fills a struct lerr with the class of the failure
 * (which decides the exit status) and one line of text that names the
 * cause and, where there is one, the fix.  Nothing below main.c prints
 * an error itself; log.c is for progress and reasons only.
 */
#ifndef LEADER_EXEC_ERR_H
#define LEADER_EXEC_ERR_H

#include <stddef.h>

/*
 * Exit statuses of leader-exec itself.  Chosen so that none collides with
 * the follower's default 0, the --check follower status 1, or the 126/127
 * of a command that cannot be run.  Documented in --help, the man page's
 * EXIT STATUS and the README; tests/unit/test_cli.c keeps them distinct.
 */
enum lerr_class {
	LERR_NONE = 0,
	LERR_USAGE = 2,		/* bad option or value */
	LERR_IMDS = 111,	/* instance metadata unreachable or invalid */
	LERR_CREDS = 112,	/* no usable credentials, or rejected (AuthFailure) */
	LERR_PERM = 113,	/* the IAM policy lacks an action (UnauthorizedOperation) */
	LERR_EC2 = 114,		/* EC2 API unreachable, failing or answering nonsense */
	LERR_SCOPE = 115,	/* the group cannot be determined */
	LERR_DEADLINE = 116,	/* no certain answer before --timeout */
	LERR_SIGNAL = 117,	/* interrupted by SIGINT/SIGTERM */
	LERR_INTERNAL = 118,	/* out of memory or a bug */
	LERR_LOST = 119,	/* leadership lost while the command ran */
	LERR_LEADER_FAILED = 120, /* --wait: the leader's command failed */
	LERR_QUORUM = 121	/* --quorum not reached before --timeout */
};

struct lerr {
	enum lerr_class	 cls;
	char		 msg[512];
};

/* Record an error (first one wins: later calls do not overwrite it). */
void	lerr_set(struct lerr *, enum lerr_class, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/*
 * For the pure modules that report a reason in a caller's buffer: format
 * it into err (errlen bytes; nothing when err is NULL or errlen 0).
 * Always -1, for "return err_reason(err, errlen, ...)".
 */
int	err_reason(char *err, size_t errlen, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* Forget any recorded error. */
void	lerr_clear(struct lerr *);
/* A short name for a class, e.g. "metadata" (for logs and --status). */
const char *lerr_class_name(enum lerr_class);

#endif
