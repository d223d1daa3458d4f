"""The command line's help in French: every command's and option's help said again in French,
keyed by its English text (as a translation catalogue is), and Click's own words.

``french(command)`` gives a command tree its French help before it runs; a test holds that every
help text of the command line has its French here, so no English reaches a French user.
"""

from __future__ import annotations

import re
from typing import Any

EX = "\n\n\b\nExemple :\n  "

#: English help -> French help.
FRENCH: dict[str, str] = {
    "Build, check and reconcile Excel workbooks for a public programme budget.": (
        "Construire, contrôler et rapprocher les classeurs Excel du budget d'un programme public."
    ),
    "Show the version.": "Afficher la version.",
    "Build the workbook of a scenario (written atomically, never over unreconciled edits).\n\n"
    "\b\nExample:\n  budgetplan build scenarios/cut-40m-by-priority.yaml -o cut.xlsx": (
        "Construire le classeur d'un scénario (écrit d'un seul bloc, jamais par-dessus des "
        "saisies non rapprochées)." + EX + "budgetplan build scenarios/cut-40m-by-priority.yaml"
        " -o coupe.xlsx"
    ),
    "Programme file, change file or scenario script (default: the 2022 programme).": (
        "Fichier de programme, fichier de changements ou script de scénario (par défaut : le "
        "programme 2022)."
    ),
    "Workbook to write.": "Classeur à écrire.",
    "Bring a workbook of an earlier layout to this one, its inputs and edits kept.\n\n"
    "\b\nExample:\n  budgetplan upgrade programme-2022.xlsx -o programme-2022-v3.xlsx": (
        "Passer un classeur d'une mise en page antérieure à celle-ci, ses saisies gardées."
        + EX
        + "budgetplan upgrade programme-2022.xlsx -o programme-2022-v3.xlsx"
    ),
    "Workbook written by an earlier budgetplan.": "Classeur écrit par un budgetplan antérieur.",
    "Workbook to write (default: beside it, named for the layout).": (
        "Classeur à écrire (par défaut : à côté, nommé d'après la mise en page)."
    ),
    "Language of the workbook (and of the messages).": "Langue du classeur (et des messages).",
    "Replace a workbook holding unreconciled edits (backed up).": (
        "Remplacer un classeur qui contient des saisies non rapprochées (copie de sauvegarde "
        "gardée)."
    ),
    "Report every error of a scenario file at once (exit 1 rule broken, 2 unreadable).\n\n"
    "\b\nExample:\n  budgetplan validate my-scenario.yaml": (
        "Signaler d'un coup toutes les erreurs d'un fichier de scénario (code 1 : règle "
        "enfreinte, 2 : illisible)." + EX + "budgetplan validate mon-scenario.yaml"
    ),
    "Programme file, change file or scenario script to check.": (
        "Fichier de programme, fichier de changements ou script de scénario à contrôler."
    ),
    "Language of the report.": "Langue du rapport.",
    "Check an edited workbook: integrity, budget rules, schedule, principles, edits.\n\n"
    "Exit 0 when there is no error, 1 when there are errors, 2 when the input cannot be read."
    "\n\n\b\nExample:\n  budgetplan reconcile returned.xlsx --scenario my.yaml "
    "--write-scenario my.yaml": (
        "Contrôler un classeur modifié : intégrité, règles budgétaires, calendrier, principes, "
        "saisies.\n\nCode 0 sans erreur, 1 s'il y a des erreurs, 2 si l'entrée est illisible."
        + EX
        + "budgetplan reconcile renvoye.xlsx --scenario mon.yaml --write-scenario mon.yaml"
    ),
    "Workbook to read back.": "Classeur à relire.",
    "Original scenario file: list the edits.": (
        "Fichier de scénario d'origine : lister les saisies."
    ),
    "CSV or xlsx export of commitments and payments.": (
        "Export CSV ou xlsx des engagements et des paiements."
    ),
    "Output format.": "Format de sortie.",
    "Write a reconciliation workbook.": "Écrire un classeur de rapprochement.",
    "Read an .xlsm's values (macros never run).": (
        "Lire les valeurs d'un .xlsm (les macros ne sont jamais exécutées)."
    ),
    "Write the programme as the workbook holds it; with --scenario, the edits are carried into "
    "that file's text (comments and layout kept).": (
        "Écrire le programme tel que le classeur le contient ; avec --scenario, les saisies "
        "sont reportées dans le texte de ce fichier (commentaires et mise en forme gardés)."
    ),
    "Language of the report (default: the workbook's).": (
        "Langue du rapport (par défaut : celle du classeur)."
    ),
    "What changed between two budget versions and what it costs. Exit 0 same, 1 different,\n"
    "2 trouble; with --policy, 0 when every change a rule trips is approved, 1 when one is not."
    "\n\n\b\nExample:\n  budgetplan diff old.xlsx new.xlsx --format markdown --threshold 1000": (
        "Ce qui a changé entre deux versions du budget, et ce que cela coûte. Code 0 : "
        "identiques, 1 : différentes, 2 : problème ; avec --policy, 0 quand chaque changement "
        "soumis à une règle est approuvé, 1 sinon."
        + EX
        + "budgetplan diff ancien.xlsx nouveau.xlsx --format markdown --threshold 1000"
    ),
    "Old version: workbook or scenario file.": (
        "Version ancienne : classeur ou fichier de scénario."
    ),
    "New version: workbook or scenario file.": (
        "Version nouvelle : classeur ou fichier de scénario."
    ),
    "Output format (default: text, or what -o's extension says).": (
        "Format de sortie (par défaut : texte, ou ce que dit l'extension de -o)."
    ),
    "Hide changes under an amount or a share.": (
        "Masquer les changements sous un montant ou une part."
    ),
    "Cell-level diff of any two xlsx files.": (
        "Comparaison cellule par cellule de deux fichiers xlsx quelconques."
    ),
    "Write the report there: .xlsx, .json, .md or .txt (the format follows).": (
        "Écrire le rapport dans ce fichier : .xlsx, .json, .md ou .txt (le format suit)."
    ),
    "Language of the report (and of the -o workbook).": (
        "Langue du rapport (et du classeur de -o)."
    ),
    "List the changes that need an approval; exit 1 when one is not approved.": (
        "Lister les changements qui demandent une approbation ; code 1 si l'un n'est pas approuvé."
    ),
    "Print a stable, id-sorted text view of a budget version (git's textconv driver).\n\n\b\n"
    "Example:\n  budgetplan textconv workbooks/programme-2022.xlsx | less": (
        "Afficher une vue texte stable, triée par code, d'une version du budget (le pilote "
        "textconv de git)." + EX + "budgetplan textconv workbooks/programme-2022.xlsx | less"
    ),
    "Workbook or scenario file.": "Classeur ou fichier de scénario.",
    "Make `git diff` show workbooks and scenarios in budget terms (idempotent).\n\n\b\n"
    "Example:\n  .venv/bin/budgetplan git-setup && git log -p workbooks/programme-2022.xlsx": (
        "Faire montrer par `git diff` les classeurs et les scénarios en termes budgétaires "
        "(sans effet s'il est relancé)."
        + EX
        + ".venv/bin/budgetplan git-setup && git log -p workbooks/programme-2022.xlsx"
    ),
    "Repository folder.": "Dossier du dépôt.",
    "A workbook per contributor (pilot or owner), each recording the programme version and\n"
    "the pilots it was made for; `consolidate` carries their returns back.\n\n\b\nExample:\n"
    "  budgetplan split programme.yaml --by owner -o outbox/": (
        "Un classeur par contributeur (pilote ou responsable), chacun gardant la version du "
        "programme et les pilotes pour lesquels il a été fait ; `consolidate` reprend leurs "
        "retours." + EX + "budgetplan split programme.yaml --by owner -o envois/"
    ),
    "Programme file (default: the 2022 programme).": (
        "Fichier de programme (par défaut : le programme 2022)."
    ),
    "One workbook per pilot or owner.": "Un classeur par pilote ou par responsable.",
    "Folder of the workbooks.": "Dossier des classeurs.",
    "Language of the workbooks.": "Langue des classeurs.",
    "Replace workbooks holding edits (backed up).": (
        "Remplacer les classeurs qui contiennent des saisies (copie de sauvegarde gardée)."
    ),
    "Read the contributors' returns as reconcile does and take, from each, the edits to what\n"
    "its contributor owns, merged three-way against the version it was split from (the "
    "scenario,\na --base file, or a version in the scenario's git history); refused: edits to "
    "anything else\n(at their cell), changes the scenario made meanwhile to the same item (a "
    "conflict), returns\nwhose version is not found. Exit 0 all taken, 1 something refused, 2 "
    "unreadable input.\n\n\b\nExample:\n  budgetplan consolidate programme.yaml inbox/*.xlsx "
    "--write-scenario programme.yaml": (
        "Relire les retours des contributeurs comme reconcile et prendre, de chacun, les "
        "saisies sur ce que son contributeur détient, fusionnées à trois voies avec la version "
        "dont il a été tiré (le scénario, un fichier --base, ou une version de l'historique git "
        "du scénario) ; refusés : les saisies sur autre chose (à leur cellule), les changements "
        "faits entre-temps au même élément par le scénario (un conflit), les retours dont la "
        "version est introuvable. Code 0 : tout est pris, 1 : quelque chose est refusé, 2 : "
        "entrée illisible."
        + EX
        + "budgetplan consolidate programme.yaml retours/*.xlsx --write-scenario programme.yaml"
    ),
    "The programme file the workbooks were split from.": (
        "Le fichier de programme dont les classeurs ont été tirés."
    ),
    "The contributors' returns.": "Les retours des contributeurs.",
    "How the programme was split.": "Comment le programme a été découpé.",
    "Carry the edits taken into SCENARIO's text (comments and layout kept), written to OUT.yaml "
    "(SCENARIO itself to update it).": (
        "Reporter les saisies prises dans le texte de SCENARIO (commentaires et mise en forme "
        "gardés), écrit dans OUT.yaml (SCENARIO lui-même pour le mettre à jour)."
    ),
    "List the consolidated changes that need an approval (exit 1 if one is not).": (
        "Lister les changements consolidés qui demandent une approbation (code 1 si l'un ne "
        "l'est pas)."
    ),
    "Write a consolidation workbook.": "Écrire un classeur de consolidation.",
    "An earlier version of SCENARIO a return may have been split from (versions in SCENARIO's "
    "git history are found without it).": (
        "Une version antérieure de SCENARIO dont un retour a pu être tiré (les versions de "
        "l'historique git de SCENARIO sont trouvées sans elle)."
    ),
    "Run scenarios: a workbook each and a comparison workbook, the default programme as the\n"
    "reference. Exit 0 every scenario built and passing its checks, 1 one could not be built,"
    "\n3 every one built but some fail checks.\n\n\b\nExample:\n  budgetplan run scenarios/ "
    "-o workbooks/": (
        "Exécuter des scénarios : un classeur chacun et un classeur de comparaison, le "
        "programme par défaut pour référence. Code 0 : chaque scénario construit et conforme à "
        "ses contrôles, 1 : l'un n'a pas pu être construit, 3 : tous construits mais certains "
        "échouent à des contrôles." + EX + "budgetplan run scenarios/ -o workbooks/"
    ),
    "Scenario scripts (.py), files (.yaml) and folders.": (
        "Scripts (.py), fichiers (.yaml) et dossiers de scénarios."
    ),
    "Folder for workbooks.": "Dossier des classeurs.",
    "Cost and schedule risk by Monte Carlo: P50/P80/P90, overrun and readiness odds.\n\n\b\n"
    "Example:\n  budgetplan risk scenarios/scanners_overrun_and_late.py --iterations 100000": (
        "Risque de coût et de délai par Monte-Carlo : P50/P80/P90, probabilités de dépassement "
        "et d'être prêt à temps."
        + EX
        + "budgetplan risk scenarios/scanners_overrun_and_late.py --iterations 100000"
    ),
    "Draws of the model.": "Tirages du modèle.",
    "Seed (0 or more): the same gives the same figures.": (
        "Graine (0 ou plus) : la même donne les mêmes chiffres."
    ),
    "Law of each cost line's draws.": "Loi des tirages de chaque ligne de coût.",
    "Between lines of a pilot.": "Entre les lignes d'un même pilote.",
    "Print the JSON Schema of scenario files (for editors that complete and check YAML).\n\n"
    "\b\nExample:\n  budgetplan schema > programme.schema.json": (
        "Afficher le schéma JSON des fichiers de scénario (pour les éditeurs qui complètent et "
        "contrôlent le YAML)." + EX + "budgetplan schema > programme.schema.json"
    ),
    "Recalculate workbooks in LibreOffice and compare every formula with its cached value.\n\n"
    "\b\nExample:\n  budgetplan verify workbooks/programme-2022.xlsx": (
        "Recalculer des classeurs dans LibreOffice et comparer chaque formule à sa valeur "
        "enregistrée." + EX + "budgetplan verify workbooks/programme-2022.xlsx"
    ),
    "Workbooks to recalculate.": "Classeurs à recalculer.",
}

#: Click's own words in a help page, and what follows an option's help.
_WORDS = (
    (re.compile(r"^Usage: ", re.M), "Utilisation : "),
    (re.compile(r"^Arguments:$", re.M), "Arguments :"),
    (re.compile(r"^Options:$", re.M), "Options :"),
    (re.compile(r"^Commands:$", re.M), "Commandes :"),
    (re.compile(r"Show this message and exit\."), "Afficher cette aide et quitter."),
    (re.compile(r"\[default:(\s)"), r"[par défaut :\1"),
    (re.compile(r"\[required\]"), "[obligatoire]"),
)


def help_texts(command: Any) -> list[str]:
    """Every help text of ``command`` and of its subcommands and their parameters."""
    out: list[str] = []
    for text in [command.help, *(getattr(p, "help", None) for p in command.params)]:
        if text and text not in out:
            out.append(text)
    for sub in getattr(command, "commands", {}).values():
        out += [t for t in help_texts(sub) if t not in out]
    return out


def _words(text: str) -> str:
    for pattern, french in _WORDS:
        text = pattern.sub(french, text)
    return text


def french(command: Any) -> None:
    """Give ``command`` (a Click command or group) and its subcommands their French help."""
    if command.help in FRENCH:
        command.help = FRENCH[command.help]
        command.short_help = None  # made again from the French help
    for param in command.params:
        if getattr(param, "help", None) in FRENCH:
            param.help = FRENCH[param.help]
        if getattr(param, "name", "") == "help":
            param.help = "Afficher cette aide et quitter."
    english = command.get_help
    command.get_help = lambda ctx: _words(english(ctx))
    for sub in getattr(command, "commands", {}).values():
        french(sub)
