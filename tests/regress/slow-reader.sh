#!/bin/bash
# SPDX-License-Identifier: ISC
# A client that stops reading its answers is dropped once 8 MiB are
# pending for it; the daemon neither blocks nor grows without bound, the
# task it followed is unaffected, and other clients are served.
. "$(dirname "$0")/lib.sh"

gate=$(gate_cmd go)
start_daemon "daemon:
  log_max: 64MiB
jobs:
  loud:
    command: |
      $gate
      head -c 20000000 /dev/zero | tr '\\\\0' a
"

must_succeed ctl run loud
id=$OUT

# Follow the task's output, then never read: the python client sleeps
# until the daemon closes the connection (a reset or end of file).
"$PYTHON" - "$SOCK" "$id" >"$T/reader.out" 2>&1 <<'EOF_PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(sys.argv[1])
s.sendall(b'{"cmd":"output","task":%d,"follow":true}\n' % int(sys.argv[2]))
open(sys.argv[1] + ".following", "w").close()
time.sleep(30)
s.settimeout(5)
total = 0
try:
    while True:
        data = s.recv(1 << 20)
        if not data:
            break
        total += len(data)
except (ConnectionResetError, socket.timeout):
    pass
print("read", total)
EOF_PY
BG_PIDS="$BG_PIDS $!"
wait_for test -e "$SOCK.following"
touch "$T/go"
wait_task "$id"

must_equal succeeded "$(task_get "$id" .state)" "state of the loud task"
must_equal 20000000 "$(task_get "$id" .output_bytes)" "output bytes counted"
wait_for grep -q "unread, dropped" "$LOG"
# The daemon still answers others at once.
must_succeed ctl status
exit 0
