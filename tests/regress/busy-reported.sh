#!/bin/bash
# SPDX-License-Identifier: ISC
# A client the daemon refuses (busy: too many clients for this user) gets
# the daemon's answer, exit 1, even when the daemon closed the connection
# before schedctl wrote its request: schedctl used to report "Broken pipe"
# and exit 3 as if the daemon could not be reached.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root to create a user"
add_user
chmod 755 "$T"
start_daemon "daemon:
  socket_mode: \"0666\"
"

# hold N: open N connections, say hello on each, and print how many were
# served once all have answered; then keep them open until the daemon
# closes them (it stops at the end of the test).
cat >"$T/hold.py" <<'PY'
import json, select, socket, sys
path, n = sys.argv[1], int(sys.argv[2])
socks, ok = [], 0
for i in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.settimeout(20)
    s.sendall(b'{"cmd":"hello"}\n')
    buf = b""
    while b"\n" not in buf:
        d = s.recv(4096)
        if not d:
            break
        buf += d
    if buf and json.loads(buf.split(b"\n")[0]).get("ok") is True:
        ok += 1
    socks.append(s)
print(ok, flush=True)
select.select(socks, [], [], 100)
PY

# The user fills its 32 connections.
bg as_user "$TUSER" "$PYTHON" "$T/hold.py" "$SOCK" 32 >"$T/held"
wait_for grep -q . "$T/held"
must_equal 32 "$(cat "$T/held")" "connections served to $TUSER"

# A request too large to be written before the daemon refuses the
# connection and closes it (600 kB, more than a socket buffer holds): the
# write fails, the answer is there.
cat >"$T/big.sh" <<'SH'
a=$(head -c 100000 /dev/zero | tr '\0' a)
exec "$1" -s "$2" add big -- echo "$a" "$a" "$a" "$a" "$a" "$a"
SH
must_exit 1 as_user "$TUSER" bash "$T/big.sh" "$SCHEDCTL" "$SOCK"
must_match 'too many clients for this user \(busy\)' "$OUT" \
    "schedctl's message for a large request when busy"
[ "$(printf '%s\n' "$OUT" | grep -c -i 'broken pipe\|cannot be reached\|connection reset')" -eq 0 ] ||
    fail "schedctl reported a broken connection instead of busy: $OUT"

# Small requests too, whichever of the write and the close comes first.
for i in 1 2 3 4 5; do
	must_exit 1 as_user "$TUSER" "$SCHEDCTL" -s "$SOCK" status
	must_match 'too many clients for this user \(busy\)' "$OUT" \
	    "schedctl's message when busy (try $i)"
done
must_exit 1 as_user "$TUSER" "$SCHEDCTL" -s "$SOCK" --json status
must_equal busy "$(printf '%s\n' "$OUT" | head -n 1 | jq -r .error.code)" \
    "error code printed with --json"

# The daemon is fine, and so are the user's own connections.
must_equal true "$(raw '{"cmd":"hello"}' | jq .ok)" "hello as root while the user is busy"
must_equal 0 "$(cj status | jq -r '.result.jobs')" "jobs after the refused add"
exit 0
