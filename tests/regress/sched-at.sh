#!/bin/bash
# SPDX-License-Identifier: ISC
# at: a one-shot a few seconds ahead ("Z" form) runs once and only once,
# and "next" shows exactly its time before it runs; an at that has passed
# when the job is loaded runs at once; neither runs again after a reload
# or a restart.  The "HH:MM" form parses (schedd -t) and means the next
# such local time.
. "$(dirname "$0")/lib.sh"

ms() { date -d "$1" +%s%3N; }
nfinished() {
	[ "$(jq -c "select(.event == \"task.finished\" and .job == \"$1\")" \
	    "$T/ev" | wc -l)" -ge "$2" ]
}
# ndone JOB N: at least N ended tasks of JOB (history; a task may end
# before the watch starts).
ndone() {
	[ "$(raw "{\"cmd\":\"history\",\"name\":\"$1\"}" | jq \
	    '[.result.tasks[] | select(.finished_at != null)] | length')" -ge "$2" ]
}
ntasks() {
	raw "{\"cmd\":\"history\",\"name\":\"$1\"}" | jq '.result.tasks | length'
}

# Whole seconds, so 2 to 3 s ahead.
at=$(date -u -d '+6 seconds' +%Y-%m-%dT%H:%M:%SZ)
at_s=$(date -d "$at" +%s)
conf="jobs:
  later:
    command: [\"true\"]
    at: \"$at\"
  past:
    command: [\"true\"]
    at: \"2020-01-01T00:00:00Z\"
  daily:
    command: [\"true\"]
    at: \"09:00\"
"
start_daemon "$conf"
watch_to "$T/ev" task.finished

# Before it is due: next and next_run show the at time.
now_s=$(date +%s)
[ "$now_s" -lt "$at_s" ] || skip "too slow: the at time passed during start"
n=$(raw '{"cmd":"next","name":"later","count":5}')
must_equal 1 "$(json_get "$n" '.result.times | length')" "number of next times of an at: $n"
must_equal "$at_s" "$(date -d "$(json_get "$n" '.result.times[0]')" +%s)" \
    "next of the at job (as an instant)"
# (next_run to the millisecond: see sched-next-run-wall.sh)

# A passed at runs at once, well before the future one.
wait_for ndone past 1
t=$(raw '{"cmd":"history","name":"past"}' | jq -c '.result.tasks[0]')
must_equal "schedule|succeeded" "$(json_get "$t" '"\(.trigger)|\(.state)"')" "past: trigger|state"
[ "$(ms "$(json_get "$t" .started_at)")" -lt $((at_s * 1000)) ] ||
    fail "the passed at did not run at once: $t"

# The future one runs once, never before its time.
wait_for nfinished later 1
t=$(raw '{"cmd":"history","name":"later"}' | jq -c '.result.tasks[0]')
must_equal "schedule|succeeded" "$(json_get "$t" '"\(.trigger)|\(.state)"')" "later: trigger|state"
[ "$(ms "$(json_get "$t" .started_at)")" -ge $((at_s * 1000)) ] ||
    fail "the at job ran early (at $at): $t"

# Only once: a sleep past it is the only way to see nothing more happens.
sleep 1.2
must_equal 1 "$(ntasks later)" "tasks of later after its time"
must_equal 1 "$(ntasks past)" "tasks of past"
for j in later past; do
	must_equal "null" "$(raw "{\"cmd\":\"job\",\"name\":\"$j\"}" |
	    jq -r .result.job.next_run)" "$j: next_run after it ran"
	must_equal "[]" "$(raw "{\"cmd\":\"next\",\"name\":\"$j\"}" |
	    jq -c .result.times)" "$j: next after it ran"
done

# Not after a reload, not after a restart.
must_equal ok "$(raw_code '{"cmd":"reload"}')" "reload"
stop_daemon
start_daemon "$conf"
sleep 1
must_equal 1 "$(ntasks later)" "tasks of later after a reload and a restart"
must_equal 1 "$(ntasks past)" "tasks of past after a reload and a restart"

# HH:MM: the next 09:00 local time, within a day.
d=$(raw '{"cmd":"next","name":"daily","count":1}' | jq -r '.result.times[0]')
must_equal "09:00:00" "$(date -d "$d" +%H:%M:%S)" "next of at 09:00 (local)"
d_s=$(date -d "$d" +%s)
now_s=$(date +%s)
[ "$d_s" -gt "$now_s" ] && [ "$d_s" -le $((now_s + 86400)) ] ||
    fail "next of at 09:00 is $d: not within the coming day"
printf 'jobs:\n  hm:\n    command: ["true"]\n    at: "23:59"\n' >"$T/hm.yaml"
must_succeed "$SCHEDD" -t -c "$T/hm.yaml"
printf 'jobs:\n  hm:\n    command: ["true"]\n    at: "24:61"\n' >"$T/bad.yaml"
must_exit 1 "$SCHEDD" -t -c "$T/bad.yaml"
must_match 'bad.yaml:4:' "$OUT" "error for a bad at"
exit 0
