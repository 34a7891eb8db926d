"""JupyterLab for the widget's browser tests and its frame-rate benchmark: a server, a notebook, a kernel client.

:func:`jupyter_lab` starts a real JupyterLab (``python -m jupyterlab``) on a
free loopback port with its own folders, and stops it (and its kernels)
afterwards; :func:`open_widget` opens a notebook in Debian's chromium,
runs its one cell and waits for the widget; :class:`Kernel` runs code in
that notebook's kernel from outside, as a second client (the way
``jupyter console --existing`` does), to read and change ``net`` there.
"""
import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
#: Seconds any one step may take on a loaded machine.
WAIT = 90
#: The notebook's cell: the widget on the tutorial's 2-5-1 network and its red and blue points.
CELL = f"""\
import dagnet
from dagnet.widget import Playground
net = dagnet.load({os.path.join(ROOT, "topologies", "tutorial_2_5_1.yaml")!r}, seed=0)
X, Y = dagnet.datasets.load("nonlinear")
widget = Playground(net, X, Y)
widget"""
#: In the page: the widget's host element and its page state.
WIDGET = "document.querySelector('.dagnet-playground')"
STATE = f"{WIDGET}.playground"


def chromium():
    """The path of Debian's chromium, or None."""
    return CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url):
    with urllib.request.urlopen(url, timeout=10) as reply:
        return json.load(reply)


def write_notebook(path, source=CELL):
    """A notebook of one code cell at ``path`` (nbformat 4, the ipykernel's python3 kernel)."""
    notebook = {"cells": [{"cell_type": "code", "execution_count": None, "id": "widget", "metadata": {},
                           "outputs": [], "source": source}],
                "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
                "nbformat": 4, "nbformat_minor": 5}
    with open(path, "w", encoding="utf-8") as f:
        json.dump(notebook, f)


@contextlib.contextmanager
def jupyter_lab(folder):
    """A JupyterLab serving ``folder``: yields ``(base url, token, runtime folder)``; stopped afterwards."""
    port, token = free_port(), secrets.token_hex(16)
    runtime = os.path.join(folder, ".runtime")
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": runtime, "JUPYTER_CONFIG_DIR": os.path.join(folder, ".config"),
           "PYTHONUNBUFFERED": "1"}
    log = open(os.path.join(folder, ".lab.log"), "w")
    process = subprocess.Popen([sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
                                f"--port={port}", "--ServerApp.ip=127.0.0.1", f"--ServerApp.token={token}",
                                f"--ServerApp.root_dir={folder}", "--ServerApp.port_retries=0"],
                               cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + WAIT
        while True:
            try:
                get(f"{url}/api/status?token={token}")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start: " + open(log.name).read()[-2000:]) from None
                time.sleep(0.5)
        yield url, token, runtime
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def open_widget(page, url, token, notebook):
    """Open ``notebook`` in ``page``, run its cell and wait until the widget has drawn its first frame."""
    page.set_default_timeout(WAIT * 1000)
    page.goto(f"{url}/lab/tree/{notebook}?token={token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell .cm-content")
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']")
    page.wait_for_selector(".jp-StatusBar-Widget :text('Idle')")      # the kernel is up, not merely asked for
    prompt = ".jp-Notebook .jp-Cell .jp-InputPrompt"
    for _ in range(3):      # a keystroke the page was not ready for is lost: press again while nothing runs
        page.click(".jp-Notebook .jp-Cell .cm-content")
        page.keyboard.press("Shift+Enter")
        try:
            page.wait_for_function(f"!document.querySelector({prompt!r}).textContent.includes('[ ]')",
                                   timeout=15_000)
            break
        except Exception:
            continue
    page.wait_for_selector(".dagnet-playground .node[data-name='out']")
    page.wait_for_function(f"{STATE}.stats.frames > 0")
    news = page.locator(".jp-Notification-Toast-Close, .jp-toast-button:has-text('No')")   # JupyterLab's news offer
    if news.count():
        news.first.click()


def shadow(element_id):
    """JavaScript for the widget's element ``element_id`` (it lives in the widget's shadow root)."""
    return f"{WIDGET}.shadowRoot.getElementById('{element_id}')"


class Kernel:
    """The notebook's kernel, reached as a second client: ``run(code)`` returns what it printed."""

    def __init__(self, url, token, runtime):
        from jupyter_client import BlockingKernelClient

        kernels = get(f"{url}/api/kernels?token={token}")
        assert len(kernels) == 1, kernels
        self.client = BlockingKernelClient(connection_file=os.path.join(runtime, f"kernel-{kernels[0]['id']}.json"))
        self.client.load_connection_file()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=WAIT)

    def run(self, code):
        printed, errors = [], []

        def hear(message):
            content = message["content"]
            if message["msg_type"] == "stream":
                printed.append(content["text"])
            elif message["msg_type"] == "error":
                errors.append("\n".join(content["traceback"]))

        self.client.execute_interactive(code, output_hook=hear, timeout=WAIT)
        assert not errors, errors
        return "".join(printed).strip()

    def close(self):
        self.client.stop_channels()
