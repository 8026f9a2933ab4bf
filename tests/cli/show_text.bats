#!/usr/bin/env bats
# show outside the TUI names a live demo as it is run there: `systour demo
# NAME` one-shot, `demo NAME` in the plain shell; never "press d".

load helpers

@test "one-shot show names systour demo NAME, never press d, in both languages" {
	export SYSTOUR_LESSONS="$ROOT/lessons"
	run --separate-stderr "$SYSTOUR" show processes
	assert_status 0
	assert_out_has 'Live demo "fork": run it with: systour demo fork'
	assert_out_lacks "press d"
	run --separate-stderr "$SYSTOUR" show processes --lang zh
	assert_status 0
	assert_out_has '现场演示“fork”：运行它：systour demo fork'
	assert_out_lacks "按 d"
}

@test "the plain shell's show names demo NAME, never press d" {
	export SYSTOUR_LESSONS="$ROOT/lessons"
	run --separate-stderr "$SYSTOUR" --plain <<<$'show processes 2\nstep 1\n'
	assert_status 0
	assert_out_has 'Live demo "fork": type demo fork to run it.'
	assert_out_lacks "press d"
	run --separate-stderr "$SYSTOUR" --plain --lang zh <<<$'show processes 1\n'
	assert_status 0
	assert_out_has '输入 demo fork 运行'
	assert_out_lacks "按 d"
}
