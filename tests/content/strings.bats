#!/usr/bin/env bats
# Every string a learner sees comes in English and Chinese. The catalogue is
# the source: strings are paired where they are used (L, LD, DEMO_TR, the
# command table's help_en/help_zh); check_strings.py finds the literals that
# are not, and the program run under --lang zh and under a Chinese LANG
# (no --lang) must speak Chinese: --help, usage errors, list, one-shot errors
# and demo narration.

bats_require_minimum_version 1.5.0

setup() {
	top="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
	SYSTOUR=${SYSTOUR:-$top/systour}
	export XDG_DATA_HOME="$BATS_TEST_TMPDIR/data"
	export HOME="$BATS_TEST_TMPDIR/home"
	mkdir -p "$HOME"
	unset LC_ALL LC_MESSAGES LANGUAGE
	export LANG=C.UTF-8
	export SYSTOUR_LESSONS="$top/tests/fixtures/lessons-basic"
	cd "$BATS_TEST_TMPDIR" || return 1
}

fail() {
	printf '%s\n--- status: %s\n--- output:\n%s\n--- stderr:\n%s\n' \
		"$*" "${status-}" "${output-}" "${stderr-}" >&2
	return 1
}

# has_cjk TEXT: TEXT holds Chinese characters.
has_cjk() {
	python3 -c 'import re, sys; sys.exit(0 if re.search("[\u4e00-\u9fff]", sys.argv[1]) else 1)' "$1"
}

# english_left EN ZH: the prose lines of EN (three words of three letters or
# more, after the column of command syntax) that ZH still holds as they are.
english_left() {
	python3 - "$1" "$2" <<-'PY'
		import re, sys
		en, zh = sys.argv[1], sys.argv[2]
		for line in en.splitlines():
		    prose = re.split(r"\s{2,}", line.strip())[-1]
		    if "[" in prose or "|" in prose:
		        continue
		    if len(re.findall(r"\b[a-z]{3,}\b", prose)) >= 3 and prose in zh:
		        print(prose)
	PY
}

# in_chinese: the last run's stderr is one "systour: ..." line in Chinese.
stderr_in_chinese() {
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ] || fail "expected one line on stderr"
	[[ "$stderr" == "systour: "* ]] || fail "stderr does not start with systour:"
	has_cjk "$stderr" || fail "stderr is not in Chinese"
}

@test "every learner-visible literal is in a pair (check_strings.py, pending list)" {
	run python3 "$top/tests/content/check_strings.py" --pending "$top/tests/content/strings_pending.txt"
	[ "$status" -eq 0 ] || fail "strings in one language only (or a pending file now done)"
}

@test "the checker finds an unpaired string and accepts a paired one" {
	cat >t.c <<-'EOF'
		static void f(struct app *app, int lang) {
			app_errorf(app, "no such lesson here");
			app_errorf(app, L(app->lang, "paired in both", "两种语言"));
			warnx_(LD("also paired here", "也成对"));
			printf("%s\n", "x");
			if (strcmp(s, "not shown to anyone") == 0) return;
			api->note(me, DEMO_TR(api, ctx, "a demo line", "演示的一行"));
			api->print(me, "a demo line alone\n");
		}
		static const struct cmd_entry e = {
			.help_en = "the help in English", .help_zh = "中文帮助",
		};
		static const char *const lone[] = { "only English words" };
		static const char *const zh_alone = "只有中文";
	EOF
	run python3 "$top/tests/content/check_strings.py" "$BATS_TEST_TMPDIR/t.c"
	[ "$status" -eq 1 ] || fail "the checker passed a file with unpaired strings"
	[[ "$output" == *':2: not in both languages: "no such lesson here"'* ]] || fail "missed line 2"
	[[ "$output" == *':8: not in both languages: "a demo line alone\n"'* ]] || fail "missed line 8"
	[[ "$output" == *':13: not in both languages: "only English words"'* ]] || fail "missed line 13"
	[[ "$output" == *':14: not in both languages: "只有中文"'* ]] || fail "missed line 14"
	[ "$(grep -c 'not in both languages' <<<"$output")" -eq 4 ] || fail "expected exactly 4 findings"
}

@test "--help in Chinese under --lang zh and under LANG=zh_CN.UTF-8" {
	run "$SYSTOUR" --lang zh --help
	[ "$status" -eq 0 ] && has_cjk "$output" || fail "--lang zh --help is not Chinese"
	[[ "$output" == "用法：systour"* ]] || fail "no Chinese usage line"
	local zh=$output
	run "$SYSTOUR" --lang en --help
	local left
	left=$(english_left "$output" "$zh")
	[ -z "$left" ] || fail "English left in the Chinese --help: $left"
	LANG=zh_CN.UTF-8 run "$SYSTOUR" --help
	[ "$output" = "$zh" ] || fail "LANG=zh_CN.UTF-8 --help differs from --lang zh"
	# a command's help too
	LANG=zh_CN.UTF-8 run "$SYSTOUR" show --help
	[[ "$output" == "用法：systour show"* ]] || fail "show --help is not Chinese"
	# and English stays English
	run "$SYSTOUR" --help
	[[ "$output" == "usage: systour"* ]] && ! has_cjk "$output" || fail "English --help has Chinese"
}

@test "usage errors in Chinese: unknown option, missing and bad option values, unknown command" {
	for env in "--lang zh" "LANG=zh_CN.UTF-8"; do
		if [ "$env" = "--lang zh" ]; then pre=(--lang zh); e=(); else pre=(); e=(env LANG=zh_CN.UTF-8); fi
		run --separate-stderr "${e[@]}" "$SYSTOUR" "${pre[@]}" --bogus
		[ "$status" -eq 2 ] || fail "$env --bogus: status"
		stderr_in_chinese
		run --separate-stderr "${e[@]}" "$SYSTOUR" "${pre[@]}" list --db
		[ "$status" -eq 2 ] || fail "$env --db: status"
		stderr_in_chinese
		run --separate-stderr "${e[@]}" "$SYSTOUR" "${pre[@]}" show 1 --lang xx
		[ "$status" -eq 2 ] || fail "$env show --lang xx: status"
		stderr_in_chinese
		run --separate-stderr "${e[@]}" "$SYSTOUR" "${pre[@]}" nosuchcommand
		[ "$status" -eq 2 ] || fail "$env unknown command: status"
		stderr_in_chinese
		run --separate-stderr "${e[@]}" "$SYSTOUR" "${pre[@]}" show 1 --nosuch
		[ "$status" -eq 2 ] || fail "$env unknown command option: status"
		stderr_in_chinese
		run --separate-stderr "${e[@]}" "$SYSTOUR" "${pre[@]}" next
		stderr_in_chinese
	done
	# a missing --lang value, under a Chinese LANG
	LANG=zh_CN.UTF-8 run --separate-stderr "$SYSTOUR" list --lang
	[ "$status" -eq 2 ] || fail "--lang without a value: status"
	stderr_in_chinese
	LANG=zh_CN.UTF-8 run --separate-stderr "$SYSTOUR" list --lang ''
	[ "$status" -eq 2 ] || fail "--lang '': status"
	stderr_in_chinese
}

@test "list and one-shot errors in Chinese under --lang zh and under LANG=zh_CN.UTF-8" {
	run --separate-stderr "$SYSTOUR" --lang zh list
	[ "$status" -eq 0 ] && has_cjk "$output" || fail "list is not Chinese"
	local zh=$output
	LANG=zh_CN.UTF-8 run --separate-stderr "$SYSTOUR" list
	[ "$output" = "$zh" ] || fail "LANG=zh_CN.UTF-8 list differs"
	LANG=zh_CN.UTF-8 run --separate-stderr "$SYSTOUR" show nosuchlesson
	[ "$status" -ne 0 ] || fail "an unknown lesson succeeded"
	stderr_in_chinese
	run --separate-stderr "$SYSTOUR" --lang zh demo nosuchdemo
	[ "$status" -ne 0 ] || fail "an unknown demo succeeded"
	stderr_in_chinese
	run --separate-stderr "$SYSTOUR" --lang zh --db "$BATS_TEST_TMPDIR/no/dir/x.db" list
	[ "$status" -eq 1 ] || fail "--db in a missing folder: status"
	stderr_in_chinese
	SYSTOUR_LESSONS="$BATS_TEST_TMPDIR/nowhere" LANG=zh_CN.UTF-8 run --separate-stderr "$SYSTOUR" list
	[ "$status" -eq 1 ] || fail "missing lessons: status"
	stderr_in_chinese
}

@test "demo narration in Chinese under --lang zh and LANG=zh_CN.UTF-8; pane prefixes and figure names stay" {
	export SYSTOUR_LESSONS="$top/lessons"
	[ -e "$top/lessons/05-ipc/demos.so" ] || skip "lesson modules not built"
	run --separate-stderr "$SYSTOUR" --lang zh demo pipe --plain
	[ "$status" -eq 0 ] || fail "demo pipe failed"
	grep -qE '^\[main\] a, b = Pipe\(\)：socketpair' <<<"$output" || fail "the Pipe() line is not Chinese"
	[[ "$output" != *"bytes on fd"* ]] || fail "English narration left"
	local zh_figs en_figs
	zh_figs=$(grep -oE '^\[demo\] [a-z_0-9]+ = ' <<<"$output" | sort -u)
	[ -n "$zh_figs" ] || fail "no figures"
	LANG=zh_CN.UTF-8 run --separate-stderr "$SYSTOUR" demo fork --plain
	[ "$status" -eq 0 ] || fail "demo fork failed"
	grep -qE '^\[parent\] fork\(\) = [0-9]+：我是父进程$' <<<"$output" || fail "'I am the parent' is not Chinese"
	grep -qE '^\[child\] fork\(\) = 0：我是子进程$' <<<"$output" || fail "'I am the child' is not Chinese"
	grep -qE '^\[demo\] child_write_faults = [0-9]+$' <<<"$output" || fail "a figure name changed"
	# English stays English, with the same figures
	run --separate-stderr "$SYSTOUR" demo pipe --plain
	grep -qE '^\[main\] a, b = Pipe\(\): socketpair' <<<"$output" || fail "English narration changed"
	en_figs=$(grep -oE '^\[demo\] [a-z_0-9]+ = ' <<<"$output" | sort -u)
	[ "$zh_figs" = "$en_figs" ] || fail "figure names differ: $zh_figs / $en_figs"
}
