"""Who may sign in: accounts with a name, a role, an argon2 PIN hash and one-time enrollment codes.

Nobody gets a default account or PIN.  A coordinator (or ``hembas user add``)
creates an account, which comes with a one-time enrollment code; the person
then chooses their own PIN with that code on their phone::

    users = Users(data_dir)
    user, code = users.add(name="Amira Hassan", role="staff", staff_id="s2")
    users.enroll(code, "482913")      # the person chooses a PIN
    users.verify_pin(user["id"], "482913")

Codes are stored only as hashes and work once, until they expire.

A substitute (*vikarie*) gets no PIN: the meeting makes an account limited
to one shift, whose one-time code signs in directly and which stops working
when the shift ends (:meth:`Users.add_substitute`, :meth:`Users.redeem`).
"""

import datetime as dt
import hashlib
import logging
import re
import secrets
import uuid

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from sync.errors import HembasError
from sync.store.database import Database

logger = logging.getLogger(__name__)

ROLES = ("staff", "coordinator", "technician")
SUBSTITUTE = "substitute"  # made by the morning meeting for one shift, never on the Personal page
ROLE_NAMES = {"staff": "personal", "coordinator": "samordnare", "technician": "tekniker", SUBSTITUTE: "vikarie"}
SUBSTITUTES_KEPT = dt.timedelta(days=14)  # an ended substitute's account still names what they wrote
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread on a slip
CODE_LENGTH = 8
PIN_PATTERN = re.compile(r"[0-9]{4,8}")
# OWASP's argon2id minimum: 19 MiB, two passes.  Six waitress threads stay well inside a Pi's memory.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


class UserError(HembasError, ValueError):
    """An account could not be created, enrolled or found (the message says why, in Swedish)."""


def normalize_code(code):
    """An enrollment code as typed ("abcd-efgh ") in its canonical form ("ABCDEFGH")."""
    return re.sub(r"[\s-]", "", code or "").upper()


def format_code(code):
    """A code as shown and printed: two groups of four."""
    return f"{code[:4]}-{code[4:]}"


def new_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def pin_problem(pin):
    """Why *pin* is not acceptable (Swedish), or None."""
    if not PIN_PATTERN.fullmatch(pin or ""):
        return "PIN-koden ska vara 4–8 siffror."
    steps = {int(b) - int(a) for a, b in zip(pin, pin[1:])}
    if steps in ({0}, {1}, {-1}):
        return "Välj en PIN-kod som är svårare att gissa (inte 1111 eller 1234)."
    return None


def _code_hash(code):
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()


def _utcnow():
    return dt.datetime.now(dt.timezone.utc)


class Users:
    """The account store (``users.json`` in the data folder)."""

    def __init__(self, data_dir, *, enrollment_hours=72, hasher=HASHER):
        self._db = Database(data_dir / "users.json")
        self.enrollment_hours = enrollment_hours
        self._hasher = hasher

    def all(self):
        """Every account, sorted by name."""
        return sorted((dict(r) for r in self._rows()), key=lambda u: u["name"].casefold())

    def _rows(self):
        """The stored accounts as they are (not copies: do not change them)."""
        return self._db.read_all().get("users", {}).values()

    def revision(self):
        """Changes whenever an account is added, changed or removed (see Records.revision)."""
        return self._db.revision()

    def can_sign_in(self):
        """Accounts that have chosen a PIN: those that can sign in with name and PIN."""
        return [u for u in self.all() if u["pin_hash"]]

    @staticmethod
    def usable(user, *, now=None):
        """Whether a session of *user* still counts: a PIN chosen, or a substitute whose shift has not ended."""
        if user["role"] == SUBSTITUTE:
            return (now or _utcnow()) < dt.datetime.fromisoformat(user["until"])
        return bool(user["pin_hash"])

    def get(self, user_id):
        """The account *user_id* (a copy), or None; every request's sign-in check asks."""
        return next((dict(r) for r in self._rows() if r["id"] == user_id), None)

    def named(self, name):
        """The account with a PIN that *name*, as typed on the sign-in page, means, or None.

        The full name in any case and spacing, or a first name that only one
        such account has ("johanna" for Johanna Öhman).
        """
        typed = " ".join((name or "").split()).casefold()
        if not typed:
            return None
        accounts = self.can_sign_in()
        full = [u for u in accounts if u["name"].casefold() == typed]
        first = [u for u in accounts if u["name"].casefold().split()[0] == typed]
        if full:
            return full[0]
        return first[0] if len(first) == 1 else None

    def add(self, *, name, role, staff_id="", enrollment_code=None, now=None):
        """Create an account; returns ``(user, code)`` where *code* is the one-time enrollment code."""
        name = " ".join((name or "").split())
        if not name or len(name) > 80:
            raise UserError("ange ett namn (högst 80 tecken)")
        if role not in ROLES:
            raise UserError(f"okänd roll {role!r} (välj staff, coordinator eller technician)")
        code = self._check_code(enrollment_code) if enrollment_code else new_code()
        user = {"id": "u-" + uuid.uuid4().hex[:10], "name": name, "role": role, "staff_id": staff_id,
                "pin_hash": "", "created_at": (now or _utcnow()).isoformat(timespec="seconds")}
        with self._db.transaction() as db:
            if any(u["name"].casefold() == name.casefold() for u in self.all() if u["role"] != SUBSTITUTE):
                raise UserError(f"det finns redan ett konto som heter {name}")
            db.table("users").insert({**user, **self._enrollment(code, now)})
        logger.info("account %s (%s) created", user["id"], role)
        return self.get(user["id"]), code

    def add_substitute(self, *, name, staff_id, until, now=None):
        """A sign-in for the substitute *staff_id* until *until* (the shift's end); returns ``(user, code)``.

        The code works once and only until *until*.  Substitute accounts whose
        shift ended more than two weeks ago are removed.
        """
        now, code = now or _utcnow(), new_code()
        until = until.astimezone(dt.timezone.utc).isoformat(timespec="seconds")
        user = {"id": "u-" + uuid.uuid4().hex[:10], "name": " ".join(name.split()), "role": SUBSTITUTE,
                "staff_id": staff_id, "pin_hash": "", "created_at": now.isoformat(timespec="seconds"),
                "until": until, "code_hash": _code_hash(code), "code_expires": until}
        with self._db.transaction() as db:
            table = db.table("users")
            table.remove(lambda row: row["role"] == SUBSTITUTE
                         and dt.datetime.fromisoformat(row["until"]) < now - SUBSTITUTES_KEPT)
            table.insert(user)
        logger.info("substitute account %s for %s until %s", user["id"], staff_id, until)
        return self.get(user["id"]), code

    def redeem(self, code, *, now=None):
        """The substitute account whose one-time *code* this is (used up now), or UserError."""
        now, digest = now or _utcnow(), _code_hash(code)
        with self._db.transaction() as db:
            user = next((u for u in self.all() if u["role"] == SUBSTITUTE and u.get("code_hash")
                         and secrets.compare_digest(u["code_hash"], digest)), None)
            if user is None or dt.datetime.fromisoformat(user["code_expires"]) <= now:
                raise UserError("Koden är fel, redan använd eller passet är slut. Be laget om en ny.")
            db.table("users").update({"code_hash": ""}, lambda row: row["id"] == user["id"])
        return self.get(user["id"])

    def new_enrollment(self, user_id, *, code=None, now=None):
        """Give an account a fresh one-time code (a forgotten PIN); the old PIN stops working."""
        code = self._check_code(code) if code else new_code()
        self._update(user_id, pin_hash="", **self._enrollment(code, now))
        return code

    def enroll(self, code, pin, *, now=None):
        """Set the PIN of the account that *code* belongs to; returns the account."""
        problem = pin_problem(pin)
        if problem:
            raise UserError(problem)
        now = now or _utcnow()
        digest = _code_hash(code)
        pin_hash = self._hasher.hash(pin)
        with self._db.transaction() as db:
            user = next((u for u in self.all() if u.get("code_hash") and u["role"] != SUBSTITUTE and
                         secrets.compare_digest(u["code_hash"], digest)), None)
            if user is None or dt.datetime.fromisoformat(user["code_expires"]) < now:
                raise UserError("Koden är fel, redan använd eller för gammal. Be samordnaren om en ny.")
            db.table("users").update({"pin_hash": pin_hash, "code_hash": "", "code_expires": ""},
                                     lambda row: row["id"] == user["id"])
        return self.get(user["id"])

    def verify_pin(self, user_id, pin):
        """Whether *pin* is the account's PIN (always spends the time of one hash)."""
        user = self.get(user_id)
        stored = user["pin_hash"] if user else ""
        try:
            if not stored:
                self._hasher.hash(pin or "0")  # same cost as a real check: no timing hint
                return False
            return self._hasher.verify(stored, pin or "")  # cost as stored in the hash
        except (VerificationError, InvalidHashError):
            return False

    def remove(self, user_id):
        with self._db.transaction() as db:
            db.table("users").remove(lambda row: row["id"] == user_id)

    def _enrollment(self, code, now):
        expires = (now or _utcnow()) + dt.timedelta(hours=self.enrollment_hours)
        return {"code_hash": _code_hash(code), "code_expires": expires.isoformat(timespec="seconds")}

    def _check_code(self, code):
        code = normalize_code(code)
        if len(code) < CODE_LENGTH or set(code) - set(CODE_ALPHABET):
            raise UserError(f"en aktiveringskod är minst {CODE_LENGTH} tecken av {CODE_ALPHABET}")
        return code

    def _update(self, user_id, **fields):
        with self._db.transaction() as db:
            if not db.table("users").update(fields, lambda row: row["id"] == user_id):
                raise UserError("kontot finns inte")
