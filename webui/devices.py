"""Known phones: a signed, long-lived cookie naming the accounts that signed in on this phone.

OWASP's "device cookie" answer to lockout abuse: wrong PINs sent from
anywhere else lock only the *untrusted* way into an account, so a flood from
a laptop on the base's wifi cannot keep a carer out of her own box on the
phone she always uses.  A known phone has its own small failure budget
(its key in :class:`webui.lockout.Lockout`), so a stolen phone cannot guess
fast either.  The cookie grants nothing by itself: the PIN is always checked.

The cookie holds up to :data:`MAX_ACCOUNTS` entries ``[account id, nonce]``
(a shared phone at the base), signed with the box's secret key and valid
for ``days``.  The sign-in page also uses it to offer those names with one
tap, instead of listing every account to anyone who asks::

    devices = DeviceCookies(app.secret_key, days=365, secure=False)
    known = devices.known(request)               # {account id: nonce}
    devices.remember(response, request, user_id)
"""

import secrets

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "hembas_enhet"
MAX_ACCOUNTS = 6
SALT = "hembas-device"


class DeviceCookies:
    def __init__(self, secret_key, *, days=365, secure=False):
        self._serializer = URLSafeTimedSerializer(secret_key, salt=SALT)
        self.max_age = days * 24 * 3600
        self.secure = secure

    def known(self, request):
        """The accounts this phone has signed in with, newest first: ``{account id: nonce}``."""
        raw = request.cookies.get(COOKIE, "")
        if not raw or len(raw) > 4096:
            return {}
        try:
            entries = self._serializer.loads(raw, max_age=self.max_age)
        except BadSignature:  # also expired (SignatureExpired is a BadSignature)
            return {}
        if not isinstance(entries, list):
            return {}
        return {e[0]: e[1] for e in entries[:MAX_ACCOUNTS]
                if isinstance(e, list) and len(e) == 2 and all(isinstance(part, str) for part in e)}

    def remember(self, response, request, user_id):
        """Put *user_id* first in this phone's cookie (keeping its nonce if it has one)."""
        known = self.known(request)
        nonce = known.pop(user_id, None) or secrets.token_urlsafe(12)
        entries = [[user_id, nonce]] + [[u, n] for u, n in known.items()][:MAX_ACCOUNTS - 1]
        response.set_cookie(COOKIE, self._serializer.dumps(entries), max_age=self.max_age, httponly=True,
                            samesite="Strict", secure=self.secure)
