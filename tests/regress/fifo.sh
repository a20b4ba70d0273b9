#!/bin/bash
# SPDX-License-Identifier: ISC
# Tasks of one job (concurrency 1) run one after another, in the order they
# were queued, never overlapping.
. "$(dirname "$0")/lib.sh"

start_daemon "jobs:
  f:
    command: |
      echo \"start \$SCHEDD_TASK_ID \$(date +%s%N)\" >>$T/marks
      $(gate_cmd go)
      sleep 0.1
      echo \"end \$SCHEDD_TASK_ID \$(date +%s%N)\" >>$T/marks
"

ids=
for n in 1 2 3; do
	must_succeed ctl run f
	ids="$ids $OUT"
done
set -- $ids
[ "$1" -lt "$2" ] && [ "$2" -lt "$3" ] || fail "task ids not increasing: $ids"

# The first task holds the gate: the other two must wait in the queue.
wait_for grep -q "^start $1 " "$T/marks"
must_equal running "$(task_get "$1" .state)" "state of task $1"
must_equal queued "$(task_get "$2" .state)" "state of task $2"
must_equal queued "$(task_get "$3" .state)" "state of task $3"
must_equal "1 2" "$(cj status f | jq -r '.result.job | "\(.running) \(.queued)"')" \
    "running and queued of job f"
touch "$T/go"
must_succeed ctl wait "$@"

for id in "$@"; do
	must_equal succeeded "$(task_get "$id" .state)" "state of task $id"
done

# The markers: start/end pairs in task id order, each start after the
# previous end.
must_equal "start $1 end $1 start $2 end $2 start $3 end $3" \
    "$(awk '{ printf "%s%s %s", (NR > 1 ? " " : ""), $1, $2 }' "$T/marks")" \
    "order of start/end markers"
awk 'NR > 1 && $3 < prev { exit 1 } { prev = $3 }' "$T/marks" ||
    fail "markers overlap in time: $(cat "$T/marks")"
exit 0
