"""The build, start to finish. Each step is one call; read this file as the
table of contents of the program:

    load -> config -> validate + anchor -> link -> plan -> render -> write

Every step returns its value and its problems; nothing is written unless the
whole site is free of errors. The build cache (:mod:`builder.cache`) lets a
rebuild skip what did not change: briefings whose files are unchanged are not
read or anchored again, and pages whose inputs are unchanged are not rendered
again but taken over from the previous output. The two costly steps, a
briefing read and anchored and a page rendered, run in parallel
(:mod:`builder.parallel`); the result is the same file for file.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import operator
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import compress, repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple

import jinja2

if TYPE_CHECKING:
    from concurrent.futures import Executor

from . import link, paging, parallel, search, urls
from .anchor import Article, render_article
from .cache import (
    BuildCache,
    Kept,
    KeptMap,
    digest,
    digest_of,
    fingerprint,
    many_objects,
    output_manifest,
    part_of,
    seal,
    secret_tag,
    site_manifest,
    unseal,
)
from .config import read_config
from .depends import card_digests, page_keys, touched_pages
from .export import assemble, restored, stored
from .link import (
    Found,
    Indexes,
    Uses,
    build_indexes,
    checked,
    found_again,
    found_in,
    update_indexes,
    uses_of,
)
from .load import SIGNATURE_SIZE, RawPair, RawSite, TextFile, load_site, pieces, read_pair
from .model import Briefing, Site, Speaker
from .problems import Position, Problem, Severity, error, strictly, summarise
from .progress import Advance, Progress
from .render import (
    DATA_FILES,
    ENTRIES_SEPARATOR,
    Planned,
    data_entries,
    data_envelope,
    plan_site,
    render_files,
)
from .search import INDEX_DIR, IndexFailed, index_site
from .theme import theme_dirs
from .validate import read_briefing, read_speakers
from .write import (
    Content,
    SearchIndex,
    Spliced,
    check_output_dir,
    list_files,
    output_stamp,
    write_output,
)


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    briefings: int = 0
    speakers: int = 0
    dates: int = 0
    pages: int = 0
    output: Path | None = None
    rendered: int = 0  # files rendered (the others were taken over unchanged)
    written: int = 0  # files whose bytes changed
    # Whether the pages were put in place although the build failed after
    # (the search index of a rebuild could not be made: the last one is kept).
    pages_written: bool = False
    listed: RawSite | None = None  # the site's files as this build listed them
    drafts: int = 0  # briefings marked as drafts, left out of a build without them
    indexed: float | None = None  # seconds spent making the search index, if it was made

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


def build(site_dir: Path, out_dir: Path | None = None, *, strict: bool = False,
          write: bool = True, cache: bool = True, jobs: int | None = None,
          executor: Executor | None = None, progress: Progress | None = None,
          listed: RawSite | None = None, drafts: bool = False, index: bool = True,
          exiting: bool = False) -> Report:
    """Check the site and, if it has no errors and ``write``, write it.

    ``cache``: use and update the site's build cache (only when writing).
    ``jobs``: processes of the builder's own pool (default: one per core; 1 for
    none). ``executor``: run the per-briefing and render stages on this one instead.
    ``progress``: where to report the two long stages as they go (default: nowhere).
    ``listed``: the site's files as they are now, where the caller knows
    (the preview server, told by the file system which files were saved:
    see :func:`builder.load.with_changed_pairs`); the folders are then not
    walked and listed again, and the next build started without it checks
    everything. ``drafts``: publish the briefings marked ``draft: true`` too
    (else they are read and checked, and left out). ``index``: make the
    search index, where the site has search on and a page changed (the
    preview server does not: see :mod:`builder.serve`); else the output
    keeps none. ``exiting``: the process ends after this build (the command
    line's): what the build made is left to the process's end (see
    :data:`_LEFT`).
    """
    store = BuildCache.of_site(site_dir, enabled=cache and write)
    report = Report()
    try:
        with _few_collections():
            _build(report, site_dir, out_dir, store, strict=strict, write=write, jobs=jobs,
                   executor=executor, progress=progress or Progress(), listed=listed,
                   drafts=drafts, index=index, left=_LEFT if exiting else None)
    except _Stopped as stopped:
        report.problems.append(stopped.problem)
        report.output = None
    finally:
        store.close()
    return report


# What builds made, where the process ends after them (``build(exiting=True)``):
# freed there object by object as the build returned, the model of 10,000
# briefings took 0.05 s; the process's end frees it at once.
_LEFT: list[Any] = []


@contextlib.contextmanager
def _few_collections() -> Iterator[None]:
    """The cyclic garbage collector, run seldom while the build runs: a build
    makes hundreds of thousands of objects that live as long as it does (a
    row, an outline and a pair for each briefing) and next to no garbage in
    cycles, and the collector's passes over them were a tenth of a rebuild."""
    threshold = gc.get_threshold()
    gc.set_threshold(100_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def _build(report: Report, site_dir: Path, out_dir: Path | None, store: BuildCache, *,
           strict: bool, write: bool, jobs: int | None, executor: Executor | None,
           progress: Progress, listed: RawSite | None, drafts: bool, index: bool,
           left: list[Any] | None) -> None:
    problems = report.problems
    jobs = jobs or parallel.default_jobs()
    # (Given the listing, the inputs are not walked: their digest is kept as
    # unknown, so that the next build without it does not skip its work.)
    manifest = site_manifest(site_dir, out_dir, strict, drafts, index) \
        if store.enabled and listed is None else None
    inputs = manifest.digest if manifest else b""

    # 1. Read the site's settings and list its files (the briefings are read in step 3).
    # (What the cache holds of the last build's briefings and output is read
    # first: where the folders were walked aside, their pairs come meanwhile.)
    snapshot = _snapshot_of(store)
    recorded = store.outputs() if write else {}
    raw = listed or load_site(site_dir, manifest.listings if manifest else None,
                              manifest.paired if manifest else None)
    report.listed = raw
    del manifest  # its listings: the stats of every file, some twenty megabytes at 10,000
    problems.extend(raw.problems)

    # 2. Site settings; with broken settings the rest is still checked, in UTC.
    config, found = read_config(raw.config)
    problems.extend(found)

    # 3. Each briefing on its own: read and anchored in its article, or taken
    # from the cache where its files and everything it depends on are unchanged.
    speakers, declared, found = _speakers(raw.speakers, store)
    problems.extend(found)
    settings = _Settings(config.timezone if config else "UTC",
                         config.link_mentions if config else True,
                         config.raw_html if config else "text")
    common = digest(fingerprint(), secret_tag(), raw.config.text if raw.config else "",
                    raw.speakers.text if raw.speakers else "")
    results, models, unreadable = _read_briefings(site_dir, raw.pairs, speakers, settings,
                                                  common, store, snapshot, executor, jobs,
                                                  progress)
    problems.extend(unreadable)
    partial: set[str] = set()  # briefings read with errors, their broken parts left out
    for result in results:
        problems.extend(result.read_problems)
        if not result.modelled or any(p.is_error for p in result.read_problems):
            partial.add(result.slug)
        if result.modelled:
            # A briefing with errors of its own only reports errors here: its
            # warnings could be echoes.
            problems.extend(p for p in result.anchor_problems
                            if p.is_error or result.slug not in partial)
    briefings, articles = models.briefings, models.articles
    # The model lives as long as the build: out of the garbage collector's sight.
    gc.freeze()

    # 4. What only the whole site can tell.
    model_key = _model_key(results, common)
    shown = {r.slug: r.shown for r in results if r.modelled}
    problems.extend(_references(models, speakers, set(raw.slugs), declared,
                                not partial and len(briefings) == len(raw.slugs),
                                model_key, store, shown, common))
    if strict:
        report.problems = problems = sorted(strictly(problems))
    report.problems.sort()
    if not report.ok or config is None:
        store.save(None, {"slugs": [r.slug for r in results]})
        return
    # Drafts were read and checked with the rest; unless asked for, they are
    # left out of everything published from here on.
    every = [r.slug for r in results]  # the cache keeps the drafts' entries too
    left_out = set() if drafts else {r.slug for r in results if r.draft}
    if left_out:
        results = [r for r in results if r.slug not in left_out]
        models.leave_out(left_out)
        shown = {slug: seen for slug, seen in shown.items() if slug not in left_out}
        model_key = _model_key(results, common)
    report.drafts = len(left_out)

    # 5. Indexes, and the plan of every file the site will have.
    site = Site(str(site_dir), config, speakers, briefings, raw.static_files)
    indexes, plan, change = _indexes(site, articles, model_key, store, models, shown, common)
    templates = theme_dirs(raw.templates_dir)
    copies = _copies(site_dir, raw.static_files, templates)
    problems.extend(_collisions({p.file for p in plan}, copies, config.search))
    # Counted as every page counts them (link.counts), the dates from the plan:
    # a rebuild need not read the timeline's indexes to count them.
    report.briefings, report.speakers = len(briefings), len(speakers)
    report.dates = sum(p.kind in ("day", "period") and p.page == 1 for p in plan)
    report.pages = sum(p.file.endswith(".html") for p in plan)
    out = out_dir or site_dir / config.output_dir
    named_at = Position("--out") if out_dir else config.output_dir_at
    if write:
        problems.extend(check_output_dir(out, site_dir, named_at))
    if not report.ok:
        return

    # 6. Render what changed, 7. write it (or, checking, render all and keep nothing).
    base = digest(common, *_theme(templates))
    keys = _page_keys(plan, site, indexes, results, base, model_key, change, store)
    previous = _previous_output(store, out, recorded) if write else {}
    del recorded
    outputs: dict[str, tuple[bytes, bytes]] = {}
    todo = [p for p in plan if previous.get(p.file, (b"",))[0] != keys[p.file]]
    report.rendered = len(todo)
    whole = models.whole_articles
    if executor is not None:
        # Rendered elsewhere: another executor's workers get the whole
        # model, read in full, each article with its HTML.
        models.read_all()
        site = dataclasses.replace(site, briefings=dict(briefings))
        whole = {slug: models.whole(slug) for slug in models}
        indexes = indexes.whole()
    elif parallel.pooled(jobs, len(todo)):
        # The builder's own workers inherit the indexes in full, and read
        # each briefing they show from the cache when they first need it
        # (a rebuild of one speaker's pages reads that speaker's briefings,
        # not the site's), and each article's HTML for its page.
        indexes = indexes.whole()
    model = (site, indexes, whole, templates, site_dir)
    briefing_key = functools.cache(lambda slug: keys[urls.briefing_file(slug)])
    spools = contextlib.ExitStack()  # the temporary files of data files (see _spool)
    here = {f"data/{kind}.json": functools.partial(_data_file, kind, site, indexes, articles,
                                                    briefing_key, store, previous, out, spools)
            for kind in _BY_BRIEFING}
    # The builder's own workers start now, before the output folder is locked,
    # and inherit the model; another executor's workers get it once where it can
    # take it (a Dask cluster), else with each task.
    with parallel.pool(jobs if executor is None else 1, len(todo), inherit=model) as own, \
            progress.stage("writing", len(plan), "files") as advance, spools:
        shared = None if executor is None or not todo else parallel.share(executor, model)
        rendered = _render_all(todo, shared, executor or own, jobs, here)
        entries = _with_previous(plan, keys, previous, outputs, report, rendered, advance)
        if not write:
            for _ in entries:
                pass
            return
        identity: dict[str, str] = {}  # of the output, worked out once it is complete
        indexing = None
        if index and config.search:
            indexing = _search_index(report, indexes, model_key, store, bool(previous), jobs)
        else:
            store.keep("search_parts", None)  # the output keeps no index, nor its parts
        try:
            write_output(out, _with_copies(entries, copies, previous, outputs),
                         stamp=lambda: identity.setdefault("id", _identity(outputs).hex()),
                         present=_present(store, out, previous) if previous else None,
                         index=indexing, recycle=_RECYCLED)
        except IndexFailed as failed:
            report.pages_written = failed.pages_written
            raise _Stopped(error(config.search_at, f"{failed}.")) from None
    report.output = out
    if left is not None:
        left.append(locals())
    store.save(outputs, outputs_before=previous, state={
        "slugs": every, "manifest": inputs,
        "output": str(out.resolve()),
        "output_id": identity.get("id") or _identity(outputs).hex(),
        "output_manifest": output_manifest(out), "report": summary_of(report)})


def _search_index(report: Report, indexes: Indexes, model_key: bytes, store: BuildCache,
                  previous: bool, jobs: int) -> SearchIndex:
    """How the output's search index is made: each briefing's page in its part
    (:func:`builder.search.partition`: the year, half, quarter or month it
    was published in, by the publication days of the whole site), up to
    ``jobs`` parts at once; with, where the output is the last build's
    (``previous``), the parts that build made, as it kept them. The parts
    are kept with the model they were made from (``model_key``: the dates
    and the slugs are in it), so a rebuild that changed only articles takes
    them over without reading the days of the site."""
    kept = store.state("search_parts")
    kept_key, kept_parts = kept if isinstance(kept, tuple) and len(kept) == 2 else (None, None)
    if not isinstance(kept_parts, dict):
        kept_key, kept_parts = None, None
    if kept_parts is not None and kept_key == model_key:
        parts = kept_parts
    else:
        parts = {urls.briefing_file(slug): part
                 for slug, part in search.partition(link.publications(indexes)).items()}
        store.keep("search_parts", (model_key, parts))
    return SearchIndex(_indexer(report), parts, kept_parts if previous and kept_parts else {},
                       jobs)


def _indexer(report: Report) -> Callable[[Path, Path], None]:
    """:func:`index_site`, the time from the first part started to the last
    part done kept in ``report`` (parts are made at once, in threads)."""
    spans: list[tuple[float, float]] = []

    def index(pages: Path, target: Path) -> None:
        started = time.perf_counter()
        index_site(pages, target)
        spans.append((started, time.perf_counter()))  # (appending is atomic)
        report.indexed = max(end for _, end in spans) - min(start for start, _ in spans)

    return index


def summary_of(report: Report) -> dict[str, Any]:
    """What the command line prints of a build, kept for a build with nothing to do."""
    return {"lines": [str(p) for p in report.problems],
            "warnings": summarise(report.problems) if report.problems else "",
            "briefings": report.briefings, "speakers": report.speakers,
            "dates": report.dates, "pages": report.pages, "drafts": report.drafts}


# -- 3. the per-briefing stage --------------------------------------------------

@dataclass(frozen=True)
class _Settings:
    """What a briefing's reading and anchoring depend on besides its own files."""

    timezone: str
    link_mentions: bool
    raw_html: str


@dataclass(frozen=True)
class BriefingResult:
    """One briefing read and anchored."""

    slug: str
    briefing: Briefing | None
    read_problems: tuple[Problem, ...]
    article: Article | None
    anchor_problems: tuple[Problem, ...]
    shown: bytes  # digest of what other pages show of it (not its article)
    whole: bytes  # digest of all of it
    texts: bytes = b""  # digest of its two files' texts, as read
    # Its model (briefing, article) sealed for the cache where the cache keeps
    # it: then ``article`` is without its HTML (see :func:`_sealed`).
    sealed: bytes = b""
    # Its article's Markdown (UTF-8) where the cache keeps it and every
    # anchor was found: the text ``briefings reanchor`` starts from. (Not
    # compressed: that was two percent of a cold build, for a few megabytes.)
    kept_article: bytes = b""

    def outline(self) -> Outline:
        return Outline(self.slug, self.read_problems, self.anchor_problems, self.shown,
                       self.whole, self.briefing is not None,
                       self.briefing is not None and self.briefing.draft)


class Outline(NamedTuple):
    """What every build needs of a briefing: all but its model (its annotations
    and its anchored article), which only the pages that show it need. (A
    tuple: ten thousand are made on every build.)"""

    slug: str
    read_problems: tuple[Problem, ...]
    anchor_problems: tuple[Problem, ...]
    shown: bytes
    whole: bytes
    modelled: bool  # read far enough to have a model
    draft: bool = False  # marked 'draft: true'


_OUTLINE = functools.partial(tuple.__new__, Outline)  # (made in C: no call of Python)
_NO_OUTLINE = Outline("", (), (), bytes(16), bytes(16), True)  # a pair not read, snapshot


class Models:
    """Each briefing's model: those made by this build in memory, the others
    read from the cache when first asked for, so that a rebuild that renders
    one briefing's page reads that briefing, not the site. ``briefings`` and
    ``articles`` are the two halves, as mappings by slug.

    Where the cache keeps the models, an article is held here without its
    HTML, which is most of a model and which only the briefing's own page
    shows: ``whole_articles`` reads it back from the cache for that page, in
    whichever process renders it. So the build's memory holds what the
    indexes need of ten thousand briefings, not their text."""

    def __init__(self, store: BuildCache, outlines: list[Outline],
                 remake: Callable[[str], BriefingResult]):
        self._store = store
        self._remake = remake
        self._slugs = [o.slug for o in outlines if o.modelled]
        self._known = frozenset(self._slugs)
        self._models: dict[str, tuple[Briefing, Article]] = {}
        self._slim: set[str] = set()  # whose article is held without its HTML
        self._readers: dict[int, BuildCache] = {os.getpid(): store}  # by process
        self.briefings: Mapping[str, Briefing] = _Half(self, 0)
        self.articles: Mapping[str, Article] = _Half(self, 1)  # perhaps without HTML
        self.whole_articles: Mapping[str, Article] = _Whole(self)

    def add(self, result: BriefingResult) -> None:
        if result.briefing is not None and result.article is not None:
            self.add_model(result.slug, result.briefing, result.article, bool(result.sealed))

    def add_model(self, slug: str, briefing: Briefing, article: Article, slim: bool) -> None:
        """``slim``: the article is without its HTML, which the cache has."""
        self._models[slug] = (briefing, article)
        if slim:
            self._slim.add(slug)
        else:
            self._slim.discard(slug)

    def whole(self, slug: str) -> Article:
        """A briefing's article with its HTML."""
        briefing, article = self.get(slug)
        if slug not in self._slim:
            return article
        for _, sealed in self._reader().models([slug]):
            value = unseal(sealed)
            if isinstance(value, tuple) and len(value) == 2 and value[0] == briefing:
                return value[1]
        result = self._remake(slug)  # the cache could not give it back
        if result.article is None or result.briefing != briefing:
            raise _Stopped(_changed_while_read(slug))
        return result.article

    def get(self, slug: str) -> tuple[Briefing, Article]:
        if slug not in self._models:
            if slug not in self._known:
                raise KeyError(slug)
            self._read([slug])
        return self._models[slug]

    def read_all(self) -> None:
        self._read([s for s in self._slugs if s not in self._models])

    def leave_out(self, slugs: set[str]) -> None:
        """Hold no more the models of ``slugs`` (drafts left out of the build)."""
        self._slugs = [s for s in self._slugs if s not in slugs]
        self._known = self._known - slugs
        for slug in slugs:
            self._models.pop(slug, None)

    def _reader(self) -> BuildCache:
        """The cache, as this process reads it: a forked worker opens a
        connection of its own (one is never shared across a fork)."""
        pid = os.getpid()
        if pid not in self._readers:
            self._readers[pid] = BuildCache(self._store.path)
        return self._readers[pid]

    def _read(self, slugs: list[str]) -> None:
        with many_objects():
            for slug, sealed in self._reader().models(slugs):
                value = unseal(sealed)
                if isinstance(value, tuple) and len(value) == 2:
                    briefing, article = value
                    self._models[slug] = (briefing, dataclasses.replace(article, html=""))
                    self._slim.add(slug)
        for slug in slugs:  # a model the cache could not give back is made again
            if slug not in self._models:
                self.add(self._remake(slug))
                if slug not in self._models:
                    raise _Stopped(_changed_while_read(slug))

    def __iter__(self) -> Iterator[str]:
        return iter(self._slugs)

    def __len__(self) -> int:
        return len(self._slugs)


def _changed_while_read(slug: str) -> Problem:
    return error(Position(f"content/briefings/{slug}.yaml"),
                 "the briefing's files changed while it was read: build again.")


class _Half(Mapping[str, Any]):
    """The briefings or the articles of :class:`Models`."""

    def __init__(self, models: Models, half: int):
        self._models = models
        self._half = half

    def __getitem__(self, slug: str) -> Any:
        return self._models.get(slug)[self._half]

    def __contains__(self, slug: object) -> bool:
        return slug in self._models._known

    def __iter__(self) -> Iterator[str]:
        return iter(self._models)

    def __len__(self) -> int:
        return len(self._models)


class _Whole(_Half):
    """The articles of :class:`Models`, each with its HTML."""

    def __init__(self, models: Models):
        super().__init__(models, 1)

    def __getitem__(self, slug: str) -> Article:
        return self._models.whole(slug)


def _read_briefings(site_dir: Path, pairs: tuple[RawPair, ...], speakers: dict[str, Speaker],
                    settings: _Settings, common: bytes, store: BuildCache,
                    snapshot: list[Any], executor: Executor | None, jobs: int,
                    progress: Progress) -> tuple[list[Outline], Models, list[Problem]]:
    """Every pair's outline in order and the briefings' models (those made
    anew are kept in the cache at once), and the problems of files that could
    not be read after all. ``snapshot``: the last build's outlines, as
    :func:`_snapshot_of` read them back.

    The pairs come unread. The builder's own workers read the files of those
    to do themselves, so that this process never holds the site's texts; for
    another executor, whose workers may not see this folder, they are read
    here as the tasks go out."""
    found, rest = _taken_from(snapshot, pairs, common)
    todo: list[tuple[RawPair, bytes]] = []
    unreadable: list[Problem] = []
    kept = store.briefings(None if len(rest) > len(pairs) // 4 else
                           [pair.slug for pair in rest])
    unread: set[str] = set()
    for pair in rest:
        _take_or_do(pair, kept.get(pair.slug), common, found, todo)
    by_slug = {pair.slug: pair for pair in pairs}

    def remake(slug: str) -> BriefingResult:
        read, _ = read_pair(site_dir, by_slug[slug])
        return _read_one(read, speakers, settings) if read else \
            BriefingResult(slug, None, (), None, (), b"", b"")

    def read_here(chunk: list[tuple[RawPair, bytes]]) -> list[tuple[RawPair, bytes]]:
        sent = []
        for pair, known in chunk:
            read, problems = read_pair(site_dir, pair)
            if read is None:  # changed since its stats were taken, and no longer readable
                unreadable.extend(problems)
            else:
                sent.append((read, known))
        return sent

    made: list[tuple[str, Briefing, Article, bool]] = []  # models, as Models.add_model takes
    with parallel.pool(jobs if executor is None else 1, len(todo)) as own, \
            progress.stage("reading", len(todo), "briefings") as advance:
        given = parallel.share(executor, (speakers, settings)) if todo else None
        tasks = ((chunk if executor is None else read_here(chunk), given, store.enabled,
                  site_dir) for chunk in parallel.chunks(todo, jobs))
        for chunk_results in parallel.run(executor or own, read_chunk, tasks):
            advance(len(chunk_results))
            batch, articles, touched = {}, {}, {}
            for result in chunk_results:
                if isinstance(result, _Unchanged):  # touched, not changed
                    found[result.slug] = _unseal_problems(result.slug, kept[result.slug])
                    touched[result.slug] = by_slug[result.slug].signature
                    continue
                found[result.slug] = outline = result.outline()
                if result.briefing is not None and result.article is not None:
                    made.append((result.slug, result.briefing, result.article,
                                 bool(result.sealed)))
                if not result.texts:  # a pair that could not be read: read again next time
                    unread.add(result.slug)
                elif store.enabled:
                    batch[result.slug] = (Kept(
                        by_slug[result.slug].signature, result.texts, common + result.texts,
                        outline.shown, outline.whole, _seal_problems(outline)),
                        result.sealed or seal((result.briefing, result.article)))
                if result.kept_article:  # (a briefing whose anchors broke keeps the last)
                    articles[result.slug] = result.kept_article
            store.put_briefings(batch)
            store.put_articles(articles)
            store.touched(touched)
    outlines = [found[p.slug] for p in pairs if p.slug in found]
    if store.enabled:
        _keep_snapshot(store, _snapshot(pairs, {slug: outline for slug, outline in found.items()
                                                if slug not in unread} if unread else found,
                                        common), snapshot)
    models = Models(store, outlines, remake)
    for model in made:
        models.add_model(*model)
    return outlines, models, unreadable


def _take_or_do(pair: RawPair, entry: Kept | None, common: bytes, found: dict[str, Outline],
                todo: list[tuple[RawPair, bytes]]) -> None:
    """A briefing's cached outline where its files are as last read and its
    key matches, else the pair to do, with the digest of its texts as the
    cache knows them under the same settings (b"" for none): its files may
    have been touched, not changed."""
    # (A key is the settings' digest and the texts': each row of the cache is one slug's.)
    current = entry is not None and entry.key == common + entry.texts and \
        _unseal_problems(pair.slug, entry)
    if current and pair.signature and entry.signature == pair.signature:
        found[pair.slug] = current
        return
    todo.append((pair, entry.texts if current else b""))


# The outline of every briefing as the last build found it, in runs of
# _RUN briefings: how many under _SNAPSHOT, each run under its number.
_SNAPSHOT = "outlines"
_RUN = 1000


def _snapshot(pairs: tuple[RawPair, ...], found: dict[str, Outline], common: bytes
              ) -> list[tuple[bytes, str, bytes, bytes, bytes, dict[int, bytes]]]:
    """The outline of every pair found, in a few pieces (one for each run of
    :data:`_RUN` pairs) for the next build to read back as they are
    (:func:`_taken_from`), where it read ten thousand rows of the cache and
    made ten thousand entries of them (49 ms and 39 ms of an edit build).
    A piece changes where one of its briefings did: an edit build writes
    one piece again (150 KB), not the whole (1.6 MB, 10-20 ms more to save)."""
    return [_run(pairs[at:at + _RUN], found, common) for at in range(0, len(pairs), _RUN)]


def _snapshot_of(store: BuildCache) -> list[Any]:
    """The pieces :func:`_keep_snapshot` kept (a piece not read back: None)."""
    count = store.state(_SNAPSHOT)
    if not isinstance(count, int):
        return []
    return [store.state(f"{_SNAPSHOT} {number}") for number in range(count)]


def _keep_snapshot(store: BuildCache, pieces_now: list[Any], before: list[Any]) -> None:
    """Keep the pieces of a snapshot that differ from those read ``before``."""
    if len(pieces_now) != len(before):
        store.keep(_SNAPSHOT, len(pieces_now))
    for number, piece in enumerate(pieces_now):
        if number >= len(before) or before[number] != piece:
            store.keep(f"{_SNAPSHOT} {number}", piece)


def _run(pairs: tuple[RawPair, ...], found: dict[str, Outline], common: bytes
         ) -> tuple[bytes, str, bytes, bytes, bytes, dict[int, bytes]]:
    """A piece of :func:`_snapshot`: the settings' digest, the slugs
    (joined), and each pair's signature, digests of what others show of it
    and of all of it, end to end, with the problems (sealed) of the few that
    have any, by place. A pair with no outline or no signature (a linked
    file, read on every build) has zeros for its signature, which no pair's
    stats give."""
    outlines = list(map(found.get, map(_SLUG_OF, pairs)))
    signatures = [pair.signature if outline is not None and len(pair.signature) == _SIGNED
                  else _UNSIGNED for pair, outline in zip(pairs, outlines, strict=True)]
    held = [outline or _NO_OUTLINE for outline in outlines]
    problems = {at: _seal_problems(outline) for at, outline in enumerate(held)
                if outline.read_problems or outline.anchor_problems or not outline.modelled
                or outline.draft}
    return (common, "\0".join(map(_SLUG_OF, pairs)), b"".join(signatures),
            b"".join(map(_SHOWN, held)), b"".join(map(_WHOLE, held)), problems)


def _taken_from(snapshot: list[Any], pairs: tuple[RawPair, ...], common: bytes
                ) -> tuple[dict[str, Outline], list[RawPair]]:
    """The outlines of the pairs whose files are as the last build read them,
    from its :func:`_snapshot`, made under the same settings; and the other
    pairs, to be taken from the cache's rows or read (all those of a piece
    that is missing, or of other briefings)."""
    found: dict[str, Outline] = {}
    rest: list[RawPair] = []
    for at in range(0, len(pairs), _RUN):
        number = at // _RUN
        taken, left = _taken_from_run(snapshot[number] if number < len(snapshot) else None,
                                      pairs[at:at + _RUN], common)
        found.update(taken)
        rest += left
    return found, rest


def _taken_from_run(snapshot: Any, pairs: tuple[RawPair, ...], common: bytes
                    ) -> tuple[dict[str, Outline], list[RawPair]]:
    """:func:`_taken_from` for a piece: every step is a pass the interpreter
    runs in C, but for the pairs that changed or have problems."""
    if not isinstance(snapshot, tuple) or len(snapshot) != 6 or snapshot[0] != common or \
            snapshot[1] != "\0".join(map(_SLUG_OF, pairs)):
        return {}, list(pairs)
    _, _, signed, shown, whole, problems = snapshot
    count = len(pairs)
    if not (isinstance(signed, bytes) and isinstance(shown, bytes) and isinstance(whole, bytes)
            and isinstance(problems, dict) and len(signed) == _SIGNED * count
            and len(shown) == len(whole) == _DIGEST * count):
        return {}, list(pairs)
    same = list(map(operator.eq, map(_SIGNATURE_OF, pairs), pieces(signed, _SIGNED)))
    slugs = list(map(_SLUG_OF, compress(pairs, same)))
    found = dict(zip(slugs, map(_OUTLINE, zip(
        slugs, repeat(()), repeat(()), compress(pieces(shown, _DIGEST), same),
        compress(pieces(whole, _DIGEST), same), repeat(True), repeat(False))), strict=True))
    rest = [pair for pair, kept in zip(pairs, same, strict=True) if not kept]
    for at, sealed in problems.items():
        if isinstance(at, int) and 0 <= at < count and same[at]:
            slug = pairs[at].slug
            value = unseal(sealed) if isinstance(sealed, bytes) else None
            if isinstance(value, tuple) and len(value) == 4:
                found[slug] = found[slug]._replace(read_problems=value[0],
                                                   anchor_problems=value[1],
                                                   modelled=value[2], draft=value[3])
            else:  # not read back: the cache's row, or the files, will tell
                del found[slug]
                rest.append(pairs[at])
    return found, rest


_SIGNED = SIGNATURE_SIZE
_DIGEST = 16
_UNSIGNED = bytes(_SIGNED)
_SLUG_OF = operator.attrgetter("slug")
_SIGNATURE_OF = operator.attrgetter("signature")
_SHOWN = operator.attrgetter("shown")
_WHOLE = operator.attrgetter("whole")


def _seal_problems(outline: Outline) -> bytes:
    """A briefing's problems as the cache keeps them: most have none, and
    are kept as nothing, which costs nothing to read back."""
    if outline.modelled and not outline.read_problems and not outline.anchor_problems \
            and not outline.draft:
        return b""
    return seal((outline.read_problems, outline.anchor_problems, outline.modelled,
                 outline.draft))


def _unseal_problems(slug: str, kept: Kept) -> Outline | None:
    if not kept.problems:  # as nearly every briefing has
        return Outline(slug, (), (), kept.shown, kept.whole, True)
    value = unseal(kept.problems)
    if not isinstance(value, tuple) or len(value) != 4:
        return None
    return Outline(slug, *value[:2], kept.shown, kept.whole, *value[2:])


class _Unchanged(NamedTuple):
    """A briefing whose files were touched since last read, not changed."""

    slug: str


def read_chunk(task: tuple[list[tuple[RawPair, bytes]], tuple[dict[str, Speaker], _Settings],
                           bool, Path]) -> list[BriefingResult | _Unchanged]:
    """Read and anchor a few briefings: a task of the per-briefing stage.

    Each pair comes with the digest of its texts as the cache knows them (see
    :func:`_take_or_do`); a pair that comes unread is read from the site
    folder (the last item). The third item: whether the cache keeps the
    models (see :func:`_sealed`)."""
    pairs, (speakers, settings), kept, site_dir = task
    done: list[BriefingResult | _Unchanged] = []
    for pair, known in pairs:
        read, problems = read_pair(site_dir, pair)
        if read is None:
            done.append(BriefingResult(pair.slug, None, tuple(problems), None, (), b"", b""))
            continue
        texts = digest(read.article.text, read.annotations.text)
        if texts == known:
            done.append(_Unchanged(pair.slug))
            continue
        result = _read_one(read, speakers, settings, texts)
        done.append(_sealed(result, read.article.text) if kept else result)
    return done


def _sealed(result: BriefingResult, markdown: str) -> BriefingResult:
    """A briefing's result as the build holds it where the cache keeps its
    model: the model sealed for the cache, here in the worker that made it,
    and the article without its HTML, which the briefing's page reads back
    from the cache (:meth:`Models.whole`). Where every anchor was found, its
    Markdown goes along, for the cache to keep."""
    if result.briefing is None or result.article is None:
        return result
    valid = not any(p.is_error for p in (*result.read_problems, *result.anchor_problems))
    return dataclasses.replace(result, article=dataclasses.replace(result.article, html=""),
                               sealed=seal((result.briefing, result.article)),
                               kept_article=markdown.encode("utf-8") if valid else b"")


def _read_one(pair: RawPair, speakers: dict[str, Speaker], settings: _Settings,
              texts: bytes = b"") -> BriefingResult:
    briefing, read_problems = read_briefing(pair, settings.timezone)
    article, anchor_problems = (render_article(briefing, speakers, settings.link_mentions,
                                               settings.raw_html)
                                if briefing else (None, []))
    # Other pages show a briefing's annotations and metadata, never its article.
    whole = digest_of((briefing, article))
    # Without its Markdown, which the model no longer needs (the key and the
    # digests cover it).
    annotations = dataclasses.replace(briefing, article="") if briefing else None
    shown = digest_of((
        annotations,
        dataclasses.replace(article, html="", words=0, note_numbers=(), found=())
        if article else None))
    return BriefingResult(pair.slug, annotations, tuple(read_problems), article,
                          tuple(anchor_problems), shown, whole, texts)


# -- 6. render what changed ------------------------------------------------------

def _speakers(file: TextFile | None, store: BuildCache
              ) -> tuple[dict[str, Speaker], set[str] | None, list[Problem]]:
    """What :func:`read_speakers` makes of the file, or the last build's where
    the file is the same."""
    key = digest(fingerprint(), file.text) if file else b""
    if file and store.state("speakers_key") == key:
        kept = store.state("speakers")
        if isinstance(kept, tuple) and len(kept) == 3:
            return kept
    found = read_speakers(file)
    store.keep("speakers_key", key)
    store.keep("speakers", found)
    return found


def _references(models: Models, speakers: dict[str, Speaker], known: set[str],
                declared: set[str] | None, complete: bool, model_key: bytes,
                store: BuildCache, shown: dict[str, bytes], common: bytes) -> list[Problem]:
    """What :func:`check_uses` finds, or the last build's where it was made
    from the same (``model_key``: what other pages see of every briefing, the
    speakers and the settings). It looks at each briefing's :class:`Uses`,
    which the cache keeps by what other pages see of it (``shown``). Where a
    few briefings changed since, the last build's findings are found again
    for those (:func:`found_again`), reading the uses of no other."""
    # (One part: a slug holds no NUL.)
    names = digest("\0".join(sorted(known)), repr(sorted(declared or ())), f"{declared is None}")
    key = digest(model_key, names, f"{complete}")
    if store.state("references_key") == key:
        kept = store.state("references")
        if isinstance(kept, list):
            return kept
    context = digest(common, names)
    found = _found_again(models, known, declared, store, shown, context)
    if found is None:
        before = store.state_map("uses")  # slug -> (what is shown of it, its Uses as a tuple)
        kept_uses = before or {}
        uses: dict[str, Uses] = {}
        todo = []
        for slug, seen in shown.items():
            entry = kept_uses.get(slug)
            if entry is not None and entry[0] == seen:
                uses[slug] = Uses._make(entry[1])
            else:
                todo.append(slug)
        if len(todo) > _FEW:
            models.read_all()
        for slug in todo:
            uses[slug] = uses_of(*models.get(slug))
        found, spellings = found_in(uses, known, declared)
        store.keep_map("references spellings", spellings)
        if todo or uses.keys() != kept_uses.keys():
            # Kept as plain tuples: pickle writes a named tuple through a Python call.
            store.keep_map("uses", {slug: (shown[slug], tuple(found_uses))
                                    for slug, found_uses in uses.items()}, before)
    problems = checked(found, speakers, declared, complete)
    store.keep("references_found", (context, shown, tuple(found)))
    store.keep("references_key", key)
    store.keep("references", problems)
    return problems


def _found_again(models: Models, known: set[str], declared: set[str] | None,
                 store: BuildCache, shown: dict[str, bytes], context: bytes) -> Found | None:
    """The last build's findings found again for the few briefings whose
    ``shown`` changed (or that came or went) since, on the same briefings and
    speakers (``context``); None where that is not what changed."""
    kept = store.state("references_found")
    if not (isinstance(kept, tuple) and len(kept) == 3 and kept[0] == context
            and isinstance(kept[1], dict) and isinstance(kept[2], tuple)
            and len(kept[2]) == len(Found._fields)):
        return None
    shown_before, found = kept[1], Found(*kept[2])
    changed = [slug for slug, seen in shown.items() if shown_before.get(slug) != seen]
    gone = [slug for slug in shown_before if slug not in shown]
    if len(changed) + len(gone) > _FEW:
        return None
    read: dict[int, dict[str, Any] | None] = {}

    def spellings(url: str) -> tuple[Any, ...]:
        number = part_of(url)
        if number not in read:
            read[number] = store.state_part("references spellings", number)
        part = read[number]
        if part is None:
            raise _Unkept
        return part.get(url, ())

    before: dict[str, Uses] = {}
    for slug in [*changed, *gone]:
        if slug in shown_before:
            entry = (store.state_part("uses", part_of(slug)) or {}).get(slug)
            if entry is None or entry[0] != shown_before[slug]:
                return None
            before[slug] = Uses._make(entry[1])
    now = {slug: uses_of(*models.get(slug)) for slug in changed}
    try:
        found, respelled = found_again(found, spellings, before, now, known, declared)
    except _Unkept:
        return None
    if not store.keep_entries("uses", {slug: (shown[slug], tuple(uses))
                                       for slug, uses in now.items()}, gone) or \
            not store.keep_entries("references spellings",
                                   {url: e for url, e in respelled.items() if e},
                                   [url for url, e in respelled.items() if not e]):
        return None
    return found


class _Unkept(Exception):
    """A part of a map the cache no longer holds whole."""


def _indexes(site: Site, articles: Mapping[str, Article], key: bytes, store: BuildCache,
             models: Models, shown: dict[str, bytes], common: bytes
             ) -> tuple[Indexes, list[Planned], _Change | None]:
    """The indexes and the plan, or the last build's where they are made from
    the same (``key``, as for :func:`_references`). Those are kept index by
    index, and read back when first used; an index the cache cannot give back
    is made again, with all the others. Where only some briefings changed
    (``shown``: what other pages see of each), the last build's indexes are
    made again for those (:func:`update_indexes`), not for the whole site."""
    kept_key = store.state("indexes_key")
    plan = _unpack_plan(store.state("plan")) if kept_key is not None else None
    made: list[Indexes] = []

    def make() -> Indexes:
        if not made:
            models.read_all()
            made.append(build_indexes(site.briefings, site.speakers, articles))
            gc.freeze()
        return made[0]

    def read(name: str) -> Any:
        if name in link.BY_BRIEFING:
            return link.ByBriefing(part_of, functools.partial(store.state_part, f"index {name}"),
                                   functools.partial(read_whole, name),
                                   lambda: getattr(make(), name),
                                   link.unpack_card if name == "cards" else None)
        with many_objects():
            if name in link.IN_PARTS:
                kept = read_in_parts[name] = read_whole(name)
                value = dict(sorted(kept.items())) if kept is not None else None
            else:
                value = store.state(f"index {name}")
            if value is not None:
                return link.unpack(name, value)
        return getattr(make(), name)

    def read_whole(name: str) -> KeptMap | None:
        with many_objects():
            return store.state_map(f"index {name}")

    read_in_parts: dict[str, KeptMap | None] = {}  # those of link.IN_PARTS, as read
    if kept_key == key and isinstance(plan, list):
        return Indexes.unpacked(read), plan, None
    before = Indexes.unpacked(read) if isinstance(plan, list) else None
    indexes = change = None
    kept_shown = store.state_map("indexes_shown") if before is not None else None
    if isinstance(kept_shown, dict) and kept_shown.keys() == shown.keys() \
            and store.state("indexes_common") == common:
        changed = [slug for slug, digest in shown.items() if kept_shown[slug] != digest]
        if len(changed) <= max(_FEW, len(shown) // 20):
            indexes = update_indexes(before, {slug: site.briefings[slug] for slug in changed},
                                     {slug: articles[slug] for slug in changed},
                                     site.briefings, site.speakers)
            change = _Change(before, kept_key, changed) if indexes is not None else None
    if indexes is None:
        before, indexes = None, make()
    kept_plan = plan
    if not (before is not None and isinstance(plan, list) and indexes.dated is before.dated
            and indexes.periods.keys() == before.periods.keys()
            and (indexes.tags is before.tags or indexes.tags.keys() == before.tags.keys())
            and paging.counts(indexes, site.speakers, site.config.page_size)
            == {(p.kind, p.arg): p.page for p in plan if p.page > 1}):
        # (Made again for the same briefings in the same order, on the same
        # speakers, days and tags, each list on as many pages, the plan is
        # the last build's.)
        plan = plan_site(site, indexes)
    elif change is not None:
        change = change._replace(same_plan=True)
    store.keep("indexes_key", key)
    store.keep("indexes_common", common)
    store.keep_map("indexes_shown", shown, kept_shown)
    if plan != kept_plan:
        store.keep("plan", tuple(zip(*plan, strict=True)))  # as columns: see link.pack
    for name, part in indexes.parts().items():
        was = before.__dict__.get(name) if before is not None else None
        if was is not None and part is was:
            continue  # the last build's, as kept
        if name in link.BY_BRIEFING:
            pack = link.pack_card if name == "cards" else None
            if isinstance(part, link.Updated) and part.base is was and store.keep_entries(
                    f"index {name}", {slug: pack(entry) if pack else entry
                                      for slug, entry in part.changes.items()}):
                continue
            kept = was.kept if isinstance(was, link.ByBriefing) and was.kept is not None \
                else read_whole(name) if before is not None else None
            store.keep_map(f"index {name}",
                           {slug: pack(entry) if pack else entry for slug, entry in part.items()},
                           kept)
        elif name in link.IN_PARTS:
            store.keep_map(f"index {name}", link.pack(name, part), read_in_parts.get(name))
        else:
            store.keep(f"index {name}", link.pack(name, part))
    return indexes, plan, change


def _unpack_plan(kept: Any) -> list[Planned] | None:
    if not isinstance(kept, tuple) or len(kept) != len(Planned._fields):
        return None
    return list(map(Planned._make, zip(*kept, strict=True)))


class _Change(NamedTuple):
    """Indexes made again for the briefings that changed (:func:`update_indexes`)."""

    before: Indexes  # the last build's
    key: bytes  # the key they were made under
    changed: list[str]  # the briefings made again
    same_plan: bool = False  # the same days, months, years and tags, each list on as many pages


def _page_keys(plan: list[Planned], site: Site, indexes: Indexes, results: list[Outline],
               base: bytes, model_key: bytes, change: _Change | None, store: BuildCache
               ) -> dict[str, bytes]:
    """:func:`page_keys`, from the last build's parts where they were made
    from the same (only articles changed since), or from the same but the
    briefings of ``change``, whose pages are worked out again."""
    kept_key = store.state("page_keys_key")
    kept_before = kept = store.state_map("page_keys")
    cards_before = cards = touched = None
    steady: set[str] = set()
    if kept_key != digest(model_key, base):
        kept = None
        if change is not None and kept_key == digest(change.key, base):
            cards_before = store.state_map("cards")
            if cards_before is not None and kept_before is not None:
                kept = kept_before
                made = card_digests(indexes, change.changed)
                recarded = [s for s, card in made.items() if cards_before.get(s) != card]
                touched = touched_pages(change.before, indexes, change.changed, recarded)
                cards = {**cards_before, **made}
                steady = _steady(plan, indexes, change, recarded)
    keys, kept_now, cards = page_keys(plan, site, indexes, {r.slug: r.whole for r in results},
                                      {r.slug: r.shown for r in results}, base, kept, cards,
                                      touched, steady)
    if kept_now is not kept or touched is not None:
        store.keep("page_keys_key", digest(model_key, base))
        store.keep_map("page_keys", kept_now, kept_before)
        store.keep_map("cards", cards, cards_before or store.state_map("cards"))
    return keys


def _steady(plan: list[Planned], indexes: Indexes, change: _Change, recarded: list[str]
            ) -> set[str]:
    """Those of the pages of everything that show nothing the change could
    alter: with no briefing's card changed (its title, outlet or day) and
    the plan the last build's, the sitemap (the pages, the days of the
    briefings) and the search page (the parts of the index, by the days of
    publication); and the home pages after the first, where the briefings
    are in the same order (they show their cards, the first page also the
    latest summaries and the site's counts)."""
    if recarded or not change.same_plan:
        return set()
    same_order = indexes.latest_first is change.before.latest_first
    return {p.file for p in plan if p.kind in ("sitemap", "search")
            or p.kind == "home" and p.page > 1 and same_order}


# Up to this many changed briefings (or a twentieth of the site) make the last
# build's indexes again; more make them anew.
_FEW = 50


def _model_key(results: list[Outline], common: bytes) -> bytes:
    # One part: each slug ends at its NUL and each digest is 16 bytes long.
    return digest(common, b"".join(b"%s\0%s" % (r.slug.encode(), r.shown) for r in results))


def _theme(templates: list[Path]) -> list[bytes]:
    """A digest of each file of the theme, by its place in it."""
    return [digest(str(path.relative_to(folder)), path.read_bytes())
            for folder in templates for path in sorted(folder.rglob("*")) if path.is_file()]


def _previous_output(store: BuildCache, out: Path, recorded: dict[str, tuple[bytes, bytes]]
                     ) -> dict[str, tuple[bytes, bytes]]:
    """What the cache says the output folder holds (``recorded``, as
    :meth:`BuildCache.outputs` gave it), if it is the output it describes."""
    identity = store.state("output_id")
    if not identity or store.state("output") != str(out.resolve()) \
            or output_stamp(out) != identity:
        return {}
    return recorded


def _present(store: BuildCache, out: Path, previous: dict[str, tuple[bytes, bytes]]
             ) -> list[str]:
    """The files the output holds: those the last build wrote, and, where its
    folders changed since (a page put there by hand), whatever else is there,
    so that the rebuild removes it as a whole new site would."""
    if store.state("output_manifest") == output_manifest(out):
        return list(previous)
    return sorted(set(previous) | set(list_files(out)))


def _identity(outputs: dict[str, tuple[bytes, bytes]]) -> bytes:
    # One part: each path ends at its NUL and each digest is 16 bytes long.
    return digest(b"".join(b"%s\0%s" % (path.encode(), d) for path, (_, d)
                           in sorted(outputs.items())))


class _Stopped(Exception):
    """A problem that ends the build where it is met (a template that fails)."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def _with_previous(plan: list[Planned], keys: dict[str, bytes],
                   previous: dict[str, tuple[bytes, bytes]],
                   outputs: dict[str, tuple[bytes, bytes]], report: Report,
                   rendered: Iterator[tuple[str, bytes | Callable[[], bytes | Spliced], bytes]],
                   advance: Advance
                   ) -> Iterator[tuple[str, Content]]:
    """Each planned file: None where the previous output has it made from the
    same inputs, else its bytes as rendered (None again if they came out the same)."""
    for planned in plan:
        advance(1)
        before = previous.get(planned.file)
        if before and before[0] == keys[planned.file]:
            outputs[planned.file] = before
            yield planned.file, None
            continue
        file, data, data_digest = next(rendered)
        assert file == planned.file, "files are rendered in the order planned"
        outputs[file] = (keys[file], data_digest)
        if before and before[1] == data_digest:
            yield file, None
        else:
            report.written += 1
            yield file, data() if callable(data) else data


def _render_all(todo: list[Planned], model: Any, executor: Executor | None, jobs: int,
                here: dict[str, Callable[[], tuple[bytes, Callable[[], bytes | Spliced]]]]
                ) -> Iterator[tuple[str, bytes | Callable[[], bytes | Spliced], bytes]]:
    """The files to render, in order, with their digests: those of ``here``
    made in this process (by the function given, whose bytes are made only
    when they are needed), the others by render tasks."""
    tasks = [(model, chunk) for chunk in parallel.chunks(
        [p for p in todo if p.file not in here], jobs, most=100,
        weight=lambda planned: _WEIGHT.get(planned.kind, _HEAVIEST))]
    rendered = _checked(parallel.run(executor, render_chunk, tasks))
    for planned in todo:
        if planned.file in here:
            data_digest, data = here[planned.file]()
            yield planned.file, data, data_digest
        else:
            yield next(rendered)


# What a file of each kind weighs in a render task, against a briefing's
# page: about its size at ten thousand briefings (a speaker's page lists some
# three hundred quotes, a day's page a few briefings), so that the files a
# task brings back to be written, a few at a time, stay a few megabytes.
_WEIGHT = {"briefing": 1, "day": 3, "period": 3, "tag": 8}
_HEAVIEST = 12  # a speaker's page, the home page and the site's other lists


def _checked(outcomes: Iterable[list[tuple[str, bytes, bytes]] | Problem]
             ) -> Iterator[tuple[str, bytes, bytes]]:
    for outcome in outcomes:
        if isinstance(outcome, Problem):
            raise _Stopped(outcome)
        yield from outcome


# The data files made of each briefing's entries, and made in the main process
# from those the cache keeps.
_BY_BRIEFING = ("briefings", "quotes", "events")
# The files a rebuild writes over the versions it replaced last time (see
# builder.write): the data files, tens of megabytes each at ten thousand
# briefings, written again by nearly every change.
_RECYCLED = frozenset(f"data/{kind}.json" for kind in DATA_FILES)


def _data_file(kind: str, site: Site, indexes: Indexes, articles: Mapping[str, Article],
               briefing_key: Callable[[str], bytes], store: BuildCache,
               previous: dict[str, tuple[bytes, bytes]], out: Path, spools: contextlib.ExitStack
               ) -> tuple[bytes, Callable[[], bytes | Spliced]]:
    """A data file made of each briefing's entries (:mod:`builder.export`):
    its digest, and the file when asked for. One briefing changed makes its
    own entries again, not the other 9,999's, which come from the file as the
    last build wrote it."""
    file = f"data/{kind}.json"
    order = tuple(indexes.chronological)

    def orders() -> Iterator[tuple[str, ...]]:
        yield order
        older = store.state("data order")  # the order before, where it changed
        if isinstance(older, tuple):
            yield older

    before = restored(store.state(f"data {kind}"), orders()) if file in previous else None
    if before is not None and before.digest != previous[file][1]:
        before = None  # not the file the output holds
    assembled = assemble(
        data_envelope(site, kind), order, briefing_key,
        lambda slug: ENTRIES_SEPARATOR.join(data_entries(kind, site, indexes, articles, slug)),
        before, out / file, functools.partial(_spool, out, spools))
    if assembled.layout != before:
        store.keep(f"data {kind}", stored(assembled.layout))
        if before is None or before.slugs != order:
            store.keep("data order", order)
    return assembled.layout.digest, assembled.data


def _spool(out: Path, spools: contextlib.ExitStack) -> BinaryIO:
    """A temporary file for a file made as it is written (see
    :mod:`builder.export`): beside the output, where the writer copies it
    from, and gone when ``spools`` closes, or when the build ends however it
    ends (a file with no name)."""
    folder = out.parent
    return spools.enter_context(tempfile.TemporaryFile(dir=folder if folder.is_dir() else None))


def render_chunk(task: tuple[Any, list[Planned]]) -> list[tuple[str, bytes, bytes]] | Problem:
    """Render a few files: a task of the render stage. A template error comes
    back as its problem (exceptions of Jinja do not all cross processes)."""
    model, chunk = task
    site, indexes, articles, templates, site_dir = model or parallel.inherited()
    try:
        return [(file, data, digest(data))
                for file, data in render_files(site, indexes, articles, templates, chunk)]
    except jinja2.TemplateError as exc:
        return _template_problem(exc, site_dir)
    except _Stopped as stopped:  # (an article its page could not read back)
        return stopped.problem


def _with_copies(entries: Iterator[tuple[str, Content]], copies: dict[str, Path],
                 previous: dict[str, tuple[bytes, bytes]],
                 outputs: dict[str, tuple[bytes, bytes]]) -> Iterator[tuple[str, Content]]:
    """The rendered files, then the copied ones: taken over where unchanged."""
    yield from entries
    for relative, source in sorted(copies.items()):
        data_digest = digest(source.read_bytes())
        outputs[relative] = (data_digest, data_digest)
        before = previous.get(relative)
        yield relative, None if before and before[1] == data_digest else source


def _copies(site_dir: Path, static_files: tuple[str, ...], templates: list[Path]
            ) -> dict[str, Path]:
    """Theme assets (the site's own override the default's), then content/static/."""
    copies: dict[str, Path] = {}
    for folder in reversed(templates):
        assets = folder / "assets"
        if assets.is_dir():
            for path in sorted(assets.rglob("*")):
                if path.is_file():
                    copies["assets/" + path.relative_to(assets).as_posix()] = path
    for relative in static_files:
        copies[relative] = site_dir / "content" / "static" / relative
    return copies


def _collisions(files: set[str], copies: dict[str, Path], searched: bool) -> list[Problem]:
    return [error(Position(f"content/static/{path}"),
                  f"the static file '{path}' would replace a page the builder writes: "
                  "rename or move it.")
            for path in sorted(set(files) & set(copies))] + [
        error(Position(f"content/static/{path}"),
              f"the static file '{path}' is in the folder of the search index, "
              f"'{INDEX_DIR}/': move it, or set 'search: false' in site.yaml.")
        for path in sorted(copies) if searched and path.startswith(INDEX_DIR + "/")]


def _template_problem(exc: jinja2.TemplateError, site_dir: Path) -> Problem:
    if isinstance(exc, jinja2.TemplateSyntaxError):
        name = exc.filename or exc.name or "template"
        try:
            name = Path(name).resolve().relative_to(site_dir.resolve()).as_posix()
        except ValueError:
            pass
        return Problem(Position(name, exc.lineno or 0), Severity.ERROR,
                       f"template syntax error: {exc.message}. Fix it, or delete the file "
                       "to use the default theme's.")
    return Problem(Position("templates"), Severity.ERROR,
                   f"a template failed: {exc.message or exc}. Check the names it uses against "
                   "the default theme.")
