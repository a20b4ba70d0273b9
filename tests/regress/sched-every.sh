#!/bin/bash
# SPDX-License-Identifier: ISC
# every: an "every: 1s" job with max_runs: 3 runs exactly three times
# (trigger schedule, attempt 1), then its schedule has ended: next_run is
# null and "next" gives no times.  An "every: 300ms" job's tasks start one
# after another, spaced at least 250 ms apart (never early; an ordering
# fact, not a lateness threshold).
. "$(dirname "$0")/lib.sh"

# Epoch milliseconds of an RFC 3339 time.
ms() { date -d "$1" +%s%3N; }

# nfinished JOB N: at least N tasks of JOB have ended (from its history:
# a watch begun after the start could miss the first 300 ms firing).
nfinished() {
	[ "$(raw "{\"cmd\":\"history\",\"name\":\"$1\"}" | jq \
	    '[.result.tasks[] | select(.finished_at != null)] | length')" \
	    -ge "$2" ]
}

start_daemon "jobs:
  three:
    command: [\"true\"]
    every: 1s
    max_runs: 3
  fast:
    command: [\"true\"]
    every: 300ms
    max_runs: 5
"
wait_for nfinished three 3
wait_for nfinished fast 5

h=$(raw '{"cmd":"history","name":"three"}')
must_equal 3 "$(json_get "$h" '.result.tasks | length')" "tasks of three"
must_equal "schedule/1 schedule/1 schedule/1" \
    "$(json_get "$h" '[.result.tasks[] | "\(.trigger)/\(.attempt)"] | join(" ")')" \
    "trigger/attempt of three's tasks"
must_equal "succeeded succeeded succeeded" \
    "$(json_get "$h" '[.result.tasks[].state] | join(" ")')" "states"

j=$(raw '{"cmd":"job","name":"three"}')
must_equal "null|3|every 1s" \
    "$(json_get "$j" '.result.job | "\(.next_run)|\(.runs)|\(.schedule)"')" \
    "three: next_run|runs|schedule after max_runs"
must_equal "[]" "$(raw '{"cmd":"next","name":"three","count":5}' |
    jq -c .result.times)" "next of an ended schedule"

# An ended schedule stays ended: a little over one interval later (a sleep
# is the only way to see that nothing happens) there is still no 4th task.
sleep 1.3
must_equal 3 "$(raw '{"cmd":"history","name":"three"}' |
    jq '.result.tasks | length')" "tasks of three, 1.3 s after the end"

# fast: start times, oldest first, each >= 250 ms after the one before.
starts=$(raw '{"cmd":"history","name":"fast"}' |
    jq -r '.result.tasks | reverse | .[].started_at')
must_equal 5 "$(printf '%s\n' "$starts" | wc -l)" "tasks of fast"
prev=
for s in $starts; do
	cur=$(ms "$s")
	if [ -n "$prev" ] && [ $((cur - prev)) -lt 250 ]; then
		fail "fast: starts $((cur - prev)) ms apart (every 300ms): $(echo $starts)"
	fi
	prev=$cur
done
must_equal "null" "$(raw '{"cmd":"job","name":"fast"}' |
    jq -r .result.job.next_run)" "fast: next_run after max_runs"
exit 0
