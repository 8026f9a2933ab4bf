# 02-filesystem.bats — the fs-tree demo of lesson 02, run to its end in
# plain mode with --delay 0: every os, os.path and shutil call of the notes
# on a scratch tree, the "os" pane's system calls and results, the "tree"
# pane's redraws, the figures, and nothing left behind (no process, no file).

bats_require_minimum_version 1.5.0

load ../helpers

setup() {
	demo_setup || return 1
	export SYSTOUR_LESSONS="$ROOT/lessons"
	unset FOO
}

@test "fs-tree is listed under its lesson" {
	run --separate-stderr "$SYSTOUR" demo
	[ "$status" -eq 0 ] || fail "demo list failed"
	printf '%s\n' "$output" | grep -qE '^fs-tree +02-filesystem +os, os.path and shutil' ||
		fail "fs-tree is not listed"
}

@test "fs-tree: two actors, each call once, in the order of the code, exit 0" {
	demo_ok fs-tree
	# the os actor (the leader), the tree actor, and the sh of os.system,
	# after which the os pane is the leader's again
	titles=$(printf '%s\n' "$output" | sed -n 's/^\[demo\] pane \(os: [a-z]*\), PID \([0-9]*\)$/\1 \2/p')
	leader=$(printf '%s\n' "$output" | sed -n 's/^\[demo\] PID \([0-9]*\) (os) exited with status 0$/\1/p')
	[ -n "$leader" ] || fail "the leader did not exit 0"
	sh=$(printf '%s\n' "$titles" | sed -n 's/^os: sh //p')
	[ -n "$sh" ] && [ "$sh" != "$leader" ] || fail "no sh child: $titles"
	[ "$titles" = "os: os $leader
os: sh $sh
os: os $leader" ] || fail "os pane titles: $titles"
	[ "$(printf '%s\n' "$output" | grep -c '^\[demo\] pane tree: tree, PID ')" -eq 1 ] || fail "no tree actor"
	calls=$(pane os | sed -n 's/^>>> //p')
	expected="import os, shutil
os.getcwd()
os.makedirs('a/b/c')
os.mkdir('a/d')
open('a/x.txt', 'w').write('hello, tree\n')
open('a/b/c/g.txt', 'w').write('g' * 100)
os.listdir('a')
os.remove('a/b/c/g.txt')
os.removedirs('a/b/c')
os.rename('a/x.txt', 'a/y.txt')
os.stat('a/y.txt')
os.path.isfile('a/y.txt')
os.path.isdir('a')
os.path.isabs('a/y.txt')
os.path.exists('missing')
os.path.split('a/y.txt')
os.path.splitext('a/b.tar.gz')
os.path.dirname('a/y.txt')
os.path.basename('a/y.txt')
os.putenv('FOO', '1')
os.getenv('FOO')
os.system('echo FOO=\$FOO')
os.environ['FOO'] = '1'
os.getenv('FOO')
os.linesep
os.name
os.chmod('a/y.txt', 0o640)
shutil.copyfile('a/y.txt', 'h.txt')
shutil.copy('a/y.txt', 'a/d')
shutil.copytree('a', 'a2')
shutil.move('h.txt', 'a/d/h.txt')
shutil.rmtree('a2')
shutil.rmtree('a')"
	[ "$calls" = "$expected" ] || fail "calls differ: $(diff <(echo "$expected") <(echo "$calls"))"
	pane os | grep -q 'failed' && fail "a call failed"
	assert_pane_has os "the tree actor exited with status 0"
	assert_no_leftovers
}

@test "fs-tree: the tree after every call, from empty back to empty" {
	demo_ok fs-tree
	entries=""
	for label in start import getcwd makedirs mkdir write_x write_g listdir \
	    remove removedirs rename stat isfile isdir isabs exists split splitext \
	    dirname basename putenv getenv system environ getenv2 linesep name \
	    chmod copyfile copy copytree move rmtree_a2 rmtree_a; do
		entries="$entries $(figure "entries_$label")" || return 1
	done
	# makedirs adds a, a/b, a/b/c; mkdir a/d; two files; remove one file;
	# removedirs takes c and b; copyfile, copy add one each; copytree four
	[ "$entries" = " 0 0 0 3 4 5 6 6 5 3 3 3 3 3 3 3 3 3 3 3 3 3 3 3 3 3 3 3 4 5 9 9 5 0" ] ||
		fail "entries after each call: $entries"
	# one redraw per call, plus the first one
	[ "$(pane tree | grep -c '^after ')" -eq 34 ] || fail "not 34 redraws"
	[ "$(pane tree | grep -c '^\./$')" -eq 34 ] || fail "not 34 trees"
	# the last redraw: empty
	[ "$(pane tree | tail -n 4)" = "after shutil.rmtree('a'):
./
  (empty)
0 entries, 0 bytes" ] || fail "the tree is not empty at the end: $(pane tree | tail -n 4)"
	# the tree after copytree, with modes and sizes
	after=$(pane tree | sed -n "/^after shutil.copytree('a', 'a2'):\$/,/entries/p")
	[ "$after" = "after shutil.copytree('a', 'a2'):
./
  a/                 drwxr-xr-x
    d/               drwxr-xr-x
      y.txt          -rw-r-----    12 B
    y.txt            -rw-r-----    12 B
  a2/                drwxr-xr-x
    d/               drwxr-xr-x
      y.txt          -rw-r-----    12 B
    y.txt            -rw-r-----    12 B
  h.txt              -rw-r--r--    12 B
9 entries, 60 bytes" ] || fail "tree after copytree: $after"
	# the file written is there with its size as soon as it is written
	pane tree | sed -n "/^after open('a\/x.txt'/,/entries/p" |
		grep -qxF '    x.txt            -rw-r--r--    12 B' || fail "x.txt not 12 B"
	pane tree | sed -n "/^after open('a\/b\/c\/g.txt'/,/entries/p" |
		grep -qxF '        g.txt        -rw-r--r--   100 B' || fail "g.txt not 100 B"
	assert_no_leftovers
}

@test "fs-tree: makedirs, mkdir, writes, listdir, remove, removedirs, rename, stat" {
	demo_ok fs-tree
	assert_figure makedirs_mkdirs 3
	# makedirs: stat upwards until something exists, then mkdir downwards
	pane os | sed -n "/^>>> os.makedirs/,/^-> /p" | grep -v '^>>>' > got
	cat > want <<'EOF'
   stat("a/b") = -1 ENOENT (No such file or directory)
   stat("a") = -1 ENOENT (No such file or directory)
   mkdir("a", 0777) = 0
   mkdir("a/b", 0777) = 0
   mkdir("a/b/c", 0777) = 0
-> None (3 directories made)
EOF
	diff want got || fail "makedirs trace differs"
	assert_pane_has os '   mkdir("a/d", 0777) = 0'
	assert_figure bytes_written 12
	pane os | grep -qE '^   write\([0-9]+, "hello"\.\.\., 12\) = 12$' || fail "no write of 12"
	pane os | grep -qE '^   write\([0-9]+, "ggggg"\.\.\., 100\) = 100$' || fail "no write of 100"
	# listdir: getdents64 until it returns 0; three names, in the
	# directory's order
	pane os | sed -n "/^>>> os.listdir('a')\$/,/^-> /p" | grep -v '^>>>' > got
	[ "$(sed -n 1p got)" = '   openat(AT_FDCWD, "a", O_RDONLY|O_DIRECTORY) = 3' ] || fail "listdir: $(cat got)"
	grep -qE '^   getdents64\(3, buf, 4096\) = [1-9][0-9]*$' got || fail "listdir: $(cat got)"
	[ "$(tail -n 3 got | head -n 2)" = '   getdents64(3, buf, 4096) = 0
   close(3) = 0' ] || fail "listdir: $(cat got)"
	assert_figure listdir_count 3
	names=$(pane os | sed -n "s/^-> \[\(.*\)\] (the directory's order, not sorted)$/\1/p" |
		tr -d "' " | tr , '\n' | sort | tr '\n' ' ')
	[ "$names" = "b d x.txt " ] || fail "listdir gave: $names"
	assert_pane_has os '   unlink("a/b/c/g.txt") = 0'
	# removedirs: the leaf, its parent, then stops at the non-empty 'a'
	pane os | sed -n "/^>>> os.removedirs/,/^-> /p" | grep -v '^>>>' > got
	cat > want <<'EOF'
   rmdir("a/b/c") = 0
   rmdir("a/b") = 0
   rmdir("a") = -1 ENOTEMPTY (Directory not empty)
-> None (2 directories removed)
EOF
	diff want got || fail "removedirs trace differs"
	assert_figure removedirs_removed 2
	assert_pane_has os '   rename("a/x.txt", "a/y.txt") = 0'
	assert_figure rename_same_inode 1
	# stat: st_size is what was written
	assert_figure stat_size "$(figure bytes_written)"
	pane os | grep -qE '^-> os\.stat_result\(st_mode=0o100644, st_ino=[0-9]+, st_nlink=1, st_size=12, st_mtime=[0-9]+\)$' ||
		fail "no stat_result"
	assert_no_leftovers
}

@test "fs-tree: isfile, isdir, isabs, exists, and the path strings" {
	demo_ok fs-tree
	assert_figure isfile 1
	assert_figure isdir 1
	assert_figure isabs 0
	assert_figure exists_missing 0
	assert_pane_has os '   stat("missing") = -1 ENOENT (No such file or directory)'
	assert_pane_has os '-> False (no exception: just False)'
	assert_pane_has os "-> ('a', 'y.txt')"
	assert_pane_has os "-> ('a/b.tar', '.gz') (only the last extension)"
	assert_pane_has os "   and os.path.splitext('.bashrc') -> ('.bashrc', '')"
	assert_pane_has os "-> 'a' (the head of os.path.split)"
	assert_pane_has os "-> 'y.txt' (the tail of os.path.split)"
	assert_pane_has os "   os.path.basename('/x/y/') -> '', but C's basename(\"/x/y/\") = \"y\""
	# the string functions make no system call: nothing traced under them
	for call in "os.path.split('a/y.txt')" "os.path.splitext('a/b.tar.gz')" \
	    "os.path.dirname('a/y.txt')" "os.path.basename('a/y.txt')" \
	    "os.path.isabs('a/y.txt')"; do
		pane os | sed -n "/^>>> $call\$/,/^>>> /p" | grep -qE '^   [a-z0-9_]+\(.*\) = ' &&
			fail "a system call under $call"
	done
	assert_no_leftovers
}

@test "fs-tree: putenv is not in os.environ, yet a child sees it; linesep, name" {
	demo_ok fs-tree
	assert_figure environ_has_foo_after_putenv 0
	assert_figure environ_has_foo 1
	# what each os.getenv('FOO') returned, while C's getenv saw "1" both times
	got=$(pane os | sed -n "/^>>> os.getenv('FOO')\$/,/^-> /p" | grep -v '^>>>')
	[ "$got" = "   os.environ.get('FOO'); C's getenv(\"FOO\") = \"1\"
-> None
   os.environ.get('FOO'); C's getenv(\"FOO\") = \"1\"
-> '1'" ] || fail "os.getenv: $got"
	# os.system's child, a real sh, prints the variable it inherited
	assert_pane_has os 'FOO=1'
	assert_figure system_status 0
	pane os | grep -qE '^   fork\(\) = [0-9]+$' || fail "no fork"
	pane os | grep -qE '^   wait4\([0-9]+, \.\.\.\) = [0-9]+$' || fail "no wait4"
	assert_pane_has os "-> '\\n' (1 character, a str: nothing to call)"
	assert_pane_has os "-> 'posix' (uname says sysname '$(uname -s)', release '$(uname -r)')"
	assert_no_leftovers
}

@test "fs-tree: copyfile, copy, copytree, move, rmtree" {
	demo_ok fs-tree
	assert_figure copyfile_bytes 12
	pane os | grep -qE '^   sendfile\([0-9]+, [0-9]+, NULL, 8 MiB\) = 12$' || fail "no sendfile of 12"
	# copy keeps the source's mode (0640 = 416), copyfile does not
	assert_figure copy_mode 416
	assert_pane_has os "-> 'a/d/y.txt' (mode 0640: the source's)"
	assert_figure copytree_files 2
	assert_figure copytree_dirs 2
	assert_figure copytree_mtime_kept 1
	# move within one file system is a rename: the same inode
	assert_pane_has os '   rename("h.txt", "a/d/h.txt") = 0'
	assert_figure move_same_inode 1
	assert_figure rmtree_a2_unlinked 2
	assert_figure rmtree_a2_rmdirs 2
	assert_figure rmtree_a_unlinked 3
	assert_figure rmtree_a_rmdirs 2
	# rmtree, as Python does it: through directory fds, entries before
	# their directory, 'a' itself last
	pane os | sed -n "/^>>> shutil.rmtree('a')\$/,/^-> /p" | grep -v '^>>>' > got
	[ "$(sed -n 1p got)" = '   openat(AT_FDCWD, "a", O_RDONLY|O_DIRECTORY|O_NOFOLLOW) = 3' ] ||
		fail "rmtree does not start with openat: $(cat got)"
	[ "$(tail -n 2 got | head -n 1)" = '   unlinkat(AT_FDCWD, "a", AT_REMOVEDIR) = 0' ] ||
		fail "a is not removed last: $(cat got)"
	[ "$(grep -cE '^   unlinkat\([0-9]+<a(/d)?>, "[a-z]+\.txt", 0\) = 0$' got)" -eq 3 ] ||
		fail "not 3 files unlinked: $(cat got)"
	[ "$(grep -cE '^   unlinkat\(3<a>, "d", AT_REMOVEDIR\) = 0$' got)" -eq 1 ] ||
		fail "a/d not removed through a's fd: $(cat got)"
	grep -qx '   unlinkat(3<a>, "d", AT_REMOVEDIR) = 0' <(sed -n '/unlinkat([0-9]*<a\/d>/,$p' got) ||
		fail "a/d removed before its files: $(cat got)"
	assert_no_leftovers
}

@test "fs-tree: all in the scratch directory, which is gone afterwards" {
	mkdir start && cd start
	demo_ok fs-tree
	assert_figure cwd_is_scratch 1
	cwd=$(pane os | sed -n "s/^-> '\(.*\)' (the scratch directory, where this process was started)$/\1/p")
	case "$cwd" in
	"$TMPDIR"/systour-fs-tree-*) ;;
	*) fail "getcwd gave '$cwd'" ;;
	esac
	[ ! -e "$cwd" ] || fail "the scratch directory $cwd is still there"
	[ -z "$(ls -A "$TMPDIR")" ] || fail "left in TMPDIR: $(ls -A "$TMPDIR")"
	# nothing was made in the directory the demo was started from
	[ -z "$(ls -A)" ] || fail "left in the start directory: $(ls -A)"
	assert_no_leftovers
}

@test "fs-tree: FOO set in the environment is unset for the demo" {
	FOO=outside demo_ok fs-tree
	printf '%s\n' "$output" | grep -qxF '[demo] FOO was set: unset for the demo' ||
		fail "no note about FOO"
	assert_figure environ_has_foo_after_putenv 0
	assert_pane_has os 'FOO=1'
	assert_no_leftovers
}

@test "fs-tree --step: one Enter per line, the os actor at each line of the code in turn" {
	run --separate-stderr "$SYSTOUR" demo fs-tree --plain --step < <(yes '' | head -n 33)
	[ "$status" -eq 0 ] || fail "fs-tree --step exited with status $status"
	lines=$(printf '%s\n' "$output" | sed -n 's/^\[code\] os at line \([0-9]*\): .*/\1/p' | tr '\n' ' ')
	[ "$lines" = "$(seq 1 33 | tr '\n' ' ')" ] || fail "positions: $lines"
	printf '%s\n' "$output" | grep -q '^\[code\] tree' && fail "the tree actor does not step"
	assert_pane_has os "the tree actor exited with status 0"
	assert_figure entries_rmtree_a 0
	assert_no_leftovers
}
