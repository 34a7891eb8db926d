"""The notebook widget end to end: a real JupyterLab, a notebook run in Debian's chromium (playwright).

Screenshots of the widget are saved in runs/widget-screenshots/.
"""
import os

import pytest

from lab_support import STATE, WIDGET, Kernel, chromium, jupyter_lab, open_widget, shadow, write_notebook

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHOTS = os.path.join(ROOT, "runs", "widget-screenshots")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    pytest.importorskip("jupyterlab", reason="jupyterlab is not installed (it comes with the dev extra)")
    pytest.importorskip("anywidget", reason="the widget extra (anywidget) is not installed")
    folder = tmp_path_factory.mktemp("lab")
    write_notebook(folder / "widget.ipynb")
    with jupyter_lab(str(folder)) as server:
        yield server


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not chromium():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=["--headless", "--no-sandbox", "--disable-gpu",
                                    "--disable-background-networking", "--disable-component-update",
                                    "--no-first-run"])
        yield browser
        browser.close()


def number(page, element_id):
    return float(page.evaluate(f"{shadow(element_id)}.textContent"))


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.locator(".dagnet-playground").screenshot(path=os.path.join(SHOTS, name))


def test_train_and_edit_in_the_widget_and_change_net_in_python(lab, browser):
    url, token, runtime = lab
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    open_widget(page, url, token, "widget.ipynb")
    kernel = Kernel(url, token, runtime)
    try:
        page.wait_for_function(f"{shadow('loss-train')}.textContent !== '–'")
        loss_at_start = number(page, "loss-train")
        assert page.evaluate(f"{STATE}.state.data.settings.own") == "your data (X, Y)"

        # press play in the widget: the loss falls while the kernel stays free
        page.locator(".dagnet-playground #play").click()
        page.wait_for_function(f"Number({shadow('epoch')}.textContent) >= 200")
        assert kernel.run("print(widget.playing, widget.epoch >= 200)") == "True True"
        page.locator(".dagnet-playground #play").click()          # pause
        page.wait_for_function(f"{shadow('play')}.textContent.includes('play')")
        page.wait_for_timeout(700)                                # the frame after the pause
        assert number(page, "loss-train") < loss_at_start / 2
        shot(page, "1-trained.png")

        # add an edge in the widget (click in_x, then out): it is in Python's net.graph
        page.locator('.dagnet-playground .node[data-name="in_x"]').click()
        page.locator('.dagnet-playground .node[data-name="out"]').click()
        page.wait_for_function(f"{STATE}.state.edges.length === 16")
        assert kernel.run("print(net.graph.has_edge('in_x', 'out'), widget.net is net)") == "True True"
        page.locator('.dagnet-playground .node[data-name="h.2"]').hover()
        page.wait_for_function(f"{shadow('inspector')}.textContent.includes('δ_j')")
        shot(page, "2-skip-edge.png")

        # change net in Python: the widget redraws it
        kernel.run("_ = dagnet.edits.add_edge(net, 'in_y', 'out', weight=2.0); "
                   "_ = dagnet.edits.remove_node(net, 'h.4')")
        page.wait_for_function(f"{STATE}.state.edges.some(e => e.source === 'in_y' && e.target === 'out')")
        assert not page.evaluate(f"{STATE}.state.nodes.some(n => n.name === 'h.4')")
        assert page.evaluate(f"{WIDGET}.shadowRoot.querySelectorAll('#edges path:not(.hit)').length") == 14
        assert page.locator('.dagnet-playground .node[data-name="h.4"]').count() == 0
        stroke = (f"({WIDGET}.shadowRoot.querySelectorAll('#edges path:not(.hit)')[{STATE}.state.edges.findIndex("
                  f"e => e.source === 'in_y' && e.target === 'out')].getAttribute('stroke') || '').match(/\\d+/g)")
        page.wait_for_function(f"(rgb => rgb && +rgb[2] > +rgb[0])({stroke})")         # blue: w = 2 > 0
        kernel.run("net.set_weight('in_y', 'out', -3.0)")
        page.wait_for_function(f"(rgb => rgb && +rgb[0] > +rgb[2])({stroke})")         # orange: w < 0
        shot(page, "3-changed-in-python.png")
    finally:
        kernel.close()
        context.close()
    assert not errors, errors
