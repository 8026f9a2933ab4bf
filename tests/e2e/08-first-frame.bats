#!/usr/bin/env bats
# How long from starting systour until the lesson list is on the screen.
# (The 50 ms target is measured elsewhere, more precisely; this is the
# generous end-to-end bound through tmux.)

load ../helpers

setup() { e2e_setup; }
teardown() { e2e_teardown; }

# Poll more often than the other waits (10 ms) until ERE shows; print the
# milliseconds since the pane's script noted its start time.
first_frame_ms() {
	local pat=$1 end t0
	end=$(deadline_ms 5)
	while :; do
		if [ -s "$T/t0" ] && tm capture-pane -p -t "$TARGET" 2>/dev/null | grep -qE -- "$pat"; then
			t0=$(cat "$T/t0")
			echo $(( $(now_ms) - t0 / 1000000 ))
			return 0
		fi
		if [ "$(now_ms)" -gt "$end" ]; then
			_fail_wait "first_frame_ms: /$pat/ did not show"
			return 1
		fi
		sleep 0.01
	done
}

@test "the first frame (the lesson list) shows in under 1000 ms" {
	start_tui
	local ms
	ms=$(first_frame_ms '03  gamma .*0/2')
	echo "# first frame: $ms ms" >&3
	[ "$ms" -lt 1000 ]
	# and again with progress in the database and Chinese
	tm kill-server
	start_tui -- --lang zh
	ms=$(first_frame_ms '03  gamma +丙：信号 .*0/2')
	echo "# first frame (zh): $ms ms" >&3
	[ "$ms" -lt 1000 ]
}
