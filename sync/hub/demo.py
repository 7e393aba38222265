"""A demo hub on this machine, so a new user sees a plan update arrive (``make demo``).

:func:`demo_setup` is idempotent: it creates the hub's keys, approves the
local box's key, writes a ``[hub]`` section into the box's settings file if
it has none, and publishes a demo plan newer than the box's.  While the demo
hub runs, :func:`start_demo_updates` publishes a slightly changed plan every
few minutes (a note on today's first visit says when).
"""

import datetime as dt
import logging
import threading

from ..box import open_box
from ..network.bundle import expected_team, make_bundle
from ..plan.demo import demo_plan
from ..commands import working_day_or_none
from ..network.keys import box_public_key
from ..plan.model import document_version

logger = logging.getLogger(__name__)

DEMO_TEAM = "kalix-centrum"
DEMO_POLL_MINUTES = 1


def demo_setup(store, config, *, url):
    """Prepare hub and box for the demo; returns lines to show the user."""
    lines = []
    if not (store.keys_dir / "hub-signing.key").exists():
        store.keygen()
        lines.append(f"Demohubbens nycklar skapade i {store.keys_dir}")
    keys = store.public_keys()
    box = open_box(config)
    team = expected_team(box) or DEMO_TEAM
    store.add_box(box_public_key(config.data_dir), team=team)
    settings = config.path or config.data_dir / "hembas.toml"
    text = settings.read_text(encoding="utf-8") if settings.exists() else ""
    if "[hub]" not in text:
        section = (f'\n[hub]\nurl = "{url}"\npublic_key = "{keys["public_key"]}"\n'
                   f'encryption_key = "{keys["encryption_key"]}"\npoll_minutes = {DEMO_POLL_MINUTES}\n')
        settings.write_text(text + section, encoding="utf-8")
        lines.append(f"Lådan pekar nu på demohubben ({settings})")
    elif keys["public_key"] not in text:
        lines.append(f"{settings} har redan en [hub]-sektion; för demon behövs "
                     f'public_key = "{keys["public_key"]}" och url = "{url}"')
    version = publish_demo_update(store, team, today=_today(box))
    lines.append(f"Demoplan {version} publicerad för team {team}")
    return lines


def publish_demo_update(store, team, *, today, now=None):
    """Publish the demo plan, stamped *now* and marked as changed by the hub; returns its version."""
    now = now or dt.datetime.now(dt.timezone.utc)
    document = demo_plan(today, team_id=team)
    document["generated_at"] = now.isoformat(timespec="seconds")
    todays = [v for v in document["visits"] if v["date"] == today.isoformat()]
    if todays:
        local = now.astimezone().strftime("%H:%M")
        todays[0]["note"] = f"Ändrat av kommunen kl {local}: ring brukaren innan besöket."
    store.put_bundle(team, make_bundle(document, store.signing_key(), created_at=now))
    return document_version(document)


def start_demo_updates(store, config, *, every):
    """Publish a new demo plan every *every* seconds on a thread; set the returned Event to stop."""
    stop = threading.Event()
    box = open_box(config)
    team = expected_team(box) or DEMO_TEAM

    def loop():
        while not stop.wait(every):
            try:
                version = publish_demo_update(store, team, today=_today(box))
                logger.info("demo hub published plan %s", version)
            except Exception:  # a demo thread's edge
                logger.exception("demo update failed")

    threading.Thread(target=loop, name="demo-hub-updates", daemon=True).start()
    return stop


def _today(box):
    """The box's working day (at 01:30 the night that began yesterday), or the machine's date."""
    return working_day_or_none(box) or dt.date.today()  # an untrusted clock: the demo uses the machine's
