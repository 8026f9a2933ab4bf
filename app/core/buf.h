/* buf.h — the one growable buffer: bytes with a length, always followed by
 * a NUL, grown in one place (as Redis's sds and tmux's evbuffer), and the
 * one way to grow an array. Every buffer in systour that grows is one of
 * these; allocation never fails (it aborts, as util.h's wrappers do). */
#ifndef SYSTOUR_BUF_H
#define SYSTOUR_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;     /* NULL until something is added; then NUL-terminated */
	size_t len;     /* bytes in use, not counting the NUL */
	size_t cap;     /* bytes allocated */
};

#define BUF_INIT { NULL, 0, 0 }

/* Make room for at least more bytes after len (and the NUL). */
void buf_reserve(struct buf *b, size_t more);

/* Append n bytes, one byte, a C string, or formatted text. */
void buf_add(struct buf *b, const void *p, size_t n);
void buf_addc(struct buf *b, char c);
void buf_adds(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);

/* Drop the first n bytes (all of them if n >= len). */
void buf_consume(struct buf *b, size_t n);

/* Forget the contents, keep the memory. */
void buf_clear(struct buf *b);

/* The contents as a NUL-terminated string the caller owns and frees (never
 * NULL: "" when empty); *len gets its length if asked. The buffer is empty
 * and reusable afterwards. */
char *buf_detach(struct buf *b, size_t *len);

/* The contents as a C string that stays the buffer's ("" when empty). */
const char *buf_str(const struct buf *b);

/* Free the memory; the buffer is empty and reusable afterwards. */
void buf_free(struct buf *b);

/* Grow an array of elements of size bytes so that it holds at least need of
 * them: *cap doubles (from 8) until it does. Returns the (maybe moved)
 * array. Use through ARRAY_GROW. */
void *array_grow(void *array, size_t *cap, size_t need, size_t size);

/* ARRAY_GROW(v, cap, need): make the array v (a pointer variable) hold at
 * least need elements; cap is its capacity in elements (a size_t). */
#define ARRAY_GROW(v, cap, need) \
	((v) = array_grow((v), &(cap), (need), sizeof *(v)))

#endif
