#!/usr/bin/env bats
# NO_COLOR: no colours, the text still there (and bold, reverse, underline
# take the colours' place).

load ../helpers

setup() { e2e_setup; }
teardown() { e2e_teardown; }

# SGR sequences setting a foreground or background colour (not 39/49, the
# defaults) in the screen with its attributes.
colour_sgrs() {
	tm capture-pane -p -e -t "$TARGET" |
	    grep -oE $'\e\\[[0-9;]*m' |
	    grep -E $'\e\\[([0-9;]*;)?(3[0-8]|4[0-8]|9[0-7]|10[0-7])(;[0-9;]*)?m' || true
}

@test "with colours, code and bars are coloured (the check below means something)" {
	start_lesson1
	wait_for 'alpha-one-start'
	[ -n "$(colour_sgrs)" ]
}

@test "NO_COLOR=1: the lesson shows its text with no colour escapes" {
	start_lesson1 -e NO_COLOR=1
	wait_for 'alpha-one-start'
	wait_for 'f = open\(.demo.txt.\)'
	wait_for '── C: underneath'
	local c
	c=$(colour_sgrs)
	if [ -n "$c" ]; then
		echo "colour escapes under NO_COLOR: $(printf '%s' "$c" | cat -v | sort -u | tr '\n' ' ')" >&2
		return 1
	fi
	# the bars are still set apart, in reverse video
	tm capture-pane -p -e -t "$TARGET" | head -1 | grep -qE $'\e\\[([0-9;]*;)?7(;[0-9;]*)?m'
	keys n
	wait_for 'The notes are wrong here'
	[ -z "$(colour_sgrs)" ]
	keys q
	wait_for '01  alpha'
	[ -z "$(colour_sgrs)" ]
	keys :
	type_text 'nonsense'
	keys Enter
	wait_row -2 'unknown command'
	[ -z "$(colour_sgrs)" ]
	# the error is in reverse video instead
	tm capture-pane -p -e -t "$TARGET" | sed -n 29p | grep -qE $'\e\\[([0-9;]*;)?7(;[0-9;]*)?m'
}
