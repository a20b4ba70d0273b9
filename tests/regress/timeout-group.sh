#!/bin/bash
# SPDX-License-Identifier: ISC
# A task past its timeout is killed with its whole process group, even when
# its processes ignore SIGTERM (SIGKILL after kill_grace), and descendants
# that left the group (setsid, daemonized) are found and killed too.  The
# task is over only when all of its processes are gone.
. "$(dirname "$0")/lib.sh"

start_daemon "jobs:
  deaf:
    timeout: 1s
    kill_grace: 1s
    command: |
      trap '' TERM
      sleep 1000 & echo \$! >>$T/pids.deaf
      sleep 1000 & echo \$! >>$T/pids.deaf
      echo \$\$ >>$T/pids.deaf
      wait
  escape:
    timeout: 1s
    kill_grace: 1s
    command: |
      (setsid sh -c 'trap \"\" TERM; echo \$\$ >$T/pids.escape; exec sleep 1000' </dev/null >/dev/null 2>&1 &)
      echo \$\$ >>$T/pids.escape.parent
      sleep 1000
  leave:
    timeout: 1s
    kill_grace: 1s
    command: |
      (setsid sh -c 'echo \$\$ >$T/pids.leave; exec sleep 1000' </dev/null >/dev/null 2>&1 &)
      sleep 1000
"

# Whatever the daemon failed to kill must not outlive the test.
on_exit()
{
	local p

	for p in $(cat "$T"/pids.* 2>/dev/null); do
		grep -q sleep "/proc/$p/cmdline" 2>/dev/null &&
		    kill -KILL "$p" 2>/dev/null
	done
}

# alive PID: the process exists and is not a zombie (an unreaped zombie is
# gone as far as the task is concerned).
alive()
{
	local st

	st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
	[ "$st" != Z ] && [ "$st" != X ]
}

must_exit 124 ctl run deaf --wait
deaf=$(cj history deaf | jq -r '.result.tasks[0].id')
must_equal timeout "$(task_get "$deaf" .state)" "state of the deaf task"
must_equal 3 "$(wc -l <"$T/pids.deaf" | tr -d ' ')" "pids recorded by deaf"
for p in $(cat "$T/pids.deaf"); do
	alive "$p" && fail "process $p of the deaf task survived its timeout"
done

# A daemonized grandchild (own session, reparented to the daemon).
must_exit 124 ctl run leave --wait
t=$(cj history leave | jq -r '.result.tasks[0].id')
must_equal timeout "$(task_get "$t" .state)" "state of the leave task"
[ -s "$T/pids.leave" ] || fail "the daemonized grandchild never wrote its pid"
p=$(cat "$T/pids.leave")
alive "$p" && fail "daemonized process $p of the leave task survived its timeout"

# The same, ignoring SIGTERM: needs the SIGKILL after kill_grace.
must_exit 124 ctl run escape --wait
esc=$(cj history escape | jq -r '.result.tasks[0].id')
must_equal timeout "$(task_get "$esc" .state)" "state of the escape task"
[ -s "$T/pids.escape" ] || fail "the daemonized grandchild never wrote its pid"
for p in $(cat "$T/pids.escape" "$T/pids.escape.parent"); do
	alive "$p" && fail "process $p of the escape task survived its timeout ($(cat /proc/$p/cmdline | tr '\0' ' '))"
done

# The daemon still answers.
must_succeed ctl status
exit 0
