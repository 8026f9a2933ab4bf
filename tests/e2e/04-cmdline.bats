#!/usr/bin/env bats
# The command line: readline editing, history (kept across runs), Tab
# completion, errors on the status line, and the help and keys popups.

load ../helpers

setup() { e2e_setup; }
teardown() { e2e_teardown; }

HINT='^Type : for a command \(Tab completes\), \? for keys\.$'

@test ": opens the command line; Enter runs the command" {
	start_list
	wait_row -1 "$HINT"
	keys :
	wait_cmdline ':' 1
	[ "$(pane_fmt '#{cursor_flag}')" = 1 ]
	type_text 'show 2'
	wait_cmdline ':show 2' 7
	keys Enter
	wait_row 0 '^ systour · 02 Beta: pipes +step 1/2 · English$'
	wait_for 'beta-one-start'
	wait_row -1 "$HINT"
	# a step as the second argument, and aliases
	keys :
	type_text 'open gamma 2'
	keys Enter
	wait_row 0 '03 Gamma: signals +step 2/2'
	keys :
	type_text 'p'
	keys Enter
	wait_row 0 '03 Gamma: signals +step 1/2'
	keys :
	type_text 'ls'
	keys Enter
	wait_row 0 '^ systour · Lessons'
}

@test "Up recalls the history; readline keys edit it into another command" {
	start_list
	keys :
	type_text 'show 2'
	keys Enter
	wait_row 0 '02 Beta: pipes +step 1/2'
	keys :
	wait_cmdline ':' 1
	keys Up
	wait_cmdline ':show 2' 7
	keys C-a
	wait_cmdline ':show 2' 1
	keys C-k
	wait_cmdline ':' 1
	keys C-y                                 # yank what C-k killed
	wait_cmdline ':show 2' 7
	keys M-b                                 # back a word: before "2"
	wait_cmdline ':show 2' 6
	keys C-d                                 # delete the "2"
	wait_cmdline ':show' 6
	type_text '1 junk'
	wait_cmdline ':show 1 junk' 12
	keys C-w                                 # rub out "junk"
	wait_cmdline ':show 1' 8
	keys C-b C-b C-b                         # back to before "1"
	wait_cmdline ':show 1' 5
	keys C-f                                 # forward over the space
	wait_cmdline ':show 1' 6
	keys C-e
	wait_cmdline ':show 1' 8
	type_text '3'
	keys BSpace
	type_text '3'
	wait_cmdline ':show 1 3' 9
	keys Enter
	wait_row 0 '01 Alpha: files and descriptors +step 3/3'
	wait_for 'alpha-three-start'
	# both commands are in the history, newest first
	keys :
	keys Up
	wait_cmdline ':show 1 3' 9
	keys Up
	wait_cmdline ':show 2' 7
	keys Down
	wait_cmdline ':show 1 3' 9
	keys Down
	wait_cmdline ':' 1
	keys Escape
	wait_row -1 "$HINT"
}

@test "Tab completes a command name, and lists the choices on a second Tab" {
	start_list
	keys :
	type_text 'sho'
	wait_cmdline ':sho' 4
	keys Tab
	wait_cmdline ':show' 6                  # ":show " with the cursor after the space
	type_text '2'
	keys Enter
	wait_row 0 '02 Beta: pipes'
	keys :
	type_text 'lang z'
	keys Tab
	wait_cmdline ':lang zh' 9
	keys Enter
	wait_row 0 '步骤 1/2 · 中文'
	keys :
	type_text 'pr'
	keys Tab Tab
	wait_row -2 'prev +problems +progress'
	wait_cmdline ':pr' 3
	keys Escape
	wait_row -1 '按 : 输入命令'
}

@test "Escape and C-g cancel the command line without running it" {
	start_list
	keys :
	type_text 'show 3'
	wait_cmdline ':show 3' 7
	keys Escape
	wait_row -1 "$HINT"
	wait_row 0 'systour · Lessons'
	keys :
	wait_cmdline ':' 1                      # the cancelled text is gone
	type_text 'show 2'
	keys C-g
	wait_row -1 "$HINT"
	wait_row 0 'systour · Lessons'
	keys :
	keys Up                                 # nothing was run, so no history
	wait_cmdline ':' 1
	keys C-c                                # Ctrl-C cancels it too, and does not quit
	wait_row -1 "$HINT"
	keys j
	wait_for 'The beta lesson summary'
	# the keys work again: j moved the selection, not the command line
	wait_row 0 'systour · Lessons'
}

@test "the history is kept across runs in XDG_DATA_HOME/systour/history" {
	start_list
	keys :
	type_text 'show 2'
	keys Enter
	wait_row 0 '02 Beta'
	keys :
	type_text 'step 2'
	keys Enter
	wait_row 0 '02 Beta: pipes +step 2/2'
	keys q
	wait_row 0 'systour · Lessons'
	keys q
	wait_exit
	[ "$EXIT_STATUS" -eq 0 ]
	[ -f "$XDG_DATA_HOME/systour/history" ]
	grep -qx 'show 2' "$XDG_DATA_HOME/systour/history"
	grep -qx 'step 2' "$XDG_DATA_HOME/systour/history"
	tm kill-server
	start_list
	keys :
	keys Up
	wait_cmdline ':step 2' 7
	keys Up
	wait_cmdline ':show 2' 7
	keys Enter
	wait_row 0 '02 Beta'
}

@test "the history is kept across runs when --db puts the progress elsewhere" {
	mkdir -p "$T/elsewhere"	# an explicit --db never makes its folder
	start_list -- --db "$T/elsewhere/progress.db"
	keys :
	type_text 'show 2'
	keys Enter
	wait_row 0 '02 Beta'
	keys q
	wait_row 0 'systour · Lessons'
	keys q
	wait_exit
	[ "$EXIT_STATUS" -eq 0 ]
	[ -f "$T/elsewhere/progress.db" ]
	if [ ! -f "$XDG_DATA_HOME/systour/history" ]; then
		echo "no history file: $XDG_DATA_HOME/systour/ was never created" >&2
		ls -la "$XDG_DATA_HOME" >&2
		return 1
	fi
	tm kill-server
	start_list -- --db "$T/elsewhere/progress.db"
	keys :
	keys Up
	wait_cmdline ':show 2' 7
}

@test "an unknown command shows a one-line error on the status line" {
	start_list
	keys :
	type_text 'frobnicate 7'
	keys Enter
	wait_row -2 '^ ?unknown command: frobnicate \(try: help\)'
	[ "$(status_line | wc -l)" -eq 1 ]
	wait_row 0 'systour · Lessons'
	wait_row -1 "$HINT"
	# the error is drawn in its own colours: white on red
	tm capture-pane -p -e -t "$TARGET" | sed -n 29p | grep -q $'\e\\[[0-9;]*41m'
	# bad arguments too
	keys :
	type_text 'show 1 7'
	keys Enter
	wait_row -2 'step 7: 01-alpha has steps 1 to 3'
	keys :
	type_text 'next'
	keys Enter
	wait_row -2 'next: no lesson is open \(try: show 1\)'
	# any key clears the message
	keys j
	wait_row -2 '↑/↓ choose'
}

@test ":help shows the commands in a popup; q closes it" {
	start_list
	keys :
	type_text 'help'
	keys Enter
	wait_for 'show LESSON \[STEP\] \[--lang zh\|en\]'
	wait_for 'q/Esc close  j/k scroll'
	# the table is longer than the popup: the last command is a page down
	keys Space
	wait_for 'quit +\(exit\) +leave systour'
	assert_fits_width
	keys q
	wait_gone 'q/Esc close'
	wait_for 'The alpha lesson summary'
	keys :
	type_text 'help show'
	keys Enter
	wait_for 'open a lesson \(by number, name or prefix\)'
	keys Escape
	wait_gone 'q/Esc close'
	wait_row 0 'systour · Lessons'
}

@test "? shows the keys popup; it scrolls, and q closes it" {
	start_lesson1
	keys '?'
	wait_for 'Keys'
	wait_for 'Lesson list: +↑/↓ or k/j choose'
	wait_for 'Command line: Emacs keys'
	wait_for 'q/Esc close  j/k scroll'
	assert_fits_width
	wait_for '│ Keys +│'
	keys j
	wait_gone '│ Keys +│'
	wait_for 'Lesson list: +↑/↓'
	keys j j
	wait_gone 'Lesson list: +↑/↓'
	keys k k k
	wait_for '│ Keys +│'
	keys q
	wait_gone 'q/Esc close'
	# q closed only the popup, not the lesson
	wait_row 0 'step 1/3'
	wait_for 'alpha-one-start'
	keys '?'
	wait_for 'q/Esc close'
	keys '?'
	wait_gone 'q/Esc close'
	wait_row 0 'step 1/3'
}

@test "the command line survives a resize" {
	start_list
	keys :
	type_text 'show 2'
	wait_cmdline ':show 2' 7
	tm resize-window -t "$TARGET" -x 120 -y 40
	wait_row 0 'Lessons {80,}English$'
	wait_cmdline ':show 2' 7
	keys Enter
	wait_row 0 '02 Beta: pipes'
}
