#!/bin/bash
# SPDX-License-Identifier: ISC
# Boot schedules: "at: boot" (and cron's "@reboot", its synonym) fire at
# the first daemon start after each boot of the system, told by the
# kernel's boot_id as saved with the job: not again at a restart within
# the same boot, not for a job added while the daemon runs, not while
# paused, and max_runs counts them.  Also schedctl's relative --at.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-restart.sh"

[ -r /proc/sys/kernel/random/boot_id ] || skip "no /proc/sys/kernel/random/boot_id"
BOOT=$(cat /proc/sys/kernel/random/boot_id)

nrec() {
	raw "{\"cmd\":\"history\",\"name\":\"$1\",\"limit\":100}" |
	    jq '.result.tasks | length'
}
counts() {
	echo "$(nrec b) $(nrec r) $(nrec p) $(nrec once) $(nrec x)"
}

# The first start with these jobs: a boot this daemon has not seen.
start_daemon "jobs:
  b:
    command: [\"true\"]
    at: boot
  r:
    command: [\"true\"]
    cron: \"@reboot\"
  p:
    command: [\"true\"]
    at: boot
    enabled: false
  once:
    command: [\"true\"]
    at: boot
    max_runs: 1"
# The firings were queued before the daemon answered.
must_equal "1 1 0 1 0" "$(counts)" "records after the first start"
must_equal "at boot|boot|at boot|null|active" \
    "$(raw '{"cmd":"job","name":"r"}' | jq -r '.result.job |
    "\(.schedule)|\(.definition.at)|\(.schedule)|\(.next_run)|\(.schedule_state)"')" \
    "summary of r"
must_equal "[]" "$(raw '{"cmd":"next","name":"b"}' | jq -c .result.times)" "next of b"
must_equal ended "$(raw '{"cmd":"job","name":"once"}' | jq -r .result.job.schedule_state)" \
    "schedule_state of once"

# Added while running: waits for the next boot.
must_succeed ctl add x --at boot -- true
must_equal "" "$OUT" "output of add x --at boot (no task)"

# A restart within the same boot fires nothing.
shutdown_daemon
restart_daemon
for j in b r p once x; do
	wait_task $(raw "{\"cmd\":\"history\",\"name\":\"$j\"}" | jq -r '.result.tasks[].id')
done
must_equal "1 1 0 1 0" "$(counts)" "records after a restart in the same boot"

# Another boot, as the saved state tells it (the kernel's id cannot be
# changed): b, r and x fire once, p is paused, once has ended.
shutdown_daemon
grep -q "$BOOT" "$STATE/state.json" || fail "boot_id not in the saved state"
sed -i "s/$BOOT/00000000-0000-0000-0000-000000000000/g" "$STATE"/state.json "$STATE"/journal
restart_daemon
must_equal "2 2 0 1 1" "$(counts)" "records after another boot"
kill9_daemon
restart_daemon
must_equal "2 2 0 1 1" "$(counts)" "records after kill -9 and a restart"

# Bad combinations are refused.
must_equal bad_request "$(raw_code '{"cmd":"add","job":{"name":"e","command":["true"],"at":"boot","every":"5m"}}')" \
    "at boot with every"
must_equal bad_request "$(raw_code '{"cmd":"add","job":{"name":"e","command":["true"],"cron":"@reboot","at":"09:00"}}')" \
    "@reboot with at"

# schedctl's relative --at: sent as an absolute time.
must_succeed ctl add later --at +1h30m -- true
at=$(raw '{"cmd":"job","name":"later"}' | jq -r .result.job.definition.at)
must_match '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' "$at" "at of later"
d=$(( $(date -d "$at" +%s) - $(date +%s) ))
[ "$d" -gt 5000 ] && [ "$d" -le 5400 ] || fail "at of later is $d s from now, not 1h30m"
must_exit 0 ctl add soon --at now --wait -- true
must_exit 2 ctl add bad --at +x -- true
must_match 'bad duration' "$OUT" "message of --at +x"
must_exit 1 ctl status bad
exit 0
