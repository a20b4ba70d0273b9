#!/bin/bash
# SPDX-License-Identifier: ISC
# max_runs + auto_remove: a runtime job with every 1s, max_runs 2 and
# auto_remove is removed once its 2nd task has ended (not before: while a
# task is still queued or running the job stays); the same job without
# auto_remove (schedctl add --every 1s --max-runs 2) stays, with its
# schedule ended (next_run null, "next" empty).
. "$(dirname "$0")/lib.sh"

nevents() {
	[ "$(jq -c "select(.event == \"$1\" and .job == \"$2\")" \
	    "$T/ev" | wc -l)" -ge "$3" ]
}
job_field() {
	raw "{\"cmd\":\"job\",\"name\":\"$1\"}" | jq -r ".result.job.$2"
}

start_daemon
watch_to "$T/ev"

must_succeed ctl add keep --every 1s --max-runs 2 -- true
gate=$(gate_cmd go)
ans=$(raw "$(jq -cn --arg g "$gate" '{cmd: "add", job: {name: "gone",
    command: $g, every: "1s", max_runs: 2, auto_remove: true}}')")
must_equal true "$(json_get "$ans" .ok)" "raw add of gone: $ans"

# gone: the 1st task waits on the gate, the 2nd firing queues behind it;
# then the schedule has ended but the job stays while tasks remain.
wait_for nevents task.queued gone 2
must_equal "null" "$(job_field gone next_run)" "gone: next_run after 2 firings"
must_equal "1|1" "$(raw '{"cmd":"job","name":"gone"}' |
    jq -r '.result.job | "\(.running)|\(.queued)"')" "gone: running|queued"
touch "$T/go"
wait_for nevents job.removed gone 1
must_equal not_found "$(raw_code '{"cmd":"job","name":"gone"}')" "job gone after auto_remove"
# The removal came after the 2nd task ended.
order=$(jq -r 'select(.job == "gone") | .event' "$T/ev" | tr '\n' ' ')
must_equal "job.added task.queued task.started task.queued task.finished task.started task.finished job.removed " \
    "$order" "events of gone"

# keep: two tasks, then it stays with its schedule ended.
wait_for nevents task.finished keep 2
must_equal "runtime|2|null" "$(raw '{"cmd":"job","name":"keep"}' |
    jq -r '.result.job | "\(.origin)|\(.runs)|\(.next_run)"')" \
    "keep: origin|runs|next_run"
must_equal "[]" "$(raw '{"cmd":"next","name":"keep"}' | jq -c .result.times)" \
    "keep: next after max_runs"
must_equal 2 "$(raw '{"cmd":"history","name":"keep"}' |
    jq '.result.tasks | length')" "tasks of keep"
must_equal 0 "$(jq -c 'select(.event == "job.removed" and .job == "keep")' \
    "$T/ev" | wc -l)" "job.removed events of keep"
exit 0
