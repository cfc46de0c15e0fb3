/*
 * daemon: `hoidap serve` — long-polls Telegram and Zalo, or takes their
 * webhook pushes, in one event loop (libcurl multi, libmicrohttpd in
 * external mode), answers through the conversation engine, and delivers
 * replies from the SQLite outbox within the platforms' rate limits.
 *
 * Delivery contract: an update's replies enter the outbox in the same
 * transaction that marks it processed, before its offset is confirmed; a
 * reply is marked sent only after the API said ok. So a crash loses nothing,
 * and repeats at most the sends in flight (send_concurrency, default 1).
 */
#ifndef HOIDAP_DAEMON_H
#define HOIDAP_DAEMON_H

#include "config.h"

/* Runs until SIGTERM/SIGINT; returns the exit status. cfg_path is reread
 * on SIGHUP. */
int daemon_run(struct config *cfg, const char *cfg_path, int cfg_given);

#endif
