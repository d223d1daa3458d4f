"""budgetplan inside LibreOffice Calc: the extension ``budgetplan.oxt`` (``oxt.py`` writes it,
``component.py`` is the UNO component it carries: a protocol handler for ``vnd.budgetplan:``
command URLs that runs budgetplan on the document open in Calc)."""
