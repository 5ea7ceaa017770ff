#!/usr/bin/env python3
"""Static checks of what leader-exec ships for Elastic Beanstalk.

1. The IAM policy allows every EC2 action leader-exec calls: the actions
   are read from the C source (the literal action names passed to ec2_call
   and ec2_tag_call in src/*.c, and the q.action / q.iam_prefix of other
   Query API calls such as ELBv2's DescribeTargetHealth), so a new call
   without a policy change fails here.  Each is evaluated against ebextensions/leader-exec-iam-policy.json
   with the request leader-exec actually makes (DescribeInstances on "*";
   CreateTags/DeleteTags of a leader-exec:<name> tag on an instance of the
   environment), by a small evaluator of the condition operators the policy
   uses (an operator it does not know is a failure, never a pass).
2. Least privilege: the policy grants no other action, no wildcard action,
   and refuses other tag keys, untagged DeleteTags, other environments'
   instances and non-instance resources; its environment-name placeholder is
   documented, and a pattern in its place covers several environments.  When moto is importable, moto's IAM policy validator accepts
   the document (in process, no network).
   The s3 store's policy (ebextensions/leader-exec-s3-policy.json) allows
   the S3 actions src/s3.c calls (GetObject, PutObject) on the records
   under BUCKET/leader-exec/, s3:ListBucket on the bucket (a missing record
   is then 404, not 403) and ec2:DescribeInstances, exactly those; it
   refuses other keys, other buckets and DeleteObject; its bucket
   placeholder is documented.
3. Every ebextensions/*.config is YAML with known top-level keys; container
   commands have a command and no leader_only; file modes are quoted
   six-digit strings; the cron entry calls leader-exec --name cron from the
   path the config installs it to; the recipe's eb-env exports the
   environment properties as written (run on a sample file).
4. Every script under platform-hooks/ starts with #!/bin/sh, is executable,
   uses set -eu, documents in its header every environment variable it
   reads, and passes shellcheck -s sh.

Prints PASS/FAIL per check with expected and got.  Exit 0 when all pass,
1 when any fails, 77 only when shellcheck is missing (and nothing failed).
"""
import fnmatch
import glob
import importlib.util
import json
import os
import re
import shutil
import stat
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
POLICY = os.path.join(REPO, "ebextensions", "leader-exec-iam-policy.json")
S3_POLICY = os.path.join(REPO, "ebextensions", "leader-exec-s3-policy.json")
S3_PLACEHOLDER = "REPLACE_WITH_BUCKET"
S3_BUCKET = "my-bucket"
S3_RECORD = "leader-exec/elasticbeanstalk%3Aenvironment-id=e-abc/command.json"
EBEXT_README = os.path.join(REPO, "ebextensions", "README.md")
PLACEHOLDER = "REPLACE_WITH_ENVIRONMENT_NAME"
ENV_ID = "my-env"             # what an operator puts in place of the placeholder
ENV_KEY = "aws:ResourceTag/elasticbeanstalk:environment-name"
INSTANCE_ARN = "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0"
EB_CONFIG_KEYS = {"option_settings", "packages", "sources", "files", "users", "groups",
                  "commands", "container_commands", "services", "Resources", "Outputs"}

failures = []


def check(ok, what, expected=None, got=None):
    if ok:
        print("PASS: %s" % what, flush=True)
    else:
        print("FAIL: %s: expected %s, got %s" % (what, expected, got), flush=True)
        failures.append(what)
    return ok


# -- 1. actions from the source ------------------------------------------------

CALL_RE = re.compile(r"\b(ec2_call|ec2_tag_call)\s*\(\s*([^,()]+),\s*([^,()]+),\s*([^,()]+),")


def source_actions():
    """{action: [file:line]} of the literal actions passed in src/*.c."""
    actions, forwards, opaque = {}, [], []
    for path in sorted(glob.glob(os.path.join(REPO, "src", "*.c"))):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for m in CALL_RE.finditer(text):
            if "struct" in m.group(2):          # the definition, not a call
                continue
            where = "%s:%d" % (os.path.relpath(path, REPO), text.count("\n", 0, m.start()) + 1)
            arg = m.group(4).strip()
            lit = re.fullmatch(r'"([A-Za-z]+)"', arg)
            if lit:
                actions.setdefault(lit.group(1), []).append(where)
            elif m.group(1) == "ec2_call" and arg == "action":
                forwards.append(where)          # ec2_tag_call passing its own argument on
            else:
                opaque.append("%s: %s" % (where, arg))
    return actions, forwards, opaque


QUERY_ACTION_RE = re.compile(r'\bq\.action\s*=\s*"([A-Za-z]+)"')
QUERY_PREFIX_RE = re.compile(r'\bq\.iam_prefix\s*=\s*([A-Za-z0-9_"]+)\s*;')
DEFINE_RE = re.compile(r'^#define\s+([A-Z0-9_]+)\s+"([a-z0-9-]+)"', re.M)


def query_actions():
    """{service:action: [file:line]} of the other Query API calls in src/*.c
    (struct ec2_query's q.action, with the q.iam_prefix set before it), and
    the call sites whose prefix could not be resolved."""
    defines = {}
    for path in sorted(glob.glob(os.path.join(REPO, "src", "*.h"))):
        with open(path, encoding="utf-8") as f:
            defines.update(DEFINE_RE.findall(f.read()))
    actions, opaque = {}, []
    for path in sorted(glob.glob(os.path.join(REPO, "src", "*.c"))):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for m in QUERY_ACTION_RE.finditer(text):
            where = "%s:%d" % (os.path.relpath(path, REPO), text.count("\n", 0, m.start()) + 1)
            prefixes = QUERY_PREFIX_RE.findall(text, 0, m.start())
            raw = prefixes[-1] if prefixes else ""
            prefix = raw.strip('"') if raw.startswith('"') else defines.get(raw)
            if not prefix:
                opaque.append("%s: prefix %r" % (where, raw))
                continue
            actions.setdefault("%s:%s" % (prefix, m.group(1)), []).append(where)
    return actions, opaque


# The other services' actions and the resource leader-exec calls them on.
QUERY_REQUESTS = {
    "elasticloadbalancing:DescribeTargetHealth": ("*", {}),
    "autoscaling:SetInstanceProtection": (
        "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:"
        "11111111-2222-3333-4444-555555555555:autoScalingGroupName/awseb-e-x-AWSEBAutoScalingGroup",
        {"autoscaling:ResourceTag/elasticbeanstalk:environment-name": ENV_ID}),
}


def check_query_actions(filled):
    """The Query API actions besides EC2's: each allowed as called."""
    actions, opaque = query_actions()
    check(bool(actions) and not opaque, "other Query API actions derived from src/*.c "
          "(%s)" % ", ".join("%s at %s" % (a, "/".join(w)) for a, w in sorted(actions.items())),
          "literal actions with a known prefix", opaque or actions)
    for action in sorted(actions):
        if action not in QUERY_REQUESTS:
            check(False, "a request context is known for %s (add it to QUERY_REQUESTS and "
                  "review the policy)" % action, "known", action)
            continue
        resource, ctx = QUERY_REQUESTS[action]
        check(allowed(filled, action, resource, ctx), "policy allows %s on %s as "
              "leader-exec calls it" % (action, resource), "allowed", "denied")
    return sorted(actions)


# -- a small IAM evaluator ------------------------------------------------------

def _as_list(v):
    return v if isinstance(v, list) else [v]


def _like(pattern, value):
    return fnmatch.fnmatchcase(value, pattern)


def _condition_holds(op, key, wanted, ctx):
    """One condition key of one operator, IAM semantics for the operators
    the policy uses.  Raises KeyError for an operator it does not know."""
    wanted = [str(w) for w in _as_list(wanted)]
    present = key in ctx
    values = [str(v) for v in _as_list(ctx[key])] if present else []
    if op == "Null":
        return (not present) == (wanted[0].lower() == "true")
    base, qualifier = op, None
    if ":" in op:
        qualifier, base = op.split(":", 1)
    match = {"StringEquals": lambda w, v: w == v,
             "StringLike": _like,
             "ArnEquals": lambda w, v: w == v,
             "ArnLike": _like}[base]
    if qualifier == "ForAllValues":
        return all(any(match(w, v) for w in wanted) for v in values)
    if qualifier == "ForAnyValue":
        return any(match(w, v) for w in wanted for v in values)
    if qualifier is not None:
        raise KeyError(op)
    return present and any(match(w, v) for w in wanted for v in values)


def allowed(policy, action, resource, ctx):
    """True when an Allow statement matches and no Deny does."""
    verdict = False
    for st in _as_list(policy["Statement"]):
        if not any(_like(a.lower(), action.lower()) for a in _as_list(st.get("Action", []))):
            continue
        if not any(_like(r, resource) for r in _as_list(st.get("Resource", []))):
            continue
        cond = st.get("Condition", {})
        if not all(_condition_holds(op, k, w, ctx) for op, kv in cond.items()
                   for k, w in kv.items()):
            continue
        if st["Effect"] == "Deny":
            return False
        verdict = True
    return verdict


def tag_request(keys, env_id=ENV_ID):
    ctx = {ENV_KEY: env_id}
    if keys:
        ctx["aws:TagKeys"] = keys
    return ctx


# The request leader-exec makes for each action it calls.
REQUESTS = {
    "DescribeInstances": ("*", {}),
    "CreateTags": (INSTANCE_ARN, tag_request(["leader-exec:command"])),
    "DeleteTags": (INSTANCE_ARN, tag_request(["leader-exec:command"])),
}


def check_policy():
    actions, forwards, opaque = source_actions()
    check(bool(actions) and not opaque,
          "EC2 actions derived from src/*.c (%s)" % ", ".join(
              "%s at %s" % (a, "/".join(w)) for a, w in sorted(actions.items())),
          "literal action names only", opaque or actions)
    check(len(forwards) <= 1, "at most one call site forwards a non-literal action",
          "<= 1", forwards)
    with open(POLICY, encoding="utf-8") as f:
        raw = f.read()
    try:
        policy = json.loads(raw)
    except ValueError as e:
        check(False, "the IAM policy is JSON", "JSON", e)
        return
    check(True, "the IAM policy is JSON")
    statements = _as_list(policy.get("Statement", []))
    check(policy.get("Version") == "2012-10-17", "policy Version 2012-10-17", "2012-10-17",
          policy.get("Version"))
    bad = [s.get("Sid") for s in statements
           if set(s) - {"Sid", "Effect", "Action", "Resource", "Condition"}
           or s.get("Effect") not in ("Allow", "Deny")]
    check(not bad, "statements use only Sid/Effect/Action/Resource/Condition", [], bad)

    filled = json.loads(raw.replace(PLACEHOLDER, ENV_ID))
    for action in sorted(actions):
        if action not in REQUESTS:
            check(False, "a request context is known for %s (add it to REQUESTS and "
                  "review the policy)" % action, "known", action)
            continue
        resource, ctx = REQUESTS[action]
        try:
            ok = allowed(filled, "ec2:" + action, resource, ctx)
        except KeyError as e:
            check(False, "the evaluator knows every condition operator", "known", e)
            return
        check(ok, "policy allows ec2:%s on %s as leader-exec calls it" % (action, resource),
              "allowed", "denied")
    check(allowed(filled, "ec2:CreateTags", INSTANCE_ARN, tag_request(["leader-exec:cron"])),
          "policy allows the cron job's leader-exec:cron tag", "allowed", "denied")

    others = check_query_actions(filled)
    granted = sorted({a for s in statements if s.get("Effect") == "Allow"
                      for a in _as_list(s.get("Action", []))})
    wanted = sorted(["ec2:" + a for a in actions] + others)
    check(granted == wanted, "policy grants exactly the actions leader-exec calls",
          wanted, granted)
    denied_cases = [
        ("CreateTags of Name", "ec2:CreateTags", INSTANCE_ARN, tag_request(["Name"])),
        ("CreateTags of a leader-exec tag and Name", "ec2:CreateTags", INSTANCE_ARN,
         tag_request(["leader-exec:command", "Name"])),
        ("DeleteTags naming no tag (would delete all)", "ec2:DeleteTags", INSTANCE_ARN,
         tag_request([])),
        ("CreateTags on another environment's instance", "ec2:CreateTags", INSTANCE_ARN,
         tag_request(["leader-exec:command"], "my-env-2")),
        ("CreateTags on an instance outside any environment", "ec2:CreateTags",
         INSTANCE_ARN, {"aws:TagKeys": ["leader-exec:command"]}),
        ("CreateTags on a volume", "ec2:CreateTags",
         "arn:aws:ec2:us-east-1:123456789012:volume/vol-0123456789abcdef0",
         tag_request(["leader-exec:command"])),
        ("TerminateInstances", "ec2:TerminateInstances", INSTANCE_ARN, tag_request([])),
    ]
    for what, action, resource, ctx in denied_cases:
        check(not allowed(filled, action, resource, ctx), "policy refuses %s" % what,
              "denied", "allowed")
    several = json.loads(raw.replace(PLACEHOLDER, "my-env*"))
    check(all(allowed(several, "ec2:CreateTags", INSTANCE_ARN,
                      tag_request(["leader-exec:command"], n)) for n in ("my-env", "my-env-2"))
          and not allowed(several, "ec2:CreateTags", INSTANCE_ARN,
                          tag_request(["leader-exec:command"], "other-env")),
          "the pattern my-env* in place of the name covers my-env and my-env-2, not other-env",
          "allowed, allowed, denied", "otherwise")
    check(not allowed(policy, "ec2:CreateTags", INSTANCE_ARN, tag_request(["leader-exec:command"],
                                                                         PLACEHOLDER + "x")),
          "the unfilled placeholder matches no real environment", "denied", "allowed")
    with open(EBEXT_README, encoding="utf-8") as f:
        readme = f.read()
    check(PLACEHOLDER in raw and PLACEHOLDER in readme and "put-role-policy" in readme,
          "the placeholder %s and the put-role-policy command are documented" % PLACEHOLDER,
          "in policy and README", (PLACEHOLDER in raw, PLACEHOLDER in readme,
                                   "put-role-policy" in readme))
    if importlib.util.find_spec("moto") is None:
        print("SKIP: moto's IAM policy validator (moto cannot be imported)")
        return
    from moto.iam.policy_validation import IAMPolicyDocumentValidator
    for label, doc in (("as shipped", raw), ("filled in", raw.replace(PLACEHOLDER, ENV_ID))):
        try:
            IAMPolicyDocumentValidator(doc).validate()
            check(True, "moto's IAM validator accepts the policy %s" % label)
        except Exception as e:  # noqa: BLE001  (moto's MalformedPolicyDocument)
            check(False, "moto's IAM validator accepts the policy %s" % label, "valid", e)


S3_CALL_RE = re.compile(r'\bs3_call\s*\([^,()]+,[^,()]+,\s*"[A-Z]+",\s*"([A-Za-z]+)"')


def check_s3_policy():
    """The s3 store's policy for a bucket of one's own."""
    actions = set()
    for path in sorted(glob.glob(os.path.join(REPO, "src", "*.c"))):
        with open(path, encoding="utf-8") as f:
            actions |= set(S3_CALL_RE.findall(f.read()))
    check(actions == {"GetObject", "PutObject"}, "S3 actions derived from src/*.c (%s)"
          % ", ".join(sorted(actions)), ["GetObject", "PutObject"], sorted(actions))
    with open(S3_POLICY, encoding="utf-8") as f:
        raw = f.read()
    try:
        policy = json.loads(raw.replace(S3_PLACEHOLDER, S3_BUCKET))
    except ValueError as e:
        check(False, "the s3 store's policy is JSON", "JSON", e)
        return
    statements = _as_list(policy.get("Statement", []))
    check(policy.get("Version") == "2012-10-17" and all(
        set(st) <= {"Sid", "Effect", "Action", "Resource"} and st.get("Effect") == "Allow"
        for st in statements), "the s3 store's policy: Version 2012-10-17, Allow "
          "statements without conditions", "so", statements)
    record = "arn:aws:s3:::%s/%s" % (S3_BUCKET, S3_RECORD)
    wanted = [("s3:" + a, record) for a in sorted(actions)] + [
        ("s3:ListBucket", "arn:aws:s3:::" + S3_BUCKET), ("ec2:DescribeInstances", "*")]
    for action, resource in wanted:
        check(allowed(policy, action, resource, {}), "s3 policy allows %s on %s"
              % (action, resource), "allowed", "denied")
    granted = sorted({a for st in statements for a in _as_list(st.get("Action", []))})
    check(granted == sorted(a for a, _ in wanted), "s3 policy grants exactly those actions",
          sorted(a for a, _ in wanted), granted)
    for what, action, resource in [
            ("PutObject outside leader-exec/", "s3:PutObject",
             "arn:aws:s3:::%s/other/key" % S3_BUCKET),
            ("GetObject in another bucket", "s3:GetObject",
             "arn:aws:s3:::other-bucket/" + S3_RECORD),
            ("DeleteObject of a record", "s3:DeleteObject", record),
            ("ListBucket of another bucket", "s3:ListBucket", "arn:aws:s3:::other-bucket")]:
        check(not allowed(policy, action, resource, {}), "s3 policy refuses %s" % what,
              "denied", "allowed")
    with open(EBEXT_README, encoding="utf-8") as f:
        readme = f.read()
    check(S3_PLACEHOLDER in raw and S3_PLACEHOLDER in readme and
          "leader-exec-s3-policy.json" in readme,
          "the placeholder %s and the policy file are documented" % S3_PLACEHOLDER,
          "in policy and README", (S3_PLACEHOLDER in raw, S3_PLACEHOLDER in readme))
    if importlib.util.find_spec("moto") is None:
        print("SKIP: moto's IAM policy validator (moto cannot be imported)")
        return
    from moto.iam.policy_validation import IAMPolicyDocumentValidator
    try:
        IAMPolicyDocumentValidator(raw.replace(S3_PLACEHOLDER, S3_BUCKET)).validate()
        check(True, "moto's IAM validator accepts the s3 store's policy")
    except Exception as e:  # noqa: BLE001  (moto's MalformedPolicyDocument)
        check(False, "moto's IAM validator accepts the s3 store's policy", "valid", e)


# -- 3. .ebextensions ----------------------------------------------------------

def check_configs():
    configs = sorted(glob.glob(os.path.join(REPO, "ebextensions", "*.config")))
    check(len(configs) >= 2, "ebextensions has the .config files", ">= 2", configs)
    try:
        import yaml
    except ImportError:
        print("SKIP: YAML checks (PyYAML cannot be imported)")
        return
    docs = {}
    for path in configs:
        name = os.path.basename(path)
        try:
            with open(path, encoding="utf-8") as f:
                doc = yaml.safe_load(f)
        except yaml.YAMLError as e:
            check(False, "%s is YAML" % name, "YAML", e)
            continue
        docs[name] = doc
        check(isinstance(doc, dict) and set(doc) <= EB_CONFIG_KEYS,
              "%s is YAML with known top-level keys" % name, sorted(EB_CONFIG_KEYS),
              sorted(doc) if isinstance(doc, dict) else type(doc).__name__)
        if not isinstance(doc, dict):
            continue
        for cname, c in (doc.get("container_commands") or {}).items():
            check(isinstance(c, dict) and isinstance(c.get("command"), str)
                  and "leader_only" not in c,
                  "%s: container command %s has a command and no leader_only" % (name, cname),
                  "command, no leader_only", c)
        for fname, spec in (doc.get("files") or {}).items():
            mode = spec.get("mode") if isinstance(spec, dict) else None
            check(isinstance(mode, str) and re.fullmatch(r"[0-7]{6}", mode) is not None,
                  "%s: %s mode is a quoted six-digit string" % (name, fname), '"000644"',
                  repr(mode))
    check_eb_env([d for d in docs.values() if isinstance(d, dict)])
    commands = [c.get("command", "") for d in docs.values() if isinstance(d, dict)
                for c in (d.get("container_commands") or {}).values() if isinstance(c, dict)]
    check(any(c.startswith(".platform/bin/leader-exec ") and " -- " in c for c in commands),
          "a container command runs .platform/bin/leader-exec -- <command>",
          ".platform/bin/leader-exec ... -- ...", commands)
    installs = [c for c in commands if "/usr/local/bin/leader-exec" in c]
    cron = [(fn, spec.get("content", "")) for d in docs.values() if isinstance(d, dict)
            for fn, spec in (d.get("files") or {}).items() if fn.startswith("/etc/cron.d/")]
    check(len(cron) == 1 and "." not in os.path.basename(cron[0][0]),
          "one /etc/cron.d file, its name without dots (cron skips those)", 1,
          [fn for fn, _ in cron])
    if len(cron) == 1:
        jobs = [ln.split(None, 6) for ln in cron[0][1].splitlines()
                if ln.strip() and not ln.startswith("#") and "=" not in ln.split()[0]]
        job_ok = (len(jobs) == 1 and len(jobs[0]) == 7 and jobs[0][5] == "root"
                  and jobs[0][6].startswith("/usr/local/bin/leader-exec ")
                  and "--name cron" in jobs[0][6] and " -- " in jobs[0][6])
        check(job_ok, "the cron job is '<5 fields> root /usr/local/bin/leader-exec --name cron "
              "... -- <job>'", "one such line", jobs)
        check(any(c.split()[:1] == ["install"] and c.endswith("/usr/local/bin/leader-exec")
                  and ".platform/bin/leader-exec" in c for c in installs),
              "a container command installs .platform/bin/leader-exec to /usr/local/bin",
              "install ... .platform/bin/leader-exec /usr/local/bin/leader-exec", installs)


def check_eb_env(docs_yaml):
    """The cron recipe's /usr/local/bin/eb-env exports the environment
    properties (values with blanks and '=' intact), skips names that are not
    shell names, and execs the job; shellcheck-clean."""
    import tempfile
    spec = None
    for doc in docs_yaml:
        spec = (doc.get("files") or {}).get("/usr/local/bin/eb-env") or spec
    if not check(isinstance(spec, dict) and spec.get("mode") == "000755",
                 "the cron recipe writes /usr/local/bin/eb-env, mode 000755", "000755", spec):
        return
    props = "/opt/elasticbeanstalk/deployment/env"
    text = spec.get("content", "")
    check(props in text, "eb-env reads %s" % props, props, "absent")
    with tempfile.TemporaryDirectory() as tmp:
        env_file, script = os.path.join(tmp, "env"), os.path.join(tmp, "eb-env")
        with open(env_file, "w", encoding="utf-8") as f:
            f.write("DATABASE_URL=postgres://u:p@db/app?x=1 y\nweird.key=1\n2BAD=x\n"
                    "RAILS_ENV=production\nLAST=no-newline")
        with open(script, "w", encoding="utf-8") as f:
            f.write(text.replace(props, env_file))
        os.chmod(script, 0o755)
        p = subprocess.run([script, "sh", "-c", 'printf "%s|%s|%s|%s" "$DATABASE_URL" '
                            '"$RAILS_ENV" "$LAST" "$(env | grep -c -e weird -e 2BAD)"'],
                           capture_output=True, text=True, timeout=30,
                           env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")})
        want = "postgres://u:p@db/app?x=1 y|production|no-newline|0"
        check(p.returncode == 0 and p.stdout == want,
              "eb-env exports the properties as written and skips non-shell names",
              want, (p.returncode, p.stdout, p.stderr.strip()))
        sc = shutil.which("shellcheck")
        if sc:
            p = subprocess.run([sc, "-s", "sh", script], capture_output=True, text=True,
                               timeout=60)
            check(p.returncode == 0, "shellcheck -s sh eb-env", "no findings",
                  p.stdout.strip() or p.returncode)


# -- 4. platform hooks -----------------------------------------------------------

def check_hooks():
    scripts = []
    for dirpath, _, filenames in os.walk(os.path.join(REPO, "platform-hooks")):
        for fn in sorted(filenames):
            path = os.path.join(dirpath, fn)
            with open(path, "rb") as f:
                head = f.read(2)
            if head == b"#!" or fn.endswith(".sh"):
                scripts.append(path)
    check(len(scripts) >= 3, "platform-hooks has its scripts", ">= 3",
          [os.path.relpath(p, REPO) for p in scripts])
    for path in sorted(scripts):
        rel = os.path.relpath(path, REPO)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        lines = text.splitlines()
        check(lines[:1] == ["#!/bin/sh"], "%s starts with #!/bin/sh" % rel, "#!/bin/sh",
              lines[:1])
        mode = os.stat(path).st_mode
        check(mode & stat.S_IXUSR and mode & stat.S_IXGRP and mode & stat.S_IXOTH,
              "%s is executable (EB fails a hook without the bit)" % rel, "0755",
              oct(mode & 0o777))
        check("set -eu" in lines, "%s uses set -eu" % rel, "set -eu", "missing")
        header = "\n".join(ln for ln in lines if ln.startswith("#"))
        assigned = set(re.findall(r"^\s*([A-Z][A-Z0-9_]*)=", text, re.M))
        read = sorted(set(re.findall(r"\$\{?([A-Z][A-Z0-9_]*)", text)) - assigned)
        undocumented = [v for v in read if v not in header]
        check(not undocumented, "%s documents in its header every variable it reads (%s)"
              % (rel, ", ".join(read) or "none"), [], undocumented)
    sc = shutil.which("shellcheck")
    if sc is None:
        return False
    for path in sorted(scripts):
        rel = os.path.relpath(path, REPO)
        p = subprocess.run([sc, "-s", "sh", path], capture_output=True, text=True, timeout=60)
        check(p.returncode == 0, "shellcheck -s sh %s" % rel, "no findings",
              (p.stdout + p.stderr).strip() or p.returncode)
    return True


def main():
    check_policy()
    check_s3_policy()
    check_configs()
    have_shellcheck = check_hooks()
    if failures:
        print("FAIL: static_checks: %d check%s failed: %s" % (
            len(failures), "" if len(failures) == 1 else "s", "; ".join(failures)))
        return 1
    if not have_shellcheck:
        print("SKIP: static_checks: shellcheck is not installed (all other checks passed)")
        return 77
    print("PASS: static_checks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
