"""The batch process's printers: a warm batch's PDF cards printed while its workers go on.

A warm worker used to print each group of its cards itself, after running their
notebooks: its kernel then waited for the print, and the print for the kernel, and every
worker started a browser of its own (a second of CPU and half a gigabyte each). With
Chromium, a warm worker now runs and converts its group's cards only
(:func:`.executors.warm.warm_card_group_unprinted`) and hands them back; the batch process
prints them here (:class:`GroupPrinter`: ``lanes`` threads, each with a renderer of its
own) while the workers run the next groups, and reports each group's cards, in their
jobs' order, once printed.

What a card's print may do is unchanged (:func:`.jobs.finish_cards`): a group that cannot
be printed as one document is printed card by card, so a failing card fails alone; the
renderer replaces a crashed page or browser and retries the card once. A renderer that
does not start fails the cards it was given, each with its error.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence

from ..pdf import ChromiumRenderer, PdfRenderer, make_renderer
from .failure import CardFailure
from .jobs import ConvertedCard, Done, arrived, failed_outcome, merge_outcomes
from .journal import CardOutcome

log = logging.getLogger("eperformance.batch")

Deliver = Callable[[list[CardOutcome]], None]


class _Unavailable:
    """A renderer that did not start: every print raises its error."""

    name = ""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def pdf(self, html: str) -> bytes:
        raise self.error

    def pdf_many(self, pages: Sequence[str]) -> list[bytes]:
        raise self.error

    def close(self) -> None:
        pass


def print_group(done: Sequence[Done], printer: PdfRenderer) -> list[CardOutcome]:
    """The outcomes of a group handed over by a worker (:func:`.jobs.in_transit`), its
    PDFs printed by ``printer``; never raises: whatever fails, fails the group's cards."""
    done = arrived(done)
    try:
        return merge_outcomes(done, printer)
    except Exception as exc:  # noqa: BLE001 - reported as the cards' failure
        failure = CardFailure.of(exc)
        out: list[CardOutcome] = []
        for d in done:
            if isinstance(d, ConvertedCard):
                try:
                    out.append(failed_outcome(d.job, d.nb, d.started, failure))
                except Exception:  # noqa: BLE001 - reported all the same
                    out.append(CardOutcome.failed(d.job.nip, failure))
            else:
                out.append(d)
        return out


class _Slot:
    """One renderer of a :class:`GroupPrinter`, made by the first of its threads that
    asks (the others wait for it); a renderer other than Chromium, which serialises its
    browser calls itself, is used by one thread at a time."""

    def __init__(self, make: Callable[[], PdfRenderer]) -> None:
        self._make = make
        self._made = threading.Lock()
        self.renderer: PdfRenderer | None = None
        self.one_at_a_time = threading.Lock()

    def get(self) -> PdfRenderer:
        with self._made:
            if self.renderer is None:
                try:
                    self.renderer = self._make()
                except Exception as exc:  # noqa: BLE001 - each card given fails with it
                    log.warning("the PDF printer did not start: %s", exc)
                    self.renderer = _Unavailable(exc)
            return self.renderer

    def print(self, done: Sequence[Done]) -> list[CardOutcome]:
        printer = self.get()
        if isinstance(printer, ChromiumRenderer):
            return print_group(done, printer)
        with self.one_at_a_time:
            return print_group(done, printer)

    def close(self) -> None:
        if self.renderer is not None:
            self.renderer.close()


class GroupPrinter:
    """``renderers`` renderers (``make``: started at once, in the background), each used
    by ``threads`` threads, which print the groups handed to :meth:`submit` in turn;
    each group's outcomes, in its jobs' order, go to the ``deliver`` given with it. With
    two threads a renderer, one thread's group is printed by the browser while the
    other's is cut into cards and written.

    :meth:`close` waits for the groups handed over (``cancel``: drops those not started),
    then closes the renderers; it is idempotent."""

    def __init__(self, renderers: int = 1, make: Callable[[], PdfRenderer] = make_renderer,
                 threads: int = 2) -> None:
        self._todo: queue.Queue[tuple[list[Done], Deliver] | None] = queue.Queue()
        self._closed = False
        self._slots = [_Slot(make) for _ in range(max(1, renderers))]
        self._threads = [threading.Thread(target=self._lane, args=(slot,),
                                          name=f"eperf-print-{k}-{t}", daemon=True)
                         for k, slot in enumerate(self._slots) for t in range(max(1, threads))]
        for thread in self._threads:
            thread.start()

    @property
    def renderers(self) -> int:
        return len(self._slots)

    @property
    def threads(self) -> int:
        return len(self._threads)

    def submit(self, done: Sequence[Done], deliver: Deliver) -> None:
        """Print ``done`` (a group as a worker handed it over), then ``deliver`` its
        outcomes (from a printing thread)."""
        if self._closed:
            raise RuntimeError("the printer is closed")
        self._todo.put((list(done), deliver))

    def close(self, cancel: bool = False) -> None:
        if self._closed:
            return
        self._closed = True
        if cancel:
            try:
                while True:
                    self._todo.get_nowait()
            except queue.Empty:
                pass
        for _ in self._threads:
            self._todo.put(None)
        for thread in self._threads:
            thread.join()
        for slot in self._slots:
            slot.close()

    def _lane(self, slot: _Slot) -> None:
        slot.get()  # the renderer starts now, not with the first group
        while (item := self._todo.get()) is not None:
            done, deliver = item
            deliver(slot.print(done))
