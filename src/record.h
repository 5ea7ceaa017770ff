/*
 * record: the S3 store's leadership record, one small JSON object per
 * group and name (DESIGN.md section 7), and the object key it lives at.
 *
 * Pure: buffers in, plain structs out; no I/O, no clock.  The body is
 * one JSON object with exactly these keys (order free):
 *
 *   {"v":1,"group":"elasticbeanstalk:environment-id=e-abc","name":"command",
 *    "epoch":"42","holder":"i-0abc","term":1763800000,"state":"held",
 *    "exit":null,"lease_expiry":1763800015,"renewed":1763800000,
 *    "writer":"i-0abc","written":1763800000}
 *
 * Decoding is strict: a version other than 1 is an error naming it (and
 * is checked before anything else, so a later format is never mistaken
 * for a damaged one); every field above is required with its type and
 * range; duplicate keys, trailing garbage, control characters, invalid
 * UTF-8 and bodies over RECORD_BODY_MAX are errors.  Forward
 * compatibility: keys this version does not know are ignored (any JSON
 * value, 63-byte keys at most, none twice, within the body and token
 * caps) and not preserved when the record is rewritten.  So a later
 * leader-exec may add a field that older ones can safely drop; a change
 * older ones must not ignore takes "v":2, which they refuse.
 */
#ifndef LEADER_EXEC_RECORD_H
#define LEADER_EXEC_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "election.h"
#include "group.h"

#define RECORD_VERSION		1
#define RECORD_BODY_MAX		16384	/* bytes of a body, read or written */
#define RECORD_NAME_MAX		64	/* as CLI_NAME_MAX */
#define RECORD_GROUP_MAX	(TAG_KEY_SIZE - 1 + 1 + TAG_VALUE_SIZE - 1)
#define RECORD_KEY_MAX		1024	/* S3's limit on an object key */
#define RECORD_PREFIX_MAX	256	/* bytes of the store's key prefix */
#define RECORD_TIME_MAX		INT64_C(253402300799)	/* 9999-12-31 */
#define RECORD_EXIT_NONE	(-1)	/* exit status not known */

enum record_state {
	RECORD_HELD,		/* a command runs under the lease */
	RECORD_IDLE,		/* the holder leads, runs nothing now */
	RECORD_DONE,		/* the epoch's command succeeded */
	RECORD_FAILED,		/* the epoch's command failed */
	RECORD_RELEASED		/* nobody leads */
};

/*
 * Field rules (record_check(), applied by both encode and decode):
 *  - group: 1 to RECORD_GROUP_MAX bytes of UTF-8 without control
 *    characters, "KEY=VALUE" as record_format_group() writes it;
 *  - name: election_valid_word(name, RECORD_NAME_MAX);
 *  - epoch: "" (none) or election_valid_epoch();
 *  - holder, writer: record_valid_id();
 *  - term: 1 to INT64_MAX;
 *  - exit_status: 0 to 255 or RECORD_EXIT_NONE; done needs 0, failed 1 to
 *    255, held RECORD_EXIT_NONE; done and failed need an epoch;
 *  - lease_expiry, renewed, written: 0 to RECORD_TIME_MAX unix seconds;
 *    for held, renewed <= lease_expiry.
 */
struct record {
	int			 version;	/* RECORD_VERSION */
	char			 group[RECORD_GROUP_MAX + 1];
	char			 name[RECORD_NAME_MAX + 1];
	char			 epoch[ELECTION_EPOCH_MAX + 1];	/* "" none */
	char			 holder[INSTANCE_ID_MAX];
	int64_t			 term;		/* fencing token */
	enum record_state	 state;
	int			 exit_status;	/* or RECORD_EXIT_NONE */
	int64_t			 lease_expiry;	/* unix seconds */
	int64_t			 renewed;	/* last renewal, unix seconds */
	char			 writer[INSTANCE_ID_MAX];
	int64_t			 written;	/* unix seconds */
};

/*
 * Append the JSON body of r to b (compact, keys in the order above).  r
 * must pass record_check() and the body fit RECORD_BODY_MAX.  All or
 * nothing: on failure b is as before.  0, or -1 with a reason in err.
 */
int	record_encode(const struct record *r, struct buf *b, char *err,
	    size_t errlen);
/*
 * Parse the len bytes at body into r (see the header comment for what is
 * refused).  0; or -1 with a one-line reason in err (printable, naming the
 * field, never quoting a value) and r zeroed.
 */
int	record_decode(const char *body, size_t len, struct record *r,
	    char *err, size_t errlen);
/* 0 when r obeys the field rules above; -1 with the broken one in err. */
int	record_check(const struct record *r, char *err, size_t errlen);
/*
 * The object key of a group and name:
 *   PREFIX/<scope-key>=<scope-value>/<name>.json
 * with every byte of the scope key and value outside [A-Za-z0-9._-]
 * written %XX (upper-case hex), so '=' and '/' in a tag stay unambiguous.
 * prefix: NULL or "" for none, else 1 to RECORD_PREFIX_MAX bytes of
 * '/'-separated segments of [A-Za-z0-9._-] other than "." and ".."
 * (leading and trailing '/' are dropped: "leader-exec/" and
 * "leader-exec" give the same key).  The scope key and value are 1 or
 * more bytes without control characters; name as in struct record.  The
 * key must fit RECORD_KEY_MAX bytes and out (outlen >= RECORD_KEY_MAX + 1
 * always suffices).  0, or -1 with a reason in err and out "".
 */
int	record_key(const char *prefix, const char *scope_key,
	    const char *scope_value, const char *name, char *out,
	    size_t outlen, char *err, size_t errlen);
/*
 * The group field for a scope: "KEY=VALUE" into out (RECORD_GROUP_MAX + 1
 * bytes suffice for any scope leader-exec accepts).  0, or -1 when it
 * does not fit or is not valid group text.
 */
int	record_format_group(const char *scope_key, const char *scope_value,
	    char *out, size_t outlen);
/* 1 when s is 1 to INSTANCE_ID_MAX - 1 characters of [A-Za-z0-9-]. */
int	record_valid_id(const char *s);
/* "held", "idle", "done", "failed", "released". */
const char *record_state_name(enum record_state);

#endif
