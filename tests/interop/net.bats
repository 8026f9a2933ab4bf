#!/usr/bin/env bats
# net.bats — `systour serve` and `systour client` against the notes' own
# socket scripts, both ways, and `serve http` under the notes' gevent
# scripts.
#
# The notes' scripts are copied verbatim from /work/shared/notes/notes.zh.md
# (section 网络编程 / Socket: net_notes_server.py, net_notes_client.py;
# section 协程: net_notes_gevent.py, net_notes_pool.py). A test changes a
# copy only with sed: the port (the scripts hard-code 9999), the server's
# bind mistake (`bind(host, port)` -> `bind((host, port))`, which lesson 09
# flags), and the gevent scripts' list of URLs (the notes fetch public web
# sites; the tests fetch `serve http`'s /slow/MS on loopback). Skipped with a
# message when python3 (or, for gevent, a python3 with gevent) is missing.

bats_require_minimum_version 1.5.0

ROOT="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
SYSTOUR="${SYSTOUR:-$ROOT/systour}"

setup() {
	PGIDS=()
	T="$BATS_TEST_TMPDIR"
	cd "$T" || return 1
}

teardown() {
	for g in "${PGIDS[@]}"; do
		kill -KILL -- "-$g" 2>/dev/null || true
	done
}

need_python3() {
	command -v python3 >/dev/null ||
		skip "python3 is not installed: no notes' scripts to run"
}

# A python3 that imports gevent (the one on PATH first, then Debian's).
gevent_python() {
	for p in python3 /usr/bin/python3; do
		if command -v "$p" >/dev/null && "$p" -c 'import gevent' 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# The address the notes' scripts use: socket.gethostname(), resolved.
host_addr() {
	python3 -c 'import socket; print(socket.gethostbyname(socket.gethostname()))'
}

# start_systour echo|http ARGS...: sets PORT.
start_systour() {
	setsid timeout 120 "$SYSTOUR" serve "$@" --port 0 >srv.out 2>srv.err &
	PGIDS+=("$!")
	for _ in $(seq 200); do
		PORT=$(sed -n '1s/^listening on .*:\([0-9][0-9]*\)$/\1/p' srv.out 2>/dev/null)
		[ -n "$PORT" ] && return 0
		sleep 0.05
	done
	cat srv.err >&2
	return 1
}

# timed CMD...: run it, each line of its output prefixed with the time it
# arrived (ms), so a test measures the script's own work, not its start-up.
timed() {
	"$@" 2>&1 | while IFS= read -r line; do
		printf '%s %s\n' "$(date +%s%3N)" "$line"
	done
	return "${PIPESTATUS[0]}"
}

# span FIRST LAST: ms from the first line with FIRST to the last line with
# LAST in $output (as timed prints it); strips the times from $output.
span() {
	local a b
	a=$(grep -F -- "$1" <<<"$output" | head -n 1 | cut -d' ' -f1)
	b=$(grep -F -- "$2" <<<"$output" | tail -n 1 | cut -d' ' -f1)
	ms=$((b - a))
	output=$(cut -d' ' -f2- <<<"$output")
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("", 0)); print(s.getsockname()[1])'
}

@test "the notes' server as written fails at bind, with the TypeError lesson 09 quotes" {
	need_python3
	sed "s/9999/$(free_port)/" "$BATS_TEST_DIRNAME/net_notes_server.py" >server.py
	run timeout 10 python3 server.py
	[ "$status" -eq 1 ] || { echo "$output"; false; }
	grep -q "TypeError: .*bind() takes exactly one argument (2 given)" <<<"$output" ||
		{ echo "$output"; false; }
}

@test "systour client against the notes' server (bind fixed): the welcome line, and the server saw the client" {
	need_python3
	port=$(free_port)
	sed -e "s/9999/$port/" -e 's/serversocket\.bind(host, port)/serversocket.bind((host, port))/' \
	    "$BATS_TEST_DIRNAME/net_notes_server.py" >server.py
	setsid timeout 60 python3 -u server.py >server.out 2>&1 &
	PGIDS+=("$!")
	addr=$(host_addr)
	ok=
	for _ in $(seq 100); do
		if out=$("$SYSTOUR" client "$addr:$port" </dev/null 2>client.err); then
			ok=1
			break
		fi
		sleep 0.1
	done
	[ -n "$ok" ] || { cat client.err; false; }
	[ "$out" = "welcome to here" ] || { echo "client printed: $out"; false; }
	for _ in $(seq 100); do
		grep -q "^连接地址： ('$addr', [0-9]*)$" server.out && break
		sleep 0.05
	done
	grep -q "^连接地址： ('$addr', [0-9]*)$" server.out || { cat server.out; false; }
}

@test "the notes' client against systour serve echo: it prints the welcome line" {
	need_python3
	addr=$(host_addr)
	start_systour echo --host "$addr"
	sed "s/9999/$PORT/" "$BATS_TEST_DIRNAME/net_notes_client.py" >client.py
	run timeout 10 python3 client.py
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "${lines[0]}" = "welcome to here" ] || { echo "$output"; false; }
}

@test "the notes' gevent script against serve http: three slow URLs overlap on one thread" {
	need_python3
	py=$(gevent_python) || skip "no python3 with gevent (python3-gevent)"
	start_systour http
	u="http://127.0.0.1:$PORT"
	sed "s|^    urls = .*|    urls = ['$u/slow/1000', '$u/slow/1000', '$u/slow/1000']|" \
	    "$BATS_TEST_DIRNAME/net_notes_gevent.py" >gev.py
	grep -q "/slow/1000" gev.py
	run timed timeout 30 "$py" -u gev.py
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	span visit "bytes received"
	[ "$(grep -c "^visit ---> $u/slow/1000$" <<<"$output")" -eq 3 ] || { echo "$output"; false; }
	[ "$(grep -c "^13 bytes received from $u/slow/1000$" <<<"$output")" -eq 3 ] || { echo "$output"; false; }
	# one after another would be 3000 ms; together about 1000
	[ "$ms" -ge 990 ] && [ "$ms" -lt 2000 ] || { echo "took $ms ms"; false; }
}

@test "the notes' gevent Pool(2) against serve http: at most two at once" {
	need_python3
	py=$(gevent_python) || skip "no python3 with gevent (python3-gevent)"
	start_systour http
	u="http://127.0.0.1:$PORT"
	sed "s|^    urls = .*|    urls = ['$u/slow/1000', '$u/slow/1000', '$u/slow/1000']|" \
	    "$BATS_TEST_DIRNAME/net_notes_pool.py" >pool.py
	run timed timeout 30 "$py" -u pool.py
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	span "url is" "data length"
	[ "$(grep -c "^$u/slow/1000 data length is 13 $" <<<"$output")" -eq 3 ] || { echo "$output"; false; }
	# two, then the third: about 2000 ms, never less
	[ "$ms" -ge 1990 ] && [ "$ms" -lt 2900 ] || { echo "took $ms ms"; false; }
}
