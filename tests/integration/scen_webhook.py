"""Webhook ingress (issue 10, sections 1-2): pushes to webhook_listen instead
of long polling. Here the test plays Telegram and the Zalo Bot Platform
pushing to the bot; the fake API still takes setWebhook and the replies."""
import http.client
import json
import os
import signal
import socket
import sqlite3
import time

from run import check, texts_for, wait_until
from scen_delivery import WriteLock

SECRET = "hook_Secret-0123456789"
HDR = {"telegram": "X-Telegram-Bot-Api-Secret-Token", "zalo": "X-Bot-Api-Secret-Token"}


def start_hooked(env, **extra):
    pf = os.path.join(env.tmp, "webhook.port")
    if os.path.exists(pf):
        os.unlink(pf)
    env.start(HOIDAP_WEBHOOK_LISTEN="127.0.0.1:%s" % extra.pop("port", 0),
              HOIDAP_WEBHOOK_PORTFILE=pf, HOIDAP_WEBHOOK_URL="https://bot.example/hook",
              HOIDAP_WEBHOOK_SECRET=SECRET, **extra)
    wait_until(lambda: os.path.exists(pf) and open(pf).read().strip(), 10, "the webhook port file")
    env.hook_port = int(open(pf).read())
    return env.hook_port


def push(env, path, body, secret=SECRET, platform=None, method="POST"):
    """(status, body) of one push; None if the connection failed."""
    platform = platform or path.strip("/")
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    h = {"Content-Type": "application/json"}
    if secret is not None:
        h[HDR.get(platform, "X-Telegram-Bot-Api-Secret-Token")] = secret
    try:
        c = http.client.HTTPConnection("127.0.0.1", env.hook_port, timeout=15)
        c.request(method, path, body=data if method == "POST" else None, headers=h)
        r = c.getresponse()
        out = (r.status, r.read().decode(errors="replace"))
        c.close()
        return out
    except OSError:
        return None


def tg_update(uid, chat, text):
    return {"update_id": uid, "message": {
        "message_id": uid, "date": int(time.time()), "chat": {"id": chat, "type": "private"},
        "from": {"id": chat, "is_bot": False, "first_name": "Lan"}, "text": text}}


def zalo_update(mid, chat, text):
    return {"event_name": "message.text.received", "message": {
        "message_id": mid, "date": int(time.time() * 1000),
        "chat": {"id": chat, "chat_type": "PRIVATE"},
        "from": {"id": chat, "display_name": "Bác Hùng", "is_bot": False}, "text": text}}


def processed(env, platform):
    db = sqlite3.connect(env.db, timeout=10)
    n = {r[0] for r in db.execute("select update_id from processed where platform=?", (platform,))}
    db.close()
    return n


def t_webhook_basic(env):
    start_hooked(env)
    hooks = wait_until(lambda: len(env.sent(None, "setWebhook")) >= 2 and
                       env.sent(None, "setWebhook"), what="setWebhook for both platforms")
    urls = sorted(c["params"].get("url") for c in hooks)
    check(urls == ["https://bot.example/hook/telegram", "https://bot.example/hook/zalo"],
          "setWebhook urls %r" % urls)
    check(all(c["params"].get("secret_token") == SECRET for c in hooks), "secret_token not sent")
    check(SECRET not in env.log(), "the webhook secret is in the log")

    # refused before anything is stored
    u = tg_update(501, 51, "cai vneid ntn")
    check(push(env, "/telegram", u, secret=None)[0] == 401, "no secret: want 401")
    check(push(env, "/telegram", u, secret=SECRET[:-1] + "x")[0] == 403, "wrong secret: want 403")
    check(push(env, "/zalo", zalo_update("zw1", "z51", "hi"), secret="nope-nope-nope")[0] == 403,
          "zalo wrong secret: want 403")
    check(push(env, "/telegram", u, method="GET")[0] == 405, "GET: want 405")
    check(push(env, "/nowhere", u)[0] == 404, "unknown path: want 404")
    check(push(env, "/telegram", b"x" * (300 * 1024))[0] == 413, "huge body: want 413")
    check(push(env, "/telegram", b"{not json")[0] == 400, "malformed: want 400")
    time.sleep(0.5)
    check(not processed(env, "telegram") and not processed(env, "zalo"),
          "a refused push was stored")
    check(not texts_for(env, 51), "a refused push was answered")

    # accepted, and a repeat is answered 200 and not handled twice
    check(push(env, "/telegram", u) == (200, "ok\n"), "push: want 200")
    wait_until(lambda: texts_for(env, 51), what="the reply to a push")
    check(push(env, "/telegram", u)[0] == 200, "repeat: want 200")
    z = zalo_update("zw2", "z52", "cai vneid ntn")
    check(push(env, "/zalo", z)[0] == 200, "zalo push (bare): want 200")
    check(push(env, "/zalo", {"ok": True, "result": z})[0] == 200, "zalo repeat ({ok,result}): 200")
    wait_until(lambda: texts_for(env, "z52", "zalo"), what="the reply to a Zalo push")
    time.sleep(1)
    n, nz = len(texts_for(env, 51)), len(texts_for(env, "z52", "zalo"))
    check(n == 1 and nz == 1, "repeated pushes answered %d and %d times, want 1" % (n, nz))
    st = env.stats()["getUpdates"]
    check(st.get("telegram", 0) == 0 and st.get("zalo", 0) == 0,
          "long-polled while on webhooks: %r" % st)
    check(env.stop() == 0, "exit status")


def t_webhook_store_error(env):
    start_hooked(env)
    wait_until(lambda: len(env.sent(None, "setWebhook")) >= 2, what="setWebhook")
    # start-up's own writes (setMyCommands) done: a lock taken before them
    # stalls the loop for their busy timeouts too, and the push times out
    wait_until(lambda: "serving:" in env.log(), 10, "the daemon serving")
    lock = WriteLock(env.db)
    r = push(env, "/telegram", tg_update(601, 61, "xin chào"))
    lock.release()
    check(r and r[0] >= 500, "store locked: want 5xx, got %r" % (r,))
    check(push(env, "/telegram", tg_update(601, 61, "xin chào"))[0] == 200, "retry: want 200")
    wait_until(lambda: texts_for(env, 61), what="the reply after the retry")
    time.sleep(0.5)
    check(len(texts_for(env, 61)) == 1, "answered %d times" % len(texts_for(env, 61)))
    check(env.stop() == 0, "exit status")


def t_webhook_kill9(env):
    port = start_hooked(env)
    wait_until(lambda: len(env.sent(None, "setWebhook")) >= 2, what="setWebhook")
    # 1. killed while the push is still arriving: nothing stored, the
    # platform's retry is answered once
    body = json.dumps(tg_update(701, 71, "cai vneid ntn")).encode()
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"POST /telegram HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"%s: %s\r\nContent-Length: %d\r\n\r\n" % (HDR["telegram"].encode(),
                                                         SECRET.encode(), len(body)))
    s.sendall(body[:len(body) // 2])
    time.sleep(0.3)
    env.bot.send_signal(signal.SIGKILL)
    env.bot.wait()
    s.close()
    check("701" not in processed(env, "telegram"), "a half-received push was stored")
    # 2. stored, but the 200 never reached the platform (it hung up, then
    # the bot died before sending the reply): the retry is answered once
    env.fault(platform="telegram", method="sendMessage", status=500, count=-1)
    start_hooked(env, port=port)
    check(push(env, "/telegram", json.loads(body))[0] == 200, "retry of the half push: 200")
    body2 = json.dumps(tg_update(702, 72, "cai vneid ntn")).encode()
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"POST /telegram HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"%s: %s\r\nContent-Length: %d\r\n\r\n%s" % (HDR["telegram"].encode(),
                                                           SECRET.encode(), len(body2), body2))
    s.close()
    wait_until(lambda: "702" in processed(env, "telegram"), what="the push stored")
    env.bot.send_signal(signal.SIGKILL)
    env.bot.wait()
    env.ctl("/control/fault/clear", {})
    start_hooked(env, port=port)
    check(push(env, "/telegram", json.loads(body2))[0] == 200, "retry after kill -9: 200")
    wait_until(lambda: texts_for(env, 71) and texts_for(env, 72), 20, "both answered")
    time.sleep(1)
    n1, n2 = len(texts_for(env, 71)), len(texts_for(env, 72))
    check(n1 == 1 and n2 == 1, "answered %d and %d times, want once each" % (n1, n2))
    check(env.stop() == 0, "exit status")


def t_webhook_sigterm_drain(env):
    start_hooked(env, HOIDAP_RATE_CHAT_MS="300", HOIDAP_DRAIN_SECONDS="10")
    wait_until(lambda: len(env.sent(None, "setWebhook")) >= 2, what="setWebhook")
    for i in range(6):
        check(push(env, "/telegram", tg_update(800 + i, 80, "xin chào %d" % i))[0] == 200,
              "push %d" % i)
    wait_until(lambda: texts_for(env, 80), what="first reply")
    t0 = time.time()
    env.bot.send_signal(signal.SIGTERM)
    # the port is closed before the drain begins
    wait_until(lambda: "shutting down" in env.log(), 5, "the drain")
    r = push(env, "/telegram", tg_update(899, 81, "xin chào"))
    check(r is None, "a push was taken while draining: %r" % (r,))
    rc = env.stop(signal.SIGTERM, 15)
    check(rc == 0, "SIGTERM exit status %r" % rc)
    check(len(texts_for(env, 80)) == 6, "drain sent %d of 6" % len(texts_for(env, 80)))
    check(time.time() - t0 < 10, "drain took too long")




def t_webhook_config(env):
    # a short secret, or none, does not start: pushes would be unguarded
    env.start(HOIDAP_WEBHOOK_LISTEN="127.0.0.1:0", HOIDAP_WEBHOOK_SECRET="short")
    rc = env.bot.wait(15)
    env.bot = None
    check(rc != 0, "a 5-character secret was taken")
    check("webhook_secret" in env.log() and "short" not in env.log(),
          "no clear error, or the secret in it: %r" % env.log()[-300:])
    env.start(HOIDAP_WEBHOOK_LISTEN="127.0.0.1:0")
    rc = env.bot.wait(15)
    env.bot = None
    check(rc == 1, "webhook_listen without a secret: exit %r, want 1" % rc)
    check("HOIDAP_WEBHOOK_SECRET" in env.log(), "the error does not say what to set")
    # no webhook_url: long polling as before, pushes still taken
    pf = os.path.join(env.tmp, "webhook.port")
    env.start(HOIDAP_WEBHOOK_LISTEN="127.0.0.1:0", HOIDAP_WEBHOOK_PORTFILE=pf,
              HOIDAP_WEBHOOK_SECRET=SECRET)
    wait_until(lambda: os.path.exists(pf) and open(pf).read().strip(), 10, "the port file")
    env.hook_port = int(open(pf).read())
    wait_until(lambda: env.stats()["getUpdates"].get("telegram", 0) > 0, what="polling")
    check(not env.sent(None, "setWebhook"), "setWebhook without webhook_url")
    env.tg_text(91, "cai vneid ntn")
    check(push(env, "/telegram", tg_update(990001, 92, "cai vneid ntn"))[0] == 200, "push")
    wait_until(lambda: texts_for(env, 91) and texts_for(env, 92), what="polled and pushed answered")
    check(env.stop() == 0, "exit status")


SCENARIOS = [
    ("webhook-basic", t_webhook_basic, None),
    ("webhook-store-error", t_webhook_store_error, None),
    ("webhook-kill9", t_webhook_kill9, None),
    ("webhook-sigterm-drain", t_webhook_sigterm_drain, None),
    ("webhook-config", t_webhook_config, None),
]
