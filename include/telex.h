/*
 * telex: reads a word typed with the Vietnamese keyboard switched off, where
 * the Telex keys stay in as letters ("caif" = cài, "nhuw" = như, "queen" =
 * quên, "khaaur" = khẩu, "ddaau" = đâu).
 *
 * The rules (which key makes which mark) are the tables in telex.c; a
 * decoding counts only when the result is a well-formed Vietnamese syllable
 * (onset + vowel cluster + final, from the tables too). Whether a word should
 * be decoded at all is the caller's business: kb decodes only words its own
 * vocabulary does not know, into words it does (so "zalo", "facebook",
 * "tax" and "ok" stay as typed).
 */
#ifndef HOIDAP_TELEX_H
#define HOIDAP_TELEX_H

#include <stddef.h>

#define TELEX_MAX_WORD 16       /* letters; longer words are not syllables */

/*
 * Decodes the lowercase ASCII word s[0..n) into out (NFC UTF-8, NUL
 * terminated, outsz >= 64). Returns 1 when at least one Telex key was used
 * and the result is a valid syllable, else 0 (out is then unspecified).
 */
int telex_decode(const char *s, size_t n, char *out, size_t outsz);

#endif
