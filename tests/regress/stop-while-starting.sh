#!/bin/bash
# SPDX-License-Identifier: ISC
# A task is stopped even if the stop comes while its process is still
# being started (a helper thread starts processes while firings are due
# soon, as tick's always are): forty tasks run and are stopped in one
# go, and all forty end stopped with nothing left.
. "$(dirname "$0")/lib.sh"

N=40
start_daemon "daemon:
  max_running: $((N + 1))
jobs:
  tick:
    every: 20ms
    command: [\"true\"]
  many:
    concurrency: $N
    command: [\"sleep\", \"60.$$\"]
"

# The runs and the stop on one connection, read together: the stop comes
# before most of the processes have been started.
reqs=()
for i in $(seq 1 $N); do
	reqs+=('{"cmd":"run","name":"many"}')
done
reqs+=('{"cmd":"stop","name":"many"}')
out=$(raw "${reqs[@]}")
ids=$(printf '%s\n' "$out" |
    jq -c 'select(.result.task != null) | .result.task' | sort -n)
must_equal $N "$(printf '%s\n' "$ids" | grep -c .)" "tasks run"
stopped=$(printf '%s\n' "$out" |
    jq -c 'select(.result.stopped != null) | .result.stopped | length')
must_equal $N "$stopped" "tasks the stop reached"
wait_task $ids
for t in $ids; do
	must_equal stopped "$(task_get "$t" .state)" "state of task $t"
done
pgrep -f "sleep 60[.]$$" >/dev/null &&
    fail "processes of the stopped tasks are left"
exit 0
