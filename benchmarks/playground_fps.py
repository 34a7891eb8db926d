"""Frames per second of the playground page, and training speed with and without the page drawing.

Starts ``dagnet playground`` (the Backpropagation Tutorial's 2-5-1 network on 80 training points,
sequential updates), opens it in headless Chromium (Debian's, driven by
playwright), presses play, and alternates rounds in which the page draws
(100 x 100 grid) with rounds in which it does not, reporting the medians:

    python benchmarks/playground_fps.py [--rounds 5] [--seconds 4] [--grid 100]

Needs the playground extra, playwright and /usr/bin/chromium.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


def cpu_seconds(pids):
    """User and system CPU seconds used so far by processes ``pids`` (Linux /proc)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def descendants(pid):
    found = []
    for child in subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True,
                                text=True).stdout.split():
        found += [int(child)] + descendants(int(child))
    return found


def epoch(url, sid):
    return json.load(urllib.request.urlopen(f"{url}api/sessions/{sid}"))["epoch"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--grid", type=int, default=100, choices=[50, 100, 150, 200])
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    server = subprocess.Popen([sys.executable, "-m", "dagnet", "playground", "--no-browser"],
                              stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    url = server.stdout.readline().split()[3]
    results = {"drawing": [], "not drawing": []}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url)
            page.wait_for_selector('.node[data-name="out"]')
            page.select_option("#grid", str(args.grid))
            sid = page.evaluate("window.playground.sid")
            page.click("#play")
            time.sleep(1.0)
            browser_pids = [p for p in descendants(os.getpid()) if p != server.pid]
            for _ in range(args.rounds):
                for drawing in (True, False):
                    page.evaluate(f"window.playground.drawing = {'true' if drawing else 'false'}")
                    time.sleep(0.5)
                    frames0, epoch0, t0 = page.evaluate("window.playground.stats.frames"), epoch(url, sid), time.time()
                    cpu0 = cpu_seconds([server.pid]), cpu_seconds(browser_pids)
                    time.sleep(args.seconds)
                    frames1, epoch1, t1 = page.evaluate("window.playground.stats.frames"), epoch(url, sid), time.time()
                    cpu1 = cpu_seconds([server.pid]), cpu_seconds(browser_pids)
                    timing = page.evaluate("[window.playground.stats.requestMs, window.playground.stats.drawMs, "
                                           "window.playground.stats.computeMs]")
                    results["drawing" if drawing else "not drawing"].append(
                        ((frames1 - frames0) / (t1 - t0), (epoch1 - epoch0) / (t1 - t0), *timing,
                         (cpu1[0] - cpu0[0]) / (t1 - t0), (cpu1[1] - cpu0[1]) / (t1 - t0)))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"2-5-1 network, {args.grid} x {args.grid} grid, {args.rounds} interleaved rounds of {args.seconds:g} s; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for mode, rows in results.items():
        fps = statistics.median(r[0] for r in rows)
        epochs = statistics.median(r[1] for r in rows)
        server_cpu = statistics.median(r[5] for r in rows)
        browser_cpu = statistics.median(r[6] for r in rows)
        line = (f"  page {mode:12s}: {fps:5.1f} frames/s drawn, {epochs:6.1f} training epochs/s; CPU: server "
                f"{100 * server_cpu:.0f}%, browser {100 * browser_cpu:.0f}% of a core (medians)")
        if mode == "drawing":
            request = statistics.median(r[2] for r in rows)
            draw = statistics.median(r[3] for r in rows)
            compute = statistics.median(r[4] for r in rows)
            line += (f";\n      a frame spends {request:.1f} ms in its request ({compute:.1f} ms of it computing "
                     f"on the server) and {draw:.1f} ms drawing")
        print(line)


if __name__ == "__main__":
    main()
