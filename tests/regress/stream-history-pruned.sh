#!/bin/bash
# SPDX-License-Identifier: ISC
# A history answer longer than 8 MiB goes out whole to a client that reads
# it slowly; records pruned while it waits are left out, the ones sent
# stay, and the line stays valid JSON.
. "$(dirname "$0")/lib.sh"

start_daemon "daemon:
  output_tail: 1MiB
  history: 20
jobs:
  big:
    command: |
      head -c 1048576 /dev/zero | tr -c a a"

for i in $(seq 1 12); do
	must_succeed ctl run --wait big
done
last=$(cj history big -n 1 | jq '.result.tasks[0].id')

"$PYTHON" "$SRCDIR/tests/regress/stream-reader.py" "$SOCK" "$T" 2 \
    '{"cmd":"history","limit":12,"id":1}' '{"cmd":"history","id":2}' \
    >"$T/reader.out" 2>&1 &
BG_PIDS="$BG_PIDS $!"
reader=$!
wait_for test -e "$T/asked"
# Keep one record a job: the other 11 go while the answer waits.
must_succeed ctl set history 1
touch "$T/go"
wait "$reader" || fail "the reader failed: $(cat "$T/reader.out")"
# At least the newest was sent before the others went.
must_equal "1 true true $last true" "$(sed -n 1p "$T/reader.out" |
    jq -r '.result.tasks | [1, length < 12, ([.[].id] | . == (sort |
    reverse)), .[0].id, all(.output == ("a" * 1048576))] | map(tostring) |
    join(" ")')" "the long answer"
must_equal "2 $last" "$(sed -n 2p "$T/reader.out" |
    jq -r '[.id] + [.result.tasks[].id] | map(tostring) | join(" ")')" \
    "the records left"
must_succeed ctl status
exit 0
