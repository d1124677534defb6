#!/usr/bin/env python3
"""Export the CloudFormation resource provider schemas of the allowlisted types out of cfn-lint.

Reads crates/codegen/allowlist.txt and writes, under crates/codegen/schemas/:

- <service>-<type>.json: the provider schema (us-east-1) as cfn-lint ships it, keys sorted;
- getatts.json: for each type, the Fn::GetAtt attribute names cfn-lint accepts, with the
  property pointer each one reads (cfn-lint's own cfnlint/schema/_getatts.py logic);
- SOURCE: the cfn-lint version the schemas came from.

Stale schema files (types no longer allowlisted) are removed. Run from anywhere:

    python3 crates/codegen/export_schemas.py

then regenerate the Rust code with `cargo run -p cloudwright-codegen`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ALLOWLIST = HERE / "allowlist.txt"
OUT = HERE / "schemas"
REGION = "us-east-1"


def read_allowlist() -> list[str]:
    types = []
    for line in ALLOWLIST.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            if line.count("::") != 2:
                sys.exit(f"{ALLOWLIST}: not a resource type name: {line!r}")
            types.append(line)
    if len(set(types)) != len(types):
        sys.exit(f"{ALLOWLIST}: duplicate type")
    return types


def file_name(type_name: str) -> str:
    _, service, resource = type_name.split("::")
    return f"{service.lower()}-{resource.lower()}.json"


def dump(value) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    try:
        import cfnlint
        from cfnlint.schema import PROVIDER_SCHEMA_MANAGER
        from cfnlint.version import __version__
    except ImportError as e:
        sys.exit(f"cfn-lint is not installed for {sys.executable}: {e}")

    OUT.mkdir(exist_ok=True)
    written = set()
    getatts = {}
    for type_name in read_allowlist():
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(REGION, type_name)
        name = file_name(type_name)
        (OUT / name).write_text(dump(schema.schema))
        written.add(name)
        getatts[type_name] = dict(sorted(schema.get_atts.data.items()))
    (OUT / "getatts.json").write_text(dump(getatts))
    (OUT / "SOURCE").write_text(
        f"cfn-lint {__version__}\n"
        f"region {REGION}\n"
        "exported by crates/codegen/export_schemas.py from "
        "cfnlint.schema.PROVIDER_SCHEMA_MANAGER; do not edit by hand\n"
    )
    for stale in OUT.glob("*.json"):
        if stale.name != "getatts.json" and stale.name not in written:
            stale.unlink()
    print(f"exported {len(written)} schemas from cfn-lint {__version__} "
          f"({Path(cfnlint.__file__).parent}) into {OUT}")


if __name__ == "__main__":
    main()
