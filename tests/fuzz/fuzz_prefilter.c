/*
 * libFuzzer: the prefilter against PCRE2. Input: a pattern, a newline, a
 * message. The prefilter may never say a pattern cannot match a message it
 * matches (PF_NO), nor that it matches one it does not (PF_YES), nor leave
 * out of the live pieces one that matches; with the pattern read folded
 * on the folded text, and read with diacritics (PF_CONTAIN) on the exact
 * text, as the matcher runs them. A run PCRE2 gives up on (match limit)
 * says nothing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "prefilter.h"
#include "text.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 1 match, 0 none, -1 PCRE2 gave up or the pattern does not compile */
static int
try(const char *pat, size_t plen, const char *s, pcre2_match_context *mc)
{
	pcre2_match_data *md;
	pcre2_code *re;
	PCRE2_SIZE off;
	int err, rc;

	re = pcre2_compile((PCRE2_SPTR)pat, plen, PCRE2_UTF | PCRE2_UCP |
	    PCRE2_CASELESS, &err, &off, NULL);
	if (!re)
		return -1;
	md = pcre2_match_data_create_from_pattern(re, NULL);
	rc = pcre2_match(re, (PCRE2_SPTR)s, strlen(s), 0, 0, md, mc);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	return rc >= 0 ? 1 : rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

static void
check(const char *pat, const char *fold, unsigned flags, const char *subject,
    const char *folded, pcre2_match_context *mc)
{
	struct prefilter *pf = prefilter_new();
	struct pf_piece pc[PF_PIECES_MAX];
	uint32_t id = prefilter_add(pf, fold, flags);
	int hit = try(pat, strlen(pat), subject, mc);
	enum pf_verdict v;
	size_t n, i;
	uint64_t live;

	prefilter_build(pf, NULL, 0);
	prefilter_begin(pf);
	prefilter_scan(pf, 0, folded, strlen(folded));
	v = prefilter_test(pf, 0, id);
	if ((hit == 1 && v == PF_NO) || (hit == 0 && v == PF_YES))
		abort();
	live = prefilter_live(pf, 0, id);
	if (hit >= 0 && prefilter_shape(pf, id) == prefilter_pieces(pat, pc, &n))
		for (i = 0; i < n; i++)
			if (!(live >> i & 1) && try(pat + pc[i].a, pc[i].b - pc[i].a,
			    subject, mc) == 1)
				abort();
	prefilter_free(pf);
}

/* A form prefilter_all_of cuts: its pieces, each run from anywhere, say
 * what the whole says. */
static void
check_all_of(const char *pat, const char *subject, pcre2_match_context *mc)
{
	char *pc[PF_PIECES_MAX];
	uint64_t neg;
	size_t n, i;
	int whole = try(pat, strlen(pat), subject, mc), all = 1;

	if (!prefilter_all_of(pat, pc, &neg, &n))
		return;
	for (i = 0; i < n; i++) {
		size_t len = strlen(pc[i]) + 4;
		char *w = xmalloc(len + 1);
		int r;

		snprintf(w, len + 1, "(?:%s)", pc[i]);
		r = try(w, strlen(w), subject, mc);
		if (r < 0 && all >= 0)
			all = -1;
		else if (all == 1 && r == (int)(neg >> i & 1))
			all = 0;
		free(w);
		free(pc[i]);
	}
	if (whole >= 0 && all >= 0 && whole != all)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = xstrndup((const char *)data, size), *nl = strchr(in, '\n');
	char *ex, *fo;
	pcre2_match_context *mc = pcre2_match_context_create(NULL);
	struct text t;

	pcre2_set_match_limit(mc, 100000);
	if (nl && text_pattern_forms(in, &ex, &fo) == 0 &&
	    text_utf8_invalid(nl + 1, strlen(nl + 1)) < 0) {
		*nl = '\0';
		free(ex);
		free(fo);
		(void)text_pattern_forms(in, &ex, &fo);
		text_normalize(&t, nl + 1, strlen(nl + 1));
		/* as a match: line runs: folded on folded */
		check(fo, fo, 0, t.folded, t.folded, mc);
		check(fo, fo, PF_LAZY | PF_DECIDE, t.folded, t.folded, mc);
		/* a not: line with diacritics: exact on exact (read from the
		 * folded form only when both have the same syntax, as match.c) */
		if (strcmp(ex, fo) != 0 && prefilter_same_shape(ex, fo))
			check(ex, fo, PF_LAZY | PF_DECIDE | PF_CONTAIN, t.exact,
			    t.folded, mc);
		/* the exact form of a match: line, cut in its lookaheads */
		check_all_of(ex, t.exact, mc);
		check_all_of(fo, t.folded, mc);
		text_release(&t);
		free(ex);
		free(fo);
	}
	pcre2_match_context_free(mc);
	free(in);
	return 0;
}
