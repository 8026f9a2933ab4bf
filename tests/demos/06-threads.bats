#!/usr/bin/env bats
# 06-threads.bats — the live demos of lesson 06 (threads): threads, race,
# lock-vs-rlock, deadlock, gil and condition, each run to its end in plain
# mode with --delay 0. We check what the panes printed, the figures the
# demos measured, that the deadlocks are found within their deadlines, that
# no process is left once a demo is over, that two thread actors step
# alternately, and that every demo speaks Chinese under --lang zh.

bats_require_minimum_version 1.5.0

load ../helpers

setup() {
	demo_setup || return 1
	export SYSTOUR_LESSONS="$ROOT/lessons"
}

@test "threads: two threads of one process, each its own TID in /proc/PID/task, joined" {
	demo_ok threads
	pid=$(sed -n 's/^\[demo\] pane main: main, PID \([0-9]*\)$/\1/p' <<<"$output")
	[ -n "$pid" ] || fail "no PID for main"
	for t in thread1 thread2; do
		line=$(pane "$t" | grep -E "^$t pid=[0-9]+ tid=[0-9]+$") ||
		    fail "$t did not print its pid and tid"
		[[ "$line" == "$t pid=$pid tid="* ]] || fail "$t is not in process $pid: $line"
		tid=${line##*tid=}
		[ "$tid" != "$pid" ] || fail "$t has the process's own TID"
		grep -qE "^\[demo\] pane $t: $t, PID $pid, TID $tid$" <<<"$output" ||
		    fail "the pane of $t is not titled with its TID $tid"
		pane_matches main "^  task/$tid  $t +state S, wchan [a-z_.0-9]*futex"
	done
	pane_matches main "^ls /proc/$pid/task: 3 thread\(s\)$"
	assert_figure tasks_while_running 3
	assert_figure tids_distinct 1
	assert_figure tasks_after_join 1
	pane_matches main "^ls /proc/$pid/task: 1 thread\(s\)$"
	pane_matches main "^\['thread1', 'thread2'\]$|^\['thread2', 'thread1'\]$"
	assert_figure shared_items 2
	assert_no_leftovers
}

@test "race: four threads lose updates without a lock and none with one" {
	demo_ok race
	# the notes' 4 x 1,000,000 first; on a machine so busy that the
	# threads never overlapped (none lost), 4 x 10 million, then 40 million
	per=$(figure race_additions_per_thread)
	tries=$(figure race_nolock_tries)
	[ "$tries" -ge 1 ] && [ "$tries" -le 3 ] || fail "$tries tries"
	[ "$(pane_count main '^4 threads x [0-9]+ additions, no lock: ')" -eq "$tries" ] ||
	    fail "not $tries unlocked runs"
	[ "$(pane_count main '^none lost: the threads did not overlap')" -eq $((tries - 1)) ] ||
	    fail "a retry without its reason"
	pane_matches main '^4 threads x 1000000 additions, no lock: counter = add_one\(counter\)$'
	total=$((4 * per))
	lost=$(figure lost_updates_nolock)
	[ -n "$lost" ] && [ "$lost" -gt 0 ] || fail "no update lost without the lock: '$lost'"
	assert_figure lost_updates_lock 0
	pane_matches main "^$((total - lost)) expected $total$"
	pane_matches main "^$total expected $total$"
	pane_matches "lost updates" "^ *[0-9]+ ms: all done: counter $((total - lost)), lost $lost$"
	pane_matches "lost updates" "^ *[0-9]+ ms: all done: counter $total, lost 0$"
	for i in 1 2 3 4; do
		[ "$(pane_count "thread $i" "^done: $per additions in [0-9]+ ms$")" -eq 2 ] ||
		    fail "thread $i did not finish the last unlocked run and the locked one"
	done
	# the notes' RLock example: never both inside; who goes first varies
	assert_figure rlock_overlaps 0
	first=$(figure rlock_read_first)
	[ "$first" -ge 0 ] && [ "$first" -le 200 ] || fail "rlock_read_first is $first"
	pane_matches main "^200 more rounds without pauses: read_thread first $first times, write thread first $((200 - first)) times; the two ever inside at once: 0$"
	pane_matches "thread 1" '^read_thread run   \(thread_lock\.acquire\(\) took [0-9]+ ms; owner TID [0-9]+, count 1\)$'
	pane_matches "thread 2" '^write thread run   '
	pane_matches "thread 2" '^var value is 12$'
	pane_matches main '^not guaranteed: which thread gets the lock first'
	assert_no_leftovers
}

@test "lock-vs-rlock: a Lock taken twice waits for itself; an RLock counts to 2" {
	demo_ok lock-vs-rlock
	assert_figure lock_balance 0
	assert_figure lock_second_acquire_errno 110
	ms=$(figure lock_timeout_ms)
	[ "$ms" -ge 900 ] && [ "$ms" -lt 3000 ] || fail "timedlock gave up after $ms ms"
	pane_matches Lock '^pthread_mutex_timedlock\(\) again, by the owner: ETIMEDOUT after [0-9]+ ms$'
	# no timeout: the watchdog sees it asleep on a mutex it owns itself
	assert_figure self_deadlock_detected 1
	tid=$(sed -n 's/^\[demo\] pane Lock: Lock, PID [0-9]*, TID \([0-9]*\)$/\1/p' <<<"$output")
	pane_matches main "^watchdog: thread $tid is in state S, wchan [a-z_.0-9]*futex[a-z_.0-9]*, after [0-9]+ ms$"
	pane_matches main "^it waits for a mutex whose owner is TID $tid: itself"
	# RLock: owner and count, and no other thread may release it
	assert_figure rlock_balance 10
	assert_figure rlock_count_max 2
	pane_matches RLock '^acquired again at once, by its owner: owner TID [0-9]+, count 2$'
	pane_matches RLock '^release\(\): one of two: owner TID [0-9]+, count 1$'
	assert_figure rlock_foreign_release_errno 1
	assert_figure rlock_foreign_trylock_errno 16
	pane_matches "other thread" 'not the owner: EPERM .*RuntimeError: cannot release un-acquired lock$'
	assert_no_leftovers
}

@test "deadlock: two locks in opposite orders, found within the deadline, the process ended" {
	t0=$(now_ms)
	demo_ok deadlock
	took=$(( $(now_ms) - t0 ))
	assert_figure deadlock_detected 1
	ms=$(figure deadlock_detect_ms)
	[ "$ms" -ge 0 ] && [ "$ms" -lt 3000 ] || fail "deadlock found after $ms ms"
	# the deadlocked threads never return: the demo still ends, soon
	[ "$took" -lt 20000 ] || fail "the demo took $took ms"
	assert_figure deadlock_blocked_threads 2
	t1=$(sed -n 's/^\[demo\] pane t1: t1, PID [0-9]*, TID \([0-9]*\)$/\1/p' <<<"$output" | head -n 1)
	t2=$(sed -n 's/^\[demo\] pane t2: t2, PID [0-9]*, TID \([0-9]*\)$/\1/p' <<<"$output" | head -n 1)
	pane_matches main "^  t1 TID $t1: state S, wchan [a-z_.0-9]*futex[a-z_.0-9]*; holds lock_a, waits for lock_b \(owner TID $t2\)$"
	pane_matches main "^  t2 TID $t2: state S, wchan [a-z_.0-9]*futex[a-z_.0-9]*; holds lock_b, waits for lock_a \(owner TID $t1\)$"
	pane_matches main '^wait-for cycle: t1 -> lock_b \(held by t2\) -> t2 -> lock_a \(held by t1\) -> t1$'
	pane_matches t1 "^t1: pthread_mutex_lock\(lock_b\), held by TID $t2 \.\.\.$"
	pane_matches t2 "^t2: pthread_mutex_lock\(lock_a\), held by TID $t1 \.\.\.$"
	# the fix: the same order for both
	assert_figure ordered_both_done 2
	pane_matches t1 '^t1 got both$'
	pane_matches t2 '^t2 got both$'
	pane_matches main "^the first t1 \(TID $t1\) is still asleep: state S$"
	assert_no_leftovers
}

@test "gil: every figure measured, one GIL changes hands, IO waits behind a CPU thread" {
	DEMO_TIMEOUT=60 demo_ok gil
	for f in gil_1thread_ms gil_2threads_ms nogil_2threads_ms procs_2_ms \
	    speedup_gil_2threads_pct speedup_nogil_2threads_pct speedup_2procs_pct \
	    gil_switches convoy_io_alone_us convoy_io_behind_cpu_us; do
		v=$(figure "$f") || fail "no figure $f" || return 1
		[ "$v" -ge 0 ] || fail "$f is $v"
	done
	for f in gil_1thread_ms gil_2threads_ms nogil_2threads_ms procs_2_ms gil_switches; do
		[ "$(figure "$f")" -gt 0 ] || fail "$f is 0"
	done
	# the speedups are the times' ratios
	t1=$(figure gil_1thread_ms)
	assert_figure speedup_gil_2threads_pct $(( t1 * 100 / $(figure gil_2threads_ms) ))
	assert_figure speedup_2procs_pct $(( t1 * 100 / $(figure procs_2_ms) ))
	# the convoy: back from IO, the thread waits for the GIL behind the CPU
	# thread (a switch interval, 5 ms, in the model), and at once without it
	alone=$(figure convoy_io_alone_us)
	behind=$(figure convoy_io_behind_cpu_us)
	[ "$behind" -ge 1000 ] && [ "$behind" -gt $(( alone * 10 )) ] ||
	    fail "IO waited $behind us behind the CPU thread, $alone us alone"
	pane_matches main '^two threads, model GIL: +[0-9]+ ms wall, +[0-9]+ ms CPU; the GIL changed hands [0-9]+ times$'
	pane_matches main "^the notes' advice, measured: IO-bound work: threads"
	if command -v python3 >/dev/null; then
		for f in py_1thread_ms py_2threads_ms py_2procs_ms py_speedup_2threads_pct py_speedup_2procs_pct; do
			[ "$(figure "$f")" -gt 0 ] || fail "no figure $f"
		done
		pane_matches python3 '^Python 3\.[0-9]+\.[0-9]+, switch interval 0\.005 s, count\([0-9]+\)$'
		pane_matches python3 '^two threads  : [0-9]+ ms wall, [0-9]+ ms CPU$'
	else
		pane_matches main '^CPython skipped: python3 is not installed$'
	fi
	assert_no_leftovers
}

@test "condition: a bounded buffer fills, the producer waits, Event and Semaphore" {
	demo_ok condition
	assert_figure producer_seen_waiting 1
	pane_matches main '^producer TID [0-9]+: state S, wchan [a-z_.0-9]*futex[a-z_.0-9]*, in cond\.wait\(\); the lock is free \(owner TID 0\)$'
	assert_figure items_got 6
	assert_figure buffer_max_fill 3
	waits=$(figure producer_full_waits)
	[ "$waits" -ge 1 ] || fail "the producer never waited on a full buffer"
	[ "$(pane_count producer '^buffer full: cond\.wait\(\)')" -eq "$waits" ] ||
	    fail "the producer's waits are not $waits"
	for i in 0 1 2 3 4 5; do
		pane_matches producer "^buf\.append\($i\)$"
		pane_matches consumer "^got $i$"
	done
	pane_matches buffer '^append +\[0 1 2\] 3/3 full$'
	pane_matches buffer '^popleft +\[\. \. \.\] 0/3 empty$'
	pane_matches consumer '^ready\.wait\(\) returns after [0-9]+ ms: the event is set$'
	assert_figure semaphore_max_inside 2
	pane_matches main '^4 threads call room\.acquire\(\): 2 inside, 2 asleep in sem_wait\(\); the semaphore.s value is 0$'
	pane_matches main '^each one out lets the next in: all 4 went through, never more than 2 at once$'
	pane_matches main '^queue\.Queue\(maxsize=3\) is this buffer'
	assert_no_leftovers
}

# Step mode, driven one Enter at a time: an Enter is sent once two actors
# wait (or when no actor has arrived for a while: one waits alone), so the
# two threads are never both released at once. Each Enter lets the actor
# that waited longest go; the threads must take turns.
@test "threads in step mode: the two thread actors step alternately" {
	coproc DEMO { timeout 60 "$SYSTOUR" demo threads --plain --step 2>&1; }
	local out="" waiting=0 line
	while :; do
		if IFS= read -r -t 1 line <&"${DEMO[0]}"; then
			out+="$line"$'\n'
			[[ "$line" == "[code] "* ]] || continue
			waiting=$((waiting + 1))
			[ "$waiting" -ge 2 ] || continue
		elif [ $? -le 128 ]; then
			break           # end of output
		elif [ "$waiting" -eq 0 ]; then
			continue        # nobody waits
		fi
		echo >&"${DEMO[1]}"
		waiting=$((waiting - 1))
	done
	wait "$DEMO_PID" || true
	output=$out
	seq=$(grep -oE '^\[code\] thread[12] at line [0-9]+' <<<"$output" |
	    sed 's/^\[code\] \(thread[12]\) at line \([0-9]*\)/\1@\2/' | tr '\n' ' ')
	# each thread steps at 6 then 7; they alternate: X@6 Y@6 X@7 Y@7
	[[ "$seq" =~ ^(thread[12])@6\ (thread[12])@6\ (thread[12])@7\ (thread[12])@7\ $ ]] ||
	    fail "the thread actors' steps: $seq"
	[ "${BASH_REMATCH[1]}" != "${BASH_REMATCH[2]}" ] &&
	    [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[3]}" ] &&
	    [ "${BASH_REMATCH[2]}" = "${BASH_REMATCH[4]}" ] ||
	    fail "the thread actors did not alternate: $seq"
	grep -qF '[code] main at line 13: print(shared)' <<<"$output" || fail "main did not reach line 13"
	assert_figure shared_items 2
	assert_no_leftovers
}

@test "every demo of lesson 06 narrates in Chinese under --lang zh" {
	for d in threads race lock-vs-rlock deadlock gil condition; do
		run --separate-stderr timeout 60 "$SYSTOUR" --lang zh demo "$d" --plain --delay 0
		[ "$status" -eq 0 ] || fail "demo $d --lang zh: status $status" || return 1
		# a pane's line (not only the title) in Chinese
		grep -E '^\[[^]]+\] ' <<<"$output" | grep -v '^\[demo\]' |
		    grep -qP '[\x{4e00}-\x{9fff}]' || fail "demo $d printed no Chinese" || return 1
		assert_no_leftovers || return 1
	done
}
