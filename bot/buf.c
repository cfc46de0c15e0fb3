#include "buf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static char buf_empty[1];

void
buf_init(struct buf *b, size_t cap)
{
	b->data = buf_empty;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap;
	b->failed = 0;
}

void
buf_release(struct buf *b)
{
	if (b->alloc)
		free(b->data);
	b->data = buf_empty;
	b->len = 0;
	b->alloc = 0;
	b->failed = 0;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->data[0] = '\0';
	b->failed = 0;
}

int
buf_failed(const struct buf *b)
{
	return b->failed;
}

int
buf_add(struct buf *b, const void *p, size_t n)
{
	size_t need;

	if (b->failed || n > b->cap || b->len > b->cap - n) {
		buf_release(b);
		b->failed = 1;
		errno = EMSGSIZE;
		return -1;
	}
	need = b->len + n + 1;
	if (need > b->alloc) {
		size_t na = b->alloc ? b->alloc : 64;
		char *nd;

		while (na < need)
			na *= 2;
		if (na > b->cap + 1)
			na = b->cap + 1;
		nd = xrealloc(b->alloc ? b->data : NULL, na);
		if (!b->alloc)
			nd[0] = '\0';
		b->data = nd;
		b->alloc = na;
	}
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int
buf_addc(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

int
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	char small[256];
	va_list cp;
	int n;

	if (b->failed) {
		errno = EMSGSIZE;
		return -1;
	}
	va_copy(cp, ap);
	n = vsnprintf(small, sizeof(small), fmt, cp);
	va_end(cp);
	if (n < 0) {
		/* an encoding error: the text would miss a piece */
		buf_release(b);
		b->failed = 1;
		return -1;
	}
	if ((size_t)n < sizeof(small))
		return buf_add(b, small, (size_t)n);
	{
		char *big = xmalloc((size_t)n + 1);
		int rc;

		vsnprintf(big, (size_t)n + 1, fmt, ap);
		rc = buf_add(b, big, (size_t)n);
		free(big);
		return rc;
	}
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

char *
buf_take(struct buf *b)
{
	char *s;

	if (b->failed) {
		buf_release(b);
		return NULL;
	}
	if (!b->alloc)
		return xstrdup("");
	s = b->data;
	b->data = buf_empty;
	b->len = 0;
	b->alloc = 0;
	return s;
}

int
buf_read_file(struct buf *b, const char *path)
{
	FILE *f = fopen(path, "rb");
	char chunk[8192];
	size_t n;
	int rc = 0;

	if (!f)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (buf_add(b, chunk, n) < 0) {
			rc = -1;
			goto out;
		}
	}
	if (ferror(f)) {
		errno = EIO;
		rc = -1;
	}
out:
	fclose(f);
	return rc;
}
