// Consumer of an installed libinkdex: opens (creates) an index in argv[1],
// applies one batch (a parsed JSON record and an Artist built in code) and
// one bulk load, searches, and prints what it found for the test to check.
#include <cstdlib>
#include <iostream>
#include <string>

#include "inkdex/bulk_loader.h"
#include "inkdex/index.h"
#include "inkdex/query.h"
#include "inkdex/record.h"

namespace {

int Fail(const std::string& what, const absl::Status& status) {
  std::cerr << "consumer: " << what << ": " << status << "\n";
  return EXIT_FAILURE;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: app INDEX_DIR\n";
    return EXIT_FAILURE;
  }
  auto index = inkdex::Index::Open(argv[1]);
  if (!index.ok()) return Fail("open", index.status());

  auto parsed = inkdex::ParseArtistRecord(
      R"({"artistId":"consumer-1","artistName":"Amy Rhodes","latitude":53.7997,)"
      R"("longitude":-1.5492,"styles":["Fine Line"],"rating":4.9,"reviewCount":20})",
      (*index)->taxonomy());
  if (!parsed.ok()) return Fail("parse", parsed.status());
  parsed->artist.set_version(1);

  inkdex::Artist built;  // through the installed generated protobuf header
  built.set_id("consumer-2");
  built.set_name("Ben Stone");
  built.mutable_location()->set_latitude(53.8100);
  built.mutable_location()->set_longitude(-1.5600);
  built.add_styles("blackwork");
  built.set_is_active(true);
  built.set_version(1);

  inkdex::WriteBatch batch;
  batch.Upsert(parsed->artist);
  batch.Upsert(built);
  auto results = (*index)->Apply(batch);
  if (!results.ok()) return Fail("apply", results.status());
  for (const inkdex::ChangeResult& r : *results) {
    if (r.outcome != inkdex::ChangeResult::Outcome::kApplied) {
      return Fail("apply", absl::InternalError("change not applied: " + r.reason));
    }
  }

  // A bulk load (inkdex/bulk_loader.h): applied sorted by location.
  inkdex::BulkLoader loader(**index, {.batch_size = 2});
  for (int i = 3; i <= 4; ++i) {
    inkdex::Artist a = built;
    a.set_id("consumer-" + std::to_string(i));
    a.mutable_location()->set_latitude(53.80 + i * 0.001);
    loader.Add(a, i);
  }
  int loaded = 0;
  absl::Status flushed = loader.Flush([&](uint64_t, const inkdex::ChangeResult& r) {
    loaded += r.outcome == inkdex::ChangeResult::Outcome::kApplied;
    return absl::OkStatus();
  });
  if (!flushed.ok()) return Fail("bulk load", flushed);
  if (loaded != 2) return Fail("bulk load", absl::InternalError("not every artist applied"));

  inkdex::SearchRequest request;
  request.point = inkdex::GeoPoint{53.7997, -1.5492};
  request.radius_km = 5;
  request.styles = {"fineline"};
  auto response = (*index)->Search(request);
  if (!response.ok()) return Fail("search", response.status());
  std::cout << "total=" << response->total;
  for (const inkdex::SearchHit& hit : response->hits) std::cout << " hit=" << hit.id;
  request.styles.clear();
  auto everyone = (*index)->Search(request);
  if (!everyone.ok()) return Fail("search", everyone.status());
  std::cout << " all=" << everyone->total << "\n";
  return EXIT_SUCCESS;
}
