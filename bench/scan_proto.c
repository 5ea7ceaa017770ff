/*
 * scan_proto: a PROTOTYPE, not part of leader-exec.  How fast could the
 * claim path read a DescribeInstances page without expat?
 *
 * A minimal scanner for EC2 Query API XML: memchr(3) to the next '<',
 * element names matched against the same path tree as src/ec2_xml.c
 * (reservationSet/item/instancesSet/item/{instanceId, instanceState/name,
 * launchTime, tagSet/item/{key,value}}, nextToken), text kept only for
 * those leaves and decoded (the five predefined entities, character
 * references, CDATA).  Comments and processing instructions are skipped,
 * a DOCTYPE is refused, end tags must match their start tags, depth is
 * bounded.  It fills the same struct group as ec2_xml.c (only the tag
 * given by -t kept), and checks it against ec2_xml_parse() on every page.
 *
 *   scan_proto [-n RUNS] [-s] [-t TAGKEY] FILE...
 *
 * -s: the scanner alone (no comparison, no expat runs), for callgrind.
 *
 * Prints one JSON line like parse_bench, for the whole-page in-memory case
 * of both parsers (a production version would have to take pieces: keep
 * the unfinished tail of a piece and rescan from its '<').
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "ec2_xml.h"
#include "group.h"
#include "slurp.h"

#define MAX_FILES	256
#define MAX_DEPTH	32
#define MAX_TEXT	4096

enum node {
	N_NONE, N_ROOT, N_DESCRIBE, N_RESERVATIONS, N_RESERVATION,
	N_INSTANCES, N_INSTANCE, N_STATE, N_TAGS, N_TAG,
	N_LEAF, N_INSTANCE_ID = N_LEAF, N_STATE_NAME, N_LAUNCH_TIME,
	N_TAG_KEY, N_TAG_VALUE, N_NEXT_TOKEN
};

struct kid {
	const char	*name;
	size_t		 len;
	enum node	 node;
};

#define K(s, n)	{ s, sizeof(s) - 1, n }
static const struct kid k_root[] = { K("DescribeInstancesResponse", N_DESCRIBE) };
static const struct kid k_desc[] = { K("reservationSet", N_RESERVATIONS),
	K("nextToken", N_NEXT_TOKEN) };
static const struct kid k_item_res[] = { K("item", N_RESERVATION) };
static const struct kid k_res[] = { K("instancesSet", N_INSTANCES) };
static const struct kid k_item_inst[] = { K("item", N_INSTANCE) };
static const struct kid k_inst[] = { K("instanceId", N_INSTANCE_ID),
	K("instanceState", N_STATE), K("launchTime", N_LAUNCH_TIME),
	K("tagSet", N_TAGS) };
static const struct kid k_state[] = { K("name", N_STATE_NAME) };
static const struct kid k_tags[] = { K("item", N_TAG) };
static const struct kid k_tag[] = { K("key", N_TAG_KEY), K("value", N_TAG_VALUE) };

static const struct { const struct kid *k; size_t n; } tree[N_LEAF] = {
	[N_ROOT] = { k_root, 1 }, [N_DESCRIBE] = { k_desc, 2 },
	[N_RESERVATIONS] = { k_item_res, 1 }, [N_RESERVATION] = { k_res, 1 },
	[N_INSTANCES] = { k_item_inst, 1 }, [N_INSTANCE] = { k_inst, 4 },
	[N_STATE] = { k_state, 1 }, [N_TAGS] = { k_tags, 1 },
	[N_TAG] = { k_tag, 2 },
};

struct scan {
	struct group	*g;
	const char	*tag;
	enum node	 path[MAX_DEPTH + 1];
	const char	*name[MAX_DEPTH + 1];
	size_t		 namelen[MAX_DEPTH + 1];
	size_t		 depth;
	char		 text[MAX_TEXT + 1];
	size_t		 textlen;
	char		 key[MAX_TEXT + 1];
	int		 have_key;
};

static enum node
child(enum node parent, const char *name, size_t len)
{
	const char	*colon;
	size_t		 i;

	if (parent == N_NONE || parent >= N_LEAF)
		return N_NONE;
	if ((colon = memchr(name, ':', len)) != NULL) {
		len -= (size_t)(colon + 1 - name);
		name = colon + 1;
	}
	for (i = 0; i < tree[parent].n; i++)
		if (tree[parent].k[i].len == len &&
		    memcmp(tree[parent].k[i].name, name, len) == 0)
			return tree[parent].k[i].node;
	return N_NONE;
}

/* Append decoded text [p, e) to s->text; -1 on a bad reference. */
static int
add_text(struct scan *s, const char *p, const char *e)
{
	const char	*amp;
	unsigned long	 cp;
	char		*end;

	while (p < e) {
		if ((amp = memchr(p, '&', (size_t)(e - p))) == NULL)
			amp = e;
		if ((size_t)(amp - p) > MAX_TEXT - s->textlen)
			return -1;
		memcpy(s->text + s->textlen, p, (size_t)(amp - p));
		s->textlen += (size_t)(amp - p);
		if (amp == e)
			break;
		p = amp + 1;
		if (s->textlen + 4 > MAX_TEXT)
			return -1;
#define ENT(str, c) (e - p >= (long)sizeof(str) - 1 && \
	memcmp(p, str, sizeof(str) - 1) == 0 && \
	(s->text[s->textlen++] = (c), p += sizeof(str) - 1, 1))
		if (ENT("amp;", '&') || ENT("lt;", '<') || ENT("gt;", '>') ||
		    ENT("quot;", '"') || ENT("apos;", '\''))
			continue;
		if (p < e && *p == '#') {
			cp = p[1] == 'x' ? strtoul(p + 2, &end, 16) :
			    strtoul(p + 1, &end, 10);
			if (end >= e || *end != ';' || cp == 0 || cp > 0x10ffff)
				return -1;
			if (cp < 0x80)
				s->text[s->textlen++] = (char)cp;
			else if (cp < 0x800) {
				s->text[s->textlen++] = (char)(0xc0 | cp >> 6);
				s->text[s->textlen++] = (char)(0x80 | (cp & 0x3f));
			} else if (cp < 0x10000) {
				s->text[s->textlen++] = (char)(0xe0 | cp >> 12);
				s->text[s->textlen++] = (char)(0x80 | (cp >> 6 & 0x3f));
				s->text[s->textlen++] = (char)(0x80 | (cp & 0x3f));
			} else {
				s->text[s->textlen++] = (char)(0xf0 | cp >> 18);
				s->text[s->textlen++] = (char)(0x80 | (cp >> 12 & 0x3f));
				s->text[s->textlen++] = (char)(0x80 | (cp >> 6 & 0x3f));
				s->text[s->textlen++] = (char)(0x80 | (cp & 0x3f));
			}
			p = end + 1;
			continue;
		}
		return -1;
	}
	return 0;
}

static int
start(struct scan *s, enum node n)
{
	struct group	*g = s->g;
	struct instance	*in;

	if (n == N_INSTANCE) {
		if (g->ninst == g->cap) {
			size_t	 ncap = g->cap < 16 ? 16 : g->cap * 2;
			void	*p = reallocarray(g->inst, ncap, sizeof(*g->inst));

			if (p == NULL)
				return -1;
			g->inst = p;
			g->cap = ncap;
		}
		in = &g->inst[g->ninst++];
		memset(in, 0, sizeof(*in));
		in->launch_time = -1;
	} else if (n == N_TAG)
		s->have_key = 0;
	return 0;
}

static int
end_leaf(struct scan *s, enum node n)
{
	struct instance	*in = s->g->ninst ? &s->g->inst[s->g->ninst - 1] : NULL;
	long long	 t;

	s->text[s->textlen] = '\0';
	switch (n) {
	case N_INSTANCE_ID:
		if (in == NULL || s->textlen == 0 || s->textlen >= INSTANCE_ID_MAX)
			return -1;
		memcpy(in->id, s->text, s->textlen + 1);
		break;
	case N_STATE_NAME:
		in->state = instance_state_from_name(s->text);
		break;
	case N_LAUNCH_TIME:
		if ((t = ec2_parse_time(s->text)) == -1)
			return -1;
		in->launch_time = t;
		break;
	case N_TAG_KEY:
		memcpy(s->key, s->text, s->textlen + 1);
		s->have_key = 1;
		break;
	case N_TAG_VALUE:
		if (s->have_key && (s->tag == NULL || strcmp(s->key, s->tag) == 0)) {
			struct tag	*p = reallocarray(in->tags, in->ntags + 1,
			    sizeof(*p));

			if (p == NULL)
				return -1;
			in->tags = p;
			p[in->ntags].key = strdup(s->key);
			p[in->ntags].value = strdup(s->text);
			in->ntags++;
		}
		break;
	case N_NEXT_TOKEN:
		free(s->g->next_token);
		s->g->next_token = s->textlen ? strdup(s->text) : NULL;
		break;
	default:
		break;
	}
	return 0;
}

/* Scan one whole document into g; -1 when malformed. */
static int
scan(const char *p, size_t len, const char *tag, struct group *g)
{
	static struct scan	 s;
	const char		*e = p + len, *lt, *q, *nm;
	size_t			 nl;
	enum node		 n;

	memset(g, 0, sizeof(*g));
	s.g = g;
	s.tag = tag;
	s.depth = 0;
	s.path[0] = N_ROOT;
	s.textlen = 0;
	while (p < e) {
		if ((lt = memchr(p, '<', (size_t)(e - p))) == NULL)
			lt = e;
		if (s.depth > 0 && s.path[s.depth] >= N_LEAF &&
		    add_text(&s, p, lt) == -1)
			return -1;
		if (lt == e)
			break;
		p = lt + 1;
		if (p >= e)
			return -1;
		if (*p == '?') {			/* <?xml ...?> */
			if ((q = memmem(p, (size_t)(e - p), "?>", 2)) == NULL)
				return -1;
			p = q + 2;
		} else if (*p == '!') {
			if (e - p >= 3 && memcmp(p, "!--", 3) == 0) {
				if ((q = memmem(p + 3, (size_t)(e - p - 3), "-->",
				    3)) == NULL)
					return -1;
				p = q + 3;
			} else if (e - p >= 8 && memcmp(p, "![CDATA[", 8) == 0) {
				if ((q = memmem(p + 8, (size_t)(e - p - 8), "]]>",
				    3)) == NULL)
					return -1;
				if (s.path[s.depth] >= N_LEAF) {
					if ((size_t)(q - p - 8) > MAX_TEXT - s.textlen)
						return -1;
					memcpy(s.text + s.textlen, p + 8,
					    (size_t)(q - p - 8));
					s.textlen += (size_t)(q - p - 8);
				}
				p = q + 3;
			} else
				return -1;		/* DOCTYPE and the like */
		} else if (*p == '/') {			/* end tag */
			nm = ++p;
			while (p < e && *p != '>' && *p != ' ' && *p != '\t' &&
			    *p != '\r' && *p != '\n')
				p++;
			nl = (size_t)(p - nm);
			if ((q = memchr(p, '>', (size_t)(e - p))) == NULL ||
			    s.depth == 0 || nl != s.namelen[s.depth] ||
			    memcmp(nm, s.name[s.depth], nl) != 0)
				return -1;
			p = q + 1;
			if (s.path[s.depth] >= N_LEAF &&
			    end_leaf(&s, s.path[s.depth]) == -1)
				return -1;
			s.depth--;
			s.textlen = 0;
		} else {				/* start tag */
			int	 empty = 0;

			nm = p;
			while (p < e && *p != '>' && *p != '/' && *p != ' ' &&
			    *p != '\t' && *p != '\r' && *p != '\n')
				p++;
			nl = (size_t)(p - nm);
			if (nl == 0)
				return -1;
			while (p < e && *p != '>') {	/* attributes */
				if (*p == '"' || *p == '\'') {
					if ((q = memchr(p + 1, *p, (size_t)(e - p - 1)))
					    == NULL)
						return -1;
					p = q;
				}
				p++;
			}
			if (p >= e)
				return -1;
			empty = p[-1] == '/';
			p++;
			if (s.depth >= MAX_DEPTH)
				return -1;
			n = child(s.path[s.depth], nm, nl);
			if (s.depth == 0 && n == N_NONE)
				return -1;
			s.depth++;
			s.path[s.depth] = n;
			s.name[s.depth] = nm;
			s.namelen[s.depth] = nl;
			s.textlen = 0;
			if (start(&s, n) == -1)
				return -1;
			if (empty) {
				if (n >= N_LEAF && end_leaf(&s, n) == -1)
					return -1;
				s.depth--;
			}
		}
	}
	return s.depth == 0 ? 0 : -1;
}

static double
cpu_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
cmpd(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The same instances, states, launch times and kept tags? */
static int
same(const struct group *a, const struct group *b)
{
	size_t	 i, j;

	if (a->ninst != b->ninst)
		return 0;
	for (i = 0; i < a->ninst; i++) {
		const struct instance *x = &a->inst[i], *y = &b->inst[i];

		if (strcmp(x->id, y->id) != 0 || x->state != y->state ||
		    x->launch_time != y->launch_time || x->ntags != y->ntags)
			return 0;
		for (j = 0; j < x->ntags; j++)
			if (strcmp(x->tags[j].key, y->tags[j].key) != 0 ||
			    strcmp(x->tags[j].value, y->tags[j].value) != 0)
				return 0;
	}
	return (a->next_token == NULL) == (b->next_token == NULL) &&
	    (a->next_token == NULL || strcmp(a->next_token, b->next_token) == 0);
}

int
main(int argc, char *argv[])
{
	const char	*tag = "leader-exec:command";
	char		*doc[MAX_FILES];
	size_t		 len[MAX_FILES], bytes = 0, ninst = 0;
	double		*t_scan, *t_expat, c0;
	int		 runs = 20, i, f, nf, ch, scan_only = 0;

	while ((ch = getopt(argc, argv, "n:st:")) != -1) {
		if (ch == 'n')
			runs = atoi(optarg);
		else if (ch == 's')
			scan_only = 1;
		else if (ch == 't')
			tag = optarg;
		else
			return 2;
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || argc > MAX_FILES || runs < 1 || runs > 100000)
		return 2;
	nf = argc;
	t_scan = calloc((size_t)runs, sizeof(double));
	t_expat = calloc((size_t)runs, sizeof(double));
	for (f = 0; f < nf; f++) {
		if ((doc[f] = slurp(argv[f], &len[f])) == NULL) {
			fprintf(stderr, "scan_proto: cannot read %s\n", argv[f]);
			return 1;
		}
		bytes += len[f];
	}
	/* Same answer as ec2_xml.c on every page? */
	for (f = 0; f < nf && !scan_only; f++) {
		struct ec2_result	 r;
		struct group		 g;
		char			 err[256];

		if (ec2_xml_parse(doc[f], len[f], tag, &r, err, sizeof(err)) == -1 ||
		    scan(doc[f], len[f], tag, &g) == -1 || !same(&r.group, &g)) {
			fprintf(stderr, "scan_proto: %s: differs from ec2_xml.c\n",
			    argv[f]);
			return 1;
		}
		ninst += g.ninst;
		ec2_result_free(&r);
		group_free(&g);
	}
	for (i = 0; i < runs; i++) {
		struct group	 g;
		struct ec2_result r;

		c0 = cpu_ms();
		for (f = 0; f < nf; f++) {
			if (scan(doc[f], len[f], tag, &g) == -1)
				return 1;
			group_free(&g);
		}
		t_scan[i] = cpu_ms() - c0;
		c0 = cpu_ms();
		for (f = 0; f < nf && !scan_only; f++) {
			if (ec2_xml_parse(doc[f], len[f], tag, &r, NULL, 0) == -1)
				return 1;
			ec2_result_free(&r);
		}
		t_expat[i] = cpu_ms() - c0;
	}
	qsort(t_scan, (size_t)runs, sizeof(double), cmpd);
	qsort(t_expat, (size_t)runs, sizeof(double), cmpd);
	printf("{\"files\": %d, \"instances\": %zu, \"bytes\": %zu, \"runs\": %d, "
	    "\"scan_cpu_ms_median\": %.3f, \"scan_cpu_ms_min\": %.3f, "
	    "\"expat_cpu_ms_median\": %.3f, \"expat_cpu_ms_min\": %.3f, "
	    "\"same_result\": %s}\n", nf, ninst, bytes, runs, t_scan[runs / 2],
	    t_scan[0], t_expat[runs / 2], t_expat[0], scan_only ? "null" : "true");
	return 0;
}
