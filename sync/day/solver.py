"""Who takes each open visit of a shift: a greedy placement, then local improvement.

The morning meeting's proposal (:mod:`sync.day.proposal`) only ever *adds*
people to visits that lack them; every other visit keeps its staff, which
is the least change there is.  The rules, in order:

1. **Hard:** only people working the shift; nobody on a visit twice (a
   double-staffed visit gets two different people); no person gets a visit
   whose window collides with one of theirs (:meth:`sync.day.timing.Timing.collide`,
   with the travel margin).
2. **Place as many open visits as possible.**
3. **Cost, lower is better** (integers, so CP-SAT in ``tests/bench`` can
   check the same objective):

   * continuity: ``CONTINUITY * (top - n) / top`` per placement, where *n*
     is how many of the client's visits in the plan the person has and *top*
     the most any of the shift's crew has.  The most frequent visitor costs
     nothing, a stranger the whole weight;
   * even load: ``minutes² + (VISIT_WEIGHT * visits)²`` summed over the crew
     for the whole shift.  ``CONTINUITY`` is about what it costs to give a
     person with an hour and two visits more than another a 30-minute visit:
     continuity wins unless it makes the day clearly uneven.

The heuristic: visits in order of how hard they are to place (timed visits
first, then fewest possible people, then the earliest), each slot to the
person whose cost grows least; then, until nothing improves (at most
:data:`ROUNDS` rounds): move one placement to another person, swap two
placements between people, and place a visit still open by moving one
placement that blocks it to someone else.  Each step keeps the hard rules.

Chosen over CP-SAT for a Pi Zero 2 W: see docs/benchmarks.md (the proposal).
"""

from .timing import Timing

CONTINUITY = 6000
VISIT_WEIGHT = 30
ROUNDS = 20


class Problem:
    """One shift's open visits, its crew and what the plan says about them."""

    def __init__(self, plan, day, shift, timing=Timing()):
        self.shift, self.timing = shift, timing
        self.crew = list(day.crew(shift))
        self.open = [(v, day.needs(v) - len(v.staff_ids)) for v in day.unassigned(shift=shift)]
        self.minutes = {v.id: timing.minutes(v) for v in day.shift(shift)}
        self.routes = {p: list(day.route(p, shift=shift)) for p in self.crew}
        self.base = {p: (sum(self.minutes[v.id] for v in r), len(r)) for p, r in self.routes.items()}
        # who may take each open visit as far as their own visits go (placements come on top)
        self.fits = {v.id: {p for p in self.crew if p not in v.staff_ids
                            and not any(timing.collide(v, w) for w in self.routes[p])} for v, _ in self.open}
        self.counts = {}
        for visit, _ in self.open:
            if visit.client_id not in self.counts:
                counts = dict.fromkeys(self.crew, 0)
                for planned in plan.visits_for_client(visit.client_id):
                    for staff_id in planned.staff_ids:
                        if staff_id in counts:
                            counts[staff_id] += 1
                self.counts[visit.client_id] = counts
        self.top = {client: max(counts.values(), default=0) for client, counts in self.counts.items()}

    def continuity_cost(self, visit, staff_id):
        top = self.top[visit.client_id]
        return CONTINUITY * (top - self.counts[visit.client_id][staff_id]) // top if top else 0

    @staticmethod
    def load_cost(minutes, visits):
        return minutes * minutes + (VISIT_WEIGHT * visits) ** 2

    def can_take(self, visit, staff_id, taken):
        """Whether *staff_id* may be added to *visit* given the placements in *taken* (visit id -> ids)."""
        return (staff_id in self.fits[visit.id] and staff_id not in taken.get(visit.id, ())
                and not any(self.timing.collide(visit, other) for other in self.placed(staff_id, taken)))

    def placed(self, staff_id, taken):
        """The open visits *taken* gives *staff_id*."""
        return [visit for visit, _ in self.open if staff_id in taken.get(visit.id, ())]

    def busy(self, staff_id, taken):
        """The person's visits of the shift with the placements of *taken*."""
        return self.routes[staff_id] + self.placed(staff_id, taken)

    def cost(self, taken):
        """The objective for the placements *taken*: (open slots left, cost)."""
        load = dict(self.base)
        total, left = 0, 0
        for visit, need in self.open:
            people = taken.get(visit.id, ())
            left += need - len(people)
            for p in people:
                total += self.continuity_cost(visit, p)
                m, n = load[p]
                load[p] = (m + self.minutes[visit.id], n + 1)
        return left, total + sum(self.load_cost(m, n) for m, n in load.values())


def solve(problem):
    """Placements for *problem*: visit id -> the people added, each list at most the visit's need."""
    state = _State(problem)
    for visit, need in sorted(problem.open, key=lambda item: _difficulty(problem, *item)):
        for _ in range(need):
            best = state.best_for(visit)
            if best is None:
                break
            state.add(visit, best)
    for _ in range(ROUNDS):
        if not (state.place_blocked() | state.move_one() | state.swap_two()):
            break
    return {visit_id: list(people) for visit_id, people in state.taken.items() if people}


def _difficulty(problem, visit, need):
    span = visit.span()
    return (span is None, len(problem.fits[visit.id]), span[0] if span else 0, visit.id)


class _State:
    """Placements with each person's load kept up to date."""

    def __init__(self, problem):
        self.problem = problem
        self.taken = {}
        self.mine = {p: [] for p in problem.crew}  # the placements of each person
        self.load = dict(problem.base)
        self.needs = {v.id: need for v, need in problem.open}
        self.visits = {v.id: v for v, _ in problem.open}

    def delta(self, visit, staff_id):
        """How much the cost grows when *staff_id* takes *visit*."""
        m, n = self.load[staff_id]
        grown = self.problem.load_cost(m + self.problem.minutes[visit.id], n + 1) - self.problem.load_cost(m, n)
        return grown + self.problem.continuity_cost(visit, staff_id)

    def can_take(self, visit, staff_id):
        """:meth:`Problem.can_take` for the current placements, from each person's own list."""
        return (staff_id in self.problem.fits[visit.id] and staff_id not in self.taken.get(visit.id, ())
                and not any(self.problem.timing.collide(visit, other) for other in self.mine[staff_id]))

    def best_for(self, visit, *, but=None):
        options = [(self.delta(visit, p), i, p) for i, p in enumerate(self.problem.crew)
                   if p != but and self.can_take(visit, p)]
        return min(options)[2] if options else None

    def add(self, visit, staff_id):
        self.taken.setdefault(visit.id, []).append(staff_id)
        self.mine[staff_id].append(visit)
        m, n = self.load[staff_id]
        self.load[staff_id] = (m + self.problem.minutes[visit.id], n + 1)

    def remove(self, visit, staff_id):
        self.taken[visit.id].remove(staff_id)
        self.mine[staff_id].remove(visit)
        m, n = self.load[staff_id]
        self.load[staff_id] = (m - self.problem.minutes[visit.id], n - 1)

    def placements(self):
        return [(self.visits[v], p) for v, people in self.taken.items() for p in list(people)]

    def move_one(self):
        """Move single placements to whoever makes the cost fall most; True if any moved."""
        improved = False
        for visit, p in self.placements():
            self.remove(visit, p)
            best = self.best_for(visit)
            if best is not None and best != p and self.delta(visit, best) < self.delta(visit, p):
                self.add(visit, best)
                improved = True
            else:
                self.add(visit, p)
        return improved

    def swap_two(self):
        """Swap two placements between two people where both fit and the cost falls; True if any did."""
        improved = False
        placements = self.placements()
        for i, (v, p) in enumerate(placements):
            for w, q in placements[i + 1:]:
                if (p == q or v.id == w.id or q not in self.problem.fits[v.id] or p not in self.problem.fits[w.id]
                        or p not in self.taken[v.id] or q not in self.taken[w.id] or self.swap_gain(v, p, w, q) <= 0):
                    continue
                self.remove(v, p)
                self.remove(w, q)
                if self.can_take(v, q) and self.can_take(w, p):
                    self.add(v, q)
                    self.add(w, p)
                    improved = True
                else:
                    self.add(v, p)
                    self.add(w, q)
        return improved

    def swap_gain(self, v, p, w, q):
        """How much the cost falls if *p* takes *w* instead of *v* and *q* takes *v* instead of *w*."""
        load, minutes, cont = self.problem.load_cost, self.problem.minutes, self.problem.continuity_cost
        (mp, np_), (mq, nq) = self.load[p], self.load[q]
        dv, dw = minutes[v.id], minutes[w.id]
        before = load(mp, np_) + load(mq, nq) + cont(v, p) + cont(w, q)
        after = load(mp - dv + dw, np_) + load(mq - dw + dv, nq) + cont(v, q) + cont(w, p)
        return before - after

    def place_blocked(self):
        """Place an open slot by moving the one placement that blocks a person; True if any was placed."""
        placed = False
        for visit, _ in self.problem.open:
            while len(self.taken.get(visit.id, ())) < self.needs[visit.id] and self._unblock(visit):
                placed = True
        return placed

    def _unblock(self, visit):
        for p in self.problem.crew:
            if p in visit.staff_ids or p in self.taken.get(visit.id, ()):
                continue
            if p not in self.problem.fits[visit.id]:
                continue  # blocked by a visit of their own, which stays
            blocking = [w for w in self.mine[p] if self.problem.timing.collide(visit, w)]
            if len(blocking) != 1:
                continue
            other = blocking[0]
            self.remove(other, p)
            elsewhere = self.best_for(other, but=p)
            if elsewhere is not None and self.can_take(visit, p):
                self.add(other, elsewhere)
                if self.can_take(visit, p):
                    self.add(visit, p)
                    return True
                self.remove(other, elsewhere)
            self.add(other, p)
        return False
