#!/bin/bash
# SPDX-License-Identifier: ISC
# Task results: a task writes the file SCHEDD_RESULT names; its content
# becomes the record's "result" (a JSON value if it parses, else a
# string), shown by "schedctl result" and "wait --result", kept across
# restarts and given to hooks in SCHEDD_HOOK_RESULT.  More than 64 KiB,
# or a file the task replaced (a symbolic link, a FIFO), is an error in
# "result_error" and leaves the task's state as it is.  A task running as
# another user can write its file but not replace it; files left by a
# crash are removed at the next start.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-restart.sh"

[ "$(id -u)" -eq 0 ] && add_user
chmod 755 "$T"
gate=$(gate_cmd go)
user_jobs=
[ -n "${TUSER:-}" ] && user_jobs="
  asuser:
    user: $TUSER
    command: 'id -u >\$SCHEDD_RESULT; rm -f \$SCHEDD_RESULT 2>/dev/null; ln -s /etc/passwd \$SCHEDD_RESULT.x 2>/dev/null; stat -c %U \$SCHEDD_RESULT'"
start_daemon "jobs:
  obj:
    command: 'printf \"{\\n  \\\"a\\\": [1, 2],\\n  \\\"f\\\": 0.1\\n}\\n\" >\$SCHEDD_RESULT'
  nul:
    command: 'echo null >\$SCHEDD_RESULT'
  num:
    command: 'echo 42 >\$SCHEDD_RESULT; exit 3'
  text:
    command: 'printf \"two\\nlines\" >\$SCHEDD_RESULT'
  none:
    command: [\"true\"]
  path:
    command: 'echo \$SCHEDD_RESULT'
  exact:
    command: 'head -c 65536 /dev/zero | tr \"\\\\000\" x >\$SCHEDD_RESULT'
  big:
    command: 'head -c 65537 /dev/zero | tr \"\\\\000\" x >\$SCHEDD_RESULT'
  huge:
    command: 'truncate -s 10G \$SCHEDD_RESULT'
  link:
    command: 'rm \$SCHEDD_RESULT && ln -s /etc/passwd \$SCHEDD_RESULT'
  fifo:
    command: 'rm \$SCHEDD_RESULT && mkfifo \$SCHEDD_RESULT'
  hooked:
    command: 'echo \"{\\\"why\\\": \\\"disk\\\"}\" >\$SCHEDD_RESULT; exit 1'
    on_failure: [report]
  strhook:
    command: 'echo broken >\$SCHEDD_RESULT; exit 1'
    on_failure: [report]
  report:
    command: 'printf %s \"\$SCHEDD_HOOK_RESULT\" >$T/hook.\$SCHEDD_HOOK_TASK_ID'
  slow:
    env: {REGRESS_DIR: $T}
    command: 'echo partial >\$SCHEDD_RESULT; $gate'$user_jobs
"

# JSON values (kept as written, on one line), a string, nothing; the
# state is the task's own.
id=$(ctl run obj)
must_equal '{"a":[1,2],"f":0.1}' "$(ctl wait --result "$id")" "wait --result of a JSON object"
must_equal '{"a":[1,2],"f":0.1}' "$(ctl result "$id")" "result of a JSON object"
must_equal '{"a":[1,2],"f":0.1}' "$(task_get "$id" '.result | tojson')" "record's result"
must_equal 1 "$(cj result "$id" | jq '.result.task.result.a[0]')" "result in --json"
must_match 'result: +\{"a":\[1,2\],"f":0\.1\}' "$(ctl status "$id")" \
    "status ID shows the result"
id=$(ctl run num)
must_exit 3 ctl wait --result "$id"
must_equal 42 "$(ctl wait --result "$id")" "a number"
must_equal number "$(task_get "$id" '.result | type')" "type of a number result"
must_equal failed "$(task_get "$id" .state)" "a result does not change the state"
id=$(ctl run text)
wait_task "$id"
must_equal '"two\nlines"' "$(task_get "$id" '.result | tojson')" "a string result"
must_equal "$(printf 'two\nlines')" "$(ctl result text)" "result JOB prints the string"
id=$(ctl run none)
wait_task "$id"
must_equal null "$(task_get "$id" .result)" "no result"
must_equal null "$(task_get "$id" .result_error)" "no result is no error"
must_exit 1 ctl result "$id"
must_match "has no result" "$(ctl result "$id" 2>&1)" "result of a task with none"
id=$(ctl run nul)
wait_task "$id"
must_equal null "$(task_get "$id" .result)" "a null result"
must_exit 1 ctl result "$id"
id=$(ctl run path)
wait_task "$id"
must_equal "$STATE/results/$id" "$(task_get "$id" .output | tr -d '\n')" "SCHEDD_RESULT"
must_fail test -e "$STATE/results/$id"

# The bound: 64 KiB is kept whole, one byte more is an error, never cut.
id=$(ctl run exact)
wait_task "$id"
must_equal 65536 "$(task_get "$id" '.result | length')" "a result of 64 KiB"
for j in big huge; do
	id=$(ctl run $j)
	wait_task "$id"
	must_equal succeeded "$(task_get "$id" .state)" "state of $j"
	must_equal null "$(task_get "$id" .result)" "result of $j"
	must_match "larger than 65536 bytes" "$(task_get "$id" .result_error)" \
	    "result_error of $j"
	must_match "no result: larger" "$(ctl result "$id" 2>&1)" \
	    "schedctl result of $j"
	must_match "result error: +larger" "$(ctl status "$id")" \
	    "status ID shows the result error"
	must_fail test -e "$STATE/results/$id"
done

# A task (root's here) that replaces its file: never followed or waited on.
id=$(ctl run link)
wait_task "$id"
must_equal null "$(task_get "$id" .result)" "result of a symbolic link"
must_match "symbolic links" "$(task_get "$id" .result_error)" "symlink error"
must_succeed test -s /etc/passwd
id=$(ctl run fifo)
wait_task "$id"
must_match "replaced" "$(task_get "$id" .result_error)" "FIFO error"
must_fail test -e "$STATE/results/$id"

# Hooks see the failed task's result: a JSON value as JSON, a string as is.
h1=$(ctl run hooked)
h2=$(ctl run strhook)
wait_for test -e "$T/hook.$h1"
wait_for test -e "$T/hook.$h2"
must_equal '{"why":"disk"}' "$(cat "$T/hook.$h1")" "SCHEDD_HOOK_RESULT of JSON"
must_equal broken "$(cat "$T/hook.$h2")" "SCHEDD_HOOK_RESULT of a string"

# As another user: the file is theirs to write, the folder is not.
if [ -n "${TUSER:-}" ]; then
	id=$(ctl run asuser)
	wait_task "$id"
	must_equal "$TUID" "$(task_get "$id" .result)" "result of $TUSER's task"
	must_equal "$TUSER" "$(task_get "$id" .output | tr -d '\n')" \
	    "owner of the result file"
	must_fail test -e "$STATE/results/$id.x"
	must_equal "drwx--x--x" "$(stat -c %A "$STATE/results")" \
	    "mode of the results folder"
fi

# slow_gone: the task $slow has no process left.
slow_gone()
{
	[ -z "$(tagged_pids "$slow")" ]
}

# Kept across a graceful restart and a crash; a crash's files are removed.
kept=$(ctl run obj)
wait_task "$kept"
shutdown_daemon
restart_daemon
must_equal '{"a":[1,2],"f":0.1}' "$(ctl result "$kept")" "result after a restart"
slow=$(ctl run slow)
wait_for test -s "$STATE/results/$slow"
kill9_daemon
must_succeed test -e "$STATE/results/$slow"
touch "$T/go"
wait_for slow_gone
restart_daemon
must_equal '{"a":[1,2],"f":0.1}' "$(ctl result "$kept")" "result after a crash"
must_equal lost "$(task_get "$slow" .state)" "state of the task the crash ended"
must_fail test -e "$STATE/results/$slow"
must_equal "" "$(ls -A "$STATE/results")" "results folder after the start"

# No results folder (removed under the daemon): tasks still run, and
# their records say why they have no result.
rm -rf "$STATE/results"
id=$(ctl run none)
wait_task "$id"
must_equal succeeded "$(task_get "$id" .state)" "state without a results folder"
must_match "cannot make its file: No such file" \
    "$(task_get "$id" .result_error)" "result_error without a results folder"
exit 0
