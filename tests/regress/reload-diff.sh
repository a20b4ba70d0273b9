#!/bin/bash
# SPDX-License-Identifier: ISC
# Reload applies the difference by job name: an unchanged job
# keeps its next run time exactly and its queue; a removed job is gone, its
# queued task cancelled and its running task left to finish; a changed job
# takes the new definition from its next task on (the running one finishes
# as it was); a new job is added; a config job of the same name replaces a
# runtime job (with a warning in the log).  Runtime jobs, bans and history
# are untouched.  "reload --dry-run" reports the same lists and applies
# nothing; subscribers see config.reloaded.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-restart.sh"

# Task commands wait for their own gate file $T/go.ID.
gate="$(gate_cmd 'go.$SCHEDD_TASK_ID')"
conf1="jobs:
  keep:
    command: |
      echo keep
      $gate
    cron: \"0 0 1 1 *\"
  keep2:
    command: [\"true\"]
    every: 1h
    jitter: 10m
  gone:
    command: |
      echo gone
      $gate
  chg:
    command: |
      echo old
      $gate
"
conf2="jobs:
  keep:
    command: |
      echo keep
      $gate
    cron: \"0 0 1 1 *\"
  keep2:
    command: [\"true\"]
    every: 1h
    jitter: 10m
  chg:
    command: |
      echo new
      $gate
  new:
    command: [\"true\"]
    every: 2h
  rt:
    command: [\"echo\", \"from-config\"]
"
start_daemon "$conf1"
watch_to "$T/ev"

# Runtime jobs, a ban, history, queues.
must_succeed ctl add rt --every 1h -- echo from-runtime
must_succeed ctl add rt2 --every 3h --tag mine -- echo rt2
must_succeed ctl ban 'old-*' --reason "kept across reloads"
must_succeed ctl run chg
c_done=$OUT
touch "$T/go.$c_done"
wait_task "$c_done"
must_succeed ctl run chg
c_run=$OUT
must_succeed ctl run keep
k_run=$OUT
must_succeed ctl run keep
k_queued=$OUT
must_succeed ctl run gone
g_run=$OUT
must_succeed ctl run gone
g_queued=$OUT
for id in $c_run $k_run $g_run; do
	wait_for grep -q "\"event\": *\"task.started\".*\"task\": *$id[,}]" "$T/ev"
done

snapshot()
{
	{
		raw '{"cmd":"job","name":"keep"}' | jq -c '.result.job | {next_run, running, queued, runs}'
		raw '{"cmd":"job","name":"keep2"}' | jq -c '.result.job | {next_run, definition}'
		raw '{"cmd":"job","name":"rt2"}' | jq -c '.result.job | {origin, next_run, definition}'
		raw '{"cmd":"bans"}' | jq -c .result
		raw '{"cmd":"history","name":"chg"}' | jq -c '[.result.tasks[] | select(.id == '"$c_done"')]'
		raw '{"cmd":"history","name":"keep"}' | jq -c '[.result.tasks[] | {id, state}]'
	} >"$1"
}
snapshot "$T/before"
must_match '"next_run":"' "$(head -n 1 "$T/before")" "next_run of keep"

# --- Dry run: the lists, nothing applied.
printf '%s\n' "$conf2" >"$CONF"
lists='"added=\(.added | sort | join(","));removed=\(.removed | sort | join(","));changed=\(.changed | sort | join(","))"'
want="added=new,rt;removed=gone;changed=chg"
dry=$(cj reload --dry-run)
must_equal true "$(json_get "$dry" .ok)" "reload --dry-run answer: $dry"
must_equal "$want" "$(json_get "$dry" ".result | $lists")" "reload --dry-run lists"
must_succeed ctl reload --dry-run
must_match 'dry run' "$OUT" "schedctl reload --dry-run output"
must_equal "gone|runtime|not_found" \
    "$(raw '{"cmd":"job","name":"gone"}' | jq -r .result.job.name)|$(raw '{"cmd":"job","name":"rt"}' | jq -r .result.job.origin)|$(raw '{"cmd":"job","name":"new"}' | jq -r .error.code)" \
    "gone still there | rt still runtime | new not there, after the dry run"
must_equal queued "$(task_get "$g_queued" .state)" "gone's queued task after the dry run"
snapshot "$T/after-dry"
must_equal "$(cat "$T/before")" "$(cat "$T/after-dry")" "state after reload --dry-run"
grep -q '"event": *"config.reloaded"' "$T/ev" &&
    fail "reload --dry-run sent config.reloaded"

# --- The reload.
res=$(cj reload)
must_equal true "$(json_get "$res" .ok)" "reload answer: $res"
must_equal "$want" "$(json_get "$res" ".result | $lists")" "reload lists"
wait_for grep -q '"event": *"config.reloaded"' "$T/ev"
must_equal "$want" \
    "$(grep '"event": *"config.reloaded"' "$T/ev" | head -n 1 | jq -r "$lists")" \
    "lists in the config.reloaded event"

# Unchanged: next run, queue, running task, history as they were; runtime
# jobs, bans, history untouched.
snapshot "$T/after"
must_equal "$(cat "$T/before")" "$(cat "$T/after")" \
    "unchanged jobs, runtime job, bans and history after the reload"

# Removed: gone is no more, its queued task was cancelled, its running task
# goes on and finishes (not stopped).
must_equal not_found "$(raw '{"cmd":"job","name":"gone"}' | jq -r .error.code)" "job gone after the reload"
wait_for grep -q "\"event\": *\"task.finished\".*\"task\": *$g_queued[,}]" "$T/ev"
must_equal cancelled \
    "$(grep '"task.finished"' "$T/ev" | jq -r "select(.task == $g_queued) | .state")" \
    "state of gone's queued task after the reload"
proc=$(tagged_pids "$g_run")
[ -z "$(grep '"task.finished"' "$T/ev" | jq -r "select(.task == $g_run) | .state")" ] ||
    fail "gone's running task $g_run ended at the reload"
touch "$T/go.$g_run"
wait_for grep -q "\"event\": *\"task.finished\".*\"task\": *$g_run[,}]" "$T/ev"
must_equal succeeded \
    "$(grep '"task.finished"' "$T/ev" | jq -r "select(.task == $g_run) | .state")" \
    "state of gone's running task, let finish after the reload"

# Changed: the running task finishes as it was, the next one is new.
touch "$T/go.$c_run"
wait_task "$c_run"
must_equal "succeeded|old" "$(task_get "$c_run" '"\(.state)|\(.output | rtrimstr("\n"))"')" \
    "chg's task that was running at the reload"
must_succeed ctl run chg
c_new=$OUT
touch "$T/go.$c_new"
wait_task "$c_new"
must_equal "succeeded|new" "$(task_get "$c_new" '"\(.state)|\(.output | rtrimstr("\n"))"')" \
    "chg's first task after the reload"

# Added, and the config job that replaced the runtime one.
must_equal "config|every 2h" "$(raw '{"cmd":"job","name":"new"}' | jq -r '.result.job | "\(.origin)|\(.schedule)"')" \
    "job new after the reload"
must_equal "config|null" "$(raw '{"cmd":"job","name":"rt"}' | jq -r '.result.job | "\(.origin)|\(.schedule)"')" \
    "job rt after the reload (the config one)"
must_succeed ctl run rt
wait_task "$OUT"
must_equal "from-config" "$(task_get "$OUT" '.output | rtrimstr("\n")')" "output of rt after the reload"
grep -i 'warn' "$LOG" | grep -q 'rt' ||
    fail "no warning in the log about the config job rt replacing the runtime one"

# keep's queue runs on.
touch "$T/go.$k_run" "$T/go.$k_queued"
wait_task "$k_run" "$k_queued"
must_equal "succeeded succeeded" "$(task_get "$k_run" .state) $(task_get "$k_queued" .state)" \
    "keep's tasks, running and queued across the reload"
exit 0
