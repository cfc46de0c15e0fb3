/*
 * Where a reply is finished for a platform (issue 12): a reply whose
 * rendering does not fit BUF_CAP_REPLY is not sent at all. The old buffer
 * emptied itself at the overflow and took the options after it, so the
 * resident got "1. Gặp người hỗ trợ / 0. Về menu chính" with no answer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conv.h"
#include "log.h"
#include "tg.h"
#include "zalo.h"
#include "zalo_oa.h"

struct sent {
	int n;
	struct buf all;         /* every body, one after the other */
};

static void
collect(const char *body, void *arg)
{
	struct sent *s = arg;

	s->n++;
	assert_int_equal(buf_adds(&s->all, body), 0);
	assert_int_equal(buf_addc(&s->all, '\n'), 0);
}

/* A fallback with one option, its text `len` bytes of 'a'. */
static void
reply_of(struct conv_reply *r, size_t len)
{
	char *t = malloc(len + 1);

	assert_non_null(t);
	memset(t, 'a', len);
	t[len] = '\0';
	conv_reply_init(r);
	r->kind = CONV_FALLBACK;
	assert_int_equal(buf_adds(&r->text, t), 0);
	snprintf(r->opt[0].topic, CONV_ID_MAX, "handoff.human");
	r->opt[0].title = "Gặp người hỗ trợ";
	r->nopt = 1;
	free(t);
}

typedef void render_fn(const struct conv_reply *r, const char *chat_id,
    void (*emit)(const char *body, void *arg), void *arg);

static void
check_render(render_fn *render)
{
	struct conv_reply r;
	struct sent s = { 0 };

	buf_init(&s.all, 16 * 1024 * 1024);
	/* a reply that fits goes out, options included */
	reply_of(&r, 100);
	render(&r, "42", collect, &s);
	assert_int_equal(s.n, 1);
	assert_non_null(strstr(s.all.data, "Gặp người hỗ trợ"));
	assert_non_null(strstr(s.all.data, "aaaa"));
	conv_reply_release(&r);

	/* the text fits its buffer, the options after it do not */
	s.n = 0;
	buf_reset(&s.all);
	reply_of(&r, BUF_CAP_REPLY - 8);
	log_set_level(LOG_ERROR + 1);
	render(&r, "42", collect, &s);
	log_set_level(LOG_INFO);
	if (s.n)
		fail_msg("%d bodies sent for a reply that overflowed, the first "
		    "%.80s…", s.n, s.all.data);
	conv_reply_release(&r);
	buf_release(&s.all);
}

static void
test_zalo_overflow_not_sent(void **state)
{
	(void)state;
	check_render(zalo_render);
}

static void
test_zalo_oa_overflow_not_sent(void **state)
{
	(void)state;
	check_render(zalo_oa_render);
}

/* Telegram sends options as buttons: the whole text goes, split. */
static void
test_tg_long_reply_whole(void **state)
{
	struct conv_reply r;
	struct sent s = { 0 };

	(void)state;
	buf_init(&s.all, 16 * 1024 * 1024);
	reply_of(&r, BUF_CAP_REPLY - 8);
	tg_render(&r, "42", collect, &s);
	assert_true(s.n > 1);
	assert_non_null(strstr(s.all.data, "Gặp người hỗ trợ"));
	conv_reply_release(&r);
	buf_release(&s.all);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zalo_overflow_not_sent),
		cmocka_unit_test(test_zalo_oa_overflow_not_sent),
		cmocka_unit_test(test_tg_long_reply_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
