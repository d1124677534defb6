"""POST /{person}/{firstname}: queues the write for the worker and answers 202."""
import json
import os

import boto3

SQS = boto3.client("sqs")


def handler(event, context):
    params = event.get("pathParameters") or {}
    body = json.loads(event.get("body") or "{}")
    message = {"person": params.get("person", ""), "firstname": params.get("firstname", ""),
               "attributes": body}
    SQS.send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody=json.dumps(message))
    return {"statusCode": 202, "body": json.dumps({"queued": True})}
