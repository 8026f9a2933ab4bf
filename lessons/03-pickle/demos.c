/* demos.c — the live demo of lesson 03 (pickle): the notes' bytes
 * b'\x80\x03]q\x00(K\x01K\x02K\x03K\x04e.' go down a pipe one opcode at a
 * time into the real disassembler, `systour pickle dis -` (this very
 * program, exec'd through /proc/self/exe), which prints each opcode as
 * pickletools does as soon as its bytes are in; beside it, the stack of
 * the machine that pickle.loads runs. Built into demos.so and loaded by
 * the tutor. */
#define _GNU_SOURCE
#include "demo_lib.h"
#include "lesson_module.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The notes' example (lines 1-5 of the notes' code, without the file that
 * it never wrote), with protocol=3 to get the notes' bytes on Python 3.8+,
 * and pickletools where the notes print the bytes. */
static const char dis_code[] =
	"import pickle, pickletools\n"                                  /* 1 */
	"my_list = [1, 2, 3, 4]\n"                                      /* 2 */
	"string = pickle.dumps(my_list, protocol=3)   # the notes' bytes\n" /* 3 */
	"print(string)\n"                                               /* 4 */
	"pickletools.dis(string)    # here: systour pickle dis -, reading a pipe\n" /* 5 */
	"string = pickle.loads(string)\n"                               /* 6 */
	"print(string)\n";                                              /* 7 */

static const unsigned char notes[] = "\x80\x03]q\x00(K\x01K\x02K\x03K\x04" "e.";

/* The notes' bytes opcode by opcode, and the stack after each, as the
 * machine of pickle.loads has it. */
static const struct {
	unsigned char off, len;
	const char *what, *what_zh, *stack;
} ops[] = {
	{ 0, 2, "PROTO 3: protocol version 3", "PROTO 3：协议版本 3", "[]" },
	{ 2, 1, "EMPTY_LIST: push a new list", "EMPTY_LIST：压入一个新列表",
	  "[[]]" },
	{ 3, 2, "BINPUT 0: memo[0] = the list (no pop)",
	  "BINPUT 0：memo[0] = 这个列表（不弹出）", "[[]]" },
	{ 5, 1, "MARK: push a mark", "MARK：压入一个标记", "[[], MARK]" },
	{ 6, 2, "BININT1 1: push 1", "BININT1 1：压入 1", "[[], MARK, 1]" },
	{ 8, 2, "BININT1 2", "BININT1 2", "[[], MARK, 1, 2]" },
	{ 10, 2, "BININT1 3", "BININT1 3", "[[], MARK, 1, 2, 3]" },
	{ 12, 2, "BININT1 4", "BININT1 4", "[[], MARK, 1, 2, 3, 4]" },
	{ 14, 1, "APPENDS: all above the mark into the list below it",
	  "APPENDS：把标记之上的全部放进它下面的列表", "[[1, 2, 3, 4]]" },
	{ 15, 1, "STOP: the top of the stack is the result",
	  "STOP：栈顶就是结果", "[]" },
};

#define NOPS (sizeof ops / sizeof ops[0])

/* Python's repr of bytes, for the notes' line 4. */
static void
print_bytes(const unsigned char *p, size_t n)
{
	printf("b'");
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\'' || p[i] == '\\')
			printf("\\%c", p[i]);
		else if (p[i] >= 0x20 && p[i] < 0x7f)
			putchar(p[i]);
		else
			printf("\\x%02x", p[i]);
	}
	printf("'");
}

static int
dis_run(struct demo_ctx *ctx, const struct demo_api *api,
    struct demo_actor *me)
{
	api->step(me, 2);
	printf("my_list = [1, 2, 3, 4]\n");
	api->step(me, 3);
	printf(DEMO_TR(api, ctx, "pickle.dumps(..., protocol=3): %zu bytes\n",
	    "pickle.dumps(..., protocol=3)：%zu 字节\n"), sizeof notes - 1);
	api->figure(me, "pickle_bytes", (long long)(sizeof notes - 1));
	api->step(me, 4);
	print_bytes(notes, sizeof notes - 1);
	printf("\n");

	api->step(me, 5);
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0) {
		perror("pipe2");
		return 1;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		me = api->to_pane(ctx, 1, "systour pickle dis -");
		if (dup2(fds[0], STDIN_FILENO) < 0) {
			perror("dup2");
			_exit(127);
		}
		/* the disassembler itself: this program, run again */
		execl("/proc/self/exe", "systour", "pickle", "dis", "-", (char *)NULL);
		perror("execl /proc/self/exe");
		_exit(127);
	}
	close(fds[0]);
	printf(DEMO_TR(api, ctx, "pipe(), fork() = %d: the child runs\n",
	    "pipe()，fork() = %d：子进程运行\n"), (int)pid);
	printf("  execl(\"/proc/self/exe\", \"systour\", \"pickle\", \"dis\", \"-\")\n");
	printf(DEMO_TR(api, ctx, "  with its stdin on the pipe; it prints each opcode once its bytes are in\n",
	    "  它的 stdin 接在管道上；每个操作码的字节一到，它就打印出来\n"));
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < NOPS; i++) {
		api->step(me, 5);
		printf("write(pipe, ");
		print_bytes(notes + ops[i].off, ops[i].len);
		printf(")  %2u: %s\n", ops[i].off, DEMO_TR(api, ctx, ops[i].what,
		    ops[i].what_zh));
		printf(DEMO_TR(api, ctx, "      stack: %s\n", "      栈：%s\n"),
		    ops[i].stack);
		fflush(stdout);
		if (demo_write_all(fds[1], notes + ops[i].off, ops[i].len) < 0) {
			perror("write");
			break;
		}
	}
	close(fds[1]);
	printf(DEMO_TR(api, ctx, "close(pipe): the disassembler reads the end of its input\n",
	    "close(pipe)：反汇编器读到了输入的结尾\n"));
	int status;
	if (waitpid(pid, &status, 0) != pid) {
		perror("waitpid");
		return 1;
	}
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	char how[64];
	printf(DEMO_TR(api, ctx, "waitpid(%d): systour pickle dis %s\n",
	    "waitpid(%d)：systour pickle dis %s\n"), (int)pid,
	    demo_how_lang(status, api->zh(ctx), how, sizeof how));
	api->figure(me, "opcodes", (long long)NOPS);
	api->figure(me, "dis_exit_status", code);

	api->step(me, 6);
	printf(DEMO_TR(api, ctx, "pickle.loads runs the same opcodes: at STOP the top of the stack is\n",
	    "pickle.loads 执行同样的操作码：到 STOP 时栈顶是\n"));
	printf(DEMO_TR(api, ctx, "a new list, equal to my_list but not the same object\n",
	    "一个新列表，与 my_list 相等，但不是同一个对象\n"));
	api->step(me, 7);
	printf("[1, 2, 3, 4]\n");
	return code == 0 ? 0 : 1;
}

static const char *const dis_panes[] = { "python", "pickle dis", NULL };
static const char *const dis_panes_zh[] = { "python", "pickle dis", NULL };

static const struct systour_demo dis_demo = {
	.name = "pickle-dis",
	.title_en = "The notes' pickle, opcode by opcode, through systour pickle dis",
	.title_zh = "笔记中的 pickle 字节，逐个操作码送进 systour pickle dis",
	.code = dis_code,
	.panes = dis_panes,
	.panes_zh = dis_panes_zh,
	.run = dis_run,
};

static const struct systour_demo *const demos[] = { &dis_demo, NULL };

const struct systour_lesson_module systour_lesson_module = {
	.abi = SYSTOUR_LESSON_ABI,
	.lesson = "03-pickle",
	.demos = demos,
};
