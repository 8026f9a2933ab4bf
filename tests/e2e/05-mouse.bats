#!/usr/bin/env bats
# The mouse wheel (SGR 1006 and X10 reports) scrolls.

load ../helpers

setup() { e2e_setup; }
teardown() { e2e_teardown; }

WHEEL_DOWN=$'\e[<65;10;10M'
WHEEL_UP=$'\e[<64;10;10M'

@test "mouse reporting is on while systour runs" {
	start_list
	[ "$(pane_fmt '#{mouse_any_flag}')" = 1 ]
}

@test "an SGR wheel-down report scrolls a long step by three lines, wheel-up back" {
	start_lesson1
	wait_figure 1 27 '*'
	local total=$FIG_C
	type_text "$WHEEL_DOWN"
	wait_figure 4 30 "$total"
	type_text "$WHEEL_DOWN$WHEEL_DOWN"
	wait_figure 10 36 "$total"
	type_text "$WHEEL_UP"
	wait_figure 7 33 "$total"
	# the same report sent as raw bytes
	tm send-keys -t "$TARGET" -H 1b 5b 3c 36 34 3b 31 3b 31 4d
	wait_figure 4 30 "$total"
	type_text "$WHEEL_UP$WHEEL_UP"
	wait_figure 1 27 "$total"
	# a button release, a click: no scrolling, and no stray keys
	type_text $'\e[<0;10;10M\e[<0;10;10m'
	keys j
	wait_figure 2 28 "$total"
	wait_row 0 'step 1/3'
}

@test "an X10 wheel report scrolls too" {
	start_lesson1
	wait_figure 1 27 '*'
	type_text $'\e[Ma**'                    # button 65 (+32), column and row
	wait_figure 4 30 '*'
	type_text $'\e[M`**'                    # button 64
	wait_figure 1 27 '*'
}

@test "the wheel moves the selection in the list" {
	start_list
	wait_for 'The alpha lesson summary'
	type_text "$WHEEL_DOWN"
	wait_for 'The beta lesson summary'
	type_text "$WHEEL_UP"
	wait_for 'The alpha lesson summary'
}

@test "the wheel while the command line is open leaves its text alone" {
	start_lesson1
	keys :
	type_text 'show'
	wait_cmdline ':show' 5
	type_text "$WHEEL_DOWN"
	type_text ' 2'
	wait_cmdline ':show 2' 7
	keys Enter
	wait_row 0 '02 Beta: pipes'
}
