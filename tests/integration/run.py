#!/usr/bin/env python3
"""Integration tests: the real `hoidap serve` against the fake Telegram and
Zalo API (tests/fakeapi). Each scenario gets its own fake server, database and
log, is bounded in time, and uses nothing beyond loopback.

usage: tests/integration/run.py HOIDAP FAKEAPI [SCENARIO...]
Logs of failing scenarios are printed; passing ones are discarded.

Scenarios live in this file's SCENARIOS table and in every
tests/integration/scen_*.py beside it (each with its own SCENARIOS table,
using this file's harness through `from run import *`), so a new group of
scenarios is a new file.
"""
import glob
import importlib
import html
import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TG_TOKEN = "123456:TESTtokenDoNotLogMe_abcdefghijklmnopqrs"
ZALO_TOKEN = "987654:zaloSecretDoNotLog"


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


class Env:
    """One fake API + one bot, in a private temporary directory."""

    def __init__(self, hoidap, fakeapi, tmp, kb=None):
        self.hoidap, self.fakeapi, self.tmp = hoidap, fakeapi, tmp
        self.kb = kb or os.path.join(ROOT, "knowledge")
        self.db = os.path.join(tmp, "hoidap.db")
        self.botlog = os.path.join(tmp, "bot.log")
        self.fakelog = os.path.join(tmp, "fake.log")
        self.bot = None
        self.next_msg = 1000
        portfile = os.path.join(tmp, "port")
        self.fake = subprocess.Popen(
            [fakeapi, "--port", "0", "--portfile", portfile, "--log", self.fakelog],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "fake.err"), "w"))
        deadline = time.time() + 5
        while time.time() < deadline:
            if os.path.exists(portfile) and open(portfile).read().strip():
                break
            time.sleep(0.02)
        self.base = "http://127.0.0.1:%s" % open(portfile).read().strip()

    # --- the fake API's control side ---
    def ctl(self, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method="POST" if data else "GET",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read() or b"null")

    def tg_text(self, chat, text, user=None, chat_type="private", **extra):
        self.next_msg += 1
        msg = {"message_id": self.next_msg, "date": int(time.time()),
               "chat": {"id": chat, "type": chat_type},
               "from": {"id": user or chat, "is_bot": False, "first_name": "Lan"},
               "text": text}
        msg.update(extra)
        return self.ctl("/control/telegram/update", {"message": msg})

    def tg_updates(self, updates):
        return self.ctl("/control/telegram/update", updates)

    def tg_callback(self, chat, data):
        self.next_msg += 1
        return self.ctl("/control/telegram/update", {"callback_query": {
            "id": "cb%d" % self.next_msg, "from": {"id": chat, "first_name": "Lan"},
            "message": {"message_id": 1, "date": 0, "chat": {"id": chat, "type": "private"}},
            "chat_instance": "x", "data": data}})

    def zalo_text(self, chat, text, msg_id=None):
        self.next_msg += 1
        return self.ctl("/control/zalo/update", {"message": {
            "message_id": msg_id or "zm%d" % self.next_msg, "date": int(time.time() * 1000),
            "chat": {"id": chat, "chat_type": "PRIVATE"},
            "from": {"id": chat, "display_name": "Bác Hùng", "is_bot": False},
            "text": text}})

    def fault(self, **f):
        return self.ctl("/control/fault", f)

    def sent(self, platform=None, method="sendMessage"):
        q = []
        if platform:
            q.append("platform=" + platform)
        if method:
            q.append("method=" + method)
        return self.ctl("/control/sent" + ("?" + "&".join(q) if q else ""))

    def stats(self):
        return self.ctl("/control/stats")

    # --- the bot ---
    def start(self, **env):
        e = dict(os.environ)
        for k in list(e):
            if k.startswith("HOIDAP_"):
                del e[k]
        e.update({
            "HOIDAP_TELEGRAM_TOKEN": TG_TOKEN, "HOIDAP_TELEGRAM_API": self.base,
            "HOIDAP_ZALO_TOKEN": ZALO_TOKEN, "HOIDAP_ZALO_API": self.base + "/zalo",
            "HOIDAP_DB": self.db, "HOIDAP_KB": self.kb, "HOIDAP_POLL_TIMEOUT": "2",
            "HOIDAP_RATE_CHAT_MS": "0", "HOIDAP_RATE_GLOBAL_PER_S": "0",
            "HOIDAP_RATE_GROUP_PER_MIN": "0", "HOIDAP_FLOOD_MAX": "1000",
            "HOIDAP_DRAIN_SECONDS": "5", "HOIDAP_LOG_LEVEL": "info",
            "ASAN_OPTIONS": "detect_leaks=1",
        })
        e.update({k: str(v) for k, v in env.items()})
        conf = os.path.join(self.tmp, "empty.conf")
        open(conf, "w").close()
        self.bot = subprocess.Popen([self.hoidap, "serve", "--config", conf], env=e,
                                    stdout=subprocess.DEVNULL, stderr=open(self.botlog, "a"),
                                    cwd=self.tmp)
        return self.bot

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if not self.bot:
            return None
        if self.bot.poll() is None:
            self.bot.send_signal(sig)
        try:
            rc = self.bot.wait(timeout)
        except subprocess.TimeoutExpired:
            self.bot.kill()
            rc = self.bot.wait()
            raise Fail("bot did not exit within %d s of signal %d" % (timeout, sig))
        self.bot = None
        return rc

    def close(self):
        if self.bot and self.bot.poll() is None:
            self.bot.kill()
            self.bot.wait()
        self.fake.send_signal(signal.SIGTERM)
        try:
            self.fake.wait(5)
        except subprocess.TimeoutExpired:
            self.fake.kill()

    def log(self):
        return open(self.botlog, errors="replace").read() if os.path.exists(self.botlog) else ""


def wait_until(cond, timeout=15, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.05)
    raise Fail("timed out after %ss waiting for %s" % (timeout, what))


def zalo_unstored(env):
    """Message ids of Zalo updates the fake handed over and the bot never
    stored. Zalo's getUpdates has no acknowledgement: an update handed over
    in the instant of a kill -9, before the bot stored it, is gone for any
    client (at most one per kill: one poll is in flight)."""
    given = {i for p in env.ctl("/control/polls?platform=zalo") for i in p["returned"]}
    db = sqlite3.connect(env.db, timeout=10)
    kept = {r[0] for r in db.execute("select update_id from processed where platform='zalo'")}
    db.close()
    return given - kept


def texts_for(env, chat, platform="telegram"):
    return [c["params"].get("text", "") for c in env.sent(platform)
            if str(c["params"].get("chat_id")) == str(chat)]


# ---------------------------------------------------------------- scenarios

def t_basic_telegram(env):
    env.start()
    wait_until(lambda: env.sent("telegram", "setMyCommands"), what="setMyCommands")
    env.tg_text(42, "cai vneid ntn")
    msgs = wait_until(lambda: env.sent("telegram"), what="a reply")
    p = msgs[0]["params"]
    check(str(p["chat_id"]) == "42", "reply to the wrong chat: %r" % p)
    check("VNeID" in p["text"], "reply is not the VNeID guide: %r" % p["text"][:200])
    check(p.get("parse_mode") == "HTML", "parse_mode HTML expected")
    kb = p.get("reply_markup", {}).get("inline_keyboard")
    check(kb, "no inline keyboard")
    datas = [b["callback_data"] for row in kb for b in row]
    check("n" in datas, "no 'Xem tiếp' button on a long guide: %r" % datas)
    check(all(len(d.encode()) <= 64 for d in datas), "callback_data over 64 bytes")
    # the button continues the guide and is answered
    env.tg_callback(42, "n")
    wait_until(lambda: len(env.sent("telegram")) >= 2, what="page 2")
    wait_until(lambda: env.sent("telegram", "answerCallbackQuery"), what="answerCallbackQuery")
    # a deep link opens a topic
    env.tg_text(43, "/start vneid-install")
    t = wait_until(lambda: texts_for(env, 43), what="deep link reply")
    check("CH Play" in t[0] or "App Store" in t[0], "deep link did not open vneid.install: %r" % t[0][:200])
    env.tg_text(44, "/start vneid_activate_level2")
    t = wait_until(lambda: texts_for(env, 44), what="deep link reply (underscores)")
    check("mức 2" in t[0], "underscore deep link did not open activate_level2: %r" % t[0][:200])
    # HTML escaping: a reply never carries a raw '<' from the text
    check(env.stop() == 0, "SIGTERM exit status is not 0")
    check(TG_TOKEN not in env.log() and TG_TOKEN.split(":")[1] not in env.log(),
          "the token appears in the log")
    mode = stat.S_IMODE(os.stat(env.db).st_mode)
    check(mode == 0o600, "database mode is %o, not 600" % mode)


def t_zalo(env):
    env.start()
    env.zalo_text("u-zalo-1", "quen mk vssid")
    t = wait_until(lambda: texts_for(env, "u-zalo-1", "zalo"), what="zalo reply")
    check("VssID" in t[0] or "BHXH" in t[0], "zalo reply is not the VssID guide: %r" % t[0][:200])
    check(all(len(x) <= 2000 for x in t), "zalo message over 2000 characters")
    check("0. Về menu chính" in "".join(t) or "\n1. " in "".join(t), "no numbered menu text on Zalo")
    # idle polls: Zalo answers 408, the bot keeps polling
    time.sleep(2.5)
    st = env.stats()
    check(env.bot.poll() is None, "bot died during idle Zalo polls")
    # redelivered update (same message_id) is answered once
    env.fault(platform="zalo", method="getUpdates", redeliver=True, count=1)
    env.zalo_text("u-zalo-2", "xin chào", msg_id="dup-1")
    wait_until(lambda: texts_for(env, "u-zalo-2", "zalo"), what="zalo greeting")
    time.sleep(1.5)
    check(len(texts_for(env, "u-zalo-2", "zalo")) == 1,
          "a redelivered Zalo update was answered %d times" % len(texts_for(env, "u-zalo-2", "zalo")))
    # the digit answers the menu the bot sent on Zalo
    env.zalo_text("u-zalo-2", "1")
    wait_until(lambda: len(texts_for(env, "u-zalo-2", "zalo")) >= 2, what="menu digit reply")
    check("VNeID" in texts_for(env, "u-zalo-2", "zalo")[1], "digit 1 did not open the first menu entry")
    check(env.stop() == 0, "exit status")
    del st


def t_many_residents(env):
    env.start()
    chats = list(range(5000, 5060))
    ups = []
    for c in chats:
        for q in ("xin chào", "cai vneid ntn", "0"):
            env.next_msg += 1
            ups.append({"message": {"message_id": env.next_msg, "date": 1,
                                    "chat": {"id": c, "type": "private"},
                                    "from": {"id": c, "is_bot": False, "first_name": "A"},
                                    "text": q}})
    env.tg_updates(ups)
    for c in chats:
        env.zalo_text("z%d" % c, "xin chào")

    def done():
        s = env.sent("telegram") + env.sent("zalo")
        return len(s) >= len(ups) + len(chats)
    wait_until(done, 30, "replies to 60 telegram + 60 zalo residents")
    time.sleep(0.5)
    per = {}
    for c in env.sent("telegram"):
        per[str(c["params"]["chat_id"])] = per.get(str(c["params"]["chat_id"]), 0) + 1
    for c in chats:
        check(per.get(str(c)) == 3, "chat %d got %r replies, want 3" % (c, per.get(str(c))))
    check(len(env.sent("zalo")) == len(chats), "zalo replies: %d" % len(env.sent("zalo")))
    check(env.stop() == 0, "exit status")


def t_long_guide_split(env):
    env.start()
    env.tg_text(77, "hướng dẫn rất dài")
    wait_until(lambda: len(texts_for(env, 77)) >= 2, what="a split guide")
    time.sleep(0.5)
    t = texts_for(env, 77)
    # Telegram counts UTF-16 units of the text after entity parsing
    units = [len(html.unescape(x).encode("utf-16-le")) // 2 for x in t]
    check(all(u <= 4096 for u in units), "a part is over 4096 characters: %r" % units)
    check(len(t) >= 2, "a long page was not split")
    check("&lt;" in "".join(t) and "&amp;" in "".join(t), "HTML special characters not escaped")
    msgs = [c["params"] for c in env.sent("telegram") if str(c["params"]["chat_id"]) == "77"]
    check("reply_markup" in msgs[-1] and all("reply_markup" not in m for m in msgs[:-1]),
          "buttons must ride on the last part only")
    check(env.stop() == 0, "exit status")


def t_rate_limit_429(env):
    env.start()
    env.fault(platform="telegram", method="sendMessage", count=2, status=429,
              description="Too Many Requests: retry after 1", retry_after=1)
    t0 = time.time()
    env.tg_text(90, "xin chào")
    wait_until(lambda: texts_for(env, 90), 20, "reply after 429s")
    elapsed = time.time() - t0
    check(elapsed >= 1.8, "retry_after not honoured: delivered after %.2f s" % elapsed)
    time.sleep(1)
    check(len(texts_for(env, 90)) == 1, "delivered %d times" % len(texts_for(env, 90)))
    check("retry" in env.log(), "429 not logged")
    check(env.stop() == 0, "exit status")


def t_server_errors(env):
    env.start()
    env.fault(platform="telegram", method="sendMessage", count=3, status=500,
              description="Internal Server Error")
    env.fault(platform="telegram", method="getUpdates", count=2, status=502,
              description="Bad Gateway")
    env.tg_text(91, "xin chào")
    wait_until(lambda: texts_for(env, 91), 30, "reply after 5xx")
    time.sleep(0.5)
    check(len(texts_for(env, 91)) == 1, "delivered %d times" % len(texts_for(env, 91)))
    check(env.stop() == 0, "exit status")


def t_malformed_and_slow(env):
    env.start()
    env.fault(platform="telegram", method="getUpdates", count=2, malformed=True)
    env.fault(platform="telegram", method="sendMessage", count=1, malformed=True)
    env.fault(platform="zalo", method="getUpdates", count=1, malformed=True)
    env.tg_text(92, "xin chào")
    env.zalo_text("zz92", "xin chào")
    wait_until(lambda: texts_for(env, 92), 30, "telegram reply after malformed replies")
    wait_until(lambda: texts_for(env, "zz92", "zalo"), 30, "zalo reply after malformed replies")
    # slow and dropped connections
    env.fault(platform="telegram", method="sendMessage", count=1, delay_ms=1500)
    env.fault(platform="telegram", method="sendMessage", count=1, drop=True)
    env.tg_text(93, "xin chào")
    env.tg_text(94, "xin chào")
    wait_until(lambda: texts_for(env, 93) and texts_for(env, 94), 30, "replies after slow/dropped")
    check(env.bot.poll() is None, "bot died")
    check(env.stop() == 0, "exit status")


def t_conflict_409(env):
    env.fault(platform="telegram", method="getUpdates", count=1, conflict=True)
    env.start()
    wait_until(lambda: "409" in env.log(), 10, "a 409 log line")
    check(env.bot.poll() is None, "bot exited on 409")
    check("another copy" in env.log() or "webhook" in env.log(), "409 log line does not explain")
    check(env.stop() == 0, "exit status")


def t_permanent_error(env):
    env.start()
    env.fault(platform="telegram", method="sendMessage", count=1, status=403,
              description="Forbidden: bot was blocked by the user")
    env.tg_text(95, "xin chào")
    wait_until(lambda: "not deliverable" in env.log(), 10, "permanent error logged")
    env.tg_text(96, "xin chào")
    wait_until(lambda: texts_for(env, 96), 10, "the next resident still answered")
    check(env.stop() == 0, "exit status")
    db = sqlite3.connect(env.db)
    st = db.execute("select status, attempts from outbox where chat_id='95' and "
                    "method='sendMessage'").fetchall()
    check(st and st[0][0] == "failed" and st[0][1] == 1, "403 not recorded once as failed: %r" % st)


def t_media_and_redaction(env):
    env.start(HOIDAP_LOG_LEVEL="debug")
    env.tg_text(97, "mã otp của tôi là 483920, mật khẩu là Lan@1960, cccd 001088012345")
    wait_until(lambda: texts_for(env, 97), what="reply")
    env.next_msg += 1
    env.ctl("/control/telegram/update", {"message": {
        "message_id": env.next_msg, "date": 1, "chat": {"id": 98, "type": "private"},
        "from": {"id": 98, "is_bot": False, "first_name": "B"},
        "photo": [{"file_id": "AAA", "width": 1, "height": 1}]}})
    t = wait_until(lambda: texts_for(env, 98), what="photo reply")
    check("ảnh" in t[0], "photo reply does not mention the photo: %r" % t[0][:200])
    check(env.stop() == 0, "exit status")
    dump = "\n".join(sqlite3.connect(env.db).iterdump())
    for secret in ("483920", "Lan@1960", "001088012345"):
        check(secret not in dump, "%s stored in the database" % secret)
        check(secret not in env.log(), "%s in the log" % secret)


def t_flood(env):
    env.start(HOIDAP_FLOOD_MAX="5", HOIDAP_FLOOD_WINDOW="60")
    ups = []
    for i in range(30):
        env.next_msg += 1
        ups.append({"message": {"message_id": env.next_msg, "date": 1,
                                "chat": {"id": 99, "type": "private"},
                                "from": {"id": 99, "is_bot": False, "first_name": "F"},
                                "text": "xin chào %d" % i}})
    env.tg_updates(ups)
    env.tg_text(100, "xin chào")
    wait_until(lambda: texts_for(env, 100), what="the other resident answered")
    wait_until(lambda: len(texts_for(env, 99)) >= 6, what="flood replies")
    time.sleep(1)
    t = texts_for(env, 99)
    check(len(t) == 6, "flooding resident got %d replies, want 5 + 1 notice" % len(t))
    check("nhiều tin" in t[-1], "no gentle flood notice: %r" % t[-1][:100])
    check(env.stop() == 0, "exit status")


def t_kill9_restart(env):
    # 100 ms between messages to one chat: sending takes ~1 s per chat, so
    # the kills land while replies are being sent
    env.start(HOIDAP_RATE_CHAT_MS="100")
    chats = list(range(7000, 7020))
    expect, zchat = {}, {}
    for round_ in range(10):
        ups = []
        for c in chats:
            env.next_msg += 1
            ups.append({"message": {"message_id": env.next_msg, "date": 1,
                                    "chat": {"id": c, "type": "private"},
                                    "from": {"id": c, "is_bot": False, "first_name": "K"},
                                    "text": "xin chào"}})
            expect[c] = expect.get(c, 0) + 1
        env.tg_updates(ups)
        for c in chats[:5]:
            env.zalo_text("k%d" % c, "xin chào")
            expect["k%d" % c] = expect.get("k%d" % c, 0) + 1
            zchat["zm%d" % env.next_msg] = "k%d" % c
    crashes, at = 0, []
    for _ in range(3):
        time.sleep(0.35)
        env.bot.send_signal(signal.SIGKILL)
        env.bot.wait()
        at.append(len(env.sent("telegram")) + len(env.sent("zalo")))
        crashes += 1
        env.start(HOIDAP_RATE_CHAT_MS="100")

    def wanted():
        gone = [zchat[i] for i in zalo_unstored(env) if i in zchat]
        want = dict(expect)
        for k in gone:
            want[k] -= 1
        return want, len(gone)

    def all_done():
        got = {}
        for c in env.sent("telegram") + env.sent("zalo"):
            k = c["params"]["chat_id"]
            k = int(k) if str(k).isdigit() else k
            got[k] = got.get(k, 0) + 1
        return got if all(got.get(k, 0) >= v for k, v in wanted()[0].items()) else None
    got = wait_until(all_done, 60, "every message answered after kill -9")
    time.sleep(1)
    got = all_done() or got
    want, gone = wanted()
    lost = sum(max(0, v - got.get(k, 0)) for k, v in want.items())
    dup = sum(max(0, got.get(k, 0) - v) for k, v in want.items())
    print("    kill -9 x%d (after %s replies): %d messages, lost %d, duplicated %d, Zalo "
          "updates handed over at a kill and never stored %d" %
          (crashes, at, sum(expect.values()), lost, dup, gone))
    check(at[0] < sum(expect.values()), "the first kill came after everything was sent")
    check(lost == 0, "%d replies lost" % lost)
    check(dup <= crashes, "%d duplicates for %d crashes" % (dup, crashes))
    check(gone <= crashes, "%d Zalo updates lost for %d crashes" % (gone, crashes))
    check(env.stop() == 0, "exit status")


def t_sigterm_drain(env):
    # one chat, a 300 ms gap between its messages: the outbox holds a queue
    env.start(HOIDAP_RATE_CHAT_MS="300", HOIDAP_DRAIN_SECONDS="10")
    for i in range(6):
        env.tg_text(200, "xin chào %d" % i)
    wait_until(lambda: texts_for(env, 200), what="first reply")
    t0 = time.time()
    rc = env.stop(signal.SIGTERM, 15)
    check(rc == 0, "SIGTERM exit status %r" % rc)
    check(len(texts_for(env, 200)) == 6, "drain sent %d of 6" % len(texts_for(env, 200)))
    check(time.time() - t0 < 10, "drain took too long")


def t_sighup_reload(env):
    import shutil
    kb = os.path.join(env.tmp, "kb")
    shutil.copytree(os.path.join(ROOT, "tests", "data", "kb-mini"), kb)
    env.kb = kb
    env.start()
    env.tg_text(300, "cai vneid ntn")
    wait_until(lambda: texts_for(env, 300), what="reply before reload")
    with open(os.path.join(kb, "topics.txt"), "a") as f:
        f.write("\n== broken\ntitle Oops\n")
    env.bot.send_signal(signal.SIGHUP)
    wait_until(lambda: "topics.txt:" in env.log() and "previous" in env.log(), 10,
               "reload errors logged as path:line")
    env.tg_text(300, "cai vneid ntn")
    wait_until(lambda: len(texts_for(env, 300)) >= 2, what="reply after a bad reload")
    check(env.bot.poll() is None, "bot died on a bad reload")
    check(env.stop() == 0, "exit status")


def t_group_and_ignored(env):
    env.start()
    env.tg_text(-1001, "xin chào mọi người", user=501, chat_type="supergroup")
    env.tg_text(502, "xin chào")
    wait_until(lambda: texts_for(env, 502), what="private reply")
    time.sleep(0.5)
    check(not texts_for(env, -1001), "the bot chatted in a group")
    check(env.stop() == 0, "exit status")


GROUP = -100500
ADMIN = 9001
VOL = 701


def group_msgs(env):
    return [c for c in env.sent("telegram", None)
            if str(c["params"].get("chat_id")) == str(GROUP)]


def card_of(env, ticket):
    for c in env.sent("telegram"):
        p = c["params"]
        if str(p.get("chat_id")) == str(GROUP) and p.get("text", "").startswith(
                ("🆘 Phiếu #%d " % ticket, "⚠️ Phiếu #%d " % ticket)):
            return c["result"]["message_id"]
    return None


def vol_msg(env, text, reply_to=None, user=VOL, name="Minh"):
    env.next_msg += 1
    m = {"message_id": env.next_msg, "date": 1,
         "chat": {"id": GROUP, "type": "supergroup"},
         "from": {"id": user, "is_bot": False, "first_name": name}, "text": text}
    if reply_to:
        m["reply_to_message"] = {"message_id": reply_to, "date": 1,
                                 "chat": {"id": GROUP, "type": "supergroup"}}
    return env.ctl("/control/telegram/update", {"message": m})


def vol_button(env, data, card, user=VOL, name="Minh"):
    env.next_msg += 1
    return env.ctl("/control/telegram/update", {"callback_query": {
        "id": "vb%d" % env.next_msg, "from": {"id": user, "first_name": name},
        "message": {"message_id": card, "date": 1, "chat": {"id": GROUP, "type": "supergroup"}},
        "chat_instance": "g", "data": data}})


def staff_env(env, **extra):
    env.start(HOIDAP_VOLUNTEER_CHAT=str(GROUP), HOIDAP_ADMINS=str(ADMIN),
              HOIDAP_SUPPORT_HOURS="00:00-24:00", **extra)


def t_handoff_flow(env):
    staff_env(env)
    # two fallbacks in a row open a ticket
    env.tg_text(601, "xyzzy plugh frobnicate")
    wait_until(lambda: texts_for(env, 601), what="first fallback")
    env.tg_text(601, "qwerty asdf zxcv")
    card = wait_until(lambda: card_of(env, 1), what="the ticket card in the group")
    t = wait_until(lambda: [x for x in texts_for(env, 601) if "phiếu số 1" in x],
                   what="the honest wait message")
    check("30 phút" in t[0], "wait message does not say how long: %r" % t[0])
    cardmsg = [c for c in group_msgs(env) if c.get("result", {}).get("message_id") == card][0]
    kb = cardmsg["params"]["reply_markup"]["inline_keyboard"]
    check(kb[0][0]["callback_data"] == "claim:1", "no claim button: %r" % kb)
    check("xyzzy" in cardmsg["params"]["text"], "card lacks the recent exchange")
    # claim with the button
    vol_button(env, "claim:1", card)
    wait_until(lambda: [x for x in texts_for(env, 601) if "Minh" in x and "đã nhận" in x],
               what="resident told who has it")
    wait_until(lambda: env.sent("telegram", "editMessageText"), what="the card shows who has it")
    # volunteer replies under the card -> resident
    vol_msg(env, "Bác mở ứng dụng VNeID giúp cháu nhé", reply_to=card)
    wait_until(lambda: [x for x in texts_for(env, 601) if "Bác mở ứng dụng VNeID giúp cháu" in x],
               what="volunteer reply relayed to the resident")
    # resident writes, with an OTP: relayed under the card, redacted; the bot stays quiet
    before = len(texts_for(env, 601))
    env.tg_text(601, "cháu ơi mã otp là 482913 đây")
    relayed = wait_until(lambda: [c for c in group_msgs(env)
                                  if "#1" in c["params"].get("text", "") and "cháu ơi" in c["params"].get("text", "")],
                         what="resident message relayed to the group")
    p = relayed[0]["params"]
    check("482913" not in p["text"], "the OTP reached the volunteers' group")
    check(p.get("reply_parameters", {}).get("message_id") == card, "not threaded under the card")
    time.sleep(0.5)
    extra = texts_for(env, 601)[before:]
    check(all("OTP" in x or "mật khẩu" in x for x in extra),
          "the bot answered a resident whose ticket is open: %r" % extra)
    # resolve, feedback
    vol_msg(env, "/xong 1")
    wait_until(lambda: [x for x in texts_for(env, 601) if "đã xong" in x], what="resolved notice")
    env.tg_callback(601, "fb:1")
    wait_until(lambda: [x for x in texts_for(env, 601) if "cảm ơn" in x.lower()], what="thanks for feedback")
    # after resolution the bot answers again
    env.tg_text(601, "cai vneid ntn")
    wait_until(lambda: [x for x in texts_for(env, 601) if "CH Play" in x], what="bot answers again")
    check(env.stop() == 0, "exit status")
    db = sqlite3.connect(env.db)
    row = db.execute("select status, feedback, volunteer_id, first_reply_at is not null, reason "
                     "from tickets where id=1").fetchone()
    check(row == ("resolved", 1, str(VOL), 1, "fallback"), "ticket row: %r" % (row,))
    dump = "\n".join(db.iterdump())
    check("482913" not in dump and "482913" not in env.log(), "OTP stored or logged")


def t_handoff_photo_and_ask(env):
    staff_env(env)
    env.next_msg += 1
    env.ctl("/control/telegram/update", {"message": {
        "message_id": env.next_msg, "date": 1, "chat": {"id": 602, "type": "private"},
        "from": {"id": 602, "is_bot": False, "first_name": "Hoa"},
        "photo": [{"file_id": "P1", "width": 10, "height": 10}], "caption": "máy báo lỗi này"}})
    wait_until(lambda: card_of(env, 1), what="card for a photo")
    cp = wait_until(lambda: env.sent("telegram", "copyMessage"), what="the photo copied to the group")
    check(str(cp[0]["params"]["chat_id"]) == str(GROUP) and str(cp[0]["params"]["from_chat_id"]) == "602",
          "copyMessage params: %r" % cp[0]["params"])
    # a Zalo resident asking for a person reaches the same group
    env.zalo_text("zr-603", "cho tôi gặp cán bộ hỗ trợ")
    wait_until(lambda: card_of(env, 2), what="card for the Zalo resident")
    t = wait_until(lambda: [x for x in texts_for(env, "zr-603", "zalo") if "phiếu số 2" in x],
                   what="Zalo resident told about the hand-off")
    check(t, "no wait message on Zalo")
    check("Zalo" in [c for c in group_msgs(env) if c.get("result", {}).get("message_id") == card_of(env, 2)][0]["params"]["text"],
          "card does not say Zalo")
    check(env.stop() == 0, "exit status")


def t_forwarded_and_roles(env):
    staff_env(env)
    vol_msg(env, "chào cả nhà")            # Minh is now a known volunteer
    wait_until(lambda: "volunteers' group" in env.log(), what="group message seen")
    env.next_msg += 1
    env.ctl("/control/telegram/update", {"message": {
        "message_id": env.next_msg, "date": 1, "chat": {"id": VOL, "type": "private"},
        "from": {"id": VOL, "is_bot": False, "first_name": "Minh"},
        "forward_origin": {"type": "hidden_user", "sender_user_name": "Bà Tư", "date": 1},
        "text": "bà tư quên mật khẩu vneid, số điện thoại cũ không dùng nữa"}})
    wait_until(lambda: texts_for(env, ADMIN), what="tier-2 ticket sent to the admin")
    check("⚠️ Phiếu #1" in texts_for(env, ADMIN)[0], "admin card: %r" % texts_for(env, ADMIN)[0][:100])
    t = wait_until(lambda: texts_for(env, VOL), what="the volunteer answered")
    check(any("phiếu #1" in x for x in t), "volunteer not told the ticket number: %r" % t)
    # strangers cannot use staff commands
    env.tg_text(999, "/nhan 1")
    env.tg_text(998, "/tailai")
    wait_until(lambda: texts_for(env, 999) and texts_for(env, 998), what="refusals")
    check("chỉ dành cho" in texts_for(env, 999)[0], "no polite refusal")
    check("refused /nhan" in env.log() and "refused /tailai" in env.log(), "refusals not logged")
    db = sqlite3.connect(env.db)
    check(db.execute("select tier, reason, status from tickets where id=1").fetchone() ==
          (2, "forwarded", "open"), "the refused /nhan changed the ticket")
    check(env.stop() == 0, "exit status")


def t_live_reload(env):
    import shutil
    kb = os.path.join(env.tmp, "kb")
    shutil.copytree(os.path.join(ROOT, "tests", "data", "kb-mini"), kb)
    env.kb = kb
    staff_env(env, HOIDAP_WATCH_SECONDS="1")
    env.tg_text(610, "cai vneid ntn")
    wait_until(lambda: texts_for(env, 610), what="reply before edits")
    # a broken edit: admins get path:line, residents still get answers
    with open(os.path.join(kb, "topics.txt"), "a") as f:
        f.write("\n== broken.topic\ntitle Oops\n")
    msg = wait_until(lambda: [x for x in texts_for(env, ADMIN) if "topics.txt:" in x], 10,
                     "admins told what is wrong")
    check("lỗi" in msg[0], "admin message: %r" % msg[0][:200])
    env.tg_text(610, "cai vneid ntn")
    wait_until(lambda: len(texts_for(env, 610)) >= 2, what="still serving after a bad edit")
    # a good edit goes live without a restart
    with open(os.path.join(kb, "topics.txt")) as f:
        good = f.read().replace("\n== broken.topic\ntitle Oops\n", "")
    good += ("\n== bus.card\ntitle: Thẻ xe buýt\nkeywords: thẻ xe buýt\nask: làm thẻ xe buýt\n"
             "match: xe\\s*buýt\nsource: test\nreviewed: 2026-11-01\nanswer:\nDạ, thẻ xe buýt ABC.\n")
    with open(os.path.join(kb, "topics.txt"), "w") as f:
        f.write(good)
    wait_until(lambda: "reload (tệp trong knowledge/ vừa sửa)" in env.log(), 10, "auto reload")
    env.tg_text(610, "làm thẻ xe buýt ở đâu")
    wait_until(lambda: [x for x in texts_for(env, 610) if "thẻ xe buýt ABC" in x], what="the new topic answers")
    # /tailai from the admin
    env.tg_text(ADMIN, "/tailai")
    wait_until(lambda: [x for x in texts_for(env, ADMIN) if "Đã tải lại" in x], what="/tailai confirmation")
    check(env.stop() == 0, "exit status")


def t_handoff_edges(env):
    staff_env(env)
    # a sticker is not a reason to call a person
    env.next_msg += 1
    env.ctl("/control/telegram/update", {"message": {
        "message_id": env.next_msg, "date": 1, "chat": {"id": 620, "type": "private"},
        "from": {"id": 620, "is_bot": False, "first_name": "An"},
        "sticker": {"file_id": "S1", "width": 1, "height": 1}}})
    wait_until(lambda: texts_for(env, 620), what="sticker reply")
    env.tg_text(620, "cai vneid ntn")
    wait_until(lambda: [x for x in texts_for(env, 620) if "CH Play" in x], what="answered after a sticker")
    check(card_of(env, 1) is None, "a sticker opened a ticket")
    # a volunteer's forwarded case does not silence the volunteer
    vol_msg(env, "chào cả nhà")
    wait_until(lambda: "volunteers' group" in env.log(), what="group message seen")
    env.tg_text(VOL, "/chuyen bà Tư không vào được vneid")
    wait_until(lambda: texts_for(env, ADMIN), what="tier-2 to the admin")
    env.tg_text(VOL, "cai vneid ntn")
    wait_until(lambda: [x for x in texts_for(env, VOL) if "CH Play" in x], what="the volunteer still gets answers")
    # after a resolved ticket, one more fallback does not reopen one
    env.tg_text(621, "xyzzy plugh frobnicate")
    env.tg_text(621, "qwerty asdf zxcv")
    card = wait_until(lambda: card_of(env, 2), what="ticket 2")
    vol_msg(env, "/xong 2")
    wait_until(lambda: [x for x in texts_for(env, 621) if "đã xong" in x], what="resolved")
    env.tg_text(621, "blorp snarf quux")
    wait_until(lambda: len([x for x in texts_for(env, 621) if "chưa hiểu" in x]) >= 2, what="a plain fallback")
    time.sleep(0.5)
    check(card_of(env, 3) is None, "one fallback after a resolved ticket opened a new one")
    del card
    check(env.stop() == 0, "exit status")


def t_backlog_not_flood(env):
    # messages sent over 50 minutes while the bot was down arrive together
    env.start(HOIDAP_FLOOD_MAX="3", HOIDAP_FLOOD_WINDOW="60")
    t0 = int(time.time()) - 3000
    ups = []
    for i in range(8):
        env.next_msg += 1
        ups.append({"message": {"message_id": env.next_msg, "date": t0 + i * 400,
                                "chat": {"id": 630, "type": "private"},
                                "from": {"id": 630, "is_bot": False, "first_name": "B"},
                                "text": "xin chào"}})
    env.tg_updates(ups)
    wait_until(lambda: len(texts_for(env, 630)) >= 8, what="all 8 answered")
    time.sleep(0.5)
    t = texts_for(env, 630)
    check(len(t) == 8 and not any("nhiều tin" in x for x in t), "a backlog was treated as a flood: %d replies" % len(t))
    check(env.stop() == 0, "exit status")


SCENARIOS = [
    ("basic-telegram", t_basic_telegram, None),
    ("zalo", t_zalo, None),
    ("many-residents", t_many_residents, None),
    ("long-guide-split", t_long_guide_split, "kb-long"),
    ("rate-limit-429", t_rate_limit_429, None),
    ("server-errors", t_server_errors, None),
    ("malformed-slow-dropped", t_malformed_and_slow, None),
    ("conflict-409", t_conflict_409, None),
    ("permanent-error", t_permanent_error, None),
    ("media-redaction", t_media_and_redaction, None),
    ("flood", t_flood, None),
    ("kill9-restart", t_kill9_restart, None),
    ("sigterm-drain", t_sigterm_drain, None),
    ("sighup-reload", t_sighup_reload, None),
    ("group-ignored", t_group_and_ignored, None),
    ("handoff-flow", t_handoff_flow, None),
    ("handoff-photo-zalo", t_handoff_photo_and_ask, None),
    ("forwarded-and-roles", t_forwarded_and_roles, None),
    ("live-reload", t_live_reload, None),
    ("handoff-edges", t_handoff_edges, None),
    ("backlog-not-flood", t_backlog_not_flood, None),
]


def all_scenarios():
    # scen_*.py import this file as "run": let them share this very module
    # (one Fail class, one harness) rather than a second copy of it.
    sys.modules.setdefault("run", sys.modules[__name__])
    here = os.path.dirname(os.path.abspath(__file__))
    scen = list(SCENARIOS)
    for path in sorted(glob.glob(os.path.join(here, "scen_*.py"))):
        scen += importlib.import_module(os.path.basename(path)[:-3]).SCENARIOS
    names = [s[0] for s in scen]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise SystemExit("duplicate scenario names: %s" % ", ".join(sorted(dup)))
    return scen


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    hoidap, fakeapi = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    want = set(sys.argv[3:])
    failed = 0
    for name, fn, kb in all_scenarios():
        if want and name not in want:
            continue
        tmp = tempfile.mkdtemp(prefix="hoidap-it-")
        kbdir = os.path.join(ROOT, "tests", "data", kb) if kb else None
        env = Env(hoidap, fakeapi, tmp, kbdir)
        t0 = time.time()
        try:
            fn(env)
            print("ok   %-24s %.1fs" % (name, time.time() - t0))
        except Exception as e:  # noqa: BLE001 - report every kind of failure
            failed += 1
            print("FAIL %-24s %s" % (name, e))
            if not isinstance(e, Fail):
                traceback.print_exc()
            print("---- bot log (%s) ----\n%s" % (name, env.log()[-6000:]))
            fl = os.path.join(tmp, "fake.err")
            if os.path.exists(fl):
                print("---- fake api stderr ----\n" + open(fl, errors="replace").read()[-2000:])
        finally:
            env.close()
            if not failed:
                subprocess.run(["rm", "-rf", tmp])
    print("%d scenario(s) failed" % failed if failed else "all integration scenarios passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
