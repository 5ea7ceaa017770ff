/*
 * Unit tests for cli.c: option parsing and validation.
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "err.h"

static struct options	 o;
static char		 err[256];

/* Parse a NULL-terminated argument list (argv[0] is added). */
static int
parse(const char *first, ...)
{
	static char	*argv[32];	/* o.command borrows from it */
	int		 argc = 0;
	va_list		 ap;
	const char	*a;

	argv[argc++] = (char *)"leader-exec";
	va_start(ap, first);
	for (a = first; a != NULL && argc < 31; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	return cli_parse(argc, argv, &o, err, sizeof(err));
}

/* Defaults: run mode, name "command", settle 3 s, timeout 60 s, fail. */
START_TEST(test_defaults)
{
	ck_assert_int_eq(parse("rake", "db:migrate", NULL), 0);
	ck_assert_int_eq(o.mode, MODE_RUN);
	ck_assert_str_eq(o.name, "command");
	ck_assert_str_eq(o.tag_key, "leader-exec:command");
	ck_assert_int_eq(o.settle_ms, 3000);
	ck_assert_int_eq(o.timeout_ms, 60000);
	ck_assert_int_eq(o.follower_exit, 0);
	ck_assert_int_eq(o.on_error, ON_ERROR_FAIL);
	ck_assert_int_eq(o.epoch_set, 0);
	ck_assert_int_eq(o.scope_set, 0);
	ck_assert_int_eq(o.ncommand, 2);
	ck_assert_str_eq(o.command[0], "rake");
	ck_assert_str_eq(o.command[1], "db:migrate");
	ck_assert_ptr_null(o.command[2]);
}
END_TEST

/* "--" ends the options: what follows is the command, even "-v". */
START_TEST(test_double_dash)
{
	ck_assert_int_eq(parse("-v", "--", "-v", "--help", NULL), 0);
	ck_assert_int_eq(o.verbose, 1);
	ck_assert_int_eq(o.ncommand, 2);
	ck_assert_str_eq(o.command[0], "-v");
}
END_TEST

/* The first non-option starts the command; its options are its own. */
START_TEST(test_command_options_untouched)
{
	ck_assert_int_eq(parse("--name", "cron", "ls", "--all", "-t", "5",
	    NULL), 0);
	ck_assert_str_eq(o.name, "cron");
	ck_assert_str_eq(o.tag_key, "leader-exec:cron");
	ck_assert_int_eq(o.all, 0);
	ck_assert_int_eq(o.timeout_ms, 60000);
	ck_assert_int_eq(o.ncommand, 4);
}
END_TEST

/* Long options take "--opt value" and "--opt=value"; short "-n x", "-nx". */
START_TEST(test_value_forms)
{
	ck_assert_int_eq(parse("--epoch=42", "-n", "cron", "-r",
	    "eu-west-1", "-t90", "--settle", "500ms", "--check", NULL), 0);
	ck_assert_str_eq(o.epoch, "42");
	ck_assert_int_eq(o.epoch_set, 1);
	ck_assert_str_eq(o.name, "cron");
	ck_assert_str_eq(o.region, "eu-west-1");
	ck_assert_int_eq(o.timeout_ms, 90000);
	ck_assert_int_eq(o.settle_ms, 500);
	ck_assert_int_eq(o.mode, MODE_CHECK);
}
END_TEST

/* Bundled short flags count: -vv is verbosity 2. */
START_TEST(test_verbose_bundle)
{
	ck_assert_int_eq(parse("-vv", "-v", "--export", NULL), 0);
	ck_assert_int_eq(o.verbose, 3);
	ck_assert_int_eq(o.mode, MODE_EXPORT);
}
END_TEST

/* --epoch none clears the epoch but counts as set (no manifest lookup). */
START_TEST(test_epoch_none)
{
	ck_assert_int_eq(parse("--epoch", "none", "--check", NULL), 0);
	ck_assert_int_eq(o.epoch_set, 1);
	ck_assert_str_eq(o.epoch, "");
}
END_TEST

/* --scope tag:KEY=VALUE splits at the first '='. */
START_TEST(test_scope)
{
	ck_assert_int_eq(parse("--scope", "tag:team=a=b", "--status", NULL), 0);
	ck_assert_int_eq(o.scope_set, 1);
	ck_assert_str_eq(o.scope_key, "team");
	ck_assert_str_eq(o.scope_value, "a=b");
	ck_assert_int_eq(parse("--scope", "team=a", "--status", NULL), -1);
	ck_assert_ptr_nonnull(strstr(err, "tag:KEY=VALUE"));
	ck_assert_int_eq(parse("--scope", "tag:=a", "--status", NULL), -1);
	ck_assert_int_eq(parse("--scope", "tag:k=", "--status", NULL), -1);
}
END_TEST

/* Modes: --status --json together; modes exclude each other. */
START_TEST(test_modes)
{
	ck_assert_int_eq(parse("--status", "--json", NULL), 0);
	ck_assert_int_eq(o.mode, MODE_STATUS);
	ck_assert_int_eq(o.json, 1);
	ck_assert_int_eq(parse("--check", "--export", NULL), -1);
	ck_assert_str_eq(err, "--check and --export cannot be combined");
	ck_assert_int_eq(parse("--json", "--check", NULL), -1);
	ck_assert_str_eq(err, "--json works only with --status");
	ck_assert_int_eq(parse("--all", "--check", NULL), -1);
	ck_assert_int_eq(parse("--check", "ls", NULL), -1);
	ck_assert_str_eq(err, "--check takes no command, but got ls");
	ck_assert_int_eq(parse("--all", "true", NULL), 0);
	ck_assert_int_eq(o.all, 1);
	ck_assert_int_eq(parse("--dry-run", "true", NULL), 0);
	ck_assert_int_eq(o.dry_run, 1);
}
END_TEST

/* --help and --version win over everything else and need no command. */
START_TEST(test_help_version)
{
	ck_assert_int_eq(parse("--help", NULL), 0);
	ck_assert_int_eq(o.mode, MODE_HELP);
	ck_assert_int_eq(parse("--check", "-h", "--status", NULL), 0);
	ck_assert_int_eq(o.mode, MODE_HELP);
	ck_assert_int_eq(parse("-V", NULL), 0);
	ck_assert_int_eq(o.mode, MODE_VERSION);
}
END_TEST

/* A run without a command is a usage error. */
START_TEST(test_no_command)
{
	ck_assert_int_eq(parse(NULL), -1);
	ck_assert_str_eq(err, "no command given (try --help)");
	ck_assert_int_eq(parse("-v", "--", NULL), -1);
}
END_TEST

/* Stores (DESIGN.md section 7): tags, EB's bucket, or a bucket of one's own. */
START_TEST(test_store)
{
	struct store_spec	 st;

	ck_assert_int_eq(parse("true", NULL), 0);
	ck_assert_int_eq(o.store.kind, STORE_TAGS);
	ck_assert_int_eq(o.store_set, 0);
	ck_assert_int_eq(o.lease_ms, 15000);
	ck_assert_int_eq(o.kill_after_ms, -1);
	ck_assert_int_eq(parse("--store", "s3", "true", NULL), 0);
	ck_assert_int_eq(o.store.kind, STORE_S3);
	ck_assert_int_eq(o.store.eb_bucket, 1);
	ck_assert_str_eq(o.store.prefix, "leader-exec/");
	ck_assert_int_eq(parse("--store=s3://my-bucket.example/a/b", "--lease",
	    "6", "--kill-after", "1.5", "true", NULL), 0);
	ck_assert_int_eq(o.store_set, 1);
	ck_assert_int_eq(o.store.eb_bucket, 0);
	ck_assert_str_eq(o.store.bucket, "my-bucket.example");
	ck_assert_str_eq(o.store.prefix, "a/b/");
	ck_assert_int_eq(o.lease_ms, 6000);
	ck_assert_int_eq(o.kill_after_ms, 1500);
	ck_assert_int_eq(cli_parse_store("x", "s3://abc", &st, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(st.prefix, "");
	ck_assert_int_eq(cli_parse_store("x", "s3://abc/p/", &st, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(st.prefix, "p/");
	/* Bucket names as S3 allows them, nothing else. */
	ck_assert_int_eq(cli_parse_store("LEADER_EXEC_STORE", "s3://ab", &st,
	    err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "LEADER_EXEC_STORE"));
	ck_assert_int_eq(cli_parse_store("x", "s3://Upper", &st, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(cli_parse_store("x", "s3://a..b", &st, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(cli_parse_store("x", "s3://-ab", &st, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(cli_parse_store("x", "s3://abc/a//b", &st, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(cli_parse_store("x", "s3://abc/a b", &st, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(cli_parse_store("x", "dynamodb", &st, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(parse("--lease", "2", "true", NULL), -1);
	ck_assert_int_eq(parse("--kill-after", "x", "true", NULL), -1);
}
END_TEST

/* --protect lasts while a lease is held: only with --hold/--standby/--wait. */
START_TEST(test_protect)
{
	ck_assert_int_eq(parse("true", NULL), 0);
	ck_assert_int_eq(o.protect, 0);
	ck_assert_int_eq(parse("--hold", "--standby", "--protect", "true",
	    NULL), 0);
	ck_assert_int_eq(o.protect, 1);
	ck_assert_int_eq(parse("--wait", "--protect", "true", NULL), 0);
	ck_assert_int_eq(o.protect, 1);
	ck_assert_int_eq(parse("--protect", "true", NULL), -1);
	ck_assert_ptr_nonnull(strstr(err, "--hold, --standby or --wait"));
	ck_assert_int_eq(parse("--store", "s3", "--protect", "true", NULL),
	    -1);
}
END_TEST

/* Unknown options and missing values are named in the error. */
START_TEST(test_unknown)
{
	ck_assert_int_eq(parse("--frobnicate", "ls", NULL), -1);
	ck_assert_str_eq(err, "unknown option --frobnicate (try --help)");
	ck_assert_int_eq(parse("-x", "ls", NULL), -1);
	ck_assert_str_eq(err, "unknown option -x (try --help)");
	ck_assert_int_eq(parse("--name", NULL), -1);
	ck_assert_str_eq(err, "--name needs a value");
	ck_assert_int_eq(parse("--check=1", NULL), -1);
	ck_assert_str_eq(err, "--check takes no value");
	ck_assert_int_eq(parse("--nam", "x", "ls", NULL), -1);
}
END_TEST

/* Names: 1..64 of [A-Za-z0-9._-]; no spaces, colons or slashes. */
START_TEST(test_name_limits)
{
	char	 name[CLI_NAME_MAX + 2];

	memset(name, 'a', CLI_NAME_MAX);
	name[CLI_NAME_MAX] = '\0';
	ck_assert_int_eq(parse("--name", name, "ls", NULL), 0);
	name[CLI_NAME_MAX] = 'a';
	name[CLI_NAME_MAX + 1] = '\0';
	ck_assert_int_eq(parse("--name", name, "ls", NULL), -1);
	ck_assert_int_eq(parse("--name", "", "ls", NULL), -1);
	ck_assert_int_eq(parse("--name", "a b", "ls", NULL), -1);
	ck_assert_int_eq(parse("--name", "a:b", "ls", NULL), -1);
	ck_assert_int_eq(parse("--name", "db-migrate_1.x", "ls", NULL), 0);
}
END_TEST

/* Epochs as in tags; "@" would break the tag value format. */
START_TEST(test_epoch_limits)
{
	ck_assert_int_eq(parse("--epoch", "4@2", "ls", NULL), -1);
	ck_assert_int_eq(parse("--epoch", "", "ls", NULL), -1);
	ck_assert_int_eq(parse("--epoch", "v1.2-rc_3", "ls", NULL), 0);
}
END_TEST

/* Durations: seconds with optional fraction, "s" or "ms"; bounded. */
START_TEST(test_durations)
{
	ck_assert_int_eq(cli_parse_duration("3"), 3000);
	ck_assert_int_eq(cli_parse_duration("2.5"), 2500);
	ck_assert_int_eq(cli_parse_duration("2.5s"), 2500);
	ck_assert_int_eq(cli_parse_duration("0.0015"), 1);
	ck_assert_int_eq(cli_parse_duration(".5"), 500);
	ck_assert_int_eq(cli_parse_duration("250ms"), 250);
	ck_assert_int_eq(cli_parse_duration("0"), 0);
	ck_assert_int_eq(cli_parse_duration(""), -1);
	ck_assert_int_eq(cli_parse_duration("5."), -1);
	ck_assert_int_eq(cli_parse_duration("-1"), -1);
	ck_assert_int_eq(cli_parse_duration("1m"), -1);
	ck_assert_int_eq(cli_parse_duration("ms"), -1);
	ck_assert_int_eq(cli_parse_duration("9999999999"), -1);
	ck_assert_int_eq(parse("--settle", "601", "ls", NULL), -1);
	ck_assert_int_eq(parse("--timeout", "0", "ls", NULL), -1);
	ck_assert_int_eq(parse("--timeout", "86401", "ls", NULL), -1);
	ck_assert_int_eq(parse("--settle", "5", "--timeout", "5", "ls",
	    NULL), -1);
	ck_assert_str_eq(err, "--settle (5000 ms) must be shorter than "
	    "--timeout (5000 ms)");
}
END_TEST

/* --follower-exit: 0..255, never a code reserved for errors. */
START_TEST(test_follower_exit)
{
	ck_assert_int_eq(parse("--follower-exit", "3", "ls", NULL), 0);
	ck_assert_int_eq(o.follower_exit, 3);
	ck_assert_int_eq(parse("--follower-exit", "256", "ls", NULL), -1);
	ck_assert_int_eq(parse("--follower-exit", "x", "ls", NULL), -1);
	ck_assert_int_eq(parse("--follower-exit", "111", "ls", NULL), -1);
	ck_assert_int_eq(parse("--follower-exit", "127", "ls", NULL), -1);
	ck_assert_int_eq(parse("--follower-exit", "2", "ls", NULL), -1);
}
END_TEST

/* --on-error takes fail, run or skip only. */
START_TEST(test_on_error)
{
	ck_assert_int_eq(parse("--on-error", "run", "ls", NULL), 0);
	ck_assert_int_eq(o.on_error, ON_ERROR_RUN);
	ck_assert_int_eq(parse("--on-error", "skip", "ls", NULL), 0);
	ck_assert_int_eq(o.on_error, ON_ERROR_SKIP);
	ck_assert_int_eq(parse("--on-error", "fail", "ls", NULL), 0);
	ck_assert_int_eq(o.on_error, ON_ERROR_FAIL);
	ck_assert_int_eq(parse("--on-error", "maybe", "ls", NULL), -1);
}
END_TEST

/*
 * Scope tags (issue 11 items 2 and 5): keys up to 128 characters, values
 * up to 256, counted in UTF-8 characters, not bytes; no control characters.
 */
START_TEST(test_scope_limits)
{
	char	 arg[2000];
	size_t	 i;

	memset(arg, 0, sizeof(arg));
	memcpy(arg, "tag:", 4);
	memset(arg + 4, 'k', 128);
	strcat(arg, "=v");
	ck_assert_int_eq(parse("--scope", arg, "--status", NULL), 0);
	ck_assert_uint_eq(strlen(o.scope_key), 128);
	memset(arg + 4, 'k', 129);
	strcpy(arg + 4 + 129, "=v");
	ck_assert_int_eq(parse("--scope", arg, "--status", NULL), -1);
	ck_assert_ptr_nonnull(strstr(err, "1 to 128 characters"));
	memset(arg, 0, sizeof(arg));
	strcpy(arg, "tag:k=");
	memset(arg + 6, 'v', 256);
	ck_assert_int_eq(parse("--scope", arg, "--status", NULL), 0);
	arg[6 + 256] = 'v';
	ck_assert_int_eq(parse("--scope", arg, "--status", NULL), -1);
	ck_assert_ptr_nonnull(strstr(err, "1 to 256 characters"));
	/* 256 CJK characters are 768 bytes: kept whole, not cut. */
	memset(arg, 0, sizeof(arg));
	strcpy(arg, "tag:k=");
	for (i = 0; i < 256; i++)
		memcpy(arg + 6 + 3 * i, "\xe7\x92\xb0", 3);
	ck_assert_int_eq(parse("--scope", arg, "--status", NULL), 0);
	ck_assert_uint_eq(strlen(o.scope_value), 768);
	ck_assert_str_eq(o.scope_value, arg + 6);
	memcpy(arg + 6 + 3 * 256, "\xe7\x92\xb0", 3);
	ck_assert_int_eq(parse("--scope", arg, "--status", NULL), -1);
	/* 128 four-byte characters make a 512-byte key. */
	memset(arg, 0, sizeof(arg));
	strcpy(arg, "tag:");
	for (i = 0; i < 128; i++)
		memcpy(arg + 4 + 4 * i, "\xf0\x9f\x94\x91", 4);
	strcat(arg, "=v");
	ck_assert_int_eq(parse("--scope", arg, "--status", NULL), 0);
	ck_assert_uint_eq(strlen(o.scope_key), 512);
	ck_assert_int_eq(parse("--scope", "tag:k=a\nb", "--status", NULL), -1);
	ck_assert_ptr_nonnull(strstr(err, "control characters"));
}
END_TEST

/* Regions: lowercase letters, digits and dashes. */
START_TEST(test_region)
{
	ck_assert_int_eq(parse("--region", "cn-north-1", "ls", NULL), 0);
	ck_assert_int_eq(parse("--region", "EU", "ls", NULL), -1);
	ck_assert_int_eq(parse("--region", "x/../y", "ls", NULL), -1);
	/* Issue 11 item 1: the same rule as the environment's region. */
	ck_assert_int_eq(parse("--region", "eu-west-1-", "ls", NULL), -1);
	ck_assert_int_eq(parse("--region", "attacker.example:8443#", "ls",
	    NULL), -1);
}
END_TEST

/*
 * Exit statuses are distinct: the error classes, the --check follower 1,
 * and 126/127 never collide, and each is listed in --help.
 */
START_TEST(test_exit_codes_distinct)
{
	static const int codes[] = { LERR_USAGE, LERR_IMDS, LERR_CREDS,
	    LERR_PERM, LERR_EC2, LERR_SCOPE, LERR_DEADLINE, LERR_SIGNAL,
	    LERR_INTERNAL, 126, 127, 1, 0 };
	size_t	 i, j;
	char	 num[16];

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		for (j = i + 1; j < sizeof(codes) / sizeof(codes[0]); j++)
			ck_assert_int_ne(codes[i], codes[j]);
	for (i = 0; i < 9; i++) {
		ck_assert(cli_reserved_status(codes[i]));
		snprintf(num, sizeof(num), "%d ", codes[i]);
		ck_assert_msg(strstr(cli_help, num) != NULL,
		    "exit status %d missing from --help", codes[i]);
	}
	ck_assert(!cli_reserved_status(0));
	ck_assert(!cli_reserved_status(1));
}
END_TEST

/* --rolling K, --quorum N|P%, --target-group ARN: ranges and forms. */
START_TEST(test_rolling)
{
	static const char tg[] = "arn:aws:elasticloadbalancing:us-east-1:"
	    "123456789012:targetgroup/web/50dc6c495c0c9188";

	ck_assert_int_eq(parse("--rolling", "2", "ls", NULL), 0);
	ck_assert_int_eq(o.rolling, 2);
	ck_assert_int_eq(o.quorum.kind, SLOTS_QUORUM_NONE);
	ck_assert_int_eq(parse("--rolling", "1000", "ls", NULL), 0);
	ck_assert_int_eq(parse("--rolling", "0", "ls", NULL), -1);
	ck_assert_str_eq(err, "--rolling 0: expected 1 to 1000 instances at "
	    "a time");
	ck_assert_int_eq(parse("--rolling", "1001", "ls", NULL), -1);
	ck_assert_int_eq(parse("--rolling", "2x", "ls", NULL), -1);
	ck_assert_int_eq(parse("--rolling", "1", "--quorum", "5", "ls",
	    NULL), 0);
	ck_assert_int_eq(o.quorum.kind, SLOTS_QUORUM_COUNT);
	ck_assert_int_eq(o.quorum.value, 5);
	ck_assert_int_eq(parse("--rolling", "1", "--quorum", "0", "ls",
	    NULL), 0);
	ck_assert_int_eq(parse("--rolling", "1", "--quorum", "50%", "ls",
	    NULL), 0);
	ck_assert_int_eq(o.quorum.kind, SLOTS_QUORUM_PERCENT);
	ck_assert_int_eq(o.quorum.value, 50);
	ck_assert_int_eq(parse("--rolling", "1", "--quorum", "100%", "ls",
	    NULL), 0);
	ck_assert_int_eq(parse("--rolling", "1", "--quorum", "0%", "ls",
	    NULL), -1);
	ck_assert_int_eq(parse("--rolling", "1", "--quorum", "101%", "ls",
	    NULL), -1);
	ck_assert_int_eq(parse("--rolling", "1", "--quorum", "-1", "ls",
	    NULL), -1);
	ck_assert_int_eq(parse("--rolling", "1", "--quorum", "5%%", "ls",
	    NULL), -1);
	ck_assert_int_eq(parse("--quorum", "5", "ls", NULL), -1);
	ck_assert_str_eq(err, "--quorum works only with --rolling K");
	ck_assert_int_eq(parse("--rolling", "1", "--check", NULL), -1);
	ck_assert_int_eq(parse("--rolling", "1", "--all", "ls", NULL), -1);
	ck_assert_int_eq(parse("--rolling", "1", "--target-group", tg, "ls",
	    NULL), 0);
	ck_assert_str_eq(o.target_group, tg);
	ck_assert_str_eq(o.target_group_region, "us-east-1");
	ck_assert_int_eq(parse("--target-group", tg, "ls", NULL), -1);
	ck_assert_str_eq(err, "--target-group works only with --rolling K");
}
END_TEST

/* The ARN form of a target group, partition by partition. */
START_TEST(test_target_group_arn)
{
	char	 region[32];

	ck_assert(cli_valid_target_group("arn:aws-cn:elasticloadbalancing:"
	    "cn-north-1:123456789012:targetgroup/a-b/0123456789abcdef",
	    region));
	ck_assert_str_eq(region, "cn-north-1");
	ck_assert(cli_valid_target_group("arn:aws-us-gov:"
	    "elasticloadbalancing:us-gov-west-1:123456789012:targetgroup/"
	    "x/1", region));
	ck_assert(!cli_valid_target_group("arn:aws-eu:elasticloadbalancing:"
	    "eu-west-1:123456789012:targetgroup/x/1", region));
	ck_assert(!cli_valid_target_group("arn:aws:elasticloadbalancing:"
	    "eu-west-1:12345678901:targetgroup/x/1", region));
	ck_assert(!cli_valid_target_group("arn:aws:elasticloadbalancing:"
	    "eu-west-1:123456789012:loadbalancer/x/1", region));
	ck_assert(!cli_valid_target_group("arn:aws:elasticloadbalancing:"
	    "eu-west-1:123456789012:targetgroup/x/", region));
	ck_assert(!cli_valid_target_group("arn:aws:elasticloadbalancing:"
	    "eu-west-1:123456789012:targetgroup/x/12g", region));
	ck_assert(!cli_valid_target_group("arn:aws:elasticloadbalancing:"
	    "eu-west-1:123456789012:targetgroup/a_b/1", region));
	ck_assert(!cli_valid_target_group("arn:aws:elasticloadbalancing:"
	    "EU:123456789012:targetgroup/a/1", region));
	ck_assert(!cli_valid_target_group("arn:aws:elasticloadbalancing:"
	    "eu-west-1:123456789012:targetgroup/"
	    "abcdefghijabcdefghijabcdefghijabc/1", region));
	ck_assert(cli_reserved_status(LERR_QUORUM));
	ck_assert_int_eq(LERR_QUORUM, 121);
	ck_assert(strstr(cli_help, "121 ") != NULL);
}
END_TEST

static Suite *
cli_suite(void)
{
	Suite	*s = suite_create("cli");
	TCase	*core = tcase_create("Core");
	TCase	*limits = tcase_create("Limits");

	tcase_add_test(core, test_defaults);
	tcase_add_test(core, test_double_dash);
	tcase_add_test(core, test_command_options_untouched);
	tcase_add_test(core, test_value_forms);
	tcase_add_test(core, test_verbose_bundle);
	tcase_add_test(core, test_rolling);
	tcase_add_test(core, test_target_group_arn);
	tcase_add_test(core, test_epoch_none);
	tcase_add_test(core, test_scope);
	tcase_add_test(core, test_modes);
	tcase_add_test(core, test_help_version);
	tcase_add_test(core, test_no_command);
	tcase_add_test(core, test_unknown);
	tcase_add_test(core, test_store);
	tcase_add_test(limits, test_name_limits);
	tcase_add_test(limits, test_epoch_limits);
	tcase_add_test(limits, test_durations);
	tcase_add_test(limits, test_follower_exit);
	tcase_add_test(limits, test_on_error);
	tcase_add_test(limits, test_scope_limits);
	tcase_add_test(limits, test_region);
	tcase_add_test(limits, test_exit_codes_distinct);
	tcase_add_test(limits, test_protect);
	suite_add_tcase(s, core);
	suite_add_tcase(s, limits);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(cli_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
