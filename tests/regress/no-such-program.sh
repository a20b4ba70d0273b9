#!/bin/bash
# SPDX-License-Identifier: ISC
# A task that cannot be started (no such program, bad workdir) ends failed
# with the reason from the child in its record; the daemon goes on.
. "$(dirname "$0")/lib.sh"

start_daemon "jobs:
  ghost:
    command: [\"/nonexistent/schedd-no-such-program\", \"arg\"]
  nodir:
    workdir: $T/no-such-folder
    command: [\"true\"]
"

rc=0
ctl run ghost --wait >/dev/null 2>&1 || rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 3 ] || fail "run ghost --wait exited $rc"
t=$(cj history ghost | jq -r '.result.tasks[0].id')
rec=$(raw "{\"cmd\":\"task\",\"task\":$t}" | jq -c .result.task)
must_equal failed "$(json_get "$rec" .state)" "state of a task with no program"
must_match '^could not start: .*No such file or directory' "$(json_get "$rec" .error)" "error of a task with no program"
# The reason comes from the child, not from exit status 127.
[ "$(json_get "$rec" .exit_code)" != 127 ] || fail "exit_code 127 for a program that could not start: $rec"

must_succeed ctl status
must_succeed ctl run ghost
t2=$OUT
wait_task "$t2"
must_equal failed "$(task_get "$t2" .state)" "state of the second run"

ctl run nodir --wait >/dev/null 2>&1
t=$(cj history nodir | jq -r '.result.tasks[0].id')
must_equal failed "$(task_get "$t" .state)" "state of a task with a missing workdir"
must_match '^could not start: ' "$(task_get "$t" .error)" "error of a task with a missing workdir"

# The daemon still answers and runs things.
must_succeed ctl add fine --wait -- true
must_equal true "$(raw '{"cmd":"hello"}' | jq .ok)" "hello after failed starts"
exit 0
