"""docs/GUARANTEES.md stays true: every test it names exists under that name."""

import re
from pathlib import Path

ROOT = Path(__file__).parent.parent
DOC = ROOT / "docs" / "GUARANTEES.md"


def test_every_test_the_guarantees_page_names_exists():
    references = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", DOC.read_text(encoding="utf-8"))
    assert len(references) >= 40
    missing = [
        f"{path}::{name}"
        for path, name in references
        if not re.search(rf"^(async )?def {name}\(", (ROOT / path).read_text(encoding="utf-8"), re.MULTILINE)
    ]
    assert not missing, f"docs/GUARANTEES.md names tests that do not exist: {missing}"
