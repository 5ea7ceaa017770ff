/*
 * group: the plain data model of a DescribeInstances answer.
 */
#include <stdlib.h>
#include <string.h>

#include "group.h"

static const char *const state_names[] = {
	[STATE_UNKNOWN] = "unknown",
	[STATE_PENDING] = "pending",
	[STATE_RUNNING] = "running",
	[STATE_SHUTTING_DOWN] = "shutting-down",
	[STATE_TERMINATED] = "terminated",
	[STATE_STOPPING] = "stopping",
	[STATE_STOPPED] = "stopped",
};

/* How EC2 measures tag lengths: every byte but continuation bytes. */
size_t
utf8_chars(const char *s, size_t len)
{
	size_t	 i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

void
instance_free(struct instance *in)
{
	size_t	 i;

	for (i = 0; i < in->ntags; i++) {
		free(in->tags[i].key);
		free(in->tags[i].value);
	}
	free(in->tags);
	in->tags = NULL;
	in->ntags = 0;
}

void
group_free(struct group *g)
{
	size_t	 i;

	for (i = 0; i < g->ninst; i++)
		instance_free(&g->inst[i]);
	free(g->inst);
	free(g->next_token);
	memset(g, 0, sizeof(*g));
}

int
group_take(struct group *dst, struct group *src)
{
	struct instance	*p;
	size_t		 ncap;

	if (src->ninst == 0)
		return 0;
	if (dst->ninst + src->ninst > dst->cap) {
		ncap = dst->ninst + src->ninst;
		if ((p = reallocarray(dst->inst, ncap, sizeof(*p))) == NULL)
			return -1;
		dst->inst = p;
		dst->cap = ncap;
	}
	memcpy(dst->inst + dst->ninst, src->inst,
	    src->ninst * sizeof(*src->inst));
	dst->ninst += src->ninst;
	src->ninst = 0;
	return 0;
}

const char *
instance_tag(const struct instance *in, const char *key)
{
	size_t	 i;

	for (i = 0; i < in->ntags; i++)
		if (strcmp(in->tags[i].key, key) == 0)
			return in->tags[i].value;
	return NULL;
}

const struct instance *
group_find(const struct group *g, const char *id)
{
	size_t	 i;

	for (i = 0; i < g->ninst; i++)
		if (strcmp(g->inst[i].id, id) == 0)
			return &g->inst[i];
	return NULL;
}

const char *
instance_state_name(enum instance_state s)
{
	if ((size_t)s < sizeof(state_names) / sizeof(state_names[0]))
		return state_names[s];
	return "unknown";
}

enum instance_state
instance_state_from_name(const char *name)
{
	size_t	 i;

	for (i = 1; i < sizeof(state_names) / sizeof(state_names[0]); i++)
		if (strcmp(state_names[i], name) == 0)
			return (enum instance_state)i;
	return STATE_UNKNOWN;
}
