"""Round 5's small operations fixes: serve says at the start that the
knowledge directory has no system.txt, once."""
import os
import shutil
import signal

from run import ROOT, check, texts_for, wait_until

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


SCENARIOS = [
    ("no-system-txt-logged", t_no_system_txt_logged, None),
]
