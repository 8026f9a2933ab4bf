#!/usr/bin/env bats
# redis.bats — `systour manager --redis URL` and `systour worker --redis URL`
# against a real redis-server that each test starts on a free loopback port
# in its own temporary directory (AOF on where the test needs it) and stops
# in teardown: none is left running. Skipped, with a message, when
# redis-server (Debian: redis-server) is not installed. The notes' own
# CPython worker runs unchanged but for its port (see manager.bats).

bats_require_minimum_version 1.5.0

ROOT="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
SYSTOUR="${SYSTOUR:-$ROOT/systour}"

setup() {
	command -v redis-server >/dev/null && command -v redis-cli >/dev/null ||
		skip "redis-server is not installed (Debian: apt-get install redis-server)"
	PGIDS=()
	RPID=
	T="$BATS_TEST_TMPDIR"
}

teardown() {
	for g in "${PGIDS[@]}"; do
		kill -KILL -- "-$g" 2>/dev/null || true
	done
	[ -n "$RPID" ] && kill -KILL "$RPID" 2>/dev/null || true
	[ -n "$RPID" ] && wait "$RPID" 2>/dev/null || true
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Start redis-server on $RPORT (a free port the first time) with its data
# in $T/redis, ARGS... added; RPID its PID; waits until it answers PING.
start_redis() {
	[ -n "${RPORT:-}" ] || RPORT=$(free_port)
	mkdir -p "$T/redis"
	redis-server --port "$RPORT" --bind 127.0.0.1 --dir "$T/redis" \
	    --save '' --daemonize no --logfile "$T/redis/log" "$@" &
	RPID=$!
	for _ in $(seq 200); do
		redis-cli -p "$RPORT" ping 2>&1 | grep -qE 'PONG|NOAUTH' && break
		sleep 0.05
	done
	redis-cli -p "$RPORT" ping 2>&1 | grep -qE 'PONG|NOAUTH'
	URL="redis://127.0.0.1:$RPORT"
}

rcli() {
	redis-cli -p "$RPORT" "$@"
}

# Wait (at most $2 seconds) for process $1 to end; its status in WSTATUS.
wait_for() {
	for _ in $(seq $(($2 * 20))); do
		kill -0 "$1" 2>/dev/null || {
			WSTATUS=0
			wait "$1" || WSTATUS=$?
			return 0
		}
		sleep 0.05
	done
	return 1
}

# `systour manager --port 0 --redis $URL ARGS...`, output in $T/NAME.out
# and .err; MPID, PORT.
start_manager() {
	local name=$1
	shift
	setsid timeout 300 "$SYSTOUR" manager --port 0 --redis "$URL" "$@" \
	    >"$T/$name.out" 2>"$T/$name.err" &
	MPID=$!
	PGIDS+=("$MPID")
	PORT=
	for _ in $(seq 200); do
		PORT=$(sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$T/$name.err" 2>/dev/null || true)
		[ -n "$PORT" ] && return 0
		sleep 0.05
	done
	cat "$T/$name.err" >&2
	return 1
}

# `systour worker --redis $URL ARGS...` in a group of its own, output in
# $T/NAME.out; its PID in the variable NAME.
start_worker() {
	local name=$1
	shift
	setsid timeout 300 "$SYSTOUR" worker --redis "$URL" "$@" \
	    >"$T/$name.out" 2>&1 &
	printf -v "$name" '%s' "$!"
	PGIDS+=("$!")
}

# Redis's result hash holds "success ImageUrl_N" once for each N from 0 to
# $1 - 1 and nothing else (the results are kept by task id: once each).
each_result_once() {
	[ "$(rcli hlen systour:done)" -eq "$1" ]
	rcli hvals systour:done |
	    sed 's/^ssuccess ImageUrl_\([0-9][0-9]*\)$/\1/' | sort -n >"$T/got"
	seq 0 $(($1 - 1)) >"$T/want"
	cmp "$T/got" "$T/want" || {
		echo "missing: $(comm -13 <(sort "$T/got") <(sort "$T/want") | head -5)" >&2
		echo "twice or unexpected: $(sort "$T/got" | uniq -d | head -5)" >&2
		return 1
	}
}

@test "redis: a URL that is not one, a missing URL, Redis down at start, a password the URL lacks, a wrong password: one clear line, exit 1" {
	run "$SYSTOUR" worker --redis http://127.0.0.1:6379
	[ "$status" -eq 1 ]
	[ "$output" = "systour: worker: http://127.0.0.1:6379: not a Redis URL (redis://[:PASSWORD@]HOST[:PORT][/DB])" ]
	run "$SYSTOUR" manager --port 0 --redis ''
	[ "$status" -eq 1 ]
	[[ "$output" == "systour: manager: no Redis URL"* ]]
	run "$SYSTOUR" worker --redis redis://127.0.0.1:99999
	[ "$status" -eq 1 ]
	[[ "$output" == *"the port is not a number from 1 to 65535" ]]
	P=$(free_port)	# nobody listens there
	run timeout 20 "$SYSTOUR" worker --redis "redis://127.0.0.1:$P"
	[ "$status" -eq 1 ]
	[ "$output" = "systour: worker: cannot connect to Redis at 127.0.0.1:$P: Connection refused" ]
	run timeout 20 "$SYSTOUR" manager --port 0 --redis "redis://127.0.0.1:$P"
	[ "$status" -eq 1 ]
	[[ "$output" == *"systour: manager: cannot connect to Redis at 127.0.0.1:$P: Connection refused" ]]
	start_redis --requirepass s3cret
	run timeout 20 "$SYSTOUR" worker --redis "$URL"
	[ "$status" -eq 1 ]
	[[ "$output" == "systour: worker: $URL: Redis wants a password and the URL has none"* ]]
	run timeout 20 "$SYSTOUR" manager --port 0 --redis "$URL"
	[ "$status" -eq 1 ]
	[[ "$output" == *"systour: manager: $URL: Redis wants a password and the URL has none"* ]]
	run timeout 20 "$SYSTOUR" worker --redis "redis://:wrong@127.0.0.1:$RPORT"
	[ "$status" -eq 1 ]
	[[ "$output" == *"WRONGPASS"* ]]
	# with the password: it works
	run timeout 20 "$SYSTOUR" worker --redis "redis://:s3cret@127.0.0.1:$RPORT/2" --timeout 0
	[ "$status" -eq 0 ]
	[[ "$output" == "work exit (0 results"* ]]
}

@test "redis: the notes' CPython worker, unchanged but for the port, against manager --redis: all 10 results in, the tasks in the stream" {
	command -v python3 >/dev/null || skip "python3 is not installed"
	start_redis
	start_manager m1 --tasks 10
	sed "s/8001/$PORT/" "$BATS_TEST_DIRNAME/manager_notes_worker.py" >"$T/worker.py"
	run timeout 60 python3 "$T/worker.py"
	printf '%s\n' "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"download image ImageUrl_9"* ]]
	wait_for "$MPID" 20
	cat "$T/m1.out" "$T/m1.err"
	[ "$WSTATUS" -eq 0 ]
	for i in $(seq 0 9); do
		grep -qx "result is success ImageUrl_$i" "$T/m1.out"
	done
	[ "$(rcli xlen systour:tasks)" -eq 10 ]
	# taken by plain gets: acked at once (at most once, as CPython's)
	[ "$(rcli xpending systour:tasks workers | head -1)" -eq 0 ]
}

@test "redis: systour worker through manager --redis (leases) and worker --redis straight from Redis share one queue; every result once" {
	start_redis
	start_manager m1 --tasks 2000
	setsid timeout 60 "$SYSTOUR" worker --connect "127.0.0.1:$PORT" --pace 0 \
	    --batch 20 --timeout 2 >"$T/wm.out" 2>&1 &
	PGIDS+=("$!")
	start_worker w1 --pace 0 --batch 20 --timeout 2
	wait_for "$MPID" 60
	[ "$WSTATUS" -eq 0 ]
	each_result_once 2000
	# both kinds of worker did some
	[ "$(grep -c '^download image' "$T/w1.out")" -gt 0 ]
	grep -q 'all 2000 results are in Redis' "$T/m1.err"
}

@test "redis: a worker killed with SIGKILL holding a batch: its entries sit pending, the janitor claims them past the lease (XAUTOCLAIM), every result once" {
	start_redis
	start_manager m1 --tasks 40
	start_worker w1 --pace 200 --batch 10 --lease 2 --timeout 30
	# w1 holds its first batch: kill it in the middle of it
	for _ in $(seq 200); do
		grep -q 'download image' "$T/w1.out" 2>/dev/null && break
		sleep 0.05
	done
	kill -KILL -- "-$w1"
	pending=$(rcli xpending systour:tasks workers | head -1)
	echo "pending after the kill: $pending"
	[ "$pending" -ge 1 ]
	start_worker w2 --pace 0 --batch 10 --lease 2 --timeout 5
	wait_for "$MPID" 60
	[ "$WSTATUS" -eq 0 ]
	grep -q 'janitor: claimed' "$T/w2.out"
	each_result_once 40
}

@test "redis: a poison task (its value cannot be read) is delivered 3 times, then goes to the dead-letter stream; every other task once" {
	start_redis
	rcli xadd systour:tasks '*' p 'not a pickle' >/dev/null
	start_manager m1 --tasks 100 --depth
	start_worker w1 --pace 0 --batch 10 --lease 1 --timeout 3
	start_worker w2 --pace 0 --batch 10 --lease 1 --timeout 3
	wait_for "$MPID" 60
	cat "$T/m1.err"
	[ "$WSTATUS" -eq 0 ]
	# the workers end once nothing is pending: the poison dead
	wait_for "$w1" 60
	[ "$WSTATUS" -eq 0 ]
	wait_for "$w2" 60
	[ "$WSTATUS" -eq 0 ]
	each_result_once 100
	[ "$(rcli xlen systour:dead)" -eq 1 ]
	rcli xrange systour:dead - + | grep -qx 'not a pickle'
	[ "$(rcli xrange systour:dead - + | grep -A1 -x deliveries | tail -1)" -ge 3 ]
	cat "$T/w1.out" "$T/w2.out" | grep -q 'went to the dead letters'
	grep -qE '^depth [█▒░.]{10} task [0-9]+\+[0-9]+, result [0-9]+, taken [0-9]+/100(, dead 1)? \(redis: [0-9]+ done\)$' "$T/m1.out"
}

@test "redis: 100,000 tasks, workers killed with SIGKILL at random, the manager killed and restarted, Redis killed and restarted (AOF, fsync always), a poison task: every result exactly once, the poison dead" {
	N=100000
	start_redis --appendonly yes --appendfsync always
	rcli xadd systour:tasks '*' p 'poison' >/dev/null
	start_manager m1 --tasks "$N"
	local w=0 started=$SECONDS
	for i in 1 2 3; do
		w=$((w + 1))
		start_worker "W$w" --pace 0 --batch 50 --lease 2 --timeout 4
	done
	setsid timeout 300 "$SYSTOUR" worker --connect "127.0.0.1:$PORT" --pace 0 \
	    --batch 50 --lease 2 --timeout 4 >"$T/via-manager.out" 2>&1 &
	PGIDS+=("$!")
	local killed=0 round
	for round in $(seq 1 12); do
		sleep 0.4
		# a random worker of the last three: SIGKILL, and a fresh one
		local v="W$((w - RANDOM % 3))"
		kill -KILL -- "-${!v}" 2>/dev/null && killed=$((killed + 1))
		w=$((w + 1))
		start_worker "W$w" --pace 0 --batch 50 --lease 2 --timeout 4
		if [ "$round" -eq 4 ]; then
			kill -KILL -- "-$MPID"
			start_manager m2 --tasks "$N"
		fi
		if [ "$round" -eq 8 ]; then
			kill -KILL "$RPID"
			wait "$RPID" 2>/dev/null || true
			start_redis --appendonly yes --appendfsync always
		fi
	done
	echo "workers killed: $killed"
	[ "$killed" -ge 8 ]
	wait_for "$MPID" 150
	echo "done in $((SECONDS - started)) s"
	cat "$T/m2.err"
	[ "$WSTATUS" -eq 0 ]
	each_result_once "$N"
	[ "$(rcli xlen systour:dead)" -eq 1 ]
	rcli xrange systour:dead - + | grep -qx poison
	# each task was put once, though two managers put them
	[ "$(rcli xlen systour:tasks)" -eq $((N + 1)) ]
	# the reconnections were said, in one line each
	cat "$T"/W*.out | grep -q 'reconnecting with a back-off'
	grep -q 'back after' "$T/m2.err"
}

@test "redis: a Redis that stops answering (SIGSTOP) for 13 s: the worker says so in one line, reconnects with a back-off when it answers again, and loses nothing" {
	start_redis
	for i in $(seq 0 99); do echo "XADD systour:tasks * s ImageUrl_$i"; done |
	    rcli >/dev/null
	start_worker w1 --pace 20 --batch 5 --lease 2 --timeout 2
	for _ in $(seq 200); do
		grep -q 'download image' "$T/w1.out" 2>/dev/null && break
		sleep 0.05
	done
	kill -STOP "$RPID"
	sleep 13
	kill -CONT "$RPID"
	wait_for "$w1" 60
	cat "$T/w1.out" | grep -v '^download image'
	[ "$WSTATUS" -eq 0 ]
	[ "$(grep -c 'no answer in 10 s: reconnecting with a back-off' "$T/w1.out")" -eq 1 ]
	grep -q 'back after [0-9]* ms' "$T/w1.out"
	each_result_once 100
}
