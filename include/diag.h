/*
 * diag: collects "path:line: lỗi: message" diagnostics from the knowledge and
 * config parsers, so the CLI can print them and the daemon can log them or
 * send them to admins. Line 0 means "the whole file".
 *
 * The knowledge files are edited by ward admins, so their messages are
 * Vietnamese, one line each, in one form (knowledge/README.md):
 *
 *     path:line: lỗi: what is wrong. Cách sửa: what to write instead
 *     path:line: cảnh báo: what may be wrong. Cách sửa: …
 *
 * An error keeps the knowledge base from being served; a warning does not.
 * The configuration is the operator's: with `en` set (config.c) errors carry
 * no label and warnings "warning: ", as the English messages expect.
 */
#ifndef HOIDAP_DIAG_H
#define HOIDAP_DIAG_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define DIAG_ERROR_LABEL "lỗi: "
#define DIAG_WARN_LABEL "cảnh báo: "
/* What separates a message from its fix hint. */
#define DIAG_FIX ". Cách sửa: "
/* The fix for a file not saved as UTF-8, in every such message. */
#define DIAG_UTF8_FIX "lưu lại tệp dạng UTF-8 (Notepad: File → Save as → " \
	"Encoding: UTF-8), rồi kiểm tra lại các chữ có dấu"

struct diag {
	size_t nerr;
	size_t nwarn;
	struct buf text;        /* one message per line, whole lines only */
	bool en;                /* operator messages: English labels */
	bool cut;               /* text is full: its last line says so */
};

void diag_init(struct diag *d);
void diag_release(struct diag *d);
void diag_error(struct diag *d, const char *path, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void diag_warn(struct diag *d, const char *path, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Is this line of d->text a warning (the daemon tells admins only errors)? */
bool diag_line_is_warning(const char *line);

/*
 * Helpers for fix hints.
 *
 * diag_nearest: the candidate word is most likely a typo of (case ignored,
 * one or two letters off, one only when the longer word has four letters
 * or fewer; a swap counts one: "Title" -> "title", "anwser" -> "answer"),
 * the first of equally near ones, or NULL when none is that close.
 */
const char *diag_nearest(const char *word, const char *const *cand, size_t n);
/* "05/12/2026", "5-12-2026", "2026/12/05" -> "2026-12-05" when that is a
 * real date; false otherwise. */
bool diag_iso_date(const char *s, char out[11]);
/*
 * Reads path into b (initialized here, capped at BUF_CAP_FILE): 0, or -1
 * with b released and an error saying the file cannot be read (none if
 * missing_ok and it does not exist; errno says why).
 */
int diag_read_file(struct diag *d, const char *path, struct buf *b,
    bool missing_ok);
/*
 * Is data[0..len) UTF-8? 0 if so; else -1 with an error at the line of the
 * first bad byte (the file was not saved as UTF-8, and how to save it).
 */
int diag_utf8(struct diag *d, const char *path, const char *data,
    size_t len);
/* strerror(e) in Vietnamese for what an admin meets (no file, no right). */
const char *diag_strerror(int e);

#endif
