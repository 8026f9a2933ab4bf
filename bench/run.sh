#!/bin/sh
# Runs the bench programs that `make bench` built, one line of figures each.
# Each line compares things measured side by side in this one run; the
# absolute times beside the ratios are only there to read them by.
# Environment: BUILD (build or build-san, from the Makefile), SYSTOUR (the
# program, which the manager benches run as `systour manager` and `systour
# worker`).
set -u
BUILD=${BUILD:-build}
dir=$BUILD/bench
if [ ! -d "$dir" ]; then
	echo "bench: $dir does not exist: run make bench" >&2
	exit 1
fi
echo "systour bench: $(uname -sm), $(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?') CPUs, $(date -u '+%Y-%m-%d %H:%M UTC')"
# The known ones first, in the order, then any other bench program.
order="ipc fork flood manager_tasks manager_rtt switch"
order="$order net_http net_echo10k"	# serve http vs nginx and python; serve echo holding 10000
for f in "$dir"/*; do
	name=${f##*/}
	case " $order " in *" $name "*) ;; *) [ -x "$f" ] && order="$order $name" ;; esac
done
status=0
for name in $order; do
	prog=$dir/$name
	[ -x "$prog" ] || continue
	# a bench that hangs is a finding, not a reason to hang make
	if command -v timeout >/dev/null 2>&1; then
		timeout -k 5 50 "$prog"
	else
		"$prog"
	fi
	rc=$?
	if [ "$rc" -ne 0 ]; then
		if [ "$rc" -eq 124 ]; then
			echo "$name: did not finish within 50 s"
		else
			echo "$name: exited with status $rc"
		fi
		status=1
	fi
done
exit $status
