"""The trading partner file: who may send us interchanges, under which ids, and whether they get acks.

```yaml
partners:
  - name: acme-steel
    standard: x12                 # or edifact
    their_id: {qualifier: ZZ, id: ACMESTEEL}
    our_id: {qualifier: ZZ, id: PUMPWORKS}
    acknowledgements: always      # always | requested | never
```
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bus.errors import ConfigurationError

Standard = Literal["x12", "edifact"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PartyId(_Model):
    qualifier: str = Field(default="", max_length=4, description="X12 ISA05/ISA07, EDIFACT UNB partner qualifier")
    id: str = Field(min_length=1, max_length=35)

    def matches(self, qualifier: str | None, identifier: str | None) -> bool:
        same_id = (identifier or "").strip() == self.id
        return same_id and (not self.qualifier or (qualifier or "").strip() == self.qualifier)

    def __str__(self) -> str:
        return f"{self.qualifier}:{self.id}" if self.qualifier else self.id


class Partner(_Model):
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    standard: Standard
    their_id: PartyId
    our_id: PartyId
    acknowledgements: Literal["always", "requested", "never"] = Field(
        default="always", description="Send a 997/CONTRL always, only when the interchange asks, or never"
    )


class PartnerBook(_Model):
    partners: list[Partner] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> PartnerBook:
        names = [p.name for p in self.partners]
        if len(names) != len(set(names)):
            raise ValueError("partner names must be unique")
        keys = [(p.standard, str(p.their_id)) for p in self.partners]
        if len(keys) != len(set(keys)):
            raise ValueError("two partners share a standard and sender id")
        return self

    def sender(self, standard: Standard, qualifier: str | None, identifier: str | None) -> Partner | None:
        for partner in self.partners:
            if partner.standard == standard and partner.their_id.matches(qualifier, identifier):
                return partner
        return None


def load_partners(path: Path) -> PartnerBook:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return PartnerBook.model_validate(data or {})
    except OSError as exc:
        raise ConfigurationError(f"cannot read the partner file {path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"partner file {path} is not valid YAML: {exc}") from exc
    except ValidationError as exc:
        details = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigurationError(f"partner file {path}: {details}") from exc
