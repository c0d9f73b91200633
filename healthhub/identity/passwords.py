"""Password policy, checked wherever a password is set (identity.service), so the CLI, the API and
the pages all share it.

Length and a blocklist rather than composition rules ("a digit and a letter"): composition rules
push people to `Password1`, which is first on every guessing list (NIST SP 800-63B, 5.1.1.2).
"""
from functools import cache
from pathlib import Path

from healthhub.core.errors import RuleViolation
from healthhub.identity.errors import ErrorCode

MIN_LENGTH = 10
COMMON_PASSWORDS_FILE = Path(__file__).parent / "data" / "common_passwords.txt"


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip() and not line.startswith("#"))


def check_password_policy(password: str, *, username: str) -> None:
    """Raises RuleViolation (422) naming what is wrong with the password for this account."""
    if len(password) < MIN_LENGTH:
        raise RuleViolation(f"密码至少需要 {MIN_LENGTH} 个字符 / the password needs at least {MIN_LENGTH} characters",
                            code=ErrorCode.PASSWORD_TOO_SHORT)
    if password.casefold() in common_passwords():
        raise RuleViolation("该密码过于常见，很容易被猜中，请换一个 / this password is among the most common ones "
                            "and easily guessed, choose another", code=ErrorCode.PASSWORD_TOO_COMMON)
    if username.casefold() in password.casefold():
        raise RuleViolation("密码不能包含用户名 / the password must not contain the username",
                            code=ErrorCode.PASSWORD_CONTAINS_USERNAME)
