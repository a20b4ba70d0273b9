#!/bin/bash
# SPDX-License-Identifier: ISC
# subscribe / schedctl watch: job.added, task.queued, task.started and
# task.finished arrive in order, without ids; "logs -f" streams the output of
# a running task and ends when the task ends.
. "$(dirname "$0")/lib.sh"

start_daemon "jobs:
  slowprint:
    command: |
      echo first-line
      $(gate_cmd go)
      echo second-line
"

watch_to "$T/events"
must_succeed ctl add ev -- /bin/echo hi
t=$OUT
wait_task "$t"
# The wait answer and the event travel on different connections: poll.
wait_for eval "grep '\"event\"' \"\$T/events\" | jq -e 'select(.event == \"task.finished\" and .task == $t)'"

ev=$(grep '"event"' "$T/events" | jq -c .)
# Events never carry an id.
must_equal 0 "$(printf '%s\n' "$ev" | jq -s 'map(select(has("id"))) | length')" "events with an id"
must_equal "job.added task.queued task.started task.finished" \
    "$(printf '%s\n' "$ev" | jq -r "select(.job == \"ev\") | .event" | tr '\n' ' ' | sed 's/ $//')" \
    "events of job ev, in order"
must_equal "add" "$(printf '%s\n' "$ev" | jq -r "select(.event == \"task.queued\" and .task == $t) | .trigger")" "trigger in task.queued"
must_equal "$(task_get "$t" .pid)" "$(printf '%s\n' "$ev" | jq -r "select(.event == \"task.started\" and .task == $t) | .pid")" "pid in task.started"
must_equal "succeeded 0 null" \
    "$(printf '%s\n' "$ev" | jq -r "select(.event == \"task.finished\" and .task == $t) | \"\(.state) \(.exit_code) \(.signal)\"")" \
    "state exit_code signal in task.finished"

# A filtered subscription gets only what it asked for.
watch_to "$T/events2" task.finished
must_succeed ctl add ev2 --wait -- true
t2=$(cj history ev2 | jq -r '.result.tasks[0].id')
wait_for grep -q '"task.finished"' "$T/events2"
must_equal "task.finished" "$(grep '"event"' "$T/events2" | jq -r .event | sort -u | tr '\n' ' ' | sed 's/ $//')" \
    "events of a task.finished-only subscription"

# Human watch output mentions the events too.
bg ctl watch >"$T/human"
hpid=$BGPID
# Nothing tells when the human watch has subscribed: retry a ban/unban pair
# until it shows up (bounded by wait_for).
wait_for eval 'ctl ban hb >/dev/null; ctl unban hb >/dev/null; grep -q hb "$T/human"'

# logs -f: streams the first line while the task runs, the second once it
# goes on, and ends when the task ends.
must_succeed ctl run slowprint
s=$OUT
bg ctl logs "$s" -f >"$T/follow" 2>"$T/follow.err"
fpid=$BGPID
wait_for grep -q first-line "$T/follow"
grep -q second-line "$T/follow" && fail "logs -f printed output the task has not written yet"
kill -0 "$fpid" 2>/dev/null || fail "logs -f ended while the task runs"
touch "$T/go"
wait_task "$s"
wait_for eval '! kill -0 '"$fpid"' 2>/dev/null'
wait "$fpid"
must_equal 0 "$?" "exit status of logs -f"
must_equal "first-line second-line" "$(grep -o '[a-z]*-line' "$T/follow" | tr '\n' ' ' | sed 's/ $//')" "output of logs -f"
exit 0
