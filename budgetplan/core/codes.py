"""The people's names of every code the model uses, in French and English.

Codes (``supplies``, ``formal``, ``assumption``) are the data: they stay the same in YAML, in
scripts and in reports for machines. A workbook shows each code by its name in the workbook's
language, in its cells and in its drop-down lists, and its formulas compare with that name.
Reading a cell back accepts the code or its name in either language, in any case.

A name must not hold a comma (a drop-down list's separator), nor ``* ? ~`` (wildcards of MATCH,
COUNTIF and SUMIF), nor start with ``= < >`` (criteria operators); two codes of one list never
share a name, ignoring case. ``tests/test_codes.py`` holds every name to these rules.
"""

from __future__ import annotations

from enum import StrEnum

from budgetplan.core.labels import Lang
from budgetplan.core.model import (
    Commitment,
    LegalStatus,
    MilestoneKind,
    Nature,
    Profile,
    Provenance,
    Purpose,
    Route,
    Step,
    Vehicle,
)

#: Each code list and the (French, English) name of each of its codes.
NAMES: dict[type[StrEnum], dict[str, tuple[str, str]]] = {
    Provenance: {
        "sourced": ("Sourcé", "Sourced"),
        "assumption": ("Hypothèse", "Assumption"),
    },
    Nature: {
        "supplies": ("Fournitures", "Supplies"),
        "services": ("Services", "Services"),
        "defence_security": ("Défense et sécurité", "Defence and security"),
        "works": ("Travaux", "Works"),
        "personnel": ("Personnel", "Personnel"),
        "grant": ("Subvention", "Grant"),
        "contingency": ("Provision", "Contingency"),
        "transfer": ("Transfert", "Transfer"),
    },
    Route: {
        "not_applicable": ("Sans objet", "Not applicable"),
        "direct": ("Gré à gré", "Direct award"),
        "adapted": ("Procédure adaptée", "Adapted procedure"),
        "formal": ("Procédure formalisée", "Formal tender"),
        "ugap": ("Commande UGAP", "UGAP order"),
        "framework_order": ("Accord-cadre existant", "Existing framework"),
        "innovation_partnership": ("Partenariat d'innovation", "Innovation partnership"),
        "rd_exempt": ("Services de R&D exclus", "Exempt R&D services"),
        "negotiated_defence": ("Négociée défense-sécurité", "Negotiated defence"),
    },
    Commitment: {
        "award": ("Notification", "Award"),
        "order": ("Bon de commande", "Order"),
    },
    MilestoneKind: {
        "legal": ("Juridique", "Legal"),
        "procurement": ("Achat", "Procurement"),
        "delivery": ("Livraison", "Delivery"),
        "operational": ("Mise en service", "Operational"),
        "evaluation": ("Évaluation", "Evaluation"),
    },
    Step: {
        "impact_assessment": ("AIPD", "DPIA"),
        "accreditation": ("Homologation", "Accreditation"),
        "go_no_go": ("Décision d'étape", "Go/no-go"),
    },
    LegalStatus: {
        "in_force": ("En vigueur", "In force"),
        "in_preparation": ("En préparation", "In preparation"),
        "not_started": ("Non engagé", "Not started"),
    },
    Vehicle: {
        "proposed": ("Proposé", "Proposed"),
        "initial_law": ("LFI", "Initial finance law"),
        "amending_law": ("LFR", "Amending finance law"),
        "transfer": ("Transfert", "Transfer"),
        "reserve_release": ("Dégel de réserve", "Reserve release"),
    },
    Profile: {
        "flat": ("Linéaire", "Flat"),
        "explicit": ("Échéances", "Explicit"),
    },
    Purpose: {
        "operate": ("Exploitation", "Operate"),
        "trial": ("Essai", "Trial"),
    },
}


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


#: For each list, what a cell may hold (a code or a name, folded) and the code it means.
_READ: dict[type[StrEnum], dict[str, StrEnum]] = {
    enum: {
        _fold(text): enum(code) for code, names in NAMES[enum].items() for text in (code, *names)
    }
    for enum in NAMES
}


#: The same, by the text exactly as written (the common case: a name chosen from the list).
_READ_EXACT: dict[type[StrEnum], dict[str, StrEnum]] = {
    enum: {text: enum(code) for code, names_ in NAMES[enum].items() for text in (code, *names_)}
    for enum in NAMES
}


def name(code: StrEnum | str, codes: type[StrEnum], lang: Lang) -> str:
    """The name of ``code`` (a member of ``codes``, or its value) in ``lang``."""
    fr, en = NAMES[codes][str(code)]
    return fr if lang == "fr" else en


def names(codes: type[StrEnum], lang: Lang) -> list[str]:
    """The names of the list ``codes`` in its order, in ``lang``."""
    return [name(c, codes, lang) for c in codes]


def read(codes: type[StrEnum], text: str) -> StrEnum | None:
    """The code a cell's text means (the code, or its name in either language, any case), or
    None when it is neither."""
    found = _READ_EXACT[codes].get(text)
    return found if found is not None else _READ[codes].get(_fold(text))


#: The names of each list in each language, as written and folded (the reader asks per cell).
_NAMES = {
    (codes, lang): (frozenset(names(codes, lang)), frozenset(_fold(n) for n in names(codes, lang)))
    for codes in NAMES
    for lang in ("fr", "en")
}


def is_name(codes: type[StrEnum], text: str, lang: Lang) -> bool:
    """Whether ``text`` is a name of the list in ``lang`` as the workbook's formulas compare it
    (ignoring case, as spreadsheets do)."""
    exact, folded = _NAMES[(codes, lang)]
    return text in exact or _fold(text) in folded


def formula_text(code: StrEnum, lang: Lang) -> str:
    """The name of ``code`` as a quoted string of a formula."""
    return '"' + name(code, type(code), lang).replace('"', '""') + '"'
