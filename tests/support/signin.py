"""Sign-in tokens as a holder of the secret would make them, but older than pizza-order accepts."""

import secrets
import time

from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from pizza_common.auth.signin import MAX_AGE_S, SALT


class _Backdated(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - MAX_AGE_S - 60


def expired_token(secret: str) -> str:
    """Return a sign-in token signed with the right secret a minute past its maximum age."""
    return URLSafeTimedSerializer(secret, salt=SALT, signer=_Backdated).dumps(secrets.token_urlsafe(16))
