#!/bin/bash
# SPDX-License-Identifier: ISC
# As root, schedd refuses a configuration file that anyone but root may
# write, like sshd's StrictModes (schedd.yaml(5) INCLUDE): writable by
# others, by the group, or owned by another user -- the main file or an
# included one.  At start it refuses to start with a message naming the
# file and saying why; on reload it answers invalid_config and keeps the
# running configuration.
# The rule holds for the file a symbolic link leads to (an include that is
# a link to another user's file is refused, saying where it led), and the
# refusal never shows a line of that file: not in schedd's or schedctl's
# output, not in the daemon's log.  A file named in a folder another user
# may write in is refused too, whoever owns it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-restart.sh"

[ "$(id -u)" -eq 0 ] || skip "the permission checks apply to a daemon running as root"

good="include:
  - $T/inc.yaml
jobs:
  a:
    command: [\"true\"]
"
printf 'jobs:\n  b:\n    command: ["true"]\n' >"$T/inc.yaml"
chmod 644 "$T/inc.yaml"

# refused_start FILE WHY: schedd does not start, naming FILE.
refused_start()
{
	must_fail timeout 10 "$SCHEDD" -c "$CONF" -s "$SOCK" -d "$STATE"
	must_match "$1" "$OUT" "message of schedd refusing $1 ($2)"
	must_match 'writ|owner|own' "$OUT" "the message says why ($2)"
	[ -S "$SOCK" ] && fail "schedd made its socket although it refused $1 ($2)"
	return 0
}
printf '%s\n' "$good" >"$CONF"
chmod 666 "$CONF"
refused_start "$CONF" "mode 666"
chmod 664 "$CONF"
refused_start "$CONF" "mode 664"
chmod 644 "$CONF"
chown 65534 "$CONF"
refused_start "$CONF" "owned by uid 65534"
chown 0 "$CONF"
chmod 646 "$T/inc.yaml"
refused_start "$T/inc.yaml" "included file of mode 646"
chmod 644 "$T/inc.yaml"

# --- Reload.
start_daemon "$good"
must_equal "a b" "$(job_names | tr '\n' ' ' | sed 's/ $//')" "jobs at start"
printf '%s\n  c:\n    command: ["true"]\n' "$good" >"$CONF"
for how in "chmod 666 $CONF" "chown 65534 $CONF" "chmod 666 $T/inc.yaml"; do
	$how
	ans=$(cj reload 2>/dev/null)
	must_equal invalid_config "$(json_get "$ans" .error.code)" "reload after $how: $ans"
	f=${how##* }
	must_match "$f" "$(json_get "$ans" '[.error.message] + .error.errors | join(" ")')" \
	    "reload error names the file ($how)"
	must_exit 1 ctl reload
	must_equal "a b" "$(job_names | tr '\n' ' ' | sed 's/ $//')" "jobs after reload refused ($how)"
	chmod 644 "$CONF" "$T/inc.yaml"
	chown 0 "$CONF"
done
# A good file again: the reload goes through.
must_succeed ctl reload
must_equal "a b c" "$(job_names | tr '\n' ' ' | sed 's/ $//')" "jobs after a reload of a safe file"

# --- A symbolic link to another user's file: the rule holds for the file
# the link leads to, and the refusal never shows what that file holds.
add_user
mkdir "$T/private" "$T/jobs.d"
printf 'jobs:\n  s:\n    command: ["true"]\n    at: "SECRET-LINE-1"\nSECRET-LINE-2: x\n' \
    >"$T/private/secret.yaml"
chown -R "$TUSER" "$T/private"
chmod 600 "$T/private/secret.yaml"
ln -s "$T/private/secret.yaml" "$T/jobs.d/link.yaml"
refusal="$T/jobs.d/link.yaml: refused: owned by uid $TUID \(resolved to $T/private/secret.yaml\)"
printf 'include:\n  - %s\n  - %s\njobs:\n  a:\n    command: ["true"]\n' \
    "$T/inc.yaml" "$T/jobs.d/*.yaml" >"$T/linked.yaml"
chmod 644 "$T/linked.yaml"
# At start: refused, naming the link and where it leads.
must_fail timeout 10 "$SCHEDD" -c "$T/linked.yaml" -s "$T/sock2" -d "$T/state2"
must_match "$refusal" "$OUT" "schedd refusing a link to a file of uid $TUID"
case $OUT in *SECRET*) fail "schedd showed the refused file's content: $OUT" ;; esac
must_fail "$SCHEDD" -t -c "$T/linked.yaml"
must_match "$refusal" "$OUT" "schedd -t refusing a link to a file of uid $TUID"
case $OUT in *SECRET*) fail "schedd -t showed the refused file's content: $OUT" ;; esac
# At a reload: invalid_config, the same words, the running jobs stay.
cp "$T/linked.yaml" "$CONF"
must_exit 1 ctl reload
must_match "$refusal" "$OUT" "reload refusing a link to a file of uid $TUID"
case $OUT in *SECRET*) fail "schedctl reload showed the refused file's content: $OUT" ;; esac
ans=$(cj reload 2>/dev/null)
must_equal invalid_config "$(json_get "$ans" .error.code)" "reload through the link: $ans"
case $ans in *SECRET*) fail "the reload answer showed the refused file's content: $ans" ;; esac
must_equal "a b c" "$(job_names | tr '\n' ' ' | sed 's/ $//')" "jobs after the link was refused"
grep -q "refused: owned by uid $TUID" "$LOG" || fail "the daemon did not log the refusal"
if grep -q SECRET "$LOG"; then
	fail "the daemon logged the refused file's content: $(grep SECRET "$LOG")"
fi

# --- A file of root's that is none of the user's (like /etc/shadow),
# linked from a folder the user may write in: refused, since the user
# could read it back in error messages.
mkdir "$T/userjobs"
chown "$TUSER" "$T/userjobs"
printf 'ROOT-SECRET-1: x
' >"$T/rootonly.yaml"
chmod 600 "$T/rootonly.yaml"
ln -s "$T/rootonly.yaml" "$T/userjobs/shadow.yaml"
chown -h "$TUSER" "$T/userjobs/shadow.yaml"
printf 'include:\n  - %s\njobs:\n  a:\n    command: ["true"]\n' \
    "$T/userjobs/*.yaml" >"$T/userinc.yaml"
chmod 644 "$T/userinc.yaml"
must_fail "$SCHEDD" -t -c "$T/userinc.yaml"
must_match "shadow.yaml: refused: its folder is not root's alone: .*owned by uid $TUID" "$OUT" "schedd -t refusing a link in a user's folder"
case $OUT in *ROOT-SECRET*) fail "schedd -t showed a root file through a user's link: $OUT" ;; esac
exit 0
