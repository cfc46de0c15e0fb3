/*
 * log: one line per event on stderr: "2026-11-28T09:00:00Z info: message".
 * Untrusted text is escaped (no control characters reach the terminal or
 * journal), and every registered secret (bot tokens, which sit inside every
 * API URL) is masked, whatever the caller passes in.
 */
#ifndef HOIDAP_LOG_H
#define HOIDAP_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level l);
int log_enabled(enum log_level l);
/*
 * Registers a string that must never be printed (copied; up to 16, and
 * one shorter than 4 bytes is not kept; a bot token's part after
 * "123456:" counts as one too). It is masked as <token>
 * in any spelling: percent-encoded once or twice, JSON- or HTML-escaped,
 * and when a length limit cut it after 8 characters.
 */
void log_add_secret(const char *s);
/* Appends s to out with every registered secret masked, as log_msg does;
 * for error texts that are stored as well as logged. */
struct buf;
void log_mask(const char *s, struct buf *out);
void log_clear_secrets(void);
void log_msg(enum log_level l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_debug(...) \
	do { if (log_enabled(LOG_DEBUG)) log_msg(LOG_DEBUG, __VA_ARGS__); } while (0)
#define log_info(...) \
	do { if (log_enabled(LOG_INFO)) log_msg(LOG_INFO, __VA_ARGS__); } while (0)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
