/*
 * qr: the QR codes on the ward's printed leaflets. A code holds a Telegram
 * deep link, https://t.me/<bot>?start=<payload>, that opens the bot on one
 * topic; the payload is the topic id with '.' written as '-', which
 * ingest.c's deep_link_topic() turns back into the id.
 *
 * Codes are encoded by libqrencode (level M: a leaflet may be creased or
 * smudged; 8-bit mode, case-sensitive, so the link is kept byte for byte)
 * and drawn with a 4-module quiet zone, the minimum the standard asks for.
 */
#ifndef HOIDAP_QR_H
#define HOIDAP_QR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "buf.h"
#include "conv.h"

/* Telegram's limit on a start payload (A-Z a-z 0-9 _ -). */
#define QR_PAYLOAD_MAX 64
/*
 * The longest topic id a leaflet can carry: the bot keeps ids in
 * CONV_ID_MAX buffers and deep_link_topic() refuses longer payloads, so a
 * longer one would open the main menu instead of the topic.
 */
#define QR_ID_MAX (CONV_ID_MAX - 1 < QR_PAYLOAD_MAX ? CONV_ID_MAX - 1 : \
	QR_PAYLOAD_MAX)
#define QR_MIN_PX 300           /* the PNG's side is at least this */
#define QR_SCALE_MAX 40         /* pixels per module */

/*
 * Writes the payload for topic_id into out (QR_PAYLOAD_MAX + 1 bytes are
 * always enough). -1 when the id is empty, longer than QR_ID_MAX, holds a
 * '-' (it would come back as '.') or a character Telegram does not allow.
 */
int qr_payload(const char *topic_id, char *out, size_t outlen);
/*
 * A Telegram bot username, with or without a leading '@': 5-32 letters,
 * digits or '_', starting with a letter and ending in "bot" (@BotFather's
 * rules), so a display name or a token typed by mistake is caught here.
 */
bool qr_bot_ok(const char *bot);
/* Appends the deep link; -1 on a bad bot name or topic id (see above). */
int qr_deeplink(const char *bot, const char *topic_id, struct buf *out);

/*
 * Writes text as a black-and-white PNG at path. scale is pixels per module,
 * 0 for automatic; it is raised when needed so the image is at least
 * QR_MIN_PX pixels wide. On failure err holds the reason, and the file is
 * removed if this call created it (an existing path is never removed).
 */
int qr_png(const char *text, const char *path, int scale, char *err,
    size_t errlen);
/*
 * Draws text with UTF-8 half blocks, two modules per character cell. On a
 * terminal, ANSI colours force black on white whatever the terminal's
 * theme, so a phone can scan the screen; elsewhere (a file, a pipe) the
 * blocks are the dark modules and spaces the light ones. -1 with errno set
 * when the text cannot be encoded or out fails.
 */
int qr_text(const char *text, FILE *out);

#endif
