"""Running as a service (issue 9, sections 2-3): /metrics and /healthz over
metrics_listen, the /id and /thongke commands for admins, and the start
saying once that the knowledge directory has no system.txt."""
import os
import re
import shutil
import signal
import socket
import sqlite3
import time
import urllib.error
import urllib.request

from run import ADMIN, GROUP, ROOT, check, staff_env, texts_for, wait_until

NOSYS = "không có tệp system.txt"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def http_get(url):
    """(status, content type, body) of a GET, errors included."""
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read().decode()
    except (urllib.error.URLError, ConnectionError):
        return None, "", ""


def parse_metrics(text):
    """{'name{labels}': value} of every sample; HELP/TYPE lines checked."""
    out, typed = {}, set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            typed.add(line.split()[2])
            continue
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r'([a-z_]+)(\{[^}]*\})? (-?[0-9.e+]+)', line)
        check(m, "not a Prometheus sample line: %r" % line)
        check(m.group(1) in typed, "sample before its # TYPE: %r" % line)
        out[m.group(1) + (m.group(2) or "")] = float(m.group(3))
    return out


def t_metrics_healthz(env):
    port = free_port()
    base = "http://127.0.0.1:%d" % port
    env.start(HOIDAP_METRICS_LISTEN="127.0.0.1:%d" % port)
    code, _, body = wait_until(lambda: (lambda r: r if r[0] == 200 else None)(
        http_get(base + "/healthz")), what="/healthz 200")
    check(body.strip() == "ok", "healthy /healthz says %r" % body)

    # an answer, a fallback, a clarify-or-answer, a Zalo message; one send
    # failing with 500 and one with 429 (a private chat: the bot's limit)
    env.fault(platform="telegram", method="sendMessage", count=1, status=500,
              description="Internal Server Error")
    env.tg_text(4201, "cai vneid ntn")
    wait_until(lambda: texts_for(env, 4201), what="the answer after a 500")
    env.fault(platform="telegram", method="sendMessage", count=1, status=429,
              retry_after=1)
    env.tg_text(4202, "xyzzy plugh frobnicate")
    wait_until(lambda: texts_for(env, 4202), what="the fallback after a 429")
    env.zalo_text("z42", "cai vneid ntn")
    wait_until(lambda: texts_for(env, "z42", "zalo"), what="the Zalo answer")

    def sampled():
        code, ctype, text = http_get(base + "/metrics")
        check(code == 200, "/metrics answered %r" % code)
        check(ctype.startswith("text/plain; version=0.0.4"),
              "/metrics content type %r" % ctype)
        m = parse_metrics(text)
        if m.get('hoidap_replies_sent_total{platform="zalo"}', 0) >= 1 and \
                m.get('hoidap_replies_sent_total{platform="telegram"}', 0) >= 2:
            return m
        return None
    m = wait_until(sampled, what="the sends in /metrics")
    want = {
        'hoidap_updates_received_total{platform="telegram"}': 2,
        'hoidap_updates_received_total{platform="zalo"}': 1,
        'hoidap_replies_total{outcome="answer"}': 2,
        'hoidap_replies_total{outcome="fallback"}': 1,
        'hoidap_send_errors_total{platform="telegram",kind="server"}': 1,
        'hoidap_send_errors_total{platform="telegram",kind="rate_limited"}': 1,
        'hoidap_rate_limit_pauses_total{platform="telegram",scope="bot"}': 1,
        'hoidap_platform_enabled{platform="telegram"}': 1,
        'hoidap_platform_enabled{platform="zalo"}': 1,
        'hoidap_store_writable': 1,
        'hoidap_knowledge_reloads_total{result="ok"}': 0,
        'hoidap_outbox_pending': 0,
        'hoidap_tickets_open': 0,
    }
    for k, v in want.items():
        check(m.get(k) == v, "%s = %r, want %r" % (k, m.get(k), v))
    for k in ('hoidap_replies_total{outcome="clarify"}',
              'hoidap_replies_total{outcome="notice"}',
              'hoidap_tickets_opened_total', 'hoidap_tickets_escalated_total',
              'hoidap_outbox_oldest_age_seconds',
              'hoidap_knowledge_reloads_total{result="failed"}',
              'hoidap_send_errors_total{platform="zalo",kind="network"}'):
        check(k in m, "no %s in /metrics" % k)
    for p in ("telegram", "zalo"):
        t = m['hoidap_last_poll_success_timestamp_seconds{platform="%s"}' % p]
        check(abs(time.time() - t) < 10, "%s last poll %.0f s ago" % (p, time.time() - t))
    check(any(k.startswith("hoidap_build_info{version=") for k in m), "no build info")
    check(http_get(base + "/nothing")[0] == 404, "an unknown path is not 404")

    # the store stops taking writes (another process holds the write lock):
    # 503 with the reason; back to 200 once it is released
    db = sqlite3.connect(env.db, timeout=10, isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    env.tg_text(4203, "cai vneid ntn")
    code, _, body = wait_until(lambda: (lambda r: r if r[0] == 503 else None)(
        http_get(base + "/healthz")), timeout=30, what="/healthz 503")
    check(body.startswith("store not writable") and body.count("\n") == 1,
          "unhealthy /healthz says %r" % body)
    m = parse_metrics(http_get(base + "/metrics")[2])
    check(m["hoidap_store_writable"] == 0, "store_writable stays 1 while locked")
    db.execute("ROLLBACK")
    db.close()
    wait_until(lambda: texts_for(env, 4203), timeout=30, what="the reply once unlocked")
    wait_until(lambda: http_get(base + "/healthz")[0] == 200, timeout=30,
               what="/healthz 200 again")
    check(env.stop() == 0, "bot exit status")
    check(http_get(base + "/healthz")[0] is None, "still listening after exit")


def t_metrics_off(env):
    """Off by default: nothing listens, and a bad address is refused."""
    env.start()
    wait_until(lambda: env.sent("telegram", "setMyCommands"), what="the start")
    check("metrics:" not in env.log(), "metrics listening while off")
    check(env.stop() == 0, "bot exit status")
    env.start(HOIDAP_METRICS_LISTEN="localhost:9464")
    rc = env.bot.wait(10)
    env.bot = None
    check(rc == 1, "a bad metrics_listen gave exit status %r" % rc)
    check("must be a numeric address and port" in env.log(), "no reason logged")
    # the port is taken: the bot says so and stops, rather than run unwatched
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    env.start(HOIDAP_METRICS_LISTEN="127.0.0.1:%d" % busy.getsockname()[1])
    rc = env.bot.wait(10)
    env.bot = None
    busy.close()
    check(rc == 1, "metrics port in use gave exit status %r" % rc)
    check("cannot listen on 127.0.0.1:" in env.log(), "no reason logged for the busy port")
    check("LeakSanitizer" not in env.log(), "leaks on that exit")


def t_id_and_stats(env):
    staff_env(env)
    # /id in a private chat, in another group and in the volunteers' group
    env.tg_text(4301, "/id", user=4301)
    t = wait_until(lambda: texts_for(env, 4301), what="/id in private")[0]
    check("Mã người dùng của Lan: 4301" in t and "cuộc trò chuyện này: 4301" in t,
          "/id in private: %r" % t)
    env.tg_text(-100777, "/id@hoidap_test_bot", user=4302, chat_type="group")
    t = wait_until(lambda: texts_for(env, -100777), what="/id in a group")[0]
    check("4302" in t and "-100777" in t, "/id in a group: %r" % t)
    env.tg_text(-100778, "chào cả nhà", user=4302, chat_type="group")
    env.tg_text(GROUP, "/id", user=ADMIN, chat_type="supergroup")
    t = wait_until(lambda: [x for x in texts_for(env, GROUP) if "🆔" in x],
                   what="/id in the volunteers' group")[0]
    check(str(ADMIN) in t and str(GROUP) in t, "/id in the group: %r" % t)
    group = [c for c in env.sent("telegram") if str(c["params"].get("chat_id")) == "-100778"]
    check(not group, "the bot chatted in another group: %r" % group)

    # questions today: two answered, two the bot could not answer (alike)
    for chat, q in ((4310, "cai vneid ntn"), (4311, "cai vneid ntn"),
                    (4312, "xyzzy plugh frobnicate"), (4313, "xyzzy plugh frobnicate nhé")):
        env.tg_text(chat, q)
        wait_until(lambda: texts_for(env, chat), what="reply to %d" % chat)
    # /thongke: refused to a resident, answered to an admin
    env.tg_text(4314, "/thongke")
    t = wait_until(lambda: texts_for(env, 4314), what="/thongke refused")[0]
    check("chỉ dành cho quản trị viên" in t, "/thongke to a resident: %r" % t)
    env.tg_text(ADMIN, "/thongke")
    t = wait_until(lambda: texts_for(env, ADMIN), what="/thongke")[0]
    check("Thống kê" in t and "Hôm nay" in t and "Tuần này" in t, "/thongke: %r" % t)
    today = re.search(r"Hôm nay [0-9/]+: (\d+) câu hỏi — trả lời được (\d+), "
                      r"chưa chắc (\d+), chưa trả lời được (\d+)", t)
    check(today, "no counts for today: %r" % t)
    n, ans, _, unans = (int(x) for x in today.groups())
    # /id x1 and /thongke from the resident are messages in too
    check(ans >= 2 and unans >= 2 and n >= 6, "today's counts: %r" % t)
    check("Phiếu hỗ trợ đang mở: 0" in t, "open tickets: %r" % t)
    # in the volunteers' group: for admins only
    env.tg_text(GROUP, "/thongke", user=4399, chat_type="supergroup")
    env.tg_text(GROUP, "/thongke@hoidap_test_bot", user=ADMIN, chat_type="supergroup")
    g = wait_until(lambda: [x for x in texts_for(env, GROUP) if "Thống kê" in x],
                   what="/thongke in the volunteers' group")
    time.sleep(0.5)
    check(len([x for x in texts_for(env, GROUP) if "Thống kê" in x]) == 1,
          "/thongke from a volunteer was answered in the group: %r" % g)
    check(re.search(r'1\. 2 lần: "xyzzy plugh frobnicate', t),
          "the top unanswered group: %r" % t)
    check(env.stop() == 0, "bot exit status")


def t_sd_notify(env):
    """Type=notify: READY once serving, WATCHDOG pings from the loop at
    half of WatchdogSec, STOPPING on SIGTERM (the drain)."""
    path = os.path.join(env.tmp, "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(0.2)
    got = []

    def drain():
        try:
            while True:
                got.append((time.time(), sock.recv(4096).decode()))
        except socket.timeout:
            pass
        return got
    env.start(NOTIFY_SOCKET=path, WATCHDOG_USEC="1000000")
    wait_until(lambda: any("READY=1" in m for _, m in drain()), what="READY=1")
    check(env.sent("telegram", "setMyCommands") or "serving:" in env.log(),
          "READY before the daemon served")
    ready = [t for t, m in got if "READY=1" in m][0]
    wait_until(lambda: sum("WATCHDOG=1" in m for t, m in drain() if t > ready) >= 3,
               timeout=5, what="three watchdog pings in about 1.5 s")
    check(not any("STOPPING=1" in m for _, m in got), "STOPPING before SIGTERM")
    env.bot.send_signal(signal.SIGTERM)
    wait_until(lambda: any("STOPPING=1" in m for _, m in drain()), what="STOPPING=1")
    check(env.stop() == 0, "bot exit status")
    sock.close()


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
    ("sd-notify", t_sd_notify, None),
    ("metrics-healthz", t_metrics_healthz, None),
    ("metrics-off", t_metrics_off, None),
    ("id-and-stats", t_id_and_stats, None),
    ("no-system-txt-logged", t_no_system_txt_logged, None),
]
