# helpers.bash — what the demos and e2e suites share, loaded by each of
# their files with `load ../helpers`:
#
#  - common: where systour is, fail, now_ms, deadline_ms, wait_until;
#  - TUI under tmux (tests/e2e): e2e_setup, start_tui, keys, wait_for...;
#  - plain demos (tests/demos): demo_setup, run_demo, pane, figure,
#    assert_no_leftovers...
#
# Nothing here sleeps to wait for something: every wait_* polls a condition
# (every 50 ms) against a deadline, and says what it waited for on failure.
#
# ---- TUI under tmux --------------------------------------------------------
#
# Every e2e test gets its own tmux server (-L systour-PID-TESTNUMBER, killed in
# teardown), a fixed-size window, a fresh XDG_DATA_HOME and HOME, LANG=C.UTF-8,
# TERM=screen-256color and the fixture lessons in tests/fixtures/e2e-lessons.
# The pane runs a small script: it notes the start time, runs systour, saves
# `stty -a`, prints EXIT=<status> and then sleeps, so the pane (and the
# terminal state systour left behind) can still be inspected after the exit.
# The wait_* helpers print the last screen on failure.

TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$TESTS_DIR")
SYSTOUR=${SYSTOUR:-$ROOT/systour}
E2E_LESSONS=${E2E_LESSONS:-$TESTS_DIR/fixtures/e2e-lessons}
WAIT_TIMEOUT=${WAIT_TIMEOUT:-5}         # seconds, for every wait_* helper
TARGET=e2e                              # the session (and so window/pane)

# ---- common ----------------------------------------------------------------

# fail MESSAGE: say what failed, with the last run's status, output and
# stderr (when it was kept apart), on stderr; returns 1.
fail() {
	{
		printf '%s\n' "$*"
		printf -- '--- status: %s\n--- output:\n%s\n' "${status-}" "${output-}"
		[ -z "${stderr-}" ] || printf -- '--- stderr:\n%s\n' "$stderr"
	} >&2
	return 1
}

now_ms() {
	local t=${EPOCHREALTIME/[.,]/}
	echo $((t / 1000))
}

# deadline_ms [SECONDS]: now plus SECONDS (default WAIT_TIMEOUT), in ms.
deadline_ms() {
	local t=${1:-$WAIT_TIMEOUT} i f=0
	i=${t%%.*}
	if [[ $t == *.* ]]; then
		f=${t#*.}000
		f=$((10#${f:0:3}))
	fi
	echo $(($(now_ms) + ${i:-0} * 1000 + f))
}

# wait_until SECONDS COMMAND...: run COMMAND every 50 ms until it succeeds;
# 1 if it has not within SECONDS ("" for WAIT_TIMEOUT).
wait_until() {
	local end
	end=$(deadline_ms "$1")
	shift
	until "$@"; do
		[ "$(now_ms)" -lt "$end" ] || return 1
		sleep 0.05
	done
}

# ---- TUI under tmux: the harness -------------------------------------------

e2e_setup() {
	unset TMUX TMUX_PANE
	TM_NAME="systour-$$-$BATS_TEST_NUMBER"
	T="$BATS_TEST_TMPDIR"
	export XDG_DATA_HOME="$T/data"
	mkdir -p "$XDG_DATA_HOME" "$T/home"
	cat >"$T/tmux.conf" <<-'EOF'
		set -g default-terminal screen-256color
		set -g escape-time 0
		set -g status off
		set -g history-limit 100
	EOF
	# the pane's script runs in the test's directory: make the path absolute
	case $SYSTOUR in /*) ;; */*) SYSTOUR=$PWD/$SYSTOUR ;; esac
	[ -x "$SYSTOUR" ] || {
		echo "SYSTOUR=$SYSTOUR is not an executable (run make)" >&2
		return 1
	}
}

e2e_teardown() {
	tm kill-server >/dev/null 2>&1 || true
}

tm() {
	tmux -L "$TM_NAME" "$@"
}

# Shell-quote one word for sh.
shq() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# start_tui [-x COLS] [-y ROWS] [-e VAR=VALUE]... [-- ARGS...]
# Start systour in a new tmux server. Does not wait for anything.
start_tui() {
	local cols=100 rows=30 envs=() args=() a
	while [ $# -gt 0 ]; do
		case $1 in
		-x) cols=$2; shift 2 ;;
		-y) rows=$2; shift 2 ;;
		-e) envs+=("$2"); shift 2 ;;
		--) shift; args=("$@"); break ;;
		*) echo "start_tui: bad argument $1" >&2; return 1 ;;
		esac
	done
	rm -f "$T/stty.txt" "$T/t0"
	{
		echo '#!/bin/sh'
		echo 'unset LC_ALL LC_CTYPE LC_MESSAGES LANGUAGE NO_COLOR SYSTOUR_LESSONS'
		echo "export LANG=C.UTF-8 INPUTRC=/dev/null"
		echo "export HOME=$(shq "$T/home") XDG_DATA_HOME=$(shq "$XDG_DATA_HOME")"
		echo "export SYSTOUR_LESSONS=$(shq "$E2E_LESSONS")"
		for a in "${envs[@]}"; do
			echo "export $(shq "$a")"
		done
		echo "cd $(shq "$T") || exit 1"
		echo 'ulimit -c 0'
		# job control, as in an interactive shell: systour runs in its own
		# process group in the foreground, so Ctrl-C and Ctrl-\ reach only it
		echo 'set -m'
		echo 'date +%s%N > t0'
		printf '%s' "$(shq "$SYSTOUR")"
		for a in "${args[@]}"; do
			printf ' %s' "$(shq "$a")"
		done
		echo
		echo 'rc=$?'
		echo 'stty -a > stty.tmp; mv stty.tmp stty.txt'
		echo 'echo "EXIT=$rc"'
		# the subject, not a wait: keep the pane and what systour left on
		# it for the test to read; e2e_teardown kills the server
		echo 'exec sleep 600'
	} >"$T/run.sh"
	chmod +x "$T/run.sh"
	COLS=$cols ROWS=$rows
	tm -f "$T/tmux.conf" new-session -d -s "$TARGET" -x "$cols" -y "$rows" "$T/run.sh"
}

# Start systour and wait for the lesson list.
start_list() {
	start_tui "$@"
	wait_for ' systour · (Lessons|课程)'
	wait_for '[0-9]+( lessons| 课) *$'
}

# Start systour and open lesson 1 at step 1.
start_lesson1() {
	start_list "$@"
	keys Enter
	wait_for '(step|步骤) 1/3'
}

keys() {
	tm send-keys -t "$TARGET" "$@"
}

# Text typed literally (no key names).
type_text() {
	tm send-keys -t "$TARGET" -l -- "$1"
}

screen() {
	tm capture-pane -p -t "$TARGET"
}

print_screen() {
	local w h
	w=$(tm display -p -t "$TARGET" '#{pane_width}' 2>/dev/null)
	h=$(tm display -p -t "$TARGET" '#{pane_height}' 2>/dev/null)
	echo "---- screen ${w}x${h} ----"
	tm capture-pane -p -t "$TARGET" 2>/dev/null | sed 's/^/|/'
	echo "---- end of screen ----"
}

pane_fmt() {
	tm display -p -t "$TARGET" "$1"
}

# Row N of the screen, 0-based; negative counts from the bottom (-1 last).
screen_row() {
	local n=$1 h
	h=$(pane_fmt '#{pane_height}') || return 1
	[ "$n" -lt 0 ] && n=$((h + n))
	local s
	s=$(tm capture-pane -p -t "$TARGET") || return 1
	sed -n "$((n + 1))p" <<<"$s"
}

status_line() { screen_row -2; }
command_line() { screen_row -1; }
header_line() { screen_row 0; }

_server_gone() {
	echo "the tmux server (or its pane) is gone: $1" >&2
	[ -f "$T/stty.txt" ] || echo "(the pane's shell died before systour's exit was noted)" >&2
}

_fail_wait() {
	{
		echo "$1"
		print_screen
	} >&2
	return 1
}

# wait_for ERE [TIMEOUT]: until some screen line matches.
wait_for() {
	local pat=$1 end
	end=$(deadline_ms "${2:-}")
	while :; do
		SCREEN=$(screen 2>&1) || { _server_gone "$SCREEN"; return 1; }
		grep -qE -- "$pat" <<<"$SCREEN" && return 0
		if [ "$(now_ms)" -gt "$end" ]; then
			_fail_wait "wait_for: /$pat/ did not show within ${2:-$WAIT_TIMEOUT}s"
			return 1
		fi
		sleep 0.05
	done
}

# wait_gone ERE [TIMEOUT]: until no screen line matches.
wait_gone() {
	local pat=$1 end
	end=$(deadline_ms "${2:-}")
	while :; do
		SCREEN=$(screen 2>&1) || { _server_gone "$SCREEN"; return 1; }
		grep -qE -- "$pat" <<<"$SCREEN" || return 0
		if [ "$(now_ms)" -gt "$end" ]; then
			_fail_wait "wait_gone: /$pat/ still on screen after ${2:-$WAIT_TIMEOUT}s"
			return 1
		fi
		sleep 0.05
	done
}

# wait_row ROW ERE: until screen row ROW (as screen_row) matches.
wait_row() {
	local row=$1 pat=$2 end line
	end=$(deadline_ms "${3:-}")
	while :; do
		line=$(screen_row "$row" 2>&1) || { _server_gone "$line"; return 1; }
		grep -qE -- "$pat" <<<"$line" && return 0
		if [ "$(now_ms)" -gt "$end" ]; then
			_fail_wait "wait_row: row $row is \"$line\", not /$pat/"
			return 1
		fi
		sleep 0.05
	done
}

# wait_cmdline TEXT [CURSOR_X]: the bottom row is exactly TEXT (trailing
# blanks ignored) and, if given, the cursor is in column CURSOR_X.
wait_cmdline() {
	local want=$1 cx=${2:-} end line cur
	end=$(deadline_ms)
	while :; do
		line=$(command_line 2>&1) || { _server_gone "$line"; return 1; }
		line=${line%"${line##*[! ]}"}
		cur=$(pane_fmt '#{cursor_x}')
		if [ "$line" = "$want" ] && { [ -z "$cx" ] || [ "$cur" = "$cx" ]; }; then
			return 0
		fi
		if [ "$(now_ms)" -gt "$end" ]; then
			_fail_wait "wait_cmdline: command line is \"$line\" (cursor $cur), not \"$want\" (cursor ${cx:-any})"
			return 1
		fi
		sleep 0.05
	done
}

# The "lines A-B/C" figure of the status line into FIG_A FIG_B FIG_C.
lines_figure() {
	local s
	s=$(status_line)
	if [[ $s =~ (lines|行)\ ([0-9]+)-([0-9]+)/([0-9]+) ]]; then
		FIG_A=${BASH_REMATCH[2]} FIG_B=${BASH_REMATCH[3]} FIG_C=${BASH_REMATCH[4]}
		return 0
	fi
	_fail_wait "lines_figure: no \"lines A-B/C\" in the status line \"$s\""
}

# wait_figure A B C: until the status line shows lines A-B/C (any may be "*").
wait_figure() {
	local a=$1 b=$2 c=$3 end
	end=$(deadline_ms)
	while :; do
		if lines_figure 2>/dev/null &&
		    { [ "$a" = "*" ] || [ "$FIG_A" = "$a" ]; } &&
		    { [ "$b" = "*" ] || [ "$FIG_B" = "$b" ]; } &&
		    { [ "$c" = "*" ] || [ "$FIG_C" = "$c" ]; }; then
			return 0
		fi
		if [ "$(now_ms)" -gt "$end" ]; then
			_fail_wait "wait_figure: status line is \"$(status_line)\", wanted lines $a-$b/$c"
			return 1
		fi
		sleep 0.05
	done
}

# The pid of systour: the child of the pane's shell.
systour_pid() {
	local sh_pid pids
	sh_pid=$(pane_fmt '#{pane_pid}')
	pids=$(pgrep -P "$sh_pid")
	if [ -z "$pids" ] || [ "$(wc -w <<<"$pids")" -ne 1 ]; then
		echo "systour_pid: children of the pane's shell $sh_pid: '$pids'" >&2
		return 1
	fi
	echo "$pids"
}

# wait_exit [TIMEOUT]: until systour has exited; its status in EXIT_STATUS.
wait_exit() {
	# not anchored: a terminal left in a bad state may not start a new line
	wait_for 'EXIT=[0-9]+' "${1:-}" || return 1
	EXIT_STATUS=$(grep -oE 'EXIT=[0-9]+' <<<"$SCREEN" | tail -1)
	EXIT_STATUS=${EXIT_STATUS#EXIT=}
	echo "# exit status $EXIT_STATUS" >&3
	# a sanitizer build (SYSTOUR=build-san/systour) reports on stderr
	if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' <<<"$SCREEN"; then
		_fail_wait "wait_exit: a sanitizer reported a problem"
		return 1
	fi
}

# After wait_exit: the terminal is as a shell expects it.
assert_terminal_sane() {
	local f="$T/stty.txt" flag bad=0
	[ -s "$f" ] || { echo "no stty -a output in $f" >&2; return 1; }
	for flag in icanon echo icrnl isig opost onlcr; do
		if ! grep -qE "(^|[ ;])$flag([ ;]|$)" "$f"; then
			echo "stty -a: $flag is not set (-$flag?)" >&2
			bad=1
		fi
	done
	local alt mouse cursor
	alt=$(pane_fmt '#{alternate_on}')
	mouse=$(pane_fmt '#{mouse_any_flag}')
	cursor=$(pane_fmt '#{cursor_flag}')
	[ "$alt" = 0 ] || { echo "still in the alternate screen (alternate_on=$alt)" >&2; bad=1; }
	[ "$mouse" = 0 ] || { echo "mouse reporting still on (mouse_any_flag=$mouse)" >&2; bad=1; }
	[ "$cursor" = 1 ] || { echo "cursor still hidden (cursor_flag=$cursor)" >&2; bad=1; }
	if [ "$bad" -ne 0 ]; then
		echo "---- stty -a ----" >&2
		cat "$f" >&2
		print_screen >&2
		return 1
	fi
}

# No screen line is wider than the pane (East Asian wide/fullwidth count 2).
assert_fits_width() {
	local w
	w=$(pane_fmt '#{pane_width}')
	screen >"$T/screen.txt"
	python3 - "$w" "$T/screen.txt" <<-'PY'
		import sys, unicodedata
		width = int(sys.argv[1])
		bad = 0
		for n, line in enumerate(open(sys.argv[2], encoding="utf-8"), 0):
		    line = line.rstrip("\n")
		    cols = 0
		    for ch in line:
		        if unicodedata.combining(ch):
		            continue
		        cols += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
		        if ch == "\ufffd":
		            print(f"row {n}: U+FFFD (a cut character?)")
		            bad = 1
		    if cols > width:
		        print(f"row {n}: {cols} columns > {width}: {line!r}")
		        bad = 1
		sys.exit(bad)
	PY
}

# ---- TUI under tmux: a live demo's processes -------------------------------

_demo_leader_of() {
	PGID=$(pgrep -P "$1" | head -1) && [ -n "$PGID" ]
}

# demo_group TUTOR_PID: the demo's process group into PGID; its leader is
# the tutor's child.
demo_group() {
	wait_until "" _demo_leader_of "$1" || {
		echo "no demo leader under $1" >&2
		return 1
	}
}

_group_empty() {
	! pgrep -g "$PGID" >/dev/null
}

# wait_group_gone: until no process of the group PGID, nor any of $PIDS, is
# left; within GROUP_GONE_TIMEOUT seconds (default WAIT_TIMEOUT).
wait_group_gone() {
	local pid
	wait_until "${GROUP_GONE_TIMEOUT:-}" _group_empty || {
		echo "still alive in group $PGID:" >&2
		ps -o pid,ppid,stat,cmd -g "$PGID" >&2
		return 1
	}
	for pid in $PIDS; do
		! kill -0 "$pid" 2>/dev/null || { echo "PID $pid survived" >&2; return 1; }
	done
}

# ---- plain demos -------------------------------------------------------------
#
# Each demo runs to its end in plain mode (`systour demo NAME --plain`):
# every line is "[pane] text", "[demo] ..." from the supervisor, or
# "[code] ..." at a step. The helpers read $output after run_demo.

# A fresh home, data and scratch directory (TMPDIR), English in UTF-8, the
# modes a umask of 022 gives, lessons found as systour finds them.
demo_setup() {
	# the tests run in their own directory: make the path absolute
	case $SYSTOUR in /*) ;; */*) SYSTOUR=$PWD/$SYSTOUR ;; esac
	[ -x "$SYSTOUR" ] || {
		echo "systour is not built at $SYSTOUR (run make)" >&2
		return 1
	}
	export XDG_DATA_HOME="$BATS_TEST_TMPDIR/data"
	export HOME="$BATS_TEST_TMPDIR/home"
	export TMPDIR="$BATS_TEST_TMPDIR/tmp"   # where a demo's scratch goes
	mkdir -p "$HOME" "$TMPDIR"
	unset SYSTOUR_LESSONS LC_ALL LC_MESSAGES LANGUAGE
	export LANG=C.UTF-8
	umask 022
	cd "$BATS_TEST_TMPDIR" || return 1
}

# run_demo NAME [OPTION...]: run a demo to its end with no delay between
# steps (at most DEMO_TIMEOUT seconds, 120 by default); stdout in $output,
# stderr in $stderr. Checks nothing: see demo_ok.
run_demo() {
	local name=$1
	shift
	run --separate-stderr timeout "${DEMO_TIMEOUT:-120}" "$SYSTOUR" demo \
	    "$name" --plain --delay 0 "$@"
}

# demo_ok NAME [OPTION...]: run_demo, which must exit 0 and print the
# demo's title first.
demo_ok() {
	run_demo "$@"
	[ "$status" -eq 0 ] || fail "demo $1 exited with status $status: $stderr" ||
	    return 1
	[[ "${lines[0]}" == "[demo] $1: "* ]] || fail "demo $1: no title line"
}

# pane NAME: the lines printed in pane NAME, in order, without the
# "[NAME] " prefix (NAME is taken literally).
pane() {
	awk -v p="[$1] " 'index($0, p) == 1 { print substr($0, length(p) + 1) }' \
	    <<<"$output"
}

# has TEXT NEEDLE: TEXT has NEEDLE in it (a fixed string).
has() {
	grep -qF -- "$2" <<<"$1" || fail "lacks: $2"
}

# assert_pane_has NAME LINE: pane NAME printed exactly LINE.
assert_pane_has() {
	pane "$1" | grep -qxF -- "$2" || fail "pane $1 has no line '$2'"
}

# pane_matches NAME ERE: some line of pane NAME matches ERE.
pane_matches() {
	pane "$1" | grep -qE -- "$2" || fail "pane $1 has no line matching: $2"
}

# pane_count NAME ERE: how many lines of pane NAME match ERE.
pane_count() {
	pane "$1" | grep -cE -- "$2" || true
}

# figure NAME: the value of the figure "[demo] NAME = VALUE" (an integer);
# fails unless the demo printed it exactly once.
figure() {
	local v
	v=$(sed -n "s/^\[demo\] $1 = \(-\{0,1\}[0-9][0-9]*\)\$/\1/p" <<<"$output")
	[ -n "$v" ] && [ "$(grep -c . <<<"$v")" -eq 1 ] || {
		echo "figure $1: not exactly one value: '$v'" >&2
		return 1
	}
	printf '%s\n' "$v"
}

# assert_figure NAME VALUE: the figure NAME was printed once, as VALUE.
assert_figure() {
	local v
	v=$(figure "$1") || fail "no figure $1" || return 1
	[ "$v" = "$2" ] || fail "figure $1 is $v, expected $2"
}

# pid_of PANE: the PID the supervisor reported first for that pane's
# actor (a process: no TID).
pid_of() {
	sed -n "s/^\[demo\] pane $1: .*, PID \([0-9][0-9]*\)\$/\1/p" <<<"$output" |
	    head -n 1
}

# assert_no_leftovers [MIN]: the demo printed at least MIN (default 1)
# "[demo] pane NAME: WHO, PID N" lines, and none of those PIDs (nor a
# manager it relayed: "relay for manager PID N,") is alive; its scratch
# directory is gone from TMPDIR; no sanitizer spoke.
assert_no_leftovers() {
	local pids n pid
	# "[demo] pane NAME: WHO, PID n", or in Chinese "[demo] 窗格 NAME：WHO，PID n"
	pids=$(sed -n -e 's/^\[demo\] pane [^:]*: .*, PID \([0-9][0-9]*\).*$/\1/p' \
	    -e 's/^\[demo\] 窗格 [^：]*：.*，PID \([0-9][0-9]*\).*$/\1/p' <<<"$output")
	n=$(grep -c . <<<"$pids")
	[ "$n" -ge "${1:-1}" ] ||
	    fail "only $n panes' PIDs reported, expected ${1:-1}: $pids" || return 1
	pids="$pids $(sed -n -e 's/^\[demo\] pane [^:]*: relay for manager PID \([0-9][0-9]*\),.*/\1/p' \
	    -e 's/^\[demo\] 窗格 [^：]*：管理进程 PID \([0-9][0-9]*\) 的中继，.*/\1/p' <<<"$output")"
	for pid in $pids; do
		! kill -0 "$pid" 2>/dev/null ||
		    fail "process $pid of the demo is still there" || return 1
	done
	[ -z "$(ls -A "$TMPDIR")" ] || fail "left in TMPDIR: $(ls -A "$TMPDIR")" ||
	    return 1
	! grep -qE 'Sanitizer|runtime error' <<<"${stderr-}$output" ||
	    fail "a sanitizer reported a problem"
}
