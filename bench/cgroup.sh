#!/bin/sh
# SPDX-License-Identifier: ISC
#
# What a cgroup per task costs (doc/performance.md): the dispatch
# benchmark (bench/dispatch: BENCH_CG_N runs of /bin/true, concurrency 8)
# against a daemon without cgroups ("cgroup: off") and one that runs each
# task in a cgroup of its own ("cgroup: PATH", a fresh cgroup under the
# cgroup2 mount), alternated BENCH_CG_ROUNDS times so that both see the
# same machine.  Prints the drain rates, their ratio and the daemon's CPU
# per task, then key=value lines; then bench/spawn, which shows what
# bounds the difference: how long a spawn into a fresh cgroup holds the
# event loop against one without.  Asserts nothing.  Root only.
#
# usage: bench/cgroup.sh BUILDDIR
# Environment: BENCH_CG_N (tasks per run, 3000), BENCH_CG_ROUNDS (3).

set -eu

BUILDDIR=${1:?usage: cgroup.sh BUILDDIR}
BUILDDIR=$(cd "$BUILDDIR" && pwd)
. "$(dirname "$0")/lib.sh"
N=${BENCH_CG_N:-3000}
ROUNDS=${BENCH_CG_ROUNDS:-3}
WATCHDOG=600

if [ "$(id -u)" -ne 0 ]; then
	echo "cgroup.sh: needs root to make a cgroup; nothing measured"
	exit 0
fi
MNT=$(awk '$9 == "cgroup2" && $4 == "/" { print $5; exit }' \
    /proc/self/mountinfo)
if [ -z "$MNT" ]; then
	echo "cgroup.sh: no cgroup2 file system; nothing measured"
	exit 0
fi
DIR=$(mktemp -d "${TMPDIR:-/tmp}/schedd-bench-cg.XXXXXX")
CG=$MNT/schedd-bench-$$
PID=

cleanup() {
	bench_stop "$PID"
	for d in "$CG/tasks" "$CG/supervisor" "$CG/spawn" "$CG"; do
		[ -d "$d" ] && rmdir "$d" 2>/dev/null || true
	done
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# run MODE: one dispatch run against a daemon with "cgroup: MODE"; prints
# "RATE CPU_US_PER_TASK".
run() {
	printf 'daemon:\n  max_running: 8\n  max_queued: 100000\n' \
	    >"$DIR/schedd.yaml"
	printf '  cgroup: %s\n' "$1" >>"$DIR/schedd.yaml"
	rm -rf "$DIR/state"
	"$BUILDDIR/schedd" -c "$DIR/schedd.yaml" -s "$DIR/sock" \
	    -d "$DIR/state" 2>"$DIR/log" &
	PID=$!
	i=0
	until [ -S "$DIR/sock" ]; do
		[ $i -lt 100 ] || { cat "$DIR/log" >&2; exit 1; }
		sleep 0.1
		i=$((i + 1))
	done
	c0=$(sed 's/.*) //' "/proc/$PID/stat" | awk '{ print $12 + $13 }')
	timeout $WATCHDOG "$BUILDDIR/bench/dispatch" -s "$DIR/sock" -n "$N" \
	    -c 8 -t $WATCHDOG >"$DIR/out"
	c1=$(sed 's/.*) //' "/proc/$PID/stat" | awk '{ print $12 + $13 }')
	bench_stop "$PID"
	PID=
	rm -f "$DIR/sock"
	awk -v a="$c0" -v b="$c1" -v n="$N" -v hz="$(getconf CLK_TCK)" \
	    -v r="$(sed -n 's/^dispatch_drain_rate=//p' "$DIR/out")" \
	    'BEGIN { printf "%s %.1f\n", r, (b - a) / hz * 1e6 / n }'
}

echo "== dispatch with and without a cgroup per task ($N runs of" \
    "/bin/true, concurrency 8, $ROUNDS rounds)"
off=0 on=0 offcpu=0 oncpu=0
r=1
while [ $r -le "$ROUNDS" ]; do
	set -- $(run off)
	echo "round $r: cgroup off: $1 tasks/s, schedd cpu $2 us/task"
	off=$((off + $1))
	offcpu=$(awk -v a="$offcpu" -v b="$2" 'BEGIN { print a + b }')
	set -- $(run "$CG")
	echo "round $r: cgroup on:  $1 tasks/s, schedd cpu $2 us/task"
	on=$((on + $1))
	oncpu=$(awk -v a="$oncpu" -v b="$2" 'BEGIN { print a + b }')
	r=$((r + 1))
done
awk -v off="$off" -v on="$on" -v oc="$offcpu" -v nc="$oncpu" \
    -v n="$ROUNDS" 'BEGIN {
	printf "== summary\n";
	printf "drain: %.0f tasks/s without cgroups, %.0f with: %.1f%% " \
	    "slower (goal < 15%%)\n", off / n, on / n, (1 - on / off) * 100;
	printf "schedd cpu: %.1f us/task without, %.1f with\n", oc / n,
	    nc / n;
	printf "bench_cg_off_rate=%.0f\nbench_cg_on_rate=%.0f\n", off / n,
	    on / n;
	printf "bench_cg_cost_percent=%.1f\n", (1 - on / off) * 100 }'

echo "== what bounds it: the spawn, during which the event loop waits"
mkdir "$CG/spawn"
"$BUILDDIR/bench/spawn" -d "$CG/spawn" -n "$N"
