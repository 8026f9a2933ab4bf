#!/usr/bin/env bats
# A live demo in the TUI's panes: it runs, pauses, steps one actor at a
# time, stops while running, and nothing of it outlives it — not even when
# the tutor itself is killed with SIGKILL.

load ../helpers

setup() {
	e2e_setup
	LESSONS=$(cd "$BATS_TEST_DIRNAME/../../lessons" && pwd)
}
teardown() {
	# whatever happens, leave no demo process behind
	[ -n "${PGID:-}" ] && kill -KILL -- "-$PGID" 2>/dev/null
	e2e_teardown
}

@test "a demo runs in panes; Space pauses, n steps one actor, q stops it and leaves nothing" {
	start_tui -x 120 -y 36 -e SYSTOUR_LESSONS="$LESSONS" -- demo fork --delay 250
	wait_for 'demo fork · running'
	wait_for 'child: child, PID [0-9]+'
	demo_group "$(systour_pid)"
	keys Space
	wait_for 'demo fork · paused'
	PIDS=$(pgrep -g "$PGID" | tr '\n' ' ')
	[ -n "$PIDS" ]
	# paused, one n lets one actor take one step: the screen changes
	before=$(screen)
	keys n
	end=$(deadline_ms)
	until [ "$(screen)" != "$before" ]; do
		[ "$(now_ms)" -lt "$end" ] || { echo "n changed nothing" >&2; print_screen; false; }
		sleep 0.05
	done
	# and the status line names the actor that went on (one released
	# into waitpid() prints nothing, yet n visibly did something)
	wait_for 'n: (parent|child) goes on'
	# q while it runs stops it: every process of the group ends
	keys q
	wait_for 'demo fork · (stopped|finished)'
	wait_group_gone
	keys q
	wait_exit
	[ "$EXIT_STATUS" -eq 0 ]
	assert_terminal_sane
}

@test "a demo runs to its end on its own and says so" {
	start_tui -x 120 -y 36 -e SYSTOUR_LESSONS="$LESSONS" -- demo fork --delay 0
	wait_for 'demo fork · finished'
	wait_for 'exited with status 0'
	keys q
	wait_exit
	[ "$EXIT_STATUS" -eq 0 ]
}

@test "the kernel's view shows the demo's processes and their pipes" {
	start_tui -x 120 -y 36 -e SYSTOUR_LESSONS="$LESSONS" -- demo fork --delay 400
	wait_for 'child: child, PID [0-9]+'
	keys Space
	wait_for 'demo fork · paused'
	wait_for 'fd 1 w +pipe:\[[0-9]+\]'
	demo_group "$(systour_pid)"
	wait_for "^ *$PGID +[0-9]+ +[RSDZT] "
	keys q
	wait_for 'demo fork · (stopped|finished)'
	wait_group_gone
}

@test "SIGKILL to the tutor in the middle of a demo leaves no actor alive" {
	start_tui -x 120 -y 36 -e SYSTOUR_LESSONS="$LESSONS" -- demo fork --delay 250
	wait_for 'child: child, PID [0-9]+'
	keys Space
	wait_for 'demo fork · paused'
	tutor=$(systour_pid)
	demo_group "$tutor"
	PIDS=$(pgrep -g "$PGID" | tr '\n' ' ')
	[ "$(wc -w <<<"$PIDS")" -ge 2 ]
	kill -KILL "$tutor"
	wait_group_gone
}
