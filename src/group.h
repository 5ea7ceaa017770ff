/*
 * group: the plain data model of a DescribeInstances answer.
 *
 * Filled by ec2_xml.c, read by election.c and main.c.  No dependencies.
 * Every string is owned by the struct that holds it; group_free() and
 * instance_free() release everything and accept half-filled structs.
 */
#ifndef LEADER_EXEC_GROUP_H
#define LEADER_EXEC_GROUP_H

#include <stddef.h>
#include <stdint.h>

#define INSTANCE_ID_MAX		32	/* "i-" + 17 hex digits fits easily */
#define GROUP_MAX_INSTANCES	100000	/* parser refuses more */
#define INSTANCE_MAX_TAGS	128	/* 50 user tags + aws: tags, with room */
/*
 * EC2's tag limits are in characters (UTF-8 code points): keys up to 128
 * (the API model says 127, the EC2 documentation 128; the larger is
 * accepted), values up to 256.  A character is up to 4 bytes, so buffers
 * (with the NUL) hold 4 times as many bytes.
 */
#define TAG_KEY_CHARS		128
#define TAG_VALUE_CHARS		256
#define TAG_KEY_SIZE		(4 * TAG_KEY_CHARS + 1)
#define TAG_VALUE_SIZE		(4 * TAG_VALUE_CHARS + 1)

enum instance_state {
	STATE_UNKNOWN = 0,
	STATE_PENDING,
	STATE_RUNNING,
	STATE_SHUTTING_DOWN,
	STATE_TERMINATED,
	STATE_STOPPING,
	STATE_STOPPED
};

struct tag {
	char	*key;
	char	*value;
};

struct instance {
	char		 id[INSTANCE_ID_MAX];
	enum instance_state state;
	int64_t		 launch_time;	/* unix seconds; -1 when absent */
	struct tag	*tags;		/* owned */
	size_t		 ntags;
};

struct group {
	struct instance	*inst;		/* owned, ninst used, cap allocated */
	size_t		 ninst;
	size_t		 cap;
	char		*next_token;	/* owned; NULL on the last page */
};

/* Release what an instance owns (not the instance itself). */
void		 instance_free(struct instance *);
/* Release what a group owns and reset it to empty. */
void		 group_free(struct group *);
/* Move every instance of src to the end of dst (src ends empty); 0 or -1. */
int		 group_take(struct group *dst, struct group *src);
/* Characters (UTF-8 code points) in the first len bytes of s. */
size_t		 utf8_chars(const char *s, size_t len);
/* The value of tag key on inst, or NULL (borrowed). */
const char	*instance_tag(const struct instance *, const char *key);
/* The instance with this id, or NULL (borrowed). */
const struct instance *group_find(const struct group *, const char *id);
/* "running", "stopped", ... as EC2 spells them; "unknown" otherwise. */
const char	*instance_state_name(enum instance_state);
/* The state for an EC2 state name; STATE_UNKNOWN when unrecognised. */
enum instance_state instance_state_from_name(const char *);

#endif
