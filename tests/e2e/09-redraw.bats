#!/usr/bin/env bats
# Only changed cells are redrawn: the bytes systour writes to the terminal
# for a key, counted from the system calls (strace), are nothing for a key
# that changes nothing, and a small part of a full page for a one-line
# scroll.

load ../helpers

setup() {
	e2e_setup
	command -v strace >/dev/null || skip "strace is not installed"
	# systour under strace: its reads of the keys, its writes to the
	# terminal, and each return to the event loop's epoll_wait() (the key has been
	# handled)
	real=$SYSTOUR
	SYSTOUR="$T/traced"
	printf '#!/bin/sh\nexec strace -o %s -s 8 -e trace=read,write,epoll_wait -e signal=none %s "$@"\n' \
	    "$(shq "$T/trace")" "$(shq "$real")" >"$SYSTOUR"
	chmod +x "$SYSTOUR"
}
teardown() { e2e_teardown; }

# Bytes written to the terminal for one key: press it, wait until the trace
# shows it read and systour back in epoll_wait(), and sum the writes in between.
bytes_for() {
	local key=$1 char=$2 from end
	from=$(wc -l <"$T/trace")
	keys "$key"
	end=$(deadline_ms)
	until tail -n +"$((from + 1))" "$T/trace" |
	    awk -v c="read(0, \"$char\"" 'index($0, c) == 1 { seen = 1 } seen && /^epoll_wait\(/ { ok = 1 } END { exit !ok }'; do
		[ "$(now_ms)" -lt "$end" ] || { echo "key $key was not handled" >&2; return 1; }
		sleep 0.05
	done
	tail -n +"$((from + 1))" "$T/trace" |
	    awk -v c="read(0, \"$char\"" 'index($0, c) == 1 { on = 1 }
		on && /^epoll_wait\(/ { exit }
		on && /^write\(1,/ { n += $NF }
		END { print n + 0 }'
}

@test "a key that changes nothing writes nothing; a one-line scroll writes far less than a new screen" {
	start_list
	screen=$(bytes_for Enter '\\r')
	wait_for '(step|步骤) 1/3'
	none=$(bytes_for z z)	# (x opens a step's exercise)
	scroll=$(bytes_for j j)
	echo "# opening a lesson: $screen bytes, a no-op key: $none, a one-line scroll: $scroll" >&3
	[ "$none" -eq 0 ]
	[ "$scroll" -gt 0 ]
	[ $((scroll * 4)) -lt "$screen" ]
}
