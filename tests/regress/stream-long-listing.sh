#!/bin/bash
# SPDX-License-Identifier: ISC
# A listing longer than the 8 MiB of unread output a client may have is
# answered whole, one line, to a client that reads it slowly: it goes out
# as the client reads.  Meanwhile other clients are served, and events for
# the reader come after the answer, never inside it.
. "$(dirname "$0")/lib.sh"

# 3500 jobs of 3 KiB each: over 10 MiB of answer.
conf=$("$PYTHON" "$SRCDIR/tests/regress/stream-reader.py" --jobs 3500 j)
start_daemon "$conf
  ping:
    command: [/bin/true]"

"$PYTHON" "$SRCDIR/tests/regress/stream-reader.py" "$SOCK" "$T" 6 \
    '{"cmd":"subscribe","id":1}' '{"cmd":"jobs","id":2}' \
    '{"cmd":"hello","id":3}' >"$T/reader.out" 2>&1 &
BG_PIDS="$BG_PIDS $!"
reader=$!
wait_for test -e "$T/asked"
wait_for grep -q "client uid [0-9]*: jobs$" "$LOG"
# The reader has not read its answer yet: the daemon serves others, and
# has an event for the reader to send after it.
must_succeed ctl status
must_succeed ctl run --wait ping
must_equal 3501 "$(cj jobs | jq '.result.jobs | length')" \
    "jobs for another client"
touch "$T/go"
wait "$reader" || fail "the reader failed: $(cat "$T/reader.out")"
# Answers by id, events as "e".
must_equal "1 2 e e e 3" "$(jq -r 'if has("id") then .id else "e" end' \
    "$T/reader.out" | tr '\n' ' ' | sed 's/ $//')" "the lines, in order"
sed -n 2p "$T/reader.out" >"$T/jobs"
must_equal "3501 true j0000 ping true" "$(jq -r '.result.jobs |
    [length, ([.[].name] | . == sort), .[0].name, .[-1].name,
    .[1].description == ("d" * 3000 + "\u00e9 1")] | map(tostring) |
    join(" ")' "$T/jobs")" "the jobs answer"
[ "$(wc -c <"$T/jobs")" -gt $((8 << 20)) ] || fail "the answer is short"
grep -q "unread, dropped" "$LOG" && fail "a client was dropped"
exit 0
