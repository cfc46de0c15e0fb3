/*
 * webhook: the HTTP ingress for pushes (webhook_listen); the daemon's side
 * of it is in daemon_int.h.
 */
#ifndef HOIDAP_WEBHOOK_H
#define HOIDAP_WEBHOOK_H

#include <sys/socket.h>

/* Like metrics_parse_listen, and port 0 (any free port: tests read it from
 * the file HOIDAP_WEBHOOK_PORTFILE names). 0 or -1. */
int webhook_parse_listen(const char *s, struct sockaddr_storage *sa,
    socklen_t *len);

#endif
