#!/bin/bash
# SPDX-License-Identifier: ISC
# Queued work never changes identity.  A user's queued task takes the new
# definition when its owner redefines the job ("add --replace"), but when
# the job changes owner -- an admin's "add --replace", a reload that gives
# its name to a configuration job, or a configuration job that took the
# name while schedd was down -- the queued tasks are cancelled with "job
# replaced by another owner" instead of running as root.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-restart.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root to create a user"
add_user
chmod 755 "$T"
mkdir "$T/out"
chmod 777 "$T/out"
gate1=$(gate_cmd go1)
gate2=$(gate_cmd go2)
base="daemon:
  socket_mode: \"0666\"
  max_running: 1
jobs:
  blocker:
    command: |
      if [ ! -e $T/go1 ]; then $gate1; else $gate2; fi"
start_daemon "$base"


# The one slot is busy: whatever is run next stays queued.
must_succeed ctl run blocker
b1=$OUT
wait_for eval "[ \"\$(task_get $b1 .state)\" = running ]"

# Same owner: the queued task runs the definition it finds at its start.
must_succeed uctl add x --every 1h --shell -- "id -u >$T/out/x1"
must_succeed uctl run x
q1=$OUT
must_succeed uctl add x --replace --every 1h --shell -- "id -u >$T/out/x2"
touch "$T/go1"
wait_task "$b1" "$q1"
must_equal succeeded "$(task_get "$q1" .state)" "state of the queued task after its owner replaced the job"
[ ! -e "$T/out/x1" ] || fail "the queued task ran the definition it was queued with"
must_equal "$TUID" "$(cat "$T/out/x2")" "uid of the queued task that took the new definition"

# Another owner: an admin replaces the user's job while a task is queued.
must_succeed ctl run blocker
b2=$OUT
wait_for eval "[ \"\$(task_get $b2 .state)\" = running ]"
must_succeed uctl run x
q2=$OUT
must_equal queued "$(task_get "$q2" .state)" "state of the user's task behind the blocker"
must_succeed ctl add x --replace --every 1h --shell -- "id -u >$T/out/x3"
must_equal cancelled "$(task_get "$q2" .state)" "the user's queued task after an admin took the job"
must_equal "job replaced by another owner" "$(task_get "$q2" .error)" "error of the cancelled task"

# Another owner: a reload gives the name of the user's job to the
# configuration.
must_succeed uctl add y --every 1h --shell -- "id -u >$T/out/y"
must_succeed uctl run y
q3=$OUT
printf '%s\n  y:\n    command: "id -u >%s/out/yconf"\n    every: 1h\n' \
    "$base" "$T" >"$CONF"
must_succeed ctl reload
must_equal config "$(cj status y | jq -r .result.job.origin)" "origin of y after the reload"
must_equal cancelled "$(task_get "$q3" .state)" "the user's queued task after the configuration took the job"
must_equal "job replaced by another owner" "$(task_get "$q3" .error)" "error of the task cancelled by the reload"

# Another owner while schedd is down: a queued task survives a graceful
# restart, but not when the configuration defines its job meanwhile.
must_succeed uctl add z --every 1h --shell -- "id -u >$T/out/z"
must_succeed uctl run z
q4=$OUT
must_equal queued "$(task_get "$q4" .state)" "state of z's task before the restart"
ctl shutdown --force >/dev/null 2>&1
wait "$DPID"
DPID=
printf '%s\n  y:\n    command: "id -u >%s/out/yconf"\n    every: 1h\n  z:\n    command: "id -u >%s/out/zconf"\n    every: 1h\n' \
    "$base" "$T" "$T" >"$CONF"
restart_daemon
must_equal cancelled "$(task_get "$q4" .state)" "z's queued task after a restart that gave z to the configuration"
must_equal "job replaced by another owner" "$(task_get "$q4" .error)" "error of z's task"

touch "$T/go2"
must_succeed ctl run blocker
wait_task "$OUT"
for f in x3 y yconf z zconf; do
	[ ! -e "$T/out/$f" ] || fail "$f was written: a cancelled task ran"
done
exit 0
