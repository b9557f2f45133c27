// The ArtistSearch handlers through a real in-process gRPC server.
#include "server/artist_search_service.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "api/convert.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service_server/rpc_test_util.h"

namespace inkdex::server {
namespace {

using ::inkdex::server::testing::Authorize;
using ::inkdex::server::testing::kLeedsLat;
using ::inkdex::server::testing::kLeedsLon;
using ::inkdex::server::testing::kReadToken;
using ::inkdex::server::testing::kWriteToken;
using ::inkdex::server::testing::LeedsArtist;
using ::inkdex::server::testing::TestServer;
using ::inkdex::server::testing::TestServerOptions;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> Ids(const v1::SearchResponse& response) {
  std::vector<std::string> ids;
  for (const v1::SearchHit& hit : response.hits()) ids.push_back(hit.id());
  return ids;
}

v1::SearchRequest NearLeeds(double radius_km) {
  v1::SearchRequest request;
  request.mutable_point()->set_lat(kLeedsLat);
  request.mutable_point()->set_lon(kLeedsLon);
  request.set_radius_km(radius_km);
  return request;
}

// Expects `status` to be `code` with a message containing `text`.
void ExpectStatus(const grpc::Status& status, grpc::StatusCode code, const std::string& text) {
  EXPECT_EQ(status.error_code(), code) << status.error_message();
  EXPECT_THAT(status.error_message(), HasSubstr(text));
}

class ArtistSearchServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Artist far = LeedsArtist("far", "Far Away", {"japanese"});
    far.mutable_location()->set_latitude(kLeedsLat + 1.0);
    Artist hidden = LeedsArtist("hidden", "Hidden Person", {"fineline"});
    hidden.set_opted_out(true);
    server_.Seed({LeedsArtist("a1", "Alice Ink", {"fineline", "blackwork"}),
                  LeedsArtist("a2", "Arthur Lines", {"fineline"}), far, hidden});
  }

  grpc::Status Search(const v1::SearchRequest& request, v1::SearchResponse* response) {
    grpc::ClientContext context;
    return server_.search().Search(&context, request, response);
  }
  grpc::Status Get(const std::string& id, Artist* artist) {
    grpc::ClientContext context;
    v1::GetArtistRequest request;
    request.set_id(id);
    return server_.search().GetArtist(&context, request, artist);
  }
  grpc::Status BatchGet(const std::vector<std::string>& ids, bool allow_missing,
                        v1::BatchGetArtistsResponse* response) {
    grpc::ClientContext context;
    v1::BatchGetArtistsRequest request;
    for (const std::string& id : ids) request.add_ids(id);
    request.set_allow_missing(allow_missing);
    return server_.search().BatchGetArtists(&context, request, response);
  }
  grpc::Status Suggest(const v1::SuggestRequest& request, v1::SuggestResponse* response) {
    grpc::ClientContext context;
    return server_.search().Suggest(&context, request, response);
  }
  grpc::Status Upsert(const std::vector<Artist>& artists, const std::string& token,
                      v1::WriteArtistsResponse* response) {
    grpc::ClientContext context;
    if (!token.empty()) Authorize(&context, token);
    v1::UpsertArtistsRequest request;
    for (const Artist& a : artists) *request.add_artists() = a;
    return server_.search().UpsertArtists(&context, request, response);
  }
  grpc::Status Delete(const std::vector<std::pair<std::string, uint64_t>>& deletions,
                      const std::string& token, v1::WriteArtistsResponse* response) {
    grpc::ClientContext context;
    if (!token.empty()) Authorize(&context, token);
    v1::DeleteArtistsRequest request;
    for (const auto& [id, version] : deletions) {
      v1::ArtistDeletion* d = request.add_deletions();
      d->set_id(id);
      d->set_version(version);
    }
    return server_.search().DeleteArtists(&context, request, response);
  }

  TestServer server_;
};

// Search.

TEST_F(ArtistSearchServiceTest, SearchReturnsTheLibrarysResults) {
  v1::SearchRequest request = NearLeeds(10);
  request.add_styles("fine line");
  request.set_sort(v1::SORT_ORDER_DISTANCE);
  v1::SearchResponse response;
  ASSERT_TRUE(Search(request, &response).ok());
  EXPECT_EQ(response.total(), 2);
  EXPECT_THAT(Ids(response), ElementsAre("a1", "a2"));  // same distance: by id
  EXPECT_TRUE(response.hits(0).has_distance_km());
  EXPECT_EQ(response.commit_seq(), server_.holder().Current()->Stats().commit_seq);

  auto library = server_.holder().Current()->Search(*api::FromProto(request));
  ASSERT_TRUE(library.ok()) << library.status();
  EXPECT_EQ(response.total(), library->total);
  EXPECT_EQ(response.facets().styles_size(), static_cast<int>(library->facets.styles.size()));
  EXPECT_THAT(server_.LogText(), HasSubstr("\"total\":2"));
}

TEST_F(ArtistSearchServiceTest, SearchBadInputNamesTheField) {
  v1::SearchResponse response;
  ExpectStatus(Search(NearLeeds(-3), &response), grpc::StatusCode::INVALID_ARGUMENT, "radius_km");

  v1::SearchRequest unknown_style = NearLeeds(5);
  unknown_style.add_styles("no-such-style");
  ExpectStatus(Search(unknown_style, &response), grpc::StatusCode::INVALID_ARGUMENT, "styles");

  v1::SearchRequest big_limit = NearLeeds(5);
  big_limit.set_limit(1000);
  ExpectStatus(Search(big_limit, &response), grpc::StatusCode::INVALID_ARGUMENT, "limit");

  v1::SearchRequest bad_sort = NearLeeds(5);
  bad_sort.set_sort(static_cast<v1::SortOrder>(42));
  ExpectStatus(Search(bad_sort, &response), grpc::StatusCode::INVALID_ARGUMENT, "sort");

  v1::SearchRequest bad_token = NearLeeds(5);
  bad_token.set_page_token("not a page token");
  ExpectStatus(Search(bad_token, &response), grpc::StatusCode::INVALID_ARGUMENT, "page_token");
}

// GetArtist and BatchGetArtists.

TEST_F(ArtistSearchServiceTest, GetArtistReturnsTheRecord) {
  Artist artist;
  ASSERT_TRUE(Get("a1", &artist).ok());
  EXPECT_EQ(artist.name(), "Alice Ink");
  EXPECT_EQ(artist.version(), 1u);
  EXPECT_THAT(artist.styles(), ElementsAre("fineline", "blackwork"));  // as given
}

TEST_F(ArtistSearchServiceTest, GetArtistNotFoundForMissingAndOptedOut) {
  Artist artist;
  ExpectStatus(Get("nobody", &artist), grpc::StatusCode::NOT_FOUND, "nobody");
  ExpectStatus(Get("hidden", &artist), grpc::StatusCode::NOT_FOUND, "hidden");
}

TEST_F(ArtistSearchServiceTest, GetArtistBadId) {
  Artist artist;
  ExpectStatus(Get("", &artist), grpc::StatusCode::INVALID_ARGUMENT, "id: required");
  ExpectStatus(Get(std::string(257, 'x'), &artist), grpc::StatusCode::INVALID_ARGUMENT,
               "id: must be at most 256 bytes");
}

TEST_F(ArtistSearchServiceTest, BatchGetArtistsInRequestOrder) {
  v1::BatchGetArtistsResponse response;
  ASSERT_TRUE(BatchGet({"a2", "far", "a1"}, false, &response).ok());
  ASSERT_EQ(response.artists_size(), 3);
  EXPECT_EQ(response.artists(0).id(), "a2");
  EXPECT_EQ(response.artists(1).id(), "far");
  EXPECT_EQ(response.artists(2).id(), "a1");
  EXPECT_EQ(response.missing_ids_size(), 0);
}

TEST_F(ArtistSearchServiceTest, BatchGetArtistsMissing) {
  v1::BatchGetArtistsResponse response;
  ExpectStatus(BatchGet({"a1", "ghost", "hidden"}, false, &response), grpc::StatusCode::NOT_FOUND,
               "2 artist(s) not found: ghost, hidden");

  v1::BatchGetArtistsResponse allowed;
  ASSERT_TRUE(BatchGet({"a1", "ghost", "hidden"}, true, &allowed).ok());
  ASSERT_EQ(allowed.artists_size(), 1);
  EXPECT_EQ(allowed.artists(0).id(), "a1");
  EXPECT_THAT(allowed.missing_ids(), ElementsAre("ghost", "hidden"));
}

TEST_F(ArtistSearchServiceTest, BatchGetArtistsBadIds) {
  v1::BatchGetArtistsResponse response;
  ExpectStatus(BatchGet({}, false, &response), grpc::StatusCode::INVALID_ARGUMENT,
               "ids: must hold 1..100 ids, got 0");
  ExpectStatus(BatchGet(std::vector<std::string>(101, "a1"), false, &response),
               grpc::StatusCode::INVALID_ARGUMENT, "ids: must hold 1..100 ids, got 101");
  ExpectStatus(BatchGet({"a1", ""}, false, &response), grpc::StatusCode::INVALID_ARGUMENT,
               "ids[1]: required");
  ExpectStatus(BatchGet({std::string(300, 'y')}, false, &response),
               grpc::StatusCode::INVALID_ARGUMENT, "ids[0]: must be at most 256 bytes");
}

// Suggest and ListStyles.

TEST_F(ArtistSearchServiceTest, SuggestCompletesNames) {
  v1::SuggestRequest request;
  request.set_prefix("Ali");
  v1::SuggestResponse response;
  ASSERT_TRUE(Suggest(request, &response).ok());
  bool found = false;
  for (const v1::Suggestion& s : response.suggestions()) {
    found |= s.kind() == v1::Suggestion::KIND_ARTIST && s.text() == "Alice Ink";
  }
  EXPECT_TRUE(found) << response.DebugString();
}

TEST_F(ArtistSearchServiceTest, SuggestBadInputNamesTheField) {
  v1::SuggestResponse response;
  v1::SuggestRequest empty;
  ExpectStatus(Suggest(empty, &response), grpc::StatusCode::INVALID_ARGUMENT, "prefix");
  v1::SuggestRequest big_limit;
  big_limit.set_prefix("Al");
  big_limit.set_limit(500);
  ExpectStatus(Suggest(big_limit, &response), grpc::StatusCode::INVALID_ARGUMENT, "limit");
  v1::SuggestRequest bad_near;
  bad_near.set_prefix("Al");
  bad_near.mutable_near()->set_lat(123);
  ExpectStatus(Suggest(bad_near, &response), grpc::StatusCode::INVALID_ARGUMENT, "lat");
}

TEST_F(ArtistSearchServiceTest, ListStylesCountsSearchableArtists) {
  grpc::ClientContext context;
  v1::ListStylesResponse response;
  ASSERT_TRUE(server_.search().ListStyles(&context, v1::ListStylesRequest(), &response).ok());
  const auto& taxonomy = server_.holder().Current()->taxonomy();
  ASSERT_EQ(response.styles_size(), static_cast<int>(taxonomy.size()));
  std::map<std::string, int64_t> counts;
  for (const v1::Style& style : response.styles()) counts[style.id()] = style.artist_count();
  EXPECT_EQ(counts["fineline"], 2);  // the opted-out artist is not counted
  EXPECT_EQ(counts["japanese"], 1);
  EXPECT_EQ(counts["blackwork"], 1);
  EXPECT_EQ(response.commit_seq(), server_.holder().Current()->Stats().commit_seq);
}

TEST_F(ArtistSearchServiceTest, GetStatsDescribesIndexAndServer) {
  grpc::ClientContext context;
  v1::GetStatsResponse response;
  ASSERT_TRUE(server_.search().GetStats(&context, v1::GetStatsRequest(), &response).ok());
  EXPECT_EQ(response.documents(), 4u);
  EXPECT_EQ(response.searchable(), 3u);
  EXPECT_GT(response.commit_seq(), 0u);
  EXPECT_EQ(response.index_directory(), server_.holder().directory());
  EXPECT_FALSE(response.version().empty());
  // Compiler, build type and git commit (proto/inkdex/v1/artist_search.proto).
  EXPECT_THAT(response.build(), ::testing::MatchesRegex(".+ .+, commit ([0-9a-f]{4,}|unknown)"));
  EXPECT_EQ(response.index_generation(), 1u);
  EXPECT_GT(response.started_unix_micros(), 0);
  EXPECT_LE(response.started_unix_micros(), absl::ToUnixMicros(absl::Now()));
}

// Writes.

TEST_F(ArtistSearchServiceTest, UpsertIsSearchableWhenAcknowledged) {
  Artist bob = LeedsArtist("b1", "Bob Needle", {"neotraditional", "made-up style"});
  v1::WriteArtistsResponse response;
  ASSERT_TRUE(Upsert({bob}, kWriteToken, &response).ok());
  ASSERT_EQ(response.results_size(), 1);
  EXPECT_EQ(response.results(0).id(), "b1");
  EXPECT_EQ(response.results(0).outcome(), v1::WriteResult::OUTCOME_APPLIED);
  EXPECT_THAT(response.results(0).reason(), HasSubstr("made-up style"));
  EXPECT_GT(response.commit_seq(), 0u);

  v1::SearchRequest request = NearLeeds(10);
  request.set_text("Bob");
  v1::SearchResponse found;
  ASSERT_TRUE(Search(request, &found).ok());
  EXPECT_THAT(Ids(found), ElementsAre("b1"));
  EXPECT_GE(found.commit_seq(), response.commit_seq());
  EXPECT_THAT(server_.LogText(), HasSubstr("\"applied\":1"));
}

TEST_F(ArtistSearchServiceTest, UpsertReportsEachItem) {
  Artist newer = LeedsArtist("a1", "Alice Renamed", {"fineline"}, 2);
  Artist stale = LeedsArtist("a2", "Arthur Old", {"fineline"}, 1);
  Artist bad = LeedsArtist("bad", "Bad Place", {"fineline"});
  bad.mutable_location()->set_latitude(123);
  Artist no_version = LeedsArtist("nov", "No Version", {"fineline"}, 0);
  v1::WriteArtistsResponse response;
  ASSERT_TRUE(Upsert({newer, stale, bad, no_version}, kWriteToken, &response).ok());
  ASSERT_EQ(response.results_size(), 4);
  EXPECT_EQ(response.results(0).outcome(), v1::WriteResult::OUTCOME_APPLIED);
  EXPECT_EQ(response.results(1).outcome(), v1::WriteResult::OUTCOME_STALE);
  EXPECT_EQ(response.results(2).outcome(), v1::WriteResult::OUTCOME_REJECTED);
  EXPECT_THAT(response.results(2).reason(), HasSubstr("artists[2]."));
  EXPECT_THAT(response.results(2).reason(), HasSubstr("latitude"));
  EXPECT_EQ(response.results(3).outcome(), v1::WriteResult::OUTCOME_REJECTED);
  EXPECT_THAT(response.results(3).reason(), HasSubstr("artists[3].version"));
  Artist stored;
  ASSERT_TRUE(Get("a1", &stored).ok());
  EXPECT_EQ(stored.name(), "Alice Renamed");
}

TEST_F(ArtistSearchServiceTest, UpsertBadRequestNamesTheField) {
  v1::WriteArtistsResponse response;
  ExpectStatus(Upsert({}, kWriteToken, &response), grpc::StatusCode::INVALID_ARGUMENT,
               "artists: must hold 1..1000");
  std::vector<Artist> too_many(1001, LeedsArtist("x", "X", {"fineline"}));
  ExpectStatus(Upsert(too_many, kWriteToken, &response), grpc::StatusCode::INVALID_ARGUMENT,
               "artists: must hold 1..1000");
}

TEST_F(ArtistSearchServiceTest, DeleteAppliesAndReportsStale) {
  v1::WriteArtistsResponse response;
  ASSERT_TRUE(Delete({{"a1", 5}, {"a2", 1}, {"", 3}}, kWriteToken, &response).ok());
  ASSERT_EQ(response.results_size(), 3);
  EXPECT_EQ(response.results(0).outcome(), v1::WriteResult::OUTCOME_APPLIED);
  EXPECT_EQ(response.results(1).outcome(), v1::WriteResult::OUTCOME_STALE);
  EXPECT_EQ(response.results(2).outcome(), v1::WriteResult::OUTCOME_REJECTED);
  EXPECT_THAT(response.results(2).reason(), HasSubstr("deletions[2].id"));
  Artist artist;
  EXPECT_EQ(Get("a1", &artist).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(Get("a2", &artist).ok());

  ExpectStatus(Delete({}, kWriteToken, &response), grpc::StatusCode::INVALID_ARGUMENT,
               "deletions: must hold 1..1000");
}

TEST_F(ArtistSearchServiceTest, WritesNeedTheWriteToken) {
  Artist bob = LeedsArtist("b1", "Bob", {"fineline"});
  v1::WriteArtistsResponse response;
  ExpectStatus(Upsert({bob}, "", &response), grpc::StatusCode::UNAUTHENTICATED, "");
  ExpectStatus(Upsert({bob}, "wrong-token", &response), grpc::StatusCode::PERMISSION_DENIED, "");
  ExpectStatus(Delete({{"a1", 9}}, "", &response), grpc::StatusCode::UNAUTHENTICATED, "");
  ExpectStatus(Delete({{"a1", 9}}, "wrong-token", &response), grpc::StatusCode::PERMISSION_DENIED,
               "");
  Artist artist;
  EXPECT_EQ(Get("b1", &artist).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(Get("a1", &artist).ok());
  EXPECT_THAT(server_.LogText(), ::testing::Not(HasSubstr("wrong-token")));
}

TEST(ArtistSearchServiceWorkersTest, ReadThreadsSizeThePoolThatRunsSearches) {
  TestServerOptions options;
  options.read_threads = 3;
  TestServer three(options);
  EXPECT_EQ(three.search_service().read_threads(), 3);
  TestServer per_core;  // 0: one per core
  EXPECT_EQ(per_core.search_service().read_threads(),
            static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  // The pool serves: a search through the three-thread server answers.
  grpc::ClientContext context;
  v1::SearchRequest request;
  v1::SearchResponse response;
  EXPECT_TRUE(three.search().Search(&context, request, &response).ok());
}

TEST(ArtistSearchServiceAuthTest, WritesRefusedWithoutAConfiguredToken) {
  TestServerOptions options;
  options.write_token = "";
  TestServer server(options);
  grpc::ClientContext context;
  Authorize(&context, "anything");
  v1::UpsertArtistsRequest request;
  *request.add_artists() = LeedsArtist("b1", "Bob", {"fineline"});
  v1::WriteArtistsResponse response;
  ExpectStatus(server.search().UpsertArtists(&context, request, &response),
               grpc::StatusCode::FAILED_PRECONDITION, "write-token");
}

TEST(ArtistSearchServiceAuthTest, ReadsNeedAReadOrWriteTokenWhenOneIsSet) {
  TestServerOptions options;
  options.read_token = kReadToken;
  TestServer server(options);
  auto stats = [&](const std::string& token) {
    grpc::ClientContext context;
    if (!token.empty()) Authorize(&context, token);
    v1::GetStatsResponse response;
    return server.search().GetStats(&context, v1::GetStatsRequest(), &response);
  };
  EXPECT_EQ(stats("").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(stats("wrong").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(stats(kReadToken).ok());
  EXPECT_TRUE(stats(kWriteToken).ok());

  // The read token does not allow writes.
  grpc::ClientContext context;
  Authorize(&context, kReadToken);
  v1::DeleteArtistsRequest request;
  request.add_deletions()->set_id("a1");
  request.mutable_deletions(0)->set_version(3);
  v1::WriteArtistsResponse response;
  EXPECT_EQ(server.search().DeleteArtists(&context, request, &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

// Deadlines and load (with the test-only search delay).

// A server whose artists come from a DynamoDB table (--stream-table, or
// --bootstrap-table in forwarder mode) takes them from that table only: a
// direct write would make the index differ from it.
class FollowingServerTest : public ::testing::TestWithParam<const char*> {
 protected:
  static constexpr char kTable[] = "directory";

  static TestServerOptions Following() {
    TestServerOptions options;
    options.source_table = {kTable, GetParam()};
    return options;
  }

  // A Lambda-shaped INSERT of an artist item of the default mapping.
  static std::string InsertRecord(const std::string& id, int seq, const std::string& arn) {
    return absl::StrCat(R"({"eventID":"e)", seq, R"(","eventName":"INSERT","eventSourceARN":")",
                        arn, R"(","dynamodb":{"SequenceNumber":")", 100 + seq,
                        R"(","Keys":{"PK":{"S":"ARTIST#)", id,
                        R"("},"SK":{"S":"METADATA"}},"NewImage":{"PK":{"S":"ARTIST#)", id,
                        R"("},"SK":{"S":"METADATA"},"artistId":{"S":")", id,
                        R"("},"artistName":{"S":"Lambda Artist"},"latitude":{"N":"53.8"},)",
                        R"("longitude":{"N":"-1.55"},"styles":{"L":[{"S":"fineline"}]}}}})");
  }

  grpc::Status Apply(const std::vector<std::string>& records, const std::string& request_arn,
                     v1::ApplyStreamRecordsResponse* response) {
    grpc::ClientContext context;
    Authorize(&context, kWriteToken);
    v1::ApplyStreamRecordsRequest request;
    for (const std::string& r : records) request.add_records_json(r);
    request.set_event_source_arn(request_arn);
    return server_.ingest().ApplyStreamRecords(&context, request, response);
  }

  bool Has(const std::string& id) {
    grpc::ClientContext context;
    v1::GetArtistRequest request;
    request.set_id(id);
    Artist artist;
    return server_.search().GetArtist(&context, request, &artist).ok();
  }

  const std::string own_arn_ =
      absl::StrCat("arn:aws:dynamodb:us-east-1:000000000000:table/", kTable, "/stream/2026");
  const std::string other_arn_ = "arn:aws:dynamodb:us-east-1:000000000000:table/other/stream/2026";
  TestServer server_{Following()};
};

TEST_P(FollowingServerTest, DirectWritesAreRefusedNamingTheTable) {
  server_.Seed({LeedsArtist("a1", "Alice Ink", {"fineline"})});
  const uint64_t commit_seq = server_.holder().Current()->Stats().commit_seq;
  {
    grpc::ClientContext context;
    Authorize(&context, kWriteToken);
    v1::UpsertArtistsRequest request;
    *request.add_artists() = LeedsArtist("b1", "Bob", {"fineline"});
    v1::WriteArtistsResponse response;
    ExpectStatus(server_.search().UpsertArtists(&context, request, &response),
                 grpc::StatusCode::FAILED_PRECONDITION,
                 absl::StrCat("UpsertArtists: this server follows the DynamoDB table "
                              "'directory' (",
                              GetParam(), ")"));
  }
  {
    grpc::ClientContext context;
    Authorize(&context, kWriteToken);
    v1::DeleteArtistsRequest request;
    v1::ArtistDeletion* d = request.add_deletions();
    d->set_id("a1");
    d->set_version(99);
    v1::WriteArtistsResponse response;
    ExpectStatus(server_.search().DeleteArtists(&context, request, &response),
                 grpc::StatusCode::FAILED_PRECONDITION, "DeleteArtists: this server follows");
  }
  EXPECT_FALSE(Has("b1"));
  EXPECT_TRUE(Has("a1"));
  EXPECT_EQ(server_.holder().Current()->Stats().commit_seq, commit_seq);
  {
    // The token is still checked first: an unauthenticated caller learns nothing.
    grpc::ClientContext context;
    v1::UpsertArtistsRequest request;
    *request.add_artists() = LeedsArtist("b1", "Bob", {"fineline"});
    v1::WriteArtistsResponse response;
    ExpectStatus(server_.search().UpsertArtists(&context, request, &response),
                 grpc::StatusCode::UNAUTHENTICATED, "");
  }
}

TEST_P(FollowingServerTest, StreamRecordsOfTheFollowedTableAreApplied) {
  v1::ApplyStreamRecordsResponse response;
  ASSERT_TRUE(Apply({InsertRecord("l1", 1, own_arn_)}, own_arn_, &response).ok());
  ASSERT_EQ(response.results_size(), 1);
  EXPECT_EQ(response.results(0).outcome(), v1::StreamRecordResult::OUTCOME_APPLIED)
      << response.results(0).reason();
  EXPECT_TRUE(Has("l1"));
  // No request ARN: each record's own is checked.
  ASSERT_TRUE(Apply({InsertRecord("l2", 2, own_arn_)}, "", &response).ok());
  EXPECT_TRUE(Has("l2"));
}

TEST_P(FollowingServerTest, StreamRecordsOfAnotherTableAreRefusedWhole) {
  const uint64_t commit_seq = server_.holder().Current()->Stats().commit_seq;
  v1::ApplyStreamRecordsResponse response;
  ExpectStatus(Apply({InsertRecord("x1", 1, other_arn_)}, other_arn_, &response),
               grpc::StatusCode::FAILED_PRECONDITION,
               "event_source_arn: '" + other_arn_ +
                   "' is a stream of the table 'other', but this server follows the table "
                   "'directory' (" +
                   GetParam() + ")");
  ExpectStatus(
      Apply({InsertRecord("x2", 2, own_arn_), InsertRecord("x3", 3, other_arn_)}, "", &response),
      grpc::StatusCode::FAILED_PRECONDITION, "records_json[1].eventSourceARN: '");
  ExpectStatus(Apply({InsertRecord("x4", 4, own_arn_)}, "not-an-arn", &response),
               grpc::StatusCode::FAILED_PRECONDITION,
               "event_source_arn: 'not-an-arn' is not a DynamoDB stream ARN");
  for (const char* id : {"x1", "x2", "x3", "x4"}) EXPECT_FALSE(Has(id)) << id;
  EXPECT_EQ(server_.holder().Current()->Stats().commit_seq, commit_seq);
}

INSTANTIATE_TEST_SUITE_P(SourceFlags, FollowingServerTest,
                         ::testing::Values("--stream-table", "--bootstrap-table"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           return std::string(info.param[2] == 's' ? "StreamTable"
                                                                   : "BootstrapTable");
                         });

TEST(ArtistSearchServiceStreamTest, AServerFollowingNoTableTakesEveryWrite) {
  TestServer server;
  grpc::ClientContext context;
  Authorize(&context, kWriteToken);
  v1::UpsertArtistsRequest request;
  *request.add_artists() = LeedsArtist("b1", "Bob", {"fineline"});
  v1::WriteArtistsResponse response;
  ASSERT_TRUE(server.search().UpsertArtists(&context, request, &response).ok());
  EXPECT_EQ(response.results(0).outcome(), v1::WriteResult::OUTCOME_APPLIED);
}

TEST(ArtistSearchServiceDeadlineTest, SlowSearchAndSuggestStopAtTheirDeadline) {
  TestServerOptions options;
  options.test_search_delay = absl::Seconds(5);
  TestServer server(options);
  server.Seed({LeedsArtist("a1", "Alice", {"fineline"})});

  const absl::Time start = absl::Now();
  {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
    v1::SearchResponse response;
    EXPECT_EQ(server.search().Search(&context, NearLeeds(5), &response).error_code(),
              grpc::StatusCode::DEADLINE_EXCEEDED);
  }
  {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
    v1::SuggestRequest request;
    request.set_prefix("Al");
    v1::SuggestResponse response;
    EXPECT_EQ(server.search().Suggest(&context, request, &response).error_code(),
              grpc::StatusCode::DEADLINE_EXCEEDED);
  }
  // The server side stopped too (it logs each call when its handler returns),
  // long before the 5 s delay would have ended.
  auto logged = [&] {
    const std::string log = server.LogText();
    size_t count = 0;
    for (size_t at = log.find("DEADLINE_EXCEEDED"); at != std::string::npos;
         at = log.find("DEADLINE_EXCEEDED", at + 1)) {
      ++count;
    }
    return count;
  };
  while (logged() < 2 && absl::Now() - start < absl::Seconds(4)) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_EQ(logged(), 2u) << server.LogText();
  EXPECT_LT(absl::Now() - start, absl::Seconds(4));
}

TEST(ArtistSearchServiceDeadlineTest, OverloadIsRefusedAtOnce) {
  TestServerOptions options;
  options.test_search_delay = absl::Milliseconds(800);
  options.max_concurrent_requests = 1;
  TestServer server(options);
  std::thread slow([&] {
    grpc::ClientContext context;
    v1::SearchResponse response;
    EXPECT_TRUE(server.search().Search(&context, NearLeeds(5), &response).ok());
  });
  // Wait until the slow call holds the only slot (probing with calls could
  // take the slot before the slow call arrives).
  for (int i = 0; i < 400 && server.env().limiter().in_flight() == 0; ++i) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  ASSERT_EQ(server.env().limiter().in_flight(), 1);
  grpc::ClientContext context;
  v1::GetStatsResponse response;
  const absl::Time start = absl::Now();
  grpc::Status refused = server.search().GetStats(&context, v1::GetStatsRequest(), &response);
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(400)) << "refused at once, not queued";
  ExpectStatus(refused, grpc::StatusCode::RESOURCE_EXHAUSTED, "max-concurrent-requests");
  slow.join();
}

// Reads run inline on gRPC's callback threads, but a call waiting the test
// delay gets a thread of its own: many can wait at once while other reads are
// answered.
TEST(ArtistSearchServiceDeadlineTest, DelayedCallsDoNotHoldTheThreadsServingOthers) {
  constexpr int kSlowCalls = 8;
  constexpr absl::Duration kDelay = absl::Milliseconds(600);
  TestServerOptions options;
  options.test_search_delay = kDelay;
  TestServer server(options);
  server.Seed({LeedsArtist("a1", "Alice", {"fineline"})});

  const absl::Time start = absl::Now();
  std::atomic<int> found{0};
  std::vector<std::thread> slow;
  for (int i = 0; i < kSlowCalls; ++i) {
    slow.emplace_back([&server, &found] {
      grpc::ClientContext context;
      v1::SearchResponse response;
      if (server.search().Search(&context, NearLeeds(5), &response).ok() && response.total() == 1) {
        ++found;
      }
    });
  }
  for (int i = 0; i < 500 && server.env().limiter().in_flight() < kSlowCalls; ++i) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  EXPECT_EQ(server.env().limiter().in_flight(), kSlowCalls) << "all slow calls wait at once";

  grpc::ClientContext context;
  v1::GetStatsResponse stats;
  const absl::Time asked = absl::Now();
  EXPECT_TRUE(server.search().GetStats(&context, v1::GetStatsRequest(), &stats).ok());
  EXPECT_LT(absl::Now() - asked, kDelay / 2) << "answered while the slow calls wait";

  for (std::thread& thread : slow) thread.join();
  EXPECT_EQ(found.load(), kSlowCalls);
  // In turns on two threads they would take 4 delays.
  EXPECT_LT(absl::Now() - start, kDelay * 3);
}

}  // namespace
}  // namespace inkdex::server
