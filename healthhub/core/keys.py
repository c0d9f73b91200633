"""Per-installation key material: generated on first use, kept under `Settings.key_dir`, never committed.

A key configured in the environment always wins. Otherwise each installation makes its own random
key the first time it is needed, so no secret from the repository is ever trusted. Creation is
atomic (write to a temporary file, then link it into place) so parallel processes agree on one key.
"""
import os
import secrets
from collections.abc import Callable
from pathlib import Path


def installation_key(key_dir: Path, name: str, generate: Callable[[], str]) -> str:
    """The key stored as `key_dir/name`, created with `generate()` if it does not exist yet."""
    path = key_dir / name
    if path.exists():
        return path.read_text().strip()
    key_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    candidate = key_dir / f".{name}.{os.getpid()}.{secrets.token_hex(4)}"
    candidate.write_text(generate() + "\n")
    os.chmod(candidate, 0o600)
    try:
        os.link(candidate, path)  # fails if another process won the race; its key is then the key
    except FileExistsError:
        pass
    finally:
        candidate.unlink()
    return path.read_text().strip()
