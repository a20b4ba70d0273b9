#!/bin/bash
# SPDX-License-Identifier: ISC
# Hooks: on_failure / on_success queue the named jobs (trigger "hook")
# with SCHEDD_HOOK_* in their environment; the daemon's on_failure is the
# default for jobs that set none (on_failure: [] sets none); a hook task's
# end starts no hook.  Unknown hook jobs are configuration errors; at run
# time a user may name only their own jobs.  A task lost in a crash
# starts its failure hooks at the next start.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-restart.sh"

hook_cmd() { echo "env | grep ^SCHEDD_HOOK_ | sort >$T/$1.tmp; mv $T/$1.tmp $T/$1.\$SCHEDD_HOOK_TASK_ID"; }
ntasks() { cj history "$1" | jq '.result.tasks | length'; }

# Configuration errors: a bad name; a hook job, or the daemon's, that
# does not exist (reported once the names are good).
check_bad() {
	printf 'daemon:\n  on_failure: [nomail]\njobs:\n  a:\n    command: ["true"]\n    on_success: [nojob]\n%s\n' \
	    "$1" >"$T/bad.yaml"
	out=$("$SCHEDD" -t -c "$T/bad.yaml" 2>&1)
	must_equal 1 "$?" "exit status of schedd -t on bad hooks"
}
check_bad '    on_failure: ["bad name"]'
must_match 'bad job name "bad name"' "$out" "schedd -t: a bad hook name"
check_bad ''
must_match 'daemon.on_failure: no job "nomail"' "$out" "schedd -t: daemon key"
must_match 'bad.yaml:4:3: job "a": on_success: no job "nojob"' "$out" \
    "schedd -t: job key"

[ "$(id -u)" -eq 0 ] && add_user
chmod 755 "$T"
start_daemon "daemon:
  socket_mode: \"0666\"
  on_failure: [mail]
jobs:
  mail:
    command: '$(hook_cmd mail); exit 1'
    retries: 1
  notify:
    command: '$(hook_cmd notify)'
  bad:
    command: 'echo oops; exit 3'
    on_failure: [notify]
    on_success: [notify]
  good:
    command: [\"true\"]
    on_success: [notify]
  quiet:
    command: [\"false\"]
    on_failure: []
  dflt:
    command: [\"false\"]
  slow:
    command: 'touch $T/slow.started; sleep 30'
"
watch_to "$T/ev" hook.queued

# A failure: the hook sees the task, its state, exit code and log.
id=$(cj run bad | jq .result.task)
first=$id
wait_for test -e "$T/notify.$id"
log=$(task_get "$id" .log)
must_equal "SCHEDD_HOOK_EXIT_CODE=3
SCHEDD_HOOK_JOB=bad
SCHEDD_HOOK_LOG=$log
SCHEDD_HOOK_RESULT=
SCHEDD_HOOK_SIGNAL=
SCHEDD_HOOK_STATE=failed
SCHEDD_HOOK_TASK_ID=$id" "$(cat "$T/notify.$id")" "hook environment"
must_equal oops "$(cat "$log")" "the log the hook is told about"
h=$(cj history notify | jq -c '.result.tasks[0]')
must_equal hook "$(json_get "$h" .trigger)" "trigger of the hook task"
must_equal "$id" "$(json_get "$h" '.env.SCHEDD_HOOK_TASK_ID')" \
    "the hook task's record keeps its variables"
wait_for grep -q '"hook.queued"' "$T/ev"
must_equal "$(json_get "$h" .id) notify $id bad failed" \
    "$(jq -r 'select(.event == "hook.queued") |
    "\(.task) \(.job) \(.hook_task) \(.hook_job) \(.hook_state)"' "$T/ev" |
    head -n 1)" \
    "the hook.queued event"

# A success: on_success only.
id=$(cj run good | jq .result.task)
wait_for test -e "$T/notify.$id"
must_match 'SCHEDD_HOOK_STATE=succeeded' "$(cat "$T/notify.$id")" \
    "on_success hook"

# The daemon's default, for a job that sets no on_failure; the hook fails
# in turn, and so does its retry, which starts nothing (neither a hook
# task nor its retry queues hooks; one would be queued at its end).
id=$(cj run dflt | jq .result.task)
wait_for test -e "$T/mail.$id"
nmail() { [ "$(ntasks mail)" -ge 2 ]; }
wait_for nmail
hid=$(cj history mail | jq '.result.tasks[0].id')
wait_task "$hid"
must_equal "retry failed" "$(task_get "$hid" '"\(.trigger) \(.state)"')" \
    "the hook's retry"
must_equal "$id" "$(task_get "$hid" .env.SCHEDD_HOOK_TASK_ID)" \
    "the hook's retry keeps its variables"
must_equal 2 "$(ntasks mail)" "tasks of mail after its own failures"

# on_failure: [] opts out of the default.
id=$(cj run quiet | jq .result.task)
wait_task "$id"
must_equal 2 "$(ntasks mail)" "tasks of mail after quiet failed"
must_equal 2 "$(ntasks notify)" "tasks of notify"

# A timeout is a failure too; a stopped task is not.
id=$(cj run slow | jq .result.task)
wait_for test -e "$T/slow.started"
must_succeed ctl stop "$id"
wait_task "$id"
must_equal 2 "$(ntasks mail)" "tasks of mail after a stop"

# Runtime jobs: an unknown hook job is refused; an admin may name any job.
a=$(raw '{"cmd":"add","job":{"name":"r1","command":["true"],"on_failure":["nosuch"]}}')
must_equal not_found "$(json_get "$a" .error.code)" "add with an unknown hook"
must_equal not_found "$(raw '{"cmd":"job","name":"r1"}' | jq -r .error.code)" \
    "r1 not added"
a=$(cj add r2 --on-failure notify -- false)
must_equal true "$(json_get "$a" .ok)" "an admin's job naming a config job"
id=$(json_get "$a" .result.task)
wait_for test -e "$T/notify.$id"
must_equal '["notify"]' "$(cj status r2 | jq -c .result.job.definition.on_failure)" \
    "on_failure in the definition"
must_equal '["mail"]' "$(cj status dflt | jq -c .result.job.definition.on_failure)" \
    "the daemon's on_failure in a job's effective definition"

if [ -n "${TUSER:-}" ]; then
	mkdir "$T/u" && chown "$TUSER" "$T/u"
	uraw() { as_user "$TUSER" "$PYTHON" "$T/raw.py" "$SOCK" 20 "$@"; }
	# Not the user's: a configuration job, or an admin's runtime job.
	for h in notify r2; do
		a=$(uraw "{\"cmd\":\"add\",\"job\":{\"name\":\"u1\",\"command\":[\"false\"],\"on_failure\":[\"$h\"]}}")
		must_equal permission_denied "$(json_get "$a" .error.code)" \
		    "a user's job naming $h"
	done
	# Their own job is fine.
	a=$(uraw "{\"cmd\":\"add\",\"job\":{\"name\":\"uhook\",\"command\":\"id -u >$T/u/uhook.\$SCHEDD_HOOK_TASK_ID\",\"at\":\"2999-01-01T00:00:00Z\"}}")
	must_equal true "$(json_get "$a" .ok)" "a user's hook job"
	a=$(uraw "{\"cmd\":\"add\",\"job\":{\"name\":\"u2\",\"command\":[\"false\"],\"on_failure\":[\"uhook\"]}}")
	must_equal true "$(json_get "$a" .ok)" "a user's job naming their own"
	id=$(json_get "$a" .result.task)
	wait_for test -e "$T/u/uhook.$id"
	must_equal "$TUID" "$(cat "$T/u/uhook.$id")" \
	    "the user's hook runs as the user"
	# The daemon's default applies to users' jobs too (the admin's choice).
	a=$(uraw '{"cmd":"add","job":{"name":"u3","command":["false"]}}')
	id=$(json_get "$a" .result.task)
	wait_for test -e "$T/mail.$id"
fi

# A task lost in a crash starts its failure hooks at the next start.
rm -f "$T/slow.started"
id=$(cj run slow | jq .result.task)
wait_for test -e "$T/slow.started"
kill9_daemon
restart_daemon
wait_for test -e "$T/mail.$id"
must_match 'SCHEDD_HOOK_STATE=lost' "$(cat "$T/mail.$id")" "hook of a lost task"
# The hook tasks' variables were saved with their records.
must_equal "$first" "$(cj history notify |
    jq -r '.result.tasks[-1].env.SCHEDD_HOOK_TASK_ID')" \
    "a hook task's variables after a restart"

# A reload takes the daemon's new on_failure.
sed -i 's/^  on_failure: \[mail\]$/  on_failure: [notify]/' "$CONF"
must_succeed ctl reload
id=$(cj run dflt | jq .result.task)
wait_for test -e "$T/notify.$id"
exit 0
