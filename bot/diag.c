#include "diag.h"

#include <stdarg.h>

static void
diag_add(struct diag *d, const char *kind, const char *path, int line,
    const char *fmt, va_list ap)
{
	if (line > 0)
		(void)buf_printf(&d->text, "%s:%d: %s", path, line, kind);
	else
		(void)buf_printf(&d->text, "%s: %s", path, kind);
	(void)buf_vprintf(&d->text, fmt, ap);
	(void)buf_addc(&d->text, '\n');
}

void
diag_init(struct diag *d)
{
	d->nerr = d->nwarn = 0;
	buf_init(&d->text, 4 * 1024 * 1024);
}

void
diag_release(struct diag *d)
{
	buf_release(&d->text);
}

void
diag_error(struct diag *d, const char *path, int line, const char *fmt, ...)
{
	va_list ap;

	d->nerr++;
	va_start(ap, fmt);
	diag_add(d, "", path, line, fmt, ap);
	va_end(ap);
}

void
diag_warn(struct diag *d, const char *path, int line, const char *fmt, ...)
{
	va_list ap;

	d->nwarn++;
	va_start(ap, fmt);
	diag_add(d, "warning: ", path, line, fmt, ap);
	va_end(ap);
}
