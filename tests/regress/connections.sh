#!/bin/bash
# SPDX-License-Identifier: ISC
# Client limits: at most 256 clients (the rest are refused with busy) and
# at most 32 per non-admin uid; the daemon answers normally afterwards.
. "$(dirname "$0")/lib.sh"

start_daemon "daemon:
  socket_mode: \"0666\"
"

# conns N: open N connections at once (in order), then send hello on each
# and print "OK BUSY OTHER FIRST_BUSY" (FIRST_BUSY: 1-based, 0 if none).
cat >"$T/conns.py" <<'PY'
import json, socket, sys
path, n = sys.argv[1], int(sys.argv[2])
socks = []
for i in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    # Blocking connect: with a timeout set, a full listen backlog gives
    # EAGAIN instead of waiting for the daemon to accept.
    s.connect(path)
    s.settimeout(20)
    socks.append(s)
for i, s in enumerate(socks):
    try:
        s.sendall(b'{"cmd":"hello","id":%d}\n' % i)
    except (BrokenPipeError, ConnectionResetError):
        pass   # refused ones may be closed already: their answer is read below
ok = busy = other = 0
first_busy = 0
for i, s in enumerate(socks):
    buf = b""
    try:
        while b"\n" not in buf:
            d = s.recv(4096)
            if not d:
                break
            buf += d
    except ConnectionResetError:
        pass
    line = buf.split(b"\n")[0]
    try:
        a = json.loads(line)
    except ValueError:
        a = {}
    if a.get("ok") is True:
        ok += 1
    elif a.get("error", {}).get("code") == "busy":
        busy += 1
        if not first_busy:
            first_busy = i + 1
    else:
        other += 1
        sys.stderr.write("connection %d: %r\n" % (i + 1, line[:200]))
print(ok, busy, other, first_busy)
PY

# As root: 300 at once, 256 served, 44 busy.
must_equal "256 44 0" "$("$PYTHON" "$T/conns.py" "$SOCK" 300 | cut -d' ' -f1-3)" \
    "served, busy, other of 300 connections"
# The daemon notices the closed connections when it gets to them: poll.
wait_for ctl status
must_equal true "$(raw '{"cmd":"hello"}' | jq .ok)" "hello after 300 connections"

# As a non-admin user: the 33rd connection is busy.
if [ "$(id -u)" -ne 0 ]; then
	echo "note: per-uid limit not checked (needs root to create a user)"
	exit 0
fi
add_user
chmod 755 "$T"
must_equal "32 1 0 33" "$(as_user "$TUSER" "$PYTHON" "$T/conns.py" "$SOCK" 33)" \
    "served, busy, other, first busy of 33 connections by $TUSER"
# Again with 40, once the daemon has seen the first 33 go (it may not have
# read their end yet: retry, bounded).
wait_for eval '[ "$(as_user "$TUSER" "$PYTHON" "$T/conns.py" "$SOCK" 40)" = "32 8 0 33" ]'
must_equal "32 8 0 33" "$(as_user "$TUSER" "$PYTHON" "$T/conns.py" "$SOCK" 40)" \
    "served, busy, other, first busy of 40 connections by $TUSER"
must_equal true "$(raw '{"cmd":"hello"}' | jq .ok)" "hello after the user's connections"
exit 0
