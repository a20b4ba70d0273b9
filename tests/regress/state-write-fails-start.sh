#!/bin/bash
# SPDX-License-Identifier: ISC
# A task's "running" record that the journal's writer thread could not
# write (the disk filled up between the dispatch and the write): the
# task does not start; it goes back to its queue ("not started, queued
# again" in the log) and the state is marked failed; once the state can
# be written again it runs -- once, also across a crash.  The failure is
# injected into the writer thread's write(2) (tests/regress/failwrite.c,
# LD_PRELOAD), with SCHEDD_WRITE_THREAD=1 so that every journal write
# goes through that thread.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-restart.sh"

CC=${CC:-cc}
command -v "$CC" >/dev/null 2>&1 || skip "no C compiler ($CC) for the fault injection library"
"$CC" -shared -fPIC -o "$T/failwrite.so" "$SRCDIR/tests/regress/failwrite.c" \
    2>"$T/cc.err" || fail "cannot build failwrite.so: $(cat "$T/cc.err")"
export SCHEDD_WRITE_THREAD=1 FAILWRITE_FLAG=$T/fail LD_PRELOAD=$T/failwrite.so
# A sanitizer build wants its runtime first; the order does not matter here.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0

conf="daemon:
  max_running: 1
jobs:
  long:
    command: [\"sh\", \"-c\", \"$(gate_cmd go)\"]
  next:
    command: [\"sh\", \"-c\", \"echo \$SCHEDD_TASK_ID >>$T/ran\"]"
start_daemon "$conf"
must_succeed ctl run long
lid=$OUT
must_succeed ctl run next
nid=$OUT
must_equal queued "$(task_get "$nid" .state)" "next behind long (max_running 1)"

# long ends: next is dispatched, and the write of its start fails.
touch "$T/fail" "$T/go"
wait_for grep -q "task $nid (next): not started, queued again" "$LOG"
must_equal false "$(cj status | jq -r .result.state_ok)" "state_ok after the failed write"
must_equal queued "$(task_get "$nid" .state)" "next after its start could not be recorded"
[ ! -e "$T/ran" ] || fail "next ran although its start was not recorded: $(cat "$T/ran")"
must_equal succeeded "$(task_get "$lid" .state)" "long"

# Writable again: the retry's snapshot (within ~5 s), then next runs once.
rm -f "$T/fail"
wait_state_ok
wait_task "$nid"
must_equal succeeded "$(task_get "$nid" .state)" "next once the state was written again"
must_equal "$nid" "$(cat "$T/ran")" "runs of next (task ids)"

kill9_daemon
restart_daemon
must_equal succeeded "$(task_get "$nid" .state)" "next after a crash"
must_equal succeeded "$(task_get "$lid" .state)" "long after a crash"
sleep 1
must_equal "$nid" "$(cat "$T/ran")" "runs of next after a crash"
exit 0
