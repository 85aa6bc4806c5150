"""UN/EDIFACT service code lists used by the codec: 0085 syntax error codes and 0083 action codes.

Values and names follow the UNSL service code lists (ISO 9735). A CONTRL received from a partner may carry any
code, so parsed CONTRLs keep the raw string as well.
"""

from __future__ import annotations

from enum import IntEnum


class SyntaxErrorCode(IntEnum):
    """0085 Syntax error, coded: what a CONTRL reports in UCI/UCF/UCM/UCS/UCD."""

    UNSUPPORTED_SYNTAX = 2
    RECIPIENT_NOT_ACTUAL = 7
    INVALID_VALUE = 12
    MISSING = 13
    VALUE_NOT_SUPPORTED = 14
    NOT_SUPPORTED_IN_POSITION = 15
    TOO_MANY_CONSTITUENTS = 16
    NO_AGREEMENT = 17
    UNSPECIFIED = 18
    INVALID_DECIMAL_NOTATION = 19
    INVALID_SERVICE_CHARACTER = 20
    INVALID_CHARACTERS = 21
    INVALID_SERVICE_CHARACTERS = 22
    UNKNOWN_SENDER = 23
    TOO_OLD = 24
    TEST_INDICATOR_NOT_SUPPORTED = 25
    DUPLICATE = 26
    SECURITY_FUNCTION_NOT_SUPPORTED = 27
    REFERENCES_DO_NOT_MATCH = 28
    CONTROL_COUNT_MISMATCH = 29
    GROUPS_AND_MESSAGES_MIXED = 30
    MORE_THAN_ONE_MESSAGE_TYPE_IN_GROUP = 31
    LOWER_LEVEL_EMPTY = 32
    INVALID_OCCURRENCE_OUTSIDE_MESSAGE = 33
    NESTING_INDICATOR_NOT_ALLOWED = 34
    TOO_MANY_REPETITIONS = 35
    TOO_MANY_SEGMENT_GROUP_REPETITIONS = 36
    INVALID_CHARACTER_TYPE = 37
    MISSING_DIGIT_BEFORE_DECIMAL_SIGN = 38
    DATA_ELEMENT_TOO_LONG = 39
    DATA_ELEMENT_TOO_SHORT = 40
    UNKNOWN_RECIPIENT = 43
    TRAILING_SEPARATOR = 45
    CHARACTER_SET_NOT_SUPPORTED = 46
    ENVELOPE_FUNCTIONALITY_NOT_SUPPORTED = 47

    @property
    def label(self) -> str:
        """The code's name in the code list, e.g. "control count does not match number of instances received"."""
        return _LABELS.get(self, self.name.lower().replace("_", " "))


_LABELS = {
    SyntaxErrorCode.UNSUPPORTED_SYNTAX: "syntax version or level not supported",
    SyntaxErrorCode.RECIPIENT_NOT_ACTUAL: "interchange recipient not actual recipient",
    SyntaxErrorCode.INVALID_VALUE: "invalid value",
    SyntaxErrorCode.MISSING: "missing",
    SyntaxErrorCode.VALUE_NOT_SUPPORTED: "value not supported in this position",
    SyntaxErrorCode.NOT_SUPPORTED_IN_POSITION: "not supported in this position",
    SyntaxErrorCode.TOO_MANY_CONSTITUENTS: "too many constituents",
    SyntaxErrorCode.NO_AGREEMENT: "no agreement",
    SyntaxErrorCode.UNSPECIFIED: "unspecified error",
    SyntaxErrorCode.INVALID_SERVICE_CHARACTER: "character invalid as service character",
    SyntaxErrorCode.INVALID_CHARACTERS: "invalid character(s)",
    SyntaxErrorCode.INVALID_SERVICE_CHARACTERS: "invalid service character(s)",
    SyntaxErrorCode.DUPLICATE: "duplicate detected",
    SyntaxErrorCode.REFERENCES_DO_NOT_MATCH: "references do not match",
    SyntaxErrorCode.CONTROL_COUNT_MISMATCH: "control count does not match number of instances received",
    SyntaxErrorCode.GROUPS_AND_MESSAGES_MIXED: "functional groups and messages mixed",
    SyntaxErrorCode.MORE_THAN_ONE_MESSAGE_TYPE_IN_GROUP: "more than one message type in group",
    SyntaxErrorCode.LOWER_LEVEL_EMPTY: "lower level empty",
    SyntaxErrorCode.INVALID_OCCURRENCE_OUTSIDE_MESSAGE: "invalid occurrence outside message, package or group",
    SyntaxErrorCode.TOO_MANY_REPETITIONS: "too many repetitions",
    SyntaxErrorCode.TOO_MANY_SEGMENT_GROUP_REPETITIONS: "too many segment group repetitions",
}


class Action(IntEnum):
    """0083 Action, coded: the verdict a CONTRL gives on an interchange, group or message."""

    REJECTED = 4
    """This level and all lower levels rejected."""
    ACKNOWLEDGED = 7
    """This level acknowledged; lower levels acknowledged unless explicitly rejected."""
    RECEIVED = 8
    """Interchange received (receipt only, content not yet checked)."""
