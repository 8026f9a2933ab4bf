#!/bin/sh
# exercise-overhead.sh — the runner's own time per check, beyond the
# learner's program: for a C exercise already compiled (the cache) and a
# Python one. Each check times the program it runs (date +%s%N around it)
# and prints that as "# inner US"; the runner reports run_ms (from the
# start of the run to its result: scratch directory, cgroup, copies,
# fork, exec of the check, reading its TAP, killing and removing all).
# overhead = run_ms - inner (so it also holds the check's own sh start and
# one `date`, and any wait for a CPU on a loaded machine); and the tutor's
# own CPU time per check (runner_cpu_us: its work, whatever the load).
# Prints the medians of N runs of each.
# Usage: bench/exercise-overhead.sh [N]   (SYSTOUR: the program)
set -eu
N=${1:-21}
SYSTOUR=${SYSTOUR:-$(cd "$(dirname "$0")/.." && pwd)/systour}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mk() {  # mk NAME TRACK FILE SOURCE
	mkdir -p "$T/ex/bench/$1/starter"
	printf 'title.en = %s\ntitle.zh = %s\ntrack = %s\nfiles = %s\n' \
	    "$1" "$1" "$2" "$3" >"$T/ex/bench/$1/exercise.ini"
	printf '%s\n' "$4" >"$T/ex/bench/$1/starter/$3"
	cat >"$T/ex/bench/$1/check" <<-'EOC'
		#!/bin/sh
		s=$(date +%s%N)
		$EX_RUN >/dev/null
		e=$(date +%s%N)
		echo "ok 1 - ran"
		echo "# inner $(( (e - s) / 1000 ))"
	EOC
	chmod +x "$T/ex/bench/$1/check"
}
mk 01-c c prog.c 'int main(void) { return 0; }'
mk 02-python python prog.py 'pass'
export SYSTOUR_EXERCISES="$T/ex" HOME="$T/home" XDG_CACHE_HOME="$T/cache"
mkdir -p "$HOME"
for ex in 01-c 02-python; do
	"$SYSTOUR" check "bench/$ex" --json --workspace "$T/ws" >/dev/null   # compile once
	i=0
	while [ "$i" -lt "$N" ]; do
		"$SYSTOUR" check "bench/$ex" --json --workspace "$T/ws"
		echo
		i=$((i + 1))
	done | python3 -c '
import json, sys
ov, inner, run, cpu = [], [], [], []
for line in sys.stdin:
    if not line.strip():
        continue
    r = json.loads(line)
    us = int(r["checks"][0]["output"].split()[1])
    run.append(r["run_ms"]); inner.append(us / 1000)
    ov.append(r["run_ms"] - us / 1000)
    cpu.append(r["runner_cpu_us"] / 1000)
def med(v):
    v = sorted(v); return v[len(v) // 2]
print("%-10s runs %d: run_ms median %.1f, program %.1f ms, runner overhead (wall) median %.1f ms (min %.1f, max %.1f); the tutor own CPU per check median %.2f ms" % (
    sys.argv[1], len(ov), med(run), med(inner), med(ov), min(ov), max(ov), med(cpu)))
' "$ex"
done
