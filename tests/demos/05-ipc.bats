#!/usr/bin/env bats
# 05-ipc.bats — the live demos of lesson 05 (IPC): queue, pipe, pipe-eof and
# pipe-full, each run to its end in plain mode with --delay 0. We check what
# each pane printed, the figures the demo measured, and that no process of
# the demo is left once it is over.

bats_require_minimum_version 1.5.0

load ../helpers

setup() {
	demo_setup || return 1
	export SYSTOUR_LESSONS="$ROOT/lessons"
}

@test "queue: two writers and one reader; put blocks when full, get times out with Empty" {
	demo_ok queue
	assert_figure queue_maxsize 2
	pane_matches main '^q = Queue\(maxsize=2\): pipe \[[0-9]+, [0-9]+\] of [0-9]+ bytes'
	# the transport grew its pipe past the default 64 KiB (msg_pipe())
	cap=$(figure queue_pipe_capacity)
	[ -n "$cap" ] && [ "$cap" -gt 65536 ] ||
		fail "queue_pipe_capacity is '$cap', expected more than 65536"
	# each writer starts and announces its three urls (the notes' prints)
	for w in "writer 1" "writer 2"; do
		pane_matches "$w" '^write process [0-9]+start $'
		for u in url-1 url-2 url-3; do
			[ "$(pane_count "$w" "^write $u to queue $")" -eq 1 ] ||
			    fail "$w did not announce $u once"
		done
	done
	# the queue filled: a put blocked, main saw that writer asleep on the
	# semaphore, and every blocked put came back once the reader took one
	blocked=$(( $(pane_count "writer 1" '^put blocks: queue full \(sem_trywait\(slots\): EAGAIN, 0 free\)$') +
	    $(pane_count "writer 2" '^put blocks: queue full \(sem_trywait\(slots\): EAGAIN, 0 free\)$') ))
	returned=$(( $(pane_count "writer 1" '^put returns after [0-9]+ ms') +
	    $(pane_count "writer 2" '^put returns after [0-9]+ ms') ))
	[ "$blocked" -ge 1 ] || fail "no put blocked"
	[ "$returned" -eq "$blocked" ] || fail "$blocked puts blocked, $returned returned"
	assert_figure puts_blocked "$blocked"
	pane_matches main '^writer [12] \(PID [0-9]+\) is waiting in put\(\): state S, wchan [a-z_.0-9]*futex[a-z_.0-9]*; free slots: 0$'
	assert_figure writer_seen_waiting 1
	# the reader got all six items, each url twice, then queue.Empty
	pane_matches reader '^read process start$'
	for u in url-1 url-2 url-3; do
		[ "$(pane_count reader "^get data is $u$")" -eq 2 ] || fail "reader did not get $u twice"
	done
	assert_figure items_got 6
	last=$(pane reader | grep -nE '^get data is ' | tail -n 1 | cut -d: -f1)
	empty=$(pane reader | grep -nE '^queue\.Empty after 1\.0 s \(poll\(\) timed out, measured [0-9]+ ms\)$' | head -n 1 | cut -d: -f1)
	[ -n "$empty" ] && [ "$empty" -gt "$last" ] || fail "no queue.Empty after the last item"
	ms=$(figure empty_after_ms)
	[ "$ms" -ge 1000 ] && [ "$ms" -lt 1500 ] || fail "Empty after $ms ms"
	# terminate(): SIGTERM while the reader is blocked in get(), holding
	# the read lock
	pane_matches main '^reader \(PID [0-9]+\) is blocked in get\(\), in poll\(\): state S'
	pane_matches main '^proc_read\.terminate\(\): kill\([0-9]+, SIGTERM\); the reader was killed by SIGTERM, after taking 6 items$'
	assert_figure reader_signal 15
	assert_figure rlock_after_terminate 0
	pane_matches main '^proc_write2\.join\(\): writer 2 exited with status 0$'
	pane_matches main '^proc_write1\.join\(\): writer 1 exited with status 0$'
	assert_no_leftovers
}

@test "pipe: Pipe() is a socketpair both ways, Pipe(duplex=False) a one-way pipe" {
	demo_ok pipe
	# duplex: two different sockets, both read-write
	pane_matches main '^a, b = Pipe\(\): socketpair\(AF_UNIX, SOCK_STREAM\): a = fd [0-9]+ \(socket:\[[0-9]+\], O_RDWR\), b = fd [0-9]+ \(socket:\[[0-9]+\], O_RDWR\)$'
	# a.send('hi') is the 4-byte length 17 and pickle.dumps('hi'), as strace shows it
	frame=$(pane main | sed -n "s/^a\.send('hi'): 21 bytes on fd [0-9]*: //p")
	[ "$frame" = '"\0\0\0\21\200\4\225\6\0\0\0\0\0\0\0\214\2hi\224."' ] ||
	    fail "a.send('hi') wrote $frame"
	assert_figure duplex_a_to_b_bytes 21
	pane_matches "child b" '^hi    \(b\.recv\(\): a 4-byte length, then 17 bytes of pickle'
	frame=$(pane "child b" | sed -n "s/^b\.send(\[1, 2\]): 24 bytes on fd [0-9]*: //p")
	[ "$frame" = '"\0\0\0\24\200\4\225\t\0\0\0\0\0\0\0]\224(K\1K\2e."' ] ||
	    fail "b.send([1, 2]) wrote $frame"
	assert_figure duplex_b_to_a_bytes 24
	pane_matches main '^\[1, 2\]    \(a\.recv\(\)'
	# simplex: one pipe, a read end and a write end
	line=$(pane main | grep -E '^r, w = Pipe\(duplex=False\): pipe\(\)')
	[[ "$line" =~ r\ =\ fd\ [0-9]+\ \((pipe:\[[0-9]+\]),\ O_RDONLY\),\ w\ =\ fd\ [0-9]+\ \((pipe:\[[0-9]+\]),\ O_WRONLY\)$ ]] ||
	    fail "r and w are not the two ends of a pipe: $line"
	[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] || fail "r and w are not the same pipe"
	pane_matches "child w" "^w\.send\('x'\): 20 bytes on fd [0-9]+: "
	assert_figure simplex_bytes 20
	pane_matches main '^x    \(r\.recv\(\)'
	# each end only goes one way: EBADF both ways
	pane_matches "child w" '^w only sends: read\([0-9]+\) = -1 EBADF \(Bad file descriptor\)$'
	assert_figure write_end_read_errno 9
	pane_matches main "^r\.send\('y'\): write\([0-9]+\) = -1 EBADF \(Bad file descriptor\)$"
	pane_matches main '^connection is read-only    \(OSError'
	assert_figure read_end_send_errno 9
	pane_matches main '^child b \(PID [0-9]+\) exited with status 0$'
	pane_matches main '^child w \(PID [0-9]+\) exited with status 0$'
	assert_no_leftovers
}

@test "pipe-eof: the notes' receiver never sees EOF; closing unused ends gives EOFError" {
	demo_ok pipe-eof
	# both parts send the same four items, and the receiver gets them all
	for u in a aew adf as; do
		[ "$(pane_count sender "^send data is $u$")" -eq 2 ] || fail "$u was not sent twice"
		[ "$(pane_count receiver "^recv data is $u$")" -eq 2 ] || fail "$u was not received twice"
	done
	# part 1: after the last item the receiver sleeps in recv(), while main
	# and the receiver itself still hold the sending end
	pane_matches main '^recv_process\.join\(\) waits: the receiver had all 4 items$'
	[ "$(pane_count main '^receiver PID [0-9]+: state S, wchan [a-z_.0-9]*unix_stream[a-z_.0-9]*: still blocked in recv\(\)$')" -eq 2 ] ||
	    fail "the receiver was not seen blocked twice"
	assert_figure bug_blocked_checks 2
	pane_matches main '^the sending end pipe\[0\] \(socket:\[[0-9]+\]\) is open in main \(fd: [0-9]+\) and in the receiver \(fd: [0-9]+\)$'
	pane_matches main '^main closes its copies: close\([0-9]+\), close\([0-9]+\)$'
	pane_matches main '^the sending end pipe\[0\] \(socket:\[[0-9]+\]\) is open in main \(fd: none\) and in the receiver \(fd: [0-9]+\)$'
	pane_matches main '^Ctrl-C: kill\([0-9]+, SIGINT\); the receiver was killed by SIGINT$'
	assert_figure bug_receiver_signal 2
	# part 2: every process closes what it does not use: read() returns 0
	pane_matches receiver '^send_end\.close\(\): closed fd [0-9]+, my copy of the sending end$'
	pane_matches sender '^conn\.close\(\): closed fd [0-9]+$'
	pane receiver | tail -n 1 | grep -qE '^read\([0-9]+\) returned 0, end of file: EOFError, after 4 items$' ||
	    fail "the receiver did not end with EOFError"
	assert_figure fix_items 4
	pane_matches main '^recv_process\.join\(\) returns: the receiver exited with status 0$'
	assert_figure fix_receiver_status 0
	assert_no_leftovers
}

@test "pipe-full: the writer sleeps in write() once F_GETPIPE_SZ bytes wait in the pipe" {
	demo_ok pipe-full
	size=$(figure getpipe_sz)
	[ -n "$size" ] && [ "$size" -gt 0 ] || fail "no F_GETPIPE_SZ"
	assert_figure pipe_capacity "$size"
	pane_matches main "^$size    \(fcntl\([0-9]+, F_GETPIPE_SZ\)"
	# 60000 bytes (and the 4-byte length) fit: the writer never blocks
	assert_figure blocked_60000 0
	pane_matches main '^60000 writer still blocked: False$'
	pane_matches main '^the pipe holds 60004 bytes \(FIONREAD\): the whole frame, it fit$'
	pane_matches writer '^write #15: 2660 bytes \(60004 sent\)$'
	# 70000 do not: the writer sleeps in write() on the full pipe
	assert_figure blocked_70000 1
	pane_matches main '^70000 writer still blocked: True$'
	pane_matches main "^writer PID [0-9]+: state S, wchan [a-z_.0-9]*pipe_write[a-z_.0-9]*, in write\([0-9]+\); the pipe holds $size bytes \(FIONREAD\), F_GETPIPE_SZ is $size$"
	pane_matches writer '^wc = fd [0-9]+, O_NONBLOCK off; the frame is 70004 bytes, written 4096 at a time$'
	pane_matches writer "^write #$((size / 4096)): 4096 bytes \($size sent\)$"
	# once main reads, the writer finishes
	pane_matches writer '^write #18: 372 bytes \(70004 sent\)$'
	pane_matches writer '^writer: sent 70000 bytes$'
	pane_matches main '^rc\.recv_bytes\(\): got 70000 bytes; the writer can go on$'
	[ "$(pane_count main '^p\.join\(\): the writer exited with status 0$')" -eq 2 ] ||
	    fail "a writer did not exit with status 0"
	assert_no_leftovers
}

@test "pipe in step mode: one step per Enter, each at a line of the code" {
	run bash -c 'yes "" | head -n 200 | timeout 60 "$1" demo pipe --plain --step' _ "$SYSTOUR"
	[ "$status" -eq 0 ] || fail "demo pipe --step did not end with status 0"
	grep -qF '[demo] press Enter for each step' <<<"$output" || fail "no step prompt"
	grep -qF "[code] main at line 3: a, b = Pipe()" <<<"$output" || fail "no step at line 3"
	grep -qF "[code] child b at line 4: a.send('hi'); print(b.recv())" <<<"$output" ||
	    fail "child b did not step at line 4"
	grep -qF "[code] child w at line 8: w.send('x'); print(r.recv())" <<<"$output" ||
	    fail "child w did not step at line 8"
	grep -qF "[code] main at line 12:     print(e)" <<<"$output" || fail "no step at line 12"
	assert_figure read_end_send_errno 9
	assert_no_leftovers
}
