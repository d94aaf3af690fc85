"""The landing pages and the HTML edition in a real browser: Playwright driving Debian's
Chromium, served by galleys; axe-core checks every page against WCAG 2.2 AA."""

from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import urljoin

import pytest
from conftest import require_module, require_program
from test_landing import SEED, shared_site

from galleys.cli.serve import make_server

pytestmark = pytest.mark.external

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# Contrast ratio (WCAG 2) of an element's text against the first opaque background behind it.
CONTRAST_JS = """
(el) => {
  const rgb = (c) => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  let node = el, bg = null;
  while (node && !bg) {
    const c = getComputedStyle(node).backgroundColor;
    const parts = rgb(c);
    if (parts.length === 3 || parts[3] === 1) bg = parts.slice(0, 3);
    node = node.parentElement;
  }
  bg = bg || [255, 255, 255];
  const fg = rgb(getComputedStyle(el).color).slice(0, 3);
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return shared_site(tmp_path_factory)


@pytest.fixture(scope="module")
def base_url(site):
    httpd = make_server(site, 0, quiet=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    executable = require_program("chromium", "chromium-browser")
    require_module("playwright")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class _Watch:
    """Console errors, uncaught exceptions and every URL the page asked for."""

    def __init__(self, page) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))

    def _console(self, message) -> None:
        if message.type in ("error", "warning"):
            self.errors.append(f"{message.text} ({message.location.get('url')})")


def _open(browser, **options):
    context = browser.new_context(accept_downloads=True, **options)
    page = context.new_page()
    return context, page, _Watch(page)


def _visible_citation(page) -> str:
    return page.locator("[data-cite-style]:not([hidden]) .citation").inner_text()


def test_index_to_article_style_switch_copy_and_downloads(browser, base_url, tmp_path):
    context, page, watch = _open(browser, viewport=DESKTOP)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url.rstrip("/"))
    page.goto(base_url)
    assert page.locator("h1").inner_text() != ""
    assert page.locator("h2").count() == 2  # two issues
    page.screenshot(path=str(tmp_path / "index-desktop.png"), full_page=True)
    page.get_by_role("link", name="Every Block").click()
    page.wait_for_url("**/torture/index.html")
    assert page.title().startswith("Every Block: A Torture Article for Galleys")

    # The style picker: the default style first, one citation visible, switching changes it.
    picker = page.get_by_label("Citation style")
    assert picker.is_visible() and picker.input_value() == "apa"
    assert page.locator("[data-cite-style]:not([hidden])").count() == 1
    apa = _visible_citation(page)
    assert apa.startswith("Lovelace, A., van Gogh, V., & Sukarno. (2024).")
    picker.select_option("ieee")
    ieee = _visible_citation(page)
    assert ieee != apa and ieee.startswith("A. Lovelace, V. van Gogh, and Sukarno,")
    picker.select_option("nlm-citation-sequence")
    assert _visible_citation(page).startswith("Lovelace A, van Gogh V, Sukarno.")

    # The copy button puts the visible citation on the clipboard and says so.
    page.get_by_role("button", name="Copy citation").click()
    page.wait_for_function("document.getElementById('cite-status').textContent !== ''")
    assert page.evaluate("navigator.clipboard.readText()") == _visible_citation(page)
    assert "Copied" in page.get_by_role("status").inner_text()
    page.screenshot(path=str(tmp_path / "article-desktop.png"), full_page=True)

    # Every download: the browser saves it under its name, and the server sends its media type.
    links = page.locator("a[download]")
    assert links.count() == 6  # PDF, EPUB, DOCX; BibTeX, RIS, CSL-JSON
    for i in range(links.count()):
        link = links.nth(i)
        href, media = link.get_attribute("href"), link.get_attribute("type")
        with page.expect_download() as info:
            link.click()
        download = info.value
        assert download.suggested_filename == href
        assert Path(download.path()).stat().st_size > 0
        response = page.request.get(urljoin(page.url, href))
        assert response.ok and response.headers["content-type"].split(";")[0] == media, href

    # The preview image loaded; nothing came from anywhere but our server; no console errors.
    assert page.locator("img").evaluate("img => img.naturalWidth") > 0
    assert watch.requests and all(u.startswith(base_url) for u in watch.requests), watch.requests
    assert watch.errors == []
    context.close()


def test_phone_width_reads_without_sideways_scrolling(browser, base_url, tmp_path):
    context, page, watch = _open(browser, viewport=PHONE, device_scale_factor=2, is_mobile=True)
    for path, shot in ((f"{SEED}/", "seed-phone.png"), ("torture/", "article-phone.png")):
        page.goto(base_url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path}: {width}px wide"
        assert page.get_by_label("Citation style").is_visible()
        page.screenshot(path=str(tmp_path / shot), full_page=True)
    assert watch.errors == []
    context.close()


def test_without_javascript_every_style_is_shown(browser, base_url, tmp_path):
    context, page, watch = _open(browser, viewport=DESKTOP, java_script_enabled=False)
    page.goto(base_url + "torture/")
    assert page.locator("#cite-picker").is_hidden()
    citations = page.locator(".citation")
    assert citations.count() == 6
    assert all(citations.nth(i).is_visible() for i in range(6))
    assert page.locator("h3", has_text="IEEE").is_visible()
    page.screenshot(path=str(tmp_path / "article-no-js.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_contrast_meets_wcag_aa(browser, base_url, scheme, tmp_path):
    context, page, _ = _open(browser, viewport=DESKTOP, color_scheme=scheme)
    page.goto(base_url + "torture/")
    selectors = [
        "h1",
        ".journal-line",
        ".facts dd a",
        ".button",
        ".file-info",
        ".citation",
        ".status",
        "label",
        "select",
        "button",
        ".affiliations",
        ".foot p",
    ]
    for selector in selectors:
        ratio = page.locator(selector).first.evaluate(CONTRAST_JS)
        assert ratio >= 4.5, f"{scheme}: {selector} has contrast {ratio:.2f}"
    page.screenshot(path=str(tmp_path / f"article-{scheme}.png"))
    context.close()


def test_pages_work_from_file_urls(browser, site):
    context, page, watch = _open(browser, viewport=DESKTOP)
    page.goto((site / "index.html").as_uri())
    page.get_by_role("link", name="Pakistan Japan Relations").click()
    page.wait_for_url("**/index.html")
    assert page.locator("img").evaluate("img => img.naturalWidth") > 0
    page.get_by_label("Citation style").select_option("modern-language-association")
    assert _visible_citation(page).startswith("Malik, Salma.")
    assert all(u.startswith("file://") for u in watch.requests), watch.requests
    assert watch.errors == []
    context.close()


# axe-core (the copy the axe-playwright-python package ships) with the WCAG 2.0–2.2 A and AA
# rules and its best practices: every page, in both colour schemes, has no violation.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
PAGES = ["index.html", f"{SEED}/index.html", "torture/index.html", "torture/torture.html",
         f"{SEED}/{SEED}.html"]


def _axe_violations(page) -> list[str]:
    require_module("axe_playwright_python")
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    assert results.response["passes"] or results.response["incomplete"] is not None
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}"
            for v in results.response["violations"]]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_accessibility_violation(browser, base_url, path, scheme):
    context, page, watch = _open(browser, viewport=DESKTOP, color_scheme=scheme)
    page.goto(base_url + path)
    assert _axe_violations(page) == []
    assert watch.errors == []
    context.close()


def test_read_online_then_notes_and_cross_references_both_ways(browser, base_url, tmp_path):
    context, page, watch = _open(browser, viewport=DESKTOP)
    page.goto(base_url + "torture/")
    read = page.get_by_role("link", name="Read online")
    first_button = page.locator(".side a.button").first
    assert first_button.inner_text() == "Read online"  # offered before every download
    read.click()
    page.wait_for_url("**/torture/torture.html")
    assert page.locator("h1").inner_text().startswith("Every Block")
    assert page.locator("math").count() >= 2
    assert page.locator("img").first.evaluate("img => img.naturalWidth") > 0

    page.locator("a[role=doc-noteref]").first.click()
    page.wait_for_url("**#gl-fn-1")
    note = page.locator("#gl-fn-1")
    assert note.is_visible() and note.evaluate("n => n.getBoundingClientRect().top") < 900
    note.locator("a[role=doc-backlink]").click()
    page.wait_for_url("**#gl-fnref-1")
    page.locator("a[href='#ref-knuth1984']").first.click()
    assert page.locator("#ref-knuth1984").inner_text().startswith("Knuth, D. E. (1984)")
    page.screenshot(path=str(tmp_path / "html-edition.png"), full_page=True)

    page.get_by_role("link", name="Article page and downloads").click()
    page.wait_for_url("**/torture/index.html")
    assert watch.requests and all(u.startswith(base_url) for u in watch.requests), watch.requests
    assert watch.errors == []
    context.close()


def test_html_edition_reads_on_a_phone_and_prints_without_the_site(browser, base_url, tmp_path):
    context, page, watch = _open(browser, viewport=PHONE, device_scale_factor=2, is_mobile=True)
    page.goto(base_url + "torture/torture.html")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{width}px wide"
    page.screenshot(path=str(tmp_path / "html-phone.png"), full_page=True)
    page.emulate_media(media="print")
    assert page.locator("nav.site").is_hidden() and page.locator("footer.foot").is_hidden()
    assert page.locator("h1").is_visible()
    colour = page.locator(".body p").first.evaluate("p => getComputedStyle(p).color")
    assert colour == "rgb(0, 0, 0)"  # black on white on paper, whatever the screen's scheme
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    assert watch.errors == []
    context.close()


def test_axe_would_catch_a_violation(browser, base_url):
    """The check above can fail: the same page with its title drawn in pale grey does."""
    context, page, _ = _open(browser, viewport=DESKTOP)
    page.goto(base_url + "torture/torture.html")
    page.evaluate("document.querySelector('h1').style.color = '#d0d0d0'")
    assert any(v.startswith("color-contrast") for v in _axe_violations(page))
    context.close()
