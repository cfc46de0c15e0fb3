"""What a ward admin is told when an edit of knowledge/ breaks it (issue 9
§4): every error of the broken block at once, in Vietnamese, each with its
fix; warnings stay in the log."""
import os
import shutil

from run import ADMIN, ROOT, check, staff_env, texts_for, wait_until


def t_admin_told_every_error(env):
    kb = os.path.join(env.tmp, "kb")
    shutil.copytree(os.path.join(ROOT, "tests", "data", "kb-mini"), kb)
    env.kb = kb
    staff_env(env, HOIDAP_WATCH_SECONDS="1", HOIDAP_TODAY="2026-11-28")
    env.tg_text(620, "cai vneid ntn")
    wait_until(lambda: texts_for(env, 620), what="reply before the edit")
    with open(os.path.join(kb, "topics.txt"), "a") as f:
        # a bad id, a key in capitals, a stale date (a warning), no source
        f.write("\n== Bus.Card\nTitle: Thẻ xe buýt\nkeywords: thẻ xe buýt\n"
                "reviewed: 2020-01-01\nanswer:\nDạ, thẻ xe buýt ABC.\n")
    msg = wait_until(lambda: [x for x in texts_for(env, ADMIN) if "topics.txt:" in x], 10,
                     "admins told what is wrong")[0]
    for want in ("lỗi: mã chủ đề 'Bus.Card' không hợp lệ", "Cách sửa: viết '== bus.card'",
                 "lỗi: không có khoá 'Title:'. Cách sửa: viết 'title:' (chữ thường)",
                 "lỗi: chủ đề 'Bus.Card' chưa có 'source:'"):
        check(want in msg, "admin message lacks %r: %r" % (want, msg[:600]))
    lines = [x for x in msg.split("\n") if "topics.txt:" in x]
    check(len(lines) == 3, "expected the 3 errors of the block: %r" % lines)
    check(all(": lỗi: " in x and ". Cách sửa: " in x for x in lines),
          "a line without its label or fix: %r" % lines)
    check("cảnh báo" not in msg, "a warning was sent to the admins: %r" % msg[:600])
    check("cảnh báo: 'Bus.Card' được kiểm tra lần cuối" in env.log(),
          "the warning is not in the log")
    # residents are still answered from the last good knowledge base
    env.tg_text(620, "cai vneid ntn")
    wait_until(lambda: len(texts_for(env, 620)) >= 2, what="still serving after a bad edit")
    check(env.stop() == 0, "exit status")


SCENARIOS = [
    ("admin-told-every-error", t_admin_told_every_error, None),
]
