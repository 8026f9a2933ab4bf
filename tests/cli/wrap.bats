#!/usr/bin/env bats
# Wrapping of `show` output to $COLUMNS when stdout is not a terminal, on the
# fixture tree tests/fixtures/lessons-wrap: 01-wrap has long Chinese
# paragraphs, long English words, lists, code, directives and an erratum;
# 02-longtitle has a lesson title wider than 40 columns.
# Widths are measured by python3 (East Asian Wide/Fullwidth count two), and
# the output must decode as strict UTF-8 (no character cut in half).

load helpers

setup_wrap() {
	export SYSTOUR_LESSONS="$FIXTURES/lessons-wrap"
	# their code lines come whole (never wrapped into a file or a pipe)
	export CODE_FROM="$FIXTURES/lessons-wrap/01-wrap/lesson.en.md $FIXTURES/lessons-wrap/01-wrap/lesson.zh.md"
}

# show_at COLS ARGS...: run show into out.txt at that width, check it.
show_at() {
	local cols=$1
	shift
	COLUMNS=$cols "$SYSTOUR" show "$@" >out.txt 2>err.txt
	status=$?
	output=$(cat out.txt)
	stderr=$(cat err.txt)
}

@test "show 1 (English) fits in COLUMNS=40 and is valid UTF-8" {
	setup_wrap
	show_at 40 1 --lang en
	assert_status 0
	[ -z "$stderr" ] || fail "stderr: $stderr"
	# the long words are all there, only wrapped
	assert_out_has "Some ordinary words"
	assert_out_has "The notes are wrong here"
	assert_out_has "Live demo"
	assert_out_has "Exercise"
	[ "$(wc -l <out.txt)" -gt 40 ] || fail "expected many wrapped lines"
	run check_width out.txt 40
	[ "$status" -eq 0 ] || fail "too wide or broken lines: $output"
}

@test "show 1 (Chinese) fits in COLUMNS=40 and is valid UTF-8" {
	setup_wrap
	show_at 40 1 --lang zh
	assert_status 0
	[ -z "$stderr" ] || fail "stderr: $stderr"
	assert_out_has "笔记这里有误"
	assert_out_has "操作系统把文件看成字节序列"
	run check_width out.txt 40
	[ "$status" -eq 0 ] || fail "too wide or broken lines: $output"
}

@test "wrapping keeps every Chinese character of a paragraph" {
	setup_wrap
	show_at 40 1 --lang zh
	assert_status 0
	# Joined back without line breaks, the paragraph is all there, in order.
	python3 - out.txt <<'EOF'
import sys
text = open(sys.argv[1], encoding='utf-8').read()
flat = ''.join(line.strip() for line in text.split('\n'))
want = ('操作系统把文件看成字节序列，程序通过系统调用打开、读取、写入和关闭文件，'
        '每一次调用都会从用户态进入内核态，再回到用户态。')
assert want in flat, 'paragraph lost characters'
want = '“引号里的句子”、（括号里的说明）、《书名》、【方括号】……这些标点不能出现在行首'
assert want in flat, 'punctuation line lost characters'
EOF
}

@test "no line starts with Chinese closing punctuation (outside code)" {
	setup_wrap
	show_at 40 1 --lang zh
	assert_status 0
	assert_out_has "“引号里的句子”"
	python3 - out.txt <<'EOF'
import sys
bad = []
in_code = False
for line in open(sys.argv[1], encoding='utf-8').read().split('\n'):
    if line.startswith('── '):
        in_code = True
        continue
    if line.strip('┃ ') == '':
        in_code = False
        continue
    if in_code:
        continue
    if line.startswith('┃'):
        if line.startswith('┃   '):
            continue            # code inside the erratum box
        line = line[1:]
    s = line.lstrip()
    if s[0] in '，。、；：？！）」』】》”’…':
        bad.append(line)
assert not bad, bad
EOF
}

@test "show fits at several widths, odd and even, in both languages" {
	setup_wrap
	local cols lang files=()
	for lang in en zh; do
		for cols in 20 21 33 41 57 80; do
			COLUMNS=$cols "$SYSTOUR" show 1 --lang $lang >"out-$lang-$cols.txt" ||
				fail "show failed at COLUMNS=$cols --lang $lang"
			grep -qx '── Python' "out-$lang-$cols.txt" && grep -q '^┃' "out-$lang-$cols.txt" ||
				fail "COLUMNS=$cols --lang $lang: no code label or erratum box"
			files+=("out-$lang-$cols.txt" "$cols")
		done
	done
	run check_width "${files[@]}"
	[ "$status" -eq 0 ] || fail "too wide or broken lines: $output"
}

@test "without COLUMNS, show wraps at 80 columns" {
	setup_wrap
	"$SYSTOUR" show 1 >out.txt
	run check_width out.txt 80
	[ "$status" -eq 0 ] || fail "$output"
	# and it does use the width: some line is wider than 40
	run python3 -c 'import sys; sys.exit(0 if max(len(l) for l in open("out.txt", encoding="utf-8")) > 41 else 1)'
	[ "$status" -eq 0 ] || fail "nothing wider than 40 columns at the default width"
}

@test "a lesson title wider than COLUMNS is wrapped too (English)" {
	setup_wrap
	show_at 40 2 --lang en
	assert_status 0
	assert_out_has "Reading and writing files"
	run check_width out.txt 40
	[ "$status" -eq 0 ] || fail "too wide: $output"
}

@test "a lesson title wider than COLUMNS is wrapped too (Chinese)" {
	setup_wrap
	show_at 40 2 --lang zh
	assert_status 0
	assert_out_has "读写文件"
	run check_width out.txt 40
	[ "$status" -eq 0 ] || fail "too wide: $output"
}

@test "piped show never wraps a code line: a long one comes through whole" {
	setup_wrap
	local lang
	for lang in en zh; do
		COLUMNS=40 "$SYSTOUR" show 1 --lang $lang >out.txt || fail "show failed"
		# every code line of the lesson is a whole line of the output
		python3 - "$FIXTURES/lessons-wrap/01-wrap/lesson.$lang.md" out.txt <<'EOF' ||
import sys
src, out = (open(p, encoding='utf-8').read().split('\n') for p in sys.argv[1:])
got = {l.lstrip('┃ ').strip() for l in out}
fence, missing, longest = False, [], 0
for l in src:
    if l.lstrip().startswith('```'):
        fence = not fence
    elif fence and l.strip():
        longest = max(longest, len(l))
        if l.strip() not in got:
            missing.append(l)
assert longest > 80, 'the fixture has no long code line'
assert not missing, missing
EOF
			fail "--lang $lang: a code line was cut"
	done
	# prose still wraps
	run check_width out.txt 40
	[ "$status" -eq 0 ] || fail "$output"
}
