"""Reading a DynamoDB stream in tests, the way a correct consumer must: every
shard from TRIM_HORIZON, a parent shard drained before its children, nothing
returned twice; and the same records in the shape a Lambda event source
mapping delivers them (for the ApplyStreamRecords RPC of issue 4).

The reference the C++ stream reader is checked against, not a copy of it:
keep it simple. Thread-safety: one StreamReader per thread.
"""

import time


class StreamReader:
    """Reads every record of one stream, shard by shard from TRIM_HORIZON,
    remembering where it stopped: each read() returns only records not
    returned before. A shard is read only once its parent (when the stream
    still lists it) is closed and drained, so per-key order holds across
    shard splits."""

    def __init__(self, streams_client, stream_arn):
        self.client = streams_client
        self.stream_arn = stream_arn
        self._iterators = {}  # shard id -> next iterator; None: closed and drained

    def shards(self):
        """DescribeStream, every page."""
        shards, start = [], None
        while True:
            kwargs = {"ExclusiveStartShardId": start} if start else {}
            description = self.client.describe_stream(StreamArn=self.stream_arn,
                                                      **kwargs)["StreamDescription"]
            shards += description["Shards"]
            start = description.get("LastEvaluatedShardId")
            if not start:
                return shards

    def _drained(self, shard_id):
        return shard_id in self._iterators and self._iterators[shard_id] is None

    def _read_shard(self, shard_id):
        if shard_id not in self._iterators:
            self._iterators[shard_id] = self.client.get_shard_iterator(
                StreamArn=self.stream_arn, ShardId=shard_id,
                ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        records = []
        while self._iterators[shard_id]:
            page = self.client.get_records(ShardIterator=self._iterators[shard_id], Limit=1000)
            # No NextShardIterator: the shard is closed and this was its end.
            self._iterators[shard_id] = page.get("NextShardIterator")
            records += page["Records"]
            if not page["Records"]:
                break
        return records

    def _poll_once(self):
        shards = self.shards()
        listed = {s["ShardId"] for s in shards}
        pending = [s for s in shards if not self._drained(s["ShardId"])]
        records = []
        progress = True
        while pending and progress:
            progress = False
            for shard in list(pending):
                parent = shard.get("ParentShardId")
                if parent in listed and not self._drained(parent):
                    continue
                records += self._read_shard(shard["ShardId"])
                pending.remove(shard)
                progress = True
        return records

    def read(self, expected=None, timeout=10.0):
        """The records not read before. With `expected`, polls until at least
        that many have arrived and fails after `timeout` seconds saying how
        many did."""
        records = self._poll_once()
        deadline = time.monotonic() + timeout
        while expected is not None and len(records) < expected:
            if time.monotonic() > deadline:
                raise AssertionError("stream %s: %d of %d expected records after %.1f s: %s"
                                     % (self.stream_arn, len(records), expected, timeout,
                                        [r["eventName"] for r in records]))
            time.sleep(0.05)
            records += self._poll_once()
        return records


def lambda_event(records, stream_arn, region="us-east-1"):
    """Stream records (as GetRecords returned them through boto3) -> the event
    a Lambda gets from a DynamoDB event source mapping: {"Records": [...]},
    each with eventSourceARN and awsRegion, and ApproximateCreationDateTime
    in epoch seconds (boto3 parses it into a datetime)."""
    out = []
    for record in records:
        dynamodb = dict(record["dynamodb"])
        created = dynamodb.get("ApproximateCreationDateTime")
        if created is not None and hasattr(created, "timestamp"):
            dynamodb["ApproximateCreationDateTime"] = int(created.timestamp())
        out.append({"eventID": record["eventID"], "eventName": record["eventName"],
                    "eventVersion": record.get("eventVersion", "1.1"),
                    "eventSource": "aws:dynamodb", "awsRegion": region,
                    "dynamodb": dynamodb, "eventSourceARN": stream_arn})
    return {"Records": out}
