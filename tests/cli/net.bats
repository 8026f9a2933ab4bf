#!/usr/bin/env bats
# net.bats — `systour serve echo|http` and `systour client`: the contract
# (the first line names the port), what they serve, bad usage, and the
# robustness the lessons promise: malformed and partial requests, clients
# that vanish, idle connections, headers over the limit, a flood of
# clients, ten thousand at once. The rough clients are tests/cli/net_peer.py
# (skipped with a message without python3). Every server runs in its own
# process group and is ended in teardown; each test checks it exits 0 on
# SIGTERM.

load helpers

PEER="$BATS_TEST_DIRNAME/net_peer.py"

setup() {
	[ -x "$SYSTOUR" ] || { echo "systour is not built at $SYSTOUR" >&2; return 1; }
	cd "$BATS_TEST_TMPDIR" || return 1
	SPID=
}

teardown() {
	if [ -n "$SPID" ]; then
		kill -KILL -- "-$SPID" 2>/dev/null || true
	fi
}

need_python3() {
	command -v python3 >/dev/null ||
		skip "python3 is not installed: the rough clients are Python"
}

# start_server echo|http ARGS...: sets SPID and PORT from its first line.
start_server() {
	rm -f srv.out srv.err
	setsid timeout 300 "$SYSTOUR" serve "$@" --port 0 >srv.out 2>srv.err &
	SPID=$!
	for _ in $(seq 200); do
		if [ -s srv.out ]; then
			PORT=$(sed -n '1s/^listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' srv.out)
			[ -n "$PORT" ] && return 0
			fail "first line is not 'listening on 127.0.0.1:PORT': $(head -n 1 srv.out)"
			return 1
		fi
		sleep 0.05
	done
	cat srv.err >&2
	return 1
}

# stop_server: SIGTERM, and it must exit 0 within 5 seconds.
stop_server() {
	kill -TERM "$SPID"
	for _ in $(seq 100); do
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.05
	done
	! kill -0 "$SPID" 2>/dev/null || fail "the server is still running after SIGTERM"
	wait "$SPID"
	local rc=$?
	[ "$rc" -eq 0 ] || fail "the server exited with $rc after SIGTERM"
	SPID=
}

# http_raw REQUEST: send it with bash's /dev/tcp, print the whole answer.
http_raw() {
	exec 3<>"/dev/tcp/127.0.0.1/$PORT"
	printf '%b' "$1" >&3
	timeout 10 cat <&3
	exec 3<&-
}

@test "serve --help names the default ports and every option" {
	run --separate-stderr "$SYSTOUR" serve --help
	assert_status 0
	assert_out_has "usage: systour serve echo|http"
	assert_out_has "default: http 8080, echo 9999"
	for o in --host --port --delay --idle; do assert_out_has "$o"; done
	run --separate-stderr "$SYSTOUR" client --help
	assert_status 0
	assert_out_has "usage: systour client HOST:PORT"
}

@test "bad usage: exit 2 with one line naming what is wrong" {
	run --separate-stderr "$SYSTOUR" serve ftp
	assert_status 2
	[ "$stderr" = "systour: serve: ftp: not a server (echo or http)" ] || fail "stderr: $stderr"
	run --separate-stderr "$SYSTOUR" serve http --port 70000
	assert_status 2
	assert_err_has "serve http: --port 70000: not a number from 0 to 65535"
	run --separate-stderr "$SYSTOUR" serve http --delay -5
	assert_status 2
	run --separate-stderr "$SYSTOUR" serve echo --delay 5
	assert_status 2
	assert_err_has "only serve http delays"
	run --separate-stderr "$SYSTOUR" serve
	assert_status 2
	run --separate-stderr "$SYSTOUR" client localhost
	assert_status 2
	[ "$stderr" = "systour: client: localhost: not HOST:PORT" ] || fail "stderr: $stderr"
	run --separate-stderr "$SYSTOUR" client ::1:80
	assert_status 2
}

@test "failures of the work: exit 1 (port taken, nobody listening, unknown host)" {
	start_server http
	run --separate-stderr "$SYSTOUR" serve http --port "$PORT"
	assert_status 1
	assert_err_has "systour: serve http: cannot listen on 127.0.0.1:$PORT: Address already in use"
	stop_server
	# the port is free now: nobody listens there
	run --separate-stderr "$SYSTOUR" client "127.0.0.1:$PORT" </dev/null
	assert_status 1
	assert_err_has "systour: client: cannot connect to 127.0.0.1:$PORT: Connection refused"
	run --separate-stderr "$SYSTOUR" client "no-such-host.invalid:80" </dev/null
	assert_status 1
	assert_err_has "systour: client: no-such-host.invalid:80:"
}

@test "serve http: GET / and HEAD, HTTP/1.0 and 1.1, 404 and 405" {
	start_server http
	run http_raw 'GET / HTTP/1.0\r\n\r\n'
	assert_out_has $'HTTP/1.0 200 OK\r'
	assert_out_has $'Content-Length: 30\r'
	assert_out_has $'Connection: close\r'
	assert_out_has "hello from systour serve http"
	run http_raw 'HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
	assert_out_has $'HTTP/1.1 200 OK\r'
	assert_out_lacks "hello from"
	run http_raw 'GET /nothing HTTP/1.1\r\nConnection: close\r\n\r\n'
	assert_out_has "HTTP/1.1 404 Not Found"
	run http_raw 'DELETE / HTTP/1.1\r\nConnection: close\r\n\r\n'
	assert_out_has "HTTP/1.1 405 Method Not Allowed"
	assert_out_has $'Allow: GET, HEAD\r'
	stop_server
}

@test "serve http: keep-alive serves several requests on one connection (1.1 by default, 1.0 when asked)" {
	start_server http
	run http_raw 'GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /slow/5 HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.1\r\nConnection: close\r\n\r\n'
	[ "$(grep -c '^HTTP/1\.[01] 200 OK' <<<"$output")" -eq 4 ] || fail "not four answers"
	assert_out_has $'Connection: keep-alive\r'
	assert_out_has "slow 5 ms"
	stop_server
}

@test "serve http: malformed requests get 400 (or 505) and the connection closes" {
	start_server http
	run http_raw 'garbage\r\n\r\n'
	assert_out_has "HTTP/1.1 400 Bad Request"
	run http_raw '\x00\x01\x02binary'
	assert_out_has "HTTP/1.1 400 Bad Request"
	run http_raw 'GET noslash HTTP/1.1\r\n\r\n'
	assert_out_has "400 Bad Request"
	run http_raw 'GET / HTTP/2.0\r\n\r\n'
	assert_out_has "505 HTTP Version Not Supported"
	run http_raw 'GET / HTTP/1.1\r\nNo colon here\r\n\r\n'
	assert_out_has "400 Bad Request"
	run http_raw 'GET / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n'
	assert_out_has "400 Bad Request"
	run http_raw 'GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n'
	assert_out_has "501 Not Implemented"
	# still serving
	run http_raw 'GET / HTTP/1.0\r\n\r\n'
	assert_out_has "200 OK"
	stop_server
}

@test "serve http: headers over the limit get 431, a body too long 413" {
	start_server http
	big=$(head -c 9000 /dev/zero | tr '\0' a)
	run http_raw "GET / HTTP/1.1\r\nX-Big: $big\r\n\r\n"
	assert_out_has "HTTP/1.1 431 Request Header Fields Too Large"
	many=""
	for i in $(seq 120); do many+="X-$i: y\r\n"; done
	run http_raw "GET / HTTP/1.1\r\n$many\r\n"
	assert_out_has "431 Request Header Fields Too Large"
	run http_raw 'GET / HTTP/1.1\r\nContent-Length: 999999\r\n\r\n'
	assert_out_has "413 Content Too Large"
	stop_server
}

@test "serve http: a partial request waits for the rest; idle connections are closed (408 for a half request)" {
	need_python3
	start_server http --idle 1
	run python3 "$PEER" idle "$PORT" 1
	[ "$status" -eq 0 ] || fail "idle: $output"
	stop_server
}

@test "serve http: clients that vanish (reset mid-request, gone before a slow reply) leave it serving" {
	need_python3
	start_server http
	run python3 "$PEER" vanish "$PORT"
	[ "$status" -eq 0 ] || fail "vanish: $output"
	stop_server
}

@test "serve http: a client that sends and never reads does not make it buffer without end" {
	need_python3
	start_server http
	rss0=$(awk '/^VmRSS/ { print $2 }' "/proc/$SPID/status")
	python3 "$PEER" noread "$PORT" >peer.out &
	peer=$!
	for _ in $(seq 400); do [ -s peer.out ] && break; sleep 0.05; done
	sent=$(cat peer.out)
	[ -n "$sent" ] || fail "the peer never stopped sending"
	rss1=$(awk '/^VmRSS/ { print $2 }' "/proc/$SPID/status")
	kill "$peer"
	# the kernel's buffers take some; the server holds at most ~1 MiB more
	[ $((rss1 - rss0)) -lt 8192 ] || fail "RSS grew from $rss0 to $rss1 kB ($sent bytes sent)"
	[ "$sent" -lt $((64 << 20)) ] || fail "it read $sent bytes without answering being read"
	run http_raw 'GET / HTTP/1.0\r\n\r\n'
	assert_out_has "200 OK"
	stop_server
}

@test "serve http: pipelined requests are answered in order, a slow one first" {
	need_python3
	start_server http
	run python3 "$PEER" pipeline "$PORT"
	[ "$status" -eq 0 ] || fail "pipeline: $output"
	stop_server
}

@test "serve http: /slow/MS does not hold up other clients, --delay delays every answer" {
	need_python3
	start_server http
	# ten /slow/500 at once take about 500 ms, not 5 s
	run python3 - "$PORT" <<'PY'
import sys, threading, time, urllib.request
port = int(sys.argv[1])
def get(): urllib.request.urlopen("http://127.0.0.1:%d/slow/500" % port, timeout=30).read()
t0 = time.monotonic()
ts = [threading.Thread(target=get) for _ in range(10)]
[t.start() for t in ts]; [t.join() for t in ts]
print("%.2f" % (time.monotonic() - t0))
PY
	assert_status 0
	awk -v t="$output" 'BEGIN { exit !(t >= 0.45 && t < 2.5) }' || fail "10 x /slow/500 took $output s"
	stop_server
	start_server http --delay 300
	run python3 -c "import time, urllib.request as u; t = time.monotonic(); b = u.urlopen('http://127.0.0.1:$PORT/', timeout=30).read(); print('%.2f' % (time.monotonic() - t), b.decode().strip())"
	assert_status 0
	awk -v t="${output%% *}" 'BEGIN { exit !(t >= 0.29 && t < 3) }' || fail "--delay 300: $output"
	assert_out_has "hello from systour serve http"
	stop_server
}

@test "serve echo and client: lines go and come back, after the notes' greeting" {
	start_server echo
	run --separate-stderr "$SYSTOUR" client "127.0.0.1:$PORT" < <(printf 'one\ntwo\n三\n')
	assert_status 0
	[ "$output" = $'welcome to here\none\ntwo\n三' ] || fail "client printed: $output"
	stop_server
}

@test "serve echo: an idle client is closed after --idle, a busy one is not" {
	start_server echo --idle 1
	exec 5<>"/dev/tcp/127.0.0.1/$PORT"	# idle after the greeting
	exec 6<>"/dev/tcp/127.0.0.1/$PORT"	# talks every 300 ms
	t0=$(date +%s%3N)
	for i in 1 2 3 4 5 6 7; do printf 'ping %d\n' "$i" >&6; sleep 0.3; done &
	talker=$!
	run timeout 10 cat <&5
	t1=$(date +%s%3N)
	[ "$output" = "welcome to here" ] || fail "idle client got: $output"
	[ $((t1 - t0)) -ge 900 ] && [ $((t1 - t0)) -lt 4000 ] || fail "closed after $((t1 - t0)) ms"
	wait "$talker"
	# the busy one was served all along: its greeting and seven echoes
	for want in "welcome to here" "ping 1" "ping 2" "ping 3" "ping 4" "ping 5" "ping 6" "ping 7"; do
		read -r -t 5 -u 6 line || fail "busy client: no '$want'"
		[ "$line" = "$want" ] || fail "busy client: '$line', expected '$want'"
	done
	exec 5<&- 6<&-
	stop_server
}

@test "serve echo: a flood of 1000 clients at once, every one answered" {
	need_python3
	start_server echo
	run python3 "$PEER" flood "$PORT" 1000
	[ "$status" -eq 0 ] || fail "flood: $output"
	stop_server
}

@test "serve echo: ten thousand clients at once (the open files limit raised to its hard limit)" {
	need_python3
	hard=$(ulimit -Hn)
	[ "$hard" = unlimited ] || [ "$hard" -ge 10100 ] ||
		skip "the hard open files limit is $hard: 10000 clients need 10100"
	# a low soft limit is raised by the server itself
	ulimit -Sn 1024
	start_server echo
	! grep -q "open files limit" srv.err || fail "warned: $(cat srv.err)"
	run python3 "$PEER" flood "$PORT" 10000
	[ "$status" -eq 0 ] || fail "flood: $output"
	stop_server
	grep -q "10000 at most at once" srv.err || fail "summary: $(cat srv.err)"
}

@test "serve echo: a low hard open files limit is said clearly at start" {
	start_server echo
	stop_server
	command -v prlimit >/dev/null || skip "no prlimit"
	rm -f srv.out srv.err
	setsid prlimit --nofile=256:256 "$SYSTOUR" serve echo --port 0 >srv.out 2>srv.err &
	SPID=$!
	for _ in $(seq 100); do [ -s srv.err ] && break; sleep 0.05; done
	grep -q "^systour serve echo: the open files limit is 256: at most about 240 clients at once" srv.err ||
		fail "no warning: $(cat srv.err)"
	head -n 1 srv.out | grep -q '^listening on 127.0.0.1:' || fail "first line: $(cat srv.out)"
	stop_server
}
