"""HTTP Basic credentials: checked by inbound endpoints, sent by the outbound adapter."""

from __future__ import annotations

import base64
import binascii
import hmac

from pydantic import Field, SecretStr

from legacy_adapters.base import AdapterSettings


class Credentials(AdapterSettings):
    """A user name and password; write the password as ``${VARIABLE}`` to keep it out of the route file."""

    username: str = Field(min_length=1)
    password: SecretStr


def basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    """The user name and password of an ``Authorization: Basic ...`` header, or None."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "basic" or not token:
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, colon, password = decoded.partition(":")
    return (username, password) if colon else None


def basic_auth_matches(authorization: str | None, expected: Credentials) -> bool:
    """Whether the header carries exactly the expected credentials (compared in constant time)."""
    given = basic_credentials(authorization)
    if given is None:
        return False
    user_ok = hmac.compare_digest(given[0].encode(), expected.username.encode())
    password_ok = hmac.compare_digest(given[1].encode(), expected.password.get_secret_value().encode())
    return user_ok and password_ok
