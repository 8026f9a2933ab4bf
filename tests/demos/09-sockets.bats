#!/usr/bin/env bats
# 09-sockets.bats — the live demos of lesson 09 (sockets): echo, backlog and
# three-servers, each run to its end in plain mode with --delay 0. We check
# what each pane printed, the socket states read from /proc/net/tcp, the
# figures the demo measured, and that no process of the demo is left.

bats_require_minimum_version 1.5.0

load ../helpers

setup() {
	demo_setup || return 1
	export SYSTOUR_LESSONS="$ROOT/lessons"
}

@test "echo: server and client on loopback; the kernel shows LISTEN, SYN_RECV, ESTABLISHED, CLOSE_WAIT, TIME_WAIT" {
	demo_ok echo
	assert_figure listen_seen 1
	assert_figure syn_recv_seen 1
	assert_figure established_seen 2
	assert_figure bytes_echoed 14
	assert_figure close_wait_seen 1
	[ "$(figure time_wait_seen)" -ge 1 ] || fail "no TIME_WAIT seen"
	pane_matches server "^连接地址： \('127\.0\.0\.1', [0-9]+\)$"
	pane_matches server '^recv\(1024\) = 14 bytes: hello, server$'
	pane_matches kernel '^  127\.0\.0\.1:[0-9]+ +LISTEN +accept queue 0$'
	pane_matches kernel "^  127\.0\.0\.1:[0-9]+ +SYN_RECV +server, peer 127\.0\.0\.1:[0-9]+$"
	pane_matches kernel "^  127\.0\.0\.1:[0-9]+ +TIME_WAIT +server, peer 127\.0\.0\.1:[0-9]+$"
	pane_matches client "^connect\(\) returned: the handshake is done"
	pane_matches client "^recv\(\) returned b'': the server closed its end$"
	# the notes' print of what came: the welcome line, then the echo
	[ "$(pane client | tail -n 2)" = $'welcome to here\nhello, server' ] ||
		fail "the client's last lines: $(pane client | tail -n 2)"
	assert_no_leftovers 2
}

@test "echo: narrated in Chinese with --lang zh" {
	run_demo echo --lang zh
	[ "$status" -eq 0 ] || fail "exit $status"
	pane_matches client '^connect\(\) 返回：握手已完成'
	has "$(pane kernel)" "两端都已关闭"
	assert_figure syn_recv_seen 1
}

@test "backlog: listen(5) queues backlog+1 connections, the rest stay in SYN_SENT until they time out" {
	demo_ok backlog
	c=$(figure connected)
	assert_figure timed_out $((10 - c))
	assert_figure accept_queue_max "$c"
	assert_figure accepted "$c"
	assert_figure syn_sent_left $((10 - c))
	# Linux lets in one more than the backlog (the lesson says 6)
	[ "$c" -eq 6 ] || fail "$c connected, expected 6"
	pane_matches clients '^5 connected$'
	pane_matches clients "^6 TimeoutError\('timed out'\) after 1[0-9]{3} ms$"
	pane_matches kernel '^client 5: accept queue 6 \(backlog 5\); 0 SYN_SENT$'
	pane_matches kernel '^client 9: accept queue 6 \(backlog 5\); 4 SYN_SENT$'
	[ "$(pane_count listener '^accept\(\) = fd [0-9]+, from 127\.0\.0\.1:[0-9]+: it was waiting in the queue$')" -eq 6 ] ||
		fail "not six accepts"
	pane_matches listener '^and the kernel, given an address of 2 bytes .*bind\(\) = -1, Invalid argument$'
	if command -v python3 >/dev/null; then
		assert_figure python_type_error 1
		pane_matches listener '^python3 says: TypeError: .*bind\(\) takes exactly one argument \(2 given\)$'
	else
		pane_matches listener '^python3 is not installed'
	fi
	assert_no_leftovers 2
}

@test "three-servers: one at a time adds the waits up; threads and epoll serve them together" {
	demo_ok three-servers
	it=$(figure iterative_ms)
	th=$(figure threads_ms)
	ep=$(figure epoll_ms)
	# 8 requests of 200 ms: at least 1600 ms one after another; together
	# about 200 (generous bounds for a loaded machine)
	[ "$it" -ge 1600 ] || fail "iterative: $it ms"
	[ "$th" -ge 200 ] && [ "$th" -lt 1000 ] || fail "threads: $th ms"
	[ "$ep" -ge 200 ] && [ "$ep" -lt 1000 ] || fail "epoll: $ep ms"
	[ "$it" -gt $((th * 2)) ] && [ "$it" -gt $((ep * 2)) ] || fail "$it / $th / $ep"
	[ "$(pane_count iterative '^answered fd [0-9]+ after 2[0-9]{2} ms')" -eq 8 ] || fail "iterative answers"
	[ "$(pane_count threads '^thread [0-9]+ handles fd [0-9]+$')" -eq 8 ] || fail "threads"
	pane_matches epoll '^epoll_wait: [0-9]+ ready; [0-9]+ connections open, one thread$'
	for s in "iterative" "a thread per connection" "epoll"; do
		pane_matches clients "^$s: 8 of 8 answered"
	done
	assert_no_leftovers 4
}
