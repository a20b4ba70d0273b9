#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The cost of durability (doc/state.md, doc/performance.md): the same
# measurements with the state folder on the real disk and on a tmpfs.
#   1. acknowledged "add" commands per second from one client and from 8
#      concurrent clients, each client one request at a time (each waits
#      for its answer, which comes once the journal is fsynced): group
#      commit should give 8 clients >= 3x the rate of one.  BENCH_RUNS
#      rounds of a fresh daemon with one client, then one with 8; the
#      rates are medians, the ratio the median of the rounds' ratios;
#   2. tasks per second with their records persisted: BENCH_DUR_N runs of
#      /bin/true through one job with concurrency 8 (bench/dispatch).
# Prints figures and key=value lines; asserts nothing.
#
# usage: bench/durability.sh BUILDDIR
# Environment: BENCH_RUNS (3), BENCH_DUR_ADDS (adds per run, 2000),
# BENCH_DUR_N (tasks, 3000), BENCH_DISK_DIR (a folder on the disk,
# /var/tmp), BENCH_TMPFS_DIR (a folder on a tmpfs, /dev/shm).

set -eu

BUILDDIR=${1:?usage: durability.sh BUILDDIR}
BUILDDIR=$(cd "$BUILDDIR" && pwd)
SCHEDD=$BUILDDIR/schedd
SCHEDCTL=$BUILDDIR/schedctl
DISPATCH=$BUILDDIR/bench/dispatch
REQUEST=$BUILDDIR/bench/request
RUNS=${BENCH_RUNS:-3}
ADDS=${BENCH_DUR_ADDS:-2000}
N=${BENCH_DUR_N:-3000}
DISK_DIR=${BENCH_DISK_DIR:-/var/tmp}
TMPFS_DIR=${BENCH_TMPFS_DIR:-/dev/shm}
WATCHDOG=600

for f in "$SCHEDD" "$SCHEDCTL" "$DISPATCH" "$REQUEST"; do
	if [ ! -x "$f" ]; then
		echo "durability.sh: $f is missing: run make bench" >&2
		exit 1
	fi
done

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
  cgroup: off
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

# adds CLIENTS: acknowledged adds per second from CLIENTS connections, each
# with one request in flight (bench/request), or "failed".
adds() {
	if timeout $WATCHDOG "$REQUEST" -s "$DIR/sock" -n "$ADDS" -c "$1" \
	    -w 1 -t $WATCHDOG add dur \
	    '{"command":["/bin/true"],"every":"1h"}' >"$DIR/adds" \
	    2>>"$DIR/schedd.log"; then
		bench_value add_rate "$DIR/adds"
	else
		echo failed
	fi
}

# measure WHERE DIR: the figures with the state folder in DIR.
measure() {
	where=$1
	state=$(mktemp -d "$2/schedd-durability-state.XXXXXX")
	STATES="$STATES $state"
	fs=$(stat -f -c %T "$state")
	echo "== state on $where ($state, $fs)"

	one= eight= ratios=
	r=1
	while [ $r -le "$RUNS" ]; do
		start "$state"
		a1=$(adds 1)
		stop
		start "$state"
		a8=$(adds 8)
		stop
		x=$(awk -v a="$a8" -v b="$a1" 'BEGIN {
		    if (a ~ /^[0-9]+$/ && b > 0) printf "%.2f", a / b;
		    else print "failed" }')
		echo "round $r: acknowledged adds: $a1/s from one client," \
		    "$a8/s from 8 clients: ${x}x ($ADDS adds each)"
		one="$one $a1" eight="$eight $a8" ratios="$ratios $x"
		r=$((r + 1))
	done

	start "$state"
	timeout $WATCHDOG "$DISPATCH" -s "$DIR/sock" -n "$N" -c 8 \
	    -t $WATCHDOG >"$DIR/dispatch.$where" || fail "dispatch failed"
	drain=$(bench_value dispatch_drain_rate "$DIR/dispatch.$where")
	bad=$(bench_value dispatch_task_failures "$DIR/dispatch.$where")
	echo "tasks with records persisted: $drain/s ($N runs of /bin/true," \
	    "concurrency 8; failures: ${bad:-?})"
	stop
	kib=$(du -k "$state" | tail -n 1 | cut -f 1)
	echo "state folder after the run: ${kib} KiB"
	eval "adds1_$where=$(bench_median $one)"
	eval "adds8_$where=$(bench_median $eight)"
	eval "ratio_$where=$(bench_median $ratios)"
	eval "drain_$where=\$drain fs_$where=\$fs"
}

measure disk "$DISK_DIR"
if [ "$(stat -f -c %T "$TMPFS_DIR" 2>/dev/null)" = tmpfs ]; then
	measure tmpfs "$TMPFS_DIR"
else
	echo "== $TMPFS_DIR is not a tmpfs: no tmpfs figures" \
	    "(set BENCH_TMPFS_DIR)"
	adds1_tmpfs=n/a adds8_tmpfs=n/a ratio_tmpfs=n/a drain_tmpfs=n/a
	fs_tmpfs=none
fi

adds_pct=$(bench_percent "$adds1_disk" "$adds1_tmpfs")
tasks_pct=$(bench_percent "$drain_disk" "$drain_tmpfs")
echo "== summary (medians of $RUNS rounds; goal: on the disk, 8 clients" \
    ">= 3x one client)"
echo "acknowledged adds/s, one client: disk $adds1_disk, tmpfs" \
    "$adds1_tmpfs (disk = $adds_pct% of tmpfs)"
echo "acknowledged adds/s, 8 clients: disk $adds8_disk, tmpfs" \
    "$adds8_tmpfs (8 clients vs one: disk ${ratio_disk}x, tmpfs" \
    "${ratio_tmpfs}x)"
echo "tasks/s with records: disk $drain_disk, tmpfs $drain_tmpfs" \
    "(disk = $tasks_pct% of tmpfs)"
echo "durability_fs_disk=$fs_disk"
echo "durability_adds1_disk=$adds1_disk"
echo "durability_adds8_disk=$adds8_disk"
echo "durability_adds8_ratio_disk=$ratio_disk"
echo "durability_adds1_tmpfs=$adds1_tmpfs"
echo "durability_adds8_tmpfs=$adds8_tmpfs"
echo "durability_adds8_ratio_tmpfs=$ratio_tmpfs"
echo "durability_tasks_disk=$drain_disk"
echo "durability_tasks_tmpfs=$drain_tmpfs"
echo "durability_adds_ratio_percent=$adds_pct"
echo "durability_tasks_ratio_percent=$tasks_pct"
