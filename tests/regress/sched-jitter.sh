#!/bin/bash
# SPDX-License-Identifier: ISC
# jitter: 20 jobs "every: 1s, jitter: 800ms, max_runs: 1" loaded together
# do not all start together (their first starts are not all within 50 ms),
# and none starts before 1 s after the daemon was started: jitter only
# delays a firing.
. "$(dirname "$0")/lib.sh"

ms() { date -d "$1" +%s%3N; }
nfinished() {
	[ "$(jq -c 'select(.event == "task.finished")' "$T/ev" | wc -l)" \
	    -ge "$1" ]
}

conf="daemon:
  max_running: 32
jobs:"
for i in $(seq 1 20); do
	conf="$conf
  j$i:
    command: [\"true\"]
    every: 1s
    jitter: 800ms
    max_runs: 1"
done
# The jobs are loaded after this instant.
t0=$(date +%s%3N)
start_daemon "$conf"
watch_to "$T/ev" task.finished
wait_for nfinished 20

h=$(raw '{"cmd":"history","limit":100}')
must_equal 20 "$(json_get "$h" '.result.tasks | length')" "number of tasks"
must_equal schedule "$(json_get "$h" '[.result.tasks[].trigger] | unique | join(",")')" "triggers"
min=
max=
for s in $(json_get "$h" '.result.tasks[].started_at'); do
	v=$(ms "$s")
	[ "$v" -ge $((t0 + 1000)) ] ||
	    fail "a task started $((v - t0)) ms after the daemon was started (every 1s, jitter only delays): $s"
	[ -n "$min" ] && [ "$v" -ge "$min" ] || min=$v
	[ -n "$max" ] && [ "$v" -le "$max" ] || max=$v
done
[ $((max - min)) -gt 50 ] ||
    fail "20 jittered first starts all within $((max - min)) ms"
echo "first starts spread over $((max - min)) ms"
exit 0
