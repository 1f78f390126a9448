"""Run parameters, card records and the card fragment, in process on a tiny database."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html as htmllib
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from eperformance import i18n
from eperformance.card import build_card, build_cards_context, card_from_context
from eperformance.errors import NoDataError, UsageError
from eperformance.render import card_bundle, card_html
from eperformance.rounding import fmt2
from eperformance.runparams import (
    BatchParams,
    RaporParams,
    RekapUnitParams,
    new_run_id,
    run_id_time,
    validate,
)
from eperformance.scores import ScoreRequest, compute_scores
from test_cards_support import (
    REPO,
    SELF_SCORE,
    XSS_DESCRIPTION,
    XSS_NOTE,
    TinyDb,
    build_tiny_db,
)

NOW = dt.datetime(2021, 6, 1, 3, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TinyDb]:
    tiny = build_tiny_db(tmp_path_factory.mktemp("cards"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EPERF_HOME", str(tiny.home))
        mp.setenv("DATABASE_URL", tiny.url)
        yield tiny
    tiny.engine.dispose()


def _params(nip: str, period: str = "2021-01", **kw: object) -> RaporParams:
    return validate(RaporParams, nip=nip, period=period, **kw)


# --------------------------------------------------------------------------- parameters
def test_nip_accepts_an_integer_and_spaces() -> None:
    assert _params(196510251988122001).nip == "196510251988122001"  # type: ignore[arg-type]
    assert _params("19651025 198812 2 001").nip == "196510251988122001"


@pytest.mark.parametrize("nip", ["../../etc/passwd", "19651025198812200/", "1965102519881220..",
                                 "", "12345", True, 1.5])
def test_bad_nip_is_one_usage_error(nip: object) -> None:
    with pytest.raises(UsageError, match=r"^invalid parameter 'nip': "):
        validate(RaporParams, nip=nip, period="2021-01")


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("period", "2021-13", "invalid parameter 'period': a period is YYYY-MM"),
    ("period", 202101, "invalid parameter 'period': a period is YYYY-MM, YYYY-Qn"),
    ("period", "2021-Q5", "invalid parameter 'period': a period is YYYY-MM, YYYY-Qn"),
    ("period", 2021.0, "invalid parameter 'period': input should be a valid string"),
    ("scheme", "pp-1-1999", "invalid parameter 'scheme': unknown scheme"),
    ("lang", "fr", "invalid parameter 'lang': input should be 'id' or 'en'"),
    ("use_360", "yes", "invalid parameter 'use_360': input should be a valid boolean"),
    ("run_id", "../x", "invalid parameter 'run_id': a run id looks like"),
    ("colour", "red", "unknown parameter 'colour'"),
])
def test_wrong_parameter_is_named(field: str, value: object, expected: str) -> None:
    values: dict[str, object] = {"nip": "196510251988122001", "period": "2021-01", field: value}
    with pytest.raises(UsageError) as exc:
        validate(RaporParams, **values)
    assert str(exc.value).startswith(expected)


@pytest.mark.parametrize(("given", "canonical"), [
    ("2021-05", "2021-05"), ("2021-q2", "2021-Q2"), ("2021-Q4", "2021-Q4"),
    ("2021-s1", "2021-S1"), ("2021", "2021"), (2021, "2021"), (" 2021-S2 ", "2021-S2"),
])
def test_every_period_form_is_a_parameter(given: object, canonical: str) -> None:
    """The one period validator of the notebooks (10, 20, 40): every form of domain.md §7,
    written canonically; a year from papermill's ``-p period 2021`` is an int."""
    assert _params("196510251988122001", given).period == canonical  # type: ignore[arg-type]
    assert validate(RekapUnitParams, period=given).period == canonical
    if isinstance(given, str):
        assert validate(BatchParams, period=given).period == canonical


def test_batch_period_is_text_only() -> None:
    """A scheduler's unquoted ``2021-01`` is the number 2020: never read as a year."""
    with pytest.raises(UsageError, match="'period': input should be a valid string"):
        validate(BatchParams, period=2020)


def test_unit_and_batch_parameters() -> None:
    assert validate(RekapUnitParams, period="2021-01").unit == ""
    for bad in ("..", "a/b", "all", "x" * 65):
        with pytest.raises(UsageError, match="'unit'"):
            validate(RekapUnitParams, period="2021-01", unit=bad)
    batch = validate(BatchParams)
    assert (batch.period, batch.formats, batch.provisional, batch.force) == (
        "previous", "html,pdf,xlsx", False, False)
    assert validate(BatchParams, formats="PDF, html").format_list == ("pdf", "html")
    with pytest.raises(UsageError, match="'formats'"):
        validate(BatchParams, formats="html,docx")


def test_run_id_shape() -> None:
    rid = new_run_id(dt.datetime(2021, 5, 10, 7, 5, 0, tzinfo=dt.UTC))
    assert re.fullmatch(r"20210510T070500Z-[0-9a-f]{6}", rid)
    assert run_id_time(rid) == dt.datetime(2021, 5, 10, 7, 5, tzinfo=dt.UTC)
    assert validate(RaporParams, nip="196510251988122001", period="2021-01", run_id=rid)


@pytest.mark.parametrize(("name", "model", "per_run"), [
    ("rapor.yaml", RaporParams, {"nip": "196510251988122001", "period": "2021-01"}),
    ("rekap-unit.yaml", RekapUnitParams, {"period": "2021-01"}),
])
def test_parameter_files_validate(name: str, model: type, per_run: dict[str, str]) -> None:
    data = yaml.safe_load((REPO / "params" / name).read_text(encoding="utf-8"))
    params = validate(model, **{**data, **per_run})
    assert set(data) | set(per_run) == set(model.model_fields)
    assert params.scheme == "permenpan-6-2022" and params.lang == "id"


# --------------------------------------------------------------------------- i18n
def test_label_dictionaries_have_the_same_keys() -> None:
    assert set(i18n.LABELS["id"]) == set(i18n.LABELS["en"])


def test_numbers_months_and_values() -> None:
    assert i18n.number(85.5, "id") == "85,50" and i18n.number(85.5, "en") == "85.50"
    assert i18n.number(89.995, "id") == "90,00"
    assert i18n.number(26607000.0, "id") == "26.607.000,00"
    assert i18n.quantity(8.0, "id") == "8" and i18n.quantity(2.5, "id") == "2,50"
    assert i18n.month_label("2021-01", "id") == "Januari 2021"
    assert i18n.month_label("2021-05", "en") == "May 2021"
    assert i18n.date_label(dt.date(2021, 5, 10), "id") == "10 Mei 2021"
    assert i18n.value_label("Baik", "en") == "Baik (good)"
    assert i18n.value_label("Baik", "id") == "Baik"


# --------------------------------------------------------------------------- records
def test_card_figures_are_the_scores(db: TinyDb) -> None:
    card = build_card(db.engine, _params(db.strong), now=NOW)
    run = compute_scores(db.engine, ScoreRequest(period=db.period, nip=db.strong))
    score = run.scores[0]
    assert (card.nilai_skp, card.nilai_perilaku, card.predikat) == (
        score.nilai_skp, score.nilai_perilaku, score.predikat)
    assert [a.capaian for a in card.assignments] == [a.capaian for a in score.assignments]
    assert card.employee.nip == db.strong and card.assessor is not None
    assert card.standing.rank is not None and card.standing.of >= card.standing.rank
    assert [p.period for p in card.trend][-2:] == ["2020-12", "2021-01"]
    assert card.trend[-1].main_figure == score.main_figure
    assert card.provisional is False
    assert card.signature_place and card.ministry


def test_fingerprint_covers_what_the_card_shows(db: TinyDb) -> None:
    a = build_card(db.engine, _params(db.strong), now=NOW)
    b = build_card(db.engine, _params(db.strong), now=NOW + dt.timedelta(days=3))
    assert a.run_id != b.run_id and a.generated_at != b.generated_at
    assert a.fingerprint == b.fingerprint and re.fullmatch(r"[0-9a-f]{64}", a.fingerprint)
    en = build_card(db.engine, _params(db.strong, lang="en"), now=NOW)
    assert en.fingerprint != a.fingerprint
    pp30 = build_card(db.engine, _params(db.strong, scheme="pp-30-2019"), now=NOW)
    assert pp30.fingerprint != a.fingerprint
    changed = dataclasses.replace(a, nilai_skp=(a.nilai_skp or 0) + 0.01)
    from eperformance.card import card_fingerprint

    assert card_fingerprint(changed) != a.fingerprint


def test_many_cards_from_one_context_equal_the_single_card(db: TinyDb) -> None:
    ctx = build_cards_context(db.engine, db.period, now=NOW)
    assert db.strong in ctx.nips and db.empty in ctx.nips
    batch = card_from_context(ctx, db.strong, "id", "20210601T030000Z-abcdef", now=NOW)
    single = build_card(db.engine, _params(db.strong), now=NOW)
    assert batch.fingerprint == single.fingerprint
    assert batch.run_id == "20210601T030000Z-abcdef"


def test_employee_without_assignments_gets_a_card_saying_so(db: TinyDb) -> None:
    card = build_card(db.engine, _params(db.empty), now=NOW)
    assert card.assignments == () and card.predikat is None
    assert "notice_no_assignment" in card.notices
    assert "notice_no_behaviour" in card.notices
    page = card_html(card)
    assert "Belum ada penugasan bulan ini" in page
    assert 'data-field="predikat" data-value=""' in page
    en = card_html(build_card(db.engine, _params(db.empty, lang="en"), now=NOW))
    assert "No assignments this month" in en


def test_withheld_card_names_the_supervisor_and_what_waits(db: TinyDb) -> None:
    """§5: the card of an employee whose entry awaits verification shows no Nilai SKP nor
    predikat, keeps the assignment rows, and its notice names the supervisor and how many
    entries and how much output wait, in both languages."""
    card = build_card(db.engine, _params(db.withheld), now=NOW)
    run = compute_scores(db.engine, ScoreRequest(period=db.period, nip=db.withheld))
    score = run.scores[0]
    assert "verifikasi belum selesai" in card.keterangan
    assert card.nilai_skp is None and card.predikat is None and card.main_figure is None
    assert card.assignments and card.standing.rank is None
    pv = card.pending_verification
    assert pv is not None and card.assessor is not None and pv.supervisor == card.assessor
    assert pv.entries == score.pending_entries >= 1 and pv.quantity >= 2
    assert card.notices.index("notice_verification_pending") < card.notices.index(
        "notice_not_ranked")
    page = _visible_text(card_html(card))
    sup = card.assessor
    assert (f"Verifikasi belum selesai: {pv.entries} entri aktivitas "
            f"({i18n.quantity(pv.quantity, 'id')} satuan keluaran)") in page
    assert f"{sup.name} (NIP {sup.nip_display})" in page
    en = _visible_text(card_html(build_card(db.engine, _params(db.withheld, lang="en"),
                                            now=NOW)))
    assert f"Verification not finished: {pv.entries} activity entries" in en
    assert sup.name in en
    strong = build_card(db.engine, _params(db.strong), now=NOW)
    assert strong.pending_verification is None
    assert "notice_verification_pending" not in strong.notices


def test_user_errors(db: TinyDb) -> None:
    with pytest.raises(UsageError, match="unknown NIP"):
        build_card(db.engine, _params("196510251988122009"))
    with pytest.raises(NoDataError, match="no data for 2030-01"):
        build_card(db.engine, _params(db.strong, period="2030-01"))


def test_provisional_month_shows_sementara(db: TinyDb) -> None:
    inside = dt.datetime(2021, 1, 20, tzinfo=dt.UTC)
    card = build_card(db.engine, _params(db.strong), now=inside)
    assert card.provisional
    assert "SEMENTARA" in card_html(card)
    assert "SEMENTARA (provisional)" in card_html(dataclasses.replace(card, lang="en"))
    assert "SEMENTARA" not in card_html(build_card(db.engine, _params(db.strong), now=NOW))


# --------------------------------------------------------------------------- fragment
class _Parsed(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_data_text_is_escaped(db: TinyDb) -> None:
    page = card_html(build_card(db.engine, _params(db.xss), now=NOW))
    parsed = _Parsed(page)
    assert "script" not in parsed.tags and "img" not in parsed.tags
    assert XSS_DESCRIPTION in parsed.text and XSS_NOTE in parsed.text
    assert "<script>alert(1)" not in page and "<img src=x" not in page


def _visible_text(page: str) -> str:
    page = re.sub(r"<style.*?</style>", " ", page, flags=re.S)
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", page))


def _label_pattern(label: str) -> str:
    """A label as a whole-word pattern; ``{placeholders}`` match any word."""
    body = re.sub(r"\\\{\w+\\\}", r"\\S+", re.escape(label))
    return r"(?<!\w)" + body + r"(?!\w)"


def test_english_card_has_no_indonesian_label(db: TinyDb) -> None:
    for nip in (db.strong, db.empty, db.xss):
        text = _visible_text(card_html(build_card(db.engine, _params(nip, lang="en"), now=NOW)))
        leaked = [
            value for key, value in i18n.LABELS["id"].items()
            if value != i18n.LABELS["en"][key] and re.search(_label_pattern(value), text)
        ]
        assert leaked == [], nip


def test_self_rating_is_shown_apart_and_not_counted(db: TinyDb) -> None:
    card = build_card(db.engine, _params(db.xss), now=NOW)
    line = next(a for a in card.aspects if a.aspect == "akuntabel")
    assert line.self_score == SELF_SCORE and line.score != SELF_SCORE
    run = compute_scores(db.engine, ScoreRequest(period=db.period, nip=db.xss))
    assert line.score == run.scores[0].aspect_scores["akuntabel"]
    assert f'data-self="{fmt2(SELF_SCORE)}"' in card_html(card)


def test_card_numbers_use_the_rounding_rule(db: TinyDb) -> None:
    card = build_card(db.engine, _params(db.strong), now=NOW)
    page = card_html(card)
    assert f'data-field="nilai_skp" data-value="{fmt2(card.nilai_skp)}"' in page
    shown = i18n.number(card.nilai_skp, "id")
    assert "," in shown and shown in page


@pytest.mark.parametrize("scheme", ["pp-30-2019", "pp-46-2011"])
def test_older_schemes_show_the_final_number(db: TinyDb, scheme: str) -> None:
    card = build_card(db.engine, _params(db.strong, scheme=scheme), now=NOW)
    page = card_html(card)
    assert f'data-field="nilai_akhir" data-value="{fmt2(card.nilai_akhir)}"' in page
    if scheme == "pp-46-2011":
        assert 'data-col="waktu"' in page and "Sebutan" in page


def test_notebook_display_carries_metadata(db: TinyDb) -> None:
    card = build_card(db.engine, _params(db.strong), now=NOW)
    data, meta = card_bundle(card)
    assert data["text/html"].startswith("<style>")
    assert meta["eperf"]["fingerprint"] == card.fingerprint
    assert meta["eperf"]["kind"] == "card" and meta["eperf"]["lang"] == "id"


def test_outputs_folder_untouched(db: TinyDb) -> None:
    assert not (Path(db.home) / "outputs").exists()


# --------------------------------------------------------------------------- answers
def test_card_answers_the_employee_s_questions(db: TinyDb) -> None:
    """Signed on the period's closing date (not the print date); flagged entries listed;
    one date style; a capped capaian and a tied rank said as such (issue 18)."""
    ctx = build_cards_context(db.engine, db.period, now=NOW)
    closing = dt.date(2021, 2, 5)  # 2021-01 closes on the 5th of the next month
    cards = [card_from_context(ctx, n, "id", now=NOW) for n in ctx.nips]
    assert {c.signature_date for c in cards} == {closing}
    flagged = [c for c in cards if c.flags]
    assert flagged, "the demo month flags some entries"
    rows = ctx.rekap.entry_flags
    for c in flagged:
        mine = rows[rows["nip"] == c.employee.nip]
        assert len(c.flags) == len(mine)
    page = card_html(flagged[0])
    assert 'data-table="flags"' in page and "5 Februari 2021" in page
    assert not re.search(r"\b\d{2}/\d{2}/\d{4}\b", page)  # no second date style
    # capaian: 100 x RO / TO above the cap shows the cap and says so
    capped = [a for c in cards for a in c.assignments if a.capped]
    assert capped, "the demo month has output above 120 % of a target"
    assert all(a.capaian == 120 and a.realised_quantity > 1.2 * a.target_quantity
               for a in capped)
    not_capped = [a for c in cards for a in c.assignments if not a.capped]
    assert all(a.realised_quantity <= 1.2 * a.target_quantity for a in not_capped)
    for c in cards:
        if any(a.capped for a in c.assignments):
            assert 'data-field="capaian_capped"' in card_html(c)
            break


def test_tied_ranks_show_the_places_they_share() -> None:
    from types import SimpleNamespace

    from eperformance.unit_recap import ranks

    run = SimpleNamespace(scores=[
        SimpleNamespace(unit_code="U", nip=n, main_figure=f)
        for n, f in (("a", 90.0), ("b", 85.0), ("c", 85.0), ("d", 70.0), ("e", None))])
    got = {n: (r.rank, r.last, r.of) for n, r in ranks(run).items()}  # type: ignore[arg-type]
    assert got["a"] == (1, 1, 4) and got["b"] == got["c"] == (2, 3, 4)
    assert got["d"] == (4, 4, 4) and got["e"][0] is None
    assert i18n.labels("id")["rank_tied_of"].format(rank=2, last=3, of=4).startswith(
        "2–3 dari 4")


def test_late_decisions_name_the_activity(db: TinyDb) -> None:
    ctx = build_cards_context(db.engine, db.period, now=NOW)
    late = ctx.rekap.late_decisions
    assert {"activity_code", "description"} <= set(late.columns)
