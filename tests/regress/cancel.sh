#!/bin/bash
# SPDX-License-Identifier: ISC
# cancel removes queued tasks before they start: state cancelled, they never
# run; cancel JOB cancels every queued task of the job.
. "$(dirname "$0")/lib.sh"

start_daemon "jobs:
  c:
    command: |
      echo ran >$T/ran.\$SCHEDD_TASK_ID
      $(gate_cmd go)
"

must_succeed ctl run c
t1=$OUT
must_succeed ctl run c
t2=$OUT
must_succeed ctl run c
t3=$OUT
must_succeed ctl run c
t4=$OUT
wait_for test -e "$T/ran.$t1"
must_equal queued "$(task_get "$t2" .state)" "state of task $t2 before cancel"

ans=$(cj cancel "$t2")
must_equal "[$t2]" "$(json_get "$ans" '.result.cancelled | tojson')" "cancelled ids of cancel $t2"
must_equal cancelled "$(task_get "$t2" .state)" "state of task $t2"
must_equal "null null" "$(task_get "$t2" '"\(.started_at) \(.pid)"')" \
    "started_at and pid of the cancelled task"
# wait on a cancelled task answers at once (exit status: not succeeded).
ans=$(cj wait "$t2")
must_equal cancelled "$(json_get "$ans" '.result.tasks[0].state')" "wait answer for $t2"

# cancel JOB: the two still queued; the running one goes on.
ans=$(cj cancel c)
must_equal "[$t3,$t4]" "$(json_get "$ans" '.result.cancelled | sort | tojson')" "cancelled ids of cancel c"
must_equal running "$(task_get "$t1" .state)" "state of the running task $t1"

touch "$T/go"
must_succeed ctl wait "$t1"
for t in $t2 $t3 $t4; do
	must_equal cancelled "$(task_get "$t" .state)" "state of task $t"
	[ -e "$T/ran.$t" ] && fail "cancelled task $t ran"
done
must_equal 0 "$(cj status | jq .result.queued)" "queued tasks at the end"
exit 0
