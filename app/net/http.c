/* http.c — one HTTP/1.x request out of a client's bytes (see http.h). */
#include "http.h"

#include <string.h>
#include <strings.h>

static int
is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != 0 && strchr("!#$%&'*+-.^_`|~", c));
}

/* 1 if the header value v (vl bytes) lists token t, case-insensitively. */
static int
has_token(const char *v, size_t vl, const char *t)
{
	size_t tl = strlen(t);
	size_t i = 0;
	while (i < vl) {
		while (i < vl && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		size_t s = i;
		while (i < vl && v[i] != ',')
			i++;
		size_t e = i;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e - s == tl && strncasecmp(v + s, t, tl) == 0)
			return 1;
	}
	return 0;
}

/* Check what there is of the request line so far: -1 if it cannot begin
 * a request, 0 if it may. */
static int
line_start_ok(const char *p, size_t n)
{
	size_t i = 0;
	while (i < n && i < 16 && p[i] >= 'A' && p[i] <= 'Z')
		i++;
	if (i == n)
		return 0;
	if (i == 0 || i == 16 || p[i] != ' ')
		return -1;
	if (i + 1 < n && p[i + 1] != '/')
		return -1;
	return 0;
}

static int
request_line(const char *p, size_t n, struct http_req *r, int *status)
{
	/* METHOD SP /target SP HTTP/1.x */
	const char *sp1 = memchr(p, ' ', n);
	if (sp1 == NULL || sp1 == p)
		goto bad;
	r->method = p;
	r->methodlen = (size_t)(sp1 - p);
	for (size_t i = 0; i < r->methodlen; i++)
		if (p[i] < 'A' || p[i] > 'Z')
			goto bad;
	const char *t = sp1 + 1, *end = p + n;
	const char *sp2 = memchr(t, ' ', (size_t)(end - t));
	if (sp2 == NULL || sp2 == t || *t != '/')
		goto bad;
	for (const char *c = t; c < sp2; c++)
		if ((unsigned char)*c <= ' ' || *c == 0x7f)
			goto bad;
	r->path = t;
	r->pathlen = (size_t)(sp2 - t);
	const char *v = sp2 + 1;
	size_t vl = (size_t)(end - v);
	if (vl != 8 || memcmp(v, "HTTP/", 5) != 0 || v[6] != '.' ||
	    v[5] < '0' || v[5] > '9' || v[7] < '0' || v[7] > '9')
		goto bad;
	if (v[5] != '1' || (v[7] != '0' && v[7] != '1')) {
		*status = 505;
		return -1;
	}
	r->minor = v[7] - '0';
	return 0;
bad:
	*status = 400;
	return -1;
}

int
http_parse(const char *p, size_t n, struct http_req *r, int *status)
{
	size_t at = 0;
	/* Empty lines before a request are allowed (RFC 9112, 2.2). */
	while (at < n && (p[at] == '\r' || p[at] == '\n')) {
		if (at >= 8) {
			*status = 400;
			return HTTP_BAD;
		}
		at++;
	}
	size_t start = at;
	const char *nl = memchr(p + at, '\n', n - at);
	if (nl == NULL) {
		if (line_start_ok(p + at, n - at) < 0) {
			*status = 400;
			return HTTP_BAD;
		}
		if (n > HTTP_MAX_HEAD) {
			*status = 431;
			return HTTP_BAD;
		}
		return HTTP_MORE;
	}
	size_t ll = (size_t)(nl - (p + at));
	if (ll > 0 && p[at + ll - 1] == '\r')
		ll--;
	memset(r, 0, sizeof *r);
	if (request_line(p + at, ll, r, status) < 0)
		return HTTP_BAD;
	r->keep = r->minor == 1;
	at = (size_t)(nl - p) + 1;

	long long clen = -1;
	int nh = 0;
	for (;;) {
		if (at - start > HTTP_MAX_HEAD) {
			*status = 431;
			return HTTP_BAD;
		}
		nl = memchr(p + at, '\n', n - at);
		if (nl == NULL) {
			if (n - start > HTTP_MAX_HEAD) {
				*status = 431;
				return HTTP_BAD;
			}
			return HTTP_MORE;
		}
		const char *h = p + at;
		size_t hl = (size_t)(nl - h);
		at = (size_t)(nl - p) + 1;
		if (hl > 0 && h[hl - 1] == '\r')
			hl--;
		if (hl == 0)
			break;			/* the end of the head */
		if (at - start > HTTP_MAX_HEAD) {
			*status = 431;
			return HTTP_BAD;
		}
		if (++nh > HTTP_MAX_HEADERS) {
			*status = 431;
			return HTTP_BAD;
		}
		const char *colon = memchr(h, ':', hl);
		if (colon == NULL || colon == h) {
			*status = 400;	/* also a folded line (obs-fold) */
			return HTTP_BAD;
		}
		size_t nlen = (size_t)(colon - h);
		for (size_t i = 0; i < nlen; i++)
			if (!is_tchar((unsigned char)h[i])) {
				*status = 400;
				return HTTP_BAD;
			}
		const char *v = colon + 1, *ve = h + hl;
		while (v < ve && (*v == ' ' || *v == '\t'))
			v++;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		size_t vl = (size_t)(ve - v);
		for (size_t i = 0; i < vl; i++)
			if ((unsigned char)v[i] < ' ' && v[i] != '\t') {
				*status = 400;
				return HTTP_BAD;
			}
		if (nlen == 10 && strncasecmp(h, "Connection", 10) == 0) {
			if (has_token(v, vl, "close"))
				r->keep = 0;
			else if (has_token(v, vl, "keep-alive"))
				r->keep = 1;
		} else if (nlen == 14 &&
		    strncasecmp(h, "Content-Length", 14) == 0) {
			long long x = 0;
			if (vl == 0 || vl > 12) {
				*status = vl > 12 ? 413 : 400;
				return HTTP_BAD;
			}
			for (size_t i = 0; i < vl; i++) {
				if (v[i] < '0' || v[i] > '9') {
					*status = 400;
					return HTTP_BAD;
				}
				x = x * 10 + (v[i] - '0');
			}
			if (clen >= 0 && clen != x) {
				*status = 400;
				return HTTP_BAD;
			}
			clen = x;
		} else if (nlen == 17 &&
		    strncasecmp(h, "Transfer-Encoding", 17) == 0) {
			*status = 501;
			return HTTP_BAD;
		}
	}
	if (clen > HTTP_MAX_BODY) {
		*status = 413;
		return HTTP_BAD;
	}
	if (clen > 0 && n - at < (size_t)clen)
		return HTTP_MORE;
	r->length = at + (clen > 0 ? (size_t)clen : 0);
	return HTTP_DONE;
}

const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 413: return "Content Too Large";
	case 431: return "Request Header Fields Too Large";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	}
	return "Error";
}
