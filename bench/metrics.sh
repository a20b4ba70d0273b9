#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Metrics benchmarks of doc/performance.md ("Metrics"):
#   (a) the cost of a scrape: for each count of BENCH_METRICS_JOBS (1000
#       and 100000) jobs in the configuration file, the median time of
#       BENCH_METRICS_CALLS "metrics" requests until the whole answer has
#       arrived (bench/request call), and, as the ceiling, "jobs" of the
#       same jobs in the same daemon: the listing the control plane
#       streams already, with as many entries.  The row is their ratio.
#   (b) timers while scraping: BENCH_METRICS_TIMER_JOBS "every: 1s" jobs
#       (jitter 1s: spread over the second) beside BENCH_METRICS_BIG
#       (100000) jobs of hours, for BENCH_METRICS_SECS seconds in each of
#       four daemons: one left alone; one asked "jobs" back to back (the
#       ceiling: what the control plane's streamed listing does to the
#       timers); one asked "metrics" back to back; one writing
#       metrics_file every second.  The lateness p99 and max of
#       "status".timers of each, medians of BENCH_RUNS runs.
# Prints figures with the commands that produced them, then key=value
# lines.  Asserts nothing.
#
# usage: bench/metrics.sh BUILDDIR
# Environment: BENCH_METRICS_JOBS ("1000 100000"), BENCH_METRICS_CALLS
# (5; 50 up to 10000 jobs), BENCH_METRICS_TIMER_JOBS (1000), BENCH_METRICS_BIG (100000),
# BENCH_METRICS_SECS (12), BENCH_METRICS_WATCHDOG (120), BENCH_RUNS (3).

set -eu

BUILDDIR=${1:?usage: metrics.sh BUILDDIR}
BUILDDIR=$(cd "$BUILDDIR" && pwd)
SRCDIR=$(cd "$(dirname "$0")" && pwd)
SCHEDD=$BUILDDIR/schedd
REQUEST=$BUILDDIR/bench/request
COUNTS=${BENCH_METRICS_JOBS:-1000 100000}
CALLS=${BENCH_METRICS_CALLS:-5}
TJOBS=${BENCH_METRICS_TIMER_JOBS:-1000}
BIG=${BENCH_METRICS_BIG:-100000}
SECS=${BENCH_METRICS_SECS:-12}
RUNS=${BENCH_RUNS:-3}
WATCHDOG=${BENCH_METRICS_WATCHDOG:-120}

for f in "$SCHEDD" "$REQUEST"; do
	if [ ! -x "$f" ]; then
		echo "metrics.sh: $f is missing: run make bench" >&2
		exit 1
	fi
done
command -v jq >/dev/null 2>&1 || {
	echo "metrics.sh: needs jq" >&2
	exit 1
}

. "$SRCDIR/lib.sh"

DIR=$(mktemp -d "${TMPDIR:-/tmp}/schedd-metrics.XXXXXX")
SOCK=$DIR/sock
LOG=$DIR/schedd.log
KV=$DIR/kv
PID=
SCRAPER=
: >"$KV"

cleanup() {
	[ -z "$SCRAPER" ] || kill "$SCRAPER" 2>/dev/null || true
	bench_stop "$PID" "$WATCHDOG"
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

kv() {
	echo "$1=$2" >>"$KV"
}

# config FILE N EVERY [DAEMON_LINE]: N jobs of /bin/true every EVERY
# (jitter as long), one more line in the daemon section.
config() {
	awk -v n="$2" -v e="$3" -v d="${4:-}" 'BEGIN {
		print "daemon:\n  cgroup: off\n  max_running: 64\n  history: 5"
		if (d != "")
			print "  " d
		print "jobs:"
		for (i = 0; i < n; i++)
			printf "  j%d: {command: [/bin/true], every: %s, " \
			    "jitter: %s}\n", i, e, e }' >"$1"
}

# config_more FILE N: add N jobs every 1s to the jobs of FILE.
config_more() {
	awk -v n="$2" 'BEGIN { for (i = 0; i < n; i++)
		printf "  t%d: {command: [/bin/true], every: 1s, " \
		    "jitter: 1s}\n", i }' >>"$1"
}

# start CONFIG: a fresh daemon and state folder; waits for its answer.
start() {
	rm -rf "$DIR/state" "$SOCK"
	echo "\$ $SCHEDD -c $1 -s $SOCK -d $DIR/state"
	"$SCHEDD" -c "$1" -s "$SOCK" -d "$DIR/state" 2>>"$LOG" &
	PID=$!
	"$REQUEST" -s "$SOCK" -p "$PID" -t "$WATCHDOG" wait >/dev/null \
	    2>>"$LOG"
}

stop() {
	bench_stop "$PID" "$WATCHDOG"
	PID=
}

# seconds FILE: the median of a call, or "failed".
seconds() {
	if [ "$(bench_value call_status "$1")" = ok ]; then
		bench_value call_median_s "$1"
	else
		echo failed
	fi
}

echo "== (a) the cost of a scrape ($CALLS requests each)"
for n in $COUNTS; do
	config "$DIR/a.yaml" "$n" 3600s
	if ! start "$DIR/a.yaml"; then
		kv "metrics_scrape_${n}_s" failed
		continue
	fi
	# Small answers vary more from run to run: ask them more often.
	c=$CALLS
	[ "$n" -gt 10000 ] || c=$((CALLS * 10))
	bench_call "$DIR/m" '{"cmd":"metrics"}' -n "$c"
	bench_call "$DIR/j" '{"cmd":"jobs"}' -n "$c"
	m=$(seconds "$DIR/m")
	j=$(seconds "$DIR/j")
	echo "$n jobs: metrics $m s ($(bench_value call_bytes "$DIR/m")" \
	    "bytes, $(bench_value call_entries "$DIR/m") lines); jobs $j s" \
	    "($(bench_value call_bytes "$DIR/j") bytes)"
	kv "metrics_scrape_${n}_s" "$m"
	kv "metrics_jobs_${n}_s" "$j"
	kv "metrics_scrape_${n}_us_per_job" "$(awk -v t="$m" -v n="$n" \
	    'BEGIN { if (t ~ /^[0-9.]+$/) printf "%.2f", t * 1e6 / n;
	    else print "failed" }')"
	stop
done

# late NAME: the timers' lateness p99 and max of the running daemon.
late() {
	bench_call "$DIR/st" '{"cmd":"status"}' -a
	t=$(bench_value call_answer "$DIR/st" | jq -c .result.timers)
	echo "$1: status.timers: $t"
	echo "$1_p99=$(echo "$t" | jq .late_p99_us)" >>"$KV.runs"
	echo "$1_max=$(echo "$t" | jq .late_max_us)" >>"$KV.runs"
}

# median KEY: the median of KEY over the runs.
median() {
	bench_median $(sed -n "s/^$1=//p" "$KV.runs")
}

# asking NAME CONFIG JSON: a fresh daemon, asked JSON back to back for
# $SECS seconds (none for "{}"), then its lateness as NAME.
asking() {
	start "$2"
	touch "$DIR/asking"
	: >"$DIR/asked"
	if [ "$3" != "{}" ]; then
		(
			while [ -e "$DIR/asking" ]; do
				"$REQUEST" -s "$SOCK" -t "$WATCHDOG" -n 1 \
				    call "$3" >/dev/null 2>&1 || true
				echo >>"$DIR/asked"
			done
		) &
		SCRAPER=$!
	fi
	sleep "$SECS"
	rm -f "$DIR/asking"
	[ -z "$SCRAPER" ] || wait "$SCRAPER" || true
	SCRAPER=
	late "$1"
	echo "$1_asked=$(wc -l <"$DIR/asked")" >>"$KV.runs"
	stop
}

echo "== (b) $TJOBS jobs every 1s beside $BIG hourly, $SECS s each:" \
    "alone; asked \"jobs\" back to back; asked \"metrics\" back to" \
    "back; writing metrics_file every 1s ($RUNS runs)"
config "$DIR/quiet.yaml" "$BIG" 3600s
config_more "$DIR/quiet.yaml" "$TJOBS"
config "$DIR/busy.yaml" "$BIG" 3600s "metrics_file: $DIR/prom/schedd.prom"
sed -i 's|^  metrics_file: .*|&\n  metrics_interval: 1s|' "$DIR/busy.yaml"
config_more "$DIR/busy.yaml" "$TJOBS"
mkdir -p "$DIR/prom"
: >"$KV.runs"
r=1
while [ $r -le "$RUNS" ]; do
	asking quiet "$DIR/quiet.yaml" '{}'
	asking listed "$DIR/quiet.yaml" '{"cmd":"jobs"}'
	asking scraped "$DIR/quiet.yaml" '{"cmd":"metrics"}'
	asking filed "$DIR/busy.yaml" '{}'
	r=$((r + 1))
done
kv metrics_timer_jobs "$TJOBS"
kv metrics_big_jobs "$BIG"
for k in quiet_p99 quiet_max listed_p99 listed_max listed_asked \
    scraped_p99 scraped_max scraped_asked filed_p99 filed_max; do
	kv "metrics_${k}" "$(median $k)"
done

echo "== summary"
cat "$KV"
