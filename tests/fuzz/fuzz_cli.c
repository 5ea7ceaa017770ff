/*
 * fuzz_cli: libFuzzer target for cli.c.
 *
 * The input, split at NUL bytes, is the argument list after argv[0] (at
 * most MAX_ARGS - 1 of them, each in its own heap block so ASan bounds
 * it; a final NUL adds no empty argument, "" gives none).
 * After cli_parse() accepts it the options must obey every rule cli.c
 * enforces: a valid name and tag key "leader-exec:<name>", settle shorter
 * than the timeout and both in range, a valid epoch, region and scope, an
 * allowed follower exit status, a command exactly when the mode runs one,
 * borrowed from argv and NULL-terminated.  A refusal must give a reason.
 * cli_parse_duration() is run on every argument too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "election.h"
#include "fuzz.h"

#define MAX_ARGS	64
#define ERRLEN		256

static int
name_ok(const char *s)
{
	size_t	 n;

	for (n = 0; s[n] != '\0'; n++)
		if (!((s[n] >= 'A' && s[n] <= 'Z') ||
		    (s[n] >= 'a' && s[n] <= 'z') ||
		    (s[n] >= '0' && s[n] <= '9') || s[n] == '.' ||
		    s[n] == '_' || s[n] == '-'))
			return 0;
	return n >= 1 && n <= CLI_NAME_MAX;
}

static int
region_ok(const char *s)
{
	size_t	 n;

	for (n = 0; s[n] != '\0'; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') ||
		    (s[n] >= '0' && s[n] <= '9') || s[n] == '-'))
			return 0;
	return n >= 1 && n < 32;
}

static int
no_controls(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* p points into one of the arguments (not argv[0]). */
static int
borrowed(const char *p, char **argv, int argc)
{
	int	 i;

	for (i = 1; i < argc; i++)
		if (p >= argv[i] && p <= argv[i] + strlen(argv[i]))
			return 1;
	return 0;
}

static void
check_options(const struct options *o, char **argv, int argc)
{
	char	 key[sizeof(o->tag_key)];
	int	 i;

	FUZZ_CHECK(o->mode >= MODE_RUN && o->mode <= MODE_VERSION);
	FUZZ_CHECK(o->command >= argv + 1 && o->command <= argv + argc);
	FUZZ_CHECK(o->ncommand == argc - (int)(o->command - argv));
	FUZZ_CHECK(o->command[o->ncommand] == NULL);
	for (i = 0; i < o->ncommand; i++)
		touch(o->command[i]);
	FUZZ_CHECK(o->verbose >= 0 && o->verbose < 1 << 20);
	FUZZ_CHECK(memchr(o->name, '\0', sizeof(o->name)) != NULL &&
	    name_ok(o->name));
	FUZZ_CHECK(o->manifest == NULL ||
	    (o->manifest[0] != '\0' && borrowed(o->manifest, argv, argc)));
	/* --help and --version stop before the cross-option rules. */
	if (o->mode == MODE_HELP || o->mode == MODE_VERSION)
		return;

	snprintf(key, sizeof(key), "%s%s", CLI_TAG_PREFIX, o->name);
	FUZZ_CHECK(strcmp(o->tag_key, key) == 0);
	FUZZ_CHECK(strncmp(o->tag_key, "leader-exec:", 12) == 0);
	FUZZ_CHECK(o->settle_ms >= 0 && o->settle_ms <= 600000);
	FUZZ_CHECK(o->timeout_ms >= 1 && o->timeout_ms <= CLI_MAX_TIMEOUT_MS);
	FUZZ_CHECK(o->settle_ms < o->timeout_ms);
	FUZZ_CHECK(memchr(o->epoch, '\0', sizeof(o->epoch)) != NULL);
	FUZZ_CHECK(o->epoch[0] == '\0' || election_valid_epoch(o->epoch));
	FUZZ_CHECK(o->epoch_set || o->epoch[0] == '\0');
	FUZZ_CHECK(o->region[0] == '\0' || region_ok(o->region));
	if (o->scope_set) {
		FUZZ_CHECK(o->scope_key[0] != '\0' && o->scope_value[0] != '\0');
		FUZZ_CHECK(memchr(o->scope_key, '\0', sizeof(o->scope_key)));
		FUZZ_CHECK(memchr(o->scope_value, '\0',
		    sizeof(o->scope_value)));
		FUZZ_CHECK(no_controls(o->scope_key) &&
		    no_controls(o->scope_value));
	} else
		FUZZ_CHECK(o->scope_key[0] == '\0' &&
		    o->scope_value[0] == '\0');
	FUZZ_CHECK(o->follower_exit >= 0 && o->follower_exit <= 255 &&
	    !cli_reserved_status(o->follower_exit));
	FUZZ_CHECK(o->on_error >= ON_ERROR_FAIL &&
	    o->on_error <= ON_ERROR_SKIP);
	if (o->mode == MODE_RUN) {
		FUZZ_CHECK(o->ncommand >= 1 && o->command[0] != NULL);
	} else {
		FUZZ_CHECK(o->ncommand == 0);
		FUZZ_CHECK(!o->all);
	}
	FUZZ_CHECK(!o->json || o->mode == MODE_STATUS);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct options	 o;
	char		*argv[MAX_ARGS + 1], err[ERRLEN];
	size_t		 start = 0, i, n;
	long		 ms;
	int		 argc = 0, rc, k;

	memset(argv, 0, sizeof(argv));
	if ((argv[argc++] = strdup("leader-exec")) == NULL)
		return 0;
	/* Arguments end at each NUL and at the end of the input. */
	for (i = 0; i <= size && argc < MAX_ARGS; i++) {
		if (i < size && data[i] != '\0')
			continue;
		if (i == size && i == start)
			break;	/* no empty argument after a final NUL */
		n = i - start;
		if ((argv[argc] = malloc(n + 1)) == NULL)
			goto out;
		memcpy(argv[argc], data + start, n);
		argv[argc++][n] = '\0';
		start = i + 1;
	}
	argv[argc] = NULL;

	for (k = 1; k < argc; k++) {
		ms = cli_parse_duration(argv[k]);
		FUZZ_CHECK(ms >= -1);
	}

	memset(err, 'x', sizeof(err));
	rc = cli_parse(argc, argv, &o, err, sizeof(err));
	FUZZ_CHECK(rc == 0 || rc == -1);
	FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL);
	if (rc == 0) {
		FUZZ_CHECK(err[0] == '\0');
		check_options(&o, argv, argc);
	} else
		FUZZ_CHECK(err[0] != '\0');
 out:
	for (k = 0; k < argc; k++)
		free(argv[k]);
	return 0;
}
