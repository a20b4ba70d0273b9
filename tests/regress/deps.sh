#!/bin/bash
# SPDX-License-Identifier: ISC
# run/add --after ID: a task waits (queued, shown "waiting") until its
# dependencies succeeded, holding no slot and letting the other tasks of
# its job pass; a dependency that ends otherwise cancels it, and its own
# waiters in turn; unknown, unsuccessful or foreign dependencies are
# refused and change nothing.
. "$(dirname "$0")/lib.sh"

gate_a=$(gate_cmd a)
gate_b=$(gate_cmd b)
gate_c=$(gate_cmd c)
start_daemon "daemon:
  socket_mode: \"0666\"
  max_running: 2
jobs:
  first:
    command: '$gate_a'
  failing:
    command: '$gate_b; exit 3'
  held:
    command: '$gate_c'
  dep:
    command: 'echo dep'
  ok:
    command: 'echo ok'
"

state() { task_get "$1" '.state + " " + (.waiting | tostring)'; }
ntasks() { cj history -n 1000 | jq '.result.tasks | length'; }

# A chain: first <- dep (B) <- ok (F).
run_task a first
run_task b dep --after "$a"
run_task f ok --after "$b"
must_equal "queued true" "$(state "$b")" "a task waiting for a running one"
must_equal "[$a]" "$(task_get "$b" '.after | tostring')" "after in the record"
must_match "^ *$b +dep +waiting " "$(ctl history dep)" "history shows waiting"
must_match 'state: +waiting' "$(ctl status "$b")" "status ID shows waiting"
must_match "after: +$a\$" "$(ctl status "$b")" "status ID shows after"
must_equal "1 1" "$(cj status dep | jq -r '.result.job | "\(.queued) \(.waiting)"')" \
    "the job's queued and waiting counts"
must_match '^dep +.* waiting' "$(ctl jobs dep | tail -n 1)" \
    "jobs shows a job whose queued tasks all wait"
must_match 'tasks: +0 running, 1 queued \(1 waiting\)' "$(ctl status dep)" \
    "status JOB shows the waiting tasks"

# The waiting task holds neither the job's slot (concurrency 1) nor a
# global one (max_running 2, one taken by the running dependency): a
# later task of its job starts and ends while it waits.
run_task c dep
wait_task "$c"
must_equal "succeeded false" "$(state "$c")" "a later task of the job"
must_equal "queued true" "$(state "$b")" "still waiting"
must_equal "queued true" "$(state "$f")" "waiting for a waiting task"

touch "$T/a"
wait_task "$f"
for id in "$a" "$b" "$f"; do
	must_equal "succeeded false" "$(state "$id")" "task $id of the chain"
done
# Released in chain order, each after what it waited for.
must_equal true "$(jq -n --arg a "$(task_get "$a" .finished_at)" \
    --arg b "$(task_get "$b" .started_at)" '$a <= $b')" \
    "the waiter started after its dependency ended"

# A dependency that already succeeded is satisfied at once.
run_task id ok --after "$a" --after "$b"
wait_task "$id"
must_equal "succeeded false" "$(state "$id")" "after succeeded tasks"
must_equal "[$a,$b]" "$(task_get "$id" '.after | tostring')" \
    "after with two ids"

# A failure cancels the waiter, and its waiter in turn.
run_task g failing
run_task h dep --after "$g"
run_task i ok --after "$h"
touch "$T/b"
wait_task "$i"
must_equal failed "$(task_get "$g" .state)" "the failing dependency"
must_equal "cancelled|dependency $g failed" \
    "$(task_get "$h" '.state + "|" + .error')" "a failed dependency"
must_equal "cancelled|dependency $h was cancelled" \
    "$(task_get "$i" '.state + "|" + .error')" "a cancelled dependency"

# A stopped one too; a waiting task cancelled by hand waits no more.
run_task j held
run_task k ok --after "$j"
run_task l ok --after "$j"
must_succeed ctl cancel "$l"
must_equal "cancelled false" "$(state "$l")" "a waiting task cancelled"
must_succeed ctl stop "$j"
wait_task "$k"
must_equal "cancelled|dependency $j was stopped" \
    "$(task_get "$k" '.state + "|" + .error')" "a stopped dependency"
must_equal null "$(task_get "$l" .error)" "the cancelled one is left alone"

# Refused, changing nothing.
n=$(ntasks)
must_exit 1 ctl run ok --after 999999
must_match 'no task 999999' "$OUT" "an unknown dependency"
must_equal not_found "$(raw_code '{"cmd":"run","name":"ok","after":[999999]}')" \
    "an unknown dependency's code"
must_equal bad_request "$(raw_code "{\"cmd\":\"run\",\"name\":\"ok\",\"after\":[$g]}")" \
    "a failed dependency"
must_equal bad_request "$(raw_code "{\"cmd\":\"run\",\"name\":\"ok\",\"after\":[$h]}")" \
    "a cancelled dependency"
for v in '"1"' 0 -1 1.5 null '[1]'; do
	must_equal bad_request \
	    "$(raw_code "{\"cmd\":\"run\",\"name\":\"ok\",\"after\":[$v]}")" \
	    "after: [$v]"
done
must_equal bad_request "$(raw_code '{"cmd":"run","name":"ok","after":3}')" \
    "after not a list"
must_exit 2 ctl run ok --after x
must_exit 1 ctl add late --every 1h --after "$a" -- true
must_match 'after' "$OUT" "after on a job with a schedule"
must_exit 1 ctl add adhoc --after "$g" -- true
must_equal "$n" "$(ntasks)" "tasks after refused submits"
must_equal "" "$(cj jobs | jq -r '.result.jobs[].name' |
    grep -E '^(late|adhoc)$')" "jobs after refused adds"

# add: the ad-hoc task of a job without a schedule waits as well.
run_task m held
must_succeed ctl add adhoc --after "$m" -- echo adhoc
p=$(cj history adhoc | jq -r '.result.tasks[0].id')
must_equal "queued true" "$(state "$p")" "an ad-hoc task waiting"
touch "$T/c"
wait_task "$p"
must_equal "succeeded" "$(task_get "$p" .state)" "the ad-hoc task"

# Users name only tasks of their own.
if [ "$(id -u)" -eq 0 ]; then
	add_user
	chmod 755 "$T"
	must_equal ok "$(uraw_code '{"cmd":"add","job":{"name":"mine","command":["true"]},"run":false}')" \
	    "the user adds a job"
	n=$(ntasks)
	must_equal permission_denied \
	    "$(uraw_code "{\"cmd\":\"run\",\"name\":\"mine\",\"after\":[$a]}")" \
	    "a user naming root's task"
	must_equal "$n" "$(ntasks)" "tasks after a refused user's run"
	must_succeed uctl run mine
	q=$OUT
	wait_task "$q"
	must_succeed uctl run mine --after "$q" --wait
fi
exit 0
