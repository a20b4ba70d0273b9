#!/bin/bash
# SPDX-License-Identifier: ISC
# Out of file descriptors: under a low RLIMIT_NOFILE, idle clients used
# to take every descriptor, so the daemon stopped answering new clients
# and scheduled tasks failed to start ("could not start: ...").  The
# daemon keeps a reserve: a client that would eat into it is answered
# busy and closed, and the scheduled job goes on succeeding.
. "$(dirname "$0")/lib.sh"

# The daemon, as start_daemon runs it, with at most 64 descriptors (it
# uses about 15 of them for itself).
cat >"$T/schedd-lowfd" <<EOF
#!/bin/sh
ulimit -n 64 || exit 1
exec "$SCHEDD" "\$@"
EOF
chmod 755 "$T/schedd-lowfd"
REAL_SCHEDD=$SCHEDD
SCHEDD=$T/schedd-lowfd
start_daemon "jobs:
  tick:
    command: [\"true\"]
    every: 1s
"
SCHEDD=$REAL_SCHEDD
# Task outcomes come as events on one connection held from the start.
watch_to "$T/ev" task.finished

# nfinished N: at least N tasks of tick finished.
nfinished() {
	[ "$(jq -c 'select(.event == "task.finished" and .job == "tick")' \
	    "$T/ev" | wc -l)" -ge "$1" ]
}
# nbad: how many tasks of tick did not succeed.
nbad() {
	jq -c 'select(.event == "task.finished" and .state != "succeeded")' \
	    "$T/ev" | wc -l
}

# hold: open connections one at a time, hello on each, until one is
# refused (or has no answer in 5 s, or 200 are open); print "OK BUSY
# STUCK MESSAGE", keep the served ones open, close 3 of them when
# $T/release appears and say "released"; exit when the daemon closes
# the others (it stops at the end of the test).
cat >"$T/hold.py" <<'PY'
import json, os, select, socket, sys, time
path, release = sys.argv[1], sys.argv[2]
socks, ok, busy, stuck, msg = [], 0, 0, 0, "-"
while len(socks) < 200:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.settimeout(5)
    buf = b""
    try:
        s.sendall(b'{"cmd":"hello"}\n')
    except OSError:
        pass   # refused and closed already: the answer is read below
    try:
        while b"\n" not in buf:
            d = s.recv(4096)
            if not d:
                break
            buf += d
    except socket.timeout:
        stuck = 1
        break
    except OSError:
        pass
    a = json.loads(buf.split(b"\n")[0]) if buf else {}
    if a.get("ok") is True:
        ok += 1
        socks.append(s)
        continue
    if a.get("error", {}).get("code") == "busy":
        busy = 1
        msg = a["error"].get("message", "")
    break
print(ok, busy, stuck, msg, flush=True)
while not os.path.exists(release):
    time.sleep(0.05)
for s in socks[:3]:
    s.close()
print("released", flush=True)
select.select(socks[3:], [], [], 100)
PY

bg "$PYTHON" "$T/hold.py" "$SOCK" "$T/release" >"$T/held"
wait_for grep -q . "$T/held"
read -r nok nbusy nstuck msg <"$T/held"
[ "$nstuck" -eq 0 ] || fail "a client got no answer after $nok connections"
must_equal 1 "$nbusy" "a client refused with busy after $nok connections"
must_match 'file descriptors' "$msg" "busy message"
[ "$nok" -ge 5 ] || fail "only $nok clients served under 64 descriptors"
grep -q 'few file descriptors left' "$LOG" ||
    fail "the daemon did not say why it refused clients"

# With every slot held, tasks go on starting and succeeding.
n=$(jq -c 'select(.event == "task.finished")' "$T/ev" | wc -l)
wait_for nfinished $((n + 3))
must_equal 0 "$(nbad)" "tasks of tick that did not succeed"

# Once a few clients leave, schedctl is served again.
touch "$T/release"
wait_for grep -q released "$T/held"
wait_for ctl status
must_succeed ctl history tick
must_equal "" "$(cj history tick | jq -r '.result.tasks[] | select(.state != "succeeded") | .state')" \
    "states of tick's tasks that did not succeed"
must_equal 0 "$(nbad)" "tasks of tick that did not succeed"
exit 0
