#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Scale benchmarks of doc/performance.md ("Scale", and the listing cost of
# "Control plane"), each the median of BENCH_RUNS runs:
#   (a) BENCH_SCALE_JOBS jobs in the configuration file: the parse time of
#       "schedd -t", the time from starting the daemon to its first answer,
#       its resident memory per job (over a daemon without jobs), "jobs" of
#       them all (until the whole answer has arrived through the socket),
#       and a reload that changes one of them;
#   (b) "jobs" of BENCH_SCALE_LIST_JOBS jobs: time per request and per
#       entry;
#   (c) BENCH_SCALE_JOBS jobs added through the socket, then restarts: time
#       to the first answer, resident memory before and after;
#   (d) BENCH_SCALE_RECORDS kept task records, BENCH_SCALE_PER_JOB per
#       runtime job, loaded once from a journal bench/records.py makes out
#       of a record the daemon wrote, then restarts from the daemon's own
#       snapshot: time to the first answer, resident memory before (after
#       that first load) and after.  "history" of some jobs checks that the
#       records were really loaded.
# The time to the first answer runs from starting schedd to its answer to
# "hello" (bench/request wait); resident memory is VmRSS right after it.
# A run that fails, or takes more than BENCH_SCALE_WATCHDOG seconds, is
# reported as failed.  Prints figures, then key=value lines; asserts
# nothing.
#
# usage: bench/scale.sh BUILDDIR
# Environment: BENCH_RUNS (3), BENCH_SCALE_JOBS (100000),
# BENCH_SCALE_LIST_JOBS (1000), BENCH_SCALE_LIST_CALLS (50),
# BENCH_SCALE_RECORDS (1000000), BENCH_SCALE_PER_JOB (50),
# BENCH_SCALE_WATCHDOG (120), BENCH_SCALE_MEM_KIB (the daemons' address
# space limit, 3/4 of the available memory), BENCH_DISK_DIR (state folders,
# /var/tmp), BENCH_TMPFS_DIR (where the jobs of (c) are added, /dev/shm if a
# tmpfs).

set -eu

BUILDDIR=${1:?usage: scale.sh BUILDDIR}
BUILDDIR=$(cd "$BUILDDIR" && pwd)
SRCDIR=$(cd "$(dirname "$0")" && pwd)
SCHEDD=$BUILDDIR/schedd
SCHEDCTL=$BUILDDIR/schedctl
REQUEST=$BUILDDIR/bench/request
RUNS=${BENCH_RUNS:-3}
JOBS=${BENCH_SCALE_JOBS:-100000}
LIST=${BENCH_SCALE_LIST_JOBS:-1000}
CALLS=${BENCH_SCALE_LIST_CALLS:-50}
RECORDS=${BENCH_SCALE_RECORDS:-1000000}
PER_JOB=${BENCH_SCALE_PER_JOB:-50}
WATCHDOG=${BENCH_SCALE_WATCHDOG:-120}
DISK_DIR=${BENCH_DISK_DIR:-/var/tmp}
TMPFS_DIR=${BENCH_TMPFS_DIR:-/dev/shm}
# The daemons' address space is bounded so that one that outgrows the
# machine fails (and is reported) rather than waking the OOM killer.
MEM_KIB=${BENCH_SCALE_MEM_KIB:-$(awk '/^MemAvailable:/ {
	printf "%d", $2 * 3 / 4 }' /proc/meminfo)}

for f in "$SCHEDD" "$SCHEDCTL" "$REQUEST"; do
	if [ ! -x "$f" ]; then
		echo "scale.sh: $f is missing: run make bench" >&2
		exit 1
	fi
done
for c in python3 jq; do
	command -v $c >/dev/null 2>&1 || {
		echo "scale.sh: needs $c" >&2
		exit 1
	}
done

. "$SRCDIR/lib.sh"

DIR=$(mktemp -d "${TMPDIR:-/tmp}/schedd-scale.XXXXXX")
SDIR=$(mktemp -d "$DISK_DIR/schedd-scale-state.XXXXXX")
if [ "$(stat -f -c %T "$TMPFS_DIR" 2>/dev/null)" = tmpfs ]; then
	SETUP=$(mktemp -d "$TMPFS_DIR/schedd-scale-setup.XXXXXX")
else
	SETUP=$(mktemp -d "$DISK_DIR/schedd-scale-setup.XXXXXX")
fi
SOCK=$DIR/sock
LOG=$DIR/schedd.log
KV=$DIR/kv
PID=
: >"$KV"

cleanup() {
	bench_stop "$PID" "$WATCHDOG"
	rm -rf "$DIR" "$SDIR" "$SETUP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

kv() {
	echo "$1=$2" >>"$KV"
}

# Seconds between two "date +%s.%N" stamps.
elapsed() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'
}

# start CONFIG STATE_DIR: start schedd; FIRST is the time to its first
# answer (or "failed"), RSS its resident KiB then.
start() {
	rm -f "$SOCK"
	t0=$(date +%s.%N)
	(ulimit -v "$MEM_KIB" && exec "$SCHEDD" -c "$1" -s "$SOCK" -d "$2") \
	    2>>"$LOG" &
	PID=$!
	if "$REQUEST" -s "$SOCK" -p "$PID" -t "$WATCHDOG" wait >"$DIR/wait" \
	    2>>"$LOG"; then
		FIRST=$(elapsed "$t0" \
		    "$(bench_value wait_answer_at "$DIR/wait")")
		RSS=$(bench_rss "$PID")
	else
		FIRST=failed
		RSS=
		echo "schedd did not answer: $(bench_value wait_status \
		    "$DIR/wait"); its log ends:"
		tail -n 5 "$LOG"
	fi
}

# stop: stop the daemon (it writes its snapshot); STOP is how long it took.
stop() {
	t0=$(date +%s.%N)
	bench_stop "$PID" "$WATCHDOG"
	STOP=$(elapsed "$t0" "$(date +%s.%N)")
	PID=
}

# config FILE N [HISTORY]: a configuration of N jobs with distinct commands,
# intervals of an hour or more and tags.
config() {
	awk -v n="$2" -v h="${3:-60}" 'BEGIN {
		print "daemon:\n  cgroup: off\n  history: " h
		if (n == 0) { print "jobs: {}"; exit }
		print "jobs:"
		for (i = 0; i < n; i++)
			printf "  scale%d:\n    command: [\"/bin/sh\", " \
			    "\"-c\", \"echo %d v0\"]\n    every: %ds\n" \
			    "    tags: [scale, g%d]\n", i, i, 3600 + i % 600,
			    i % 10 }' >"$1"
}

# history_of JOB: how many records "history" answers for JOB.
history_of() {
	bench_call "$DIR/hist" "{\"cmd\":\"history\",\"name\":\"$1\",\"limit\":1000}"
	if [ "$(bench_value call_status "$DIR/hist")" = ok ]; then
		bench_value call_entries "$DIR/hist"
	else
		echo failed
	fi
}

config "$DIR/empty.yaml" 0
echo "== a daemon without jobs"
start "$DIR/empty.yaml" "$SDIR/empty"
EMPTY_RSS=${RSS:-0}
echo "first answer after $FIRST s; VmRSS $EMPTY_RSS KiB"
stop
kv scale_empty_rss_kib "$EMPTY_RSS"

echo "== (a) $JOBS jobs in the configuration file ($RUNS runs)"
config "$DIR/big.yaml" "$JOBS"
echo "\$ $SCHEDD -t -c $DIR/big.yaml   # $(wc -c <"$DIR/big.yaml") bytes"
parse=
r=1
while [ $r -le "$RUNS" ]; do
	t0=$(date +%s.%N)
	if timeout "$WATCHDOG" "$SCHEDD" -t -c "$DIR/big.yaml" >/dev/null \
	    2>>"$LOG"; then
		p=$(elapsed "$t0" "$(date +%s.%N)")
	else
		p=failed
	fi
	echo "parse run $r: $p s"
	parse="$parse $p"
	r=$((r + 1))
done
PARSE=$(bench_median $parse)

K=$((JOBS / 2))
first=
perjob=
jobs=
jobs_fail=0
jobs_how=
reload=
reload_how=
r=1
while [ $r -le "$RUNS" ]; do
	echo "\$ $SCHEDD -c $DIR/big.yaml -s $SOCK -d $SDIR/config$r"
	start "$DIR/big.yaml" "$SDIR/config$r"
	first="$first $FIRST"
	if [ "$FIRST" = failed ]; then
		jobs_fail=$((jobs_fail + 1))
		jobs_how="schedd did not answer"
		reload="$reload failed"
		reload_how="schedd did not answer"
		stop
		r=$((r + 1))
		continue
	fi
	pj=$(awk -v a="$RSS" -v b="$EMPTY_RSS" -v n="$JOBS" \
	    'BEGIN { printf "%.2f", (a - b) / n }')
	perjob="$perjob $pj"
	echo "run $r: first answer after $FIRST s; VmRSS $RSS KiB," \
	    "$pj KiB per job"

	bench_call "$DIR/jobs" '{"cmd":"jobs"}'
	st=$(bench_value call_status "$DIR/jobs")
	if [ "$st" = ok ]; then
		j=$(bench_value call_median_s "$DIR/jobs")
		echo "run $r: jobs: $(bench_value call_entries \
		    "$DIR/jobs") entries, $(bench_value call_bytes \
		    "$DIR/jobs") bytes in $j s"
		jobs="$jobs $j"
	else
		jobs_fail=$((jobs_fail + 1))
		jobs_how="$st after $(bench_value call_bytes_received \
		    "$DIR/jobs") bytes received"
		echo "run $r: jobs: failed: $jobs_how"
	fi

	# One job's command changes: v0 to v1 and back in turn.
	sed -i "s/\"echo $K v[01]\"/\"echo $K v$((r % 2))\"/" "$DIR/big.yaml"
	bench_call "$DIR/reload" '{"cmd":"reload"}' -a
	if [ "$(bench_value call_status "$DIR/reload")" = ok ]; then
		t=$(bench_value call_median_s "$DIR/reload")
		ch=$(bench_value call_answer "$DIR/reload" |
		    jq -c '[.result.added, .result.changed, .result.removed] |
		    map(length)')
		echo "run $r: reload: $t s (added, changed, removed: $ch)"
		reload="$reload $t"
	else
		reload_how=$(bench_value call_status "$DIR/reload")
		echo "run $r: reload failed: $reload_how"
		reload="$reload failed"
	fi
	stop
	rm -rf "$SDIR/config$r"
	r=$((r + 1))
done
kv scale_jobs "$JOBS"
kv scale_parse_s "$PARSE"
kv scale_config_first_answer_s "$(bench_median $first)"
kv scale_config_kib_per_job "$(bench_median $perjob)"
if [ $jobs_fail -gt 0 ]; then
	kv scale_jobs_all_s "failed in $jobs_fail of $RUNS runs ($jobs_how)"
else
	kv scale_jobs_all_s "$(bench_median $jobs)"
fi
t=$(bench_median $reload)
[ "$t" != failed ] || t="failed (${reload_how:-no daemon})"
kv scale_reload_one_s "$t"
kv scale_reload_goal_s "$(awk -v p="$PARSE" 'BEGIN { printf "%.3f", p + 0.1 }')"

echo "== (b) jobs of $LIST jobs ($RUNS runs of $CALLS requests)"
config "$DIR/list.yaml" "$LIST"
start "$DIR/list.yaml" "$SDIR/list"
list=
r=1
while [ $r -le "$RUNS" ] && [ "$FIRST" != failed ]; do
	bench_call "$DIR/list" '{"cmd":"jobs"}' -n "$CALLS"
	if [ "$(bench_value call_status "$DIR/list")" = ok ]; then
		t=$(bench_value call_median_s "$DIR/list")
		echo "run $r: median $t s per request," \
		    "$(bench_value call_entries "$DIR/list") entries," \
		    "$(bench_value call_bytes "$DIR/list") bytes"
		list="$list $t"
	else
		list="$list failed"
	fi
	r=$((r + 1))
done
stop
t=$(bench_median $list)
kv scale_list_jobs "$LIST"
if [ "$t" = failed ]; then
	kv scale_list_request_ms failed
	kv scale_list_us_per_entry failed
else
	kv scale_list_request_ms "$(awk -v t="$t" \
	    'BEGIN { printf "%.3f", t * 1000 }')"
	kv scale_list_us_per_entry "$(awk -v t="$t" -v n="$LIST" \
	    'BEGIN { printf "%.2f", t * 1e6 / n }')"
fi

echo "== (c) $JOBS jobs added through the socket, then $RUNS restarts"
echo "\$ request -n $JOBS -w 64 add rt '{\"command\":[\"/bin/sh\",\"-c\"," \
    "\"echo %N\"],\"every\":\"3600s\",\"tags\":[\"scale\"]}'" \
    "   # state in $SETUP"
start "$DIR/empty.yaml" "$SETUP/state"
"$REQUEST" -s "$SOCK" -n "$JOBS" -w 64 -t $((WATCHDOG * 10)) add rt \
    '{"command":["/bin/sh","-c","echo %N"],"every":"3600s","tags":["scale"]}' \
    >"$DIR/add" 2>>"$LOG" || true
cat "$DIR/add" | sed -n 's/^add_\(acked\|seconds\|rate\)=/  &/p'
RT_BEFORE=$(bench_rss "$PID")
echo "VmRSS after the adds: $RT_BEFORE KiB"
stop
echo "stopped in $STOP s; state copied to $SDIR/runtime"
cp -a "$SETUP/state" "$SDIR/runtime"
rm -rf "$SETUP/state"
restart=
rss=
r=1
while [ $r -le "$RUNS" ]; do
	start "$DIR/empty.yaml" "$SDIR/runtime"
	n=failed
	if [ "$FIRST" != failed ]; then
		bench_call "$DIR/status" '{"cmd":"status"}' -a
		n=$(bench_value call_answer "$DIR/status" | jq .result.jobs)
		n=${n:-failed}
	fi
	echo "restart $r: first answer after $FIRST s; VmRSS ${RSS:-?} KiB;" \
	    "$n jobs"
	restart="$restart $FIRST"
	rss="$rss $RSS"
	stop
	r=$((r + 1))
done
kv scale_rt_jobs "$JOBS"
kv scale_rt_add_rate "$(bench_value add_rate "$DIR/add")"
kv scale_rt_jobs_loaded "$n"
kv scale_rt_restart_s "$(bench_median $restart)"
kv scale_rt_rss_before_kib "$RT_BEFORE"
kv scale_rt_rss_after_kib "$(bench_median $rss)"
rm -rf "$SDIR/runtime"

NJ=$((RECORDS / PER_JOB))
HIST=$((PER_JOB > 60 ? PER_JOB : 60))
echo "== (d) $RECORDS task records ($NJ jobs x $PER_JOB), then $RUNS restarts"
config "$DIR/rec.yaml" 0 "$HIST"
# A record the daemon wrote itself, to copy.
start "$DIR/rec.yaml" "$DIR/tpl"
"$REQUEST" -s "$SOCK" add tpl '{"command":["/bin/true"],"every":"3600s"}' \
    >/dev/null 2>>"$LOG"
"$SCHEDCTL" -s "$SOCK" run --wait tpl0 >/dev/null 2>>"$LOG"
stop
mkdir -m 700 "$SDIR/base" "$SDIR/rec"
echo "\$ records.py $DIR/tpl/state.json $SDIR/rec/journal $NJ $PER_JOB rec"
t0=$(date +%s.%N)
python3 "$SRCDIR/records.py" "$DIR/tpl/state.json" "$SDIR/rec/journal" \
    "$NJ" "$PER_JOB" rec
echo "written in $(elapsed "$t0" "$(date +%s.%N)") s," \
    "$(($(wc -c <"$SDIR/rec/journal") / 1048576)) MiB"
python3 "$SRCDIR/records.py" "$DIR/tpl/state.json" "$SDIR/base/journal" \
    "$NJ" 0 rec
start "$DIR/rec.yaml" "$SDIR/base"
BASE_RSS=$RSS
echo "the same $NJ jobs without records: first answer after $FIRST s;" \
    "VmRSS $BASE_RSS KiB"
stop
rm -rf "$SDIR/base"

start "$DIR/rec.yaml" "$SDIR/rec"
REC_BEFORE=$RSS
SETUP_S=$FIRST
check=failed
if [ "$FIRST" != failed ]; then
	check="$(history_of rec0)/$(history_of rec$((NJ / 2)))/$(history_of \
	    rec$((NJ - 1)))"
fi
echo "loaded from the journal: first answer after $FIRST s; VmRSS" \
    "${RSS:-?} KiB; history of 3 jobs: $check records (of $PER_JOB each)"
stop
echo "stopped in $STOP s"
restart=
rss=
r=1
while [ $r -le "$RUNS" ]; do
	start "$DIR/rec.yaml" "$SDIR/rec"
	c=failed
	[ "$FIRST" = failed ] || c=$(history_of rec$((NJ - 1)))
	echo "restart $r: first answer after $FIRST s; VmRSS ${RSS:-?} KiB;" \
	    "history of the last job: $c records"
	restart="$restart $FIRST"
	rss="$rss $RSS"
	stop
	r=$((r + 1))
done
REC_AFTER=$(bench_median $rss)
kv scale_rec_records "$RECORDS"
kv scale_rec_loaded_check "$check/$c"
kv scale_rec_first_load_s "$SETUP_S"
kv scale_rec_restart_s "$(bench_median $restart)"
kv scale_rec_rss_before_kib "$REC_BEFORE"
kv scale_rec_rss_after_kib "$REC_AFTER"
kv scale_rec_base_rss_kib "$BASE_RSS"
kv scale_rec_bytes_per_record "$(awk -v a="$REC_AFTER" -v b="$BASE_RSS" \
    -v n="$RECORDS" 'BEGIN { if (a ~ /^[0-9]/ && b ~ /^[0-9]/)
	printf "%.0f", (a - b) * 1024 / n; else print "failed" }')"

echo "== summary"
cat "$KV"
