#!/usr/bin/env bats
# Lesson 08's live demo in the TUI: x kills a worker with SIGKILL, its pane
# says so, the task it held goes back to the queue and every result still
# comes exactly once; the demo's leader cannot be killed with demo kill;
# q, and SIGKILL to the tutor, leave no manager, worker or python3 behind.

load ../helpers

setup() {
	e2e_setup
	LESSONS=$(cd "$BATS_TEST_DIRNAME/../../lessons" && pwd)
}
teardown() {
	[ -n "${PGID:-}" ] && kill -KILL -- "-$PGID" 2>/dev/null
	e2e_teardown
}

# wait_group_gone (helpers.bash) allows the manager and workers 10 s
GROUP_GONE_TIMEOUT=10

# Start the demo; wait until the manager, all four systour workers and (when
# installed) python3 run; the demo's group in PGID and its processes in PIDS.
start_manager_demo() {
	start_tui -x 120 -y 36 -e SYSTOUR_LESSONS="$LESSONS" -- demo manager --delay 100
	wait_for 'demo manager · running'
	wait_for 'worker 4: systour worker, PID [0-9]+' 20
	demo_group "$(systour_pid)"
	local end
	end=$(deadline_ms 20)
	until [ "$(pgrep -g "$PGID" -f 'systour worker --connect' | wc -l)" -eq 4 ] &&
	    pgrep -g "$PGID" -f 'systour manager --port 0' >/dev/null &&
	    { ! command -v python3 >/dev/null ||
	    pgrep -g "$PGID" -f 'task_process\.py' >/dev/null; }; do
		[ "$(now_ms)" -lt "$end" ] || { echo "no manager and 4 workers" >&2; ps -o pid,cmd -g "$PGID" >&2; return 1; }
		sleep 0.05
	done
	PIDS=$(pgrep -g "$PGID" | tr '\n' ' ')
}

@test "x kills worker 1 with SIGKILL: its pane says so, its task goes back and is done elsewhere; each result once; q leaves nothing" {
	start_manager_demo
	# the leader (pane 1) is not killed: it runs the demo
	keys :
	type_text 'demo kill 1'
	keys Enter
	wait_for "demo kill: pane 1: that is the demo's leader"
	# focus worker 1's pane and zoom it; once it downloads, x
	keys Tab z
	wait_for '^ worker 1: systour worker, PID [0-9]+'
	wpid=$(grep -oE '^ worker 1: systour worker, PID [0-9]+' <<<"$SCREEN" | grep -oE '[0-9]+$')
	wait_for 'download image ImageUrl_[0-9]+' 20
	keys x
	wait_for "SIGKILL to PID $wpid \(pane 2, worker 1\)"
	wait_for '» waitpid: killed by SIGKILL \(signal 9\)' 10
	! kill -0 "$wpid" 2>/dev/null || false
	# the manager's pane: the task it held went back to the queue (the
	# manager names it) and came back done, once; every result once
	keys z Tab Tab Tab Tab Tab Tab Tab z
	wait_for '^ manager: relay for manager PID'
	wait_for 'demo manager · finished' 60
	wait_for '» ImageUrl_[0-9]+ went back to the queue 1 time; its result came 1 time'
	grep -E '» ImageUrl_[0-9]+ went back' <<<"$SCREEN" | sed 's/^/# /' >&3
	! grep -E 'its result came ([02-9]|[0-9]{2}) times' <<<"$SCREEN" || false
	wait_for '» results: 40 of 40, each exactly once'
	wait_for '» exit statuses: worker 1: SIGKILL · worker 2: 0 · worker 3: 0 · worker 4: 0 · python3: '
	wait_group_gone
	keys q
	wait_exit
	[ "$EXIT_STATUS" -eq 0 ]
	assert_terminal_sane
}

@test "q while the manager and its workers run leaves no manager, worker or python3" {
	start_manager_demo
	keys q
	wait_for 'demo manager · (stopped|finished)'
	wait_group_gone
	keys q
	wait_exit
	[ "$EXIT_STATUS" -eq 0 ]
}

@test "SIGKILL to the tutor in the middle of the manager demo leaves nothing" {
	start_manager_demo
	tutor=$(systour_pid)
	kill -KILL "$tutor"
	wait_group_gone
}

@test "x on the CPython worker: the task it took with get() (no lease) is lost; the demo says which and ends the manager" {
	command -v python3 >/dev/null || skip "python3 is not installed: no CPython worker"
	start_manager_demo
	# focus and zoom the CPython pane (the sixth); right after it prints a
	# new "download image", it sleeps 1 s holding that task: x then
	keys Tab Tab Tab Tab Tab z
	wait_for '^ CPython worker: python3 \(CPython\), PID [0-9]+'
	wait_for 'download image ImageUrl_[0-9]+' 20
	n=$(grep -c 'download image ImageUrl_' <<<"$SCREEN")
	end=$(deadline_ms 10)
	until [ "$(screen | grep -c 'download image ImageUrl_')" -gt "$n" ]; do
		[ "$(now_ms)" -lt "$end" ] || { print_screen; false; }
		sleep 0.02
	done
	keys x
	wait_for '» waitpid: killed by SIGKILL \(signal 9\)'
	task=$(grep -oE 'download image ImageUrl_[0-9]+' <<<"$SCREEN" | tail -n 1)
	task=${task#download image }
	echo "# python3 died holding $task" >&3
	keys z Tab Tab Tab z
	wait_for '^ manager: relay for manager PID'
	wait_for 'demo manager · finished' 60
	wait_for '» a task taken with get\(\) \(no lease: the CPython worker\) went with its worker'
	wait_for "» results: 39 of 40 exactly once; missing: $task; more than once: 0"
	wait_for 'python3: SIGKILL'
	wait_group_gone
}
