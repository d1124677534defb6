#!/usr/bin/env python3
"""Export the CloudFormation resource provider schemas of every `AWS::` type out of cfn-lint.

Takes every `AWS::` resource type cfn-lint knows for us-east-1, except the ones listed in
crates/codegen/excluded.txt (each with its reason), and writes, under crates/codegen/schemas/:

- <service>-<type>.json: the provider schema (us-east-1) as cfn-lint ships it, keys sorted;
- getatts.json: for each type, the Fn::GetAtt attribute names cfn-lint accepts, with the
  property pointer each one reads (cfn-lint's own cfnlint/schema/_getatts.py logic);
- SOURCE: the cfn-lint version the schemas came from (pinned in scripts/requirements-test.txt).

Stale schema files (types cfn-lint no longer has, or excluded ones) are removed. Run from
anywhere:

    python3 crates/codegen/export_schemas.py

then regenerate the Rust code with `cargo run -p cloudwright-codegen`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXCLUDED = HERE / "excluded.txt"
OUT = HERE / "schemas"
REGION = "us-east-1"
CFN_LINT = "1.51.0"  # pinned: the version scripts/requirements-test.txt installs


def read_excluded() -> dict[str, str]:
    """`Type  # reason` lines; a type without a reason is an error."""
    excluded = {}
    for i, line in enumerate(EXCLUDED.read_text().splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, _, reason = line.partition("#")
        name, reason = name.strip(), reason.strip()
        if name.count("::") != 2 or not reason:
            sys.exit(f"{EXCLUDED}:{i}: expected `AWS::Service::Type  # reason`, got {line!r}")
        excluded[name] = reason
    return excluded


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
    if __version__ != CFN_LINT:
        sys.exit(f"cfn-lint {__version__} is installed, the schemas are pinned to {CFN_LINT}: "
                 "install that version (scripts/requirements-test.txt) or change the pin")

    excluded = read_excluded()
    types = sorted(t for t in PROVIDER_SCHEMA_MANAGER.get_resource_types(REGION)
                   if t.startswith("AWS::"))
    unknown = sorted(set(excluded) - set(types))
    if unknown:
        sys.exit(f"{EXCLUDED}: not a cfn-lint type: {', '.join(unknown)}")

    OUT.mkdir(exist_ok=True)
    written = set()
    getatts = {}
    for type_name in types:
        if type_name in excluded:
            continue
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(REGION, type_name)
        name = file_name(type_name)
        if name in written:
            sys.exit(f"two types export to {name}")
        (OUT / name).write_text(dump(schema.schema))
        written.add(name)
        getatts[type_name] = dict(sorted(schema.get_atts.data.items()))
    (OUT / "getatts.json").write_text(dump(getatts))
    (OUT / "SOURCE").write_text(
        f"cfn-lint {__version__}\n"
        f"region {REGION}\n"
        f"types {len(types)} AWS:: types, {len(excluded)} excluded (crates/codegen/excluded.txt)\n"
        "exported by crates/codegen/export_schemas.py from "
        "cfnlint.schema.PROVIDER_SCHEMA_MANAGER; do not edit by hand\n"
    )
    for stale in OUT.glob("*.json"):
        if stale.name not in ("getatts.json", "docs.json") and stale.name not in written:
            stale.unlink()
    print(f"exported {len(written)} schemas from cfn-lint {__version__} "
          f"({Path(cfnlint.__file__).parent}) into {OUT}")


if __name__ == "__main__":
    main()
