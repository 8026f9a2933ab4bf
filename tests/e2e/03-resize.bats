#!/usr/bin/env bats
# Resizing the terminal: below 80x24 a notice; larger, the lesson is laid
# out again for the new width.

load ../helpers

setup() { e2e_setup; }
teardown() { e2e_teardown; }

resize() {
	tm resize-window -t "$TARGET" -x "$1" -y "$2"
}

# The length in characters of the first screen line matching ERE.
line_len() {
	local l
	l=$(screen | grep -m1 -E -- "$1")
	echo "${#l}"
}

@test "smaller than 80x24 shows a notice; larger again re-wraps the lesson" {
	start_lesson1
	wait_figure 1 27 '*'
	local total=$FIG_C before len100 len120
	before=$(screen)
	len100=$(line_len '^ Paragraph 01 ')
	[ "$len100" -le 100 ]
	resize 70 20
	wait_for 'needs at least 80x24; this terminal is 70x20'
	wait_gone 'alpha-one-start'
	assert_fits_width
	resize 100 23
	wait_for 'needs at least 80x24; this terminal is 100x23'
	resize 79 24
	wait_for 'needs at least 80x24; this terminal is 79x24'
	resize 120 40
	wait_row 0 '^ systour · 01 Alpha: files and descriptors +step 1/3 · English$'
	wait_for 'alpha-one-start'
	# 37 body rows now, each holding more words
	wait_figure 1 37 '*'
	[ "$FIG_C" -le "$total" ]
	# the text column is capped at 100 for reading: a little wider, no more
	len120=$(line_len '^ Paragraph 01 ')
	[ "$len120" -ge "$len100" ] && [ "$len120" -le 101 ]
	wait_for '^ Paragraph 01 .* and each$'
	wait_for '^ entry points at a shared open file description'
	assert_fits_width
	# back to the first size: the very same screen
	resize 100 30
	wait_figure 1 27 "$total"
	[ "$(screen)" = "$before" ]
}

@test "a resize keeps the scroll position within the new page" {
	start_lesson1
	keys G
	wait_figure '*' '*' '*'
	[ "$FIG_B" = "$FIG_C" ]
	resize 120 40
	wait_figure '*' '*' '*'
	wait_row -2 'lines [0-9]+-[0-9]+/[0-9]+$'
	lines_figure
	[ "$FIG_B" -le "$FIG_C" ]
	wait_for 'alpha-one-end'
	assert_fits_width
}

@test "the list is drawn again at the new width" {
	start_list
	wait_for '01  alpha +Alpha: files and descriptors +\[·{12}\] +0%  0/3'
	resize 120 40
	wait_row 0 '^ systour · Lessons {80,}English$'
	wait_for '^  01  alpha +Alpha: files and descriptors {40,}\[·{12}\] +0%  0/3'
	wait_row -2 '3 lessons$'
	wait_row 38 '3 lessons$'
	[ "$(line_len '01  alpha')" -le 120 ]
	resize 60 15
	wait_for 'needs at least 80x24; this terminal is 60x15'
	assert_fits_width
	resize 100 30
	wait_for '01  alpha +Alpha: files and descriptors +\[·{12}\] +0%  0/3'
}

@test "q in the too-small notice quits, and the terminal is sane" {
	start_list
	resize 70 20
	wait_for 'needs at least 80x24'
	keys q
	wait_exit
	[ "$EXIT_STATUS" -eq 0 ]
	assert_terminal_sane
}

@test "Chinese lesson resized to 81 columns and back fits the width" {
	start_lesson1 -- --lang zh
	resize 81 24
	wait_figure 1 21 '*'
	assert_fits_width
	wait_for '^ 第01段：内核为每个进程维护一张打开文件表，表中的每一项都指向一个共享的打开文件$'
	resize 100 30
	wait_figure 1 27 '*'
	wait_for '^ 第01段：.*其中保存着当前$'
	assert_fits_width
}
