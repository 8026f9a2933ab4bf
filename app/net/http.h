/* http.h — parsing one HTTP/1.x request from the bytes a client sent so
 * far, for `serve http`. No allocation: the request points into the bytes.
 * Strict where a lenient parser would be unsafe (a bad request line, a bad
 * header, two different Content-Lengths, Transfer-Encoding), bounded
 * everywhere (the head, the number of headers, the body). */
#ifndef SYSTOUR_HTTP_H
#define SYSTOUR_HTTP_H

#include <stddef.h>

#define HTTP_MAX_HEAD		8192	/* request line and headers */
#define HTTP_MAX_HEADERS	100
#define HTTP_MAX_BODY		65536	/* a GET's body is read and dropped */

struct http_req {
	const char	*method;	/* not NUL-terminated */
	size_t		 methodlen;
	const char	*path;		/* the target, from its '/' */
	size_t		 pathlen;
	int		 minor;		/* HTTP/1.minor: 0 or 1 */
	int		 keep;		/* keep the connection after it */
	size_t		 length;	/* bytes of the request, body included */
};

enum { HTTP_BAD = -1, HTTP_MORE = 0, HTTP_DONE = 1 };

/* Parse the request at the start of p[0..n). HTTP_DONE: *r is filled (its
 * pointers point into p) and the request is r->length bytes. HTTP_MORE:
 * incomplete so far (and under every limit). HTTP_BAD: *status is the
 * answer to send before closing: 400 (malformed), 413 (body too long), 431
 * (head over HTTP_MAX_HEAD, or too many headers), 501 (Transfer-Encoding),
 * 505 (not HTTP/1.x). A malformed request line is noticed as soon as its
 * bytes arrive, without waiting for the end of the head. */
int http_parse(const char *p, size_t n, struct http_req *r, int *status);

/* The reason phrase of a status code ("OK", "Not Found"...). */
const char *http_reason(int status);

#endif
