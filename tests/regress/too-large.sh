#!/bin/bash
# SPDX-License-Identifier: ISC
# A request line over 1 MiB is answered too_large and the connection is
# closed; a line just under the limit is fine; the daemon goes on.
. "$(dirname "$0")/lib.sh"

start_daemon

"$PYTHON" - "$SOCK" <<'PY' || fail "too_large checks failed"
import json, socket, sys

def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1])
    s.settimeout(20)
    return s

def send(s, data):
    try:
        s.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass   # the daemon may close before it has read everything

def lines(s):
    """Everything the daemon sends until it closes the connection."""
    buf = b""
    while True:
        try:
            d = s.recv(65536)
        except ConnectionResetError:
            break
        if not d:
            break
        buf += d
    return [json.loads(l) for l in buf.split(b"\n") if l]

def check(what, cond, got):
    if not cond:
        print("FAIL: %s: got %r" % (what, got)[:2000])
        sys.exit(1)

MiB = 1 << 20

# 1. A line of 1 MiB + 100 bytes, then another request: too_large, closed,
#    and the second request is not answered.
s = conn()
line = b'{"cmd":"hello","id":"' + b"x" * MiB + b'"}\n'
send(s, line + b'{"cmd":"hello","id":2}\n')
got = lines(s)
check("answers to an oversized line", len(got) == 1, got)
check("code for an oversized line",
      got[0].get("ok") is False and got[0]["error"]["code"] == "too_large", got)

# 2. 2 MiB with no newline at all: too_large too, without waiting for an end.
s = conn()
send(s, b'{"cmd":"hello","id":"' + b"y" * (2 * MiB))
got = lines(s)
check("answers to 2 MiB without a newline", len(got) == 1, got)
check("code for 2 MiB without a newline", got[0]["error"]["code"] == "too_large", got)

# 3. Just under the limit (1 MiB including the newline) is a normal request.
s = conn()
pre, post = b'{"cmd":"hello","id":"', b'"}\n'
line = pre + b"z" * (MiB - len(pre) - len(post)) + post
assert len(line) == MiB
send(s, line + b'{"cmd":"hello","id":3}\n')
buf = b""
while buf.count(b"\n") < 2:
    d = s.recv(MiB)
    if not d:
        break
    buf += d
got = [json.loads(l) for l in buf.split(b"\n") if l]
check("answers to a line of exactly 1 MiB", len(got) == 2, [str(g)[:200] for g in got])
check("a line of exactly 1 MiB is served", got[0].get("ok") is True and len(got[0]["id"]) == MiB - len(pre) - len(post), str(got[0])[:200])
check("the next request on that connection", got[1] == {**got[1], "id": 3, "ok": True}, got[1])
PY

must_equal true "$(raw '{"cmd":"hello"}' | jq .ok)" "hello after too_large"
exit 0
