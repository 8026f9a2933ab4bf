#!/usr/bin/env bats
# 08-distributed.bats — the live demo of lesson 08 (manager) run to its end
# in plain mode: the real systour manager with --depth, four systour
# workers, and the notes' task process under python3 when it is installed.
# The assertions read the panes: every task's result exactly once in the
# manager's output, its depth lines, the notes' steps in order, how every
# process ended, and that nothing of the demo is left afterwards.

bats_require_minimum_version 1.5.0

load ../helpers

setup() { demo_setup; }

# Every task's result came back exactly once, in the manager's own output.
assert_results_once() {
	local m i n
	m=$(pane manager)
	for i in $(seq 0 39); do
		n=$(grep -c "^result is success ImageUrl_$i\$" <<<"$m")
		[ "$n" -eq 1 ] || fail "ImageUrl_$i: $n results"
	done
	[ "$(grep -c '^result is ' <<<"$m")" -eq 40 ] || fail "not 40 results"
	has "$m" "systour manager: all 40 results are in"
	has "$m" "» results: 40 of 40, each exactly once"
	assert_figure results_once 40
	assert_figure results_missing 0
	assert_figure results_twice 0
}

# The manager's --depth lines: they start full and end empty, with the
# task queue's queued+leased and the results taken in between.
assert_depth() {
	local d
	d=$(pane manager | grep -E '^depth [█▒░.]{10} task [0-9]+\+[0-9]+, result [0-9]+, taken [0-9]+/40$')
	[ "$(grep -c . <<<"$d")" -ge 3 ] || fail "fewer than 3 depth lines: $d"
	[ "$(head -n 1 <<<"$d")" = "depth ██████████ task 40+0, result 0, taken 0/40" ] ||
	    fail "first depth line: $(head -n 1 <<<"$d")"
	[ "$(tail -n 1 <<<"$d")" = "depth .......... task 0+0, result 0, taken 40/40" ] ||
	    fail "last depth line: $(tail -n 1 <<<"$d")"
	# a worker held a lease at some point
	grep -qE 'task [0-9]+\+[1-9]' <<<"$d" || fail "no lease seen"
}

@test "manager: four systour workers (and CPython's); every result exactly once; depth lines; the six steps in order" {
	# --step, with no input: the steps pass on their own, and each is shown
	run --separate-stderr "$SYSTOUR" demo manager --plain --step --delay 0 </dev/null
	[ "$status" -eq 0 ] || fail "exit status $status"
	assert_results_once
	assert_depth
	m=$(pane manager)
	has "$m" "systour manager: listening on 127.0.0.1:"
	port=$(sed -n 's/^systour manager: listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' <<<"$m")
	[ -n "$port" ] && [ "$port" -gt 0 ] || fail "no port"
	has "$m" "» waitpid($(sed -n 's/.*relay for manager PID \([0-9]*\),.*/\1/p' <<<"$output" | head -n 1)): systour manager exited with status 0"
	# the notes' steps, each once, in the notes' order
	steps=$(sed -n 's/^\[code\] manager at line [0-9]*: *//p' <<<"$output")
	want='task_quue = Queue(task_number)
QueueManager.register('"'"'get_task_queue'"'"', callable=get_task)
manager = QueueManager(address=('"'"'127.0.0.1'"'"', 8001), authkey='"'"'qiye'"'"'.encode())
manager.start()      # here: systour manager --port 0 --tasks 40
task = manager.get_task_queue()
task.put(url)
print('"'"'result is %s'"'"' % result.get(timeout=10))
manager.shutdown()'
	[ "$steps" = "$want" ] || fail "steps: $steps"
	# each systour worker connected to that port, did tasks and exited 0
	total=0
	for w in 1 2 3 4; do
		p=$(pane "worker $w")
		has "$p" "\"--connect\", \"127.0.0.1:$port\""
		n=$(grep -c '^download image ImageUrl_' <<<"$p")
		[ "$n" -ge 1 ] || fail "worker $w did no task"
		total=$((total + n))
		has "$p" "work exit"
		has "$p" "» waitpid: exited with status 0"
	done
	has "$m" "» exit statuses: worker 1: 0 · worker 2: 0 · worker 3: 0 · worker 4: 0 · python3: "
	py=$(pane "CPython worker")
	if command -v python3 >/dev/null; then
		# the notes' script, only its port changed, under python3; it
		# takes tasks with get() (no lease) at one a second
		has "$py" "» the notes' task process, its port 8001 changed to $port:"
		n=$(grep -c '^download image ImageUrl_' <<<"$py")
		[ "$n" -ge 1 ] || fail "the CPython worker did no task"
		total=$((total + n))
		grep -qE '^» waitpid: (exited with status [01])$' <<<"$py" ||
		    fail "python3 did not end as the notes' script does"
	else
		[ "$py" = "python3 is not installed (not in PATH): no CPython worker in this run" ] ||
		    fail "CPython pane: $py"
	fi
	# no task was done twice: nobody was killed
	[ "$total" -eq 40 ] || fail "$total downloads for 40 tasks"
	has "$output" "[demo] PID $(sed -n 's/^\[demo\] pane manager: manager, PID \([0-9]*\)$/\1/p' <<<"$output") (relay for manager PID"
	grep -qE '^\[demo\] PID [0-9]+ \(relay for manager PID [0-9]+\) exited with status 0$' <<<"$output" ||
	    fail "the leader's exit status"
	assert_no_leftovers 10
}

@test "manager: without python3 the CPython pane says so in one line and the systour workers do every task" {
	# nothing the demo runs comes from PATH but python3
	run --separate-stderr env PATH=/nonexistent "$SYSTOUR" demo manager --plain --delay 0
	[ "$status" -eq 0 ] || fail "exit status $status"
	[ "$(pane "CPython worker")" = "python3 is not installed (not in PATH): no CPython worker in this run" ] ||
	    fail "CPython pane: $(pane "CPython worker")"
	assert_results_once
	total=0
	for w in 1 2 3 4; do
		total=$((total + $(pane "worker $w" | grep -c '^download image ImageUrl_')))
	done
	[ "$total" -eq 40 ] || fail "$total downloads for 40 tasks"
	assert_no_leftovers 10
}

@test "redis-queue: its own redis-server, a worker and the manager killed, a second manager: 30 results each once, the poison a dead letter, the PEL shown live" {
	command -v redis-server >/dev/null ||
		skip "redis-server is not installed (Debian: apt-get install redis-server)"
	run --separate-stderr "$SYSTOUR" demo redis-queue --plain --delay 0 </dev/null
	[ "$status" -eq 0 ] || fail "exit status $status"
	assert_figure redis_results 30
	assert_figure redis_dead_letters 1
	assert_figure redis_entries 31
	assert_figure second_manager_done 1
	r=$(pane "Redis: stream, PEL, dead letters")
	# the pending entries list, with idle times and delivery counts
	grep -qE '^  PEL [0-9]+-[0-9]+ worker-[^ ]+ idle [0-9]+ ms, delivered [0-9]+$' <<<"$r" ||
	    fail "no PEL line: $r"
	grep -qE 'delivered [3-9]' <<<"$r" || fail "the poison was not seen delivered 3 times"
	has "$r" "stream 31, results 30, dead letters 1"
	m=$(pane managers)
	[ "$(grep -c 'systour manager: the queues are in Redis at redis://127.0.0.1:' <<<"$m")" -eq 2 ] ||
	    fail "not two managers"
	has "$m" "systour manager: all 30 results are in Redis (1 dead letters)"
	# the killed worker's batch was claimed by a janitor past the lease
	w=$(pane "worker 2"; pane "worker 3")
	grep -q 'janitor: claimed' <<<"$w" || fail "no claim"
	assert_no_leftovers 8
}

@test "redis-queue: without redis-server the pane says what to install, in one line" {
	run --separate-stderr env PATH=/nonexistent "$SYSTOUR" demo redis-queue --plain --delay 0
	[ "$status" -eq 0 ] || fail "exit status $status"
	[ "$(pane leader)" = "redis-server is not installed: on Debian, apt-get install redis-server; then run this demo again." ] ||
	    fail "leader pane: $(pane leader)"
}
