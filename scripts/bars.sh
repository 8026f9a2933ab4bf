#!/bin/sh
# Measures the bars of the tutor on this machine: the time of `systour list`
# with every lesson loaded, the time until the TUI's first full frame, and the
# TUI's resident memory with a lesson open. Needs tmux and strace.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${SYSTOUR:-$top/systour}
tmp=$(mktemp -d)
sock="$tmp/tmux"
trap 'tmux -S "$sock" kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
export XDG_DATA_HOME="$tmp/data"

# 1. systour list, 200 runs: the mean and the slowest
n=200 i=0 worst=0 total=0
while [ $i -lt $n ]; do
	t0=$(date +%s%N)
	"$bin" list >/dev/null
	t1=$(date +%s%N)
	d=$(( (t1 - t0) / 1000 ))
	total=$((total + d))
	[ $d -gt $worst ] && worst=$d
	i=$((i + 1))
done
echo "list: $("$bin" list | wc -l) lessons, mean $((total / n / 1000)).$(( (total / n) % 1000 / 100 )) ms, slowest $((worst / 1000)) ms over $n runs"

# 2. first full frame: from execve to the write that draws the lesson list
for k in 1 2 3; do
	tmux -S "$sock" new -d -x 120 -y 40 \
	    "strace --seccomp-bpf -f -ttt -e trace=execve,write -o $tmp/st$k '$bin'"
	until grep -q 'write(1.*09' "$tmp/st$k" 2>/dev/null; do sleep 0.05; done
	tmux -S "$sock" send-keys q
	while tmux -S "$sock" has-session 2>/dev/null; do sleep 0.05; done
	# lines are "PID SECONDS.MICROS call(...)"
	awk '$3 ~ /^execve/ && !t0 { t0 = $2 }
	     $3 ~ /^write\(1/ && /09/ { printf "first frame: %.1f ms (under strace)\n", ($2 - t0) * 1000; exit }' \
	    "$tmp/st$k"
done

# 3. resident memory with a lesson open
tmux -S "$sock" new -d -x 120 -y 40 "'$bin'"
until tmux -S "$sock" capture-pane -p | grep -q '09'; do sleep 0.05; done
tmux -S "$sock" send-keys Enter
until tmux -S "$sock" capture-pane -p | grep -q '1/9'; do sleep 0.05; done
pid=$(tmux -S "$sock" display -p '#{pane_pid}')
grep -E 'VmRSS|VmHWM' "/proc/$pid/status" | tr -s ' \t' ' ' | sed 's/^/TUI with lesson 01 open: /'
tmux -S "$sock" send-keys q q
