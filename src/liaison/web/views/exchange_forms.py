"""Exchange forms → the exchange's pydantic schemas, with errors keyed by form field.

Entities are repeatable rows (kind, value, detail); each row is validated by the
exchange's own entity models and an error names the row, the kind and the field
(``Entity 1 (chemical), CAS number: is not a valid CAS number``). A send refused by
policy or by the markings comes back as a ``SendForm`` carrying the blocking rules;
it is not rolled back, so its audit entry commits with the request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.orm import Session

from liaison.exchange.entities import Entity, EntityKind
from liaison.exchange.schemas import CaseKind, ComposeIn, ReplyIn
from liaison.kit.errors import (
    BlockingRule,
    FieldError,
    Forbidden,
    Message,
    PolicyBlocked,
    ValidationFailed,
)
from liaison.kit.i18n import Label, Text, as_text
from liaison.kit.plugin import N_
from liaison.web.views.forms import FormState, FormValues, attempt, friendly

T = TypeVar("T")
_ENTITY: TypeAdapter[Entity] = TypeAdapter(Entity)

# kind → (value field, its label, detail field, its label)
ENTITY_FIELDS: dict[str, tuple[str, str, str | None, str | None]] = {
    "person": ("name", N_("Name"), "date_of_birth", N_("Date of birth")),
    "organisation": ("name", N_("Name"), "country", N_("Country")),
    "phone": ("number", N_("Phone number"), "region", N_("Region")),
    "email": ("address", N_("E-mail address"), None, None),
    "address": ("text", N_("Address"), "country", N_("Country")),
    "vehicle": ("registration", N_("Registration"), "country", N_("Country")),
    "vessel": ("imo", N_("IMO number"), "name", N_("Vessel name")),
    "flight": ("number", N_("Flight number"), "date", N_("Date")),
    "bank_account": ("iban", N_("IBAN"), "bank", N_("Bank")),
    "crypto_wallet": ("address", N_("Wallet address"), "currency", N_("Currency")),
    "ip": ("address", N_("IP address"), None, None),
    "domain": ("name", N_("Domain"), None, None),
    "url": ("url", N_("URL"), None, None),
    "shipment": ("container", N_("Container number"), "bill_of_lading", N_("Bill of lading")),
    "chemical": ("cas", N_("CAS number"), "name", N_("Name")),
}
ENTITY_KINDS = [(k.value, k.value.replace("_", " ").capitalize()) for k in EntityKind]
ENTITY_LISTS = (
    "entity_kind",
    "entity_value",
    "entity_detail",
    # what is known about a person (the rules read the first four, entity resolution
    # the place of birth; ignored for other kinds)
    "entity_protection",
    "entity_feared",
    "entity_risk",
    "entity_activity",
    "entity_birthplace",
)
PERSON_FACT_COLUMNS = {
    "protection": "protection_status",
    "feared": "feared_country",
    "risk": "mistreatment_risk",
    "activity": "activity_basis",
    "birthplace": "place_of_birth",
}

COMPOSE_FIELDS = (
    "case_title",
    "case_summary",
    "case_kind",
    "type",
    "from_agency_id",
    "to_agency_id",
    "priority",
    "subject",
    "body",
    "tlp",
    "handling_code",
    "source_reliability",
    "information_credibility",
    "legal_basis",
    "legal_basis_reference",
    "mlat_reference",
    "purpose",
    "incident_detected_at",
)
COMPOSE_LISTS = (
    "offences",
    "named_recipients",
    "attachment_ids",
    "to_agency_ids",
    *ENTITY_LISTS,
)
MARKING_FIELDS = (
    "tlp",
    "handling_code",
    "source_reliability",
    "information_credibility",
    "legal_basis",
    "legal_basis_reference",
    "mlat_reference",
    "purpose",
)
REPLY_FIELDS = ("message_id", "type", "outcome", "reason_code", "reason_text", "body")


@dataclass
class SendForm(FormState):
    """A form state that may also carry the rules that blocked the send."""

    rules: list[BlockingRule] = field(default_factory=list)


def entity_rows(values: Mapping[str, str | list[str]], blank: int = 1) -> list[dict[str, str]]:
    """The submitted rows (kind, value, detail, person facts) plus ``blank`` empty ones."""
    columns = [values.get(name, []) for name in ENTITY_LISTS]
    lists = [[c] if isinstance(c, str) else list(c) for c in columns]
    keys = [name.removeprefix("entity_") for name in ENTITY_LISTS]
    count = max((len(c) for c in lists), default=0)
    rows = []
    for index in range(count):
        row = {
            key: (c[index] if index < len(c) else "") for key, c in zip(keys, lists, strict=True)
        }
        if row["kind"] or row["value"] or row["detail"]:
            rows.append(row)
    return rows + [dict.fromkeys(keys, "") for _ in range(blank)]


def _person_facts(row: Mapping[str, str]) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for column, field_name in PERSON_FACT_COLUMNS.items():
        value = row.get(column, "").strip()
        if not value:
            continue
        if field_name == "mistreatment_risk":
            facts[field_name] = value == "yes"
        elif field_name == "activity_basis":
            facts[field_name] = [v for v in (p.strip() for p in value.split(",")) if v]
        else:
            facts[field_name] = value
    return facts


def _message(error: Mapping[str, Any]) -> Message:
    return friendly(error)


def parse_entities(values: FormValues) -> tuple[list[Entity], list[FieldError]]:
    """Validate every filled-in row; errors are keyed ``entity-<n>`` (0-based row)."""
    entities: list[Entity] = []
    errors: list[FieldError] = []
    for index, row in enumerate(entity_rows(values, blank=0)):
        name = f"entity-{index}"
        kind = row["kind"]
        if kind not in ENTITY_FIELDS:
            choose = N_("Entity %(number)s: choose what kind of entity it is")
            errors.append(FieldError(name, Text(choose, number=index + 1)))
            continue
        value_field, value_label, detail_field, detail_label = ENTITY_FIELDS[kind]
        data: dict[str, Any] = {"kind": kind}
        if row["value"]:
            data[value_field] = row["value"]
        if detail_field and row["detail"]:
            data[detail_field] = row["detail"]
        if kind == "person":
            data.update(_person_facts(row))
        if kind == "chemical" and "name" not in data:
            data["name"] = row["value"] or ""
        labels = {
            value_field: value_label,
            detail_field: detail_label,
            "protection_status": N_("Protection status"),
            "feared_country": N_("Feared country"),
            "activity_basis": N_("Known for"),
        }
        try:
            entities.append(_ENTITY.validate_python(data))
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = [str(part) for part in first["loc"][1:]]
            text = _message(first)
            said = text if isinstance(text, str) else ""
            target = loc[0] if loc else said.partition(":")[0]
            shown = labels.get(target) or target.replace("_", " ")
            if isinstance(text, str):
                text = text.removeprefix(f"{target}: ")
            where = N_("Entity %(number)s (%(kind)s), %(field)s: %(message)s")
            errors.append(
                FieldError(
                    name,
                    Text(
                        where,
                        number=index + 1,
                        kind=Label(kind, inline=True),
                        field=Text(shown),
                        message=as_text(text),
                    ),
                )
            )
    return entities, errors


def _blank_to_none(value: str | list[str]) -> str | list[str] | None:
    return None if value == "" else value


def compose_data(values: FormValues, entities: Sequence[Entity]) -> ComposeIn:
    """The ComposeIn of the form; a pydantic error is re-raised naming the form field."""
    data: dict[str, Any] = {
        name: values[name] for name in COMPOSE_FIELDS if name not in MARKING_FIELDS
    }
    data["markings"] = {
        name: _blank_to_none(values[name])
        for name in MARKING_FIELDS
        if _blank_to_none(values[name]) is not None
    }
    data["markings"]["named_recipients"] = values.get("named_recipients", [])
    data["offences"] = values.get("offences", [])
    data["to_agency_ids"] = values.get("to_agency_ids", [])
    data["incident_detected_at"] = _blank_to_none(values["incident_detected_at"])
    data["case_kind"] = values["case_kind"] or CaseKind.STANDARD.value
    data["attachment_ids"] = values.get("attachment_ids", [])
    data["entities"] = list(entities)
    try:
        return ComposeIn.model_validate(data)
    except ValidationError as exc:
        raise fields_failed(exc) from None


def reply_data(values: FormValues) -> ReplyIn:
    data: dict[str, Any] = {k: values[k] for k in ("type", "outcome", "reason_text", "body")}
    data["reason_code"] = values["reason_code"] or None
    try:
        return ReplyIn.model_validate(data)
    except ValidationError as exc:
        raise fields_failed(exc, model_field="reason_code") from None


def fields_failed(exc: ValidationError, model_field: str = "form") -> ValidationFailed:
    """A pydantic error as ValidationFailed on flat form fields (``markings.tlp`` → ``tlp``)."""
    errors = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        name = (loc[1] if loc[0] == "markings" and len(loc) > 1 else loc[0]) if loc else model_field
        errors.append(FieldError(name, _message(error)))
    return ValidationFailed(N_("the form has errors"), errors=errors)


def flatten(exc: ValidationFailed | Forbidden) -> list[FieldError]:
    """Service errors on ``markings.purpose`` point at the form's ``purpose`` field."""
    return [FieldError(e.field.removeprefix("markings."), e.message) for e in exc.errors]


def attempt_send(db: Session, values: FormValues, action: Callable[[], T]) -> T | SendForm:
    """Like ``attempt``; a policy block or a markings refusal is kept (audited), not undone."""

    def guarded() -> T | PolicyBlocked | Forbidden:
        try:
            return action()
        except ValidationFailed as exc:
            raise ValidationFailed(exc.detail, errors=flatten(exc)) from None
        except (PolicyBlocked, Forbidden) as exc:
            return exc

    result = attempt(db, values, guarded)
    if isinstance(result, FormState):
        return SendForm(values=values, errors=result.errors, status=result.status)
    if isinstance(result, PolicyBlocked):
        blocked = N_("Not sent: blocked by policy. %(detail)s")
        message = Text(blocked, detail=as_text(result.detail))
        return SendForm(values=values, message=message, status=403, rules=result.rules)
    if isinstance(result, Forbidden):
        errors = {e.field: e.message for e in flatten(result)}
        refused = Text(N_("Not sent: %(detail)s"), detail=as_text(result.detail))
        return SendForm(values=values, errors=errors, message=refused, status=403)
    return result
