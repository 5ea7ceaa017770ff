/*
 * cli: the command line, parsed and validated without side effects.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "err.h"
#include "util.h"

const char cli_help[] =
"usage: leader-exec [options] [--] command [arg ...]\n"
"       leader-exec [options] --export | --check | --status [--json]\n"
"\n"
"Elect one command leader among the running EC2 instances of a group (an\n"
"Elastic Beanstalk environment, an Auto Scaling group or a tag) and run the\n"
"command only there.  Followers run nothing.\n"
"\n"
"Modes:\n"
"  command [arg ...]       exec the command on the leader only\n"
"  --export                print shell export lines (eval \"$(leader-exec --export)\")\n"
"  --check                 exit 0 on the leader, 1 on a follower\n"
"                          (--export and --check run no command, but elect as a\n"
"                          run does: with no leader they may claim and settle)\n"
"  --status [--json]       show the group, each instance's claim and rank\n"
"                          (s3: the record), the leader and why; read-only\n"
"\n"
"Options:\n"
"  -n, --name NAME         leadership name; tag key leader-exec:NAME, or the\n"
"                          s3 record PREFIX/GROUP/NAME.json (default: command)\n"
"  -e, --epoch EPOCH       lead per epoch (default: DeploymentId of the EB\n"
"                          deployment manifest, if any; \"none\": no epoch)\n"
"      --manifest FILE     EB deployment manifest (default:\n"
"                          /opt/elasticbeanstalk/deployment/app_version_manifest.json)\n"
"  -s, --scope tag:KEY=VALUE\n"
"                          the group (default: own elasticbeanstalk:environment-id,\n"
"                          else own aws:autoscaling:groupName tag)\n"
"  -r, --region REGION     AWS region (default: AWS_REGION, AWS_DEFAULT_REGION,\n"
"                          then the instance identity document); every source\n"
"                          must be a region name like eu-west-1\n"
"      --settle SECONDS    wait after a claim before confirming it (default 3)\n"
"  -t, --timeout SECONDS   overall deadline (default 60)\n"
"      --store tags|s3|s3://BUCKET[/PREFIX]\n"
"                          where leadership lives (default: LEADER_EXEC_STORE,\n"
"                          else tags): tags on the instances, or a record in S3\n"
"                          written with conditional PUTs; s3 is Elastic\n"
"                          Beanstalk's bucket elasticbeanstalk-REGION-ACCOUNT\n"
"                          with prefix leader-exec/\n"
"      --lease SECONDS     s3: how long one renewal holds the leadership\n"
"                          (default 15; renewed every third of it)\n"
"      --kill-after SECONDS\n"
"                          s3: SIGKILL this long after the SIGTERM that stops\n"
"                          the command when leadership is lost (default:\n"
"                          (lease - renew deadline - 1 s) / 2, the renew\n"
"                          deadline being 2/3 of the lease: 2 for lease 15)\n"
"      --all               run the command on every instance, with\n"
"                          EB_IS_COMMAND_LEADER=true or false\n"
"      --dry-run           decide, but write no tag and run nothing\n"
"      --follower-exit N   exit status of a follower (default 0)\n"
"      --rolling K         every instance runs the command once per epoch, at\n"
"                          most K at a time; the others wait for a free slot\n"
"                          (needs --store s3)\n"
"      --quorum N|P%       with --rolling: start only if, with this instance\n"
"                          out, N instances (or P% of the running ones,\n"
"                          rounded up) remain running and not running it;\n"
"                          else wait, at most --timeout, then exit 121\n"
"      --target-group ARN  with --rolling: an instance counts as running only\n"
"                          while its target is healthy in this ELBv2 group\n"
"      --on-error fail|run|skip\n"
"                          when leadership cannot be decided: fail (default),\n"
"                          run the command anyway, or act as a follower\n"
"      --store tags|s3|s3://BUCKET[/PREFIX]\n"
"                          where leadership is recorded: a tag on the leader\n"
"                          (default) or one S3 record written with\n"
"                          conditional PUTs (s3: Elastic Beanstalk's bucket)\n"
"\n"
"Supervision (the command runs as a child under a lease):\n"
"      --hold              a service: when it exits, the lease is released\n"
"                          for a standby to take over (not marked done)\n"
"      --standby           a follower waits, polling every lease/3, and takes\n"
"                          over when the lease is released or expires or the\n"
"                          holder stops running\n"
"      --wait              a follower waits for the leader's command: exit 0\n"
"                          if it succeeded, 120 if it failed; takes over if\n"
"                          the leader dies first (not with --standby)\n"
"      --protect           Auto Scaling scale-in protection on the holder while\n"
"                          it holds (with --hold, --standby or --wait)\n"
"      --lease SECONDS     the lease (default 15, 3 to 3600), renewed every\n"
"                          lease/3; the command is stopped when no renewal\n"
"                          succeeded for 2/3 of it\n"
"      --kill-after SECONDS\n"
"                          SIGKILL this long after SIGTERM when leadership is\n"
"                          lost (default (lease/3 - 1 s) / 2; renew deadline\n"
"                          + kill-after + 1 s must stay below the lease)\n"
"--timeout bounds each election step; --standby and --wait wait without bound.\n"
"\n"
"      --allow-imdsv1      fall back to IMDSv1 when IMDSv2 gives no token\n"
"      --allow-http-endpoint\n"
"                          accept a plain http EC2 endpoint on a host other\n"
"                          than loopback (signed requests travel unencrypted)\n"
"  -v, --verbose           more detail on stderr (repeat for HTTP traces)\n"
"  -V, --version           print the version\n"
"  -h, --help              print this help\n"
"\n"
"Environment of the command: EB_IS_COMMAND_LEADER, LEADER_EXEC_LEADER_ID,\n"
"LEADER_EXEC_TERM (a fencing token), LEADER_EXEC_NAME, LEADER_EXEC_EPOCH,\n"
"LEADER_EXEC_STORE.\n"
"Read: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION,\n"
"AWS_DEFAULT_REGION, AWS_ENDPOINT_URL_EC2, AWS_ENDPOINT_URL_S3 (S3),\n"
"AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2 (with --target-group),\n"
"AWS_ENDPOINT_URL_AUTOSCALING (with --protect),\n"
"AWS_ENDPOINT_URL (all), AWS_EC2_METADATA_SERVICE_ENDPOINT,\n"
"AWS_EC2_METADATA_DISABLED, LEADER_EXEC_STORE (the default --store),\n"
"LEADER_EXEC_MANIFEST, SSL_CERT_FILE, SSL_CERT_DIR.\n"
"The EB platform hooks read LEADER_EXEC_MIGRATE_COMMAND, LEADER_EXEC_EXPORT_FILE,\n"
"LEADER_EXEC_ARGS and LEADER_EXEC_MIGRATE_WAIT (true: --wait for the others);\n"
"with none set they run nothing and succeed.\n"
"\n"
"Limits: --name and --epoch 1 to 64 letters, digits, '.', '_' or '-';\n"
"--scope KEY 1 to 128 characters, VALUE 1 to 256; --region 1 to 31 of a-z 0-9 -;\n"
"--settle 0 to 600 s; --timeout 0.001 to 86400 s; --follower-exit 0 to 255,\n"
"except 2, 111-121, 126, 127; --store s3://BUCKET: 3 to 63 of a-z 0-9 . -,\n"
"a prefix up to 254 of A-Z a-z 0-9 . _ - in '/'-separated parts;\n"
"--lease 3 to 3600 s; --kill-after 0 to 3600 s; and with s3, renew deadline\n"
"+ kill-after + 1 s clock drift < lease (15: 10 + 2 + 1), else exit 2;\n"
"--rolling 1 to 1000; --quorum 0 to 100000 or 1% to 100%; --target-group at\n"
"most 256 characters.\n"
"\n"
"Files: /opt/elasticbeanstalk/deployment/app_version_manifest.json (the epoch);\n"
"the CA bundle /etc/pki/tls/certs/ca-bundle.crt, else\n"
"/etc/ssl/certs/ca-certificates.crt.  In an EB bundle: .platform/bin/leader-exec\n"
"(a wrapper for leader-exec-x86_64 or leader-exec-aarch64), the hooks\n"
".platform/hooks/predeploy/05_leader_export.sh and 10_leader_migrate.sh, and\n"
".platform/confighooks/predeploy/05_leader_export.sh.\n"
"\n"
"Exit status:\n"
"  leader     the command's own status (126 not runnable, 127 not found)\n"
"  follower   0, or --follower-exit N\n"
"  --check    0 leader, 1 follower\n"
"  2 usage error               111 instance metadata unavailable\n"
"  112 credentials missing or rejected   113 IAM permission missing\n"
"  114 EC2 or S3 API failed, or an S3 record leader-exec cannot read\n"
"  115 group (scope) undetermined, or the S3 bucket missing\n"
"  116 deadline: no certain answer before --timeout\n"
"  117 interrupted by SIGINT, SIGTERM, SIGHUP or SIGQUIT (also after the\n"
"      decision: the command is not run)\n"
"  118 internal error\n"
"  119 leadership lost: no renewal for the renew deadline; the command\n"
"      was stopped (SIGTERM, SIGKILL after --kill-after)\n"
"  120 --wait: the leader's command failed\n"
"  121 --quorum not reached before --timeout\n"
"With the s3 store, --hold, --standby or --wait the command runs as a child\n"
"(its status, or 128+N for signal N, is passed through) while the lease is\n"
"renewed; otherwise leader-exec becomes the command.\n";

static const char *const mode_flags[] = {
	[MODE_RUN] = "command",
	[MODE_EXPORT] = "--export",
	[MODE_CHECK] = "--check",
	[MODE_STATUS] = "--status",
	[MODE_HELP] = "--help",
	[MODE_VERSION] = "--version",
};

static int
fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

long
cli_parse_duration(const char *s)
{
	long	 whole = 0, frac = 0, scale = 1000, unit = 1000;
	size_t	 ndigits = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++) {
		if (++ndigits > 9)
			return -1;
		whole = whole * 10 + (*p - '0');
	}
	if (*p == '.') {
		size_t	 nfrac = 0;

		for (p++; *p >= '0' && *p <= '9'; p++, nfrac++)
			if (nfrac < 3) {
				scale /= 10;
				frac += (*p - '0') * scale;
			}
		if (nfrac == 0)
			return -1;
	}
	if (ndigits == 0 && p == s)
		return -1;
	if (strcmp(p, "ms") == 0)
		unit = 1;
	else if (strcmp(p, "s") != 0 && *p != '\0')
		return -1;
	if (unit == 1)
		return whole + (frac >= 500 ? 1 : 0);
	return whole * 1000 + frac;
}

int
cli_reserved_status(int code)
{
	return code == LERR_USAGE || (code >= LERR_IMDS &&
	    code <= LERR_QUORUM) || code == 126 || code == 127;
}

/* Characters EC2 allows in tag keys and values. */
static int
valid_tag_text(const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char	 c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			return 0;
	}
	return 1;
}

static int
parse_scope(const char *arg, struct options *o, char *err, size_t errlen)
{
	const char	*eq;
	size_t		 klen;

	if (strncmp(arg, "tag:", 4) != 0 || (eq = strchr(arg + 4, '=')) == NULL)
		return fail(err, errlen, "--scope %s: expected tag:KEY=VALUE",
		    arg);
	klen = (size_t)(eq - (arg + 4));
	/* EC2's limits in characters; the buffers hold them in any UTF-8. */
	if (klen == 0 || klen >= sizeof(o->scope_key) ||
	    utf8_chars(arg + 4, klen) > TAG_KEY_CHARS)
		return fail(err, errlen, "--scope: the tag key must be 1 to "
		    "%d characters", TAG_KEY_CHARS);
	if (eq[1] == '\0' || strlen(eq + 1) >= sizeof(o->scope_value) ||
	    utf8_chars(eq + 1, strlen(eq + 1)) > TAG_VALUE_CHARS)
		return fail(err, errlen, "--scope: the tag value must be 1 to "
		    "%d characters", TAG_VALUE_CHARS);
	memcpy(o->scope_key, arg + 4, klen);
	o->scope_key[klen] = '\0';
	strlcpy(o->scope_value, eq + 1, sizeof(o->scope_value));
	if (!valid_tag_text(o->scope_key) || !valid_tag_text(o->scope_value))
		return fail(err, errlen, "--scope: control characters are not "
		    "allowed in tags");
	o->scope_set = 1;
	return 0;
}

/* S3's rules: 3 to 63 of [a-z0-9.-], a letter or digit at both ends, no "..". */
static int
valid_bucket(const char *b, size_t n)
{
	size_t	 i;

	if (n < 3 || n > CLI_BUCKET_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((b[i] >= 'a' && b[i] <= 'z') ||
		    (b[i] >= '0' && b[i] <= '9') || b[i] == '.' || b[i] == '-'))
			return 0;
	if (b[0] == '.' || b[0] == '-' || b[n - 1] == '.' || b[n - 1] == '-')
		return 0;
	for (i = 0; i + 1 < n; i++)
		if (b[i] == '.' && b[i + 1] == '.')
			return 0;
	return 1;
}

/* A key prefix of [A-Za-z0-9._-] words separated by single '/'. */
static int
valid_prefix(const char *p, size_t n)
{
	size_t	 i;

	if (n > CLI_PREFIX_MAX - 1 || p[0] == '/')
		return 0;
	for (i = 0; i < n; i++) {
		if (p[i] == '/' && i + 1 < n && p[i + 1] == '/')
			return 0;
		if (!((p[i] >= 'a' && p[i] <= 'z') ||
		    (p[i] >= 'A' && p[i] <= 'Z') ||
		    (p[i] >= '0' && p[i] <= '9') || p[i] == '.' ||
		    p[i] == '_' || p[i] == '-' || p[i] == '/'))
			return 0;
	}
	return 1;
}

int
cli_parse_store(const char *what, const char *s, struct store_spec *st,
    char *err, size_t errlen)
{
	const char	*b, *slash;
	size_t		 blen, plen;

	memset(st, 0, sizeof(*st));
	if (strcmp(s, "tags") == 0) {
		st->kind = STORE_TAGS;
		return 0;
	}
	st->kind = STORE_S3;
	if (strcmp(s, "s3") == 0) {
		st->eb_bucket = 1;
		strlcpy(st->prefix, CLI_S3_DEFAULT_PREFIX, sizeof(st->prefix));
		return 0;
	}
	if (strncmp(s, "s3://", 5) != 0)
		return fail(err, errlen, "%s %s: expected tags, s3 or "
		    "s3://BUCKET[/PREFIX]", what, s);
	b = s + 5;
	slash = strchr(b, '/');
	blen = slash ? (size_t)(slash - b) : strlen(b);
	if (!valid_bucket(b, blen))
		return fail(err, errlen, "%s %s: not an S3 bucket name (3 to "
		    "%d of a-z, 0-9, '.', '-')", what, s, CLI_BUCKET_MAX);
	memcpy(st->bucket, b, blen);
	st->bucket[blen] = '\0';
	if (slash == NULL || slash[1] == '\0')
		return 0;
	plen = strlen(slash + 1);
	if (!valid_prefix(slash + 1, plen))
		return fail(err, errlen, "%s %s: the prefix must be at most %d "
		    "of A-Z, a-z, 0-9, '.', '_', '-' in '/'-separated parts",
		    what, s, CLI_PREFIX_MAX - 2);
	snprintf(st->prefix, sizeof(st->prefix), "%s%s", slash + 1,
	    slash[plen] == '/' ? "" : "/");
	return 0;
}

static int
set_mode(struct options *o, enum cli_mode m, char *err, size_t errlen)
{
	if (o->mode == MODE_HELP || o->mode == MODE_VERSION)
		return 0;
	if (o->mode != MODE_RUN && o->mode != m)
		return fail(err, errlen, "%s and %s cannot be combined",
		    mode_flags[o->mode], mode_flags[m]);
	o->mode = m;
	return 0;
}

/* n of [A-Za-z0-9-] (hex: [0-9a-f] only) ending at stop; the length. */
static size_t
arn_word(const char *s, int stop, int hex)
{
	size_t	 n;

	for (n = 0; s[n] != '\0' && s[n] != stop; n++)
		if (!((s[n] >= '0' && s[n] <= '9') ||
		    (s[n] >= 'a' && s[n] <= 'f') || (!hex &&
		    ((s[n] >= 'a' && s[n] <= 'z') ||
		    (s[n] >= 'A' && s[n] <= 'Z') || s[n] == '-'))))
			return 0;
	return s[n] == stop ? n : 0;
}

int
cli_valid_target_group(const char *arn, char *region)
{
	static const char *const parts[] = { "arn:aws:", "arn:aws-cn:",
	    "arn:aws-us-gov:" };
	const char	*p = NULL, *colon;
	size_t		 i, n;

	region[0] = '\0';
	if (strlen(arn) > CLI_TARGET_GROUP_MAX)
		return 0;
	for (i = 0; i < nitems(parts) && p == NULL; i++)
		if (strncmp(arn, parts[i], strlen(parts[i])) == 0)
			p = arn + strlen(parts[i]);
	if (p == NULL || strncmp(p, "elasticloadbalancing:", 21) != 0)
		return 0;
	p += 21;
	if ((colon = strchr(p, ':')) == NULL || colon - p < 1 ||
	    colon - p > 31)
		return 0;
	memcpy(region, p, (size_t)(colon - p));
	region[colon - p] = '\0';
	if (!region_valid(region))
		goto bad;
	p = colon + 1;
	for (n = 0; p[n] >= '0' && p[n] <= '9'; n++)
		continue;
	if (n != 12 || p[n] != ':' || strncmp(p + 13, "targetgroup/", 12) != 0)
		goto bad;
	p += 25;
	if ((n = arn_word(p, '/', 0)) < 1 || n > 32)
		goto bad;
	p += n + 1;
	if ((n = arn_word(p, '\0', 1)) < 1 || n > 32)
		goto bad;
	return 1;
bad:
	region[0] = '\0';
	return 0;
}

/* --quorum N or P%. */
static int
parse_quorum(struct options *o, const char *val, char *err, size_t errlen)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(val, &end, 10);
	if (errno != 0 || end == val || (*end != '\0' && strcmp(end, "%")
	    != 0) || v < 0 || v > (*end == '%' ? 100 : 100000) ||
	    (*end == '%' && v < 1) || val[0] == '-' || val[0] == '+')
		return fail(err, errlen, "--quorum %s: expected N (0 to "
		    "100000 instances) or P%% (1%% to 100%%)", val);
	o->quorum.kind = *end == '%' ? SLOTS_QUORUM_PERCENT :
	    SLOTS_QUORUM_COUNT;
	o->quorum.value = (int)v;
	return 0;
}

/* --rolling K, --quorum N|P%, --target-group ARN. */
static int
apply_rolling(struct options *o, const char *opt, const char *val,
    char *err, size_t errlen)
{
	char	*end;
	long	 v;

	if (strcmp(opt, "quorum") == 0)
		return parse_quorum(o, val, err, errlen);
	if (strcmp(opt, "target-group") == 0) {
		if (!cli_valid_target_group(val, o->target_group_region))
			return fail(err, errlen, "--target-group %s: expected "
			    "arn:aws:elasticloadbalancing:REGION:ACCOUNT:"
			    "targetgroup/NAME/ID", val);
		strlcpy(o->target_group, val, sizeof(o->target_group));
		return 0;
	}
	errno = 0;
	v = strtol(val, &end, 10);
	if (errno != 0 || end == val || *end != '\0' || v < 1 ||
	    v > SLOTS_MAX)
		return fail(err, errlen, "--rolling %s: expected 1 to %d "
		    "instances at a time", val, SLOTS_MAX);
	o->rolling = (int)v;
	return 0;
}

/* Apply one option that takes a value. */
static int
apply_value(struct options *o, const char *opt, const char *val, char *err,
    size_t errlen)
{
	long	 ms;
	char	*end;

	if (strcmp(opt, "name") == 0) {
		if (!election_valid_word(val, CLI_NAME_MAX))
			return fail(err, errlen, "--name %s: use 1 to %d "
			    "letters, digits, '.', '_' or '-'", val,
			    CLI_NAME_MAX);
		strlcpy(o->name, val, sizeof(o->name));
	} else if (strcmp(opt, "epoch") == 0) {
		if (strcmp(val, "none") == 0)
			o->epoch[0] = '\0';
		else if (!election_valid_epoch(val))
			return fail(err, errlen, "--epoch %s: use 1 to %d "
			    "letters, digits, '.', '_' or '-', or \"none\"",
			    val, ELECTION_EPOCH_MAX);
		else
			strlcpy(o->epoch, val, sizeof(o->epoch));
		o->epoch_set = 1;
	} else if (strcmp(opt, "manifest") == 0) {
		if (val[0] == '\0')
			return fail(err, errlen, "--manifest: empty path");
		o->manifest = val;
	} else if (strcmp(opt, "scope") == 0) {
		return parse_scope(val, o, err, errlen);
	} else if (strcmp(opt, "region") == 0) {
		if (!region_valid(val) ||
		    strlen(val) >= sizeof(o->region))
			return fail(err, errlen, "--region %s: not a region "
			    "name (like eu-west-1)", val);
		strlcpy(o->region, val, sizeof(o->region));
	} else if (strcmp(opt, "settle") == 0) {
		if ((ms = cli_parse_duration(val)) < 0 || ms > 600000)
			return fail(err, errlen, "--settle %s: expected "
			    "seconds from 0 to 600 (like 3, 0.5 or 500ms)", val);
		o->settle_ms = ms;
	} else if (strcmp(opt, "timeout") == 0) {
		if ((ms = cli_parse_duration(val)) < 1 ||
		    ms > CLI_MAX_TIMEOUT_MS)
			return fail(err, errlen, "--timeout %s: expected "
			    "seconds from 0.001 to 86400", val);
		o->timeout_ms = ms;
	} else if (strcmp(opt, "store") == 0) {
		if (cli_parse_store("--store", val, &o->store, err, errlen) == -1)
			return -1;
		o->store_set = 1;
	} else if (strcmp(opt, "lease") == 0) {
		if ((ms = cli_parse_duration(val)) < 3000 ||
		    ms > CLI_MAX_LEASE_MS)
			return fail(err, errlen, "--lease %s: expected seconds "
			    "from 3 to 3600", val);
		o->lease_ms = ms;
	} else if (strcmp(opt, "kill-after") == 0) {
		if ((ms = cli_parse_duration(val)) < 0 ||
		    ms > CLI_MAX_LEASE_MS)
			return fail(err, errlen, "--kill-after %s: expected "
			    "seconds from 0 to 3600", val);
		o->kill_after_ms = ms;
	} else if (strcmp(opt, "follower-exit") == 0) {
		errno = 0;
		ms = strtol(val, &end, 10);
		if (errno != 0 || end == val || *end != '\0' || ms < 0 ||
		    ms > 255)
			return fail(err, errlen, "--follower-exit %s: expected "
			    "0 to 255", val);
		if (cli_reserved_status((int)ms))
			return fail(err, errlen, "--follower-exit %ld: "
			    "reserved for errors (2, 111-121, 126, 127)", ms);
		o->follower_exit = (int)ms;
	} else if (strcmp(opt, "rolling") == 0 ||
	    strcmp(opt, "quorum") == 0 || strcmp(opt, "target-group") == 0) {
		return apply_rolling(o, opt, val, err, errlen);
	} else if (strcmp(opt, "on-error") == 0) {
		if (strcmp(val, "fail") == 0)
			o->on_error = ON_ERROR_FAIL;
		else if (strcmp(val, "run") == 0)
			o->on_error = ON_ERROR_RUN;
		else if (strcmp(val, "skip") == 0)
			o->on_error = ON_ERROR_SKIP;
		else
			return fail(err, errlen, "--on-error %s: expected "
			    "fail, run or skip", val);
	} else
		return fail(err, errlen, "internal: unknown option %s", opt);
	return 0;
}

struct longopt {
	const char	*name;
	char		 shortname;
	int		 has_value;
};

static const struct longopt longopts[] = {
	{ "name", 'n', 1 }, { "epoch", 'e', 1 }, { "manifest", 0, 1 },
	{ "scope", 's', 1 }, { "region", 'r', 1 }, { "settle", 0, 1 },
	{ "timeout", 't', 1 }, { "follower-exit", 0, 1 },
	{ "store", 0, 1 }, { "lease", 0, 1 }, { "kill-after", 0, 1 },
	{ "on-error", 0, 1 }, { "rolling", 0, 1 }, { "quorum", 0, 1 },
	{ "target-group", 0, 1 }, { "export", 0, 0 }, { "check", 0, 0 },
	{ "status", 0, 0 }, { "json", 0, 0 }, { "all", 0, 0 },
	{ "dry-run", 0, 0 }, { "allow-imdsv1", 0, 0 },
	{ "allow-http-endpoint", 0, 0 }, { "verbose", 'v', 0 },
	{ "hold", 0, 0 }, { "standby", 0, 0 }, { "wait", 0, 0 },
	{ "protect", 0, 0 },
	{ "version", 'V', 0 }, { "help", 'h', 0 },
};

/* Apply one option that takes no value. */
static int
apply_flag(struct options *o, const char *opt, char *err, size_t errlen)
{
	if (strcmp(opt, "export") == 0)
		return set_mode(o, MODE_EXPORT, err, errlen);
	if (strcmp(opt, "check") == 0)
		return set_mode(o, MODE_CHECK, err, errlen);
	if (strcmp(opt, "status") == 0)
		return set_mode(o, MODE_STATUS, err, errlen);
	if (strcmp(opt, "json") == 0)
		o->json = 1;
	else if (strcmp(opt, "all") == 0)
		o->all = 1;
	else if (strcmp(opt, "dry-run") == 0)
		o->dry_run = 1;
	else if (strcmp(opt, "allow-imdsv1") == 0)
		o->allow_imdsv1 = 1;
	else if (strcmp(opt, "allow-http-endpoint") == 0)
		o->allow_http_endpoint = 1;
	else if (strcmp(opt, "hold") == 0)
		o->hold = 1;
	else if (strcmp(opt, "standby") == 0)
		o->standby = 1;
	else if (strcmp(opt, "wait") == 0)
		o->wait = 1;
	else if (strcmp(opt, "protect") == 0)
		o->protect = 1;
	else if (strcmp(opt, "verbose") == 0)
		o->verbose++;
	else if (strcmp(opt, "version") == 0)
		o->mode = MODE_VERSION;
	else if (strcmp(opt, "help") == 0)
		o->mode = MODE_HELP;
	return 0;
}

static const struct longopt *
find_long(const char *name, size_t len)
{
	size_t	 i;

	for (i = 0; i < nitems(longopts); i++)
		if (strlen(longopts[i].name) == len &&
		    strncmp(longopts[i].name, name, len) == 0)
			return &longopts[i];
	return NULL;
}

static const struct longopt *
find_short(char c)
{
	size_t	 i;

	for (i = 0; i < nitems(longopts); i++)
		if (longopts[i].shortname == c)
			return &longopts[i];
	return NULL;
}

static void
set_defaults(struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->mode = MODE_RUN;
	strlcpy(o->name, CLI_DEFAULT_NAME, sizeof(o->name));
	o->settle_ms = CLI_DEFAULT_SETTLE_MS;
	o->timeout_ms = CLI_DEFAULT_TIMEOUT_MS;
	o->on_error = ON_ERROR_FAIL;
	o->store.kind = STORE_TAGS;
	o->lease_ms = CLI_DEFAULT_LEASE_MS;
	o->kill_after_ms = -1;
}

/* Cross-option rules, once every option is known. */
static int
validate(struct options *o, char *err, size_t errlen)
{
	if (o->mode == MODE_HELP || o->mode == MODE_VERSION)
		return 0;
	if (o->mode == MODE_RUN && o->ncommand == 0)
		return fail(err, errlen, "no command given (try --help)");
	if (o->mode != MODE_RUN && o->ncommand > 0)
		return fail(err, errlen, "%s takes no command, but got %s",
		    mode_flags[o->mode], o->command[0]);
	if (o->json && o->mode != MODE_STATUS)
		return fail(err, errlen, "--json works only with --status");
	if (o->all && o->mode != MODE_RUN)
		return fail(err, errlen, "--all works only with a command");
	if ((o->quorum.kind != SLOTS_QUORUM_NONE || o->target_group[0]) &&
	    o->rolling == 0)
		return fail(err, errlen, "--%s works only with --rolling K",
		    o->target_group[0] ? "target-group" : "quorum");
	if (o->rolling > 0 && (o->mode != MODE_RUN || o->all))
		return fail(err, errlen, "--rolling works only with a command, "
		    "and not with --all");
	if ((o->hold || o->standby || o->wait) && o->mode != MODE_RUN)
		return fail(err, errlen, "--%s works only with a command",
		    o->hold ? "hold" : o->standby ? "standby" : "wait");
	if (o->standby && o->wait)
		return fail(err, errlen, "--standby and --wait cannot be "
		    "combined (a standby takes over; --wait reports the "
		    "leader's outcome)");
	if (o->protect && !(o->hold || o->standby || o->wait))
		return fail(err, errlen, "--protect lasts while a lease is "
		    "held: use it with --hold, --standby or --wait");
	if ((o->hold || o->standby || o->wait) && o->all)
		return fail(err, errlen, "--all runs everywhere: it cannot be "
		    "combined with --hold, --standby or --wait");
	if (o->rolling > 0 && (o->hold || o->standby || o->wait))
		return fail(err, errlen, "--rolling runs every instance once: it "
		    "cannot be combined with --hold, --standby or --wait");
	if (o->settle_ms >= o->timeout_ms)
		return fail(err, errlen, "--settle (%ld ms) must be shorter "
		    "than --timeout (%ld ms)", o->settle_ms, o->timeout_ms);
	snprintf(o->tag_key, sizeof(o->tag_key), "%s%s", CLI_TAG_PREFIX,
	    o->name);
	return 0;
}

int
cli_parse(int argc, char **argv, struct options *o, char *err, size_t errlen)
{
	const struct longopt	*lo;
	int			 i;

	set_defaults(o);
	err[0] = '\0';
	for (i = 1; i < argc; i++) {
		const char	*arg = argv[i], *val = NULL, *eq;
		char		 optname[32];

		if (strcmp(arg, "--") == 0) {
			i++;
			break;
		}
		if (arg[0] != '-' || arg[1] == '\0')
			break;
		if (arg[1] == '-') {
			eq = strchr(arg + 2, '=');
			lo = find_long(arg + 2, eq ? (size_t)(eq - arg - 2) :
			    strlen(arg + 2));
			if (lo == NULL)
				return fail(err, errlen, "unknown option %s "
				    "(try --help)", arg);
			if (eq != NULL && !lo->has_value)
				return fail(err, errlen, "--%s takes no value",
				    lo->name);
			if (lo->has_value) {
				if (eq != NULL)
					val = eq + 1;
				else if (i + 1 < argc)
					val = argv[++i];
				else
					return fail(err, errlen, "--%s needs a "
					    "value", lo->name);
			}
		} else {
			const char	*p;

			/* Bundled short flags: -vv; a value ends the bundle. */
			for (p = arg + 1; *p != '\0'; p++) {
				if ((lo = find_short(*p)) == NULL)
					return fail(err, errlen, "unknown "
					    "option -%c (try --help)", *p);
				if (!lo->has_value) {
					if (apply_flag(o, lo->name, err,
					    errlen) == -1)
						return -1;
					continue;
				}
				if (p[1] != '\0')
					val = p + 1;
				else if (i + 1 < argc)
					val = argv[++i];
				else
					return fail(err, errlen, "-%c needs a "
					    "value", *p);
				break;
			}
			if (val == NULL)
				continue;
		}
		strlcpy(optname, lo->name, sizeof(optname));
		if (lo->has_value) {
			if (apply_value(o, optname, val, err, errlen) == -1)
				return -1;
		} else if (apply_flag(o, optname, err, errlen) == -1)
			return -1;
	}
	o->command = argv + i;
	o->ncommand = argc - i;
	return validate(o, err, errlen);
}
