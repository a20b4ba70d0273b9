#!/bin/bash
# SPDX-License-Identifier: ISC
# A cgroup limit whose controller the daemon's cgroup does not offer is a
# configuration error naming the key's place and the controller: at start
# (schedd exits 1), at reload (invalid_config, the running configuration
# stays) and for "add" (bad_request); without cgroups ("cgroup: off") the
# message says schedd runs without them.  "schedd -t" checks the syntax
# only, and "max" (no limit) needs no controller.  A user who is not an
# administrator may only tighten the daemon's defaults (permission_denied).
#
# schedd's cgroup is $CG/limits: $CG is fresh, so nothing is enabled in its
# cgroup.subtree_control and $CG/limits offers no controller at all.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-cgroup.sh"

C=$CG/limits
add_user
chmod 755 "$T"

# start_refused YAML: schedd must exit 1 at start; its output in $OUT.
start_refused()
{
	printf '%s\n' "$1" >"$T/refused.yaml"
	must_exit 1 "$SCHEDD" -c "$T/refused.yaml" -s "$T/sock2" -d "$T/state2"
}

# At start, with the cgroup given by path.
start_refused "daemon:
  cgroup: $C
jobs:
  ok:
    command: \"true\"
    memory_max: max
  big:
    command: \"true\"
    memory_max: 1GiB"
must_match "refused.yaml:9:5: memory_max needs the memory controller, which the cgroup $C does not offer" "$OUT" "start with memory_max and no memory controller"
must_match "configuration has errors, not starting" "$OUT" "start refused"
[ ! -S "$T/sock2" ] || fail "schedd made its socket though it refused to start"

# A daemon default is refused the same way, at its own key.
start_refused "daemon:
  cgroup: $C
  pids_max: 100"
must_match "refused.yaml:3:3: pids_max needs the pids controller, which the cgroup $C does not offer" "$OUT" "start with a pids_max default"

# Without cgroups.
start_refused "daemon:
  cgroup: off
jobs:
  big: {command: \"true\", cpu_max: 50%}"
must_match "refused.yaml:4:26: cpu_max needs cgroups; schedd runs without them \\(see cgroup in schedd.yaml\\(5\\)\\)" "$OUT" "start with cpu_max and cgroups off"

# schedd -t checks the syntax only.
must_succeed "$SCHEDD" -t -c "$T/refused.yaml"

# At reload: refused, nothing changes; "max" is accepted.
start_daemon "daemon:
  cgroup: $C
  socket_mode: \"0666\"
jobs:
  a:
    command: \"true\""
cat >"$CONF" <<EOF
daemon:
  cgroup: $C
  socket_mode: "0666"
jobs:
  a:
    command: "true"
    cpu_weight: 50
  b:
    command: "true"
    io_weight: 10
EOF
ans=$(raw '{"cmd":"reload"}')
must_equal invalid_config "$(json_get "$ans" .error.code)" "reload with cpu_weight and io_weight"
must_equal "$CONF:7:5: cpu_weight needs the cpu controller, which the cgroup $C does not offer" "$(json_get "$ans" '.error.errors[0]')" "first reload error"
must_equal "$CONF:10:5: io_weight needs the io controller, which the cgroup $C does not offer" "$(json_get "$ans" '.error.errors[1]')" "second reload error"
must_equal not_found "$(raw_code '{"cmd":"job","name":"b"}')" "job b after a refused reload"
must_fail ctl reload
must_match "cpu_weight needs the cpu controller" "$OUT" "schedctl reload output"

cat >"$CONF" <<EOF
daemon:
  cgroup: $C
  socket_mode: "0666"
  memory_swap_max: 0
jobs:
  a:
    command: "true"
EOF
ans=$(raw '{"cmd":"reload"}')
must_equal invalid_config "$(json_get "$ans" .error.code)" "reload with a memory_swap_max default"
must_equal "$CONF:4:3: memory_swap_max needs the memory controller, which the cgroup $C does not offer" "$(json_get "$ans" .error.message)" "reload error for a default"
must_equal null "$(cj get memory_swap_max | jq -c .result.settings.memory_swap_max)" "memory_swap_max after a refused reload"

cat >"$CONF" <<EOF
daemon:
  cgroup: $C
  socket_mode: "0666"
  memory_max: max
jobs:
  a:
    command: "true"
  b:
    command: "true"
    pids_max: max
EOF
must_succeed ctl reload
must_equal '"max"' "$(cj get memory_max | jq -c .result.settings.memory_max)" "memory_max default after reload"
must_equal '"max"' "$(raw '{"cmd":"job","name":"b"}' | jq -c .result.job.definition.pids_max)" "pids_max of job b"

# At run time: "add" of a job whose limit needs a missing controller.
ans=$(raw '{"cmd":"add","job":{"name":"c","command":"true","memory_high":"64MiB"}}')
must_equal bad_request "$(json_get "$ans" .error.code)" "add with memory_high"
must_equal "job.memory_high: memory_high needs the memory controller, which the cgroup $C does not offer" "$(json_get "$ans" .error.message)" "add error"
must_equal not_found "$(raw_code '{"cmd":"job","name":"c"}')" "job c after a refused add"

# A user who is not an administrator: nothing above a default (for the
# weights, the kernel's 100 without one), before anything else is checked.
uadd()
{
	as_user "$TUSER" "$PYTHON" "$T/raw.py" "$SOCK" 20 \
	    "{\"cmd\":\"add\",\"job\":$1}"
}
ans=$(uadd '{"name":"w","command":"true","cpu_weight":200}')
must_equal permission_denied "$(json_get "$ans" .error.code)" "user's add with cpu_weight 200"
must_equal "cpu_weight 200 is above the default 100; only an administrator may raise it" "$(json_get "$ans" .error.message)" "user's cpu_weight message"
ans=$(uadd '{"name":"w","command":"true","cpu_weight":100}')
must_equal bad_request "$(json_get "$ans" .error.code)" "user's add with cpu_weight 100"
ans=$(uadd '{"name":"w","command":"true","memory_max":"max"}')
must_equal true "$(json_get "$ans" .ok)" "user's add with memory_max max and no default"

# A default needs its controller, so this part needs one that offers
# memory: a second cgroup under $CG with memory enabled, where the
# machine has the memory controller in cgroup v2.
stop_daemon
if grep -qw memory "$CG/cgroup.controllers" &&
    echo +memory >"$CG/cgroup.subtree_control" 2>/dev/null; then
	start_daemon "daemon:
  cgroup: $CG/mem
  socket_mode: \"0666\"
  memory_max: 64MiB"
	ans=$(uadd '{"name":"m","command":"true","memory_max":"128MiB"}')
	must_equal permission_denied "$(json_get "$ans" .error.code)" "user's add with memory_max above the default"
	must_equal "memory_max 128MiB is above the daemon's default 64MiB; only an administrator may raise it" "$(json_get "$ans" .error.message)" "user's memory_max message"
	ans=$(uadd '{"name":"m","command":"true","memory_max":"max"}')
	must_equal permission_denied "$(json_get "$ans" .error.code)" "user's add with memory_max max above the default"
	ans=$(uadd '{"name":"m","command":"true","memory_max":"32MiB"}')
	must_equal true "$(json_get "$ans" .ok)" "user's add with memory_max below the default"
	must_equal true "$(json_get "$(raw '{"cmd":"add","job":{"name":"adm","command":"true","memory_max":"1GiB"}}')" .ok)" "admin's add above the default"
else
	echo "note: $TEST_NAME: no memory controller in cgroup v2 here; the" \
	    "memory_max default rule was not run" >&2
fi
exit 0
