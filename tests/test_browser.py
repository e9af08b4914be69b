"""A day at the counter, in a real browser: Debian's chromium driving the real app (harness: tests/browser.py).

An operator signs in, drops three scans on the upload page and watches each reach its end state live: a clean
birth certificate goes into the wallet, an ID card whose holder's name cannot be read waits for review, a truncated
PDF is quarantined with its reason. In the review queue the operator types the name from the card and saves; the
change is an audit event and is re-indexed. A back-office clerk then finds the card by the name typed without
diacritics, opens it (fields, history, the original), and runs a reuse check for a procedure and a citizen ID. The
admin ends the day on the dashboard, then walks every page in English: no Vietnamese word may be left in the
page's own text. Along the way no page may throw a script error, fail to load a resource, answer 5xx, leave a
control or image unnamed, or put content out of reach (wider than the window, cut off without a scroll).

Every step leaves a full-page screenshot in ``tests/.artifacts/browser/`` (or ``$SOHOA_SCREENSHOT_DIR``) for a
person to look at.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from PIL import ImageDraw

from pipeline.audit import events
from pipeline.config import Settings
from pipeline.storage import open_store
from pipeline.textnorm import fold
from samples.generator import GeneratedDoc, generate_document
from samples.people import TODAY
from samples.render import encode
from schemas.doc_types import DOC_TYPES
from schemas.identity import mask_id
from schemas.procedures import load_catalogue
from tests.browser import (
    Account,
    LiveApp,
    PageProblems,
    Screenshots,
    accessibility_problems,
    browser_fixture,  # noqa: F401  (the `browser` fixture)
    drop_files,
    expect,
    layout_problems,
    live_app_fixture,  # noqa: F401  (the `live_app` fixture)
    new_context,
    screenshots_fixture,  # noqa: F401  (the `screenshots` fixture)
    sign_in,
    t,
)

pytestmark = pytest.mark.timeout(300)

STATION = "HN-01"
FINAL_STATES = frozenset({"indexed", "needs_review", "quarantined", "failed"})
PROCESSING_TIMEOUT_S = 120  # three papers OCR'd one after the other on a loaded 2-core machine
SCAN_DPI = 200  # a counter scanner's usual setting; keeps OCR quick
# What sends the card to review is its missing name (a required field), whatever the threshold. The clean
# certificate must go straight in: a centre's threshold of 0.6 keeps a correct print whose rarer names were snapped
# to the name list (which lowers their confidence a little) out of the queue.
APP_SETTINGS = {"review_threshold": "0.6"}


# -- the papers ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    name: str
    mime: str
    data: bytes

    def as_file(self) -> tuple[str, str, bytes]:
        return self.name, self.mime, self.data


@dataclass(frozen=True)
class CounterPapers:
    birth: Upload  # a clean birth certificate: straight into the wallet
    birth_truth: dict[str, Any]
    card: Upload  # an ID card scan with the holder's name covered: the operator types it in review
    card_truth: dict[str, Any]
    broken: Upload  # a PDF cut off half-way: quarantined

    def all(self) -> list[Upload]:
        return [self.birth, self.card, self.broken]


def _with_field_covered(doc: GeneratedDoc, field_name: str) -> bytes:
    """The scan re-encoded as the scanner did, with one field's value painted over (a smudge, a sticker)."""
    image = doc.image.copy()
    x0, y0, x1, y1 = doc.truth["field_boxes"][field_name]
    ImageDraw.Draw(image).rectangle([x0 - 4, y0 - 4, x1 + 4, y1 + 4], fill="white")
    return encode(image, doc.ext, doc.truth["dpi"], title=doc.truth["id"], date=TODAY,
                  quality=doc.truth["scan"]["jpeg_quality"])


@pytest.fixture(scope="module")
def papers() -> CounterPapers:
    birth = generate_document("khai_sinh", 11, "clean", dpi=SCAN_DPI)
    card = generate_document("cccd", 11, "degraded", dpi=SCAN_DPI)
    other = generate_document("khai_sinh", 12, "clean", dpi=SCAN_DPI).data
    return CounterPapers(
        birth=Upload("giay-khai-sinh.pdf", "application/pdf", birth.data),
        birth_truth=birth.truth,
        card=Upload("can-cuoc-mat-truoc.jpg", "image/jpeg", _with_field_covered(card, "ho_ten")),
        card_truth=card.truth,
        broken=Upload("ho-so-tai-len-do-dang.pdf", "application/pdf", other[: len(other) // 2]),
    )


# -- the people ----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def accounts(live_app: LiveApp) -> dict[str, Account]:
    return {
        "operator": live_app.add_user("lan.operator", "operator", station=STATION, display_name="Trần Thị Lan"),
        "backoffice": live_app.add_user("minh.backoffice", "backoffice", display_name="Lê Văn Minh"),
        "admin": live_app.add_user("hoa.admin", "admin", display_name="Phạm Thu Hòa"),
    }


@pytest.fixture
def problems(live_app: LiveApp) -> Iterator[PageProblems]:
    """Script errors and failed loads seen by the test's pages: a test passes only when there were none."""
    found = PageProblems()
    yield found
    assert found.none(), f"errors in the pages: {found}\nserver log:\n{live_app.log_tail()}"


def wallet_store(live_app: LiveApp):
    """The app's object store, read from this process (the local store is a directory)."""
    return open_store(Settings(data_dir=live_app.data_dir, store="local"))


# -- the scenario --------------------------------------------------------------------------------------------------


def test_a_day_at_the_counter(browser, live_app, accounts, papers, screenshots, problems):
    """Operator, back office and admin, one after the other, each in their own browser context."""
    operator = new_context(browser, live_app.base_url, problems)
    page = sign_in(operator, accounts["operator"])
    states = upload_and_watch(page, papers, screenshots)
    # A clean scan is in the wallet at once, or waits for a look when OCR was unsure of a value (how sure it is
    # moves with the OCR model; the scenario does not depend on it): the operator then approves it as read.
    assert states[papers.birth.name][-1] in ("indexed", "needs_review")
    assert states[papers.card.name][-1] == "needs_review"
    assert states[papers.broken.name][-1] == "quarantined"

    card_record = open_review_queue(page, papers, screenshots)
    correct_the_name(page, live_app, accounts["operator"], card_record, papers, screenshots)
    if states[papers.birth.name][-1] == "needs_review":
        approve_as_read(page, papers)
    assert t("review_queue_empty") in page.locator("main").inner_text()
    operator.close()

    back_office = new_context(browser, live_app.base_url, problems)
    page = sign_in(back_office, accounts["backoffice"])
    find_by_name_without_diacritics(page, papers, screenshots)
    open_the_paper(page, accounts["operator"], card_record, papers, screenshots)
    check_reuse(page, live_app, papers, screenshots)
    back_office.close()

    admin = new_context(browser, live_app.base_url, problems)
    page = sign_in(admin, accounts["admin"])
    look_at_the_day(page, accounts, screenshots, auto_approved=int(states[papers.birth.name][-1] == "indexed"))
    walk_every_page_in_english(page, accounts, card_record, papers, screenshots)
    admin.close()


def upload_and_watch(page, papers: CounterPapers, screenshots: Screenshots) -> dict[str, list[str]]:
    """Drop the batch, start it, and record every state each file shows until all are final."""
    page.goto("/upload")
    assert page.get_by_role("heading", level=1).inner_text() == t("upload_title")
    drop_files(page, "#dropzone", [p.as_file() for p in papers.all()])
    start = page.get_by_role("button", name=t("upload_start"))
    assert start.is_enabled()
    assert t("upload_selected", count=3) in page.locator("#selection").inner_text()
    screenshots.take(page, "upload-files-chosen")
    assert accessibility_problems(page) == []
    start.click()

    rows = page.locator("#progress-rows tr")
    seen: dict[str, list[str]] = {}
    midway_shot = False
    deadline = time.monotonic() + PROCESSING_TIMEOUT_S
    while True:
        current = rows.evaluate_all("rows => rows.map(r => [r.cells[0].textContent, r.dataset.state])")
        for name, state in current:
            history = seen.setdefault(name, [])
            if not history or history[-1] != state:
                history.append(state)
        finals = [state in FINAL_STATES for _, state in current]
        if current and all(finals):
            break
        if any(finals) and not midway_shot:
            screenshots.take(page, "upload-in-progress")
            midway_shot = True
        assert time.monotonic() < deadline, f"not finished after {PROCESSING_TIMEOUT_S} s: {seen}"
        page.wait_for_timeout(100)

    screenshots.take(page, "upload-finished")
    assert layout_problems(page) == []
    assert sorted(seen) == sorted(p.name for p in papers.all())
    # Live: the page showed papers on their way (queued, reading…) before their end state, without a reload.
    assert any(len(history) > 1 for history in seen.values()), seen
    assert t("upload_finished", total=3) in page.locator("#progress-summary").inner_text()
    for name, history in seen.items():
        row = rows.filter(has_text=name)
        assert t(f"state_{history[-1]}") in row.inner_text()
    assert DOC_TYPES["khai_sinh"].title_vi in rows.filter(has_text=papers.birth.name).inner_text()
    broken_detail = rows.filter(has_text=papers.broken.name).locator("td").nth(2).inner_text()
    assert t("reason_corrupt_file") in broken_detail  # the reason, in words, beside the file
    return seen


def open_review_queue(page, papers: CounterPapers, screenshots: Screenshots) -> str:
    """From the menu to the queue; the card waits there. Returns its record id."""
    page.get_by_role("navigation").get_by_role("link", name=t("nav_review")).click()
    page.wait_for_url("**/review")
    screenshots.take(page, "review-queue")
    row = page.locator("table tbody tr").filter(has_text=papers.card.name)
    assert row.count() == 1
    assert DOC_TYPES["cccd"].title_vi in row.inner_text()
    card_id = papers.card_truth["fields"]["so_dinh_danh"]
    assert card_id not in row.inner_text()  # IDs are masked in lists
    row.get_by_role("link", name=t("review_open")).click()
    page.wait_for_url(re.compile(r"/review/[0-9a-f]{64}$"))
    return page.url.rsplit("/", 1)[1]


def correct_the_name(page, live_app: LiveApp, operator: Account, record_id: str, papers: CounterPapers,
                     screenshots: Screenshots) -> None:
    """Type the holder's name and ID as the card shows them and save with Enter; the change is audited."""
    name = papers.card_truth["fields"]["ho_ten"]
    card_id = papers.card_truth["fields"]["so_dinh_danh"]
    name_field = page.get_by_label(t("review_field_ho_ten"))
    id_field = page.get_by_label(t("review_field_so_dinh_danh"))
    assert name_field.input_value() == ""  # the name could not be read from the scan
    assert page.locator("img[src$='/pages/1.png']").evaluate("img => img.complete && img.naturalWidth > 0")
    screenshots.take(page, "review-paper")
    assert accessibility_problems(page) == []
    id_field.focus()  # a field that was read lights its box on the scan
    expect(page.locator("#box-so_dinh_danh")).to_have_class(re.compile(r"\bactive\b"))
    screenshots.take(page, "review-paper-window", full_page=False)

    expected = {"ho_ten": name} | ({"so_dinh_danh": card_id} if id_field.input_value() != card_id else {})
    id_field.fill(card_id)  # checked against the card; unchanged text is not a correction
    name_field.fill(name)
    with page.expect_navigation():
        name_field.press("Enter")  # keyboard first: Enter saves
    screenshots.take(page, "review-saved")
    assert "done=saved" in page.url
    assert t("review_saved", count=len(expected)) in page.locator("main").inner_text()
    assert page.get_by_label(t("review_field_ho_ten")).input_value() == name

    corrections = [e for e in events(wallet_store(live_app)) if e.action == "review_corrected"]
    assert len(corrections) == 1
    event = corrections[0]
    assert (event.sha256, event.operator, event.station) == (record_id, operator.username, STATION)
    assert {field: change["new"] for field, change in event.details["changes"].items()} == expected

    with page.expect_navigation():
        page.get_by_label(t("review_field_ho_ten")).press("Control+Enter")  # and Ctrl+Enter approves
    screenshots.take(page, "review-approved")
    assert t("review_approved", file=papers.card.name) in page.locator("main").inner_text()


def approve_as_read(page, papers: CounterPapers) -> None:
    """From the queue, open the birth certificate and approve it unchanged (Ctrl+Enter)."""
    row = page.locator("table tbody tr").filter(has_text=papers.birth.name)
    row.get_by_role("link", name=t("review_open")).click()
    page.wait_for_url(re.compile(r"/review/[0-9a-f]{64}$"))
    with page.expect_navigation():
        page.get_by_label(t("review_field_ho_ten")).press("Control+Enter")
    assert t("review_approved", file=papers.birth.name) in page.locator("main").inner_text()


def find_by_name_without_diacritics(page, papers: CounterPapers, screenshots: Screenshots) -> None:
    """The clerk types the corrected name the quick way, "nguyen my uyen", and gets the card first."""
    name = papers.card_truth["fields"]["ho_ten"]
    page.get_by_role("navigation").get_by_role("link", name=t("nav_search")).click()
    page.wait_for_url("**/search")
    screenshots.take(page, "search-whole-wallet")
    assert layout_problems(page) == []  # the whole wallet: the widest table of the day
    query = page.get_by_label(t("search_query"))
    query.fill(fold(name))
    assert query.input_value() != name  # really typed without diacritics
    with page.expect_navigation():
        query.press("Enter")
    screenshots.take(page, "search-results")
    rows = page.locator("main table tbody tr")
    assert rows.count() >= 1
    first = rows.first.inner_text()
    assert name in first and DOC_TYPES["cccd"].title_vi in first
    card_id = papers.card_truth["fields"]["so_dinh_danh"]
    assert mask_id(card_id) in first
    assert card_id not in page.locator("main").inner_text()  # lists never show a whole ID
    with page.expect_navigation():
        rows.first.get_by_role("link").first.click()


def open_the_paper(page, operator: Account, record_id: str, papers: CounterPapers, screenshots: Screenshots) -> None:
    """The paper's page: the corrected name, the whole ID, who did what where, and the original scan."""
    screenshots.take(page, "document")
    assert layout_problems(page) == []
    assert page.url.endswith(f"/documents/{record_id}")
    name = papers.card_truth["fields"]["ho_ten"]
    main = page.locator("main")
    assert name in main.locator("h1").inner_text()
    name_row = main.locator("tr").filter(has=page.locator("th", has_text=t("review_field_ho_ten")))
    assert name in name_row.inner_text() and t("doc_corrected") in name_row.inner_text()
    assert papers.card_truth["fields"]["so_dinh_danh"] in main.inner_text()  # the document view shows it whole
    # History: who did what where — upload, digitizing, the correction (naming the new value) and the approval.
    history = main.locator("section").filter(has=page.get_by_role("heading", name=t("doc_events"))).locator("tbody tr")
    assert history.count() >= 4
    by_operator = history.filter(has_text=operator.display_name).filter(has_text=STATION)
    assert by_operator.count() == history.count()
    assert by_operator.filter(has_text=name).count() >= 1

    original = page.get_by_role("link", name=t("doc_original"))
    response = page.request.get(original.get_attribute("href"))
    assert response.status == 200
    assert response.body() == papers.card.data  # the original as uploaded, byte for byte
    assert "no-store" in response.headers.get("cache-control", "")


def check_reuse(page, live_app: LiveApp, papers: CounterPapers, screenshots: Screenshots) -> None:
    """Applying for an ID card (procedure 2.000200) with the child's ID: the birth certificate is already held."""
    procedure = "2.000200"
    citizen = papers.birth_truth["fields"]["so_dinh_danh"]
    page.get_by_role("navigation").get_by_role("link", name=t("nav_reuse")).click()
    page.wait_for_url("**/reuse")
    page.get_by_label(t("reuse_procedure")).select_option(procedure)
    page.get_by_label(t("reuse_citizen")).fill(citizen)
    with page.expect_navigation():
        page.locator("main form").get_by_role("button", name=t("reuse_check")).click()
    screenshots.take(page, "reuse-result")
    assert layout_problems(page) == []
    result = page.locator("main section")
    expect(result).to_be_visible()
    rows = result.locator("tbody tr")
    required = load_catalogue().get(procedure).required_papers
    assert {paper.doc_type for paper in required} >= {"khai_sinh", None}
    assert rows.count() == len(required)
    for paper in required:  # one row per paper the procedure asks for, saying what the wallet holds
        row = rows.filter(has_text=paper.name)
        if paper.doc_type == "khai_sinh":
            assert row.get_attribute("data-holding") == "valid"  # held and permanent: not asked for again
            assert row.get_by_role("link", name=t("reuse_open")).get_attribute("href").startswith("/documents/")
        elif paper.doc_type is None:
            assert row.get_attribute("data-holding") == "not_kept"  # an application form: the citizen brings it
    assert citizen not in result.inner_text()  # the result names the citizen masked

    checks = [e for e in events(wallet_store(live_app)) if e.action == "reuse_check"]
    assert len(checks) == 1 and checks[0].details["procedure"] == procedure
    assert checks[0].details["reusable"] == 1


def look_at_the_day(page, accounts: dict[str, Account], screenshots: Screenshots, auto_approved: int) -> None:
    """The admin's home is the dashboard: the day's papers, the backlog, quarantine and the reuse hit."""
    assert page.url.endswith("/dashboard")
    figures = page.request.get("/api/dashboard?fresh=true").json()
    totals = figures["totals"]
    assert (totals["records"], totals["auto_approved"], totals["review_backlog"], totals["quarantined"]) == \
        (2, auto_approved, 0, 1)
    assert (figures["reuse_checks"]["checks"], figures["reuse_checks"]["hits"]) == (1, 1)
    assert [(s["station"], s["total"]) for s in figures["per_station"]] == [(STATION, 2)]
    page.goto("/dashboard?fresh=true")
    screenshots.take(page, "dashboard")
    stats = page.locator("main .stat .value").all_inner_texts()
    assert stats[0] == "2" and stats[2] == "0" and stats[3] == "1"

    page.get_by_role("navigation").get_by_role("link", name=t("nav_users")).click()
    page.wait_for_url("**/admin/users")
    screenshots.take(page, "admin-users")
    listed = page.locator("main table").inner_text()
    assert all(account.username in listed for account in accounts.values())


# The words a page is made of (headings, labels, headers, buttons, menus, badges, hints, messages), not its data.
UI_TEXT = ("title, h1, h2, h3, label, th, button, summary, legend, caption, nav a, .badge, .hint, .flash, "
           "p.muted, .stat .label, .lang-switch")


def walk_every_page_in_english(page, accounts: dict[str, Account], card_record: str, papers: CounterPapers,
                               screenshots: Screenshots) -> None:
    """After switching to English, no page's own words are left in Vietnamese (the papers' data may be)."""
    page.get_by_role("link", name=t("lang_switch")).click()
    page.wait_for_load_state()
    data = {str(v) for truth in (papers.birth_truth, papers.card_truth) for v in truth["fields"].values() if v}
    data |= {p.name for p in load_catalogue().procedures} | {r.name for p in load_catalogue().procedures
                                                               for r in p.required_papers}
    data |= {account.display_name for account in accounts.values()} | {"Tiếng Việt"}  # people, and the way back
    pages = [
        ("/dashboard", "dashboard"), ("/admin/users", "admin-users"), ("/upload", "upload"), ("/review", "review"),
        ("/search", "search-all"), (f"/search?q={fold(papers.card_truth['fields']['ho_ten'])}", "search"),
        (f"/documents/{card_record}", "document"),
        (f"/reuse?procedure=2.000200&citizen={papers.birth_truth['fields']['so_dinh_danh']}", "reuse"),
    ]
    untranslated = {}
    for path, name in pages:
        response = page.goto(path)
        screenshots.take(page, f"en-{name}")
        assert response is not None and response.ok, path
        assert page.locator("html").get_attribute("lang") == "en", path
        assert accessibility_problems(page) == [], path
        assert layout_problems(page) == [], path
        texts = page.locator(UI_TEXT).all_inner_texts() + [page.title()]
        left = [text for text in texts if has_vietnamese(_without(text, data))]
        if left:
            untranslated[path] = left
    assert not untranslated, f"Vietnamese words left on English pages: {untranslated}"


def _without(text: str, data: set[str]) -> str:
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, "")
    return text


def has_vietnamese(text: str) -> bool:
    """Whether ``text`` has a Vietnamese word: two letters or more, one of them đ or with a tone, hat, horn or breve.

    (A lone "đ" is English talking about the letter, as the search hint does.)
    """
    def marked(word: str) -> bool:
        return any(ch in "đĐ" or unicodedata.combining(ch) for ch in unicodedata.normalize("NFD", word))

    return any(len(word) > 1 and marked(word) for word in re.findall(r"\w+", unicodedata.normalize("NFC", text)))


# -- single behaviours ---------------------------------------------------------------------------------------------


def test_operator_signs_in_in_vietnamese_and_switches_to_english(browser, live_app, accounts, screenshots,
                                                                  problems):
    context = new_context(browser, live_app.base_url, problems)
    page = context.new_page()
    page.goto("/")
    assert re.search(r"/login", page.url)
    assert page.locator("html").get_attribute("lang") == "vi"
    screenshots.take(page, "login-vi")
    assert accessibility_problems(page) == []

    page.close()
    page = sign_in(context, accounts["operator"])
    topbar = page.locator("header")
    assert accounts["operator"].display_name in topbar.inner_text()
    assert t("auth_sign_out") in topbar.inner_text()
    screenshots.take(page, "operator-home-vi")

    page.get_by_role("link", name=t("lang_switch")).click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert t("auth_sign_out", "en") in page.locator("header").inner_text()
    assert t("upload_title", "en") in page.locator("main h1").inner_text()
    screenshots.take(page, "operator-home-en")

    page.goto("/")  # the choice is kept (cookie), not only on the page that was switched
    assert page.locator("html").get_attribute("lang") == "en"
    context.close()


def test_operator_is_shown_a_forbidden_page_for_search(browser, live_app, accounts, screenshots, problems):
    context = new_context(browser, live_app.base_url, problems)
    page = sign_in(context, accounts["operator"])
    response = page.goto("/search")
    assert response is not None and response.status == 403
    assert t("auth_forbidden_title") in page.locator("main h1").inner_text()
    screenshots.take(page, "operator-search-forbidden")
    context.close()
