"""A formula as a French officer types it into a cell: LibreOffice's and Excel's French function
names (the same for every function budgetplan writes), ``;`` between arguments, the decimal
comma, VRAI and FAUX. A hint that says which formula to restore says it this way in French
(``rétablir =SOMME.SI.ENS(...;...)``): typed as stored, in English, it is ``#NOM?`` there."""

from __future__ import annotations

from openpyxl.formula.tokenizer import Token, Tokenizer, TokenizerError

#: Each function budgetplan writes, by its French name (LibreOffice 7.4 in French, read by
#: ``tests/test_formula_local.py``; Excel's French is the same).
FRENCH_FUNCTIONS = {
    "ABS": "ABS",
    "AND": "ET",
    "COUNTIF": "NB.SI",
    "COUNTIFS": "NB.SI.ENS",
    "DATE": "DATE",
    "EDATE": "MOIS.DECALER",
    "FIND": "TROUVE",
    "IF": "SI",
    "IFERROR": "SIERREUR",
    "INDEX": "INDEX",
    "INT": "ENT",
    "ISERROR": "ESTERREUR",
    "ISNUMBER": "ESTNUM",
    "ISTEXT": "ESTTEXTE",
    "LARGE": "GRANDE.VALEUR",
    "LEFT": "GAUCHE",
    "LEN": "NBCAR",
    "MATCH": "EQUIV",
    "MAX": "MAX",
    "MIN": "MIN",
    "MOD": "MOD",
    "MONTH": "MOIS",
    "N": "N",
    "NOT": "NON",
    "OR": "OU",
    "REPT": "REPT",
    "RIGHT": "DROITE",
    "ROUND": "ARRONDI",
    "ROWS": "LIGNES",
    "SEARCH": "CHERCHE",
    "SUBSTITUTE": "SUBSTITUE",
    "SUM": "SOMME",
    "SUMIFS": "SOMME.SI.ENS",
    "SUMPRODUCT": "SOMMEPROD",
    "TRIM": "SUPPRESPACE",
    "YEAR": "ANNEE",
}
_BOOLEANS = {"TRUE": "VRAI", "FALSE": "FAUX"}


def typed_as(formula: str, lang: str) -> str:
    """``formula`` (``=...`` as stored, or without its ``=``) as a user of ``lang`` types it;
    in English, as it is. A formula no spreadsheet could parse is returned as it is."""
    if lang != "fr":
        return formula
    text = formula if formula.startswith("=") else "=" + formula
    try:
        tokens = Tokenizer(text).items
    except TokenizerError:
        return formula
    out = []
    for token in tokens:
        value = token.value
        if token.type == Token.FUNC and token.subtype == Token.OPEN:
            name = value[:-1]
            value = FRENCH_FUNCTIONS.get(name.upper(), name) + "("
        elif token.type == Token.SEP and value == ",":
            value = ";"
        elif token.type == Token.OPERAND and token.subtype == Token.NUMBER:
            value = value.replace(".", ",")
        elif token.type == Token.OPERAND and token.subtype == Token.LOGICAL:
            value = _BOOLEANS.get(value.upper(), value)
        out.append(value)
    typed = "".join(out)
    return "=" + typed if formula.startswith("=") else typed
