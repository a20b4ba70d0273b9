#!/bin/bash
# SPDX-License-Identifier: ISC
# max_running bounds the tasks running at once over all jobs: with
# max_running 2 and four jobs, two run, two wait, and all four finish.
. "$(dirname "$0")/lib.sh"

mkdir "$T/run"
jobs=
for j in m1 m2 m3 m4; do
	jobs="$jobs
  $j:
    command: |
      touch $T/run/\$SCHEDD_TASK_ID
      ls $T/run | wc -l >>$T/counts
      $(gate_cmd go)
      sleep 0.05
      rm $T/run/\$SCHEDD_TASK_ID"
done
start_daemon "daemon:
  max_running: 2
jobs:$jobs
"

ids=
for j in m1 m2 m3 m4; do
	must_succeed ctl run "$j"
	ids="$ids $OUT"
done

# Two tasks start and hold the gate; the others must wait for a slot.
wait_for eval '[ "$(ls "$T/run" | wc -l)" -eq 2 ]'
st=$(cj status)
must_equal 2 "$(json_get "$st" .result.running)" "running tasks"
must_equal 2 "$(json_get "$st" .result.queued)" "queued tasks"
must_equal 2 "$(ls "$T/run" | wc -l)" "tasks that started"

touch "$T/go"
must_succeed ctl wait $ids
for id in $ids; do
	must_equal succeeded "$(task_get "$id" .state)" "state of task $id"
done
must_equal 4 "$(wc -l <"$T/counts" | tr -d ' ')" "tasks that ran"
max=$(sort -n "$T/counts" | tail -n 1)
[ "$max" -le 2 ] || fail "$max tasks ran at once (max_running 2)"
exit 0
