#!/usr/bin/env bats
# 07-coroutines.bats — the live demos of lesson 07 (coroutines): generator,
# greenlet and gevent-pool, each run to its end in plain mode with --delay
# 0. We check the order that the switches give (read from the timeline
# pane, which one actor writes in order), the figures the demos measured,
# the Chinese narration, and that no process of a demo is left after it.

bats_require_minimum_version 1.5.0

load ../helpers

setup() {
	demo_setup || return 1
	export SYSTOUR_LESSONS="$ROOT/lessons"
}

# The timeline's events without their times: "from -> to  what" for a
# switch, the event's text otherwise.
timeline_events() {
	pane timeline | sed -E 's/^ *[+-][0-9]+\.[0-9]+ ms +(#[0-9]+ +)?//'
}

@test "greenlet: A and B switch after each print: 1 x 2 y 3 z" {
	demo_ok greenlet
	assert_pane_has main "printed, in order: 1 x 2 y 3 z"
	for s in 1 2 3; do pane_matches "greenlet A" "^$s    \(a local on my own stack"; done
	for s in x y z; do pane_matches "greenlet B" "^$s    \(a local on my own stack"; done
	# every print and every switch, in the order they happened
	want="main -> A  ga.switch()
A: print('1')
A -> B  gb.switch()
B: print('x')
B -> A  ga.switch()
A: print('2')
A -> B  gb.switch()
B: print('y')
B -> A  ga.switch()
A: print('3')
A -> B  gb.switch()
B: print('z')
B -> main  B returns: to its parent"
	[ "$(timeline_events)" = "$want" ] || fail "timeline: $(timeline_events)"
	assert_figure switches 7
	assert_figure a_dead 0
	assert_figure b_dead 1
	assert_pane_has main "False True"
	# A's and B's locals are on two different stacks
	a=$(pane "greenlet A" | sed -n 's/.* at \(0x[0-9a-f]*\))$/\1/p' | sort -u)
	b=$(pane "greenlet B" | sed -n 's/.* at \(0x[0-9a-f]*\))$/\1/p' | sort -u)
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ] || fail "stacks: A $a, B $b"
	# the measured switch beats swapcontext (which makes a system call)
	cs=$(figure coswitch_ns_x10) && uc=$(figure swapcontext_ns_x10) ||
	    fail "no switch figures"
	[ "$cs" -gt 0 ] && [ "$((cs * 5))" -lt "$uc" ] ||
	    fail "coswitch $cs, swapcontext $uc (tenths of ns)"
	assert_no_leftovers
}

@test "generator: send(None), five send(n)/yield '200 OK', then close()" {
	demo_ok generator
	want="producer -> consumer  send(None)
consumer -> producer  yield ''"
	for n in 1 2 3 4 5; do
		want="$want
producer -> consumer  send($n)
consumer -> producer  yield '200 OK'"
	done
	want="$want
producer -> consumer  close()
consumer -> producer  the consumer has ended"
	[ "$(timeline_events)" = "$want" ] || fail "timeline: $(timeline_events)"
	# the notes' fifteen lines, in the notes' order within each pane
	p=$(pane producer | grep -E '^\[PRODUCER\]')
	w=""
	for n in 1 2 3 4 5; do
		w="$w[PRODUCER] Producing $n...
[PRODUCER] Consumer return: 200 OK
"
	done
	[ "$p" = "${w%$'\n'}" ] || fail "producer: $p"
	[ "$(pane consumer | grep -E '^\[CONSUMER\]')" = "$(printf '[CONSUMER] Consuming %s...\n' 1 2 3 4 5)" ] ||
	    fail "consumer: $(pane consumer)"
	assert_pane_has producer "c.send(None) -> ''"
	assert_pane_has consumer "GeneratorExit at the yield: the consumer ends"
	assert_pane_has producer "the consumer is finished: GEN_CLOSED"
	assert_figure sends 6
	assert_figure yields 6
	assert_figure switches 14
	assert_figure threads 1
	assert_no_leftovers
}

@test "gevent-pool: together in about the longest delay; Pool(2); a blocking call freezes the rest" {
	demo_ok gevent-pool
	pane_matches server '^systour serve http: stopped: 7 requests'
	pane_matches main "^base = 'http://127\.0\.0\.1:[0-9]+'    \(systour serve http, PID [0-9]+: listening on 127\.0\.0\.1:[0-9]+\)$"
	# each fetch got its answer
	for g in 1 2 3; do
		[ "$(pane_count "greenlet $g" ' data length is [0-9]+     \(HTTP 200, ')" -eq 2 ] ||
		    fail "greenlet $g: not two answers"
	done
	# joinall: the total is near the longest fetch (400 ms asked), far
	# from the sum of the three (900 ms asked)
	t=$(figure joinall_ms) && sum=$(figure fetch_sum_ms) &&
	    long=$(figure fetch_longest_ms) || fail "no joinall figures"
	[ "$long" -ge 400 ] && [ "$sum" -ge 900 ] || fail "fetches: longest $long ms, sum $sum ms"
	[ "$t" -ge "$long" ] && [ "$((t - long))" -lt 250 ] && [ "$((t * 4))" -lt "$((sum * 3))" ] ||
	    fail "joinall took $t ms; the longest fetch $long ms, their sum $sum ms"
	pane_matches main "^joinall: 3 fetches together in $t ms; one after another they would take \(the sum of their times\) $sum ms; the longest took $long ms$"
	# Pool(2): two first; the third starts when the first of them ends
	# (200 ms), and the whole takes about 200 + 400 ms
	t=$(figure pool_ms)
	[ "$t" -ge 600 ] && [ "$t" -lt 900 ] || fail "Pool(2) took $t ms"
	s=$(figure pool_third_start_ms) && e=$(figure pool_first_end_ms) || fail "no pool figures"
	[ "$s" -ge 200 ] && [ "$s" -ge "$e" ] && [ "$((s - e))" -lt 100 ] ||
	    fail "third started at $s ms, first ended at $e ms"
	# one thread all along
	pane_matches main '^threads in this process: 1$'
	# the blocking recv: 500 ms; no tick happened during it, and each
	# ticker's events were late by about its length
	b=$(figure block_ms)
	[ "$b" -ge 500 ] && [ "$b" -lt 1000 ] || fail "the blocking call took $b ms"
	assert_figure ticks_during_block 0
	g=$(figure max_tick_gap_ms)
	[ "$g" -ge "$b" ] || fail "longest gap between ticks $g ms, the block $b ms"
	# the same, read from the timeline: the blocker's start and end, and
	# no other event in between
	tl=$(pane timeline | sed -n '/---- ticker a, ticker b, blocker ----/,$p')
	from=$(sed -nE 's/^ *\+([0-9]+)\.[0-9]+ ms +blocker: recv\(\) on a blocking socket.*/\1/p' <<<"$tl")
	to=$(sed -nE 's/^ *\+([0-9]+)\.[0-9]+ ms +blocker: recv\(\) returned after .*/\1/p' <<<"$tl")
	[ -n "$from" ] && [ -n "$to" ] && [ "$((to - from))" -ge 500 ] ||
	    fail "timeline: blocker from '$from' to '$to'"
	inside=$(awk -v f="$from" -v t="$to" '{ ms = $1 + 0 } ms > f + 1 && ms < t' <<<"$tl" | grep -c 'ticker' || true)
	[ "$inside" -eq 0 ] || fail "ticker events during the block: $tl"
	# the first ticks after it come at its end, not 100 ms after the last
	after=$(grep -E '^ *\+[0-9.]+ ms +ticker a: tick 2$' <<<"$tl" | sed -E 's/^ *\+([0-9]+).*/\1/')
	[ -n "$after" ] && [ "$after" -ge "$to" ] || fail "ticker a's tick 2 at '$after', block ended at $to"
	assert_no_leftovers 3
}

@test "coroutine demos speak Chinese with --lang zh" {
	run_demo greenlet --lang zh
	[ "$status" -eq 0 ] || fail "greenlet --lang zh"
	assert_pane_has main "按顺序打印的是： 1 x 2 y 3 z"
	grep -q '^\[demo\] 每个 greenlet 都有自己的栈' <<<"$output" || fail "no Chinese note"
	run_demo generator --lang zh
	[ "$status" -eq 0 ] || fail "generator --lang zh"
	grep -q '^\[demo\] c.send(None) 启动生成器' <<<"$output" || fail "no Chinese note"
	pane timeline | grep -q 'consumer 已结束$' || fail "timeline not in Chinese"
	run_demo gevent-pool --lang zh
	[ "$status" -eq 0 ] || fail "gevent-pool --lang zh"
	pane_matches main '^joinall: 3 个请求一起用了 [0-9]+ ms'
	pane timeline | grep -q '进入队列，还没运行$' || fail "timeline not in Chinese"
	assert_no_leftovers 3
}
