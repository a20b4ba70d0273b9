#!/bin/bash
# SPDX-License-Identifier: ISC
# A task sees the system as it is when it starts: what schedd remembers
# of users, groups and where a command is in PATH is looked up again once
# /etc/passwd, /etc/group or a folder of PATH changed.
. "$(dirname "$0")/lib.sh"

mkdir "$T/b1" "$T/b2"
printf '#!/bin/sh\necho from-b2\n' >"$T/b2/prog"
chmod 755 "$T/b2/prog"

# run_out JOB: run it, wait, print its output tail.
run_out()
{
	local id

	must_succeed ctl run "$1"
	id=$OUT
	wait_task "$id"
	must_equal succeeded "$(task_get "$id" .state)" "state of a $1 task"
	task_get "$id" .output
}

conf="jobs:
  prog:
    command: [\"prog\"]
    env:
      PATH: $T/b1:$T/b2"
if [ "$(id -u)" -eq 0 ] && command -v usermod >/dev/null 2>&1 &&
    command -v groupadd >/dev/null 2>&1; then
	add_user
	TGROUP=schedd-tg-$$
	on_exit()
	{
		groupdel "$TGROUP" >/dev/null 2>&1
	}
	chmod 755 "$T"
	mkdir "$T/h2"
	chmod 755 "$T/h2"
	conf="$conf
  who:
    user: $TUSER
    command: 'echo home=\$HOME pwd=\$(pwd) groups=\$(id -Gn)'"
fi
start_daemon "$conf"

# PATH: found in the second folder, then in the first once it is there,
# then in the second again once it is gone.
must_match from-b2 "$(run_out prog)" "prog found in b2"
printf '#!/bin/sh\necho from-b1\n' >"$T/b1/prog"
chmod 755 "$T/b1/prog"
must_match from-b1 "$(run_out prog)" "prog found in b1 once it is there"
rm "$T/b1/prog"
must_match from-b2 "$(run_out prog)" "prog found in b2 once b1's is gone"

[ -n "${TUSER:-}" ] || skip "needs root, usermod and groupadd for users"

# A user's home and groups, as /etc/passwd and /etc/group say now.
out=$(run_out who)
must_match "pwd=/ " "$out" "workdir of a user without a home folder"
_retry usermod -d "$T/h2" "$TUSER" || fail "usermod -d failed"
out=$(run_out who)
must_match "home=$T/h2 pwd=$T/h2 " "$out" "home after usermod -d"
_retry groupadd "$TGROUP" || fail "groupadd failed"
_retry usermod -a -G "$TGROUP" "$TUSER" || fail "usermod -G failed"
out=$(run_out who)
must_match "groups=.*$TGROUP" "$out" "groups after usermod -G"
exit 0
