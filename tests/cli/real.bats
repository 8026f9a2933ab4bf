#!/usr/bin/env bats
# The real lessons in lessons/. They are being written while these tests are,
# so only structural facts are checked here, never their text.

load helpers

setup_real() {
	export SYSTOUR_LESSONS="$ROOT/lessons"
}

# The lesson folders (NN-name) that hold both lesson files.
complete_lessons() {
	local d
	for d in "$ROOT"/lessons/[0-9][0-9]-*/; do
		d=${d%/}
		[ -f "$d/lesson.en.md" ] && [ -f "$d/lesson.zh.md" ] && printf '%s\n' "${d##*/}"
	done
	return 0
}

@test "list lists every lessons/NN-name folder that has both lesson files" {
	setup_real
	local ids
	ids=$(complete_lessons)
	[ -n "$ids" ] || skip "no lesson has both files yet"
	run --separate-stderr "$SYSTOUR" list
	assert_status 0
	local id
	for id in $ids; do
		assert_out_match "^${id:0:2}  ${id:3} "
	done
	# and nothing else
	[ "${#lines[@]}" -eq "$(count_lines "$ids")" ] || fail "unexpected rows"
}

@test "show works for every listed real lesson in both languages" {
	setup_real
	local ids id lang
	ids=$(complete_lessons)
	[ -n "$ids" ] || skip "no lesson has both files yet"
	for id in $ids; do
		for lang in en zh; do
			COLUMNS=60 "$SYSTOUR" show "$id" --lang $lang >out.txt 2>/dev/null ||
				fail "show $id --lang $lang failed"
			head -n 1 out.txt | grep -q . || fail "show $id --lang $lang: no title"
			grep -qE '^1/[0-9]+ ' out.txt || fail "show $id --lang $lang: no first step"
		done
	done
}

@test "progress --json on the real tree has one entry per listed lesson" {
	setup_real
	local ids
	ids=$(complete_lessons)
	[ -n "$ids" ] || skip "no lesson has both files yet"
	run --separate-stderr "$SYSTOUR" progress --json
	assert_status 0
	IDS=$(echo $ids) json_assert '" ".join(l["id"] for l in j["lessons"]) == env["IDS"]'
}

@test "systour problems exits 0 on the real tree (all 9 lessons)" {
	setup_real
	local n
	n=$(find "$ROOT/lessons" -mindepth 1 -maxdepth 1 -type d -name '0[1-9]-*' | wc -l)
	[ "$n" -ge 9 ] || skip "only $n of the 9 lesson folders exist yet"
	local missing
	missing=$(for d in "$ROOT"/lessons/0[1-9]-*/; do
		[ -f "$d/lesson.en.md" ] && [ -f "$d/lesson.zh.md" ] || echo "${d%/}"
	done)
	[ -z "$missing" ] || skip "lesson files not written yet: $(echo $missing)"
	run --separate-stderr "$SYSTOUR" problems
	assert_status 0
	assert_out_has "All lessons loaded."
}

@test "the program in the source tree finds lessons/ beside it" {
	[[ "$SYSTOUR" == "$ROOT"/* ]] || skip "$SYSTOUR is not in the source tree"
	local first
	first=$(complete_lessons | head -n 1)
	[ -n "$first" ] || skip "no lesson has both files yet"
	unset SYSTOUR_LESSONS
	run --separate-stderr "$SYSTOUR" list
	assert_status 0
	assert_out_match "^${first:0:2}  ${first:3} "
}
