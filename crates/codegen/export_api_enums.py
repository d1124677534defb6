#!/usr/bin/env python3
"""Export the enums the AWS API models state for CloudFormation properties whose schema has none.

A resource schema sometimes types a property as a plain string where the service's API takes
one of a few values: `AWS::DynamoDB::Table` `BillingMode` is any string to the schema (and so
to cfn-lint), but DynamoDB's CreateTable takes `PROVISIONED` or `PAY_PER_REQUEST`, so
`ON_DEMAND` passes every check and fails at deploy. The API models (botocore's
`data/<service>/<version>/service-2.json`) state those enums.

The mapping rule, applied to every type in crates/codegen/schemas/:

1. `AWS::<Namespace>::<Resource>` maps to the botocore service whose name, without `-`,
   is the namespace lowercased (or the one ALIASES names), and to its operation
   `Create<Resource>` (else `Put<Resource>`, `Register<Resource>`).
2. The resource's properties are matched to that operation's input members by exact name,
   and recursively: an object property to a structure member (its properties to the
   structure's members by exact name), a list to a list (item to member).
3. A string property that the schema gives no `enum` (and no `const`) gets the member's
   enum when the member's shape is a string with one, with every value a string.
4. A schema definition reached from several places takes an enum only when every place
   agrees on it.

The result, crates/codegen/schemas/api_enums.json, maps each type to JSON pointers into its
schema and the values; the generator checks a literal against them exactly as against a
schema `enum` (the Rust type of the property is unchanged: still a string). Run with the
Python that has botocore (moto's dependency):

    .venv/bin/python crates/codegen/export_api_enums.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import botocore
import botocore.session

HERE = Path(__file__).resolve().parent
SCHEMAS = HERE / "schemas"
OUT = SCHEMAS / "api_enums.json"

# namespaces whose botocore service name is not the namespace lowercased without `-`
ALIASES = {
    "elasticloadbalancingv2": "elbv2",
    "elasticloadbalancing": "elb",
    "certificatemanager": "acm",
    "cognito": "cognito-idp",
    "opensearchservice": "opensearch",
    "applicationautoscaling": "application-autoscaling",
    "kinesisfirehose": "firehose",
    "stepfunctions": "stepfunctions",
    "elasticsearch": "es",
    "efs": "efs",
    "lex": "lexv2-models",
    "cloudwatch": "cloudwatch",
    "events": "events",
    "logs": "logs",
}


def services(session):
    by_key = {}
    for name in session.get_available_services():
        by_key.setdefault(name.replace("-", ""), name)
    return by_key


def resolve(schema, node, pointer):
    """Follows local `$ref`s; returns the node and the pointer where it is defined."""
    for _ in range(16):
        ref = node.get("$ref") if isinstance(node, dict) else None
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return node, pointer
        cur = schema
        for part in ref[2:].split("/"):
            cur = cur.get(part) if isinstance(cur, dict) else None
            if cur is None:
                return node, pointer
        node, pointer = cur, ref[1:]
    return node, pointer


def walk(schema, node, pointer, shape, found, depth):
    if depth > 12 or not isinstance(node, dict):
        return
    node, pointer = resolve(schema, node, pointer)
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if shape.type_name == "structure" and isinstance(node.get("properties"), dict):
        for name, sub in node["properties"].items():
            member = shape.members.get(name)
            if member is not None:
                walk(schema, sub, f"{pointer}/properties/{name}", member, found, depth + 1)
    elif shape.type_name == "list" and isinstance(node.get("items"), dict):
        walk(schema, node["items"], f"{pointer}/items", shape.member, found, depth + 1)
    elif shape.type_name == "string" and shape.enum and (kind == "string" or kind is None):
        if "enum" in node or "const" in node or "properties" in node:
            return
        values = list(shape.enum)
        if all(isinstance(v, str) for v in values):
            found.setdefault(pointer, []).append(values)


def main() -> int:
    session = botocore.session.get_session()
    by_key = services(session)
    out = {}
    considered = mapped = 0
    for path in sorted(SCHEMAS.glob("*.json")):
        if path.name == OUT.name:
            continue
        schema = json.loads(path.read_text())
        type_name = schema.get("typeName", "")
        parts = type_name.split("::")
        if len(parts) != 3 or parts[0] != "AWS":
            continue
        considered += 1
        ns, res = parts[1].lower(), parts[2]
        service = ALIASES.get(ns) or by_key.get(ns)
        if service is None:
            continue
        try:
            model = session.get_service_model(service)
        except Exception:
            continue
        op = None
        for verb in ("Create", "Put", "Register"):
            if f"{verb}{res}" in model.operation_names:
                op = model.operation_model(f"{verb}{res}")
                break
        if op is None or op.input_shape is None:
            continue
        mapped += 1
        found = {}
        walk(schema, schema, "", op.input_shape, found, 0)
        agreed = {}
        for pointer, lists in found.items():
            if all(sorted(l) == sorted(lists[0]) for l in lists):
                agreed[pointer] = sorted(set(lists[0]))
        if agreed:
            out[type_name] = dict(sorted(agreed.items()))
    properties = sum(len(v) for v in out.values())
    doc = {
        "_source": f"botocore {botocore.__version__}",
        "_counts": {
            "types": considered,
            "types mapped to an API operation": mapped,
            "types gaining an enum": len(out),
            "properties gaining an enum": properties,
        },
        "types": out,
    }
    OUT.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
    print(json.dumps(doc["_counts"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
