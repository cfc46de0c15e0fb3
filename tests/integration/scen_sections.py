"""Sections ("=== name") through the daemon: Telegram buttons carry section
ids, the store keeps a section as the guide being read (across a restart),
and a deep link opens the topic with its sections offered."""
import sqlite3

from run import check, wait_until


def buttons(msg):
    kb = msg["params"].get("reply_markup", {}).get("inline_keyboard", [])
    return [b["callback_data"] for row in kb for b in row]


def last_for(env, chat, n):
    msgs = wait_until(lambda: [m for m in env.sent("telegram")
                               if str(m["params"].get("chat_id")) == str(chat)][n - 1:]
                      or None, what="reply %d to chat %s" % (n, chat))
    return msgs[0]


def t_sections_telegram(env):
    env.start()
    env.tg_text(71, "quên mật khẩu abc")
    m = last_for(env, 71, 1)
    check("Quên mật khẩu" in m["params"]["text"], "not the password section: %r"
          % m["params"]["text"][:200])
    check("Mở CH Play" not in m["params"]["text"], "the install steps came first")
    check("n" in buttons(m), "no 'Xem tiếp' on the section's first page: %r" % buttons(m))
    env.tg_callback(71, "n")
    m = last_for(env, 71, 2)
    datas = buttons(m)
    check(datas[:3] == ["t:app.login", "t:app.login#fee", "t:land.tax"],
          "the section's last page does not offer the topic and its parts: %r" % datas)
    check(all(0 < len(d.encode()) <= 64 for d in datas), "callback_data over 64 bytes")
    # a section's button opens that section
    env.tg_callback(71, "t:app.login#fee")
    m = last_for(env, 71, 3)
    check("không thu phí" in m["params"]["text"], "the fee button did not open the fee "
          "section: %r" % m["params"]["text"][:200])
    check("bác đọc xong rồi gõ" in m["params"]["text"],
          "a page without steps got the 'làm xong các bước' hint")
    # the store keeps "app.login#fee" as the guide being read
    check(env.stop() == 0, "SIGTERM exit status is not 0")
    env.start()
    env.tg_text(71, "tiếp")
    m = last_for(env, 71, 4)
    check("lừa đảo" in m["params"]["text"], "tiếp after a restart lost the section: %r"
          % m["params"]["text"][:200])
    # a deep link opens the topic, its sections as buttons
    env.tg_text(72, "/start app-login")
    m = last_for(env, 72, 1)
    check("Mở CH Play" in m["params"]["text"], "deep link did not open the topic")
    check("t:app.login#password" in buttons(m) and "t:app.login#fee" in buttons(m),
          "the topic does not offer its sections: %r" % buttons(m))
    check(env.stop() == 0, "SIGTERM exit status is not 0")
    db = sqlite3.connect(env.db)
    topics = {r[0] for r in db.execute(
        "SELECT topic FROM messages WHERE dir='out' AND topic IS NOT NULL")}
    db.close()
    check({"app.login#password", "app.login#fee", "app.login"} <= topics,
          "answers not logged by section id: %r" % topics)


SCENARIOS = [
    ("sections-telegram", t_sections_telegram, "kb-sections"),
]
