#!/bin/bash
# SPDX-License-Identifier: ISC
# "schedctl add" takes every job key of schedd.yaml(5) as an option: the
# keys of the man page's JOBS section, the daemon's table of job keys
# (daemon/config-job.c) and schedctl's add options agree, so that none
# can be added to one and not the others; and the options reach the
# daemon as the keys they stand for.
. "$(dirname "$0")/lib.sh"

# Where a key's option is not the key with "-" for "_".
declare -A OPT=([command]="" [tags]=tag [limits]=limit [enabled]=disabled)
# add's options that are no job key.
LOCAL="shell replace no-run wait after"

man_keys=$(awk '
/^\.Sh JOBS/ { p = 1; next }
p && /^\.Sh/ { exit }
p && /^\.Bl/ { d++ }
p && /^\.El/ { d-- }
p && d == 1 && /^\.It Ic/ { print $3 }
' "$SRCDIR/man/schedd.yaml.5")
daemon_keys=$(sed -n 's/^[[:space:]]*{ "\([a-z_]*\)", 0, NULL, jobkey_[a-z]* },$/\1/p' \
    "$SRCDIR/daemon/config-job.c")
[ -n "$man_keys" ] || fail "no job keys in JOBS of schedd.yaml.5"
[ -n "$daemon_keys" ] || fail "no job keys in daemon/config-job.c"
must_equal "$(echo $(sort <<<"$daemon_keys"))" "$(echo $(sort <<<"$man_keys"))" \
    "job keys of daemon/config-job.c and schedd.yaml.5"

opts=" $("$SCHEDCTL" --list-commands | awk -F'\t' '$1 == "add" { print $4 }') "
want=
for k in $man_keys; do
	if [ -n "${OPT[$k]+set}" ]; then
		o=${OPT[$k]}
	else
		o=${k//_/-}
	fi
	[ -n "$o" ] || continue
	want="$want --$o"
	case $opts in
	*" --$o "*) ;;
	*) fail "schedctl add has no --$o for the job key $k" ;;
	esac
done
for o in $opts; do
	case " $want $(printf -- ' --%s' $LOCAL) " in
	*" $o "*) ;;
	*) fail "schedctl add $o is no job key of schedd.yaml(5)" ;;
	esac
done

# The options as the daemon reads them.
start_daemon
me=$(id -un)
must_succeed ctl add full --every 1h --max-runs 3 --auto-remove --catch-up \
    --start-deadline 30s --timeout 5m --kill-signal INT --kill-grace 3s \
    --concurrency 2 --on-overlap skip --on-leftovers wait --queue-limit 4 \
    --priority 2 --retries 1 --retry-delay 5s --ban-after-failures 3 \
    --history 7 --user "$me" --group "$(id -gn)" --workdir / --env A=B \
    --umask 0027 --nice 5 --limit nofile=64 --limit memory=1GiB \
    --timezone Europe/Paris --disabled --tag x --description d -- true
must_equal '{"auto_remove":true,"catch_up":true,"start_deadline_ms":30000,"timeout_ms":300000,"kill_signal":"INT","kill_grace_ms":3000,"concurrency":2,"on_overlap":"skip","on_leftovers":"wait","queue_limit":4,"priority":2,"retries":1,"retry_delay_ms":5000,"ban_after_failures":3,"history":7,"umask":"0027","nice":5,"nofile":64,"memory":1073741824,"timezone":"Europe/Paris","enabled":false}' \
    "$(cj status full | jq -c '.result.job.definition |
    {auto_remove, catch_up, start_deadline_ms, timeout_ms, kill_signal,
    kill_grace_ms, concurrency, on_overlap, on_leftovers, queue_limit,
    priority, retries, retry_delay_ms, ban_after_failures, history, umask,
    nice, nofile: .limits.nofile, memory: .limits.memory, timezone,
    enabled}')" "definition of full"
must_equal "$me|$(id -gn)|true" "$(cj status full | jq -r '.result.job |
    "\(.definition.user)|\(.definition.group)|\(.paused)"')" \
    "user, group and paused of full"

# cgroup limits: kept where the controllers are, else refused by name.
if ctl add cg --memory-max 512MiB --memory-high 256MiB \
    --memory-swap-max 0 --cpu-max 50% --cpu-weight 100 --io-weight 100 \
    --pids-max max --no-run -- true >"$T/out" 2>&1; then
	must_equal '536870912 100 "max"' "$(cj status cg | jq -r '.result.job.definition |
	    "\(.memory_max) \(.cpu_weight) \(.pids_max | tojson)"')" \
	    "cgroup limits of cg"
else
	must_match 'memory|cpu|io|pids' "$(cat "$T/out")" "refusal of cg"
fi

# Bad values are usage errors or the daemon's errors; nothing is added.
must_exit 2 ctl add b1 --nice 20 -- true
must_exit 2 ctl add b2 --on-leftovers maybe -- true
must_exit 2 ctl add b3 --limit nofile -- true
must_exit 1 ctl add b4 --start-deadline 0 -- true
must_exit 1 ctl add b5 --umask 999 -- true
for b in b1 b2 b3 b4 b5; do
	must_exit 1 ctl status $b
done
exit 0
