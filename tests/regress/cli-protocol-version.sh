#!/bin/bash
# SPDX-License-Identifier: ISC
# Every request schedctl sends carries the protocol version it speaks, and
# a daemon that speaks another one gets its protocol_mismatch printed like
# any other error (exit 1) with both versions named (schedd.8 CONTROL
# PROTOCOL, schedctl.1 EXIT STATUS).  A fake daemon records the requests;
# protocol-version.sh tests the real daemon's side.
. "$(dirname "$0")/lib.sh"

PROTO=$(awk '$1 == "#define" && $2 == "PROTO_VERSION" { print $3 }' \
    "$SRCDIR/common/proto.h")
[ -n "$PROTO" ] || fail "no PROTO_VERSION in common/proto.h"
OTHER=$((PROTO + 1))

# fake MODE: a daemon on $T/fake.sock that writes each request line to
# $T/requests and answers it: "ok" with a result that satisfies every
# command, "mismatch" with protocol_mismatch.  A stream (subscribe, output
# with follow) is closed after its answer.
cat >"$T/fake.py" <<'EOF_FAKE'
import json, os, socket, sys
path, log, mode, other = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(8)
def serve(f):
    for line in f:
        with open(log, "ab") as lf:
            lf.write(line)
        req = json.loads(line)
        if mode == "mismatch":
            a = {"id": req.get("id"), "ok": False, "error": {
                "code": "protocol_mismatch",
                "message": "schedd speaks protocol %s, the request "
                           "protocol %s" % (other, req.get("protocol"))}}
        else:
            a = {"id": req.get("id"), "ok": True, "result": {
                "task": 1, "state": "succeeded", "jobs": [],
                "tasks": [{"id": 1, "state": "succeeded"}], "times": [],
                "settings": {}}}
        f.write((json.dumps(a) + "\n").encode())
        f.flush()
        if req.get("cmd") == "subscribe" or req.get("follow"):
            break
while True:
    c, _ = srv.accept()
    f = c.makefile("rwb")
    try:
        serve(f)
        f.close()
    except OSError:
        # The client went without reading every answer (schedctl status
        # sends two requests at once and stops at a first error).
        pass
    c.close()
EOF_FAKE

fake()
{
	rm -f "$T/fake.sock"
	"$PYTHON" "$T/fake.py" "$T/fake.sock" "$T/requests" "$1" "$OTHER" &
	BG_PIDS="$BG_PIDS $!"
	FAKEPID=$!
	wait_for test -S "$T/fake.sock"
}

fctl()
{
	"$SCHEDCTL" -s "$T/fake.sock" "$@" </dev/null
}

# Each command of schedctl's table that sends something, with arguments.
fake ok
: >"$T/requests"
for argv in "status" "status 1" "status job" "jobs" "add x -- true" \
    "metrics" "remove x" "run x" "stop 1" "cancel 1" "freeze 1" "thaw 1" \
    "ban x" "unban x" "bans" \
    "pause x" "resume x" "history" "next x" "logs 1" "logs 1 -f" \
    "wait 1" "reload" "get" "set k 1" "shutdown" "watch" "_names"; do
	# shellcheck disable=SC2086
	fctl $argv >/dev/null 2>"$T/err"
	rc=$?
	# The fake closes a stream after its answer: watch takes that for
	# a daemon that went away (exit 3).
	[ "$rc" -eq 0 ] || { [ "$argv" = watch ] && [ "$rc" -eq 3 ]; } ||
	    fail "schedctl $argv against the fake daemon: $(cat "$T/err")"
done
# Every request carries "protocol", the version of common/proto.h.
n=$(wc -l <"$T/requests")
[ "$n" -ge 25 ] || fail "only $n requests recorded"
bad=$(jq -c "select(.protocol != $PROTO)" "$T/requests")
must_equal "" "$bad" "requests without \"protocol\": $PROTO"
# ... and every wire command of the table was among them.
sent=$(jq -r .cmd "$T/requests" | sort -u)
for w in $("$SCHEDCTL" --list-commands | cut -f2 | sort -u) job task; do
	[ "$w" = - ] && continue
	printf '%s\n' "$sent" | grep -qx -- "$w" ||
	    fail "no request \"$w\" was sent by the commands above"
done
kill "$FAKEPID"
wait "$FAKEPID" 2>/dev/null

# A daemon of another protocol: the error and both versions, exit 1.
fake mismatch
must_exit 1 fctl status
must_equal "schedctl: schedd speaks protocol $OTHER, the request protocol $PROTO (protocol_mismatch)
schedctl: schedctl speaks protocol $PROTO; use the schedctl that came with this schedd" \
    "$OUT" "schedctl status against a daemon of protocol $OTHER"
must_exit 1 fctl run x --wait
must_match "schedctl speaks protocol $PROTO" "$OUT"
# With --json the answer line is printed on stdout, as for any error.
code=$(fctl --json bans 2>/dev/null | jq -r .error.code)
must_equal protocol_mismatch "$code" "schedctl --json bans"
exit 0
