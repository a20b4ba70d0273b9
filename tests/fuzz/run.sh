#!/bin/sh
# Build the libFuzzer harnesses with clang and run each for SECONDS
# (default 60).  Usage: tests/fuzz/run.sh [SECONDS]
set -e
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-60}
out=${FUZZ_OUT:-/tmp/schedd-fuzz}
mkdir -p "$out"
flags="-g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE
-DSCHEDD_VERSION=\"fuzz\" -I$top/common -I$top/daemon
$(pkg-config --cflags jansson yaml-0.1 libevent)"
libs="$(pkg-config --libs jansson yaml-0.1 libevent)"
common="$top/common/log.c $top/common/xmalloc.c $top/common/util.c
$top/common/proto.c $top/common/hmap.c"
config="$top/daemon/config.c $top/daemon/config-node.c
$top/daemon/config-job.c $top/daemon/jobdef.c"
daemon=$(ls "$top"/daemon/*.c | grep -v '/schedd\.c$')
# shellcheck disable=SC2086
clang $flags -o "$out/fuzz_config" "$top/tests/fuzz/fuzz_config.c" \
    $config $common $libs
# shellcheck disable=SC2086
clang $flags -o "$out/fuzz_request" "$top/tests/fuzz/fuzz_request.c" \
    $daemon $common $libs
for h in fuzz_config fuzz_request; do
	mkdir -p "$out/corpus-$h"
	"$out/$h" -max_total_time="$secs" -max_len=4096 \
	    -dict="$top/tests/fuzz/$h.dict" "$out/corpus-$h" \
	    "$top/tests/fuzz/seeds-$h"
done
