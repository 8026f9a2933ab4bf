#!/usr/bin/env bats
# English and Chinese: switching with L, and Chinese text laid out so that no
# line is wider than the terminal and no wide character is cut.

load ../helpers

setup() { e2e_setup; }
teardown() { e2e_teardown; }

# Page through the open step (PgDn) and check every screen fits the width;
# then check that every paragraph of FILE starting with PREFIX appears whole
# (whitespace ignored) in the text of the step as drawn.
check_step_text() {
	local file=$1 prefix=$2 rows total a last=0
	rows=$(( $(pane_fmt '#{pane_height}') - 3 ))
	: >"$T/body.txt"
	keys g
	wait_figure 1 '*' '*'
	total=$FIG_C
	while :; do
		assert_fits_width
		a=$FIG_A
		# body rows 1..rows are page lines a..a+rows-1
		screen | sed -n "2,$((rows + 1))p" | awk -v a="$a" '{ printf "%d\t%s\n", a + NR - 1, $0 }' >>"$T/body.txt"
		[ "$FIG_B" -ge "$total" ] && break
		last=$FIG_A
		keys NPage
		wait_figure "$((last + rows - 1 < total - rows + 1 ? last + rows - 1 : total - rows + 1))" '*' "$total"
	done
	python3 - "$T/body.txt" "$file" "$prefix" <<-'PY'
		import re, sys
		lines = {}
		for l in open(sys.argv[1], encoding="utf-8"):
		    n, _, text = l.rstrip("\n").partition("\t")
		    lines[int(n)] = text
		drawn = "".join(lines[k] for k in sorted(lines))
		drawn = re.sub(r"\s+", "", drawn)
		src = open(sys.argv[2], encoding="utf-8").read()
		paras = [p for p in src.split("\n\n") if p.startswith(sys.argv[3])]
		assert paras, "no paragraphs to look for"
		bad = 0
		for p in paras:
		    p = re.sub(r"\s+", "", p)
		    if p not in drawn:
		        bad = 1
		        print("not drawn whole:", p)
		if bad:
		    print("drawn:", drawn)
		sys.exit(bad)
	PY
}

@test "L switches the lesson to Chinese and back to English" {
	start_lesson1
	wait_for 'alpha-one-start'
	keys L
	wait_row 0 '^ systour · 01 甲：文件与描述符 +步骤 1/3 · 中文$'
	wait_for '1/3.*打开文件'
	wait_for '甲一开始：甲课的第一步。'
	wait_for '── C：底层'
	wait_row -2 'n/→ 下一步'
	wait_row -2 '行 1-27/[0-9]+$'
	wait_row -1 '按 : 输入命令'
	assert_fits_width
	keys n
	wait_row 0 '步骤 2/3'
	wait_for '笔记这里有误'
	wait_for '默认并不是无缓冲。'
	keys n
	wait_for '▶ 现场演示“open-trace”'
	assert_fits_width
	keys L
	wait_row 0 '^ systour · 01 Alpha: files and descriptors +step 3/3 · English$'
	wait_for 'alpha-three-start'
	wait_row -2 'lines 1-[0-9]+/[0-9]+$'
}

@test "L in the list shows the Chinese titles and summary" {
	start_list
	keys L
	wait_row 0 '^ systour · 课程 +中文$'
	wait_for '01  alpha +甲：文件与描述符 +\[·{12}\] +0%  0/3'
	wait_for '02  beta +乙：管道 '
	wait_for '甲课摘要：从内核的角度看'
	wait_row -2 '↑/↓ 选择'
	wait_row -2 '3 课$'
	assert_fits_width
	keys L
	wait_row 0 '^ systour · Lessons +English$'
	wait_for 'The alpha lesson summary'
}

@test "L in the list stays in the list after a lesson was opened" {
	start_lesson1
	keys q
	wait_row 0 '^ systour · Lessons +English$'
	keys L
	wait_row 0 '^ systour · 课程 +中文$'
	wait_for '甲课摘要'
	keys L
	wait_row 0 '^ systour · Lessons +English$'
}

@test "--lang zh and LANG=zh_CN.UTF-8 start in Chinese" {
	start_list -- --lang zh
	wait_row 0 '课程'
	tm kill-server
	start_list -e LANG=zh_CN.UTF-8
	wait_row 0 '课程'
	wait_for '甲：文件与描述符'
}

@test "Chinese paragraphs wrap within 100 columns, no wide character cut" {
	start_lesson1 -- --lang zh
	wait_row 0 '步骤 1/3'
	check_step_text "$E2E_LESSONS/01-alpha/lesson.zh.md" '第'
}

@test "Chinese paragraphs wrap within an odd width (81 columns), no wide character cut" {
	start_lesson1 -x 81 -y 24 -- --lang zh
	wait_row 0 '步骤 1/3'
	check_step_text "$E2E_LESSONS/01-alpha/lesson.zh.md" '第'
}

@test "English paragraphs are drawn whole too" {
	start_lesson1 -x 81 -y 24
	check_step_text "$E2E_LESSONS/01-alpha/lesson.en.md" 'Paragraph'
}

@test "the keys popup in Chinese fits the width" {
	start_list -x 81 -y 24 -- --lang zh
	keys '?'
	wait_for '按键'
	wait_for '课程列表：'
	wait_for 'q/Esc 关闭'
	assert_fits_width
	keys q
	wait_gone 'q/Esc 关闭'
}

@test "the language chosen with L is remembered across runs; --lang beats it, it beats LANG" {
	start_list
	wait_row 0 '^ systour · Lessons +English$'
	keys L
	wait_row 0 '^ systour · 课程 +中文$'
	keys q
	wait_exit
	[ "$EXIT_STATUS" -eq 0 ] || fail "exit status $EXIT_STATUS"
	tm kill-server
	# LANG is C.UTF-8 (English): the remembered Chinese wins
	start_list
	wait_row 0 '^ systour · 课程 +中文$'
	wait_for '甲：文件与描述符'
	tm kill-server
	# --lang en wins over it, and does not change what is remembered
	start_list -- --lang en
	wait_row 0 '^ systour · Lessons +English$'
	tm kill-server
	start_list
	wait_row 0 '^ systour · 课程 +中文$'
	# back to English with L: remembered too, even under a Chinese LANG
	keys L
	wait_row 0 '^ systour · Lessons +English$'
	keys q
	wait_exit
	tm kill-server
	start_list -e LANG=zh_CN.UTF-8
	wait_row 0 '^ systour · Lessons +English$'
}
