#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Build the fuzz targets with clang, libFuzzer, ASan and UBSan in their own
# build folder (./configure --enable-fuzzing; make fuzz) and run each for
# SECONDS (default 60), starting from its seeds (tests/fuzz/seeds/TARGET)
# and the corpus earlier runs left.  Prints libFuzzer's "Done N runs in S
# second(s)" line and the corpus size of each target; exits non-zero if a
# target crashed, leaked, hung, or a sanitizer reported anything.
#
# Usage: tests/fuzz/run.sh [SECONDS [TARGET...]]
# FUZZ_BUILD: the build folder (default build-fuzz in the source tree);
# FUZZ_OUT: corpora, logs and crash inputs (default FUZZ_BUILD/fuzz-out);
# FUZZ_JOBS: how many targets run at once (default 1).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-fuzz_config fuzz_cron fuzz_request fuzz_state}
build=${FUZZ_BUILD:-$top/build-fuzz}
jobs=${FUZZ_JOBS:-1}
case $secs in
''|*[!0-9]*)
	echo "usage: tests/fuzz/run.sh [SECONDS [TARGET...]]" >&2; exit 2 ;;
esac

"$top/tools/deps.sh" fuzz || exit 1
cd "$top" || exit 1
if [ ! -x configure ]; then
	autoreconf -fi >/dev/null 2>&1 ||
	    { echo "autoreconf failed" >&2; exit 1; }
fi
mkdir -p "$build" || exit 1
build=$(cd "$build" && pwd)
out=${FUZZ_OUT:-$build/fuzz-out}
mkdir -p "$out" || exit 1
out=$(cd "$out" && pwd)
cd "$build" || exit 1
if [ ! -f Makefile ]; then
	CC=clang "$top/configure" -q --enable-fuzzing >configure.log 2>&1 || {
		cat configure.log >&2
		echo "configure --enable-fuzzing failed" >&2
		exit 1
	}
fi
echo "building the fuzz targets in $build"
if ! make -j"$(nproc)" fuzz >make-fuzz.log 2>&1; then
	tail -n 40 make-fuzz.log >&2
	echo "make fuzz failed" >&2
	exit 1
fi

# Run one target; its verdict goes to $out/TARGET.result.
fuzz_one() {
	t=$1
	corpus=$out/corpus/$t
	crashes=$out/crashes/$t
	log=$out/$t.log
	maxlen=4096
	supp=$top/tests/fuzz/lsan.supp
	[ "$t" = fuzz_state ] && maxlen=16384
	mkdir -p "$corpus" "$crashes"
	ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	LSAN_OPTIONS=suppressions=$supp:print_suppressions=0 \
	    "$build/tests/fuzz/$t" -max_total_time="$secs" -timeout=10 \
	    -rss_limit_mb=2048 -max_len="$maxlen" -print_final_stats=1 \
	    -dict="$top/tests/fuzz/$t.dict" -artifact_prefix="$crashes/" \
	    "$corpus" "$top/tests/fuzz/seeds/$t" >"$log" 2>&1
	rc=$?
	done_line=$(grep -E '^Done [0-9]+ runs in' "$log" | tail -n 1)
	bad='ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:'
	bad="$bad|^SUMMARY: |deadly signal|ERROR: libFuzzer"
	if [ $rc -ne 0 ] || [ -z "$done_line" ] || grep -qE "$bad" "$log"
	then
		echo "FAIL $rc" >"$out/$t.result"
	else
		echo "PASS" >"$out/$t.result"
	fi
}

failed=0
set -- $targets
while [ $# -gt 0 ]; do
	batch=
	n=0
	while [ $# -gt 0 ] && [ $n -lt "$jobs" ]; do
		batch="$batch $1"
		n=$((n + 1))
		shift
	done
	pids=
	for t in $batch; do
		if [ ! -x "$build/tests/fuzz/$t" ]; then
			echo "no fuzz target $t" >&2
			echo "FAIL missing" >"$out/$t.result"
			continue
		fi
		rm -f "$out/$t.result"
		fuzz_one "$t" &
		pids="$pids $!"
	done
	for p in $pids; do
		wait "$p"
	done
	for t in $batch; do
		log=$out/$t.log
		files=$(find "$out/corpus/$t" -type f 2>/dev/null | wc -l)
		bytes=$(find "$out/corpus/$t" -type f -printf '%s\n' \
		    2>/dev/null | awk '{ n += $1 } END { print n + 0 }')
		done_line=$(grep -E '^Done [0-9]+ runs in' "$log" 2>/dev/null |
		    tail -n 1)
		eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" \
		    2>/dev/null)
		echo "$t: ${done_line:-no Done line}"
		echo "$t: corpus $files files, ${bytes:-0} bytes;" \
		    "${eps:-?} runs/s"
		if [ "$(cat "$out/$t.result" 2>/dev/null)" != PASS ]; then
			failed=$((failed + 1))
			echo "$t: FAILED; the end of $log:"
			tail -n 60 "$log" 2>/dev/null
			echo "$t: inputs that failed, in $out/crashes/$t:"
			ls -l "$out/crashes/$t" 2>/dev/null
		fi
	done
done
[ $failed -eq 0 ] || { echo "fuzzing: $failed target(s) failed"; exit 1; }
exit 0
