#include "zalo_oa.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "text.h"
#include "util.h"
#include "zalo.h"

/* The note that ends a reply cut short by the 48 h allowance. */
#define CUT_NOTE "\n\n(Tin còn dài nhưng Zalo chỉ cho cháu gửi thêm ít tin " \
	"lúc này. Bác gõ lại câu hỏi để cháu gửi đầy đủ ạ.)"
/* The note on the last free reply of the window when nothing else waits:
 * after it the OA may say nothing more until the resident writes. */
#define LAST_NOTE "\n\n(Zalo chỉ cho cháu nhắn tiếp khi bác nhắn lại. Bác " \
	"cần hỏi thêm thì cứ nhắn cho cháu một tin nhé ạ.)"

/* The body's "timestamp" exactly as it is signed: a string as is, a
 * number as its digits. -1 if there is none. */
static int
timestamp_text(const cJSON *root, char *out, size_t n)
{
	const cJSON *ts = cJSON_GetObjectItemCaseSensitive(root, "timestamp");

	if (cJSON_IsString(ts) && ts->valuestring && *ts->valuestring &&
	    strlen(ts->valuestring) < n) {
		snprintf(out, n, "%s", ts->valuestring);
		return 0;
	}
	if (cJSON_IsNumber(ts) && ts->valuedouble > 0 &&
	    ts->valuedouble < 9007199254740992.0) {
		snprintf(out, n, "%lld", (long long)ts->valuedouble);
		return 0;
	}
	return -1;
}

static int64_t
timestamp_ms(const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	return end != s && !*end && v > 0 ? (int64_t)v : 0;
}

enum zalo_oa_sig
zalo_oa_verify(const char *header, const char *body, size_t len,
    const char *app_id, const char *oa_secret, int64_t now_ms)
{
	unsigned char want[EVP_MAX_MD_SIZE], *got = NULL;
	unsigned int wlen = 0;
	long glen = 0;
	char ts[32];
	cJSON *root;
	EVP_MD_CTX *md;
	enum zalo_oa_sig rc = ZOA_SIG_BAD;
	int64_t at;

	if (!header || !*header)
		return ZOA_SIG_MISSING;
	root = cJSON_ParseWithLength(body, len);
	if (!root || timestamp_text(root, ts, sizeof(ts)) < 0) {
		cJSON_Delete(root);
		return ZOA_SIG_MISSING;
	}
	cJSON_Delete(root);
	if (strncasecmp(header, "mac=", 4) == 0)
		header += 4;
	md = EVP_MD_CTX_new();
	if (!md)
		fatal("out of memory (SHA-256)");
	if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(md, app_id, strlen(app_id)) != 1 ||
	    EVP_DigestUpdate(md, body, len) != 1 ||
	    EVP_DigestUpdate(md, ts, strlen(ts)) != 1 ||
	    EVP_DigestUpdate(md, oa_secret, strlen(oa_secret)) != 1 ||
	    EVP_DigestFinal_ex(md, want, &wlen) != 1)
		goto out;
	/* 64 hex digits, nothing else (OPENSSL_hexstr2buf takes colons too) */
	if (strlen(header) != 2 * (size_t)wlen || strchr(header, ':'))
		goto out;
	got = OPENSSL_hexstr2buf(header, &glen);
	if (!got || glen != (long)wlen || CRYPTO_memcmp(got, want, wlen) != 0)
		goto out;
	at = timestamp_ms(ts);
	rc = at && at >= now_ms - ZALO_OA_SIG_MAX_AGE_MS &&
	    at <= now_ms + ZALO_OA_SIG_MAX_AHEAD_MS ? ZOA_SIG_OK : ZOA_SIG_STALE;
out:
	OPENSSL_free(got);
	EVP_MD_CTX_free(md);
	return rc;
}

/* user_send_<kind> → the media names the rest of the bot knows. */
static const char *
media_name(const char *kind)
{
	static const struct {
		const char *oa, *ours;
	} map[] = {
		{ "image", "photo" }, { "gif", "animation" },
		{ "sticker", "sticker" }, { "file", "file" },
		{ "audio", "voice" }, { "video", "video" },
		{ "location", "location" }, { "link", "link" },
		{ "business_card", "contact" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (strcmp(kind, map[i].oa) == 0)
			return map[i].ours;
	return "other";
}

static const char *
id_of(const cJSON *root, const char *obj)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, obj);

	return cJSON_IsObject(o) ? api_jstr(o, "id") : NULL;
}

enum api_status
zalo_oa_parse_event(const char *body, size_t len, struct event *e,
    struct api_error *err)
{
	cJSON *root = cJSON_ParseWithLength(body, len);
	const cJSON *m;
	const char *name, *user, *msg_id = NULL, *text = NULL;
	char ts[32] = "";
	enum api_status st = API_MALFORMED;

	memset(e, 0, sizeof(*e));
	memset(err, 0, sizeof(*err));
	e->kind = EV_IGNORE;
	if (!cJSON_IsObject(root) || !(name = api_jstr(root, "event_name"))) {
		snprintf(err->desc, sizeof(err->desc), "not an OA event");
		goto out;
	}
	(void)timestamp_text(root, ts, sizeof(ts));
	e->date_ms = ts[0] ? timestamp_ms(ts) : 0;
	if (e->date_ms > 4000000000000LL)
		e->date_ms = 0;         /* not milliseconds of this era */
	m = cJSON_GetObjectItemCaseSensitive(root, "message");
	if (cJSON_IsObject(m)) {
		msg_id = api_jstr(m, "msg_id");
		text = api_jstr(m, "text");
	}
	/* follow names the user "follower"; message events "sender" */
	user = strcmp(name, "follow") == 0 && id_of(root, "follower") ?
	    id_of(root, "follower") : id_of(root, "sender");
	/* a msg_id cut to fit would name no message (zalo_oa_msg_id) */
	if (msg_id && *msg_id && strlen(msg_id) < sizeof(e->update_id))
		snprintf(e->update_id, sizeof(e->update_id), "%s", msg_id);
	else
		snprintf(e->update_id, sizeof(e->update_id), "%.12s:%.20s:%.13s",
		    name, user ? user : "", ts);
	st = API_OK;
	/* group events and the OA's own messages are not a resident asking */
	if (strncmp(name, "user_send_", 10) != 0 && strcmp(name, "follow") != 0)
		goto out;
	if (strstr(name, "group"))
		goto out;
	if (!user || !*user || strlen(user) >= sizeof(e->chat_id)) {
		snprintf(err->desc, sizeof(err->desc), "%s without a user", name);
		st = API_MALFORMED;
		goto out;
	}
	snprintf(e->chat_id, sizeof(e->chat_id), "%s", user);
	snprintf(e->user_id, sizeof(e->user_id), "%s", user);
	if (strcmp(name, "follow") == 0) {
		e->kind = EV_TEXT;
		e->text = xstrdup("/start");
	} else if (strcmp(name, "user_send_text") == 0) {
		e->kind = EV_TEXT;
		e->text = xstrdup(text ? text : "");
	} else {
		e->kind = EV_MEDIA;
		snprintf(e->media, sizeof(e->media), "%s", media_name(name + 10));
		e->text = xstrdup(text ? text : "");
	}
out:
	cJSON_Delete(root);
	return st;
}

struct oaparts {
	const char *user_id;
	void (*emit)(const char *body, void *arg);
	void *arg;
	/* zalo_oa_render_text_max: collect, do not emit */
	const char **s;
	size_t *n;
	int count, cap;
};

static void
emit_body(const struct oaparts *z, const char *s, size_t n)
{
	cJSON *o = cJSON_CreateObject(), *r, *m;
	char *t = xstrndup(s, n);

	r = cJSON_AddObjectToObject(o, "recipient");
	m = cJSON_AddObjectToObject(o, "message");
	if (!r || !m || !cJSON_AddStringToObject(r, "user_id", z->user_id) ||
	    !cJSON_AddStringToObject(m, "text", t))
		fatal("out of memory (JSON)");
	free(t);
	zalo_emit_json(o, z->emit, z->arg);
}

static void
on_part(const char *s, size_t n, void *arg)
{
	struct oaparts *z = arg;

	if (z->s) {
		if (z->count == z->cap) {
			z->cap = z->cap ? 2 * z->cap : 8;
			z->s = xrealloc(z->s, (size_t)z->cap * sizeof(*z->s));
			z->n = xrealloc(z->n, (size_t)z->cap * sizeof(*z->n));
		}
		z->s[z->count] = s;
		z->n[z->count] = n;
	} else if (z->emit) {
		emit_body(z, s, n);
	}
	z->count++;
}

void
zalo_oa_render_text(const char *text, const char *user_id,
    void (*emit)(const char *body, void *arg), void *arg)
{
	struct oaparts z = { user_id, emit, arg, NULL, NULL, 0, 0 };

	text_split(text, ZALO_OA_TEXT_MAX, 0, on_part, &z);
}

int
zalo_oa_parts(const char *text)
{
	struct oaparts z = { "", NULL, NULL, NULL, NULL, 0, 0 };

	text_split(text, ZALO_OA_TEXT_MAX, 0, on_part, &z);
	return z.count;
}

/* Code points: the bytes that do not continue a UTF-8 sequence. */
static size_t
chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* The first piece of s[0..n) that leaves room for the note. */
static void
first_piece(const char *s, size_t n, void *arg)
{
	struct oaparts *z = arg;

	if (z->count++ == 0) {
		z->s[0] = s;
		z->n[0] = n;
	}
}

int
zalo_oa_render_text_max(const char *text, const char *user_id, int max_msgs,
    void (*emit)(const char *body, void *arg), void *arg)
{
	struct oaparts z = { user_id, emit, arg, NULL, NULL, 0, 0 };
	int i, out = 0;

	if (max_msgs <= 0)
		return 0;
	z.s = xcalloc(1, sizeof(*z.s));
	z.n = xcalloc(1, sizeof(*z.n));
	z.cap = 1;
	text_split(text, ZALO_OA_TEXT_MAX, 0, on_part, &z);
	for (i = 0; i < z.count && i < max_msgs - 1; i++, out++)
		emit_body(&z, z.s[i], z.n[i]);
	if (z.count == max_msgs) {
		emit_body(&z, z.s[i], z.n[i]);
		out++;
	} else if (z.count > max_msgs) {
		char *last = xstrndup(z.s[i], z.n[i]);
		struct oaparts p = { user_id, NULL, NULL, NULL, NULL, 0, 1 };
		const char *ps = NULL;
		size_t pn = 0;
		struct buf b;

		p.s = &ps;
		p.n = &pn;
		/* the note counts, in characters, against the same limit */
		text_split(last, ZALO_OA_TEXT_MAX - chars(CUT_NOTE),
		    0, first_piece, &p);
		buf_init(&b, BUF_CAP_REPLY);
		buf_add(&b, ps ? ps : "", pn);
		buf_adds(&b, CUT_NOTE);
		emit_body(&z, b.data, b.len);
		out++;
		buf_release(&b);
		free(last);
	}
	free(z.s);
	free(z.n);
	return out;
}

/* A body we changed, printed back into out: buf_adds' 0 or -1. */
static int
print_into(const cJSON *root, struct buf *out)
{
	char *t = cJSON_PrintUnformatted(root);
	int rc;

	if (!t)
		fatal("out of memory (JSON)");
	rc = buf_adds(out, t);
	cJSON_free(t);
	return rc;
}

int
zalo_oa_last_body(const char *body, int more, struct buf *out)
{
	cJSON *root = cJSON_Parse(body), *msg;
	const cJSON *rcp;
	const char *user, *text, *note = more ? CUT_NOTE : LAST_NOTE;
	struct oaparts p = { NULL, NULL, NULL, NULL, NULL, 0, 1 };
	const char *ps = NULL;
	size_t pn = 0;
	struct buf b;
	char *t;
	int rc = -1;

	rcp = cJSON_GetObjectItemCaseSensitive(root, "recipient");
	msg = cJSON_GetObjectItemCaseSensitive(root, "message");
	user = cJSON_IsObject(rcp) ? api_jstr(rcp, "user_id") : NULL;
	text = cJSON_IsObject(msg) ? api_jstr(msg, "text") : NULL;
	if (!user || !*user || !text)
		goto out;
	p.s = &ps;
	p.n = &pn;
	/* the head of the text, cut where text_split would cut it */
	text_split(text, ZALO_OA_TEXT_MAX - chars(note), 0, first_piece, &p);
	buf_init(&b, BUF_CAP_REPLY);
	buf_add(&b, ps ? ps : "", pn);
	buf_adds(&b, note);
	t = buf_take(&b);
	if (!cJSON_ReplaceItemInObjectCaseSensitive(msg, "text",
	    cJSON_CreateString(t)))
		fatal("out of memory (JSON)");
	free(t);
	rc = print_into(root, out);
out:
	cJSON_Delete(root);
	return rc;
}

const char *
zalo_oa_msg_id(const struct event *ev)
{
	/* the keys built for events without one have colons; msg_ids not */
	return ev->update_id[0] && !strchr(ev->update_id, ':') ?
	    ev->update_id : NULL;
}

int
zalo_oa_reply_to(const char *body, const char *msg_id, struct buf *out)
{
	cJSON *root, *rcp;
	int rc = -1;

	if (!msg_id || !*msg_id)
		return -1;
	root = cJSON_Parse(body);
	rcp = cJSON_GetObjectItemCaseSensitive(root, "recipient");
	if (!cJSON_IsObject(rcp) || !api_jstr(rcp, "user_id") ||
	    !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(root, "message")))
		goto out;
	/* an item sent again after a newer message from the resident */
	cJSON_DeleteItemFromObjectCaseSensitive(rcp, "message_id");
	if (!cJSON_AddStringToObject(rcp, "message_id", msg_id))
		fatal("out of memory (JSON)");
	rc = print_into(root, out);
out:
	cJSON_Delete(root);
	return rc;
}

void
zalo_oa_render(const struct conv_reply *r, const char *user_id,
    void (*emit)(const char *body, void *arg), void *arg)
{
	zalo_render_via(r, user_id, "zalo_oa", zalo_oa_render_text, emit, arg);
}

/* An error message from Zalo may quote the request: masked, then cut. */
static void
set_desc(struct api_error *err, const char *s)
{
	struct buf m;

	if (!s)
		return;
	buf_init(&m, BUF_CAP_REPLY);
	log_mask(s, &m);
	snprintf(err->desc, sizeof(err->desc), "%s", m.data ? m.data : "");
	buf_release(&m);
}

/* "error" as the OA API sends it: a number, sometimes a numeric string. */
static int
oa_error(const cJSON *root, int *code)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "error");

	if (cJSON_IsNumber(v) && v->valuedouble > -1e9 && v->valuedouble < 1e9) {
		*code = (int)v->valuedouble;
		return 0;
	}
	if (cJSON_IsString(v) && v->valuestring) {
		char *end;
		long n = strtol(v->valuestring, &end, 10);

		if (end != v->valuestring && !*end && n > -1000000000L &&
		    n < 1000000000L) {
			*code = (int)n;
			return 0;
		}
	}
	return -1;
}

enum api_status
zalo_oa_parse_sent(const char *body, size_t len, struct api_error *err,
    char *msg_id, size_t n)
{
	cJSON *root = cJSON_ParseWithLength(body, len);
	enum api_status st = API_MALFORMED;
	int code;

	memset(err, 0, sizeof(*err));
	if (msg_id && n)
		msg_id[0] = '\0';
	if (!cJSON_IsObject(root) || oa_error(root, &code) < 0) {
		snprintf(err->desc, sizeof(err->desc), "malformed OA reply");
		goto out;
	}
	if (code != 0) {
		err->code = code;
		set_desc(err, api_jstr(root, "message"));
		st = API_ERROR;
		goto out;
	}
	if (msg_id && n) {
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(root, "data");

		if (cJSON_IsObject(d))
			(void)api_jid(d, "message_id", msg_id, n);
	}
	st = API_OK;
out:
	cJSON_Delete(root);
	return st;
}

int
zalo_oa_token_invalid(const struct api_error *err)
{
	return err->code == ZALO_OA_ERR_INVALID_TOKEN;
}

enum api_status
zalo_oa_parse_token(const char *body, size_t len, struct zalo_oa_token *t,
    struct api_error *err)
{
	cJSON *root = cJSON_ParseWithLength(body, len);
	const cJSON *ex;
	const char *at, *rt;
	enum api_status st = API_MALFORMED;
	int code;

	memset(t, 0, sizeof(*t));
	memset(err, 0, sizeof(*err));
	if (!cJSON_IsObject(root)) {
		snprintf(err->desc, sizeof(err->desc), "malformed token reply");
		goto out;
	}
	at = api_jstr(root, "access_token");
	rt = api_jstr(root, "refresh_token");
	if (oa_error(root, &code) == 0 && code != 0) {
		err->code = code;
		set_desc(err, api_jstr(root, "error_description") ?
		    api_jstr(root, "error_description") :
		    api_jstr(root, "error_name") ? api_jstr(root, "error_name") :
		    api_jstr(root, "message"));
		st = API_ERROR;
		goto out;
	}
	ex = cJSON_GetObjectItemCaseSensitive(root, "expires_in");
	if (cJSON_IsNumber(ex) && ex->valuedouble >= 1 &&
	    ex->valuedouble < 1e9)
		t->expires_in = (int64_t)ex->valuedouble;
	else if (cJSON_IsString(ex) && ex->valuestring)
		t->expires_in = timestamp_ms(ex->valuestring);
	if (!at || !*at || !rt || !*rt || t->expires_in <= 0 ||
	    t->expires_in >= 1000000000) {
		t->expires_in = 0;
		snprintf(err->desc, sizeof(err->desc), "token reply without "
		    "access_token, refresh_token or expires_in");
		goto out;
	}
	t->access = xstrdup(at);
	t->refresh = xstrdup(rt);
	st = API_OK;
out:
	if (root) {
		/* the tokens are secrets: leave no copy in freed memory */
		cJSON *it;

		cJSON_ArrayForEach(it, root)
			if (cJSON_IsString(it) && it->valuestring)
				memset(it->valuestring, 0, strlen(it->valuestring));
	}
	cJSON_Delete(root);
	return st;
}

void
zalo_oa_token_release(struct zalo_oa_token *t)
{
	str_wipe_free(&t->access);
	str_wipe_free(&t->refresh);
	t->expires_in = 0;
}

static void
add_field(struct buf *out, const char *k, const char *v)
{
	char *e = curl_easy_escape(NULL, v, 0);

	if (!e)
		fatal("out of memory (form)");
	buf_printf(out, "%s%s=%s", out->len ? "&" : "", k, e);
	memset(e, 0, strlen(e));
	curl_free(e);
}

void
zalo_oa_token_form(const char *app_id, const char *refresh, struct buf *out)
{
	add_field(out, "app_id", app_id);
	add_field(out, "grant_type", "refresh_token");
	add_field(out, "refresh_token", refresh);
}

int
zalo_oa_token_fresh(int64_t expires_at_ms, int64_t now_ms)
{
	return now_ms < expires_at_ms - ZALO_OA_REFRESH_AHEAD_MS;
}

void
zalo_oa_seed(const char *refresh, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (EVP_Digest(refresh, strlen(refresh), md, &n, EVP_sha256(), NULL)
	    != 1 || n != 32)
		fatal("SHA-256 failed");
	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[64] = '\0';
}

int
zalo_oa_replies_left(int64_t last_in_ms, int sent, int64_t now_ms)
{
	if (last_in_ms <= 0 || now_ms - last_in_ms > ZALO_OA_WINDOW_MS)
		return 0;
	if (sent < 0)
		sent = 0;
	return sent >= ZALO_OA_FREE_REPLIES ? 0 : ZALO_OA_FREE_REPLIES - sent;
}
