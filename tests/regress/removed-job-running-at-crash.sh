#!/bin/bash
# SPDX-License-Identifier: ISC
# A runtime job removed while its task runs, then a crash: at restart the
# task is "lost" and its processes are killed (it must not stay "running"
# for ever, holding a max_running slot), other tasks start, and a forced
# shutdown exits.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-restart.sh"

on_exit()
{
	local p

	for p in $(tagged_pids "${t1:-0}"); do
		kill -KILL "$p" 2>/dev/null
	done
}

start_daemon "daemon:
  max_running: 1"

must_succeed cj add x --every 1h --env "REGRESS_DIR=$T" -- sleep 1000
must_succeed ctl run x
t1=$OUT
wait_for eval "[ \"\$(task_get $t1 .state)\" = running ]"
pid=$(task_get "$t1" .pid)
must_succeed ctl remove x
must_equal running "$(task_get "$t1" .state)" "the removed job's task right after the removal"
kill9_daemon
kill -0 "$pid" 2>/dev/null || fail "the task's process died with the daemon"

restart_daemon
must_equal lost "$(task_get "$t1" .state)" "the removed job's task after the crash"
wait_for proc_gone "$pid"
must_equal 0 "$(cj status | jq .result.running)" "running tasks after the restart"
must_equal "$t1" "$(cj history x | jq '.result.tasks[0].id')" "history of the removed job"

# The one slot is free: a new task runs.
must_exit 0 ctl add y --wait -- true

# And a forced shutdown exits.
ctl shutdown --force >/dev/null 2>&1
for i in $(seq 1 100); do
	kill -0 "$DPID" 2>/dev/null || break
	sleep 0.05
done
kill -0 "$DPID" 2>/dev/null && fail "schedd did not exit on a forced shutdown"
wait "$DPID"
DPID=
exit 0
