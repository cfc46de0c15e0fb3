/*
 * fakeapi's HTTP server: libmicrohttpd with one thread per connection, so
 * a long poll never blocks another request; request bodies (JSON, form,
 * multipart) gathered into one parameter object; the replies; the log;
 * main.  The map of the other files is in fake.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>               /* isfinite (a macro: no -lm needed) */
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "fake.h"

/* How often a waiting request looks whether its client hung up. */
#define GONE_CHECK_MS 200

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
/* cJSON's parser writes a global error pointer; serialise parses. */
static pthread_mutex_t parse_mu = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_fp;

static int64_t
clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
mono_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

int64_t
real_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}

/* S.mu held.  S.cv runs on CLOCK_MONOTONIC (main). */
static void
cv_wait_until(int64_t abs_ms)
{
	struct timespec ts;

	if (abs_ms < 0)
		abs_ms = 0;
	ts.tv_sec = (time_t)(abs_ms / 1000);
	ts.tv_nsec = (long)(abs_ms % 1000) * 1000000L;
	pthread_cond_timedwait(&S.cv, &S.mu, &ts);
}

/* Sleep up to ms, returning early on shutdown. */
void
sleep_ms(double ms)
{
	int64_t deadline;

	if (!(ms > 0))
		return;
	if (ms > MAX_WAIT_MS)
		ms = MAX_WAIT_MS;
	deadline = mono_ms() + (int64_t)ms;
	pthread_mutex_lock(&S.mu);
	while (!S.shutting_down && mono_ms() < deadline)
		cv_wait_until(deadline);
	pthread_mutex_unlock(&S.mu);
}

/*
 * Is the client gone?  Peeks the socket: only called from the
 * connection's own thread, while MHD isn't reading it.
 */
static int
client_gone(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	char ch;
	ssize_t n;

	if (!ci)
		return 0;
	n = recv(ci->connect_fd, &ch, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n == 0)
		return 1;
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
		return 1;
	return 0;
}

/*
 * S.mu held.  Waits until ready(arg), shutdown or the deadline (0), or
 * until the client hangs up (-1): a long poll whose client left must not
 * take an update from the queue.  ready runs with S.mu held, before every
 * wait.
 */
int
wait_ready(struct MHD_Connection *c, int64_t deadline,
    int (*ready)(void *), void *arg)
{
	for (;;) {
		int64_t now, until;

		if (ready(arg) || S.shutting_down)
			return 0;
		now = mono_ms();
		if (now >= deadline)
			return 0;
		until = now + GONE_CHECK_MS < deadline ? now + GONE_CHECK_MS :
		    deadline;
		cv_wait_until(until);
		if (client_gone(c))
			return -1;
	}
}

char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p)
		memcpy(p, s, n);
	return p;
}

cJSON *
parse_json(const char *buf, size_t len)
{
	cJSON *j;

	pthread_mutex_lock(&parse_mu);
	j = cJSON_ParseWithLength(buf, len);
	pthread_mutex_unlock(&parse_mu);
	return j;
}

/* A number or a numeric string: form fields and query values are text. */
int
json_num(const cJSON *obj, const char *key, double *out)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	char *end;
	double v;

	if (cJSON_IsNumber(it) && isfinite(it->valuedouble)) {
		*out = it->valuedouble;
		return 1;
	}
	if (!cJSON_IsString(it) || !it->valuestring || !it->valuestring[0])
		return 0;
	errno = 0;
	v = strtod(it->valuestring, &end);
	while (*end == ' ')
		end++;
	if (end == it->valuestring || *end != '\0' || errno != 0 ||
	    !isfinite(v))
		return 0;
	*out = v;
	return 1;
}

int
json_bool(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (cJSON_IsBool(it))
		return cJSON_IsTrue(it);
	if (cJSON_IsNumber(it))
		return it->valuedouble != 0;
	if (cJSON_IsString(it) && it->valuestring)
		return strcasecmp(it->valuestring, "true") == 0 ||
		    strcmp(it->valuestring, "1") == 0;
	return 0;
}

const char *
json_str(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(it) ? it->valuestring : NULL;
}

/* Add or replace obj[key] = item (takes ownership of item). */
void
json_set(cJSON *obj, const char *key, cJSON *item)
{
	if (!item)
		return;
	if (cJSON_GetObjectItemCaseSensitive(obj, key))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, item);
	else
		cJSON_AddItemToObject(obj, key, item);
}

/*
 * obj's chat_id as text ("" if none), so that -100500 and "-100500" are
 * the same chat to a fault and to a scripted member.
 */
void
chat_text(const cJSON *obj, char *out, size_t n)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, "chat_id");
	double d;

	if (cJSON_IsString(it) && it->valuestring &&
	    !json_num(obj, "chat_id", &d))
		snprintf(out, n, "%s", it->valuestring);
	else if (json_num(obj, "chat_id", &d))
		snprintf(out, n, "%.0f", d);
	else
		out[0] = '\0';
}

/* A query-string value as a number (control endpoints). */
int
query_num(struct MHD_Connection *c, const char *key, double *out)
{
	const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
	    key);
	char *end;
	double d;

	if (!v || !*v)
		return 0;
	errno = 0;
	d = strtod(v, &end);
	if (end == v || *end || errno || !isfinite(d))
		return 0;
	*out = d;
	return 1;
}

/* floor() without libm, for values already clamped to a sane range. */
double
ifloor(double v)
{
	double t;

	if (!(v > -9e15 && v < 9e15))
		return v;
	t = (double)(long long)v;
	return t > v ? t - 1 : t;
}

double
clampd(double v, double lo, double hi)
{
	if (!(v >= lo))
		return lo;
	if (v > hi)
		return hi;
	return v;
}

/* ------------------------------------------------------------------ */
/* request bodies                                                       */

static int
buf_append(char **buf, size_t *len, size_t *cap, const char *data, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t nc = *cap ? *cap : 256;
		char *nb;

		while (nc < *len + n + 1)
			nc *= 2;
		nb = realloc(*buf, nc);
		if (!nb)
			return -1;
		*buf = nb;
		*cap = nc;
	}
	if (n)
		memcpy(*buf + *len, data, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

/* A new field for key, or NULL (out of memory). */
static struct field *
field_new(struct req *r, const char *key, const char *filename,
    const char *content_type)
{
	struct field *f;

	if (r->nfields == r->capfields) {
		size_t nc = r->capfields ? r->capfields * 2 : 8;
		struct field *nf = realloc(r->fields, nc * sizeof(*nf));

		if (!nf)
			return NULL;
		r->fields = nf;
		r->capfields = nc;
	}
	f = &r->fields[r->nfields];
	memset(f, 0, sizeof(*f));
	if (!(f->key = xstrdup(key)))
		return NULL;
	r->nfields++;
	if (filename) {
		/* a file is recorded by its name, type and size only */
		f->is_file = 1;
		f->filename = xstrdup(filename);
		f->ctype = content_type ? xstrdup(content_type) : NULL;
	}
	return f;
}

/* MHD hands a field over in pieces; a piece at offset 0 starts one. */
static enum MHD_Result
post_iter(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *filename, const char *content_type,
    const char *transfer_encoding, const char *data, uint64_t off,
    size_t size)
{
	struct req *r = cls;
	struct field *f;
	size_t cap;

	(void)kind;
	(void)transfer_encoding;
	if (!key)
		return MHD_YES;
	if (off == 0 || r->nfields == 0 ||
	    strcmp(r->fields[r->nfields - 1].key, key) != 0) {
		if (!field_new(r, key, filename, content_type))
			goto oom;
	}
	f = &r->fields[r->nfields - 1];
	if (f->is_file) {
		f->size += size;
		return MHD_YES;
	}
	cap = f->val ? f->len + 1 : 0;
	if (!f->val) {
		if (!(f->val = malloc(1)))
			goto oom;
		f->val[0] = '\0';
		cap = 1;
	}
	if (size && data && buf_append(&f->val, &f->len, &cap, data, size))
		goto oom;
	return MHD_YES;
oom:
	r->oom = 1;
	return MHD_NO;
}

static void
req_free(struct req *r)
{
	size_t i;

	if (!r)
		return;
	if (r->pp)
		(void)MHD_destroy_post_processor(r->pp);
	for (i = 0; i < r->nfields; i++) {
		free(r->fields[i].key);
		free(r->fields[i].val);
		free(r->fields[i].filename);
		free(r->fields[i].ctype);
	}
	free(r->fields);
	free(r->body);
	free(r);
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	req_free(*con_cls);
	*con_cls = NULL;
}

static enum MHD_Result
query_iter(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	(void)kind;
	if (key)
		json_set(cls, key, cJSON_CreateString(value ? value : ""));
	return MHD_YES;
}

/* Moves the members of a JSON object body into p (later ones win). */
static int
merge_json(cJSON *p, const struct req *r, const char **desc)
{
	cJSON *b = parse_json(r->body, r->len);
	cJSON *it;

	if (!b) {
		*desc = "Bad Request: can't parse JSON object";
		return -1;
	}
	if (!cJSON_IsObject(b)) {
		cJSON_Delete(b);
		*desc = "Bad Request: JSON body must be an object";
		return -1;
	}
	while ((it = b->child) != NULL) {
		char *key;

		cJSON_DetachItemViaPointer(b, it);
		if (!(key = it->string)) {
			cJSON_Delete(it);
			continue;
		}
		it->string = NULL;
		json_set(p, key, it);
		free(key);
	}
	cJSON_Delete(b);
	return 0;
}

/*
 * A bot call's parameters: the query string, then the body (form fields or
 * a JSON object) on top, as the real APIs read them.  NULL (status and
 * desc set) on error.
 */
static cJSON *
build_params(struct MHD_Connection *c, struct req *r, unsigned *status,
    const char **desc)
{
	cJSON *p = cJSON_CreateObject();
	size_t i, k = 0;

	if (!p || r->oom) {
		*status = 500;
		*desc = "Internal Server Error: out of memory";
		goto fail;
	}
	if (r->too_large) {
		*status = 413;
		*desc = "Request Entity Too Large";
		goto fail;
	}
	if (r->pp_error) {
		*status = 400;
		*desc = "Bad Request: can't parse form data";
		goto fail;
	}
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, query_iter, p);
	for (i = 0; i < r->nfields; i++) {
		struct field *f = &r->fields[i];
		cJSON *o;

		if (!f->is_file) {
			json_set(p, f->key,
			    cJSON_CreateString(f->val ? f->val : ""));
			continue;
		}
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "filename",
		    f->filename ? f->filename : "");
		cJSON_AddStringToObject(o, "content_type",
		    f->ctype ? f->ctype : "");
		cJSON_AddNumberToObject(o, "size", (double)f->size);
		json_set(p, f->key, o);
	}
	if (r->len == 0)
		return p;
	while (k < r->len && (r->body[k] == ' ' || r->body[k] == '\t' ||
	    r->body[k] == '\r' || r->body[k] == '\n'))
		k++;
	/* no Content-Type but a body that opens an object: JSON too */
	if ((r->is_json_ct || (k < r->len && r->body[k] == '{')) &&
	    merge_json(p, r, desc) == -1) {
		*status = 400;
		goto fail;
	}
	return p;
fail:
	cJSON_Delete(p);
	return NULL;
}

/*
 * The parameters of a call to method, or NULL when the body cannot be
 * read: then the call is recorded as rejected and answered.
 */
cJSON *
request_params(struct MHD_Connection *c, struct req *r, enum platform pl,
    const char *method, struct reply *rp)
{
	unsigned st = 0;
	const char *desc = NULL;
	cJSON *params = build_params(c, r, &st, &desc);

	if (!params) {
		record_rejected(pl, method, NULL, r->t_ms, st, NULL, desc);
		reply_error(rp, st, desc);
	}
	return params;
}

/* ------------------------------------------------------------------ */
/* replies                                                              */

/* Takes j. */
void
reply_json(struct reply *rp, unsigned status, cJSON *j)
{
	rp->status = status;
	rp->body = j ? cJSON_PrintUnformatted(j) : NULL;
	cJSON_Delete(j);
}

/* {"ok":true,"result":…}, the bot APIs' envelope; takes result. */
void
reply_ok(struct reply *rp, cJSON *result)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddTrueToObject(o, "ok");
	if (result)
		cJSON_AddItemToObject(o, "result", result);
	else
		cJSON_AddNullToObject(o, "result");
	reply_json(rp, 200, o);
}

cJSON *
error_obj(int code, const char *desc)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddFalseToObject(o, "ok");
	cJSON_AddNumberToObject(o, "error_code", code);
	cJSON_AddStringToObject(o, "description", desc);
	return o;
}

void
reply_error(struct reply *rp, unsigned status, const char *desc)
{
	reply_json(rp, status, error_obj((int)status, desc));
}

/* A control endpoint's error: {"error":"…"}. */
void
reply_cerror(struct reply *rp, unsigned status, const char *desc)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "error", desc);
	reply_json(rp, status, o);
}

/* A control endpoint that has nothing to tell. */
void
reply_done(struct reply *rp)
{
	rp->status = 200;
	rp->body = xstrdup("{\"ok\":true}");
}

/* Close the connection without answering; note goes to the log. */
void
reply_drop(struct reply *rp, const char *note)
{
	rp->drop = 1;
	rp->note = note;
}

/* ------------------------------------------------------------------ */
/* the server                                                           */

/* One line a request; the token in the path is not logged. */
static void
log_request(const char *hmethod, const char *url, const struct reply *rp)
{
	char path[512];
	size_t o = 0, pre = 0;
	const char *p = url, *tok_end;

	if (!log_fp)
		return;
	if (!strncmp(url, "/zalo/bot", 9))
		pre = 9;
	else if (!strncmp(url, "/bot", 4))
		pre = 4;
	if (pre) {
		memcpy(path, url, pre);
		o = pre;
		memcpy(path + o, "<token>", 7);
		o += 7;
		tok_end = strchr(url + pre, '/');
		p = tok_end ? tok_end : url + strlen(url);
	}
	for (; *p && o + 1 < sizeof(path); p++)
		path[o++] = (*p >= 0x21 && *p <= 0x7e) ? *p : '?';
	path[o] = '\0';
	pthread_mutex_lock(&log_mu);
	if (rp->drop)
		fprintf(log_fp, "%lld %s %s %s\n", (long long)mono_ms(),
		    hmethod, path, rp->note ? rp->note : "drop");
	else
		fprintf(log_fp, "%lld %s %s %u\n", (long long)mono_ms(),
		    hmethod, path, rp->status);
	fflush(log_fp);
	pthread_mutex_unlock(&log_mu);
}

static int
is_form(const char *ct)
{
	return !strncasecmp(ct, MHD_HTTP_POST_ENCODING_FORM_URLENCODED,
	    strlen(MHD_HTTP_POST_ENCODING_FORM_URLENCODED)) ||
	    !strncasecmp(ct, MHD_HTTP_POST_ENCODING_MULTIPART_FORMDATA,
	    strlen(MHD_HTTP_POST_ENCODING_MULTIPART_FORMDATA));
}

/* The first call of a request: what its body will be read as. */
static struct req *
req_new(struct MHD_Connection *c, const char *url)
{
	struct req *r = calloc(1, sizeof(*r));
	const char *ct;

	if (!r)
		return NULL;
	r->t_ms = mono_ms();
	ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_TYPE);
	if (ct && !strncasecmp(ct, "application/json", 16)) {
		r->is_json_ct = 1;
	} else if (ct && strncmp(url, "/control/", 9) && is_form(ct)) {
		/* control bodies are JSON whatever they say they are */
		r->pp = MHD_create_post_processor(c, 4096, post_iter, r);
		if (!r->pp)
			r->pp_error = 1;
	}
	return r;
}

/* A piece of the body; past BODY_CAP the rest is counted, not kept. */
static void
req_upload(struct req *r, const char *data, size_t n)
{
	r->total += n;
	if (r->too_large || r->total > BODY_CAP) {
		r->too_large = 1;
		return;
	}
	if (r->pp_error || r->oom)
		return;
	if (r->pp) {
		if (MHD_post_process(r->pp, data, n) != MHD_YES)
			r->pp_error = 1;
	} else if (buf_append(&r->body, &r->len, &r->cap, data, n)) {
		r->oom = 1;
	}
}

static void
route(struct MHD_Connection *c, const char *url, const char *hmethod,
    struct req *r, struct reply *rp)
{
	if (!strncmp(url, "/control/", 9))
		ctl_handle(c, hmethod, url + 8, r, rp);
	else if (!strncmp(url, "/zalo/bot", 9))
		bot_handle(c, &zalo_api, url + 9, r, rp);
	else if (!strncmp(url, "/oa/", 4) || !strncmp(url, "/oauth/", 7))
		oa_handle(c, url, r, rp);
	else if (!strncmp(url, "/bot", 4))
		bot_handle(c, &tg_api, url + 4, r, rp);
	else
		reply_error(rp, 404, "Not Found");
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *hmethod, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct req *r = *con_cls;
	struct reply rp;
	struct MHD_Response *resp;
	enum MHD_Result ret;

	(void)cls;
	(void)version;
	if (!r) {
		if (!(r = req_new(c, url)))
			return MHD_NO;
		*con_cls = r;
		return MHD_YES;
	}
	if (*upload_data_size) {
		req_upload(r, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}

	memset(&rp, 0, sizeof(rp));
	pthread_mutex_lock(&S.mu);
	S.requests++;
	pthread_mutex_unlock(&S.mu);
	route(c, url, hmethod, r, &rp);
	if (!rp.drop && !rp.body) {
		rp.status = 500;
		rp.body = xstrdup("{\"ok\":false,\"error_code\":500,"
		    "\"description\":\"Internal Server Error\"}");
	}
	log_request(hmethod, url, &rp);
	if (rp.drop || !rp.body)
		return MHD_NO;
	resp = MHD_create_response_from_buffer(strlen(rp.body), rp.body,
	    MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(rp.body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "application/json");
	ret = MHD_queue_response(c, rp.status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: fakeapi --port N|0 [--portfile FILE] [--log FILE]\n"
	    "Fake Telegram Bot API (/bot<TOKEN>/<method>) and Zalo Bot "
	    "API (/zalo/bot<TOKEN>/<method>)\n"
	    "on 127.0.0.1, scripted via /control/*.  See "
	    "tests/fakeapi/README.md.\n");
}

/* Atomic (a temporary file renamed), so a test can poll for the file. */
static int
write_portfile(const char *path, unsigned port)
{
	char tmp[4096];
	FILE *fp;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >=
	    (int)sizeof(tmp))
		return -1;
	if (!(fp = fopen(tmp, "w")))
		return -1;
	fprintf(fp, "%u\n", port);
	if (fclose(fp) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* 0 on success, or the exit status. */
static int
parse_args(int argc, char **argv, long *port, const char **portfile,
    const char **logfile)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--port") && i + 1 < argc) {
			char *end;

			*port = strtol(argv[++i], &end, 10);
			if (*end || *port < 0 || *port > 65535) {
				fprintf(stderr, "fakeapi: bad --port\n");
				return 2;
			}
		} else if (!strcmp(argv[i], "--portfile") && i + 1 < argc) {
			*portfile = argv[++i];
		} else if (!strcmp(argv[i], "--log") && i + 1 < argc) {
			*logfile = argv[++i];
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return -1;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (*port < 0) {
		usage(stderr);
		return 2;
	}
	return 0;
}

static struct MHD_Daemon *
listen_on(long port)
{
	struct sockaddr_in sa;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* no connection timeout: a long poll may last an hour */
	return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL | MHD_USE_ERROR_LOG,
	    (uint16_t)port, NULL, NULL, on_request, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)0,
	    MHD_OPTION_END);
}

int
main(int argc, char **argv)
{
	long port = -1;
	const char *portfile = NULL, *logfile = NULL;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *di;
	pthread_condattr_t ca;
	sigset_t set;
	unsigned bound;
	int rc, sig = 0;

	if ((rc = parse_args(argc, argv, &port, &portfile, &logfile)) != 0)
		return rc == -1 ? 0 : rc;

	/* Signals go to sigwait() in main; threads inherit the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	pthread_mutex_init(&S.mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&S.cv, &ca);
	pthread_condattr_destroy(&ca);
	state_clear();

	if (logfile && !(log_fp = fopen(logfile, "a"))) {
		fprintf(stderr, "fakeapi: can't open log %s: %s\n", logfile,
		    strerror(errno));
		return 1;
	}
	if (!(d = listen_on(port))) {
		fprintf(stderr, "fakeapi: can't listen on 127.0.0.1:%ld\n",
		    port);
		return 1;
	}
	di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	bound = di ? di->port : (unsigned)port;
	if (portfile && write_portfile(portfile, bound) != 0) {
		fprintf(stderr, "fakeapi: can't write %s: %s\n", portfile,
		    strerror(errno));
		MHD_stop_daemon(d);
		return 1;
	}
	fprintf(stderr, "fakeapi: listening on 127.0.0.1:%u\n", bound);

	while (sigwait(&set, &sig) != 0)
		;
	fprintf(stderr, "fakeapi: signal %d, shutting down\n", sig);

	/* wake every long poll, so MHD_stop_daemon need not wait an hour */
	pthread_mutex_lock(&S.mu);
	S.shutting_down = 1;
	pthread_cond_broadcast(&S.cv);
	pthread_mutex_unlock(&S.mu);
	MHD_stop_daemon(d);

	if (portfile)
		unlink(portfile);
	pthread_mutex_lock(&S.mu);
	state_free();
	pthread_mutex_unlock(&S.mu);
	if (log_fp)
		fclose(log_fp);
	return 0;
}
