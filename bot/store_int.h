/*
 * Private to the store's files: bot/store.c (opening, migrations, dedupe
 * and offsets, chats, the message log, stats, pruning, the Zalo OA),
 * bot/store_outbox.c (the outbox) and bot/store_ticket.c (tickets,
 * volunteers, the relay queue). The statement helpers live in bot/store.c.
 */
#ifndef HOIDAP_STORE_INT_H
#define HOIDAP_STORE_INT_H

#include <sqlite3.h>
#include <stdint.h>
#include <sys/types.h>

#include "store.h"

#define STMT_CACHE 96     /* more than the distinct statements of the store */

struct store {
	sqlite3 *db;
	char *path;
	dev_t dev;              /* the file opened, to notice it deleted */
	ino_t ino;
	/* Prepared once, reused: keyed by the SQL literal's address. */
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} cache[STMT_CACHE];
	int write_failing;      /* the last BEGIN or COMMIT failed */
};

/*
 * The statement helpers, so each query is its SQL and what it reads. Errors
 * are logged here. A statement is ready (store_prep) or ready with its text
 * args bound as ?1..?n and its ints as ?n+1.. (store_bind; a NULL text binds
 * NULL); give it back with store_done(), or let store_row/store_rows, which
 * take NULL for a statement that could not be made, give it back.
 */
/* Runs SQL that returns no rows, unprepared (pragmas, transactions). */
int store_exec(struct store *s, const char *sql);
sqlite3_stmt *store_prep(struct store *s, const char *sql);
sqlite3_stmt *store_bind(struct store *s, const char *sql, int n,
    const char *const *args, int nint, const int64_t *ints);
void store_done(struct store *s, sqlite3_stmt *st);
/* A statement that returns no rows: 0, or -1. */
int store_run(struct store *s, const char *sql, int n, const char *const *args,
    int nint, const int64_t *ints);
/* Steps st once; fill (may be NULL) reads the row: 1 a row, 0 none, -1. */
int store_row(struct store *s, sqlite3_stmt *st,
    void (*fill)(sqlite3_stmt *st, void *arg), void *arg);
/* Up to max rows, fill reading row i: the count, or -1. */
int store_rows(struct store *s, sqlite3_stmt *st, int max,
    void (*fill)(sqlite3_stmt *st, void *arg, int i), void *arg);
/* A fill for store_row: column 0 into the int64_t at arg. */
void store_col_int64(sqlite3_stmt *st, void *arg);
/* The first column of a COUNT query with n text args, or -1. */
int store_count(struct store *s, const char *sql, int n,
    const char *const *args);

#endif
