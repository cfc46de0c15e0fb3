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

/* Writes the redacted text to out; returns how many items were hidden. */
int redact(const char *in, struct buf *out);
void redact_release(void);      /* frees the compiled patterns */

#endif
