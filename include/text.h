/*
 * text: turns whatever a resident typed into the two forms the matcher uses.
 *
 *   exact  - NFC, case-folded, compatibility-mapped (full-width, NBSP), Ð→đ,
 *            tone placement unified (hoà/hòa, thuỷ/thủy); every character that
 *            is not a letter, mark or digit becomes a space; single spaces.
 *   folded - exact without any marks and with đ→d ("đăng ký" → "dang ky").
 *
 * Both forms hold the same tokens (syllables) in the same order, so token i
 * of one is token i of the other. Invalid UTF-8 is replaced, never rejected;
 * input longer than TEXT_MAX_INPUT bytes is cut at a character boundary.
 */
#ifndef HOIDAP_TEXT_H
#define HOIDAP_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#define TEXT_MAX_INPUT 4096
#define TEXT_MAX_TOKENS 512

struct text_tok {
	unsigned eoff, elen;    /* in exact */
	unsigned foff, flen;    /* in folded */
	bool marked;            /* the exact token carries diacritics */
};

struct text {
	char *exact;
	char *folded;
	size_t ntok;
	struct text_tok *tok;
	bool marked;            /* any token carries diacritics */
	bool truncated;         /* input was cut */
	bool repaired;          /* input had invalid UTF-8 */
};

/* Fills t; always succeeds (t must be released with text_release). */
void text_normalize(struct text *t, const char *in, size_t len);
void text_release(struct text *t);

/*
 * Pattern helpers. text_pattern_exact() NFC-composes and unifies tone
 * placement; text_pattern_fold() strips marks from code points >= 0x80 and
 * maps đ/Đ/Ð to d, leaving ASCII (and so regex escapes like \D) alone.
 * Both return malloc'ed strings, or NULL if s is not valid UTF-8.
 */
char *text_pattern_exact(const char *s);
char *text_pattern_fold(const char *s);
/* Both at once (one composition): 0, or -1 if s is not valid UTF-8. */
int text_pattern_forms(const char *s, char **exact, char **folded);
/*
 * The exact form for a message typed with marks on some words only: each
 * letter with marks also matches the letter without them ("mật" matches
 * "mật" and "mat", not "mất"). malloc'ed, or NULL if s is not valid UTF-8.
 */
char *text_pattern_mixed(const char *s);
/* Same folding for a whole phrase (keywords, context words). */
char *text_fold_phrase(const char *s);

/* Returns the byte offset of the first invalid sequence, or -1. */
long text_utf8_invalid(const char *s, size_t len);

/* A message too long for one send (the adapters): splits text into parts of
 * at most max units (utf16: count UTF-16 units, else code points),
 * preferring line boundaries. Calls part(s, n, arg) for each part, its
 * trailing spaces and newlines left out; a blank part is not passed on (so
 * an empty text calls it never). */
void text_split(const char *s, size_t max, int utf16,
    void (*part)(const char *s, size_t n, void *arg), void *arg);

#endif
