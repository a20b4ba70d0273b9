# SPDX-License-Identifier: ISC
# Helpers for the scripts that restart schedd on the same state folder and
# socket (state-*.sh, reload-*.sh).  Source it after lib.sh:
#	. "$(dirname "$0")/lib.sh"
#	. "$(dirname "$0")/lib-restart.sh"

# kill9_daemon: SIGKILL the daemon (a crash at whatever it was doing), reap
# it and forget it; its socket file and state stay as the crash left them.
kill9_daemon()
{
	[ -n "$DPID" ] || return 0
	kill -KILL "$DPID" 2>/dev/null
	wait "$DPID" 2>/dev/null
	DPID=
}

# shutdown_daemon: a graceful stop through "schedctl shutdown"; the daemon
# must exit 0.
shutdown_daemon()
{
	local rc

	[ -n "$DPID" ] || return 0
	must_succeed ctl shutdown
	wait "$DPID"
	rc=$?
	DPID=
	must_equal 0 "$rc" "exit status of schedd after schedctl shutdown"
}

# restart_daemon [CONFIG_YAML_TEXT]: start a new daemon on the same $STATE
# and $SOCK once the previous one is gone (kill9_daemon, stop_daemon or
# shutdown_daemon); without text it keeps the current configuration file.
restart_daemon()
{
	[ -z "$DPID" ] || fail "restart_daemon: schedd $DPID is still running"
	if [ $# -gt 0 ]; then
		start_daemon "$1"
	else
		start_daemon "$(cat "$CONF")"
	fi
}

# proc_gone PID: the process no longer runs (gone, or a zombie nobody has
# reaped yet).
proc_gone()
{
	local st

	[ -e "/proc/$1" ] || return 0
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -z "$st" ] || [ "$st" = Z ] || [ "$st" = X ]
}

# tagged_pids TASK_ID: pids of live processes whose environment carries
# SCHEDD_TASK_ID=TASK_ID and REGRESS_DIR=$T (what is left of a task of this
# script's daemon: give its jobs "env: {REGRESS_DIR: $T}", since task ids
# of daemons of other scripts running in parallel are the same numbers).
tagged_pids()
{
	local p st

	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		st=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | cut -d' ' -f1)
		[ -n "$st" ] && [ "$st" != Z ] || continue
		[ "$(tr '\0' '\n' 2>/dev/null <"/proc/$p/environ" | grep -cx \
		    -e "SCHEDD_TASK_ID=$1" -e "REGRESS_DIR=$T")" -eq 2 ] &&
		    echo "$p"
	done
	return 0
}

# job_names: the names of every job the daemon has, one a line, sorted.
job_names()
{
	raw '{"cmd":"jobs"}' | jq -r '.result.jobs[].name' | sort
}
