#!/bin/bash
# SPDX-License-Identifier: ISC
# Readiness and status notifications (sd_notify): with NOTIFY_SOCKET set,
# schedd sends READY=1 with a STATUS= once it answers, STATUS= updates with
# the running and queued counts, RELOADING=1 with MONOTONIC_USEC= and then
# READY=1 again on SIGHUP, and STOPPING=1 when it shuts down.
. "$(dirname "$0")/lib.sh"

# The service manager's end: a datagram socket; each message becomes one
# line of $T/notify.log, its newlines turned into "|".
cat >"$T/notify.py" <<'EOF_PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "ab", buffering=0) as out:
    while True:
        out.write(s.recv(65536).replace(b"\n", b"|") + b"\n")
EOF_PY
: >"$T/notify.log"
bg "$PYTHON" "$T/notify.py" "$T/notify.sock" "$T/notify.log"
wait_for test -S "$T/notify.sock"

export NOTIFY_SOCKET=$T/notify.sock
start_daemon "jobs:
  gated:
    command: \"$(gate_cmd go)\"
"
# start_daemon returned after an answer: READY=1 was sent before the loop.
wait_for grep -q '^READY=1|' "$T/notify.log"
must_match '^READY=1\|STATUS=running 0, queued 0, jobs 1$' \
    "$(grep '^READY=1|' "$T/notify.log" | head -n 1)" "the READY=1 message"

# A running task shows in STATUS= (at most a second later: rate limited).
must_succeed ctl run gated
id=$OUT
wait_for grep -q '^STATUS=running 1, queued 0, jobs 1$' "$T/notify.log"
touch "$T/go"
wait_task "$id"
wait_for grep -q '^STATUS=running 0, queued 0, jobs 1$' "$T/notify.log"

# SIGHUP: RELOADING=1 with the monotonic time, then READY=1 again.
kill -HUP "$DPID"
wait_for grep -q '^RELOADING=1|' "$T/notify.log"
line=$(grep '^RELOADING=1|' "$T/notify.log" | head -n 1)
must_match '\|MONOTONIC_USEC=[1-9][0-9]*(\||$)' "$line" "the RELOADING=1 message"
wait_for test "$(grep -c '^READY=1|' "$T/notify.log")" -ge 2

# Shutdown: STOPPING=1 (the daemon must also exit 0).
stop_daemon
[ -z "$DAEMON_BAD" ] || fail "the daemon $DAEMON_BAD"
wait_for grep -q '^STOPPING=1' "$T/notify.log"
# Nothing but these kinds of messages was sent.
bad=$(grep -v -E '^(READY=1|RELOADING=1|STOPPING=1|STATUS=)' "$T/notify.log")
must_equal "" "$bad" "unexpected notification"
exit 0
