"""One place for each fact: the console (`hoidap chat --db`) and the daemon
log the same action for the same reply, so the report counts a resident's
thank-you as a notice wherever it was typed."""
import sqlite3
import subprocess

from run import *

# a menu, a guide, a thank-you (notice), "tiếp" past the end (notice), a
# question nothing fits (fallback), a "did you mean"-prone one
ASKED = ["0", "cai vneid ntn", "cảm ơn cháu", "xyzzy plugh qwerty", "tiếp",
         "vneid"]


def actions(db, chat):
    c = sqlite3.connect(db, timeout=10)
    v = [r[0] for r in c.execute(
        "select action from messages where chat_id=? and dir='out' order by id",
        (chat,))]
    c.close()
    return v


def t_console_daemon_agree(env):
    env.start()
    for i, q in enumerate(ASKED):
        env.tg_text(7100, q)
        wait_until(lambda: len(texts_for(env, 7100)) > i, what="reply to %r" % q)
    check(env.stop() == 0, "exit status")
    daemon = actions(env.db, "7100")
    cdb = os.path.join(env.tmp, "console.db")
    p = subprocess.run([env.hoidap, "chat", "--kb", env.kb, "--db", cdb],
                       input="\n".join(ASKED) + "\n", capture_output=True,
                       text=True, timeout=60,
                       env=dict(os.environ, ASAN_OPTIONS="detect_leaks=1"))
    check(p.returncode == 0, "hoidap chat exited %d: %s" % (p.returncode, p.stderr[-300:]))
    console = actions(cdb, "console")
    check(len(daemon) == len(ASKED), "daemon logged %r" % daemon)
    check(console == daemon, "console logged %r, daemon %r" % (console, daemon))
    for a in ("answer", "notice", "fallback"):
        check(a in daemon, "no %r among %r: the test lost its point" % (a, daemon))


SCENARIOS = [
    ("facts-console-daemon-agree", t_console_daemon_agree, None),
]
