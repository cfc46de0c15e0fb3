"""Privacy (issue 8, items 1-4): what a resident or a volunteer should never
have sent stays out of the database, the volunteers' group and the log; the
"I hid it" warning means something was hidden; the bot token stays out of
the log and the database however an API error spells it."""
import sqlite3
import time
import unicodedata
import urllib.request

from run import *  # noqa: F401,F403 - the shared harness
from run import TG_TOKEN, ZALO_TOKEN, card_of, group_msgs, staff_env, vol_msg

WARNING = "Cháu đã ẩn thông tin đó đi rồi"

PW, OTP, CARD, ID = "[mật khẩu đã ẩn]", "[mã OTP đã ẩn]", "[số thẻ đã ẩn]", "[số định danh đã ẩn]"
# (what the resident types, what must not be found anywhere afterwards,
#  what the volunteers see)
FORMATS = [
    ("mật khẩu vneid của tôi là Hoa@1960", ["Hoa@1960"], "mật khẩu vneid của tôi là " + PW),
    ("mk vssid: 135792", ["135792"], "mk vssid: " + PW),
    (unicodedata.normalize("NFD", "Mật khẩu là Hoa 1961 ạ"), ["Hoa 1961", "1961"],
     "Mật khẩu là " + PW + " ạ"),
    ("mã xác nhận mà ngân hàng vừa gửi cho tôi là 482915", ["482915"],
     "mã xác nhận mà ngân hàng vừa gửi cho tôi là " + OTP),
    ("ma otp la bon tam hai chin mot ba", ["bon tam hai chin mot ba"], "ma otp la " + OTP),
    ("otp482914", ["482914"], "otp" + OTP),
    ("số thẻ 4111  1111  1111  1112", ["1111  1112", "1112"], "số thẻ " + CARD),
    ("cccd 001. 088. 012. 345", ["012. 345"], "cccd " + ID),
    ("pass: Correct Horse Battery", ["Horse Battery"], "pass: " + PW),
]


def db_dump(env):
    """Every value in the database, one a line; timestamps (ms and us since
    1970, 13 digits and more) left out: a secret such as 1961 can appear
    inside one by chance (created_us 1796142101961975)."""
    db = sqlite3.connect(env.db)
    out = []
    try:
        for (name,) in db.execute("select name from sqlite_master where type='table'"):
            for row in db.execute('select * from "%s"' % name.replace('"', '""')):
                out += [v.decode(errors="replace") if isinstance(v, bytes) else str(v)
                        for v in row if v is not None and
                        not (isinstance(v, int) and abs(v) >= 10 ** 12)]
        return "\n".join(out)
    finally:
        db.close()


def leaks(env, secrets):
    """Where each secret was found: database, log, the volunteers' group."""
    dump, log = db_dump(env), env.log()
    group = "\n".join(c["params"].get("text", "") + c["params"].get("caption", "")
                      for c in group_msgs(env))
    found = []
    for s in secrets:
        for where, text in (("database", dump), ("log", log), ("group", group)):
            if s in text:
                found.append("%r in the %s" % (s, where))
    return found


def raw_tg_text(env, chat, data):
    """A Telegram update whose text is the bytes given (invalid UTF-8 too)."""
    env.next_msg += 1
    body = (b'{"message":{"message_id":%d,"date":%d,"chat":{"id":%d,"type":"private"},'
            b'"from":{"id":%d,"is_bot":false,"first_name":"Lan"},"text":"%s"}}'
            % (env.next_msg, int(time.time()), chat, chat, data))
    req = urllib.request.Request(env.base + "/control/telegram/update", data=body,
                                 method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.read()


def t_privacy_formats(env):
    """Item 1, end to end: the realistic formats, before and during a ticket."""
    staff_env(env, HOIDAP_LOG_LEVEL="debug")
    chat = 801
    first, rest = FORMATS[:2], FORMATS[2:]
    for text, _, _ in first:
        env.tg_text(chat, text)
    wait_until(lambda: len([t for t in texts_for(env, chat) if WARNING in t]) >= 2,
               what="a warning for each message with a secret")
    # the card quotes the recent exchange: it must quote it redacted
    env.tg_text(chat, "cho tôi gặp cán bộ hỗ trợ")
    card = wait_until(lambda: [c["params"]["text"] for c in group_msgs(env)
                               if c["params"].get("text", "").startswith("🆘 Phiếu #1 ")],
                      what="the ticket card")
    seen = first[-1][2]     # the card's last few lines
    check(seen in card[0], "the card does not quote %r: %s" % (seen, card[0]))
    for text, _, _ in rest:
        env.tg_text(chat, text)

    def group_text():
        return "\n".join(c["params"].get("text", "") for c in group_msgs(env))
    wait_until(lambda: all(seen in group_text() for _, _, seen in rest),
               what="every message relayed to the group, redacted")
    check(env.stop() == 0, "exit status")
    found = leaks(env, [s for _, ss, _ in FORMATS for s in ss])
    check(not found, "secrets left: " + "; ".join(found))


def t_privacy_volunteer(env):
    """Item 2: a volunteer's password goes to the resident, and nowhere else."""
    staff_env(env, HOIDAP_LOG_LEVEL="debug")
    env.tg_text(802, "cho tôi gặp cán bộ hỗ trợ")
    card = wait_until(lambda: card_of(env, 1), what="the ticket card")
    vol_msg(env, "Cháu đặt lại rồi: mật khẩu mới là Minh@2468 nhé bác, mã otp 739155", reply_to=card)
    got = wait_until(lambda: [t for t in texts_for(env, 802) if "Minh@2468" in t],
                     what="the volunteer's words delivered as written")
    check("739155" in got[0], "the resident did not get the exact text: %r" % got[0])
    time.sleep(0.5)
    check(env.stop() == 0, "exit status")
    db = sqlite3.connect(env.db)
    logged = [r[0] for r in db.execute("select text from messages where dir='out'")]
    check(any("[mật khẩu đã ẩn]" in t and "[mã OTP đã ẩn]" in t for t in logged),
          "the relay is not in the message log, redacted: %r" % logged)
    left = db.execute("select count(*) from outbox where status='sent' and body<>''").fetchone()[0]
    check(left == 0, "%d delivered outbox rows still hold their text" % left)
    db.close()
    found = leaks(env, ["Minh@2468", "739155"])
    check(not found, "volunteer's secrets left: " + "; ".join(found))


def t_privacy_invalid_utf8(env):
    """Item 3: repairing broken text is not hiding anything."""
    env.start()
    raw_tg_text(env, 803, b"c\xe1ch c\xc3 ai vneid \xff\xfe nh\xc6")
    wait_until(lambda: texts_for(env, 803), what="a reply to broken text")
    raw_tg_text(env, 804, b"otp \xff 482913")
    wait_until(lambda: [t for t in texts_for(env, 804) if WARNING in t],
               what="the warning when a code was hidden")
    time.sleep(1)
    warned = [t for t in texts_for(env, 803) if WARNING in t]
    check(not warned, "warned about hiding on text that only needed repair")
    check(env.stop() == 0, "exit status")
    found = leaks(env, ["482913"])
    check(not found, "; ".join(found))
    dump = db_dump(env)
    check("tin nhắn không đọc được" not in dump, "a repaired message was stored as unreadable")


def spellings(token):
    bot_id, secret = token.split(":", 1)
    return [
        bot_id + "%3A" + secret,
        bot_id + "%3a" + secret,
        bot_id + "%253A" + secret,
        bot_id + "\\u003a" + secret,
        "".join("%%%02X" % ord(c) for c in token),
        "https:\\/\\/api.telegram.org\\/bot" + bot_id + "%3A" + secret + "\\/sendMessage",
        "/bot" + token + "/sendMessage",
        secret,
    ]


def t_privacy_token_in_errors(env):
    """Item 4: API error texts quoting the token, in every spelling."""
    encs = spellings(TG_TOKEN)
    for e in encs:
        env.fault(platform="telegram", method="sendMessage", count=1, status=400,
                  description="Bad Request: wrong URL http://127.0.0.1/bot%s/x" % e)
    # cut by the 256-character error buffer 20 characters into the token
    cut = "Bad Request: " + "x" * 217 + " /bot" + TG_TOKEN.split(":")[0] + "%3A" + TG_TOKEN.split(":")[1]
    env.fault(platform="telegram", method="sendMessage", count=1, status=500, description=cut)
    env.fault(platform="telegram", method="getUpdates", count=1, status=502,
              description="Bad Gateway: " + encs[0])
    zid, zsec = ZALO_TOKEN.split(":")
    env.fault(platform="zalo", method="sendMessage", count=1, status=400,
              description="invalid url /bot%s%%3A%s/sendMessage" % (zid, zsec))
    env.start(HOIDAP_LOG_LEVEL="debug")
    chats = list(range(810, 810 + len(encs) + 1))
    for c in chats:
        env.tg_text(c, "xin chào")
    env.zalo_text("zp-1", "xin chào")
    wait_until(lambda: len(env.ctl("/control/rejected")) >= len(encs) + 3, 30,
               "every faulted call made")
    wait_until(lambda: env.sent("telegram"), 30, "the 500 retried and delivered")
    check(env.stop() == 0, "exit status")
    log, dump = env.log(), db_dump(env)
    check("400 Bad Request: wrong URL" in log, "the errors were not logged at all")
    markers = ["DoNotLog", "TESTtok", "zaloSecret"] + [e[-14:] for e in encs] + ["123456%3ATEST"]
    for m in markers:
        check(m not in log, "%r in the log" % m)
        check(m not in dump, "%r in the database" % m)


SCENARIOS = [
    ("privacy-formats", t_privacy_formats, None),
    ("privacy-volunteer", t_privacy_volunteer, None),
    ("privacy-invalid-utf8", t_privacy_invalid_utf8, None),
    ("privacy-token-errors", t_privacy_token_in_errors, None),
]
