#!/bin/bash
# The five lists of commands agree: the daemon's command table
# (daemon/cmd.c and its cmd-*.c), schedd.8 CONTROL PROTOCOL, schedctl's
# table ("schedctl --list-commands"), schedctl.1 COMMANDS and the bash
# completion; and each schedctl option is in schedctl.1 and the
# completion.  No daemon is started.  A failure names what is missing
# where.
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
-=help
-=export
-=import
"

DMAN=$SRCDIR/man/schedd.8
CMAN=$SRCDIR/man/schedctl.1
COMP=$SRCDIR/contrib/schedctl.bash-completion
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

# The words of the completion's "local commands=" list.
comp_commands()
{
	awk '
	/local commands="/ { p = 1; sub(/.*local commands="/, "") }
	p { s = s " " $0; if ($0 ~ /"/) exit }
	END { sub(/".*/, "", s); print s }
	' "$COMP"
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
	has_word "$c" "$COMP_CMDS" ||
	    problem "contrib/schedctl.bash-completion: commands= lacks $c"
done
for c in $CMAN_CMDS; do
	has_word "$c" "$VISIBLE" ||
	    problem "schedctl.1: COMMANDS documents \"$c\", which schedctl does not have (or hides)"
done
for c in $COMP_CMDS; do
	has_word "$c" "$VISIBLE" ||
	    problem "contrib/schedctl.bash-completion: completes \"$c\", which schedctl does not have (or hides)"
done

# --- each option of a visible command, in schedctl.1 and the completion
for c in $VISIBLE; do
	man=$(man_options "$CMAN" COMMANDS "$c")
	head=$(man_options "$CMAN" COMMANDS "$c" header)
	comp=$(comp_options "$c")
	spellings=
	for o in ${OPTS[$c]}; do
		spellings="$spellings ${o//|/ }"
		hit=
		for s in ${o//|/ }; do
			has_word "$s" "$man" && hit=1
		done
		[ -n "$hit" ] ||
		    problem "schedctl.1: \".It Cm $c\" does not mention its option ${o//|/ or }"
		hit=
		for s in ${o//|/ }; do
			has_word "$s" "$comp" && hit=1
		done
		[ -n "$hit" ] ||
		    problem "contrib/schedctl.bash-completion: $c) opts= lacks ${o//|/ or }"
	done
	for s in $head; do
		[ "$s" = -- ] || has_word "$s" "$spellings" ||
		    problem "schedctl.1: \".It Cm $c\" shows $s, which schedctl $c does not take"
	done
	for s in $comp; do
		[ "$s" = -- ] || has_word "$s" "$spellings" ||
		    problem "contrib/schedctl.bash-completion: offers $s for $c, which schedctl $c does not take"
	done
done

if [ -s "$PROBLEMS" ]; then
	sed "s/^/FAIL: $TEST_NAME: /" "$PROBLEMS" >&2
	exit 1
fi
exit 0
