/* coswitch.c — the context switch that lesson 07's demos run on (see
 * coswitch.h), and the stacks of its coroutines.
 *
 * A switch is an ordinary function call, so the compiler has already saved
 * every register that a call may clobber. What is left to save are the
 * callee-saved ones (x86-64 SysV: rbx, rbp, r12-r15; aarch64: x19-x29, the
 * link register x30 and d8-d15) and the stack pointer. coswitch(from, to)
 * pushes them on the current stack, stores the stack pointer in from->sp,
 * loads to->sp and pops the other coroutine's registers; its return goes
 * into the other coroutine, at the call of coswitch() where it stopped.
 * No system call: the kernel never knows.
 *
 * On x86-64 that return is a pop and an indirect jump rather than `ret`:
 * the CPU predicts `ret` from a stack of its own calls, which a switch of
 * stacks always proves wrong (some 20 cycles each time); an indirect jump
 * is predicted from where it went before, which a ping-pong repeats. The
 * x87 and SSE control words, which boost.context also saves, are left
 * alone: nothing here changes rounding modes.
 *
 * swapcontext(3) does the same and more: it saves every register and the
 * signal mask, and swapping the signal mask is a system call,
 * rt_sigprocmask(SIG_SETMASK, ...), on every switch. That is the fallback
 * on other machines, and what the bench measures this against. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "coswitch.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Where a new coroutine starts: co->fn(co->arg), then back for good. */
static void __attribute__((used, noreturn))
coro_main(struct coro *co)
{
	co->fn(co->arg);
	co->done = 1;
	coswitch(&co->ctx, co->back);
	abort();                /* nobody switches to a finished coroutine */
}

#if defined(COSWITCH_UCONTEXT)
/* ===== the portable fallback: ucontext ================================= */

void
coswitch(struct coctx *from, struct coctx *to)
{
	swapcontext(&from->uc, &to->uc);
}

/* makecontext() passes int arguments only: the pointer comes in halves. */
static void
coro_entry(unsigned hi, unsigned lo)
{
	coro_main((struct coro *)(((uintptr_t)hi << 16 << 16) | lo));
}

static int
ctx_make(struct coro *co, char *top)
{
	uintptr_t p = (uintptr_t)co;
	if (getcontext(&co->ctx.uc) != 0)
		return -1;
	co->ctx.uc.uc_stack.ss_sp = co->stack;
	co->ctx.uc.uc_stack.ss_size = (size_t)(top - (char *)co->stack);
	co->ctx.uc.uc_link = NULL;
	makecontext(&co->ctx.uc, (void (*)(void))coro_entry, 2,
	    (unsigned)(p >> 16 >> 16), (unsigned)(p & 0xffffffffu));
	return 0;
}

const char *
coswitch_kind(void)
{
	return "ucontext (swapcontext)";
}

#elif defined(__x86_64__)
/* ===== x86-64 (System V ABI) ============================================ */

/* rdi = from, rsi = to. */
__asm__(
	".text\n"
	".globl coswitch\n"
	".hidden coswitch\n"
	".type coswitch, @function\n"
	"coswitch:\n"
	"	pushq %rbp\n"
	"	pushq %rbx\n"
	"	pushq %r12\n"
	"	pushq %r13\n"
	"	pushq %r14\n"
	"	pushq %r15\n"
	"	movq %rsp, (%rdi)\n"    /* from->sp = rsp */
	"	movq (%rsi), %rsp\n"    /* rsp = to->sp: the other stack */
	"	popq %r15\n"
	"	popq %r14\n"
	"	popq %r13\n"
	"	popq %r12\n"
	"	popq %rbx\n"
	"	popq %rbp\n"
	"	popq %rax\n"            /* its return address: where it */
	"	jmpq *%rax\n"           /* called coswitch (see above) */
	".size coswitch, .-coswitch\n"
	/* A new coroutine's first `ret` lands here, with its struct coro in
	 * r12 and coro_main in r13 (ctx_make put them on its stack). */
	".globl coswitch_entry\n"
	".hidden coswitch_entry\n"
	".type coswitch_entry, @function\n"
	"coswitch_entry:\n"
	"	movq %r12, %rdi\n"
	"	callq *%r13\n"
	"	ud2\n"
	".size coswitch_entry, .-coswitch_entry\n");

void coswitch_entry(void);

static int
ctx_make(struct coro *co, char *top)
{
	/* What coswitch pops, lowest first: r15 r14 r13 r12 rbx rbp, then
	 * the return address. After that `ret`, rsp is 16-byte aligned, as
	 * the ABI wants before a call. */
	uintptr_t *sp = (uintptr_t *)(((uintptr_t)top & ~(uintptr_t)15) - 72);
	memset(sp, 0, 72);
	sp[2] = (uintptr_t)coro_main;           /* r13 */
	sp[3] = (uintptr_t)co;                  /* r12 */
	sp[6] = (uintptr_t)coswitch_entry;      /* return address */
	co->ctx.sp = sp;
	return 0;
}

const char *
coswitch_kind(void)
{
	return "x86-64 assembly";
}

#elif defined(__aarch64__)
/* ===== aarch64 (AAPCS64) ================================================ */

/* x0 = from, x1 = to. */
__asm__(
	".text\n"
	".globl coswitch\n"
	".hidden coswitch\n"
	".type coswitch, %function\n"
	"coswitch:\n"
	"	sub sp, sp, #160\n"
	"	stp x19, x20, [sp, #0]\n"
	"	stp x21, x22, [sp, #16]\n"
	"	stp x23, x24, [sp, #32]\n"
	"	stp x25, x26, [sp, #48]\n"
	"	stp x27, x28, [sp, #64]\n"
	"	stp x29, x30, [sp, #80]\n"      /* frame pointer, link reg */
	"	stp d8, d9, [sp, #96]\n"
	"	stp d10, d11, [sp, #112]\n"
	"	stp d12, d13, [sp, #128]\n"
	"	stp d14, d15, [sp, #144]\n"
	"	mov x9, sp\n"
	"	str x9, [x0]\n"                 /* from->sp = sp */
	"	ldr x9, [x1]\n"
	"	mov sp, x9\n"                   /* sp = to->sp */
	"	ldp x19, x20, [sp, #0]\n"
	"	ldp x21, x22, [sp, #16]\n"
	"	ldp x23, x24, [sp, #32]\n"
	"	ldp x25, x26, [sp, #48]\n"
	"	ldp x27, x28, [sp, #64]\n"
	"	ldp x29, x30, [sp, #80]\n"
	"	ldp d8, d9, [sp, #96]\n"
	"	ldp d10, d11, [sp, #112]\n"
	"	ldp d12, d13, [sp, #128]\n"
	"	ldp d14, d15, [sp, #144]\n"
	"	add sp, sp, #160\n"
	"	ret\n"                          /* to x30 */
	".size coswitch, .-coswitch\n"
	".globl coswitch_entry\n"
	".hidden coswitch_entry\n"
	".type coswitch_entry, %function\n"
	"coswitch_entry:\n"
	"	mov x0, x19\n"
	"	blr x20\n"
	"	brk #0\n"
	".size coswitch_entry, .-coswitch_entry\n");

void coswitch_entry(void);

static int
ctx_make(struct coro *co, char *top)
{
	uintptr_t *sp = (uintptr_t *)(((uintptr_t)top & ~(uintptr_t)15) - 160);
	memset(sp, 0, 160);
	sp[0] = (uintptr_t)co;                  /* x19 */
	sp[1] = (uintptr_t)coro_main;           /* x20 */
	sp[11] = (uintptr_t)coswitch_entry;     /* x30 */
	co->ctx.sp = sp;
	return 0;
}

const char *
coswitch_kind(void)
{
	return "aarch64 assembly";
}
#endif

/* ===== stacks =========================================================== */

int
coro_init(struct coro *co, void (*fn)(void *), void *arg, size_t size,
    struct coctx *back)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	memset(co, 0, sizeof *co);
	size = (size + page - 1) / page * page;
	char *p = mmap(NULL, size + page, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	if (mprotect(p, page, PROT_NONE) != 0) {  /* overflow: SIGSEGV */
		int e = errno;
		munmap(p, size + page);
		errno = e;
		return -1;
	}
	co->stack = p;
	co->size = size + page;
	co->fn = fn;
	co->arg = arg;
	co->back = back;
	if (ctx_make(co, p + size + page) != 0) {
		int e = errno;
		coro_free(co);
		errno = e;
		return -1;
	}
	return 0;
}

void
coro_free(struct coro *co)
{
	if (co->stack != NULL)
		munmap(co->stack, co->size);
	co->stack = NULL;
}
