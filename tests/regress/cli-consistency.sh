#!/bin/bash
# SPDX-License-Identifier: ISC
# The six lists of commands agree: the daemon's command table
# (daemon/cmd.c and its cmd-*.c), schedd.8 CONTROL PROTOCOL, schedctl's
# table ("schedctl --list-commands"), schedctl.1 COMMANDS and the bash
# and zsh completions; each schedctl option is in schedctl.1 and both
# completions; each positional argument a command's usage shows (ID, JOB,
# EVENT, KEY, COMMAND) is completed by both with the right list, whose
# event and setting names are the daemon's; the man pages carry one
# date.  No daemon is started.  A failure names what is missing where:
# a new command or option means an entry in each completion.
. "$(dirname "$0")/lib.sh"

# Where the names differ: DAEMON=SCHEDCTL says that schedctl reaches the
# daemon command DAEMON through its command SCHEDCTL; "-" on the left is
# a schedctl command that sends no request, on the right a daemon command
# that schedctl does not send.  Commands of the same name in both need no
# entry.  A new command added to only some of the places fails below.
MAP="
hello=-
job=status
task=status
task=result
output=logs
subscribe=watch
jobs=_names
jobs=_tasks
bans=_bans
-=help
-=export
-=import
"

DMAN=$SRCDIR/man/schedd.8
CMAN=$SRCDIR/man/schedctl.1
COMP=$SRCDIR/contrib/schedctl.bash-completion
ZCOMP=$SRCDIR/contrib/_schedctl
PROBLEMS=$T/problems
: >"$PROBLEMS"

# problem TEXT: note a disagreement (from a subshell too); all are shown.
problem()
{
	printf '%s\n' "$*" >>"$PROBLEMS"
}

# has_word WORD LIST: is WORD one of the words of LIST?
has_word()
{
	local w

	for w in $2; do
		[ "$w" = "$1" ] && return 0
	done
	return 1
}

# The ".It Cm NAME" of the outermost list of a man page section.
man_commands()
{
	awk -v sect="$2" '
	$0 == ".Sh " sect { p = 1; next }
	p && /^\.Sh / { exit }
	p && /^\.Bl/ { d++ }
	p && /^\.El/ { d-- }
	p && d == 1 && /^\.It Cm / { print $3 }
	' "$1"
}

# The options a man page section spells in the item of command $3, as
# "--long" or "-l"; with $4 = header, only those of its .It line.
man_options()
{
	awk -v sect="$2" -v cmd="$3" -v only="${4:-}" '
	$0 == ".Sh " sect { p = 1; next }
	p && /^\.Sh / { exit }
	!p { next }
	/^\.Bl/ { d++ }
	/^\.El/ { d--; if (d == 0) item = 0 }
	d == 1 && /^\.It/ { item = ($2 == "Cm" && $3 == cmd); head = 1 }
	item && (head || only == "") {
		for (i = 1; i < NF; i++) {
			if ($i != "Fl")
				continue
			o = $(i + 1)
			gsub(/\\-/, "-", o)
			print "-" o
		}
	}
	{ head = 0 }
	' "$1" | sort -u
}

# comp_list FILE NAME: the words of a completion's list NAME, written
# 'local NAME="..."' (bash) or "local -a NAME=( ... )" (zsh).
comp_list()
{
	awk -v name="$2" '
	!p && $0 ~ "local (-a )?" name "=[\"(]" {
		p = 1
		end = ($0 ~ name "=\\(") ? ")" : "\""
		sub(".*" name "=.", "")
	}
	p {
		s = s " " $0
		if (index($0, end) > 0)
			exit
	}
	END { sub("[" end "].*", "", s); print s }
	' "$1"
}

comp_commands()
{
	comp_list "$COMP" commands
}

# arm_body FILE MARKER CMD: the arms for CMD of the first case statement
# after the line matching MARKER, whose arms start with "\tname|name)" or
# "\t(name|name)": that line, then the lines of the arm's body.
arm_body()
{
	awk -v marker="$2" -v cmd="$3" '
	!p && $0 ~ marker { p = 1; next }
	!p { next }
	/^\tesac/ && !inarm { exit }
	/^\t\(?[a-z_|]+\)$/ {
		pat = $0
		gsub(/[\t()]/, "", pat)
		k = split(pat, nm, "|")
		inarm = 0
		for (j = 1; j <= k; j++)
			if (nm[j] == cmd)
				inarm = 1
	}
	inarm { print }
	inarm && /;;[ \t]*$/ { inarm = 0 }
	' "$1"
}

# The options the zsh completion offers for command $1: the names before
# the "[" of each option spec (one a line) of its arm.
zcomp_options()
{
	arm_body "$ZCOMP" 'local -a args' "$1" | awk '
	{
		spec = $0
		sub(/\[.*/, "", spec)
		gsub(/[\047"{}(),*=+]/, " ", spec)
		n = split(spec, w, /[ \t]+/)
		for (i = 1; i <= n; i++)
			if (w[i] ~ /^--?[a-z][a-z0-9-]*$/)
				print w[i]
	}' | sort -u
}

# The positional arguments the usage line of schedctl help $1 shows (not
# the values of options), one per line: "ID|JOB" gives ID and JOB.
usage_positionals()
{
	"$SCHEDCTL" help "$1" 2>&1 | sed -n '1s/^usage: schedctl [^ ]*//p' |
	    awk '{
		prev = ""
		for (i = 1; i <= NF; i++) {
			w = $i
			gsub(/[][]|\.\.\./, "", w)
			if (w == "|" || w == "")
				continue
			if (w ~ /^[A-Z][A-Z|]*$/ && prev !~ /^-/) {
				k = split(w, part, "|")
				for (j = 1; j <= k; j++)
					print part[j]
			}
			prev = w
		}
	}'
}

# The options the completion offers for command $1.
comp_options()
{
	awk -v cmd="$1" '
	/^[ \t]*local opts=/ { p = 1; next }
	p && /^[ \t]*esac/ { exit }
	p { s = s " " $0 }
	END {
		n = split(s, arm, ";;")
		for (i = 1; i <= n; i++) {
			a = arm[i]
			if (index(a, ")") == 0)
				continue
			names = substr(a, 1, index(a, ")") - 1)
			sub(/.*[ \t]/, "", names)
			k = split(names, nm, "|")
			for (j = 1; j <= k; j++) {
				if (nm[j] != cmd)
					continue
				o = a
				sub(/^[^"]*"/, "", o)
				sub(/".*/, "", o)
				print o
			}
		}
	}
	' "$COMP" | tr -s ' \t' '\n\n' | grep -v '^$' | sort -u
}

# The daemon's commands: the entries listed in cmd_table, each defined in
# a cmd-*.c as "const struct cmd_entry cmd_X_entry = { .name = ..." (or
# with the name as the first string of the initialiser).
daemon_commands()
{
	local defs syms s name

	defs=$(awk '
	/^(static )?const struct cmd_entry cmd_[a-z0-9_]+_entry *=/ {
		sym = $0
		sub(/.*struct cmd_entry /, "", sym)
		sub(/ *=.*/, "", sym)
		buf = ""
		inb = 1
	}
	inb {
		buf = buf " " $0
		if ($0 ~ /^};/) {
			name = ""
			if (match(buf, /\.name *= *"[^"]*"/)) {
				name = substr(buf, RSTART, RLENGTH)
				sub(/^[^"]*"/, "", name)
			} else if (match(buf, /\{[^"]*"[^"]*"/)) {
				name = substr(buf, RSTART, RLENGTH)
				sub(/^[^"]*"/, "", name)
			}
			sub(/"$/, "", name)
			print sym, name
			inb = 0
		}
	}
	' "$SRCDIR"/daemon/cmd-*.c)
	syms=$(awk '
	/cmd_table\[\] *= *\{/ { p = 1; next }
	p && /^};/ { exit }
	p
	' "$SRCDIR/daemon/cmd.c" | grep -o 'cmd_[a-z0-9_]*_entry')
	[ -n "$syms" ] || fail "no cmd_table found in daemon/cmd.c"
	for s in $syms; do
		name=$(printf '%s\n' "$defs" | awk -v s="$s" '$1 == s { print $2 }')
		if [ -z "$name" ]; then
			problem "daemon/cmd.c: cmd_table lists $s, which no daemon/cmd-*.c defines with a name"
			continue
		fi
		echo "$name"
	done
	printf '%s\n' "$defs" | while read -r s name; do
		has_word "$s" "$syms" ||
		    problem "daemon: $s (\"$name\") is defined but not in cmd_table of daemon/cmd.c"
	done
}

# --- gather the five lists
DAEMON=$(daemon_commands)
DAEMON=$(echo $DAEMON)
DMAN_CMDS=$(echo $(man_commands "$DMAN" "CONTROL PROTOCOL"))
CMAN_CMDS=$(echo $(man_commands "$CMAN" COMMANDS))
COMP_CMDS=$(echo $(comp_commands))
LIST=$("$SCHEDCTL" --list-commands) || fail "schedctl --list-commands failed"
[ -n "$DAEMON" ] || fail "no daemon commands found in $SRCDIR/daemon"
[ -n "$DMAN_CMDS" ] || fail "no .It Cm in CONTROL PROTOCOL of schedd.8"
[ -n "$CMAN_CMDS" ] || fail "no .It Cm in COMMANDS of schedctl.1"
[ -n "$COMP_CMDS" ] || fail "no commands= list in the completion"

declare -A WIRE OPTS HIDDEN
CLIENT=
VISIBLE=
while IFS=$'\t' read -r name wire vis opts; do
	CLIENT="$CLIENT $name"
	WIRE[$name]=$wire
	OPTS[$name]=$opts
	HIDDEN[$name]=$vis
	[ "$vis" = hidden ] || VISIBLE="$VISIBLE $name"
done <<<"$LIST"
VISIBLE=$(echo $VISIBLE)
# "-" is no command on either side.
mapped()
{
	printf '%s\n' $MAP | grep -qx -- "$1=$2"
}

# same_commands WHERE LIST: the words of LIST (a completion's commands) are
# schedctl's visible commands.
same_commands()
{
	local c

	for c in $VISIBLE; do
		has_word "$c" "$2" || problem "$1: the commands lack $c"
	done
	for c in $2; do
		has_word "$c" "$VISIBLE" ||
		    problem "$1: completes \"$c\", which schedctl does not have (or hides)"
	done
}

# same_options WHERE CMD OFFERED: OFFERED (what a completion offers for
# CMD) has a spelling of each option of CMD, and no other option.
same_options()
{
	local o s hit

	for o in ${OPTS[$2]}; do
		hit=
		for s in ${o//|/ }; do
			has_word "$s" "$3" && hit=1
		done
		[ -n "$hit" ] || problem "$1: $2 lacks ${o//|/ or }"
	done
	for s in $3; do
		[ "$s" = -- ] || has_word "$s" "${OPTS[$2]//|/ }" ||
		    problem "$1: offers $s for $2, which schedctl $2 does not take"
	done
}

# --- the daemon's table and schedd.8
for d in $DAEMON; do
	has_word "$d" "$DMAN_CMDS" ||
	    problem "schedd.8: CONTROL PROTOCOL has no \".It Cm $d\" for the daemon command $d"
done
for d in $DMAN_CMDS; do
	has_word "$d" "$DAEMON" ||
	    problem "schedd.8: CONTROL PROTOCOL documents \"$d\", which is not in the daemon's cmd_table"
done

# --- the daemon's table and schedctl's
for d in $DAEMON; do
	found=
	for c in $CLIENT; do
		[ "${WIRE[$c]}" = "$d" ] && found=1
	done
	printf '%s\n' $MAP | grep -q -- "^$d=" && found=1
	[ -n "$found" ] ||
	    problem "schedctl: no command sends the daemon command $d (client/cmds.c), and the MAP of tests/regress/$TEST_NAME.sh does not say why"
done
for c in $CLIENT; do
	w=${WIRE[$c]}
	if [ "$w" != - ] && ! has_word "$w" "$DAEMON"; then
		problem "schedctl: $c sends \"$w\", which is not in the daemon's cmd_table"
	fi
	if [ "$w" != "$c" ] && ! mapped "$w" "$c"; then
		problem "schedctl: $c sends \"$w\": add \"$w=$c\" to the MAP of tests/regress/$TEST_NAME.sh"
	fi
done
for m in $MAP; do
	d=${m%%=*}
	c=${m#*=}
	[ "$d" = - ] || has_word "$d" "$DAEMON" ||
	    problem "tests/regress/$TEST_NAME.sh: MAP names $d, which is not a daemon command"
	[ "$c" = - ] || has_word "$c" "$CLIENT" ||
	    problem "tests/regress/$TEST_NAME.sh: MAP names $c, which is not a schedctl command"
done

# --- schedctl's table, schedctl.1 (in table order) and the completion
[ "$CMAN_CMDS" = "$VISIBLE" ] ||
    problem "schedctl.1: COMMANDS lists \"$CMAN_CMDS\"; schedctl's table (in order): \"$VISIBLE\""
for c in $VISIBLE; do
	has_word "$c" "$CMAN_CMDS" ||
	    problem "schedctl.1: COMMANDS has no \".It Cm $c\""
done
for c in $CMAN_CMDS; do
	has_word "$c" "$VISIBLE" ||
	    problem "schedctl.1: COMMANDS documents \"$c\", which schedctl does not have (or hides)"
done
same_commands "contrib/schedctl.bash-completion (commands=)" "$COMP_CMDS"

# --- each option of a visible command, in schedctl.1 and the completion
for c in $VISIBLE; do
	man=$(man_options "$CMAN" COMMANDS "$c")
	head=$(man_options "$CMAN" COMMANDS "$c" header)
	spellings=
	for o in ${OPTS[$c]}; do
		spellings="$spellings ${o//|/ }"
		hit=
		for s in ${o//|/ }; do
			has_word "$s" "$man" && hit=1
		done
		[ -n "$hit" ] ||
		    problem "schedctl.1: \".It Cm $c\" does not mention its option ${o//|/ or }"
	done
	for s in $head; do
		[ "$s" = -- ] || has_word "$s" "$spellings" ||
		    problem "schedctl.1: \".It Cm $c\" shows $s, which schedctl $c does not take"
	done
	same_options "contrib/schedctl.bash-completion (opts=)" "$c" \
	    "$(comp_options "$c")"
done

# --- the zsh completion: commands and options, as for bash
command -v zsh >/dev/null 2>&1 && ! zsh -n "$ZCOMP" 2>"$T/zsh.err" &&
    problem "contrib/_schedctl: zsh -n: $(cat "$T/zsh.err")"
bash -n "$COMP" 2>"$T/bash.err" ||
    problem "contrib/schedctl.bash-completion: bash -n: $(cat "$T/bash.err")"
ZCOMP_CMDS=$(echo $(comp_list "$ZCOMP" commands))
[ -n "$ZCOMP_CMDS" ] || fail "no commands=( list in the zsh completion"
same_commands "contrib/_schedctl (commands=)" "$ZCOMP_CMDS"
for c in $VISIBLE; do
	arm_body "$ZCOMP" 'local -a args' "$c" | grep -q '' ||
	    problem "contrib/_schedctl: no \"($c)\" arm"
	same_options "contrib/_schedctl (args=)" "$c" "$(zcomp_options "$c")"
done

# --- positional arguments: what each completion offers for them.  Both
# get their dynamic lists from hidden schedctl commands, which must exist.
for f in "$COMP" "$ZCOMP"; do
	for q in $(grep -o '_schedctl_query [a-z]*' "$f" |
	    awk '$2 != "" { print $2 }' | sort -u); do
		[ "${HIDDEN[_$q]:-}" = hidden ] ||
		    problem "$f: uses \"schedctl _$q\", which is no hidden command of schedctl"
	done
done
# need FILE MARKER CMD ARG WHAT REGEX: the arm of CMD must match REGEX.
need()
{
	arm_body "$1" "$2" "$3" | grep -Eq -- "$6" ||
	    problem "${1#"$SRCDIR"/}: the $4 argument of $3 is not completed with $5"
}
for c in $VISIBLE; do
	for a in $(usage_positionals "$c"); do
		case $c:$a in
		unban:JOB)
			need "$COMP" Positional "$c" $a "the bans" \
			    '_schedctl_query bans'
			need "$ZCOMP" 'local -a args' "$c" $a "the bans" \
			    '_schedctl_bans'
			;;
		*:ID)
			need "$COMP" Positional "$c" $a "task ids" \
			    '_schedctl_query tasks'
			need "$ZCOMP" 'local -a args' "$c" $a "task ids" \
			    '_schedctl_(targets|tasks)'
			;;
		*:JOB)
			need "$COMP" Positional "$c" $a "job names" \
			    '_schedctl_query names'
			need "$ZCOMP" 'local -a args' "$c" $a "job names" \
			    '_schedctl_(targets|jobs)'
			;;
		*:EVENT|*:KEY|help:COMMAND)
			case $a in
			EVENT) l=events ;;
			KEY) l=settings ;;
			COMMAND) l=commands ;;
			esac
			need "$COMP" Positional "$c" $a "\$$l" "\\\$$l"
			need "$ZCOMP" 'local -a args' "$c" $a "\$$l" "\\\$$l"
			;;
		esac
	done
done

# --- the events and settings the completions offer are the daemon's
EVENTS=$(sed -n 's/^[ \t]*{ "\([a-z]*\.[a-z]*\)", SUB_.*/\1/p' \
    "$SRCDIR/daemon/sub.c" | sort)
SETTINGS=$(awk '/^cmd_set_exec\(/ { p = 1 } p && /^}/ { exit } p' \
    "$SRCDIR/daemon/cmd-get.c" | grep -o 'strcmp(key, "[a-z_]*")' |
    sed 's/.*"\(.*\)")/\1/' | sort -u)
[ -n "$EVENTS" ] || fail "no event names found in daemon/sub.c"
[ -n "$SETTINGS" ] || fail "no settings found in cmd_set_exec of daemon/cmd-get.c"
for f in "$COMP" "$ZCOMP"; do
	got=$(comp_list "$f" events | tr -s ' \t' '\n\n' | grep . | sort)
	[ "$got" = "$EVENTS" ] ||
	    problem "${f#"$SRCDIR"/}: events are \"$(echo $got)\"; daemon/sub.c has \"$(echo $EVENTS)\""
	got=$(comp_list "$f" settings | tr -s ' \t' '\n\n' | grep . | sort -u)
	[ "$got" = "$SETTINGS" ] ||
	    problem "${f#"$SRCDIR"/}: settings are \"$(echo $got)\"; schedctl set takes \"$(echo $SETTINGS)\""
done

# --- one .Dd date over the man pages
dates=$(sed -n 's/^\.Dd //p' "$SRCDIR"/man/*.[158] | sort -u)
[ "$(printf '%s\n' "$dates" | wc -l)" -eq 1 ] ||
    problem "man pages: .Dd differs: $(echo $dates)"
case $dates in
*Mdocdate*) problem "man pages: .Dd is \"$dates\", not a date" ;;
esac

if [ -s "$PROBLEMS" ]; then
	sed "s/^/FAIL: $TEST_NAME: /" "$PROBLEMS" >&2
	exit 1
fi
exit 0
