"""The DynamoDB Local harness against the real emulator: the directory's table
is created with its key schema and a NEW_AND_OLD_IMAGES stream, and artist
puts, updates and deletes, and non-artist items, come out of the stream as
INSERT/MODIFY/REMOVE records with the images and increasing sequence numbers
that the stream consumer of issue 4 relies on; a whole-table scan, a
re-enabled stream (new ARN) and the Lambda event shape."""

import json
import unittest

import directory_table as dt
import dynamodb_local as ddbl
import dynamodb_stream

_DDB = None


def setUpModule():
    global _DDB
    _DDB = ddbl.DynamoDBLocal()
    print("DynamoDB Local answered in %.2f s on %s" % (_DDB.startup_seconds, _DDB.endpoint))


def tearDownModule():
    _DDB.stop()


SARAH = {
    "artistId": "artist-001", "artistName": "Sarah Mitchell", "instagramHandle": "sarahtattoos",
    "locationDisplay": "Shoreditch, London, UK", "latitude": 51.5225, "longitude": -0.0786,
    "styles": ["traditional", "neo_traditional"], "specialties": ["roses", "eagles"],
    "rating": 4.8, "reviewCount": 127, "opted_out": False, "nextGuestSpot": None,
    "studioInfo": {"studioId": "studio-001", "studioName": "Ink & Steel Studio",
                   "postcode": "E1 6SB"},
    "availability": {"bookingOpen": True, "nextAvailable": "2026-12-10"},
}


def _sequence_numbers(records):
    return [int(r["dynamodb"]["SequenceNumber"]) for r in records]


class DirectoryTableTest(unittest.TestCase):
    _tables = 0

    def new_table(self):
        DirectoryTableTest._tables += 1
        return _DDB.create_directory_table("directory-%d" % DirectoryTableTest._tables)

    def test_table_has_the_directory_keys_and_a_new_and_old_images_stream(self):
        table = self.new_table()
        description = table.describe()
        self.assertEqual(description["TableStatus"], "ACTIVE")
        self.assertEqual({(k["AttributeName"], k["KeyType"]) for k in description["KeySchema"]},
                         {("PK", "HASH"), ("SK", "RANGE")})
        self.assertEqual(description["StreamSpecification"],
                         {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
        self.assertIn("table/%s/stream/" % table.name, description["LatestStreamArn"])
        stream = _DDB.streams.describe_stream(StreamArn=table.stream_arn)
        self.assertEqual(stream["StreamDescription"]["StreamStatus"], "ENABLED")
        self.assertEqual(stream["StreamDescription"]["StreamViewType"], "NEW_AND_OLD_IMAGES")
        self.assertEqual(table.stream().read(), [])

    def test_artist_put_update_delete_are_insert_modify_remove_with_images(self):
        table = self.new_table()
        table.put_artist(SARAH, gsi1pk="CITY#london")
        table.update_artist("artist-001", rating=4.9, opted_out=True, remove=["specialties"])
        table.delete_artist("artist-001")
        records = table.stream().read(expected=3)

        self.assertEqual([r["eventName"] for r in records], ["INSERT", "MODIFY", "REMOVE"])
        seqs = _sequence_numbers(records)
        self.assertEqual(seqs, sorted(set(seqs)), "sequence numbers must strictly increase")
        key = dt.artist_key("artist-001")
        for r in records:
            self.assertEqual(r["eventSource"], "aws:dynamodb")
            self.assertEqual(r["dynamodb"]["Keys"], key)
            self.assertEqual(r["dynamodb"]["StreamViewType"], "NEW_AND_OLD_IMAGES")
            self.assertIn("ApproximateCreationDateTime", r["dynamodb"])
        insert, modify, remove = (r["dynamodb"] for r in records)

        put_item = {**dt.to_attribute_values({**SARAH, "gsi1pk": "CITY#london"}), **key}
        self.assertNotIn("OldImage", insert)
        self.assertEqual(insert["NewImage"], put_item)
        # Attribute value types as the item mapping will see them.
        self.assertEqual(insert["NewImage"]["latitude"], {"N": "51.5225"})
        self.assertEqual(insert["NewImage"]["opted_out"], {"BOOL": False})
        self.assertEqual(insert["NewImage"]["nextGuestSpot"], {"NULL": True})
        self.assertEqual(insert["NewImage"]["styles"]["L"][0], {"S": "traditional"})
        self.assertEqual(insert["NewImage"]["studioInfo"]["M"]["postcode"], {"S": "E1 6SB"})

        self.assertEqual(modify["OldImage"], put_item)
        updated = dt.from_attribute_values(modify["NewImage"])
        self.assertEqual(str(updated["rating"]), "4.9")
        self.assertIs(updated["opted_out"], True)
        self.assertNotIn("specialties", updated)
        self.assertEqual(updated["artistName"], "Sarah Mitchell")

        self.assertNotIn("NewImage", remove)
        self.assertEqual(remove["OldImage"], modify["NewImage"])

    def test_non_artist_items_and_string_sets_appear_in_the_stream(self):
        table = self.new_table()
        table.put_studio("studio-001", studioName="Ink & Steel Studio", city="London")
        table.put_item({"PK": {"S": "STYLE#fineline"}, "SK": {"S": "METADATA"},
                        "aliases": {"SS": ["fine line", "fine-line"]}})
        table.put_artist({"artistId": "artist-002", "artistName": "Old Item", "latitude": 53.8,
                          "longitude": -1.55, "styles": {"blackwork", "dotwork"}}, sk="PROFILE")
        records = table.stream().read(expected=3)
        self.assertEqual([r["eventName"] for r in records], ["INSERT"] * 3)
        self.assertEqual([r["dynamodb"]["Keys"] for r in records],
                         [dt.studio_key("studio-001"),
                          {"PK": {"S": "STYLE#fineline"}, "SK": {"S": "METADATA"}},
                          dt.artist_key("artist-002", "PROFILE")])
        self.assertEqual(records[0]["dynamodb"]["NewImage"]["studioName"],
                         {"S": "Ink & Steel Studio"})
        self.assertEqual(sorted(records[1]["dynamodb"]["NewImage"]["aliases"]["SS"]),
                         ["fine line", "fine-line"])
        self.assertEqual(sorted(records[2]["dynamodb"]["NewImage"]["styles"]["SS"]),
                         ["blackwork", "dotwork"])
        seqs = _sequence_numbers(records)
        self.assertEqual(seqs, sorted(set(seqs)))

    def test_reader_returns_each_record_once_and_follows_later_writes(self):
        table = self.new_table()
        reader = table.stream()
        for i in range(5):
            table.put_artist({"artistId": "a%d" % i, "artistName": "A", "latitude": 1.0 + i,
                              "longitude": 2.0})
        first = reader.read(expected=5)
        self.assertEqual(len(first), 5)
        self.assertEqual(reader.read(), [])
        table.update_artist("a3", artistName="B")
        later = reader.read(expected=1)
        self.assertEqual([(r["eventName"], r["dynamodb"]["Keys"]) for r in later],
                         [("MODIFY", dt.artist_key("a3"))])
        self.assertGreater(_sequence_numbers(later)[0], max(_sequence_numbers(first)))
        # A fresh reader starts again at TRIM_HORIZON.
        self.assertEqual(len(table.stream().read(expected=6)), 6)

    def test_artists_scans_every_page_and_skips_other_items(self):
        table = self.new_table()
        for i in range(7):
            table.put_artist({"artistId": "p%d" % i, "artistName": "P%d" % i,
                              "latitude": 50.0 + i, "longitude": 0.5})
        table.put_studio("studio-9", studioName="Not An Artist")
        table.update_artist("p4", artistName="Renamed")
        table.delete_artist("p6")
        self.assertEqual(len(table.scan_items(page_size=2)), 7)
        artists = table.artists(page_size=2)
        self.assertEqual(sorted(artists), ["p%d" % i for i in range(6)])
        self.assertEqual(artists["p4"]["artistName"], "Renamed")
        # DynamoDB normalises numbers: 52.0 is stored, and streamed, as "52".
        self.assertEqual(artists["p2"]["latitude"], 52)
        p2 = [i for i in table.scan_items() if i["PK"] == dt.artist_key("p2")["PK"]]
        self.assertEqual(p2[0]["latitude"], {"N": "52"})

    def test_reenabled_stream_has_a_new_arn_and_takes_the_later_writes(self):
        table = self.new_table()
        old_reader = table.stream()
        table.put_artist({"artistId": "r1", "artistName": "R", "latitude": 1.5, "longitude": 2.5})
        self.assertEqual(len(old_reader.read(expected=1)), 1)
        old_arn = old_reader.stream_arn
        new_arn = table.reenable_stream()
        self.assertNotEqual(new_arn, old_arn)
        table.update_artist("r1", rating=3)
        later = table.stream().read(expected=1)
        self.assertEqual([(r["eventName"], r["dynamodb"]["Keys"]) for r in later],
                         [("MODIFY", dt.artist_key("r1"))])
        self.assertEqual(old_reader.read(), [], "the old stream must not take new writes")

    def test_lambda_event_has_the_event_source_mapping_shape(self):
        table = self.new_table()
        table.put_artist({"artistId": "l1", "artistName": "L", "latitude": 1.0, "longitude": 2.0})
        table.delete_artist("l1")
        records = table.stream().read(expected=2)
        event = json.loads(json.dumps(dynamodb_stream.lambda_event(records, table.stream_arn)))
        self.assertEqual([r["eventName"] for r in event["Records"]], ["INSERT", "REMOVE"])
        for raw, got in zip(records, event["Records"]):
            self.assertEqual(got["eventID"], raw["eventID"])
            self.assertEqual(got["eventSource"], "aws:dynamodb")
            self.assertEqual(got["eventSourceARN"], table.stream_arn)
            self.assertEqual(got["awsRegion"], "us-east-1")
            self.assertEqual(got["dynamodb"]["SequenceNumber"], raw["dynamodb"]["SequenceNumber"])
            self.assertEqual(got["dynamodb"]["Keys"], dt.artist_key("l1"))
            self.assertEqual(got["dynamodb"]["ApproximateCreationDateTime"],
                             int(raw["dynamodb"]["ApproximateCreationDateTime"].timestamp()))
        self.assertEqual(event["Records"][1]["dynamodb"]["OldImage"]["artistName"], {"S": "L"})

    def test_update_of_a_missing_artist_is_refused(self):
        table = self.new_table()
        with self.assertRaises(table.client.exceptions.ConditionalCheckFailedException):
            table.update_artist("nobody", rating=1)
        self.assertEqual(table.stream().read(), [])


if __name__ == "__main__":
    unittest.main()
