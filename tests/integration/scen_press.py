"""Button presses' answers (answerCallbackQuery: the spinner on the button).

An answer is only worth sending within seconds of the press: the client
stops waiting for it by itself, and Telegram refuses a late one ("query is
too old and response timeout expired"). So one is tried once and then let go
with a log line, one that could only go too late is let go untried, and none
holds up another press's answer or a resident's reply. A 429 on one holds
back the other answers for its retry_after, not the residents' replies.

Run alone: tests/integration/run.py build/asan/hoidap build/fakeapi NAME...
"""
import sqlite3
import time

from run import card_of, check, staff_env, texts_for, vol_button, wait_until


def press(env, chat, cb, data="0"):
    """A resident's press on a button of message 1; cb is its id."""
    return env.ctl("/control/telegram/update", {"callback_query": {
        "id": cb, "from": {"id": chat, "first_name": "Lan"},
        "message": {"message_id": 1, "date": 0, "chat": {"id": chat, "type": "private"}},
        "chat_instance": "x", "data": data}})


def answers(env, cb, where="sent"):
    """The fake's records of answers to press cb: 'sent' or 'rejected'."""
    return [c for c in env.ctl("/control/%s?method=answerCallbackQuery" % where)
            if c["params"].get("callback_query_id") == cb]


def press_rows(env):
    db = sqlite3.connect(env.db, timeout=10)
    rows = db.execute("select status, attempts, last_error from outbox where "
                      "method='answerCallbackQuery' order by id").fetchall()
    db.close()
    return rows


def t_press_answer_fails_alone(env):
    """Telegram answers 502 to one press's answer, for good. It used to be
    retried like a reply (growing waits up to 5 min, 12 tries) in the one
    queue all answers share, so every later press's spinner waited behind
    it for 10-18 minutes."""
    env.start()
    wait_until(lambda: env.sent("telegram", "setMyCommands"), what="the start")
    env.fault(platform="telegram", method="answerCallbackQuery", callback_query_id="p1",
              count=-1, status=502)
    press(env, 400, "p1")
    wait_until(lambda: answers(env, "p1", "rejected"), 10, "the first answer's 502")
    t0 = time.time()
    press(env, 401, "p2")
    env.tg_text(402, "xin chào")
    wait_until(lambda: answers(env, "p2"), 8, "the second press answered while the first fails")
    wait_until(lambda: texts_for(env, 402), 8, "the resident's reply")
    print("    second press answered %.2f s after it, beside a failing answer" %
          (time.time() - t0))
    # a reply would have been tried again 3-4 times by now (0.25-0.5 s,
    # 0.5-1 s, 1-2 s waits)
    time.sleep(3.5)
    check(len(answers(env, "p1", "rejected")) == 1,
          "the failing answer was tried %d times" % len(answers(env, "p1", "rejected")))
    check("press" in env.log() and "dropped after one try" in env.log(),
          "the dropped answer is not logged:\n" + env.log()[-3000:])
    check(env.stop() == 0, "exit status")
    rows = press_rows(env)
    check([r[:2] for r in rows] == [("failed", 1), ("sent", 0)],
          "press answers in the outbox: %r" % rows)


def t_press_answer_429(env):
    """A 429 on a press's answer. It used to pause every Telegram send for
    retry_after (a call without a chat was taken for the bot's limit) and
    have the answer tried again after it, pausing again each time. Now the
    answer is let go, the other answers wait the retry_after Telegram asked
    for, and residents' replies go on: if the bot as a whole is over its
    limit, their own 429 pauses them."""
    env.start()
    wait_until(lambda: env.sent("telegram", "setMyCommands"), what="the start")
    env.fault(platform="telegram", method="answerCallbackQuery", callback_query_id="q1",
              count=-1, status=429, retry_after=4)
    press(env, 410, "q1")
    rej = wait_until(lambda: answers(env, "q1", "rejected"), 10, "the answer's 429")
    t429 = rej[0]["t_ms"]
    press(env, 411, "q2")
    env.tg_text(412, "xin chào")
    wait_until(lambda: texts_for(env, 412), 8, "the resident's reply")
    rt = [c["t_ms"] for c in env.sent("telegram") if str(c["params"]["chat_id"]) == "412"][0]
    q2 = wait_until(lambda: answers(env, "q2"), 10, "the next press's answer")
    print("    after a 429 (retry_after 4 s) on a press's answer: a resident's reply "
          "%d ms later, the next press's answer %d ms later" % (rt - t429, q2[0]["t_ms"] - t429))
    check(rt - t429 < 3000, "the resident waited %d ms for a press answer's 429" % (rt - t429))
    check(q2[0]["t_ms"] - t429 >= 3900,
          "the next answer went %d ms after the 429, within its retry_after" %
          (q2[0]["t_ms"] - t429))
    time.sleep(1)
    check(len(answers(env, "q1", "rejected")) == 1,
          "the limited answer was tried %d times" % len(answers(env, "q1", "rejected")))
    check(env.stop() == 0, "exit status")


def t_press_answer_too_late(env):
    """Telegram paused every send of the bot for 30 s (a resident's 429). A
    press's answer could only go after it, too late to be taken: it is let
    go at once, untried, and logged."""
    env.start()
    wait_until(lambda: env.sent("telegram", "setMyCommands"), what="the start")
    env.fault(platform="telegram", method="sendMessage", chat_id=420, status=429,
              retry_after=30)
    env.tg_text(420, "xin chào")
    wait_until(lambda: env.ctl("/control/rejected?method=sendMessage"), 10, "the 429")
    press(env, 421, "s1")
    wait_until(lambda: "too late" in env.log(), 8, "the late answer let go")
    check(not answers(env, "s1") and not answers(env, "s1", "rejected"),
          "an answer that could only go too late was sent")
    check(env.stop() == 0, "exit status")
    rows = press_rows(env)
    check(len(rows) == 1 and rows[0][:2] == ("failed", 1), "the answer's row: %r" % rows)


def db_exec(env, sql):
    db = sqlite3.connect(env.db, timeout=10, isolation_level=None)
    db.execute(sql)
    db.close()


def t_press_answer_refused(env):
    """The answer to a press only stops the client's spinner. One that
    cannot be queued (here a trigger refuses the row; in life a write that
    failed) used to roll the whole update back in a resident's chat and in
    the volunteers' group, so it came again and failed again, for good,
    and every update behind it waited; in other groups it was let go.
    Now it is let go everywhere, with a warning, and the press is acted on."""
    staff_env(env)
    env.tg_text(320, "cai vneid ntn")
    wait_until(lambda: texts_for(env, 320), what="the first answer")
    db_exec(env, "CREATE TRIGGER no_press BEFORE INSERT ON outbox "
            "WHEN NEW.method='answerCallbackQuery' "
            "BEGIN SELECT RAISE(ABORT, 'press answers refused (test)'); END")
    # a resident's press: the menu it asks for comes
    n = len(texts_for(env, 320))
    env.tg_callback(320, "0")
    wait_until(lambda: len(texts_for(env, 320)) > n, what="the reply to a press")
    # the volunteers' group: a claim by button is a claim
    env.tg_text(322, "xyzzy plugh frobnicate")
    wait_until(lambda: texts_for(env, 322), what="a fallback")
    env.tg_text(322, "qwerty asdf zxcv")
    card = wait_until(lambda: card_of(env, 1), what="the ticket's card")
    vol_button(env, "claim:1", card)
    wait_until(lambda: [x for x in texts_for(env, 322) if "Minh" in x and "đã nhận" in x],
               what="the resident told who has the ticket")
    # another group: nothing to do, and nothing held up after it
    env.next_msg += 1
    env.ctl("/control/telegram/update", {"callback_query": {
        "id": "og%d" % env.next_msg, "from": {"id": 330, "first_name": "Lan"},
        "message": {"message_id": 5, "date": 1, "chat": {"id": -1009, "type": "group"}},
        "chat_instance": "o", "data": "0"}})
    env.tg_text(321, "cai vneid ntn")
    wait_until(lambda: texts_for(env, 321), what="the next resident's answer")
    check(env.log().count("could not be queued") == 3,
          "one warning per press:\n" + env.log()[-3000:])
    check(not env.sent("telegram", "answerCallbackQuery"), "an answer went out")
    # once rows are taken again, presses are answered again
    db_exec(env, "DROP TRIGGER no_press")
    env.tg_callback(320, "0")
    wait_until(lambda: env.sent("telegram", "answerCallbackQuery"), what="a press answered")
    check(env.bot.poll() is None, "the bot died")
    check(env.stop() == 0, "exit status")


SCENARIOS = [
    ("press-answer-fails-alone", t_press_answer_fails_alone, None),
    ("press-answer-429", t_press_answer_429, None),
    ("press-answer-too-late", t_press_answer_too_late, None),
    ("press-answer-refused", t_press_answer_refused, None),
]
