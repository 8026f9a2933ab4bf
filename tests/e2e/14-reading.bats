#!/usr/bin/env bats
# Reading comfort: a title that does not fit ends in "…"; a wide terminal
# gets a column of text (at most 100 wide), not lines across the screen;
# the :help popup has a frame; L switches the language while the ? popup is
# open, and the popup is shown again in the new language.

load ../helpers

setup() { e2e_setup; }
teardown() { e2e_teardown; }

REAL="SYSTOUR_LESSONS=$ROOT/lessons"

@test "at 100 columns a lesson title too long for the list ends in …" {
	# lesson 01's title is wider than the 50 columns the list gives it
	local title
	title=$(SYSTOUR_LESSONS="$ROOT/lessons" "$SYSTOUR" show 1 | head -n 1)
	[ "${#title}" -gt 50 ] || skip "lesson 01's title fits now: $title"
	start_list -x 100 -e "$REAL"
	wait_for '^  01  files '
	local row
	row=$(screen | grep '^  01  files ')
	grep -qF "${title:0:20}" <<<"$row" || fail "not lesson 01's title: $row"
	grep -qE '… +(✎ [0-9]+/[0-9]+ +)?\[' <<<"$row" || fail "cut without …: $row"
	# a title that fits is whole, with no …
	row=$(screen | grep '^  03  pickle ')
	! grep -q '…' <<<"$row" || fail "a short title was cut: $row"
}

@test "a lesson title too long for the header ends in …, before the step" {
	local title
	title=$(SYSTOUR_LESSONS="$ROOT/lessons" "$SYSTOUR" show 8 | head -n 1)
	[ "${#title}" -gt 50 ] || skip "lesson 08's title fits now: $title"
	start_list -x 80 -e "$REAL"
	keys 8
	wait_row 0 '^ systour · 08 .*… +step 1/[0-9]+ · English$'
}

@test "on a 200-column terminal, the text of a step is at most 100 columns wide" {
	start_list -x 200 -y 40 -e "$REAL"
	keys :
	type_text 'show 1 2'
	keys Enter
	wait_row 0 'step 2/'
	local widest
	widest=$(screen | sed '1d;$d' | sed '$d' | sed 's/ *$//' |
		python3 -c 'import sys; print(max(len(l.rstrip("\n")) for l in sys.stdin))')
	[ "$widest" -le 101 ] || fail "a text line is $widest columns wide"
	[ "$widest" -gt 80 ] || fail "the text does not use the width it has: $widest"
}

@test "the :help popup has a frame" {
	start_list
	keys :
	type_text 'help'
	keys Enter
	wait_for '┌─+┐'
	wait_for '└─.*┘'
	wait_for '│ .*show LESSON'
	keys q
	wait_gone '┌─+┐'
}

@test "L switches the language while the ? popup is open; it is shown again in it" {
	start_list
	keys '?'
	wait_for '│ Keys'
	keys L
	wait_for '│ 按键'
	wait_row 0 '中文 *$'
	wait_for 'q/Esc 关闭'
	keys L
	wait_for '│ Keys'
	wait_row 0 'English *$'
	# still the popup: q closes it
	keys q
	wait_gone '│ Keys'
}
