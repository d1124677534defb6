#!/usr/bin/env python3
"""Export the IAM actions cfn-lint knows, for the policy-document checks at synth.

cfn-lint's W3037 refuses an action a service does not have (`dynamodb:GetItems`), reading
its `data/AdditionalSpecs/Policies.json` (the IAM service authorization reference). This
writes that list into crates/resources/src/rules/iam_actions.txt: one `service:action` per
line, lowercase (IAM matches actions case-insensitively), sorted by byte, so the checker
finds an action by binary search over the text without parsing it first. Run with the
Python that has cfn-lint:

    .venv/bin/python crates/codegen/export_iam_actions.py

With `--check` it writes nothing and exits 1 when the committed file differs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import cfnlint

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "resources" / "src" / "rules" / "iam_actions.txt"


def render() -> str:
    data = json.loads(
        (Path(cfnlint.__file__).parent / "data" / "AdditionalSpecs" / "Policies.json").read_text()
    )
    lines = set()
    for prefix, service in data.items():
        for action in service.get("Actions", {}):
            lines.add(f"{prefix.lower()}:{action.lower()}")
        # a service with no action still exists (`service:*` is then refused by cfn-lint too)
    return "".join(f"{line}\n" for line in sorted(lines, key=lambda s: s.encode()))


def main() -> int:
    text = render()
    if "--check" in sys.argv[1:]:
        return 0 if OUT.exists() and OUT.read_text() == text else 1
    OUT.write_text(text)
    print(f"{OUT}: {text.count(chr(10))} actions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
