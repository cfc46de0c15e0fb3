#include "redact.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/*
 * Order matters: card numbers (16-19 digits) before 12-digit IDs, so a card
 * is not half-hidden as an ID. A password is hidden only when the resident
 * wrote a separator ("là", ":", "=") or the word after it has a digit or a
 * symbol — "quên mật khẩu vneid" must survive for the unanswered report.
 */
static const struct {
	const char *re;
	const char *rep;
} rules[] = {
	{ "(?<![\\d])(?:\\d[ .-]?){15,18}\\d(?![\\d])", REDACT_CARD },
	{ "(?<![\\d])(?:\\d[ .-]?){11}\\d(?![\\d])", REDACT_ID },
	/* "mật khẩu là: x", "mk của tôi là x", "pass = x" */
	{ "((?:mật|mat)\\s*(?:khẩu|khau)|\\bmk\\b|\\bpass(?:word|code)?\\b|\\bpw\\b)"
	  "(\\s*(?:mới|moi|cũ|cu)?\\s*(?:c(?:ủ|u)a\\s+\\S+\\s+)?"
	  "(?:\\s*(?:là|la|:|=))+\\s*)\\S+", "$1$2" REDACT_PASSWORD },
	/* "mk Hoa@1960": no separator, but the word has a digit or a symbol */
	{ "((?:mật|mat)\\s*(?:khẩu|khau)|\\bmk\\b|\\bpass(?:word|code)?\\b|\\bpw\\b)"
	  "(\\s+)(?=\\S*[\\d@#$%^&*!?])(?!\\[)\\S+", "$1$2" REDACT_PASSWORD },
	/* "mã OTP là 482 913": the code after the word */
	{ "((?:\\botp\\b|\\bmã\\b|\\bma\\b|\\bcode\\b|xác\\s*(?:thực|nhận)|"
	  "xac\\s*(?:thuc|nhan))\\D{0,20}?)(?<![\\d])\\d(?:[ .]?\\d){3,7}(?![\\d])",
	  "$1" REDACT_OTP },
	/* "482913 là mã OTP": the code before the word */
	{ "(?<![\\d])\\d(?:[ .]?\\d){3,7}(?![\\d])(?=\\s*(?:(?:là|la)\\s*)?"
	  "(?:(?:mã|ma)\\s*)?(?:otp|code)\\b)", REDACT_OTP },
	{ "^\\s*\\d{4,8}\\s*$", REDACT_OTP },
};

static pcre2_code *compiled[ARRAY_SIZE(rules)];

static pcre2_code *
get(size_t i)
{
	int err;
	PCRE2_SIZE off;

	if (!compiled[i]) {
		compiled[i] = pcre2_compile((PCRE2_SPTR)rules[i].re,
		    PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS,
		    &err, &off, NULL);
		if (!compiled[i])
			fatal("redact: pattern %zu does not compile (offset %zu)", i,
			    (size_t)off);
		(void)pcre2_jit_compile(compiled[i], PCRE2_JIT_COMPLETE);
	}
	return compiled[i];
}

int
redact(const char *in, struct buf *out)
{
	char *cur = xstrdup(in);
	int total = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rules); i++) {
		PCRE2_SIZE olen = strlen(cur) * 2 + 256;
		char *res = xmalloc(olen);
		int rc;

		rc = pcre2_substitute(get(i), (PCRE2_SPTR)cur, PCRE2_ZERO_TERMINATED,
		    0, PCRE2_SUBSTITUTE_GLOBAL | PCRE2_SUBSTITUTE_OVERFLOW_LENGTH, NULL, NULL, (PCRE2_SPTR)rules[i].rep,
		    PCRE2_ZERO_TERMINATED, (PCRE2_UCHAR *)res, &olen);
		if (rc == PCRE2_ERROR_NOMEMORY) {
			res = xrealloc(res, olen + 1);
			rc = pcre2_substitute(get(i), (PCRE2_SPTR)cur,
			    PCRE2_ZERO_TERMINATED, 0, PCRE2_SUBSTITUTE_GLOBAL, NULL, NULL,
			    (PCRE2_SPTR)rules[i].rep, PCRE2_ZERO_TERMINATED,
			    (PCRE2_UCHAR *)res, &olen);
		}
		if (rc > 0) {
			total += rc;
			free(cur);
			cur = res;
		} else {
			free(res);
			if (rc < 0) {
				/* Invalid UTF-8 cannot be searched; hide it all rather
				 * than store something unchecked. */
				free(cur);
				cur = xstrdup("[tin nhắn không đọc được]");
				total++;
				break;
			}
		}
	}
	(void)buf_adds(out, cur);
	free(cur);
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
