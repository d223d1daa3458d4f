"""A LibreOffice profile in a locale: standard library only, read by ``lo_uno.py`` (run by
LibreOffice's Python, from this folder) and by the tests that prepare a profile themselves."""

import os

PROFILE_LOCALE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse">\
<value>{0}</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooLocale" oor:op="fuse">\
<value>{0}</value></prop></item>
</oor:items>
"""


def set_locale(profile, locale):
    """A throw-away profile whose locale is ``locale`` (as a desktop in that country has it)."""
    user = os.path.join(profile, "user")
    os.makedirs(user, exist_ok=True)
    with open(os.path.join(user, "registrymodifications.xcu"), "w", encoding="utf-8") as fh:
        fh.write(PROFILE_LOCALE.format(locale))
