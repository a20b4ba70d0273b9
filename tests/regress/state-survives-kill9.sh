#!/bin/bash
# SPDX-License-Identifier: ISC
# What survives a crash: after SIGKILL of the daemon and a restart
# on the same state folder, bans (with reason), paused flags, runtime jobs
# (definition and paused flag), finished task records (state, exit code,
# output tail, log) and job counters are all there; a task that was
# running is "lost" and its process is gone; a task queued behind it is
# queued again and runs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-restart.sh"

conf="jobs:
  slow:
    command: |
      echo \$\$ >$T/pid.\$SCHEDD_TASK_ID
      [ -e $T/restarted ] && exit 0
      exec sleep 60
    tags: [slow]
    env: {REGRESS_DIR: \"$T\"}
  echoer:
    command: \"echo hello-out; echo to-err >&2; exit 4\"
  nightly:
    command: [\"true\"]
    cron: \"0 3 * * *\"
  victim:
    command: [\"true\"]
"
start_daemon "$conf"

# Bans, pause, runtime jobs: each acknowledged, so on disk.
must_succeed ctl ban victim --reason "disk is broken"
must_succeed ctl ban 'tmp-*' --reason "no temporaries"
must_succeed ctl pause nightly
must_succeed ctl add rt1 --every 1h --tag t1 --description "runtime one" \
    -- /bin/echo one
must_succeed ctl add rt2 --cron '*/5 * * * *' --shell -- 'echo two'
must_succeed ctl pause rt2

# A finished task record (failed, exit 4, with output), and the counters.
must_succeed ctl run echoer
te=$OUT
wait_task "$te"
rec_filter='{id, job, state, trigger, exit_code, signal, output, output_bytes, queued_at, started_at, finished_at, log}'
rec_before=$(raw "{\"cmd\":\"task\",\"task\":$te}" | jq -c ".result.task | $rec_filter")
must_equal "failed|4" "$(json_get "$rec_before" '"\(.state)|\(.exit_code)"')" \
    "echoer task before the crash"
must_match 'hello-out' "$(json_get "$rec_before" .output)" "echoer output tail"

# A running task, and one queued behind it.
must_succeed ctl run slow
ts=$OUT
wait_for test -s "$T/pid.$ts"
spid=$(cat "$T/pid.$ts")
must_succeed ctl run slow
tq=$OUT
must_equal queued "$(task_get "$tq" .state)" "state of the task behind the running one"

jobs_filter='[.result.jobs[] | select(.name != "slow") | {name, origin, schedule, paused, banned, description, tags, runs, failed, consecutive_failures, last_task, last_state}] | sort_by(.name)'
bans_filter='[.result.bans[] | {name, reason, since, by, auto}] | sort_by(.name)'
jobs_before=$(raw '{"cmd":"jobs"}' | jq -c "$jobs_filter")
bans_before=$(raw '{"cmd":"bans"}' | jq -c "$bans_filter")
def_before=$(raw '{"cmd":"job","name":"rt2"}' | jq -c .result.job.definition)

# The crash, right after the last answer.
kill9_daemon
touch "$T/restarted"
restart_daemon

must_equal "$bans_before" "$(raw '{"cmd":"bans"}' | jq -c "$bans_filter")" \
    "ban list after kill -9 and restart"
must_equal "$jobs_before" "$(raw '{"cmd":"jobs"}' | jq -c "$jobs_filter")" \
    "jobs (runtime jobs, paused flags, counters) after kill -9 and restart"
# (slow is left out: its queued task may already run.)
must_equal "$def_before" \
    "$(raw '{"cmd":"job","name":"rt2"}' | jq -c .result.job.definition)" \
    "definition of runtime job rt2 after kill -9 and restart"
must_equal "$rec_before" \
    "$(raw "{\"cmd\":\"task\",\"task\":$te}" | jq -c ".result.task | $rec_filter")" \
    "finished task record after kill -9 and restart"
must_succeed ctl logs "$te"
must_match 'hello-out' "$OUT" "log of task $te after the restart"
must_equal "banned" "$(raw '{"cmd":"run","name":"victim"}' | jq -r .error.code)" \
    "run of a banned job after the restart"

# The running task is lost, and nothing of it runs any more.
must_equal lost "$(task_get "$ts" .state)" "state of the task that was running"
must_match '^"' "$(task_get "$ts" '.finished_at | tojson')" \
    "finished_at of the lost task"
wait_for proc_gone "$spid"
must_equal "" "$(tagged_pids "$ts")" "processes left of the lost task $ts"
grep -q "lost" "$LOG" || fail "the log does not mention the lost task"

# The queued one runs again, as queued.
wait_task "$tq"
must_equal "succeeded|manual" "$(task_get "$tq" '"\(.state)|\(.trigger)"')" \
    "task that was queued behind the lost one"
test -s "$T/pid.$tq" || fail "the queued task $tq did not run after the restart"
exit 0
