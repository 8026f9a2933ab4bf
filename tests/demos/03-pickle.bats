#!/usr/bin/env bats
# 03-pickle.bats — the live demo of lesson 03 (pickle-dis), run to its end
# in plain mode: the notes' bytes go down a pipe one opcode at a time into
# the real disassembler (systour itself, exec'd as `systour pickle dis -`),
# whose pane must show exactly what `python3 -m pickletools` shows; after
# the run no process of the demo may be left.

bats_require_minimum_version 1.5.0

load ../helpers

NOTES_DIS='    0: \x80 PROTO      3
    2: ]    EMPTY_LIST
    3: q    BINPUT     0
    5: (    MARK
    6: K        BININT1    1
    8: K        BININT1    2
   10: K        BININT1    3
   12: K        BININT1    4
   14: e        APPENDS    (MARK at 5)
   15: .    STOP
highest protocol among opcodes = 2'

setup() { demo_setup; }

@test "pickle-dis: the notes' bytes through the real disassembler, opcode by opcode" {
	run --separate-stderr "$SYSTOUR" demo pickle-dis --plain --delay 0
	[ "$status" -eq 0 ] || fail "exit status $status"
	leader=$(pid_of python)
	child=$(pid_of "pickle dis")
	[ -n "$leader" ] && [ -n "$child" ] && [ "$leader" != "$child" ] ||
	    fail "no two PIDs: '$leader' '$child'"
	has "$output" "[demo] pane pickle dis: systour pickle dis -, PID $child"
	py=$(pane python)
	has "$py" "b'\\x80\\x03]q\\x00(K\\x01K\\x02K\\x03K\\x04e.'"
	has "$py" "pipe(), fork() = $child: the child runs"
	has "$py" "execl(\"/proc/self/exe\", \"systour\", \"pickle\", \"dis\", \"-\")"
	# one write per opcode, with the stack after it
	[ "$(grep -c '^write(pipe, ' <<<"$py")" -eq 10 ] || fail "not 10 writes"
	has "$py" "write(pipe, b'K\\x01')   6: BININT1 1: push 1"
	has "$py" "      stack: [[], MARK, 1, 2, 3, 4]"
	has "$py" "      stack: [[1, 2, 3, 4]]"
	has "$py" "waitpid($child): systour pickle dis exited with status 0"
	[ "$(tail -n 1 <<<"$py")" = "[1, 2, 3, 4]" ] || fail "last python line"
	# the disassembler's pane is pickletools' listing, line for line
	[ "$(pane "pickle dis")" = "$NOTES_DIS" ] || fail "the dis pane: $(pane "pickle dis")"
	if command -v python3 >/dev/null; then
		want=$(python3 -c 'import pickletools; pickletools.dis(b"\x80\x03]q\x00(K\x01K\x02K\x03K\x04e.")')
		[ "$(pane "pickle dis")" = "$want" ] || fail "not pickletools: $want"
	fi
	[ "$(figure pickle_bytes)" = 16 ] || fail "pickle_bytes"
	[ "$(figure opcodes)" = 10 ] || fail "opcodes"
	[ "$(figure dis_exit_status)" = 0 ] || fail "dis_exit_status"
	# the leader reaped the disassembler itself
	has "$output" "[demo] PID $leader (python) exited with status 0"
	! grep -q "^\[demo\] PID $child " <<<"$output" ||
	    fail "the disassembler was reaped by the supervisor"
	assert_no_leftovers
}

@test "pickle-dis: with steps that take time, each opcode is shown before the input ends" {
	run --separate-stderr "$SYSTOUR" demo pickle-dis --plain --delay 150
	[ "$status" -eq 0 ] || fail "exit status $status"
	proto_at=$(grep -n '^\[pickle dis\]     0: \\x80 PROTO      3$' <<<"$output" | cut -d: -f1)
	close_at=$(grep -n '^\[python\] close(pipe)' <<<"$output" | cut -d: -f1)
	[ -n "$proto_at" ] && [ -n "$close_at" ] && [ "$proto_at" -lt "$close_at" ] ||
	    fail "PROTO ($proto_at) was not shown before the pipe closed ($close_at)"
	[ "$(pane "pickle dis")" = "$NOTES_DIS" ] || fail "the dis pane"
	assert_no_leftovers
}

@test "pickle-dis: --step reports the lines of the notes' code" {
	run --separate-stderr bash -c 'yes "" | head -n 40 | "$0" demo pickle-dis --plain --step' "$SYSTOUR"
	[ "$status" -eq 0 ] || fail "exit status $status"
	has "$output" "[code] python at line 4: print(string)"
	has "$output" "[code] python at line 5: pickletools.dis(string)    # here: systour pickle dis -, reading a pipe"
	has "$output" "[code] python at line 7: print(string)"
	assert_no_leftovers
}
