/*
 * redact: removes what a resident should never have sent — OTP codes,
 * passwords and passcodes, 12-digit ID (CCCD/định danh) numbers and bank
 * card numbers — before text is stored, logged or forwarded.
 */
#ifndef HOIDAP_REDACT_H
#define HOIDAP_REDACT_H

#include "buf.h"

#define REDACT_OTP "[mã OTP đã ẩn]"
#define REDACT_PASSWORD "[mật khẩu đã ẩn]"
#define REDACT_ID "[số định danh đã ẩn]"
#define REDACT_CARD "[số thẻ đã ẩn]"
#define REDACT_ALL "[tin nhắn không đọc được]"

/*
 * Writes the redacted text to out, NFC and valid UTF-8 whatever the input
 * (invalid sequences become U+FFFD); returns how many items were hidden,
 * so repairing the text alone counts 0. redact() of its own output changes
 * nothing. The formats are in tests/data/redact.tsv. A text longer than
 * out may hold leaves out holding only REDACT_ALL (counted as one hidden
 * item), never a failed or partial buffer; so does a text a pattern could
 * not finish (a PCRE2 limit) or that kept changing for every round.
 */
int redact(const char *in, struct buf *out);
void redact_release(void);      /* frees the compiled patterns */

#endif
