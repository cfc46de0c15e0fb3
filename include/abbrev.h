/*
 * abbrev: the admin-editable table of chat abbreviations
 * (knowledge/abbreviations.txt) and their expansion in a message.
 * Format and rules: knowledge/README.md.
 */
#ifndef HOIDAP_ABBREV_H
#define HOIDAP_ABBREV_H

#include <stdbool.h>

#include "buf.h"
#include "diag.h"
#include "text.h"

struct abbrev;

/* Parses `path`; errors go to d. Returns NULL only if the file is unreadable
 * (also reported to d); a table with bad lines skips them. */
struct abbrev *abbrev_load(const char *path, struct diag *d);
/* Parses from memory (tests); `path` names it in diagnostics. */
struct abbrev *abbrev_parse(const char *path, const char *data, struct diag *d);
void abbrev_free(struct abbrev *a);
size_t abbrev_count(const struct abbrev *a);

/*
 * Writes the expanded message (tokens joined by spaces, exact forms) to out.
 * Returns true if anything was expanded. a may be NULL (nothing expands).
 */
bool abbrev_expand(const struct abbrev *a, const struct text *in, struct buf *out);

#endif
