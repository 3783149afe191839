"""No user-facing error is written in English only (issue 17): a ``raise`` of a
``LiaisonError`` in the domains people use passes a message id (``N_("...")``) or a
``Text`` with placeholders, never a bare English literal, an f-string or a string built by
hand. Only the refusals of the node-to-node protocols, read by the peer's operators, stay
English; they are listed here with why."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import liaison

PACKAGE = Path(liaison.__file__).parent
DOMAINS = (
    "api", "cyber", "directory", "exchange", "hitcheck", "idempotency", "kit", "networks",
    "notifications", "policy", "precursors", "retention", "users", "web", "workplan",
)  # fmt: skip
# Errors whose text no person reads in the UI: a protocol's (envelope refusals, TAXII's),
# and the idempotency replay (control flow: the first answer is sent again instead).
PROTOCOL_ERRORS = {"InvalidEnvelope", "TaxiiError", "_Replay"}
# Modules whose refusals stay English, and why.
ALLOWED = {
    # peer-to-peer: what a peer sent is refused with a reason its operators read
    "*/federation.py": "envelopes from a peer",
    "exchange/transfer_*.py": "attachment transfers between nodes",
    "hitcheck/answer.py": "answering a peer's hit/no-hit query",
    "hitcheck/ask.py": "a peer's answer to our query",
    "hitcheck/wire.py": "the hit/no-hit wire format",
    "hitcheck/psi.py": "the PSI protocol",
    "cyber/taxii.py": "TAXII 2.1, for TAXII clients",
    "cyber/taxii_http.py": "TAXII 2.1, for TAXII clients",
    "cyber/pull.py": "pulling a peer's TAXII feed",
    "retention/deletion.py": "deletion certificates from a peer",
    # the operator's terminal and the node's own set-up: English, like the logs
    "*/cli.py": "the command line prints str(error), English",
    "kit/cli.py": "the command line",
    "kit/crypto.py": "key files and configuration",
    "kit/db.py": "database configuration",
    "kit/plugin.py": "the plug-in registry (a programming error)",
}


def _allowed(relative: str) -> bool:
    return any(Path(relative).match(pattern) for pattern in ALLOWED)


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for domain in DOMAINS:
        for path in sorted((PACKAGE / domain).rglob("*.py")):
            relative = path.relative_to(PACKAGE).as_posix()
            yield relative, ast.parse(path.read_text(encoding="utf-8"), relative)


def _error_classes(trees: list[ast.Module]) -> set[str]:
    """``LiaisonError`` and every class that derives from it, found in the source."""
    known = {"LiaisonError"}
    classes = [node for tree in trees for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    grew = True
    while grew:
        grew = False
        for node in classes:
            bases = {base.id for base in node.bases if isinstance(base, ast.Name)}
            if node.name not in known and bases & known:
                known.add(node.name)
                grew = True
    return known - PROTOCOL_ERRORS


def _english(node: ast.expr) -> bool:
    """A message written out in English: a literal, an f-string, or text glued together."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(node.value.strip())
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return _english(node.left) or _english(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr in ("format", "join") and isinstance(node.func.value, ast.Constant)
    return False


def _messages(call: ast.Call) -> Iterator[ast.expr]:
    """The arguments of a raise that people read: the detail, or the field's message."""
    func = call.func
    on_field = isinstance(func, ast.Attribute) and func.attr == "on_field"
    position = 1 if on_field else 0
    if len(call.args) > position:
        yield call.args[position]
    yield from (kw.value for kw in call.keywords if kw.arg in ("detail", "message"))


def _raised(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "on_field":
        func = func.value
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def english_raises() -> list[str]:
    modules = list(_modules())
    errors = _error_classes([tree for _, tree in modules])
    found = []
    for relative, tree in modules:
        if _allowed(relative):
            continue
        for node in ast.walk(tree):
            messages: list[ast.expr] = []
            # every error made, raised at once or returned to be raised later
            if isinstance(node, ast.Call) and _raised(node) in errors:
                messages += _messages(node)
            if isinstance(node, ast.Call) and _raised(node) == "FieldError":
                messages += node.args[1:2]  # a field's message, raised later in a list
            found += [
                f"{relative}:{message.lineno}: {ast.unparse(message)[:70]}"
                for message in messages
                if _english(message)
            ]
    return found


def test_no_user_facing_error_is_a_bare_english_string() -> None:
    """Write ``N_("...")`` for a fixed message, ``Text(N_("... %(x)s"), x=...)`` with
    values, then ``uv run python tools/i18n.py update`` and translate the new ids."""
    assert english_raises() == []


def test_the_scan_catches_what_it_forbids() -> None:
    """The scan itself: each forbidden shape is caught, each allowed one is not."""
    source = """
class Refused(LiaisonError): ...
raise NotFound("no such agency")
raise Refused.on_field("name", f"{name} is taken")
raise Conflict("already " + state)
raise Forbidden(detail="only %s" % role)
raise NotFound(N_("no such agency"))
raise Refused.on_field("name", Text(N_("%(name)s is taken"), name=name))
raise ValueError("not a LiaisonError")
"""
    tree = ast.parse(source)
    errors = _error_classes([tree]) | {"NotFound", "Conflict", "Forbidden"}
    caught = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Raise)
        and isinstance(node.exc, ast.Call)
        and _raised(node.exc) in errors
        and any(_english(message) for message in _messages(node.exc))
    ]
    assert caught == [3, 4, 5, 6]
