/*
 * timeit: run one command and report its cost, for bench/bench.py.
 *
 *   timeit [-t SECONDS] [-o FILE] [-e FILE] -- command [arg ...]
 *
 * Prints one line: "rc wall_s user_s sys_s maxrss_kib timed_out", where
 * wall is from just before fork(2) to wait4(2) returning, user/sys/maxrss
 * come from wait4's rusage (the child and every process it waited for),
 * and rc is the exit status (128+N for a signal).  The command's stdin is
 * /dev/null, its stdout/stderr go to the files (default /dev/null).
 *
 * Why a separate process: Linux carries the RSS high-water mark of the
 * memory a process had before execve(2) into its ru_maxrss, so a command
 * started straight from the Python harness (~200 MB) would report the
 * harness's RSS as its own.  Started from this small process, it reports
 * its own.  After -t seconds the child gets SIGKILL (timed_out 1).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t	 expired;

static void
on_alarm(int sig)
{
	(void)sig;
	expired = 1;
}

static int
redirect(const char *path, int fd, int flags)
{
	int	 f;

	if ((f = open(path, flags, 0644)) == -1)
		return -1;
	if (f != fd) {
		if (dup2(f, fd) == -1)
			return -1;
		close(f);
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	const char		*out = "/dev/null", *err = "/dev/null";
	struct timespec		 t0, t1;
	struct sigaction	 sa;
	struct rusage		 ru;
	pid_t			 pid, w;
	double			 wall;
	long			 timeout = 600;
	int			 ch, status, rc, killed = 0;

	while ((ch = getopt(argc, argv, "+e:o:t:")) != -1) {
		switch (ch) {
		case 'e':
			err = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 't':
			timeout = strtol(optarg, NULL, 10);
			break;
		default:
			goto usage;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || timeout < 1 || timeout > 86400)
		goto usage;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);		/* no SA_RESTART: wait4 wakes */

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((pid = fork()) == -1) {
		perror("timeit: fork");
		return 125;
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (redirect("/dev/null", 0, O_RDONLY) == -1 ||
		    redirect(out, 1, O_WRONLY | O_CREAT | O_TRUNC) == -1 ||
		    redirect(err, 2, O_WRONLY | O_CREAT | O_TRUNC) == -1)
			_exit(125);
		execvp(argv[0], argv);
		_exit(errno == ENOENT ? 127 : 126);
	}
	alarm((unsigned)timeout);
	for (;;) {
		w = wait4(pid, &status, 0, &ru);
		if (w == pid)
			break;
		if (w == -1 && errno == EINTR) {
			if (expired && !killed) {
				kill(pid, SIGKILL);
				killed = 1;
			}
			continue;
		}
		perror("timeit: wait4");
		return 125;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	alarm(0);
	wall = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	rc = WIFEXITED(status) ? WEXITSTATUS(status) :
	    WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 255;
	printf("%d %.6f %.6f %.6f %ld %d\n", rc, wall,
	    ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
	    ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6, ru.ru_maxrss,
	    killed);
	return 0;
usage:
	fprintf(stderr, "usage: timeit [-t seconds] [-o file] [-e file] -- "
	    "command [arg ...]\n");
	return 125;
}
