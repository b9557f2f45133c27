"""Hand-written artist records for the CLI end-to-end tests.

Places and numbers are chosen so the expected answers are easy to check by
hand: distances from central Leeds (53.7997, -1.5492) are 0, ~1.24, ~1.35 and
~13.8 km; ratings and rates are all different so every sort has one answer.
"""

import json

LEEDS = (53.7997, -1.5492)
TOKYO = (35.6762, 139.6503)
BERLIN_BBOX = "52.45,13.25,52.58,13.55"


def _artist(artist_id, name, lat, lon, styles, **extra):
    record = {
        "artistId": artist_id,
        "artistName": name,
        "latitude": lat,
        "longitude": lon,
        "styles": styles,
    }
    record.update(extra)
    return record


def _studio(studio_id, name):
    return {"studioId": studio_id, "studioName": name}


def _pricing(rate):
    return {"hourlyRate": rate, "minimumCharge": 50, "currency": "GBP"}


HANDWRITTEN = [
    _artist("hw-leeds-fine-1", "Amy Rhodes", 53.7997, -1.5492, ["fineline"],
            locationDisplay="City Centre, Leeds, UK", locationCity="Leeds", locationCountry="GB",
            rating=4.9, reviewCount=200, studioInfo=_studio("hw-studio-leeds-1", "Needle and Thread"),
            pricing=_pricing(100), availability={"bookingOpen": True}, experience={"yearsActive": 8},
            biography="Delicate fine line florals and script."),
    _artist("hw-leeds-fine-2", "Beth Carter", 53.8100, -1.5600, ["fine-line", "blackwork"],
            locationDisplay="Headingley, Leeds, UK", locationCity="Leeds", locationCountry="GB",
            rating=4.2, reviewCount=30, studioInfo=_studio("hw-studio-leeds-1", "Needle and Thread"),
            pricing=_pricing(80), availability={"bookingOpen": False}, experience={"yearsActive": 3}),
    _artist("hw-leeds-trad-3", "Carl Dawson", 53.7900, -1.5400, ["traditional"],
            locationDisplay="Holbeck, Leeds, UK", locationCity="Leeds", locationCountry="GB",
            rating=4.5, reviewCount=50, studioInfo=_studio("hw-studio-leeds-2", "Old Anchor Tattoo"),
            pricing=_pricing(120), availability={"bookingOpen": True}, experience={"yearsActive": 12}),
    _artist("hw-bradford-fine-4", "Dana Ellis", 53.7960, -1.7594, ["fineline"],
            locationDisplay="Bradford, UK", locationCity="Bradford", locationCountry="GB",
            rating=3.9, reviewCount=10, studioInfo=_studio("hw-studio-bradford", "Bradford Ink"),
            pricing=_pricing(60), availability={"bookingOpen": False}, experience={"yearsActive": 5}),
    # Works in Manchester; a guest spot in Leeds from 2026-06-01 to 2026-06-07.
    _artist("hw-manchester-guest-5", "Erin Foster", 53.4808, -2.2426, ["fineline"],
            locationDisplay="Northern Quarter, Manchester, UK", locationCity="Manchester",
            locationCountry="GB", rating=4.0, reviewCount=12,
            guestSpots=[{"latitude": 53.7990, "longitude": -1.5480,
                         "locationDisplay": "Leeds, UK", "from": "2026-06-01", "to": "2026-06-07"}]),
    _artist("hw-leeds-optedout-6", "Fay Gibbs", 53.8000, -1.5500, ["fineline"],
            locationCity="Leeds", locationCountry="GB", opted_out=True),
    _artist("hw-leeds-inactive-7", "Gus Hale", 53.8001, -1.5499, ["fineline"],
            locationCity="Leeds", locationCountry="GB", isActive=False),
    _artist("hw-tokyo-jp-8", "Kenji Sato", 35.6762, 139.6503, ["japanese"],
            locationDisplay="Shibuya, Tokyo, Japan", locationCity="Tokyo", locationCountry="JP",
            specialties=["dragons", "koi"], rating=4.8, reviewCount=90,
            biography="Irezumi dragon sleeves and back pieces."),
    _artist("hw-tokyo-jp-9", "Hana Mori", 35.6895, 139.6917, ["irezumi", "blackwork"],
            locationDisplay="Shinjuku, Tokyo, Japan", locationCity="Tokyo", locationCountry="JP",
            specialties=["koi", "peonies"], rating=4.6, reviewCount=40,
            biography="Koi and peony work."),
    _artist("hw-tokyo-trad-10", "Ren Ito", 35.6700, 139.6500, ["traditional"],
            locationDisplay="Tokyo, Japan", locationCity="Tokyo", locationCountry="JP",
            rating=4.1, reviewCount=20, biography="Bold dragon flash."),
    _artist("hw-berlin-11", "Jonas Weber", 52.5200, 13.4050, ["blackwork"],
            locationDisplay="Mitte, Berlin, Germany", locationCity="Berlin", locationCountry="DE",
            rating=4.7, reviewCount=70),
    _artist("hw-berlin-12", "Lena Braun", 52.5000, 13.3000, ["geometric"],
            locationDisplay="Charlottenburg, Berlin, Germany", locationCity="Berlin",
            locationCountry="DE", rating=4.0, reviewCount=15),
    _artist("hw-berlin-13", "Max Klein", 52.6000, 13.4000, ["blackwork"],
            locationDisplay="Pankow, Berlin, Germany", locationCity="Berlin", locationCountry="DE",
            rating=4.9, reviewCount=300),
]

IDS = [a["artistId"] for a in HANDWRITTEN]
# Searchable ones: not opted out, active.
SEARCHABLE_IDS = [i for i in IDS if i not in ("hw-leeds-optedout-6", "hw-leeds-inactive-7")]


def to_dynamodb_value(value):
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, (int, float)):
        return {"N": repr(value)}
    if isinstance(value, str):
        return {"S": value}
    if value is None:
        return {"NULL": True}
    if isinstance(value, list):
        return {"L": [to_dynamodb_value(v) for v in value]}
    if isinstance(value, dict):
        return {"M": {k: to_dynamodb_value(v) for k, v in value.items()}}
    raise TypeError(type(value))


def to_dynamodb_line(record):
    """One line as DynamoDB's S3 export writes it, with the table's keys."""
    item = {"PK": {"S": "ARTIST#" + record["artistId"]}, "SK": {"S": "METADATA"}}
    item.update({k: to_dynamodb_value(v) for k, v in record.items()})
    return json.dumps({"Item": item})


def jsonl(records):
    return "".join(json.dumps(r) + "\n" for r in records)
