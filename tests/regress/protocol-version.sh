#!/bin/bash
# SPDX-License-Identifier: ISC
# A request may carry the protocol version its client speaks: the daemon's
# own is accepted, any other is refused with protocol_mismatch (and the
# request is not carried out); without one, the request is served as
# before.
. "$(dirname "$0")/lib.sh"

start_daemon "jobs: {}"
v=$(raw '{"cmd":"hello"}' | jq .result.protocol)
must_equal ok "$(raw_code "{\"cmd\":\"hello\",\"protocol\":$v}")" "hello with the daemon's protocol"
must_equal ok "$(raw_code '{"cmd":"hello"}')" "hello without a protocol"
must_equal protocol_mismatch "$(raw_code "{\"cmd\":\"hello\",\"protocol\":$((v + 1))}")" "hello with a newer protocol"
must_equal protocol_mismatch "$(raw_code '{"cmd":"hello","protocol":"1"}')" "hello with a protocol that is not a number"
ans=$(raw "{\"cmd\":\"add\",\"protocol\":$((v + 1)),\"job\":{\"name\":\"x\",\"command\":[\"true\"],\"every\":\"1h\"}}")
must_equal protocol_mismatch "$(json_get "$ans" .error.code)" "add with another protocol"
must_match "protocol $v" "$(json_get "$ans" .error.message)" "the message names the daemon's protocol"
must_equal not_found "$(raw_code '{"cmd":"job","name":"x"}')" "job x after the refused add"
# schedctl says which protocol it speaks; the daemon accepts it.
must_succeed ctl status
exit 0
