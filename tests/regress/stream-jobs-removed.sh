#!/bin/bash
# SPDX-License-Identifier: ISC
# The jobs a long listing has yet to send may be removed, and others
# added, while it waits for its client to read: the answer stays one valid
# line, leaves out the jobs removed meanwhile (and those added), and the
# daemon goes on.  A client that goes in the middle of its answer is
# forgotten, and nothing of its answer stays behind.
. "$(dirname "$0")/lib.sh"

# 3000 jobs of 3 KiB each ("a..."), then the runtime jobs "z..." at the
# end of the listing.
conf=$("$PYTHON" "$SRCDIR/tests/regress/stream-reader.py" --jobs 3000 a)
start_daemon "$conf"
for i in 0 1 2 3 4 5 6 7 8 9; do
	must_succeed ctl add "z$i" --description "runtime $i" -- /bin/true
done

# One client goes after a little of its answer; the other reads a little,
# then waits while the jobs change.
"$PYTHON" "$SRCDIR/tests/regress/stream-reader.py" --drop "$SOCK" "$T" 2 \
    '{"cmd":"jobs","id":1}' '{"cmd":"jobs","name":"z*","id":2}' \
    >"$T/reader.out" 2>&1 &
BG_PIDS="$BG_PIDS $!"
reader=$!
wait_for test -e "$T/asked"
# While the listing waits: z0 to z8 go, y and z10 come, z9 is replaced.
for i in 0 1 2 3 4 5 6 7 8; do
	must_succeed ctl remove "z$i"
done
must_succeed ctl add y -- /bin/true
must_succeed ctl add z10 -- /bin/true
must_succeed ctl add z9 --replace --description "new 9" -- /bin/false
touch "$T/go"
wait "$reader" || fail "the reader failed: $(cat "$T/reader.out")"
must_equal "1 3001 true z9" "$(sed -n 1p "$T/reader.out" | jq -r '[.id,
    (.result.jobs | length), ([.result.jobs[].name] | . == sort),
    .result.jobs[-1].name] | map(tostring) | join(" ")')" "the long answer"
must_equal "2 z10 z9" "$(sed -n 2p "$T/reader.out" |
    jq -r '[.id] + [.result.jobs[].name] | map(tostring) | join(" ")')" \
    "the jobs after the changes"
must_equal "new 9" "$(cj status z9 | jq -r .result.job.description)" \
    "z9 replaced"
must_succeed ctl status
exit 0
