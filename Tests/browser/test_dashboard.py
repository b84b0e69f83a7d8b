"""The dashboard in a real browser (Debian's headless Chromium, driven by Playwright).

Run by scripts/browser-check.sh, which serves a copy of the sample ledger and sets:
LEDGER_URL (the server), LEDGER_BIN (the `ledger` binary), LEDGER_DIR (the served copy),
LEDGER_KEYS (the sample's demo keys), CHROMIUM (Debian's chromium binary) and LEDGER_NOW
(one log clock for the server and the CLI).

Every assertion compares what the browser shows with what the CLI says about the same
ledger, or with what the server's own proof endpoint proves.
"""

import base64
import hashlib
import json
import os
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import sync_playwright

URL = os.environ["LEDGER_URL"].rstrip("/")
BIN = os.environ["LEDGER_BIN"]
DIR = os.environ["LEDGER_DIR"]
KEYS = os.environ["LEDGER_KEYS"]
CHROMIUM = os.environ["CHROMIUM"]


def ledger(*args):
    """Runs the CLI on the served copy; returns stdout (the test fails on a non-zero exit)."""
    done = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"ledger {' '.join(args)}: {done.stderr}"
    return done.stdout


def ledger_json(*args):
    return json.loads(ledger(*args, "--json"))


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context()
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


def forums_with_proposals():
    return sorted({p["forum"] for p in ledger_json("board", DIR)})


def test_board_cells_match_cli_board(page):
    forums = forums_with_proposals()
    assert len(forums) >= 4
    for forum in forums:
        cli = {p["id"]: p for p in ledger_json("board", DIR, "--forum", forum)}
        page.goto(f"{URL}/forums/{forum}")
        sections = page.locator("section.proposal")
        shown = sections.evaluate_all("els => els.map(e => e.dataset.proposal)")
        assert sorted(shown) == sorted(cli), forum
        for pid, row in cli.items():
            section = page.locator(f'section.proposal[data-proposal="{pid}"]')
            assert section.get_attribute("data-state") == row["state"]
            cells = section.locator("li.cell").evaluate_all(
                "els => els.map(e => [e.dataset.party, e.dataset.stance, e.querySelector('.abbr').textContent])")
            counts = {}
            for _, stance, _ in cells:
                counts[stance] = counts.get(stance, 0) + 1
            for stance, n in row["counts"].items():
                assert counts.get(stance, 0) == n, (pid, stance)
            # The text label, not only the colour, names the stance.
            labels = {"support": "SUP", "no-objection": "NOB", "object": "OBJ", "abstain": "ABS",
                      "reserve": "RES", "recuse": "REC", "not-spoken": "?"}
            for party, stance, abbreviation in cells:
                assert abbreviation == labels[stance], (pid, party)
            # Blocking first: no objection after a cell that does not block.
            ranks = [0 if s == "object" else 1 if s == "reserve" else 2 for _, s, _ in cells]
            assert ranks == sorted(ranks), pid
            # Each party's cell is its stance in `ledger status`.
            status = ledger_json("status", DIR, pid)
            by_party = {p["party"]: p["stance"] for p in status["positions"]}
            for party, stance, _ in cells:
                assert stance == by_party.get(party, "not-spoken"), (pid, party)


def test_proposal_page_matches_cli_status_and_history(page):
    for pid in [p["id"] for p in ledger_json("board", DIR)]:
        status = ledger_json("status", DIR, pid)
        page.goto(f"{URL}/proposals/{pid}")
        for stance, parties in status["byStance"].items():
            shown = page.locator(f'.stance-group[data-stance="{stance}"] li.position').evaluate_all(
                "els => els.map(e => e.dataset.party)")
            assert sorted(shown) == sorted(parties), (pid, stance)
        not_spoken = page.locator(".not-spoken-party").all_text_contents()
        assert not_spoken == status["notSpoken"], pid
        spoken = len(status["positions"])
        total = spoken + len(status["notSpoken"])
        assert page.locator("#participation").text_content().startswith(f"{spoken} of {total}")
        reasons = {p["party"]: p.get("reason") for p in status["positions"]}
        for party, reason in reasons.items():
            if reason:
                q = page.locator(f'li.position[data-party="{party}"] q').text_content()
                assert q == reason, (pid, party)
        history = ledger_json("history", DIR, pid)
        timeline = page.locator("ol.timeline li").evaluate_all("els => els.map(e => Number(e.dataset.entry))")
        assert timeline == [e["index"] for e in history], pid


def test_was_history_shows_an_earlier_stance(page):
    # In the sample, DE objected to revision 1 of G7-SME-2026-01 and supported revision 2.
    page.goto(f"{URL}/proposals/G7-SME-2026-01")
    was = page.locator('li.position[data-party="DE"] .was').text_content()
    assert "was object" in was


def test_pages_work_without_javascript(browser):
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    try:
        requests = []
        pg.on("request", lambda r: requests.append(r.url))
        for path, needle in [("/", "Forums"), ("/forums/G7", "G7-SME-2026-02"),
                             ("/proposals/Quad-QC-2026-01", "Timeline"), ("/objections", "Open objections"),
                             ("/conflicts", "findings"), ("/lists", "compared"), ("/transparency", "Signatures"),
                             ("/entries", "Entries"), ("/entries/0", "leaf hash")]:
            response = pg.goto(URL + path)
            assert response.status == 200, path
            assert needle in pg.locator("main").inner_text(), path
        pg.goto(URL + "/forums/G7")
        assert pg.locator("li.cell").count() > 0
        pg.goto(URL + "/")
        assert pg.locator("svg.chart > title").count() == 2
        assert pg.locator("table.chart-data").count() == 2
        # Nothing is fetched from anywhere but the server itself (no CDN, no web font).
        assert requests and all(u.startswith(URL + "/") for u in requests), requests
    finally:
        context.close()


def merkle_root_from_inclusion(index, size, leaf_hash, proof):
    """RFC 9162 §2.1.3.2."""
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        assert sn != 0
        if fn & 1 or fn == sn:
            r = hashlib.sha256(b"\x01" + p + r).digest()
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = hashlib.sha256(b"\x01" + r + p).digest()
        fn >>= 1
        sn >>= 1
    assert sn == 0
    return r


def test_timeline_links_reach_entries_whose_leaf_hash_the_proof_proves(page):
    page.goto(f"{URL}/proposals/G7-SME-2026-02")
    hrefs = page.locator("ol.timeline a.entry-link").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert len(hrefs) >= 5
    for href in hrefs:
        page.goto(URL + "/proposals/G7-SME-2026-02")
        page.locator(f'ol.timeline a.entry-link[href="{href}"]').click()
        page.wait_for_url(URL + href)
        index = int(href.rsplit("/", 1)[1])
        leaf = base64.b64decode(page.locator("#leaf-hash").text_content())
        proof_href = page.locator("#proof-link").get_attribute("href")
        assert proof_href == f"/proof/{index}"
        bundle = urllib.request.urlopen(URL + proof_href, timeout=10).read().decode()
        head, note = bundle.split("\n\n", 1)
        lines = head.split("\n")
        assert lines[0] == "c2sp.org/tlog-proof@v1" and lines[1] == f"index {index}"
        hashes = [base64.b64decode(h) for h in lines[2:]]
        origin, size, root = note.split("\n")[:3]
        assert merkle_root_from_inclusion(index, int(size), leaf, hashes) == base64.b64decode(root), href


def test_unknown_forum_and_proposal_are_404_naming_the_nearest(page):
    response = page.goto(URL + "/forums/G8")
    assert response.status == 404
    assert page.locator(".nearest a").text_content() == "G7"
    response = page.goto(URL + "/proposals/G7-SME-2026-03")
    assert response.status == 404
    assert page.locator(".nearest a").text_content().startswith("G7-SME-2026-0")


def events_endpoint_exists():
    try:
        with urllib.request.urlopen(URL + "/api/v1/events", timeout=5) as r:
            return r.status == 200
    except urllib.error.HTTPError:
        return False
    except Exception:
        return True  # a stream that sends nothing within the timeout exists


def test_live_update_without_reload(page):
    if not events_endpoint_exists():
        pytest.skip("GET /api/v1/events is not served on this branch (the JSON API part of issue 12 adds it)")
    pid = "CPTPP-ACC-CR"
    page.goto(f"{URL}/proposals/{pid}")
    before = page.locator("#participation").text_content()
    page.evaluate("window.__notReloaded = true")
    key = os.path.join(KEYS, "DEMO-NOT-SECRET-CPTPP-JP.demo.key")
    ledger("position", DIR, pid, "--key", key, "--party", "JP", "--stance", "support")
    operator = os.path.join(KEYS, "DEMO-NOT-SECRET-demo.minilateral-ledger.example.key")
    ledger("checkpoint", DIR, "--sign", "--key", operator)
    page.wait_for_function(
        "before => document.querySelector('#participation').textContent !== before", arg=before, timeout=20_000)
    assert page.evaluate("window.__notReloaded === true")
    assert page.locator('.stance-group[data-stance="support"] li.position[data-party="JP"]').count() == 1
