"""Round 5's small operations fixes: serve says at the start that the
knowledge directory has no system.txt, once; a button press whose answer
(answerCallbackQuery) cannot be queued is still acted on, everywhere."""
import os
import shutil
import signal
import sqlite3

from run import GROUP, ROOT, card_of, check, staff_env, texts_for, vol_button, wait_until

NOSYS = "không có tệp system.txt"


def t_no_system_txt_logged(env):
    kb = os.path.join(env.tmp, "kb")
    shutil.copytree(os.path.join(ROOT, "tests", "data", "kb-mini"), kb)
    os.remove(os.path.join(kb, "system.txt"))
    env.kb = kb
    env.start()
    env.tg_text(310, "cai vneid ntn")
    wait_until(lambda: texts_for(env, 310), what="a reply without system.txt")
    check(env.log().count(NOSYS) == 1,
          "the start logs the missing system.txt once:\n" + env.log())
    check(os.path.join(kb, "system.txt") in env.log(), "the path is not named")
    env.bot.send_signal(signal.SIGHUP)
    wait_until(lambda: "reload (" in env.log(), 10, "the reload")
    check(env.log().count(NOSYS) == 1, "a reload said it again")
    check(env.stop() == 0, "exit status")


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
    ("no-system-txt-logged", t_no_system_txt_logged, None),
    ("press-answer-refused", t_press_answer_refused, None),
]
