# SPDX-License-Identifier: ISC
# Shared helpers for the regress scripts: every script sources this file
# first, then drives its own schedd in a private temporary folder.
#
# Environment (set by "make check"): SCHEDD and SCHEDCTL, absolute paths of
# the built programs; SRCDIR, the top source folder.  Run one script by hand
# with:
#	SCHEDD=$PWD/schedd SCHEDCTL=$PWD/schedctl SRCDIR=$PWD \
#	    bash tests/regress/fifo.sh
#
# Exit status, as automake's test harness reads it: 0 pass, 1 fail, 77 skip.

# Watchdog: run the whole script under timeout(1), so a hung daemon or test
# fails the script instead of hanging "make check".  This must stay plain
# POSIX sh until the exec, since the script may have been started by sh.
if [ -z "${REGRESS_WATCHDOG:-}" ]; then
	REGRESS_WATCHDOG=${REGRESS_TIMEOUT:-120}
	export REGRESS_WATCHDOG
	exec timeout -k 10 "$REGRESS_WATCHDOG" bash "$0" "$@"
fi

set -u

: "${SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${SCHEDD:=$SRCDIR/schedd}"
: "${SCHEDCTL:=$SRCDIR/schedctl}"
export SRCDIR SCHEDD SCHEDCTL

TEST_NAME=$(basename "$0" .sh)
DPID=
DAEMON_BAD=
BG_PIDS=
TEST_USERS=
EXPECTED=
GOT=
# Never let a test reach a default socket through the environment.
unset SCHEDD_SOCKET XDG_RUNTIME_DIR

skip()
{
	echo "SKIP: $TEST_NAME: $*"
	exit 77
}

for _p in "$SCHEDD" "$SCHEDCTL"; do
	[ -x "$_p" ] || skip "$_p is not built"
done
command -v jq >/dev/null 2>&1 || skip "jq is not installed"
# A python3 that other users can run too (not one under /root).
if [ -x /usr/bin/python3 ]; then
	PYTHON=/usr/bin/python3
else
	PYTHON=$(command -v python3) || skip "python3 is not installed"
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/schedd-regress.XXXXXXXX") || exit 1
SOCK=$T/sock
STATE=$T/state
CONF=$T/schedd.yaml
LOG=$T/schedd.log

# Stop the daemon: SIGTERM (graceful), a second SIGTERM after 2 s (forces
# running tasks to stop), SIGKILL after 5 s more; then reap it.
stop_daemon()
{
	local i

	[ -n "$DPID" ] || return 0
	if kill -TERM "$DPID" 2>/dev/null; then
		for i in $(seq 1 140); do
			kill -0 "$DPID" 2>/dev/null || break
			[ "$i" -ne 40 ] || kill -TERM "$DPID" 2>/dev/null
			sleep 0.05
		done
		if kill -0 "$DPID" 2>/dev/null; then
			echo "daemon did not exit on SIGTERM; sending SIGKILL" >&2
			kill -KILL "$DPID" 2>/dev/null
			DAEMON_BAD="did not exit on SIGTERM"
		fi
	fi
	wait "$DPID" 2>/dev/null
	i=$?
	[ "$i" -eq 0 ] || [ -n "$DAEMON_BAD" ] ||
	    DAEMON_BAD="exited with status $i after SIGTERM"
	DPID=
}

_cleanup()
{
	local rc=$? u

	trap - EXIT TERM INT HUP
	for u in $BG_PIDS; do
		kill "$u" 2>/dev/null
	done
	stop_daemon
	# A clean test must leave a clean daemon: exit 0, no sanitizer report.
	if [ "$rc" -eq 0 ] && [ -f "$LOG" ] && grep -q -E \
	    'ERROR: (Address|Leak)Sanitizer|runtime error:' "$LOG"; then
		echo "FAIL: $TEST_NAME: sanitizer report in the daemon log" >&2
		rc=1
	fi
	if [ "$rc" -eq 0 ] && [ -n "$DAEMON_BAD" ]; then
		echo "FAIL: $TEST_NAME: the daemon $DAEMON_BAD" >&2
		rc=1
	fi
	# A script may define on_exit, e.g. to kill what a broken daemon left.
	if [ "$(type -t on_exit)" = function ]; then
		on_exit
	fi
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
		echo "--- $TEST_NAME failed (exit $rc)" >&2
		if [ -n "$EXPECTED$GOT" ]; then
			echo "--- expected: $EXPECTED" >&2
			echo "--- got:      $GOT" >&2
		fi
		if [ -f "$LOG" ]; then
			echo "--- daemon log ($LOG):" >&2
			tail -n 200 "$LOG" >&2
		fi
	fi
	for u in $TEST_USERS; do
		_retry userdel "$u" >/dev/null 2>&1
	done
	# Task processes of a user the test made may linger a moment.
	cd /
	rm -rf "$T"
	exit "$rc"
}
trap _cleanup EXIT
trap 'echo "FAIL: $TEST_NAME: killed by the watchdog or a signal" >&2; exit 1' \
    TERM INT HUP

fail()
{
	echo "FAIL: $TEST_NAME: $*" >&2
	exit 1
}

# must_equal EXPECTED ACTUAL [WHAT]
must_equal()
{
	if [ "$1" != "$2" ]; then
		EXPECTED=$1
		GOT=$2
		fail "${3:-value}: expected \"$1\", got \"$2\""
	fi
}

# must_match REGEX ACTUAL [WHAT]: extended regular expression match.
must_match()
{
	if ! printf '%s\n' "$2" | grep -Eq -- "$1"; then
		EXPECTED="match of /$1/"
		GOT=$2
		fail "${3:-value}: expected a match of /$1/, got \"$2\""
	fi
}

# must_fail CMD...: CMD must exit non-zero (its output is kept in $OUT).
must_fail()
{
	if OUT=$("$@" 2>&1); then
		EXPECTED="failure of: $*"
		GOT="success: $OUT"
		fail "command succeeded but should have failed: $*"
	fi
	return 0
}

# must_succeed CMD...: CMD must exit 0 (its output is kept in $OUT).
must_succeed()
{
	local rc

	OUT=$("$@" 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ]; then
		EXPECTED="exit 0 from: $*"
		GOT="exit $rc: $OUT"
		fail "command failed (exit $rc): $*"
	fi
}

# must_exit CODE CMD...: CMD must exit with CODE (its output is kept in $OUT).
must_exit()
{
	local want=$1 rc

	shift
	OUT=$("$@" 2>&1)
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		EXPECTED="exit $want from: $*"
		GOT="exit $rc: $OUT"
		fail "exit status of \"$*\": expected $want, got $rc"
	fi
}

# wait_for CMD...: retry CMD until it succeeds, for about 10 seconds.  Only
# for state that no event announces (a file appearing, a process gone).
wait_for()
{
	local i

	for i in $(seq 1 200); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	fail "timed out waiting for: $*"
}

# _retry CMD...: run CMD up to 50 times until it succeeds (useradd/userdel
# may find /etc/passwd locked by a test running in parallel).
_retry()
{
	local i

	for i in $(seq 1 50); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# json_get JSON FILTER: print what the jq FILTER selects (raw strings).
json_get()
{
	printf '%s\n' "$1" | jq -r "$2"
}

# start_daemon [CONFIG_YAML_TEXT]: write the configuration and start schedd
# on the private socket and state folder, then wait until it answers.
start_daemon()
{
	local i

	local conf=${1:-}

	[ -n "$conf" ] || conf="jobs: {}"
	printf '%s\n' "$conf" >"$CONF"
	chmod 644 "$CONF"
	"$SCHEDD" -c "$CONF" -s "$SOCK" -d "$STATE" -v 2>>"$LOG" &
	DPID=$!
	for i in $(seq 1 200); do
		if ! kill -0 "$DPID" 2>/dev/null; then
			wait "$DPID"
			fail "schedd exited (status $?) before it answered"
		fi
		if [ -S "$SOCK" ] && RAW_TIMEOUT=5 raw '{"cmd":"hello"}' 2>/dev/null |
		    grep -q '"ok": *true'; then
			return 0
		fi
		sleep 0.05
	done
	fail "schedd did not answer on $SOCK"
}

# ctl ARGS...: schedctl on the private socket.
ctl()
{
	"$SCHEDCTL" -s "$SOCK" "$@"
}

# cj ARGS...: schedctl --json; prints the answer object.
cj()
{
	"$SCHEDCTL" -s "$SOCK" --json "$@"
}

# raw JSONLINE...: send each argument as one request line on one connection
# and print one answer line per request (event lines are printed too but do
# not count as answers).  Stops early when the daemon closes the connection.
# RAW_SOCK overrides the socket; RAW_TIMEOUT the wait (seconds).
raw()
{
	"$PYTHON" "$T/raw.py" "${RAW_SOCK:-$SOCK}" "${RAW_TIMEOUT:-20}" "$@"
}

# The client behind raw, in a file so that it also runs as another user.
cat >"$T/raw.py" <<'EOF_RAW'
import json, os, socket, sys
path, tmo, reqs = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)     # blocking: waits while the listen backlog is full
s.settimeout(tmo)
s.sendall(b"".join(os.fsencode(r) + b"\n" for r in reqs))
buf, answers = b"", 0
out = sys.stdout.buffer
try:
    while answers < len(reqs):
        data = s.recv(65536)
        if not data:
            break
        buf += data
        while b"\n" in buf and answers < len(reqs):
            line, buf = buf.split(b"\n", 1)
            out.write(line + b"\n")
            try:
                if "event" not in json.loads(line):
                    answers += 1
            except ValueError:
                answers += 1
except socket.timeout:
    out.flush()
    sys.stderr.write("raw: timed out waiting for answers\n")
    sys.exit(1)
out.flush()
EOF_RAW

# raw_code JSONLINE: the error code of the answer to one request ("ok" if it
# succeeded).
raw_code()
{
	raw "$1" | jq -r 'if .ok then "ok" else .error.code end'
}

# uraw_code JSONLINE: raw_code, sent as the user add_user made.
uraw_code()
{
	as_user "$TUSER" "$PYTHON" "$T/raw.py" "$SOCK" 20 "$1" |
	    jq -r 'if .ok then "ok" else .error.code end'
}

# run_task VAR ARGS...: "schedctl run ARGS..." must succeed; the id of
# the task it queued goes in VAR.
run_task()
{
	local var=$1

	shift
	must_succeed ctl run "$@"
	printf -v "$var" '%s' "$OUT"
}

# bg CMD...: run CMD in the background; it is killed on exit.  Sets $BGPID.
bg()
{
	"$@" &
	BGPID=$!
	BG_PIDS="$BG_PIDS $BGPID"
}

# watch_to FILE [EVENT...]: "schedctl --json watch" into FILE in the
# background, and return once the subscription is answered.
watch_to()
{
	local f=$1

	shift
	bg "$SCHEDCTL" -s "$SOCK" --json watch "$@" >"$f"
	wait_for grep -q '"ok": *true' "$f"
}

# nevents EVENT JOB N: are there at least N events EVENT of JOB in $T/ev
# (written by watch_to "$T/ev")?  For wait_for.
nevents()
{
	[ "$(jq -c "select(.event == \"$1\" and .job == \"$2\")" \
	    "$T/ev" | wc -l)" -ge "$3" ]
}

# task_get ID FILTER: a field of a task record (jq FILTER on the record).
task_get()
{
	raw "{\"cmd\":\"task\",\"task\":$1}" | jq -r ".result.task | $2"
}

# wait_state_ok: wait until status says the state is written again (the
# daemon retries a full snapshot every 5 s), up to 15 s.
wait_state_ok()
{
	local i

	for i in $(seq 1 150); do
		[ "$(cj status | jq -r .result.state_ok)" = true ] && return 0
		sleep 0.1
	done
	fail "status.state_ok still false 15 s after the state could be written again"
}

# wait_task ID...: wait until the tasks have ended (schedctl wait); its exit
# status is ignored since tests look at the records.
wait_task()
{
	"$SCHEDCTL" -s "$SOCK" wait "$@" >/dev/null 2>&1
	[ $? -ne 3 ] || fail "schedctl wait $*: daemon not reachable"
}

# gate_cmd NAME: shell text that waits (bounded, about 20 s) until the file
# $T/NAME exists; tasks use it to stay running until the test lets them go.
gate_cmd()
{
	echo "i=0; while [ ! -e $T/$1 ] && [ \$i -lt 400 ]; do sleep 0.05; i=\$((i+1)); done"
}

# add_user: create a throw-away system user (removed on exit) named $TUSER,
# with uid $TUID.  Skips the test when not root.
add_user()
{
	local u="schedd-test-$$"

	[ "$(id -u)" -eq 0 ] || skip "needs root to create a user"
	command -v useradd >/dev/null 2>&1 || skip "useradd is missing"
	_retry useradd -M -r -s /usr/sbin/nologin "$u" >/dev/null 2>&1 ||
	    fail "useradd $u failed"
	TEST_USERS="$TEST_USERS $u"
	TUSER=$u
	TUID=$(id -u "$u")
}

# uctl ARGS...: schedctl on the private socket as the user add_user made.
uctl()
{
	as_user "$TUSER" "$SCHEDCTL" -s "$SOCK" "$@"
}

# as_user USER CMD...: run CMD as USER (no supplementary groups).
as_user()
{
	local u=$1

	shift
	setpriv --reuid="$(id -u "$u")" --regid="$(id -g "$u")" \
	    --clear-groups -- "$@"
}
