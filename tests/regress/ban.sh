#!/bin/bash
# SPDX-License-Identifier: ISC
# ban NAME|GLOB: queued tasks of matching jobs are cancelled at once,
# running ones go on (unless --stop), run/add of a matching name is refused
# with "banned"; bans lists the entry; unban lifts it.
. "$(dirname "$0")/lib.sh"

gate=$(gate_cmd go)
start_daemon "jobs:
  bk-a:
    command: |
      echo ran >$T/ran.\$SCHEDD_TASK_ID
      $gate
  bk-b:
    command: |
      echo ran >$T/ran.\$SCHEDD_TASK_ID
      $gate
  keep:
    command: [\"true\"]
"

must_succeed ctl run bk-a
a1=$OUT
must_succeed ctl run bk-a
a2=$OUT
must_succeed ctl run bk-b
b1=$OUT
must_succeed ctl run bk-b
b2=$OUT
wait_for test -e "$T/ran.$a1"
wait_for test -e "$T/ran.$b1"

ans=$(cj ban 'bk-*' --reason "testing bans")
must_equal true "$(json_get "$ans" .ok)" "ban answer ok: $ans"
must_equal "[$a2,$b2]" "$(json_get "$ans" '.result.cancelled | sort | tojson')" "cancelled by the ban"
must_equal "[]" "$(json_get "$ans" '.result.stopped | tojson')" "stopped by the ban"
must_equal "bk-*" "$(json_get "$ans" .result.ban.name)" "name of the ban entry"
for t in $a2 $b2; do
	must_equal cancelled "$(task_get "$t" .state)" "state of queued task $t after ban"
done
for t in $a1 $b1; do
	must_equal running "$(task_get "$t" .state)" "state of running task $t after ban"
done

# Refused while banned: run and add of matching names.
must_exit 1 ctl run bk-a
must_match banned "$OUT" "run bk-a while banned"
must_equal banned "$(raw_code '{"cmd":"run","name":"bk-b"}')" "raw run bk-b while banned"
must_exit 1 ctl add bk-new -- true
must_match banned "$OUT" "add bk-new while banned"
must_equal not_found "$(raw_code '{"cmd":"job","name":"bk-new"}')" "job refused by ban exists"
must_succeed ctl run keep --wait

# The ban list.
b=$(cj bans)
must_equal 1 "$(json_get "$b" '.result.bans | length')" "number of bans"
must_equal "bk-*|testing bans|false|0" \
    "$(json_get "$b" '.result.bans[0] | "\(.name)|\(.reason)|\(.auto)|\(.by)"')" \
    "ban entry (name|reason|auto|by)"
must_match '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' "$(json_get "$b" '.result.bans[0].since')" "since of the ban"
must_equal true "$(cj status bk-a | jq -r .result.job.banned)" "banned flag of job bk-a"
must_succeed ctl bans
must_match 'bk-\*' "$OUT" "schedctl bans lists the pattern"

# unban lifts it.
ans=$(cj unban 'bk-*')
must_equal "bk-*" "$(json_get "$ans" .result.ban.name)" "unban answer"
must_equal 0 "$(cj bans | jq '.result.bans | length')" "number of bans after unban"
must_equal not_found "$(raw_code '{"cmd":"unban","name":"bk-*"}')" "second unban"
must_succeed ctl run bk-a
a3=$OUT
must_equal queued "$(task_get "$a3" .state)" "state of a run after unban"

# ban --stop also stops the running task of a matching job.
ans=$(cj ban bk-b --stop)
must_equal "[$b1]" "$(json_get "$ans" '.result.stopped | tojson')" "stopped by ban --stop"
wait_task "$b1"
must_equal stopped "$(task_get "$b1" .state)" "state of $b1 after ban --stop"
must_equal running "$(task_get "$a1" .state)" "bk-a is not affected by ban bk-b"

touch "$T/go"
must_succeed ctl wait "$a1" "$a3"
for t in $a2 $b2; do
	[ -e "$T/ran.$t" ] && fail "task $t cancelled by the ban ran"
done
exit 0
