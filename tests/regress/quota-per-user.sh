#!/bin/bash
# SPDX-License-Identifier: ISC
# Quotas for users who are not admins: runtime jobs per uid
# (max_jobs_per_user), queued tasks per uid (max_queued_per_user) and the
# size of a definition (max_job_size; description at most 1 KiB).  Beyond
# them: quota_exceeded or too_large with the limit in the message, and
# nothing changes.  Admins are not bound by them.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root to create a user"
add_user
chmod 755 "$T"
gate=$(gate_cmd go)
start_daemon "daemon:
  socket_mode: \"0666\"
  max_running: 1
  max_jobs_per_user: 3
  max_queued_per_user: 2
  max_job_size: 2KiB
jobs:
  blocker:
    command: |
      $gate"

ujson()
{
	as_user "$TUSER" "$SCHEDCTL" -s "$SOCK" --json "$@" 2>/dev/null
}
uraw()
{
	as_user "$TUSER" "$PYTHON" "$T/raw.py" "$SOCK" 20 "$@"
}

must_equal 3 "$(cj get max_jobs_per_user | jq .result.settings.max_jobs_per_user)" "max_jobs_per_user setting"
must_succeed ctl run blocker
b=$OUT
wait_for eval "[ \"\$(task_get $b .state)\" = running ]"

# Jobs per user.
for n in 1 2 3; do
	must_succeed uctl add "j$n" --every 1h -- true
done
ans=$(ujson add j4 --every 1h -- true)
must_equal quota_exceeded "$(json_get "$ans" .error.code)" "a fourth job of the user"
must_match 'max_jobs_per_user 3' "$(json_get "$ans" .error.message)" "message of the job quota"
must_equal not_found "$(raw_code '{"cmd":"job","name":"j4"}')" "job j4 after the refusal"
# Redefining one's own job is not one more; removing one frees a place.
must_succeed uctl add j3 --replace --every 2h -- true
must_succeed uctl remove j3
must_succeed uctl add j4 --every 1h -- true
# An admin is not bound.
for n in 1 2 3 4; do
	must_succeed ctl add "r$n" --every 1h -- true
done

# Queued tasks per user.
must_succeed uctl run j1
q1=$OUT
must_succeed uctl run j2
ans=$(ujson run j1)
must_equal quota_exceeded "$(json_get "$ans" .error.code)" "a third queued task of the user"
must_match 'max_queued_per_user 2' "$(json_get "$ans" .error.message)" "message of the queue quota"
must_succeed ctl run r1		# an admin is not bound
must_succeed uctl cancel "$q1"
must_succeed uctl run j1	# a cancelled task gave its place back

# The size of a definition.
big=$(head -c 3000 /dev/zero | tr '\0' x)
ans=$(uraw "{\"cmd\":\"add\",\"job\":{\"name\":\"big\",\"command\":[\"true\"],\"every\":\"1h\",\"env\":{\"X\":\"$big\"}}}")
must_equal too_large "$(json_get "$ans" .error.code)" "a definition over max_job_size"
must_match 'max_job_size 2048' "$(json_get "$ans" .error.message)" "message of the size limit"
desc=$(head -c 1100 /dev/zero | tr '\0' d)
ans=$(uraw "{\"cmd\":\"add\",\"job\":{\"name\":\"desc\",\"command\":[\"true\"],\"every\":\"1h\",\"description\":\"$desc\"}}")
must_equal too_large "$(json_get "$ans" .error.code)" "a description over 1 KiB"
must_match 'description' "$(json_get "$ans" .error.message)" "message of the description limit"
must_equal not_found "$(raw_code '{"cmd":"job","name":"big"}')" "job big after the refusal"
must_equal not_found "$(raw_code '{"cmd":"job","name":"desc"}')" "job desc after the refusal"

touch "$T/go"
exit 0
