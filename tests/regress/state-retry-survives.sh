#!/bin/bash
# SPDX-License-Identifier: ISC
# A retry waiting for its retry_delay is saved with the job: after a crash
# of the daemon it still runs, at its time, as the next attempt.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-restart.sh"

conf="jobs:
  flaky:
    command: |
      echo run >>$T/runs
      [ -e $T/ok ] && exit 0
      exit 1
    retries: 1
    retry_delay: 3s
"
start_daemon "$conf"
must_succeed ctl run flaky
first=$OUT
wait_task "$first"
must_equal failed "$(task_get "$first" .state)" "first attempt"
# The retry is planned (3 s away) with the failure: crash now, restart,
# let it succeed.
kill9_daemon
touch "$T/ok"
restart_daemon "$conf"

# The retry may still be waiting for its delay: poll the history.
retries()
{
	test "$(raw '{"cmd":"history","name":"flaky"}' |
	    jq -r '[.result.tasks[] | select(.trigger == "retry")] | length')" = 1
}
wait_for retries
retry=$(raw '{"cmd":"history","name":"flaky"}' |
    jq -r '.result.tasks[] | select(.trigger == "retry") | .id')
wait_task "$retry"
must_equal 2 "$(task_get "$retry" .attempt)" "attempt of the retry"
must_equal succeeded "$(task_get "$retry" .state)" "state of the retry"
must_equal 2 "$(wc -l <"$T/runs" | tr -d ' ')" "runs of the command"
exit 0
