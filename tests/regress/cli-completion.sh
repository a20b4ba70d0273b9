#!/bin/bash
# SPDX-License-Identifier: ISC
# The bash completion at work, against a running daemon: every command of
# schedctl's table and every option of each; task ids (the newest of each
# job) and job names for logs, wait, status and stop; the banned names for
# unban; event names for watch; --dry-run for reload; the socket given
# with -s is the one asked.  The zsh completion is driven through zpty
# where zsh is installed.  tests/regress/cli-consistency.sh checks the
# same lists without running them.
. "$(dirname "$0")/lib.sh"

COMP=$SRCDIR/contrib/schedctl.bash-completion
ZCOMP=$SRCDIR/contrib/_schedctl
BIN=$(cd "$(dirname "$SCHEDCTL")" && pwd)

# comp WORD...: what bash completes for the last WORD (after the others),
# sorted, one per line.
comp()
{
	PATH=$BIN:$PATH bash -c '
	. "$1"
	shift
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	_schedctl schedctl "${COMP_WORDS[COMP_CWORD]}" \
	    "${COMP_WORDS[COMP_CWORD - 1]}"
	printf "%s\n" "${COMPREPLY[@]}" | sort -u' bash "$COMP" "$@"
}

# offers WHAT LIST WORD...: each word of LIST is among the completions.
offers()
{
	local what=$1 list=$2 got w

	shift 2
	got=$(comp "$@")
	for w in $list; do
		printf '%s\n' "$got" | grep -qxF -- "$w" ||
		    fail "$what: \"$*\" does not offer $w (offers: $(echo $got))"
	done
}

start_daemon 'jobs:
  alpha:
    command: ["true"]
  beta:
    command: ["true"]'
must_succeed ctl run alpha
id=$OUT
must_succeed ctl wait "$id"
must_succeed ctl ban beta --reason test

# Commands and options, as schedctl's table has them.
LIST=$("$SCHEDCTL" --list-commands) || fail "schedctl --list-commands failed"
visible=$(printf '%s\n' "$LIST" | awk -F '\t' '$3 != "hidden" { print $1 }')
offers "commands" "$visible" schedctl ''
while IFS=$'\t' read -r name wire vis opts; do
	[ "$vis" = hidden ] && continue
	for o in $opts; do
		got=$(comp schedctl "$name" -)
		hit=
		for s in ${o//|/ }; do
			printf '%s\n' "$got" | grep -qxF -- "$s" && hit=1
		done
		[ -n "$hit" ] ||
		    fail "\"schedctl $name -\" does not offer ${o//|/ or }"
	done
done <<<"$LIST"
must_equal "--dry-run" "$(comp schedctl reload --d)" "reload --d"

# Dynamic lists, from the daemon on the socket given with -s.
for c in logs wait status stop; do
	offers "$c" "$id alpha beta" schedctl -s "$SOCK" "$c" ''
done
offers "wait, second task" "$id alpha" schedctl -s "$SOCK" wait alpha ''
offers "add --after" "$id" schedctl -s "$SOCK" add x --after ''
must_equal beta "$(comp schedctl -s "$SOCK" unban '')" "unban completes bans"
must_equal "task.finished task.frozen" \
    "$(echo $(comp schedctl -s "$SOCK" watch task.f))" "watch task.f"
offers "watch" "job.banned config.reloaded" schedctl watch task.queued ''
must_equal "" "$(comp schedctl -s "$T/nothing.sock" logs '')" \
    "logs with no daemon on the socket"

# zsh: the same through its completion system, on a pseudo-terminal
# (zpty): the matches it lists (TAB bound to list-choices) for a line.
# zsh shows no list while more input is pending, so the script types
# nothing more: it reads, a character at a time (the list ends no line),
# until every expected word came, or the timeout.
if command -v zsh >/dev/null 2>&1; then
	cat >"$T/zcomp.zsh" <<'EOF'
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PS1='' PROMPT='' RPROMPT=''; fpath=($1 \$fpath)"
zpty -w z 'autoload -Uz compinit && compinit -u -D'
zpty -w z 'bindkey "^I" list-choices; LISTMAX=10000; print -r RE""ADY'
zpty -r z line '*READY*'
zpty -w -n z "$2"$'\t'
shift 2
out=
while zpty -r z c '?'; do
	out+=$c
	for w; do
		[[ $out == *$w* ]] || continue 2
	done
	break
done
print -r -- $out
EOF
	# zoffers LINE WORD...: zsh offers each WORD after LINE; the list it
	# showed is in $ZGOT.
	zoffers()
	{
		local line=$1 w

		shift
		ZGOT=$(PATH=$BIN:$PATH timeout 20 zsh -f "$T/zcomp.zsh" \
		    "$(dirname "$ZCOMP")" "$line" "$@" 2>/dev/null |
		    sed 's/\x1b\[[0-9;?]*[A-Za-z]//g' |
		    tr -s ' \r\t' '\n\n\n' | grep -v '^$')
		for w; do
			printf '%s\n' "$ZGOT" | grep -qxF -- "$w" ||
			    fail "zsh: \"$line\" does not offer $w: $(echo $ZGOT)"
		done
	}
	zoffers "schedctl -s $SOCK un" unban
	zoffers "schedctl -s $SOCK logs " "$id" alpha beta
	zoffers "schedctl -s $SOCK reload --" --dry-run
	zoffers "schedctl -s $SOCK watch task.f" task.finished task.frozen
	zoffers "schedctl -s $SOCK unban " beta
	# (zsh lists in order: alpha would come before beta.)
	printf '%s\n' "$ZGOT" | grep -qx alpha &&
	    fail "zsh: \"schedctl unban\" offers alpha, which is not banned"
fi
exit 0
