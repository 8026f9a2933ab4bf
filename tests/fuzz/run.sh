#!/bin/sh
# run.sh — runs the libFuzzer targets that `make fuzz-build` put in
# build-fuzz/, each for a bounded time, over its checked-in seed corpus.
# Usage: sh tests/fuzz/run.sh [--merge] fuzz_frames fuzz_pickle ...
#   run:     each target for FUZZ_SECONDS (default 60) over tests/fuzz/corpus/NAME;
#            new inputs go to build-fuzz/corpus/NAME (scratch, not checked
#            in), crashes to build-fuzz/crashes/NAME-crash-*; with
#            tests/fuzz/TARGET.dict as libFuzzer's dictionary. Fails if any
#            target crashed, leaked, timed out or ran out of memory.
#   --merge: the smallest set of inputs of tests/fuzz/corpus/NAME and
#            build-fuzz/corpus/NAME that covers what they all cover
#            (libFuzzer's -merge=1), into build-fuzz/merged/NAME: pick from
#            it what is worth checking in (the corpus stays a few hundred
#            files, named by what they hold).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
merge=0
if [ "${1:-}" = --merge ]; then
	merge=1
	shift
fi
secs=${FUZZ_SECONDS:-60}
# ASan keeps freed memory in a quarantine (256 MiB by default) to catch a
# use after free: that, not a leak, is what made the fuzzers' RSS climb to
# 500 MB and more (with quarantine_size_mb=0 both stay near 50 MB for
# minutes; libFuzzer's own leak check finds nothing). 32 MiB still holds
# what each input freed, and lets the RSS level off.
ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=32}
export ASAN_OPTIONS
failed=0
for t in "$@"; do
	name=${t#fuzz_}
	bin=$top/build-fuzz/$t
	seeds=$top/tests/fuzz/corpus/$name
	scratch=$top/build-fuzz/corpus/$name
	mkdir -p "$scratch" "$top/build-fuzz/crashes"
	case $name in
	pickle) maxlen=16384 ;;
	*) maxlen=8192 ;;
	esac
	if [ "$merge" = 1 ]; then
		out=$top/build-fuzz/merged/$name
		rm -rf "$out"
		mkdir -p "$out"
		"$bin" -merge=1 -max_len=$maxlen -timeout=10 -rss_limit_mb=2048 \
		    "$out" "$seeds" "$scratch" >"$top/build-fuzz/$name-merge.log" 2>&1 ||
		    { echo "fuzz: $t: merge failed (build-fuzz/$name-merge.log)"; failed=1; continue; }
		echo "fuzz: $t: tests/fuzz/corpus/$name ($(ls "$seeds" | wc -l) files) and" \
		    "build-fuzz/corpus/$name ($(ls "$scratch" | wc -l)) cover what" \
		    "build-fuzz/merged/$name holds: $(ls "$out" | wc -l) files," \
		    "$(cat "$out"/* | wc -c) bytes"
		continue
	fi
	dict=
	[ -f "$top/tests/fuzz/$t.dict" ] && dict=-dict=$top/tests/fuzz/$t.dict
	echo "fuzz: $t for ${secs}s over tests/fuzz/corpus/$name"
	if ! "$bin" -max_total_time="$secs" -max_len=$maxlen -timeout=10 $dict \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$top/build-fuzz/crashes/$name-" \
	    "$scratch" "$seeds" >"$top/build-fuzz/$name.log" 2>&1; then
		tail -n 40 "$top/build-fuzz/$name.log"
		echo "fuzz: $t FAILED (log: build-fuzz/$name.log, input: build-fuzz/crashes/)"
		failed=1
		continue
	fi
	grep -E '^stat::number_of_executed_units|^#[0-9]+[[:space:]]+DONE' "$top/build-fuzz/$name.log" | tail -n 2
done
exit $failed
