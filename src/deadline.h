/*
 * deadline: the overall --timeout, on the monotonic clock, and sleeps that
 * end early when the run is interrupted.
 */
#ifndef LEADER_EXEC_DEADLINE_H
#define LEADER_EXEC_DEADLINE_H

#include <time.h>

#include "err.h"

struct deadline {
	struct timespec	 end;
};

/* A deadline ms milliseconds from now. */
void	deadline_start(struct deadline *, long ms);
/* Milliseconds left, 0 when passed. */
long	deadline_left_ms(const struct deadline *);
/* min(ms, what is left). */
long	deadline_cap_ms(const struct deadline *, long ms);
/*
 * Sleep ms (capped by the deadline); returns -1 at once when the abort
 * function says so, else 0.
 */
int	deadline_sleep_ms(const struct deadline *, long ms);
/*
 * Sleep ms before the next step of a wait for waiting_for: -1 with e set
 * (LERR_DEADLINE naming --timeout timeout_ms, or LERR_SIGNAL) when the
 * deadline would pass first or the run is interrupted, else 0.
 */
int	deadline_pause(const struct deadline *, long ms, long timeout_ms,
	    const char *waiting_for, struct lerr *e);
/* Sleep ms regardless of any deadline; -1 at once when aborted, else 0. */
int	deadline_sleep_ms_unbounded(long ms);
/* The abort check used by deadline_sleep_ms (SIGINT/SIGTERM). */
void	deadline_set_abort(int (*)(void));
/* 1 when the abort check fires and aborts are not suspended. */
int	deadline_aborted(void);
/* Suspend aborts (1) while a claim is retracted after a signal, or not (0). */
void	deadline_suspend_abort(int);
/* Milliseconds on the monotonic clock (for durations in logs). */
long long now_ms(void);

#endif
