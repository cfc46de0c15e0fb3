/*
 * util: allocation and small helpers shared by every module.
 *
 * OOM policy (documented once, here): allocation failure is not a condition
 * this program can recover from in a useful way, so xmalloc() and friends
 * print and abort (tmux, Redis). Callers never check for NULL.
 */
#ifndef HOIDAP_UTIL_H
#define HOIDAP_UTIL_H

#include <stddef.h>
#include <stdint.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Grows *arr (of elem-sized items) so index `need-1` fits; doubles. */
void *xgrow(void *arr, size_t *alloc, size_t need, size_t elem);

__attribute__((noreturn, format(printf, 1, 2)))
void fatal(const char *fmt, ...);

/* 64-bit FNV-1a; the matcher's feature keys. */
uint64_t hash64(const void *p, size_t n, uint64_t seed);

/* Copies src into dst[n], cut at a character boundary (never half a UTF-8
 * sequence, which Telegram would refuse). */
void utf8_copy(char *dst, size_t n, const char *src);

/* Zeroes the secret *s (explicit_bzero: not optimized away as a store
 * before free), frees it and sets *s to NULL; NULL is fine. */
void str_wipe_free(char **s);

/* Trims spaces, tabs and a trailing CR in place; returns the start. */
char *str_trim(char *s);

/* Dates as days since 1970-01-01 (proleptic Gregorian, H. Hinnant). */
long date_days(int y, int m, int d);
void date_civil(long days, int *y, int *m, int *d);
/* Strict YYYY-MM-DD (year 2000 or later): days, or -1 when malformed. */
long date_parse(const char *s);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
