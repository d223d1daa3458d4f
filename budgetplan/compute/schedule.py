"""The milestone network: forward pass, float and critical path (pure, no I/O).

A milestone is fixed (its date is given) or computed: it starts on the latest of its
prerequisites' dates plus their lags, its ``not_before`` date and the programme's first day,
and ends ``duration`` days later, counting only the days its calendar is open (a duration on
Parliament's calendar stops during the recess). Days are ordinals (``date.toordinal()``) so the
same pass runs on one plan or, vectorised with numpy, on thousands of Monte Carlo draws.

Float: for each event a pilot serves, the latest date each milestone leading to the pilot's
first operational milestone may fall on without making it late (a backward pass from the
required date), less its planned date. A delay within a milestone's float moves nothing that
matters for that event; the critical path is the chain of milestones with the least float.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from budgetplan.core import precision
from budgetplan.core.errors import SaidError
from budgetplan.core.findings import said
from budgetplan.core.model import Milestone, MilestoneKind, Programme, Step


class CycleError(SaidError, ValueError):
    """The prerequisites of some milestones loop back on themselves."""

    code = "MILESTONE_CYCLE"


def _closed_by_calendar(programme: Programme) -> dict[str, tuple[tuple[int, int], ...]]:
    """Each calendar's closures as sorted, merged (first, last) ordinal intervals."""
    raw: dict[str, list[tuple[int, int]]] = {}
    for c in programme.closures:
        raw.setdefault(c.calendar.upper(), []).append(
            (c.first_day.toordinal(), c.last_day.toordinal())
        )
    merged: dict[str, tuple[tuple[int, int], ...]] = {}
    for cal, spans in raw.items():
        out: list[tuple[int, int]] = []
        for a, b in sorted(spans):
            if out and a <= out[-1][1] + 1:
                out[-1] = (out[-1][0], max(out[-1][1], b))
            else:
                out.append((a, b))
        merged[cal] = tuple(out)
    return merged


def finish(start: np.ndarray, days: np.ndarray, closed: Iterable[tuple[int, int]]) -> np.ndarray:
    """The day on which ``days`` open days after ``start`` are done (start itself not counted):
    start + days when nothing is closed; closed days do not count, and a duration of 0 ends on
    its start (vectorised)."""
    t = np.asarray(start, dtype=np.float64).copy()
    rest = np.asarray(days, dtype=np.float64).copy()
    t, rest = np.broadcast_arrays(t, rest)
    t, rest = t.copy(), rest.copy()
    done = rest <= 0  # nothing to do: done when it starts, closed or not
    for a, b in closed:
        live = ~done & (t < b)  # a closure already behind t does not matter
        inside = live & (t >= a)  # starting within the closure: work starts after it
        t = np.where(inside, b, t)
        before = live & ~inside
        open_days = a - 1 - t  # open days between t and the closure
        ends_before = before & (rest <= open_days)
        done |= ends_before
        crosses = before & ~ends_before
        rest = np.where(crosses, rest - open_days, rest)
        t = np.where(crosses, b, t)
    return t + rest


def latest_start(end: int, days: int, closed: tuple[tuple[int, int], ...]) -> int:
    """The latest start from which ``days`` open days are done by ``end`` (the inverse of
    :func:`finish` for one plan)."""
    t, rest = end, days
    if rest <= 0:
        return t
    for a, b in reversed(closed):
        if a > t:
            continue
        if t <= b:  # ending within a closure: the work must end before it
            t = a - 1
            continue
        open_days = t - b  # open days between the closure and t
        if rest <= open_days:
            return t - rest
        rest -= open_days
        t = a - 1
    return t - rest


@dataclass(frozen=True)
class Node:
    id: str
    pilot: str
    kind: MilestoneKind
    fixed: int | None  # ordinal of a fixed date
    likely: int
    low: int
    high: int
    preds: tuple[tuple[int, int], ...]  # (index of the prerequisite, lag in days)
    not_before: int | None
    closed: tuple[tuple[int, int], ...]


class Network:
    """A programme's milestones in an order where prerequisites come first."""

    def __init__(self, programme: Programme) -> None:
        items: list[tuple[str, Milestone]] = [
            (p.id, m) for p in programme.pilots for m in p.milestones
        ]
        index = {m.id.upper(): i for i, (_p, m) in enumerate(items)}
        order = _topological(items, index)
        calendars = _closed_by_calendar(programme)
        by_route = route_durations(programme)
        self.origin = dt.date(programme.period.start.year, programme.period.start.month, 1)
        position = {old: new for new, old in enumerate(order)}
        nodes: list[Node] = []
        for old in order:
            pilot, m = items[old]
            spread = programme.spread(m.kind)
            if m.duration is not None:
                likely = m.duration.likely
            else:  # fixed (0), or a procurement milestone taking its route's durations
                likely = by_route.get(m.id.upper(), 0) if m.date is None else 0
            low = m.duration.low if m.duration and m.duration.low is not None else None
            high = m.duration.high if m.duration and m.duration.high is not None else None
            nodes.append(
                Node(
                    id=m.id,
                    pilot=pilot,
                    kind=m.kind,
                    fixed=m.date.toordinal() if m.date is not None else None,
                    likely=likely,
                    low=low if low is not None else int(round(likely * float(spread.low))),
                    high=high if high is not None else int(round(likely * float(spread.high))),
                    preds=tuple(
                        (position[index[ident.upper()]], lag)
                        for ident, lag in m.predecessors
                        if ident.upper() in index
                    ),
                    not_before=m.not_before.toordinal() if m.not_before else None,
                    closed=calendars.get((m.calendar or "").upper(), ()),
                )
            )
        self.nodes = tuple(nodes)
        self.index = {n.id.upper(): i for i, n in enumerate(nodes)}

    def likely(self) -> np.ndarray:
        return np.array([n.likely for n in self.nodes], dtype=np.float64)

    def forward(
        self, durations: np.ndarray | None = None, delays: dict[str, int] | None = None
    ) -> np.ndarray:
        """Dates (ordinals) of every milestone, in node order: shape (n,) for one plan, or
        (n, draws) when ``durations`` has one column per draw. ``delays`` adds days to a
        milestone (a fixed one moves by them; a computed one takes them longer)."""
        d = self.likely() if durations is None else np.asarray(durations, dtype=np.float64)
        extra = {self.index[k.upper()]: v for k, v in (delays or {}).items()}
        dates = np.zeros(d.shape, dtype=np.float64)
        first = float(self.origin.toordinal())
        for i, node in enumerate(self.nodes):
            if node.fixed is not None:
                dates[i] = node.fixed + extra.get(i, 0)
                continue
            start = np.full(d.shape[1:], first)
            if node.not_before is not None:
                start = np.maximum(start, node.not_before)
            for j, lag in node.preds:
                start = np.maximum(start, dates[j] + lag)
            dates[i] = finish(start, d[i] + extra.get(i, 0), node.closed)
        return dates

    def plan(self, delays: dict[str, int] | None = None) -> dict[str, dt.date]:
        """The date of each milestone, by id, for the likely durations."""
        dates = self.forward(delays=delays)
        return {n.id: dt.date.fromordinal(int(dates[i])) for i, n in enumerate(self.nodes)}

    def latest(self, target: str, deadline: dt.date) -> dict[str, dt.date]:
        """The latest date of each milestone ``target`` depends on (and of the target itself)
        that keeps the target on or before ``deadline``, for the likely durations."""
        t = self.index[target.upper()]
        late: dict[int, int] = {t: deadline.toordinal()}
        for i in range(t, -1, -1):  # prerequisites come before their milestones
            if i not in late:
                continue
            node = self.nodes[i]
            if node.fixed is not None:
                continue  # a fixed date does not move with what comes before it
            start = latest_start(late[i], node.likely, node.closed)
            for j, lag in node.preds:
                late[j] = min(late.get(j, start - lag), start - lag)
        return {self.nodes[i].id: dt.date.fromordinal(v) for i, v in late.items()}


def route_durations(programme: Programme) -> dict[str, int]:
    """The default duration of each procurement milestone that a line awards or launches: for an
    award, the preparation and the statutory minimum of the most demanding of those lines'
    routes; for a launch alone, the preparation. By milestone id in upper case."""
    awards: dict[str, int] = {}
    launches: dict[str, int] = {}
    for line in programme.cost_lines:
        route = programme.procedure(line.route)
        if line.award:
            key = line.award.upper()
            awards[key] = max(awards.get(key, 0), route.preparation_days + route.minimum_days)
        if line.tender:
            key = line.tender.upper()
            launches[key] = max(launches.get(key, 0), route.preparation_days)
    return {**launches, **awards}


def _topological(items: list[tuple[str, Milestone]], index: dict[str, int]) -> list[int]:
    """Indices of ``items`` with every prerequisite first (row order otherwise); a loop is a
    CycleError naming it."""
    state = [0] * len(items)  # 0 new, 1 on the path, 2 done
    order: list[int] = []
    for root in range(len(items)):
        if state[root]:
            continue
        stack: list[tuple[int, int]] = [(root, 0)]
        path: list[int] = []
        while stack:
            i, k = stack.pop()
            if k == 0:
                if state[i] == 2:
                    continue
                state[i] = 1
                path.append(i)
            deps = [index[d.upper()] for d in items[i][1].prerequisite_ids if d.upper() in index]
            if k < len(deps):
                stack.append((i, k + 1))
                j = deps[k]
                if state[j] == 1:
                    loop = [*path[path.index(j) :], j]
                    names = " -> ".join(items[x][1].id for x in loop)
                    raise CycleError(
                        said(
                            f"milestones {names} depend on each other in a loop",
                            f"les jalons {names} dépendent les uns des autres en boucle",
                        ),
                        said(
                            "remove one of these prerequisites",
                            "retirer l'un de ces prérequis",
                        ),
                    )
                if state[j] == 0:
                    stack.append((j, 0))
                continue
            state[i] = 2
            path.pop()
            order.append(i)
    return order


@dataclass(frozen=True)
class Path:
    """A pilot's path to an event: float of each milestone leading to its operational date."""

    pilot: str
    event: str
    target: str  # the pilot's first operational milestone
    required_by: dt.date
    floats: dict[str, int]  # days each milestone may slip without making the target late
    critical: tuple[str, ...]  # milestones of least float, prerequisites first


def paths(programme: Programme, network: Network, dates: dict[str, dt.date]) -> list[Path]:
    """The critical path of each pilot to each event it serves."""
    out: list[Path] = []
    for pilot in programme.pilots:
        ops = [m.id for m in pilot.milestones if m.kind is MilestoneKind.OPERATIONAL]
        if not ops:
            continue
        target = min(ops, key=lambda mid: (dates[mid], mid))
        for served in pilot.serves:
            try:
                event = programme.event(served.event)
            except KeyError:
                continue
            required = event.first_day - dt.timedelta(days=served.lead_days)
            late = network.latest(target, required)
            floats = {mid: (day - dates[mid]).days for mid, day in late.items()}
            least = min(floats.values())
            critical = tuple(
                n.id for n in network.nodes if n.id in floats and floats[n.id] == least
            )
            out.append(Path(pilot.id, event.id, target, required, floats, critical))
    return out


#: Draws of the schedule behind every readiness probability (the checks, the Timeline and the Risk
#: sheet show the same ones) and their seed: the same programme always gives the same figures.
SCHEDULE_DRAWS = 10_000
SCHEDULE_SEED = 2022


#: Draws simulated at once: beyond it, the draws go by chunks of this many, so that a million
#: of them holds two arrays of (milestones x CHUNK) at a time, not of (milestones x a million)
#: (85 milestones: 68 MB, against 1.4 GB).
#: Each milestone's stream is drawn on across chunks: the figures are those of one pass.
CHUNK = 50_000


def draw_durations(network: Network, draws: int, seed: int) -> np.ndarray:
    """Each computed milestone's duration, ``draws`` times (triangular over low, likely, high);
    fixed ones and those without spread keep their likely duration. One stream per milestone:
    editing one leaves the others' draws as they were."""
    return next(_duration_chunks(network, draws, seed, max(draws, 1)))


def _duration_chunks(
    network: Network, draws: int, seed: int, chunk: int | None = None
) -> Iterator[np.ndarray]:
    """The draws of ``draw_durations``, ``chunk`` columns at a time (the same numbers: each
    milestone's stream goes on from one chunk to the next)."""
    streams = [
        None
        if node.fixed is not None or node.high <= node.low
        else np.random.default_rng([seed, zlib.crc32(node.id.upper().encode())])
        for node in network.nodes
    ]
    chunk = chunk or CHUNK
    for first in range(0, draws, chunk):
        n = min(chunk, draws - first)
        durations = np.zeros((len(network.nodes), n))
        for i, (node, rng) in enumerate(zip(network.nodes, streams, strict=True)):
            if rng is None:
                durations[i] = node.likely
            else:
                durations[i] = rng.triangular(node.low, node.likely, node.high, n)
        yield durations


def ready_dates(programme: Programme, network: Network, dates: np.ndarray) -> dict[str, np.ndarray]:
    """Each pilot's date of being ready to operate, in every draw of ``dates`` (one row per
    milestone): its first operational milestone, and, for a pilot the governance checks hold
    (intrusiveness at or above ``evaluation_level``), no sooner than the first of its impact
    assessments, the first of its accreditations and its supervising body in place (the
    ``supervised_from`` milestone): a draw in which the homologation comes after the operational
    date is a draw in which the pilot may not go live. Pilots without an operational milestone
    are left out."""
    out: dict[str, np.ndarray] = {}
    for pilot in programme.pilots:
        ops = [
            network.index[m.id.upper()]
            for m in pilot.milestones
            if m.kind is MilestoneKind.OPERATIONAL
        ]
        if not ops:
            continue
        ready = np.min(dates[ops], axis=0)
        if pilot.intrusiveness >= programme.evaluation_level:
            for step in (Step.IMPACT_ASSESSMENT, Step.ACCREDITATION):
                rows = [network.index[m.id.upper()] for m in pilot.milestones if m.step is step]
                if rows:
                    ready = np.maximum(ready, np.min(dates[rows], axis=0))
            sup = network.index.get((pilot.supervised_from or "").upper())
            if sup is not None:
                ready = np.maximum(ready, dates[sup])
        out[pilot.id] = ready
    return out


def readiness_drivers(
    programme: Programme,
    network: Network,
    draws: int = SCHEDULE_DRAWS,
    seed: int = SCHEDULE_SEED,
    top: int = 3,
) -> dict[str, list[tuple[str, float]]]:
    """The milestones whose drawn durations move each pilot's date of being ready (its first
    operational date, held back by its governance steps) the most: (milestone, correlation of
    its duration with that date), strongest first."""
    if draws <= CHUNK:
        durations = draw_durations(network, draws, seed)
        ready = ready_dates(programme, network, network.forward(durations))
        # every node's correlation with every pilot's date at once (one product, not a
        # corrcoef per pair: 621 of them took 15 % of a reconcile)
        centred = np.asarray(durations, dtype=float)
        centred = centred - centred.mean(axis=1, keepdims=True)
        spread = np.sqrt((centred * centred).sum(axis=1))
        varying = [i for i in range(len(network.nodes)) if durations[i].std() > 0]
        corr = {}
        for pid, first in ready.items():
            if first.std() <= 0:
                continue
            f = np.asarray(first, dtype=float) - float(np.mean(first))
            with np.errstate(invalid="ignore", divide="ignore"):  # a fixed node: 0/0, unused
                products = centred @ f / (spread * float(np.sqrt(f @ f)))
            corr[pid] = {i: float(products[i]) for i in varying}
    else:
        corr = _chunked_correlations(programme, network, draws, seed)
    out: dict[str, list[tuple[str, float]]] = {}
    for pilot in programme.pilots:
        if pilot.id not in corr or not pilot.serves:
            continue
        stored = (
            (network.nodes[i].id, precision.correlation(c)) for i, c in corr[pilot.id].items()
        )
        found = [(mid, c) for mid, c in stored if c > 0.05]
        found.sort(key=lambda x: (-x[1], x[0]))
        out[pilot.id] = found[:top]
    return out


def _chunked_correlations(
    programme: Programme, network: Network, draws: int, seed: int
) -> dict[str, dict[int, float]]:
    """Each pilot's correlation of each drawn duration with its ready date, from sums over
    chunks of draws (values centred on the first chunk's means, for precision)."""
    n_nodes = len(network.nodes)
    sums: dict[str, list[np.ndarray]] = {}
    s_d = np.zeros(n_nodes)
    s_dd = np.zeros(n_nodes)
    shift_d: np.ndarray | None = None
    shift_f: dict[str, float] = {}
    for durations in _duration_chunks(network, draws, seed):
        ready = ready_dates(programme, network, network.forward(durations))
        if shift_d is None:
            shift_d = durations.mean(axis=1)
            shift_f = {pid: float(f.mean()) for pid, f in ready.items()}
        d = durations - shift_d[:, None]
        s_d += d.sum(axis=1)
        s_dd += (d * d).sum(axis=1)
        for pid, first in ready.items():
            f = first - shift_f[pid]
            acc = sums.setdefault(pid, [np.zeros(1), np.zeros(1), np.zeros(n_nodes)])
            acc[0] += f.sum()
            acc[1] += (f * f).sum()
            acc[2] += d @ f
    out: dict[str, dict[int, float]] = {}
    var_d = s_dd / draws - (s_d / draws) ** 2
    for pid, (s_f, s_ff, s_df) in sums.items():
        var_f = float(s_ff[0] / draws - (s_f[0] / draws) ** 2)
        if var_f <= 1e-12:
            continue
        cov = s_df / draws - (s_d / draws) * (s_f[0] / draws)
        out[pid] = {
            i: float(cov[i] / np.sqrt(var_d[i] * var_f)) for i in range(n_nodes) if var_d[i] > 1e-12
        }
    return out


def ready_probabilities(
    programme: Programme,
    network: Network,
    draws: int = SCHEDULE_DRAWS,
    seed: int = SCHEDULE_SEED,
) -> dict[tuple[str, str], float]:
    """Probability that each pilot is ready by each event it serves (its lead time before the
    first day): every computed milestone's duration drawn from a triangular law over its low,
    likely and high days, the forward pass run on every draw at once; fixed dates stay fixed.
    Ready is operational with the governance steps done (``ready_dates``). Keyed by
    (pilot, event)."""
    events = {e.id: e for e in programme.events}
    wanted = [
        (
            pilot.id,
            served.event,
            (events[served.event].first_day - dt.timedelta(days=served.lead_days)).toordinal(),
        )
        for pilot in programme.pilots
        for served in pilot.serves
        if served.event in events
    ]
    on_time = dict.fromkeys(((p, e) for p, e, _ in wanted), 0)
    for durations in _duration_chunks(network, draws, seed):
        ready = ready_dates(programme, network, network.forward(durations))
        for pid, event, required in wanted:
            first = ready.get(pid)
            if first is not None:
                on_time[(pid, event)] += int(np.count_nonzero(first <= required))
    return {key: count / draws for key, count in on_time.items()}


def milestone_floats(found: list[Path]) -> dict[str, int]:
    """Each milestone's least float over every event it leads to."""
    out: dict[str, int] = {}
    for path in found:
        for mid, days in path.floats.items():
            out[mid] = min(out.get(mid, days), days)
    return out
