#!/bin/bash
# SPDX-License-Identifier: ISC
# With cgroups a task's record counts the CPU of its whole tree: here a
# grandchild that left the session burns CPU after the main process has
# ended (the task waits for it: on_leftovers wait), which wait4 of the
# main process would never see.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-cgroup.sh"

start_daemon "daemon:
  cgroup: $CG
jobs:
  burn:
    on_leftovers: wait
    command: |
      setsid sh -c 'i=0; while [ \$i -lt 400000 ]; do i=\$((i+1)); done' >/dev/null 2>&1 &
      exit 0"
must_succeed ctl run burn
t=$OUT
wait_task "$t"
must_equal succeeded "$(task_get "$t" .state)" "the task"
cpu=$(task_get "$t" '.user_cpu_ms + .sys_cpu_ms')
[ "$cpu" -ge 100 ] || fail "the task's CPU is $cpu ms: the grandchild's was not counted"
must_equal null "$(task_get "$t" .memory_peak_bytes | sed 's/^[0-9][0-9]*$/null/')" "memory_peak_bytes (a number where the memory controller is offered, else null)"
exit 0
