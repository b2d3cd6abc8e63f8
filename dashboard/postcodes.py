"""UK postcodes: normalise, validate, and take the district (outward code)."""

import re

# Outward code: area letters, district digit(s) with optional letter; inward: digit + two letters.
# Inward letters never include C, I, K, M, O or V (Royal Mail's rule).
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][ABD-HJLNP-UW-Z]{2})$")

# Postcode areas wholly in Scotland. DG and TD straddle the border, so they are not here;
# the load resolves those by geography.
SCOTTISH_AREAS = frozenset(
    {"AB", "DD", "EH", "FK", "G", "HS", "IV", "KA", "KW", "KY", "ML", "PA", "PH", "ZE"}
)


class PostcodeError(ValueError):
    """A postcode that cannot be used, with the reason in words."""


def normalise(raw: str) -> str:
    """Return the postcode upper-cased with exactly one space before the inward code.

    Raises PostcodeError with a plain reason when it is not a valid UK postcode.
    """
    text = re.sub(r"\s+", "", str(raw)).upper()
    if not text:
        raise PostcodeError("the postcode is empty")
    if len(text) < 5 or len(text) > 7:
        raise PostcodeError(f"'{raw}' is not a UK postcode (wrong length)")
    match = _POSTCODE.match(text[:-3] + " " + text[-3:])
    if not match:
        raise PostcodeError(f"'{raw}' is not a valid UK postcode")
    return f"{match.group(1)} {match.group(2)}"


def district(postcode: str) -> str:
    """The outward code ('B10') of a normalised postcode."""
    return postcode.split(" ")[0]


def area(postcode: str) -> str:
    """The postcode area letters ('B', 'WS') of a normalised postcode."""
    return re.match(r"[A-Z]+", postcode).group(0)
