"""What an admin sees of a client's words: a table of cases (issue 11, "Privacy in the inbox")."""

from __future__ import annotations

import pytest

from bot.admin.masking import mask

CASES = [
    # Phone numbers, as clients write them.
    ("call me on 650 555 0199", "call me on [phone]"),
    ("my number is (650) 555-0199 pls", "my number is [phone] pls"),
    ("text 6505550199", "text [phone]"),
    ("+1 650 555 0199 is my cell", "[phone] is my cell"),
    ("+44 7700 900123", "[phone]"),
    ("1-800-555-0199", "[phone]"),
    ("ring 555-0199 after 6", "ring [phone] after 6"),
    # E-mail addresses.
    ("email me at jane.doe+help@example.org", "email me at [email]"),
    ("JANE_D@mail.co.uk", "[email]"),
    # Card-like numbers.
    ("my card 4111 1111 1111 1111 got declined", "my card [card] got declined"),
    ("4111-1111-1111-1111", "[card]"),
    ("5500005555555559", "[card]"),
    # Street addresses.
    ("im at 123 Main St", "im at [address]"),
    ("staying at 2250 El Camino Real apt 4b tonight", "staying at [address] tonight"),
    ("he lives at 45 north oak avenue", "he lives at [address]"),
    ("near 1000 broadway", "near [address]"),
    ("301 Fifth Ave, Unit 12, redwood city", "[address], redwood city"),
    # Other long numbers: an id, an account, a social security number.
    ("case number 12345678", "case number [number]"),
    ("ssn 123-45-6789", "ssn [number]"),
    # What must stay: ZIP codes, ages, counts, times, prices.
    ("94063", "94063"),
    ("need a bed in 94063 tonight", "need a bed in 94063 tonight"),
    ("im 17 and my mum kicked me out", "im 17 and my mum kicked me out"),
    ("me and my 3 kids", "me and my 3 kids"),
    ("open at 9:30?", "open at 9:30?"),
    ("cant pay $1200 rent", "cant pay $1200 rent"),
    ("been homeless 2 years", "been homeless 2 years"),
    ("redwood city", "redwood city"),
    ("", ""),
    ("🙏 help 🙏", "🙏 help 🙏"),
]


@pytest.mark.parametrize(("text", "shown"), CASES)
def test_what_identifies_a_person_is_masked_and_the_rest_stays(text: str, shown: str) -> None:
    assert mask(text) == shown


def test_masking_twice_changes_nothing() -> None:
    for text, _ in CASES:
        assert mask(mask(text)) == mask(text)
