/*
 * kb: the knowledge base — every topic file, the abbreviation table and the
 * stop-word list in one directory, parsed, validated, compiled and indexed.
 *
 * A struct kb is immutable after kb_load() except for the matcher's scratch
 * space, so one kb serves one thread. Reloading means loading a new kb and
 * swapping pointers only when its diag has no errors (the daemon keeps the
 * last good one).
 */
#ifndef HOIDAP_KB_H
#define HOIDAP_KB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "diag.h"

struct kb;
struct schedule;

struct kb_link {
	char *label;
	char *url;
};

/*
 * Read-only view of one topic; owned by its kb. A section ("=== name" inside
 * a topic block) is a kb_topic too, with id "topic.id#name" and parent set:
 * the matcher ranks it like any topic, and it carries copies of what it
 * inherits (source, evidence, reviewed, see, priority).
 */
struct kb_topic {
	char *id;
	char *title;
	char *source;           /* short, shown to residents */
	char **evidence;        /* what backs the facts; for admins only */
	size_t nevidence;
	char *reviewed;         /* YYYY-MM-DD */
	char *file;             /* path it came from */
	int line;               /* line of its "== id" */
	char **pages;           /* the answer, split at "---" lines */
	int *page_steps;        /* numbered steps ("1. …") on each page */
	size_t npages;
	struct kb_link *links;
	size_t nlinks;
	char **see;             /* related topic ids */
	size_t nsee;
	char **menu;            /* ids a digit selects */
	size_t nmenu;
	char **asks;
	int *ask_lines;
	size_t nasks;
	char **keywords;
	size_t nkeywords;
	bool system;            /* sys.*: never matched */
	bool priority;          /* "priority: high": safety first (scams) */
	const struct kb_topic *parent;  /* a section: its topic; else NULL */
	const char *section;            /* a section: its name; else NULL */
	const struct kb_topic **sections;       /* a topic: its sections */
	size_t nsections;
};

/*
 * Longest id, sections included: the Telegram button that opens it carries
 * "t:" + id in callback_data, which holds at most 64 bytes.
 */
#define KB_ID_MAX 62

#define KB_STALE_DAYS 180

/*
 * Loads every file in dir; all problems go to d as path:line messages.
 * Returns NULL only when the directory cannot be read; otherwise a kb that
 * holds the topics that parsed (check d->nerr before serving it).
 */
struct kb *kb_load(const char *dir, struct diag *d);
void kb_free(struct kb *kb);
/*
 * Reads a stop-word file (stopwords.txt): words apart by spaces or commas,
 * '#' starts a comment line. Calls add with each word folded (no marks,
 * lower case), in file order. Problems go to d as path:line messages; a
 * missing file is none. kb_load and the report both read the file with
 * this, so what `hoidap check` accepts is what both drop.
 */
void kb_stopwords_read(const char *path, struct diag *d,
    void (*add)(const char *folded, void *arg), void *arg);

/* Every topic and section, in file order (a section follows its topic). */
size_t kb_count(const struct kb *kb);
const struct kb_topic *kb_topic(const struct kb *kb, size_t i);
const struct kb_topic *kb_find(const struct kb *kb, const char *id);
const char *kb_dir(const struct kb *kb);
/* The topic a section belongs to; a topic is its own. */
const struct kb_topic *kb_root(const struct kb_topic *t);
/* Text of a sys.* topic's first page, or fallback if it does not exist. */
const char *kb_system_text(const struct kb *kb, const char *id,
    const char *fallback);

/*
 * The id of the system topic whose 'keywords:' phrases make up all of msg,
 * give or take stop words ("cảm ơn cháu", "ok dc rồi" -> "sys.thanks";
 * "xem tiếp đi" -> "sys.more"), or NULL: a command or an acknowledgement,
 * not a question. A question word outside the phrases ("được không") makes
 * it a question.
 */
const char *kb_says(const struct kb *kb, const char *msg);

/*
 * For check's messages, why the matcher scored t for msg (slow; never on
 * the resident's path).
 *
 * kb_words: the words of msg, as the matcher reads them (abbreviations
 * expanded), that t holds in its title, keywords or examples (shared), or
 * that it lacks (!shared); stop words left out. Written to out as a list
 * ("\"nộp thuế\", \"etax\""): shared words in msg's order, adjacent ones
 * as one phrase when t holds the pair too; the words t lacks one by one,
 * those the fewest topics hold first (the best for a 'not:'). Returns how
 * many.
 *
 * kb_hit_line: the line of t's first 'match:' (veto false) or 'not:' (veto
 * true) that msg hits, or 0.
 */
size_t kb_words(struct kb *kb, const char *msg, const struct kb_topic *t,
    bool shared, struct buf *out);
int kb_hit_line(struct kb *kb, const char *msg, const struct kb_topic *t,
    bool veto);

/*
 * The knowledge directory's file names, sizes and modification times as one
 * value: an edit, or a file added or removed, changes it. Who watches the
 * directory for edits (the daemon, the console chat) compares it.
 */
uint64_t kb_dir_signature(const char *dir);

/* knowledge/schedule.txt (schedule.h), or NULL when the ward has none. */
const struct schedule *kb_schedule(const struct kb *kb);

/* Today as YYYY-MM-DD (HOIDAP_TODAY overrides it, for tests). */
void kb_today(char out[11]);
/* The time now as HH:MM, same zone (HOIDAP_NOW overrides it, for tests). */
void kb_now_hhmm(char out[6]);

#endif
