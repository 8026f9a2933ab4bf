#!/usr/bin/env bats
# 04-processes.bats — the live demos of lesson 04 (fork, join-last, pool),
# each run to its end in plain mode with no delay. The assertions read what
# the actors printed in their panes and the figures the demos measured, and
# after each run no process of the demo may be left.

bats_require_minimum_version 1.5.0

load ../helpers

setup() { demo_setup; }

@test "fork: one call, two returns; the child's write is copied, not shared" {
	run_demo fork
	[ "$status" -eq 0 ] || fail "exit status $status"
	parent=$(pid_of parent)
	child=$(pid_of child)
	[ -n "$parent" ] && [ -n "$child" ] && [ "$parent" != "$child" ] ||
	    fail "no two distinct PIDs: '$parent' '$child'"
	has "$(pane parent)" "fork() = $child: I am the parent"
	has "$(pane child)" "fork() = 0: I am the child"
	has "$(pane child)" "PID $child, parent $parent"
	has "$(pane child)" "child  pid $child ppid $parent counter=101"
	has "$(pane parent)" "parent pid $parent child $child exit=0 counter=99"
	has "$(pane parent)" "waitpid($child): reaped, exit status 0"
	assert_figure child_counter 101
	assert_figure parent_counter 99
	# both writes faulted: the page was write-protected by fork
	[ "$(figure child_write_faults)" -ge 1 ] || fail "child write without a fault"
	[ "$(figure parent_write_faults)" -ge 1 ] || fail "parent write without a fault"
	# one virtual address, two values
	addrs=$(grep -o '&counter = 0x[0-9a-f]*' <<<"$output" | sort -u)
	[ "$(grep -c . <<<"$addrs")" -eq 1 ] || fail "addresses differ: $addrs"
	[ "$(grep -c '&counter' <<<"$(pane child)")" -eq 1 ] || fail "child address"
	has "$output" "[demo] PID $parent (parent) exited with status 0"
	assert_no_leftovers
}

@test "plain mode keeps causal order: a pane's title before its lines, a figure after the line it measured" {
	for i in 1 2 3 4 5 6 7 8; do
		run_demo fork
		local title first_child line fig
		title=$(grep -n '^\[demo\] pane child: ' <<<"$output" | head -n 1 | cut -d: -f1)
		first_child=$(grep -n '^\[child\] ' <<<"$output" | head -n 1 | cut -d: -f1)
		line=$(grep -n '^\[parent\] counter -= 1: 99' <<<"$output" | cut -d: -f1)
		fig=$(grep -n '^\[demo\] parent_counter = 99$' <<<"$output" | cut -d: -f1)
		[ -n "$title" ] && [ -n "$first_child" ] && [ -n "$line" ] && [ -n "$fig" ] ||
			fail "run $i: a line is missing"
		[ "$title" -lt "$first_child" ] ||
			fail "run $i: the child's title came after its first line"
		[ "$line" -lt "$fig" ] ||
			fail "run $i: the figure came before the line it measured"
	done
}

@test "fork: --step reports each actor's line of the code" {
	run --separate-stderr bash -c 'printf "\n\n\n" | "$0" demo fork --plain --step' "$SYSTOUR"
	[ "$status" -eq 0 ] || fail "exit status $status"
	has "$output" "[code] parent at line 5: pid = os.fork()"
	has "$output" "[code] child at line 7:     counter += 1"
	has "$output" "[code] parent at line 12:     counter -= 1"
	has "$output" "[code] parent at line 13:     _, status = os.waitpid(pid, 0)"
	assert_figure child_counter 101
	assert_no_leftovers
}

@test "join-last: 'end' prints with 3 children unwaited; they turn zombie; the fix reaps them" {
	run_demo join-last
	[ "$status" -eq 0 ] || fail "exit status $status"
	parent=$(pid_of parent)
	parent_out=$(pane parent)
	has "$parent_out" "parent process $parent"
	declare -A kid
	for i in 1 2 3 4; do
		kid[$i]=$(pid_of "child $i")
		[ -n "${kid[$i]}" ] || fail "no PID for child $i"
		has "$(pane "child $i")" "child process $i ${kid[$i]}"
		has "$parent_out" "p.start(): fork() = ${kid[$i]}, child $i"
	done
	[ "$(printf '%s\n' "${kid[@]}" | sort -u | wc -l)" -eq 4 ] || fail "PIDs not distinct"
	[ "$(grep -c '^process will start$' <<<"$parent_out")" -eq 4 ] || fail "4 starts"
	# the bug: one waitpid, for child 4, then 'end'
	has "$parent_out" "p.join(): waitpid(${kid[4]}), child 4 only"
	has "$parent_out" "child 4 reaped, exited with status 0"
	end_at=$(grep -n '^end$' <<<"$parent_out" | cut -d: -f1)
	[ -n "$end_at" ] || fail "no 'end'"
	# at 'end' /proc still has children 1-3 (running or zombies), not child 4
	snap=$(sed -n "$((end_at + 2)),$((end_at + 5))p" <<<"$parent_out")
	for i in 1 2 3; do
		grep -qE "^  child $i PID ${kid[$i]}: [RSDZ] " <<<"$snap" ||
		    fail "child $i is not alive or a zombie at 'end': $snap"
	done
	has "$snap" "  child 4 PID ${kid[4]}: - reaped"
	assert_figure unwaited_at_end 3
	z=$(figure zombies_at_end)
	r=$(figure running_at_end)
	[ "$z" -eq "$(grep -c ': Z zombie$' <<<"$snap")" ] || fail "zombies_at_end $z vs $snap"
	[ $((z + r)) -eq 3 ] || fail "zombies $z + running $r != 3"
	# nobody waits: every one of them is seen as a zombie before the fix
	assert_figure zombies_seen 3
	fix_at=$(grep -n '^the fix: ' <<<"$parent_out" | cut -d: -f1)
	[ -n "$fix_at" ] && [ "$fix_at" -gt "$end_at" ] || fail "the fix is not after 'end'"
	before_fix=$(head -n "$fix_at" <<<"$parent_out")
	for i in 1 2 3; do
		grep -qE "child $i PID ${kid[$i]}: (Z|. -> Z) zombie$" <<<"$before_fix" ||
		    fail "child $i never seen as a zombie"
	done
	# the fix: one waitpid per child left, then nothing is left
	for i in 1 2 3; do
		has "$parent_out" "waitpid(${kid[$i]}): child $i exited with status 0, reaped"
	done
	assert_figure reaped_in_fix 3
	assert_figure left_unreaped 0
	[ "$(tail -n 1 <<<"$parent_out")" = "end (now all 4 children have ended)" ] ||
	    fail "last parent line"
	# the parent reaped its children itself: the supervisor reaped only it
	has "$output" "[demo] PID $parent (parent) exited with status 0"
	for i in 1 2 3 4; do
		! grep -q "^\[demo\] PID ${kid[$i]} " <<<"$output" ||
		    fail "child $i was reaped by the supervisor, not by its parent"
	done
	assert_no_leftovers
}

# check_pool: what every run of the pool demo must show.
check_pool() {
	[ "$status" -eq 0 ] || fail "exit status $status"
	leader=$(pid_of pool)
	pool_out=$(pane pool)
	has "$pool_out" "current process $leader"
	declare -A worker
	for w in 1 2 3; do
		worker[$w]=$(pid_of "worker $w")
		[ -n "${worker[$w]}" ] || fail "no PID for worker $w"
		has "$pool_out" "fork() = ${worker[$w]}: worker $w"
		has "$(pane "worker $w")" "worker $w: PID ${worker[$w]}, parent $leader"
		has "$(pane "worker $w")" "read(2) on the task pipe, fd "
	done
	[ "$(grep -c '^fork() = ' <<<"$pool_out")" -eq 3 ] || fail "not exactly 3 forks"
	# the workers exist and wait in read(2) before any task is submitted
	assert_figure workers_idle_before_tasks 3
	idle_at=$(grep -n '^before any task: 3 of 3 workers in read(2)$' <<<"$pool_out" | cut -d: -f1)
	task0_at=$(grep -n '^apply_async: task 0 ' <<<"$pool_out" | cut -d: -f1)
	[ -n "$idle_at" ] && [ -n "$task0_at" ] && [ "$idle_at" -lt "$task0_at" ] ||
	    fail "workers not idle before the first task"
	# every task ran once, in one of the 3 pre-forked workers
	ran=$(sed -n 's/^task \([0-9]*\) ran in PID \([0-9]*\) .*/\1 \2/p' <<<"$pool_out")
	[ "$(cut -d' ' -f1 <<<"$ran" | sort -n | tr '\n' ' ')" = "0 1 2 3 4 " ] ||
	    fail "tasks reported: $ran"
	used=$(cut -d' ' -f2 <<<"$ran" | sort -u)
	for p in $used; do
		printf '%s\n' "${worker[@]}" | grep -qx "$p" ||
		    fail "task ran in PID $p, not one of the workers ${worker[*]}"
	done
	assert_figure distinct_worker_pids "$(grep -c . <<<"$used")"
	assert_figure tasks_done 5
	assert_figure tasks_in_pool_workers 5
	# 5 tasks, 3 processes: some PID ran more than one task
	[ "$(cut -d' ' -f2 <<<"$ran" | sort | uniq -d | grep -c .)" -ge 1 ] || fail "no PID reused"
	[ "$(figure reused_worker_pids)" -ge 1 ] || fail "reused_worker_pids"
	# each worker's own pane agrees with what the pool collected
	while read -r t p; do
		for w in 1 2 3; do
			[ "${worker[$w]}" = "$p" ] || continue
			has "$(pane "worker $w")" "task $t ,pid = $p start "
			has "$(pane "worker $w")" "task $t end "
		done
	done <<<"$ran"
	# close(): each worker reads an end-of-tasks record; join(): waitpid each
	for w in 1 2 3; do
		has "$(pane "worker $w")" "read(2) = 8: end of tasks, _exit(0)"
		has "$pool_out" "join(): waitpid(${worker[$w]}): worker $w exited with status 0"
		! grep -q "^\[demo\] PID ${worker[$w]} " <<<"$output" ||
		    fail "worker $w was reaped by the supervisor, not by the pool"
	done
	[ "$(tail -n 1 <<<"$pool_out")" = "all subprocess end" ] || fail "last pool line"
	assert_no_leftovers
}

@test "pool: 3 workers forked up front run the 5 tasks; their PIDs are reused" {
	run_demo pool
	check_pool
}

# With no delay a task takes no time, so which idle worker gets to the
# queue first is up to the scheduler (a busy machine can let one worker
# finish its task and take the next before another has woken up). With
# steps that take time, as in the tutor, every worker gets a task.
@test "pool: with steps that take time, all 3 workers run tasks" {
	run --separate-stderr "$SYSTOUR" demo pool --plain --delay 20
	check_pool
	assert_figure distinct_worker_pids 3
	[ "$(sed -n 's/^\[pool\] task [0-9]* ran in PID \([0-9]*\) .*/\1/p' <<<"$output" |
	    sort -u | wc -l)" -eq 3 ] || fail "not 3 distinct PIDs in the task lines"
}

# A worker killed with SIGKILL (the learner's kill key) is reported by the
# pool as killed, in the one wording of systour: before, join() read only
# WEXITSTATUS and said "status 0".
@test "pool: a worker killed with SIGKILL is said to be killed, not status 0" {
	mkfifo steps
	"$SYSTOUR" demo pool --plain --step --delay 0 <steps >out 2>err &
	local demo=$! i
	exec 7>steps
	# one Enter per step reached, until the workers are idle in read(2)
	local sent=0 reached
	for ((i = 0; i < 1000; i++)); do
		grep -q '^\[demo\] workers_idle_before_tasks = ' out && break
		reached=$(grep -c '^\[code\] ' out || true)
		if [ "$reached" -gt "$sent" ]; then
			echo >&7
			sent=$reached
		fi
		sleep 0.01
	done
	output=$(cat out)
	# (how many are idle yet does not matter here: a busy machine may
	# not have let them all reach read(2))
	figure workers_idle_before_tasks >/dev/null || fail "the pool did not start"
	w1=$(pid_of "worker 1")
	[ -n "$w1" ] || fail "no PID for worker 1"
	kill -KILL "$w1"
	exec 7>&-               # end of input: the demo runs on
	wait "$demo" || true
	output=$(cat out)
	has "$(pane pool)" "join(): waitpid($w1): worker 1 killed by SIGKILL (signal 9)"
	! grep -q "waitpid($w1): worker 1 exited" <<<"$output" || fail "said to exit"
	for w in 2 3; do
		has "$(pane pool)" "join(): waitpid($(pid_of "worker $w")): worker $w exited with status 0"
	done
	assert_no_leftovers
}
