/* test_coswitch.c — lesson 07's context switch (lessons/07-coroutines/
 * coswitch.c, compiled into this test): a coroutine runs on its own stack,
 * the two sides switch back and forth many times, and across every switch
 * each side's callee-saved registers keep the values it put there (an
 * assembly probe loads fresh values right before coswitch() and reads
 * them back right after). test_coswitch_uc.c runs the same on the
 * ucontext fallback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "unit.h"
#include "../../lessons/07-coroutines/coswitch.c"

#define ROUNDS 200000

#if defined(__x86_64__)
#define NREGS 6
/* probe(from, to, seed, out): rbx rbp r12 r13 r14 r15 = seed+1 .. seed+6,
 * coswitch(from, to), then those six registers into out[0..5]. The
 * caller's own values are kept around it. */
__asm__(
	".text\n"
	".type probe, @function\n"
	"probe:\n"
	"	pushq %rbp\n"
	"	pushq %rbx\n"
	"	pushq %r12\n"
	"	pushq %r13\n"
	"	pushq %r14\n"
	"	pushq %r15\n"
	"	pushq %rcx\n"                   /* out; rsp is 16-aligned now */
	"	leaq 1(%rdx), %rbx\n"
	"	leaq 2(%rdx), %rbp\n"
	"	leaq 3(%rdx), %r12\n"
	"	leaq 4(%rdx), %r13\n"
	"	leaq 5(%rdx), %r14\n"
	"	leaq 6(%rdx), %r15\n"
	"	call coswitch\n"
	"	popq %rcx\n"
	"	movq %rbx, 0(%rcx)\n"
	"	movq %rbp, 8(%rcx)\n"
	"	movq %r12, 16(%rcx)\n"
	"	movq %r13, 24(%rcx)\n"
	"	movq %r14, 32(%rcx)\n"
	"	movq %r15, 40(%rcx)\n"
	"	popq %r15\n"
	"	popq %r14\n"
	"	popq %r13\n"
	"	popq %r12\n"
	"	popq %rbx\n"
	"	popq %rbp\n"
	"	ret\n"
	".size probe, .-probe\n");
void probe(struct coctx *from, struct coctx *to, uint64_t seed, uint64_t *out);
#elif defined(__aarch64__)
#define NREGS 10
/* x19 .. x28 = seed+1 .. seed+10 around coswitch(from, to). */
__asm__(
	".text\n"
	".type probe, %function\n"
	"probe:\n"
	"	stp x29, x30, [sp, #-96]!\n"
	"	stp x19, x20, [sp, #16]\n"
	"	stp x21, x22, [sp, #32]\n"
	"	stp x23, x24, [sp, #48]\n"
	"	stp x25, x26, [sp, #64]\n"
	"	stp x27, x28, [sp, #80]\n"
	"	str x3, [sp, #-16]!\n"
	"	add x19, x2, #1\n"
	"	add x20, x2, #2\n"
	"	add x21, x2, #3\n"
	"	add x22, x2, #4\n"
	"	add x23, x2, #5\n"
	"	add x24, x2, #6\n"
	"	add x25, x2, #7\n"
	"	add x26, x2, #8\n"
	"	add x27, x2, #9\n"
	"	add x28, x2, #10\n"
	"	bl coswitch\n"
	"	ldr x3, [sp], #16\n"
	"	stp x19, x20, [x3, #0]\n"
	"	stp x21, x22, [x3, #16]\n"
	"	stp x23, x24, [x3, #32]\n"
	"	stp x25, x26, [x3, #48]\n"
	"	stp x27, x28, [x3, #64]\n"
	"	ldp x19, x20, [sp, #16]\n"
	"	ldp x21, x22, [sp, #32]\n"
	"	ldp x23, x24, [sp, #48]\n"
	"	ldp x25, x26, [sp, #64]\n"
	"	ldp x27, x28, [sp, #80]\n"
	"	ldp x29, x30, [sp], #96\n"
	"	ret\n"
	".size probe, .-probe\n");
void probe(struct coctx *from, struct coctx *to, uint64_t seed, uint64_t *out);
#else
#define NREGS 0
static void
probe(struct coctx *from, struct coctx *to, uint64_t seed, uint64_t *out)
{
	coswitch(from, to);
}
#endif

static struct coctx main_ctx;
static struct coro co;
static long co_rounds, co_bad;

static void
check(const uint64_t *out, uint64_t seed, long *bad)
{
	for (int i = 0; i < NREGS; i++)
		if (out[i] != seed + 1 + (uint64_t)i)
			++*bad;
}

/* The coroutine: its own seeds, back to main each round. */
static void
co_body(void *arg)
{
	uint64_t out[16];
	long n = *(long *)arg;
	for (long i = 0; i < n; i++) {
		uint64_t seed = 0xc0c0000000000000ull + (uint64_t)i * 64;
		probe(&co.ctx, &main_ctx, seed, out);
		check(out, seed, &co_bad);
		co_rounds++;
	}
}

static void
test_switch_keeps_registers(void **state)
{
	uint64_t out[16];
	long n = ROUNDS, bad = 0, i;
	co_rounds = co_bad = 0;
	assert_int_equal(coro_init(&co, co_body, &n, 64 * 1024, &main_ctx), 0);
	for (i = 0; !co.done; i++) {
		uint64_t seed = 0x5a5a000000000000ull + (uint64_t)i * 64;
		probe(&main_ctx, &co.ctx, seed, out);
		check(out, seed, &bad);
	}
	/* n switches back from the coroutine, then its end */
	assert_int_equal(i, ROUNDS + 1);
	assert_int_equal(co_rounds, ROUNDS);
	assert_int_equal(bad, 0);
	assert_int_equal(co_bad, 0);
	coro_free(&co);
}

/* Locals live on each coroutine's own stack: two of them count apart. */
static struct coro two[2];
static long total[2];

static void
counter(void *arg)
{
	long k = (long)(intptr_t)arg, mine = 0;
	for (int i = 0; i < 1000; i++) {
		mine += k;
		total[k - 1] = mine;
		coswitch(&two[k - 1].ctx, &main_ctx);
	}
}

static void
test_two_stacks(void **state)
{
	for (int k = 0; k < 2; k++)
		assert_int_equal(coro_init(&two[k], counter,
		    (void *)(intptr_t)(k + 1), 16384, &main_ctx), 0);
	while (!two[0].done || !two[1].done)
		for (int k = 0; k < 2; k++)
			if (!two[k].done)
				coswitch(&main_ctx, &two[k].ctx);
	assert_int_equal(total[0], 1000);
	assert_int_equal(total[1], 2000);
	assert_non_null(coswitch_kind());
	coro_free(&two[0]);
	coro_free(&two[1]);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup_alarm, teardown_alarm)
	const struct CMUnitTest tests[] = {
		T(test_switch_keeps_registers),
		T(test_two_stacks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
