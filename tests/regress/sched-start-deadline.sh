#!/bin/bash
# SPDX-License-Identifier: ISC
# start_deadline: a scheduled firing that cannot start within the deadline
# of its due time (here: waiting behind max_running 1, then behind a
# daemon that was down) is skipped -- its task cancelled with an error
# saying so -- and counted missed; manual runs have no deadline, a job
# without a deadline waits as long as it takes, and catch_up does not run
# a missed firing that is already past the deadline.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-restart.sh"

# jadd NAME DEADLINE: a one-shot due at once, with start_deadline DEADLINE
# (none if empty).
jadd() {
	local dl=

	[ -z "$2" ] || dl=",\"start_deadline\":\"$2\""
	must_equal ok "$(raw_code "{\"cmd\":\"add\",\"job\":{\"name\":\"$1\",\"command\":[\"true\"],\"at\":\"2000-01-01T00:00:00Z\"$dl}}")" \
	    "add $1"
}
# last NAME: state, trigger and error of a job's last task; then missed.
last() {
	local t

	t=$(raw "{\"cmd\":\"history\",\"name\":\"$1\",\"limit\":1}" | jq -c '.result.tasks[0]')
	printf '%s|%s|%s|%s\n' "$(json_get "$t" .state)" \
	    "$(json_get "$t" .trigger)" "$(json_get "$t" .error)" \
	    "$(raw "{\"cmd\":\"job\",\"name\":\"$1\"}" | jq -r .result.job.missed)"
}

start_daemon "daemon:
  max_running: 1
jobs:
  gate:
    command: \"$(gate_cmd go)\""
watch_to "$T/ev"

must_succeed ctl run gate
wait_for nevents task.started gate 1
jadd late 200ms
jadd patient ""
wait_for nevents task.queued late 1
wait_for nevents task.queued patient 1
must_succeed ctl run late		# manual: no deadline
# Unavoidable: the deadline must pass while the firing waits; any pause
# longer than 200ms will do.
sleep 0.5
touch "$T/go"
wait_for nevents task.finished late 2
wait_for nevents task.finished patient 1
must_equal "cancelled|schedule|not started within start_deadline (200ms) of its due time|1" \
    "$(raw '{"cmd":"history","name":"late","limit":5}' | jq -r '.result.tasks[1] |
    "\(.state)|\(.trigger)|\(.error)"')|$(raw '{"cmd":"job","name":"late"}' | jq -r .result.job.missed)" \
    "the late firing"
must_equal "succeeded|manual|null|1" "$(last late)" "the manual run of late"
must_equal "succeeded|schedule|null|0" "$(last patient)" "patient"

# Downtime: a firing queued when the daemon went down is judged by its
# due time when it comes back.
rm -f "$T/go"
must_succeed ctl run gate
wait_for nevents task.started gate 2
jadd down 200ms
wait_for nevents task.queued down 1
kill9_daemon
sleep 0.5	# the deadline passes while the daemon is down
restart_daemon
wait_task "$(raw '{"cmd":"history","name":"down","limit":1}' | jq -r '.result.tasks[0].id')"
must_equal "cancelled|schedule|not started within start_deadline (200ms) of its due time|1" \
    "$(last down)" "down after a restart"

# Bad values are refused.
for v in 0 '"0s"' '"x"' -1; do
	must_equal bad_request "$(raw_code "{\"cmd\":\"add\",\"job\":{\"name\":\"b\",\"command\":[\"true\"],\"every\":\"1h\",\"start_deadline\":$v}}")" \
	    "start_deadline $v"
done
must_equal 200 "$(raw '{"cmd":"job","name":"down"}' | jq -r .result.job.definition.start_deadline_ms)" \
    "definition.start_deadline_ms"

# catch_up: a firing missed while the daemon was down (New Year, two
# years of downtime, as the saved state tells it) is caught up only if it
# is within the deadline.
[ "$(date -u +%m%d%H)" != 010100 ] || exit 0	# New Year is within 1h
shutdown_daemon
restart_daemon "jobs:
  cu1:
    command: [\"true\"]
    cron: \"0 0 1 1 *\"
    catch_up: true
    start_deadline: 1h
  cu2:
    command: [\"true\"]
    cron: \"0 0 1 1 *\"
    catch_up: true"
shutdown_daemon
sed -i "s/\"last_wall\":[0-9]*/\"last_wall\":$(( $(date +%s) - 2 * 366 * 86400 ))/g" \
    "$STATE"/state.json "$STATE"/journal
restart_daemon
must_equal "0 catch_up" "$(raw '{"cmd":"history","name":"cu1"}' | jq -r '.result.tasks | length') $(raw '{"cmd":"history","name":"cu2"}' | jq -r '.result.tasks[0].trigger')" \
    "catch-up tasks of cu1 (past its deadline) and cu2"
m1=$(raw '{"cmd":"job","name":"cu1"}' | jq -r .result.job.missed)
m2=$(raw '{"cmd":"job","name":"cu2"}' | jq -r .result.job.missed)
[ "$m1" -ge 2 ] && [ "$m1" = "$m2" ] ||
    fail "missed firings of cu1 and cu2: $m1 and $m2, not the same 2 or 3"
exit 0
