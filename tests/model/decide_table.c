/*
 * decide_table: run the cases of tests/model/cases.txt through
 * election_decide() and print one line per case, in the format the Promela
 * harness (decide_table.pml) prints for the same cases, so that check.sh
 * can require the C decision and the model's decision to agree.
 *
 * Usage: decide_table cases.txt
 * Output: "case N: OUTCOME leader=ID term=T claim=C retract=R" per case,
 * with ID "-" when there is no leader.  Exit 0, or 1 on a malformed case.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "election.h"

#define KEY		"leader-exec:command"
#define MAX_FIELDS	64

/*
 * src/err.h shadows <err.h> on the include path, so report failures here:
 * one line on stderr, exit 1.  With errnum non-zero, its text is appended.
 */
static void
fail(int errnum, const char *what)
{
	if (errnum != 0)
		fprintf(stderr, "decide_table: %s: %s\n", what,
		    strerror(errnum));
	else
		fprintf(stderr, "decide_table: %s\n", what);
	exit(1);
}

static int
parse_int(const char *s, int64_t *v)
{
	char		*end;
	long long	 n;

	errno = 0;
	n = strtoll(s, &end, 10);
	if (s[0] == '\0' || *end != '\0' || errno != 0)
		return -1;
	*v = n;
	return 0;
}

/* "id:state:launch:tag" into in; 0 or -1. */
static int
parse_instance(char *spec, struct instance *in)
{
	char		*id, *state, *launch, *tag;
	int64_t		 t;

	id = spec;
	if ((state = strchr(id, ':')) == NULL)
		return -1;
	*state++ = '\0';
	if ((launch = strchr(state, ':')) == NULL)
		return -1;
	*launch++ = '\0';
	if ((tag = strchr(launch, ':')) == NULL)
		return -1;
	*tag++ = '\0';
	if (id[0] == '\0' || strlen(id) >= sizeof(in->id))
		return -1;
	memcpy(in->id, id, strlen(id) + 1);
	if ((in->state = instance_state_from_name(state)) == STATE_UNKNOWN)
		return -1;
	if (parse_int(launch, &t) == -1)
		return -1;
	in->launch_time = t;
	/* An unrelated tag first, so the lookup must search by key. */
	if ((in->tags = calloc(2, sizeof(*in->tags))) == NULL)
		fail(errno, "out of memory");
	if ((in->tags[0].key = strdup("elasticbeanstalk:environment-id")) ==
	    NULL || (in->tags[0].value = strdup("e-model")) == NULL)
		fail(errno, "out of memory");
	in->ntags = 1;
	if (strcmp(tag, "-") != 0) {
		if ((in->tags[1].key = strdup(KEY)) == NULL ||
		    (in->tags[1].value = strdup(tag)) == NULL)
			fail(errno, "out of memory");
		in->ntags = 2;
	}
	return 0;
}

/* Decide one case line (modified in place); 0 or -1 when malformed. */
static int
run_case(char *line, unsigned n)
{
	char			*field[MAX_FIELDS], *p;
	struct election_input	 in;
	struct election		 out;
	struct group		 g;
	int64_t			 now, patient, ranks;
	size_t			 nf = 0, i;
	int			 rc = -1;

	/* Split on blanks, in place. */
	for (p = line + strspn(line, " \t"); *p != '\0';
	    p += strspn(p, " \t")) {
		if (nf == MAX_FIELDS)
			return -1;
		field[nf++] = p;
		p += strcspn(p, " \t");
		if (*p != '\0')
			*p++ = '\0';
	}
	if (nf < 5 || parse_int(field[2], &now) == -1 ||
	    parse_int(field[3], &patient) == -1 ||
	    parse_int(field[4], &ranks) == -1 || ranks < 0)
		return -1;
	memset(&g, 0, sizeof(g));
	g.ninst = g.cap = nf - 5;
	if ((g.inst = calloc(g.ninst ? g.ninst : 1, sizeof(*g.inst))) == NULL)
		fail(errno, "out of memory");
	for (i = 0; i < g.ninst; i++)
		if (parse_instance(field[5 + i], &g.inst[i]) == -1)
			goto out;

	memset(&in, 0, sizeof(in));
	in.group = &g;
	in.self_id = field[0];
	in.tag_key = KEY;
	in.epoch = strcmp(field[1], "-") == 0 ? NULL : field[1];
	in.now = now;
	in.patient = patient != 0;
	in.claim_ranks = (size_t)ranks;
	if (election_decide(&in, &out) == -1)
		fail(errno, "election_decide: out of memory");
	printf("case %u: %s leader=%s term=%" PRId64 " claim=%" PRId64
	    " retract=%d\n", n, election_outcome_name(out.outcome),
	    out.leader ? out.leader->id : "-", out.leader_term,
	    out.claim_term, out.retract);
	election_free(&out);
	rc = 0;
out:
	group_free(&g);
	return rc;
}

int
main(int argc, char *argv[])
{
	FILE		*f;
	char		*line = NULL;
	size_t		 cap = 0;
	ssize_t		 len;
	unsigned	 n = 0, lineno = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: decide_table cases.txt\n");
		return 1;
	}
	if ((f = fopen(argv[1], "r")) == NULL)
		fail(errno, argv[1]);
	while ((len = getline(&line, &cap, f)) != -1) {
		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[len - 1] = '\0';
		if (line[strspn(line, " \t")] == '\0' || line[0] == '#')
			continue;
		if (run_case(line, ++n) == -1) {
			fprintf(stderr, "decide_table: %s:%u: malformed case\n",
			    argv[1], lineno);
			free(line);
			fclose(f);
			return 1;
		}
	}
	if (ferror(f))
		fail(errno, argv[1]);
	free(line);
	fclose(f);
	return 0;
}
