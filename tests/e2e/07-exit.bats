#!/usr/bin/env bats
# Leaving systour, normally and by signals: each time the terminal is given
# back as it was (cooked mode, echo, the normal screen, no mouse reporting,
# a visible cursor) and the exit status says what happened.

load ../helpers

setup() { e2e_setup; }
teardown() {
	# a systour left stopped by Ctrl-Z
	[ -z "${STOPPED_PID:-}" ] || kill -KILL "$STOPPED_PID" 2>/dev/null || true
	e2e_teardown
}

# kill_systour SIG: send SIG to the systour process (not its shell).
kill_systour() {
	local pid
	pid=$(systour_pid)
	[ -n "$pid" ]
	kill -s "$1" "$pid"
}

@test "q in the list quits with status 0 and a sane terminal" {
	start_list
	keys q
	wait_exit
	[ "$EXIT_STATUS" -eq 0 ]
	assert_terminal_sane
	# the screen systour drew is gone with the alternate screen
	! screen | grep -q 'systour · Lessons' || false
}

@test ":quit in a lesson quits with status 0 and a sane terminal" {
	start_lesson1
	keys :
	type_text 'quit'
	keys Enter
	wait_exit
	[ "$EXIT_STATUS" -eq 0 ]
	assert_terminal_sane
}

@test ":exit (the alias) while a popup is open quits too" {
	start_list
	keys '?'
	wait_for 'q/Esc close'
	keys q :
	type_text 'exit'
	keys Enter
	wait_exit
	[ "$EXIT_STATUS" -eq 0 ]
	assert_terminal_sane
}

@test "SIGINT while the list shows: exits 0, terminal sane" {
	start_list
	kill_systour INT
	wait_exit
	[ "$EXIT_STATUS" -eq 0 ]
	assert_terminal_sane
}

@test "Ctrl-C in a lesson: exits 0, terminal sane" {
	start_lesson1
	keys C-c
	wait_exit
	[ "$EXIT_STATUS" -eq 0 ]
	assert_terminal_sane
}

@test "SIGINT with a popup open closes the popup only; the next one quits" {
	start_list
	keys '?'
	wait_for 'q/Esc close'
	kill_systour INT
	wait_gone 'q/Esc close'
	wait_row 0 'systour · Lessons'
	kill_systour INT
	wait_exit
	[ "$EXIT_STATUS" -eq 0 ]
	assert_terminal_sane
}

@test "SIGTERM: exits by the signal (143), terminal sane, history saved" {
	start_list
	keys :
	type_text 'show 2'
	keys Enter
	wait_row 0 '02 Beta'
	keys :
	type_text 'half typed'
	wait_cmdline ':half typed' 11
	kill_systour TERM
	wait_exit
	[ "$EXIT_STATUS" -eq 143 ]
	assert_terminal_sane
	grep -qx 'show 2' "$XDG_DATA_HOME/systour/history"
	! grep -q 'half typed' "$XDG_DATA_HOME/systour/history" || false
}

@test "SIGHUP: exits by the signal (129), terminal sane" {
	start_lesson1
	kill_systour HUP
	wait_exit
	[ "$EXIT_STATUS" -eq 129 ]
	assert_terminal_sane
}

@test "SIGSEGV: dies by the signal (139), terminal sane" {
	start_lesson1
	kill_systour SEGV
	wait_exit
	[ "$EXIT_STATUS" -eq 139 ]
	assert_terminal_sane
}

@test "SIGABRT: dies by the signal (134), terminal sane" {
	start_list
	keys :
	type_text 'show'
	kill_systour ABRT
	wait_exit
	[ "$EXIT_STATUS" -eq 134 ]
	assert_terminal_sane
}

@test "SIGQUIT (Ctrl-\\): dies by the signal (131), terminal sane" {
	start_lesson1
	keys 'C-\'
	wait_exit
	[ "$EXIT_STATUS" -eq 131 ]
	assert_terminal_sane
}

@test "Ctrl-Z suspends with the terminal given back (mouse reporting off)" {
	start_lesson1
	STOPPED_PID=$(systour_pid)
	keys C-z
	# the shell (with job control) notes the stopped job and goes on
	wait_exit
	[ "$EXIT_STATUS" -eq 148 ]
	wait_for 'Stopped'
	assert_terminal_sane
}
