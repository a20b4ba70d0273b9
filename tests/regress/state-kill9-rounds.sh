#!/bin/bash
# SPDX-License-Identifier: ISC
# Nothing acknowledged is lost: in several rounds a client adds
# runtime jobs one after another as fast as it can while the daemon is
# killed with SIGKILL at a random moment; after each restart on the same
# state folder and socket every job whose add was answered ok is there,
# the state always loads, and task ids never go back (a task run in each
# round gets an id above every id seen before, and the earlier rounds'
# task records are still there).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-restart.sh"

ROUNDS=5
conf="jobs:
  probe:
    command: [\"true\"]
"
: >"$T/acked"
max_id=0
probes=

# The client: add jobs one at a time, record each name the daemon answered
# ok (exit 0), stop once the daemon is gone (exit 3: unreachable).
adder()
{
	local i=0 rc

	while :; do
		"$SCHEDCTL" -s "$SOCK" add "r$1_$i" --every 1h -- true \
		    >/dev/null 2>&1
		rc=$?
		if [ "$rc" -eq 0 ]; then
			echo "r$1_$i" >>"$T/acked"
		elif [ "$rc" -eq 3 ] || [ -e "$T/stop.$1" ]; then
			return 0
		fi
		i=$((i + 1))
	done
}

for round in $(seq 1 $ROUNDS); do
	if [ "$round" -eq 1 ]; then
		start_daemon "$conf"
	else
		restart_daemon
	fi

	# Every acknowledged job survived every crash so far.
	job_names >"$T/names" || fail "jobs failed after restart $round"
	missing=$(sort "$T/acked" | comm -23 - "$T/names")
	must_equal "" "$missing" \
	    "acknowledged jobs missing after restart $round ($(wc -l <"$T/acked") acknowledged)"
	must_equal true "$(cj status | jq -r .result.state_ok)" \
	    "status.state_ok after restart $round"
	must_equal null "$(cj status | jq -r .result.state_error)" \
	    "status.state_error after restart $round"

	# Task ids never go back, and earlier task records are kept.
	for p in $probes; do
		must_equal succeeded "$(task_get "$p" .state)" \
		    "state of probe task $p of an earlier round, after restart $round"
	done
	must_succeed ctl run probe
	id=$OUT
	must_match '^[0-9]+$' "$id" "task id of run probe"
	[ "$id" -gt "$max_id" ] ||
	    fail "round $round: task id $id is not above $max_id, seen before"
	max_id=$id
	probes="$probes $id"
	wait_task "$id"
	must_equal succeeded "$(task_get "$id" .state)" "state of probe task $id"

	# The crash: a random moment between 0.05 and 0.5 s into the adds.
	adder "$round" &
	apid=$!
	sleep "$(awk -v r=$RANDOM 'BEGIN { printf "%.3f", 0.05 + 0.45 * r / 32767 }')"
	kill9_daemon
	touch "$T/stop.$round"
	wait "$apid"
done

# A last restart: the final round's adds are there too.
restart_daemon
job_names >"$T/names"
missing=$(sort "$T/acked" | comm -23 - "$T/names")
must_equal "" "$missing" "acknowledged jobs missing after the last restart"
n=$(wc -l <"$T/acked")
[ "$n" -ge $ROUNDS ] ||
    fail "only $n adds were acknowledged in $ROUNDS rounds: the test proved little"
echo "$n adds acknowledged over $ROUNDS crashes; last task id $max_id"
must_succeed ctl run probe
[ "$OUT" -gt "$max_id" ] || fail "last task id $OUT is not above $max_id"
wait_task "$OUT"
exit 0
