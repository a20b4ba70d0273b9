#!/bin/bash
# SPDX-License-Identifier: ISC
# One daemon per state folder and per socket: a second schedd on
# the same state folder (another socket) exits non-zero with "already
# running", creates no socket and changes no state file, and the first goes
# on working; a second one on the same socket (another state folder) exits
# with "already running" and leaves the first one's socket alone; the stale
# socket file of a daemon killed with SIGKILL is replaced by the next one.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-restart.sh"

conf="jobs:
  j:
    command: [\"true\"]
"
start_daemon "$conf"
must_succeed ctl add rt --every 1h -- true
must_succeed ctl ban nope --reason r
# Snapshot what the first daemon has on disk (it is idle: nothing changes
# while the second one tries).
(cd "$STATE" && find . -type f ! -name lock -exec md5sum {} + | sort) >"$T/sums.before"
sock_ino=$(stat -c %i "$SOCK")

# --- Same state folder, another socket.
must_fail timeout 10 "$SCHEDD" -c "$CONF" -s "$T/sock2" -d "$STATE"
must_match 'already running' "$OUT" "second schedd on the same state folder"
[ -e "$T/sock2" ] && fail "the second schedd created its socket $T/sock2"
(cd "$STATE" && find . -type f ! -name lock -exec md5sum {} + | sort) >"$T/sums.after"
cmp -s "$T/sums.before" "$T/sums.after" ||
    fail "the second schedd changed the state folder: $(diff "$T/sums.before" "$T/sums.after" | tr '\n' ' ')"
kill -0 "$DPID" 2>/dev/null || fail "the first schedd died"
must_succeed ctl add rt2 --every 1h -- true
must_succeed ctl run j
wait_task "$OUT"
must_equal "j rt rt2 nope" \
    "$(job_names | tr '\n' ' ' | sed 's/ $//') $(raw '{"cmd":"bans"}' | jq -r '.result.bans[].name')" \
    "jobs and bans of the first schedd after the second one gave up"

# --- Same socket, another state folder.
must_fail timeout 10 "$SCHEDD" -c "$CONF" -s "$SOCK" -d "$T/state2"
must_match 'already running' "$OUT" "second schedd on the same socket"
must_equal "$sock_ino" "$(stat -c %i "$SOCK")" \
    "inode of the first schedd's socket after a second one tried it"
must_succeed ctl status
must_equal "$DPID" "$(cj status | jq -r .result.pid)" "pid answering on the socket"

# --- A stale socket from a crashed daemon is replaced.
kill9_daemon
test -S "$SOCK" || fail "test setup: the killed daemon's socket file is gone"
must_exit 3 "$SCHEDCTL" -s "$SOCK" status
restart_daemon
test -S "$SOCK" || fail "no socket after the restart"
# The new daemon answers on it (its inode may be the old one's number: a
# file system may hand a freed inode number out again at once).
must_equal "$DPID" "$(cj status | jq -r .result.pid)" "pid answering on the replaced socket"
must_equal "j rt rt2" "$(job_names | tr '\n' ' ' | sed 's/ $//')" \
    "jobs after the restart"
exit 0
