"""The batch's context cut per unit: cards from a slice equal cards from the whole
context, a slice holds only its unit's data, and a warm kernel's card uses the slice
written for its run (and computes its own context for any other run)."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from eperformance import card as cards
from eperformance import notebook_entry
from eperformance.batch import slices as sl
from eperformance.batch.handoff import CONTEXT_ENV, SECRET_ENV
from eperformance.card import CardRecord, CardsContext, build_cards_context, card_from_context
from eperformance.db.engine import open_engine, upgrade
from eperformance.demo import generate_demo
from eperformance.ingest import run_ingest

REPO = Path(__file__).resolve().parents[1]
PERIOD = "2021-02"
NOW = dt.datetime(2021, 4, 1, 3, 0, tzinfo=dt.UTC)
RUN_ID = "20210401T030000Z-a1b2c3"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    root = tmp_path_factory.mktemp("slices")
    home = root / "home"
    shutil.copytree(REPO / "params", home / "params")
    generate_demo(root / "demo", employees=60, months=2, seed=11)
    url = f"sqlite:///{home / 'data' / 'workbook.sqlite'}"
    (home / "data").mkdir()
    engine = open_engine(url, create=True)
    upgrade(engine)
    assert run_ingest(root / "demo", engine).exit_code == 0
    engine.dispose()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EPERF_HOME", str(home))
        mp.setenv("DATABASE_URL", url)
        yield home, url


@pytest.fixture(scope="module")
def ctx(db: tuple[Path, str]) -> CardsContext:
    engine = open_engine(db[1])
    try:
        return build_cards_context(engine, PERIOD, now=NOW)
    finally:
        engine.dispose()


def test_cards_from_unit_slices_equal_cards_from_the_whole_context(ctx: CardsContext
                                                                   ) -> None:
    groups = sl.unit_groups(ctx)
    assert len(groups) >= 3, "the demo must spread employees over several units"
    parts = cards.split_context(ctx, groups)
    assert sorted(n for p in parts.values() for n in p.nips) == ctx.nips
    checked = 0
    for unit, part in parts.items():
        for nip in part.nips:
            for lang in ("id", "en"):
                whole = card_from_context(ctx, nip, lang, "RUN", now=NOW)
                assert card_from_context(part, nip, lang, "RUN", now=NOW) == whole
                checked += 1
        # only the unit's own rows travel with the slice
        assert set(part.run.employees["nip"]) == set(groups[unit])
        assert set(part.rekap.employees["nip"]) <= set(groups[unit])
        assert set(part.rekap.rejected_and_revision["nip"]) <= set(groups[unit])
        assert set(part.ranks) <= set(groups[unit])
    assert checked == 2 * len(ctx.nips)
    # some card of the demo shows rejected entries and a trend over two months
    assert any(card_from_context(ctx, n, "id", now=NOW).rejected for n in ctx.nips)
    assert any(sum(p.main_figure is not None for p in
                   card_from_context(ctx, n, "id", now=NOW).trend) == 2 for n in ctx.nips)


SECRET = "0" * 64


def _batch_env(monkeypatch: pytest.MonkeyPatch, url: str, folder: Path | None,
               secret: str = SECRET) -> None:
    monkeypatch.setenv(SECRET_ENV, secret)
    monkeypatch.setenv("EPERF_BATCH_SCOPE", "all")
    monkeypatch.setenv("EPERF_NOW", NOW.isoformat())
    monkeypatch.setenv("DATABASE_URL", url)
    if folder is None:
        monkeypatch.delenv(CONTEXT_ENV, raising=False)
    else:
        monkeypatch.setenv(CONTEXT_ENV, str(folder))
    sl.drop_loaded()
    notebook_entry.drop_contexts()  # a fresh kernel


def _kernel_card(nip: str) -> CardRecord:
    """The card the card notebook shows, as a kernel of the batch makes it."""
    return notebook_entry.notebook_card(nip=nip, period=PERIOD, run_id=RUN_ID).record


def test_a_kernel_card_reads_its_unit_slice_and_never_another_runs(
        db: tuple[Path, str], ctx: CardsContext, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _home, url = db
    key = sl.context_key(url, PERIOD, "permenpan-6-2022", False, "all", NOW.isoformat())
    parts = cards.split_context(ctx, sl.unit_groups(ctx))
    assert sl.write_slices(tmp_path / "context", key, parts, SECRET) == len(parts)
    nip = ctx.nips[len(ctx.nips) // 2]
    expected = card_from_context(ctx, nip, "id", RUN_ID, now=NOW)

    def no_scoring(*args: object, **kwargs: object) -> None:
        raise AssertionError("the kernel scored the period instead of reading its slice")

    _batch_env(monkeypatch, url, tmp_path / "context")
    monkeypatch.setattr(notebook_entry, "build_cards_context", no_scoring)
    card = _kernel_card(nip)
    assert card.fingerprint == expected.fingerprint
    assert card.employee == expected.employee
    # a slice written for another clock (another run) is not used: the card scores itself
    other = sl.context_key(url, PERIOD, "permenpan-6-2022", False, "all", "2021-04-02")
    sl.write_slices(tmp_path / "other", other, parts, SECRET)
    _batch_env(monkeypatch, url, tmp_path / "other")
    with pytest.raises(AssertionError, match="scored the period"):
        _kernel_card(nip)
    # no slice folder at all (a kernel on a machine without the run folder): same
    monkeypatch.undo()
    _batch_env(monkeypatch, url, tmp_path / "missing")
    assert _kernel_card(nip).fingerprint == \
        expected.fingerprint
    sl.drop_loaded()
    notebook_entry.drop_contexts()


RAN: list[str] = []


def _planted_ran(value: str) -> None:
    RAN.append(value)


class Planted:
    """A planted pickle's payload: unpickling it calls ``_planted_ran``."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (_planted_ran, ("ran",))


def test_only_slices_signed_by_the_run_are_unpickled(
        db: tuple[Path, str], ctx: CardsContext, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Unpickling runs code: a kernel loads a slice only when its HMAC checks with the
    run's secret (in the job, never on disk). A file planted in the run folder, a slice
    altered after it was written, or one signed with another run's secret is not
    unpickled: the card computes its own context, and equals the expected card."""
    import pickle

    _home, url = db
    key = sl.context_key(url, PERIOD, "permenpan-6-2022", False, "all", NOW.isoformat())
    nip = ctx.nips[0]
    unit = next(u for u, members in sl.unit_groups(ctx).items() if nip in members)
    expected = card_from_context(ctx, nip, "id", RUN_ID, now=NOW).fingerprint
    folder = tmp_path / "context"
    sl.write_slices(folder, key, cards.split_context(ctx, sl.unit_groups(ctx)), SECRET)
    path = folder / sl.slice_name(unit)
    good = path.read_bytes()
    assert good.startswith(sl.MAGIC)
    body = pickle.dumps({"key": key, "unit": unit, "context": Planted()})
    mac_end = len(sl.MAGIC) + 32
    planted = {
        "plain pickle": body,
        "old signature, new body": good[:mac_end] + body,
        "altered byte": good[:-1] + bytes([good[-1] ^ 1]),
    }
    for what, data in planted.items():
        path.write_bytes(data)
        RAN.clear()
        assert sl.load_slice(str(folder), unit, key, nip, SECRET) is None, what
        assert RAN == [], what
        _batch_env(monkeypatch, url, folder)
        assert _kernel_card(nip).fingerprint == \
            expected, what
    # the genuine file, with another run's secret or none: not loaded either
    path.write_bytes(good)
    sl.drop_loaded()
    assert sl.load_slice(str(folder), unit, key, nip, "1" * 64) is None
    assert sl.load_slice(str(folder), unit, key, nip, "") is None
    loaded = sl.load_slice(str(folder), unit, key, nip, SECRET)
    assert loaded is not None and nip in loaded.scores
    # the control: without the signature check, the planted pickle would have run
    pickle.loads(body)
    assert RAN == ["ran"]
    sl.drop_loaded()
    notebook_entry.drop_contexts()


def test_slice_names_are_safe_for_any_unit_code() -> None:
    names = {sl.slice_name(u) for u in ("RSA", "../../etc", "", None, "Unit/1", "ünit")}
    assert len(names) == 5  # "" and None are the same (no unit)
    assert all("/" not in n and n.endswith(".pkl") for n in names)


def test_a_card_job_prints_without_its_secrets() -> None:
    """A Dask worker logs a failed task's arguments: the job's repr leaves out the
    database URL (it may hold a password) and the slices' secret."""
    from eperformance.batch.jobs import CardJob

    job = CardJob(nip="199001012020121001", period=PERIOD, scheme="permenpan-6-2022",
                  lang="id", use_360=False, run_id=RUN_ID, formats=("html",),
                  run_folder="/tmp/run", db_url="postgresql://u:hunter2@db/eperf",
                  notebook="nb.ipynb", home="/tmp", now=NOW.isoformat(), scope="all",
                  context_dir="/tmp/run/.work/context", context_secret=SECRET)
    text = repr(job)
    assert "199001012020121001" in text and "hunter2" not in text and SECRET not in text
