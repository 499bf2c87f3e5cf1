"""Field-level protection of identities (《个人信息保护法》; 《信访工作条例》第30条).

Petitioners' names, ID numbers, phones and addresses and accused persons' names never
reach the workflow blob: they are moved into `party` rows, encrypted with Fernet
(MultiFernet, so keys rotate), next to keyed HMAC hashes for exact-match search and
repeat detection. The workflow keeps masked strings and a `party_id`.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.fernet import Fernet, MultiFernet
from sqlalchemy import select
from sqlalchemy.orm import Session

from processes.masking import mask_id_number, mask_name, mask_phone

from office.people.tables import Party
from engine.clock import utcnow
from engine.settings import Settings

FIELDS = ("name", "id_number", "phone", "address")
MASKERS = {"name": mask_name, "id_number": mask_id_number, "phone": mask_phone,
           "address": lambda v: (v or "")[:6] + "…" if v else ""}
# where people appear in case data, and which role they get
PEOPLE = {"petitioners": "petitioner", "representatives": "petitioner", "agent": "agent", "accused": "accused"}


@dataclass(frozen=True)
class Keys:
    fernet: MultiFernet
    hash_key: bytes
    primary: str

    def encrypt(self, value: str) -> str:
        return self.fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        return self.fernet.decrypt(token.encode("ascii")).decode("utf-8")

    def digest(self, value: str) -> str:
        return hmac.new(self.hash_key, normalise(value).encode("utf-8"), hashlib.sha256).hexdigest()


def normalise(value: str) -> str:
    """Hashes must match however a clerk typed it: case, spaces, full-width digits."""
    value = "".join(chr(ord(c) - 0xFEE0) if "！" <= c <= "～" else c for c in str(value))
    return "".join(value.split()).upper()


def load_keys(settings: Settings) -> Keys:
    field_keys, hash_key = list(settings.field_keys), settings.hash_key
    if not field_keys or not hash_key:
        stored = _key_file(settings)
        field_keys = field_keys or stored["field_keys"]
        hash_key = hash_key or stored["hash_key"]
    return Keys(MultiFernet([Fernet(k.encode()) for k in field_keys]), hash_key.encode(), field_keys[0])


def _key_file(settings: Settings) -> dict:
    """Development fallback: keys generated once into a 0600 file beside the data, never in the repo.
    Production sets XINFANG_FIELD_KEYS and XINFANG_HASH_KEY (docs/deploy.md)."""
    path = Path(settings.storage_dir).parent / "keys.json"
    if path.exists():
        return json.loads(path.read_text())
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = {"field_keys": [Fernet.generate_key().decode()], "hash_key": Fernet.generate_key().decode()}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(keys, fh)
    return keys


def protect(session: Session, keys: Keys, case_id: int, data: dict, now: datetime) -> dict:
    """Returns a copy of `data` with identities replaced by masks and party ids."""
    out = dict(data)
    for key, role in PEOPLE.items():
        value = data.get(key)
        if isinstance(value, list):
            out[key] = [_protect_person(session, keys, case_id, role, i, p, now) if isinstance(p, dict) else p
                        for i, p in enumerate(value)]
        elif isinstance(value, dict):
            out[key] = _protect_person(session, keys, case_id, role, 0, value, now)
    return out


def _protect_person(session, keys: Keys, case_id: int, role: str, seq: int, person: dict,
                    now: datetime) -> dict:
    plain = {f: str(person[f]).strip() for f in FIELDS if person.get(f) not in (None, "")}
    if not plain:
        return person
    party = None
    if person.get("party_id"):
        party = session.get(Party, int(person["party_id"]))
        if party is not None and party.case_id != case_id:
            party = None
    # A masked value is kept as it is only when it came back from this case's own party record (a
    # page showed it masked); anything else that merely looks masked (李*明) is an identity value
    # like any other and is encrypted, never stored in plain text (issue 21).
    kept = {f for f, v in plain.items() if party is not None and looks_masked(v)}
    if kept == set(plain):
        return person
    if party is None:
        party = Party(case_id=case_id, role=role, seq=seq, created_at=now)
        session.add(party)
    for field, value in plain.items():
        if field in kept:
            continue
        setattr(party, f"{field}_enc", keys.encrypt(value))
        if field != "address":
            setattr(party, f"{field}_hash", keys.digest(value))
    if plain.get("name") and plain.get("phone") and "phone" not in kept and "name" not in kept:
        party.name_phone_hash = keys.digest(plain["name"] + "|" + plain["phone"])
    session.flush()
    masked = dict(person)
    for field, value in plain.items():
        masked[field] = value if field in kept else MASKERS[field](value)
    masked["party_id"] = party.id
    return masked


def looks_masked(value: str) -> bool:
    """What the maskers produce: asterisks (李*明, 138****0000) or an address cut with "…"."""
    return "*" in value or "＊" in value or value.endswith("…")


def reveal(session: Session, keys: Keys, case_id: int) -> list[dict]:
    rows = session.scalars(select(Party).where(Party.case_id == case_id).order_by(Party.role, Party.seq))
    out = []
    for row in rows:
        person = {"party_id": row.id, "role": row.role, "seq": row.seq}
        for field in FIELDS:
            token = getattr(row, f"{field}_enc")
            person[field] = keys.decrypt(token) if token else None
        out.append(person)
    return out


def rotate(session: Session, keys: Keys, batch: int = 500) -> int:
    """Re-encrypts every field under the newest key and recomputes hashes with the current
    hash key; old keys can be dropped from XINFANG_FIELD_KEYS afterwards."""
    count, last = 0, 0
    while True:
        rows = session.scalars(select(Party).where(Party.id > last).order_by(Party.id).limit(batch)).all()
        if not rows:
            return count
        for row in rows:
            _rotate_row(row, keys)
            last, count = row.id, count + 1
        session.flush()


def _rotate_row(row: Party, keys: Keys) -> None:
    plain = {}
    for field in FIELDS:
        token = getattr(row, f"{field}_enc")
        if token:
            plain[field] = keys.decrypt(token)
            setattr(row, f"{field}_enc", keys.encrypt(plain[field]))
            if field != "address":
                setattr(row, f"{field}_hash", keys.digest(plain[field]))
    if plain.get("name") and plain.get("phone"):
        row.name_phone_hash = keys.digest(plain["name"] + "|" + plain["phone"])




class Identities:
    """The keys of one installation, loaded once, and what features do with identities."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._keys: Keys | None = None

    @property
    def keys(self) -> Keys:
        if self._keys is None:
            self._keys = load_keys(self.settings)
        return self._keys

    def protect(self, session: Session, case, data: dict) -> dict:
        """Identities in submitted data are encrypted before anything can store them."""
        if not data or not any(key in data for key in PEOPLE):
            return data
        return protect(session, self.keys, case.id, data, utcnow())

    def reveal(self, session: Session, case_id: int) -> list[dict]:
        return reveal(session, self.keys, case_id)

    def petitioner_names(self, session: Session, case_id: int) -> list[str]:
        return [p["name"] for p in reveal(session, self.keys, case_id) if p["role"] == "petitioner" and p["name"]]
