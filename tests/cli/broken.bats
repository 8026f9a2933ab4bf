#!/usr/bin/env bats
# Broken lessons, and where lessons are looked for. The fixture tree
# tests/fixtures/lessons-broken is copied into the test's directory and its
# modules are built there (copy_tree). It holds two good lessons, 01-good and
# 09-module (with a correct demos.so), and one broken lesson per kind:
#   02-bogus    lesson.en.md:9   unknown directive "::: bogus thing"
#   03-fence    lesson.zh.md:9   a code fence that is never closed
#   04-erratum  lesson.en.md:13  "::: erratum" never closed
#   05-nozh     lesson.zh.md     missing
#   06-steps    lesson.zh.md:13  3 steps where lesson.en.md has 2
#   07-abi      demos.so         built with abi = 999
#   08-name     demos.so         says it is lesson "04-processes"
#   10-unbuilt  demos.c:1        no demos.so beside it

load helpers

NBROKEN=8

setup_broken() {
	TREE=$(copy_tree lessons-broken)
	export SYSTOUR_LESSONS="$TREE"
	run --separate-stderr "$SYSTOUR" list
}

# The good lessons load and list; exit 0.
assert_good_listed() {
	assert_status 0
	[ "${#lines[@]}" -eq 2 ] || fail "expected the 2 good lessons only"
	assert_out_match '^01 +good +Good lesson '
	assert_out_match '^09 +module +Good module '
}

# assert_reported_once LINE: stderr holds "systour: LINE" exactly once, as a
# whole line.
assert_reported_once() {
	local n
	n=$(grep -cxF -- "systour: $1" <<<"$stderr" || true)
	[ "$n" -eq 1 ] || fail "expected once on stderr ($n times): systour: $1"
}

@test "broken lessons: the good ones still list (exit 0), each problem one line" {
	setup_broken
	assert_good_listed
	[ "$(count_lines "$stderr")" -eq $NBROKEN ] || fail "expected $NBROKEN problem lines"
	# every line names a file of the tree
	local l
	while IFS= read -r l; do
		[[ "$l" == "systour: $TREE/"[0-9][0-9]-*/* ]] || fail "no path in: $l"
	done <<<"$stderr"
}

@test "unknown directive: reported once with path and line" {
	setup_broken
	assert_good_listed
	assert_reported_once "$TREE/02-bogus/lesson.en.md:9: unknown directive \"::: bogus thing\""
}

@test "unclosed code fence: reported once at the line of the opening fence" {
	setup_broken
	assert_good_listed
	assert_reported_once "$TREE/03-fence/lesson.zh.md:9: code block opened here is not closed"
}

@test "unclosed erratum: reported once at the line of ::: erratum" {
	setup_broken
	assert_good_listed
	assert_reported_once "$TREE/04-erratum/lesson.en.md:13: \"::: erratum\" opened here is not closed"
}

@test "missing lesson.zh.md: reported once with its path" {
	setup_broken
	assert_good_listed
	[ "$(count_of "$TREE/05-nozh/" "$stderr")" -eq 1 ] || fail "05-nozh not reported once"
	assert_err_has "systour: $TREE/05-nozh/lesson.zh.md: missing"
}

@test "different step counts: reported once with path and line" {
	setup_broken
	assert_good_listed
	assert_reported_once "$TREE/06-steps/lesson.zh.md:13: 3 steps, but $TREE/06-steps/lesson.en.md has 2"
}

@test "a module built with the wrong ABI is refused, reported once with its path" {
	setup_broken
	assert_good_listed
	[ "$(count_of "$TREE/07-abi/" "$stderr")" -eq 1 ] || fail "07-abi not reported once"
	abi=$(sed -n 's/^#define SYSTOUR_LESSON_ABI \([0-9]*\)u$/\1/p' "$BATS_TEST_DIRNAME/../../app/demo/lesson_module.h")
	[ -n "$abi" ]
	assert_err_has "systour: $TREE/07-abi/demos.so: module ABI 999, but this systour needs ABI $abi"
}

@test "a module that names another lesson is refused, reported once with its path" {
	setup_broken
	assert_good_listed
	[ "$(count_of "$TREE/08-name/" "$stderr")" -eq 1 ] || fail "08-name not reported once"
	assert_err_has "systour: $TREE/08-name/demos.so: module says it is lesson \"04-processes\", not \"08-name\""
}

@test "a module source without its demos.so: reported once (module not built)" {
	setup_broken
	assert_good_listed
	assert_reported_once "$TREE/10-unbuilt/demos.c:1: module not built (run make)"
}

@test "a good module loads: its lesson lists and nothing is said about it" {
	setup_broken
	assert_good_listed
	[ -f "$TREE/09-module/demos.so" ] || fail "the module was not built"
	[ "$(count_of "09-module" "$stderr")" -eq 0 ] || fail "09-module reported"
	run --separate-stderr "$SYSTOUR" show module
	assert_status 0
	[ "${lines[0]}" = "Good module" ] || fail "wrong lesson"
}

@test "a broken lesson cannot be shown (1); its problem is said once first" {
	setup_broken
	run --separate-stderr "$SYSTOUR" show bogus
	assert_status 1
	[ "$(count_lines "$stderr")" -eq $((NBROKEN + 1)) ] || fail "problems + one error"
	[ "$(count_of "02-bogus/lesson.en.md:9:" "$stderr")" -eq 1 ] || fail "02-bogus not reported once"
	[[ "$(tail -n 1 <<<"$stderr")" == 'systour: show: no lesson "bogus"'* ]] || fail "the error comes last"
}

@test "problems lists every broken lesson on stdout and exits 1" {
	setup_broken
	run --separate-stderr "$SYSTOUR" problems
	assert_status 1
	[ -z "$stderr" ] || fail "problems should not repeat them on stderr"
	[ "${#lines[@]}" -eq $NBROKEN ] || fail "expected $NBROKEN problems"
	local d
	for d in 02-bogus 03-fence 04-erratum 05-nozh 06-steps 07-abi 08-name 10-unbuilt; do
		[ "$(count_of "$TREE/$d/" "$output")" -eq 1 ] || fail "$d not listed once"
	done
	assert_out_lacks "01-good"
	assert_out_lacks "09-module"
	assert_out_has "$TREE/02-bogus/lesson.en.md:9: unknown directive"
}

@test "problems by a unique prefix does not repeat them on stderr either" {
	setup_broken
	run --separate-stderr "$SYSTOUR" problem
	assert_status 1
	[ "${#lines[@]}" -eq $NBROKEN ] || fail "expected $NBROKEN problems on stdout"
	[ -z "$stderr" ] || fail "each problem should be reported once, not also on stderr"
}

@test "problems on a tree with no broken lessons says so and exits 0" {
	run --separate-stderr "$SYSTOUR" problems
	assert_status 0
	[ "$output" = "All lessons loaded." ] || fail "unexpected output"
	[ -z "$stderr" ] || fail "stderr: $stderr"
	run --separate-stderr "$SYSTOUR" --lang zh problems
	assert_status 0
	[ "$output" = "所有课程都已加载。" ] || fail "unexpected output"
}

@test "the plain shell reports each broken lesson once, then runs the script" {
	setup_broken
	run --separate-stderr "$SYSTOUR" --plain <<<$'show good\n'
	assert_status 0
	[ "$(count_lines "$stderr")" -eq $NBROKEN ] || fail "expected $NBROKEN problem lines"
	local d
	for d in 02-bogus 03-fence 04-erratum 05-nozh 06-steps 07-abi 08-name 10-unbuilt; do
		[ "$(count_of "$TREE/$d/" "$stderr")" -eq 1 ] || fail "$d not reported once"
	done
	assert_out_has "[01-good · Good lesson]"
}

@test "SYSTOUR_LESSONS pointing to a missing directory fails (1), one line" {
	SYSTOUR_LESSONS="$BATS_TEST_TMPDIR/nowhere" run --separate-stderr "$SYSTOUR" list
	assert_status 1
	assert_one_error
	assert_err_has "$BATS_TEST_TMPDIR/nowhere"
	[ -z "$output" ] || fail "stdout should be empty"
	SYSTOUR_LESSONS="$BATS_TEST_TMPDIR/nowhere" run --separate-stderr "$SYSTOUR" --plain </dev/null
	assert_status 1
	assert_one_error
}

@test "SYSTOUR_LESSONS pointing to a regular file fails (1), one line" {
	echo hello >afile
	SYSTOUR_LESSONS="$BATS_TEST_TMPDIR/afile" run --separate-stderr "$SYSTOUR" list
	assert_status 1
	assert_one_error
	assert_err_has "$BATS_TEST_TMPDIR/afile"
}

@test "--help and --version work even when no lessons can be found" {
	SYSTOUR_LESSONS="$BATS_TEST_TMPDIR/nowhere" run --separate-stderr "$SYSTOUR" --version
	assert_status 0
	assert_out_has "systour "
	SYSTOUR_LESSONS="$BATS_TEST_TMPDIR/nowhere" run --separate-stderr "$SYSTOUR" --help
	assert_status 0
	assert_out_has "usage: systour"
}

@test "folders that are not NN-name are not lessons" {
	mkdir -p tree/1-short tree/01-Upper tree/xx-name tree/01-ok
	local d
	for d in tree/*; do
		printf '# T\n\nS.\n\n## A\n\nx\n' >"$d/lesson.en.md"
		printf '# T\n\nS.\n\n## 甲\n\nx\n' >"$d/lesson.zh.md"
	done
	SYSTOUR_LESSONS="$BATS_TEST_TMPDIR/tree" run --separate-stderr "$SYSTOUR" list
	assert_status 0
	[ "${#lines[@]}" -eq 1 ] || fail "only 01-ok is a lesson"
	assert_out_match '^01 +ok '
	[ -z "$stderr" ] || fail "stderr: $stderr"
}

# A tree of the good lessons of the fixture and three hostile ones:
#   11-abort  demos.so whose constructor calls abort()
#   12-fifo   lesson.en.md is a FIFO no one writes to
#   13-zero   lesson.en.md is a symlink to /dev/zero
#   14-huge   lesson.en.md of 2 MiB
setup_hostile() {
	TREE=$(copy_tree lessons-broken)
	rm -rf "$TREE"/0[2-8]-* "$TREE"/10-*
	local d
	for d in 11-abort 12-fifo 13-zero 14-huge; do
		cp -R "$TREE/01-good" "$TREE/$d"
	done
	cat >"$TREE/11-abort/demos.c" <<'C'
#include <stdlib.h>
#include "lesson_module.h"
__attribute__((constructor)) static void boom(void) { abort(); }
const struct systour_lesson_module systour_lesson_module = {
	.abi = SYSTOUR_LESSON_ABI, .lesson = "11-abort",
};
C
	cc -shared -fPIC -I"$ROOT/app/demo" -o "$TREE/11-abort/demos.so" "$TREE/11-abort/demos.c"
	rm "$TREE/12-fifo/lesson.en.md"
	mkfifo "$TREE/12-fifo/lesson.en.md"
	rm "$TREE/13-zero/lesson.en.md"
	ln -s /dev/zero "$TREE/13-zero/lesson.en.md"
	head -c $((2 << 20)) /dev/zero | tr '\0' 'x' >"$TREE/14-huge/lesson.en.md"
	export SYSTOUR_LESSONS="$TREE"
}

@test "a module that aborts while loading, a FIFO, /dev/zero and a 2 MiB file as lesson text: each reported with its path, the others load" {
	setup_hostile
	# unbounded, /dev/zero is read until memory runs out and the FIFO
	# blocks forever: bound both
	local v='ulimit -v 1048576;'
	ldd "$SYSTOUR" 2>/dev/null | grep -q libasan && v=	# ASan: no -v
	run --separate-stderr bash -c "$v"' exec timeout 20 "$0" list' "$SYSTOUR"
	assert_status 0
	[ "${#lines[@]}" -eq 2 ] || fail "expected the 2 good lessons only"
	assert_out_match '^01 +good '
	assert_out_match '^09 +module '
	assert_err_has "systour: $TREE/11-abort/demos.so: cannot load module: it crashed while loading (Aborted)"
	assert_err_has "systour: $TREE/12-fifo/lesson.en.md: not a regular file"
	assert_err_has "systour: $TREE/13-zero/lesson.en.md: not a regular file"
	assert_err_has "systour: $TREE/14-huge/lesson.en.md: 2097152 bytes, over the limit of 1048576"
	run --separate-stderr bash -c "$v"' exec timeout 20 "$0" problems' "$SYSTOUR"
	assert_status 1
	[ "${#lines[@]}" -eq 4 ] || fail "expected 4 problems"
}
