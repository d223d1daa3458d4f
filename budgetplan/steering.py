"""Contributors: a workbook per pilot owner (``split``), their returns carried back into the
scenario file (``consolidate``), with no server: the scenario file in git is the record.

A contributor owns pilots: their pilot records, milestones, served events, evaluations and cost
lines. Everything else (envelopes, events, thresholds, procedures, other pilots) is context they
see and may not change. Consolidation takes, from each return made from the current version of
the scenario, the items its contributor owns; an edit to anything else is refused at its cell.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from budgetplan.compute.checks import run_checks
from budgetplan.compute.figures import compute
from budgetplan.core.findings import Finding, Severity, said
from budgetplan.core.labels import Lang
from budgetplan.core.model import Programme
from budgetplan.publish import Built, publish
from budgetplan.readback.reconciliation import Edit, Reconciliation, reconcile
from budgetplan.yamlio.catalogue import untranslated
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
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", contributor).strip("-.") or "contributor"
    return f"{slug}.xlsx"


def split(
    loaded: Loaded, outbox: Path, by: By = "pilot", lang: Lang = "fr", force: bool = False
) -> list[Built]:
    """One workbook per contributor in ``outbox``, each recording (About sheet) the version of
    the programme it was made from (the scenario file's hash) and whom it was made for."""
    built = []
    for contributor, owns in contributors(loaded.programme, by).items():
        source = dataclasses.replace(loaded.source, contributor=contributor, owns=owns)
        target = outbox / file_name(contributor)
        built.append(publish(loaded.programme, source, target, lang, force))
    return built


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


@dataclass
class Consolidation:
    scenario: Path
    programme: Programme  # the scenario with every accepted edit
    returns: list[Return]
    missing: list[str]  # contributors of the split with no return
    checks_failed: list[str]

    @property
    def ok(self) -> bool:
        return not any(f.severity is Severity.ERROR for r in self.returns for f in r.findings)


def consolidate(loaded: Loaded, returns: list[Path], by: By = "pilot") -> Consolidation:
    """Read each return as reconcile does and take the items its contributor owns into the
    programme; a return from another programme or an older version, or an edit to what its
    contributor does not own, is a finding (the return's other edits are taken)."""
    merged = loaded.programme
    read: list[Return] = []
    for path in returns:
        ret = _read_return(path, loaded)
        if ret.taken and ret.reconciliation is not None:
            held = ret.reconciliation.programme
            assert held is not None
            held = untranslated(held, loaded.source.path, ret.reconciliation.lang)  # type: ignore[arg-type]
            merged = take_owned(merged, held, ret.owns)
        read.append(ret)
    problems = reference_findings(merged, None, str(loaded.source.path))
    checks = run_checks(compute(merged)) if not problems else []
    answered = {r.contributor for r in read}
    expected = contributors(loaded.programme, by)
    return Consolidation(
        Path(loaded.source.path),
        merged,
        read,
        [c for c in expected if c not in answered],
        [c.spec.code for c in checks if not c.ok] + [f.code for f in problems],
    )


def _read_return(path: Path, loaded: Loaded) -> Return:
    """Long: each reason a return cannot be taken is one finding naming the file and the fix."""
    from budgetplan.xlsx.reader import ReadError, open_workbook

    ret = Return(path)
    try:
        about = open_workbook(path).about
    except ReadError as exc:
        ret.findings += exc.findings
        return ret
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
    if about.get("hash") != loaded.source.sha256:
        ret.findings.append(
            _finding(
                path,
                "STALE_RETURN",
                said(
                    f"was made from another version of {Path(loaded.source.path).name} than "
                    "the one being consolidated",
                    f"a été fait à partir d'une autre version de {Path(loaded.source.path).name} "
                    "que celle consolidée",
                ),
                said(
                    "split the current version again and send it to the contributor (their "
                    "edits are listed by budgetplan reconcile on this file)",
                    "refaire le split de la version courante et l'envoyer au contributeur (ses "
                    "modifications sont listées par budgetplan reconcile sur ce fichier)",
                ),
            )
        )
        return ret
    try:
        rec = reconcile(path, loaded.source.path)
    except ReadError as exc:
        ret.findings += exc.findings
        return ret
    ret.reconciliation = rec
    ret.findings += [f for f in rec.findings if not f.code.startswith("EDIT")]
    held = rec.programme
    for edit in rec.edits:
        mine = owners_of(edit, loaded.programme, held) <= set(ret.owns)  # type: ignore[arg-type]
        (ret.accepted if mine else ret.refused).append(edit)
    located = {(f.extra.get("item"), f.extra.get("field")): f for f in rec.findings}
    for edit in ret.accepted:  # each at its cell, with what it costs
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
                file=str(path),
                sheet=at.sheet if at else "",
                cell=at.cell if at else "",
            )
        )
    return ret


def _finding(path: Path, code: str, message: str, hint: str) -> Finding:
    return Finding(Severity.ERROR, code, message, hint, file=str(path))


def take_owned(base: Programme, held: Programme, owns: tuple[str, ...]) -> Programme:
    """``base`` with the pilots in ``owns`` (their records, milestones, served events and
    evaluations) and their cost lines as ``held`` has them; every other item as in ``base``.
    A line keeps its place; a new line of an owned pilot comes after that pilot's last line."""
    mine = set(owns)
    held_pilots = {p.id: p for p in held.pilots}
    pilots = [held_pilots.get(p.id, p) if p.id in mine else p for p in base.pilots]
    held_lines = [line for line in held.cost_lines if line.pilot in mine]
    by_id = {line.id: line for line in held_lines}
    lines = []
    for line in base.cost_lines:
        if line.pilot in mine:
            if line.id in by_id:
                lines.append(by_id.pop(line.id))
        else:
            lines.append(line)
    for line in held_lines:  # new lines, after their pilot's last line (or at the end)
        if line.id in by_id:
            last = max((i for i, x in enumerate(lines) if x.pilot == line.pilot), default=None)
            lines.insert(len(lines) if last is None else last + 1, by_id.pop(line.id))
    return base.model_copy(update={"pilots": tuple(pilots), "cost_lines": tuple(lines)})


# --------------------------------------------------------------------------- reports

_WORDS = {
    "title": ("Consolidation de {name} : {n} retour(s)", "Consolidation of {name}: {n} return(s)"),
    "taken": ("{n} modification(s) reprise(s)", "{n} edit(s) taken"),
    "refused": ("{n} refusée(s)", "{n} refused"),
    "not_taken": ("non repris", "not taken"),
    "nothing": ("aucune modification", "no edit"),
    "missing": ("Sans réponse : {who}", "No return from: {who}"),
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


def consolidation_text(result: Consolidation, lang: Lang = "fr") -> str:
    """The report a steering team reads: per return what was taken and refused, at its cell,
    who has not answered, and the programme's checks once consolidated."""
    out = [_w("title", lang, name=result.scenario.name, n=len(result.returns)), ""]
    for ret in result.returns:
        if ret.taken:
            status = _w("taken", lang, n=len(ret.accepted))
            if ret.refused:
                status += ", " + _w("refused", lang, n=len(ret.refused))
        elif ret.accepted or ret.refused or ret.findings:
            status = _w("not_taken", lang)
        else:
            status = _w("nothing", lang)
        out.append(f"{ret.contributor or '?'} ({ret.path}): {status}")
        out += [f"  {f.one_line(lang)}" for f in ret.findings]
    out.append("")
    who = ", ".join(result.missing)
    out.append(_w("missing", lang, who=who) if result.missing else _w("all_back", lang))
    failing = ", ".join(result.checks_failed)
    out.append(_w("checks_ko", lang, codes=failing) if failing else _w("checks_ok", lang))
    return "\n".join(out)


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
