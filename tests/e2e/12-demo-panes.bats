#!/usr/bin/env bats
# A live demo's panes and keys as a learner meets them: k scrolls there as
# everywhere and x kills (the status line names whom), the status line
# says what Space will do and fits its width, actor panes wrap at 80x24,
# figures show as a chart, and systour's own pipes are folded in the
# kernel view until f shows them.

load ../helpers

setup() {
	e2e_setup
	LESSONS=$(cd "$BATS_TEST_DIRNAME/../../lessons" && pwd)
}
teardown() {
	[ -n "${PGID:-}" ] && kill -KILL -- "-$PGID" 2>/dev/null
	e2e_teardown
}

# The demo's processes that are not zombies, by PID.
alive() {
	ps -o pid=,stat= -g "$PGID" | awk '$2 !~ /^Z/ { print $1 }' | sort -n | tr '\n' ' '
}

# press_n_until ERE: step the paused demo until some screen line matches.
press_n_until() {
	local end
	end=$(deadline_ms 15)
	until screen | grep -qE "$1"; do
		[ "$(now_ms)" -lt "$end" ] || { echo "never showed: $1" >&2; print_screen; return 1; }
		keys n
		sleep 0.05
	done
}

@test "k scrolls in a demo and kills nothing; x kills the focused actor and the status line names it" {
	start_tui -x 80 -y 24 -e SYSTOUR_LESSONS="$LESSONS" -- demo pool --step
	wait_for 'demo pool · paused'
	press_n_until 'read\(2\) on the'
	demo_group "$(systour_pid)"
	before=$(alive)
	# focus worker 1's pane (the second), scroll down, down, up
	keys Tab j j k
	# + halves the delay: once the status line shows it, j j k were read
	keys +
	wait_for 'demo pool · paused · 200 ms'
	[ "$(alive)" = "$before" ]
	[ -z "$(screen | grep SIGKILL)" ]
	keys x
	wait_row -2 'SIGKILL to PID [0-9]+ \(pane 2, worker 1\)'
	wpid=$(status_line | grep -oE 'SIGKILL to PID [0-9]+' | grep -oE '[0-9]+$')
	# dead: gone, or a zombie its parent has not reaped yet
	end=$(deadline_ms)
	until ! kill -0 "$wpid" 2>/dev/null ||
	    [ "$(awk '{print $3}' "/proc/$wpid/stat" 2>/dev/null)" = Z ]; do
		[ "$(now_ms)" -lt "$end" ] || { echo "PID $wpid still runs" >&2; return 1; }
		sleep 0.05
	done
}

@test "paused, the status line offers Space resume; running, Space pause" {
	start_tui -x 120 -y 36 -e SYSTOUR_LESSONS="$LESSONS" -- demo pool --step
	wait_row -2 'demo pool · paused · [0-9]+ ms · Space resume · n step'
	[ -z "$(status_line | grep 'Space pause')" ]
	keys Space
	wait_row -2 'demo pool · running · [0-9]+ ms · Space pause · n step'
}

@test "at 120 columns the status line with a figure shown ends with whole keys, q stop among them" {
	start_tui -x 120 -y 36 -e SYSTOUR_LESSONS="$LESSONS" -- demo pool --delay 300
	wait_row -2 'workers_idle_before_tasks = 3'
	line=$(status_line | sed 's/ *$//')
	echo "# $line" >&3
	[[ $line == *' · q stop'* ]]
	[[ $line =~ ·\ (Space\ pause|n\ step|q\ stop|x\ kill|\+/-\ speed|Tab\ focus|z\ zoom|r\ restart|f\ pipes)$ ]]
}

@test "at 80x24 an actor pane wraps its long lines instead of cutting them" {
	start_tui -x 80 -y 24 -e SYSTOUR_LESSONS="$LESSONS" -- demo pool --step
	wait_for 'demo pool · paused'
	# "read(2) on the task pipe, fd 3" is 30 columns; the pane has 18
	press_n_until 'pipe, fd 3'
	assert_fits_width
}

@test "a demo's figures show as a chart of bars, scaled to the widest" {
	start_tui -x 120 -y 36 -e SYSTOUR_LESSONS="$LESSONS" -- demo pool --delay 0
	wait_for 'demo pool · finished' 20
	wait_for '^ figures measured'
	wait_for '^ tasks_done +█+ +[0-9]+ '
	wait_for '^ workers_idle_before_tasks +█+.* 3 '
}

@test "the kernel view folds systour's own pipes into one line per process; f shows them" {
	start_tui -x 120 -y 36 -e SYSTOUR_LESSONS="$LESSONS" -- demo fork --step
	wait_for 'demo fork · paused'
	wait_for '^ +\+ [0-9]+ systour pipes?'
	# the standard streams still show where they go
	wait_for 'fd 1 w +pipe:\[[0-9]+\]'
	[ -z "$(screen | grep -E '^ +fd (1[0-9]|[3-9]) [rw]+ +pipe:')" ]
	keys f
	wait_for '^ +fd ([3-9]|[1-9][0-9]) [rw]+ +pipe:'
	wait_gone '\+ [0-9]+ systour pipes?'
	keys f
	wait_for '^ +\+ [0-9]+ systour pipes?'
}
