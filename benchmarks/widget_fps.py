"""Frames per second of the notebook widget while it trains, in a real JupyterLab driven headless.

Starts JupyterLab (its own folders, a free loopback port), opens a notebook
whose one cell shows ``Playground(net, X, Y)`` for the Backpropagation
Tutorial's 2-5-1 network on its 100 red and blue points (80 for training,
sequential updates, η = 0.5), in Debian's chromium driven by playwright,
picks the picture grid, presses play and counts the frames the widget
draws (``stats.frames`` of its page) and the epochs it trains, in rounds:

    python benchmarks/widget_fps.py [--rounds 5] [--seconds 4] [--grid 100] [--screenshot docs/images/widget.png]

Needs jupyterlab, anywidget (the widget extra), playwright and /usr/bin/chromium.
"""
import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests"))

from lab_support import (CHROMIUM_ARGS, STATE, Kernel, chromium, jupyter_lab, open_widget,  # noqa: E402
                         shadow, write_notebook)


def cpu_name():
    out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    names = [line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("Model name")]
    return names[0] if names else platform.processor()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--grid", type=int, default=100, choices=[50, 100, 150, 200])
    parser.add_argument("--screenshot", help="save a picture of the widget after training here (PNG)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory() as folder, jupyter_lab(folder) as (url, token, runtime):
        write_notebook(os.path.join(folder, "widget.ipynb"))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1400})
            open_widget(page, url, token, "widget.ipynb")
            kernel = Kernel(url, token, runtime)
            page.locator(".dagnet-playground #grid").select_option(str(args.grid))
            page.locator(".dagnet-playground #play").click()
            time.sleep(1.0)
            for _ in range(args.rounds):
                frames0, epoch0, t0 = (page.evaluate(f"{STATE}.stats.frames"),
                                       int(page.evaluate(f"{shadow('epoch')}.textContent")), time.time())
                time.sleep(args.seconds)
                frames1, epoch1, t1 = (page.evaluate(f"{STATE}.stats.frames"),
                                       int(page.evaluate(f"{shadow('epoch')}.textContent")), time.time())
                timing = page.evaluate(f"[{STATE}.stats.requestMs, {STATE}.stats.drawMs, {STATE}.stats.computeMs]")
                rows.append(((frames1 - frames0) / (t1 - t0), (epoch1 - epoch0) / (t1 - t0), *timing))
            page.locator(".dagnet-playground #play").click()
            if args.screenshot:
                page.wait_for_function(f"{shadow('play')}.textContent.includes('play')")
                page.locator(".dagnet-playground .node[data-name='h.2']").hover()
                page.wait_for_function(f"{shadow('inspector')}.textContent.includes('δ_j')")
                page.locator(".dagnet-playground").screenshot(path=args.screenshot)
            kernel.close()
            browser.close()
    fps = statistics.median(r[0] for r in rows)
    print(f"the widget in JupyterLab: 2-5-1 network, {args.grid} x {args.grid} grid, {args.rounds} rounds of "
          f"{args.seconds:g} s while training; {cpu_name()}, {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f}")
    print(f"  {fps:5.1f} frames/s drawn (median; rounds {', '.join(f'{r[0]:.1f}' for r in rows)}), "
          f"{statistics.median(r[1] for r in rows):6.1f} training epochs/s")
    print(f"  a frame spends {statistics.median(r[2] for r in rows):.1f} ms in its request "
          f"({statistics.median(r[4] for r in rows):.1f} ms of it computing in the kernel) and "
          f"{statistics.median(r[3] for r in rows):.1f} ms drawing")


if __name__ == "__main__":
    main()
