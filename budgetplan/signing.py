"""Who a contributor's workbook was made for, signed: a return cannot claim another owner.

``budgetplan split`` signs each workbook's identity (its contributor, the pilots they own and the
version of the scenario it was made from) with HMAC-SHA256 under a key kept in the scenario's folder
(``.budgetplan.split-key``, made on the first split there, readable by its owner only, never
written into a workbook; the versions of the scenario kept in that folder share it). ``consolidate`` checks the signature of every return before it trusts anything the
return's About sheet says; a return whose signature does not match, or that carries none, is
refused naming the file. Rotating the key: delete it and split again; the returns of workbooks
sent before are then refused (split and send them again).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

#: The packaged programme has no folder of its own: its key lives in the working folder.
_PACKAGED = "budgetplan:"


KEY_NAME = ".budgetplan.split-key"


def key_path(scenario_path: str) -> Path:
    """Where the key of the scenario at ``scenario_path`` lives: in its folder."""
    if scenario_path.startswith(_PACKAGED):
        return Path.cwd() / KEY_NAME
    return Path(scenario_path).parent / KEY_NAME


def read_key(scenario_path: str) -> bytes | None:
    """The key of the scenario, or None when there is none (no split was made beside it)."""
    try:
        text = key_path(scenario_path).read_text(encoding="ascii").strip()
        return bytes.fromhex(text)
    except (OSError, ValueError):
        return None


def make_key(scenario_path: str) -> bytes:
    """The key of the scenario, made (32 random bytes, mode 0600) when there is none yet."""
    found = read_key(scenario_path)
    if found is not None:
        return found
    path = key_path(scenario_path)
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key.hex() + "\n")
    return key


def signature(key: bytes, contributor: str, owns: tuple[str, ...], version: str) -> str:
    """The signature of a workbook's identity: whom it was made for, what they own, and the
    scenario version (its SHA-256) it was made from."""
    message = "\n".join(("budgetplan-split", contributor, " ".join(owns), version))
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def verified(
    key: bytes, contributor: str, owns: tuple[str, ...], version: str, signed: str
) -> bool:
    return hmac.compare_digest(signature(key, contributor, owns, version), signed.strip())
