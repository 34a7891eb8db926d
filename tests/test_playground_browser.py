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


def contrast_on_white(colour):
    """WCAG's contrast ratio of CSS colour ``rgb(r,g,b)`` against white."""
    def linear(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(int(v)) for v in re.findall(r"\d+", colour)[:3])
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


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
    text = page.input_value("#yaml")         # the file as it was, with one more line
    assert text == open(os.path.join(ROOT, "topologies", "tutorial_2_5_1.yaml")).read() + "  - {from: in_x, to: out}\n"
    page.wait_for_function("document.querySelector('#edges path.fresh')?.getAttribute('stroke')")
    assert contrast_on_white(page.get_attribute("#edges path.fresh", "stroke")) >= 2.5     # a new edge is seen
    page.hover('.node[data-name="h.2"]')
    page.wait_for_function("document.getElementById('inspector').textContent.includes('δ_j')")
    page.wait_for_function(   # the perceptron's formula, its weights plugged in
        "(document.querySelector('#inspector .formula') || {}).textContent?.startsWith('z_h.2 = σ(')")
    shot(page, "3-skip-edge.png")
    page.click("#message")                    # a click closes the message
    page.wait_for_selector("#message", state="hidden")
    shot(page, "desktop.png")

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
    assert "h:   {size: 6}" in page.input_value("#yaml")
    page.click('.node[data-name="h.5"]', button="right")
    page.select_option("#activation", "tanh")
    page.wait_for_function("window.playground.state.nodes.some(n => n.name === 'h.5' && n.activation === 'tanh')")
    page.click("#remove-selected")
    page.wait_for_function("!window.playground.state.nodes.some(n => n.name === 'h.5')")

    # + perceptron with nothing selected says what it made and selects it; Escape lets go (the focus is
    # still on the button)
    page.click("#add-perceptron")
    page.wait_for_function("document.getElementById('message').textContent.includes('added the perceptron p1')")
    assert page.is_visible("#selection-menu") and page.inner_text("#selected-name") == "p1:"
    page.keyboard.press("Escape")
    page.wait_for_selector("#selection-menu", state="hidden")

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


# -- on a phone --------------------------------------------------------------------------------------

#: Everything a person works the page with; hidden ones (a menu with nothing selected) are left out.
CONTROLS = "button, select, input:not([type=file]), textarea, label.button, a.button, .node"

WHERE_CONTROLS_ARE = """controls => [...document.querySelectorAll(controls)]
  .filter(e => e.getClientRects().length && !e.closest('[hidden]'))
  .map(e => {
    e.scrollIntoView({block: 'center', inline: 'nearest'});
    const r = e.getBoundingClientRect(), hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return {what: e.id || e.dataset.name || e.dataset.feature || e.textContent.trim().slice(0, 30),
            left: r.left, right: r.right, width: r.width, height: r.height, onTop: !!hit && e.contains(hit)};
  })"""


@pytest.fixture
def phone(browser, server):
    """The page at a phone's size (390 x 844 CSS pixels), driven by touch."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(90_000)
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(server)
    page.wait_for_selector('.node[data-name="out"]')
    page.wait_for_function("document.querySelectorAll('.thumb').length > 0 && "
                           "document.getElementById('loss-train').textContent !== '–'")
    yield page
    context.close()
    assert not errors, errors


def test_on_a_phone_nothing_is_off_screen_and_every_control_is_there_to_tap(phone):
    width = phone.evaluate("innerWidth")
    assert width == 390 and phone.evaluate("document.documentElement.scrollWidth") <= width
    controls = phone.evaluate(WHERE_CONTROLS_ARE, CONTROLS)
    assert len(controls) > 40
    for c in controls:
        assert 0 <= c["left"] and c["right"] <= width, f"{c['what']} is off-screen: {c}"
        assert c["width"] >= 24 and c["height"] >= 24, f"{c['what']} is too small to tap: {c}"
        assert c["onTop"], f"{c['what']} is covered where a finger would tap it"
    assert "right-click" not in phone.inner_text("#hint") and "tap" in phone.inner_text("#hint")
    phone.evaluate("scrollTo(0, 0)")
    shot(phone, "phone-top.png")


def test_on_a_phone_train_edit_and_pick_data_by_tapping(phone):
    phone.tap("#play")
    phone.wait_for_function("Number(document.getElementById('epoch').textContent) >= 100", timeout=120_000)
    phone.tap("#play")
    phone.wait_for_function("document.getElementById('play').textContent.includes('play')")

    # an edge by two taps; a tapped perceptron shows its menu and its formula (no hover on a phone)
    phone.tap('.node[data-name="in_y"]')
    phone.tap('.node[data-name="out"]')
    phone.wait_for_function("window.playground.state.edges.length === 16")
    phone.tap('.node[data-name="h.1"]')
    assert phone.is_visible("#activation") and phone.is_visible("#remove-selected")
    phone.wait_for_function("(document.querySelector('#inspector .formula') || {}).textContent?.startsWith('z_h.1')")

    # + perceptron: the message says what it made, floats over the page and moves nothing; a tap closes it
    if phone.is_visible("#message"):
        phone.tap("#message")
    phone.wait_for_selector("#message", state="hidden")
    phone.evaluate("scrollTo(0, 0)")
    shot(phone, "phone.png")
    top = phone.evaluate("document.getElementById('network').getBoundingClientRect().top + scrollY")
    phone.tap('.node[data-name="h.1"]')          # let go of h.1: the new one goes from the inputs to the outputs
    phone.tap("#add-perceptron")
    phone.wait_for_function("document.getElementById('message').textContent.includes('added the perceptron p1')")
    assert phone.is_visible("#message")
    assert phone.evaluate("document.getElementById('network').getBoundingClientRect().top + scrollY") == top

    # a data set by its thumbnail, an input derived from x by its button
    phone.tap('.thumb[data-name="circles"]')
    phone.wait_for_function("window.playground.state.data.settings.name === 'circles'")
    assert phone.get_attribute('.thumb[data-name="circles"]', "class").split() == ["thumb", "chosen"]
    phone.tap('#features button[data-feature="x^2"]')
    phone.wait_for_function("window.playground.state.inputs.includes('x^2')")
    assert phone.inner_text('.node[data-name="x^2"] .label') == "x²"
    assert phone.get_attribute('#features button[data-feature="x^2"]', "aria-pressed") == "true"
    assert '"x^2"' in phone.input_value("#yaml")
    phone.tap('#features button[data-feature="y^2"]')
    phone.wait_for_function("window.playground.state.inputs.includes('y^2')")
    phone.tap("#play")
    phone.wait_for_function("Number(document.getElementById('epoch').textContent) >= 60", timeout=120_000)
    phone.tap("#play")
    phone.wait_for_function("document.getElementById('play').textContent.includes('play')")
    if phone.is_visible("#message"):
        phone.tap("#message")
    phone.wait_for_timeout(2000)              # the frame after the pause; a new edge's flash is over
    phone.evaluate("document.getElementById('middle').scrollIntoView()")
    shot(phone, "phone-features.png")
    phone.evaluate("document.getElementById('right').scrollIntoView()")
    shot(phone, "phone-output.png")
