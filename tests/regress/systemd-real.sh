#!/bin/bash
# SPDX-License-Identifier: ISC
# schedd under a real systemd (tests/systemd/boot.sh boots one as PID 1 of
# private namespaces), with the installed units and snippets: the sysusers
# and tmpfiles snippets apply; schedd.socket starts schedd.service on the
# first connection; it answers, is active, logs to the journal with a
# priority on each line and shows its counts as the unit's status text; a
# failed task is at warning ("journalctl -u schedd -p warning") and its
# entries carry SCHEDD_JOB, SCHEDD_TASK_ID, SCHEDD_STATE and
# SCHEDD_EXIT_CODE ("journalctl SCHEDD_JOB=NAME", with libsystemd), as
# does a task found lost; "systemctl reload" picks up a new
# configuration and fails on a bad one; with Delegate=yes the daemon runs
# in .../schedd.service/supervisor and each task in .../tasks/ID
# (schedd.8 CONTAINMENT); after a SIGKILL systemd kills the task and
# starts schedd again, which records it lost; "systemctl stop" ends schedd
# with status 0, after it stopped its tasks itself, and leaves nothing in
# the unit's cgroup.
#
# Needs root, overlayfs and a writable cgroup2 mount; skips only when
# systemd is not installed: on a machine that has it, not booting fails.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root to boot systemd in namespaces"
[ -x /lib/systemd/systemd ] || skip "systemd is not installed"
for _p in unshare nsenter systemctl journalctl; do
	command -v "$_p" >/dev/null 2>&1 || skip "$_p is not installed"
done
BOOT=$SRCDIR/tests/systemd/boot.sh
BUILDDIR=$(cd "$(dirname "$SCHEDD")" && pwd)
[ -f "$BUILDDIR/Makefile" ] || skip "no Makefile in $BUILDDIR"
SD=regress-$$

# inside COMMAND...: run COMMAND in the booted instance.
inside()
{
	bash "$BOOT" exec "$SD" -- "$@"
}

# On the way out, the instance's journal becomes the "daemon log" that
# lib.sh shows when the test failed; then everything goes.
on_exit()
{
	inside journalctl -b --no-pager -o short-monotonic >"$LOG" 2>&1
	bash "$BOOT" down "$SD"
}

# The files "make install" puts in place, as data only (other tests run
# the built programs: nothing is rebuilt), with the built programs where
# the unit runs them.
(cd "$BUILDDIR" && unset MAKEFLAGS MFLAGS MAKELEVEL &&
    "${MAKE:-make}" install-data DESTDIR="$T/inst") >"$T/install.log" 2>&1 ||
    { cat "$T/install.log" >&2; fail "make install-data DESTDIR=$T/inst failed"; }
unit=$(find "$T/inst" -name schedd.service -path '*/systemd/system/*')
[ -n "$unit" ] || fail "make install did not install schedd.service"
sysusers=$(find "$T/inst" -path '*/sysusers.d/schedd.conf')
tmpfiles=$(find "$T/inst" -path '*/tmpfiles.d/schedd.conf')
[ -n "$sysusers" ] && [ -n "$tmpfiles" ] ||
    fail "the sysusers and tmpfiles snippets were not installed"
exe=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit")
CTL=$(sed -n 's/^ExecReload=\([^ ]*\).*/\1/p' "$unit")
must_match '^/.*/schedd$' "$exe" "ExecStart of schedd.service"
must_match '^/.*/schedctl$' "$CTL" "ExecReload of schedd.service"
mkdir -p "$T/inst$(dirname "$exe")" "$T/inst$(dirname "$CTL")"
cp "$SCHEDD" "$T/inst$exe"
cp "$SCHEDCTL" "$T/inst$CTL"

# Booting is part of the test: on a machine with systemd it must work.
# The units also go to /etc/systemd/system, in case the configured unit
# folder is not one that systemd reads.  The instance dies by itself just
# before the watchdog fires, so that a command hanging inside cannot keep
# the cleanup from running.
bash "$BOOT" up "$SD" -l $((REGRESS_WATCHDOG - 5)) -t "$T/inst" \
    -u "$unit" -u "$(dirname "$unit")/schedd.socket" ||
    fail "systemd did not boot (tests/systemd/boot.sh up)"

# What a package's post-installation step does.
must_succeed inside systemd-sysusers "${sysusers#"$T/inst"}"
must_succeed inside getent group schedd
must_succeed inside systemd-tmpfiles --create "${tmpfiles#"$T/inst"}"
must_succeed inside stat -c %a /var/lib/schedd
must_equal 711 "$OUT" "mode of /var/lib/schedd"

# put_config: stdin becomes /etc/schedd/schedd.yaml.
put_config()
{
	inside sh -c 'cat >/etc/schedd/schedd.yaml' ||
	    fail "cannot write /etc/schedd/schedd.yaml"
}
put_config <<'EOF'
daemon:
  shutdown_timeout: 1s
jobs:
  hello:
    command: ["echo", "hello from schedd under systemd"]
  long:
    command: ["sleep", "600"]
EOF

# Socket activation: the first connection starts the service.
must_succeed inside systemctl start schedd.socket
must_exit 3 inside systemctl is-active schedd.service
must_equal inactive "$OUT" "schedd.service before the first connection"
must_succeed inside "$CTL" --json status
status=$OUT
must_succeed inside systemctl is-active schedd.service
must_succeed inside systemctl show -p MainPID --value schedd.service
mainpid=$OUT
must_equal "$mainpid" "$(json_get "$status" .result.pid)" \
    "pid in status (the unit's MainPID)"
must_equal /run/schedd/schedd.sock "$(json_get "$status" .result.socket)" \
    "socket in status"
must_succeed inside stat -c '%a %G' /run/schedd/schedd.sock
must_equal "660 schedd" "$OUT" "mode and group of the socket"

# The journal has schedd's lines (journald writes them a moment later).
wait_for inside sh -c 'journalctl -u schedd.service -o cat |
    grep -q "serving the socket systemd passed"'

# READY=1 made the start finish; STATUS= is the unit's status text.
must_succeed inside systemctl show -p StatusText --value schedd.service
must_equal "running 0, queued 0, jobs 2" "$OUT" "StatusText"

must_succeed inside "$CTL" run hello
id=$OUT
must_succeed inside "$CTL" wait "$id"
must_succeed inside "$CTL" logs "$id"
must_equal "hello from schedd under systemd" "$OUT" "output of the task"

# Containment: the daemon in .../supervisor, a task in .../tasks/ID.
CGU=/system.slice/schedd.service
must_succeed inside "$CTL" run long
long=$OUT
must_succeed inside "$CTL" --json status "$long"
lpid=$(json_get "$OUT" .result.task.pid)
must_match '^[1-9][0-9]*$' "$lpid" "pid of the running task"
wait_for inside sh -c "systemctl show -p StatusText --value schedd.service |
    grep -qx 'running 1, queued 0, jobs 2'"
must_succeed inside sed -n 's/^0:://p' "/proc/$mainpid/cgroup"
must_equal "$CGU/supervisor" "$OUT" "cgroup of the daemon"
must_succeed inside sed -n 's/^0:://p' "/proc/$lpid/cgroup"
must_equal "$CGU/tasks/$long" "$OUT" "cgroup of task $long"

# Reload: a new job appears; a bad file is refused and reload fails.
put_config <<'EOF'
daemon:
  shutdown_timeout: 1s
jobs:
  hello:
    command: ["echo", "hello from schedd under systemd"]
  long:
    command: ["sleep", "600"]
  added:
    command: ["true"]
EOF
must_succeed inside systemctl reload schedd.service
must_succeed inside "$CTL" --json jobs
must_equal "added hello long" \
    "$(json_get "$OUT" '[.result.jobs[].name] | sort | join(" ")')" \
    "jobs after the reload"
wait_for inside sh -c "systemctl show -p StatusText --value schedd.service |
    grep -qx 'running 1, queued 0, jobs 3'"
printf 'jobs: [\n' | put_config
must_fail inside systemctl reload schedd.service
must_succeed inside systemctl is-active schedd.service
must_succeed inside "$CTL" --json status
must_equal "$mainpid" "$(json_get "$OUT" .result.pid)" \
    "pid of the daemon after the refused reload"
wait_for inside sh -c 'journalctl -u schedd.service -o cat |
    grep -q "/etc/schedd/schedd.yaml"'
put_config <<'EOF'
daemon:
  shutdown_timeout: 1s
jobs:
  long:
    command: ["sleep", "600"]
EOF

# The journal (schedd.8 LOGGING): stderr lines carry their priority, so
# the start is at notice, not at journald's default (info) with "<5>" in
# its text; a failed task is at warning, with its exit code.
# A task's start is at debug: asked for, its entry is there too.
must_succeed inside "$CTL" set log_level debug
must_succeed inside "$CTL" add failing -- sh -c 'echo failing now; exit 5'
fid=$OUT
must_exit 5 inside "$CTL" wait "$fid"
wait_for inside sh -c "journalctl -u schedd -p warning -o cat |
    grep -q 'task $fid (failing) failed after .*: exit code 5\$'"
must_succeed inside sh -c 'journalctl -u schedd -o json 2>/dev/null'
must_equal 5 "$(printf '%s\n' "$OUT" | jq -r 'select(.MESSAGE |
    test("^schedd .* started: pid")) | .PRIORITY' | sort -u)" \
    "priority of the line of schedd's start"
must_equal "" "$(printf '%s\n' "$OUT" | jq -r 'select(.MESSAGE |
    test("^<")) | .MESSAGE')" "journal lines with their prefix in the text"
# With libsystemd, the task's entries carry its fields; "journalctl
# SCHEDD_JOB=failing" finds them, and the unit's journal has them too.
if ldd "$SCHEDD" | grep -q libsystemd; then
	wait_for inside sh -c "journalctl SCHEDD_JOB=failing \
	    SCHEDD_STATE=failed -o cat | grep -q 'task $fid (failing)'"
	must_succeed inside sh -c 'journalctl SCHEDD_JOB=failing -o json \
	    2>/dev/null'
	must_equal "$fid failed 5 4 schedd.service" "$(printf '%s\n' "$OUT" |
	    jq -r 'select(.SCHEDD_STATE == "failed") | [.SCHEDD_TASK_ID,
	    .SCHEDD_STATE, .SCHEDD_EXIT_CODE, .PRIORITY, ._SYSTEMD_UNIT] |
	    join(" ")')" "fields of the journal entry of the failed task"
	must_equal "$fid running 7" "$(printf '%s\n' "$OUT" | jq -r \
	    'select(.SCHEDD_STATE == "running") | [.SCHEDD_TASK_ID,
	    .SCHEDD_STATE, .PRIORITY] | join(" ")')" \
	    "fields of the journal entry of the task's start"
	must_succeed inside sh -c "journalctl -u schedd -p warning -o json \
	    2>/dev/null"
	must_equal failing "$(printf '%s\n' "$OUT" | jq -r \
	    "select(.SCHEDD_TASK_ID == \"$fid\") | .SCHEDD_JOB")" \
	    "job of task $fid in journalctl -u schedd -p warning"
fi

# A crash: systemd kills what is left in the unit's cgroup and starts
# schedd again (Restart=on-failure), which records the task as lost.
must_succeed inside kill -KILL "$mainpid"
wait_for inside sh -c "systemctl show -p NRestarts --value schedd.service |
    grep -qx 1"
wait_for inside systemctl is-active schedd.service
must_succeed inside "$CTL" --json status "$long"
must_equal lost "$(json_get "$OUT" .result.task.state)" \
    "state of task $long after schedd was killed"
must_fail inside kill -0 "$lpid"
if ldd "$SCHEDD" | grep -q libsystemd; then
	wait_for inside sh -c "journalctl -p warning SCHEDD_STATE=lost \
	    SCHEDD_TASK_ID=$long -o cat | grep -q 'task $long (long) lost'"
fi
must_succeed inside systemctl show -p MainPID --value schedd.service
mainpid=$OUT
must_succeed inside sed -n 's/^0:://p' "/proc/$mainpid/cgroup"
must_equal "$CGU/supervisor" "$OUT" "cgroup of the restarted daemon"
must_succeed inside find "/sys/fs/cgroup$CGU" -path '*/tasks/*' -type d
must_equal "" "$OUT" "task cgroups after the restart"

# Stop: schedd stops its task (after shutdown_timeout) and exits 0 well
# before TimeoutStopSec; then nothing is left in the unit's cgroup.
must_succeed inside "$CTL" run long
long=$OUT
must_succeed inside "$CTL" --json status "$long"
lpid=$(json_get "$OUT" .result.task.pid)
must_succeed inside sed -n 's/^0:://p' "/proc/$lpid/cgroup"
must_equal "$CGU/tasks/$long" "$OUT" "cgroup of task $long"
must_succeed inside systemctl stop schedd.service
must_exit 3 inside systemctl is-active schedd.service
must_succeed inside systemctl show -p Result -p ExecMainStatus \
    schedd.service
must_equal "Result=success ExecMainStatus=0" "$(echo $OUT)" \
    "how schedd.service ended"
must_succeed inside sh -c "! [ -d /sys/fs/cgroup$CGU ] ||
    find /sys/fs/cgroup$CGU -name cgroup.procs -exec cat {} +"
must_equal "" "$OUT" "processes left in $CGU"
wait_for inside sh -c "! [ -d /sys/fs/cgroup$CGU ]"
must_fail inside kill -0 "$lpid"

# The socket is still there: the next connection starts schedd again, and
# the record shows that schedd stopped the task (a task it left behind
# would be "lost").
must_succeed inside "$CTL" --json status "$long"
must_equal stopped "$(json_get "$OUT" .result.task.state)" \
    "state of task $long after systemctl stop"
exit 0
