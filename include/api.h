/*
 * api: what the Telegram and Zalo bot APIs share (bot/api.c) — the response
 * envelope and tolerant readers for string and numeric ids, used by every
 * adapter.
 */
#ifndef HOIDAP_API_H
#define HOIDAP_API_H

#include <stddef.h>
#include <stdint.h>

/*
 * An API response: ok, or an error with its code and hints. Malformed JSON
 * (truncated, not an object, no "ok") is API_MALFORMED, never a crash.
 */
enum api_status { API_OK, API_ERROR, API_MALFORMED };

struct api_error {
	int code;               /* error_code, else the HTTP status */
	int retry_after;        /* seconds, 0 if none */
	int64_t migrate_to;     /* Telegram supergroup migration, 0 if none */
	char desc[256];
};

/* Reads a response body: a cJSON root is returned on API_OK and API_ERROR
 * (free it), NULL on API_MALFORMED. */
struct cJSON;
enum api_status api_envelope(const char *body, size_t len, struct cJSON **root,
    struct api_error *err);
/* o's member k when it is a string, else NULL; owned by o. */
const char *api_jstr(const struct cJSON *o, const char *k);
/* A JSON number as an integer when it is one Telegram could send (|x| <
 * 2^53, not NaN); else 0. Casting 1e300 to an integer is undefined. */
int64_t api_int(const struct cJSON *v);
/* A string or numeric id as text: 0, or -1 if absent or empty. */
int api_jid(const struct cJSON *o, const char *k, char *out, size_t n);

#endif
