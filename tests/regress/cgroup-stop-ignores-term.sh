#!/bin/bash
# SPDX-License-Identifier: ISC
# Stopping a task whose processes ignore SIGTERM, some of them in another
# session: after kill_grace everything in its cgroup is killed
# (cgroup.kill) and the task ends "stopped" with nothing left.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-cgroup.sh"

cp /bin/sleep "$T/sleepy"
start_daemon "daemon:
  cgroup: $CG
jobs:
  stubborn:
    kill_grace: 1s
    command: |
      trap '' TERM
      setsid sh -c \"trap '' TERM; $T/sleepy 3001\" >/dev/null 2>&1 &
      $T/sleepy 3002"
must_succeed ctl run stubborn
t=$OUT
wait_for eval "[ -n \"\$(marked_pids '$T/sleepy 3001')\" ] && [ -n \"\$(marked_pids '$T/sleepy 3002')\" ]"
must_succeed ctl stop "$t"
wait_task "$t"
must_equal stopped "$(task_get "$t" .state)" "the stopped task"
must_equal "" "$(marked_pids "$T/sleepy 300")" "processes of the task after it ended"
[ ! -e "$CG/tasks/$t" ] || fail "the stopped task's cgroup is still there"
exit 0
