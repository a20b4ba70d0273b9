#!/bin/bash
# SPDX-License-Identifier: ISC
# jobs with "fields": summaries hold only the members asked for and the
# name; an unknown member is refused; schedctl's table asks for the
# columns it shows and prints the same rows either way.
. "$(dirname "$0")/lib.sh"

start_daemon "jobs:
  a:
    command: ['true']
    every: 1h
    tags: [x]
  b:
    command: ['true']
    cron: '0 3 * * *'
"
must_succeed ctl run a
wait_task "$OUT"

must_equal '[{"name":"a","runs":1,"last_state":"succeeded"},{"name":"b","runs":0,"last_state":null}]' \
    "$(raw '{"cmd":"jobs","fields":["runs","last_state"]}' | jq -c .result.jobs)" \
    "summaries with two fields"
must_equal '[["name"],["name"]]' \
    "$(raw '{"cmd":"jobs","fields":[]}' | jq -c '[.result.jobs[] | keys]')" \
    "no fields: names only"
# Without fields, every member of a summary is there.
must_equal 25 "$(raw '{"cmd":"jobs","name":"a"}' | jq '.result.jobs[0] | length')" \
    "members of a whole summary"
must_equal bad_request "$(raw_code '{"cmd":"jobs","fields":["runs","nope"]}')" \
    "an unknown field"
must_match 'unknown field "nope"' \
    "$(raw '{"cmd":"jobs","fields":["nope"]}' | jq -r .error.message)" \
    "the error names it"
must_equal bad_request "$(raw_code '{"cmd":"jobs","fields":[3]}')" \
    "a field that is not a name"
must_equal bad_request "$(raw_code '{"cmd":"jobs","fields":"runs"}')" \
    "fields that are not a list"

# schedctl's table: the same rows as from whole summaries.
must_succeed ctl jobs
table=$OUT
must_match '^a +every 1h .*\(succeeded #1\) +idle +1$' "$(echo "$table" | grep '^a ')" \
    "row of a"
must_match '^b +cron 0 3 \* \* \* ' "$(echo "$table" | grep '^b ')" "row of b"
# --json prints whole summaries.
must_equal 25 "$(cj jobs | jq '.result.jobs[0] | length')" "members with --json"
exit 0
