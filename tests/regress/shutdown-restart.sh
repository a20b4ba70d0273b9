#!/bin/bash
# Across a shutdown and a new start on the same state folder: finished
# records are kept, queued tasks are queued again (in order) and run, task
# ids go on increasing, and a task stopped by shutdown --force is recorded
# as stopped.
. "$(dirname "$0")/lib.sh"

config="jobs:
  short:
    command: |
      echo ran >>$T/ran.\$SCHEDD_TASK_ID
      $(gate_cmd go)
  long:
    command: [\"sleep\", \"1000\"]
"
start_daemon "$config"
must_succeed ctl run short
t1=$OUT
must_succeed ctl run short
t2=$OUT
must_succeed ctl run short
t3=$OUT
wait_for test -e "$T/ran.$t1"
must_succeed ctl shutdown
touch "$T/go"
wait "$DPID"
must_equal 0 "$?" "exit status of schedd after shutdown"
DPID=

start_daemon "$config"
must_equal succeeded "$(task_get "$t1" .state)" "state of task $t1 after the restart"
must_succeed ctl wait "$t2" "$t3"
must_equal "succeeded succeeded" "$(task_get "$t2" .state) $(task_get "$t3" .state)" "queued tasks after the restart"
[ "$(task_get "$t3" .started_at)" \> "$(task_get "$t2" .started_at)" ] ||
    fail "queued tasks did not run in order after the restart"
must_succeed ctl run long
t4=$OUT
[ "$t4" -gt "$t3" ] || fail "task id $t4 reused after the restart (last was $t3)"
wait_for eval "[ \"\$(task_get $t4 .state)\" = running ]"
must_succeed ctl shutdown --force
wait "$DPID"
DPID=

start_daemon "$config"
must_equal stopped "$(task_get "$t4" .state)" "state of the task stopped by shutdown --force"
must_equal 4 "$(cj history | jq '.result.tasks | length')" "records after two restarts"
exit 0
