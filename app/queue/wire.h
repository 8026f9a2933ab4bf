/* wire.h — the framing and the handshake of CPython's
 * multiprocessing.connection: the layer under the manager and the worker.
 *
 * Frames: a 4-byte big-endian signed length and the payload; a payload over
 * 0x7fffffff bytes is announced by a length of -1 followed by an 8-byte
 * big-endian length (CPython's Connection._send_bytes / _recv_bytes). A
 * length read from the peer is never trusted: every reader has a limit, and a
 * frame over it is an error as soon as its header is read, before any memory
 * is set aside for it. Other negative lengths are errors too (CPython would
 * read them as empty frames; no honest peer sends one).
 *
 * Handshake: CPython's deliver_challenge / answer_challenge, done in both
 * directions (the listening side challenges first). Two forms:
 *   legacy (Python <= 3.11): b'#CHALLENGE#' + 20 random bytes, answered with
 *     the raw 16-byte HMAC-MD5(authkey, those 20 bytes);
 *   modern (Python >= 3.12): b'#CHALLENGE#' + b'{sha256}' + 40 random bytes,
 *     answered with b'{sha256}' + HMAC-SHA256(authkey, b'{sha256}' + the 40
 *     bytes): the MAC covers the digest name too.
 * Then b'#WELCOME#' or b'#FAILURE#'. Handshake messages are limited to
 * WIRE_HANDSHAKE_MAX bytes as CPython's recv_bytes(256) does. Like CPython
 * 3.12, a challenger accepts any answer it can verify: a raw 16-byte MD5 (what
 * a 3.11 peer sends whatever the challenge) or a {name} answer for md5,
 * sha256, sha384, sha3_256 or sha3_384; an answerer answers whichever
 * challenge it gets. Nonces come from getrandom(2), digests are compared with
 * CRYPTO_memcmp, HMAC is libcrypto's.
 *
 * Three pieces, for two kinds of caller:
 *   an event loop (the manager): struct wire_reader (non-blocking, fed from a
 *     readable fd or with bytes), struct wire_writer (an output queue flushed
 *     when the fd is writable) and struct wire_auth (the handshake as a state
 *     machine: frames in, frames out, a result);
 *   a blocking peer (the worker): struct wire_conn, the same pieces over one
 *     fd with deadlines, and wire_conn_client_auth / wire_conn_server_auth.
 *
 * Every struct here may be embedded (no hidden allocation besides buffers);
 * none owns or closes the fd it is used with. */
#ifndef SYSTOUR_WIRE_H
#define SYSTOUR_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Return codes. */
enum {
	WIRE_OK = 0,		/* done, or (reader) a frame is here */
	WIRE_ERR = -1,		/* an error: see the *_error() or *cause */
	WIRE_AGAIN = 1,		/* nothing more now: wait for the fd */
	WIRE_EOF = 2,		/* the peer closed the stream */
	WIRE_TIMEOUT = 3	/* (blocking helpers) the deadline passed */
};

#define WIRE_MAX_FRAME_DEFAULT	((size_t)16 << 20)	/* --max-frame */
#define WIRE_HANDSHAKE_MAX	256	/* CPython: recv_bytes(256) */
#define WIRE_HEADER_MAX		12	/* -1 and an 8-byte length */

/* ---------------------------------------------------------------- frames */

/* Write the header of a frame of len bytes into hdr, as CPython does: 4 bytes
 * when len <= 0x7fffffff, else -1 and 8 bytes. Returns the header's size. */
size_t wire_header(unsigned char hdr[WIRE_HEADER_MAX], uint64_t len);

/* A complete frame handed out by a reader. The bytes belong to the reader and
 * stay valid until the next call of any wire_reader_* function on it (a
 * wire_conn counts as its reader). data is never NULL, even when len is 0. */
struct wire_frame {
	const unsigned char	*data;
	size_t			 len;
};

/* ---------------------------------------------------------------- reader */

/* An incremental frame reader. Feed it (wire_reader_read from a fd, or
 * wire_reader_feed with bytes), then call wire_reader_next until it says
 * WIRE_AGAIN: each WIRE_OK hands out one frame. Bytes after a frame are
 * kept for the next one, so a reader may be fed any split of the stream, a
 * byte at a time or many frames at once. Memory: a fixed 64 KiB staging
 * buffer, plus, for a frame bigger than that, a buffer that grows with the
 * bytes that actually arrive (never to the announced length up front). After
 * WIRE_ERR the reader is dead: every call returns WIRE_ERR. All fields are
 * private. */
struct wire_reader {
	size_t		 max;		/* limit on a payload */
	int		 state;
	unsigned char	*in;		/* staging: bytes not yet parsed */
	size_t		 in_cap, in_start, in_end;
	uint64_t	 want;		/* payload length, once known */
	size_t		 hlen;		/* its header's size */
	unsigned char	*body;		/* a big payload being gathered */
	size_t		 body_len, body_cap;
	int		 drop_body;	/* body was handed out: free it */
	char		 why[128];
};

/* Start a reader whose frames may be at most max bytes (0 means
 * WIRE_MAX_FRAME_DEFAULT). Allocates nothing yet. */
void wire_reader_init(struct wire_reader *r, size_t max);

/* Free the reader's buffers. The struct may then be initialised again. */
void wire_reader_free(struct wire_reader *r);

/* Change the limit, for the frames whose header is not read yet: a server
 * reads the handshake with WIRE_HANDSHAKE_MAX and then raises it. */
void wire_reader_set_max(struct wire_reader *r, size_t max);

/* Read once from fd: recv(2) with MSG_DONTWAIT on a socket (so it never
 * blocks, even on a blocking socket), read(2) on anything else (make a pipe
 * non-blocking first). EINTR is retried.
 * WIRE_OK: bytes arrived, now call wire_reader_next until WIRE_AGAIN.
 * WIRE_AGAIN: nothing to read (EAGAIN). WIRE_EOF: the peer closed; frames
 * that arrived before are still there, so drain wire_reader_next, then
 * wire_reader_pending() > 0 means the peer stopped in the middle of a frame.
 * WIRE_ERR: read(2) failed (errno is kept) or the reader is dead. */
int wire_reader_read(struct wire_reader *r, int fd);

/* Give the reader len bytes of the stream (copied). WIRE_OK, or WIRE_ERR
 * when the reader is dead. */
int wire_reader_feed(struct wire_reader *r, const void *data, size_t len);

/* The next complete frame. WIRE_OK: *f is set (see struct wire_frame).
 * WIRE_AGAIN: more bytes are needed. WIRE_ERR: the stream is bad (a length
 * over the limit, a negative length); wire_reader_error() says why, and the
 * connection should be dropped. */
int wire_reader_next(struct wire_reader *r, struct wire_frame *f);

/* Bytes received but not handed out yet (a partial frame, or frames not yet
 * taken with wire_reader_next). */
size_t wire_reader_pending(const struct wire_reader *r);

/* Bytes of memory the reader holds now (its buffers' capacity). */
size_t wire_reader_memory(const struct wire_reader *r);

/* Why the reader died, or "" while it is alive. */
const char *wire_reader_error(const struct wire_reader *r);

/* ---------------------------------------------------------------- writer */

/* An output queue: frames are appended (copied) at once and go out when
 * wire_writer_flush finds the fd writable, so a server never blocks on a slow
 * client. The queue grows without limit: watch wire_writer_pending() and stop
 * reading requests from a client whose replies pile up. All fields are
 * private. */
struct wire_writer {
	struct buf	 b;		/* what was queued (buf.h) */
	size_t		 start;		/* how much of it is sent */
};

void wire_writer_init(struct wire_writer *w);
void wire_writer_free(struct wire_writer *w);

/* Queue one frame: the header for len bytes, then the payload. */
void wire_writer_frame(struct wire_writer *w, const void *payload, size_t len);

/* Queue raw bytes (no header): for tests that build odd frames. */
void wire_writer_raw(struct wire_writer *w, const void *data, size_t len);

/* Send as much as the fd takes now (send(2) with MSG_NOSIGNAL|MSG_DONTWAIT
 * on a socket, so it never blocks nor raises SIGPIPE; write(2) on anything
 * else). WIRE_OK: the queue is empty. WIRE_AGAIN: bytes remain, wait for
 * POLLOUT. WIRE_ERR: the write failed (errno is kept; EPIPE when the peer is
 * gone); the queue is left as it was. */
int wire_writer_flush(struct wire_writer *w, int fd);

/* Bytes queued and not yet sent. */
size_t wire_writer_pending(const struct wire_writer *w);

/* -------------------------------------------------------------- handshake */

enum wire_role {
	WIRE_SERVER,	/* Listener.accept(): challenge first, then answer */
	WIRE_CLIENT	/* Client(): answer first, then challenge */
};

/* The form of the challenge this side delivers. */
enum wire_digest {
	WIRE_DIGEST_MD5,	/* legacy: 20 bytes, as Python <= 3.11 */
	WIRE_DIGEST_SHA256	/* {sha256} + 40 bytes, as Python >= 3.12 */
};

/* Where a handshake stands. */
enum wire_auth_status {
	WIRE_AUTH_MORE,		/* waiting for the peer's next frame */
	WIRE_AUTH_DONE,		/* both sides proved the key */
	WIRE_AUTH_FAILED	/* over: wire_auth_error() says why */
};

/* One side of the mutual handshake as a state machine: give it the peer's
 * frames, it queues its own frames on a writer. It never reads or writes a fd
 * itself. The key is not copied: it must outlive the handshake. Fields other
 * than the two below are private. */
struct wire_auth {
	enum wire_role		 role;
	enum wire_digest	 form;
	int			 state;
	const unsigned char	*key;
	size_t			 keylen;
	unsigned char		 nonce[64];	/* the challenge we delivered */
	size_t			 noncelen;
	/* Readable once they are known (NULL before): the digest this side
	 * answered the peer's challenge with, and the one the peer used to
	 * answer ours ("md5", "sha256", ...). */
	const char		*answered;
	const char		*verified;
	char			 why[160];
};

/* Set up one side. form is the challenge this side will deliver. */
void wire_auth_init(struct wire_auth *a, enum wire_role role,
    const void *key, size_t keylen, enum wire_digest form);

/* Begin: a server queues its #CHALLENGE# on out; a client queues nothing and
 * waits for the server's. WIRE_AUTH_MORE, or WIRE_AUTH_FAILED when no nonce
 * could be drawn. */
enum wire_auth_status wire_auth_start(struct wire_auth *a,
    struct wire_writer *out);

/* Give the handshake the peer's next frame (read with a limit of
 * WIRE_HANDSHAKE_MAX; a longer frame fails here too). Replies are queued on
 * out, even on failure: a challenger whose challenge was answered wrongly
 * queues #FAILURE#, as CPython does, and the caller should flush it before it
 * closes. After DONE, frames that follow belong to the protocol above (raise
 * the reader's limit before the next wire_reader_next). Once DONE or FAILED,
 * the status no longer changes. */
enum wire_auth_status wire_auth_feed(struct wire_auth *a,
    const void *frame, size_t len, struct wire_writer *out);

/* Why the handshake failed, or "". */
const char *wire_auth_error(const struct wire_auth *a);

/* Wipe the nonce. The struct may be initialised again. */
void wire_auth_clear(struct wire_auth *a);

/* ---------------------------------------------------- a blocking connection */

/* One fd with a reader and a writer, for a peer that waits for each answer
 * (the worker). Timeouts are in milliseconds, -1 for none; the fd is a
 * socket, blocking or not (every wait is a poll, every call MSG_DONTWAIT).
 * On a timeout nothing is lost: the partial frame stays in the reader, the
 * unsent bytes in the writer, and the next call carries on. */
struct wire_conn {
	int			 fd;
	struct wire_reader	 rd;
	struct wire_writer	 wr;
	/* After a handshake: as in struct wire_auth. */
	const char		*answered;
	const char		*verified;
};

/* Wrap fd, reading frames of at most max bytes (0: the default). */
void wire_conn_init(struct wire_conn *c, int fd, size_t max);

/* Free the buffers; the fd is left open. */
void wire_conn_free(struct wire_conn *c);

/* Send one frame (after anything still queued). WIRE_OK, WIRE_TIMEOUT, or
 * WIRE_ERR with *cause set (allocated; the caller frees it; cause may be
 * NULL). */
int wire_conn_send(struct wire_conn *c, const void *payload, size_t len,
    int timeout_ms, char **cause);

/* Receive one frame into *f (valid until the next call on c). WIRE_OK,
 * WIRE_EOF (the peer closed between frames), WIRE_TIMEOUT, or WIRE_ERR with
 * *cause (over the limit, bad length, closed in the middle of a frame, a
 * failed read). */
int wire_conn_recv(struct wire_conn *c, struct wire_frame *f, int timeout_ms,
    char **cause);

/* The handshake as multiprocessing.connection.Client(authkey=...) does it:
 * answer the server's challenge, then challenge the server with form. The
 * whole handshake must end within timeout_ms. WIRE_OK, or WIRE_ERR with
 * *cause ("digest sent was rejected" is a wrong key). */
int wire_conn_client_auth(struct wire_conn *c, const void *key, size_t keylen,
    enum wire_digest form, int timeout_ms, char **cause);

/* The handshake as Listener(authkey=...).accept() does it: challenge the
 * client with form, then answer its challenge. WIRE_OK or WIRE_ERR. */
int wire_conn_server_auth(struct wire_conn *c, const void *key, size_t keylen,
    enum wire_digest form, int timeout_ms, char **cause);

#endif
