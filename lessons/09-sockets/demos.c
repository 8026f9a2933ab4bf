/* demos.c — the module of lesson 09 (sockets): the table of its live
 * demos, one file each: a server and its client with the socket states the
 * kernel shows (demo_echo.c), the listen queue filling up and the notes'
 * bind mistake (demo_backlog.c), and the same slow requests against an
 * iterative server, a thread per connection and epoll
 * (demo_three_servers.c); their helpers are in common.c. */
#define _GNU_SOURCE
#include "sock.h"

static const struct systour_demo *const demos[] = { &echo_demo,
	&backlog_demo, &three_servers_demo, NULL };

const struct systour_lesson_module systour_lesson_module = {
	.abi = SYSTOUR_LESSON_ABI,
	.lesson = "09-sockets",
	.demos = demos,
};
