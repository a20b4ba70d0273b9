#!/bin/bash
# SPDX-License-Identifier: ISC
# What a task's main process leaves behind is part of the task: with
# on_leftovers: kill (the default) it is killed when the main process
# ends -- a child in the same group with its output closed, a double fork
# into a new session, one with a cleared environment -- and the task ends
# with the main process's status at once; with on_leftovers: wait the task
# ends only when the last of them has.  With cgroups, and without (where
# what has left the session with a cleared environment cannot be found).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-cgroup.sh"

cp /bin/sleep "$T/sleepy"
run_case()
{
	local how=$1 t pids

	must_exit 0 ctl add "group-$how" --wait --shell -- \
	    "$T/sleepy 1001 >/dev/null 2>&1 & exit 0"
	must_exit 0 ctl add "session-$how" --wait --shell -- \
	    "setsid sh -c '$T/sleepy 1002 >/dev/null 2>&1 &' ; exit 0"
	if [ "$how" = cgroup ]; then
		must_exit 0 ctl add "cleared-$how" --wait --shell -- \
		    "setsid env -i $T/sleepy 1003 >/dev/null 2>&1 & exit 0"
	fi
	for mark in 1001 1002 1003; do
		wait_for eval "[ -z \"\$(marked_pids '$T/sleepy $mark')\" ]"
	done
	t=$(cj history "group-$how" | jq '.result.tasks[0].id')
	must_equal succeeded "$(task_get "$t" .state)" "the task whose child was killed ($how)"
	grep -q "task $t (group-$how): killing 1 process its main process left behind" "$LOG" ||
	    fail "no log line about the process task $t left ($how)"

	# wait: the task lasts as long as what it left.
	ans=$(raw "{\"cmd\":\"add\",\"job\":{\"name\":\"wait-$how\",\"on_leftovers\":\"wait\",\"command\":\"$T/sleepy 1 >/dev/null 2>&1 & exit 0\"}}")
	t=$(json_get "$ans" .result.task)
	wait_task "$t"
	must_equal succeeded "$(task_get "$t" .state)" "the task that waited for its child ($how)"
	[ "$(task_get "$t" .duration_ms)" -ge 900 ] ||
	    fail "the task that waits for its child ended after $(task_get "$t" .duration_ms) ms ($how)"
}

start_daemon "daemon:
  cgroup: $CG"
run_case cgroup
stop_daemon
start_daemon "daemon:
  cgroup: off"
run_case off
exit 0
