"""The directory platform's single DynamoDB table, for tests: created with the
keys and stream of shared/reference/data-model.md, written the way the
platform writes it (artist items under ARTIST#<artistId>, studios, anything
else), scanned whole, and its stream re-enabled (a new stream ARN, as after
an operator turned the stream off and on).

Works against any endpoint the boto3 clients point at (DynamoDB Local, or a
fault-injecting proxy in front of it). Thread-safety: as the boto3 clients.
"""

import decimal
import json

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

import dynamodb_stream

NEW_AND_OLD_IMAGES = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def _decimals(value):
    """Plain JSON values with every float as Decimal, as boto3's serializer needs."""
    return json.loads(json.dumps(value), parse_float=decimal.Decimal)


def to_attribute_values(record):
    """A plain JSON object -> a DynamoDB item ({"name": {"S": ...}, ...}).
    Lists stay lists (L); pass a Python set for SS/NS."""
    return {k: _serializer.serialize(v if isinstance(v, (set, frozenset)) else _decimals(v))
            for k, v in record.items()}


def from_attribute_values(item):
    """A DynamoDB item or image -> plain Python values (numbers as Decimal)."""
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


STYLES = ["traditional", "neo_traditional", "japanese", "blackwork", "fineline", "realism",
          "watercolour", "geometric", "dotwork", "lettering"]
CITIES = [("London, UK", 51.5074, -0.1278), ("Manchester, UK", 53.4808, -2.2426),
          ("Bristol, UK", 51.4545, -2.5879), ("Leeds, UK", 53.8008, -1.5491)]


def synthetic_artist(i, rng, **overrides):
    """Artist record number i (plain JSON values, data-model names), drawn
    from `rng` (random.Random), with `overrides` applied last."""
    city, lat, lon = CITIES[i % len(CITIES)]
    artist = {
        "artistId": "artist-%05d" % i,
        "artistName": "Artist %05d %s" % (i, rng.choice(["Ink", "Needle", "Rose"])),
        "latitude": round(lat + rng.uniform(-0.1, 0.1), 6),
        "longitude": round(lon + rng.uniform(-0.1, 0.1), 6),
        "locationDisplay": city,
        "styles": rng.sample(STYLES, rng.randint(1, 3)),
        "rating": round(rng.uniform(1, 5), 1),
        "reviewCount": rng.randint(0, 500),
        "instagramHandle": "artist%05d" % i,
        "studioInfo": {"studioId": "studio-%03d" % (i % 50),
                       "studioName": "Studio %03d" % (i % 50)},
    }
    artist.update(overrides)
    return artist


def artist_key(artist_id, sk="METADATA"):
    return {"PK": {"S": "ARTIST#" + artist_id}, "SK": {"S": sk}}


def studio_key(studio_id):
    return {"PK": {"S": "STUDIO#" + studio_id}, "SK": {"S": "PROFILE"}}


def _wait_active(client, name):
    client.get_waiter("table_exists").wait(
        TableName=name, WaiterConfig={"Delay": 0.05, "MaxAttempts": 200})


def create(client, streams_client, name, global_secondary_indexes=None):
    """Creates the table and waits until it is ACTIVE. The data model defines
    the key schema (PK, SK: strings) and the stream; it names GSI attributes
    but no index layout, so no GSI is created unless given (boto3
    GlobalSecondaryIndexes shape; their key attributes must be strings)."""
    attributes = {"PK", "SK"}
    kwargs = {}
    if global_secondary_indexes:
        kwargs["GlobalSecondaryIndexes"] = global_secondary_indexes
        for index in global_secondary_indexes:
            attributes.update(k["AttributeName"] for k in index["KeySchema"])
    client.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"}
                              for a in sorted(attributes)],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"},
                   {"AttributeName": "SK", "KeyType": "RANGE"}],
        BillingMode="PAY_PER_REQUEST", StreamSpecification=NEW_AND_OLD_IMAGES, **kwargs)
    _wait_active(client, name)
    return DirectoryTable(client, streams_client, name)


class DirectoryTable:
    """One directory table, with writers shaped like the platform's. Every
    writer returns what DynamoDB acknowledged."""

    def __init__(self, client, streams_client, name):
        self.client = client
        self.streams_client = streams_client
        self.name = name

    def describe(self):
        return self.client.describe_table(TableName=self.name)["Table"]

    @property
    def stream_arn(self):
        return self.describe()["LatestStreamArn"]

    def put_item(self, item):
        """PutItem of a raw item (attribute values, keys included)."""
        return self.client.put_item(TableName=self.name, Item=item)

    def put_artist(self, record, sk="METADATA", **extra_attributes):
        """PutItem of an artist record (data-model names, plain JSON values)
        under PK ARTIST#<artistId>; extra_attributes (e.g. gsi1pk=...) are
        added as they are."""
        item = to_attribute_values({**record, **extra_attributes})
        item.update(artist_key(record["artistId"], sk))
        return self.put_item(item)

    def put_studio(self, studio_id, **fields):
        item = to_attribute_values({"studioId": studio_id, **fields})
        item.update(studio_key(studio_id))
        return self.put_item(item)

    def update_artist(self, artist_id, sk="METADATA", remove=(), **fields):
        """UpdateItem: SET each field (plain JSON values), REMOVE each name in
        `remove`. The item must exist (no upsert by accident)."""
        names, values, parts = {}, {}, []
        for i, (field, value) in enumerate(fields.items()):
            names["#s%d" % i] = field
            values[":v%d" % i] = to_attribute_values({"v": value})["v"]
            parts.append("#s%d = :v%d" % (i, i))
        expression = ("SET " + ", ".join(parts)) if parts else ""
        if remove:
            for i, field in enumerate(remove):
                names["#r%d" % i] = field
            expression += " REMOVE " + ", ".join("#r%d" % i for i in range(len(remove)))
        kwargs = {"ExpressionAttributeValues": values} if values else {}
        return self.client.update_item(
            TableName=self.name, Key=artist_key(artist_id, sk),
            UpdateExpression=expression.strip(), ExpressionAttributeNames=names,
            ConditionExpression="attribute_exists(PK)", **kwargs)

    def delete_artist(self, artist_id, sk="METADATA"):
        return self.client.delete_item(TableName=self.name, Key=artist_key(artist_id, sk))

    def delete_item(self, key):
        return self.client.delete_item(TableName=self.name, Key=key)

    def scan_items(self, page_size=None):
        """Every item (attribute values), all pages of a consistent Scan
        (`page_size` items a page, or 1 MB): the truth the index is compared
        with, artist by artist."""
        items, start = [], None
        while True:
            kwargs = {"ExclusiveStartKey": start} if start else {}
            if page_size:
                kwargs["Limit"] = page_size
            page = self.client.scan(TableName=self.name, ConsistentRead=True, **kwargs)
            items += page["Items"]
            start = page.get("LastEvaluatedKey")
            if not start:
                return items

    def artists(self, page_size=None):
        """{artistId: plain record} of every artist item (PK ARTIST#..., any
        SK), keys included."""
        return {item["PK"]["S"][len("ARTIST#"):]: from_attribute_values(item)
                for item in self.scan_items(page_size) if item["PK"]["S"].startswith("ARTIST#")}

    def reenable_stream(self):
        """Turns the stream off and on again: the table gets a new stream (a
        new LatestStreamArn) and the old one stops taking records, which a
        consumer must treat as lost continuity (re-sync). Returns the new ARN."""
        old = self.stream_arn
        self.client.update_table(TableName=self.name, StreamSpecification={"StreamEnabled": False})
        _wait_active(self.client, self.name)
        self.client.update_table(TableName=self.name, StreamSpecification=NEW_AND_OLD_IMAGES)
        _wait_active(self.client, self.name)
        new = self.stream_arn
        if new == old:
            raise AssertionError("table %s kept stream %s after re-enabling it" % (self.name, old))
        return new

    def stream(self, stream_arn=None):
        """A StreamReader over the table's latest stream (or `stream_arn`),
        from TRIM_HORIZON."""
        return dynamodb_stream.StreamReader(self.streams_client, stream_arn or self.stream_arn)
