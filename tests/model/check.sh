#!/bin/sh
# check.sh: check leader-exec's election, the s3 store and the leases of
# both stores with spin (see README.md here).
#
#   sh tests/model/check.sh
#
# 1. The decision table: cases.txt through election_decide() (decide_table.c)
#    and through the model's decide() inline (decide_table.pml); the two
#    outputs must be identical.
# 2. Exhaustive searches of election.pml, s3.pml and lease_tags.pml for
#    N=3, one per configuration below: the safe ones must end with
#    "errors: 0" over the whole state space, the unsafe ones must fail the
#    named assertion (the trail is printed in words).
#
# Environment: CC (default cc); DECIDE_TABLE, a built decide_table (else it
# is built here from src/); MODEL_TIMEOUT, seconds per search (default 300);
# MODEL_MEMLIM, megabytes per search (default 2048); MODEL_JOBS, searches
# at once (default 2); MODEL_LONG=1 adds the longer searches (then every
# search stores states compressed, -DCOLLAPSE, within 4096 MB and 600 s
# by default); MODEL_ONLY, an extended regular expression: only the
# searches whose names match it (for example 's3-.*|tags-.*').
# Exit status: 0 all passed, 1 a check failed, 77 spin (or a C compiler)
# is missing; under CI=true a missing tool is a failure (1), not a skip:
# the README says CI runs the model (scripts/setup installs spin).

set -u

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/../../src" && pwd)
CC=${CC:-cc}
timeout_s=${MODEL_TIMEOUT:-300}
memlim=${MODEL_MEMLIM:-2048}
jobs=${MODEL_JOBS:-2}
collapse=
if [ "${MODEL_LONG:-0}" = 1 ]; then
	timeout_s=${MODEL_TIMEOUT:-600}
	memlim=${MODEL_MEMLIM:-4096}
	collapse=-DCOLLAPSE
fi

# A missing tool: skip (77), or fail under CI=true.
missing_tool() {
	if [ "${CI:-}" = true ]; then
		echo "model: $1; FAIL (CI=true: the model must run; scripts/setup installs it)"
		exit 1
	fi
	echo "model: $1; skipped"
	exit 77
}
command -v spin >/dev/null 2>&1 || missing_tool "spin is not installed"
command -v "$CC" >/dev/null 2>&1 || missing_tool "no C compiler ($CC)"
bounded=
if command -v timeout >/dev/null 2>&1; then
	bounded="timeout $timeout_s"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/leader-model.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

passed=0
failed=0
LC_ALL=C
export LC_ALL

# The configurations: name|expected|defines|what it shows.  "expected" is
# "pass" (no error in the whole state space) or the assertion the search
# must violate.  Defaults of election.pml: N=3 M=4 KILLS=2 EPOCHS=2 RUNS=2
# TQ=6 RANKS=1 GAP=1 LAUNCH_LAG=1, leader.c as it is (FIX_INHERIT=2).
configs="\
safety|pass|election.pml|-DL=1 -DS=2|safety and stickiness, leader.c as is, lag 1 < settle 2, 4 launches, 2 terminations (to zero and back), 2 epochs
liveness|pass|election.pml|-DL=1 -DS=2 -DTQ=5 -DTMAX=10|bounded liveness: a leader 2S+L = 5 ticks after the group settles (with safety and stickiness)
liveness-bound|nobody_leads|election.pml|-DL=1 -DS=2 -DTQ=5 -DTMAX=9|the liveness bound is tight: 4 ticks are not enough (a junior waits S, claims, settles S)
lag-over-settle|two_leaders|election.pml|-DL=2 -DS=1 -DM=3 -DKILLS=1 -DEPOCHS=1 -DTQ=8 -DCHECK_STICKY=0|counterexample: lag 2 > settle 1 elects two leaders
stale-own-claim|pass|election.pml|-DL=2 -DS=3 -DM=3 -DKILLS=1 -DEPOCHS=1 -DTQ=10|leader.c as is: a new run confirms a young claim of its own only after a settle, so a claim being retracted cannot lead (lag 2 < settle 3, lag > gap between runs)
stale-own-claim-before-fix|two_leaders|election.pml|-DL=2 -DS=3 -DM=3 -DKILLS=1 -DEPOCHS=1 -DTQ=10 -DCHECK_STICKY=0 -DFIX_INHERIT=0|counterexample for leader.c before the fix: a new run believed its own claim that was being retracted
fixed-lag-eq-settle|pass|election.pml|-DL=2 -DS=2 -DM=3 -DKILLS=1 -DEPOCHS=1 -DTQ=10 -DFIX_INHERIT=1|FIX_INHERIT=1 (always confirm an inherited claim, stricter than leader.c): safety and stickiness for lag 2 = settle 2
fixed-aborts|pass|election.pml|-DL=2 -DS=3 -DM=3 -DKILLS=0 -DEPOCHS=1 -DTQ=9 -DABORTS=1 -DABORT_RETRACT=0 -DFIX_INHERIT=1|FIX_INHERIT=1: a run killed after its claim, leaving it, is harmless (lag 2, settle 3)
skew-unsafe|two_leaders|election.pml|-DL=2 -DS=2 -DSKEW=1 -DFIX_INHERIT=1 -DM=3 -DKILLS=1 -DEPOCHS=2 -DTQ=8 -DCHECK_STICKY=0|counterexample: clocks 1 tick apart, lag 2 = settle 2: a later claim with an equal term outranks an earlier one
skew-safe|pass|election.pml|-DL=2 -DS=3 -DSKEW=1 -DFIX_INHERIT=1 -DM=3 -DKILLS=0 -DEPOCHS=1 -DTQ=8|clocks 1 tick apart need settle >= lag + 1: lag 2, settle 3 is safe
write-latency-unsafe|two_leaders|election.pml|-DL=1 -DW=1 -DS=1 -DM=3 -DKILLS=1 -DEPOCHS=1 -DTQ=8 -DCHECK_STICKY=0|counterexample: CreateTags landing 1 tick after the decision, lag 1 = settle 1
write-latency-safe|pass|election.pml|-DL=1 -DW=1 -DS=2 -DM=3 -DKILLS=1 -DEPOCHS=1 -DTQ=8|CreateTags up to 1 tick late needs settle >= lag + 1: lag 1, settle 2 is safe
epoch-straggler|two_leaders|election.pml|-DL=1 -DS=2 -DEPOCH_BETWEEN_RUNS=0 -DM=3 -DKILLS=0 -DEPOCHS=2 -DTQ=8 -DCHECK_STICKY=0|counterexample: a run of an old epoch still on when the new epoch's claim replaces the tag elects a second leader for the old epoch
s3-lease|pass|s3.pml||s3 store: lease 5, renew deadline 2, kill-after 1, drift 1 (R+K+D = 4 < L): one child at a time, done never rerun, terms rise; a holder cut off, a failed PUT, a kill -9, a termination, any outcome (done, failed, idle, released)
s3-scale-to-zero|pass|s3.pml|-DTMAX=9 -DM=4 -DKILLS=3 -DCRASHES=0 -DEPOCHS=2 -DFAILS=0 -DMODE=0 -DRUNS=3|s3 store with epochs: every instance terminated and new ones launched (4 launches, 3 terminations), 2 epochs, a holder cut off: a done epoch never runs again, terms rise across it
s3-drift-2|pass|s3.pml|-DL=7 -DD=2 -DTMAX=10 -DRUNS=2|s3 store, clocks 2 apart: lease 7, R 2, K 1 (R+K+D = 5 < L)
s3-offsets-chosen|pass|s3.pml|-DOFFSETS=1 -DKILLS=0 -DMODE=1 -DRUNS=2|s3 store, --hold: every clock offset in 0..D chosen by spin rather than fixed by id
s3-claim-split|pass|s3.pml|-DCLAIM_SPLIT=1 -DRUNS=2|s3 store: a claim's read and its conditional PUT as two steps, other writes between them
s3-slow-renewal|pass|s3.pml|-DW=1 -DRUNS=2|s3 store: a renewal's answer up to 1 tick late, the renew deadline counted from the send: still safe at R+K+D = 4 < L
s3-slow-renewal-from-answer|two_children|s3.pml|-DW=1 -DDEADLINE_FROM_SEND=0|counterexample: the same with the deadline counted from the answer: R+K+D+W = 5 = L
s3-drift-unsafe|two_children|s3.pml|-DD=2|counterexample: drift 2, R+K+D = 5 = L: a faster clock sees the lease expired while the child still runs
s3-kill-after-unsafe|two_children|s3.pml|-DK=2|counterexample: kill-after 2, R+K+D = 5 = L
s3-deadline-unsafe|two_children|s3.pml|-DR=3|counterexample: renew deadline 3, R+K+D = 5 = L
s3-once-no-failures|pass|s3.pml|-DCHECK_ONCE=1 -DMODE=0 -DFAILS=0 -DPARTITIONS=0 -DCRASHES=0 -DKILLS=0|s3 store with an epoch: without failed requests or deaths the command runs exactly once per epoch (ran_twice)
s3-success-unrecorded|ran_twice|s3.pml|-DCHECK_ONCE=1 -DMODE=0|at least once, not exactly once: a command that succeeded but whose done PUT failed runs again for the epoch
s3-bug-done-ignored|done_rerun|s3.pml|-DBUG=1 -DKILLS=0 -DCRASHES=0 -DFAILS=0 -DPARTITIONS=0|the check bites: a decision that claims a done epoch like a failed one runs it again
s3-bug-release-deletes|term_order|s3.pml|-DBUG=2 -DMODE=1 -DKILLS=0 -DCRASHES=0 -DFAILS=0 -DPARTITIONS=0|the check bites: releasing by DeleteObject restarts the term at 1 (the fencing token repeats)
s3-bug-no-epoch-wait|two_children|s3.pml|-DBUG=3 -DEPOCHS=2 -DKILLS=0 -DCRASHES=0 -DFAILS=0 -DPARTITIONS=0|the check bites: claiming over a live held record of another epoch runs two children
s3-bug-no-if-match|term_order|s3.pml|-DBUG=4 -DCLAIM_SPLIT=1 -DKILLS=0 -DCRASHES=0 -DFAILS=0 -DPARTITIONS=0|the check bites: unconditional PUTs let two claimants of one read both win
tags-lease|pass|lease_tags.pml||tags store lease: lag 1, settle 2, lease 5, R 2, K 1, drift 1: one child at a time through a holder cut off, kill -9, termination, release and takeover
tags-drift-2|pass|lease_tags.pml|-DRUNS=2 -DS=2 -DD=2 -DL=7 -DTMAX=14 -DTQ=10 -DKILLS=0 -DCRASHES=0|tags store, clocks 2 apart: lag 1, settle 2, lease 7, R 2, K 1
tags-lease-over-L|pass|lease_tags.pml|-DK=3|tags store: R+K+D = 6 >= L = 5 is still safe, as a claimant settles S = 2 before its child starts (R+K+D < L+S)
tags-kill-after-unsafe|two_children|lease_tags.pml|-DK=4|counterexample: tags store, R+K+D = 7 = L+S: the standby's child starts while the stopped holder's child is still being killed
tags-settle-drift-unsafe|two_children|lease_tags.pml|-DOWN_MARGIN=0 -DS=3 -DD=2|counterexample without the own margin: settle 3 + drift 2 = lease 5: a fresh claim looks expired to a faster clock before its claimant's settle ends, and the claimant still believes it
tags-lag-over-settle|two_children|lease_tags.pml|-DLAG=2 -DS=1|counterexample: tags store, lag 2 > settle 1 (the election's condition)
tags-own-margin|pass|lease_tags.pml|-DRUNS=2 -DS=1 -DD=2 -DL=7 -DTMAX=14 -DTQ=10 -DKILLS=0 -DCRASHES=0|tags store, drift 2 > settle - lag + 1: safe when an instance deems its own claim expired D early (OWN_MARGIN=1)
tags-own-margin-off|two_children|lease_tags.pml|-DRUNS=2 -DOWN_MARGIN=0 -DS=1 -DD=2 -DL=7 -DTMAX=14 -DTQ=10 -DKILLS=0 -DCRASHES=0|counterexample: without that margin a restarted leader-exec revives its own claim that a faster clock already took as expired
"
if [ "${MODEL_LONG:-0}" = 1 ]; then
	configs="${configs}\
fixed-full|pass|election.pml|-DL=2 -DS=2 -DFIX_INHERIT=1 -DTQ=8 -DRUNS=1|long: the proposed fix with 4 launches, 2 terminations (to zero and back), 2 epochs, one run per instance before the quiet tick, lag 2 = settle 2
fixed2-aborts|pass|election.pml|-DL=2 -DS=2 -DM=3 -DKILLS=1 -DEPOCHS=1 -DTQ=9 -DABORTS=1 -DABORT_RETRACT=0 -DFIX_INHERIT=2|long: the cheaper fix (believe claims 3 settle periods old at once)
skew-safe-epochs|pass|election.pml|-DL=2 -DS=3 -DSKEW=1 -DFIX_INHERIT=1 -DM=3 -DKILLS=1 -DEPOCHS=2 -DTQ=8|long: clocks 1 tick apart, lag 2, settle 3, with a termination and 2 epochs
"
fi

# --- 1. the decision table ---------------------------------------------

decide_table() {
	dt=$tmp/table
	mkdir "$dt" || return 1
	bin=${DECIDE_TABLE:-}
	if [ -z "$bin" ]; then
		bin=$dt/decide_table
		if ! "$CC" -std=c99 -D_GNU_SOURCE -I"$srcdir" -o "$bin" \
		    "$here/decide_table.c" "$srcdir/election.c" \
		    "$srcdir/group.c" >"$dt/cc.out" 2>&1; then
			cat "$dt/cc.out"
			echo "decide_table: cannot build"
			return 1
		fi
	fi
	cp "$here/election.pml" "$here/decide_table.pml" "$dt/" || return 1
	if ! awk -f "$here/cases2pml.awk" "$here/cases.txt" >"$dt/cases.pml"; then
		echo "decide_table: cases2pml.awk failed"
		return 1
	fi
	if ! "$bin" "$here/cases.txt" >"$dt/c.out"; then
		echo "decide_table: the C program failed"
		return 1
	fi
	if ! (cd "$dt" && spin -T decide_table.pml) >"$dt/spin.out" 2>&1; then
		cat "$dt/spin.out"
		echo "decide_table: spin failed"
		return 1
	fi
	grep '^case ' "$dt/spin.out" >"$dt/pml.out"
	n=$(wc -l <"$dt/c.out" | tr -d ' ')
	if ! diff "$dt/c.out" "$dt/pml.out"; then
		echo "decide_table: C and Promela disagree (< C, > Promela)"
		return 1
	fi
	if [ "$n" -lt 20 ]; then
		echo "decide_table: only $n cases"
		return 1
	fi
	echo "   $n cases, C and Promela agree"
	return 0
}

echo "== decide-table: election_decide() and the model's decide() on cases.txt"
if decide_table; then
	echo "   PASS"
	passed=$((passed + 1))
else
	echo "   FAIL"
	failed=$((failed + 1))
fi

# --- 2. the model --------------------------------------------------------

# run_one name expected model defines: search; leaves the report in
# $tmp/name/report and PASS or FAIL in $tmp/name/verdict.
run_one() {
	d=$tmp/$1
	mkdir "$d" && cp "$here"/*.pml "$d/" || return 1
	(
		cd "$d" || exit 1
		exec >report 2>&1
		verdict=FAIL
		echo "   spin -a $4 $3"
		# shellcheck disable=SC2086 # the defines are separate words
		if ! spin -a $4 "$3" >spin.out 2>&1; then
			cat spin.out
			echo "$verdict" >verdict
			exit 0
		fi
		# Counterexample searches of the newer models are small: the
		# compiler's time dominates, so they are compiled unoptimised.
		opt=-O2
		if [ "$2" != pass ] && [ "$3" != election.pml ]; then
			opt=-O0
		fi
		# shellcheck disable=SC2086 # $collapse: one word or none
		if ! "$CC" $opt -w -DSAFETY -DNOBOUNDCHECK -DXUSAFE $collapse \
		    -DMEMLIM="$memlim" -o pan pan.c >cc.out 2>&1; then
			cat cc.out
			echo "$verdict" >verdict
			exit 0
		fi
		# shellcheck disable=SC2086 # "timeout N" or nothing
		$bounded ./pan -m10000 >pan.out 2>&1
		rc=$?
		grep -E 'errors:|states, stored|elapsed time|assertion violated|Search not completed|out of memory|max search depth' pan.out |
		    sed 's/^[[:space:]]*/   /'
		errors=$(sed -n 's/.*errors: \([0-9][0-9]*\).*/\1/p' pan.out)
		if [ "$rc" = 124 ]; then
			echo "   timed out after $timeout_s s"
		elif [ -z "$errors" ]; then
			echo "   pan did not finish (status $rc)"
		elif [ "$2" = pass ]; then
			if [ "$errors" = 0 ] &&
			    ! grep -q -E 'Search not completed|out of memory|max search depth too small' pan.out; then
				verdict=PASS
			fi
		elif [ "$errors" -gt 0 ] &&
		    grep -q "assertion violated  !($2)" pan.out; then
			verdict=PASS
		fi
		if [ "$errors" != "" ] && [ "$errors" != 0 ]; then
			echo "   trail (spin -t):"
			# shellcheck disable=SC2086
			spin -t $4 "$3" 2>&1 |
			    sed -n 's/^[[:space:]]*@ /     /p; s/^spin: text of failed assertion: /     violated: /p'
		fi
		echo "$verdict" >verdict
	)
}

# Up to $jobs searches at once, reported in order.
printf '%s' "$configs" | grep '|' >"$tmp/configs"
if [ -n "${MODEL_ONLY:-}" ]; then
	grep -E "^(${MODEL_ONLY})\|" "$tmp/configs" >"$tmp/configs.only"
	mv "$tmp/configs.only" "$tmp/configs"
fi
names=
batch=0
while IFS='|' read -r name expect model defs what; do
	printf '%s\n' "$what" >"$tmp/$name.what"
	printf '%s\n' "$expect" >"$tmp/$name.expect"
	names="$names $name"
	run_one "$name" "$expect" "$model" "$defs" &
	batch=$((batch + 1))
	if [ "$batch" -ge "$jobs" ]; then
		wait
		batch=0
	fi
done <"$tmp/configs"
wait

for name in $names; do
	expect=$(cat "$tmp/$name.expect")
	if [ "$expect" = pass ]; then
		want="no error"
	else
		want="must violate $expect"
	fi
	echo "== $name ($want): $(cat "$tmp/$name.what")"
	cat "$tmp/$name/report" 2>/dev/null
	if [ "$(cat "$tmp/$name/verdict" 2>/dev/null)" = PASS ]; then
		echo "   PASS"
		passed=$((passed + 1))
	else
		echo "   FAIL"
		failed=$((failed + 1))
	fi
done

# The README's figure, in order of magnitude: the safety search is an
# exhaustive search of millions of states, not a vacuous one (a model
# broken into a few states would also report no error).
states() {
	sed -n 's/^ *\([0-9][0-9]*\) states, stored.*/\1/p' "$tmp/$1/report" \
	    2>/dev/null | head -n 1
}
total=0
for name in $names; do
	total=$((total + $(states "$name" || echo 0) + 0))
done
safety_states=$(states safety)
echo "== states stored: $total in all searches, ${safety_states:-none} in the safety search"
if [ "${safety_states:-0}" -lt 1000000 ]; then
	echo "   FAIL: the safety search stored fewer than 1,000,000 states"
	failed=$((failed + 1))
fi

echo "model: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
