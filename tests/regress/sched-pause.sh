#!/bin/bash
# SPDX-License-Identifier: ISC
# pause/resume of a scheduled job: paused, an "every: 1s" job starts no
# task and has next_run null; resume recomputes its next run from now and
# it runs again.  A job with "enabled: false" is loaded paused and never
# runs until resumed.
. "$(dirname "$0")/lib.sh"

ms() { date -d "$1" +%s%3N; }
nstarted() {
	[ "$(jq -c "select(.event == \"task.started\" and .job == \"$1\")" \
	    "$T/ev" | wc -l)" -ge "$2" ]
}
ntasks() {
	raw "{\"cmd\":\"history\",\"name\":\"$1\"}" | jq '.result.tasks | length'
}

start_daemon "jobs:
  tick:
    command: [\"true\"]
    every: 1s
  off:
    command: [\"true\"]
    every: 1s
    enabled: false
"
watch_to "$T/ev" task.started

j=$(raw '{"cmd":"job","name":"off"}')
must_equal "true|null" "$(json_get "$j" '.result.job | "\(.paused)|\(.next_run)"')" \
    "off (enabled: false): paused|next_run"

wait_for nstarted tick 1
p=$(cj pause tick)
must_equal "true" "$(json_get "$p" .ok)" "pause answer: $p"
must_equal "true|null" "$(json_get "$p" '.result.job | "\(.paused)|\(.next_run)"')" \
    "pause answer: paused|next_run"
n=$(ntasks tick)
must_equal "[]" "$(raw '{"cmd":"next","name":"tick"}' | jq -c .result.times)" "next of a paused job"

# Nothing runs for a few intervals: only a sleep shows that.
sleep 2.5
must_equal "$n" "$(ntasks tick)" "tasks of tick while paused"
must_equal 0 "$(ntasks off)" "tasks of off (enabled: false)"
must_equal "true|null" "$(raw '{"cmd":"job","name":"tick"}' |
    jq -r '.result.job | "\(.paused)|\(.next_run)"')" "tick: paused|next_run while paused"

# resume: next run one interval from now, then it runs.
before=$(date +%s%3N)
r=$(cj resume tick)
must_equal "false" "$(json_get "$r" .result.job.paused)" "resume answer: paused"
nr=$(json_get "$r" .result.job.next_run)
[ "$nr" != null ] || fail "next_run after resume is null: $r"
[ "$(ms "$nr")" -ge $((before + 999)) ] ||
    fail "resume did not recompute from now: next_run $nr, resumed at $before ms"
wait_for nstarted tick $((n + 1))

must_succeed ctl resume off
wait_for nstarted off 1
must_equal schedule "$(raw '{"cmd":"history","name":"off"}' |
    jq -r '.result.tasks[0].trigger')" "trigger of off after resume"
exit 0
