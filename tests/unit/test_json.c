/*
 * Unit tests for json.c: the IMDS identity document, the IMDS role
 * credentials, the EB deployment manifest and JSON string writing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "buf.h"
#include "json.h"

#define ERRLEN	256

static const char identity_doc[] =
    "{\n"
    "  \"accountId\" : \"123456789012\",\n"
    "  \"architecture\" : \"x86_64\",\n"
    "  \"availabilityZone\" : \"eu-west-1b\",\n"
    "  \"billingProducts\" : null,\n"
    "  \"devpayProductCodes\" : null,\n"
    "  \"marketplaceProductCodes\" : null,\n"
    "  \"imageId\" : \"ami-0c1bc246476a5572b\",\n"
    "  \"instanceId\" : \"i-0d4f4f3c2b1a09876\",\n"
    "  \"instanceType\" : \"t3.small\",\n"
    "  \"kernelId\" : null,\n"
    "  \"pendingTime\" : \"2024-05-02T09:14:51Z\",\n"
    "  \"privateIp\" : \"172.31.23.114\",\n"
    "  \"ramdiskId\" : null,\n"
    "  \"region\" : \"eu-west-1\",\n"
    "  \"version\" : \"2017-09-30\"\n"
    "}";

#define AKID	"ASIAQX7EXAMPLEKEY123"
#define SECRET	"wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
#define TOKEN	"IQoJb3JpZ2luX2VjEJr//////////wEaCWV1LXdlc3QtMSJHMEUCIQD" \
		"sessiontokenEXAMPLEonlyAAAA=="

static const char creds_doc[] =
    "{\n"
    "  \"Code\" : \"Success\",\n"
    "  \"LastUpdated\" : \"2024-05-02T09:20:11Z\",\n"
    "  \"Type\" : \"AWS-HMAC\",\n"
    "  \"AccessKeyId\" : \"" AKID "\",\n"
    "  \"SecretAccessKey\" : \"" SECRET "\",\n"
    "  \"Token\" : \"" TOKEN "\",\n"
    "  \"Expiration\" : \"2024-05-02T15:45:37Z\"\n"
    "}";

static int
ident(const char *js, struct imds_identity *id, char *err)
{
	return json_parse_identity(js, strlen(js), id, err, ERRLEN);
}

static int
creds(const char *js, struct imds_credentials *cr, char *err)
{
	return json_parse_credentials(js, strlen(js), cr, err, ERRLEN);
}

static int
manifest(const char *js, char *epoch, size_t epochlen, char *err)
{
	return json_parse_manifest(js, strlen(js), epoch, epochlen, err,
	    ERRLEN);
}

static int
all_zero(const void *p, size_t n)
{
	const unsigned char	*c = p;
	size_t			 i;

	for (i = 0; i < n; i++)
		if (c[i] != 0)
			return 0;
	return 1;
}

/*
 * A failed credentials parse leaves no part of any secret in err nor in
 * the struct.
 */
static void
assert_no_secret(const struct imds_credentials *cr, const char *err)
{
	ck_assert_ptr_null(strstr(err, SECRET));
	ck_assert_ptr_null(strstr(err, TOKEN));
	ck_assert_ptr_null(strstr(err, AKID));
	ck_assert_ptr_null(strstr(err, "wJalrXUtnFEMI"));
	ck_assert_ptr_null(strstr(err, "IQoJb3JpZ2lu"));
	ck_assert_ptr_null(strstr(err, "ASIAQX7"));
	ck_assert(all_zero(cr, sizeof(*cr)));
}

/* Rule: every field of a real IMDS identity document is read. */
START_TEST(test_identity_real)
{
	struct imds_identity	 id;
	char			 err[ERRLEN];

	ck_assert_int_eq(ident(identity_doc, &id, err), 0);
	ck_assert_str_eq(id.instance_id, "i-0d4f4f3c2b1a09876");
	ck_assert_str_eq(id.region, "eu-west-1");
	ck_assert_str_eq(id.account_id, "123456789012");
	ck_assert_str_eq(err, "");
}
END_TEST

/* Rule: accountId is optional and "" when absent. */
START_TEST(test_identity_no_account)
{
	struct imds_identity	 id;
	char			 err[ERRLEN];

	ck_assert_int_eq(ident("{\"instanceId\":\"i-1\",\"region\":"
	    "\"us-east-1\"}", &id, err), 0);
	ck_assert_str_eq(id.instance_id, "i-1");
	ck_assert_str_eq(id.region, "us-east-1");
	ck_assert_str_eq(id.account_id, "");
}
END_TEST

/* Rule: instanceId is required. */
START_TEST(test_identity_missing_instance_id)
{
	struct imds_identity	 id;
	char			 err[ERRLEN];

	ck_assert_int_eq(ident("{\"region\":\"us-east-1\"}", &id, err), -1);
	ck_assert_str_eq(err, "instanceId missing");
	ck_assert(all_zero(&id, sizeof(id)));
}
END_TEST

/* Rule: an empty instanceId is refused. */
START_TEST(test_identity_empty_instance_id)
{
	struct imds_identity	 id;
	char			 err[ERRLEN];

	ck_assert_int_eq(ident("{\"instanceId\":\"\",\"region\":"
	    "\"us-east-1\"}", &id, err), -1);
	ck_assert_str_eq(err, "instanceId is empty");
}
END_TEST

/* Rule: instanceId must be a string, not a number, null or object. */
START_TEST(test_identity_non_string_instance_id)
{
	struct imds_identity	 id;
	char			 err[ERRLEN];

	ck_assert_int_eq(ident("{\"instanceId\":12345,\"region\":"
	    "\"us-east-1\"}", &id, err), -1);
	ck_assert_str_eq(err, "instanceId is not a string");
	ck_assert_int_eq(ident("{\"instanceId\":null,\"region\":"
	    "\"us-east-1\"}", &id, err), -1);
	ck_assert_str_eq(err, "instanceId is not a string");
	ck_assert_int_eq(ident("{\"instanceId\":{\"id\":\"i-1\"},\"region\":"
	    "\"us-east-1\"}", &id, err), -1);
	ck_assert_str_eq(err, "instanceId is not a string");
}
END_TEST

/* Rule: region is required and non-empty. */
START_TEST(test_identity_region_required)
{
	struct imds_identity	 id;
	char			 err[ERRLEN];

	ck_assert_int_eq(ident("{\"instanceId\":\"i-1\"}", &id, err), -1);
	ck_assert_str_eq(err, "region missing");
	ck_assert_int_eq(ident("{\"instanceId\":\"i-1\",\"region\":\"\"}",
	    &id, err), -1);
	ck_assert_str_eq(err, "region is empty");
}
END_TEST

/* Rule: region goes into a host name, so only a-z 0-9 '-' are taken. */
START_TEST(test_identity_region_charset)
{
	struct imds_identity	 id;
	char			 err[ERRLEN];

	ck_assert_int_eq(ident("{\"instanceId\":\"i-1\",\"region\":"
	    "\"evil.example/x\"}", &id, err), -1);
	ck_assert_str_eq(err, "region contains characters not allowed");
	ck_assert_int_eq(ident("{\"instanceId\":\"i 1\",\"region\":"
	    "\"us-east-1\"}", &id, err), -1);
	ck_assert_str_eq(err, "instanceId contains characters not allowed");
}
END_TEST

/* Rule: keys of nested objects are skipped, never taken for top-level keys. */
START_TEST(test_identity_nested_decoy)
{
	struct imds_identity	 id;
	char			 err[ERRLEN];

	ck_assert_int_eq(ident("{\"meta\":{\"instanceId\":\"i-decoy\","
	    "\"region\":\"xx-decoy-1\",\"deep\":{\"instanceId\":\"i-deeper\"}},"
	    "\"list\":[{\"instanceId\":\"i-inarray\"},[\"instanceId\","
	    "\"i-x\"]],\"instanceId\":\"i-real\",\"region\":\"us-east-2\"}",
	    &id, err), 0);
	ck_assert_str_eq(id.instance_id, "i-real");
	ck_assert_str_eq(id.region, "us-east-2");

	ck_assert_int_eq(ident("{\"meta\":{\"instanceId\":\"i-decoy\"},"
	    "\"region\":\"us-east-2\"}", &id, err), -1);
	ck_assert_str_eq(err, "instanceId missing");
	ck_assert_int_eq(ident("{\"list\":[\"instanceId\",\"i-decoy\"],"
	    "\"region\":\"us-east-2\"}", &id, err), -1);
	ck_assert_str_eq(err, "instanceId missing");
}
END_TEST

/* Rule: a string value that looks like a key is not a key. */
START_TEST(test_identity_value_is_not_key)
{
	struct imds_identity	 id;
	char			 err[ERRLEN];

	ck_assert_int_eq(ident("{\"note\":\"instanceId\",\"region\":"
	    "\"us-east-1\"}", &id, err), -1);
	ck_assert_str_eq(err, "instanceId missing");
}
END_TEST

/* Rule: keys are compared after escapes are decoded. */
START_TEST(test_identity_escaped_key)
{
	struct imds_identity	 id;
	char			 err[ERRLEN];

	ck_assert_int_eq(ident("{\"instance\\u0049d\":\"i-\\u0061bc\","
	    "\"region\":\"us\\/east\\u002d1\"}", &id, err), -1);
	ck_assert_str_eq(err, "region contains characters not allowed");
	ck_assert_int_eq(ident("{\"instance\\u0049d\":\"i-\\u0061bc\","
	    "\"region\":\"us-east\\u002d1\"}", &id, err), 0);
	ck_assert_str_eq(id.instance_id, "i-abc");
	ck_assert_str_eq(id.region, "us-east-1");
}
END_TEST

/* Rule: a key given twice is ambiguous and refused. */
START_TEST(test_identity_duplicate_key)
{
	struct imds_identity	 id;
	char			 err[ERRLEN];

	ck_assert_int_eq(ident("{\"instanceId\":\"i-1\",\"region\":"
	    "\"us-east-1\",\"instanceId\":\"i-2\"}", &id, err), -1);
	ck_assert_str_eq(err, "duplicate instanceId");
}
END_TEST

/* Rule: the top-level value must be an object. */
START_TEST(test_identity_top_level_array)
{
	struct imds_identity	 id;
	char			 err[ERRLEN];

	ck_assert_int_eq(ident("[{\"instanceId\":\"i-1\",\"region\":"
	    "\"us-east-1\"}]", &id, err), -1);
	ck_assert_str_eq(err, "top-level value is not an object");
	ck_assert_int_eq(ident(" \"instanceId\"", &id, err), -1);
	ck_assert_str_eq(err, "top-level value is not an object");
	ck_assert_int_eq(ident("42", &id, err), -1);
	ck_assert_str_eq(err, "top-level value is not an object");
}
END_TEST

/* Rule: an empty or blank document is an error of its own. */
START_TEST(test_identity_empty_document)
{
	struct imds_identity	 id;
	char			 err[ERRLEN];

	ck_assert_int_eq(ident("", &id, err), -1);
	ck_assert_str_eq(err, "empty document");
	ck_assert_int_eq(ident(" \n\t", &id, err), -1);
	ck_assert_str_eq(err, "empty document");
}
END_TEST

/* Rule: every proper prefix of a document is refused as truncated. */
START_TEST(test_identity_truncated)
{
	struct imds_identity	 id;
	char			 err[ERRLEN];
	size_t			 n;

	for (n = 1; n < strlen(identity_doc); n++) {
		ck_assert_int_eq(json_parse_identity(identity_doc, n, &id,
		    err, sizeof(err)), -1);
		ck_assert_str_eq(err, "truncated JSON");
	}
}
END_TEST

/* Rule: only len bytes are read; the buffer need not end in NUL. */
START_TEST(test_identity_length_bounded)
{
	struct imds_identity	 id;
	char			 err[ERRLEN];
	const char		 js[] = "{\"instanceId\":\"i-1\",\"region\":"
	    "\"us-east-1\"}GARBAGE";

	ck_assert_int_eq(json_parse_identity(js, strlen(js) - 7, &id, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(id.region, "us-east-1");
	ck_assert_int_eq(json_parse_identity(js, strlen(js), &id, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "invalid JSON");
}
END_TEST

/* Rule: a NUL byte inside the document is refused, not a silent end. */
START_TEST(test_identity_nul_byte)
{
	struct imds_identity	 id;
	char			 err[ERRLEN];
	const char		 js[] = "{\"instanceId\":\"i-1\",\"region\":"
	    "\"us-east-1\"}\0{\"x\":1}";

	ck_assert_int_eq(json_parse_identity(js, sizeof(js) - 1, &id, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "NUL byte in document");
}
END_TEST

/* Rule: what jsmn lets through but JSON forbids is refused. */
START_TEST(test_identity_invalid_syntax)
{
	static const char	*bad[] = {
		"{\"instanceId\":\"i-1\" \"region\":\"r\"}",
		"{\"instanceId\":\"i-1\",,\"region\":\"r\"}",
		"{\"instanceId\":\"i-1\",\"region\":\"r\",}",
		"{,\"instanceId\":\"i-1\",\"region\":\"r\"}",
		"{\"instanceId\" \"i-1\",\"region\":\"r\"}",
		"{\"instanceId\":\"i-1\",\"region\":\"r\",\"x\":tru}",
		"{\"instanceId\":\"i-1\",\"region\":\"r\",\"x\":01}",
		"{\"instanceId\":\"i-1\",\"region\":\"r\",\"x\":1.}",
		"{\"instanceId\":\"i-1\",\"region\":\"r\",\"x\":[1 2]}",
		"{\"instanceId\":\"i-1\",\"region\":\"r\",\"x\":[1,]}",
		"{\"instanceId\":\"i-1\",\"region\":\"r\"} {}",
		"{\"instanceId\":\"i-1\",\"region\":\"r\"},",
		"{\"instanceId\":\"i-1\",\"region\":\"r\"} :",
		"{\"instanceId\":\"i-1\",\"region\":\"r\"}]",
		"{\"instanceId\":\"i-1\",\"region\":\"r\",\"x\":\"\\q\"}",
		"{\"instanceId\":\"i-1\",\"region\":\"r\",\"x\":\"\\u12G4\"}",
		"{\"instanceId\":\"i-1\",\"region\":\"r\",\"x\":{\"a\"}}",
		"{\"instanceId\":\"i-1\",\"region\":\"r\":\"x\"}",
		"{\"instanceId\":\"i-1\",\"region\":\"r\",1:2}",
	};
	struct imds_identity	 id;
	char			 err[ERRLEN];
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(ident(bad[i], &id, err) == -1, "accepted %s",
		    bad[i]);
		ck_assert_str_eq(err, "invalid JSON");
	}
}
END_TEST

/* Rule: a raw control character inside a string is not JSON. */
START_TEST(test_identity_raw_control)
{
	struct imds_identity	 id;
	char			 err[ERRLEN];

	ck_assert_int_eq(ident("{\"instanceId\":\"i-1\",\"region\":\"r\","
	    "\"x\":\"a\tb\"}", &id, err), -1);
	ck_assert_str_eq(err, "control character in a string");
}
END_TEST

/* Rule: all JSON value kinds are accepted in fields nobody reads. */
START_TEST(test_identity_other_values)
{
	struct imds_identity	 id;
	char			 err[ERRLEN];

	ck_assert_int_eq(ident("{\"a\":true,\"b\":false,\"c\":null,"
	    "\"d\":-0.5e+10,\"e\":[],\"f\":{},\"g\":[[],{\"h\":[1,2.0E3]}],"
	    "\"instanceId\":\"i-1\",\"region\":\"r\",\"s\":\"\\\"\\\\\\b\"}",
	    &id, err), 0);
	ck_assert_str_eq(id.instance_id, "i-1");
}
END_TEST

/* Rule: more than JSON_MAX_TOKENS tokens is an error; that many is not. */
START_TEST(test_identity_too_many_tokens)
{
	struct imds_identity	 id;
	char			 err[ERRLEN];
	char			*js;
	size_t			 off, cap = 8192;
	int			 i, n;

	/* 1 object + 4 for instanceId/region + 1 key + 1 array + n items */
	for (n = JSON_MAX_TOKENS - 7; n <= JSON_MAX_TOKENS - 6; n++) {
		js = malloc(cap);
		ck_assert_ptr_nonnull(js);
		off = (size_t)snprintf(js, cap, "{\"instanceId\":\"i-1\","
		    "\"region\":\"r\",\"a\":[");
		for (i = 0; i < n; i++)
			off += (size_t)snprintf(js + off, cap - off, "%s1",
			    i ? "," : "");
		snprintf(js + off, cap - off, "]}");
		if (n == JSON_MAX_TOKENS - 7) {
			ck_assert_int_eq(ident(js, &id, err), 0);
		} else {
			ck_assert_int_eq(ident(js, &id, err), -1);
			ck_assert_str_eq(err, "too many tokens");
		}
		free(js);
	}
}
END_TEST

/* Rule: a value one byte over its field is an error, never truncated. */
START_TEST(test_identity_overlong)
{
	struct imds_identity	 id;
	char			 err[ERRLEN], js[256], v[64];

	memset(v, 'a', sizeof(v));
	v[sizeof(id.instance_id) - 1] = '\0';	/* 31 bytes: fits */
	snprintf(js, sizeof(js), "{\"instanceId\":\"%s\",\"region\":\"r\"}",
	    v);
	ck_assert_int_eq(ident(js, &id, err), 0);
	ck_assert_uint_eq(strlen(id.instance_id), 31);

	memset(v, 'a', sizeof(v));
	v[sizeof(id.instance_id)] = '\0';	/* 32 bytes: does not */
	snprintf(js, sizeof(js), "{\"instanceId\":\"%s\",\"region\":\"r\"}",
	    v);
	ck_assert_int_eq(ident(js, &id, err), -1);
	ck_assert_str_eq(err, "instanceId too long (at most 31 bytes)");
	ck_assert(all_zero(&id, sizeof(id)));

	snprintf(js, sizeof(js), "{\"instanceId\":\"i-1\",\"region\":\"r\","
	    "\"accountId\":\"%s\"}", v);
	ck_assert_int_eq(ident(js, &id, err), -1);
	ck_assert_str_eq(err, "accountId too long (at most 31 bytes)");
}
END_TEST

/* Rule: the limit counts decoded bytes, not escaped text. */
START_TEST(test_identity_overlong_escaped)
{
	struct imds_identity	 id;
	char			 err[ERRLEN], js[512];
	int			 i, off;

	/* 31 escaped 'a' (186 bytes of text) decode to 31 bytes: fits. */
	off = snprintf(js, sizeof(js), "{\"region\":\"r\",\"instanceId\":\"");
	for (i = 0; i < 31; i++)
		off += snprintf(js + off, sizeof(js) - off, "\\u0061");
	snprintf(js + off, sizeof(js) - off, "\"}");
	ck_assert_int_eq(ident(js, &id, err), 0);
	ck_assert_uint_eq(strlen(id.instance_id), 31);
	ck_assert_int_eq(id.instance_id[30], 'a');
}
END_TEST

/* Rule: nesting deeper than the bound is refused; at the bound it is not. */
START_TEST(test_identity_depth)
{
	struct imds_identity	 id;
	char			 err[ERRLEN], js[512];
	int			 depth, i, off;

	for (depth = 63; depth <= 64; depth++) {
		off = snprintf(js, sizeof(js), "{\"instanceId\":\"i-1\","
		    "\"region\":\"r\",\"x\":");
		for (i = 0; i < depth; i++)
			js[off++] = '[';
		for (i = 0; i < depth; i++)
			js[off++] = ']';
		snprintf(js + off, sizeof(js) - off, "}");
		if (depth == 63)
			ck_assert_int_eq(ident(js, &id, err), 0);
		else {
			ck_assert_int_eq(ident(js, &id, err), -1);
			ck_assert_str_eq(err, "nested too deeply");
		}
	}
}
END_TEST

/* Rule: a real IMDS credentials document is read, extra fields ignored. */
START_TEST(test_creds_good)
{
	struct imds_credentials	 cr;
	char			 err[ERRLEN];

	ck_assert_int_eq(creds(creds_doc, &cr, err), 0);
	ck_assert_str_eq(cr.code, "Success");
	ck_assert_str_eq(cr.access_key_id, AKID);
	ck_assert_str_eq(cr.secret_access_key, SECRET);
	ck_assert_str_eq(cr.token, TOKEN);
	ck_assert_str_eq(cr.expiration, "2024-05-02T15:45:37Z");
	ck_assert_str_eq(err, "");
}
END_TEST

/* Rule: Expiration is optional and "" when absent. */
START_TEST(test_creds_no_expiration)
{
	struct imds_credentials	 cr;
	char			 err[ERRLEN];

	ck_assert_int_eq(creds("{\"Code\":\"Success\",\"AccessKeyId\":\""
	    AKID "\",\"SecretAccessKey\":\"" SECRET "\",\"Token\":\"" TOKEN
	    "\"}", &cr, err), 0);
	ck_assert_str_eq(cr.expiration, "");
	ck_assert_str_eq(cr.token, TOKEN);
}
END_TEST

/* Rule: Code other than Success is an error naming the code, no secret. */
START_TEST(test_creds_code_not_success)
{
	struct imds_credentials	 cr;
	char			 err[ERRLEN];

	ck_assert_int_eq(creds("{\"Code\":\"AssumeRoleUnauthorizedAccess\","
	    "\"Message\":\"EC2 cannot assume the role\",\"LastUpdated\":"
	    "\"2024-05-02T09:20:11Z\",\"AccessKeyId\":\"" AKID "\","
	    "\"SecretAccessKey\":\"" SECRET "\",\"Token\":\"" TOKEN "\"}",
	    &cr, err), -1);
	ck_assert_str_eq(err,
	    "credentials not available: Code=AssumeRoleUnauthorizedAccess");
	assert_no_secret(&cr, err);
}
END_TEST

/* Rule: the code shown in the error is sanitized to printable ASCII. */
START_TEST(test_creds_code_sanitized)
{
	struct imds_credentials	 cr;
	char			 err[ERRLEN];

	ck_assert_int_eq(creds("{\"Code\":\"Bad\\u001b[2J\\r\\nX\"}", &cr,
	    err), -1);
	ck_assert_str_eq(err, "credentials not available: Code=Bad?[2J??X");
	/* U+00E9 is 2 bytes and U+1F600 (a surrogate pair) is 4. */
	ck_assert_int_eq(creds("{\"Code\":\"\\u00e9\\ud83d\\ude00x\"}", &cr,
	    err), -1);
	ck_assert_str_eq(err, "credentials not available: Code=??????x");
}
END_TEST

/* Rule: Code is required. */
START_TEST(test_creds_code_missing)
{
	struct imds_credentials	 cr;
	char			 err[ERRLEN];

	ck_assert_int_eq(creds("{\"AccessKeyId\":\"" AKID "\","
	    "\"SecretAccessKey\":\"" SECRET "\",\"Token\":\"" TOKEN "\"}",
	    &cr, err), -1);
	ck_assert_str_eq(err, "Code missing");
	assert_no_secret(&cr, err);
}
END_TEST

/* Rule: a missing Token is an error that names the field, not a secret. */
START_TEST(test_creds_missing_token)
{
	struct imds_credentials	 cr;
	char			 err[ERRLEN];

	ck_assert_int_eq(creds("{\"Code\":\"Success\",\"AccessKeyId\":\""
	    AKID "\",\"SecretAccessKey\":\"" SECRET "\"}", &cr, err), -1);
	ck_assert_str_eq(err, "Token missing");
	assert_no_secret(&cr, err);
}
END_TEST

/* Rule: empty secrets are refused. */
START_TEST(test_creds_empty_fields)
{
	struct imds_credentials	 cr;
	char			 err[ERRLEN];

	ck_assert_int_eq(creds("{\"Code\":\"Success\",\"AccessKeyId\":\"\","
	    "\"SecretAccessKey\":\"" SECRET "\",\"Token\":\"" TOKEN "\"}",
	    &cr, err), -1);
	ck_assert_str_eq(err, "AccessKeyId is empty");
	assert_no_secret(&cr, err);
	ck_assert_int_eq(creds("{\"Code\":\"Success\",\"AccessKeyId\":\""
	    AKID "\",\"SecretAccessKey\":\"" SECRET "\",\"Token\":\"\"}",
	    &cr, err), -1);
	ck_assert_str_eq(err, "Token is empty");
	assert_no_secret(&cr, err);
}
END_TEST

/* Rule: a secret of the wrong type is refused without showing it. */
START_TEST(test_creds_secret_not_string)
{
	struct imds_credentials	 cr;
	char			 err[ERRLEN];

	ck_assert_int_eq(creds("{\"Code\":\"Success\",\"AccessKeyId\":\""
	    AKID "\",\"SecretAccessKey\":[\"" SECRET "\"],\"Token\":\""
	    TOKEN "\"}", &cr, err), -1);
	ck_assert_str_eq(err, "SecretAccessKey is not a string");
	assert_no_secret(&cr, err);
	ck_assert_int_eq(creds("{\"Code\":\"Success\",\"AccessKeyId\":"
	    "98765432109876543210,\"SecretAccessKey\":\"" SECRET "\","
	    "\"Token\":\"" TOKEN "\"}", &cr, err), -1);
	ck_assert_str_eq(err, "AccessKeyId is not a string");
	ck_assert_ptr_null(strstr(err, "98765432109876543210"));
	assert_no_secret(&cr, err);
}
END_TEST

/* Rule: secrets go into HTTP headers: no control characters or spaces. */
START_TEST(test_creds_header_charset)
{
	struct imds_credentials	 cr;
	char			 err[ERRLEN];

	ck_assert_int_eq(creds("{\"Code\":\"Success\",\"AccessKeyId\":\""
	    AKID "\",\"SecretAccessKey\":\"" SECRET "\",\"Token\":\"" TOKEN
	    "\\r\\nX-Injected: 1\"}", &cr, err), -1);
	ck_assert_str_eq(err, "Token contains characters not allowed");
	assert_no_secret(&cr, err);
	ck_assert_int_eq(creds("{\"Code\":\"Success\",\"AccessKeyId\":\""
	    AKID "\",\"SecretAccessKey\":\"" SECRET " x\",\"Token\":\"" TOKEN
	    "\"}", &cr, err), -1);
	ck_assert_str_eq(err, "SecretAccessKey contains characters not "
	    "allowed");
	assert_no_secret(&cr, err);
}
END_TEST

/* Rule: escapes in secrets are decoded (\/ and \uXXXX). */
START_TEST(test_creds_escapes)
{
	struct imds_credentials	 cr;
	char			 err[ERRLEN];

	ck_assert_int_eq(creds("{\"Code\":\"Succ\\u0065ss\",\"AccessKeyId\":"
	    "\"" AKID "\",\"SecretAccessKey\":\"ab\\/cd\\u002Bef\\\\gh\","
	    "\"Token\":\"t\\\"k\",\"Expiration\":\"2024-05-02T15:45:37Z\"}",
	    &cr, err), 0);
	ck_assert_str_eq(cr.code, "Success");
	ck_assert_str_eq(cr.secret_access_key, "ab/cd+ef\\gh");
	ck_assert_str_eq(cr.token, "t\"k");
}
END_TEST

/* Rule: \u0000 and unpaired surrogates are refused, secret not shown. */
START_TEST(test_creds_bad_escapes)
{
	struct imds_credentials	 cr;
	char			 err[ERRLEN];

	ck_assert_int_eq(creds("{\"Code\":\"Success\",\"AccessKeyId\":\""
	    AKID "\",\"SecretAccessKey\":\"" SECRET "\",\"Token\":\"" TOKEN
	    "\\u0000\"}", &cr, err), -1);
	ck_assert_str_eq(err, "Token: \\u0000 not allowed");
	assert_no_secret(&cr, err);
	ck_assert_int_eq(creds("{\"Code\":\"Success\",\"AccessKeyId\":\""
	    AKID "\",\"SecretAccessKey\":\"" SECRET "\\ud800\",\"Token\":\""
	    TOKEN "\"}", &cr, err), -1);
	ck_assert_str_eq(err, "SecretAccessKey: unpaired surrogate");
	assert_no_secret(&cr, err);
	ck_assert_int_eq(creds("{\"Code\":\"\\udc00\"}", &cr, err), -1);
	ck_assert_str_eq(err, "Code: unpaired surrogate");
	ck_assert_int_eq(creds("{\"Code\":\"\\ud800\\u0041\"}", &cr, err),
	    -1);
	ck_assert_str_eq(err, "Code: unpaired surrogate");
	ck_assert_int_eq(creds("{\"Code\":\"Success\",\"AccessKeyId\":\""
	    AKID "\",\"SecretAccessKey\":\"" SECRET "\\x\",\"Token\":\""
	    TOKEN "\"}", &cr, err), -1);
	ck_assert_str_eq(err, "invalid JSON");
	assert_no_secret(&cr, err);
}
END_TEST

/* Rule: a duplicated secret is refused without showing either copy. */
START_TEST(test_creds_duplicate)
{
	struct imds_credentials	 cr;
	char			 err[ERRLEN];

	ck_assert_int_eq(creds("{\"Code\":\"Success\",\"AccessKeyId\":\""
	    AKID "\",\"SecretAccessKey\":\"" SECRET "\",\"Token\":\"" TOKEN
	    "\",\"SecretAccessKey\":\"" SECRET "\"}", &cr, err), -1);
	ck_assert_str_eq(err, "duplicate SecretAccessKey");
	assert_no_secret(&cr, err);
}
END_TEST

/* Rule: a truncated credentials document is refused without secrets. */
START_TEST(test_creds_truncated)
{
	struct imds_credentials	 cr;
	char			 err[ERRLEN];
	size_t			 n;

	for (n = 1; n < strlen(creds_doc); n++) {
		ck_assert_int_eq(json_parse_credentials(creds_doc, n, &cr,
		    err, sizeof(err)), -1);
		ck_assert_str_eq(err, "truncated JSON");
		assert_no_secret(&cr, err);
	}
}
END_TEST

/* Rule: Expiration, when present, must be a string. */
START_TEST(test_creds_expiration_type)
{
	struct imds_credentials	 cr;
	char			 err[ERRLEN];

	ck_assert_int_eq(creds("{\"Code\":\"Success\",\"AccessKeyId\":\""
	    AKID "\",\"SecretAccessKey\":\"" SECRET "\",\"Token\":\"" TOKEN
	    "\",\"Expiration\":1714664737}", &cr, err), -1);
	ck_assert_str_eq(err, "Expiration is not a string");
	assert_no_secret(&cr, err);
}
END_TEST

/* Rule: a Token filling its field exactly fits; one byte more does not. */
START_TEST(test_creds_token_limit)
{
	struct imds_credentials	 cr;
	char			 err[ERRLEN];
	char			*tok, *js;
	size_t			 cap;
	int			 n;

	cap = sizeof(cr.token) + 512;
	tok = malloc(sizeof(cr.token) + 1);
	js = malloc(cap);
	ck_assert_ptr_nonnull(tok);
	ck_assert_ptr_nonnull(js);
	for (n = 0; n < 2; n++) {
		memset(tok, 'T', sizeof(cr.token) + 1);
		tok[sizeof(cr.token) - 1 + n] = '\0';
		snprintf(js, cap, "{\"Code\":\"Success\",\"AccessKeyId\":\""
		    AKID "\",\"SecretAccessKey\":\"" SECRET "\",\"Token\":"
		    "\"%s\"}", tok);
		if (n == 0) {
			ck_assert_int_eq(creds(js, &cr, err), 0);
			ck_assert_uint_eq(strlen(cr.token), 4095);
		} else {
			ck_assert_int_eq(creds(js, &cr, err), -1);
			ck_assert_str_eq(err,
			    "Token too long (at most 4095 bytes)");
			ck_assert_ptr_null(strstr(err, "TTTTTTTT"));
			assert_no_secret(&cr, err);
		}
	}
	free(tok);
	free(js);
}
END_TEST

/* Rule: an overlong secret key is refused; no prefix of it reaches err. */
START_TEST(test_creds_secret_limit)
{
	struct imds_credentials	 cr;
	char			 err[ERRLEN], js[1024], v[200];

	memset(v, 'S', sizeof(v));
	v[sizeof(cr.secret_access_key)] = '\0';
	snprintf(js, sizeof(js), "{\"Code\":\"Success\",\"AccessKeyId\":\""
	    AKID "\",\"SecretAccessKey\":\"%s\",\"Token\":\"" TOKEN "\"}", v);
	ck_assert_int_eq(creds(js, &cr, err), -1);
	ck_assert_str_eq(err, "SecretAccessKey too long (at most 127 bytes)");
	ck_assert_ptr_null(strstr(err, "SSSS"));
	assert_no_secret(&cr, err);
}
END_TEST

/* Rule: the Code field limit counts decoded UTF-8 bytes (4 per pair). */
START_TEST(test_creds_code_limit_utf8)
{
	struct imds_credentials	 cr;
	char			 err[ERRLEN], js[256], v[64];

	memset(v, 'C', sizeof(v));
	v[27] = '\0';			/* 27 + 4 = 31 bytes: fits */
	snprintf(js, sizeof(js), "{\"Code\":\"%s\\ud83d\\ude00\"}", v);
	ck_assert_int_eq(creds(js, &cr, err), -1);
	ck_assert_str_eq(err, "credentials not available: "
	    "Code=CCCCCCCCCCCCCCCCCCCCCCCCCCC????");
	v[27] = 'C';
	v[28] = '\0';			/* 28 + 4 = 32 bytes: does not */
	snprintf(js, sizeof(js), "{\"Code\":\"%s\\ud83d\\ude00\"}", v);
	ck_assert_int_eq(creds(js, &cr, err), -1);
	ck_assert_str_eq(err, "Code too long (at most 31 bytes)");
}
END_TEST

/* Rule: the real EB AL2023 manifest gives its DeploymentId. */
START_TEST(test_manifest_al2023)
{
	char	 epoch[32], err[ERRLEN];

	ck_assert_int_eq(manifest("{\"RuntimeSources\":{\"myapp\":"
	    "{\"app-1234\":{\"s3url\":\"\"}}},\"DeploymentId\":42,"
	    "\"Serial\":\"3\"}", epoch, sizeof(epoch), err), 0);
	ck_assert_str_eq(epoch, "42");
	ck_assert_str_eq(err, "");
}
END_TEST

/* Rule: DeploymentId may be a string of digits; VersionLabel is ignored. */
START_TEST(test_manifest_string)
{
	char	 epoch[32], err[ERRLEN];

	ck_assert_int_eq(manifest("{\"VersionLabel\":[\"odd\"],"
	    "\"DeploymentId\":\"42\",\"Serial\":3}", epoch, sizeof(epoch),
	    err), 0);
	ck_assert_str_eq(epoch, "42");
}
END_TEST

/* Rule: leading zeros of a string DeploymentId do not make a new epoch. */
START_TEST(test_manifest_leading_zeros)
{
	char	 epoch[32], err[ERRLEN];

	ck_assert_int_eq(manifest("{\"DeploymentId\":\"0042\"}", epoch,
	    sizeof(epoch), err), 0);
	ck_assert_str_eq(epoch, "42");
	ck_assert_int_eq(manifest("{\"DeploymentId\":\"000\"}", epoch,
	    sizeof(epoch), err), 0);
	ck_assert_str_eq(epoch, "0");
	ck_assert_int_eq(manifest("{\"DeploymentId\":0}", epoch,
	    sizeof(epoch), err), 0);
	ck_assert_str_eq(epoch, "0");
}
END_TEST

/* Rule: a fractional DeploymentId is refused. */
START_TEST(test_manifest_float)
{
	char	 epoch[32], err[ERRLEN];

	ck_assert_int_eq(manifest("{\"DeploymentId\":4.2}", epoch,
	    sizeof(epoch), err), -1);
	ck_assert_str_eq(err, "DeploymentId is not a non-negative integer");
	ck_assert_str_eq(epoch, "");
	ck_assert_int_eq(manifest("{\"DeploymentId\":4e2}", epoch,
	    sizeof(epoch), err), -1);
	ck_assert_str_eq(err, "DeploymentId is not a non-negative integer");
}
END_TEST

/* Rule: a negative DeploymentId is refused, as number or string. */
START_TEST(test_manifest_negative)
{
	char	 epoch[32], err[ERRLEN];

	ck_assert_int_eq(manifest("{\"DeploymentId\":-42}", epoch,
	    sizeof(epoch), err), -1);
	ck_assert_str_eq(err, "DeploymentId is not a non-negative integer");
	ck_assert_int_eq(manifest("{\"DeploymentId\":\"-42\"}", epoch,
	    sizeof(epoch), err), -1);
	ck_assert_str_eq(err, "DeploymentId is not a string of digits");
}
END_TEST

/* Rule: strings other than 1..20 digits are refused. */
START_TEST(test_manifest_bad_string)
{
	char	 epoch[32], err[ERRLEN];

	ck_assert_int_eq(manifest("{\"DeploymentId\":\"\"}", epoch,
	    sizeof(epoch), err), -1);
	ck_assert_str_eq(err, "DeploymentId is not a string of digits");
	ck_assert_int_eq(manifest("{\"DeploymentId\":\"4 2\"}", epoch,
	    sizeof(epoch), err), -1);
	ck_assert_str_eq(err, "DeploymentId is not a string of digits");
	ck_assert_int_eq(manifest("{\"DeploymentId\":\"42\\u0000\"}", epoch,
	    sizeof(epoch), err), -1);
	ck_assert_str_eq(err, "DeploymentId is not a string of digits");
}
END_TEST

/* Rule: DeploymentId of another type is refused. */
START_TEST(test_manifest_other_types)
{
	char	 epoch[32], err[ERRLEN];

	ck_assert_int_eq(manifest("{\"DeploymentId\":null}", epoch,
	    sizeof(epoch), err), -1);
	ck_assert_str_eq(err, "DeploymentId is not a non-negative integer");
	ck_assert_int_eq(manifest("{\"DeploymentId\":true}", epoch,
	    sizeof(epoch), err), -1);
	ck_assert_str_eq(err, "DeploymentId is not a non-negative integer");
	ck_assert_int_eq(manifest("{\"DeploymentId\":[42]}", epoch,
	    sizeof(epoch), err), -1);
	ck_assert_str_eq(err, "DeploymentId is not a non-negative integer");
}
END_TEST

/* Rule: without a DeploymentId there is no epoch. */
START_TEST(test_manifest_missing)
{
	char	 epoch[32], err[ERRLEN];

	ck_assert_int_eq(manifest("{\"RuntimeSources\":{},\"Serial\":\"3\"}",
	    epoch, sizeof(epoch), err), -1);
	ck_assert_str_eq(err, "no DeploymentId");
	ck_assert_str_eq(epoch, "");
}
END_TEST

/* Rule: a DeploymentId nested under RuntimeSources is not the epoch. */
START_TEST(test_manifest_nested_decoy)
{
	char	 epoch[32], err[ERRLEN];

	ck_assert_int_eq(manifest("{\"RuntimeSources\":{\"myapp\":"
	    "{\"DeploymentId\":7}},\"Serial\":\"3\"}", epoch, sizeof(epoch),
	    err), -1);
	ck_assert_str_eq(err, "no DeploymentId");
	ck_assert_int_eq(manifest("{\"RuntimeSources\":{\"myapp\":"
	    "{\"DeploymentId\":7}},\"DeploymentId\":8}", epoch, sizeof(epoch),
	    err), 0);
	ck_assert_str_eq(epoch, "8");
}
END_TEST

/* Rule: DeploymentId has at most 20 digits, as number or string. */
START_TEST(test_manifest_digits_limit)
{
	char	 epoch[32], err[ERRLEN];

	ck_assert_int_eq(manifest("{\"DeploymentId\":18446744073709551615}",
	    epoch, sizeof(epoch), err), 0);
	ck_assert_str_eq(epoch, "18446744073709551615");
	ck_assert_int_eq(manifest("{\"DeploymentId\":"
	    "\"99999999999999999999\"}", epoch, sizeof(epoch), err), 0);
	ck_assert_str_eq(epoch, "99999999999999999999");
	ck_assert_int_eq(manifest("{\"DeploymentId\":123456789012345678901}",
	    epoch, sizeof(epoch), err), -1);
	ck_assert_str_eq(err, "DeploymentId has more than 20 digits");
	ck_assert_int_eq(manifest("{\"DeploymentId\":"
	    "\"123456789012345678901\"}", epoch, sizeof(epoch), err), -1);
	ck_assert_str_eq(err, "DeploymentId has more than 20 digits");
	ck_assert_int_eq(manifest("{\"DeploymentId\":"
	    "\"1234567890123456789012345\"}", epoch, sizeof(epoch), err), -1);
	ck_assert_str_eq(err, "DeploymentId has more than 20 digits");
}
END_TEST

/* Rule: an epoch that does not fit the caller's buffer is an error. */
START_TEST(test_manifest_epoch_buffer)
{
	char	 epoch[3], err[ERRLEN];

	ck_assert_int_eq(manifest("{\"DeploymentId\":42}", epoch,
	    sizeof(epoch), err), 0);
	ck_assert_str_eq(epoch, "42");
	ck_assert_int_eq(manifest("{\"DeploymentId\":420}", epoch,
	    sizeof(epoch), err), -1);
	ck_assert_str_eq(err, "DeploymentId does not fit in 3 bytes");
	ck_assert_str_eq(epoch, "");
}
END_TEST

static char *
write_string(const char *s)
{
	static char	 out[256];
	struct buf	 b;

	buf_init(&b, 0);
	ck_assert_int_eq(json_write_string(&b, s), 0);
	ck_assert_uint_lt(b.len, sizeof(out));
	memcpy(out, b.data, b.len + 1);
	buf_free(&b);
	return out;
}

/* Rule: plain text is quoted as is; '/' is not escaped. */
START_TEST(test_write_plain)
{
	ck_assert_str_eq(write_string("leader-exec/1.0 ok"),
	    "\"leader-exec/1.0 ok\"");
	ck_assert_str_eq(write_string(""), "\"\"");
}
END_TEST

/* Rule: quote and backslash are escaped. */
START_TEST(test_write_quote_backslash)
{
	ck_assert_str_eq(write_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
}
END_TEST

/* Rule: control characters are escaped, short forms where JSON has them. */
START_TEST(test_write_controls)
{
	ck_assert_str_eq(write_string("\b\f\n\r\t"), "\"\\b\\f\\n\\r\\t\"");
	ck_assert_str_eq(write_string("\x01\x1f\x1b[0m\x7f"),
	    "\"\\u0001\\u001f\\u001b[0m\\u007f\"");
}
END_TEST

/* Rule: valid UTF-8 passes through unchanged. */
START_TEST(test_write_utf8)
{
	ck_assert_str_eq(write_string("caf\xc3\xa9 \xe2\x82\xac "
	    "\xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf"),
	    "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf\"");
}
END_TEST

/* Rule: invalid UTF-8 becomes \ufffd, one per broken sequence or stray byte. */
START_TEST(test_write_invalid_utf8)
{
	/* stray continuation and impossible bytes */
	ck_assert_str_eq(write_string("a\x80" "b\xff" "c\xfe"),
	    "\"a\\ufffdb\\ufffdc\\ufffd\"");
	/* truncated sequences: one replacement each */
	ck_assert_str_eq(write_string("\xe2\x82" "A\xf0\x9f\x98"),
	    "\"\\ufffdA\\ufffd\"");
	/* overlong encodings */
	ck_assert_str_eq(write_string("\xc0\xaf\xe0\x80\xaf"),
	    "\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"");
	/* UTF-16 surrogate encoded in UTF-8 */
	ck_assert_str_eq(write_string("\xed\xa0\x80"),
	    "\"\\ufffd\\ufffd\\ufffd\"");
	/* above U+10FFFF */
	ck_assert_str_eq(write_string("\xf4\x90\x80\x80"),
	    "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
}
END_TEST

/* Rule: writing appends to what the buffer holds. */
START_TEST(test_write_appends)
{
	struct buf	 b;

	buf_init(&b, 0);
	ck_assert_int_eq(buf_puts(&b, "{\"k\":"), 0);
	ck_assert_int_eq(json_write_string(&b, "v"), 0);
	ck_assert_str_eq(b.data, "{\"k\":\"v\"");
	ck_assert_uint_eq(b.len, 8);
	buf_free(&b);
}
END_TEST

/* Rule: a literal that does not fit the buffer cap leaves it unchanged. */
START_TEST(test_write_cap)
{
	struct buf	 b;

	/* "cdefghi" needs 9 bytes after "ab": it fails at the last quote */
	buf_init(&b, 10);
	ck_assert_int_eq(buf_puts(&b, "ab"), 0);
	ck_assert_int_eq(json_write_string(&b, "cdefghi"), -1);
	ck_assert_uint_eq(b.len, 2);
	ck_assert_str_eq(b.data, "ab");
	ck_assert_int_eq(json_write_string(&b, "cd\n"), 0);
	ck_assert_str_eq(b.data, "ab\"cd\\n\"");
	ck_assert_int_eq(json_write_string(&b, NULL), -1);
	buf_free(&b);
}
END_TEST

static Suite *
json_suite(void)
{
	Suite	*s;
	TCase	*tc_core, *tc_limits;

	s = suite_create("json");

	tc_core = tcase_create("Core");
	tcase_add_test(tc_core, test_identity_real);
	tcase_add_test(tc_core, test_identity_no_account);
	tcase_add_test(tc_core, test_identity_missing_instance_id);
	tcase_add_test(tc_core, test_identity_empty_instance_id);
	tcase_add_test(tc_core, test_identity_non_string_instance_id);
	tcase_add_test(tc_core, test_identity_region_required);
	tcase_add_test(tc_core, test_identity_region_charset);
	tcase_add_test(tc_core, test_identity_nested_decoy);
	tcase_add_test(tc_core, test_identity_value_is_not_key);
	tcase_add_test(tc_core, test_identity_escaped_key);
	tcase_add_test(tc_core, test_identity_duplicate_key);
	tcase_add_test(tc_core, test_identity_top_level_array);
	tcase_add_test(tc_core, test_identity_empty_document);
	tcase_add_test(tc_core, test_identity_truncated);
	tcase_add_test(tc_core, test_identity_length_bounded);
	tcase_add_test(tc_core, test_identity_nul_byte);
	tcase_add_test(tc_core, test_identity_invalid_syntax);
	tcase_add_test(tc_core, test_identity_raw_control);
	tcase_add_test(tc_core, test_identity_other_values);
	tcase_add_test(tc_core, test_creds_good);
	tcase_add_test(tc_core, test_creds_no_expiration);
	tcase_add_test(tc_core, test_creds_code_not_success);
	tcase_add_test(tc_core, test_creds_code_sanitized);
	tcase_add_test(tc_core, test_creds_code_missing);
	tcase_add_test(tc_core, test_creds_missing_token);
	tcase_add_test(tc_core, test_creds_empty_fields);
	tcase_add_test(tc_core, test_creds_secret_not_string);
	tcase_add_test(tc_core, test_creds_header_charset);
	tcase_add_test(tc_core, test_creds_escapes);
	tcase_add_test(tc_core, test_creds_bad_escapes);
	tcase_add_test(tc_core, test_creds_duplicate);
	tcase_add_test(tc_core, test_creds_truncated);
	tcase_add_test(tc_core, test_creds_expiration_type);
	tcase_add_test(tc_core, test_manifest_al2023);
	tcase_add_test(tc_core, test_manifest_string);
	tcase_add_test(tc_core, test_manifest_leading_zeros);
	tcase_add_test(tc_core, test_manifest_float);
	tcase_add_test(tc_core, test_manifest_negative);
	tcase_add_test(tc_core, test_manifest_bad_string);
	tcase_add_test(tc_core, test_manifest_other_types);
	tcase_add_test(tc_core, test_manifest_missing);
	tcase_add_test(tc_core, test_manifest_nested_decoy);
	tcase_add_test(tc_core, test_write_plain);
	tcase_add_test(tc_core, test_write_quote_backslash);
	tcase_add_test(tc_core, test_write_controls);
	tcase_add_test(tc_core, test_write_utf8);
	tcase_add_test(tc_core, test_write_invalid_utf8);
	tcase_add_test(tc_core, test_write_appends);
	suite_add_tcase(s, tc_core);

	tc_limits = tcase_create("Limits");
	tcase_add_test(tc_limits, test_identity_too_many_tokens);
	tcase_add_test(tc_limits, test_identity_overlong);
	tcase_add_test(tc_limits, test_identity_overlong_escaped);
	tcase_add_test(tc_limits, test_identity_depth);
	tcase_add_test(tc_limits, test_creds_token_limit);
	tcase_add_test(tc_limits, test_creds_secret_limit);
	tcase_add_test(tc_limits, test_creds_code_limit_utf8);
	tcase_add_test(tc_limits, test_manifest_digits_limit);
	tcase_add_test(tc_limits, test_manifest_epoch_buffer);
	tcase_add_test(tc_limits, test_write_cap);
	suite_add_tcase(s, tc_limits);

	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 number_failed;

	sr = srunner_create(json_suite());
	srunner_run_all(sr, CK_NORMAL);
	number_failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return number_failed == 0 ? 0 : 1;
}
