#!/bin/bash
# SPDX-License-Identifier: ISC
# Socket activation: started by systemd-socket-activate, schedd serves the
# socket it was passed, which wins over -s and the configuration's socket:,
# and does not remove that socket file when it exits.  LISTEN_FDS meant for
# another process is ignored.
. "$(dirname "$0")/lib.sh"

command -v systemd-socket-activate >/dev/null 2>&1 ||
    skip "systemd-socket-activate is not installed"

conf="daemon:
  socket: $T/conf.sock
jobs:
  hello:
    command: [\"echo\", \"hello from an activated schedd\"]
"
printf '%s\n' "$conf" >"$CONF"
chmod 644 "$CONF"
# systemd-socket-activate binds $SOCK, waits for a first connection, then
# execs schedd (same pid) with the socket as descriptor 3.
systemd-socket-activate -l "$SOCK" \
    "$SCHEDD" -c "$CONF" -s "$T/other.sock" -d "$STATE" -v 2>>"$LOG" &
DPID=$!
# answers: a status request gets its answer (the socket file exists once
# bound, a moment before it listens: a first connection may be refused).
answers()
{
	cj status >/dev/null 2>&1
}
wait_for answers
must_succeed cj status
must_equal "$DPID" "$(json_get "$OUT" .result.pid)" "pid of the daemon that answered"
must_equal "$SOCK" "$(json_get "$OUT" .result.socket)" "socket in status"
grep -q 'socket activation: serving the socket systemd passed' "$LOG" ||
    fail "no socket activation line in the log"

# It serves the passed socket for more than one connection.
must_succeed ctl run hello
id=$OUT
wait_task "$id"
must_equal succeeded "$(task_get "$id" .state)" "state of the task"
must_succeed ctl logs "$id"
must_equal "hello from an activated schedd" "$OUT" "output of the task"

[ -e "$T/other.sock" ] && fail "schedd created the -s socket $T/other.sock"
[ -e "$T/conf.sock" ] && fail "schedd created the configured socket $T/conf.sock"

# At exit the socket file stays: it is systemd's, not schedd's.
stop_daemon
[ -z "$DAEMON_BAD" ] || fail "the daemon $DAEMON_BAD"
[ -S "$SOCK" ] || fail "schedd removed the passed socket $SOCK"
[ -e "$T/other.sock" ] && fail "$T/other.sock exists after exit"

# Descriptors announced for another process (LISTEN_PID is not schedd's)
# are not schedd's: it creates its own socket as usual.
rm -f "$SOCK"
: >"$LOG"
LISTEN_PID=1 LISTEN_FDS=1 start_daemon "jobs: {}"
grep -q 'serving the socket systemd passed' "$LOG" &&
    fail "schedd took LISTEN_FDS meant for pid 1"
must_succeed cj status
must_equal "$SOCK" "$(json_get "$OUT" .result.socket)" "socket in status"
stop_daemon
[ -e "$SOCK" ] && fail "schedd left its own socket $SOCK behind"
exit 0
