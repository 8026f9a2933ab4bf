#!/usr/bin/env bats
# bench.bats — `systour bench`: every figure is measured and printed (text
# and JSON), in both languages; bad usage; nothing left running after it.

load helpers

@test "bench --plain prints every figure with its explanation and the chart" {
	run --separate-stderr timeout 120 "$SYSTOUR" bench --plain
	assert_status 0
	for f in "a system call \(getppid\): [0-9.]+ ns" "fork \+ waitpid: [0-9.]+ us" \
	    "a pipe round trip: [0-9.]+ us" "a thread switch \(condvar\): [0-9.]+ us" \
	    "HTTP requests/s \(serve http\): [0-9]+ req/s"; do
		grep -qE "^  $f" <<<"$output" || fail "no figure: $f"
	done
	if command -v python3 >/dev/null; then
		grep -qE '^  python3 multiprocessing.Process: [0-9.]+ us \([0-9]+x fork \+ waitpid\)$' <<<"$output" ||
			fail "no python figure"
	else
		assert_out_has "python3 multiprocessing.Process: not measured: python3 is not installed"
	fi
	assert_out_has "entering the kernel and back"
	assert_out_has "costs (microseconds, log scale"
	# the HTTP figure's server is gone
	! pgrep -f "systour serve http --port 0" >/dev/null || fail "serve http left running"
}

@test "bench --json: one object, every figure a number (or null with why)" {
	command -v python3 >/dev/null || skip "python3 is not installed: no JSON parser"
	run --separate-stderr timeout 120 "$SYSTOUR" bench --json
	assert_status 0
	run python3 -c '
import json, sys
d = json.loads(sys.argv[1])
keys = ["syscall_ns", "fork_wait_us", "python_process_us", "pipe_round_trip_us",
        "thread_switch_us", "http_requests_per_s"]
for k in keys:
    v = d[k]
    assert v is None and k in d["missing"] or v > 0, (k, v)
assert d["http_requests_per_s"] > 100, d
print("ok")' "$output"
	[ "$output" = ok ] || fail "json: $output"
}

@test "bench in Chinese, and bad usage" {
	run --separate-stderr timeout 120 "$SYSTOUR" --lang zh bench --plain
	assert_status 0
	assert_out_has "systour bench：在这台机器上测得"
	assert_out_has "进入内核再返回"
	run --separate-stderr "$SYSTOUR" bench --jsn
	assert_status 2
	run --separate-stderr "$SYSTOUR" bench extra
	assert_status 2
}
