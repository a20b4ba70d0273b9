#!/bin/bash
# SPDX-License-Identifier: ISC
# on_overlap, when a firing finds the job at its concurrency limit:
# skip drops the firing and counts it in "skipped" (nothing queued);
# replace stops the running task (state stopped) and starts a new one once
# it has exited; queue lets the tasks wait, then run one after another.
. "$(dirname "$0")/lib.sh"

ms() { date -d "$1" +%s%3N; }
jf() {
	raw "{\"cmd\":\"job\",\"name\":\"$1\"}" | jq -r ".result.job | $2"
}
# jtest JOB JQ-CONDITION: the job summary satisfies the condition.
jtest() {
	[ "$(jf "$1" "$2")" = true ]
}
# ttest ID JQ-CONDITION: the task record satisfies the condition.
ttest() {
	[ "$(task_get "$1" "$2")" = true ]
}
hist() {
	raw "{\"cmd\":\"history\",\"name\":\"$1\"}"
}

start_daemon "jobs:
  sk:
    command: |
      echo run >>$T/sk.runs
      $(gate_cmd sk.go)
    every: 1s
    on_overlap: skip
  rp:
    command: |
      $(gate_cmd rp.go)
    every: 1s
    on_overlap: replace
  qu:
    command: |
      $(gate_cmd qu.go)
    every: 1s
    on_overlap: queue
"

# skip: one task runs on the gate; two more firings are dropped.
wait_for jtest sk '.skipped >= 2'
s=$(raw '{"cmd":"job","name":"sk"}')
must_equal "1|0|1" "$(json_get "$s" '.result.job | "\(.running)|\(.queued)|\(.runs)"')" \
    "sk: running|queued|runs with firings skipped"
must_equal 1 "$(hist sk | jq '.result.tasks | length')" "tasks of sk"
must_equal 1 "$(wc -l <"$T/sk.runs")" "sk runs"

# replace: the first task is stopped by the next firing, and a new task
# starts once it has exited.
wait_for jtest rp '.last_task != null'
first=$(hist rp | jq '.result.tasks | min_by(.id) | .id')
wait_for ttest "$first" '.state == "stopped"'
wait_for jtest rp '.last_task > '"$first"
must_equal "ok" "$(raw_code '{"cmd":"pause","name":"rp"}')" "pause rp"
must_equal stopped "$(task_get "$first" .state)" "state of the replaced task"
second=$(hist rp | jq ".result.tasks | map(select(.id > $first)) | min_by(.id) | .id")
wait_for ttest "$second" '.started_at != null'
a_end=$(ms "$(task_get "$first" .finished_at)")
b_start=$(ms "$(task_get "$second" .started_at)")
[ "$b_start" -ge "$a_end" ] ||
    fail "rp: task $second started ($b_start) before the replaced task $first ended ($a_end)"
must_equal schedule "$(task_get "$second" .trigger)" "trigger of the replacing task"
[ "$(jf rp .skipped)" -eq 0 ] || fail "rp: replace counted skipped firings"

# queue: tasks wait behind the running one.
wait_for jtest qu '.queued >= 2'
must_equal "ok" "$(raw_code '{"cmd":"pause","name":"qu"}')" "pause qu"
must_equal 1 "$(jf qu .running)" "qu: running"
must_equal 0 "$(jf qu .skipped)" "qu: skipped"
ids=$(hist qu | jq -r '.result.tasks | sort_by(.id) | .[].id')
touch "$T/qu.go" "$T/sk.go" "$T/rp.go"
wait_task $ids
prev=
for id in $ids; do
	must_equal "succeeded|schedule" "$(task_get "$id" '"\(.state)|\(.trigger)"')" "qu: task $id state|trigger"
	if [ -n "$prev" ]; then
		s=$(ms "$(task_get "$id" .started_at)")
		[ "$s" -ge "$prev" ] ||
		    fail "qu: task $id started before the one before it ended"
	fi
	prev=$(ms "$(task_get "$id" .finished_at)")
done
exit 0
