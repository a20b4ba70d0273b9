#!/bin/sh
#
# The cost of durability (doc/state.md, doc/performance.md): the same two
# measurements with the state folder on the real disk and on a tmpfs.
#   1. acknowledged "add" commands per second over one connection, one at
#      a time (each waits for its answer, which comes once the journal is
#      fsynced);
#   2. tasks per second with their records persisted: BENCH_DUR_N runs of
#      /bin/true through one job with concurrency 8 (bench/dispatch).
# Prints figures and key=value lines; asserts nothing.
#
# usage: bench/durability.sh BUILDDIR
# Environment: BENCH_DUR_ADDS (adds, 2000), BENCH_DUR_N (tasks, 3000),
# BENCH_DISK_DIR (a folder on the disk, /var/tmp), BENCH_TMPFS_DIR (a
# folder on a tmpfs, /dev/shm).

set -eu

BUILDDIR=${1:?usage: durability.sh BUILDDIR}
BUILDDIR=$(cd "$BUILDDIR" && pwd)
SCHEDD=$BUILDDIR/schedd
SCHEDCTL=$BUILDDIR/schedctl
DISPATCH=$BUILDDIR/bench/dispatch
ADDS=${BENCH_DUR_ADDS:-2000}
N=${BENCH_DUR_N:-3000}
DISK_DIR=${BENCH_DISK_DIR:-/var/tmp}
TMPFS_DIR=${BENCH_TMPFS_DIR:-/dev/shm}
WATCHDOG=600

for f in "$SCHEDD" "$SCHEDCTL" "$DISPATCH"; do
	if [ ! -x "$f" ]; then
		echo "durability.sh: $f is missing: run make first" >&2
		exit 1
	fi
done
PYTHON=$(command -v python3) || {
	echo "durability.sh: python3 is needed for the add client" >&2
	exit 1
}

DIR=$(mktemp -d "${TMPDIR:-/tmp}/schedd-durability.XXXXXX")
STATES=
PID=

. "$(dirname "$0")/lib.sh"

stop() {
	bench_stop "$PID"
	PID=
}
cleanup() {
	stop
	for s in $STATES; do
		rm -rf "$s"
	done
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
	echo "durability.sh: $*" >&2
	[ -f "$DIR/schedd.log" ] && tail -n 30 "$DIR/schedd.log" >&2
	exit 1
}

cat >"$DIR/schedd.yaml" <<EOF
daemon:
  max_running: 8
  max_queued: 100000
EOF

# The add client: one connection, one request at a time.
cat >"$DIR/adds.py" <<'EOF'
import json, socket, sys, time
path, n = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
f = s.makefile("rb")
t0 = time.monotonic()
for i in range(n):
    req = {"cmd": "add", "job": {"name": "dur%d" % i,
           "command": ["/bin/true"], "every": "1h"}}
    s.sendall(json.dumps(req).encode() + b"\n")
    while True:
        a = json.loads(f.readline())
        if "event" not in a:
            break
    if not a.get("ok"):
        sys.exit("add dur%d: %s" % (i, a))
t1 = time.monotonic()
print("%.0f" % (n / (t1 - t0)))
EOF

# start STATE_DIR: a daemon on a fresh state folder.
start() {
	rm -rf "$1"
	"$SCHEDD" -c "$DIR/schedd.yaml" -s "$DIR/sock" -d "$1" \
	    2>"$DIR/schedd.log" &
	PID=$!
	i=0
	until "$SCHEDCTL" -s "$DIR/sock" status >/dev/null 2>&1; do
		kill -0 "$PID" 2>/dev/null || fail "schedd exited at start"
		[ $i -lt 100 ] || fail "schedd does not answer after 10 s"
		sleep 0.1
		i=$((i + 1))
	done
}

# measure WHERE DIR: both figures with the state folder in DIR.
measure() {
	where=$1
	state=$(mktemp -d "$2/schedd-durability-state.XXXXXX")
	STATES="$STATES $state"
	fs=$(stat -f -c %T "$state")
	echo "== state on $where ($state, $fs)"

	start "$state"
	adds=$(timeout $WATCHDOG "$PYTHON" "$DIR/adds.py" "$DIR/sock" "$ADDS") ||
	    fail "the add client failed"
	echo "acknowledged adds: $adds/s ($ADDS adds, one connection, one at a time)"
	stop

	start "$state"
	timeout $WATCHDOG "$DISPATCH" -s "$DIR/sock" -n "$N" -c 8 \
	    -t $WATCHDOG >"$DIR/dispatch.$where" || fail "dispatch failed"
	drain=$(sed -n 's/^dispatch_drain_rate=//p' "$DIR/dispatch.$where" |
	    tail -n 1)
	bad=$(sed -n 's/^dispatch_task_failures=//p' "$DIR/dispatch.$where" |
	    tail -n 1)
	echo "tasks with records persisted: $drain/s ($N runs of /bin/true," \
	    "concurrency 8; failures: ${bad:-?})"
	stop
	kib=$(du -k "$state" | tail -n 1 | cut -f 1)
	echo "state folder after the run: ${kib} KiB"
	eval "adds_$where=\$adds drain_$where=\$drain fs_$where=\$fs"
}

measure disk "$DISK_DIR"
if [ "$(stat -f -c %T "$TMPFS_DIR" 2>/dev/null)" = tmpfs ]; then
	measure tmpfs "$TMPFS_DIR"
else
	echo "== $TMPFS_DIR is not a tmpfs: no tmpfs figures (set BENCH_TMPFS_DIR)"
	adds_tmpfs=0 drain_tmpfs=0 fs_tmpfs=none
fi

echo "== summary"
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f", 100 * a / b;
	    else print "n/a" }'
}
echo "acknowledged adds/s: disk $adds_disk, tmpfs $adds_tmpfs" \
    "(disk = $(ratio "$adds_disk" "$adds_tmpfs")% of tmpfs)"
echo "tasks/s with records: disk $drain_disk, tmpfs $drain_tmpfs" \
    "(disk = $(ratio "$drain_disk" "$drain_tmpfs")% of tmpfs)"
echo "durability_fs_disk=$fs_disk"
echo "durability_adds_disk=$adds_disk"
echo "durability_adds_tmpfs=$adds_tmpfs"
echo "durability_tasks_disk=$drain_disk"
echo "durability_tasks_tmpfs=$drain_tmpfs"
echo "durability_adds_ratio_percent=$(ratio "$adds_disk" "$adds_tmpfs")"
echo "durability_tasks_ratio_percent=$(ratio "$drain_disk" "$drain_tmpfs")"
