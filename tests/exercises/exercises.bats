#!/usr/bin/env bats
# exercises.bats — every exercise under exercises/: its starter fails its
# check, its solution passes, and a program that only prints what the
# solution printed fails (see ex_helpers.bash). Generated one test per
# exercise; add a line here when an exercise is added.

bats_require_minimum_version 1.5.0

load ../helpers
load ex_helpers

setup() {
	ex_setup || return 1
}

teardown() {
	ex_teardown
}

@test "coroutines/01-running-average: the starter fails, the solution passes, printing its output fails" {
	ex_three coroutines/01-running-average
}

@test "coroutines/02-round-robin: the starter fails, the solution passes, printing its output fails" {
	ex_three coroutines/02-round-robin
}

@test "coroutines/03-consumer-produce: the starter fails, the solution passes, printing its output fails" {
	ex_three coroutines/03-consumer-produce
}

@test "coroutines/04-gevent-fetch: the starter fails, the solution passes, printing its output fails" {
	ex_three coroutines/04-gevent-fetch
}

@test "distributed/01-safe-worker: the starter fails, the solution passes, printing its output fails" {
	ex_three distributed/01-safe-worker
}

@test "distributed/02-frame-codec: the starter fails, the solution passes, printing its output fails" {
	ex_three distributed/02-frame-codec
}

@test "distributed/03-collect-results: the starter fails, the solution passes, printing its output fails" {
	ex_three distributed/03-collect-results
}

@test "files/01-line-buffered-log: the starter fails, the solution passes, printing its output fails" {
	ex_three files/01-line-buffered-log
}

@test "files/02-copy-chunks: the starter fails, the solution passes, printing its output fails" {
	ex_three files/02-copy-chunks
}

@test "files/03-count-bytes: the starter fails, the solution passes, printing its output fails" {
	ex_three files/03-count-bytes
}

@test "filesystem/01-atomic-write: the starter fails, the solution passes, printing its output fails" {
	ex_three filesystem/01-atomic-write
}

@test "filesystem/02-find-by-ext: the starter fails, the solution passes, printing its output fails" {
	ex_three filesystem/02-find-by-ext
}

@test "filesystem/03-tree-size: the starter fails, the solution passes, printing its output fails" {
	ex_three filesystem/03-tree-size
}

@test "ipc/01-queue-sentinel: the starter fails, the solution passes, printing its output fails" {
	ex_three ipc/01-queue-sentinel
}

@test "ipc/02-pipe-eof: the starter fails, the solution passes, printing its output fails" {
	ex_three ipc/02-pipe-eof
}

@test "ipc/03-pipe-capacity: the starter fails, the solution passes, printing its output fails" {
	ex_three ipc/03-pipe-capacity
}

@test "pickle/01-hand-pickle: the starter fails, the solution passes, printing its output fails" {
	ex_three pickle/01-hand-pickle
}

@test "pickle/02-safe-unpickler: the starter fails, the solution passes, printing its output fails" {
	ex_three pickle/02-safe-unpickler
}

@test "pickle/03-round-trip: the starter fails, the solution passes, printing its output fails" {
	ex_three pickle/03-round-trip
}

@test "processes/01-fork-wait: the starter fails, the solution passes, printing its output fails" {
	ex_three processes/01-fork-wait
}

@test "processes/02-join-all: the starter fails, the solution passes, printing its output fails" {
	ex_three processes/02-join-all
}

@test "processes/03-pool-results: the starter fails, the solution passes, printing its output fails" {
	ex_three processes/03-pool-results
}

@test "sockets/01-recv-until-eof: the starter fails, the solution passes, printing its output fails" {
	ex_three sockets/01-recv-until-eof
}

@test "sockets/02-fix-server: the starter fails, the solution passes, printing its output fails" {
	ex_three sockets/02-fix-server
}

@test "sockets/03-echo-server: the starter fails, the solution passes, printing its output fails" {
	ex_three sockets/03-echo-server
}

@test "threads/01-counter-lock: the starter fails, the solution passes, printing its output fails" {
	ex_three threads/01-counter-lock
}

@test "threads/02-rlock-reentrant: the starter fails, the solution passes, printing its output fails" {
	ex_three threads/02-rlock-reentrant
}

@test "threads/03-lock-order: the starter fails, the solution passes, printing its output fails" {
	ex_three threads/03-lock-order
}
