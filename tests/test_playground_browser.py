"""The playground end to end in a real headless browser: Debian's chromium driven by playwright.

Screenshots of the page at a few moments are saved in runs/playground-screenshots/.
"""
import os
import re
import shutil
import subprocess
import sys

import pytest

import dagnet

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHOTS = os.path.join(ROOT, "runs", "playground-screenshots")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server():
    """A real ``dagnet playground`` in a subprocess; its address."""
    pytest.importorskip("uvicorn", reason="the playground extra (uvicorn) is not installed")
    process = subprocess.Popen([sys.executable, "-m", "dagnet", "playground", "--no-browser"], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    line = process.stdout.readline()
    assert line.startswith("dagnet playground at "), line + process.stderr.read()
    yield line.split()[3]
    process.terminate()
    process.communicate(timeout=10)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not os.path.exists(CHROMIUM) and not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
                                    args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(90_000)       # a loaded CI machine: wait long rather than fail spuriously
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(server)
    page.wait_for_selector('.node[data-name="out"]')
    yield page
    context.close()
    assert not errors, errors


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, name))


def number(page, selector):
    return float(page.inner_text(selector))


def picture(page):
    return page.evaluate("document.getElementById('picture').toDataURL()")


def test_train_edit_and_download_in_the_browser(page, tmp_path):
    # load tutorial_2_5_1.yaml as a person would: the "open topology" button
    page.set_input_files("#open-topology", os.path.join(ROOT, "topologies", "tutorial_2_5_1.yaml"))
    page.wait_for_function("document.getElementById('yaml').value.includes('Backpropagation Tutorial (section 4.1)')")
    page.wait_for_function("document.getElementById('loss-train').textContent !== '–'")
    assert page.locator(".node").count() == 8
    loss_at_start, picture_at_start = number(page, "#loss-train"), picture(page)
    shot(page, "1-loaded.png")

    # press play: the loss falls and the decision picture changes while it trains
    page.click("#play")
    page.wait_for_function("Number(document.getElementById('epoch').textContent) >= 300", timeout=60000)
    fps = page.evaluate("window.playground.stats.fps")
    page.click("#play")   # pause
    page.wait_for_function("document.getElementById('play').textContent.includes('play')")
    page.wait_for_timeout(700)   # the frame after the pause
    shot(page, "2-trained.png")
    assert number(page, "#loss-train") < loss_at_start / 2
    assert picture(page) != picture_at_start
    print(f"frames drawn per second while training: {fps:.1f}")

    # add a skip edge by clicking two nodes: in_x, then out
    page.click('.node[data-name="in_x"]')
    page.click('.node[data-name="out"]')
    page.wait_for_function("window.playground.state.edges.length === 16")
    assert page.evaluate("window.playground.state.edges.some(e => e.source === 'in_x' && e.target === 'out' "
                         "&& e.skip)")
    assert page.locator("#edges path[stroke-dasharray]").count() == 1
    assert "{from: [in_x, h], to: out}" in page.input_value("#yaml")
    page.hover('.node[data-name="h.2"]')
    page.wait_for_function("document.getElementById('inspector').textContent.includes('δ_j')")
    shot(page, "3-skip-edge.png")

    # type an invalid edge: dagnet's own error, at its line
    page.click("#yaml")
    page.keyboard.press("Control+End")
    page.keyboard.type("  - {from: out, to: nowhere}\n")
    page.wait_for_function("document.getElementById('yaml-status').textContent.includes('nowhere')")
    status = page.inner_text("#yaml-status")
    line = len(page.input_value("#yaml").rstrip("\n").splitlines())
    assert re.match(rf"line {line}: edges\[\d+\]\.to: unknown node 'nowhere'", status), status
    assert page.inner_text("#gutter .bad").strip() == str(line)
    assert page.is_disabled("#apply")
    shot(page, "4-invalid-edge.png")

    # download the trained network and load it with dagnet.load
    with page.expect_download() as download:
        page.click("#download-yaml")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    net = dagnet.load(path)
    assert net.graph.has_edge("in_x", "out") and net.name == "tutorial-2-5-1"
    shown = page.evaluate("window.playground.state.edges.map(e => [e.source, e.target])")
    assert len(shown) == net.graph.number_of_edges()


def test_a_saved_link_reopens_the_same_network(page, browser):
    page.click('.node[data-name="in_y"]')
    page.click('.node[data-name="out"]')
    page.wait_for_function("window.playground.state.edges.length === 16")
    page.click("#step")
    page.wait_for_function("document.getElementById('epoch').textContent === '1'")
    page.click("#copy-link")
    page.wait_for_function("document.getElementById('link').value.includes('#s=')")
    link = page.input_value("#link")
    other = browser.new_page()
    other.goto(link)
    other.wait_for_function("window.playground.state && window.playground.state.edges.length === 16")
    assert other.evaluate("window.playground.state.edges.some(e => e.source === 'in_y' && e.target === 'out')")
    assert other.evaluate("window.playground.state.epoch") == 1
    other.close()


def test_perceptrons_activations_data_and_csv_from_the_page(page, tmp_path):
    # + perceptron beside h.4, then its activation from its menu (right-click), then remove it
    page.click('.node[data-name="h.4"]')
    page.click("#add-perceptron")
    page.wait_for_selector('.node[data-name="h.5"]')
    assert "h: {size: 6}" in page.input_value("#yaml")
    page.click('.node[data-name="h.5"]', button="right")
    page.select_option("#activation", "tanh")
    page.wait_for_function("window.playground.state.nodes.some(n => n.name === 'h.5' && n.activation === 'tanh')")
    page.click("#remove-selected")
    page.wait_for_function("!window.playground.state.nodes.some(n => n.name === 'h.5')")

    # a data set the network cannot take is named, and play is refused with the reason
    page.select_option("#dataset", "sine")
    page.wait_for_function("!document.getElementById('data-error').hidden")
    assert "1 input column but the network has 2" in page.inner_text("#data-error")
    page.click("#play")
    page.wait_for_function("document.getElementById('message').textContent.includes('cannot train')")

    # a CSV file of one's own becomes the data
    path = tmp_path / "points.csv"
    path.write_text("in_x,in_y,out\n" + "\n".join(f"{x / 10},{y / 10},{int(x > y)}"
                                                   for x in range(10) for y in range(10)) + "\n")
    page.set_input_files("#csv", str(path))
    page.wait_for_function("document.getElementById('data-info').textContent.startsWith('points.csv')")
    assert page.is_hidden("#data-error") and "classification" in page.inner_text("#data-info")
    assert page.evaluate("document.getElementById('dataset').selectedOptions[0].textContent") == "points.csv (CSV)"
    page.click("#step")
    page.wait_for_function("document.getElementById('epoch').textContent === '1'")
    shot(page, "5-csv.png")
