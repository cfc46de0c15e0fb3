#include "qr.h"

#include <errno.h>
#include <fcntl.h>
#include <png.h>
#include <qrencode.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util.h"

#define QR_QUIET 4              /* light modules around the symbol */

static bool
payload_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-';
}

int
qr_payload(const char *topic_id, char *out, size_t outlen)
{
	size_t i, n = strlen(topic_id);

	if (n == 0 || n > QR_ID_MAX || n >= outlen)
		return -1;
	for (i = 0; i < n; i++) {
		char c = topic_id[i];

		if (c == '-' || (c != '.' && !payload_char(c)))
			return -1;
		out[i] = c == '.' ? '-' : c;
	}
	out[n] = '\0';
	return 0;
}

bool
qr_bot_ok(const char *bot)
{
	size_t i, n;

	if (*bot == '@')
		bot++;
	n = strlen(bot);
	if (n < 5 || n > 32)
		return false;
	if (!((bot[0] >= 'a' && bot[0] <= 'z') || (bot[0] >= 'A' && bot[0] <= 'Z')))
		return false;
	for (i = 0; i < n; i++)
		if (bot[i] == '-' || !payload_char(bot[i]))
			return false;
	return strcasecmp(bot + n - 3, "bot") == 0;
}

int
qr_deeplink(const char *bot, const char *topic_id, struct buf *out)
{
	char payload[QR_PAYLOAD_MAX + 1];

	if (!qr_bot_ok(bot) || qr_payload(topic_id, payload, sizeof(payload)) < 0)
		return -1;
	if (*bot == '@')
		bot++;
	return buf_printf(out, "https://t.me/%s?start=%s", bot, payload);
}

static QRcode *
encode(const char *text)
{
	QRcode *q;

	/* libqrencode refuses "" with EINVAL; say so before it does. */
	if (!*text) {
		errno = EINVAL;
		return NULL;
	}
	errno = 0;
	q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!q && !errno)
		errno = EINVAL;
	return q;
}

/* Module (x, y) of the symbol with its quiet zone around it. */
static bool
dark(const QRcode *q, int x, int y)
{
	x -= QR_QUIET;
	y -= QR_QUIET;
	if (x < 0 || y < 0 || x >= q->width || y >= q->width)
		return false;
	return q->data[y * q->width + x] & 1;
}

struct png_err {
	char *msg;
	size_t len;
	const char *path;
};

static void
png_fail(png_structp png, png_const_charp msg)
{
	struct png_err *e = png_get_error_ptr(png);

	snprintf(e->msg, e->len, "%s: libpng: %s", e->path, msg);
	png_longjmp(png, 1);
}

/* libpng's warnings are about odd input, which we never give it. */
static void
png_warn(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

static void
png_rows(png_structp png, png_infop info, const QRcode *q, int scale,
    unsigned char *row)
{
	int n = q->width + 2 * QR_QUIET, side = n * scale, x, y, k;
	size_t rowbytes = ((size_t)side + 7) / 8;

	/* 1-bit grey: the smallest file, and nothing but black and white. */
	png_set_IHDR(png, info, (png_uint_32)side, (png_uint_32)side, 1,
	    PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
	    PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (y = 0; y < n; y++) {
		memset(row, 0, rowbytes);
		for (x = 0; x < side; x++)
			if (!dark(q, x / scale, y))
				row[x >> 3] |= (unsigned char)(0x80 >> (x & 7));
		for (k = 0; k < scale; k++)
			png_write_row(png, row);
	}
	png_write_end(png, NULL);
}

/*
 * The only frame libpng's error handler jumps back to. Nothing here changes
 * after setjmp(), so no local needs to be volatile.
 */
static int
png_emit(png_structp png, png_infop info, FILE *f, const QRcode *q, int scale,
    unsigned char *row)
{
	if (setjmp(png_jmpbuf(png)))
		return -1;
	png_init_io(png, f);
	png_rows(png, info, q, scale, row);
	return 0;
}

/*
 * Opens path for writing and says whether this call created it: only a
 * file we created is removed on failure, never one that was already there
 * (-o /dev/stdout, or a leaflet being regenerated).
 */
static FILE *
open_out(const char *path, int *created)
{
	FILE *f;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	*created = fd >= 0;
	if (fd < 0 && errno == EEXIST)
		fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if ((f = fdopen(fd, "wb")) == NULL) {
		int e = errno;

		close(fd);
		if (*created)
			(void)unlink(path);
		*created = 0;
		errno = e;
	}
	return f;
}

int
qr_png(const char *text, const char *path, int scale, char *err, size_t errlen)
{
	struct png_err pe = { err, errlen, path };
	png_structp png = NULL;
	png_infop info = NULL;
	unsigned char *row = NULL;
	QRcode *q = NULL;
	FILE *f = NULL;
	int n, min, created = 0, rc = -1;

	if (scale < 0 || scale > QR_SCALE_MAX) {
		snprintf(err, errlen, "scale %d is not between 0 and %d", scale,
		    QR_SCALE_MAX);
		return -1;
	}
	if ((q = encode(text)) == NULL) {
		snprintf(err, errlen, "cannot encode %zu bytes as a QR code: %s",
		    strlen(text), strerror(errno));
		return -1;
	}
	n = q->width + 2 * QR_QUIET;
	min = (QR_MIN_PX + n - 1) / n;
	if (scale < min)
		scale = min;
	if ((f = open_out(path, &created)) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &pe, png_fail,
	    png_warn);
	if (png)
		info = png_create_info_struct(png);
	if (!info) {
		snprintf(err, errlen, "%s: libpng: out of memory", path);
		goto out;
	}
	row = xmalloc(((size_t)n * (size_t)scale + 7) / 8);
	if (png_emit(png, info, f, q, scale, row) < 0)
		goto out;
	/* A full disk shows up at fflush/fclose, not at fwrite. */
	rc = fclose(f) == 0 ? 0 : -1;
	f = NULL;
	if (rc < 0)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
out:
	if (png)
		png_destroy_write_struct(&png, info ? &info : NULL);
	if (f)
		fclose(f);
	/* A half-written PNG would print as a code that does not scan. */
	if (rc < 0 && created)
		(void)unlink(path);
	free(row);
	QRcode_free(q);
	return rc;
}

int
qr_text(const char *text, FILE *out)
{
	/* Indexed by top | bottom << 1: which halves of the cell are dark. */
	static const char *const cell[4] = { " ", "\u2580", "\u2584", "\u2588" };
	QRcode *q;
	int n, x, y, colour;

	if ((q = encode(text)) == NULL)
		return -1;
	n = q->width + 2 * QR_QUIET;
	colour = isatty(fileno(out));
	for (y = 0; y < n; y += 2) {
		/* Black on white (47, then bright white 107 where supported). */
		if (colour)
			fputs("\033[30;47;107m", out);
		for (x = 0; x < n; x++)
			fputs(cell[dark(q, x, y) | dark(q, x, y + 1) << 1], out);
		if (colour)
			fputs("\033[0m", out);
		fputc('\n', out);
	}
	QRcode_free(q);
	if (fflush(out) != 0 || ferror(out)) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	return 0;
}
