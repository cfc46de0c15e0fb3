/*
 * Private to the store's files: bot/store.c (opening, migrations, chats,
 * the message log, the Zalo OA), bot/store_outbox.c and bot/store_ticket.c
 * (tickets, volunteers, the relay queue). The statement helpers live in
 * bot/store.c.
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

/* Runs SQL that returns no rows, unprepared (pragmas, transactions). */
int store_exec(struct store *s, const char *sql);
/* A ready statement for the literal sql; give it back with store_done(). */
sqlite3_stmt *store_prep(struct store *s, const char *sql);
void store_done(struct store *s, sqlite3_stmt *st);
/* Runs a statement that returns no rows; binds text args in order. */
int store_run(struct store *s, const char *sql, int n, const char *const *args,
    int nint, const int64_t *ints);
/* The first column of a COUNT query with n text args, or -1. */
int store_count(struct store *s, const char *sql, int n,
    const char *const *args);

#endif
