#!/bin/bash
# SPDX-License-Identifier: ISC
# A job removed (by reload, or "remove" of a runtime job) while one of its
# tasks runs leaves that task running; a forced shutdown must still
# stop it and exit at once (force stops running tasks at once).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-restart.sh"

conf="daemon:
  kill_grace: 1s
jobs:
  gone:
    command: \"echo \$\$ >$T/pid.\$SCHEDD_TASK_ID; exec sleep 60\"
"
# A daemon that fails here leaves its sleeps behind: kill them.
on_exit()
{
	local f

	for f in "$T"/pid.* "$T/rpid"; do
		[ -s "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null
	done
	return 0
}
# forced_exit WHAT: schedctl shutdown --force; the daemon exits 0 within
# 10 s and the task process PID is gone.
forced_exit()
{
	local i rc

	must_succeed ctl shutdown --force
	for i in $(seq 1 200); do
		kill -0 "$DPID" 2>/dev/null || break
		sleep 0.05
	done
	kill -0 "$DPID" 2>/dev/null &&
	    fail "schedd still runs 10 s after shutdown --force ($1)"
	wait "$DPID"
	rc=$?
	DPID=
	must_equal 0 "$rc" "exit status after shutdown --force ($1)"
	wait_for proc_gone "$2"
}

# Removed by a reload.
start_daemon "$conf"
must_succeed ctl run gone
t=$OUT
wait_for test -s "$T/pid.$t"
printf 'daemon:\n  kill_grace: 1s\njobs: {}\n' >"$CONF"
must_succeed ctl reload
must_equal running "$(task_get "$t" .state)" "task of the job removed by the reload"
forced_exit "task of a job removed by reload running" "$(cat "$T/pid.$t")"

# A runtime job removed without --stop.
restart_daemon
must_succeed ctl add rtj --shell -- "echo \$\$ >$T/rpid; exec sleep 60"
wait_for test -s "$T/rpid"
must_succeed ctl remove rtj
forced_exit "task of a removed runtime job running" "$(cat "$T/rpid")"
exit 0
