"""GET /{person}/{firstname}: the person's item from the table, or 404."""
import json
import os

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def handler(event, context):
    params = event.get("pathParameters") or {}
    key = {"person": params.get("person", ""), "firstname": params.get("firstname", "")}
    item = TABLE.get_item(Key=key).get("Item")
    if item is None:
        return {"statusCode": 404, "body": json.dumps({"error": "not found"})}
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
            "body": json.dumps(item, default=str)}
