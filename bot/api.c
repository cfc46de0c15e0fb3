/*
 * api: what the Telegram and Zalo bot APIs share — the response envelope
 * ({"ok":true,"result":…} / {"ok":false,"error_code":…,"parameters":…})
 * and tolerant readers for string and numeric ids.
 */
#include "api.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "log.h"

int64_t
api_int(const cJSON *v)
{
	double x;

	if (!cJSON_IsNumber(v))
		return 0;
	x = v->valuedouble;
	if (!(x > -9007199254740992.0 && x < 9007199254740992.0))
		return 0;       /* also NaN */
	return (int64_t)x;
}

const char *
api_jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) && v->valuestring ? v->valuestring : NULL;
}

/* Telegram ids fit in 52 bits: a double holds them exactly. */
int
api_jid(const cJSON *o, const char *k, char *out, size_t n)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	if (cJSON_IsNumber(v)) {
		snprintf(out, n, "%lld", (long long)api_int(v));
		return 0;
	}
	if (cJSON_IsString(v) && v->valuestring && *v->valuestring) {
		snprintf(out, n, "%s", v->valuestring);
		return 0;
	}
	return -1;
}

/* Common envelope: {"ok":true,"result":…} or {"ok":false,"error_code":…}. */
enum api_status
api_envelope(const char *body, size_t len, cJSON **root, struct api_error *err)
{
	const cJSON *ok, *p;

	memset(err, 0, sizeof(*err));
	*root = cJSON_ParseWithLength(body, len);
	if (!*root || !cJSON_IsObject(*root)) {
		snprintf(err->desc, sizeof(err->desc), "malformed JSON reply");
		cJSON_Delete(*root);
		*root = NULL;
		return API_MALFORMED;
	}
	ok = cJSON_GetObjectItemCaseSensitive(*root, "ok");
	if (cJSON_IsTrue(ok))
		return API_OK;
	if (!cJSON_IsFalse(ok)) {
		snprintf(err->desc, sizeof(err->desc), "reply without \"ok\"");
		cJSON_Delete(*root);
		*root = NULL;
		return API_MALFORMED;
	}
	p = cJSON_GetObjectItemCaseSensitive(*root, "error_code");
	err->code = (int)(api_int(p) > 0 && api_int(p) < 1000 ? api_int(p) : 0);
	if (api_jstr(*root, "description")) {
		struct buf m;

		/* an error may quote the URL, token and all; it is logged and
		 * stored, and cut to desc's size: mask it whole, first */
		buf_init(&m, BUF_CAP_REPLY);
		log_mask(api_jstr(*root, "description"), &m);
		snprintf(err->desc, sizeof(err->desc), "%s", m.data);
		buf_release(&m);
	}
	p = cJSON_GetObjectItemCaseSensitive(*root, "parameters");
	if (cJSON_IsObject(p)) {
		const cJSON *ra = cJSON_GetObjectItemCaseSensitive(p, "retry_after");
		const cJSON *mg = cJSON_GetObjectItemCaseSensitive(p,
		    "migrate_to_chat_id");

		if (cJSON_IsNumber(ra) && ra->valuedouble > 0 &&
		    ra->valuedouble < 86400)
			err->retry_after = (int)ra->valuedouble;
		if (cJSON_IsNumber(mg))
			err->migrate_to = api_int(mg);
	}
	return API_ERROR;
}

