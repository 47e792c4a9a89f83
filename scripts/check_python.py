"""Stop early, in plain words, when the Python that would build OncoPRO is too old.

Run by the Makefile before anything is installed. Kept free of any import
that would fail on an old Python, so the message is always the one shown.
"""

import sys

NEEDED = (3, 12)

if sys.version_info < NEEDED:
    found = ".".join(str(part) for part in sys.version_info[:3])
    sys.stderr.write(
        f"OncoPRO needs Python {NEEDED[0]}.{NEEDED[1]} or newer, because Django 6 does.\n"
        f"The Python found here ({sys.executable}) is {found}.\n"
        "Install Python 3.12 (for example `pyenv install 3.12`; the file .python-version\n"
        "then selects it), or point the Makefile at one: make test PYTHON=/path/to/python3.12\n"
    )
    sys.exit(1)
