#!/bin/bash
# SPDX-License-Identifier: ISC
# A crash of schedd while a task runs whose descendants left its session
# and cleared their environment: at the restart the task is lost and
# nothing of it survives -- its cgroup is killed and removed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-restart.sh"
. "$(dirname "$0")/lib-cgroup.sh"

cp /bin/sleep "$T/sleepy"
conf="daemon:
  cgroup: $CG
jobs:
  runaway:
    command: |
      setsid env -i $T/sleepy 2001 >/dev/null 2>&1 &
      exec $T/sleepy 2002"
start_daemon "$conf"
must_succeed ctl run runaway
t=$OUT
wait_for eval "[ -n \"\$(marked_pids '$T/sleepy 2001')\" ] && [ -n \"\$(marked_pids '$T/sleepy 2002')\" ]"
kill9_daemon
[ -n "$(marked_pids "$T/sleepy 2001")" ] || fail "the descendant died with the daemon"
restart_daemon "$conf"
must_equal lost "$(task_get "$t" .state)" "the task after the crash"
wait_for eval "[ -z \"\$(marked_pids '$T/sleepy 200')\" ]"
[ ! -e "$CG/tasks/$t" ] || fail "the lost task's cgroup is still there"
exit 0
