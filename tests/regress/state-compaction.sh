#!/bin/bash
# SPDX-License-Identifier: ISC
# Compaction runs beside the loop (a forked child writes the snapshot, a
# new journal takes the changes meanwhile): with a tiny journal limit and
# many tasks, it happens many times; no record is lost, not even across a
# crash in the middle of it, and the daemon answers all along.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-restart.sh"

export SCHEDD_JOURNAL_MAX=20000
conf="daemon:
  max_queued: 10000
  history: 1000
jobs:
  many:
    command: [\"echo\", \"hello\"]
    concurrency: 4
    queue_limit: 10000
"
start_daemon "$conf"
gen0=$(jq -r .generation "$STATE/state.json")
ids=
for i in $(seq 1 300); do
	ids="$ids $(ctl run many)"
done
set -- $ids
wait_task "$@"
gen1=$(jq -r .generation "$STATE/state.json")
[ "$gen1" -gt $((gen0 + 3)) ] ||
    fail "state.json generation $gen0 -> $gen1: no compaction happened"
must_equal 300 "$(raw '{"cmd":"history","name":"many","limit":1000}' |
    jq '[.result.tasks[] | select(.state == "succeeded")] | length')" \
    "succeeded records before the crash"

# More tasks, and a crash while compactions come and go.
for i in $(seq 1 100); do
	ctl run many >/dev/null
done
kill9_daemon
restart_daemon "$conf"
n=$(raw '{"cmd":"history","name":"many","limit":1000}' |
    jq '.result.tasks | length')
[ "$n" -ge 300 ] || fail "only $n records after the crash, expected >= 300"
for id in "$@"; do
	must_equal succeeded "$(task_get "$id" .state)" "task $id after crash"
done
[ -e "$STATE/journal.new" ] && fail "journal.new left after a start"
exit 0
