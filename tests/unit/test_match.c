/* match.c: ranking topics for a message, on kb-mini and on crafted kbs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "kb.h"
#include "match.h"
#include "testutil.h"
#include "text.h"

static void
match(struct kb *kb, const char *msg, struct match_result *r)
{
	match_run(kb, msg, strlen(msg), r);
}

static const char *
topic_id(const struct match_result *r)
{
	return r->topic ? r->topic->id : "(none)";
}

/* Expects the action and (for answer/clarify) the topic. */
static void
expect(struct kb *kb, const char *msg, enum match_action act, const char *id)
{
	struct match_result r;

	match(kb, msg, &r);
	if (r.action != act || (id && (!r.topic || strcmp(r.topic->id, id) != 0)))
		fail_msg("\"%s\": got %s %s (%.3f), want %s %s", msg,
		    match_action_name(r.action), topic_id(&r), r.score,
		    match_action_name(act), id ? id : "");
	if (act == MATCH_ANSWER)
		assert_true(r.score >= MATCH_ANSWER_MIN);
}

static const struct match_cand *
cand_of(const struct match_result *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->ncand; i++)
		if (strcmp(r->cand[i].topic->id, id) == 0)
			return &r->cand[i];
	return NULL;
}

/* Structural promises of a result, whatever the message. */
static void
check_result(const struct match_result *r)
{
	size_t i;

	assert_true(r->ncand <= MATCH_MAX_CAND);
	if (r->action == MATCH_ANSWER || r->action == MATCH_CLARIFY) {
		assert_non_null(r->topic);
		assert_true(r->ncand >= 1);
		assert_ptr_equal(r->cand[0].topic, r->topic);
		assert_true(fabs(r->cand[0].score - r->score) < 1e-12);
		assert_false(r->topic->system);
	}
	for (i = 1; i < r->ncand; i++)
		assert_true(r->cand[i].score <= r->cand[i - 1].score);
	for (i = 0; i < r->ncand; i++)
		assert_false(r->cand[i].topic->system);
}

/* ---- kb-mini ---- */

static void
test_cai_vneid_ntn(void **state)
{
	struct match_result r;

	(void)state;
	match(tu_mini()->kb, "cai vneid ntn", &r);
	check_result(&r);
	assert_int_equal(r.action, MATCH_ANSWER);
	assert_string_equal(topic_id(&r), "vneid.install");
	/* the pattern (cài|tải)...vneid hit, on the folded form */
	assert_true(r.cand[0].regex > 0);
	expect(tu_mini()->kb, "Cài VNeID thế nào?", MATCH_ANSWER, "vneid.install");
	expect(tu_mini()->kb, "CÀI VNEID", MATCH_ANSWER, "vneid.install");
	expect(tu_mini()->kb, "tải ứng dụng định danh ở đâu", MATCH_ANSWER,
	    "vneid.install");
}

static void
test_nfd_same_as_nfc(void **state)
{
	static const char *const pairs[][2] = {
		{ "Cài VNeID thế nào", "Ca\xcc\x80i VNeID thê\xcc\x81 na\xcc\x80o" },
		{ "thuế nhà đất", "thuê\xcc\x81 nha\xcc\x80 đâ\xcc\x81t" },
		{ "tôi muốn thuê nhà", "to\xcc\x82i muô\xcc\x81n thue\xcc\x82 "
		    "nha\xcc\x80" },
		/* code page 1258 style: precomposed ê + combining tone */
		{ "thuế nhà đất", "thuê\xcc\x81 nhà đâ\xcc\x81t" },
	};
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		struct match_result a, b;

		match(tu_mini()->kb, pairs[i][0], &a);
		match(tu_mini()->kb, pairs[i][1], &b);
		check_result(&a);
		assert_int_equal(a.action, MATCH_ANSWER);
		assert_int_equal(a.action, b.action);
		assert_ptr_equal(a.topic, b.topic);
		assert_true(a.score == b.score);
		assert_int_equal(a.ncand, b.ncand);
		for (k = 0; k < a.ncand; k++) {
			assert_ptr_equal(a.cand[k].topic, b.cand[k].topic);
			assert_true(a.cand[k].score == b.cand[k].score);
		}
	}
}

static void
test_exact_over_folded_mini(void **state)
{
	struct match_result r;
	const struct match_cand *other;

	(void)state;
	expect(tu_mini()->kb, "tôi muốn thuê nhà", MATCH_ANSWER, "rent.house");
	expect(tu_mini()->kb, "thuế nhà đất", MATCH_ANSWER, "etax.pay_land_tax");
	/* without diacritics both spellings are possible: the pattern decides */
	expect(tu_mini()->kb, "nop thue dat", MATCH_ANSWER, "etax.pay_land_tax");
	expect(tu_mini()->kb, "thue phong", MATCH_ANSWER, "rent.house");

	/* "thuê nhà đất": rent.house hits exactly, etax only when folded */
	match(tu_mini()->kb, "thuê nhà đất", &r);
	check_result(&r);
	assert_string_equal(topic_id(&r), "rent.house");
	other = cand_of(&r, "etax.pay_land_tax");
	if (other)
		assert_true(r.score > other->score);

	/* "thuế nhà đất": etax exact; rent.house (thuê) only when folded */
	match(tu_mini()->kb, "thuế nhà đất", &r);
	check_result(&r);
	assert_string_equal(topic_id(&r), "etax.pay_land_tax");
	assert_true(r.cand[0].regex > 0);
	other = cand_of(&r, "rent.house");
	if (other) {
		assert_true(r.score > other->score);
		assert_true(r.cand[0].regex > other->regex);
	}
}

/* One topic, the same pattern hit exactly and only after folding. */
static void
test_exact_scores_higher_than_folded(void **state)
{
	struct tu_kb k;
	struct match_result ex, fo, plain;

	(void)state;
	tu_kb_open(&k, "topics.txt",
	    "== rent.house\ntitle: Thuê nhà\nkeywords: thuê nhà, thuê phòng\n"
	    "match: thuê\\s+(nhà|phòng)\nsource: s\nreviewed: 2026-11-01\n"
	    "answer:\nx\n", NULL);
	assert_int_equal(k.d.nerr, 0);
	match(k.kb, "thuê nhà", &ex);       /* exact hit */
	match(k.kb, "thuế nhà", &fo);       /* "tax", hits only when folded */
	match(k.kb, "thue nha", &plain);    /* no marks typed: folded is exact */
	check_result(&ex);
	check_result(&fo);
	assert_int_equal(ex.action, MATCH_ANSWER);
	assert_non_null(ex.topic);
	assert_true(ex.cand[0].regex > 0);
	if (fo.ncand) {
		assert_true(fo.cand[0].regex < ex.cand[0].regex);
		assert_true(fo.score < ex.score);
	}
	assert_int_equal(plain.action, MATCH_ANSWER);
	assert_true(plain.cand[0].regex == ex.cand[0].regex);
	tu_kb_close(&k);
}

/*
 * A pattern never starts inside a word. "em" ... "ở lại" (a relative who
 * stays over) once hit "tiết kiệm ... nào lãi": "em" is the end of "kiem"
 * and "ở lại" folds to the "o lai" of "nao lai". The same pattern still
 * hits where its words are words, and a pattern that starts the message.
 */
static void
test_pattern_starts_at_a_word(void **state)
{
	struct tu_kb k;
	struct match_result r;

	(void)state;
	tu_kb_open(&k, "topics.txt",
	    "== stay.notice\ntitle: Thông báo lưu trú\nkeywords: lưu trú\n"
	    "match: (anh|em|cô).{0,40}(ở\\s*lại|ngủ\\s*lại)\n"
	    "source: s\nreviewed: 2026-11-01\nanswer:\nx\n", NULL);
	assert_int_equal(k.d.nerr, 0);
	match(k.kb, "gui tiet kiem online ngan hang nao lai cao", &r);
	check_result(&r);
	assert_true(r.ncand == 0 || r.cand[0].regex == 0);
	assert_int_not_equal(r.action, MATCH_ANSWER);
	match(k.kb, "con cháu thanh toán, cô ấy ở lại hai đêm", &r);
	assert_true(r.ncand > 0 && r.cand[0].regex > 0);
	match(k.kb, "em tôi ở lại nhà tôi", &r);
	assert_true(r.ncand > 0 && r.cand[0].regex > 0);
	tu_kb_close(&k);
}

/*
 * "^(?!.*X).*" names none of X's alternatives anywhere, inside a word too:
 * the word-start guard is for where a pattern starts, not for what its
 * lookahead finds. Once the line is hot it runs in pieces (one per
 * alternative of X): the answer must not change from the third asking on
 * ("an" inside "toan" once vetoed only after the line was cut).
 */
static void
test_none_of_pieces_keep_the_whole(void **state)
{
	struct tu_kb k;
	struct match_result r;
	int i;

	(void)state;
	tu_kb_open(&k, "topics.txt",
	    "== vneid.install\ntitle: Cài VNeID\nkeywords: vneid, cài app\n"
	    "match: (cài|tải)\\b.{0,30}vneid\n"
	    "not: ^(?!.*(xyzw|an)).*\n"
	    "source: s\nreviewed: 2026-11-01\nanswer:\nx\n", NULL);
	assert_int_equal(k.d.nerr, 0);
	for (i = 0; i < 40; i++) {         /* past KB_CUT_AFTER and KB_JIT_AFTER */
		match(k.kb, "cai vneid toan", &r);
		assert_int_equal(r.action, MATCH_ANSWER);
		match(k.kb, "cai vneid thoi", &r);
		assert_int_not_equal(r.action, MATCH_ANSWER);
	}
	tu_kb_close(&k);
}

/*
 * README: "thuê nhà" is not "thuế nhà". A resident who typed "thuế nhà"
 * (house tax) must not get the renting guide as a confident answer only
 * because the pattern thuê\s+nhà hits once the marks are stripped.
 */
static void
test_mismarked_word_not_confident(void **state)
{
	struct tu_kb k;
	struct match_result r;

	(void)state;
	tu_kb_open(&k, "topics.txt",
	    "== rent.house\ntitle: Thuê nhà\nkeywords: thuê nhà, thuê phòng\n"
	    "match: thuê\\s+(nhà|phòng)\nsource: s\nreviewed: 2026-11-01\n"
	    "answer:\nx\n", NULL);
	assert_int_equal(k.d.nerr, 0);
	match(k.kb, "thuế nhà", &r);
	check_result(&r);
	if (r.action == MATCH_ANSWER)
		fail_msg("\"thuế nhà\" answered by %s (%.3f, pattern %.2f, words "
		    "%.3f): a folded-only hit on a word typed with other marks",
		    topic_id(&r), r.score, r.cand[0].regex, r.cand[0].sim);
	tu_kb_close(&k);
}

/*
 * A message of forms of address and particles only ("được không con",
 * "con ơi") asks nothing: the words stage must not answer it with the one
 * topic whose keywords happen to hold those words ("tài khoản cho con").
 */
static void
test_stop_words_only_ask_nothing(void **state)
{
	static const char *const msgs[] = { "được không con", "duoc k con",
		"con ơi", "mẹ hỏi con với", "bác hỏi cháu được không" };
	struct tu_kb k;
	size_t i;

	(void)state;
	tu_kb_open(&k, "topics.txt",
	    "== id.child\ntitle: Tài khoản cho con\n"
	    "keywords: tài khoản cho con, tài khoản của con, cho cháu\n"
	    "ask: làm tài khoản cho con được không\n"
	    "ask: mẹ hỏi tài khoản của cháu với\n"
	    "match: tài\\s*khoản\\s+(cho|của)\\s+con\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\nx\n"
	    "== human\ntitle: Gặp người thật\nkeywords: gặp người thật\n"
	    "ask: muốn gặp người thật với\n"
	    "match: nói\\s*chuyện\\s+với\\s+cán\\s*bộ\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\ny\n",
	    "stopwords.txt",
	    "ạ à ơi nhé\ncon cháu bác mẹ\nđược không hỏi với muốn\n",
	    NULL);
	assert_int_equal(k.d.nerr, 0);
	for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		struct match_result r;

		match(k.kb, msgs[i], &r);
		check_result(&r);
		if (r.action == MATCH_ANSWER)
			fail_msg("\"%s\" answered by %s (%.3f, words %.3f): "
			    "stop words only", msgs[i], topic_id(&r), r.score,
			    r.cand[0].sim);
	}
	expect(k.kb, "tài khoản cho con", MATCH_ANSWER, "id.child");
	expect(k.kb, "tai khoan cho con duoc khong", MATCH_ANSWER, "id.child");
	/* a pattern's hit is evidence enough; the shared stop words still
	 * count beside it */
	expect(k.kb, "muốn nói chuyện với cán bộ", MATCH_ANSWER, "human");
	tu_kb_close(&k);
}

static void
test_out_of_scope(void **state)
{
	static const char *const oos[] = { "giá vàng hôm nay",
		"dự báo thời tiết", "kết quả xổ số miền bắc", "gia vang hom nay",
		"công thức nấu phở bò", "lịch thi đấu bóng đá" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(oos) / sizeof(oos[0]); i++) {
		struct match_result r;

		match(tu_mini()->kb, oos[i], &r);
		check_result(&r);
		if (r.action != MATCH_FALLBACK)
			fail_msg("\"%s\" is out of scope, got %s %s (%.3f)", oos[i],
			    match_action_name(r.action), topic_id(&r), r.score);
		assert_true(r.score < MATCH_CLARIFY_MIN);
	}
}

static void
test_empty_and_emoji(void **state)
{
	static const char *const msgs[] = { "", "   ", "😀", "😀🎉👍🙏",
		"!!! ??? ...", "\xe2\x80\x8b" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		struct match_result r;

		match(tu_mini()->kb, msgs[i], &r);
		check_result(&r);
		assert_int_equal(r.action, MATCH_FALLBACK);
		assert_null(r.topic);
		assert_int_equal(r.ncand, 0);
		assert_true(r.score == 0);
	}
	{
		struct match_result r;

		match_run(tu_mini()->kb, NULL, 0, &r);
		assert_int_equal(r.action, MATCH_FALLBACK);
	}
}

static void
test_invalid_utf8_message(void **state)
{
	(void)state;
	expect(tu_mini()->kb, "cài vneid\xff\xfe", MATCH_ANSWER, "vneid.install");
	expect(tu_mini()->kb, "\xe1\xba", MATCH_FALLBACK, NULL);
}

static void
test_system_topics_never_match(void **state)
{
	struct match_result r;

	(void)state;
	/* the words of sys.fallback's own text */
	match(tu_mini()->kb, "cháu chưa hiểu rõ câu hỏi của bác", &r);
	check_result(&r);
	if (r.topic)
		assert_false(r.topic->system);
	match(tu_mini()->kb, "hướng dẫn còn tiếp", &r);
	check_result(&r);
}

static void
test_determinism(void **state)
{
	static const char *const msgs[] = { "cai vneid ntn", "thuế nhà đất",
		"cho hoi dong thue nha o dau", "giá vàng", "xin chào bác",
		"gặp cán bộ thuế" };
	struct tu_kb other;
	size_t i, k;

	(void)state;
	tu_kb_load_dir(&other, TU_KB_MINI);
	assert_non_null(other.kb);
	for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		struct match_result a, b, c;

		match(tu_mini()->kb, msgs[i], &a);
		match(tu_mini()->kb, msgs[i], &b);
		match(other.kb, msgs[i], &c);
		check_result(&a);
		assert_int_equal(a.action, b.action);
		assert_ptr_equal(a.topic, b.topic);
		assert_true(a.score == b.score);
		assert_int_equal(a.ncand, b.ncand);
		assert_int_equal(a.action, c.action);
		assert_string_equal(topic_id(&a), topic_id(&c));
		assert_true(a.score == c.score);
		assert_int_equal(a.ncand, c.ncand);
		for (k = 0; k < a.ncand; k++) {
			assert_ptr_equal(a.cand[k].topic, b.cand[k].topic);
			assert_true(a.cand[k].score == b.cand[k].score);
			assert_string_equal(a.cand[k].topic->id, c.cand[k].topic->id);
		}
	}
	tu_kb_close(&other);
}

static void
test_action_names(void **state)
{
	(void)state;
	assert_string_equal(match_action_name(MATCH_ANSWER), "answer");
	assert_string_equal(match_action_name(MATCH_CLARIFY), "clarify");
	assert_string_equal(match_action_name(MATCH_FALLBACK), "fallback");
}

/* ---- crafted kbs ---- */

#define TWIN(id) \
	"== " id "\n" \
	"title: Đổi thẻ xanh\n" \
	"keywords: đổi thẻ xanh, thẻ xanh\n" \
	"ask: đổi thẻ xanh ở đâu\n" \
	"source: s\nreviewed: 2026-11-01\nanswer:\n" id "\n\n"

static void
test_clarify_on_tie(void **state)
{
	struct tu_kb k;
	struct match_result r;

	(void)state;
	tu_kb_open(&k, "topics.txt", TWIN("card.first") TWIN("card.second"),
	    NULL);
	assert_int_equal(k.d.nerr, 0);
	match(k.kb, "đổi thẻ xanh ở đâu", &r);
	check_result(&r);
	assert_int_equal(r.action, MATCH_CLARIFY);
	assert_int_equal(r.ncand, 2);
	assert_non_null(cand_of(&r, "card.first"));
	assert_non_null(cand_of(&r, "card.second"));
	assert_true(r.cand[0].score == r.cand[1].score);
	/* ties go to file order */
	assert_string_equal(topic_id(&r), "card.first");
	tu_kb_close(&k);

	/* the same two, defined the other way round */
	tu_kb_open(&k, "topics.txt", TWIN("card.second") TWIN("card.first"),
	    NULL);
	match(k.kb, "doi the xanh o dau", &r);
	check_result(&r);
	assert_int_equal(r.action, MATCH_CLARIFY);
	assert_string_equal(topic_id(&r), "card.second");
	tu_kb_close(&k);
}

static void
test_not_vetoes(void **state)
{
	struct tu_kb k;
	struct match_result r;

	(void)state;
	tu_kb_open(&k, "topics.txt",
	    "== vneid.install\ntitle: Cài VNeID\nkeywords: cài vneid, vneid\n"
	    "match: vneid\nnot: gỡ\\s+(bỏ\\s+)?vneid\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\nx\n"
	    "\n== other.topic\ntitle: Nộp thuế\nkeywords: nộp thuế\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\ny\n", NULL);
	assert_int_equal(k.d.nerr, 0);
	expect(k.kb, "cài vneid", MATCH_ANSWER, "vneid.install");
	expect(k.kb, "vneid", MATCH_ANSWER, "vneid.install");
	/* the veto, typed with diacritics */
	match(k.kb, "gỡ vneid", &r);
	check_result(&r);
	assert_null(cand_of(&r, "vneid.install"));
	assert_int_not_equal(r.action, MATCH_ANSWER);
	match(k.kb, "muốn gỡ bỏ vneid", &r);
	assert_null(cand_of(&r, "vneid.install"));
	/* typed without marks, "go" may be gỡ or gõ: a veto written with
	 * diacritics must be certain, so it does not fire */
	match(k.kb, "go vneid", &r);
	assert_non_null(cand_of(&r, "vneid.install"));
	/* "gõ" (type) is not "gỡ" (remove): only a folded hit, no veto */
	match(k.kb, "gõ vneid", &r);
	assert_non_null(cand_of(&r, "vneid.install"));
	tu_kb_close(&k);
}

#define REDOS_TOPICS \
	"== redos.topic\ntitle: Kiểm tra mẫu\nmatch: (a+)+$\nsource: s\n" \
	"reviewed: 2026-11-01\nanswer:\nx\n\n" \
	"== vneid.install\ntitle: Cài VNeID\nkeywords: cài vneid\n" \
	"match: cài\\s+vneid\nsource: s\nreviewed: 2026-11-01\nanswer:\ny\n"

static void
test_catastrophic_pattern(void **state)
{
	struct tu_kb k;
	struct match_result r;
	const struct match_cand *c;
	char msg[64];
	double t0, dt;

	(void)state;
	tu_kb_open(&k, "topics.txt", REDOS_TOPICS, NULL);
	assert_int_equal(k.d.nerr, 0);
	/* the pattern is live: a short run of a's matches it */
	match(k.kb, "aaa", &r);
	check_result(&r);
	c = cand_of(&r, "redos.topic");
	if (!c)
		fail_msg("\"aaa\" should hit (a+)+$");
	else
		assert_true(c->regex > 0);

	/* 30 a's then a non-a: 2^30 ways to fail without a match limit */
	memset(msg, 'a', 30);
	strcpy(msg + 30, "b");
	t0 = tu_now();
	match(k.kb, msg, &r);
	dt = tu_now() - t0;
	check_result(&r);
	assert_null(cand_of(&r, "redos.topic"));
	assert_int_equal(r.action, MATCH_FALLBACK);
	if (dt > 2.0)
		fail_msg("a runaway pattern took %.2f s", dt);

	strcpy(msg + 30, " b");
	t0 = tu_now();
	match(k.kb, msg, &r);
	dt = tu_now() - t0;
	assert_null(cand_of(&r, "redos.topic"));
	assert_true(dt < 2.0);

	/* "!" is punctuation, so the message is 30 a's: it returns, and hits */
	strcpy(msg + 30, "!");
	t0 = tu_now();
	match(k.kb, msg, &r);
	dt = tu_now() - t0;
	check_result(&r);
	assert_true(dt < 2.0);
	assert_non_null(cand_of(&r, "redos.topic"));

	/* and the other topic still works afterwards */
	expect(k.kb, "cài vneid", MATCH_ANSWER, "vneid.install");
	tu_kb_close(&k);
}

/* 1000 topics, each with its own made-up word, over four files. */
static void
gen_word(char out[8], unsigned i)
{
	out[0] = 'p';
	out[1] = 'h';
	out[2] = (char)('a' + i / 676 % 26);
	out[3] = (char)('a' + i / 26 % 26);
	out[4] = (char)('a' + i % 26);
	out[5] = '\0';
}

static void
test_thousand_topics(void **state)
{
	char dir[256], name[32], w[8];
	struct buf b;
	struct tu_kb k;
	unsigned f, i;
	static const unsigned probe[] = { 0, 1, 249, 250, 500, 777, 998, 999 };

	(void)state;
	tu_mkdtemp(dir, sizeof(dir));
	tu_write(dir, "stopwords.txt", TU_DEFAULT_STOPWORDS);
	for (f = 0; f < 4; f++) {
		buf_init(&b, BUF_CAP_FILE);
		for (i = f * 250; i < (f + 1) * 250; i++) {
			gen_word(w, i);
			assert_int_equal(buf_printf(&b,
			    "== gen.t%04u\n"
			    "title: Thủ tục %s\n"
			    "keywords: %s, giấy tờ %s\n"
			    "ask: làm %s thế nào\n"
			    "match: \\b%s\\b\n"
			    "source: test\n"
			    "reviewed: 2026-11-01\n"
			    "answer:\n"
			    "Hướng dẫn số %u.\n\n", i, w, w, w, w, w, i), 0);
		}
		snprintf(name, sizeof(name), "gen%u.txt", f);
		tu_write(dir, name, b.data);
		buf_release(&b);
	}
	tu_kb_load_dir(&k, dir);
	snprintf(k.dir, sizeof(k.dir), "%s", dir);
	assert_non_null(k.kb);
	if (k.d.nerr)
		fail_msg("generated kb has errors:\n%.2000s", k.d.text.data);
	assert_int_equal(kb_count(k.kb), 1000);
	for (i = 0; i < sizeof(probe) / sizeof(probe[0]); i++) {
		char msg[128], want[32];
		struct match_result r;

		gen_word(w, probe[i]);
		snprintf(want, sizeof(want), "gen.t%04u", probe[i]);
		snprintf(msg, sizeof(msg), "cho hỏi làm %s thế nào ạ", w);
		expect(k.kb, msg, MATCH_ANSWER, want);
		/* folded and upper case too */
		snprintf(msg, sizeof(msg), "THU TUC %s", w);
		match(k.kb, msg, &r);
		check_result(&r);
		assert_string_equal(topic_id(&r), want);
	}
	{
		/* words every topic shares cannot pick one of 1000 */
		struct match_result r;

		match(k.kb, "thủ tục giấy tờ thế nào", &r);
		check_result(&r);
		assert_int_not_equal(r.action, MATCH_ANSWER);
	}
	tu_kb_close(&k);
}

static int
no_topics_child(void *arg)
{
	struct tu_kb k;
	struct match_result r;
	int rc;

	(void)arg;
	tu_kb_open(&k, "system.txt", "== sys.fallback\ntitle: F\nanswer:\nx\n"
	    TU_SYS_REQUIRED,
	    NULL);
	match_run(k.kb, "cài vneid", 9, &r);
	rc = k.d.nerr == 0 && r.action == MATCH_FALLBACK && !r.topic ? 0 : 1;
	tu_kb_close(&k);
	return rc;
}

static void
test_kb_without_topics(void **state)
{
	(void)state;
	assert_isolated_ok(no_topics_child, NULL);
}

/*
 * A message of one "word" that compatibility mapping makes longer than
 * TEXT_MAX_INPUT (U+3300, 3 bytes, becomes 4 katakana, 12 bytes): kb-mini
 * has an abbreviation table, so the matcher expands it.
 */
static int
long_compat_child(void *arg)
{
	struct kb *kb = arg;
	size_t n = 1365, i;
	char *msg = malloc(3 * n + 1);
	struct match_result r;

	for (i = 0; i < n; i++)
		memcpy(msg + 3 * i, "\xe3\x8c\x80", 3);
	msg[3 * n] = '\0';
	match_run(kb, msg, strlen(msg), &r);
	free(msg);
	return r.action == MATCH_FALLBACK ? 0 : 1;
}

static void
test_long_compat_message(void **state)
{
	(void)state;
	assert_isolated_ok(long_compat_child, tu_mini()->kb);
}

static void
test_long_message(void **state)
{
	char *big = malloc(10001);
	struct match_result r;
	size_t i;

	(void)state;
	/* 10,000 bytes: a real question, then filler cut off by the limit */
	for (i = 0; i + 4 <= 10000; i += 4)
		memcpy(big + i, "ế ", 4);
	memcpy(big, "cài vneid ", strlen("cài vneid "));
	big[10000] = '\0';
	match_run(tu_mini()->kb, big, strlen(big), &r);
	check_result(&r);
	assert_non_null(r.topic);
	assert_string_equal(r.topic->id, "vneid.install");
	free(big);
}


/* A close call with a "priority: high" topic that a pattern hit: safety first. */
/*
 * A fear of scams said in passing ("mà sợ bị lừa mất tiền") beside what the
 * resident asks is no scam report: the scam guide's pattern hits, but the
 * words fit the other guide better, so the close call stays a choice with
 * both in it, not the scam guide's answer.
 */
static void
test_priority_needs_the_words(void **state)
{
	struct tu_kb k;
	struct match_result r;

	(void)state;
	tu_kb_open(&k, "topics.txt",
	    "== bank.app\ntitle: Cài app ngân hàng\n"
	    "keywords: cài app ngân hàng, ứng dụng ngân hàng, chuyển khoản\n"
	    "match: cài\\s.{0,30}(app|ứng\\s*dụng)\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\nx\n"
	    "\n== scam\ntitle: Lừa đảo\npriority: high\n"
	    "keywords: lừa đảo, bị lừa, mất tiền\n"
	    "match: bị\\s*lừa|mất\\s*tiền\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\ny\n",
	    "stopwords.txt", "ạ à ơi\nbác mà sợ\n", NULL);
	assert_int_equal(k.d.nerr, 0);
	match(k.kb, "bác muốn cài app ngân hàng để chuyển khoản mà sợ bị lừa "
	    "mất tiền", &r);
	check_result(&r);
	if (r.action == MATCH_ANSWER && strcmp(r.topic->id, "scam") == 0)
		fail_msg("the scam guide answered a question about the bank app");
	assert_string_equal(r.topic->id, "bank.app");
	assert_non_null(cand_of(&r, "scam"));
	/* the scam guide's own question still gets it */
	expect(k.kb, "bác bị lừa mất tiền rồi", MATCH_ANSWER, "scam");
	tu_kb_close(&k);
}

static void
test_priority_wins_close_call(void **state)
{
	struct tu_kb k;
	struct match_result r;
#define TOPICS(prio) \
	    "== vneid.install\ntitle: Cài VNeID\nkeywords: cài vneid, cài app\n" \
	    "match: cài\\s.{0,30}(vneid|app)\nsource: s\nreviewed: 2026-11-01\n" \
	    "answer:\nx\n" \
	    "\n== scam\ntitle: Lừa đảo\nkeywords: cài app, công an gọi\n" \
	    "match: công\\s*an.{0,40}cài\n" prio \
	    "source: s\nreviewed: 2026-11-01\nanswer:\ny\n"
	char buf[1024];

	(void)state;
	snprintf(buf, sizeof(buf), "%s", TOPICS(""));
	tu_kb_open(&k, "topics.txt", buf, NULL);
	assert_int_equal(k.d.nerr, 0);
	/* a close call: the scam guide's words fit better, but by less than
	 * settles a tie of patterns (test_words_settle_pattern_tie) */
	match(k.kb, "công an bảo bác cài vneid", &r);
	assert_int_equal(r.action, MATCH_CLARIFY);
	tu_kb_close(&k);

	snprintf(buf, sizeof(buf), "%s", TOPICS("priority: high\n"));
#undef TOPICS
	tu_kb_open(&k, "topics.txt", buf, NULL);
	assert_int_equal(k.d.nerr, 0);
	match(k.kb, "công an bảo bác cài vneid", &r);
	assert_int_equal(r.action, MATCH_ANSWER);
	assert_string_equal(r.topic->id, "scam");
	/* without the scam pattern's words, priority changes nothing */
	match(k.kb, "cài vneid", &r);
	assert_string_equal(r.topic->id, "vneid.install");
	tu_kb_close(&k);
}

/* ---- sections: a topic and its parts are one family ---- */

static bool
one_per_family(const struct match_result *r)
{
	size_t i, j;

	for (i = 0; i < r->ncand; i++)
		for (j = i + 1; j < r->ncand; j++)
			if (kb_root(r->cand[i].topic) == kb_root(r->cand[j].topic))
				return false;
	return true;
}

static void
sections_kb(struct tu_kb *k)
{
	char dir[4200];

	snprintf(dir, sizeof(dir), "%s/kb-sections", TU_DATA_DIR);
	tu_kb_load_dir(k, dir);
	assert_non_null(k->kb);
	assert_int_equal(k->d.nerr, 0);
}

/* The asked part answers, the general question the topic. */
static void
test_section_answers_its_part(void **state)
{
	struct tu_kb k;
	struct match_result r;

	(void)state;
	sections_kb(&k);
	expect(k.kb, "quên mật khẩu abc", MATCH_ANSWER, "app.login#password");
	expect(k.kb, "abc quen mat khau roi lam sao", MATCH_ANSWER,
	    "app.login#password");
	expect(k.kb, "dùng abc có mất phí không", MATCH_ANSWER, "app.login#fee");
	expect(k.kb, "cài abc thế nào", MATCH_ANSWER, "app.login");
	expect(k.kb, "abc", MATCH_ANSWER, "app.login");
	expect(k.kb, "nộp thuế đất", MATCH_ANSWER, "land.tax");
	match(k.kb, "quên mật khẩu abc", &r);
	check_result(&r);
	assert_true(one_per_family(&r));
	tu_kb_close(&k);
}

/*
 * A topic and its own section scoring alike is not a close call between
 * two guides: the family answers (its best member; on a tie the topic,
 * first in the file), and the margin is taken against other families.
 */
static void
test_family_is_not_a_close_call(void **state)
{
	struct tu_kb k;
	struct match_result r;

	(void)state;
	tu_kb_open(&k, "topics.txt",
	    "== phone.change\ntitle: Đổi số điện thoại\n"
	    "keywords: đổi số điện thoại\nsource: s\nreviewed: 2026-11-01\n"
	    "answer:\nx\n"
	    "=== number\ntitle: Đổi số điện thoại\nkeywords: đổi số điện thoại\n"
	    "answer:\ny\n"
	    "== tax.land\ntitle: Thuế đất\nkeywords: thuế đất\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\nz\n", NULL);
	assert_int_equal(k.d.nerr, 0);
	match(k.kb, "đổi số điện thoại", &r);
	check_result(&r);
	assert_int_equal(r.action, MATCH_ANSWER);
	assert_string_equal(r.topic->id, "phone.change");
	assert_int_equal(r.ncand, 1);
	tu_kb_close(&k);

	/* a section close to ANOTHER topic is a close call as before */
	tu_kb_open(&k, "topics.txt",
	    "== phone.app\ntitle: Cài ứng dụng\nkeywords: cài ứng dụng\n"
	    "source: s\nreviewed: 2026-11-01\nanswer:\nx\n"
	    "=== number\ntitle: Đổi số điện thoại\nkeywords: đổi số điện thoại\n"
	    "answer:\ny\n"
	    "== bank.phone\ntitle: Đổi số điện thoại\n"
	    "keywords: đổi số điện thoại\nsource: s\nreviewed: 2026-11-01\n"
	    "answer:\nz\n", NULL);
	assert_int_equal(k.d.nerr, 0);
	match(k.kb, "đổi số điện thoại", &r);
	check_result(&r);
	assert_int_equal(r.action, MATCH_CLARIFY);
	assert_non_null(cand_of(&r, "phone.app#number"));
	assert_non_null(cand_of(&r, "bank.phone"));
	tu_kb_close(&k);
}

/*
 * A family with more members than the candidate list must not crowd the
 * other guide out of it: the margin is still measured against that guide.
 */
static void
test_big_family_keeps_the_rival(void **state)
{
	struct tu_kb k;
	struct match_result r;

	(void)state;
	tu_kb_open(&k, "topics.txt",
	    "== a.app\ntitle: Đổi số điện thoại\nkeywords: đổi số điện thoại\n"
	    "source: s\nreviewed: 2026-11-01\nanswer:\nx\n"
	    "=== s1\ntitle: Đổi số điện thoại\nkeywords: đổi số điện thoại\n"
	    "answer:\n1\n"
	    "=== s2\ntitle: Đổi số điện thoại\nkeywords: đổi số điện thoại\n"
	    "answer:\n2\n"
	    "=== s3\ntitle: Đổi số điện thoại\nkeywords: đổi số điện thoại\n"
	    "answer:\n3\n"
	    "=== s4\ntitle: Đổi số điện thoại\nkeywords: đổi số điện thoại\n"
	    "answer:\n4\n"
	    "== b.bank\ntitle: Đổi số điện thoại ngân hàng\n"
	    "keywords: đổi số điện thoại, ngân hàng\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\nz\n", NULL);
	assert_int_equal(k.d.nerr, 0);
	match(k.kb, "đổi số điện thoại", &r);
	check_result(&r);
	assert_true(one_per_family(&r));
	assert_int_equal(r.action, MATCH_CLARIFY);
	assert_string_equal(r.topic->id, "a.app");
	assert_non_null(cand_of(&r, "b.bank"));
	tu_kb_close(&k);
}

/*
 * match_explain is match_run with a trace: the same result, and one line
 * per stage, in order, saying what it saw.
 */
/*
 * Residents type marks on some words and not on others ("quên mat khau
 * vssid"). A word typed without marks is not a mismatch: the pattern gets
 * the credit it gets typed all with marks or all without. A word typed with
 * other marks than the pattern's still is ("thuê" for "thuế", "cái" for
 * "cài"), whether the words around it have marks or not. Each message runs
 * past KB_CUT_AFTER and KB_JIT_AFTER: the lines in pieces must agree.
 */
static void
test_mixed_typing_is_not_a_mismatch(void **state)
{
	static const char *const same[][3] = {
		{ "quên mật khẩu vssid", "quên mat khau vssid", "vssid.password" },
		{ "quên mật khẩu vssid", "quen mật khau vssid", "vssid.password" },
		{ "cài đặt vneid", "cài dat vneid", "vneid.install" },
		{ "thuế nhà đất", "thuế nha dat", "etax.land" },
	};
	static const char *const mismark[][3] = {
		{ "thuế nhà", "thuê nhà", "etax.land" },
		{ "thuế nhà", "thuê nha", "etax.land" },
		{ "cài đặt vneid", "cái dat vneid", "vneid.install" },
		{ "quên mật khẩu vssid", "quên mất khau vssid", "vssid.password" },
	};
	struct tu_kb k;
	struct match_result a, b;
	size_t i;
	int round;

	(void)state;
	tu_kb_open(&k, "topics.txt",
	    "== vssid.password\ntitle: Quên mật khẩu VssID\n"
	    "keywords: quên mật khẩu vssid, lấy lại mật khẩu\n"
	    "match: (quên|lấy\\s*lại)\\s*mật\\s*khẩu.{0,20}vssid\n"
	    "source: s\nreviewed: 2026-11-01\nanswer:\nx\n"
	    "== vneid.install\ntitle: Cài VNeID\nkeywords: cài đặt vneid\n"
	    "match: (cài|tải)\\s*(đặt\\s*)?vneid\n"
	    "source: s\nreviewed: 2026-11-01\nanswer:\nx\n"
	    "== etax.land\ntitle: Nộp thuế nhà đất\nkeywords: thuế nhà đất\n"
	    "match: thuế\\s+(nhà|đất)\n"
	    "source: s\nreviewed: 2026-11-01\nanswer:\nx\n", NULL);
	assert_int_equal(k.d.nerr, 0);
	for (round = 0; round < 20; round++) {
		for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
			match(k.kb, same[i][0], &a);
			match(k.kb, same[i][1], &b);
			check_result(&b);
			assert_string_equal(topic_id(&a), same[i][2]);
			assert_true(a.cand[0].regex == 1.0);
			if (!b.topic || strcmp(b.topic->id, same[i][2]) != 0 ||
			    b.cand[0].regex != a.cand[0].regex ||
			    fabs(b.score - a.score) > 1e-9)
				fail_msg("\"%s\": %s %.3f (pattern %.2f), as \"%s\" "
				    "%s %.3f (pattern %.2f)", same[i][1], topic_id(&b),
				    b.score, b.ncand ? b.cand[0].regex : 0,
				    same[i][0], topic_id(&a), a.score,
				    a.cand[0].regex);
		}
		for (i = 0; i < sizeof(mismark) / sizeof(mismark[0]); i++) {
			const struct match_cand *c;

			match(k.kb, mismark[i][0], &a);
			match(k.kb, mismark[i][1], &b);
			check_result(&b);
			assert_string_equal(topic_id(&a), mismark[i][2]);
			c = cand_of(&b, mismark[i][2]);
			if (c && (c->regex >= a.cand[0].regex ||
			    c->score >= a.score))
				fail_msg("\"%s\": %s %.3f (pattern %.2f), as much as "
				    "\"%s\" (%.3f)", mismark[i][1], c->topic->id,
				    c->score, c->regex, mismark[i][0], a.score);
		}
	}
	tu_kb_close(&k);
}

/*
 * Only a message whose words say the marks were left off gets the pattern's
 * full credit for a word typed without them: "qua", which the kb writes so
 * (an answer), may be meant so ("nhận qua tài khoản": not "nhận quà"). A
 * word that cannot be a syllable without marks ("duoc") says it, or two
 * that could ("toi co"); an abbreviation does not ("dc"), nor its
 * expansion ("ud" into "ung dung").
 */
static void
test_mixed_typing_needs_words_left_off(void **state)
{
	static const struct {
		const char *msg;
		bool full;
	} cases[] = {
		{ "tiền trợ cấp nhận qua tài khoản", false },
		{ "nhận qua ud", false },
		{ "dc nhận qua tết", false },     /* no vowel: no word */
		{ "duoc nhận qua tết", true },
		{ "toi co nhận qua tết", true },
		{ "cháu nhận qua tết", false },
	};
	struct tu_kb k;
	struct match_result r;
	size_t i;

	(void)state;
	tu_kb_open(&k, "topics.txt",
	    "== scam.gift\ntitle: Tin nhắn báo nhận quà\nkeywords: nhận quà\n"
	    "match: nhận\\s*quà\n"
	    "source: s\nreviewed: 2026-11-01\nanswer:\n"
	    "Bác đừng chuyển tiền qua tài khoản của người lạ.\n",
	    "abbreviations.txt", "ud = ứng dụng\n", NULL);
	assert_int_equal(k.d.nerr, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct match_cand *c;

		match(k.kb, cases[i].msg, &r);
		check_result(&r);
		c = cand_of(&r, "scam.gift");
		if (cases[i].full ? !c || c->regex != 1.0 : c && c->regex >= 1.0)
			fail_msg("\"%s\": pattern %.2f, want %s", cases[i].msg,
			    c ? c->regex : 0, cases[i].full ? "1.00" : "less");
	}
	tu_kb_close(&k);
}

/* The mixed form of a pattern: a letter with marks also takes the letter
 * without; classes, escapes, quoting and comments keep their syntax. */
static void
test_mixed_form_of_a_pattern(void **state)
{
	static const char *const cases[][2] = {
		{ "mật\\s*khẩu", "m[ậa]t\\s*kh[ẩa]u" },
		{ "Đăng ký", "[Đd][ăa]ng k[ýy]" },
		{ "vneid", "vneid" },
		{ "kh[ỏo]e", "kh[ỏoo]e" },
		{ "[^ấ]x", "[^ấ]x" },
		{ "[]ấ]", "[]ấa]" },
		{ "[[:alpha:]ê]", "[[:alpha:]êe]" },
		{ "\\Qấ\\Eố", "\\Qấ\\E[ốo]" },
		{ "(?#ấ[)ố", "(?#ấ[)[ốo]" },
		{ "ho\xcc\x80" "a", "ho[àa]" },     /* NFD, and the tone placed anew */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *m = text_pattern_mixed(cases[i][0]);

		assert_non_null(m);
		if (strcmp(m, cases[i][1]) != 0)
			fail_msg("\"%s\": \"%s\", want \"%s\"", cases[i][0], m,
			    cases[i][1]);
		free(m);
	}
	assert_null(text_pattern_mixed("\xff"));
}

/*
 * A not: written with diacritics vetoes a message typed with marks on some
 * words and not on others where the words say the marks were left off
 * ("nguoi la gọi": "nguoi" cannot be a syllable without them; "la goi":
 * two words the kb never writes so), a word typed without them read as
 * the line writes it, as for a match: line; never a message typed without
 * any ("cong dan": "cống" or "công"), nor one with a single word without
 * them that may be meant so ("cong dân"), nor a word typed with other
 * marks ("gói" is not "gọi").
 */
static void
test_mixed_typing_vetoes(void **state)
{
	static const struct {
		const char *msg;
		const char *id;
		bool vetoed;
	} cases[] = {
		{ "người lạ gọi bảo cài vneid", "vneid.install", true },
		{ "nguoi la gọi bảo cài vneid", "vneid.install", true },
		{ "người la goi bảo cài vneid", "vneid.install", true },
		{ "có nguoi la nhắn tin bảo cai vneid", "vneid.install", true },
		{ "nguoi la goi bao cai vneid", "vneid.install", false },
		{ "nguoi lạ gói bảo cài vneid", "vneid.install", false },
		{ "cống thoát nước công dân", "dvc.citizen", true },
		{ "cong dan", "dvc.citizen", false },
		{ "cong dân", "dvc.citizen", false },
		/* a line of alternatives runs its mixed form in pieces */
		{ "rãnh thoat nước công dân", "dvc.citizen", true },
		{ "rãnh thoat cong dân", "dvc.citizen", true },
		{ "rãnh thoát công dân", "dvc.citizen", true },
		{ "ranh thoat cong dan", "dvc.citizen", false },
	};
	struct tu_kb k;
	struct match_result r;
	size_t i;
	int round;

	(void)state;
	tu_kb_open(&k, "topics.txt",
	    "== vneid.install\ntitle: Cài VNeID\nkeywords: cài vneid\n"
	    "match: (cài|tải)\\s*vneid\n"
	    "not: (người\\s*lạ|ai)\\s+(gọi|nhắn)\n"
	    "source: s\nreviewed: 2026-11-01\nanswer:\nx\n"
	    "== dvc.citizen\ntitle: Thủ tục công dân\nkeywords: công dân\n"
	    "match: công\\s*dân\nnot: cống\nnot: nắp\\s*cống|rãnh\\s*thoát\n"
	    "source: s\nreviewed: 2026-11-01\nanswer:\nx\n", NULL);
	assert_int_equal(k.d.nerr, 0);
	/* again once the lines are cut in pieces and JIT-compiled */
	for (round = 0; round < 20; round++)
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			const struct match_cand *c;

			match(k.kb, cases[i].msg, &r);
			check_result(&r);
			c = cand_of(&r, cases[i].id);
			if (cases[i].vetoed != (c == NULL))
				fail_msg("\"%s\": %s %s (%.3f), want %s %s",
				    cases[i].msg, match_action_name(r.action),
				    topic_id(&r), r.score, cases[i].vetoed ?
				    "no" : "a candidate", cases[i].id);
		}
	/* check names the line that rules out an example, read as above */
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if ((kb_hit_line(k.kb, cases[i].msg, kb_find(k.kb, cases[i].id),
		    true) != 0) != cases[i].vetoed)
			fail_msg("\"%s\": kb_hit_line of %s's not: lines %s",
			    cases[i].msg, cases[i].id, cases[i].vetoed ? "0" :
			    "not 0");
	assert_int_equal(kb_hit_line(k.kb, "nguoi la gọi bảo cài vneid",
	    kb_find(k.kb, "vneid.install"), true), 5);
	tu_kb_close(&k);
}

static void
test_explain_stages(void **state)
{
	static const char *const qs[] = { "cai vneid ntn", "quen mat khau vssid",
	    "xin chao", "", "thời tiết hôm nay" };
	static const char *const stages[] = { "# stage normalize:",
	    "# stage features:", "# stage words:", "# stage patterns:",
	    "# stage scores:", "# stage decision:" };
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		struct match_result a, b;
		struct buf out;
		const char *at;

		buf_init(&out, BUF_CAP_REPLY);
		match(tu_mini()->kb, qs[i], &a);
		match_explain(tu_mini()->kb, qs[i], strlen(qs[i]), &b, &out);
		assert_int_equal(a.action, b.action);
		assert_ptr_equal(a.topic, b.topic);
		assert_true(a.score == b.score);
		assert_int_equal(a.ncand, b.ncand);
		at = out.data;
		for (k = 0; k < sizeof(stages) / sizeof(stages[0]); k++) {
			const char *p = strstr(at, stages[k]);

			if (!p)
				fail_msg("'%s': no '%s' after the previous stage in:\n%s",
				    qs[i], stages[k], out.data);
			at = p + 1;
		}
		buf_release(&out);
	}
}

/*
 * A long story with the question in it: a not: word said far from where
 * the topic's own match: line hits, in another part of the story, is a
 * side remark and does not veto it. Near the hit, in a short message, or
 * where the other guide's words fit better, the veto stands.
 */
static void
test_veto_in_passing(void **state)
{
	static const char *const story =
	    "hôm qua bác đi chợ về bằng xe buýt thì bị mất điện thoại, "
	    "trong máy đó con cháu có cài cho cái app ngân hàng với mấy cái "
	    "ứng dụng khác, giờ bác phải làm gì để khoá lại cái điện thoại "
	    "bị mất cháu ơi";
	struct tu_kb k;
	struct match_result r;

	(void)state;
	tu_kb_open(&k, "topics.txt",
	    "== phone.lost\ntitle: Mất điện thoại\n"
	    "keywords: mất điện thoại, khoá điện thoại, điện thoại bị mất\n"
	    "match: mất\\s+điện\\s*thoại\nnot: ngân\\s*hàng\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\nx\n"
	    "\n== bank.app\ntitle: Ứng dụng ngân hàng\n"
	    "keywords: app ngân hàng, cài app ngân hàng, đăng nhập, máy mới\n"
	    "match: app\\s+ngân\\s*hàng\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\ny\n", NULL);
	assert_int_equal(k.d.nerr, 0);
	match(k.kb, story, &r);
	check_result(&r);
	assert_non_null(cand_of(&r, "phone.lost"));
	assert_string_equal(topic_id(&r), "phone.lost");
	/* short: each word is the question */
	match(k.kb, "mất điện thoại có app ngân hàng", &r);
	assert_null(cand_of(&r, "phone.lost"));
	/* as long, but the bank said next to the lost phone */
	match(k.kb, "hôm qua bác đi chợ về bằng xe buýt thì bị mất điện "
	    "thoại ngân hàng, trong máy đó con cháu có cài cho mấy cái ứng "
	    "dụng khác, giờ bác phải làm gì để khoá lại cái điện thoại bị mất "
	    "cháu ơi", &r);
	assert_null(cand_of(&r, "phone.lost"));
	/* as long, but the words are the bank guide's */
	match(k.kb, "hôm qua bác bị mất điện thoại cũ, con mua máy mới rồi, "
	    "giờ bác muốn cài app ngân hàng trên máy mới, cài thế nào, đăng "
	    "nhập ra sao, có phải ra quầy không cháu ơi", &r);
	assert_null(cand_of(&r, "phone.lost"));
	tu_kb_close(&k);
}

/*
 * Two pattern hits of the same strength close together: the words decide.
 * A lookahead pattern spans the whole message, so the guide whose words
 * fit it far less stays within the margin on span alone; a lead in words
 * that would settle a call between words-only guides settles this one too.
 */
static void
test_words_settle_pattern_tie(void **state)
{
	struct tu_kb k;
	struct match_result r;

	(void)state;
	tu_kb_open(&k, "topics.txt",
	    "== tax.land\ntitle: Nộp thuế đất\n"
	    "keywords: nộp thuế đất, thuế nhà đất, sổ đỏ, tên bố\n"
	    "match: nộp\\s+thuế\\s+đất\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\nx\n"
	    "\n== tax.login\ntitle: Đăng nhập eTax\n"
	    "keywords: đăng nhập etax, mật khẩu etax\n"
	    "match: ^(?=.*etax).*\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\ny\n", NULL);
	assert_int_equal(k.d.nerr, 0);
	match(k.kb, "sổ đỏ nhà bác đứng tên bố, bác đăng nhập etax rồi muốn "
	    "nộp thuế đất", &r);
	check_result(&r);
	/* within the margin: without the rule a did-you-mean */
	assert_int_equal(r.ncand, 2);
	assert_true(r.cand[1].score > r.cand[0].score - MATCH_MARGIN);
	assert_int_equal(r.action, MATCH_ANSWER);
	assert_string_equal(r.topic->id, "tax.land");
	/* words that fit both alike leave it a close call */
	expect(k.kb, "bác đăng nhập etax để nộp thuế đất", MATCH_CLARIFY,
	    "tax.login");
	tu_kb_close(&k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cai_vneid_ntn),
		cmocka_unit_test(test_nfd_same_as_nfc),
		cmocka_unit_test(test_exact_over_folded_mini),
		cmocka_unit_test(test_exact_scores_higher_than_folded),
		cmocka_unit_test(test_mismarked_word_not_confident),
		cmocka_unit_test(test_stop_words_only_ask_nothing),
		cmocka_unit_test(test_out_of_scope),
		cmocka_unit_test(test_empty_and_emoji),
		cmocka_unit_test(test_invalid_utf8_message),
		cmocka_unit_test(test_system_topics_never_match),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_action_names),
		cmocka_unit_test(test_clarify_on_tie),
		cmocka_unit_test(test_not_vetoes),
		cmocka_unit_test(test_priority_wins_close_call),
		cmocka_unit_test(test_priority_needs_the_words),
		cmocka_unit_test(test_catastrophic_pattern),
		cmocka_unit_test(test_thousand_topics),
		cmocka_unit_test(test_kb_without_topics),
		cmocka_unit_test(test_long_message),
		cmocka_unit_test(test_long_compat_message),
		cmocka_unit_test(test_section_answers_its_part),
		cmocka_unit_test(test_pattern_starts_at_a_word),
		cmocka_unit_test(test_none_of_pieces_keep_the_whole),
		cmocka_unit_test(test_family_is_not_a_close_call),
		cmocka_unit_test(test_big_family_keeps_the_rival),
		cmocka_unit_test(test_explain_stages),
		cmocka_unit_test(test_mixed_typing_is_not_a_mismatch),
		cmocka_unit_test(test_mixed_typing_needs_words_left_off),
		cmocka_unit_test(test_mixed_form_of_a_pattern),
		cmocka_unit_test(test_mixed_typing_vetoes),
		cmocka_unit_test(test_veto_in_passing),
		cmocka_unit_test(test_words_settle_pattern_tie),
	};

	return cmocka_run_group_tests(tests, tu_setup_mini, tu_teardown_mini);
}
