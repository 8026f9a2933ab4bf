#!/usr/bin/env bats
# 01-files.bats — the live demos of lesson 01 (buffering, modes, with-close),
# each run to its end in plain mode with --delay 0. The tests read what the
# panes printed and the figures the demos measured, then make sure no
# process of the demo is left and its scratch directory is gone.

bats_require_minimum_version 1.5.0

load ../helpers

# the demos run in an empty directory of their own: nothing may appear there
setup() {
	demo_setup || return 1
	mkdir -p "$BATS_TEST_TMPDIR/cwd"
	cd "$BATS_TEST_TMPDIR/cwd" || return 1
}

# Nothing of the demo is left (at least $1 panes' PIDs were reported, see
# assert_no_leftovers), and nothing was written to the cwd.
assert_clean() {
	assert_no_leftovers "$@" || return 1
	[ -z "$(ls -A .)" ] || fail "left in the cwd: $(ls -A .)"
}

# The code lines pane $1's actor stepped through (needs --step), space separated.
positions() {
	printf '%s\n' "${lines[@]}" | awk -v p="[code] $1 at line " \
	    'index($0, p) == 1 { $0 = substr($0, length(p) + 1); printf "%d ", $0 }'
}

# ---- buffering ---------------------------------------------------------

# Check every "write(...): total T, in buffer B, on disk D" line of pane
# $1 with the shell condition $2 (it sees arg, total, buf, disk, nl: 1 if
# the piece ended with a newline, last_nl: the total at the last newline).
check_writes() {
	local re='^write\((.*)\): total ([0-9]+), in buffer ([0-9]+), on disk ([0-9]+)$'
	local l n=0 arg total buf disk nl last_nl=0
	while IFS= read -r l; do
		[[ $l =~ $re ]] || continue
		arg=${BASH_REMATCH[1]} total=${BASH_REMATCH[2]}
		buf=${BASH_REMATCH[3]} disk=${BASH_REMATCH[4]}
		nl=0
		[[ $arg == *"\\n'" ]] && nl=1 last_nl=$total
		((disk + buf == total)) || fail "$1: $l: disk + buffer != total"
		eval "$2" || fail "$1: $l: not ($2)"
		n=$((n + 1))
	done < <(pane "$1")
	[ "$n" -eq 17 ] || fail "$1: $n writes, expected 17"
}

@test "buffering: unbuffered, every write is on disk at once" {
	demo_ok buffering
	check_writes unbuffered '((buf == 0 && disk == total))'
	assert_figure unbuffered_buffer_size 1
	assert_figure unbuffered_disk_changes 17
	assert_figure unbuffered_size_before_flush 315
	assert_figure unbuffered_size_after_flush 315
	pane unbuffered | grep -qx 'setvbuf(fp, NULL, _IONBF, 0): a write(2) per write' ||
	    fail "no setvbuf _IONBF line"
	assert_clean 5
}

@test "buffering: line-buffered, the file grows at each newline" {
	demo_ok buffering
	check_writes line '((nl ? disk == total && buf == 0 : disk == last_nl && buf > 0))'
	assert_figure line_disk_changes 8
	assert_figure line_jump_min 39
	assert_figure line_jump_max 39
	assert_figure line_size_before_flush 312
	assert_figure line_size_after_flush 315
	assert_clean 5
}

@test "buffering: a 128-byte buffer reaches the file 128 bytes at a time" {
	demo_ok buffering
	check_writes '128 bytes' '((disk % 128 == 0 && buf <= 128))'
	assert_figure full_buffer_size 128
	assert_figure full_disk_changes 2
	assert_figure full_jump_min 128
	assert_figure full_jump_max 128
	assert_figure full_size_before_flush 256
	assert_figure full_size_after_flush 315
	assert_clean 5
}

@test "buffering: the default buffer keeps everything until the flush" {
	demo_ok buffering
	check_writes default '((disk == 0 && buf == total))'
	assert_figure default_size_before_flush 0
	assert_figure default_disk_changes 0
	assert_figure default_bytes_written 315
	assert_figure default_size_after_flush 315
	local size blk
	size=$(figure default_buffer_size) blk=$(figure st_blksize)
	[ "$blk" -gt 0 ] || fail "st_blksize $blk"
	# glibc: st_blksize, at most BUFSIZ (8192)
	[ "$size" -eq "$blk" ] || [ "$size" -eq 8192 ] ||
	    fail "default buffer $size, st_blksize $blk"
	[ "$size" -gt 315 ] || fail "default buffer $size too small to keep it all"
	pane default | grep -qx "fflush = 0: on disk 315 of 315" || fail "no fflush line"
	assert_clean 5
}

@test "buffering: the watcher sees every file reach its full size" {
	demo_ok buffering
	for k in unbuffered line full default; do
		assert_figure "watcher_final_$k" 315
	done
	for f in unbuffered.txt line.txt full128.txt default.txt; do
		pane watcher | grep -Eq "^$f +(created, 315 bytes|.* -> +315 bytes)" ||
		    fail "the watcher never saw $f at 315 bytes"
	done
	[ "$(figure watcher_changes)" -ge 4 ] || fail "too few changes seen"
	pane watcher | grep -q "waitpid: default writer (PID [0-9]*) exited with status 0" ||
	    fail "the default writer did not exit 0"
	assert_clean 5
}

@test "buffering: --step walks each writer through the code in order" {
	run --separate-stderr bash -c "yes '' | head -200 | '$SYSTOUR' demo buffering --plain --step"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	local loop="7 8 7 8 7 8 7 8 7 8 7 8 7 8 7 8"
	[ "$(positions unbuffered)" = "2 $loop 9 10 11 " ] ||
	    fail "unbuffered: $(positions unbuffered)"
	[ "$(positions default)" = "5 $loop 9 10 11 " ] ||
	    fail "default: $(positions default)"
	assert_figure default_size_before_flush 0
	assert_clean 5
}

# ---- modes ---------------------------------------------------------------

@test "modes: each mode's effect on hello\\n, in hex" {
	demo_ok modes
	[ "$(pane python | grep -c '^before: 68 65 6c 6c 6f 0a$')" -eq 8 ] ||
	    fail "the file was not recreated before each mode"
	local want=(
	    'r   after:  68 65 6c 6c 6f 0a'
	    'rb  after:  68 65 6c 6c 6f 0a'
	    'r+  after:  58 59 6c 6c 6f 0a'
	    'w   after:  58 59'
	    'w+  after:  58 59'
	    'a   after:  68 65 6c 6c 6f 0a 58 59'
	    'a+  after:  68 65 6c 6c 6f 0a 58 59'
	    'x   FileExistsError (File exists)'
	    'r   FileNotFoundError (No such file or directory)'
	    'x   after:  58 59'
	)
	diff <(printf '%s\n' "${want[@]}") \
	    <(pane python | grep -E '^(r|rb|r\+|w|w\+|a|a\+|x) +(after|File)') ||
	    fail "wrong results"
	assert_figure size_after_r+ 6
	assert_figure size_after_w 2
	assert_figure size_after_a 8
	assert_figure errno_x 17
	assert_figure errno_r_missing 2
	assert_figure size_after_x_missing 2
	assert_clean 2
}

@test "modes: the open(2) flags of each mode" {
	demo_ok modes
	local p
	p=$(pane python)
	for f in 'O_RDONLY|O_CLOEXEC, 0666) = 3' 'O_RDWR|O_CLOEXEC, 0666) = 3' \
	    'O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0666) = 3' \
	    'O_RDWR|O_CREAT|O_TRUNC|O_CLOEXEC, 0666) = 3' \
	    'O_WRONLY|O_CREAT|O_APPEND|O_CLOEXEC, 0666) = 3' \
	    'O_RDWR|O_CREAT|O_APPEND|O_CLOEXEC, 0666) = 3' \
	    'O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC, 0666) = -1 EEXIST' \
	    'O_RDONLY|O_CLOEXEC, 0666) = -1 ENOENT'; do
		grep -qxF "open(\"demo.txt\", $f" <<<"$p" || fail "no open with $f"
	done
	# b changes no flag; w truncates at open, before any write
	[ "$(figure open_flags_r)" = "$(figure open_flags_rb)" ] || fail "r and rb differ"
	[ "$(figure open_flags_r)" != "$(figure open_flags_r+)" ] || fail "r and r+ alike"
	assert_figure size_at_open_w 0
	assert_figure size_at_open_w+ 0
	assert_figure size_at_open_r+ 6
	assert_figure size_at_open_a 6
	assert_clean 2
}

@test "modes: the kernel pane reads the position and kept flags from fdinfo" {
	demo_ok modes
	local k
	k=$(pane kernel)
	# after seek(0), an O_APPEND write still lands at the end
	assert_figure pos_after_write_a 8
	assert_figure pos_after_write_a+ 8
	assert_figure pos_after_write_r+ 2
	assert_figure pos_after_read_r 6
	grep -Eq '^write +a +fd 3 pos 8, flags O_WRONLY\|O_APPEND' <<<"$k" ||
	    fail "no O_APPEND write at pos 8"
	grep -Eq '^open +w +fd 3 pos 0, flags O_WRONLY' <<<"$k" || fail "no open w"
	# O_CREAT, O_TRUNC and O_EXCL act at open; the open file keeps none
	! grep -Eq 'O_CREAT|O_TRUNC|O_EXCL' <<<"$k" || fail "open-time flags kept"
	[ "$(grep -c 'fd 3 pos' <<<"$k")" -eq 16 ] || fail "not 16 fdinfo readings"
	pane python | grep -q 'waitpid: kernel pane (PID [0-9]*) exited with status 0' ||
	    fail "the kernel pane did not exit 0"
	assert_clean 2
}

# ---- with-close ----------------------------------------------------------

@test "with-close: the write stops at RLIMIT_FSIZE with EFBIG, close still runs" {
	demo_ok with-close
	assert_figure limit 1000
	for k in try with; do
		assert_figure ${k}_bytes_written 1000
		assert_figure ${k}_errno 27
		assert_figure ${k}_close_ran 1
		assert_figure ${k}_close_rc 0
		assert_figure ${k}_fd_closed 1
		assert_figure ${k}_size_on_disk 1000
		assert_figure ${k}_size_seen_by_parent 1000
	done
	assert_clean 3
}

@test "with-close: each pane shows the short write, EFBIG, then close" {
	demo_ok with-close
	local want=(
	    'setrlimit(RLIMIT_FSIZE, {1000, HARD}) = 0'
	    'write(3, "cont...", 1400) = 1000 (short)'
	    'write(3, "tcon...", 400) = -1 EFBIG'
	    'OSError: [Errno 27] File too large, after 1000 bytes'
	    'close(): first flush the 400 bytes still buffered'
	    'write(3, "tcon...", 400) = -1 EFBIG'
	    'close(3) = 0'
	    'fcntl(3, F_GETFD): EBADF, the fd is released'
	    'on disk: 1000 bytes'
	    'close() raises OSError [Errno 27] again: its flush failed, but the fd was closed'
	)
	for p in try/finally with; do
		local got i=0 l
		mapfile -t got < <(pane "$p" |
		    grep -E '^(setrlimit|write|OSError|close|fcntl|on disk)' |
		    sed 's/{1000, [0-9]*}/{1000, HARD}/')
		[ "${#got[@]}" -eq "${#want[@]}" ] || fail "$p: ${#got[@]} lines: ${got[*]}"
		for l in "${want[@]}"; do
			[ "${got[i]}" = "$l" ] || fail "$p: line $i is '${got[i]}', not '$l'"
			i=$((i + 1))
		done
	done
	pane with | grep -qx 'leaving the with block: __exit__ calls close()' ||
	    fail "with: no __exit__"
	[ "$(pane parent | grep -c 'exited with status 0')" -eq 2 ] ||
	    fail "the actors did not both exit 0"
	assert_clean 3
}

@test "with-close: --step shows the finally and __exit__ paths" {
	run --separate-stderr bash -c "yes '' | head -100 | '$SYSTOUR' demo with-close --plain --step"
	[ "$status" -eq 0 ] || fail "exit $status: $stderr"
	[ "$(positions try/finally)" = "2 3 4 6 7 8 9 11 12 " ] ||
	    fail "try/finally: $(positions try/finally)"
	# the with statement's line again on the way out: __exit__
	[ "$(positions with)" = "2 3 4 14 15 16 14 " ] || fail "with: $(positions with)"
	assert_figure try_fd_closed 1
	assert_figure with_fd_closed 1
	assert_clean 3
}
