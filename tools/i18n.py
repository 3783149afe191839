"""Catalogues of the web UI: ``extract`` lists the message ids, ``update`` brings
src/liaison/locale/{fr,hi}/LC_MESSAGES/messages.po in step with the code (new ids
untranslated, unused ids dropped), ``check`` fails on anything missing, untranslated,
fuzzy or unused (what CI checks). Usage: uv run python tools/i18n.py extract|update|check"""

from __future__ import annotations

import sys

from liaison.web import catalogues


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else ""
    if command == "extract":
        for message in catalogues.extract():
            if message.id:
                print(message.id if isinstance(message.id, str) else message.id[0])
        return 0
    if command == "update":
        catalogues.update()
        print("updated " + ", ".join(catalogues.TRANSLATED))
        return 0
    if command == "check":
        found = list(catalogues.problems())
        for problem in found:
            print(problem)
        print(f"{len(found)} problem(s)")
        return 1 if found else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
