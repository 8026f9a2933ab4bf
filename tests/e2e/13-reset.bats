#!/usr/bin/env bats
# reset behaves as its --help says in the TUI too: it asks (on the status
# line, [y/N]); y erases, any other key keeps; --yes erases without asking.

load ../helpers

setup() { e2e_setup; }
teardown() { e2e_teardown; }

# steps_seen: how many steps the progress database holds (outside the TUI)
steps_seen() {
	SYSTOUR_LESSONS="$E2E_LESSONS" "$SYSTOUR" progress --csv 2>/dev/null |
		awk -F, 'NR > 1 && $4 == 1' | wc -l
}

@test ":reset asks on the status line; n keeps progress, y erases it" {
	start_lesson1
	keys n
	wait_for '(step|步骤) 2/3'
	[ "$(steps_seen)" -ge 2 ] || fail "no progress recorded to erase"
	keys :
	type_text 'reset'
	keys Enter
	wait_row -2 'Erase all progress in .*progress\.db\? \[y/N\]'
	keys n
	wait_row -2 'No: nothing done\.'
	[ "$(steps_seen)" -ge 2 ] || fail "answering n erased progress"
	keys :
	type_text 'reset'
	keys Enter
	wait_row -2 '\[y/N\]'
	keys y
	wait_for 'All progress erased\.'
	[ "$(steps_seen)" -eq 0 ] || fail "answering y did not erase progress"
}

@test ":reset --yes erases without asking" {
	start_lesson1
	[ "$(steps_seen)" -ge 1 ] || fail "no progress recorded to erase"
	keys :
	type_text 'reset --yes'
	keys Enter
	wait_for 'All progress erased\.'
	! screen | grep -q '\[y/N\]' || fail "it asked"
	[ "$(steps_seen)" -eq 0 ] || fail "reset --yes did not erase progress"
}
