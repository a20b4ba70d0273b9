#!/bin/bash
# SPDX-License-Identifier: ISC
# Every protocol error code reachable with raw request lines, id echoing,
# and many requests on one connection answered in order.
. "$(dirname "$0")/lib.sh"

gate=$(gate_cmd go)
start_daemon "daemon:
  socket_mode: \"0666\"
jobs:
  cfg:
    command: [\"true\"]
  slow:
    queue_limit: 1
    command: |
      $gate
"

# code LINE: the error code answered to LINE ("ok" on success), checking
# that the daemon answered with one well-formed line.
code()
{
	local a

	a=$(raw "$1") || fail "no answer to: $1"
	[ "$(printf '%s\n' "$a" | wc -l)" -eq 1 ] || fail "not one answer line to $1: $a"
	printf '%s\n' "$a" | jq -e 'has("ok") and (if .ok then has("result") else (.error.code and .error.message) end)' \
	    >/dev/null || fail "malformed answer to $1: $a"
	printf '%s\n' "$a" | jq -r 'if .ok then "ok" else .error.code end'
}

# expect CODE LINE [WHAT]
expect()
{
	must_equal "$1" "$(code "$2")" "${3:-answer to $2}"
}

# bad_request: garbage, invalid UTF-8, duplicate keys, unknown arguments,
# wrong types, deep nesting, not an object, no cmd.
expect bad_request 'garbage'
expect bad_request '{"cmd":"hello"'
expect bad_request "{\"cmd\":\"hello\",\"id\":\"a"$'\xff'"b\"}" "invalid UTF-8 in a string"
expect bad_request "{\"cmd\":\"hel"$'\xc3\x28'"lo\"}" "invalid UTF-8 sequence"
expect bad_request '{"cmd":"hello","cmd":"status"}' "duplicate cmd"
expect bad_request '{"cmd":"run","name":"cfg","name":"slow"}' "duplicate argument"
expect bad_request '{"cmd":"hello","bogus":1}' "unknown argument to hello"
expect bad_request '{"cmd":"run","name":"cfg","extra":true}' "unknown argument to run"
expect bad_request '{"cmd":"run","name":5}' "number as name"
expect bad_request '{"cmd":"task","task":"1"}' "string as task id"
expect bad_request '{"cmd":"history","limit":"ten"}' "string as limit"
expect bad_request '{"cmd":5}' "number as cmd"
expect bad_request '{"cmd":"run"}' "missing name"
expect bad_request '{"id":1}' "no cmd"
expect bad_request '[1,2,3]' "an array"
expect bad_request '"hello"' "a string"
deep=$(printf '%.0s[' $(seq 1 5000))$(printf '%.0s]' $(seq 1 5000))
expect bad_request "{\"cmd\":\"hello\",\"id\":$deep}" "deep nesting in id"
expect bad_request "$deep" "deep nesting"
expect bad_request '{"cmd":"add","job":{"name":"9bad","command":["true"]}}' "bad job name"

# unknown_command
expect unknown_command '{"cmd":"frobnicate"}'
expect unknown_command '{"cmd":"HELLO"}'

# not_found
expect not_found '{"cmd":"run","name":"nosuch"}'
expect not_found '{"cmd":"task","task":999999}'
expect not_found '{"cmd":"job","name":"nosuch"}'
expect not_found '{"cmd":"unban","name":"nosuch"}'

# exists
expect ok '{"cmd":"add","job":{"name":"dup","command":["true"],"every":"1h"}}'
expect exists '{"cmd":"add","job":{"name":"dup","command":["true"],"every":"1h"}}'
expect exists '{"cmd":"add","job":{"name":"cfg","command":["true"],"every":"1h"}}' "add over a config job"

# banned
expect ok '{"cmd":"ban","name":"bn*","reason":"test"}'
expect banned '{"cmd":"add","job":{"name":"bn1","command":["true"]}}'
expect ok '{"cmd":"add","job":{"name":"other","command":["true"],"every":"1h"}}'

# queue_full: one running, one queued (queue_limit 1), the next refused.
expect ok '{"cmd":"run","name":"slow"}'
expect ok '{"cmd":"run","name":"slow"}'
expect queue_full '{"cmd":"run","name":"slow"}'

# config_job: a config job cannot be removed at run time.
expect config_job '{"cmd":"remove","name":"cfg"}'
expect ok '{"cmd":"remove","name":"dup"}'

# id is echoed, whatever its JSON type; absent id answers null.
for id in 1 -7 2.5 '"str"' '{"a":[1,{"b":null}]}' '[1,"x"]' true null; do
	must_equal "$(jq -cn "$id")" "$(raw "{\"id\":$id,\"cmd\":\"hello\"}" | jq -c .id)" "id $id echoed"
	must_equal "$(jq -cn "$id")" "$(raw "{\"cmd\":\"nosuch\",\"id\":$id}" | jq -c .id)" "id $id echoed on error"
done
must_equal null "$(raw '{"cmd":"hello"}' | jq -c .id)" "id of a request without one"

# Many requests on one connection: answered in order, one answer each, and a
# slow request (wait) holds the answers behind it.
touch "$T/go"
must_succeed ctl run cfg
t=$OUT
set --
for i in $(seq 1 100); do
	case $i in
	50)	set -- "$@" "{\"cmd\":\"wait\",\"task\":$t,\"id\":$i}" ;;
	70)	set -- "$@" "garbage $i" ;;
	*)	set -- "$@" "{\"cmd\":\"hello\",\"id\":$i}" ;;
	esac
done
ans=$(raw "$@")
must_equal 100 "$(printf '%s\n' "$ans" | wc -l | tr -d ' ')" "answers on one connection"
must_equal "$(seq 1 100 | grep -vx 70 | tr '\n' ' ')" \
    "$(printf '%s\n' "$ans" | jq -r 'select(.id != null) | .id' | tr '\n' ' ')" \
    "ids of answers in order"
must_equal 70 "$(printf '%s\n' "$ans" | grep -n '"bad_request"' | cut -d: -f1)" "line of the bad_request answer"

# permission_denied: as a user that is not an admin (needs root).
if [ "$(id -u)" -eq 0 ]; then
	add_user
	chmod 755 "$T"
	pd()
	{
		as_user "$TUSER" "$PYTHON" "$T/raw.py" "$SOCK" 20 "$1" |
		    jq -r 'if .ok then "ok" else .error.code end'
	}
	must_equal false "$(as_user "$TUSER" "$PYTHON" "$T/raw.py" "$SOCK" 20 '{"cmd":"hello"}' | jq .result.admin)" "admin flag of $TUSER"
	must_equal permission_denied "$(pd '{"cmd":"ban","name":"x"}')" "ban by $TUSER"
	must_equal permission_denied "$(pd '{"cmd":"run","name":"cfg"}')" "run of a root job by $TUSER"
	must_equal permission_denied "$(pd '{"cmd":"set","key":"max_running","value":3}')" "set by $TUSER"
	must_equal permission_denied "$(pd '{"cmd":"shutdown"}')" "shutdown by $TUSER"
	must_equal ok "$(pd '{"cmd":"status"}')" "status by $TUSER"
else
	echo "note: permission_denied not checked (needs root to create a user)"
fi

# After all of that the daemon is still there.
must_succeed ctl status
exit 0
