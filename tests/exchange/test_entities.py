"""Entities: identifiers are checked, errors name the field, keys match across formats."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from liaison.exchange.entities import Entity
from liaison.exchange.entity_keys import label, match_keys
from liaison.kit.clock import reset_clock, set_clock

ENTITY: TypeAdapter[Entity] = TypeAdapter(Entity)


def parse(data: dict[str, Any]) -> Entity:
    return ENTITY.validate_python(data)


def refused_field(data: dict[str, Any]) -> tuple[str | int, ...]:
    with pytest.raises(ValidationError) as caught:
        parse(data)
    return tuple(caught.value.errors()[0]["loc"])


VALID = [
    ({"kind": "chemical", "name": "1-Boc-4-AP", "cas": "125541-22-2"}, "chemical:cas:125541-22-2"),
    ({"kind": "shipment", "container": "mscu 123456-6"}, "shipment:container:MSCU1234566"),
    ({"kind": "phone", "number": "+91 98765 43210"}, "phone:+919876543210"),
    ({"kind": "phone", "number": "(604) 555-0199", "region": "ca"}, "phone:+16045550199"),
    (
        {"kind": "bank_account", "iban": "gb82 west 1234 5698 7654 32"},
        "bank_account:iban:GB82WEST12345698765432",
    ),
    ({"kind": "vessel", "name": "Ever Given", "imo": "IMO 9811000"}, "vessel:imo:9811000"),
    ({"kind": "email", "address": "Fraud.Desk@Example.CA"}, "email:fraud.desk@example.ca"),
    ({"kind": "ip", "address": "2001:0db8:0000::0001"}, "ip:2001:db8::1"),
    ({"kind": "domain", "name": "Example.COM."}, "domain:example.com"),
    ({"kind": "url", "url": "HTTPS://Example.com/pay?x=1"}, "url:https://example.com/pay?x=1"),
    (
        {
            "kind": "crypto_wallet",
            "currency": "ETH",
            "address": "0x52908400098527886E0F7030069857D2E4169EE7",
        },
        "crypto_wallet:eth:0x52908400098527886e0f7030069857d2e4169ee7",
    ),
    (
        {
            "kind": "crypto_wallet",
            "currency": "BTC",
            "address": "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
        },
        "crypto_wallet:btc:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
    ),
    (
        {
            "kind": "crypto_wallet",
            "currency": "BTC",
            "address": "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
        },
        "crypto_wallet:btc:1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
    ),
    ({"kind": "flight", "number": "ac 0873"}, "flight:AC873"),
    (
        {"kind": "person", "name": "  José   GARCÍA ", "date_of_birth": "1980-01-02"},
        "person:name_dob:jose garcia|1980-01-02",
    ),
]


@pytest.mark.parametrize(("data", "key"), VALID)
def test_valid_identifiers_are_normalised_into_their_key(data: dict[str, Any], key: str) -> None:
    entity = parse(data)
    assert key in match_keys(entity)
    assert label(entity)


INVALID = [
    ({"kind": "chemical", "name": "x", "cas": "125541-22-3"}, "cas"),
    ({"kind": "shipment", "container": "MSCU1234567"}, "container"),
    ({"kind": "phone", "number": "+91 123"}, "number"),
    ({"kind": "phone", "number": "98765 43210"}, "number"),  # no + and no region
    ({"kind": "phone", "number": "+1 604 555 0199", "region": "XX"}, "region"),
    ({"kind": "bank_account", "iban": "GB82 WEST 1234 5698 7654 33"}, "iban"),
    ({"kind": "vessel", "imo": "IMO 9811001"}, "imo"),
    ({"kind": "email", "address": "not-an-address"}, "address"),
    ({"kind": "ip", "address": "300.1.1.1"}, "address"),
    ({"kind": "domain", "name": "-bad-.com"}, "name"),
    ({"kind": "url", "url": "javascript:alert(1)"}, "url"),
    ({"kind": "crypto_wallet", "currency": "ETH", "address": "0x1234"}, "address"),
    ({"kind": "crypto_wallet", "currency": "BTC", "address": "0OIl" * 8}, "address"),
    ({"kind": "flight", "number": "873"}, "number"),
    ({"kind": "person", "name": "A", "nationality": "XX"}, "nationality"),
    (
        {
            "kind": "person",
            "name": "A",
            "documents": [{"type": "passport", "number": "Z1", "country": "QQ"}],
        },
        "country",
    ),
]


@pytest.mark.parametrize(("data", "field"), INVALID)
def test_invalid_identifiers_are_refused_naming_the_field(data: dict[str, Any], field: str) -> None:
    assert refused_field(data)[-1] == field


def test_date_of_birth_in_the_future_is_refused_under_a_moved_clock() -> None:
    set_clock(lambda: datetime(2026, 2, 1, tzinfo=UTC))
    try:
        assert parse({"kind": "person", "name": "A", "date_of_birth": "2026-01-31"})
        loc = refused_field({"kind": "person", "name": "A", "date_of_birth": "2026-02-02"})
        assert loc[-1] == "date_of_birth"
    finally:
        reset_clock()
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    assert refused_field({"kind": "person", "name": "A", "date_of_birth": tomorrow})


def test_transliterations_give_keys_of_their_own_script() -> None:
    person = parse(
        {
            "kind": "person",
            "name": "Gurpreet Singh",
            "transliterations": ["गुरप्रीत सिंह", "ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ"],
            "date_of_birth": "1985-04-13",
            "nationality": "in",
            "documents": [{"type": "passport", "number": "z 123-4567", "country": "in"}],
        }
    )
    keys = match_keys(person)
    assert "person:name_dob:गुरप्रीत सिंह|1985-04-13" in keys  # vowel signs and virama kept
    assert "person:name_dob:ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ|1985-04-13" in keys
    assert "person:doc:IN:Z1234567" in keys
    same = parse({"kind": "person", "name": "GURPREET  singh", "date_of_birth": "1985-04-13"})
    assert set(match_keys(same)) & set(keys)


def test_unknown_kind_is_refused_on_the_kind_field() -> None:
    with pytest.raises(ValidationError) as caught:
        parse({"kind": "spaceship"})
    assert "kind" in str(caught.value)


# Indian mobile and Canadian numbers written the ways officers type them.
_SUBSCRIBERS = st.sampled_from(["+919876543210", "+16045550199", "+442079460958"])


def _formats(e164: str) -> st.SearchStrategy[str]:
    parsed = phonenumbers.parse(e164)
    national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    region = phonenumbers.region_code_for_number(parsed)
    shown = [
        phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
        e164,
        phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.RFC3966)[4:],
    ]
    return st.one_of(
        st.sampled_from(shown).map(lambda text: {"number": text}),
        st.just({"number": national, "region": region}),
    )


@settings(max_examples=60, deadline=None)
@given(_SUBSCRIBERS.flatmap(lambda n: st.tuples(st.just(n), _formats(n), _formats(n))))
def test_phone_keys_equal_however_the_number_is_written(
    case: tuple[str, dict[str, str], dict[str, str]],
) -> None:
    e164, first, second = case
    one = match_keys(parse({"kind": "phone", **first}))
    two = match_keys(parse({"kind": "phone", **second}))
    assert one == two == [f"phone:{e164}"]


_IBANS = st.sampled_from(["GB82WEST12345698765432", "DE89370400440532013000"])


@settings(max_examples=60, deadline=None)
@given(_IBANS, st.lists(st.sampled_from([" ", "  ", ""]), min_size=30, max_size=30), st.booleans())
def test_iban_keys_equal_whatever_spacing_and_case(iban: str, gaps: list[str], lower: bool) -> None:
    written = "".join(ch + gap for ch, gap in zip(iban, gaps, strict=False))
    written = written.lower() if lower else written
    entity = parse({"kind": "bank_account", "iban": written})
    assert match_keys(entity) == [f"bank_account:iban:{iban}"]
