/*
 * buf: one capped, growable, always NUL-terminated byte buffer, used for
 * replies, JSON, HTTP bodies and normalized text (after curl's dynbuf and
 * git's strbuf).
 *
 * Invariants: b->data is never NULL once buf_init() ran (it points at a
 * static "" until the first append); b->data[b->len] == '\0'; b->len never
 * exceeds b->cap.
 *
 * The error is sticky (like stdio's ferror): an append that would pass the
 * cap fails with -1 and errno EMSGSIZE, frees the contents and marks the
 * buffer failed; every later append is refused (-1) and adds nothing, until
 * buf_reset() or buf_release() starts it anew. So the many appends that
 * build a text need not be checked one by one: the code that finishes it
 * (sends, stores or hands it over) asks buf_failed() once, or gets NULL
 * from buf_take(), and half a reply can never pass for a whole one.
 */
#ifndef HOIDAP_BUF_H
#define HOIDAP_BUF_H

#include <stdarg.h>
#include <stddef.h>

/* Named caps, in one place. */
#define BUF_CAP_TEXT   (64 * 1024)        /* one normalized message */
#define BUF_CAP_REPLY  (256 * 1024)       /* one reply, JSON included */
#define BUF_CAP_FILE   (8 * 1024 * 1024)  /* one knowledge file */

struct buf {
	char *data;
	size_t len;
	size_t alloc;
	size_t cap;
	int failed;             /* an append was refused: see buf_failed() */
};

void buf_init(struct buf *b, size_t cap);
/* Both start the buffer anew: the error is cleared. */
void buf_release(struct buf *b);      /* frees contents; buf stays usable */
void buf_reset(struct buf *b);        /* len = 0, keeps memory */
/* Nonzero once an append was refused; b->data is then "". */
int buf_failed(const struct buf *b);
/* 0 on success; -1 (errno EMSGSIZE) past the cap or on a failed buffer. */
int buf_add(struct buf *b, const void *p, size_t n);
int buf_adds(struct buf *b, const char *s);
int buf_addc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/*
 * Hands the malloc'ed string to the caller ("" if nothing was appended), or
 * NULL if the buffer failed; either way b is left empty and usable.
 */
char *buf_take(struct buf *b);
/* Reads a whole file; -1 with errno set on failure or when over the cap. */
int buf_read_file(struct buf *b, const char *path);

#endif
