/* redis_loop.h — hiredis's asynchronous client on systour's event loop
 * (loop.h), as hiredis's adapters do for libevent or ae: hiredis asks to
 * start or stop reading and writing its socket, we keep one fd watch and
 * change what it waits for (loop_fd_set). */
#ifndef SYSTOUR_REDIS_LOOP_H
#define SYSTOUR_REDIS_LOOP_H

#include "loop.h"

#include <hiredis/async.h>

/* Attach ac (just made by redisAsyncConnect) to l: REDIS_OK, or REDIS_ERR
 * when something is attached already or the loop refuses its socket. The
 * watch goes when hiredis frees the context (its cleanup hook). */
int	redis_loop_attach(struct loop *l, redisAsyncContext *ac);

#endif
