/*
 * ec2_xml: streaming parser for EC2 Query API responses.  The only file
 * that includes expat.  Pure: it sees bytes, never the network.
 *
 * Understands DescribeInstancesResponse (reservationSet/item/instancesSet/
 * item: instanceId, instanceState/name, launchTime, tagSet/item/{key,value};
 * nextToken), CreateTagsResponse/DeleteTagsResponse (return), Auto
 * Scaling's SetInstanceProtectionResponse (nothing to read), the EC2
 * error document Response/Errors/Error/{Code,Message} with RequestID, and
 * the ErrorResponse/Error/{Code,Message} form some endpoints answer with
 * (moto: ErrorResponse/Errors/Error).  Of several Errors the first counts.
 * Element names are matched without namespace; any other document element
 * is an error.  moto's CreateTags/DeleteTags carry no <return>: ret -1.
 * DescribeTargetHealthResponse (ELBv2: DescribeTargetHealthResult/
 * TargetHealthDescriptions/member/{Target/Id, TargetHealth/State}) fills
 * group with one instance per target: its Id ("" when it is no instance
 * id, an IP target say), state STATE_RUNNING exactly when TargetHealth/
 * State is "healthy", else STATE_UNKNOWN.
 * s3_error_parse() reads S3's Error/{Code,Message,Condition} documents
 * with the same machinery and bounds.
 *
 * Bounded: nesting depth, text per element, instances, tags per instance.
 * Tags beyond EC2's limits are skipped, not an error.  Feed it the body in
 * pieces of any size; the result does not depend on where the pieces split
 * (small pieces are gathered, so a failure may show one feed later).
 */
#ifndef LEADER_EXEC_EC2_XML_H
#define LEADER_EXEC_EC2_XML_H

#include <stddef.h>

#include "group.h"

#define EC2_XML_MAX_DEPTH	32
#define EC2_XML_MAX_TEXT	4096
#define EC2_XML_MAX_KEEP	4	/* tag keys a filter may name */

struct ec2_result {
	struct group	 group;		/* instances found (DescribeInstances) */
	int		 is_error;	/* an error document was parsed */
	char		*error_code;	/* owned; e.g. "UnauthorizedOperation" */
	char		*error_message;	/* owned */
	char		*request_id;	/* owned; requestId or RequestID */
	int		 ret;		/* <return>: 1 true, 0 false, -1 absent */
	char		*error_condition; /* owned; S3 Error/Condition */
};

struct ec2_xml;

/*
 * A parser filling out, which is reset first (empty, ret -1).  With
 * tag_filter (borrowed, must outlive the parser) only tags with that key
 * are kept, so a large group stays small in memory; NULL keeps every tag.
 * NULL on allocation failure.  Whatever happens, release out with
 * ec2_result_free(): after a failure it may be half-filled.
 */
struct ec2_xml	*ec2_xml_new(struct ec2_result *out, const char *tag_filter);
/*
 * The same, keeping the tags whose key is one of keep (NULL-terminated, at
 * most EC2_XML_MAX_KEEP; borrowed); NULL or empty keeps every tag.
 */
struct ec2_xml	*ec2_xml_new_keep(struct ec2_result *out,
		    const char *const *keep);
/*
 * Feed len bytes; final is 1 with the last piece (len may be 0).  0 on
 * success, -1 when the document is malformed, truncated (at final) or
 * exceeds a bound; ec2_xml_error() then says why.  After a failure or
 * the final piece every further feed fails.
 */
int		 ec2_xml_feed(struct ec2_xml *, const char *, size_t, int final);
/* Why the last feed failed ("line 3: mismatched tag"), or ""; borrowed. */
const char	*ec2_xml_error(const struct ec2_xml *);
void		 ec2_xml_free(struct ec2_xml *);
/*
 * Parse a whole document at once: ec2_xml_new + feed(final) + free.  On
 * failure err (if not NULL) gets the reason; on success it is "".
 */
int		 ec2_xml_parse(const char *, size_t, const char *tag_filter,
		    struct ec2_result *, char *err, size_t errlen);
/*
 * Parse S3's error document Error/{Code,Message,Condition,RequestId}
 * (any other element below Error is skipped, any other document element
 * refused) into out: is_error, error_code, error_message,
 * error_condition, request_id.  0, or -1 (err gets the reason) when it
 * is not such a document, has no Code, is truncated or exceeds a bound.
 * Release out with ec2_result_free() either way.
 */
int		 s3_error_parse(const char *, size_t, struct ec2_result *out,
		    char *err, size_t errlen);
/* Release what a result owns; accepts a half-filled result. */
void		 ec2_result_free(struct ec2_result *);
/* "2026-11-22T10:23:18.000Z" -> unix seconds; -1 if malformed. */
long long	 ec2_parse_time(const char *);

#endif
