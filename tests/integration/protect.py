#!/usr/bin/env python3
"""Scale-in protection while holding (issue 14 item 1f; DESIGN.md section
8): three instances of one Auto Scaling group (moto's autoscaling API; the
instances carry aws:autoscaling:groupName) run `leader-exec --hold
--standby --protect --lease 6 -- CMD`.

  a. while a CMD runs, exactly its instance is protected from scale-in;
     after SIGTERM to its leader-exec (CMD exits 3, the lease released)
     that instance is unprotected, and the standby that took over is the
     one protected;
  b. a role without autoscaling:SetInstanceProtection: `--hold --protect`
     exits 113 naming autoscaling:SetInstanceProtection, CMD never runs
     and the claim is released; with --on-error run, CMD runs unprotected
     and leader-exec exits with its status.

a runs for each store in STORES; b with the tags store only (protection
is the same code for both stores, and moto rejects the signature of S3
requests made with the assumed role's session credentials).
"""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import world as W  # noqa: E402

NAME = "protect"
BUCKET = "lexec-protect"
LEASE = "6"
STORES = {"s3": ["--store", "s3://%s" % BUCKET],
          "tags": ["--store", "tags", "--settle", "1"]}
# Runs until SIGTERM (then exits 3), touching <dir>/<id>.run every 0.2 s.
CMD = 'trap "exit 3" TERM; while :; do touch "$0/$1.run"; sleep 0.2; done'
NO_PROTECT = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Resource": "*",
    "Action": ["ec2:DescribeInstances", "ec2:CreateTags", "ec2:DeleteTags",
               "s3:GetObject", "s3:PutObject", "s3:ListBucket"]}]}


def make_group(w, name, ids):
    asg = w.moto.client("autoscaling")
    asg.create_launch_configuration(LaunchConfigurationName=name + "-lc",
                                    ImageId=W.AMI, InstanceType="t3.micro")
    asg.create_auto_scaling_group(AutoScalingGroupName=name,
                                  LaunchConfigurationName=name + "-lc", MinSize=0,
                                  MaxSize=10, DesiredCapacity=0,
                                  AvailabilityZones=[W.REGION + "a"])
    asg.attach_instances(InstanceIds=list(ids), AutoScalingGroupName=name)
    for iid in ids:
        W.expect(w.tags(iid).get("aws:autoscaling:groupName") == name,
                 "%s carries aws:autoscaling:groupName" % iid, name,
                 w.tags(iid).get("aws:autoscaling:groupName"))
    return asg


def protected(asg, ids):
    r = asg.describe_auto_scaling_instances(InstanceIds=list(ids))
    return sorted(i["InstanceId"] for i in r["AutoScalingInstances"]
                  if i["ProtectedFromScaleIn"])


def start(w, iid, args, rundir):
    argv = [w.binary] + args + ["--", "sh", "-c", CMD, rundir, iid]
    return subprocess.Popen(argv, env=w.child_env(iid), stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=w.tmp)


def runners(rundir):
    return sorted(n[:-4] for n in os.listdir(rundir) if n.endswith(".run"))


def wait_for(pred, limit=30.0):
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        v = pred()
        if v:
            return v
        time.sleep(0.1)
    return None


def holding(w, store, args):
    ids = w.launch("e-prot-%s" % store, 3)
    asg = make_group(w, "asg-prot-%s" % store, ids)
    rundir = os.path.join(w.tmp, "run-%s" % store)
    os.mkdir(rundir)
    opts = args + ["--name", "beat", "--epoch", "none", "--hold", "--standby", "--protect",
                   "--lease", LEASE]
    procs = {i: start(w, i, opts, rundir) for i in ids}
    try:
        first = wait_for(lambda: runners(rundir))
        W.expect(first is not None and len(first) == 1, "%s: exactly one CMD runs" % store,
                 1, first)
        leader = first[0]
        got = wait_for(lambda: protected(asg, ids) == [leader] and [leader], 10)
        W.expect(got == [leader], "%s: the holder alone is protected from scale-in" % store,
                 [leader], protected(asg, ids))
        os.unlink(os.path.join(rundir, leader + ".run"))
        procs[leader].send_signal(signal.SIGTERM)
        rc = procs[leader].wait(15)
        W.expect(rc == 3, "%s: leader-exec exits with CMD's status" % store, 3, rc)
        W.expect(leader not in protected(asg, ids),
                 "%s: released: the old holder is unprotected" % store,
                 "not %s" % leader, protected(asg, ids))
        nxt = wait_for(lambda: [i for i in runners(rundir) if i != leader])
        W.expect(nxt is not None and len(nxt) == 1, "%s: a standby takes over" % store, 1, nxt)
        got = wait_for(lambda: protected(asg, ids) == nxt and nxt, 10)
        W.expect(got == nxt, "%s: the new holder alone is protected" % store, nxt,
                 protected(asg, ids))
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs.values():
            try:
                p.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.communicate(timeout=5)
    W.expect(protected(asg, ids) == [], "%s: nobody protected once all stopped" % store, [],
             protected(asg, ids))


def denied(w, store, args, iid, asg):
    rundir = os.path.join(w.tmp, "denied-%s" % store)
    os.mkdir(rundir)
    opts = args + ["--name", "svc-%s" % store, "--epoch", "none", "--hold", "--protect",
                   "--lease", LEASE, "--timeout", "30"]
    p = start(w, iid, opts, rundir)
    _, err = p.communicate(timeout=60)
    err = err.decode("utf-8", "replace")
    W.expect(p.returncode == W.EXIT_PERMISSION, "%s: without the permission: 113" % store,
             W.EXIT_PERMISSION, (p.returncode, err.strip()[-300:]))
    W.expect("autoscaling:SetInstanceProtection" in err,
             "%s: the error names autoscaling:SetInstanceProtection" % store,
             "autoscaling:SetInstanceProtection", err.strip()[-300:])
    W.expect(runners(rundir) == [], "%s: CMD never ran" % store, [], runners(rundir))
    tag = w.tags(iid).get("leader-exec:svc-%s" % store)
    W.expect(tag is None, "%s: the claim was released" % store, None, tag)

    p = start(w, iid, opts + ["--on-error", "run"], rundir)
    got = wait_for(lambda: runners(rundir), 30)
    W.expect(got == [iid], "%s: --on-error run: CMD runs unprotected" % store, [iid], got)
    W.expect(protected(asg, [iid]) == [], "%s: and the instance is not protected" % store,
             [], protected(asg, [iid]))
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=15)
    W.expect(p.returncode == 3, "%s: --on-error run exits with CMD's status" % store,
             3, (p.returncode, err.decode("utf-8", "replace").strip()[-300:]))


def main():
    with W.World(NAME, serial=True) as w:
        w.create_bucket(BUCKET)
        for store, args in STORES.items():
            holding(w, store, args)
    with W.World(NAME + "-denied", no_auth_count=1000000, serial=True) as w:
        ids = w.launch("e-prot-denied", 1)
        asg = make_group(w, "asg-prot-denied", ids)
        w.verify_with_role(NO_PROTECT)
        asg = w.moto.client("autoscaling")
        denied(w, "tags", STORES["tags"], ids[0], asg)


W.run_scenario(NAME, main, time_limit=300)
