#!/usr/bin/env bats
# `list` and `show` on the fixture tree tests/fixtures/lessons-basic:
# 01-alpha (4 steps, code, directives, an erratum), 02-beta (2 steps),
# 10-gamma (1 step), and a folder "notes" that is not a lesson.

load helpers

@test "list shows every lesson: number, name, title, 0% and steps" {
	run --separate-stderr "$SYSTOUR" list
	assert_status 0
	[ -z "$stderr" ] || fail "list wrote to stderr"
	[ "${#lines[@]}" -eq 3 ] || fail "expected 3 lessons"
	[[ "${lines[0]}" =~ ^01\ +alpha\ +Alpha:\ opening\ files\ +\[-+\]\ +0%\ +0/4$ ]] ||
		fail "bad row for alpha: ${lines[0]}"
	[[ "${lines[1]}" =~ ^02\ +beta\ +Beta:\ directories\ +\[-+\]\ +0%\ +0/2$ ]] ||
		fail "bad row for beta: ${lines[1]}"
	[[ "${lines[2]}" =~ ^10\ +gamma\ +Gamma:\ the\ \"tenth\"\ lesson\ +\[-+\]\ +0%\ +0/1$ ]] ||
		fail "bad row for gamma: ${lines[2]}"
	assert_out_lacks "notes"
}

@test "list shows a percentage after steps are seen in the plain shell" {
	run --separate-stderr "$SYSTOUR" --plain <<<$'show 1\nnext\nshow 10\n'
	assert_status 0
	run --separate-stderr "$SYSTOUR" list
	assert_status 0
	[[ "${lines[0]}" =~ ^01\ +alpha\ .*\[#{5}-{5}\]\ +50%\ +2/4$ ]] ||
		fail "alpha should be 50%: ${lines[0]}"
	[[ "${lines[1]}" =~ \ 0%\ +0/2$ ]] || fail "beta should be 0%: ${lines[1]}"
	[[ "${lines[2]}" =~ \[#{10}\]\ +100%\ +1/1$ ]] || fail "gamma should be 100%: ${lines[2]}"
}

@test "list --lang zh shows the Chinese titles" {
	run --separate-stderr "$SYSTOUR" --lang zh list
	assert_status 0
	assert_out_match '^01 +alpha +甲：打开文件 '
	assert_out_match '^02 +beta +乙：目录 '
	assert_out_match '^10 +gamma +丙：第十课 '
}

@test "list with no lessons in the directory fails (1)" {
	mkdir empty
	SYSTOUR_LESSONS="$BATS_TEST_TMPDIR/empty" run --separate-stderr "$SYSTOUR" list
	assert_status 1
	assert_one_error
	assert_err_has "no lessons loaded from $BATS_TEST_TMPDIR/empty"
}

@test "show LESSON prints the title, the summary and every step" {
	run --separate-stderr "$SYSTOUR" show 1
	assert_status 0
	[ -z "$stderr" ] || fail "show wrote to stderr"
	[ "${lines[0]}" = "Alpha: opening files" ] || fail "title first"
	[ "${lines[1]}" = "Alpha's summary: how a file is opened, read and closed." ] ||
		fail "summary second"
	assert_out_match '^1/4 · Opening a file$'
	assert_out_match '^2/4 · Reading it back$'
	assert_out_match '^3/4 · Closing$'
	assert_out_match '^4/4 · Summing up$'
	assert_out_has "After the erratum, the step goes on."
	assert_out_has "All done with alpha."
}

@test "show finds a lesson by number, zero-padded number, name, id and prefix" {
	local what
	for what in 2 02 beta 02-beta be; do
		run --separate-stderr "$SYSTOUR" show "$what"
		assert_status 0
		[ "${lines[0]}" = "Beta: directories" ] || fail "show $what: wrong lesson"
	done
	run --separate-stderr "$SYSTOUR" show 10
	assert_status 0
	[ "${lines[0]}" = 'Gamma: the "tenth" lesson' ] || fail "show 10: wrong lesson"
	run --separate-stderr "$SYSTOUR" open alpha
	assert_status 0
	[ "${lines[0]}" = "Alpha: opening files" ] || fail "open (alias): wrong lesson"
}

@test "show LESSON STEP starts at that step" {
	run --separate-stderr "$SYSTOUR" show alpha 3
	assert_status 0
	assert_out_lacks "Opening a file"
	assert_out_lacks "Reading it back"
	assert_out_match '^3/4 · Closing$'
	assert_out_match '^4/4 · Summing up$'
}

@test "show renders code labels, directives and the erratum box (English)" {
	run --separate-stderr "$SYSTOUR" show 1 --lang en
	assert_status 0
	assert_out_match '^── Python$'
	assert_out_match '^ +f = open\("data.txt", "rb"\)$'
	assert_out_match '^── C: underneath$'
	assert_out_match '^ +int fd = open\("data.txt", O_RDONLY\);$'
	assert_out_has '▶ Live demo "open-trace": not available yet'
	assert_out_has '✎ Exercise "files/01-close": not available yet'
	assert_out_match '^┃ The notes are wrong here$'
	assert_out_match '^┃ The notes say the default is unbuffered; it is buffered\.$'
	assert_out_lacks ":::"
	assert_out_lacks '```'
	assert_out_lacks '**'
}

@test "show --lang zh gives the Chinese text and labels" {
	run --separate-stderr "$SYSTOUR" show 1 --lang zh
	assert_status 0
	[ "${lines[0]}" = "甲：打开文件" ] || fail "Chinese title first"
	assert_out_has "甲课摘要：文件如何打开、读取和关闭。"
	assert_out_match '^1/4 · 打开文件$'
	assert_out_match '^── C：底层$'
	assert_out_match '^┃ 笔记这里有误$'
	assert_out_has "笔记说默认不带缓冲；其实是带缓冲的。"
	assert_out_has '▶ 现场演示“open-trace”：本版 systour 尚未提供。'
	assert_out_has '✎ 练习“files/01-close”：本版 systour 尚未提供。'
	assert_out_lacks "Opening a file"
	assert_out_lacks "The notes are wrong here"
}

@test "the global --lang zh and --lang=en work before the command" {
	run --separate-stderr "$SYSTOUR" --lang zh show 2
	assert_status 0
	[ "${lines[0]}" = "乙：目录" ] || fail "expected Chinese"
	run --separate-stderr "$SYSTOUR" --lang=en show 2
	assert_status 0
	[ "${lines[0]}" = "Beta: directories" ] || fail "expected English"
}

@test "--lang xx is bad usage (2), globally and for show" {
	run --separate-stderr "$SYSTOUR" --lang xx show 1
	assert_status 2
	assert_one_error
	assert_err_has "xx"
	[ -z "$output" ] || fail "stdout should be empty"
	run --separate-stderr "$SYSTOUR" show 1 --lang=fr
	assert_status 2
	assert_one_error
	assert_err_has "fr"
}

@test "LANG=zh_CN.UTF-8 selects Chinese by default; --lang en overrides it" {
	LANG=zh_CN.UTF-8 run --separate-stderr "$SYSTOUR" show 1
	assert_status 0
	[ "${lines[0]}" = "甲：打开文件" ] || fail "expected Chinese from LANG"
	assert_out_has "笔记这里有误"
	LANG=zh_CN.UTF-8 run --separate-stderr "$SYSTOUR" show 1 --lang en
	assert_status 0
	[ "${lines[0]}" = "Alpha: opening files" ] || fail "--lang en should win"
}

@test "LC_ALL comes before LANG when choosing the language" {
	LC_ALL=C.UTF-8 LANG=zh_CN.UTF-8 run --separate-stderr "$SYSTOUR" show 2
	assert_status 0
	[ "${lines[0]}" = "Beta: directories" ] || fail "LC_ALL=C.UTF-8 means English"
}

@test "show prints no terminal escapes when stdout is not a terminal" {
	NO_COLOR= run --separate-stderr "$SYSTOUR" show 1
	assert_status 0
	assert_out_has "The notes are wrong here"
	! grep -q $'\e' <<<"$output" || fail "escape sequences in the output"
}
