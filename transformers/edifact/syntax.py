"""Service characters (the UNA service string advice, or the defaults of the syntax level) and character sets.

Without UNA an interchange uses the defaults of its syntax level: level A (UNOA and, in practice, every other
Latin syntax identifier) uses ``:+.? '``, level B (UNOB) the information separators IS1/IS3/IS4 and no release
character. Syntax version 4 adds a repetition separator (``*`` at level A, IS2 at level B).
"""

from __future__ import annotations

from dataclasses import dataclass

from transformers.edifact.codes import SyntaxErrorCode
from transformers.edifact.errors import EdifactSyntaxError

SYNTAX_ENCODINGS: dict[str, str] = {
    "UNOA": "ascii",
    "UNOB": "ascii",
    "UNOC": "latin-1",
    "UNOD": "iso8859-2",
    "UNOE": "iso8859-5",
    "UNOF": "iso8859-7",
    "UNOG": "iso8859-3",
    "UNOH": "iso8859-4",
    "UNOI": "iso8859-6",
    "UNOJ": "iso8859-8",
    "UNOK": "iso8859-9",
    "UNOW": "utf-8",
    "UNOY": "utf-8",
}
"""Python codec per syntax identifier (UNB S001 0001).

UNOA's upper-case-only repertoire is not enforced: many partners declare UNOA and send lower case anyway.
UNOX (ISO 2022 code extensions) is not supported.
"""

SYNTAX_VERSIONS = frozenset({"1", "2", "3", "4"})

_UNA_ERROR = SyntaxErrorCode.INVALID_SERVICE_CHARACTER


def _una_error(reason: str) -> EdifactSyntaxError:
    return EdifactSyntaxError(reason, _UNA_ERROR, level="interchange", segment_tag="UNA")


@dataclass(frozen=True, slots=True)
class Delimiters:
    """The service characters of an interchange.

    ``release`` is "" when the interchange has no release character (a space in UNA position 4); ``repetition``
    is "" when unused (a space in UNA position 5, as syntax version 3 requires: there it is reserved).
    """

    component: str = ":"
    element: str = "+"
    decimal: str = "."
    release: str = "?"
    repetition: str = ""
    segment: str = "'"

    def __post_init__(self) -> None:
        separators = [self.component, self.element, self.segment]
        used = separators + [c for c in (self.release, self.repetition) if c]
        for char in used:
            if len(char) != 1 or not char.isascii() or char.isalnum() or char == " ":
                raise _una_error(f"{char!r} cannot be a service character")
        if len(set(used)) != len(used):
            raise _una_error(f"service characters are not distinct: {self.una()!r}")
        if self.decimal not in (".", ","):
            raise _una_error(f"decimal mark {self.decimal!r} is neither '.' nor ','")

    @classmethod
    def from_una(cls, una: str) -> Delimiters:
        """Parse the 9 characters ``UNA:+.? '``."""
        if len(una) != 9 or not una.startswith("UNA"):
            raise _una_error(f"malformed UNA service string advice {una!r}")
        comp, elem, dec, rel, rep, term = una[3:]
        return cls(
            component=comp,
            element=elem,
            decimal=dec,
            release="" if rel == " " else rel,
            repetition="" if rep == " " else rep,
            segment=term,
        )

    def una(self) -> str:
        """The UNA segment announcing these characters."""
        return (
            f"UNA{self.component}{self.element}{self.decimal}{self.release or ' '}"
            f"{self.repetition or ' '}{self.segment}"
        )


LEVEL_A = Delimiters()
LEVEL_B = Delimiters(component="\x1f", element="\x1d", release="", segment="\x1c")
_REPETITION_V4 = {LEVEL_A: "*", LEVEL_B: "\x1e"}


def default_delimiters(syntax_id: str, syntax_version: str) -> Delimiters:
    """The service characters that apply without UNA."""
    base = LEVEL_B if syntax_id == "UNOB" else LEVEL_A
    return _with_version(base, syntax_version)


def level_defaults(element_separator: str, syntax_version: str) -> Delimiters:
    """The defaults of the level whose data element separator follows "UNB" (``+`` for A, IS3 for B)."""
    return _with_version(LEVEL_B if element_separator == LEVEL_B.element else LEVEL_A, syntax_version)


def _with_version(base: Delimiters, syntax_version: str) -> Delimiters:
    if syntax_version != "4":
        return base
    return Delimiters(base.component, base.element, base.decimal, base.release, _REPETITION_V4[base], base.segment)


def encoding_for(syntax_id: str) -> str:
    """The Python codec of a syntax identifier, or a code-2 error for an unsupported one."""
    try:
        return SYNTAX_ENCODINGS[syntax_id]
    except KeyError:
        raise EdifactSyntaxError(
            f"syntax identifier {syntax_id!r} is not supported (supported: {', '.join(SYNTAX_ENCODINGS)})",
            SyntaxErrorCode.UNSUPPORTED_SYNTAX,
            level="interchange",
            segment_tag="UNB",
            element=1,
            component=1,
        ) from None
