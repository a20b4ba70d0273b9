#!/bin/bash
# As root, schedd refuses a configuration file that anyone but root may
# write, like sshd's StrictModes (SPEC 8): writable by others, by the group,
# or owned by another user -- the main file or an included one.  At start
# it refuses to start with a message naming the file and saying why; on
# reload it answers invalid_config and keeps the running configuration.
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
exit 0
