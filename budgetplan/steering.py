"""Contributors: a workbook per pilot owner (``split``), their returns carried back into the
scenario file (``consolidate``), with no server: the scenario file in git is the record.

A contributor owns pilots: their pilot records, milestones, served events, evaluations and cost
lines. Everything else (envelopes, events, thresholds, procedures, other pilots) is context they
see and may not change. Consolidation takes, from each return made from the current version of
the scenario, the items its contributor owns; an edit to anything else is refused at its cell.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import re
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from budgetplan.compute.checks import run_checks
from budgetplan.compute.figures import compute
from budgetplan.core.findings import Finding, Severity, in_lang, said
from budgetplan.core.labels import Lang
from budgetplan.core.model import Programme
from budgetplan.publish import Built, publish
from budgetplan.readback.reconciliation import Edit, Reconciliation, reconcile_opened
from budgetplan.signing import key_path, make_key, read_key, signature, verified
from budgetplan.yamlio.catalogue import untranslated
from budgetplan.yamlio.history import git_versions
from budgetplan.yamlio.loader import Loaded, reference_findings

By = Literal["pilot", "owner"]
#: Findings that make a return untrustworthy as a whole: what was read is not what was built.
BLOCKING = ("FORMULA_", "VALUE_", "BAD_", "ROW_", "SHEET_", "CORRUPT", "PHASING_", "NOT_IN_LIST")


# --------------------------------------------------------------------------- split


def contributors(programme: Programme, by: By) -> dict[str, tuple[str, ...]]:
    """Each contributor and the pilots they own: one per pilot, or one per owner (the pilots'
    ``owner`` field), in the programme's order."""
    if by == "pilot":
        return {p.id: (p.id,) for p in programme.pilots}
    owners: dict[str, list[str]] = {}
    for p in programme.pilots:
        owners.setdefault(p.owner, []).append(p.id)
    return {owner: tuple(ids) for owner, ids in owners.items()}


def file_name(contributor: str) -> str:
    """A file name for a contributor's workbook: ``DPSIS / DGPN`` -> ``DPSIS-DGPN.xlsx``."""
    ascii_name = unicodedata.normalize("NFKD", contributor).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name).strip("-.") or "contributor"
    return f"{slug}.xlsx"


def split(
    loaded: Loaded, outbox: Path, by: By = "pilot", lang: Lang = "fr", force: bool = False
) -> list[Built]:
    """One workbook per contributor in ``outbox``, each recording (About sheet) the version of
    the programme it was made from (the scenario file's hash) and whom it was made for."""
    key = make_key(loaded.source.path)
    built = []
    named = file_names(list(contributors(loaded.programme, by)))
    for contributor, owns in contributors(loaded.programme, by).items():
        signed = signature(key, contributor, owns, loaded.source.sha256)
        source = dataclasses.replace(
            loaded.source, contributor=contributor, owns=owns, signature=signed
        )
        target = outbox / named[contributor]
        built.append(publish(loaded.programme, source, target, lang, force))
    return built


def file_names(names: list[str]) -> dict[str, str]:
    """Each contributor's file name, distinct even where two names give the same one
    (``DPSIS / DGPN`` and ``DPSIS/DGPN``, ``Préfecture`` and ``Prefecture``; any case): the
    second is ``NAME-2.xlsx``, and so on, in the programme's order."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        stem = file_name(name).removesuffix(".xlsx")
        candidate, n = stem, 1
        while candidate.lower() in taken:
            n += 1
            candidate = f"{stem}-{n}"
        taken.add(candidate.lower())
        out[name] = f"{candidate}.xlsx"
    return out


# --------------------------------------------------------------------------- consolidate


def owners_of(edit: Edit, old: Programme, new: Programme) -> set[str]:
    """The pilots an edit touches ("" for what belongs to the programme as a whole)."""
    kind, _, name = edit.item.partition("[")
    name = name.rstrip("]")
    if kind == "pilots":
        return {name}
    if kind == "serves":
        return {name.partition(":")[0]}
    if kind in ("milestones", "evaluations"):
        return {_pilot_of(kind, name, old), _pilot_of(kind, name, new)} - {None}  # type: ignore[return-value]
    if kind == "cost_lines":
        pilots = {line.pilot for p in (old, new) for line in p.cost_lines if line.id == name}
        return pilots or {""}
    return {""}


def _pilot_of(kind: str, name: str, programme: Programme) -> str | None:
    for pilot in programme.pilots:
        if any(item.id == name for item in getattr(pilot, kind)):
            return pilot.id
    return None


@dataclass
class Return:
    """One contributor's workbook as it came back."""

    path: Path
    contributor: str = ""
    owns: tuple[str, ...] = ()
    accepted: list[Edit] = field(default_factory=list)
    refused: list[Edit] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    reconciliation: Reconciliation | None = None
    base: Programme | None = None  # the version of the scenario it was made from

    @property
    def taken(self) -> bool:
        """Whether its owned edits go into the scenario: a workbook read whole, whose formulas
        and cells are as built (a budget rule it breaks is reported, after consolidation)."""
        return (
            self.reconciliation is not None
            and self.reconciliation.programme is not None
            and bool(self.accepted)
            and not any(
                f.severity is Severity.ERROR and f.code.startswith(BLOCKING) for f in self.findings
            )
        )

    @property
    def conflicts(self) -> int:
        return sum(1 for f in self.findings if f.code == "CONFLICT")


@dataclass
class Consolidation:
    scenario: Path
    programme: Programme  # the scenario with every accepted edit
    returns: list[Return]
    missing: list[str]  # contributors of the split with no return
    checks_failed: list[str]
    ae_before: int = 0  # cents: AE allocated by the scenario as it was, and once consolidated
    ae_after: int = 0
    headroom_before: dict[int, int] = field(default_factory=dict)
    headroom_after: dict[int, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(f.severity is Severity.ERROR for r in self.returns for f in r.findings)


def consolidate(
    loaded: Loaded, returns: list[Path], by: By = "pilot", bases: tuple[Path, ...] = ()
) -> Consolidation:
    """Read each return as reconcile does, against the version of the scenario it was made
    from (the scenario itself, a file of ``bases``, or a version in the scenario file's git
    history), and merge the items its contributor owns into the programme, three-way; an edit
    to what they do not own, a change the scenario made meanwhile to the same item, or a
    return whose version cannot be found is a finding (the return's other edits are taken)."""
    merged = loaded.programme
    read: list[Return] = []
    with tempfile.TemporaryDirectory(prefix="budgetplan-consolidate-") as tmp:
        versions = Versions(loaded, bases, Path(tmp))
        key = read_key(loaded.source.path)
        for path in returns:
            ret = _read_return(path, loaded, versions, key)
            if ret.taken and ret.reconciliation is not None and ret.base is not None:
                merged = _merge_return(merged, ret, loaded)
            read.append(ret)
    problems = reference_findings(merged, None, str(loaded.source.path))
    before = compute(loaded.programme)
    after = compute(merged) if not problems else before
    checks = run_checks(after) if not problems else []
    answered = {r.contributor for r in read}
    expected = contributors(loaded.programme, by)
    return Consolidation(
        Path(loaded.source.path),
        merged,
        read,
        [c for c in expected if c not in answered],
        [c.spec.code for c in checks if not c.ok] + [f.code for f in problems],
        before.total_ae,
        after.total_ae,
        dict(before.headroom),
        dict(after.headroom),
    )


def _merge_return(merged: Programme, ret: Return, loaded: Loaded) -> Programme:
    """The return's owned items merged into ``merged``; a refused line edit left out, each
    conflict a finding of the return."""
    assert ret.reconciliation is not None and ret.base is not None
    held = ret.reconciliation.programme
    assert held is not None
    held = untranslated(held, loaded.source.path, ret.reconciliation.lang)  # type: ignore[arg-type]
    refused = {e.item for e in ret.refused}
    base_lines = {line.id: line for line in ret.base.cost_lines}
    lines = [
        base_lines.get(line.id) if f"cost_lines[{line.id}]" in refused else line
        for line in held.cost_lines
    ]
    held = held.model_copy(update={"cost_lines": tuple(x for x in lines if x is not None)})
    merged, conflicts = merge_owned(merged, ret.base, held, ret.owns)
    for c in conflicts:
        ret.findings.append(
            Finding(
                Severity.ERROR,
                "CONFLICT",
                said(
                    f"{c.item}: the return changed {c.theirs}, and the scenario changed "
                    f"{c.ours} since its version; the scenario's is kept",
                    f"{c.item} : le retour modifie {c.theirs}, et le scénario a modifié "
                    f"{c.ours} depuis sa version ; celle du scénario est gardée",
                ),
                said(
                    "settle it with the contributor, then edit the scenario file",
                    "trancher avec le contributeur, puis modifier le fichier de scénario",
                ),
                file=str(ret.path),
            )
        )
    ret.accepted = [e for e in ret.accepted if not any(e.item == c.item for c in conflicts)]
    return merged


class Versions:
    """Versions of the scenario file, found by the hash a split workbook records: the file
    itself, files given with --base, and the file's versions in its git history (written to
    a temporary folder, since reconcile reads a file)."""

    def __init__(self, loaded: Loaded, bases: tuple[Path, ...], tmp: Path):
        self.loaded, self.bases, self.tmp = loaded, bases, tmp
        self.found: dict[str, Path] = {loaded.source.sha256: Path(loaded.source.path)}
        self._searched = False
        #: the versions loaded, by path: the scenario itself is the base of every return made
        #: from its current version, loaded once
        self._loaded: dict[Path, Loaded] = {Path(loaded.source.path): loaded}

    def load(self, path: Path) -> Loaded:
        """The version at ``path`` (one :meth:`find` gave), loaded once. Raises LoadError."""
        from budgetplan.yamlio.loader import load

        if path not in self._loaded:
            self._loaded[path] = load(path)
        return self._loaded[path]

    def find(self, sha256: str) -> Path | None:
        if sha256 not in self.found and not self._searched:
            self._searched = True
            for path in self.bases:
                with contextlib.suppress(OSError):
                    self.found.setdefault(hashlib.sha256(path.read_bytes()).hexdigest(), path)
            for n, data in enumerate(git_versions(Path(self.loaded.source.path))):
                digest = hashlib.sha256(data).hexdigest()
                if digest not in self.found:
                    kept = self.tmp / f"{n}-{Path(self.loaded.source.path).name}"
                    kept.write_bytes(data)
                    self.found[digest] = kept
        return self.found.get(sha256)


def _read_return(path: Path, loaded: Loaded, versions: Versions, key: bytes | None) -> Return:
    """Long: each reason a return cannot be taken is one finding naming the file and the fix."""
    from budgetplan.xlsx.reader import ReadError, open_workbook
    from budgetplan.yamlio.loader import LoadError

    ret = Return(path)
    try:
        wb = open_workbook(path)
    except ReadError as exc:
        ret.findings += exc.findings
        return ret
    about = wb.about
    ret.contributor = about.get("contributor", "")
    ret.owns = tuple(about.get("owns", "").split())
    if not ret.contributor:
        ret.findings.append(
            _finding(
                path,
                "NOT_A_RETURN",
                said(
                    "was not made for a contributor (budgetplan split)",
                    "n'a pas été fait pour un contributeur (budgetplan split)",
                ),
                said(
                    "reconcile it with budgetplan reconcile, or send the contributor's workbook",
                    "le rapprocher avec budgetplan reconcile, ou envoyer le classeur du "
                    "contributeur",
                ),
            )
        )
        return ret
    forged = _unsigned(path, loaded, key, ret, about)
    if forged is not None:
        ret.findings.append(forged)
        ret.contributor, ret.owns = "", ()  # nothing it says of itself is believed
        return ret
    base_path = versions.find(about.get("hash", ""))
    if base_path is None:
        ret.findings.append(
            _finding(
                path,
                "STALE_RETURN",
                said(
                    f"was made from a version of {Path(loaded.source.path).name} that is "
                    "neither the current one, nor in its git history, nor given with --base",
                    f"a été fait à partir d'une version de {Path(loaded.source.path).name} qui "
                    "n'est ni la version courante, ni dans son historique git, ni donnée par "
                    "--base",
                ),
                said(
                    "give that version with --base, or split the current version again and "
                    "send it to the contributor",
                    "donner cette version par --base, ou refaire le split de la version "
                    "courante et l'envoyer au contributeur",
                ),
            )
        )
        return ret
    try:  # the workbook as opened above, against its base loaded once
        base = versions.load(base_path)
        rec = reconcile_opened(wb, scenario=base)
        ret.base = base.programme
    except (ReadError, LoadError) as exc:
        ret.findings += exc.findings
        return ret
    ret.reconciliation = rec
    ret.findings += [f for f in rec.findings if not f.code.startswith("EDIT")]
    held = rec.programme
    for edit in rec.edits:
        mine = owners_of(edit, ret.base, held) <= set(ret.owns)  # type: ignore[arg-type]
        (ret.accepted if mine else ret.refused).append(edit)
    _locate_edits(ret, rec)
    return ret


def _locate_edits(ret: Return, rec: Reconciliation) -> None:
    """The findings of a return's edits: each accepted one at its cell with what it costs, each
    refused one at its cell with why."""
    located = {(f.extra.get("item"), f.extra.get("field")): f for f in rec.findings}
    for edit in ret.accepted:
        if (edit.item, edit.field) in located:
            ret.findings.append(located[(edit.item, edit.field)])
    for edit in ret.refused:
        at = located.get((edit.item, edit.field))
        ret.findings.append(
            Finding(
                Severity.ERROR,
                "EDIT_NOT_OWNED",
                said(
                    f"{edit.item} {edit.field}: {ret.contributor} may not change what they do "
                    f"not own (theirs: {', '.join(ret.owns)}); not taken",
                    f"{edit.item} {edit.field} : {ret.contributor} ne peut modifier que ses "
                    f"pilotes ({', '.join(ret.owns)}) ; non repris",
                ),
                said(
                    "ask the owner of this item, or the steering team, to make the change",
                    "demander la modification au responsable de cet élément ou à l'équipe de "
                    "pilotage",
                ),
                file=str(ret.path),
                sheet=at.sheet if at else "",
                cell=at.cell if at else "",
            )
        )


def _unsigned(
    path: Path, loaded: Loaded, key: bytes | None, ret: Return, about: dict[str, str]
) -> Finding | None:
    """Why the identity a return claims (contributor, pilots, version) cannot be believed, or
    None when the steering team's signature vouches for it."""
    if key is None:
        where = key_path(loaded.source.path)
        return _finding(
            path,
            "NO_SPLIT_KEY",
            said(
                f"cannot be checked: no key beside the scenario ({where.name}), so whom it was "
                "made for is unknown",
                f"ne peut pas être vérifié : pas de clé à côté du scénario ({where.name}), on "
                "ne sait pas pour qui il a été fait",
            ),
            said(
                "consolidate beside the scenario the workbooks were split from (its key is "
                "there), or split again and send the new workbooks",
                "consolider à côté du scénario dont les classeurs ont été tirés (sa clé y est), "
                "ou refaire le split et envoyer les nouveaux classeurs",
            ),
        )
    if verified(key, ret.contributor, ret.owns, about.get("hash", ""), about.get("signature", "")):
        return None
    return _finding(
        path,
        "FORGED_RETURN",
        said(
            f"claims to be {ret.contributor!r}'s workbook (pilots {' '.join(ret.owns) or '-'}), "
            "but the steering team's signature does not match: its About sheet was changed, "
            "or it was not made by this split",
            f"se dit le classeur de {ret.contributor!r} (pilotes {' '.join(ret.owns) or '-'}), "
            "mais la signature de l'équipe de pilotage ne correspond pas : sa feuille À propos "
            "a été modifiée, ou il ne vient pas de ce split",
        ),
        said(
            "ask the contributor for the workbook they were sent, or split again and send it",
            "demander au contributeur le classeur qu'il a reçu, ou refaire le split et le lui "
            "envoyer",
        ),
    )


def _finding(path: Path, code: str, message: str, hint: str) -> Finding:
    return Finding(Severity.ERROR, code, message, hint, file=str(path))


def take_owned(base: Programme, held: Programme, owns: tuple[str, ...]) -> Programme:
    """``base`` with the pilots in ``owns`` and their cost lines as ``held`` has them (a return
    made from ``base`` itself): :func:`merge_owned` with nothing changed since."""
    merged, _conflicts = merge_owned(base, base, held, owns)
    return merged


@dataclass(frozen=True)
class Conflict:
    """An item the return and the scenario both changed since the return's version."""

    item: str
    theirs: str  # what the return changed, "field: old -> new; ..."
    ours: str  # what the scenario changed since


_CHILDREN = ("milestones", "serves", "evaluations")


def _key(item: object) -> str:
    return str(getattr(item, "id", None) or getattr(item, "event", ""))


def merge_owned(
    current: Programme, base: Programme, theirs: Programme, owns: tuple[str, ...]
) -> tuple[Programme, list[Conflict]]:
    """Three-way, item by item: the owned items (pilot records, milestones, served events,
    evaluations, cost lines) the return (``theirs``) changed since ``base`` go into ``current``
    where ``current`` did not change them since ``base``; where both did, differently, the
    scenario's is kept and a Conflict names both changes. Every other item is ``current``'s."""
    mine, conflicts = set(owns), []
    pilots = []
    pb, pt = {p.id: p for p in base.pilots}, {p.id: p for p in theirs.pilots}
    for pilot in current.pilots:
        if pilot.id not in mine or pilot.id not in pt:
            pilots.append(pilot)
            continue
        b, t = pb.get(pilot.id, pilot), pt[pilot.id]
        bare = {k: () for k in _CHILDREN}
        record = _merge_one(
            f"pilots[{pilot.id}]",
            b.model_copy(update=bare),
            t.model_copy(update=bare),
            pilot.model_copy(update=bare),
            conflicts,
        )
        children = {
            kind: tuple(
                _merge_items(
                    kind,
                    getattr(b, kind),
                    getattr(t, kind),
                    getattr(pilot, kind),
                    conflicts,
                    prefix=f"{pilot.id}:" if kind == "serves" else "",
                )
            )
            for kind in _CHILDREN
        }
        pilots.append((record or pilot).model_copy(update=children))
    owned = lambda lines: [x for x in lines if x.pilot in mine]  # noqa: E731
    merged_lines = _merge_items(
        "cost_lines",
        owned(base.cost_lines),
        owned(theirs.cost_lines),
        owned(current.cost_lines),
        conflicts,
    )
    lines, by_id = [], {x.id: x for x in merged_lines}
    for line in current.cost_lines:
        if line.pilot not in mine:
            lines.append(line)
        elif line.id in by_id:
            lines.append(by_id.pop(line.id))
    for line in merged_lines:  # new lines, after their pilot's last line (or at the end)
        if line.id in by_id:
            last = max((i for i, x in enumerate(lines) if x.pilot == line.pilot), default=None)
            lines.insert(len(lines) if last is None else last + 1, by_id.pop(line.id))
    update = {"pilots": tuple(pilots), "cost_lines": tuple(lines)}
    return current.model_copy(update=update), conflicts


def _merge_one(name: str, b: object, t: object, c: object, conflicts: list[Conflict]) -> object:
    """The item the merge keeps (None: removed)."""
    if t in (b, c):
        return c
    if c == b:
        return t
    conflicts.append(Conflict(name, _changes(b, t), _changes(b, c)))
    return c


def _merge_items(
    kind: str,
    base: Iterable[object],
    theirs: Iterable[object],
    current: Iterable[object],
    conflicts: list[Conflict],
    prefix: str = "",
) -> list[object]:
    b = {_key(x): x for x in base}
    t = {_key(x): x for x in theirs}
    c = {_key(x): x for x in current}
    out = []
    for key in [*c, *(k for k in t if k not in c)]:
        kept = _merge_one(f"{kind}[{prefix}{key}]", b.get(key), t.get(key), c.get(key), conflicts)
        if kept is not None:
            out.append(kept)
    return out


def _changes(old: object, new: object) -> str:
    """``field: old -> new`` for each field that differs (``added``, ``removed`` for items)."""
    from budgetplan.core.display import show
    from budgetplan.core.items import flatten

    if old is None:
        return "added"
    if new is None:
        return "removed"
    a = flatten(old.model_dump(mode="python"))  # type: ignore[attr-defined]
    z = flatten(new.model_dump(mode="python"))  # type: ignore[attr-defined]
    return "; ".join(
        f"{k}: {show(a.get(k))} -> {show(z.get(k))}"
        for k in sorted(a.keys() | z.keys())
        if a.get(k) != z.get(k)
    )


# --------------------------------------------------------------------------- reports

_WORDS = {
    "title": ("Consolidation de {name} : {n} retour(s)", "Consolidation of {name}: {n} return(s)"),
    "taken": ("{n} modification(s) reprise(s)", "{n} edit(s) taken"),
    "refused": ("{n} refusée(s)", "{n} refused"),
    "conflicts": ("{n} en conflit", "{n} in conflict"),
    "not_taken": ("non repris", "not taken"),
    "nothing": ("aucune modification", "no edit"),
    "missing": ("Sans réponse : {who}", "No return from: {who}"),
    "ae": ("AE allouées : {moved}", "AE allocated: {moved}"),
    "headroom": ("Marge {year} : {moved}", "Headroom {year}: {moved}"),
    "sheet": ("Consolidation", "Consolidation"),
    "col_contributor": ("contributeur", "contributor"),
    "col_file": ("fichier", "file"),
    "md_head": ("cellule | code | constat | que faire", "cell | code | finding | what to do"),
    "all_back": ("Tous les contributeurs ont répondu.", "Every contributor has answered."),
    "checks_ok": (
        "Contrôles après consolidation : tous respectés.",
        "Checks after consolidation: all pass.",
    ),
    "checks_ko": (
        "Contrôles après consolidation : en échec {codes}.",
        "Checks after consolidation: failing {codes}.",
    ),
}


def _w(key: str, lang: Lang, **fields: object) -> str:
    fr, en = _WORDS[key]
    return (fr if lang == "fr" else en).format(**fields)


def _status(ret: Return, lang: Lang) -> str:
    if ret.taken:
        status = _w("taken", lang, n=len(ret.accepted))
        if ret.refused:
            status += ", " + _w("refused", lang, n=len(ret.refused))
        if ret.conflicts:
            status += ", " + _w("conflicts", lang, n=ret.conflicts)
        return status
    if ret.accepted or ret.refused or ret.findings:
        return _w("not_taken", lang)
    return _w("nothing", lang)


def _in_all(result: Consolidation, lang: Lang) -> list[str]:
    """What the consolidation does in all: the AE allocated and each year's headroom."""
    from budgetplan.core.money import eur

    def moved(old: int, new: int) -> str:
        sign = "+" if new >= old else ""
        return f"{eur(old, lang)} -> {eur(new, lang)} ({sign}{eur(new - old, lang)})"

    out = [_w("ae", lang, moved=moved(result.ae_before, result.ae_after))]
    for year in sorted(result.headroom_after):
        old, new = result.headroom_before.get(year, 0), result.headroom_after[year]
        if old != new:
            out.append(_w("headroom", lang, year=year, moved=moved(old, new)))
    return out


def consolidation_text(result: Consolidation, lang: Lang = "fr", markdown: bool = False) -> str:
    """The report a steering team reads: per return what was taken and refused, each at its
    cell with what it costs, what it all does to the AE and the headroom, who has not
    answered, and the programme's checks once consolidated (text, or Markdown tables)."""
    title = _w("title", lang, name=result.scenario.name, n=len(result.returns))
    out = [f"## {title}" if markdown else title, ""]
    for ret in result.returns:
        head = f"{ret.contributor or '?'} ({ret.path}): {_status(ret, lang)}"
        if not markdown:
            out.append(head)
            out += [f"  {f.one_line(lang)}" for f in ret.findings]
            continue
        out += [f"### {_md(head)}", ""]
        if ret.findings:
            out += [f"| {_w('md_head', lang)} |", "| --- | --- | --- | --- |"]
            out += [
                f"| {_md(f.where)} | {f.code} | "
                f"{_md(in_lang(f.message, lang))} | {_md(in_lang(f.hint, lang))} |"
                for f in ret.findings
            ]
            out.append("")
    out.append("")
    out += [f"- {line}" if markdown else line for line in _in_all(result, lang)]
    who = ", ".join(result.missing)
    failing = ", ".join(result.checks_failed)
    tail = [
        _w("missing", lang, who=who) if result.missing else _w("all_back", lang),
        _w("checks_ko", lang, codes=failing) if failing else _w("checks_ok", lang),
    ]
    out += [f"- {line}" if markdown else line for line in tail]
    return "\n".join(out)


def _md(text: str) -> str:
    """Text in a Markdown table cell: pipes, markup and line breaks cannot break it."""
    for ch in "\\|*_`[]<>#":
        text = text.replace(ch, "\\" + ch)
    return text.replace("\n", " ").replace("\r", " ")


def consolidation_dict(result: Consolidation, lang: Lang = "fr") -> dict[str, object]:
    return {
        "scenario": str(result.scenario),
        "ok": result.ok,
        "returns": [
            {
                "file": str(ret.path),
                "contributor": ret.contributor,
                "owns": list(ret.owns),
                "taken": ret.taken,
                "accepted": [_edit(e) for e in ret.accepted],
                "refused": [_edit(e) for e in ret.refused],
                "findings": [f.one_line(lang) for f in ret.findings],
            }
            for ret in result.returns
        ],
        "missing": result.missing,
        "checks_failed": result.checks_failed,
    }


def _edit(edit: Edit) -> dict[str, object]:
    return {
        "what": edit.what,
        "item": edit.item,
        "field": edit.field,
        "old": _plain(edit.old),
        "new": _plain(edit.new),
    }


def _plain(value: object) -> object:
    from decimal import Decimal

    if isinstance(value, Decimal):
        return float(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def write_consolidation(result: Consolidation, target: Path, lang: Lang = "fr") -> Path | None:
    """The consolidation as a workbook (A4 landscape, fitted): each return's status, then every
    finding with its contributor, file, sheet and cell, then what it all does and who has not
    answered. A previous one someone typed into is kept as a backup first (returned)."""
    from budgetplan.core.lock import writing
    from budgetplan.xlsx.stamp import keep_if_edited

    with writing(target):
        kept = keep_if_edited(target)
        _write_consolidation(result, target, lang)
    return kept


def _write_consolidation(result: Consolidation, target: Path, lang: Lang) -> None:
    import xlsxwriter

    from budgetplan.core.atomic import atomic_path
    from budgetplan.core.labels import label
    from budgetplan.readback.workbook import HEADER
    from budgetplan.xlsx.stamp import set_placeholder, stamp
    from budgetplan.xlsx.workbook.context import print_fitted, row_height
    from budgetplan.xlsx.workbook.writer import FIXED_CREATED

    title = _w("title", lang, name=result.scenario.name, n=len(result.returns))
    heads = [_w("col_contributor", lang), _w("col_file", lang)]
    heads += [label(f"rec.{k}", lang) for k in ("severity", "code", "sheet", "cell", "message")]
    heads.append(label("rec.hint", lang))
    with atomic_path(target) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False})
        wb.set_properties({"title": title, "author": "budgetplan", "created": FIXED_CREATED})
        set_placeholder(wb)
        head, wrap = wb.add_format(HEADER), wb.add_format({"text_wrap": True, "valign": "top"})
        ws = wb.add_worksheet(_w("sheet", lang))
        ws.write_string(0, 0, title, wb.add_format({"bold": True, "font_size": 14}))
        row = 2
        for ret in result.returns:
            ws.write_string(row, 0, ret.contributor or "?")
            ws.write_string(row, 1, str(ret.path))
            ws.write_string(row, 2, _status(ret, lang))
            row += 1
        row += 1
        for line in [*_in_all(result, lang), _w("missing", lang, who=", ".join(result.missing))]:
            ws.write_string(row, 0, line)
            row += 1
        row += 1
        header_row = row
        for c, h in enumerate(heads):
            ws.write_string(row, c, h, head)
        for ret in result.returns:
            for f in ret.findings:
                row += 1
                values = (ret.contributor, str(ret.path), label(f"rec.{f.severity.value}", lang))
                values += (f.code, f.sheet, f.cell, in_lang(f.message, lang), in_lang(f.hint, lang))
                ws.set_row(row, row_height([(values[6], 70), (values[7], 45), (values[1], 22)]))
                for c, value in enumerate(values):
                    ws.write_string(row, c, value, wrap)
        for c, width in enumerate((14, 22, 12, 18, 12, 8, 70, 45)):
            ws.set_column(c, c, width)
        ws.freeze_panes(header_row + 1, 0)
        print_fitted(ws, title, header_row)
        wb.close()
        stamp(tmp)
