#!/usr/bin/env python3
"""Export cfn-lint's extension schemas: the JSON schemas its own rules check resources with
beyond the provider schemas (`cfnlint/data/schemas/extensions/`), each with the rule that
applies it and where.

A rule of cfn-lint 1.51.0 that is a `CfnLintJsonSchema` with its own schema file (e.g. E3638,
`aws_dynamodb_table/billingmode_exclusive.json`: "when BillingMode is PAY_PER_REQUEST do not
specify ProvisionedThroughput") names the places it checks as keywords such as
`Resources/AWS::DynamoDB::Table/Properties` or `Resources/AWS::EC2::Instance/Properties/
BlockDeviceMappings/*`. Only error rules (`E...`) on resource properties are exported; a
rule's `message` override is not (the violation names the rule and the schema's own
`description` when it has one).

The result, crates/codegen/schemas/extensions.json, maps each resource type to a list of
`{"rule", "path", "description", "schema"}`, sorted (a region-keyed schema, one per region
such as E3628's instance types, is named with `"region_keyed": true` and not exported here:
`export_regions.py` exports those compactly); the generator compiles the schemas it can
express into shapes that every synthesis checks (`Resource::check`), and lists the ones it
cannot (cross-resource `cfnGather`, `$data`, ...) in the generated
`EXTENSIONS_SKIPPED`. Run with the Python that has cfn-lint:

    .venv/bin/python crates/codegen/export_extensions.py
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import sys
from pathlib import Path

import cfnlint
import cfnlint.rules
from cfnlint.rules.jsonschema.CfnLintJsonSchema import CfnLintJsonSchema

HERE = Path(__file__).resolve().parent
OUT = HERE / "schemas" / "extensions.json"
PINNED = "1.51.0"


def rule_classes():
    seen = set()
    for info in pkgutil.walk_packages(cfnlint.rules.__path__, "cfnlint.rules."):
        try:
            module = importlib.import_module(info.name)
        except Exception:  # a module that does not import alone holds no rule we use
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, CfnLintJsonSchema)
                and cls is not CfnLintJsonSchema
                and cls.__module__ == module.__name__
                and cls not in seen
            ):
                seen.add(cls)
                yield cls


def main() -> int:
    version = getattr(cfnlint, "__version__", None)
    if version is None:
        from cfnlint.version import __version__ as version
    if version != PINNED:
        print(f"cfn-lint {version} installed; this export is pinned to {PINNED}", file=sys.stderr)
        return 1
    out: dict[str, list] = {}
    for cls in rule_classes():
        try:
            rule = cls()
        except TypeError:
            continue  # a base class that needs arguments
        rid = getattr(rule, "id", "")
        schema = getattr(rule, "_schema", None)
        if not rid.startswith("E") or not schema or getattr(rule, "_use_schema_arg", True):
            continue
        region_keyed = "us-east-1" in schema
        for keyword in rule.keywords:
            parts = keyword.split("/")
            if len(parts) < 3 or parts[0] != "Resources" or parts[2] != "Properties":
                continue
            type_name = parts[1]
            if not type_name.startswith("AWS::"):
                continue
            entry = {"rule": rid, "path": "/".join(parts[3:]), "description": rule.shortdesc}
            too_large = len(json.dumps(schema)) > 200_000
            if too_large and not region_keyed:
                # E3062's instance classes per engine and version: 3 MB, not exported yet
                entry["too_large"] = True
            elif region_keyed:
                # one schema per region (instance types, ...): exported compactly by
                # export_regions.py, only named here
                entry["region_keyed"] = True
            else:
                entry["schema"] = schema
            out.setdefault(type_name, []).append(entry)
    for entries in out.values():
        entries.sort(key=lambda e: (e["rule"], e["path"]))
    OUT.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    count = sum(len(v) for v in out.values())
    print(f"{count} extension schemas of {len(out)} types -> {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
