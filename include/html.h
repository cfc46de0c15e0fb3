/*
 * html: text made safe inside an HTML element or a quoted attribute, for
 * the pages hoidap writes (the report, the QR leaflets). Titles, questions
 * and ward names come from files and residents, never from us.
 */
#ifndef HOIDAP_HTML_H
#define HOIDAP_HTML_H

#include <stdio.h>

/* Writes s with & < > " ' escaped; the rest byte for byte. */
void html_escape(FILE *f, const char *s);

#endif
