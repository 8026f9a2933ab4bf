#!/usr/bin/env bats
# 05-ipc.bats — the live demos of lesson 05 (IPC): queue, pipe, pipe-eof and
# pipe-full, each run to its end in plain mode with --delay 0. We check what
# each pane printed, the figures the demo measured, and that no process of
# the demo is left once it is over.

bats_require_minimum_version 1.5.0

ROOT="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
SYSTOUR=${SYSTOUR:-$ROOT/systour}

setup() {
	[ -x "$SYSTOUR" ] || {
		echo "systour is not built at $SYSTOUR (run make)" >&2
		return 1
	}
	export XDG_DATA_HOME="$BATS_TEST_TMPDIR/data"
	export HOME="$BATS_TEST_TMPDIR/home"
	mkdir -p "$HOME"
	unset LC_ALL LC_MESSAGES LANGUAGE
	export LANG=C.UTF-8
	export SYSTOUR_LESSONS="$ROOT/lessons"
	cd "$BATS_TEST_TMPDIR" || return 1
}

fail() {
	printf '%s\n--- status: %s\n--- output:\n%s\n' "$*" "${status-}" \
	    "${output-}" >&2
	return 1
}

# Run a demo to its end: plain mode, no delay between steps.
run_demo() {
	run timeout 60 "$SYSTOUR" demo "$1" --plain --delay 0
	[ "$status" -eq 0 ] || fail "demo $1 did not end with status 0"
}

# The value of a figure ("[demo] NAME = VALUE"), the first one printed.
figure() {
	sed -n "s/^\[demo\] $1 = \(-\{0,1\}[0-9]*\)$/\1/p" <<<"$output" | head -n 1
}

expect_figure() {
	local v
	v=$(figure "$1")
	[ "$v" = "$2" ] || fail "figure $1 is '$v', expected $2"
}

# The lines one pane printed, in order, without the "[pane] " prefix.
pane() {
	local p=${1//\[/\\[}
	sed -n "s/^\[$p\] //p" <<<"$output"
}

# How many lines of pane match an extended regular expression.
count() {
	pane "$1" | grep -cE -- "$2" || true
}

expect_line() {
	pane "$1" | grep -qE -- "$2" || fail "pane $1 has no line matching: $2"
}

# Every process the demo showed in a pane is gone.
no_processes_left() {
	local pids pid
	pids=$(sed -n 's/^\[demo\] pane .*, PID \([0-9][0-9]*\)\(, TID [0-9]*\)\{0,1\}$/\1/p' <<<"$output" | sort -u)
	[ -n "$pids" ] || fail "no PID was printed"
	for pid in $pids; do
		if kill -0 "$pid" 2>/dev/null; then
			fail "process $pid of the demo is still there"
		fi
	done
}

@test "queue: two writers and one reader; put blocks when full, get times out with Empty" {
	run_demo queue
	expect_figure queue_maxsize 2
	expect_line main '^q = Queue\(maxsize=2\): pipe \[[0-9]+, [0-9]+\] of [0-9]+ bytes'
	# the transport grew its pipe past the default 64 KiB (msg_pipe())
	cap=$(figure queue_pipe_capacity)
	[ -n "$cap" ] && [ "$cap" -gt 65536 ] ||
		fail "queue_pipe_capacity is '$cap', expected more than 65536"
	# each writer starts and announces its three urls (the notes' prints)
	for w in "writer 1" "writer 2"; do
		expect_line "$w" '^write process [0-9]+start $'
		for u in url-1 url-2 url-3; do
			[ "$(count "$w" "^write $u to queue $")" -eq 1 ] ||
			    fail "$w did not announce $u once"
		done
	done
	# the queue filled: a put blocked, main saw that writer asleep on the
	# semaphore, and every blocked put came back once the reader took one
	blocked=$(( $(count "writer 1" '^put blocks: queue full \(sem_trywait\(slots\): EAGAIN, 0 free\)$') +
	    $(count "writer 2" '^put blocks: queue full \(sem_trywait\(slots\): EAGAIN, 0 free\)$') ))
	returned=$(( $(count "writer 1" '^put returns after [0-9]+ ms') +
	    $(count "writer 2" '^put returns after [0-9]+ ms') ))
	[ "$blocked" -ge 1 ] || fail "no put blocked"
	[ "$returned" -eq "$blocked" ] || fail "$blocked puts blocked, $returned returned"
	expect_figure puts_blocked "$blocked"
	expect_line main '^writer [12] \(PID [0-9]+\) is waiting in put\(\): state S, wchan [a-z_.0-9]*futex[a-z_.0-9]*; free slots: 0$'
	expect_figure writer_seen_waiting 1
	# the reader got all six items, each url twice, then queue.Empty
	expect_line reader '^read process start$'
	for u in url-1 url-2 url-3; do
		[ "$(count reader "^get data is $u$")" -eq 2 ] || fail "reader did not get $u twice"
	done
	expect_figure items_got 6
	last=$(pane reader | grep -nE '^get data is ' | tail -n 1 | cut -d: -f1)
	empty=$(pane reader | grep -nE '^queue\.Empty after 1\.0 s \(poll\(\) timed out, measured [0-9]+ ms\)$' | head -n 1 | cut -d: -f1)
	[ -n "$empty" ] && [ "$empty" -gt "$last" ] || fail "no queue.Empty after the last item"
	ms=$(figure empty_after_ms)
	[ "$ms" -ge 1000 ] && [ "$ms" -lt 1500 ] || fail "Empty after $ms ms"
	# terminate(): SIGTERM while the reader is blocked in get(), holding
	# the read lock
	expect_line main '^reader \(PID [0-9]+\) is blocked in get\(\), in poll\(\): state S'
	expect_line main '^proc_read\.terminate\(\): kill\([0-9]+, SIGTERM\); the reader was killed by SIGTERM, after taking 6 items$'
	expect_figure reader_signal 15
	expect_figure rlock_after_terminate 0
	expect_line main '^proc_write2\.join\(\): writer 2 exited with status 0$'
	expect_line main '^proc_write1\.join\(\): writer 1 exited with status 0$'
	no_processes_left
}

@test "pipe: Pipe() is a socketpair both ways, Pipe(duplex=False) a one-way pipe" {
	run_demo pipe
	# duplex: two different sockets, both read-write
	expect_line main '^a, b = Pipe\(\): socketpair\(AF_UNIX, SOCK_STREAM\): a = fd [0-9]+ \(socket:\[[0-9]+\], O_RDWR\), b = fd [0-9]+ \(socket:\[[0-9]+\], O_RDWR\)$'
	# a.send('hi') is the 4-byte length 17 and pickle.dumps('hi'), as strace shows it
	frame=$(pane main | sed -n "s/^a\.send('hi'): 21 bytes on fd [0-9]*: //p")
	[ "$frame" = '"\0\0\0\21\200\4\225\6\0\0\0\0\0\0\0\214\2hi\224."' ] ||
	    fail "a.send('hi') wrote $frame"
	expect_figure duplex_a_to_b_bytes 21
	expect_line "child b" '^hi    \(b\.recv\(\): a 4-byte length, then 17 bytes of pickle'
	frame=$(pane "child b" | sed -n "s/^b\.send(\[1, 2\]): 24 bytes on fd [0-9]*: //p")
	[ "$frame" = '"\0\0\0\24\200\4\225\t\0\0\0\0\0\0\0]\224(K\1K\2e."' ] ||
	    fail "b.send([1, 2]) wrote $frame"
	expect_figure duplex_b_to_a_bytes 24
	expect_line main '^\[1, 2\]    \(a\.recv\(\)'
	# simplex: one pipe, a read end and a write end
	line=$(pane main | grep -E '^r, w = Pipe\(duplex=False\): pipe\(\)')
	[[ "$line" =~ r\ =\ fd\ [0-9]+\ \((pipe:\[[0-9]+\]),\ O_RDONLY\),\ w\ =\ fd\ [0-9]+\ \((pipe:\[[0-9]+\]),\ O_WRONLY\)$ ]] ||
	    fail "r and w are not the two ends of a pipe: $line"
	[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] || fail "r and w are not the same pipe"
	expect_line "child w" "^w\.send\('x'\): 20 bytes on fd [0-9]+: "
	expect_figure simplex_bytes 20
	expect_line main '^x    \(r\.recv\(\)'
	# each end only goes one way: EBADF both ways
	expect_line "child w" '^w only sends: read\([0-9]+\) = -1 EBADF \(Bad file descriptor\)$'
	expect_figure write_end_read_errno 9
	expect_line main "^r\.send\('y'\): write\([0-9]+\) = -1 EBADF \(Bad file descriptor\)$"
	expect_line main '^connection is read-only    \(OSError'
	expect_figure read_end_send_errno 9
	expect_line main '^child b \(PID [0-9]+\) exited with status 0$'
	expect_line main '^child w \(PID [0-9]+\) exited with status 0$'
	no_processes_left
}

@test "pipe-eof: the notes' receiver never sees EOF; closing unused ends gives EOFError" {
	run_demo pipe-eof
	# both parts send the same four items, and the receiver gets them all
	for u in a aew adf as; do
		[ "$(count sender "^send data is $u$")" -eq 2 ] || fail "$u was not sent twice"
		[ "$(count receiver "^recv data is $u$")" -eq 2 ] || fail "$u was not received twice"
	done
	# part 1: after the last item the receiver sleeps in recv(), while main
	# and the receiver itself still hold the sending end
	expect_line main '^recv_process\.join\(\) waits: the receiver had all 4 items$'
	[ "$(count main '^receiver PID [0-9]+: state S, wchan [a-z_.0-9]*unix_stream[a-z_.0-9]*: still blocked in recv\(\)$')" -eq 2 ] ||
	    fail "the receiver was not seen blocked twice"
	expect_figure bug_blocked_checks 2
	expect_line main '^the sending end pipe\[0\] \(socket:\[[0-9]+\]\) is open in main \(fd: [0-9]+\) and in the receiver \(fd: [0-9]+\)$'
	expect_line main '^main closes its copies: close\([0-9]+\), close\([0-9]+\)$'
	expect_line main '^the sending end pipe\[0\] \(socket:\[[0-9]+\]\) is open in main \(fd: none\) and in the receiver \(fd: [0-9]+\)$'
	expect_line main '^Ctrl-C: kill\([0-9]+, SIGINT\); the receiver was killed by SIGINT$'
	expect_figure bug_receiver_signal 2
	# part 2: every process closes what it does not use: read() returns 0
	expect_line receiver '^send_end\.close\(\): closed fd [0-9]+, my copy of the sending end$'
	expect_line sender '^conn\.close\(\): closed fd [0-9]+$'
	pane receiver | tail -n 1 | grep -qE '^read\([0-9]+\) returned 0, end of file: EOFError, after 4 items$' ||
	    fail "the receiver did not end with EOFError"
	expect_figure fix_items 4
	expect_line main '^recv_process\.join\(\) returns: the receiver exited with status 0$'
	expect_figure fix_receiver_status 0
	no_processes_left
}

@test "pipe-full: the writer sleeps in write() once F_GETPIPE_SZ bytes wait in the pipe" {
	run_demo pipe-full
	size=$(figure getpipe_sz)
	[ -n "$size" ] && [ "$size" -gt 0 ] || fail "no F_GETPIPE_SZ"
	expect_figure pipe_capacity "$size"
	expect_line main "^$size    \(fcntl\([0-9]+, F_GETPIPE_SZ\)"
	# 60000 bytes (and the 4-byte length) fit: the writer never blocks
	expect_figure blocked_60000 0
	expect_line main '^60000 writer still blocked: False$'
	expect_line main '^the pipe holds 60004 bytes \(FIONREAD\): the whole frame, it fit$'
	expect_line writer '^write #15: 2660 bytes \(60004 sent\)$'
	# 70000 do not: the writer sleeps in write() on the full pipe
	expect_figure blocked_70000 1
	expect_line main '^70000 writer still blocked: True$'
	expect_line main "^writer PID [0-9]+: state S, wchan [a-z_.0-9]*pipe_write[a-z_.0-9]*, in write\([0-9]+\); the pipe holds $size bytes \(FIONREAD\), F_GETPIPE_SZ is $size$"
	expect_line writer '^wc = fd [0-9]+, O_NONBLOCK off; the frame is 70004 bytes, written 4096 at a time$'
	expect_line writer "^write #$((size / 4096)): 4096 bytes \($size sent\)$"
	# once main reads, the writer finishes
	expect_line writer '^write #18: 372 bytes \(70004 sent\)$'
	expect_line writer '^writer: sent 70000 bytes$'
	expect_line main '^rc\.recv_bytes\(\): got 70000 bytes; the writer can go on$'
	[ "$(count main '^p\.join\(\): the writer exited with status 0$')" -eq 2 ] ||
	    fail "a writer did not exit with status 0"
	no_processes_left
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
	expect_figure read_end_send_errno 9
	no_processes_left
}
