#!/bin/bash
# SPDX-License-Identifier: ISC
# run JOB --env K=V -- ARG...: arguments follow a list command, or are $1...
# of a shell command ($0 stays /bin/sh); variables join the job's, with
# its rules (SCHEDD_* refused); both are kept in the record, also for a
# task still queued at a crash, and a retry gets them again; only the
# job's owner and admins may run.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-restart.sh"

gate=$(gate_cmd go)
start_daemon "daemon:
  socket_mode: \"0666\"
jobs:
  list:
    command: [\"printf\", \"%s|\"]
  shell:
    command: 'printf \"%s|\" \"\$0\" \"\$#\" \"\$@\" \"\$FOO\" \"\$BAR\"'
    env:
      FOO: job
      BAR: job
  gated:
    command: '$gate; printf \"%s|\" \"\$@\" \"\$X\"'
  flaky:
    command: 'printf \"%s|\" \"\$@\" \"\$X\"; exit 1'
    retries: 1
    retry_delay: 1s
"

out() { task_get "$1" .output; }

must_succeed ctl run list -- a 'b c' '$HOME'
id=$OUT
wait_task "$id"
must_equal 'a|b c|$HOME|' "$(out "$id")" "a list command with arguments"
must_equal '["a","b c","$HOME"]' "$(task_get "$id" '.args | tostring')" \
    "args in the record"
must_equal null "$(task_get "$id" .env)" "env in the record without --env"

must_succeed ctl run shell --env FOO=run --env 'Z=1 2' -- x 'y z'
id=$OUT
wait_task "$id"
must_equal '/bin/sh|2|x|y z|run|job|' "$(out "$id")" \
    "a shell command with arguments and variables"
must_equal '{"FOO":"run","Z":"1 2"}' "$(task_get "$id" '.env | tostring')" \
    "env in the record"

# Without either, as before.
must_succeed ctl run shell
id=$OUT
wait_task "$id"
must_equal '/bin/sh|0|job|job|' "$(out "$id")" "a run without parameters"
must_equal null "$(task_get "$id" .args)" "args in the record without any"

# Bad variables and arguments change nothing.
n=$(cj history shell | jq '.result.tasks | length')
for env in '{"SCHEDD_JOB":"x"}' '{"1A":"x"}' '{"A":["x"]}' '[]'; do
	a=$(raw "{\"cmd\":\"run\",\"name\":\"shell\",\"env\":$env}")
	must_equal bad_request "$(json_get "$a" .error.code)" "run with env $env"
done
must_match 'SCHEDD_\* variables' "$(raw '{"cmd":"run","name":"shell","env":{"SCHEDD_X":"1"}}' |
    jq -r .error.message)" "the message for a SCHEDD_ variable"
for args in '[1]' '["a\u0000b"]' '"a"'; do
	a=$(raw "{\"cmd\":\"run\",\"name\":\"shell\",\"args\":$args}")
	must_equal bad_request "$(json_get "$a" .error.code)" "run with args $args"
done
must_fail ctl run shell --env SCHEDD_X=1
must_equal "$n" "$(cj history shell | jq '.result.tasks | length')" \
    "tasks after the refused runs"

# A queued task keeps its parameters across a crash.
must_succeed ctl run gated -- first
first=$OUT
must_succeed ctl run gated --env X=x -- second
second=$OUT
must_equal queued "$(task_get "$second" .state)" "the second task waits"
kill9_daemon
restart_daemon
touch "$T/go"
wait_task "$second"
must_equal 'second|x|' "$(out "$second")" "a queued task's parameters after a crash"
must_equal lost "$(task_get "$first" .state)" "the running task"

# A retry has the failed attempt's parameters, across a crash too (once
# the planned retry is saved).
must_succeed ctl run flaky --env X=x -- a
id=$OUT
wait_task "$id"
wait_for grep -q '"at_ms":[0-9]*,"args":\["a"\]' "$STATE/journal"
kill9_daemon
restart_daemon
nflaky() { [ "$(cj history flaky | jq '.result.tasks | length')" -ge 2 ]; }
wait_for nflaky
r=$(cj history flaky | jq '.result.tasks[0].id')
wait_task "$r"
must_equal 'retry a|x|' "$(task_get "$r" .trigger) $(out "$r")" \
    "a retry's trigger and output"

# Only the job's owner and admins.
if [ "$(id -u)" -eq 0 ]; then
	add_user
	chmod 755 "$T"
	must_equal permission_denied \
	    "$(uraw_code '{"cmd":"run","name":"list","args":["x"]}')" \
	    "a user running root's job with arguments"
	# A user's own job: the parameters are bounded by max_job_size.
	must_equal ok "$(uraw_code '{"cmd":"add","job":{"name":"mine","command":["true"],"at":"2999-01-01T00:00:00Z"}}')" \
	    "the user adds a job"
	big=$(head -c 70000 /dev/zero | tr '\0' x)
	must_equal too_large \
	    "$(uraw_code "{\"cmd\":\"run\",\"name\":\"mine\",\"args\":[\"$big\"]}")" \
	    "a user's run with 70000 bytes of arguments"
	must_equal ok \
	    "$(uraw_code '{"cmd":"run","name":"mine","args":["x"],"env":{"A":"b"}}')" \
	    "a user's run of their job"
fi
exit 0
