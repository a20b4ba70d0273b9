#!/bin/bash
# SPDX-License-Identifier: ISC
# A user may submit only settings they could apply themselves: a negative
# nice, a limit above the hard limit, "user" or "group", a history above
# the daemon's are refused with permission_denied, and nothing is added.
# A user's job gets its nice and limits after the privileges are dropped,
# so even a definition that got in some other way (here: written into
# the saved state while schedd was down) cannot lower its nice below the
# user's own bound.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-restart.sh"

[ "$(id -u)" -eq 0 ] || skip "needs root to create a user"
add_user
chmod 755 "$T"
start_daemon "daemon:
  socket_mode: \"0666\""

# uadd JSON: "add" of a job object as the test user; prints the answer.
uadd()
{
	as_user "$TUSER" "$PYTHON" "$T/raw.py" "$SOCK" 20 \
	    "{\"cmd\":\"add\",\"job\":$1}"
}

hard=$(ulimit -Hn)
for job in \
    '{"name":"n1","command":["true"],"nice":-20}' \
    '{"name":"n2","command":["true"],"nice":-1}' \
    "{\"name\":\"l1\",\"command\":[\"true\"],\"limits\":{\"nofile\":$((hard + 1))}}" \
    '{"name":"u1","command":["true"],"user":"root"}' \
    '{"name":"g1","command":["true"],"group":"root"}' \
    '{"name":"h1","command":["true"],"history":61}'; do
	ans=$(uadd "$job")
	name=$(json_get "$job" .name)
	must_equal permission_denied "$(json_get "$ans" .error.code)" "add of $job by a user"
	must_equal not_found "$(raw_code "{\"cmd\":\"job\",\"name\":\"$name\"}")" "job $name after a refused add"
done
must_match 'negative nice' "$(json_get "$(uadd '{"name":"n1","command":["true"],"nice":-5}')" .error.message)" "message for a negative nice"
must_match "daemon's history \\(60\\)" "$(json_get "$(uadd '{"name":"h1","command":["true"],"history":61}')" .error.message)" "message for a history above the daemon's"
must_match 'limits.nofile' "$(json_get "$(uadd "{\"name\":\"l1\",\"command\":[\"true\"],\"limits\":{\"nofile\":$((hard + 1))}}")" .error.message)" "message for a raised limit"

# What a user may do: a higher nice, a lower limit.  Higher than the
# daemon's own (inherited from whoever runs the tests, "nice make check").
n=$(nice)
NICE=$(( n < 5 ? 5 : n < 19 ? n + 1 : 19 ))
ans=$(uadd "{\"name\":\"ok\",\"workdir\":\"/\",\"command\":[\"sh\",\"-c\",\"echo \$(nice) \$(ulimit -n)\"],\"nice\":$NICE,\"limits\":{\"nofile\":64}}")
must_equal true "$(json_get "$ans" .ok)" "add with nice $NICE and nofile 64 by the user"
t=$(json_get "$ans" .result.task)
wait_task "$t"
must_equal "$NICE 64" "$(task_get "$t" .output | tr -d '\n')" "nice and nofile of the user's task"

# A user's saved job with a negative nice (as an older schedd accepted it):
# the kernel refuses it after the drop, so the task fails to start.
must_succeed as_user "$TUSER" "$SCHEDCTL" -s "$SOCK" add sneaky --every 1h -- sh -c nice
shutdown_daemon
"$PYTHON" - "$STATE/state.json" <<'EOF_PY'
import json, sys
p = sys.argv[1]
s = json.load(open(p))
for j in s["jobs"]:
    if j["name"] == "sneaky":
        j["def"]["nice"] = -10
json.dump(s, open(p, "w"))
EOF_PY
restart_daemon
must_succeed as_user "$TUSER" "$SCHEDCTL" -s "$SOCK" run sneaky
t=$OUT
wait_task "$t"
must_equal failed "$(task_get "$t" .state)" "state of a user's task with a negative nice"
must_match 'setpriority' "$(task_get "$t" .error)" "error of a user's task with a negative nice"
exit 0
