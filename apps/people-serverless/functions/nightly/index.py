"""Every night: counts the people in the table and writes the count to the audit bucket."""
import datetime
import json
import os

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
S3 = boto3.client("s3")


def handler(event, context):
    count = 0
    kwargs = {"Select": "COUNT"}
    while True:
        page = TABLE.scan(**kwargs)
        count += page["Count"]
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    day = datetime.date.today().isoformat()
    S3.put_object(Bucket=os.environ["AUDIT_BUCKET"], Key="nightly/%s.json" % day,
                  Body=json.dumps({"people": count}).encode())
    return {"people": count}
