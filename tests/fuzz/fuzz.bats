#!/usr/bin/env bats
# fuzz.bats — the libFuzzer targets of tests/fuzz/ (frames and handshake of
# app/queue/wire.c; the pickle codec and disassembler of app/pickle/*.c), built with
# clang and run for a few seconds each over the checked-in corpus, as part of
# `make test`. A crash, a sanitizer report or a failed check fails the test.
# Without clang (scripts/deps.sh installs it) the tests say they skip and why.
# Environment: FUZZ_TEST_SECONDS (5), FUZZ_CC (clang, else clang-14).

setup() {
	top=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	cc=${FUZZ_CC:-$(command -v clang || command -v clang-14 || true)}
	command -v "$cc" >/dev/null 2>&1 || cc=
	secs=${FUZZ_TEST_SECONDS:-5}
}

# Skip, saying why, when clang cannot build a libFuzzer target here.
need_libfuzzer() {
	[ -n "$cc" ] || skip "clang not found (scripts/deps.sh test installs clang libclang-rt-14-dev)"
	d=$(mktemp -d)
	printf '%s\n' '#include <stdint.h>' '#include <stddef.h>' \
	    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return 0; }' >"$d/t.c"
	if ! "$cc" -fsanitize=fuzzer,address -o "$d/t" "$d/t.c" 2>/dev/null; then
		rm -rf "$d"
		skip "$cc cannot link -fsanitize=fuzzer (libclang-rt-14-dev missing?)"
	fi
	rm -rf "$d"
	run make -s -C "$top" fuzz-build FUZZ_CC="$cc"
	echo "$output"
	[ "$status" -eq 0 ]
}

# Run one target over its corpus; new inputs go to a scratch dir.
run_target() {
	scratch=$(mktemp -d)
	run "$top/build-fuzz/fuzz_$1" -max_total_time="$secs" -max_len=16384 \
	    -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$scratch/" \
	    "$scratch" "$top/tests/fuzz/corpus/$1"
	if [ "$status" -ne 0 ]; then
		echo "$output" | tail -n 40
		ls "$scratch"/crash-* "$scratch"/leak-* "$scratch"/timeout-* 2>/dev/null
	fi
	rm -rf "$scratch"
	[ "$status" -eq 0 ]
	# it really ran: the corpus was read and inputs were executed
	echo "$output" | grep -q 'INITED'
	echo "$output" | grep -q 'DONE'
}

@test "fuzz: the seed corpora are checked in, small" {
	[ "$(ls "$top/tests/fuzz/corpus/frames" | wc -l)" -gt 20 ]
	[ "$(ls "$top/tests/fuzz/corpus/pickle" | wc -l)" -gt 100 ]
	bytes=$(cat "$top"/tests/fuzz/corpus/*/* | wc -c)
	[ "$bytes" -gt 0 ]
	[ "$bytes" -lt 1000000 ]
}

@test "fuzz: fuzz_frames runs over its corpus without a crash" {
	need_libfuzzer
	run_target frames
}

@test "fuzz: fuzz_pickle runs over its corpus without a crash" {
	need_libfuzzer
	run_target pickle
}
