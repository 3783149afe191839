"""What a domain contributes to a node, declared as data, and the registry built from it.

Each domain package has a ``plugin.py`` with one ``PLUGIN = Plugin(...)``;
``liaison.domains`` lists them in order. The app, the worker and the CLI are built
from that list and nothing else: no module is imported for its side effects.

Heavy parts (routers, Typer apps, handlers) are named by reference, ``"module:attr"``,
and imported only when something asks for them, so ``liaison --help`` does not pay
for FastAPI, WeasyPrint or STIX. ``Registry.check`` resolves every reference (the test
suite calls it), so a typo fails CI, not the first envelope.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from importlib import import_module
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:  # only for annotations: listing plug-ins must not import the stack
    import httpx
    from sqlalchemy.orm import Session, sessionmaker

    from liaison.config import Settings

T = TypeVar("T")


def N_(message: str) -> str:
    """Marks a string (a menu label) for the catalogue; whoever shows it translates it."""
    return message


@dataclass(frozen=True)
class ReportSection:
    """A domain's section of the workplan progress report: its title, its HTML for the
    HTML and PDF report (tables and SVG charts; every text in it escaped by the domain)
    and the same in Markdown. Its figures must be fit for both parties to read when the
    report is the joint one (``internal`` False)."""

    title: str
    html: str
    markdown: str


# (db, internal) -> the section, or None when the domain has nothing to report
ReportSectionProvider = Callable[["Session", bool], ReportSection | None]


class Ref(Generic[T]):
    """A lazily imported object, written ``"package.module:attribute"``."""

    def __init__(self, path: str) -> None:
        module, _, attribute = path.partition(":")
        if not module or not attribute:
            raise ValueError(f"a reference is 'module:attribute', not {path!r}")
        self.path = path
        self._module = module
        self._attribute = attribute

    @cached_property
    def target(self) -> T:
        value: T = getattr(import_module(self._module), self._attribute)
        return value

    def __repr__(self) -> str:
        return f"Ref({self.path!r})"


@dataclass(frozen=True)
class InboundContext:
    """What a federation message handler knows about the envelope it applies."""

    settings: Settings
    sender_party: str
    sender_node: str
    envelope_id: str
    seq: int
    registry: Registry


class PayloadRefused(Exception):
    """A well-formed, authenticated envelope whose content this node will not apply."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


# A handler validates its payload and applies it; it flushes, never commits.
MessageHandler = Callable[["Session", InboundContext, dict[str, Any]], None]


@dataclass(frozen=True)
class Purgeable:
    """What the retention purge may erase, for one object type.

    ``expired(db, party, cutoff, limit)`` lists ids of objects ``party`` originated
    whose retention clock started before ``cutoff``; ``origin(db, id)`` names the
    party that originated an object (None if there is no such object here);
    ``erase(db, id)`` erases its content and returns a summary without personal data.
    """

    object_type: str
    expired: Callable[[Session, str, datetime, int], list[str]]
    origin: Callable[[Session, str], str | None]
    erase: Callable[[Session, str], dict[str, Any]]
    category: str = field(default="")

    @property
    def retention_category(self) -> str:
        return self.category or self.object_type


@dataclass(frozen=True)
class JobContext:
    """What a periodic job gets: the node's settings, sessions, registry and HTTP client."""

    settings: Settings
    sessions: sessionmaker[Session]
    registry: Registry
    http: httpx.Client


# A job does one pass and says how much it did; a job that did something is run again
# at once (a backlog drains without waiting a period), one that did nothing waits.
JobRun = Callable[[JobContext], int]


@dataclass(frozen=True)
class Job:
    name: str
    run: Ref[JobRun]
    every: Callable[[Settings], float]  # seconds between passes, from the settings
    # due at once when the worker is woken (this process queued an envelope), whatever
    # its period: the delivery job, so that a message leaves without waiting a poll
    on_wake: bool = False


@dataclass(frozen=True)
class Command:
    """A CLI entry: a Typer sub-app (``group=True``) or a single command function."""

    name: str
    target: Ref[Any]
    help: str
    group: bool = True


@dataclass(frozen=True)
class NavLink:
    """A link a domain adds to the web UI's main navigation (after the built-in ones).

    ``roles`` limits it to callers with one of those role values; empty means everyone
    signed in. The link is marked current for any page under ``href``.
    """

    label: str
    href: str
    roles: frozenset[str] = frozenset()

    def shown_to(self, role: str) -> bool:
        return not self.roles or role in self.roles


# What a domain sends a newly pinned peer: (db, own_party, peer_party) -> items queued.
PeerWelcome = Callable[["Session", str, str], int]

# (db, peer party, payloads) -> None: the peer's signed receipts say it accepted these
# envelopes of one type (applied them, or already had them); runs in the deliverer's
# transaction, the one that stores the receipts.
AcceptedHook = Callable[["Session", str, Sequence[str]], None]

# A demo seed step adds one domain's February 2026 data; returns counts of what it added.
SeedStep = Callable[["Session", str], Mapping[str, int]]


@dataclass(frozen=True)
class Plugin:
    name: str
    api_routers: tuple[Ref[Any], ...] = ()
    web_routers: tuple[Ref[Any], ...] = ()
    commands: tuple[Command, ...] = ()
    message_handlers: Mapping[str, Ref[MessageHandler]] = field(default_factory=dict)
    # (db, settings, object_id, outcome) -> None: release or drop an item a legal
    # reviewer decided on; the outcome type lives in the policy domain.
    release_hooks: Mapping[str, Ref[Callable[..., None]]] = field(default_factory=dict)
    # envelope type -> what follows the peer's receipt accepting envelopes of that type
    accepted_hooks: Mapping[str, Ref[AcceptedHook]] = field(default_factory=dict)
    # object type -> what a legal reviewer calls such an item (an ``N_`` message id)
    review_labels: Mapping[str, str] = field(default_factory=dict)
    purge_rules: tuple[Ref[Purgeable], ...] = ()
    jobs: tuple[Job, ...] = ()
    figures: Mapping[str, Ref[Callable[[Session], Any]]] = field(default_factory=dict)
    seed_steps: tuple[Ref[SeedStep], ...] = ()
    peer_welcome: tuple[Ref[PeerWelcome], ...] = ()
    nav: tuple[NavLink, ...] = ()
    # (db, caller, settings) -> a section of the home page's work queue, or None when the
    # caller's role has nothing to do there (web/views/work_queue.py has the types).
    work_queue: tuple[Ref[Callable[..., Any]], ...] = ()
    # sections of the workplan progress report (joint and internal), in domain order
    report_sections: tuple[Ref[ReportSectionProvider], ...] = ()


def _unique(kind: str, pairs: Iterable[tuple[str, T]]) -> dict[str, T]:
    found: dict[str, T] = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f"two {kind} for {key!r}")
        found[key] = value
    return found


class Registry:
    """Everything the listed plugins contribute, looked up by the parts that use it."""

    def __init__(self, plugins: Iterable[Plugin]) -> None:
        self.plugins = tuple(plugins)
        _unique("domains named", ((p.name, p) for p in self.plugins))
        every = self.plugins
        self._handlers = _unique(
            "message handlers", (kv for p in every for kv in p.message_handlers.items())
        )
        self._releases = _unique(
            "release hooks", (kv for p in every for kv in p.release_hooks.items())
        )
        self._accepted = _unique(
            "accepted hooks", (kv for p in every for kv in p.accepted_hooks.items())
        )
        self._review_labels = _unique(
            "review labels", (kv for p in every for kv in p.review_labels.items())
        )
        self._figures = _unique("figure providers", (kv for p in every for kv in p.figures.items()))
        self.jobs = tuple(job for p in every for job in p.jobs)
        _unique("jobs named", ((j.name, j) for j in self.jobs))

    # federation -----------------------------------------------------------------
    def handler_for(self, message_type: str) -> MessageHandler | None:
        ref = self._handlers.get(message_type)
        return ref.target if ref is not None else None

    def message_types(self) -> list[str]:
        return sorted(self._handlers)

    def accepted_hook(self, message_type: str) -> AcceptedHook | None:
        ref = self._accepted.get(message_type)
        return ref.target if ref is not None else None

    # legal review -----------------------------------------------------------------
    def release_hook(self, object_type: str) -> Callable[..., None] | None:
        ref = self._releases.get(object_type)
        return ref.target if ref is not None else None

    def review_label(self, object_type: str) -> str:
        """What a reviewer calls an item of ``object_type`` (the type itself if unnamed)."""
        return self._review_labels.get(object_type, object_type)

    # retention ----------------------------------------------------------------------
    @cached_property
    def purge_rules(self) -> dict[str, Purgeable]:
        rules = (ref.target for p in self.plugins for ref in p.purge_rules)
        return _unique("purge rules", ((rule.object_type, rule) for rule in rules))

    # dashboards and demo --------------------------------------------------------------
    def figure(self, name: str) -> Callable[[Session], Any] | None:
        ref = self._figures.get(name)
        return ref.target if ref is not None else None

    @property
    def report_sections(self) -> list[ReportSectionProvider]:
        return [ref.target for p in self.plugins for ref in p.report_sections]

    def without_seeds(self, names: Iterable[str]) -> Registry:
        """The same domains, those named contributing no demo seed steps."""
        skipped = set(names)
        if not skipped:
            return self
        return Registry(replace(p, seed_steps=()) if p.name in skipped else p for p in self.plugins)

    @property
    def seed_steps(self) -> list[SeedStep]:
        return [ref.target for p in self.plugins for ref in p.seed_steps]

    @property
    def peer_welcomes(self) -> list[PeerWelcome]:
        return [ref.target for p in self.plugins for ref in p.peer_welcome]

    # web ----------------------------------------------------------------------------
    def nav_links(self, role: str) -> list[NavLink]:
        return [link for p in self.plugins for link in p.nav if link.shown_to(role)]

    @property
    def work_queue(self) -> list[Callable[..., Any]]:
        return [ref.target for p in self.plugins for ref in p.work_queue]

    def check(self) -> None:
        """Import every reference now: a wrong name fails here, not in production."""
        for plugin in self.plugins:
            refs: list[Ref[Any]] = [
                *plugin.api_routers,
                *plugin.web_routers,
                *(c.target for c in plugin.commands),
                *plugin.message_handlers.values(),
                *plugin.release_hooks.values(),
                *plugin.accepted_hooks.values(),
                *plugin.purge_rules,
                *(job.run for job in plugin.jobs),
                *plugin.figures.values(),
                *plugin.seed_steps,
                *plugin.peer_welcome,
                *plugin.work_queue,
                *plugin.report_sections,
            ]
            for ref in refs:
                _ = ref.target
        _ = self.purge_rules
