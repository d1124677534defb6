"""Consumes queued writes: stores each person and writes an audit object; failed messages are
reported one by one (partial batch responses) so only they are retried."""
import json
import os

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
S3 = boto3.client("s3")


def handler(event, context):
    failures = []
    for record in event.get("Records", []):
        try:
            message = json.loads(record["body"])
            item = dict(message.get("attributes") or {})
            item.update(person=message["person"], firstname=message["firstname"])
            TABLE.put_item(Item=item)
            S3.put_object(Bucket=os.environ["AUDIT_BUCKET"],
                          Key="writes/%s.json" % record["messageId"],
                          Body=json.dumps(message).encode())
        except Exception:  # noqa: BLE001 - reported back to SQS for a retry
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
