/* result.c — the one shape of a check's result: building it, reading TAP
 * into it, and writing it as JSON or as text. See result.h. */
#include "result.h"
#include "buf.h"
#include "lang.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *
ex_status_name(enum ex_status s)
{
	static const char *const names[] = { "pass", "fail", "error", "skip" };
	return s <= EX_SKIP ? names[s] : "?";
}

/* At most max bytes of s, cut at a character boundary, with a note. */
static char *
capped(const char *s, size_t max)
{
	size_t len = strlen(s);
	if (len <= max)
		return xstrdup(s);
	size_t cut = max;
	while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
		cut--;
	return xasprintf(LD("%.*s\n[... %zu more bytes]",
	    "%.*s\n[……还有 %zu 字节]"), (int)cut, s, len - cut);
}

void
ex_result_add(struct ex_result *r, const char *name, enum ex_status st,
    const char *output)
{
	ARRAY_GROW(r->checks, r->cap, (size_t)r->n + 1);
	struct ex_sub *c = &r->checks[r->n++];
	c->name = xstrdup(name);
	c->status = st;
	c->output = capped(output ? output : "", EX_SUB_OUTPUT_MAX);
}

void
ex_result_message(struct ex_result *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = xvasprintf(fmt, ap);
	va_end(ap);
	free(r->message);
	r->message = m;
}

void
ex_result_free(struct ex_result *r)
{
	for (int i = 0; i < r->n; i++) {
		free(r->checks[i].name);
		free(r->checks[i].output);
	}
	free(r->checks);
	free(r->message);
	memset(r, 0, sizeof *r);
}

/* "ok 3 - name # comment" -> name; NULL if not a test line. *failed set. */
static const char *
tap_test(const char *line, int *failed, size_t *len)
{
	const char *p = line;
	*failed = 0;
	if (strncmp(p, "not ok", 6) == 0) {
		*failed = 1;
		p += 6;
	} else if (strncmp(p, "ok", 2) == 0)
		p += 2;
	else
		return NULL;
	if (*p != '\0' && *p != ' ')
		return NULL;
	while (*p == ' ')
		p++;
	while (*p >= '0' && *p <= '9')
		p++;
	while (*p == ' ')
		p++;
	if (*p == '-')
		p++;
	while (*p == ' ')
		p++;
	*len = strlen(p);
	return p;
}

int
ex_tap_parse(struct ex_result *r, const char *tap, char **other)
{
	struct buf rest = BUF_INIT, out = BUF_INIT;
	int ntests = 0, cur = -1;
	char *copy = xstrdup(tap);
	for (char *p = copy; p && *p;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		char *line = p;
		p = nl ? nl + 1 : NULL;
		size_t ll = strlen(line);
		if (ll && line[ll - 1] == '\r')
			line[--ll] = '\0';
		int failed;
		size_t len;
		const char *name = tap_test(line, &failed, &len);
		if (name) {
			if (cur >= 0) {
				free(r->checks[cur].output);
				r->checks[cur].output = capped(buf_str(&out),
				    EX_SUB_OUTPUT_MAX);
				buf_clear(&out);
			}
			char *nm = xstrndup(name, len);
			ex_result_add(r, *nm ? nm : "(unnamed)",
			    failed ? EX_FAIL : EX_PASS, NULL);
			free(nm);
			cur = r->n - 1;
			ntests++;
		} else if (line[0] == '#' && cur >= 0) {
			const char *t = line + 1;
			if (*t == ' ')
				t++;
			/* cap as it comes: a check may print a lot */
			if (out.len <= EX_SUB_OUTPUT_MAX + 1) {
				buf_adds(&out, t);
				buf_addc(&out, '\n');
			}
		} else if (strncmp(line, "1..", 3) == 0 || line[0] == '\0') {
			/* the plan, a blank line */
		} else if (rest.len <= EX_SUB_OUTPUT_MAX + 1) {
			buf_adds(&rest, line);
			buf_addc(&rest, '\n');
		}
	}
	if (cur >= 0) {
		/* drop the newline that ends the last line of output */
		if (out.len && out.data[out.len - 1] == '\n')
			out.data[--out.len] = '\0';
		free(r->checks[cur].output);
		r->checks[cur].output = capped(buf_str(&out), EX_SUB_OUTPUT_MAX);
	}
	/* the same for every earlier sub-check */
	for (int i = 0; i < r->n; i++) {
		size_t l = strlen(r->checks[i].output);
		if (l && r->checks[i].output[l - 1] == '\n')
			r->checks[i].output[l - 1] = '\0';
	}
	free(copy);
	buf_free(&out);
	if (other)
		*other = capped(buf_str(&rest), EX_SUB_OUTPUT_MAX);
	buf_free(&rest);
	return ntests;
}

enum ex_status
ex_result_judge(const struct ex_result *r)
{
	if (r->n == 0)
		return EX_ERROR;
	for (int i = 0; i < r->n; i++)
		if (r->checks[i].status != EX_PASS)
			return EX_FAIL;
	return EX_PASS;
}

char *
ex_json_str(const char *s)
{
	struct buf b = BUF_INIT;
	buf_addc(&b, '"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\') {
			buf_addc(&b, '\\');
			buf_addc(&b, (char)ch);
		} else if (ch == '\n')
			buf_adds(&b, "\\n");
		else if (ch == '\t')
			buf_adds(&b, "\\t");
		else if (ch < 0x20 || ch == 0x7f)
			buf_printf(&b, "\\u%04x", ch);
		else
			buf_addc(&b, (char)ch);
	}
	buf_addc(&b, '"');
	return buf_detach(&b, NULL);
}

char *
ex_result_json(const struct ex_result *r, const char *id)
{
	struct buf b = BUF_INIT;
	char *s = ex_json_str(id ? id : ""), *m = ex_json_str(r->message ?
	    r->message : "");
	buf_printf(&b, "{\"exercise\": %s, \"status\": \"%s\", \"message\": %s, "
	    "\"run_ms\": %lld, \"compile_ms\": %lld, \"runner_cpu_us\": %lld, "
	    "\"checks\": [", s, ex_status_name(r->status), m, r->run_ms,
	    r->compile_ms, r->runner_cpu_us);
	free(s);
	free(m);
	for (int i = 0; i < r->n; i++) {
		char *n = ex_json_str(r->checks[i].name);
		char *o = ex_json_str(r->checks[i].output);
		buf_printf(&b, "%s{\"name\": %s, \"status\": \"%s\", "
		    "\"output\": %s}", i ? ", " : "", n,
		    ex_status_name(r->checks[i].status), o);
		free(n);
		free(o);
	}
	buf_adds(&b, "]}");
	return buf_detach(&b, NULL);
}

/* Each line of s, indented. */
static void
add_indented(struct buf *b, const char *s, const char *indent)
{
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		buf_printf(b, "%s%.*s\n", indent, (int)n, s);
		s += n + (nl != NULL);
	}
}

char *
ex_result_text(const struct ex_result *r, const char *id, int zh)
{
	struct buf b = BUF_INIT;
	static const char *const head[] = { "PASS", "FAIL", "ERROR",
	    "SKIPPED" };
	static const char *const head_zh[] = { "通过", "未通过", "出错",
	    "已跳过" };
	buf_printf(&b, "%s %s", zh ? head_zh[r->status] : head[r->status],
	    id ? id : "");
	if (r->status != EX_SKIP)
		buf_printf(&b, L(LANG_OF(zh), " (%lld ms)", "（%lld 毫秒）"),
		    r->run_ms);
	buf_addc(&b, '\n');
	for (int i = 0; i < r->n; i++) {
		const struct ex_sub *c = &r->checks[i];
		buf_printf(&b, "  %s %s\n", c->status == EX_PASS ? "ok  " :
		    "FAIL", c->name);
		add_indented(&b, c->output, "       ");
	}
	if (r->message && *r->message)
		add_indented(&b, r->message, "");
	return buf_detach(&b, NULL);
}
