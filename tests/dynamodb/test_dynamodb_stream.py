"""The reference stream reader's shard lineage, which DynamoDB Local cannot
exercise (it never splits a shard): recorded DescribeStream pages where the
children are listed before their parent, paged, must still be read parent
first, each child only once its parent is closed and drained."""

import unittest

import dynamodb_stream

ARN = "arn:aws:dynamodb:ddblocal:000000000000:table/directory/stream/2026-11-29T00:00:00.000"


def _record(seq):
    return {"eventID": "e%d" % seq, "eventName": "MODIFY",
            "dynamodb": {"SequenceNumber": "%021d" % seq, "Keys": {}}}


class RecordedStream:
    """A dynamodbstreams client over recorded shards: {shard id: (parent,
    pages of sequence numbers, closed)}. Listed child-first, two shards a
    DescribeStream page; an open shard ends each read with an empty page."""

    def __init__(self, shards):
        self.shards = shards
        self.reads = []

    def describe_stream(self, StreamArn, ExclusiveStartShardId=None):
        assert StreamArn == ARN
        ids = list(self.shards)
        start = ids.index(ExclusiveStartShardId) + 1 if ExclusiveStartShardId else 0
        page = ids[start:start + 2]
        description = {"Shards": [{"ShardId": i, **({"ParentShardId": self.shards[i][0]}
                                                      if self.shards[i][0] else {})}
                                   for i in page]}
        if start + 2 < len(ids):
            description["LastEvaluatedShardId"] = page[-1]
        return {"StreamDescription": description}

    def get_shard_iterator(self, StreamArn, ShardId, ShardIteratorType):
        assert ShardIteratorType == "TRIM_HORIZON"
        return {"ShardIterator": (ShardId, 0)}

    def get_records(self, ShardIterator, Limit):
        shard_id, page = ShardIterator
        _, pages, closed = self.shards[shard_id]
        self.reads.append(shard_id)
        if page < len(pages):
            return {"Records": [_record(s) for s in pages[page]],
                    "NextShardIterator": (shard_id, page + 1)}
        return {"Records": []} if closed else {"Records": [], "NextShardIterator": ShardIterator}


class ShardLineageTest(unittest.TestCase):
    def test_parents_are_drained_before_children_across_describe_pages(self):
        client = RecordedStream({
            "child-b": ("parent", [[7, 8]], False),
            "grandchild": ("child-a", [[9]], False),
            "child-a": ("parent", [[5], [6]], True),
            "parent": (None, [[1, 2], [3, 4]], True),
        })
        reader = dynamodb_stream.StreamReader(client, ARN)
        seqs = [int(r["dynamodb"]["SequenceNumber"]) for r in reader.read()]
        self.assertEqual(seqs[:4], [1, 2, 3, 4])
        self.assertLess(seqs.index(6), seqs.index(9))
        self.assertEqual(sorted(seqs), list(range(1, 10)))
        self.assertEqual(client.reads[0], "parent")
        self.assertEqual(reader.read(), [], "nothing is returned twice")

    def test_child_of_an_open_parent_waits(self):
        client = RecordedStream({
            "child": ("parent", [[3]], False),
            "parent": (None, [[1, 2]], False),
        })
        reader = dynamodb_stream.StreamReader(client, ARN)
        self.assertEqual([int(r["dynamodb"]["SequenceNumber"]) for r in reader.read()], [1, 2])
        self.assertNotIn("child", client.reads)

    def test_child_of_a_trimmed_parent_is_read(self):
        client = RecordedStream({"orphan": ("trimmed-away", [[11]], False)})
        reader = dynamodb_stream.StreamReader(client, ARN)
        self.assertEqual([int(r["dynamodb"]["SequenceNumber"]) for r in reader.read()], [11])


if __name__ == "__main__":
    unittest.main()
