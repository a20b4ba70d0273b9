#!/bin/bash
# SPDX-License-Identifier: ISC
# No task runs twice after a crash.  A batch of tasks starts in one turn of
# the loop and the first of them kills the daemon (SIGKILL) while the rest
# are being started: at the restart none of them may be queued again --
# each ran at most once, and they are all "lost".
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-restart.sh"

gate=$(gate_cmd go)
start_daemon "daemon:
  max_running: 1
jobs:
  blocker:
    command: |
      $gate
  killer:
    command: echo \$SCHEDD_TASK_ID >>$T/runs; [ -e $T/killed ] ||
      { touch $T/killed; kill -KILL \$PPID; }
  mark:
    command: echo \$SCHEDD_TASK_ID >>$T/runs; sleep 0.2
    concurrency: 20"

must_succeed ctl run blocker
b=$OUT
wait_for eval "[ \"\$(task_get $b .state)\" = running ]"
must_succeed ctl run killer
k=$OUT
ids=
for i in $(seq 1 12); do
	must_succeed ctl run mark
	ids="$ids $OUT"
done
# One more slot than the batch: all start in one turn, the killer first.
ctl set max_running 20 >/dev/null 2>&1
wait "$DPID" 2>/dev/null
DPID=
touch "$T/go"

restart_daemon
for t in $k $ids; do
	st=$(task_get "$t" .state)
	case $st in
	lost|succeeded|failed) ;;
	*) fail "task $t is $st after the crash: it may run a second time" ;;
	esac
done
# Let anything that was queued again run, then count the runs.
must_succeed ctl run blocker
wait_task "$OUT"
dups=$(sort "$T/runs" 2>/dev/null | uniq -d | tr '\n' ' ')
must_equal "" "$dups" "tasks that ran twice"
exit 0
