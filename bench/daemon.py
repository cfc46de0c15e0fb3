#!/usr/bin/env python3
"""make bench (daemon part): 10,000 messages from 1,000 residents through the
fake Telegram API, rate limits lifted.

Prints: messages/s for a burst (all 10,000 queued at once: throughput), the
update->sendMessage latency p50/p99 the daemon measured (for the burst, and
for a paced run well under capacity), peak RSS, and CPU used while idle-polling.
usage: bench/daemon.py build/hoidap build/fakeapi
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

PACE = 250.0
CONCURRENCY = int(os.environ.get("BENCH_SEND_CONCURRENCY", "1"))
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def ctl(base, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method="POST" if data else "GET",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read() or b"null")


def proc_stat(pid):
    with open("/proc/%d/stat" % pid) as f:
        parts = f.read().rsplit(")", 1)[1].split()
    return int(parts[11]) + int(parts[12])  # utime + stime, clock ticks


def vm_hwm(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return 0


def updates(n_msgs, n_chats, start_id):
    qs = ["cai vneid ntn", "xin chào", "quen mk vssid", "nop thue dat o dau",
          "tra cuu the bhyt", "0", "lam dinh danh muc 2 o dau", "tiếp",
          "cho toi gap can bo", "quét mã qr chuyển tiền thế nào"]
    out = []
    for i in range(n_msgs):
        c = 100000 + (i % n_chats)
        out.append({"message": {"message_id": start_id + i, "date": 1,
                                "chat": {"id": c, "type": "private"},
                                "from": {"id": c, "is_bot": False, "first_name": "R"},
                                "text": qs[(i // n_chats) % len(qs)]}})
    return out


def run(hoidap, fakeapi, paced):
    tmp = tempfile.mkdtemp(prefix="hoidap-bench-")
    portfile = os.path.join(tmp, "port")
    fake = subprocess.Popen([fakeapi, "--port", "0", "--portfile", portfile],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while not (os.path.exists(portfile) and open(portfile).read().strip()):
        time.sleep(0.02)
    base = "http://127.0.0.1:" + open(portfile).read().strip()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOIDAP_")}
    env.update({"HOIDAP_TELEGRAM_TOKEN": "1:bench", "HOIDAP_TELEGRAM_API": base,
                "HOIDAP_DB": os.path.join(tmp, "db"), "HOIDAP_KB": os.path.join(ROOT, "knowledge"),
                "HOIDAP_RATE_CHAT_MS": "0", "HOIDAP_RATE_GLOBAL_PER_S": "0",
                "HOIDAP_RATE_GROUP_PER_MIN": "0", "HOIDAP_FLOOD_MAX": "100000",
                "HOIDAP_POLL_TIMEOUT": "25", "HOIDAP_LOG_LEVEL": "info",
                "HOIDAP_SEND_CONCURRENCY": str(CONCURRENCY)})
    conf = os.path.join(tmp, "empty.conf")
    open(conf, "w").close()
    log = open(os.path.join(tmp, "bot.log"), "w")
    bot = subprocess.Popen([hoidap, "serve", "--config", conf], env=env,
                           stdout=subprocess.DEVNULL, stderr=log, cwd=tmp)
    time.sleep(0.5)
    n = 10000
    ups = updates(n, 1000, 1)
    t0 = time.time()
    if paced:
        # one message at a time, 250 a second: a busy hour, below capacity,
        # so the latency is the bot's own and not a queue's
        for i in range(n):
            ctl(base, "/control/telegram/update", ups[i])
            # the clock is read once: checking and sleeping on two
            # readings can go negative when the machine is busy
            wait = t0 + (i + 1) / PACE - time.time()
            if wait > 0:
                time.sleep(wait)
    else:
        for i in range(0, n, 1000):     # the control API takes 1 MiB a call
            ctl(base, "/control/telegram/update", ups[i:i + 1000])
    while True:
        st = ctl(base, "/control/stats")
        sent = st.get("sent", {}).get("telegram", {}).get("sendMessage", None)
        if sent is None:
            sent = len(ctl(base, "/control/sent?platform=telegram&method=sendMessage"))
        if sent >= n:
            break
        if time.time() - t0 > 300:
            raise SystemExit("bench: timed out with %d of %d sent" % (sent, n))
        time.sleep(0.05)
    elapsed = time.time() - t0
    rss = vm_hwm(bot.pid)
    # idle: long polls only
    c0, w0 = proc_stat(bot.pid), time.time()
    time.sleep(10)
    idle_cpu = (proc_stat(bot.pid) - c0) / os.sysconf("SC_CLK_TCK") / (time.time() - w0) * 100
    bot.send_signal(signal.SIGTERM)
    bot.wait(30)
    fake.send_signal(signal.SIGTERM)
    fake.wait(10)
    log.close()
    stats = ""
    env["HOIDAP_LOG_LEVEL"] = "info"
    for line in open(os.path.join(tmp, "bot.log")):
        if "latency" in line:
            stats = line.strip().split(": ", 1)[1]
    subprocess.run(["rm", "-rf", tmp])
    return elapsed, rss, idle_cpu, stats


def main():
    hoidap, fakeapi = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    for paced in (False, True):
        el, rss, idle, stats = run(hoidap, fakeapi, paced)
        kind = "paced %d/s" % PACE if paced else "burst"
        print("daemon %-11s send_concurrency=%d 10000 msgs / 1000 residents: %.0f msgs/s (%.2f s), peak RSS %.1f MB, "
              "idle CPU %.2f%%; %s" % (kind, CONCURRENCY, 10000 / el, el, rss, idle, stats))


if __name__ == "__main__":
    main()
