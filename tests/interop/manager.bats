#!/usr/bin/env bats
# manager.bats — `systour manager` and `systour worker` against CPython's
# multiprocessing.managers, both ways, with the notes' own scripts.
#
# The notes' scripts are copied verbatim from /work/shared/notes/notes.zh.md
# (section 分布式进程) into manager_notes_worker.py (the task process) and
# manager_notes_server.py (the service process). The only change a test
# makes is to substitute the port: the scripts hard-code 8001, and a test
# runs them with `sed s/8001/$PORT/` on a copy so that it never needs a
# fixed port. Abusive clients are in manager_peer.py. The tests that need a
# CPython peer are skipped, with a message, when python3 is missing; those
# with systour on both sides run anyway. Every process a test starts runs in
# its own process group under `timeout` and is killed in teardown.

bats_require_minimum_version 1.5.0

ROOT="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
SYSTOUR="${SYSTOUR:-$ROOT/systour}"
PEER="$BATS_TEST_DIRNAME/manager_peer.py"

setup() {
	PGIDS=()
	T="$BATS_TEST_TMPDIR"
}

need_python3() {
	command -v python3 >/dev/null ||
		skip "python3 is not installed: no CPython peer to talk to"
}

teardown() {
	for g in "${PGIDS[@]}"; do
		kill -TERM -- "-$g" 2>/dev/null || true
	done
	sleep 0.2
	for g in "${PGIDS[@]}"; do
		kill -KILL -- "-$g" 2>/dev/null || true
	done
}

# Start `systour manager --port 0 ARGS...` in a process group of its own;
# sets MPID and PORT (read from its "listening on" line). MANAGER_WRAP, if
# set, is a command the manager runs under (such as prlimit).
start_manager() {
	rm -f "$T/manager.out" "$T/manager.err"	# not a last manager's port
	setsid timeout 120 ${MANAGER_WRAP:-} "$SYSTOUR" manager --port 0 "$@" \
	    >"$T/manager.out" 2>"$T/manager.err" &
	MPID=$!
	PGIDS+=("$MPID")
	PORT=
	for _ in $(seq 100); do
		PORT=$(sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$T/manager.err" 2>/dev/null || true)
		[ -n "$PORT" ] && return 0
		sleep 0.05
	done
	cat "$T/manager.err" >&2
	return 1
}

# End the manager with SIGTERM: it must exit 0 within 5 seconds, and say
# nothing a sanitizer would (under SAN=1, a leak or an error fails here).
stop_manager() {
	kill -TERM "$MPID"
	wait_for "$MPID" 5
	[ "$WSTATUS" -eq 0 ]
	! grep -q 'Sanitizer' "$T/manager.err"
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_port() {
	for _ in $(seq 200); do
		python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $1), 1)" \
		    2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# Wait (at most $2 seconds) for process $1 to end; its status in WSTATUS.
wait_for() {
	for _ in $(seq $(($2 * 20))); do
		kill -0 "$1" 2>/dev/null || { wait "$1"; WSTATUS=$?; return 0; }
		sleep 0.05
	done
	return 1
}

# Start `systour worker ARGS...` against the manager in a process group of
# its own, its output in $T/NAME.out; its PID in the variable NAME.
start_worker() {
	local name=$1
	shift
	setsid timeout 120 "$SYSTOUR" worker --connect "127.0.0.1:$PORT" "$@" \
	    >"$T/$name.out" 2>&1 &
	printf -v "$name" '%s' "$!"
	PGIDS+=("$!")
}

# Wait (at most $2 seconds) until the manager has printed $1 results.
wait_results() {
	local n=0
	for _ in $(seq $(($2 * 50))); do
		n=$(grep -c '^result is ' "$T/manager.out" || true)
		[ "$n" -ge "$1" ] && return 0
		sleep 0.02
	done
	echo "only $n of $1 results after $2 s" >&2
	return 1
}

# Wait (at most $4 seconds) until file $1 has $3 lines matching $2.
wait_line() {
	for _ in $(seq $(($4 * 50))); do
		[ "$(grep -c -- "$2" "$1" 2>/dev/null || true)" -ge "$3" ] && return 0
		sleep 0.02
	done
	echo "$1 has no $3 lines matching $2 after $4 s:" >&2
	cat "$1" >&2
	return 1
}

# The manager printed "result is success ImageUrl_N" once for each N from 0
# to $1 - 1, and no other result.
each_result_once() {
	grep '^result is ' "$T/manager.out" |
	    sed 's/^result is success ImageUrl_\([0-9][0-9]*\)$/\1/' |
	    sort -n >"$T/got"
	seq 0 $(($1 - 1)) >"$T/want"
	cmp "$T/got" "$T/want" || {
		echo "missing: $(comm -13 <(sort "$T/got") <(sort "$T/want") | head -5)" >&2
		echo "twice or unexpected: $(sort "$T/got" | uniq -d | head -5)" >&2
		return 1
	}
}

@test "manager: the notes' task process, unchanged but for the port, gets all 10 results in" {
	need_python3
	start_manager --authkey qiye --tasks 10
	# The one change to the notes' script: its port, 8001 -> $PORT.
	sed "s/8001/$PORT/" "$BATS_TEST_DIRNAME/manager_notes_worker.py" >"$T/worker.py"
	run timeout 60 python3 "$T/worker.py"
	printf '%s\n' "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"download image ImageUrl_9"* ]]
	[[ "$output" == *"work exit"* ]]
	wait_for "$MPID" 15
	cat "$T/manager.out"
	[ "$WSTATUS" -eq 0 ]
	for i in $(seq 0 9); do
		grep -qx "result is success ImageUrl_$i" "$T/manager.out"
	done
	[ "$(grep -c '^result is ' "$T/manager.out")" -eq 10 ]
}

@test "worker: systour worker against the notes' service process (CPython), all 10 results print" {
	need_python3
	P=$(free_port)
	# The one change to the notes' script: its port, 8001 -> $P.
	sed "s/8001/$P/" "$BATS_TEST_DIRNAME/manager_notes_server.py" >"$T/server.py"
	setsid timeout 60 python3 "$T/server.py" >"$T/server.out" 2>&1 &
	SPID=$!
	PGIDS+=("$SPID")
	wait_port "$P"
	run timeout 30 "$SYSTOUR" worker --connect "127.0.0.1:$P" --authkey qiye --timeout 3 --pace 10
	printf '%s\n' "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"download image ImageUrl_9"* ]]
	wait_for "$SPID" 20
	cat "$T/server.out"
	[ "$WSTATUS" -eq 0 ]
	for i in $(seq 0 9); do
		grep -qx "result is success ImageUrl_$i" "$T/server.out"
	done
}

@test "worker and manager: systour on both sides, every result once" {
	start_manager --tasks 50 --maxsize 10
	run timeout 30 "$SYSTOUR" worker --connect "127.0.0.1:$PORT" --timeout 1 --pace 0
	printf '%s\n' "$output" | tail -5
	[ "$status" -eq 0 ]
	[[ "$output" == *"work exit"* ]]
	wait_for "$MPID" 15
	[ "$WSTATUS" -eq 0 ]
	[ "$(grep -c '^result is success ImageUrl_' "$T/manager.out")" -eq 50 ]
	[ "$(sort -u "$T/manager.out" | grep -c '^result is ')" -eq 50 ]
}

@test "manager: leases: an expired lease is delivered again, its ack counts once" {
	need_python3
	start_manager
	run timeout 30 python3 "$PEER" "$PORT" lease
	printf '%s\n' "$output"
	[ "$status" -eq 0 ]
	[ "$output" = ok ]
	stop_manager
}

@test "manager: an ack of a task leased to another client, or never leased, is refused; its made-up result never goes in" {
	need_python3
	start_manager
	run timeout 30 python3 "$PEER" "$PORT" forged
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$output" = ok ]
	grep -q 'ack of task [0-9]* refused: it was not leased to this client' "$T/manager.err"
	stop_manager
}

@test "manager: a task got by a plain get after its lease ran out: the lease's late ack does not count it again" {
	need_python3
	start_manager
	run timeout 30 python3 "$PEER" "$PORT" mixed
	printf '%s\n' "$output"
	[ "$status" -eq 0 ]
	[ "$output" = ok ]
	stop_manager
}

@test "worker: a worker killed with SIGKILL holding leased tasks loses none; each result once" {
	start_manager --tasks 30
	setsid timeout 60 "$SYSTOUR" worker --connect "127.0.0.1:$PORT" --batch 5 --pace 50 \
	    >"$T/w1.out" 2>&1 &
	W1=$!
	PGIDS+=("$W1")
	for _ in $(seq 200); do
		[ "$(grep -c download "$T/w1.out")" -ge 3 ] && break
		sleep 0.02
	done
	kill -KILL -- "-$W1"
	run timeout 30 "$SYSTOUR" worker --connect "127.0.0.1:$PORT" --batch 4 --pace 0 --timeout 1
	[ "$status" -eq 0 ]
	wait_for "$MPID" 15
	[ "$WSTATUS" -eq 0 ]
	cat "$T/manager.out" | grep result | head -40
	[ "$(grep -c '^result is success ImageUrl_' "$T/manager.out")" -eq 30 ]
	[ "$(grep '^result is ' "$T/manager.out" | sort -u | wc -l)" -eq 30 ]
	# The first worker's leased tasks went back and were done elsewhere.
	[ "$(grep -c download "$T/w1.out")" -lt 30 ]
	grep -E 'left holding [0-9]+ leased tasks?: back to the queue' "$T/manager.err"
}

@test "worker: 600 tasks, three workers in batches, two killed with SIGKILL along the way: every result exactly once" {
	start_manager --tasks 600 --maxsize 50
	for i in 1 2 3; do
		setsid timeout 60 "$SYSTOUR" worker --connect "127.0.0.1:$PORT" --batch 8 \
		    --pace 20 --timeout 2 >"$T/w$i.out" 2>&1 &
		eval "W$i=\$!"
		PGIDS+=("$!")
	done
	for _ in $(seq 200); do
		[ "$(grep -c download "$T/w1.out")" -ge 20 ] && break
		sleep 0.02
	done
	kill -KILL -- "-$W1"
	for _ in $(seq 200); do
		[ "$(grep -c download "$T/w2.out")" -ge 40 ] && break
		sleep 0.02
	done
	kill -KILL -- "-$W2"
	wait_for "$W3" 60
	[ "$WSTATUS" -eq 0 ]
	wait_for "$MPID" 15
	[ "$WSTATUS" -eq 0 ]
	[ "$(grep -c '^result is success ImageUrl_' "$T/manager.out")" -eq 600 ]
	[ "$(grep '^result is ' "$T/manager.out" | sort -u | wc -l)" -eq 600 ]
}

@test "worker: 100,000 tasks, workers killed with SIGKILL along the way, and one poison task: every result exactly once, the poison in the dead letters" {
	need_python3
	start_manager --tasks 100000 --maxsize 2000 --max-frame 33554432 --depth
	# One poison task among them: a 20 MiB str, which the manager takes
	# (--max-frame 32 MiB) but no worker can read in a lease reply (their
	# limit is 16 MiB): each worker that leases it fails and leaves. Its
	# put waits for room in the queue, behind the first 2,000 tasks.
	timeout 120 bash -c "$(declare -f queue_py); queue_py $PORT POISON:20" &
	local poisoner=$!
	# Paced workers first: a 1 ms "download" per task bounds their rate
	# (at most 1,000 tasks/s each), so each of the four kills below lands
	# on a worker that holds a batch of leased tasks, long before the end.
	for i in 1 2 3 4 5 6; do
		start_worker P$i --batch 20 --pace 1 --timeout 1
	done
	# And a slow one whose leases run out: a batch of 20 tasks at 100 ms
	# each takes 2 s, its lease 1 s. Its tasks go to others meanwhile, and
	# its late acks must not count them twice.
	start_worker S1 --batch 20 --pace 100 --lease 1 --timeout 1
	wait_results 2000 60
	kill -KILL -- "-$P1" 2>/dev/null || true	# unless the poison took it
	start_worker P7 --batch 20 --pace 1 --timeout 1
	wait_results 5000 60
	kill -KILL -- "-$P2" 2>/dev/null || true	# unless the poison took it
	wait_results 8000 60
	kill -KILL -- "-$P3" 2>/dev/null || true	# unless the poison took it
	wait_results 11000 60
	kill -KILL -- "-$P4" 2>/dev/null || true	# unless the poison took it
	# The slow worker's 21st task came with the reply to the call that
	# carried its first batch's (late) acks.
	wait_line "$T/S1.out" '^download image ' 21 30 ||
	    grep -q 'lease: a frame of .* is over the limit' "$T/S1.out"
	# Then fast workers (no pace, batches of 100) do the rest in about a
	# second; the two kills among them land wherever they land (holding a
	# batch, or with acks on the wire), or after the end, which is fine.
	start_worker F1 --batch 100 --pace 0 --timeout 1
	start_worker F2 --batch 100 --pace 0 --timeout 1
	wait_results 40000 60
	kill -KILL -- "-$F1" 2>/dev/null || true
	start_worker F3 --batch 50 --pace 0 --timeout 1
	wait_results 70000 60
	kill -KILL -- "-$F2" 2>/dev/null || true
	kill -KILL -- "-$S1" 2>/dev/null || true
	start_worker F4 --batch 100 --pace 0 --timeout 1
	wait_for "$MPID" 60
	[ "$WSTATUS" -eq 0 ]
	wait "$poisoner"
	local w poisoned=0
	for w in P5 P6 P7 F3 F4; do
		wait_for "${!w}" 10 || { echo "worker $w did not end" >&2; tail -3 "$T/$w.out" >&2; grep -v 'result is\|url is\|depth' "$T/manager.err" | tail -20 >&2; false; }
		# 0, or 1 for a worker that leased the poison
		if [ "$WSTATUS" -eq 1 ] && grep -q 'lease: a frame of [0-9]* bytes is over the limit' "$T/$w.out"; then
			continue
		fi
		[ "$WSTATUS" -eq 0 ] || { echo "worker $w: $WSTATUS" >&2; cat "$T/$w.out" >&2; false; }
	done
	poisoned=$(grep -l 'lease: a frame of [0-9]* bytes is over the limit' "$T"/[PSF][0-9].out | wc -l)
	echo "workers the poison took: $poisoned"
	[ "$poisoned" -le 3 ]
	# the poison went to the dead letters after its third delivery, alone
	[ "$(grep -c 'was delivered 3 times without an ack, the last time alone .*: it goes to the dead letters' "$T/manager.err")" -eq 1 ]
	grep -q ', dead 1$' "$T/manager.out"
	! grep -q 'dead 2' "$T/manager.out"
	grep 'all 100000 results are in' "$T/manager.err"
	[ "$(grep -c '^result is success ImageUrl_[0-9]*$' "$T/manager.out")" -eq 100000 ]
	each_result_once 100000
	# The four paced workers died holding leases that went back; the slow
	# one's leases ran out, and its late acks came in.
	[ "$(grep -cE 'left holding [0-9]+ leased tasks?: back to the queue' "$T/manager.err")" -ge 4 ]
	[ "$(grep -cE 'the lease of task [0-9]+ \(of .*\) ran out' "$T/manager.err")" -ge 20 ]
	! grep -q 'Sanitizer' "$T"/*.out "$T/manager.err" || false
}

@test "manager: the notes' CPython worker beside systour workers: killed, it loses the task in hand (at most once); systour's lose none" {
	need_python3
	start_manager --tasks 10000 --maxsize 500
	sed "s/8001/$PORT/" "$BATS_TEST_DIRNAME/manager_notes_worker.py" >"$T/worker.py"
	# The notes' worker, unchanged but for its port (unbuffered, so that
	# its lines show as they happen): get, print, sleep 1 s, put.
	PYTHONUNBUFFERED=1 setsid timeout 60 python3 "$T/worker.py" >"$T/py.out" 2>&1 &
	PY=$!
	PGIDS+=("$PY")
	# Paced systour workers (at most 1,000 tasks/s each) beside it: its
	# second task comes long before the work is done.
	wait_line "$T/py.out" '^download image ' 1 20
	start_worker P1 --batch 20 --pace 1 --timeout 1
	start_worker P2 --batch 20 --pace 1 --timeout 1
	wait_line "$T/py.out" '^download image ' 2 20
	# It has put its first task's result and sleeps on its second: kill it
	# there, and a systour worker with its batch of leases too.
	kill -KILL -- "-$PY"
	kill -KILL -- "-$P1"
	first=$(sed -n '1s/^download image //p' "$T/py.out")
	held=$(sed -n '2s/^download image //p' "$T/py.out")
	[ "$(grep -c '^download image ' "$T/py.out")" -eq 2 ]
	start_worker F1 --batch 100 --pace 0 --timeout 1
	# The systour workers stop when nothing is left to lease.
	for w in P2 F1; do
		wait_for "${!w}" 60
		[ "$WSTATUS" -eq 0 ] || { echo "worker $w: $WSTATUS" >&2; cat "$T/$w.out" >&2; false; }
	done
	# Every task arrived once but the one the CPython worker died holding:
	# a get is at most once, and that task is not delivered again. The
	# manager still waits for it.
	grep -qx "result is success $first" "$T/manager.out"
	! grep -qx "result is success $held" "$T/manager.out" || false
	[ "$(grep -c '^result is success ImageUrl_[0-9]*$' "$T/manager.out")" -eq 9999 ]
	grep '^result is ' "$T/manager.out" | sed 's/^result is success ImageUrl_//' |
	    sort -n >"$T/got"
	seq 0 9999 | grep -vx "${held#ImageUrl_}" >"$T/want"
	cmp "$T/got" "$T/want"
	grep -qE 'left holding [0-9]+ leased tasks?: back to the queue' "$T/manager.err"
	! grep -q 'all 10000 results are in' "$T/manager.err" || false
	kill -0 "$MPID"
	stop_manager
}

@test "manager: CPython proxy calls, queue.Empty on a timed-out get, a blocked get holds up no one" {
	need_python3
	start_manager
	run timeout 30 python3 "$PEER" "$PORT" ok
	printf '%s\n' "$output"
	[ "$status" -eq 0 ]
	[ "$output" = ok ]
	stop_manager
}

@test "manager: a reply bigger than the socket buffers, read late, arrives whole; others carry on meanwhile" {
	need_python3
	start_manager
	run timeout 60 python3 "$PEER" "$PORT" big
	printf '%s\n' "$output"
	[ "$status" -eq 0 ]
	[ "$output" = ok ]
	stop_manager
}

@test "manager: a wrong key is refused and logged with the peer address; others carry on" {
	need_python3
	start_manager --authkey s3cret
	run timeout 20 python3 "$PEER" "$PORT" wrongkey wrong
	[ "$status" -eq 0 ]
	[[ "$output" == refused:* ]]
	grep -E '^systour manager: refused 127\.0\.0\.1:[0-9]+: ' "$T/manager.err"
	run timeout 30 python3 "$PEER" "$PORT" ok s3cret
	[ "$status" -eq 0 ]
	stop_manager
}

@test "manager: a truncated frame, a 4 GiB length, garbage, a bad pickle: each dropped, others carry on" {
	need_python3
	start_manager
	for mode in truncated huge hugepre garbage badpickle; do
		run timeout 20 python3 "$PEER" "$PORT" "$mode"
		printf '%s: %s\n' "$mode" "$output"
		[ "$status" -eq 0 ]
		kill -0 "$MPID"
	done
	run timeout 30 python3 "$PEER" "$PORT" ok
	[ "$status" -eq 0 ]
	cat "$T/manager.err"
	grep -q 'closed in the middle of a frame' "$T/manager.err"
	grep -q 'a frame of 4294967296 bytes is over the limit of 16777216' "$T/manager.err"
	grep -q 'a frame of 4294967296 bytes is over the limit of 256' "$T/manager.err"
	grep -q 'bad request: pickle: ' "$T/manager.err"
	[ "$(grep -c '^systour manager: dropped 127\.0\.0\.1:' "$T/manager.err")" -ge 5 ]
	stop_manager
}

@test "manager: the notes' key on a non-loopback address refuses to start (exit 2)" {
	run -2 timeout 10 "$SYSTOUR" manager --host 0.0.0.0 --port 0
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == "systour: manager: --host 0.0.0.0 is not a loopback address"* ]]
}

@test "manager: on a non-loopback address an empty key or one under 8 bytes refuses to start (exit 2)" {
	run -2 --separate-stderr timeout 10 "$SYSTOUR" manager --host 0.0.0.0 --port 0 --authkey ''
	[ -z "$output" ]
	[ "$stderr" = "systour: manager: --host 0.0.0.0 is not a loopback address: the --authkey must be 8 bytes or more (it is empty)" ]
	run -2 --separate-stderr timeout 10 "$SYSTOUR" manager --host 0.0.0.0 --port 0 --authkey 1234567
	[ "$stderr" = "systour: manager: --host 0.0.0.0 is not a loopback address: the --authkey must be 8 bytes or more (it has 7)" ]
	# Eight bytes will do; a worker with the key gets the tasks done.
	start_manager --host 0.0.0.0 --authkey 12345678 --tasks 3
	grep -q 'listening on 0\.0\.0\.0:' "$T/manager.err"
	run timeout 30 "$SYSTOUR" worker --connect "127.0.0.1:$PORT" --authkey 12345678 --pace 0 --timeout 1
	[ "$status" -eq 0 ]
	wait_for "$MPID" 15
	[ "$WSTATUS" -eq 0 ]
	each_result_once 3
}

@test "manager: on loopback any key will do, the empty one too; a wrong one is refused and logged with the peer address" {
	start_manager --authkey '' --tasks 3
	run --separate-stderr timeout 30 "$SYSTOUR" worker --connect "127.0.0.1:$PORT" --authkey x --pace 0 --timeout 1
	[ "$status" -eq 1 ]
	[[ "$stderr" == "systour: worker: 127.0.0.1:$PORT: digest sent was rejected (wrong authkey?)" ]]
	grep -E '^systour manager: refused 127\.0\.0\.1:[0-9]+: digest received was wrong' "$T/manager.err"
	run timeout 30 "$SYSTOUR" worker --connect "127.0.0.1:$PORT" --authkey '' --pace 0 --timeout 1
	[ "$status" -eq 0 ]
	wait_for "$MPID" 15
	[ "$WSTATUS" -eq 0 ]
	each_result_once 3
}

@test "manager: SIGTERM and SIGINT end it cleanly, with clients connected" {
	need_python3
	start_manager
	# A client blocked in get(): wait until it has sent the get and the
	# manager has read it (parked), not for a while.
	setsid timeout 20 python3 -c "
from multiprocessing.managers import BaseManager
class M(BaseManager): pass
M.register('get_task_queue')
m = M(address=('127.0.0.1', $PORT), authkey=b'qiye'); m.connect()
q = m.get_task_queue(); q.qsize()
print('getting', flush=True)
try: q.get()
except Exception: pass
" >"$T/client.out" 2>&1 &
	PGIDS+=("$!")
	wait_line "$T/client.out" '^getting$' 1 10
	wait_parked_get "$!" 10
	kill -TERM "$MPID"
	wait_for "$MPID" 5
	[ "$WSTATUS" -eq 0 ]
	grep -q 'terminated: shutting down' "$T/manager.err"
	start_manager
	kill -INT "$MPID"
	wait_for "$MPID" 5
	[ "$WSTATUS" -eq 0 ]
}

# Wait (at most $2 seconds) until the python client in the process group
# that $1 leads is blocked reading (a reply), and the manager has read all
# it sent: no socket of the manager's port has bytes waiting in /proc/net/tcp.
wait_parked_get() {
	local py
	for _ in $(seq $(($2 * 50))); do
		py=$(pgrep -g "$1" -x python3 || true)
		if [ -n "$py" ] && read_blocked "$py" && manager_rx_empty; then
			return 0
		fi
		sleep 0.02
	done
	echo "the client did not wait in get() within $2 s" >&2
	return 1
}

# Whether process $1 is in read(2) or recvfrom(2) now (its first field of
# /proc/PID/syscall; unknown machines: yes, and manager_rx_empty decides).
read_blocked() {
	local nr
	nr=$(cut -d' ' -f1 "/proc/$1/syscall" 2>/dev/null) || return 1
	case "$(uname -m):$nr" in
	x86_64:0|x86_64:45|aarch64:63|aarch64:207) return 0 ;;
	x86_64:*|aarch64:*) return 1 ;;
	*) return 0 ;;
	esac
}

# Whether every socket on the manager's port has read all that came to it.
manager_rx_empty() {
	awk -v p="$(printf '%04X' "$PORT")" '
	    FNR > 1 { split($2, l, ":"); split($5, q, ":")
		      if (l[2] == p && q[2] != "00000000") busy = 1 }
	    END { exit busy }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# The PID of the systour process itself in the group that MPID leads (MPID
# is `timeout`'s, which runs it).
manager_pid() {
	pgrep -g "$(ps -o pgid= -p "$MPID" | tr -d ' ')" -x systour
}

# utime + stime of process $1, in clock ticks.
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

@test "manager: out of descriptors, it stops accepting for a while instead of spinning, then serves again" {
	need_python3
	# 24 descriptors: the manager's own and a dozen or so clients.
	MANAGER_WRAP="prlimit --nofile=24:24 --" start_manager
	local pid
	pid=$(manager_pid)
	[ -n "$pid" ]
	# 60 connections that never speak: the ones over the limit wait in
	# the listen backlog, where every accept() fails with EMFILE.
	mkfifo "$T/hold"
	python3 -c "
import socket, sys
c = [socket.create_connection(('127.0.0.1', $PORT), 5) for _ in range(60)]
print('open', flush=True)
sys.stdin.read()
" <"$T/hold" >"$T/holder.out" 2>&1 &
	local holder=$!
	exec 9>"$T/hold"
	wait_line "$T/holder.out" '^open$' 1 10
	wait_line "$T/manager.err" 'accept: ' 1 10
	# Over two seconds, it must be idle, and say so in a line or three.
	local t0 t1
	t0=$(cpu_ticks "$pid")
	sleep 2	# the window measured, not a wait for anything
	t1=$(cpu_ticks "$pid")
	echo "manager CPU over 2 s: $((t1 - t0)) ticks of $(getconf CLK_TCK)/s"
	echo "log lines about accept: $(grep -c 'accept: ' "$T/manager.err")"
	[ $(( (t1 - t0) * 4 )) -lt "$(getconf CLK_TCK)" ]	# under 0.25 s
	[ "$(grep -c 'accept: ' "$T/manager.err")" -le 5 ]
	grep -q '^systour manager: accept: Too many open files: not accepting for 1 s$' "$T/manager.err"
	# The crowd leaves: a normal client is served again.
	exec 9>&-
	wait "$holder"
	run timeout 30 python3 "$PEER" "$PORT" ok
	[ "$status" -eq 0 ]
	[ "$output" = ok ]
	stop_manager
}

# CPython puts $2... into the task queue of the manager on port $1 (an item
# "POISON:N" is a str of N MiB, "DAG:N" is a = (a, a) N times), or with
# "drain" prints the result queue.
queue_py() {
	python3 - "$@" <<'PY'
import queue, sys
from multiprocessing.managers import BaseManager
class M(BaseManager):
    pass
M.register('get_task_queue')
M.register('get_result_queue')
m = M(address=('127.0.0.1', int(sys.argv[1])), authkey=b'qiye')
m.connect()
if sys.argv[2] == 'drain':
    r = m.get_result_queue()
    while True:
        try:
            print(r.get_nowait())
        except queue.Empty:
            break
else:
    t = m.get_task_queue()
    for item in sys.argv[2:]:
        if item.startswith('POISON:'):
            item = 'P' * (int(item[7:]) << 20)
        elif item.startswith('DAG:'):
            a = ()
            for _ in range(int(item[4:])):
                a = (a, a)
            item = a
        t.put(item)
PY
}

@test "manager: a poison task is delivered 3 times, the last alone, then goes to the dead letters (logged, --depth); every other task is done once" {
	need_python3
	start_manager --max-frame 33554432 --depth
	# 20 MiB: the manager takes it (--max-frame 32 MiB), but no worker can
	# read a lease reply that holds it (their limit is 16 MiB): each one
	# that leases it fails and leaves, and its leases go back.
	timeout 30 bash -c "$(declare -f queue_py); queue_py $PORT ImageUrl_0 ImageUrl_1 POISON:20 ImageUrl_2 ImageUrl_3 ImageUrl_4 ImageUrl_5"
	local dead=0
	for i in 1 2 3 4 5 6; do
		start_worker V$i --batch 4 --timeout 1
		local v=V$i
		wait_for "${!v}" 30 || { cat "$T/manager.err" "$T/$v.out" >&2; false; }
		if [ "$WSTATUS" -eq 0 ]; then
			break
		fi
		dead=$((dead + 1))
	done
	cat "$T/manager.err"
	# exactly three deliveries, then a worker finds the queue empty
	[ "$dead" -eq 3 ]
	[ "$WSTATUS" -eq 0 ]
	[ "$(grep -c 'was delivered 3 times without an ack, the last time alone .*: it goes to the dead letters, not back to the queue' "$T/manager.err")" -eq 1 ]
	grep -q "task 3 ('PPPP" "$T/manager.err"
	timeout 30 bash -c "$(declare -f queue_py); queue_py $PORT drain" | sort >"$T/results"
	printf 'success ImageUrl_%d\n' 0 1 2 3 4 5 | cmp - "$T/results"
	grep -q ', dead 1$' "$T/manager.out"
	stop_manager
}

STALL="$BATS_TEST_DIRNAME/stall_peer.py"

@test "manager: 1,000 stalled handshakes from one address, reopened as they are dropped: an honest CPython client connects, puts and gets within 1 s, every time" {
	need_python3
	MANAGER_WRAP="prlimit --nofile=4096:4096 --" start_manager
	mkfifo "$T/hold"
	python3 "$STALL" "$PORT" handshakes 1000 <"$T/hold" >"$T/attack.out" 2>&1 &
	local attacker=$!
	exec 9>"$T/hold"
	wait_line "$T/attack.out" '^open 1000$' 1 30
	wait_line "$T/manager.err" 'unfinished handshakes' 1 10
	local i took
	for i in 1 2 3 4 5; do
		took=$(timeout 10 python3 "$STALL" "$PORT" quick) || { cat "$T/manager.err" | tail -5 >&2; false; }
		echo "honest client $i: $took s"
		awk -v t="$took" 'BEGIN { exit !(t < 1.0) }'
	done
	exec 9>&-
	wait "$attacker"
	cat "$T/attack.out"
	# the attack really went on: far more connections than 1,000
	[ "$(sed -n 's/^opened //p' "$T/attack.out")" -gt 2000 ]
	# drops are said once a second, not once each
	[ "$(grep -c 'unfinished handshake' "$T/manager.err")" -lt 60 ]
	stop_manager
}

# Resident memory of process $1, in KiB.
rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

@test "manager: 40 clients with the key each stall a 16 MiB frame one byte short: the manager stays under 128 MiB, dropping the largest, and says who and why" {
	need_python3
	# Under ASan freed memory waits in a quarantine (256 MiB by default)
	# that is not the manager's: keep it small for this measure.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8" start_manager
	local pid
	pid=$(manager_pid)
	echo "manager RSS at start: $(rss_kb "$pid") KiB"
	mkfifo "$T/hold"
	timeout 120 python3 "$STALL" "$PORT" frames 40 16777215 <"$T/hold" >"$T/frames.out" 2>&1 &
	local attacker=$!
	exec 9>"$T/hold"
	wait_line "$T/frames.out" '^sent 40 ' 1 60
	local rss
	rss=$(rss_kb "$pid")
	echo "manager RSS with 40 stalled 16 MiB frames: $rss KiB (was 665 MB before the budget)"
	# the budget for frames being read is 64 MiB; 128 MiB holds it and
	# everything else
	[ "$rss" -lt 131072 ]
	grep -qE "^systour manager: dropped 127\.0\.0\.1:[0-9]+: its unfinished frame \([0-9]+ bytes so far\) is the largest, and the frames being read hold [0-9]+ bytes, over the budget of 64 MiB$" "$T/manager.err"
	# an honest client is served meanwhile
	run timeout 30 python3 "$PEER" "$PORT" ok
	[ "$status" -eq 0 ]
	exec 9>&-
	wait "$attacker" || true
	stop_manager
}

@test "manager: a frame begun and not finished within 10 s is dropped, with a line that says so" {
	need_python3
	start_manager
	mkfifo "$T/hold"
	timeout 60 python3 "$STALL" "$PORT" frames 1 1000 <"$T/hold" >"$T/frames.out" 2>&1 &
	local staller=$!
	exec 9>"$T/hold"
	wait_line "$T/frames.out" '^sent 1 dropped 0$' 1 10
	wait_line "$T/manager.err" 'dropped 127\.0\.0\.1:[0-9]*: a frame it began 10 s ago is still not whole (1003 bytes of it came)' 1 20
	exec 9>&-
	wait "$staller" || true
	stop_manager
}

@test "worker: a 252-byte task of shared references (a = (a, a) 60 times) is done at once, in bounded memory, by a systour worker" {
	need_python3
	start_manager
	timeout 30 bash -c "$(declare -f queue_py); queue_py $PORT ImageUrl_0 DAG:60 ImageUrl_1"
	# unbounded, its repr takes 100% CPU and gigabytes (ASan reserves
	# terabytes of address space: no -v for a sanitizer build)
	local vlimit='ulimit -v 524288;'
	ldd "$SYSTOUR" 2>/dev/null | grep -q libasan && vlimit=
	setsid bash -c "$vlimit"' ulimit -t 20; exec timeout 30 "$0" worker --connect "127.0.0.1:$1" --timeout 1' "$SYSTOUR" "$PORT" >"$T/W.out" 2>&1 &
	local w=$!
	PGIDS+=("$w")
	wait_for "$w" 40
	[ "$WSTATUS" -eq 0 ] || { tail -c 2000 "$T/W.out"; false; }
	timeout 30 bash -c "$(declare -f queue_py); queue_py $PORT drain" >"$T/results"
	[ "$(wc -l <"$T/results")" -eq 3 ]
	grep -qx 'success ImageUrl_0' "$T/results"
	grep -qx 'success ImageUrl_1' "$T/results"
	grep -q '^success ((((((.*)\.\.\.$' "$T/results"
	[ "$(wc -c <"$T/results")" -lt 4000 ]
	stop_manager
}

@test "manager: --tasks too many to hold in the memory it may take is refused up front, naming the limit; a bounded queue takes them" {
	# ASan reserves terabytes of address space: no address-space limit
	ldd "$SYSTOUR" 2>/dev/null | grep -q libasan && skip "an address-space limit cannot apply under ASan"
	run prlimit --as=1000000000 "$SYSTOUR" --lang en manager --tasks 10000000 --port 0
	[ "$status" -eq 2 ]
	[[ "$output" == *"--tasks 10000000: the queue would hold 10000000 tasks at once"*"at most "[0-9]*", or bound the queue with --maxsize" ]]
	# nothing was listening: refused before the socket
	[[ "$output" != *listening* ]]
	MANAGER_WRAP="prlimit --as=1000000000 --" start_manager --tasks 10000000 --maxsize 100
	grep -q 'listening on' "$T/manager.err"
	stop_manager
}

@test "manager --tasks: a task of its own that goes to the dead letters settles it: the run ends, saying so, instead of waiting for its result" {
	need_python3
	start_manager --tasks 3 --depth
	# a worker that never finishes ImageUrl_1: it leases one task at a
	# time with a short lease and lets that one run out
	timeout 60 python3 - "$PORT" >"$T/peer.out" 2>&1 <<'PY' &
import queue, sys
from multiprocessing.managers import BaseManager
class M(BaseManager):
    pass
M.register('get_task_queue')
M.register('get_result_queue')
m = M(address=('127.0.0.1', int(sys.argv[1])), authkey=b'qiye')
m.connect()
t, r = m.get_task_queue(), m.get_result_queue()
while True:
    try:
        got = t._callmethod('lease', (), {'n': 1, 'lease': 0.2, 'timeout': 2})
    except queue.Empty:
        break
    except (EOFError, ConnectionError, OSError):
        break
    for tid, item in got:
        if item != 'ImageUrl_1':
            t._callmethod('ack', (tid, 'success ' + item))
PY
	local peer=$!
	# the manager ends by itself once every task is settled
	wait_for "$MPID" 30 || { cat "$T/manager.err" >&2; false; }
	wait "$peer" || true
	cat "$T/manager.err"
	[ "$WSTATUS" -eq 0 ]
	grep -q 'all 3 tasks are settled: 2 results are in, 1 went to the dead letters' "$T/manager.err"
	grep -q 'result is success ImageUrl_0' "$T/manager.out"
	grep -q 'result is success ImageUrl_2' "$T/manager.out"
	grep -q ', dead 1$' "$T/manager.out"
}
