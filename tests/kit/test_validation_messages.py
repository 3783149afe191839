"""Pydantic's refusals worded by one table (``kit.validation``), in each language."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import pytest
from pydantic import BaseModel, Field, ValidationError, field_validator

from liaison.kit.i18n import LANGUAGES, Text, localized
from liaison.kit.plugin import N_
from liaison.kit.validation import InvalidValue, invalid_message


class Colour(StrEnum):
    RED = "red"


class Form(BaseModel):
    name: str = Field(min_length=3, max_length=5)
    count: int = Field(ge=1, le=9)
    on: date
    at: datetime
    colour: Colour
    email: str

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if "@" not in value:
            raise ValueError(N_("is not an e-mail address"))
        if value.endswith("@"):
            raise InvalidValue(Text(N_("unknown party '%(code)s'"), code=value))
        return value


def _errors(**data: Any) -> dict[str, Any]:
    with pytest.raises(ValidationError) as refused:
        Form.model_validate(data)
    return {str(e["loc"][0]): e for e in refused.value.errors()}


def test_each_refusal_reads_in_every_language() -> None:
    errors = _errors(name="ab", count=0, on="soon", at="later", colour="blue", email="x")
    said = {field: invalid_message(error) for field, error in errors.items()}
    english = {field: localized(message, "en") for field, message in said.items()}
    assert english == {
        "name": "must be at least 3 characters",
        "count": "must be 1 or more",
        "on": "enter a date as YYYY-MM-DD",
        "at": "enter a date and time, e.g. 2026-02-10 10:00",
        "colour": "choose one of the listed options",
        "email": "is not an e-mail address",
    }
    french = {field: localized(message, "fr") for field, message in said.items()}
    assert french["name"] == "doit compter au moins 3 caractères"
    assert french["count"] == "doit être d'au moins 1"
    assert french["email"] == "n'est pas une adresse courriel"
    for language in LANGUAGES:  # every message renders; none is left in English elsewhere
        shown = {localized(message, language) for message in said.values()}
        assert all(shown)
        if language != "en":
            assert not shown & set(english.values()), language


def test_missing_and_empty_are_both_required_and_values_reach_the_message() -> None:
    errors = _errors(name="", count=10, on="2026-01-01", at="2026-01-01T10:00Z", colour="red")
    assert localized(invalid_message(errors["name"]), "hi") == "यह फ़ील्ड आवश्यक है"
    assert localized(invalid_message(errors["email"]), "fr") == "ce champ est obligatoire"
    assert localized(invalid_message(errors["count"]), "hi") == "9 या कम होना चाहिए"
    tail = _errors(name="abc", count=1, on="2026-01-01", at="2026-01-01T10:00Z",
                   colour="red", email="ravi@")  # fmt: skip
    assert localized(invalid_message(tail["email"]), "fr") == "partie inconnue « ravi@ »"
