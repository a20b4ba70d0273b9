#!/bin/bash
# SPDX-License-Identifier: ISC
# freeze and thaw: a frozen task makes no progress, its record says
# "frozen": true and subscribers see task.frozen, then task.thawed when it
# goes on; freeze JOB freezes every running task of the job; a queued or
# ended task is left alone (an empty list, as stop answers); time frozen
# does not count toward the timeout; a stopped frozen task ends; a user
# may freeze only their own tasks.  Run twice: without cgroups (SIGSTOP
# and SIGCONT), then, where a cgroup v2 hierarchy is writable, with
# "cgroup: PATH" (cgroup.freeze).
. "$(dirname "$0")/lib.sh"

CG=
if [ "$(id -u)" -eq 0 ]; then
	add_user
	chmod 755 "$T"
fi

# What a killed test or a broken daemon left in the test cgroup goes.
on_exit()
{
	local i

	[ -n "$CG" ] && [ -d "$CG" ] || return 0
	echo 1 >"$CG/cgroup.kill" 2>/dev/null
	for i in $(seq 1 50); do
		find "$CG" -depth -type d -exec rmdir {} + 2>/dev/null
		[ -d "$CG" ] || return 0
		sleep 0.1
	done
	echo "freeze-thaw: could not remove $CG" >&2
}

# ticks FILE: how many lines a tick task wrote so far.
ticks()
{
	if [ -f "$1" ]; then
		wc -l <"$1" | tr -d ' '
	else
		echo 0
	fi
}

# grew FILE N: the tick task wrote more than N lines.
grew()
{
	[ "$(ticks "$1")" -gt "$2" ]
}

# ev_has FILE EVENT ID JOB: the watch output holds that event for the task.
ev_has()
{
	jq -e --arg e "$2" --argjson id "$3" --arg j "$4" \
	    'select(.event == $e and .task == $id and .job == $j)' "$1" \
	    >/dev/null 2>&1
}

# proc_state PID: the state letter of a process (T: stopped).
proc_state()
{
	sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1
}

# check_frozen P ID: the task is frozen the way pass P freezes: its
# cgroup's cgroup.freeze is 1, or without cgroups its process has stopped
# (SIGSTOP takes effect when the process next runs, so wait for it).
check_frozen()
{
	local pid

	if [ -n "$CG" ]; then
		must_equal 1 "$(cat "$CG/tasks/$2/cgroup.freeze" 2>&1)" \
		    "cgroup.freeze of task $2 ($1)"
	else
		pid=$(task_get "$2" .pid)
		wait_for eval "[ \"\$(proc_state $pid)\" = T ]"
	fi
}

# ucode ARGS...: the error code of "schedctl --json ARGS" as the test user.
ucode()
{
	as_user "$TUSER" "$SCHEDCTL" -s "$SOCK" --json "$@" 2>/dev/null |
	    jq -r 'if .ok then "ok" else .error.code end'
}

# one_pass P CGROUP: start a daemon with "cgroup: CGROUP" and check it all.
one_pass()
{
	local p=$1 cg=$2 ev t t2 f f2 n ans g1 g2 s u

	SOCK=$T/sock.$p
	STATE=$T/state.$p
	ev=$T/ev.$p
	start_daemon "daemon:
  cgroup: $cg
  socket_mode: \"0666\"
jobs:
  tick:
    concurrency: 2
    command: |
      while :; do echo tick >>$T/ticks.$p.\$SCHEDD_TASK_ID; sleep 0.1; done
  slow:
    timeout: 2s
    command: [\"sleep\", \"1000\"]
  gate:
    command: |
      $(gate_cmd "go.$p")
"
	watch_to "$ev" task.frozen task.thawed

	# freeze ID: the ticks stop, the record and status say frozen.
	must_succeed ctl run tick
	t=$OUT
	f=$T/ticks.$p.$t
	wait_for grew "$f" 1
	ans=$(cj freeze "$t")
	must_equal "[$t]" "$(json_get "$ans" '.result.frozen | tojson')" \
	    "frozen ids of freeze $t ($p)"
	must_equal "running true" "$(task_get "$t" '"\(.state) \(.frozen)"')" \
	    "state and frozen of task $t after freeze ($p)"
	check_frozen "$p" "$t"
	ctl status "$t" | grep -Eq '^frozen: +yes$' ||
	    fail "schedctl status $t shows no \"frozen: yes\" ($p)"
	wait_for ev_has "$ev" task.frozen "$t" tick
	# A tick being written as the freeze came may still land: let it,
	# then the count must stay the same for a second.
	sleep 0.3
	n=$(ticks "$f")
	sleep 1
	must_equal "$n" "$(ticks "$f")" "ticks of frozen task $t ($p)"
	must_equal "[]" "$(cj freeze "$t" | jq -c .result.frozen)" \
	    "second freeze of task $t ($p)"

	# thaw ID: the ticks go on.
	ans=$(cj thaw "$t")
	must_equal "[$t]" "$(json_get "$ans" '.result.thawed | tojson')" \
	    "thawed ids of thaw $t ($p)"
	must_equal "running false" \
	    "$(task_get "$t" '"\(.state) \(.frozen)"')" \
	    "state and frozen of task $t after thaw ($p)"
	ctl status "$t" | grep -q '^frozen:' &&
	    fail "schedctl status $t shows frozen after thaw ($p)"
	wait_for ev_has "$ev" task.thawed "$t" tick
	wait_for grew "$f" "$n"
	must_equal "[]" "$(cj thaw "$t" | jq -c .result.thawed)" \
	    "second thaw of task $t ($p)"

	# freeze JOB and thaw JOB: every running task of the job.
	must_succeed ctl run tick
	t2=$OUT
	f2=$T/ticks.$p.$t2
	wait_for grew "$f2" 1
	must_succeed ctl freeze tick
	must_equal "frozen $t $t2" "$OUT" "schedctl freeze tick ($p)"
	must_equal "true true" "$(task_get "$t" .frozen) $(task_get "$t2" .frozen)" \
	    "frozen of tasks $t $t2 after freeze tick ($p)"
	check_frozen "$p" "$t2"
	must_succeed ctl freeze tick
	must_equal "nothing to freeze" "$OUT" "second schedctl freeze tick ($p)"
	must_succeed ctl thaw tick
	must_equal "thawed $t $t2" "$OUT" "schedctl thaw tick ($p)"
	n=$(ticks "$f2")
	wait_for grew "$f2" "$n"

	# A frozen task that is stopped ends, well before kill_grace (10 s).
	must_succeed ctl freeze "$t2"
	must_succeed ctl stop "$t2"
	ans=$(raw "{\"cmd\":\"wait\",\"task\":$t2,\"timeout\":5}")
	must_equal "false stopped false" \
	    "$(json_get "$ans" '"\(.result.timed_out) \(.result.tasks[0].state) \(.result.tasks[0].frozen)"')" \
	    "wait for stopped frozen task $t2 ($p)"

	# Ended and queued tasks: nothing changes, as with stop.
	must_equal "[]" "$(cj freeze "$t2" | jq -c .result.frozen)" \
	    "freeze of ended task $t2 ($p)"
	must_succeed ctl run gate
	g1=$OUT
	must_succeed ctl run gate
	g2=$OUT
	wait_for eval "[ \"\$(task_get $g1 .state)\" = running ]"
	must_equal queued "$(task_get "$g2" .state)" "state of task $g2 ($p)"
	must_equal "[]" "$(cj freeze "$g2" | jq -c .result.frozen)" \
	    "freeze of queued task $g2 ($p)"
	must_equal "queued false" "$(task_get "$g2" '"\(.state) \(.frozen)"')" \
	    "queued task $g2 after freeze ($p)"
	touch "$T/go.$p"
	wait_task "$g1" "$g2"

	# Time frozen does not count toward the timeout (2 s): frozen for 3 s
	# it is still running; thawed, it times out after its remaining time.
	must_succeed ctl run slow
	s=$OUT
	wait_for eval "[ \"\$(task_get $s .state)\" = running ]"
	must_equal "[$s]" "$(cj freeze "$s" | jq -c .result.frozen)" \
	    "freeze of task $s ($p)"
	sleep 3
	must_equal "running true" "$(task_get "$s" '"\(.state) \(.frozen)"')" \
	    "task $s with timeout 2s after 3 s frozen ($p)"
	must_equal "[$s]" "$(cj thaw "$s" | jq -c .result.thawed)" \
	    "thaw of task $s ($p)"
	wait_task "$s"
	must_equal timeout "$(task_get "$s" .state)" "state of task $s ($p)"
	# Ran about 2 s besides 3 s frozen.
	[ "$(task_get "$s" .duration_ms)" -ge 4500 ] ||
	    fail "task $s timed out after $(task_get "$s" .duration_ms) ms, frozen 3 s of them ($p)"

	# Another user may freeze only their own tasks.
	if [ -n "${TUSER:-}" ]; then
		must_exit 1 uctl freeze "$t"
		must_equal permission_denied "$(ucode freeze "$t")" \
		    "freeze of root's task by $TUSER ($p)"
		must_equal permission_denied "$(ucode freeze tick)" \
		    "freeze of root's job by $TUSER ($p)"
		must_equal permission_denied "$(ucode thaw "$t")" \
		    "thaw of root's task by $TUSER ($p)"
		must_equal false "$(task_get "$t" .frozen)" \
		    "task $t after $TUSER's freeze ($p)"
		must_succeed uctl add "ujob$p" -- sleep 1000
		u=$OUT
		wait_for eval "[ \"\$(task_get $u .state)\" = running ]"
		must_succeed uctl freeze "$u"
		must_equal "frozen $u" "$OUT" "freeze of its own task by $TUSER ($p)"
		check_frozen "$p" "$u"
		must_succeed uctl thaw "ujob$p"
		must_equal "thawed $u" "$OUT" "thaw of its own job by $TUSER ($p)"
		must_succeed ctl freeze "$u"
		must_equal "frozen $u" "$OUT" "freeze of $TUSER's task by root ($p)"
		must_succeed uctl stop "$u"
		wait_task "$u"
	fi

	must_succeed ctl stop tick
	wait_task "$t"
	stop_daemon
}

one_pass nocg off

# Again with cgroups, in a fresh cgroup of the cgroup v2 hierarchy.
[ "$(id -u)" -eq 0 ] || exit 0
mnt=$(awk '{
	for (i = 7; i <= NF; i++)
		if ($i == "-") {
			if ($(i + 1) == "cgroup2")
				print $5
			break
		}
}' /proc/self/mountinfo | head -n 1)
[ -n "$mnt" ] || exit 0
if ! mkdir "$mnt/schedd-test-$$" 2>/dev/null; then
	echo "freeze-thaw: $mnt is not writable; no cgroup pass"
	exit 0
fi
rmdir "$mnt/schedd-test-$$"
CG=$mnt/schedd-test-$$
one_pass cg "$CG"
exit 0
