#!/bin/bash
# SPDX-License-Identifier: ISC
# Human output in the words of schedd.yaml(5): get, set and status JOB
# show durations ("1m30s") and sizes ("4KiB") under the YAML key names,
# never "_ms" keys or raw JSON; what get prints, set takes back; users
# show by name (by uid where there is none).
. "$(dirname "$0")/lib.sh"

chmod 755 "$T"
start_daemon "daemon:
  socket_mode: \"0666\"
  default_timeout: 90s
  kill_grace: 2s
  output_tail: 4KiB
  log_max: 1MiB
  max_job_size: 65536
jobs:
  nightly:
    command: [sh, -c, 'echo \"a b\"']
    timeout: 1h
    retry_delay: 90s
    retries: 2
    env:
      GREETING: hello world
    limits:
      memory: 1GiB
      cpu: 2m"

# --- get: YAML names, readable values
must_succeed ctl get
got=$OUT
printf '%s\n' "$got" | grep -E '_ms:' &&
    fail "get shows _ms keys: $got"
printf '%s\n' "$got" | grep -E ': [[{]' &&
    fail "get shows raw JSON: $got"
for want in "default_timeout: 1m30s" "kill_grace: 2s" "output_tail: 4KiB" \
    "log_max: 1MiB" "max_job_size: 64KiB" "shutdown_timeout: 30s"; do
	printf '%s\n' "$got" | grep -qxF "$want" ||
	    fail "get: no line \"$want\" in: $got"
done
must_equal "default_timeout: 1m30s" "$(ctl get default_timeout)" \
    "get default_timeout"

# --- set takes the names and values get prints, and answers alike
for key in default_timeout kill_grace idle_exit max_running history; do
	line=$(ctl get "$key") || fail "get $key"
	must_equal "$key: " "${line%%: *}: " "key of get $key"
	must_equal "$line" "$(ctl set "$key" "${line#*: }")" \
	    "set $key to what get printed"
done
must_equal "kill_grace: 1m" "$(ctl set kill_grace 60s)" "set kill_grace 60s"

# --- status JOB: the definition in YAML words, the owner by name
must_succeed ctl status nightly
got=$OUT
printf '%s\n' "$got" | grep -E '_ms:|: +[[{]' &&
    fail "status nightly shows _ms keys or raw JSON: $got"
for want in "owner: +root" "  timeout: +1h" "  retry_delay: +1m30s" \
    "  kill_grace: +1m" "  command: +sh -c 'echo \"a b\"'" \
    "  env: +GREETING='hello world'" "  limits: +cpu=2m memory=1GiB"; do
	printf '%s\n' "$got" | grep -Eq "^$want\$" ||
	    fail "status nightly: no line /$want/ in: $got"
done

# --- status ID: the user by name, sizes readable
t=$(ctl run nightly) || fail "run nightly"
wait_task "$t"
must_succeed ctl status "$t"
must_match "^user: +root$" "$OUT" "status $t"
must_match "^output: +4B$" "$OUT" "status $t"

# --- a user without a name shows as its uid
if [ "$(id -u)" -eq 0 ] && command -v useradd >/dev/null 2>&1; then
	add_user
	uctl add mine --every 1h -- true >/dev/null || fail "add as $TUSER"
	must_succeed ctl status mine
	must_match "^owner: +$TUSER$" "$OUT" "owner of mine"
	userdel "$TUSER" >/dev/null 2>&1 || fail "userdel $TUSER"
	TEST_USERS=
	must_succeed ctl status mine
	must_match "^owner: +uid $TUID$" "$OUT" "owner of mine once the user is gone"
fi
exit 0
