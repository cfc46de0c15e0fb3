/*
 * diag: collects "path:line: message" diagnostics from the knowledge and
 * config parsers, so the CLI can print them and the daemon can log them or
 * send them to admins. Line 0 means "the whole file".
 */
#ifndef HOIDAP_DIAG_H
#define HOIDAP_DIAG_H

#include <stddef.h>

#include "buf.h"

struct diag {
	size_t nerr;
	size_t nwarn;
	struct buf text;        /* one message per line */
};

void diag_init(struct diag *d);
void diag_release(struct diag *d);
void diag_error(struct diag *d, const char *path, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void diag_warn(struct diag *d, const char *path, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
