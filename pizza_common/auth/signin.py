"""The staff's one-time sign-in link: `make run` and `pizza staff-link` make it, pizza-order takes it once.

The token is a nonce, signed and timestamped with PIZZA_SECRET_KEY (itsdangerous): only a holder of
the secret can make one, it expires, and pizza-order records each nonce it has let in, so a link
copied from a terminal's scrollback or a browser's history signs no one in a second time.
"""

import secrets

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "pizza-staff-sign-in"  # a token signed for anything else with the same secret is refused
MAX_AGE_S = 3600
__all__ = ["MAX_AGE_S", "BadSignature", "SignatureExpired", "link", "mint", "nonce"]


def mint(secret: str) -> str:
    """Return a new one-time sign-in token, signed with the suite's secret."""
    return URLSafeTimedSerializer(secret, salt=SALT).dumps(secrets.token_urlsafe(16))


def link(secret: str, shop_url: str) -> str:
    """Return the staff's one-time sign-in link to the shop page at `shop_url` (pizza-order's)."""
    return f"{shop_url.rstrip('/')}/staff?token={mint(secret)}"


def nonce(secret: str, token: str, max_age_s: int = MAX_AGE_S) -> str:
    """Return the nonce of a token this secret signed less than `max_age_s` ago.

    Raises SignatureExpired for an old one, BadSignature for any other.
    """
    value = URLSafeTimedSerializer(secret, salt=SALT).loads(token, max_age=max_age_s)
    if not isinstance(value, str):
        raise BadSignature("not a sign-in token")
    return value
