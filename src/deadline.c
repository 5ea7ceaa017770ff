/*
 * deadline: the overall --timeout, on the monotonic clock.
 */
#include <errno.h>
#include <time.h>

#include "deadline.h"
#include "err.h"

static int	(*abort_check)(void);
static int	  abort_suspended;

long long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
deadline_start(struct deadline *d, long ms)
{
	clock_gettime(CLOCK_MONOTONIC, &d->end);
	d->end.tv_sec += ms / 1000;
	d->end.tv_nsec += (ms % 1000) * 1000000L;
	if (d->end.tv_nsec >= 1000000000L) {
		d->end.tv_sec++;
		d->end.tv_nsec -= 1000000000L;
	}
}

long
deadline_left_ms(const struct deadline *d)
{
	struct timespec	 now;
	long long	 left;

	clock_gettime(CLOCK_MONOTONIC, &now);
	left = (long long)(d->end.tv_sec - now.tv_sec) * 1000 +
	    (d->end.tv_nsec - now.tv_nsec) / 1000000;
	return left > 0 ? (long)left : 0;
}

long
deadline_cap_ms(const struct deadline *d, long ms)
{
	long	 left = deadline_left_ms(d);

	return ms < left ? ms : left;
}

void
deadline_set_abort(int (*fn)(void))
{
	abort_check = fn;
}

int
deadline_aborted(void)
{
	return abort_check != NULL && !abort_suspended && abort_check();
}

void
deadline_suspend_abort(int on)
{
	abort_suspended = on;
}

int
deadline_sleep_ms(const struct deadline *d, long ms)
{
	return deadline_sleep_ms_unbounded(deadline_cap_ms(d, ms));
}

int
deadline_sleep_ms_unbounded(long ms)
{
	long	 left = ms;

	/*
	 * Sleep in slices: a signal interrupts nanosleep at once, and one
	 * that lands between the check and the sleep is seen within a
	 * slice.  250 ms: a standby polling every lease/3 wakes 4 times a
	 * second, not 20 (tests/integration/standby_cost.py).
	 */
	while (left > 0) {
		long		 slice = left < 250 ? left : 250;
		struct timespec	 ts = { 0, slice * 1000000L };

		if (deadline_aborted())
			return -1;
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
			if (deadline_aborted())
				return -1;
		left -= slice;
	}
	return deadline_aborted() ? -1 : 0;
}

int
deadline_pause(const struct deadline *d, long ms, long timeout_ms,
    const char *waiting_for, struct lerr *e)
{
	if (deadline_left_ms(d) <= ms) {
		lerr_set(e, LERR_DEADLINE, "no certain answer before the "
		    "deadline (--timeout %ld s): %s", timeout_ms / 1000,
		    waiting_for);
		return -1;
	}
	if (deadline_sleep_ms(d, ms) == -1) {
		lerr_set(e, LERR_SIGNAL, "interrupted");
		return -1;
	}
	return 0;
}
