"""X12 code lists used in acknowledgements (ASC X12 control and 997/999 data elements).

Only the codes this codec can produce or needs to read are named as constants; the description tables hold the
full lists as published for versions 004010 to 005010 so a partner's 997 or TA1 can be explained in a log line.
"""

from __future__ import annotations

from typing import Final

# -- TA1: interchange acknowledgement code (I17) ---------------------------------------------------------------
TA1_ACCEPTED: Final = "A"
TA1_ACCEPTED_WITH_ERRORS: Final = "E"
TA1_REJECTED: Final = "R"

# -- TA1: interchange note code (I18) ----------------------------------------------------------------------------
TA1_NO_ERROR: Final = "000"
TA1_CONTROL_NUMBER_MISMATCH: Final = "001"
TA1_STANDARD_NOT_SUPPORTED: Final = "002"
TA1_VERSION_NOT_SUPPORTED: Final = "003"
TA1_INVALID_SEGMENT_TERMINATOR: Final = "004"
TA1_INVALID_SENDER_QUALIFIER: Final = "005"
TA1_INVALID_SENDER_ID: Final = "006"
TA1_INVALID_RECEIVER_QUALIFIER: Final = "007"
TA1_INVALID_RECEIVER_ID: Final = "008"
TA1_UNKNOWN_RECEIVER_ID: Final = "009"
TA1_INVALID_AUTHORIZATION_QUALIFIER: Final = "010"
TA1_INVALID_AUTHORIZATION_VALUE: Final = "011"
TA1_INVALID_SECURITY_QUALIFIER: Final = "012"
TA1_INVALID_SECURITY_VALUE: Final = "013"
TA1_INVALID_DATE: Final = "014"
TA1_INVALID_TIME: Final = "015"
TA1_INVALID_STANDARDS_ID: Final = "016"
TA1_INVALID_VERSION_ID: Final = "017"
TA1_INVALID_CONTROL_NUMBER: Final = "018"
TA1_INVALID_ACK_REQUESTED: Final = "019"
TA1_INVALID_TEST_INDICATOR: Final = "020"
TA1_INVALID_GROUP_COUNT: Final = "021"
TA1_INVALID_CONTROL_STRUCTURE: Final = "022"
TA1_PREMATURE_END: Final = "023"
TA1_INVALID_CONTENT: Final = "024"
TA1_DUPLICATE_CONTROL_NUMBER: Final = "025"
TA1_INVALID_ELEMENT_SEPARATOR: Final = "026"
TA1_INVALID_COMPONENT_SEPARATOR: Final = "027"

TA1_NOTE_CODES: Final[dict[str, str]] = {
    "000": "No error",
    "001": "The Interchange Control Number in the Header and Trailer Do Not Match",
    "002": "This Standard as Noted in the Control Standards Identifier is Not Supported",
    "003": "This Version of the Controls is Not Supported",
    "004": "The Segment Terminator is Invalid",
    "005": "Invalid Interchange ID Qualifier for Sender",
    "006": "Invalid Interchange Sender ID",
    "007": "Invalid Interchange ID Qualifier for Receiver",
    "008": "Invalid Interchange Receiver ID",
    "009": "Unknown Interchange Receiver ID",
    "010": "Invalid Authorization Information Qualifier Value",
    "011": "Invalid Authorization Information Value",
    "012": "Invalid Security Information Qualifier Value",
    "013": "Invalid Security Information Value",
    "014": "Invalid Interchange Date Value",
    "015": "Invalid Interchange Time Value",
    "016": "Invalid Interchange Standards Identifier Value",
    "017": "Invalid Interchange Version ID Value",
    "018": "Invalid Interchange Control Number Value",
    "019": "Invalid Acknowledgment Requested Value",
    "020": "Invalid Test Indicator Value",
    "021": "Invalid Number of Included Groups Value",
    "022": "Invalid Control Structure",
    "023": "Improper (Premature) End-of-File (Transmission)",
    "024": "Invalid Interchange Content (e.g., Invalid GS Segment)",
    "025": "Duplicate Interchange Control Number",
    "026": "Invalid Data Element Separator",
    "027": "Invalid Component Element Separator",
    "028": "Invalid Delivery Date in Deferred Delivery Request",
    "029": "Invalid Delivery Time in Deferred Delivery Request",
    "030": "Invalid Delivery Time Code in Deferred Delivery Request",
    "031": "Invalid Grade of Service Code",
}

# -- AK5/IK5 and AK9: acknowledgement codes (717 for sets, 715 for groups) ---------------------------------------
ACCEPTED: Final = "A"
ACCEPTED_WITH_ERRORS: Final = "E"
PARTIALLY_ACCEPTED: Final = "P"
"""AK901 only: at least one transaction set of the group was rejected."""
REJECTED: Final = "R"

ACK_CODES: Final[dict[str, str]] = {
    "A": "Accepted",
    "E": "Accepted But Errors Were Noted",
    "M": "Rejected, Message Authentication Code (MAC) Failed",
    "P": "Partially Accepted, At Least One Transaction Set Was Rejected",
    "R": "Rejected",
    "W": "Rejected, Assurance Failed Validity Tests",
    "X": "Rejected, Content After Decryption Could Not Be Analyzed",
}

# -- AK502-AK506 / IK502-IK506: transaction set syntax error code (718) -----------------------------------------
SET_NOT_SUPPORTED: Final = "1"
SET_TRAILER_MISSING: Final = "2"
SET_CONTROL_NUMBER_MISMATCH: Final = "3"
SET_SEGMENT_COUNT_WRONG: Final = "4"
SET_SEGMENTS_IN_ERROR: Final = "5"
SET_INVALID_ID: Final = "6"
SET_INVALID_CONTROL_NUMBER: Final = "7"
SET_CONTROL_NUMBER_NOT_UNIQUE: Final = "23"

SET_ERROR_CODES: Final[dict[str, str]] = {
    "1": "Transaction Set Not Supported",
    "2": "Transaction Set Trailer Missing",
    "3": "Transaction Set Control Number in Header and Trailer Do Not Match",
    "4": "Number of Included Segments Does Not Match Actual Count",
    "5": "One or More Segments in Error",
    "6": "Missing or Invalid Transaction Set Identifier",
    "7": "Missing or Invalid Transaction Set Control Number",
    "8": "Authentication Key Name Unknown",
    "9": "Encryption Key Name Unknown",
    "10": "Requested Service (Authentication or Encrypted) Not Available",
    "11": "Unknown Security Recipient",
    "12": "Incorrect Message Length (Encryption Only)",
    "13": "Message Authentication Code Failed",
    "15": "Unknown Security Originator",
    "16": "Syntax Error in Decrypted Text",
    "17": "Security Not Supported",
    "18": "Transaction Set not in Functional Group",
    "19": "Invalid Transaction Set Implementation Convention Reference",
    "23": "Transaction Set Control Number Not Unique within the Functional Group",
    "24": "S3E Security End Segment Missing for S3S Security Start Segment",
    "25": "S3S Security Start Segment Missing for S3E Security End Segment",
    "26": "S4E Security End Segment Missing for S4S Security Start Segment",
    "27": "S4S Security Start Segment Missing for S4E Security End Segment",
}

# -- AK905-AK909: functional group syntax error code (716) -------------------------------------------------------
GROUP_NOT_SUPPORTED: Final = "1"
GROUP_VERSION_NOT_SUPPORTED: Final = "2"
GROUP_TRAILER_MISSING: Final = "3"
GROUP_CONTROL_NUMBER_MISMATCH: Final = "4"
GROUP_SET_COUNT_WRONG: Final = "5"
GROUP_INVALID_CONTROL_NUMBER: Final = "6"
GROUP_CONTROL_NUMBER_NOT_UNIQUE: Final = "19"

GROUP_ERROR_CODES: Final[dict[str, str]] = {
    "1": "Functional Group Not Supported",
    "2": "Functional Group Version Not Supported",
    "3": "Functional Group Trailer Missing",
    "4": "Group Control Number in the Functional Group Header and Trailer Do Not Agree",
    "5": "Number of Included Transaction Sets Does Not Match Actual Count",
    "6": "Group Control Number Violates Syntax",
    "10": "Authentication Key Name Unknown",
    "11": "Encryption Key Name Unknown",
    "12": "Requested Service (Authentication or Encryption) Not Available",
    "13": "Unknown Security Recipient",
    "14": "Unknown Security Originator",
    "15": "Syntax Error in Decrypted Text",
    "16": "Security Not Supported",
    "17": "Incorrect Message Length (Encryption Only)",
    "18": "Message Authentication Code Failed",
    "19": "Functional Group Control Number not Unique within Interchange",
    "23": "S3E Security End Segment Missing for S3S Security Start Segment",
    "24": "S3S Security Start Segment Missing for S3E Security End Segment",
    "25": "S4E Security End Segment Missing for S4S Security Start Segment",
    "26": "S4S Security Start Segment Missing for S4E Security End Segment",
}

# -- AK304 / IK304: segment syntax error code (720) --------------------------------------------------------------
SEGMENT_UNRECOGNIZED: Final = "1"
SEGMENT_UNEXPECTED: Final = "2"
SEGMENT_MANDATORY_MISSING: Final = "3"
SEGMENT_HAS_ELEMENT_ERRORS: Final = "8"

SEGMENT_ERROR_CODES: Final[dict[str, str]] = {
    "1": "Unrecognized segment ID",
    "2": "Unexpected segment",
    "3": "Mandatory segment missing",
    "4": "Loop Occurs Over Maximum Times",
    "5": "Segment Exceeds Maximum Use",
    "6": "Segment Not in Defined Transaction Set",
    "7": "Segment Not in Proper Sequence",
    "8": "Segment Has Data Element Errors",
}

# -- AK403 / IK403: data element syntax error code (723) ---------------------------------------------------------
ELEMENT_MANDATORY_MISSING: Final = "1"
ELEMENT_CONDITIONAL_MISSING: Final = "2"
ELEMENT_TOO_MANY: Final = "3"
ELEMENT_TOO_SHORT: Final = "4"
ELEMENT_TOO_LONG: Final = "5"
ELEMENT_INVALID_CHARACTER: Final = "6"
ELEMENT_INVALID_CODE: Final = "7"
ELEMENT_INVALID_DATE: Final = "8"
ELEMENT_INVALID_TIME: Final = "9"

ELEMENT_ERROR_CODES: Final[dict[str, str]] = {
    "1": "Mandatory data element missing",
    "2": "Conditional required data element missing",
    "3": "Too many data elements",
    "4": "Data element too short",
    "5": "Data element too long",
    "6": "Invalid character in data element",
    "7": "Invalid code value",
    "8": "Invalid Date",
    "9": "Invalid Time",
    "10": "Exclusion Condition Violated",
    "12": "Too Many Repetitions",
    "13": "Too Many Components",
}

# -- GS01: functional identifier code (479) of the transaction sets this codec handles -------------------------
FUNCTIONAL_IDS: Final[dict[str, str]] = {"850": "PO", "856": "SH", "997": "FA"}
FUNCTIONAL_ACK: Final = FUNCTIONAL_IDS["997"]
