#!/usr/bin/env bats
# pickle.bats — `systour pickle dis|repr|echo`: the disassembly against
# `python3 -m pickletools`, the safe decoder against python3's pickle.loads
# for a corpus of values dumped in protocols 0 to 5, the encoder against
# python3 (what systour writes, pickle.loads reads back equal, and byte for
# byte what pickle.dumps wrote), globals off the allow-list refused without
# running anything, and the usage and errors of the command.

load helpers

NOTES='\x80\x03]q\x00(K\x01K\x02K\x03K\x04e.'

need_python() {
	command -v python3 >/dev/null || skip "python3 is not installed"
}

@test "pickle dis: the notes' bytes, as python3 -m pickletools shows them" {
	printf "$NOTES" >notes.pkl
	run --separate-stderr "$SYSTOUR" pickle dis notes.pkl
	assert_status 0
	[ "$output" = "    0: \\x80 PROTO      3
    2: ]    EMPTY_LIST
    3: q    BINPUT     0
    5: (    MARK
    6: K        BININT1    1
    8: K        BININT1    2
   10: K        BININT1    3
   12: K        BININT1    4
   14: e        APPENDS    (MARK at 5)
   15: .    STOP
highest protocol among opcodes = 2" ] || fail "not the listing"
	[ -z "$stderr" ] || fail "stderr"
	need_python
	want=$(python3 -m pickletools notes.pkl)
	[ "$output" = "$want" ] || fail "differs from pickletools: $want"
	run --separate-stderr bash -c '"$0" pickle dis - <notes.pkl' "$SYSTOUR"
	assert_status 0
	[ "$output" = "$want" ] || fail "from stdin"
	run --separate-stderr "$SYSTOUR" pickle repr notes.pkl
	assert_status 0
	[ "$output" = "[1, 2, 3, 4]" ] || fail "repr"
}

@test "pickle dis -: each opcode is printed as soon as its bytes arrive" {
	mkfifo in
	"$SYSTOUR" pickle dis - <in >out 2>err &
	pid=$!
	exec 7>in
	printf '\x80\x03]q' >&7        # PROTO, EMPTY_LIST, half a BINPUT
	for _ in $(seq 100); do
		grep -q EMPTY_LIST out && break
		sleep 0.05
	done
	lines=$(grep -c . out || true)
	printf '\x00(K\x01K\x02K\x03K\x04e.' >&7
	exec 7>&-
	wait "$pid" || fail "exit status $?: $(cat err)"
	[ "$lines" -eq 2 ] || fail "$lines lines before the rest came: $(cat out)"
	grep -q '^highest protocol among opcodes = 2$' out || fail "$(cat out)"
}

@test "pickle: python3's values in protocols 0 to 5 decode to python3's repr; dis matches pickletools; echo gives python3 its value back, byte for byte" {
	need_python
	cat >interop.py <<'PY'
import io, os, pickle, pickletools, queue, subprocess, sys
S = os.environ['SYSTOUR']
shared = [1, 'x']
corpus = [
    None, True, False, 0, 1, -1, 255, 256, 65535, 65536, -129, 2**31 - 1,
    -2**31, 2**31, 2**63 - 1, -2**63, 2**63, 2**70, -2**70, 10**100, 2**2000,
    0.0, -0.0, 1.5, 1e16, 1e-5, 0.0001, 1e300, float('inf'), float('nan'),
    0.1, 1 / 3, 5e-324,
    '', 'a', "it's", 'say "hi"', 'both \' and "', 'tab\tnl\n\r', '\\',
    'nul\x00', '中文字符', 'é', '\x7f\x80\xa0\xad', '\u2028', '\U0001F600',
    '\ud800', 'x' * 300, 'y' * 70000,
    b'', b'a', b"it's", bytes(range(256)), b'w' * 70000,
    bytearray(), bytearray(b'xy'), bytearray(b'q' * 70000),
    (), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4), ((1,), (2, (3,))),
    [], [1], list(range(1000)), list(range(1001)),
    {}, {1: 2}, {'a': 1, 'b': [1, 2]}, {i: i for i in range(1000)},
    {(1, 2): 't', frozenset({1}): 'f', None: 0, 1.5: 'x', b'b': 'y'},
    set(), {1, 2, 3}, set(range(1000)), frozenset(), frozenset({1, 2}),
    [shared, shared], {'k': shared, 'j': shared},
    queue.Empty(), queue.Full(), ValueError('x'), KeyError('k'),
    TypeError('a', 2), RuntimeError(), EOFError(),
    FileNotFoundError(2, 'No such file'), ValueError, queue.Empty,
    ('#RETURN', None), ('#ERROR', queue.Empty()), ('#TRACEBACK', 'Trace'),
    ('4f2c', 'put', ('success ImageUrl_0',), {}),
    [[[[[[[[[[1]]]]]]]]]],
]
def run(args, data):
    r = subprocess.run([S] + args, input=data, capture_output=True)
    return r.returncode, r.stdout, r.stderr.decode(errors='replace')
bad = 0
def no(msg):
    global bad
    bad += 1
    print(msg)
checked = 0
for i, v in enumerate(corpus):
    for p in range(6):
        data = pickle.dumps(v, protocol=p)
        want = repr(pickle.loads(data))
        rc, out, err = run(['pickle', 'repr', '-'], data)
        got = out.decode('utf-8', 'surrogateescape').rstrip('\n')
        if rc != 0 or got != want:
            no(f'repr #{i} protocol {p}: {rc} {err} {got[:100]!r} != {want[:100]!r}')
        f = io.StringIO()
        pickletools.dis(data, out=f)
        rc, out, err = run(['pickle', 'dis', '-'], data)
        if rc != 0 or out.decode('utf-8', 'surrogateescape') != f.getvalue():
            no(f'dis #{i} protocol {p}: {rc} {err}')
        checked += 1
        if p < 2:
            continue
        for q in range(2, 6):
            rc, out, err = run(['pickle', 'echo', '--protocol', str(q), '-'], data)
            if rc != 0:
                no(f'echo #{i} {p}->{q}: {rc} {err}')
                continue
            if out[:2] != bytes([0x80, q]):
                no(f'echo #{i} {p}->{q}: not protocol {q}')
            if repr(pickle.loads(out)) != want:
                no(f'echo #{i} {p}->{q}: python3 loads {repr(pickle.loads(out))[:100]}')
            if p == q and out != data:
                no(f'echo #{i} protocol {p}: not the bytes python3 wrote')
print(f'{checked} pickles, {bad} bad')
sys.exit(1 if bad else 0)
PY
	run python3 interop.py
	[ "$status" -eq 0 ] || fail "interop"
	[[ "$output" == *"564 pickles, 0 bad" ]] || fail "count"
}

@test "pickle repr: a global off the allow-list is refused and never run" {
	need_python
	python3 - <<'PY'
import os, pickle
class Evil:
    def __reduce__(self):
        return (os.system, ('touch pwned',))
for p in range(6):
    open(f'evil{p}.pkl', 'wb').write(pickle.dumps(Evil(), protocol=p))
open('eval.pkl', 'wb').write(pickle.dumps(eval))
PY
	for p in 0 1 2 3 4 5; do
		run --separate-stderr "$SYSTOUR" pickle repr "evil$p.pkl"
		assert_status 1
		assert_one_error
		assert_err_has "pickle: global posix.system is not allowed (at offset "
		[ -z "$output" ] || fail "printed something"
		# the disassembler shows it (it runs nothing either)
		run --separate-stderr "$SYSTOUR" pickle dis "evil$p.pkl"
		assert_status 0
		assert_out_has "posix"
		assert_out_has "REDUCE"
	done
	run --separate-stderr "$SYSTOUR" pickle echo eval.pkl
	assert_status 1
	assert_err_has "global builtins.eval is not allowed"
	[ ! -e pwned ] || fail "the payload ran"
}

@test "pickle repr: a = (a, a) 60 times (252 bytes) prints a cut repr in bounded time and memory" {
	need_python
	python3 -c '
import pickle, sys
a = ()
for _ in range(60):
    a = (a, a)
sys.stdout.buffer.write(pickle.dumps(a))' >dag.pkl
	[ "$(wc -c <dag.pkl)" -eq 252 ]
	# Unbounded, it takes gigabytes within seconds: give it 512 MB and
	# 20 s of CPU, far more than the bounded walk needs.
	local v='ulimit -v 524288;'
	ldd "$SYSTOUR" 2>/dev/null | grep -q libasan && v=	# ASan: no -v
	run --separate-stderr bash -c "$v"' ulimit -t 20; exec "$0" pickle repr dag.pkl >repr.out' "$SYSTOUR"
	assert_status 0
	[ "$(head -c 11 repr.out)" = "(((((((((((" ] || fail "not the repr"
	grep -q '\.\.\. (repr cut at 1048576 bytes)$' repr.out || fail "does not say where it stopped"
	[ "$(wc -c <repr.out)" -le 1048700 ] || fail "too long: $(wc -c <repr.out)"
	# the plain shell survives it and runs the next command
	run --separate-stderr bash -c "$v"' ulimit -t 20; printf "pickle repr dag.pkl\nhelp\n" | "$0" --plain >plain.out' "$SYSTOUR"
	assert_status 0
	grep -q 'repr cut at 1048576 bytes' plain.out || fail "plain shell: no repr"
	grep -q 'pickle' <(tail -n 20 plain.out) || fail "plain shell: help did not run after it"
}

@test "pickle: a bad pickle is exit 1 with one line naming the offset" {
	printf 'h\x05.' >bad.pkl
	run --separate-stderr "$SYSTOUR" pickle dis bad.pkl
	assert_status 1
	[ "$output" = "    0: h    BINGET     5" ] || fail "the line before the error"
	[ "$stderr" = "systour: pickle: memo key 5 has never been stored into (at offset 0)" ] ||
	    fail "message"
	run --separate-stderr "$SYSTOUR" pickle repr bad.pkl
	assert_status 1
	[ "$stderr" = "systour: pickle: memo value not found at index 5 (at offset 0)" ] ||
	    fail "message"
	printf '\x80\x04\x8d\xff\xff\xff\xff\xff\xff\xff\x7fabc.' >huge.pkl
	run --separate-stderr "$SYSTOUR" pickle repr huge.pkl
	assert_status 1
	assert_one_error
	assert_err_has "BINUNICODE8 of 9223372036854775807 bytes, but only 4 follow (at offset 2)"
	run --separate-stderr "$SYSTOUR" pickle dis huge.pkl
	assert_status 1
	assert_err_has "BINUNICODE8 of 9223372036854775807 bytes, but only 4 follow (at offset 2)"
	printf 'K\x01' >short.pkl
	run --separate-stderr "$SYSTOUR" pickle dis short.pkl
	assert_status 1
	assert_err_has "pickle exhausted before seeing STOP (at offset 2)"
	run --separate-stderr "$SYSTOUR" pickle dis nosuch.pkl
	assert_status 1
	assert_one_error
	assert_err_has "pickle dis: nosuch.pkl: No such file or directory"
}

@test "pickle: bad usage is exit 2" {
	run --separate-stderr "$SYSTOUR" pickle
	assert_status 2
	assert_one_error
	run --separate-stderr "$SYSTOUR" pickle dis
	assert_status 2
	run --separate-stderr "$SYSTOUR" pickle load x.pkl
	assert_status 2
	assert_err_has "not dis, repr or echo"
	run --separate-stderr "$SYSTOUR" pickle echo x.pkl --protocol 1
	assert_status 2
	assert_err_has "--protocol 1: not 2, 3, 4 or 5"
	run --separate-stderr "$SYSTOUR" pickle dis x.pkl --protocol 3
	assert_status 2
	run --separate-stderr "$SYSTOUR" pickle dis x.pkl --frob
	assert_status 2
}

@test "pickle echo: writes what it read in the protocol asked; help says what it is for" {
	printf "$NOTES" >notes.pkl
	run bash -c '"$0" pickle echo --protocol 4 notes.pkl | od -An -tx1 | tr -d " \n"' "$SYSTOUR"
	assert_status 0
	[ "$output" = "8004950d000000000000005d94284b014b024b034b04652e" ] || fail "bytes"
	run --separate-stderr bash -c '"$0" pickle echo --protocol=3 - <notes.pkl | cmp - notes.pkl' "$SYSTOUR"
	assert_status 0
	run --separate-stderr "$SYSTOUR" help pickle
	assert_status 0
	assert_out_has "pickle dis|repr|echo FILE|- [--protocol N]"
	assert_out_has "to test systour's encoder against python3"
}

@test "pickle in the plain shell: a file works, standard input is refused" {
	printf "$NOTES" >notes.pkl
	run --separate-stderr bash -c 'printf "pickle repr notes.pkl\npickle dis -\npickle echo notes.pkl --protocol 3\n" | "$0" --plain' "$SYSTOUR"
	assert_out_has "[1, 2, 3, 4]"
	assert_err_has "pickle dis: - (standard input) only from the command line"
	assert_out_has "b'\\x80\\x03]q\\x00(K\\x01K\\x02K\\x03K\\x04e.'"
}

@test "pickle, manager and worker open neither the progress store nor the lessons" {
	export SYSTOUR_LESSONS="$FIXTURES/lessons-broken"
	run --separate-stderr "$SYSTOUR" pickle repr - < <(printf '\x80\x04K\x07.')
	assert_status 0
	[ "$output" = "7" ] || fail "expected 7"
	[ -z "$stderr" ] || fail "a standalone command reported the lessons' problems"
	[ ! -e "$(db_path)" ] || fail "pickle created $(db_path)"
	run --separate-stderr "$SYSTOUR" worker --connect 127.0.0.1:1 --timeout 1
	assert_status 1
	[ ! -e "$(db_path)" ] || fail "worker created $(db_path)"
	[ "$(grep -c . <<<"$stderr")" -eq 1 ] || fail "expected one error line"
	# a command that needs them still opens both
	run --separate-stderr "$SYSTOUR" list
	[ -e "$(db_path)" ] || fail "list did not open $(db_path)"
}
