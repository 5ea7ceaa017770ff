/*
 * log: progress and reasons on stderr, one line each, prefixed
 * "leader-exec: ".  Never given secrets.  Errors are not logged here:
 * main.c reports the one error that ends a run.
 */
#ifndef LEADER_EXEC_LOG_H
#define LEADER_EXEC_LOG_H

enum log_level {
	LOG_INFO = 0,		/* decisions, claims, retractions, warnings */
	LOG_VERBOSE = 1,	/* -v: each step */
	LOG_TRACE = 2		/* -vv: each HTTP request */
};

/* Print messages up to this level (the -v count). */
void	log_set_level(int);
/* 1 when messages of this level are printed. */
int	log_enabled(enum log_level);
/* Print one line at level lvl. */
void	log_msg(enum log_level lvl, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
