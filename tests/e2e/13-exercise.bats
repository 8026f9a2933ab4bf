#!/usr/bin/env bats
# An exercise in the TUI: the learner's file open in a real editor (vi) in
# a terminal pane beside the checker; an edit saved in the pane is checked
# again by watch mode; Ctrl-] gives the keys back to systour; the tutor
# answers keys while a check spins in an endless loop, which times out and
# leaves nothing behind; without the pane, the editor runs with curses
# suspended and the screen comes back.

load ../helpers

setup() {
	e2e_setup
	EXS="$BATS_TEST_DIRNAME/../fixtures/exercises-limits"
	EXS=$(cd "$EXS" && pwd)
	WS="$T/home/systour-exercises"
}
teardown() {
	e2e_teardown
}

@test "the editor pane: vi edits the exercise, the save is checked again" {
	command -v vi >/dev/null || skip "no vi"
	start_tui -x 120 -y 36 -e SYSTOUR_EXERCISES="$EXS" -e EDITOR=vi \
	    -- exercise limits/11-edit
	wait_for 'exercise limits/11-edit'
	# the starter fails first; vi shows the learner's file in the pane
	wait_for 'FAIL limits/11-edit' 15
	wait_for 'print\("broken"\)'
	wait_for 'keys go to the editor'
	type_text ':%s/broken/fixed/'
	keys Enter
	wait_for 'print\("fixed"\)'
	type_text ':w'
	keys Enter
	wait_for 'PASS limits/11-edit' 15
	wait_for 'ms from the save to this result'
	grep -q fixed "$WS/limits/11-edit/prog.py"
	# Ctrl-] back to systour: a hint key is systour's now
	keys C-]
	wait_for 'e edit  r check again'
	keys q
	wait_for ' systour · (Lessons|课程)'
	# the editor is gone with the view
	! pgrep -f "vi prog.py" >/dev/null
}

@test "a key is answered while a check loops; the loop times out; nothing is left" {
	start_tui -x 120 -y 36 -e SYSTOUR_EXERCISES="$EXS" -e EDITOR=vi \
	    -- exercise limits/01-loop
	wait_for 'checking…'
	keys C-]
	wait_for 'e edit  r check again'
	keys '?'
	# the help popup shows while the check still runs
	wait_for 'checking…'
	wait_for '(Keys|按键)'
	keys Escape
	wait_for 'timed out after 3 s: an endless loop\?' 10
	! pgrep -f exlimit-marker >/dev/null
}

@test "without the pane, the editor runs with curses suspended and the screen comes back" {
	cat >"$T/editor.sh" <<-'EOF2'
		#!/bin/sh
		sed -i 's/broken/fixed/' "$1"
	EOF2
	chmod +x "$T/editor.sh"
	start_tui -x 120 -y 36 -e SYSTOUR_EXERCISES="$EXS" \
	    -e SYSTOUR_EDITOR_PANE=off -e EDITOR="$T/editor.sh" \
	    -- exercise limits/11-edit
	wait_for 'FAIL limits/11-edit' 15
	wait_for 'e edit  r check again'
	keys e
	wait_for 'PASS limits/11-edit' 15
	wait_for 'exercise limits/11-edit'
	wait_for 'print\("fixed"\)'
}
