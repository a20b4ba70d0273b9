#!/bin/bash
# SPDX-License-Identifier: ISC
# A user who is not an admin: can add jobs (they run as that user), run,
# stop and remove its own; cannot ban, run root's jobs, or stop or cancel
# root's tasks.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root to create a user"
add_user
chmod 755 "$T"
gate=$(gate_cmd go)
start_daemon "daemon:
  socket_mode: \"0666\"
jobs:
  rootjob:
    command: |
      $gate
"

# ucode ARGS...: the error code of "schedctl --json ARGS" as the test user.
ucode()
{
	as_user "$TUSER" "$SCHEDCTL" -s "$SOCK" --json "$@" 2>/dev/null |
	    jq -r 'if .ok then "ok" else .error.code end'
}

must_equal false "$(as_user "$TUSER" "$PYTHON" "$T/raw.py" "$SOCK" 20 '{"cmd":"hello"}' | jq .result.admin)" "admin flag of $TUSER"

# An ad-hoc job of the user runs as the user (its home does not exist:
# the task starts in /).
must_exit 0 uctl add uid --wait -- id -u
t=$(cj history uid | jq -r '.result.tasks[0].id')
must_equal "$TUID" "$(task_get "$t" .output | tr -d '\n')" "output of id -u in the user's task"
must_equal "$TUID" "$(task_get "$t" .uid)" "uid of the user's task"
must_equal "$TUID" "$(cj status uid | jq .result.job.uid)" "owner of the user's job"

# Reading is allowed.
must_succeed uctl status
must_succeed uctl history

# Admin-only and root-owned things are refused.
must_exit 1 uctl ban uid
must_equal permission_denied "$(ucode ban uid)" "ban by the user"
must_equal 0 "$(cj bans | jq '.result.bans | length')" "bans after a refused ban"
must_exit 1 uctl run rootjob
must_equal permission_denied "$(ucode run rootjob)" "run of a root job by the user"

must_succeed ctl run rootjob
r1=$OUT
must_succeed ctl run rootjob
r2=$OUT
wait_for eval "[ \"\$(task_get $r1 .state)\" = running ]"
must_equal permission_denied "$(ucode stop "$r1")" "stop of root's task by the user"
must_equal permission_denied "$(ucode stop rootjob)" "stop of root's job by the user"
must_equal permission_denied "$(ucode cancel "$r2")" "cancel of root's task by the user"
must_equal permission_denied "$(ucode cancel rootjob)" "cancel of root's job by the user"
must_equal permission_denied "$(ucode remove rootjob)" "remove of root's job by the user"
must_equal "running queued" "$(task_get "$r1" .state) $(task_get "$r2" .state)" "root's tasks after the user's attempts"

# The user's own job: run, stop, remove.
must_succeed uctl add ulong --every 1h -- sleep 1000
must_succeed uctl run ulong
u1=$OUT
wait_for eval "[ \"\$(task_get $u1 .state)\" = running ]"
must_equal "$TUID" "$(ps -o uid= -p "$(task_get "$u1" .pid)" | tr -d ' ')" "uid of the user's running process"
must_equal ok "$(ucode stop "$u1")" "stop of its own task by the user"
wait_task "$u1"
must_equal stopped "$(task_get "$u1" .state)" "state of the user's stopped task"
must_succeed uctl remove ulong
must_equal not_found "$(raw_code '{"cmd":"job","name":"ulong"}')" "the user's removed job"

# A user's job never runs as anyone else: "user": "root" is refused, or
# ignored (then the task runs as the submitting user).
ans=$(as_user "$TUSER" "$PYTHON" "$T/raw.py" "$SOCK" 20 \
    '{"cmd":"add","job":{"name":"sneaky","workdir":"/","command":["id","-u"],"user":"root"}}')
if [ "$(json_get "$ans" .ok)" = true ]; then
	t=$(json_get "$ans" .result.task)
	wait_task "$t"
	must_equal "$TUID" "$(task_get "$t" .output | tr -d '\n')" "uid of a user's task that asked for root"
else
	must_equal permission_denied "$(json_get "$ans" .error.code)" "add with user root by the user"
	must_equal not_found "$(raw_code '{"cmd":"job","name":"sneaky"}')" "job sneaky"
fi

touch "$T/go"
must_succeed ctl wait "$r1" "$r2"
exit 0
