#!/bin/bash
# SPDX-License-Identifier: ISC
# schedctl's help and its errors: --help, help and "COMMAND --help" print
# to standard output and exit 0, with a line for every option of every
# command; an error is printed once; with --json only JSON reaches
# standard output; a bad job name states the rule; a socket the user may
# not use names the group that may.
. "$(dirname "$0")/lib.sh"

# --- help on stdout, exit 0, nothing on stderr
for how in "--help" "-h" "help"; do
	must_exit 0 "$SCHEDCTL" $how
	out=$("$SCHEDCTL" $how 2>"$T/err")
	must_equal "" "$(cat "$T/err")" "stderr of schedctl $how"
	must_match "^usage: schedctl" "$out" "schedctl $how"
	must_match "^commands:" "$out" "schedctl $how"
done
ALL=$("$SCHEDCTL" help)
must_equal "$ALL" "$("$SCHEDCTL" --help)" "--help and help"

# Every visible command, and every option of it, in both forms of the help.
"$SCHEDCTL" --list-commands >"$T/list" || fail "--list-commands failed"
while IFS=$'\t' read -r name wire vis opts; do
	[ "$vis" = hidden ] && continue
	must_exit 0 "$SCHEDCTL" help "$name"
	one=$("$SCHEDCTL" help "$name" 2>"$T/err")
	must_equal "" "$(cat "$T/err")" "stderr of schedctl help $name"
	must_match "^usage: schedctl $name" "$one" "help $name"
	must_equal "$one" "$("$SCHEDCTL" "$name" --help 2>&1)" \
	    "schedctl $name --help and help $name"
	for o in $opts; do
		long=${o%%|*}
		# One line, its text from the 32nd column on.
		re="^ +(-[a-z], )? *$long( |\$)"
		[ "$(printf '%s\n' "$one" | grep -Ec -- "$re")" = 1 ] ||
		    fail "help $name: not one line for $long: $one"
		printf '%s\n' "$one" | grep -E -- "$re" | grep -Eq '^.{31}[^ ]' ||
		    fail "help $name: no text for $long: $one"
		[ "$(printf '%s\n' "$ALL" | grep -Ec -- "$re")" -ge 1 ] ||
		    fail "help: no line for $name $long"
	done
done <"$T/list"
must_exit 2 "$SCHEDCTL" help nosuch
must_match "unknown command: nosuch" "$OUT" "help nosuch"
must_equal "" "$("$SCHEDCTL" help nosuch 2>/dev/null)" "stdout of help nosuch"

# --- a bad job name says what a name may be, before anything is sent
must_exit 2 "$SCHEDCTL" -s "$T/none" add 9lives -- true
must_match "bad job name: 9lives \(letters, digits and _\.@-, .*at most 64 characters\)" \
    "$OUT" "add 9lives"

start_daemon "jobs:
  ok:
    command: \"true\""

# The daemon's own check says the same rule.
long=$(printf 'a%.0s' $(seq 65))
must_match "bad job name .*at most 64 characters" \
    "$(raw "{\"cmd\":\"add\",\"job\":{\"name\":\"$long\",\"command\":[\"true\"]}}" |
    jq -r .error.message)" "the daemon's answer to a long name"
must_equal ok "$(ctl jobs | awk 'NR > 1 { print $1 }' | tr '\n' ' ' | sed 's/ $//')" \
    "jobs after the refused adds"

# --- a reload refused for one error prints it once
cp "$CONF" "$T/good.yaml"
printf 'jobs:\n  9bad:\n    command: "true"\n' >"$CONF"
must_exit 1 ctl reload
must_equal 1 "$(printf '%s\n' "$OUT" | grep -c '"9bad"')" \
    "lines naming the error in: $OUT"
# Two errors: the message, then each error once.
printf 'jobs:\n  9bad:\n    command: "true"\n  x:\n    every: zz\n    command: "true"\n' >"$CONF"
must_exit 1 ctl reload
must_equal 1 "$(printf '%s\n' "$OUT" | grep -c '"9bad"')" "9bad in: $OUT"
# (the quoted words: the temporary folder's random name may hold either)
must_equal 1 "$(printf '%s\n' "$OUT" | grep -c '"zz"')" "zz in: $OUT"

# --- with --json, stdout is JSON only; the message goes to stderr
cj reload >"$T/out" 2>"$T/err"
must_equal 1 "$(wc -l <"$T/out")" "stdout lines of --json reload"
jq -e '.ok == false and .error.code == "invalid_config"' "$T/out" >/dev/null ||
    fail "--json reload printed: $(cat "$T/out")"
must_match "invalid_config" "$(cat "$T/err")" "stderr of --json reload"
cp "$T/good.yaml" "$CONF"
for args in "stop nosuch" "status nosuch" "get nosuch" "run ok --wait" \
    "add j1 --wait -- true" "jobs" "status"; do
	cj $args >"$T/out" 2>/dev/null
	jq -e . "$T/out" >/dev/null 2>&1 ||
	    fail "schedctl --json $args printed what is not JSON: $(cat "$T/out")"
done

# --- permission denied on the socket names the group that grants access
if [ "$(id -u)" -eq 0 ] && command -v useradd >/dev/null 2>&1; then
	add_user
	chmod 755 "$T"
	chmod 660 "$SOCK"
	must_exit 3 uctl status
	must_match "members of group $(stat -c %G "$SOCK") may use it" "$OUT" \
	    "status as $TUSER on a 0660 socket"
	chmod 600 "$SOCK"
	must_exit 3 uctl status
	must_match "only $(stat -c %U "$SOCK") may use it" "$OUT" \
	    "status as $TUSER on a 0600 socket"
	chmod 660 "$SOCK"
	must_exit 0 ctl status
fi
exit 0
