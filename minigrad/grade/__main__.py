"""``python -m minigrad.grade ARGS`` runs ``python -m grader ARGS`` (the grader is ``grader/``)."""

import sys

from grader.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
