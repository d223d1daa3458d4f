"""Read a programme from a YAML scenario file: parse, validate, and report every error at once.

Errors are findings that carry the file, the line and the field path, so that one run lists them
all (as beancount does). ``LoadError`` means the file could not be turned into a programme.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import hashlib
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from budgetplan.core import model as m
from budgetplan.core.bulk import Compactor
from budgetplan.core.errors import BudgetplanError
from budgetplan.core.findings import (
    Finding,
    Severity,
    in_lang,
    said,
    unreadable,
    validation_message,
)
from budgetplan.core.paths import NOT_REGULAR, special_file
from budgetplan.core.source import Source
from budgetplan.yamlio.fast import (
    MAX_DEPTH,
    ItemHook,
    Lines,
    PlainDocument,
    TooDeep,
    read_plain,
    syntax_error,
)

#: Largest scenario file accepted (bytes).
MAX_SCENARIO_BYTES = 64 * 1024 * 1024
DEFAULT_NAME = "programme-2022.yaml"


class LoadError(BudgetplanError):
    """The file could not be read or does not describe a valid programme."""


@dataclass(frozen=True)
class Loaded:
    programme: m.Programme
    source: Source
    document: Any  # the ruamel round-trip document, for line look-ups and in-place edits


def default_scenario_path() -> Path:
    return Path(str(resources.files("budgetplan") / "data" / DEFAULT_NAME))


def _all_field_names() -> set[str]:
    names: set[str] = set()
    for obj in vars(m).values():
        if isinstance(obj, type) and issubclass(obj, BaseModel) and obj is not BaseModel:
            names.update(obj.model_fields)
    return names


_FIELDS = _all_field_names()


def node_line(doc: Any, path: tuple[str | int, ...]) -> int | None:
    """1-based line of the deepest node of ``path`` found in the document (round-trip or
    plain)."""
    where = doc.where if isinstance(doc, PlainDocument) else doc
    if isinstance(where, Lines):
        for end in range(len(path), -1, -1):
            line = where.get(path[:end])
            if line is not None:
                return line
        return 1
    line: int | None = None
    node = doc
    for part in path:
        try:
            if isinstance(node, CommentedMap) and part in node:
                line = node.lc.key(part)[0] + 1
                node = node[part]
            elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
                line = node.lc.item(part)[0] + 1
                node = node[part]
            else:
                break
        except (AttributeError, KeyError, TypeError):
            break
    if line is None and isinstance(doc, CommentedMap | CommentedSeq):
        line = doc.lc.line + 1
    return line


def _pydantic_findings(exc: ValidationError, doc: Any, file: str) -> list[Finding]:
    findings = []
    errors = exc.errors(include_url=False)
    locs = [tuple(e["loc"]) for e in errors]
    for error in errors:
        here = tuple(error["loc"])
        if error["type"] == "too_short" and any(
            other[: len(here)] == here and other != here for other in locs
        ):
            continue  # a list left empty because its items failed: the items say why
        loc = tuple(part for part in error["loc"] if not isinstance(part, str) or part[:1] != "_")
        # drop pydantic's internal markers such as 'function-after[...]'
        loc = tuple(p for p in loc if not (isinstance(p, str) and "[" in p))
        message = validation_message(error)
        hint = ""
        if error["type"] == "extra_forbidden" and loc:
            close = difflib.get_close_matches(str(loc[-1]), _FIELDS, n=1)
            message = said(f"unknown field '{loc[-1]}'", f"champ inconnu '{loc[-1]}'")
            hint = (
                said(f"did you mean '{close[0]}'?", f"vouliez-vous dire '{close[0]}' ?")
                if close
                else said("remove it", "le retirer")
            )
        elif error["type"] == "missing":
            hint = said("add this field", "ajouter ce champ")
        elif error["type"] in ("enum", "literal_error"):
            hint = said("use one of the values listed", "employer l'une des valeurs indiquées")
        else:
            hint = said("correct the value", "corriger la valeur")
        if not loc:
            message = said(f"programme: {message}", f"programme : {in_lang(message, 'fr')}")
        findings.append(
            Finding(
                Severity.ERROR,
                "SCHEMA",
                message,
                hint,
                loc,
                file=file,
                line=node_line(doc, loc),
            )
        )
    return findings


#: The kinds of thing a reference names, in French.
_KINDS_FR = {
    "pilot": "le pilote",
    "event": "l'événement",
    "cost line": "la ligne de coût",
    "milestone": "le jalon",
    "award milestone": "le jalon d'attribution",
    "evaluation": "l'évaluation",
    "envelope year": "l'année d'enveloppe",
}


@dataclass
class _References:
    """What the reference checks read (the programme, the YAML document for line numbers, the
    file's name) and the findings they add."""

    p: m.Programme
    doc: Any
    file: str
    out: list[Finding] = field(default_factory=list)

    @functools.cached_property
    def milestones(self) -> dict[str, m.Milestone]:
        return {ms.id: ms for pl in self.p.pilots for ms in pl.milestones}

    def add(self, code: str, message: str, hint: str, path: tuple[str | int, ...]) -> None:
        line = node_line(self.doc, path)
        self.out.append(Finding(Severity.ERROR, code, message, hint, path, self.file, line))

    def unknown(self, kind: str, ident: str, known: list[str], path: tuple[str | int, ...]) -> None:
        close = difflib.get_close_matches(ident, known, n=1)
        listed = ", ".join(known[:12])
        hint = (
            said(f"did you mean '{close[0]}'?", f"vouliez-vous dire '{close[0]}' ?")
            if close
            else said(f"use one of: {listed}", f"prendre l'un de : {listed}")
        )
        kind_fr = _KINDS_FR.get(kind, kind)
        message = said(f"{kind} '{ident}' does not exist", f"{kind_fr} '{ident}' n'existe pas")
        self.add("UNKNOWN_REFERENCE", message, hint, path)


def _unique(refs: _References, kind: str, ids: list[tuple[str, tuple[str | int, ...]]]) -> None:
    """Ids unique ignoring case: every spreadsheet lookup (SUMIFS, COUNTIF, MATCH) does."""
    spellings: dict[str, list[str]] = {}
    for ident, _path in ids:
        spellings.setdefault(ident.casefold(), []).append(ident)
    for ident, path in ids:
        same = spellings[ident.casefold()]
        if len(same) == 1:
            continue
        kind_fr = _KINDS_FR.get(kind, kind)
        if len(set(same)) == 1:
            message = said(
                f"{kind} id '{ident}' is used {len(same)} times",
                f"le code de {kind_fr} '{ident}' est utilisé {len(same)} fois",
            )
        else:
            others = "', '".join(sorted(set(same) - {ident}))
            message = said(
                f"{kind} id '{ident}' differs from '{others}' only by case, which a "
                "spreadsheet does not see (its totals would count both as one)",
                f"le code de {kind_fr} '{ident}' ne diffère de '{others}' que par la casse, "
                "qu'un tableur ne voit pas (ses totaux compteraient les deux comme un seul)",
            )
        hint = said("give each one its own id", "donner à chacun son propre code")
        refs.add("DUPLICATE_ID", message, hint, path)


def _unique_ids(refs: _References) -> None:
    """Every kind of id is unique, ignoring case."""
    p = refs.p
    _unique(refs, "event", [(e.id, ("events", i, "id")) for i, e in enumerate(p.events)])
    _unique(refs, "pilot", [(pl.id, ("pilots", i, "id")) for i, pl in enumerate(p.pilots)])
    lines = [(c.id, ("cost_lines", i, "id")) for i, c in enumerate(p.cost_lines)]
    _unique(refs, "cost line", lines)
    for kind, children in (("milestone", "milestones"), ("evaluation", "evaluations")):
        ids = [
            (child.id, ("pilots", i, children, j, "id"))
            for i, pl in enumerate(p.pilots)
            for j, child in enumerate(getattr(pl, children))
        ]
        _unique(refs, kind, ids)
    years = [(str(e.year), ("envelopes", i, "year")) for i, e in enumerate(p.envelopes)]
    _unique(refs, "envelope year", years)


def _known_references(refs: _References) -> None:
    """Every pilot, event, milestone and cost line referred to exists."""
    p, milestones = refs.p, list(refs.milestones)
    pilots, events, lines = (
        [pl.id for pl in p.pilots],
        [e.id for e in p.events],
        [c.id for c in p.cost_lines],
    )
    for i, line in enumerate(p.cost_lines):
        if line.pilot not in pilots:
            refs.unknown("pilot", line.pilot, pilots, ("cost_lines", i, "pilot"))
        if line.award is not None and line.award not in refs.milestones:
            refs.unknown("award milestone", line.award, milestones, ("cost_lines", i, "award"))
    for i, pl in enumerate(p.pilots):
        for j, served in enumerate(pl.serves):
            if served.event not in events:
                refs.unknown("event", served.event, events, ("pilots", i, "serves", j, "event"))
        for j, ms in enumerate(pl.milestones):
            for dep in ms.prerequisite_ids:
                if dep not in refs.milestones:
                    at = ("pilots", i, "milestones", j, "depends_on")
                    refs.unknown("milestone", dep, milestones, at)
    for i, pl in enumerate(p.pilots):
        if pl.supervised_from is not None and pl.supervised_from not in refs.milestones:
            at = ("pilots", i, "supervised_from")
            refs.unknown("milestone", pl.supervised_from, milestones, at)
        for j, ev in enumerate(pl.evaluations):
            at = ("pilots", i, "evaluations", j)
            if ev.publication not in refs.milestones:
                refs.unknown("milestone", ev.publication, milestones, (*at, "publication"))
            if ev.cost_line is not None and ev.cost_line not in lines:
                refs.unknown("cost line", ev.cost_line, lines, (*at, "cost_line"))


def _durations(refs: _References) -> None:
    """A milestone with no date has a duration, or a line awarded or launched at it (whose
    route's durations it takes)."""
    procured = {x for line in refs.p.cost_lines for x in (line.award, line.tender) if x}
    for i, pl in enumerate(refs.p.pilots):
        for j, ms in enumerate(pl.milestones):
            if ms.date is None and ms.duration is None and ms.id not in procured:
                refs.add(
                    "NO_DURATION",
                    said(
                        f"milestone {ms.id} has no date nor duration, and no line is awarded "
                        "or launched at it to take its route's durations",
                        f"le jalon {ms.id} n'a ni date ni durée, et aucune ligne n'y est "
                        "attribuée ou lancée pour lui donner les délais de sa procédure",
                    ),
                    said("give it a date or a duration", "lui donner une date ou une durée"),
                    ("pilots", i, "milestones", j, "duration"),
                )


def _dependency_cycles(refs: _References) -> None:
    """No milestone depends on itself through others (depth-first search, each cycle once)."""
    milestones, state = refs.milestones, {}
    where = {
        ms.id: ("pilots", i, "milestones", j, "depends_on")
        for i, pl in enumerate(refs.p.pilots)
        for j, ms in enumerate(pl.milestones)
    }

    def visit(ident: str, stack: list[str]) -> None:
        state[ident] = 1
        for dep in milestones[ident].prerequisite_ids:
            if dep not in milestones:
                continue
            if state.get(dep) == 1:
                cycle = stack[stack.index(dep) :] + [dep] if dep in stack else [ident, dep]
                refs.add(
                    "DEPENDENCY_CYCLE",
                    said(
                        "milestones depend on each other in a cycle: " + " -> ".join(cycle),
                        "des jalons dépendent les uns des autres en boucle : " + " -> ".join(cycle),
                    ),
                    said("remove one of these dependencies", "retirer l'une de ces dépendances"),
                    where[ident],
                )
            elif dep not in state:
                visit(dep, [*stack, dep])
        state[ident] = 2

    for ident in milestones:
        if ident not in state:
            visit(ident, [ident])


#: The checks of identities and references the schema alone cannot make, in order.
REFERENCE_CHECKS = (_unique_ids, _known_references, _durations, _dependency_cycles)


def reference_findings(p: m.Programme, doc: Any, file: str) -> list[Finding]:
    """Identities and references the schema alone cannot check (REFERENCE_CHECKS)."""
    refs = _References(p, doc, file)
    for check in REFERENCE_CHECKS:
        check(refs)
    return refs.out


#: Most aliases (*name) a scenario may hold: each one can repeat a whole subtree, so a few
#: nested ones make a "billion laughs" document that no validator can walk.
MAX_ALIASES = 100
#: Most YAML nodes (events) the round-trip reader takes: files that need it (anchors, tags,
#: syntax errors) are small; every plain file, however large, is read by libyaml.
MAX_ROUND_TRIP_NODES = 100_000  # about 2.5 s of CPU here: the reader costs 25 µs a node


def read_yaml(text: str, file: str, item: ItemHook | None = None) -> Any:
    """The document ``text`` holds: read by libyaml in C when it is a plain mapping
    (:mod:`budgetplan.yamlio.fast`), else by ruamel's round-trip parser, which also says where
    a syntax error is and counts aliases against the limit. ``item``: see
    :func:`budgetplan.yamlio.fast.read_plain`."""
    try:
        plain = read_plain(text, item)
    except TooDeep as exc:
        raise _too_deep(file, exc.line) from None
    if plain is not None:
        return plain
    return read_yaml_round_trip(text, file)


_SIMPLIFY = said("simplify the file", "simplifier le fichier")
_FIX_AT_LINE = said("fix the YAML syntax at this line", "corriger la syntaxe YAML à cette ligne")
_GIVE_YAML = said("give the path of a .yaml file", "donner le chemin d'un fichier .yaml")


def _malformed(problem: str) -> str:
    """The YAML reader's problem (its own English words) in a sentence of either language."""
    return said(f"malformed YAML: {problem}", f"YAML mal formé : {problem}")


def _too_deep(file: str, line: int | None) -> LoadError:
    return LoadError.of(
        "YAML",
        said(
            f"the YAML is nested more than {MAX_DEPTH} levels deep (a programme needs 5)",
            f"le YAML est imbriqué sur plus de {MAX_DEPTH} niveaux (un programme en a 5)",
        ),
        _SIMPLIFY,
        file=file,
        line=line,
    )


def _bounded_events(yaml: YAML, text: str, file: str) -> int:
    """One pass of ruamel's parser over ``text`` that stops at the first bound it crosses:
    depth, node count (ruamel reads about 50,000 nodes a second) and aliases; returns the
    number of aliases."""
    aliases = depth = 0
    for events, event in enumerate(yaml.parse(text), start=1):
        name = type(event).__name__
        if name in ("MappingStartEvent", "SequenceStartEvent"):
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep(file, event.start_mark.line + 1)
        elif name in ("MappingEndEvent", "SequenceEndEvent"):
            depth -= 1
        elif name == "AliasEvent":
            aliases += 1
        if events > MAX_ROUND_TRIP_NODES:
            error = syntax_error(text)
            if error is not None:
                raise LoadError.of(
                    "YAML",
                    _malformed(error[1]),
                    _FIX_AT_LINE,
                    file=file,
                    line=error[0] or None,
                )
            raise LoadError.of(
                "YAML",
                said(
                    "the file needs the exact YAML reader (it holds &anchors, *aliases or "
                    f"!tags), which reads at most {MAX_ROUND_TRIP_NODES:,} nodes",
                    "le fichier demande le lecteur YAML exact (il contient des &ancres, *alias "
                    "ou !étiquettes), qui lit au plus "
                    + f"{MAX_ROUND_TRIP_NODES:,}".replace(",", " ")
                    + " nœuds",
                ),
                said(
                    "write the values out in full, without anchors, aliases or tags",
                    "écrire les valeurs en entier, sans ancres, alias ni étiquettes",
                ),
                file=file,
            )
    return aliases


def read_yaml_round_trip(text: str, file: str) -> Any:
    yaml = YAML(typ="rt")
    try:
        aliases = _bounded_events(yaml, text, file)
        if aliases > MAX_ALIASES:
            raise LoadError(
                [
                    Finding(
                        Severity.ERROR,
                        "YAML",
                        f"the YAML holds {aliases} aliases (*name), over the "
                        f"limit of {MAX_ALIASES}",
                        "write the values out in full",
                        file=file,
                    )
                ]
            )
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = (exc.problem or exc.context or "malformed YAML").strip()
        raise LoadError.of(
            "YAML",
            _malformed(problem),
            _FIX_AT_LINE,
            file=file,
            line=line,
        ) from None
    except YAMLError as exc:
        raise LoadError.of(
            "YAML",
            _malformed(str(exc)),
            said("fix the YAML syntax", "corriger la syntaxe YAML"),
            file=file,
        ) from None
    except (ValueError, OverflowError) as exc:
        # ruamel builds dates while parsing: an impossible date (2023-02-30) fails here.
        # ... and Python refuses an integer of over 4,300 digits.
        line = _bad_date_line(text)
        raise LoadError.of(
            "YAML",
            f"impossible value: {str(exc).split(';')[0]}",
            "write a real date as YYYY-MM-DD"
            if line
            else "write a number of at most 15 digits before the decimal point",
            file=file,
            line=line,
        ) from None
    except RecursionError:
        raise LoadError.of(
            "YAML",
            said("the YAML is nested too deeply", "le YAML est imbriqué trop profondément"),
            _SIMPLIFY,
            file=file,
        ) from None


_DATE = re.compile(r"(?<![\d-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\d-])")


def _bad_date_line(text: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _DATE.finditer(line):
            try:
                dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                return number
    return None


def decode_scenario(data: bytes, file: str) -> str:
    """The text of a scenario file, refused when too large or not UTF-8."""
    if len(data) > MAX_SCENARIO_BYTES:
        raise LoadError(
            [
                Finding(
                    Severity.ERROR,
                    "TOO_LARGE",
                    f"scenario file is {len(data):,} bytes, over the "
                    f"{MAX_SCENARIO_BYTES:,}-byte limit",
                    "split the programme",
                    file=file,
                )
            ]
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise LoadError.of(
            "ENCODING",
            said(
                f"not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
                f"pas en UTF-8 (octet 0x{data[exc.start]:02x} à la position {exc.start})",
            ),
            said("save the file as UTF-8", "enregistrer le fichier en UTF-8"),
            file=file,
            line=line,
        ) from None
    return text.removeprefix("\ufeff")


def parse_programme(data: bytes, file: str) -> Loaded:
    text = decode_scenario(data, file)
    doc = read_yaml(text, file, _LineModels())
    if not isinstance(doc, dict):
        raise LoadError.of(
            "SCHEMA",
            said(
                "the file does not hold a programme (a YAML mapping)",
                "le fichier ne contient pas de programme (un dictionnaire YAML)",
            ),
            said(
                "start from `budgetplan schema` or the default programme",
                "partir de `budgetplan schema` ou du programme par défaut",
            ),
            file=file,
            line=1,
        )
    doc.pop("approvals", None)  # approvals of changes (budgetplan.policy): not the programme's
    try:
        programme = m.Programme.model_validate(_lines_validated(doc))
    except ValidationError as exc:
        if not isinstance(doc, PlainDocument):
            raise LoadError(_pydantic_findings(exc, doc, file)) from None
        failed = exc
    else:
        failed = None
    if failed is not None:  # every error, with its place, from the values as read (and
        # their lines, in the same pass: errors are sure to ask for them)
        doc = read_plain(text, lines=True) or doc
        doc.pop("approvals", None)
        try:
            m.Programme.model_validate(doc)
        except ValidationError as exc:
            failed = exc
        raise LoadError(_pydantic_findings(failed, doc, file)) from None
    refs = reference_findings(programme, doc, file)
    if refs:
        raise LoadError(refs)
    name = Path(file.removeprefix("budgetplan:")).stem
    # a plain document is kept by its lines alone (its values live on in the programme)
    kept = doc.where if isinstance(doc, PlainDocument) else doc
    return Loaded(programme, Source(name, file, hashlib.sha256(data).hexdigest()), kept)


class _LineModels:
    """Each cost line made a model as soon as the reader has it, its plain values let go: a
    100,000-line programme is never held twice. A line that does not validate is left as read
    (and no other is made a model): the whole document is validated again, with every error at
    its place."""

    def __init__(self) -> None:
        self.compactor: Compactor | None = Compactor()

    def __call__(self, key: str, values: dict[str, Any]) -> Any:
        if key != "cost_lines" or self.compactor is None:
            return values
        try:
            return self.compactor.compact(m.CostLine.model_validate(values))
        except ValidationError:
            self.compactor = None
            return values


def _lines_validated(doc: Any) -> Any:
    """A plain document whose cost lines are validated one by one, each line's plain values
    dropped as soon as its model is made: a 100,000-line programme is never held twice. A line
    that fails raises, and the caller validates the document again as read."""
    raw = doc.get("cost_lines") if isinstance(doc, PlainDocument) else None
    if not isinstance(raw, list) or len(raw) < 1000:
        return doc
    compactor = Compactor()
    for i, item in enumerate(raw):
        if isinstance(item, dict):
            raw[i] = compactor.compact(m.CostLine.model_validate(item))
    return doc


def read_scenario_bytes(path: str | Path) -> bytes:
    """The bytes of a scenario file (a programme or a change file), within the size limit; a
    folder or an unreadable file is a LoadError naming it."""
    target = Path(path)
    if special_file(target):  # a FIFO would block the read, a device never end it
        raise LoadError.of("NOT_A_FILE", NOT_REGULAR, _GIVE_YAML, file=str(path))
    try:
        info = target.stat()
        if info.st_size > MAX_SCENARIO_BYTES:
            raise LoadError.of(
                "TOO_LARGE",
                said(
                    f"scenario file is over the {MAX_SCENARIO_BYTES:,}-byte limit",
                    f"le fichier de scénario dépasse la limite de {MAX_SCENARIO_BYTES:,} "
                    "octets".replace(",", " "),
                ),
                said("split the programme", "découper le programme"),
                file=str(path),
            )
        return target.read_bytes()
    except IsADirectoryError:
        raise LoadError.of(
            "NOT_A_FILE",
            said("is a folder, not a scenario file", "est un dossier, pas un fichier de scénario"),
            _GIVE_YAML,
            file=str(path),
        ) from None
    except OSError as exc:
        raise LoadError([unreadable(path, exc)]) from None


def load(path: str | Path | None = None) -> Loaded:
    """Load a scenario file, or the default 2022 programme when ``path`` is None."""
    if path is None:
        target = default_scenario_path()
        return parse_programme(target.read_bytes(), f"budgetplan:{DEFAULT_NAME}")
    return parse_programme(read_scenario_bytes(path), str(path))


def default_programme() -> m.Programme:
    return load(None).programme


__all__ = ["LoadError", "Loaded", "Source", "load"]
