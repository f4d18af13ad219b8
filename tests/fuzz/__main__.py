"""``python tests/fuzz --programs N --seed S``: a long fuzzer run by hand (see ``differ.main``)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # so that `import fuzz` works

from fuzz.differ import main

sys.exit(main())
