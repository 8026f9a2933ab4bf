#!/usr/bin/env bats
# The progress store as the command line sees it: where it lives, a file
# that is not a database, a location that cannot be written, and two shells
# writing to one database at once. Lessons: tests/fixtures/lessons-basic.

load helpers

@test "the default database is \$XDG_DATA_HOME/systour/progress.db" {
	run --separate-stderr "$SYSTOUR" --plain <<<'show 1'
	assert_status 0
	[ -s "$XDG_DATA_HOME/systour/progress.db" ] || fail "no database at the default path"
	[ ! -e "$HOME/.local/share/systour/progress.db" ] || fail "written under HOME"
}

@test "without XDG_DATA_HOME the database is under \$HOME/.local/share/systour" {
	unset XDG_DATA_HOME
	run --separate-stderr "$SYSTOUR" --plain <<<'show 1'
	assert_status 0
	[ -s "$HOME/.local/share/systour/progress.db" ] || fail "no database under HOME"
	run --separate-stderr "$SYSTOUR" progress --json
	json_assert 'j["database"] == env["HOME"] + "/.local/share/systour/progress.db"'
}

@test "a garbage progress.db is moved aside, keeps its bytes, and list still works" {
	local db
	db=$(db_path)
	mkdir -p "${db%/*}"
	cp "$FIXTURES/garbage-progress.db" "$db"
	run --separate-stderr "$SYSTOUR" list
	assert_status 0
	assert_out_match '^01 +alpha '
	assert_one_error
	# the warning names both paths
	local moved=("$db".corrupt-*)
	[ "${#moved[@]}" -eq 1 ] && [ -f "${moved[0]}" ] || fail "no moved file: ${moved[*]}"
	[[ "${moved[0]}" =~ \.corrupt-[0-9]{8}-[0-9]{6}$ ]] || fail "bad name: ${moved[0]}"
	assert_err_has "$db "
	assert_err_has "${moved[0]}"
	cmp "$FIXTURES/garbage-progress.db" "${moved[0]}" || fail "the moved file lost its bytes"
	# a fresh database took its place and saves progress
	run --separate-stderr "$SYSTOUR" --plain <<<'show 1'
	assert_status 0
	[ -z "$stderr" ] || fail "a second warning: $stderr"
	run --separate-stderr "$SYSTOUR" list
	[[ "${lines[0]}" =~ \ 25%\ +1/4$ ]] || fail "the fresh database does not save"
}

# damaged_db FILE: an SQLite database (right header) whose second page is
# overwritten, so that quick_check finds it damaged.
damaged_db() {
	python3 - "$1" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("CREATE TABLE t (x TEXT)")
c.executemany("INSERT INTO t VALUES (?)", [("row %d " % i * 20,) for i in range(500)])
c.commit()
c.close()
b = bytearray(open(sys.argv[1], "rb").read())
b[4096:4196] = b"\xff" * 100
open(sys.argv[1], "wb").write(bytes(b))
EOF
}

@test "a damaged SQLite database given with --db is moved aside, and never deleted" {
	damaged_db mine.db
	cp mine.db orig.db
	run --separate-stderr "$SYSTOUR" --db "$BATS_TEST_TMPDIR/mine.db" progress --json
	assert_status 0
	assert_one_error
	json_assert 'j["saving"] is True'
	local moved=("$BATS_TEST_TMPDIR"/mine.db.corrupt-*)
	[ -f "${moved[0]}" ] || fail "not moved aside"
	cmp orig.db "${moved[0]}" || fail "bytes changed"
	# again: the second damaged file gets another name, the first stays
	cp orig.db mine.db
	run --separate-stderr "$SYSTOUR" --db "$BATS_TEST_TMPDIR/mine.db" list
	assert_status 0
	moved=("$BATS_TEST_TMPDIR"/mine.db.corrupt-*)
	[ "${#moved[@]}" -eq 2 ] || fail "expected two moved files: ${moved[*]}"
}

@test "--db naming a file that is not SQLite at all: refused (1), the file untouched" {
	cp "$FIXTURES/garbage-progress.db" mine.txt
	run --separate-stderr "$SYSTOUR" --db "$BATS_TEST_TMPDIR/mine.txt" list
	assert_status 1
	assert_one_error
	assert_err_has "$BATS_TEST_TMPDIR/mine.txt"
	assert_err_has "not an SQLite database"
	[ -z "$output" ] || fail "it ran anyway"
	cmp "$FIXTURES/garbage-progress.db" mine.txt || fail "the file changed"
	local side=(mine.txt?*)
	[ ! -e "${side[0]}" ] || fail "files appeared: ${side[*]}"
	# in Chinese too
	run --separate-stderr "$SYSTOUR" --lang zh --db "$BATS_TEST_TMPDIR/mine.txt" list
	assert_status 1
	assert_err_has "不是 SQLite 数据库"
}

@test "--db in a folder that does not exist: an error naming the folder (1), nothing created" {
	run --separate-stderr "$SYSTOUR" --db "$BATS_TEST_TMPDIR/no/such/dir/x.db" list
	assert_status 1
	assert_one_error
	assert_err_has "$BATS_TEST_TMPDIR/no/such/dir"
	assert_err_has "does not exist"
	[ ! -e "$BATS_TEST_TMPDIR/no" ] || fail "the folders were created"
	# the default location, though, is created
	run --separate-stderr "$SYSTOUR" --plain <<<'show 1'
	assert_status 0
	[ -s "$(db_path)" ] || fail "the default database was not created"
}

@test "a database on a full disk (/dev/full) says the disk is full and names it" {
	[ -w /dev/full ] || skip "no /dev/full"
	run --separate-stderr "$SYSTOUR" --db /dev/full list
	assert_status 0
	assert_one_error
	assert_err_has "/dev/full"
	assert_err_has "the disk is full"
	[[ "$stderr" != *rollback* ]] || fail "SQLite's rollback message leaked"
	assert_out_match '^01 +alpha '
}

@test "an empty progress.db file is taken as a new database, silently" {
	local db
	db=$(db_path)
	mkdir -p "${db%/*}"
	: >"$db"
	run --separate-stderr "$SYSTOUR" --plain <<<'show 2'
	assert_status 0
	[ -z "$stderr" ] || fail "stderr: $stderr"
	run --separate-stderr "$SYSTOUR" list
	[[ "${lines[1]}" =~ \ 50%\ +1/2$ ]] || fail "progress not saved"
}

@test "--db under a regular file: one warning line, list still works (0)" {
	echo "a file" >afile
	run --separate-stderr "$SYSTOUR" --db "$BATS_TEST_TMPDIR/afile/progress.db" list
	assert_status 0
	assert_one_error
	assert_err_has "$BATS_TEST_TMPDIR/afile/progress.db"
	assert_err_has "without saving"
	assert_out_match '^01 +alpha .* 0% +0/4$'
	[ "$(cat afile)" = "a file" ] || fail "the file was touched"
}

@test "--db that cannot be written: the shell runs, saves nothing, says so once" {
	echo "a file" >afile
	run --separate-stderr "$SYSTOUR" --db "$BATS_TEST_TMPDIR/afile/p.db" --plain \
		<<<$'show 1\nnext\nprogress\n'
	assert_status 0
	assert_one_error
	assert_out_match '^2/4 · Reading it back$'
	assert_out_has "Progress is not being saved."
	run --separate-stderr "$SYSTOUR" --db "$BATS_TEST_TMPDIR/afile/p.db" progress --json
	assert_status 0
	json_assert 'j["saving"] is False' '[l["seen"] for l in j["lessons"]] == [0, 0, 0]'
}

@test "a read-only database file: one warning line, list still works (0)" {
	[ "$(id -u)" -ne 0 ] || skip "root can write read-only files"
	run --separate-stderr "$SYSTOUR" --plain <<<'show 1'
	chmod a-w "$(db_path)"
	run --separate-stderr "$SYSTOUR" list
	assert_status 0
	assert_one_error
	assert_err_has "$(db_path)"
}

@test "two plain shells writing to one database at once both succeed, counts add up" {
	local n=1000 db="$BATS_TEST_TMPDIR/shared/progress.db"
	mkdir "$BATS_TEST_TMPDIR/shared"
	local script_a script_b i
	for ((i = 0; i < n; i++)); do
		script_a+=$'show alpha\nnext\nnext\n'
		script_b+=$'show alpha\nnext\nshow beta\n'
	done
	"$SYSTOUR" --db "$db" --plain <<<"$script_a" >a.out 2>a.err &
	local pa=$!
	"$SYSTOUR" --db "$db" --plain <<<"$script_b" >b.out 2>b.err &
	local pb=$!
	local ra=0 rb=0
	wait "$pa" || ra=$?
	wait "$pb" || rb=$?
	[ "$ra" -eq 0 ] || fail "shell A exited $ra: $(cat a.err)"
	[ "$rb" -eq 0 ] || fail "shell B exited $rb: $(cat b.err)"
	[ ! -s a.err ] || fail "shell A stderr: $(cat a.err)"
	[ ! -s b.err ] || fail "shell B stderr: $(cat b.err)"
	[ "$(grep -c '^\[01-alpha' a.out)" -eq $((3 * n)) ] || fail "shell A did not show every step"
	run --separate-stderr "$SYSTOUR" --db "$db" progress --json
	assert_status 0
	# alpha step 1: n + n, step 2: n + n, step 3: n; beta step 1: n
	N=$n json_assert \
		'[(s["step"], s["times"]) for s in j["lessons"][0]["steps_seen"]] == [(1, 2 * int(env["N"])), (2, 2 * int(env["N"])), (3, int(env["N"]))]' \
		'[(s["step"], s["times"]) for s in j["lessons"][1]["steps_seen"]] == [(1, int(env["N"]))]'
}
