/*
 * ec2_xml: streaming parser for EC2 Query API responses.
 *
 * Expat reports start tags, text and end tags.  The parser keeps a fixed
 * stack with one entry per open element: the node of the path tree (see
 * tree[] below) that the element's path reaches, or NODE_NONE once the
 * path has left the tree (networkInterfaceSet/item, groupSet/item,
 * stateReason/code and the like).  So an element is known by its whole
 * path, never by its name alone.  Text is gathered into a fixed buffer;
 * element_end() is the one place that turns (path, text) into results.
 *
 * Expat runs without namespace processing and an element name counts from
 * after its last ':', so <instanceId> in the default namespace and
 * <ec2:instanceId> match alike.  A DOCTYPE is refused: EC2 never sends one
 * and it is the door to entity tricks.
 *
 * Checked beyond the bounds in ec2_xml.h: an instanceId is 1 to
 * INSTANCE_ID_MAX - 1 characters of [A-Za-z0-9-]; every instance has one;
 * launchTime parses; a tag has a key; <return> is "true" or "false"; an
 * error document has a Code.  Tags are counted whatever the filter, so the
 * filter never changes whether a document is accepted.  A tag whose key is
 * longer than TAG_KEY_CHARS or whose value is longer than TAG_VALUE_CHARS
 * characters (UTF-8 code points, as EC2 counts) is skipped, never kept:
 * another instance's odd tag must not make the whole answer unreadable
 * (issue 11 item 2), and a kept tag always fits the callers' buffers.
 *
 * Pieces are coalesced into EC2_XML_PIECE bytes before XML_Parse: an
 * expat without the CVE-2023-52425 fix re-scans a pending token on every
 * call, so fewer, larger calls keep a long token cheap to refuse.
 */
#include <expat.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ec2_xml.h"
#include "util.h"

#ifdef XML_UNICODE
#error "ec2_xml.c needs expat built with UTF-8 XML_Char"
#endif

#define EC2_XML_ERR_MAX		256	/* one line of diagnosis */
#define EC2_XML_QUOTE_MAX	64	/* bytes of document echoed in errors */
#define EC2_XML_PIECE_MAX	(1 << 30)	/* XML_Parse takes an int */
#define EC2_XML_PIECE		(256 * 1024)	/* coalesced before XML_Parse */

/*
 * The path tree.  NODE_ROOT is the parent of the document element; the
 * nodes from NODE_FIRST_LEAF on are leaves whose text is kept.
 */
enum node {
	NODE_NONE = 0,		/* outside every known path */
	NODE_ROOT,
	NODE_DESCRIBE,		/* DescribeInstancesResponse */
	NODE_TAGS_RESPONSE,	/* CreateTagsResponse, DeleteTagsResponse */
	NODE_RESPONSE,		/* Response (EC2 errors) */
	NODE_ERROR_RESPONSE,	/* ErrorResponse */
	NODE_RESERVATIONS,	/* reservationSet */
	NODE_RESERVATION,	/* reservationSet/item */
	NODE_INSTANCES,		/* reservationSet/item/instancesSet */
	NODE_INSTANCE,		/* reservationSet/item/instancesSet/item */
	NODE_STATE,		/* instance/instanceState */
	NODE_TAGS,		/* instance/tagSet */
	NODE_TAG,		/* instance/tagSet/item */
	NODE_ERRORS,		/* Errors */
	NODE_ERROR,		/* Error */
	NODE_S3_ROOT,		/* the parent of an S3 error document */
	NODE_S3_ERROR,		/* Error (S3) */
	NODE_TH,		/* DescribeTargetHealthResponse */
	NODE_TH_RESULT,		/* DescribeTargetHealthResult */
	NODE_TH_LIST,		/* TargetHealthDescriptions */
	NODE_TH_MEMBER,		/* TargetHealthDescriptions/member */
	NODE_TH_TARGET,		/* member/Target */
	NODE_TH_HEALTH,		/* member/TargetHealth */
	NODE_TH_META,		/* ResponseMetadata */
	NODE_FIRST_LEAF,
	NODE_REQUEST_ID = NODE_FIRST_LEAF,
	NODE_NEXT_TOKEN,
	NODE_INSTANCE_ID,
	NODE_STATE_NAME,
	NODE_LAUNCH_TIME,
	NODE_TAG_KEY,
	NODE_TAG_VALUE,
	NODE_RETURN,
	NODE_ERROR_CODE,
	NODE_ERROR_MESSAGE,
	NODE_ERROR_CONDITION,	/* Error/Condition (S3) */
	NODE_TARGET_ID,		/* member/Target/Id */
	NODE_TARGET_STATE	/* member/TargetHealth/State */
};

/* The children of one node that lead somewhere. */
struct child {
	const char	*name;
	enum node	 node;
};

static const struct child root_kids[] = {
	{ "DescribeInstancesResponse", NODE_DESCRIBE },
	{ "CreateTagsResponse", NODE_TAGS_RESPONSE },
	{ "DeleteTagsResponse", NODE_TAGS_RESPONSE },
	/* Auto Scaling's answer: only its requestId (under metadata). */
	{ "SetInstanceProtectionResponse", NODE_TAGS_RESPONSE },
	{ "Response", NODE_RESPONSE },
	{ "ErrorResponse", NODE_ERROR_RESPONSE },
	{ "DescribeTargetHealthResponse", NODE_TH }
};
static const struct child describe_kids[] = {
	{ "reservationSet", NODE_RESERVATIONS },
	{ "nextToken", NODE_NEXT_TOKEN },
	{ "requestId", NODE_REQUEST_ID }
};
static const struct child reservations_kids[] = {
	{ "item", NODE_RESERVATION }
};
static const struct child reservation_kids[] = {
	{ "instancesSet", NODE_INSTANCES }
};
static const struct child instances_kids[] = {
	{ "item", NODE_INSTANCE }
};
static const struct child instance_kids[] = {
	{ "instanceId", NODE_INSTANCE_ID },
	{ "instanceState", NODE_STATE },
	{ "launchTime", NODE_LAUNCH_TIME },
	{ "tagSet", NODE_TAGS }
};
static const struct child state_kids[] = {
	{ "name", NODE_STATE_NAME }
};
static const struct child tags_kids[] = {
	{ "item", NODE_TAG }
};
static const struct child tag_kids[] = {
	{ "key", NODE_TAG_KEY },
	{ "value", NODE_TAG_VALUE }
};
static const struct child tags_response_kids[] = {
	{ "return", NODE_RETURN },
	{ "requestId", NODE_REQUEST_ID }
};
static const struct child response_kids[] = {
	{ "Errors", NODE_ERRORS },
	{ "RequestID", NODE_REQUEST_ID }
};
/* AWS answers ErrorResponse/Error, moto ErrorResponse/Errors/Error. */
static const struct child error_response_kids[] = {
	{ "Error", NODE_ERROR },
	{ "Errors", NODE_ERRORS },
	{ "RequestId", NODE_REQUEST_ID },
	{ "RequestID", NODE_REQUEST_ID }
};
static const struct child errors_kids[] = {
	{ "Error", NODE_ERROR }
};
static const struct child error_kids[] = {
	{ "Code", NODE_ERROR_CODE },
	{ "Message", NODE_ERROR_MESSAGE }
};

/* S3 answers a bare Error document. */
static const struct child s3_root_kids[] = {
	{ "Error", NODE_S3_ERROR }
};
static const struct child s3_error_kids[] = {
	{ "Code", NODE_ERROR_CODE },
	{ "Message", NODE_ERROR_MESSAGE },
	{ "Condition", NODE_ERROR_CONDITION },
	{ "RequestId", NODE_REQUEST_ID }
};

/* ELBv2's DescribeTargetHealth. */
static const struct child th_kids[] = {
	{ "DescribeTargetHealthResult", NODE_TH_RESULT },
	{ "ResponseMetadata", NODE_TH_META }
};
static const struct child th_result_kids[] = {
	{ "TargetHealthDescriptions", NODE_TH_LIST }
};
static const struct child th_list_kids[] = {
	{ "member", NODE_TH_MEMBER }
};
static const struct child th_member_kids[] = {
	{ "Target", NODE_TH_TARGET },
	{ "TargetHealth", NODE_TH_HEALTH }
};
static const struct child th_target_kids[] = {
	{ "Id", NODE_TARGET_ID }
};
static const struct child th_health_kids[] = {
	{ "State", NODE_TARGET_STATE }
};
static const struct child th_meta_kids[] = {
	{ "RequestId", NODE_REQUEST_ID }
};

#define KIDS(a)	{ a, nitems(a) }

static const struct {
	const struct child	*kids;
	size_t			 nkids;
} tree[NODE_FIRST_LEAF] = {
	[NODE_ROOT] = KIDS(root_kids),
	[NODE_DESCRIBE] = KIDS(describe_kids),
	[NODE_TAGS_RESPONSE] = KIDS(tags_response_kids),
	[NODE_RESPONSE] = KIDS(response_kids),
	[NODE_ERROR_RESPONSE] = KIDS(error_response_kids),
	[NODE_RESERVATIONS] = KIDS(reservations_kids),
	[NODE_RESERVATION] = KIDS(reservation_kids),
	[NODE_INSTANCES] = KIDS(instances_kids),
	[NODE_INSTANCE] = KIDS(instance_kids),
	[NODE_STATE] = KIDS(state_kids),
	[NODE_TAGS] = KIDS(tags_kids),
	[NODE_TAG] = KIDS(tag_kids),
	[NODE_ERRORS] = KIDS(errors_kids),
	[NODE_ERROR] = KIDS(error_kids),
	[NODE_S3_ROOT] = KIDS(s3_root_kids),
	[NODE_S3_ERROR] = KIDS(s3_error_kids),
	[NODE_TH] = KIDS(th_kids),
	[NODE_TH_RESULT] = KIDS(th_result_kids),
	[NODE_TH_LIST] = KIDS(th_list_kids),
	[NODE_TH_MEMBER] = KIDS(th_member_kids),
	[NODE_TH_TARGET] = KIDS(th_target_kids),
	[NODE_TH_HEALTH] = KIDS(th_health_kids),
	[NODE_TH_META] = KIDS(th_meta_kids)
};

struct ec2_xml {
	XML_Parser		 parser;
	struct ec2_result	*out;		/* borrowed */
	/* Keys of the tags kept (borrowed), NULL-terminated; nkeep 0: all. */
	const char		*keep[EC2_XML_MAX_KEEP + 1];
	size_t			 nkeep;
	int			 failed;
	int			 done;		/* the final piece was parsed */
	char			 err[EC2_XML_ERR_MAX];

	enum node		 path[EC2_XML_MAX_DEPTH + 1];	/* [0]: ROOT */
	size_t			 depth;		/* open elements */

	size_t			 nerrors;	/* Error elements seen */
	/* The open instance and tag; SIZE_MAX: no key or value yet. */
	size_t			 tagcap;	/* tags allocated */
	size_t			 ntagitems;	/* tagSet items seen */
	size_t			 keylen;
	size_t			 valuelen;
	char			 key[EC2_XML_MAX_TEXT + 1];
	char			 value[EC2_XML_MAX_TEXT + 1];

	size_t			 textlen;	/* text since the last tag */
	char			 text[EC2_XML_MAX_TEXT + 1];

	char			*pending;	/* EC2_XML_PIECE bytes, not parsed yet */
	size_t			 npending;
};

static void	 fail(struct ec2_xml *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/*
 * Record the first failure with the line it happened on and stop expat
 * if it is running.
 */
static void
fail(struct ec2_xml *x, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (x->failed)
		return;
	x->failed = 1;
	n = snprintf(x->err, sizeof(x->err), "line %lu: ",
	    (unsigned long)XML_GetCurrentLineNumber(x->parser));
	if (n < 0 || (size_t)n >= sizeof(x->err))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(x->err + n, sizeof(x->err) - (size_t)n, fmt, ap);
	va_end(ap);
	XML_StopParser(x->parser, XML_FALSE);
}

/*
 * Copy at most EC2_XML_QUOTE_MAX bytes of document text into dst for an
 * error message, each byte outside printable ASCII shown as '?'.
 */
static const char *
quote(char *dst, size_t dstlen, const char *src, size_t len)
{
	size_t	 i;

	if (len > dstlen - 1)
		len = dstlen - 1;
	for (i = 0; i < len; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? src[i] : '?';
	dst[len] = '\0';
	return dst;
}

static int
is_id_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-';
}

/* Replace *dst by a copy of s; 0 or -1 (out of memory, *dst unchanged). */
static int
set_string(char **dst, const char *s, size_t len)
{
	char	*p;

	if ((p = malloc(len + 1)) == NULL)
		return -1;
	memcpy(p, s, len);
	p[len] = '\0';
	free(*dst);
	*dst = p;
	return 0;
}

/* The node a child element called name reaches from parent. */
static enum node
node_child(enum node parent, const char *name)
{
	const struct child	*k;
	size_t			 i;

	if (parent >= NODE_FIRST_LEAF)
		return NODE_NONE;
	k = tree[parent].kids;
	for (i = 0; i < tree[parent].nkids; i++)
		if (strcmp(k[i].name, name) == 0)
			return k[i].node;
	return NODE_NONE;
}

static struct instance *
open_instance(struct ec2_xml *x)
{
	struct group	*g = &x->out->group;
	struct instance	*p, *in;
	size_t		 ncap;

	if (g->ninst >= GROUP_MAX_INSTANCES) {
		fail(x, "more than %d instances", GROUP_MAX_INSTANCES);
		return NULL;
	}
	if (g->ninst == g->cap) {
		ncap = g->cap < 16 ? 16 : g->cap * 2;
		if (ncap > GROUP_MAX_INSTANCES)
			ncap = GROUP_MAX_INSTANCES;
		if ((p = reallocarray(g->inst, ncap, sizeof(*p))) == NULL) {
			fail(x, "out of memory");
			return NULL;
		}
		g->inst = p;
		g->cap = ncap;
	}
	/* Counted at once, so a half-read instance is freed with the group. */
	in = &g->inst[g->ninst++];
	memset(in, 0, sizeof(*in));
	in->state = STATE_UNKNOWN;
	in->launch_time = -1;
	x->tagcap = 0;
	x->ntagitems = 0;
	return in;
}

static struct instance *
current_instance(struct ec2_xml *x)
{
	return &x->out->group.inst[x->out->group.ninst - 1];
}

/* 1 when tags with this key are kept. */
static int
kept(const struct ec2_xml *x, const char *key)
{
	size_t	 i;

	if (x->nkeep == 0)
		return 1;
	for (i = 0; i < x->nkeep; i++)
		if (strcmp(key, x->keep[i]) == 0)
			return 1;
	return 0;
}

/* The tagSet item just closed: check it, keep it if the filter says so. */
static void
close_tag(struct ec2_xml *x)
{
	struct instance	*in = current_instance(x);
	struct tag	*p;
	char		*k = NULL, *v = NULL;
	size_t		 ncap;

	if (x->keylen == SIZE_MAX) {
		fail(x, "tag without key");
		return;
	}
	if (x->valuelen == SIZE_MAX) {
		x->valuelen = 0;
		x->value[0] = '\0';
	}
	/* Beyond EC2's limits: no key leader-exec asks for, so skipped. */
	if (utf8_chars(x->key, x->keylen) > TAG_KEY_CHARS ||
	    x->keylen >= TAG_KEY_SIZE ||
	    utf8_chars(x->value, x->valuelen) > TAG_VALUE_CHARS ||
	    x->valuelen >= TAG_VALUE_SIZE)
		return;
	if (!kept(x, x->key))
		return;
	if (set_string(&k, x->key, x->keylen) == -1 ||
	    set_string(&v, x->value, x->valuelen) == -1)
		goto nomem;
	if (in->ntags == x->tagcap) {
		ncap = x->tagcap == 0 ? 1 : x->tagcap * 2;
		if (ncap > INSTANCE_MAX_TAGS)
			ncap = INSTANCE_MAX_TAGS;
		if ((p = reallocarray(in->tags, ncap, sizeof(*p))) == NULL)
			goto nomem;
		in->tags = p;
		x->tagcap = ncap;
	}
	in->tags[in->ntags].key = k;
	in->tags[in->ntags].value = v;
	in->ntags++;
	return;
nomem:
	free(k);
	free(v);
	fail(x, "out of memory");
}

static void
element_start(struct ec2_xml *x, enum node node)
{
	switch (node) {
	case NODE_RESPONSE:
	case NODE_ERROR_RESPONSE:
		x->out->is_error = 1;
		break;
	case NODE_S3_ERROR:
		x->out->is_error = 1;
		x->nerrors++;
		break;
	case NODE_ERROR:
		x->nerrors++;
		break;
	case NODE_INSTANCE:
	case NODE_TH_MEMBER:
		open_instance(x);
		break;
	case NODE_TAG:
		/* Counted whatever the filter: it must not change validity. */
		if (++x->ntagitems > INSTANCE_MAX_TAGS) {
			fail(x, "more than %d tags on an instance",
			    INSTANCE_MAX_TAGS);
			break;
		}
		x->keylen = x->valuelen = SIZE_MAX;
		break;
	default:
		break;
	}
}

/* The one place where a closed element's path and text become results. */
static void
element_end(struct ec2_xml *x, enum node node, const char *text,
    size_t len)
{
	struct ec2_result	*r = x->out;
	struct instance		*in;
	char			 q[EC2_XML_QUOTE_MAX + 1];
	long long		 t;
	size_t			 i;

	switch (node) {
	case NODE_INSTANCE:
		if (current_instance(x)->id[0] == '\0')
			fail(x, "instance without instanceId");
		break;
	case NODE_INSTANCE_ID:
		if (len == 0 || len >= INSTANCE_ID_MAX) {
			fail(x, "instanceId of %zu bytes (1 to %d allowed)",
			    len, INSTANCE_ID_MAX - 1);
			break;
		}
		for (i = 0; i < len; i++)
			if (!is_id_char(text[i])) {
				fail(x, "bad instanceId \"%s\"",
				    quote(q, sizeof(q), text, len));
				return;
			}
		in = current_instance(x);
		memcpy(in->id, text, len + 1);
		break;
	case NODE_STATE_NAME:
		current_instance(x)->state = instance_state_from_name(text);
		break;
	case NODE_TARGET_ID:
		/* Not an instance id (an IP or a Lambda target): no match. */
		for (i = 0; i < len && is_id_char(text[i]); i++)
			continue;
		if (len > 0 && len < INSTANCE_ID_MAX && i == len)
			memcpy(current_instance(x)->id, text, len + 1);
		break;
	case NODE_TARGET_STATE:
		current_instance(x)->state = strcmp(text, "healthy") == 0 ?
		    STATE_RUNNING : STATE_UNKNOWN;
		break;
	case NODE_LAUNCH_TIME:
		if ((t = ec2_parse_time(text)) == -1) {
			fail(x, "bad launchTime \"%s\"",
			    quote(q, sizeof(q), text, len));
			break;
		}
		current_instance(x)->launch_time = t;
		break;
	case NODE_TAG_KEY:
		memcpy(x->key, text, len + 1);
		x->keylen = len;
		break;
	case NODE_TAG_VALUE:
		memcpy(x->value, text, len + 1);
		x->valuelen = len;
		break;
	case NODE_TAG:
		close_tag(x);
		break;
	case NODE_NEXT_TOKEN:
		/* An empty token ends the listing like an absent one. */
		free(r->group.next_token);
		r->group.next_token = NULL;
		if (len > 0 &&
		    set_string(&r->group.next_token, text, len) == -1)
			fail(x, "out of memory");
		break;
	case NODE_REQUEST_ID:
		if (set_string(&r->request_id, text, len) == -1)
			fail(x, "out of memory");
		break;
	case NODE_RETURN:
		if (strcmp(text, "true") == 0)
			r->ret = 1;
		else if (strcmp(text, "false") == 0)
			r->ret = 0;
		else
			fail(x, "bad return \"%s\"",
			    quote(q, sizeof(q), text, len));
		break;
	case NODE_ERROR_CODE:
		/* Of several errors the first one speaks. */
		if (x->nerrors == 1 &&
		    set_string(&r->error_code, text, len) == -1)
			fail(x, "out of memory");
		break;
	case NODE_ERROR_MESSAGE:
		if (x->nerrors == 1 &&
		    set_string(&r->error_message, text, len) == -1)
			fail(x, "out of memory");
		break;
	case NODE_ERROR_CONDITION:
		if (set_string(&r->error_condition, text, len) == -1)
			fail(x, "out of memory");
		break;
	default:
		break;
	}
}

static void XMLCALL
on_start(void *arg, const XML_Char *name, const XML_Char **attrs)
{
	struct ec2_xml	*x = arg;
	const char	*local;
	char		 q[EC2_XML_QUOTE_MAX + 1];
	enum node	 node;

	(void)attrs;
	if (x->failed)
		return;
	if (x->depth >= EC2_XML_MAX_DEPTH) {
		fail(x, "elements nested deeper than %d", EC2_XML_MAX_DEPTH);
		return;
	}
	if ((local = strrchr(name, ':')) != NULL)
		local++;
	else
		local = name;
	node = node_child(x->path[x->depth], local);
	if (x->depth == 0 && node == NODE_NONE) {
		fail(x, "unexpected document <%s>",
		    quote(q, sizeof(q), local, strlen(local)));
		return;
	}
	x->path[++x->depth] = node;
	x->textlen = 0;
	element_start(x, node);
}

static void XMLCALL
on_end(void *arg, const XML_Char *name)
{
	struct ec2_xml	*x = arg;
	enum node	 node;

	(void)name;
	if (x->failed)
		return;
	node = x->path[x->depth];
	if (node >= NODE_FIRST_LEAF) {
		x->text[x->textlen] = '\0';
		element_end(x, node, x->text, x->textlen);
	} else
		element_end(x, node, "", 0);
	x->depth--;
	x->textlen = 0;
}

static void XMLCALL
on_text(void *arg, const XML_Char *s, int len)
{
	struct ec2_xml	*x = arg;

	if (x->failed || len <= 0)
		return;
	/* Every element is bounded, kept or not. */
	if ((size_t)len > EC2_XML_MAX_TEXT - x->textlen) {
		fail(x, "text longer than %d bytes", EC2_XML_MAX_TEXT);
		return;
	}
	if (x->path[x->depth] >= NODE_FIRST_LEAF)
		memcpy(x->text + x->textlen, s, (size_t)len);
	x->textlen += (size_t)len;
}

static void XMLCALL
on_doctype(void *arg, const XML_Char *name, const XML_Char *sysid,
    const XML_Char *pubid, int has_internal_subset)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal_subset;
	fail(arg, "DOCTYPE not allowed");
}

struct ec2_xml *
ec2_xml_new_keep(struct ec2_result *out, const char *const *keep)
{
	struct ec2_xml	*x;

	memset(out, 0, sizeof(*out));
	out->ret = -1;
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	if ((x->pending = malloc(EC2_XML_PIECE)) == NULL ||
	    (x->parser = XML_ParserCreate(NULL)) == NULL) {
		free(x->pending);
		free(x);
		return NULL;
	}
	x->out = out;
	for (; keep != NULL && *keep != NULL && x->nkeep < EC2_XML_MAX_KEEP;
	    keep++)
		x->keep[x->nkeep++] = *keep;
	x->path[0] = NODE_ROOT;
	x->keylen = x->valuelen = SIZE_MAX;
	XML_SetUserData(x->parser, x);
	XML_SetElementHandler(x->parser, on_start, on_end);
	XML_SetCharacterDataHandler(x->parser, on_text);
	XML_SetStartDoctypeDeclHandler(x->parser, on_doctype);
	return x;
}

struct ec2_xml *
ec2_xml_new(struct ec2_result *out, const char *tag_filter)
{
	const char	*keep[2] = { tag_filter, NULL };

	return ec2_xml_new_keep(out, keep);
}

/* Hand len bytes to expat; 0 or -1 with x->err set. */
static int
parse_piece(struct ec2_xml *x, const char *buf, size_t len, int final)
{
	size_t	 n;
	int	 last;

	do {
		n = len > EC2_XML_PIECE_MAX ? EC2_XML_PIECE_MAX : len;
		last = final && n == len;
		if (XML_Parse(x->parser, buf, (int)n, last) != XML_STATUS_OK) {
			if (!x->failed) {
				x->failed = 1;
				snprintf(x->err, sizeof(x->err), "line %lu: %s",
				    (unsigned long)
				    XML_GetCurrentLineNumber(x->parser),
				    XML_ErrorString(
				    XML_GetErrorCode(x->parser)));
			}
			return -1;
		}
		buf += n;
		len -= n;
	} while (len > 0);
	return 0;
}

int
ec2_xml_feed(struct ec2_xml *x, const char *buf, size_t len, int final)
{
	size_t	 n;

	if (x->failed)
		return -1;
	if (x->done) {
		snprintf(x->err, sizeof(x->err),
		    "data after the end of the document");
		x->failed = 1;
		return -1;
	}
	if (buf == NULL)
		buf = "";
	/* Small pieces are gathered; a full piece goes to expat at once. */
	if (x->npending == 0 && len >= EC2_XML_PIECE) {
		if (parse_piece(x, buf, len, 0) == -1)
			return -1;
		len = 0;
	}
	while (len > 0) {
		n = EC2_XML_PIECE - x->npending;
		if (n > len)
			n = len;
		memcpy(x->pending + x->npending, buf, n);
		x->npending += n;
		buf += n;
		len -= n;
		if (x->npending == EC2_XML_PIECE) {
			x->npending = 0;
			if (parse_piece(x, x->pending, EC2_XML_PIECE, 0) == -1)
				return -1;
		}
	}
	if (!final)
		return 0;
	n = x->npending;
	x->npending = 0;
	if (parse_piece(x, x->pending, n, 1) == -1)
		return -1;
	x->done = 1;
	if (x->out->is_error && x->out->error_code == NULL) {
		snprintf(x->err, sizeof(x->err),
		    "error document without Code");
		x->failed = 1;
		return -1;
	}
	return 0;
}

const char *
ec2_xml_error(const struct ec2_xml *x)
{
	return x->err;
}

void
ec2_xml_free(struct ec2_xml *x)
{
	if (x == NULL)
		return;
	XML_ParserFree(x->parser);
	free(x->pending);
	free(x);
}

int
ec2_xml_parse(const char *buf, size_t len, const char *tag_filter,
    struct ec2_result *out, char *err, size_t errlen)
{
	struct ec2_xml	*x;
	int		 rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if ((x = ec2_xml_new(out, tag_filter)) == NULL) {
		if (err != NULL && errlen > 0)
			strlcpy(err, "out of memory", errlen);
		return -1;
	}
	rc = ec2_xml_feed(x, buf, len, 1);
	if (rc == -1 && err != NULL && errlen > 0)
		strlcpy(err, ec2_xml_error(x), errlen);
	ec2_xml_free(x);
	return rc;
}

int
s3_error_parse(const char *buf, size_t len, struct ec2_result *out,
    char *err, size_t errlen)
{
	struct ec2_xml	*x;
	int		 rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if ((x = ec2_xml_new(out, NULL)) == NULL) {
		if (err != NULL && errlen > 0)
			strlcpy(err, "out of memory", errlen);
		return -1;
	}
	x->path[0] = NODE_S3_ROOT;
	rc = ec2_xml_feed(x, buf, len, 1);
	if (rc == 0 && !out->is_error) {
		rc = -1;
		snprintf(x->err, sizeof(x->err), "empty document");
	}
	if (rc == -1 && err != NULL && errlen > 0)
		strlcpy(err, ec2_xml_error(x), errlen);
	ec2_xml_free(x);
	return rc;
}

void
ec2_result_free(struct ec2_result *r)
{
	group_free(&r->group);
	free(r->error_code);
	free(r->error_message);
	free(r->request_id);
	free(r->error_condition);
	memset(r, 0, sizeof(*r));
	r->ret = -1;
}

/* Exactly n ASCII digits at *pp into *v; 0 or -1. */
static int
digits(const char **pp, int n, int *v)
{
	const char	*p = *pp;
	int		 i;

	*v = 0;
	for (i = 0; i < n; i++, p++) {
		if (*p < '0' || *p > '9')
			return -1;
		*v = *v * 10 + (*p - '0');
	}
	*pp = p;
	return 0;
}

static int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int y, int m)
{
	static const int	 mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return mdays[m - 1] + (m == 2 && is_leap(y));
}

/* Leap years in 1..y, by the Gregorian rule. */
static long long
leaps_through(int y)
{
	return y / 4 - y / 100 + y / 400;
}

/* Days from 1970-01-01 to the civil date y-m-d (y >= 1970). */
static long long
days_from_civil(int y, int m, int d)
{
	static const int	 before[12] = {
		0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334
	};
	long long		 days;

	days = 365LL * (y - 1970) + leaps_through(y - 1) - leaps_through(1969);
	days += before[m - 1] + (m > 2 && is_leap(y)) + d - 1;
	return days;
}

long long
ec2_parse_time(const char *s)
{
	const char	*p = s;
	int		 y, mo, d, h, mi, sec;

	if (p == NULL)
		return -1;
	if (digits(&p, 4, &y) == -1 || *p++ != '-' ||
	    digits(&p, 2, &mo) == -1 || *p++ != '-' ||
	    digits(&p, 2, &d) == -1 || *p++ != 'T' ||
	    digits(&p, 2, &h) == -1 || *p++ != ':' ||
	    digits(&p, 2, &mi) == -1 || *p++ != ':' ||
	    digits(&p, 2, &sec) == -1)
		return -1;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (p[0] != 'Z' || p[1] != '\0')
		return -1;
	/* 1969 and before would collide with -1, the error. */
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) ||
	    h > 23 || mi > 59 || sec > 59)
		return -1;
	return ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60 + sec;
}
