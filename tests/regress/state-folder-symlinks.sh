#!/bin/bash
# SPDX-License-Identifier: ISC
# Running as root, schedd refuses a state folder that someone else could
# write in (the folder or one above it), and never follows a symbolic link
# planted in it: temporary files are new files under names of their own,
# every state and log file is opened without following a link.  A victim
# file and folder the links point at stay untouched.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-restart.sh"

[ "$(id -u)" -eq 0 ] || skip "the folder rules apply to root"
add_user
printf 'jobs: {}\n' >"$CONF"

# refused DIR WHAT: schedd must refuse DIR as its state folder.
refused()
{
	must_fail "$SCHEDD" -c "$CONF" -s "$T/sock-refused" -d "$1"
	must_match "state folder refused: .*$2" "$OUT" "start with the state folder $1"
}
mkdir -m 0777 "$T/open"
chmod 0777 "$T/open"
refused "$T/open" "writable by"
mkdir -p "$T/w/state"
chmod 0777 "$T/w"
refused "$T/w/state" "parent folder .*writable by"
mkdir "$T/theirs"
chown "$TUSER" "$T/theirs"
refused "$T/theirs" "owned by uid $TUID"
[ ! -e "$T/open/lock" ] || fail "schedd wrote in a refused state folder"

# Links planted in a good folder (as a user able to write in it could).
echo "precious" >"$T/victim"
mkdir "$T/victimdir"
mkdir -p "$STATE/logs"
ln -s "$T/victim" "$STATE/state.json.tmp"
ln -s "$T/victim" "$STATE/journal.tmp"
ln -s "$T/victim" "$STATE/journal.new"
ln -s "$T/victimdir" "$STATE/logs/x"
start_daemon "jobs: {}"
must_exit 0 ctl add x --wait -- echo hello
t=$(cj history x | jq '.result.tasks[0].id')
must_equal succeeded "$(task_get "$t" .state)" "the task of x"
shutdown_daemon
restart_daemon
must_equal succeeded "$(task_get "$t" .state)" "the task of x after a restart"
must_equal precious "$(cat "$T/victim")" "the file the planted links point at"
must_equal "" "$(ls -A "$T/victimdir")" "the folder the planted log link points at"
[ -L "$STATE/state.json" ] && fail "state.json became a symbolic link"
grep -q 'log folder' "$LOG" || fail "no warning about the log folder that is a link"
exit 0
