/*
 * Unit tests for report.c: the --status text and JSON, and --export.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report.h"

static struct options		 o;
static struct leader_result	 r;

static void
add(struct group *g, const char *id, enum instance_state st, int64_t launch,
    const char *tag)
{
	struct instance	*in = &g->inst[g->ninst++];

	memset(in, 0, sizeof(*in));
	strcpy(in->id, id);
	in->state = st;
	in->launch_time = launch;
	if (tag != NULL) {
		in->tags = calloc(1, sizeof(*in->tags));
		in->tags[0].key = strdup("leader-exec:command");
		in->tags[0].value = strdup(tag);
		in->ntags = 1;
	}
}

/* A group of four: a leader, a follower, a dead holder, a junk tag. */
static void
setup(void)
{
	char			*argv[] = { "leader-exec", "--status", NULL };
	char			 err[128];
	struct election_input	 in;

	ck_assert_int_eq(cli_parse(2, argv, &o, err, sizeof(err)), 0);
	memset(&r, 0, sizeof(r));
	r.group.inst = calloc(4, sizeof(*r.group.inst));
	r.group.cap = 4;
	add(&r.group, "i-b", STATE_RUNNING, 1700000100, NULL);
	add(&r.group, "i-a", STATE_RUNNING, 1700000000, "1763700000@7");
	add(&r.group, "i-c", STATE_TERMINATED, 1600000000, "1663700000@7");
	add(&r.group, "i-d", STATE_RUNNING, -1, "x\"y");
	memset(&in, 0, sizeof(in));
	in.group = &r.group;
	in.self_id = "i-b";
	in.tag_key = "leader-exec:command";
	in.epoch = "7";
	in.now = 1763800000;
	ck_assert_int_eq(election_decide(&in, &r.election), 0);
	r.decided = 1;
	r.verdict = VERDICT_FOLLOWER;
	strcpy(r.self_id, "i-b");
	strcpy(r.leader_id, "i-a");
	r.term = 1763700000;
	strcpy(r.epoch, "7");
	r.epoch_source = "deployment manifest";
	strcpy(r.scope_key, "elasticbeanstalk:environment-id");
	strcpy(r.scope_value, "e-123");
	r.scope_source = "own Elastic Beanstalk environment tag";
	strcpy(r.reason, "i-a holds the first-ranked claim");
}

static void
teardown(void)
{
	leader_result_free(&r);
}

/* --status --json: one object with the decision and every instance. */
START_TEST(test_json)
{
	struct buf	 b;

	buf_init(&b, 0);
	ck_assert_int_eq(report_status_json(&o, &r, &b), 0);
	ck_assert_str_eq(b.data,
	    "{\"name\":\"command\",\"tag_key\":\"leader-exec:command\","
	    "\"epoch\":\"7\",\"epoch_source\":\"deployment manifest\","
	    "\"scope\":{\"key\":\"elasticbeanstalk:environment-id\","
	    "\"value\":\"e-123\",\"source\":\"own Elastic Beanstalk environment "
	    "tag\"},\"self\":\"i-b\",\"verdict\":\"follower\",\"leader\":\"i-a\","
	    "\"term\":1763700000,\"reason\":\"i-a holds the first-ranked claim\","
	    "\"store\":\"tags\","
	    "\"instances\":["
	    "{\"id\":\"i-a\",\"state\":\"running\",\"launch_time\":"
	    "\"2023-11-14T22:13:20Z\",\"tag\":\"1763700000@7\",\"live\":true,"
	    "\"holder\":true,\"rank\":1},"
	    "{\"id\":\"i-c\",\"state\":\"terminated\",\"launch_time\":"
	    "\"2020-09-13T12:26:40Z\",\"tag\":\"1663700000@7\",\"live\":false,"
	    "\"holder\":false,\"rank\":null},"
	    "{\"id\":\"i-b\",\"state\":\"running\",\"launch_time\":"
	    "\"2023-11-14T22:15:00Z\",\"tag\":null,\"live\":true,"
	    "\"holder\":false,\"rank\":null},"
	    "{\"id\":\"i-d\",\"state\":\"running\",\"launch_time\":null,"
	    "\"tag\":\"x\\\"y\",\"live\":true,\"holder\":false,\"rank\":null}"
	    "]}\n");
	buf_free(&b);
}
END_TEST

/* --status text: the header facts, then one row per instance, leader first. */
START_TEST(test_text)
{
	struct buf	 b;
	const char	*a, *c, *d;

	buf_init(&b, 0);
	ck_assert_int_eq(report_status_text(&o, &r, &b), 0);
	ck_assert_ptr_nonnull(strstr(b.data, "group:   elasticbeanstalk:"
	    "environment-id=e-123 (own Elastic Beanstalk environment tag)\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "epoch:   7 (deployment manifest)\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "self:    i-b (follower)\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "leader:  i-a (term 1763700000)\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "reason:  i-a holds the first-ranked "
	    "claim\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "store:   tags\n"));
	ck_assert_ptr_null(strstr(b.data, "record:"));
	a = strstr(b.data, "\ni-a ");
	c = strstr(b.data, "\ni-c ");
	d = strstr(b.data, "\ni-d ");
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_nonnull(d);
	ck_assert(a < c && c < d);
	ck_assert_ptr_nonnull(strstr(a, "1 leader\n"));
	ck_assert_ptr_nonnull(strstr(c, "terminated"));
	ck_assert_ptr_nonnull(strstr(c, "- (not counted)\n"));
	ck_assert_ptr_nonnull(strstr(d, "- (invalid tag)\n"));
	buf_free(&b);
}
END_TEST

/*
 * The s3 store's --status (issue 13): the store, the record's holder,
 * term, epoch, state, exit status, lease, renewal and writer; the holder
 * marked in the table.
 */
START_TEST(test_s3_record)
{
	struct buf	 b;
	const char	*a;

	strcpy(r.store_desc, "s3://bkt/leader-exec/");
	strcpy(r.record_url, "s3://bkt/leader-exec/x/command.json");
	r.have_record = 1;
	strcpy(r.record.holder, "i-a");
	strcpy(r.record.writer, "i-a");
	strcpy(r.record.epoch, "7");
	r.record.term = 42;
	r.record.state = RECORD_DONE;
	r.record.exit_status = 0;
	r.record.lease_expiry = 1700000000;
	r.record.renewed = 1699999990;
	r.record.written = 1700000000;
	buf_init(&b, 0);
	ck_assert_int_eq(report_status_text(&o, &r, &b), 0);
	ck_assert_ptr_nonnull(strstr(b.data, "store:   s3://bkt/leader-exec/\n"
	    "record:  s3://bkt/leader-exec/x/command.json\n"
	    "         holder i-a, term 42, epoch 7, state done, exit status 0\n"
	    "         lease until 2023-11-14T22:13:20Z, renewed "
	    "2023-11-14T22:13:10Z, written 2023-11-14T22:13:20Z by i-a\n"));
	a = strstr(b.data, "\ni-a ");
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(strstr(a, "holder\n"));
	buf_reset(&b);
	ck_assert_int_eq(report_status_json(&o, &r, &b), 0);
	ck_assert_ptr_nonnull(strstr(b.data, "\"store\":\"s3://bkt/leader-exec/\","
	    "\"record_url\":\"s3://bkt/leader-exec/x/command.json\","
	    "\"record\":{\"holder\":\"i-a\",\"term\":42,\"epoch\":\"7\","
	    "\"state\":\"done\",\"exit_status\":0,\"lease_expiry\":"
	    "\"2023-11-14T22:13:20Z\",\"renewed\":\"2023-11-14T22:13:10Z\","
	    "\"written\":\"2023-11-14T22:13:20Z\",\"writer\":\"i-a\"},"));
	r.have_record = 0;
	buf_reset(&b);
	ck_assert_int_eq(report_status_json(&o, &r, &b), 0);
	ck_assert_ptr_nonnull(strstr(b.data, "\"record\":null,"));
	buf_free(&b);
}
END_TEST

/*
 * Issue 11 item 6: --status text escapes control characters in tag
 * values and the scope value, so a newline in a tag cannot forge the
 * "leader:" or "reason:" lines.
 */
START_TEST(test_text_escapes_tags)
{
	struct buf	 b;
	struct instance	*in = &r.group.inst[3];

	free(in->tags[0].value);
	in->tags[0].value = strdup("1\nleader:  i-evil (term 1)\r\treason:"
	    " \x1b[2J\\x7f\x7f");
	strcpy(r.scope_value, "e-123\nleader:  i-evil");
	election_free(&r.election);
	memset(&r.election, 0, sizeof(r.election));
	{
		struct election_input	 ein;

		memset(&ein, 0, sizeof(ein));
		ein.group = &r.group;
		ein.self_id = "i-b";
		ein.tag_key = "leader-exec:command";
		ein.epoch = "7";
		ein.now = 1763800000;
		ck_assert_int_eq(election_decide(&ein, &r.election), 0);
	}
	buf_init(&b, 0);
	ck_assert_int_eq(report_status_text(&o, &r, &b), 0);
	ck_assert_ptr_null(strstr(b.data, "\nleader:  i-evil"));
	ck_assert_ptr_null(strstr(b.data, "\x1b"));
	ck_assert_ptr_null(strstr(b.data, "\r"));
	ck_assert_ptr_null(strstr(b.data, "\t"));
	ck_assert_ptr_nonnull(strstr(b.data, "group:   elasticbeanstalk:"
	    "environment-id=e-123\\nleader:  i-evil (own"));
	ck_assert_ptr_nonnull(strstr(b.data, "\ni-d "));
	ck_assert_ptr_nonnull(strstr(b.data, " 1\\nleader:  i-evil (term 1)"
	    "\\r\\treason: \\x1b[2J\\\\x7f\\x7f "));
	/* Exactly one line starts with "leader:". */
	ck_assert_ptr_eq(strstr(b.data, "\nleader:"),
	    strstr(b.data, "\nleader:  i-a (term 1763700000)\n"));
	buf_free(&b);

	buf_init(&b, 0);
	ck_assert_int_eq(report_escape_text(&b, "a\x01\\b"), 0);
	ck_assert_int_eq(buf_append(&b, "", 1), 0);
	ck_assert_str_eq(b.data, "a\\x01\\\\b");
	buf_free(&b);
}
END_TEST

/* --export: single-quoted exports; the epoch only when there is one. */
START_TEST(test_export)
{
	struct buf	 b;

	buf_init(&b, 0);
	ck_assert_int_eq(report_export(&o, &r, 0, &b), 0);
	ck_assert_str_eq(b.data,
	    "export EB_IS_COMMAND_LEADER='false'\n"
	    "export LEADER_EXEC_LEADER_ID='i-a'\n"
	    "export LEADER_EXEC_TERM='1763700000'\n"
	    "export LEADER_EXEC_NAME='command'\n"
	    "export LEADER_EXEC_EPOCH='7'\n");
	buf_reset(&b);
	r.epoch[0] = '\0';
	ck_assert_int_eq(report_export(&o, &r, 1, &b), 0);
	ck_assert_ptr_nonnull(strstr(b.data, "EB_IS_COMMAND_LEADER='true'\n"));
	ck_assert_ptr_null(strstr(b.data, "LEADER_EXEC_EPOCH"));
	buf_free(&b);
}
END_TEST

/* A status before any decision (an error early on) still renders. */
START_TEST(test_undecided)
{
	struct leader_result	 empty;
	struct buf		 b;

	memset(&empty, 0, sizeof(empty));
	empty.epoch_source = "none";
	empty.scope_source = "--scope";
	buf_init(&b, 0);
	ck_assert_int_eq(report_status_json(&o, &empty, &b), 0);
	ck_assert_ptr_nonnull(strstr(b.data, "\"leader\":null,\"term\":null,"));
	ck_assert_ptr_nonnull(strstr(b.data, "\"instances\":[]}"));
	buf_free(&b);
}
END_TEST

/* Output that does not fit the buffer's cap fails instead of truncating. */
START_TEST(test_cap)
{
	struct buf	 b;

	buf_init(&b, 64);
	ck_assert_int_eq(report_status_json(&o, &r, &b), -1);
	buf_free(&b);
}
END_TEST

/* Times are UTC ISO 8601; negative means unknown. */
START_TEST(test_time)
{
	char	 t[32];

	report_time(0, t, sizeof(t));
	ck_assert_str_eq(t, "1970-01-01T00:00:00Z");
	report_time(1440938160, t, sizeof(t));
	ck_assert_str_eq(t, "2015-08-30T12:36:00Z");
	report_time(-1, t, sizeof(t));
	ck_assert_str_eq(t, "-");
}
END_TEST

static Suite *
report_suite(void)
{
	Suite	*s = suite_create("report");
	TCase	*core = tcase_create("Core");
	TCase	*limits = tcase_create("Limits");

	tcase_add_checked_fixture(core, setup, teardown);
	tcase_add_checked_fixture(limits, setup, teardown);
	tcase_add_test(core, test_json);
	tcase_add_test(core, test_text);
	tcase_add_test(core, test_text_escapes_tags);
	tcase_add_test(core, test_export);
	tcase_add_test(core, test_s3_record);
	tcase_add_test(core, test_undecided);
	tcase_add_test(core, test_time);
	tcase_add_test(limits, test_cap);
	suite_add_tcase(s, core);
	suite_add_tcase(s, limits);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(report_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
