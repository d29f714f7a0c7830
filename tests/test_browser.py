"""The built book, read in a real browser: headless Chromium (Debian's `chromium`) via
Playwright.

Serves `_build/html` on 127.0.0.1 with no other network, opens every page and checks
that the math is typeset (MathJax served by the book itself, no raw TeX left), every
image loaded, the console shows no error, no request failed or left the book, and that
following "next" from the first page reaches every chapter. At a phone's width (390 px)
and a laptop's (1400 px) no page scrolls sideways, no display equation is wider than the
text column, wide tables scroll in their own box, no table cell breaks a word inside and
no printed result hides its line ends behind a sideways scroll. At a phone's width the
two sidebar buttons open their drawers and the drawers close again; at a laptop's the
left one folds the sidebar away and back. Saves screenshots of every page at both widths
to `_build/screenshots/`.

Run after `make book`: `.ci/run` does; `make test` runs it when Chromium, Playwright and
a built book are present, and otherwise reports why it was skipped.
"""

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# ADAM_BOOK_HTML: another built copy of the book (one built elsewhere with
# --path-output).
HTML = Path(os.environ.get("ADAM_BOOK_HTML") or ROOT / "_build" / "html")
SCREENSHOTS = HTML.parent / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# In CI (ADAM_BOOK_REQUIRE_BROWSER=1) a missing browser or book is a failure, not a
# skip.
def _skip(reason):
    if os.environ.get("ADAM_BOOK_REQUIRE_BROWSER"):
        pytest.fail(reason.replace("skipped", "cannot run"), pytrace=False)
    pytest.skip(reason, allow_module_level=True)


if CHROMIUM is None:
    _skip(
        "browser test skipped: no Chromium on PATH "
        "(Debian: apt-get install chromium fonts-liberation)"
    )
if not (HTML / "intro.html").exists():
    _skip("browser test skipped: no built book in _build/html (run make book first)")
try:
    from playwright import sync_api
except ImportError:
    _skip("browser test skipped: pip install playwright")


def chapter_pages():
    """Every page the table of contents lists, as paths relative to _build/html."""
    from test_notebooks import toc_files

    return ["intro.html"] + [f"{name}.html" for name in toc_files()]


@pytest.fixture(scope="module")
def site():
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(HTML))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=ARGS
        )
        yield chromium
        chromium.close()


class Recorder:
    """Console errors, failed requests and requests that leave the site, for one
    page."""

    def __init__(self, page, base):
        self.problems = []
        record = self.problems.append
        page.on(
            "console",
            lambda m: record(f"console error: {m.text}") if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: record(f"page error: {e}"))
        page.on(
            "requestfailed", lambda r: record(f"request failed: {r.url} ({r.failure})")
        )
        page.on(
            "response",
            lambda r: record(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None,
        )
        page.on(
            "request",
            lambda r: (
                None
                if r.url.startswith((base, "data:", "blob:", "about:"))
                else record(f"request outside the book: {r.url}")
            ),
        )


PAGES = sorted(
    p.relative_to(HTML).as_posix()
    for p in HTML.rglob("*.html")
    if "_static" not in p.parts
    and "_sources" not in p.parts
    and p.name not in {"genindex.html", "search.html", "index.html"}
)


@pytest.mark.parametrize("rel", PAGES)
def test_page_is_complete_offline(browser, site, rel):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    recorder = Recorder(page, site)
    page.goto(site + rel, wait_until="load")
    problems = recorder.problems

    if page.locator(".math").count():
        page.wait_for_function(
            "window.MathJax && MathJax.startup && MathJax.startup.promise",
            timeout=10000,
        )
        page.evaluate("MathJax.startup.promise")
        if page.locator("mjx-container").count() == 0:
            problems.append("math present but nothing typeset by MathJax")
        raw = page.evaluate("""() => [...document.querySelectorAll('.math')]
            .filter(e => !e.querySelector('mjx-container')).length""")
        if raw:
            problems.append(f"{raw} formulas left as raw TeX")
    text = page.locator("article").inner_text()
    if "$$" in text:
        problems.append("raw $$ left in the text")

    broken = page.evaluate("""() => [...document.images]
        .filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.src)""")
    problems += [f"image not loaded: {src}" for src in broken]
    page.close()
    assert not problems, "\n".join(problems)


def test_next_links_reach_every_chapter(browser, site):
    page = browser.new_page()
    page.goto(site + "intro.html")
    visited = ["intro.html"]
    for _ in range(50):
        link = page.locator("a.right-next")
        if not link.count():
            break
        link.first.click()
        page.wait_for_load_state("load")
        visited.append(page.url.removeprefix(site).split("#")[0])
    page.close()
    missing = [p for p in chapter_pages() if p not in visited]
    assert not missing, f"not reachable by 'next' from the first page: {missing}"


def test_launch_and_download_buttons(browser, site):
    from notebook_setup import repository_url

    slug = repository_url().removeprefix("https://github.com/")
    page = browser.new_page()
    for rel in chapter_pages()[1:]:
        if not rel.startswith("chapters/"):
            continue
        page.goto(site + rel)
        hrefs = page.evaluate(
            "() => [...document.querySelectorAll('a')].map(a => a.href)"
        )
        notebook = rel.removesuffix(".html") + ".ipynb"
        assert (
            f"https://colab.research.google.com/github/{slug}/blob/main/{notebook}"
            in hrefs
        ), rel
        assert any(
            h.startswith(f"https://mybinder.org/v2/gh/{slug}/main") for h in hrefs
        ), rel
        assert any(h.endswith(f"_sources/{notebook}") for h in hrefs), (
            f"{rel}: no .ipynb download"
        )
    page.close()


WIDTHS = {"phone": 390, "laptop": 1400}

# What sticks out of the text column on a page, measured after MathJax has typeset it:
# the page's own sideways scroll, display equations wider than the column they sit in,
# and tables that are not inside a box that scrolls on its own.
LAYOUT = r"""() => {
  const article = document.querySelector('article.bd-article') || document.body;
  const problems = [];
  const page = document.documentElement.scrollWidth;
  if (page > window.innerWidth + 1)
    problems.push(`the page scrolls sideways: ${page} px wide in a `
                  + `${window.innerWidth} px window`);
  for (const eq of article.querySelectorAll('mjx-container[display="true"]')) {
    const math = eq.querySelector('mjx-math');
    const column = eq.parentElement.clientWidth;
    const width = math ? math.getBoundingClientRect().width : eq.scrollWidth;
    if (width > column + 1)
      problems.push(`equation ${Math.round(width)} px wide in a ${column} px column: `
                    + eq.textContent.slice(0, 60));
  }
  for (const table of article.querySelectorAll('table')) {
    let box = table.parentElement, scrolls = false;
    while (box && box !== article) {
      if (['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) {
        scrolls = true;
        break;
      }
      box = box.parentElement;
    }
    const width = table.getBoundingClientRect().width;
    if (!scrolls && width > article.clientWidth + 1)
      problems.push('a wide table that does not scroll in its own box');
    else if (scrolls && box.getBoundingClientRect().width > article.clientWidth + 1)
      problems.push(`a table's scrolling box is wider than the column: `
                    + box.className);
  }
  // No word in a table cell is split over two lines: each word of a cell's text
  // (hyphens, dashes and slashes end a word, as a line may break after them) lies on
  // one line box.
  const broken = [];
  for (const cell of article.querySelectorAll('table th, table td')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT, {
      acceptNode: n => n.parentElement.closest('mjx-container, script, style')
        ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
    for (let node; (node = walker.nextNode());) {
      for (const word of node.data.matchAll(/[^\s\-\u2010-\u2014\/]+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0)
                                .map(r => Math.round(r.bottom)));
        if (lines.size > 1) broken.push(`"${word[0]}" (${lines.size} lines)`);
      }
    }
  }
  if (broken.length)
    problems.push(`${broken.length} words broken inside table cells: `
                  + broken.slice(0, 8).join(', '));
  // A printed result (stream output, plain-text value) wraps rather than scroll
  // sideways.
  for (const pre of article.querySelectorAll(
      'div.cell_output .output.stream pre, div.cell_output .output.text_plain pre'))
    if (pre.scrollWidth > pre.clientWidth + 1)
      problems.push(`a printed result scrolls sideways `
                    + `(${pre.scrollWidth} px in ${pre.clientWidth}): `
                    + pre.textContent.trim().split('\n')[0].slice(0, 60));
  return problems;
}"""


def open_typeset(page, url):
    page.goto(url, wait_until="load")
    if page.locator(".math").count():
        page.wait_for_function(
            "window.MathJax && MathJax.startup && MathJax.startup.promise",
            timeout=10000,
        )
        page.evaluate("MathJax.startup.promise")


@pytest.mark.parametrize("device", WIDTHS)
@pytest.mark.parametrize("rel", chapter_pages())
def test_page_fits_the_screen(browser, site, rel, device):
    width = WIDTHS[device]
    page = browser.new_page(viewport={"width": width, "height": 900})
    open_typeset(page, site + rel)
    problems = page.evaluate(LAYOUT)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = rel.removesuffix(".html").replace("/", "_")
    page.screenshot(
        path=str(SCREENSHOTS / f"{name}-{width}.png"),
        full_page=name
        in {"chapters_01_adam_in_one_page", "chapters_04_bias_correction"},
    )
    page.close()
    assert not problems, f"{rel} at {width} px:\n" + "\n".join(problems)


# --- Navigation on a phone ------------------------------------------------------------
# The drawer a sidebar button opens: pydata-sphinx-theme moves the sidebar into this
# <dialog>.
DRAWER = """kind => {
  const dialog = document.getElementById(`pst-${kind}-sidebar-modal`);
  if (!dialog) return null;
  const box = dialog.getBoundingClientRect();
  const links = [...dialog.querySelectorAll('a[href]')].filter(a => a.checkVisibility()
    && a.getBoundingClientRect().left >= box.left - 1
    && a.getBoundingClientRect().right <= box.right + 1);
  return {open: dialog.open, visible: dialog.checkVisibility(),
          left: box.left, right: box.right,
          top: box.top, width: box.width, height: box.height,
          links: links.map(a => a.href.split('#')[0])};
}"""


def drawer_problems(page, kind, width, height):
    state = page.evaluate(DRAWER, kind)
    if state is None:
        return [f"no {kind} drawer in the page"]
    if not (state["open"] and state["visible"]):
        return [f"the {kind} drawer did not open: {state}"]
    problems = []
    if (
        state["left"] < -1
        or state["right"] > width + 1
        or state["width"] < 200
        or state["top"] < -1
        or state["height"] < height / 2
    ):
        problems.append(f"the {kind} drawer is not on screen: {state}")
    if not state["links"]:
        problems.append(f"the {kind} drawer shows no links")
    return problems


def chapters_with_sections():
    return [rel for rel in chapter_pages() if rel.startswith("chapters/")]


@pytest.mark.parametrize("rel", chapters_with_sections())
def test_phone_drawers_open_and_close(browser, site, rel):
    """The two buttons a phone shows in the article header, the book's contents (left)
    and the page's sections (right), open their drawers; Escape and a tap beside the
    drawer close it."""
    width, height = 390, 800
    context = browser.new_context(
        viewport={"width": width, "height": height}, has_touch=True
    )
    page = context.new_page()
    recorder = Recorder(page, site)
    page.goto(site + rel, wait_until="load")
    problems = []
    for kind in ("primary", "secondary"):
        button = page.locator(f".bd-header-article .{kind}-toggle")
        if not button.is_visible():
            problems.append(f"no visible {kind} sidebar button at {width} px")
            continue
        for close in ("Escape", "tap beside the drawer"):
            button.tap()
            try:
                page.wait_for_function(
                    "k => document.getElementById(`pst-${k}-sidebar-modal`)?.open",
                    arg=kind,
                    timeout=3000,
                )
            except sync_api.TimeoutError:
                pass
            found = drawer_problems(page, kind, width, height)
            if found:
                problems += found
                break
            links = page.evaluate(DRAWER, kind)["links"]
            if kind == "primary":
                missing = [p for p in chapter_pages() if site + p not in links]
                if missing:
                    problems.append(f"the book's drawer lacks links to {missing}")
            elif set(links) != {site + rel}:
                problems.append(f"the page's drawer links outside the page: {links}")
            if close == "Escape":
                if rel == chapters_with_sections()[0]:
                    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                    page.screenshot(
                        path=str(SCREENSHOTS / f"drawer_{kind}-{width}.png")
                    )
                page.keyboard.press("Escape")
            else:  # the backdrop, on the side the drawer leaves free
                page.touchscreen.tap(
                    width - 20 if kind == "primary" else 20, height // 2
                )
            page.wait_for_timeout(300)
            state = page.evaluate(DRAWER, kind)
            if state["open"] or state["visible"] or state["links"]:
                problems.append(f"the {kind} drawer did not close on {close}: {state}")
    context.close()
    problems += recorder.problems
    assert not problems, f"{rel} at {width} px:\n" + "\n".join(problems)


def test_laptop_sidebar_folds_away(browser, site):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    recorder = Recorder(page, site)
    page.goto(site + chapters_with_sections()[0], wait_until="load")
    sidebar = page.locator("#pst-primary-sidebar")
    assert sidebar.is_visible()
    button = page.locator(".bd-header-article .primary-toggle")
    button.click()
    page.wait_for_timeout(600)  # the sidebar slides away
    assert not sidebar.is_visible(), "the left sidebar did not fold away"
    assert not page.evaluate("document.querySelector('dialog[open]') !== null")
    button.click()
    page.wait_for_timeout(600)
    assert sidebar.is_visible(), "the left sidebar did not come back"
    page.close()
    assert not recorder.problems, "\n".join(recorder.problems)


def test_screenshots_of_two_pages(browser, site):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    for rel, name in [
        ("chapters/04_bias_correction.html", "bias_correction.png"),
        ("chapters/05_implementing_adam.html", "implementing_adam.png"),
    ]:
        page.goto(site + rel, wait_until="load")
        if page.locator(".math").count():
            page.wait_for_function(
                "window.MathJax && MathJax.startup && MathJax.startup.promise"
            )
            page.evaluate("MathJax.startup.promise")
        page.screenshot(path=str(SCREENSHOTS / name), full_page=False)
        assert (SCREENSHOTS / name).stat().st_size > 10_000
    page.close()


def test_figures_opaque_for_dark_mode(browser, site):
    """Figures are drawn on white (adam.book.style), not on a transparent background
    that the dark theme would turn black behind black text; a dark-mode screenshot shows
    it."""
    from PIL import Image

    figures = sorted((HTML / "_images").glob("*.png"))
    assert figures, "no figures in the built book"
    for path in figures:
        with Image.open(path) as image:
            rgba = image.convert("RGBA")
            corners = [
                rgba.getpixel((x, y))
                for x in (0, rgba.width - 1)
                for y in (0, rgba.height - 1)
            ]
        assert all(c[3] == 255 and min(c[:3]) >= 250 for c in corners), (
            f"{path.name}: not on white"
        )

    page = browser.new_page(
        viewport={"width": 1280, "height": 1000}, color_scheme="dark"
    )
    page.goto(site + "chapters/02_from_sgd_to_adam.html", wait_until="load")
    page.evaluate(
        "document.documentElement.dataset.theme = 'dark'; "
        "document.documentElement.dataset.mode = 'dark'"
    )
    page.locator("figure img").first.scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dark_mode_figure.png"))
    page.close()


# --- Figures the reader moves ---------------------------------------------------------
def pages_with(selector):
    return [
        rel
        for rel in chapter_pages()
        if selector in (HTML / rel).read_text(encoding="utf-8", errors="replace")
    ]


def test_there_are_figures_to_play_with():
    assert pages_with('class="adam-sliders"'), "no page has a figure with sliders"
    assert pages_with('class="adam-animation"'), "no page has an animation"


@pytest.mark.parametrize("rel", pages_with('class="adam-sliders"'))
def test_moving_a_slider_changes_the_figure(browser, site, rel):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    recorder = Recorder(page, site)
    open_typeset(page, site + rel)
    figure = page.locator(".adam-sliders").first
    figure.scroll_into_view_if_needed()
    handle = figure.locator(".noUi-handle").last  # pierces Bokeh's shadow DOM
    handle.wait_for(state="visible", timeout=15000)
    page.wait_for_timeout(500)
    before_state, before_image = figure.get_attribute("data-state"), figure.screenshot()
    handle.focus()
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(
        "([el, s]) => el.dataset.state !== s",
        arg=[figure.element_handle(), before_state],
        timeout=5000,
    )
    page.wait_for_timeout(500)
    after_image = figure.screenshot()
    assert int(figure.get_attribute("data-moves")) >= 1
    assert after_image != before_image, "the slider moved but the figure did not change"
    page.close()
    assert not recorder.problems, "\n".join(recorder.problems)


@pytest.mark.parametrize("rel", pages_with('class="adam-animation"'))
def test_animation_plays_pauses_scrubs(browser, site, rel):
    page = browser.new_page(viewport={"width": 390, "height": 900})
    recorder = Recorder(page, site)
    open_typeset(page, site + rel)
    player = page.locator(".adam-animation").first
    player.scroll_into_view_if_needed()
    frame = player.locator(".animation img").first
    scrubber = player.locator("input.anim-slider").first
    first = frame.get_attribute("src")
    scrubber.fill(str(int(scrubber.get_attribute("max")) // 2))  # scrub to the middle
    page.wait_for_timeout(200)
    middle = frame.get_attribute("src")
    assert middle != first, "scrubbing did not change the frame"
    player.locator("button[title='Play']").first.click()
    page.wait_for_timeout(1000)
    player.locator("button[title='Pause']").first.click()
    paused = frame.get_attribute("src")
    assert paused != middle, "playing did not advance the frames"
    page.wait_for_timeout(600)
    assert frame.get_attribute("src") == paused, "pause did not stop the animation"
    box = player.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 391, (
        "the player is wider than a phone"
    )
    page.close()
    assert not recorder.problems, "\n".join(recorder.problems)


# -- search (_ext/readable_search.py) --------------------------------------------------
RESULTS = """() => [...document.querySelectorAll('#search-results ul.search > li')]
  .map(li => ({
    href: li.querySelector('a').getAttribute('href'),
    title: li.querySelector('a').innerText,
    summary: li.querySelector('p.context')?.innerText ?? null}))"""
# A TeX command or delimiter (`\\hat`, `\\(`); code's one-letter escapes ("\\n") are not
# TeX.
TEX = r"\\[A-Za-z]{2,}|\\[()\[\]]"


def search(page, site, query):
    """The results of searching `query`, once every excerpt has loaded."""
    page.goto(site + "search.html?q=" + query.replace(" ", "+"), wait_until="load")
    page.wait_for_function(
        "document.querySelector('#search-results .search-summary')?.innerText",
        timeout=15000,
    )
    count = len(page.evaluate(RESULTS))
    page.wait_for_function(
        f"""() => document.querySelectorAll(
        '#search-results ul.search > li p.context').length >= {count}""",
        timeout=15000,
    )
    return page.evaluate(RESULTS)


@pytest.mark.parametrize(
    "query", ["epsilon hat", "beta", "bias correction", "summary", "hat"]
)
def test_search_readable_and_each_page_once(browser, site, query):
    import re

    page = browser.new_page(viewport={"width": 1400, "height": 1200})
    recorder = Recorder(page, site)
    results = search(page, site, query)
    problems = list(recorder.problems)
    if not results:
        problems.append("no result")
    if query == "epsilon hat" and results:
        first = results[0]
        if first["href"] != "chapters/04_bias_correction.html#where-goes":
            problems.append(
                f"first result is {first['href']} ({first['title']}), not chapter 4's "
                "section on ε̂ (Where ε goes)"
            )
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(SCREENSHOTS / "search_epsilon_hat.png"), full_page=False
        )
    hrefs = [r["href"] for r in results]
    problems += [
        f"listed twice: {href}"
        for href in sorted({h for h in hrefs if hrefs.count(h) > 1})
    ]
    pages = [h.split("#")[0] for h in hrefs]
    problems += [
        f"page listed both whole and at a section: {p}"
        for p in sorted(set(pages))
        if p in hrefs and pages.count(p) > 1
    ]
    for r in results:
        for text in (r["title"], r["summary"] or ""):
            if tex := re.findall(TEX, text):
                problems.append(f"TeX {tex[:3]} in {r['href']}: {text[:120]!r}")
    page.close()
    assert not problems, "\n".join(problems)


# -- Figures on a phone ----------------------------------------------------------------
# Every image of the article at its drawn width: matplotlib's figures (cell outputs, and
# the frames of an animation) and the sliders' plot.
SHOWN_IMAGES = """() => [
    ...document.querySelectorAll('article.bd-article img, article img')]
  .filter(img => img.complete && img.naturalWidth > 0)
  .map(img => ({src: img.currentSrc || img.src,
                shown: img.getBoundingClientRect().width}))"""


def figure_png(src, site):
    """The PNG behind `src` (a file of the built book or a data: URI), opened with
    PIL."""
    import base64
    import io

    from PIL import Image

    if src.startswith("data:image/png;base64,"):
        return Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1])))
    if src.startswith(site) and src.lower().endswith(".png"):
        return Image.open(HTML / src.removeprefix(site).split("?")[0])
    return None


@pytest.mark.parametrize("rel", PAGES)
def test_figure_text_is_readable_on_a_phone(browser, site, rel):
    """At 390 px every matplotlib figure shrinks to the column; its smallest text, the
    book style's smallest size (tests/test_style.py keeps every figure at or above it),
    is then SMALLEST_PT / 72 * dpi px in the PNG times the drawn width over the PNG's
    width: at least 9 CSS px. The dpi is read from the PNG itself. The sliders' plot
    keeps its design aspect."""
    from adam.book.style import PHONE_MIN_TEXT_PX, SMALLEST_PT

    page = browser.new_page(viewport={"width": 390, "height": 900})
    open_typeset(page, site + rel)
    problems, checked = [], 0
    for image in page.evaluate(SHOWN_IMAGES):
        png = figure_png(image["src"], site)
        if png is None:
            continue
        with png:
            software = png.info.get("Software", "")
            dpi = png.info.get("dpi", (72, 72))[0]
            width = png.width
        if not software.startswith("Matplotlib") or image["shown"] == 0:
            continue  # not a figure, or one folded away
        checked += 1
        px = SMALLEST_PT / 72 * dpi * image["shown"] / width
        if px < PHONE_MIN_TEXT_PX:
            name = image["src"].split("/")[-1][:40]
            problems.append(
                f"{name}: {width} px at {dpi:.0f} dpi drawn {image['shown']:.0f} "
                f"px wide: text {px:.1f} CSS px"
            )
    for figure in page.locator(".adam-sliders").all():
        figure.scroll_into_view_if_needed()
        canvas = figure.locator(".bk-Canvas").last  # the plot (shadow DOM)
        canvas.wait_for(state="visible", timeout=15000)
        page.wait_for_timeout(300)
        box = canvas.bounding_box()
        design = figure.get_attribute("data-aspect")
        if design is None:
            problems.append(
                "a sliders figure without data-aspect (adam.book.sliders sets it)"
            )
            continue
        design = float(design)
        aspect = box["width"] / box["height"]
        if abs(aspect / design - 1) > 0.15:
            problems.append(
                f"the sliders' plot is {box['width']:.0f} x {box['height']:.0f} "
                f"px (aspect {aspect:.2f}, designed {design:.2f})"
            )
        checked += 1
    page.close()
    assert not problems, f"{rel} at 390 px ({checked} figures):\n" + "\n".join(problems)


# -- Length of the main path ----------------------------------------------------------
# A chapter on the main path is read in one sitting: at most about 25,000 characters of
# the text a reader sees (prose, shown code, outputs, tables; folded cells closed).
# Chapter 9 had 61,000 before it was split. The appendices are optional reading.
MAX_PAGE_TEXT = 25_000
MAIN_PATH = [rel for rel in chapter_pages() if rel[len("chapters/")].isdigit()]


@pytest.mark.parametrize("rel", MAIN_PATH)
def test_main_path_chapter_length(browser, site, rel):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(site + rel, wait_until="load")
    length = page.evaluate(
        "document.querySelector('article.bd-article').innerText.length"
    )
    page.close()
    assert 2_000 < length <= MAX_PAGE_TEXT, f"{rel}: {length:,} characters of page text"


# -- Tables on a phone -----------------------------------------------------------------
# A table holds results the text quotes: at 390 px each one, a cell's result table or a
# table written in Markdown, fits the text column, so that no number hides behind a
# sideways scroll (words still never break inside: test_page_fits_the_screen).
TABLE_WIDTHS = """() => [...document.querySelectorAll('article.bd-article table')]
  .map(table => {
  const box = table.closest('.output, .pst-scrollable-table-container')
    || table.parentElement;
  return {width: table.getBoundingClientRect().width, column: box.clientWidth,
          head: table.querySelector('tr').innerText.replace(/\\s+/g, ' ').slice(0, 60)};
})"""


@pytest.mark.parametrize("rel", chapter_pages())
def test_tables_fit_a_phone(browser, site, rel):
    page = browser.new_page(viewport={"width": WIDTHS["phone"], "height": 844})
    open_typeset(page, site + rel)
    tables = page.evaluate(TABLE_WIDTHS)
    page.close()
    wide = [t for t in tables if t["width"] > t["column"] + 0.5]
    assert not wide, (
        f"{rel}: tables wider than the {WIDTHS['phone']} px page's column: "
        + (
            "; ".join(
                f"{t['head']!r} {t['width']:.0f} px in {t['column']} px" for t in wide
            )
        )
    )
