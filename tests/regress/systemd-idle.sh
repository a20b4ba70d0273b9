#!/bin/bash
# SPDX-License-Identifier: ISC
# idle_exit: socket-activated, schedd exits by itself (status 0) once no
# job is scheduled, nothing is queued or running and no client is
# connected for idle_exit; not while a task runs, a client is connected or
# a job has a schedule, and never when it was not socket-activated.
#
# "Does not exit" can only be observed by waiting: those checks sleep 1.5 s,
# past the 1 s idle_exit, which is the point of the check.
. "$(dirname "$0")/lib.sh"

command -v systemd-socket-activate >/dev/null 2>&1 ||
    skip "systemd-socket-activate is not installed"

# start_activated YAML: schedd behind systemd-socket-activate on $SOCK,
# started by a first connection.
start_activated()
{
	printf '%s\n' "$1" >"$CONF"
	chmod 644 "$CONF"
	systemd-socket-activate -l "$SOCK" \
	    "$SCHEDD" -c "$CONF" -d "$STATE" -v 2>>"$LOG" &
	DPID=$!
	# The socket file exists once bound, a moment before it listens:
	# the first connection may be refused then.
	wait_for answers
}

# answers: a status request gets its answer.
answers()
{
	ctl status >/dev/null 2>&1
}

# wait_exit: the daemon must exit by itself within 10 s, with status 0.
wait_exit()
{
	local i rc

	for i in $(seq 1 200); do
		kill -0 "$DPID" 2>/dev/null || break
		sleep 0.05
	done
	kill -0 "$DPID" 2>/dev/null && fail "schedd did not exit when idle"
	wait "$DPID"
	rc=$?
	DPID=
	must_equal 0 "$rc" "exit status of schedd after idle_exit"
}

alive()
{
	kill -0 "$DPID" 2>/dev/null || fail "schedd exited while $1"
}

# 1. Busy, then idle: a running task and a connected client keep it.
SOCK=$T/one.sock
start_activated "daemon:
  idle_exit: 1s
jobs:
  gated:
    command: \"$(gate_cmd go)\"
"
must_succeed ctl run gated
id=$OUT
sleep 1.5
alive "a task was running"
watch_to "$T/events" task.finished
watcher=$BGPID
touch "$T/go"
wait_for grep -q '"task.finished"' "$T/events"
sleep 1.5
alive "a client was connected"
kill "$watcher"
wait "$watcher" 2>/dev/null
wait_exit
grep -q 'idle for 1s, exiting (socket activation restarts schedd on the next connection)' \
    "$LOG" || fail "no idle_exit line in the log"
[ -S "$SOCK" ] || fail "the passed socket was removed"

# 2. A job with a schedule keeps it.
SOCK=$T/two.sock
start_activated "daemon:
  idle_exit: 1s
jobs:
  hourly:
    command: [\"true\"]
    every: 1h
"
sleep 1.5
alive "a job had a schedule"
stop_daemon

# 3. Not socket-activated: idle_exit does nothing.
SOCK=$T/three.sock
start_daemon "daemon:
  idle_exit: 1s
jobs: {}
"
sleep 1.5
alive "not socket-activated"
stop_daemon
exit 0
