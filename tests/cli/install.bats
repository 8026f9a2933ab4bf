#!/usr/bin/env bats
# make install: the program, lessons and man page land under PREFIX (and
# DESTDIR), and the installed program finds its lessons without the source.

bats_require_minimum_version 1.5.0

setup() {
	top=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	export XDG_DATA_HOME="$BATS_TEST_TMPDIR/data"
}

@test "make install puts binary, lessons and man page under DESTDIR/PREFIX" {
	dest="$BATS_TEST_TMPDIR/stage"
	run make -C "$top" --no-print-directory install PREFIX=/opt/st DESTDIR="$dest"
	[ "$status" -eq 0 ]
	[ -x "$dest/opt/st/bin/systour" ]
	[ -f "$dest/opt/st/share/man/man1/systour.1" ]
	cmp "$top/data/schema.sql" "$dest/opt/st/share/systour/schema.sql"
	n=$(ls -d "$dest"/opt/st/share/systour/lessons/[0-9]*/ | wc -l)
	[ "$n" -eq "$(ls -d "$top"/lessons/[0-9]*/ | wc -l)" ]
	grep -q "^.TH SYSTOUR 1" "$dest/opt/st/share/man/man1/systour.1"
}

@test "the installed program finds its lessons away from the source tree" {
	prefix="$BATS_TEST_TMPDIR/prefix"
	run make -C "$top" --no-print-directory install PREFIX="$prefix"
	[ "$status" -eq 0 ]
	cd "$BATS_TEST_TMPDIR"
	unset SYSTOUR_LESSONS
	run --separate-stderr "$prefix/bin/systour" list
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq "$(ls -d "$top"/lessons/[0-9]*/ | wc -l)" ]
	run --separate-stderr "$prefix/bin/systour" show 1 --lang zh
	[ "$status" -eq 0 ]
	[[ "$output" == *"笔记这里有误"* ]]
	# the lesson modules come along: an installed demo runs
	run --separate-stderr "$prefix/bin/systour" demo fork --plain --delay 0
	[ "$status" -eq 0 ]
	[[ "$output" == *"[demo] PID "*" (parent) exited with status 0"* ]]
}
