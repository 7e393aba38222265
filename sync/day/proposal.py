"""The morning meeting's proposal: who takes each unassigned visit of a shift, and why.

One tap at the meeting: for every visit that lacks people (an absent
carer's, an extra visit, one half of a double-staffed pair) the proposal
names who takes it, changing nothing else, and says why in Swedish::

    proposal = propose(plan, day, box.current_shift(), Timing.from_config(config))
    proposal.moves[0].reason
    # 'Amira Hassan: besöker Åsa Berg oftast (6 av 20 besök), ledig 08:00–08:45, får 14 besök (6 t 30 min)'
    proposal.unplaced        # visits nobody can take, each with why
    proposal.load            # each person of the shift after the proposal: visits, minutes
    accept(box, proposal, ["v00012", "v00017"], author="s1", audit=audit)   # all, some or none

The rules and the heuristic are in :mod:`sync.day.solver`.  The same day
always gives the same proposal; :attr:`Proposal.key` names it, so a page can
check that what the team accepts is what it saw (another phone may have
changed the day in between).
"""

import dataclasses
import hashlib

from .changes import assign
from .solver import Problem, solve
from .team_day import SUBSTITUTE_ROLE
from .timing import Timing, duration_text, shift_span, window_text
from .wording import shift_label


@dataclasses.dataclass(frozen=True)
class Move:
    visit_id: str
    client_id: str
    window: str  # "08:00–08:45" or ""
    added: tuple  # the people the proposal adds
    staff_ids: tuple  # everyone on the visit afterwards: what accepting records
    reason: str  # one Swedish line per added person, joined by "; "


@dataclasses.dataclass(frozen=True)
class Unplaced:
    visit_id: str
    client_id: str
    window: str
    missing: int  # people still lacking
    reason: str


@dataclasses.dataclass(frozen=True)
class Load:
    staff_id: str
    name: str
    substitute: bool
    visits: int  # in the shift, after the proposal
    minutes: int  # estimated (sync.day.timing)
    added: int  # visits the proposal gives them


@dataclasses.dataclass(frozen=True)
class Proposal:
    date: object
    shift: str  # the shift's name
    shift_minutes: int  # how long the shift is, to hold each person's load against
    moves: tuple
    unplaced: tuple
    load: tuple
    key: str  # a short hash of the moves

    def only(self, visit_ids):
        """The moves for *visit_ids* (what the team ticked), in the proposal's order."""
        wanted = set(visit_ids)
        return tuple(m for m in self.moves if m.visit_id in wanted)

    def as_dict(self):
        """What ``hembas day propose --json`` prints."""
        return {"date": self.date.isoformat(), "shift": self.shift, "shift_minutes": self.shift_minutes,
                "key": self.key,
                "moves": [dataclasses.asdict(m) | {"added": list(m.added), "staff_ids": list(m.staff_ids)}
                          for m in self.moves],
                "unplaced": [dataclasses.asdict(u) for u in self.unplaced],
                "load": [dataclasses.asdict(entry) for entry in self.load]}


def propose(plan, day, shift, timing=Timing()):
    """The proposal for *shift* (a :class:`~sync.day.shifts.Shift` of *day*) of the effective *day*."""
    problem = Problem(plan, day, shift.name, timing)
    taken = solve(problem)
    load = dict(problem.base)
    for visit, _ in problem.open:
        for p in taken.get(visit.id, ()):
            m, n = load[p]
            load[p] = (m + problem.minutes[visit.id], n + 1)
    explain = _Explainer(plan, day, problem, taken, load)
    moves, unplaced = [], []
    for visit, need in sorted(problem.open, key=lambda item: item[0].route_key()):
        added = tuple(taken.get(visit.id, ()))
        if added:
            moves.append(Move(visit_id=visit.id, client_id=visit.client_id, window=window_text(visit), added=added,
                              staff_ids=visit.staff_ids + added,
                              reason="; ".join(explain.why(visit, p) for p in added)))
        if len(added) < need:
            unplaced.append(Unplaced(visit_id=visit.id, client_id=visit.client_id, window=window_text(visit),
                                     missing=need - len(added), reason=explain.why_not(visit, added)))
    added_count = {}
    for move in moves:
        for p in move.added:
            added_count[p] = added_count.get(p, 0) + 1
    loads = tuple(Load(staff_id=p, name=day.person(p).name, substitute=day.person(p).role == SUBSTITUTE_ROLE,
                       visits=load[p][1], minutes=load[p][0], added=added_count.get(p, 0)) for p in problem.crew)
    key = hashlib.sha256(repr([(m.visit_id, m.staff_ids) for m in moves]).encode()).hexdigest()[:12]
    start, end = shift_span(shift)
    return Proposal(date=day.date, shift=shift.name, shift_minutes=end - start, moves=tuple(moves), unplaced=tuple(unplaced), load=loads, key=key)


def accept(box, proposal, visit_ids=None, *, author, audit):
    """Record the moves for *visit_ids* (None: all) as assignments; returns :class:`~sync.day.changes.Assignment`."""
    moves = proposal.moves if visit_ids is None else proposal.only(visit_ids)
    return assign(box, proposal.date, [(m.visit_id, m.staff_ids) for m in moves], author=author, audit=audit,
                  reasons={m.visit_id: f"förslag: {m.reason}" for m in moves})


class _Explainer:
    """The Swedish reasons, from the facts the solver used."""

    def __init__(self, plan, day, problem, taken, load):
        self.plan, self.day, self.problem, self.taken, self.load = plan, day, problem, taken, load

    def client(self, visit):
        client = self.plan.clients.get(visit.client_id)
        return client.name if client else visit.client_id

    def name(self, staff_id):
        return self.day.person(staff_id).name

    def why(self, visit, staff_id):
        counts = self.problem.counts[visit.client_id]
        total = len(self.plan.visits_for_client(visit.client_id))
        top = max(counts.values(), default=0)
        n = counts[staff_id]
        parts = ["vikarie"] if self.day.person(staff_id).role == SUBSTITUTE_ROLE else []
        if n and n == top:
            parts.append(f"besöker {self.client(visit)} oftast ({n} av {total} besök)")
        elif n:
            parts.append(f"har besökt {self.client(visit)} {n} av {total} gånger")
        else:
            parts.append(f"har inte besökt {self.client(visit)} i planen")
        if visit.window:
            parts.append(f"ledig {window_text(visit)}")
        partners = [p for p in visit.staff_ids + tuple(self.taken.get(visit.id, ())) if p != staff_id]
        if partners:
            parts.append("dubbelbemanning med " + " och ".join(self.name(p) for p in partners))
        minutes, visits = self.load[staff_id]
        parts.append(f"får {visits} besök ({duration_text(minutes)})")
        if n < top:
            parts.append(self._why_not_top(visit, staff_id, top))
        return f"{self.name(staff_id)}: " + ", ".join(p for p in parts if p)

    def _why_not_top(self, visit, chosen, top):
        """Why the most frequent visitor did not get it: busy then, already on it, or more to do."""
        counts = self.problem.counts[visit.client_id]
        for p in (p for p in self.problem.crew if counts[p] == top and p != chosen):
            if p in visit.staff_ids or p in self.taken.get(visit.id, ()):
                continue
            busy = [w for w in self.problem.busy(p, self.taken) if self.problem.timing.collide(visit, w)]
            if busy:
                return f"{self.name(p)} besöker oftare men är upptagen {window_text(busy[0])}"
            minutes, visits = self.load[p]
            return f"{self.name(p)} besöker oftare men har redan {visits} besök ({duration_text(minutes)})"
        return ""

    def why_not(self, visit, added):
        label = shift_label(self.problem.shift)
        if not self.problem.crew:
            return f"ingen arbetar {label}"
        when = f" {window_text(visit)}" if visit.window else ""
        have = visit.staff_ids + tuple(added)
        if have:
            return f"behöver en person till; ingen annan i {label} än {' och '.join(map(self.name, have))} är ledig{when}"
        return f"ingen i {label} är ledig{when}"
