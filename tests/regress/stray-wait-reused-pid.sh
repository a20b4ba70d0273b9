#!/bin/bash
# SPDX-License-Identifier: ISC
# A stopped task waiting for processes that left its group must never
# signal a reused pid.  Task A is stopped; its leader exits at once but a
# process of it ignores SIGTERM, so A waits for it until kill_grace ends.
# Meanwhile task B is started with the pid A's leader had (forced in a pid
# namespace of the test's own, through ns_last_pid).  When A's grace ends,
# B must not be killed.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root for a pid namespace"
command -v unshare >/dev/null && command -v nsenter >/dev/null ||
    skip "unshare or nsenter is missing"
unshare --pid --fork --mount-proc true 2>/dev/null ||
    skip "cannot make a pid namespace here"

inner=
on_exit()
{
	# schedd is pid 1 of the namespace: its end ends everything in it.
	[ -z "$inner" ] || kill -KILL "$inner" 2>/dev/null
}

# The daemon runs as pid 1 of a new pid namespace.  unshare ignores
# SIGTERM while it waits, so the daemon itself is signalled.
printf '%s\n' "daemon:
  kill_grace: 2s
jobs:
  a:
    command: |
      setsid sh -c 'trap \"\" TERM; exec sleep 1000' </dev/null >/dev/null 2>&1 &
      exec sleep 1000
  b:
    command: sleep 3; echo b-done" >"$CONF"
unshare --pid --fork --mount-proc \
    "$SCHEDD" -c "$CONF" -s "$SOCK" -d "$STATE" -v 2>>"$LOG" &
upid=$!
wait_for eval "RAW_TIMEOUT=2 raw '{\"cmd\":\"hello\"}' | grep -q '\"ok\": *true'"
inner=$(cat /proc/$upid/task/*/children | tr -s ' \n' ' ' | awk '{print $1}')
[ -n "$inner" ] || fail "no schedd under unshare"

must_succeed ctl run a
a=$OUT
wait_for eval "[ \"\$(task_get $a .state)\" = running ]"
apid=$(task_get "$a" .pid)
must_succeed ctl stop --no-wait "$a"
# The leader died of SIGTERM and was reaped; the stray lives on.
wait_for grep -q 'waiting for its last processes' "$LOG"
must_equal running "$(task_get "$a" .state)" "task a while its stray lives"

# The next pid handed out in the namespace is a's old one: b gets it.
nsenter --target "$inner" --pid --mount sh -c \
    "echo $((apid - 1)) >/proc/sys/kernel/ns_last_pid"
must_succeed ctl run b
b=$OUT
wait_for eval "[ \"\$(task_get $b .pid)\" != null ]"
[ "$(task_get "$b" .pid)" = "$apid" ] ||
    skip "b got pid $(task_get "$b" .pid), not $apid: the pid could not be forced"

wait_task "$a"
wait_task "$b"
must_equal stopped "$(task_get "$a" .state)" "task a after kill_grace"
must_equal succeeded "$(task_get "$b" .state)" "task b, which has a's old pid"
must_equal b-done "$(task_get "$b" .output | tr -d '\n')" "output of task b"

kill -TERM "$inner"
wait "$upid"
rc=$?
inner=
must_equal 0 "$rc" "exit status of schedd"
exit 0
