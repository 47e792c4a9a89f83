"""Temperatures in her unit on the form, in Celsius everywhere else (the
triage contract, storage, rules).

A Fahrenheit reading is converted exactly (decimal arithmetic on what she
typed) and kept to two decimals. With at most one decimal typed, as a
thermometer shows, that rounding can never move a reading across a rule's
threshold: every threshold (36.0, 37.5, 38.0, 39.0 C) is exactly a
one-decimal Fahrenheit value (96.8, 99.5, 100.4, 102.2 F), and the next
one-decimal value either side is 0.056 C away, far more than the 0.005 C
rounding can move it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

CELSIUS, FAHRENHEIT = "C", "F"
HUNDREDTHS = Decimal("0.01")


@dataclass(frozen=True)
class Unit:
    code: str
    symbol: str  # "°C"
    name: str  # "Celsius", as the question says it
    example: str  # a reading to show how to type one


UNITS = {
    CELSIUS: Unit(CELSIUS, "°C", "Celsius", "37.5"),
    FAHRENHEIT: Unit(FAHRENHEIT, "°F", "Fahrenheit", "99.5"),
}


class ReadingError(ValueError):
    """What she typed cannot be a reading; the message says why in plain words."""


def from_celsius(celsius: float, unit: str) -> Decimal:
    value = Decimal(str(celsius))
    return value if unit == CELSIUS else value * 9 / 5 + 32


def to_celsius(typed: str, unit: str, low_c: float, high_c: float) -> float:
    """Her reading, typed in her unit, in Celsius; ReadingError if it is not
    a number, has more than one decimal (Fahrenheit), or is out of range."""
    try:
        value = Decimal(typed.strip().replace(",", "."))
    except InvalidOperation:
        raise ReadingError(f"Please type a number, for example {UNITS[unit].example}.") from None
    if not value.is_finite():
        raise ReadingError(f"Please type a number, for example {UNITS[unit].example}.")
    low, high = (from_celsius(bound, unit) for bound in (low_c, high_c))
    if not low <= value <= high:
        message = (
            f"Please check the reading: it must be from {_shown(low)} to {_shown(high)} "
            f"{UNITS[unit].symbol}, not {typed.strip()}."
        )
        if unit == FAHRENHEIT and Decimal(str(low_c)) <= value <= Decimal(str(high_c)):
            message += (
                " That looks like degrees Celsius: if your thermometer shows °C, you can "
                "change the unit on your page."
            )
        raise ReadingError(message)
    if unit == CELSIUS:
        return float(value)
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -1:
        raise ReadingError("Please type the reading with one number after the point, like 100.4.")
    celsius = ((value - 32) * 5 / 9).quantize(HUNDREDTHS, rounding=ROUND_HALF_EVEN)
    return float(celsius)


def bounds(low_c: float, high_c: float, unit: str) -> tuple[str, str]:
    return _shown(from_celsius(low_c, unit)), _shown(from_celsius(high_c, unit))


def _shown(value: Decimal) -> str:
    return f"{value:.1f}"


def shown_in(celsius: float, unit: str) -> str:
    """A stored reading in her unit, to one decimal: two-decimal Celsius from a
    one-decimal Fahrenheit reading comes back to exactly what she typed."""
    unit = unit if unit in UNITS else CELSIUS
    return f"{from_celsius(celsius, unit):.1f} {UNITS[unit].symbol}"
