#include "redact.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "util.h"

/*
 * The text is repaired (invalid UTF-8 becomes U+FFFD) and NFC-composed
 * first, so NFD input, and whatever a keyboard emits, meets one set of
 * patterns; the output is that NFC text with the hidden parts replaced.
 * tests/data/redact.tsv is the specification: what is hidden, and the
 * near-misses that must survive.
 *
 * Building blocks. A number is digits with at most three separators
 * between two of them ("001. 088", "482  913", "4111-1111"); a slash or a
 * colon is not a separator, so dates and times stay short numbers.
 */
/* ASCII and full-width digits (\d, with UCP, makes every non-ASCII
 * character a place where a number might start: 3 times slower) */
#define DC "0-9\\x{FF10}-\\x{FF19}"
#define D "[" DC "]"
#define DS "[\\h.\\-\\x{2010}-\\x{2015}_\\x{00B7}\\x{200B}-\\x{200D}" \
	"\\x{2060}\\x{FEFF}]"
/* not in the middle of a number */
#define NOTINRUN "(?<!" D ")(?<!" D DS ")(?<!" D DS DS ")(?<!" D DS DS DS ")"
#define RUN NOTINRUN D "(?:" DS "{0,3}+" D ")*+"
/* "500.000 đồng", "2 triệu", "5 phút": amounts and durations, not codes */
#define NOUNIT "(?!\\h*+(?:đồng|dong|đ|vnđ|vnd|k|nghìn|nghin|ngàn|" \
	"ngan|triệu|trieu|tr|tỷ|tỉ|ty|%|lần|phút|phut|giây|giay|giờ|gio|" \
	"ngày|tháng|tuổi|tuoi|người|nguoi|m|km|kg|cm|mah|gb|mb)(?!\\w))"
/* "12.11.2025", "1900 0368": a date or a hotline is not a code */
#define NOTDATE "(?!(?:0?[1-9]|[12]" D "|3[01])[.\\-](?:0?[1-9]|1[0-2])" \
	"[.\\-](?:19|20)" D D "(?!" D "))"
#define NOTHOTLINE "(?!1[89]00" DS "{1,3}+" D "{4}(?!" DS "{0,3}" D "))"
/* an OTP: a whole number of 4 to 8 digits */
#define CODE NOTINRUN NOTDATE NOTHOTLINE D "(?:" DS "{0,3}+" D "){3,7}+" \
	"(?!" DS "{0,3}" D ")" NOUNIT
/* digits read out as words ("bốn tám hai…", "bon tam hai…", "không" = 0) */
#define NUMW "(?:không|khong|một|mot|mốt|hai|ba|bốn|bon|tư|tu|năm|nam|" \
	"lăm|lam|nhăm|nham|sáu|sau|bảy|bay|bẩy|tám|tam|chín|chin|linh|lẻ|" \
	D ")(?!\\w)"
#define NUMWORDS(more) "(?<!\\w)" NUMW "(?:[\\h,.\\-]++" NUMW "){3," \
	more "}+"
/* the end of a word of a password: clause punctuation then a space */
#define WEND "[,.;?…]*+(?:\\s|$)"
#define PWORD "(?:(?!" WEND ")[^\\s\\[\\]])++"
/* "6 số", "8 ký tự": a length, not a code or a password */
#define LENGTHWORD "(?:số|so|chữ|chu|ký|kí|ky|ki)(?!\\w)"

/* Keywords. None may follow "[", so a label never starts a new match. */
#define KW_OTP "(?<![\\w\\[])(?:otp|(?:mã|ma)\\h*+(?:pin|bảo\\h*+mật|" \
	"bao\\h*+mat|kích\\h*+hoạt|kich\\h*+hoat|giao\\h*+dịch|" \
	"giao\\h*+dich)|(?:xác|xac)\\h*+(?:nhận|nhan|thực|thuc|minh))"
/* after these the number that follows is a phone, a date or a ticket */
#define GAPSTOP "(?<!\\w)(?:gọi|goi|hotline|tổng\\h*+đài|tong\\h*+dai|" \
	"liên\\h*+hệ|lien\\h*+he|năm|ngày|tháng|lúc|luc|phiếu|phieu)(?!\\w)"
/* up to 60 characters within the sentence, no digits but a length, no
 * label */
#define GAP "(?:(?!" GAPSTOP ")[^" DC "\\[\\].!?;\\n]|" D "{1,2}\\h++" \
	LENGTHWORD "){0,60}?"
/* "mã" alone is weak ("mã hồ sơ 1234"): only little words may follow it */
#define FILLER "(?:\\h*+[:=]|\\h++(?:của|cua|tôi|toi|bác|bac|cháu|chau|" \
	"mình|minh|em|anh|chị|chi|con|là|la|vừa|vua|mới|moi|về|ve|gửi|gui|" \
	"gởi|nhận|nhan|được|duoc|đây|day|này|nay|ấy|đó|sms|số|so|nó|no)" \
	"(?!\\w))*+\\h*+"
#define KW_PW "(?<![\\w\\[])((?:mật|mat)\\h*+(?:khẩu|khau)|mật\\h*+mã|" \
	"pass(?:word|wd|code)?|pwd|pw|mk)"
/* words between the keyword and "là" ("vneid của tôi"), not a new clause */
#define PWGAPWORD "\\h++(?!(?:là|la|thì|thi|nhưng|nhung|nên|nen|vì|để|" \
	"hay|hoặc|hoac|rồi|roi|hỏi|hoi|không|khong|ko|chưa|chua|bị|phải|" \
	"phai)(?!\\w))(?:[^\\s" DC "\\[\\].,;!?:=]++|" D "{1,2}(?=\\h++" \
	LENGTHWORD "))"
#define PWSEP "\\h*+(?:(?:là|la)(?!\\w)|[:=])(?:\\h*+(?:[:=]|(?:là|la)" \
	"(?!\\w)))*+\\s*+"
/* what a question or an instruction puts after "là" or ":" ("là gì",
 * "là bao nhiêu", "là 6 số", ": vào Cài đặt") */
#define PWNOTFIRST "(?:gì|gi|j|sao|bao|thế|như|nhu|nào|nao|đâu|dau|" \
	"mấy|may|ai|phải|phai|có|co|không|khong|ko|k|chưa|chua|bị|bi|sai|" \
	"đúng|dung|đã|đang|sẽ|được|duoc|đc|dc|cái|cai|những|các|cac|của|" \
	"cua|gồm|bắt|tối|ít|từ|số|mới|moi|cũ|hay|hoặc|thì|mà|vậy|vay|hả|à|" \
	"ạ|nhé|nha|ơi|rồi|roi|cho|với|là|la|do|tại|vì|vào|bấm|chọn|mở|dùng|" \
	"để|cần|nên|chờ|làm|ở|trong|theo|bằng|nhập|đặt|đổi|tạo|quên|lấy|" \
	"gửi|xem|hỏi|" D "{1,2}\\h++" LENGTHWORD ")(?=" WEND ")"
/* what ends a password that runs on: the next clause or a person */
#define PWSTOP "(?:nhưng|nhung|mà|thì|thi|nhé|nhe|nha|nhá|ạ|à|ơi|oi|và|" \
	"rồi|roi|không|khong|ko|chưa|chua|bị|vẫn|van|để|nên|nen|vì|giúp|" \
	"giup|được|duoc|đc|dc|tôi|toi|cháu|chau|bác|bac|em|con|mình|anh|" \
	"chị|cô|chú|ông|bà|vậy|vay|đấy|đó|hả|sao|gì|hay|hoặc|hoac|cho|với|" \
	"voi|đã|đang|là|la|ok|đúng|dung|sai|phải|phai|chứ|nhỉ)(?=" WEND ")"
/* a lone word that looks like a password: letters and digits, or a
 * symbol with either; not a time ("9h30") */
#define NB "[^\\s\\[\\]]*?"
#define PWLIKE "(?![:=])(?!" D "{1,2}h" D "{0,2}(?!\\w))(?=" NB "(?:\\pL" \
	NB D "|" D NB "\\pL|[@#$%^&*~+=]" NB "[\\pL" DC "]|[\\pL" DC "]" NB \
	"[@#$%^&*~+=]))"

struct rule {
	const char *re;
	const char *label;
	/* optional: the label for this match, or NULL to leave it */
	const char *(*judge)(const char *s, const PCRE2_SIZE *ov, int rc);
};

static const char *by_digits(const char *s, const PCRE2_SIZE *ov, int rc);
static const char *old_id(const char *s, const PCRE2_SIZE *ov, int rc);
static const char *mk_password(const char *s, const PCRE2_SIZE *ov, int rc);

/*
 * A match's group 1, when set, is kept (the keyword and what follows it);
 * the rest of the match is replaced by the label. Numbers come first, so
 * a card is not half-hidden as an OTP.
 */
static const struct rule rules[] = {
	/* 12 digits: CCCD; 13 or more: a card (Luhn or not: typos happen) */
	{ RUN NOUNIT, NULL, by_digits },
	/* the old 9-digit ID, only after its name */
	{ "((?<![\\w\\[])(?:cmnd|cmt|chứng\\h*+minh|chung\\h*+minh|căn\\h*+cước|"
	  "can\\h*+cuoc|cccd)[^" DC "\\[\\].!?;\\n]{0,30}?)" RUN NOUNIT, NULL,
	  old_id },
	/* "mật khẩu vneid của tôi là Hoa 1961", "pass: Correct Horse Battery" */
	{ "(" KW_PW "((?:" PWGAPWORD "){0,8}?)(" PWSEP "))(?:" NUMWORDS("11")
	  "|(?!" PWNOTFIRST ")" PWORD "(?:\\h++(?!" PWSTOP ")" PWORD "){0,5}+)",
	  REDACT_PASSWORD, mk_password },
	/* no separator: "mk Hoa@1960", "mật khẩu vneid abc123", "mk135792" */
	{ "(?|(" KW_PW "(?!\\w)(?:" PWGAPWORD "){0,3}?\\h++)" PWLIKE PWORD
	  "|(" KW_PW "\\h*+)(?=" D "{4,}+(?=" WEND "))" PWORD ")",
	  REDACT_PASSWORD, NULL },
	/* "mã xác nhận mà ngân hàng vừa gửi cho tôi là 482915", "otp482914" */
	{ "(" KW_OTP GAP ")(?:" CODE "|" NUMWORDS("7") ")", REDACT_OTP, NULL },
	{ "((?<![\\w\\[])(?:mã|ma|code)(?!\\pL)" FILLER ")(?:" CODE "|"
	  NUMWORDS("7") ")", REDACT_OTP, NULL },
	/* "482913 và 736251": the next code in a list (the first is a label) */
	{ "(\\Q" REDACT_OTP "\\E\\h*+(?:[,/;]|và|va|hoặc|hoac|hay)\\h*+)" CODE,
	  REDACT_OTP, NULL },
	/* the card's security code */
	{ "((?<![\\w\\[])(?:cvv2?|cvc2?|ccv)(?!\\pL)" FILLER ")" NOTINRUN
	  D "{3,4}(?!" D ")", REDACT_CARD, NULL },
	/* "482913 là mã OTP" */
	{ CODE "(?=\\h*+(?:(?:là|la|chính\\h*+là)\\h*+)?(?:(?:mã|ma)\\h*+)?"
	  "(?:otp|code|(?:xác|xac)\\h*+(?:nhận|nhan|thực|thuc|minh))(?!\\w))",
	  REDACT_OTP, NULL },
	/* a code alone is a code pasted from an SMS */
	{ "^(\\s*+)(?:" CODE "|" NUMWORDS("7") ")(?=\\s*+[.!]?\\s*+$)",
	  REDACT_OTP, NULL },
};

/*
 * Hiding one item can reveal another ("1234code 482913": once the first
 * number is a label, "code" is a keyword), so the rules run until nothing
 * changes. Every round hides original text and labels are never hidden
 * again, so this ends; past ROUNDS the input is a contrivance.
 */
#define ROUNDS 32

static pcre2_code *compiled[ARRAY_SIZE(rules)];

static size_t
digits(const char *s, size_t from, size_t to)
{
	size_t n = 0;

	while (from < to) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s +
		    from, (utf8proc_ssize_t)(to - from), &cp);

		if (k <= 0)
			break;
		if (utf8proc_category(cp) == UTF8PROC_CATEGORY_ND)
			n++;
		from += (size_t)k;
	}
	return n;
}

static const char *
by_digits(const char *s, const PCRE2_SIZE *ov, int rc)
{
	size_t n = digits(s, ov[0], ov[1]);

	(void)rc;
	/* 10 and 11 digits are phones ("0912 345 678", "+84 912…"), kept so a
	 * volunteer can call back; fewer are OTPs only next to a keyword */
	return n == 12 ? REDACT_ID : n > 12 ? REDACT_CARD : NULL;
}

static const char *
old_id(const char *s, const PCRE2_SIZE *ov, int rc)
{
	(void)rc;
	return digits(s, ov[3], ov[1]) == 9 ? REDACT_ID : NULL;
}

/* "mk" is also chat for "mình": "mk là người hà nội" is not a password. */
static const char *
mk_password(const char *s, const PCRE2_SIZE *ov, int rc)
{
	size_t i;

	if (rc < 5 || ov[5] - ov[4] != 2 || (s[ov[4]] | 0x20) != 'm')
		return REDACT_PASSWORD;
	if (ov[7] > ov[6] || memchr(s + ov[8], ':', ov[9] - ov[8]) ||
	    memchr(s + ov[8], '=', ov[9] - ov[8]))
		return REDACT_PASSWORD;
	for (i = ov[3]; i < ov[1] && s[i] != ' '; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x80 && !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z'))
			return REDACT_PASSWORD;
	}
	return NULL;
}

static pcre2_code *
get(size_t i)
{
	int err;
	PCRE2_SIZE off;

	if (!compiled[i]) {
		compiled[i] = pcre2_compile((PCRE2_SPTR)rules[i].re,
		    PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS,
		    &err, &off, NULL);
		if (!compiled[i]) {
			PCRE2_UCHAR msg[256];

			pcre2_get_error_message(err, msg, sizeof(msg));
			fatal("redact: pattern %zu does not compile at %zu: %s", i,
			    (size_t)off, (char *)msg);
		}
		(void)pcre2_jit_compile(compiled[i], PCRE2_JIT_COMPLETE);
	}
	return compiled[i];
}

/* Invalid sequences become U+FFFD, then NFC: valid text, one spelling. */
static char *
repair_nfc(const char *in)
{
	size_t len = strlen(in), i = 0;
	utf8proc_uint8_t *nfc = NULL;
	struct buf b;

	buf_init(&b, 3 * len + 16);
	while (i < len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)in + i,
		    (utf8proc_ssize_t)(len - i), &cp);

		if (n <= 0) {
			buf_adds(&b, "\xef\xbf\xbd");
			i++;
		} else {
			buf_add(&b, in + i, (size_t)n);
			i += (size_t)n;
		}
	}
	if (utf8proc_map((const utf8proc_uint8_t *)b.data, (utf8proc_ssize_t)b.len,
	    &nfc, UTF8PROC_COMPOSE | UTF8PROC_STABLE) < 0)
		fatal("redact: out of memory");
	buf_release(&b);
	return (char *)nfc;
}

/*
 * Applies one rule to *s (replacing it when something was hidden); returns
 * how many items it hid, or -1 when the pattern could not run.
 */
static int
apply(size_t i, char **s, pcre2_match_data *md)
{
	pcre2_code *re = get(i);
	const char *in = *s;
	size_t len = strlen(in), pos = 0, last = 0;
	uint32_t opt = 0;
	struct buf out;
	int n = 0, rc;

	buf_init(&out, 2 * len + 256);
	while (pos <= len && (rc = pcre2_match(re, (PCRE2_SPTR)in, len, pos, opt,
	    md, NULL)) > 0) {
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
		size_t keep = rc > 1 && ov[2] != PCRE2_UNSET ? ov[3] : ov[0];
		const char *label = rules[i].judge ? rules[i].judge(in, ov, rc) :
		    rules[i].label;

		opt = PCRE2_NO_UTF_CHECK;       /* checked by the first call */
		if (label && ov[1] > keep) {
			buf_add(&out, in + last, keep - last);
			buf_adds(&out, label);
			last = ov[1];
			n++;
		}
		if (ov[1] > ov[0]) {
			pos = ov[1];
		} else {
			/* an empty match: step over one character */
			pos = ov[0] + 1;
			while (pos < len && ((unsigned char)in[pos] & 0xc0) == 0x80)
				pos++;
		}
	}
	if (rc < 0 && rc != PCRE2_ERROR_NOMATCH) {
		buf_release(&out);
		return -1;
	}
	if (n) {
		char *r;

		buf_add(&out, in + last, len - last);
		/* past the cap: as if the pattern could not run, so it is all
		 * hidden rather than half checked */
		if (!(r = buf_take(&out)))
			return -1;
		free(*s);
		*s = r;
	}
	buf_release(&out);
	return n;
}

int
redact(const char *in, struct buf *out)
{
	pcre2_match_data *md = pcre2_match_data_create(16, NULL);
	char *cur = repair_nfc(in ? in : "");
	int total = 0, round, n;
	size_t i;

	if (!md)
		fatal("redact: out of memory");
	for (round = 0; round < ROUNDS; round++) {
		int hid = 0;

		for (i = 0; i < ARRAY_SIZE(rules); i++) {
			if ((n = apply(i, &cur, md)) < 0)
				break;
			hid += n;
		}
		if (n < 0)
			break;
		total += hid;
		if (!hid)
			goto done;
	}
	/* a pattern hit a limit, or no end in sight: hide it all rather than
	 * store something unchecked */
	free(cur);
	cur = xstrdup(REDACT_ALL);
	total++;
done:
	if (buf_adds(out, cur) < 0) {
		/* longer than out may hold: what fitted was never the text */
		buf_reset(out);
		buf_adds(out, REDACT_ALL);
		total++;
	}
	free(cur);
	pcre2_match_data_free(md);
	return total;
}

void
redact_release(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rules); i++) {
		pcre2_code_free(compiled[i]);
		compiled[i] = NULL;
	}
}
