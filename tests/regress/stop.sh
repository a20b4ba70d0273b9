#!/bin/bash
# SPDX-License-Identifier: ISC
# stop ID stops one running task (state stopped); stop JOB stops every
# running task of that job and leaves other jobs alone.
. "$(dirname "$0")/lib.sh"

start_daemon "jobs:
  one:
    command: [\"sleep\", \"1000\"]
  many:
    concurrency: 3
    command: |
      echo \$\$ >$T/pid.\$SCHEDD_TASK_ID
      exec sleep 1000
  other:
    command: [\"sleep\", \"1000\"]
"

# The stop answer's list, and the task's state after it.
must_succeed ctl run one
t=$OUT
wait_for eval "[ \"\$(task_get $t .state)\" = running ]"
pid=$(task_get "$t" .pid)
ans=$(cj stop "$t")
must_equal "[$t]" "$(json_get "$ans" '.result.stopped | tojson')" "stopped ids of stop $t"
wait_task "$t"
must_equal stopped "$(task_get "$t" .state)" "state of task $t after stop"
[ "$(task_get "$t" .finished_at)" != null ] || fail "stopped task $t has no finished_at"
kill -0 "$pid" 2>/dev/null && fail "process $pid of stopped task $t is still there"

# stop JOB: all three running tasks of "many"; "other" goes on.
must_succeed ctl run other
o=$OUT
ids=
for n in 1 2 3; do
	must_succeed ctl run many
	ids="$ids $OUT"
done
for id in $ids; do
	wait_for test -s "$T/pid.$id"
done
wait_for eval "[ \"\$(task_get $o .state)\" = running ]"
ans=$(cj stop many)
must_equal "$(echo $ids | tr ' ' '\n' | sort -n | jq -sc .)" \
    "$(json_get "$ans" '.result.stopped | sort | tojson')" "stopped ids of stop many"
wait_task $ids
for id in $ids; do
	must_equal stopped "$(task_get "$id" .state)" "state of task $id after stop many"
	p=$(cat "$T/pid.$id")
	kill -0 "$p" 2>/dev/null && fail "process $p of task $id is still there"
done
must_equal running "$(task_get "$o" .state)" "state of the other job's task"

# Stopping a task that is no longer running stops nothing.
ans=$(cj stop "$t")
if [ "$(json_get "$ans" .ok)" = true ]; then
	must_equal "[]" "$(json_get "$ans" '.result.stopped | tojson')" "stop of an ended task"
fi
must_equal stopped "$(task_get "$t" .state)" "state of task $t after a second stop"
must_succeed ctl stop other
wait_task "$o"
must_equal stopped "$(task_get "$o" .state)" "state of task $o after stop other"
must_succeed ctl status
exit 0
