#!/bin/bash
# SPDX-License-Identifier: ISC
# A graceful restart: queued tasks are kept by "schedctl
# shutdown" and queued again at the next start in their order (they then
# run in id order); job counters persist; an "at" job that ran does not run
# again after the restart, and runs once more when its "at" is changed in
# the configuration.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-restart.sh"

# gated: each task waits for its own gate file $T/go.ID.
conf_at()
{
	echo "jobs:
  gated:
    command: |
      echo \$SCHEDD_TASK_ID >>$T/order
      $(gate_cmd 'go.$SCHEDD_TASK_ID')
    concurrency: 1
  once:
    command: \"echo ran >>$T/once.runs\"
    at: \"$1\"
"
}
ndone() {
	[ "$(raw "{\"cmd\":\"history\",\"name\":\"$1\"}" | jq \
	    '[.result.tasks[] | select(.finished_at != null)] | length')" -ge "$2" ]
}
counters='.result.job | {runs, succeeded, failed, timeouts, stopped, skipped, consecutive_failures, last_task, last_state}'

start_daemon "$(conf_at 2020-01-01T00:00:00Z)"
# The passed at runs at once, once.
wait_for ndone once 1
must_equal 1 "$(wc -l <"$T/once.runs")" "runs of the at job"

# One gated task ends, one runs, five wait behind it.
must_succeed ctl run gated
first=$OUT
touch "$T/go.$first"
wait_task "$first"
must_succeed ctl run gated
running=$OUT
wait_for grep -qx "$running" "$T/order"
queued=
for i in 1 2 3 4 5; do
	must_succeed ctl run gated
	queued="$queued $OUT"
done
queued=${queued# }
got=$(raw '{"cmd":"history","name":"gated","state":"queued"}' |
    jq -r '[.result.tasks[].id] | sort | map(tostring) | join(" ")')
must_equal "$queued" "$got" "queued tasks of gated before the shutdown"
c_gated=$(raw '{"cmd":"job","name":"gated"}' | jq -c "$counters")
c_once=$(raw '{"cmd":"job","name":"once"}' | jq -c "$counters")
must_equal 1 "$(json_get "$c_once" .succeeded)" "succeeded counter of once"

# Graceful: the daemon waits for the running task (let go below, while it
# waits) and starts none of the queued ones.
must_succeed ctl shutdown
touch "$T/go.$running"
wait "$DPID"
must_equal 0 "$?" "exit status of schedd after schedctl shutdown"
DPID=
must_equal "$first $running" "$(tr '\n' ' ' <"$T/order" | sed 's/ $//')" \
    "tasks of gated that started before the restart"

# All the gates are open: after the restart the five run in id order.
for id in $queued; do
	touch "$T/go.$id"
done
restart_daemon
# shellcheck disable=SC2086
wait_task $queued
for id in $queued; do
	must_equal "succeeded|manual" "$(task_get "$id" '"\(.state)|\(.trigger)"')" \
	    "task $id, queued before the restart"
done
must_equal "$first $running $queued" "$(tr '\n' ' ' <"$T/order" | sed 's/ $//')" \
    "order in which the gated tasks started"
prev=
for id in $queued; do
	s=$(task_get "$id" .started_at)
	[ -z "$prev" ] || [ "$(date -d "$s" +%s%N)" -ge "$(date -d "$prev" +%s%N)" ] ||
	    fail "task $id started at $s, before the task queued ahead of it ($prev)"
	prev=$s
done

# Counters persisted: gated had 2 runs (1 succeeded, 1 running, which
# succeeded during the shutdown); five more runs after the restart.
must_equal "2|1" "$(json_get "$c_gated" '"\(.runs)|\(.succeeded)"')" \
    "runs|succeeded of gated before the shutdown"
got=$(raw '{"cmd":"job","name":"gated"}' | jq -c "$counters")
must_equal "7|7" \
    "$(json_get "$got" '"\(.runs)|\(.succeeded)"')" "runs|succeeded of gated after the restart"
must_equal "$c_once" "$(raw '{"cmd":"job","name":"once"}' | jq -c "$counters")" \
    "counters of the at job after the restart"

# The at job did not run again (the five gated tasks took long enough for a
# wrong firing at start to show).
must_equal 1 "$(wc -l <"$T/once.runs")" "runs of the at job after the restart"
must_equal 1 "$(raw '{"cmd":"history","name":"once"}' | jq '.result.tasks | length')" \
    "tasks of the at job after the restart"
must_equal null "$(raw '{"cmd":"job","name":"once"}' | jq -r .result.job.next_run)" \
    "next_run of the at job that ran"

# Its at changed in the configuration to a time a moment ahead: it runs
# again at that time.
shutdown_daemon
restart_daemon "$(conf_at "$(date -u -d '+2 seconds' +%Y-%m-%dT%H:%M:%SZ)")"
wait_for ndone once 2
must_equal 2 "$(wc -l <"$T/once.runs")" "runs of the at job after its at changed to a coming time"

# Changed to another time that has passed: a one-shot whose time has passed
# when it is loaded runs at once; it was not "missed while schedd
# was down", since the daemon was down for a moment only.
shutdown_daemon
restart_daemon "$(conf_at 2020-01-02T00:00:00Z)"
wait_for ndone once 3
must_equal 3 "$(wc -l <"$T/once.runs")" "runs of the at job after its at changed to a passed time"
exit 0
