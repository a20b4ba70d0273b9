#!/bin/bash
# SPDX-License-Identifier: ISC
# ban_after_failures: after N consecutive failed tasks the job is banned
# automatically (auto: true, a reason saying so), and, as with any ban,
# its queued tasks are cancelled at once instead of running.
. "$(dirname "$0")/lib.sh"

gate=$(gate_cmd go)
start_daemon "jobs:
  flaky:
    ban_after_failures: 2
    command: |
      echo ran >$T/ran.\$SCHEDD_TASK_ID
      $gate
      exit 1
"

ids=
for i in 1 2 3 4; do
	must_succeed ctl run flaky
	ids="$ids $OUT"
done
set -- $ids
wait_for test -e "$T/ran.$1"
touch "$T/go"
wait_task "$@"

must_equal failed "$(task_get "$1" .state)" "first task"
must_equal failed "$(task_get "$2" .state)" "second task"
must_equal cancelled "$(task_get "$3" .state)" "third task, queued at the ban"
must_equal cancelled "$(task_get "$4" .state)" "fourth task, queued at the ban"
[ -e "$T/ran.$3" ] && fail "task $3 ran after the automatic ban"
[ -e "$T/ran.$4" ] && fail "task $4 ran after the automatic ban"

ans=$(raw '{"cmd":"bans"}')
must_equal flaky "$(json_get "$ans" '.result.bans[0].name')" "banned name"
must_equal true "$(json_get "$ans" '.result.bans[0].auto')" "automatic ban"
must_match "2 consecutive failures" "$(json_get "$ans" '.result.bans[0].reason')" "reason"
must_exit 1 ctl run flaky
must_match "banned" "$OUT" "run after the automatic ban"
exit 0
