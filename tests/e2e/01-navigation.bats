#!/usr/bin/env bats
# The lesson list, opening a lesson, moving between steps, scrolling, and
# the progress shown in the list.

load ../helpers

setup() { e2e_setup; }
teardown() { e2e_teardown; }

@test "the list shows every lesson with its title and an empty progress bar" {
	start_list
	wait_for '^ systour · Lessons +English$'
	wait_for '01  alpha +Alpha: files and descriptors +\[·{12}\] +0%  0/3'
	wait_for '02  beta +Beta: pipes +\[·{12}\] +0%  0/2'
	wait_for '03  gamma +Gamma: signals +\[·{12}\] +0%  0/2'
	wait_row -2 '3 lessons$'
	wait_row -2 'Enter open'
	# the selected lesson's summary is shown below the list
	wait_for 'The alpha lesson summary'
	assert_fits_width
}

@test "j/k and the arrows move the selection; Enter opens the selected lesson" {
	start_list
	wait_for 'The alpha lesson summary'
	keys j
	wait_for 'The beta lesson summary'
	keys Down
	wait_for 'The gamma lesson summary'
	keys Down             # the last stays selected
	keys k
	wait_for 'The beta lesson summary'
	keys Up
	wait_for 'The alpha lesson summary'
	keys Up               # the first stays selected
	keys j
	wait_for 'The beta lesson summary'
	# the selected row is drawn in reverse video
	tm capture-pane -p -e -t "$TARGET" | grep -E '02  beta' | grep -qE $'\e\\[([0-9;]*;)?7(;[0-9;]*)?m'
	! tm capture-pane -p -e -t "$TARGET" | grep -E '01  alpha' | grep -qE $'\e\\[([0-9;]*;)?7(;[0-9;]*)?m' || false
	keys Enter
	wait_row 0 '^ systour · 02 Beta: pipes .* step 1/2 · English$'
	wait_for 'beta-one-start'
}

@test "digits in the list open lesson N; G and g select the last and first" {
	start_list
	keys G
	wait_for 'The gamma lesson summary'
	keys g
	wait_for 'The alpha lesson summary'
	keys 3
	wait_row 0 '03 Gamma: signals .* step 1/2'
	wait_for 'gamma-one-start'
}

@test "a lesson opens at step 1; n/Right and p/Left move; digits jump" {
	start_lesson1
	wait_row 0 '^ systour · 01 Alpha: files and descriptors +step 1/3 · English$'
	wait_for '1/3.*Opening a file'
	wait_for 'alpha-one-start'
	wait_row -2 'n/→ next'
	keys n
	wait_row 0 'step 2/3'
	wait_for 'alpha-two-start'
	wait_for 'The notes are wrong here'          # the erratum box
	wait_for 'The default is not unbuffered'
	keys Right
	wait_row 0 'step 3/3'
	wait_for 'alpha-three-start'
	wait_for '▶ Live demo "open-trace"'           # the demo directive
	keys n                                       # no step 4
	wait_row -2 'next: this is the last step of 01-alpha'
	wait_row 0 'step 3/3'
	keys p
	wait_row 0 'step 2/3'
	keys Left
	wait_row 0 'step 1/3'
	wait_for 'alpha-one-start'
	keys Left                                    # no step 0
	wait_row -2 'prev: this is the first step of 01-alpha'
	keys 3
	wait_row 0 'step 3/3'
	keys 2
	wait_row 0 'step 2/3'
	keys 1
	wait_row 0 'step 1/3'
	keys 9
	wait_row -2 'step 9: 01-alpha has steps 1 to 3'
	wait_row 0 'step 1/3'
}

@test "j/k, arrows, PgDn/PgUp, Space/b, G/g and End/Home scroll a long step" {
	start_lesson1
	wait_figure 1 27 '*'
	local total=$FIG_C
	[ "$total" -gt 40 ]                         # the long step needs scrolling
	wait_for 'alpha-one-start'
	keys j
	wait_figure 2 28 "$total"
	keys j
	wait_figure 3 29 "$total"
	keys k
	wait_figure 2 28 "$total"
	keys Up
	wait_figure 1 27 "$total"
	keys k                                       # already at the top
	keys Down
	wait_figure 2 28 "$total"
	keys g
	wait_figure 1 27 "$total"
	keys NPage                                   # a page is 27 rows less one
	wait_figure 27 53 "$total"
	keys PPage
	wait_figure 1 27 "$total"
	keys Space
	wait_figure 27 53 "$total"
	keys b
	wait_figure 1 27 "$total"
	keys G
	wait_figure $((total - 26)) "$total" "$total"
	wait_for 'alpha-one-end'
	wait_gone 'alpha-one-start'
	keys j                                       # already at the bottom
	keys Home
	wait_figure 1 27 "$total"
	wait_for 'alpha-one-start'
	keys End
	wait_figure $((total - 26)) "$total" "$total"
	keys g
	wait_figure 1 27 "$total"
	# a new step starts at its top; a short step shows all its lines
	keys G n
	wait_row 0 'step 2/3'
	wait_figure 1 '*' '*'
	[ "$FIG_B" = "$FIG_C" ]
	[ "$FIG_C" -lt 27 ]
}

@test "q goes back to the list, and the progress there rises with the steps seen" {
	start_lesson1
	wait_for 'alpha-one-start'
	keys q
	wait_row 0 'systour · Lessons'
	wait_for '01  alpha .*\[█{3}·{9}\] +33%  1/3'
	keys Enter                                   # resumes at the first step not seen
	wait_row 0 'step 2/3'
	keys Escape                                  # Esc also goes back
	wait_for '01  alpha .*\[█{7}·{5}\] +66%  2/3'
	wait_for '02  beta .*\[·{12}\] +0%  0/2'
	keys Enter
	wait_row 0 'step 3/3'
	keys BSpace                                  # and Backspace
	wait_for '01  alpha .*\[█{12}\] 100%  3/3'
	keys Enter                                   # all seen: starts again at 1
	wait_row 0 'step 1/3'
	keys q
	wait_row 0 'systour · Lessons'
	keys q
	wait_exit
	[ "$EXIT_STATUS" -eq 0 ]
	# the progress is kept across runs
	tm kill-server
	start_list
	wait_for '01  alpha .*\[█{12}\] 100%  3/3'
	wait_for '02  beta .*\[·{12}\] +0%  0/2'
}
