#include "aws/credentials.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"

#include "aws/aws_test_util.h"
#include "aws/caching_credentials_provider.h"
#include "aws/http_client.h"

namespace inkdex::aws {
namespace {

using ::inkdex::aws::testing::MapEnvironment;
using ::testing::HasSubstr;

TEST(EnvironmentCredentialsTest, ReadsKeysAndToken) {
  EnvironmentCredentialsProvider provider(MapEnvironment({{"AWS_ACCESS_KEY_ID", "AKIDENV"},
                                                          {"AWS_SECRET_ACCESS_KEY", "secret"},
                                                          {"AWS_SESSION_TOKEN", "token"}}));
  absl::StatusOr<Credentials> credentials = provider.GetCredentials();
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_EQ(credentials->access_key_id, "AKIDENV");
  EXPECT_EQ(credentials->secret_access_key, "secret");
  EXPECT_EQ(credentials->session_token, "token");
  EXPECT_FALSE(credentials->expiration.has_value());
  EXPECT_EQ(credentials->source, "environment");
}

TEST(EnvironmentCredentialsTest, TokenIsOptional) {
  EnvironmentCredentialsProvider provider(
      MapEnvironment({{"AWS_ACCESS_KEY_ID", "AKIDENV"}, {"AWS_SECRET_ACCESS_KEY", "secret"}}));
  absl::StatusOr<Credentials> credentials = provider.GetCredentials();
  ASSERT_TRUE(credentials.ok());
  EXPECT_EQ(credentials->session_token, "");
}

TEST(EnvironmentCredentialsTest, NothingSetIsNotFound) {
  EnvironmentCredentialsProvider provider(MapEnvironment({{"AWS_SESSION_TOKEN", "token"}}));
  absl::StatusOr<Credentials> credentials = provider.GetCredentials();
  EXPECT_EQ(credentials.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(credentials.status().message(), HasSubstr("AWS_ACCESS_KEY_ID"));
}

TEST(EnvironmentCredentialsTest, HalfConfiguredNamesTheMissingVariable) {
  EnvironmentCredentialsProvider only_id(MapEnvironment({{"AWS_ACCESS_KEY_ID", "AKIDENV"}}));
  EXPECT_EQ(only_id.GetCredentials().status(),
            absl::InvalidArgumentError(
                "environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"));
  EnvironmentCredentialsProvider only_secret(MapEnvironment({{"AWS_SECRET_ACCESS_KEY", "s"}}));
  EXPECT_EQ(only_secret.GetCredentials().status(),
            absl::InvalidArgumentError(
                "environment: AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not"));
}

TEST(ProcessEnvironmentTest, ReadsTheProcessEnvironmentAndTreatsEmptyAsUnset) {
  setenv("INKDEX_AWS_TEST_VARIABLE", "value", 1);
  setenv("INKDEX_AWS_TEST_EMPTY", "", 1);
  Environment env = ProcessEnvironment();
  EXPECT_EQ(env("INKDEX_AWS_TEST_VARIABLE"), "value");
  EXPECT_EQ(env("INKDEX_AWS_TEST_EMPTY"), std::nullopt);
  EXPECT_EQ(env("INKDEX_AWS_TEST_NEVER_SET"), std::nullopt);
  unsetenv("INKDEX_AWS_TEST_VARIABLE");
  unsetenv("INKDEX_AWS_TEST_EMPTY");
}

// Answers with a fixed result and counts calls.
class FakeProvider : public CredentialsProvider {
 public:
  explicit FakeProvider(absl::StatusOr<Credentials> result, std::atomic<int>* calls)
      : result_(std::move(result)), calls_(calls) {}
  absl::StatusOr<Credentials> GetCredentials() override {
    calls_->fetch_add(1);
    return result_;
  }

 private:
  absl::StatusOr<Credentials> result_;
  std::atomic<int>* calls_;
};

Credentials Keys(const std::string& id) {
  Credentials credentials;
  credentials.access_key_id = id;
  credentials.secret_access_key = "secret-" + id;
  return credentials;
}

TEST(ChainCredentialsTest, SkipsSourcesThatAreNotConfigured) {
  std::atomic<int> first = 0, second = 0, third = 0;
  std::vector<std::unique_ptr<CredentialsProvider>> chain;
  chain.push_back(std::make_unique<FakeProvider>(absl::NotFoundError("a: not set"), &first));
  chain.push_back(std::make_unique<FakeProvider>(Keys("B"), &second));
  chain.push_back(std::make_unique<FakeProvider>(Keys("C"), &third));
  ChainCredentialsProvider provider(std::move(chain));
  absl::StatusOr<Credentials> credentials = provider.GetCredentials();
  ASSERT_TRUE(credentials.ok());
  EXPECT_EQ(credentials->access_key_id, "B");
  EXPECT_EQ(first.load(), 1);
  EXPECT_EQ(third.load(), 0);
}

TEST(ChainCredentialsTest, StopsAtABrokenSource) {
  std::atomic<int> first = 0, second = 0;
  std::vector<std::unique_ptr<CredentialsProvider>> chain;
  chain.push_back(
      std::make_unique<FakeProvider>(absl::InvalidArgumentError("a: half set"), &first));
  chain.push_back(std::make_unique<FakeProvider>(Keys("B"), &second));
  ChainCredentialsProvider provider(std::move(chain));
  EXPECT_EQ(provider.GetCredentials().status(), absl::InvalidArgumentError("a: half set"));
  EXPECT_EQ(second.load(), 0);
}

TEST(ChainCredentialsTest, NothingConfiguredListsEverySource) {
  std::atomic<int> calls = 0;
  std::vector<std::unique_ptr<CredentialsProvider>> chain;
  chain.push_back(std::make_unique<FakeProvider>(absl::NotFoundError("a: not set"), &calls));
  chain.push_back(std::make_unique<FakeProvider>(absl::NotFoundError("b: no file"), &calls));
  ChainCredentialsProvider provider(std::move(chain));
  EXPECT_EQ(provider.GetCredentials().status(),
            absl::NotFoundError("no AWS credentials found: a: not set; b: no file"));
}

TEST(ResolveRegionTest, PrefersAwsRegion) {
  EXPECT_EQ(*ResolveRegion(
                MapEnvironment({{"AWS_REGION", "eu-west-1"}, {"AWS_DEFAULT_REGION", "us-east-1"}})),
            "eu-west-1");
  EXPECT_EQ(*ResolveRegion(MapEnvironment({{"AWS_DEFAULT_REGION", "us-east-1"}})), "us-east-1");
}

TEST(ResolveRegionTest, Errors) {
  EXPECT_EQ(ResolveRegion(MapEnvironment({})).status(),
            absl::NotFoundError("region: neither AWS_REGION nor AWS_DEFAULT_REGION is set"));
  absl::StatusOr<std::string> bad =
      ResolveRegion(MapEnvironment({{"AWS_DEFAULT_REGION", "eu-west-1/../x"}}));
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("AWS_DEFAULT_REGION \"eu-west-1/../x\""));
}

// A provider whose next answer the test sets.
class ScriptedProvider : public CredentialsProvider {
 public:
  absl::StatusOr<Credentials> GetCredentials() override {
    calls.fetch_add(1);
    absl::MutexLock lock(&mutex);
    return next;
  }
  std::atomic<int> calls = 0;
  absl::Mutex mutex;
  absl::StatusOr<Credentials> next = absl::UnavailableError("unset");
};

Credentials KeysUntil(const std::string& id, absl::Time expiration) {
  Credentials credentials = Keys(id);
  credentials.expiration = expiration;
  return credentials;
}

// A CachingCredentialsProvider over a ScriptedProvider, on a fake clock.
class CachingTest : public ::testing::Test {
 protected:
  CachingTest() {
    auto source = std::make_unique<ScriptedProvider>();
    scripted_ = source.get();
    CachingCredentialsProvider::Options options;
    options.now = [this] { return now_; };
    provider_ = std::make_unique<CachingCredentialsProvider>(std::move(source), options);
  }

  std::string KeyId() {
    absl::StatusOr<Credentials> credentials = provider_->GetCredentials();
    return credentials.ok() ? credentials->access_key_id : credentials.status().ToString();
  }

  const absl::Time start_ = absl::FromUnixSeconds(1700000000);
  absl::Time now_ = start_;
  ScriptedProvider* scripted_;
  std::unique_ptr<CachingCredentialsProvider> provider_;
};

TEST_F(CachingTest, RereadsCredentialsWithoutExpirationEveryFiveMinutes) {
  // A shared credentials file (no expiration, even with a session token)
  // rotated on disk is picked up within the re-read interval.
  scripted_->next = Keys("A");
  ASSERT_EQ(KeyId(), "A");
  now_ += absl::Minutes(4);
  scripted_->next = Keys("ROTATED");
  EXPECT_EQ(KeyId(), "A");
  EXPECT_EQ(scripted_->calls.load(), 1);
  now_ += absl::Minutes(1);
  EXPECT_EQ(KeyId(), "ROTATED");
  EXPECT_EQ(scripted_->calls.load(), 2);
  // A failed re-read keeps the credentials, which do not expire.
  scripted_->next = absl::UnavailableError("file being rewritten");
  now_ += absl::Minutes(5);
  EXPECT_EQ(KeyId(), "ROTATED");
  EXPECT_EQ(scripted_->calls.load(), 3);
}

TEST_F(CachingTest, InvalidateMakesTheNextCallReadTheSource) {
  scripted_->next = KeysUntil("OLD", start_ + absl::Hours(6));
  ASSERT_EQ(KeyId(), "OLD");
  scripted_->next = Keys("NEW");
  provider_->Invalidate();  // AWS answered ExpiredTokenException
  EXPECT_EQ(KeyId(), "NEW");
  EXPECT_EQ(scripted_->calls.load(), 2);
  // Once invalidated, a failing source is an error, not the rejected keys.
  provider_->Invalidate();
  scripted_->next = absl::UnavailableError("endpoint down");
  EXPECT_EQ(KeyId(), "UNAVAILABLE: endpoint down");
}

TEST_F(CachingTest, RefreshesFiveMinutesBeforeExpiry) {
  scripted_->next = KeysUntil("FIRST", start_ + absl::Minutes(15));
  EXPECT_EQ(KeyId(), "FIRST");
  now_ = start_ + absl::Minutes(9);
  EXPECT_EQ(KeyId(), "FIRST");
  EXPECT_EQ(scripted_->calls.load(), 1);

  scripted_->next = KeysUntil("SECOND", start_ + absl::Minutes(30));
  now_ = start_ + absl::Minutes(10);  // 5 minutes before FIRST expires
  EXPECT_EQ(KeyId(), "SECOND");
  EXPECT_EQ(scripted_->calls.load(), 2);
  now_ = start_ + absl::Minutes(24);
  EXPECT_EQ(KeyId(), "SECOND");
  EXPECT_EQ(scripted_->calls.load(), 2);
}

TEST_F(CachingTest, FailedRefreshFallsBackUntilExpiry) {
  scripted_->next = KeysUntil("FIRST", start_ + absl::Minutes(10));
  ASSERT_EQ(KeyId(), "FIRST");
  scripted_->next = absl::UnavailableError("endpoint down");
  now_ = start_ + absl::Minutes(7);  // inside the refresh margin, not expired
  EXPECT_EQ(KeyId(), "FIRST");
  now_ = start_ + absl::Minutes(10);  // expired
  EXPECT_EQ(KeyId(), "UNAVAILABLE: endpoint down");
  EXPECT_EQ(scripted_->calls.load(), 3);
}

TEST_F(CachingTest, AFailedFetchIsNotCached) {
  scripted_->next = absl::UnavailableError("endpoint down");
  EXPECT_EQ(KeyId(), "UNAVAILABLE: endpoint down");
  scripted_->next = Keys("BACK");
  EXPECT_EQ(KeyId(), "BACK");
}

TEST(CachingCredentialsTest, ConcurrentCallersShareOneFetch) {
  auto source = std::make_unique<ScriptedProvider>();
  ScriptedProvider* scripted = source.get();
  scripted->next = Keys("A");
  CachingCredentialsProvider provider(std::move(source));
  std::vector<std::thread> threads;
  std::atomic<int> failures = 0;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        absl::StatusOr<Credentials> credentials = provider.GetCredentials();
        if (!credentials.ok() || credentials->access_key_id != "A") failures.fetch_add(1);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(scripted->calls.load(), 1);
}

// A provider whose fetches block until the test opens the gate.
class GatedProvider : public CredentialsProvider {
 public:
  absl::StatusOr<Credentials> GetCredentials() override {
    if (calls.fetch_add(1) > 0) {
      entered.Notify();
      gate.WaitForNotification();
    }
    absl::MutexLock lock(&mutex);
    return next;
  }
  std::atomic<int> calls = 0;
  absl::Notification entered;  // a gated (second or later) fetch started
  absl::Notification gate;
  absl::Mutex mutex;
  Credentials next ABSL_GUARDED_BY(mutex);
};

TEST(CachingCredentialsTest, SlowRefreshDoesNotBlockCallersWhileCachedAreValid) {
  auto source = std::make_unique<GatedProvider>();
  GatedProvider* gated = source.get();
  absl::Mutex clock_mutex;
  const absl::Time start = absl::FromUnixSeconds(1700000000);
  absl::Time now = start;
  CachingCredentialsProvider::Options options;
  options.now = [&] {
    absl::MutexLock lock(&clock_mutex);
    return now;
  };
  {
    absl::MutexLock lock(&gated->mutex);
    gated->next = Keys("FIRST");
    gated->next.expiration = start + absl::Minutes(10);
  }
  CachingCredentialsProvider provider(std::move(source), options);
  ASSERT_EQ(provider.GetCredentials()->access_key_id, "FIRST");

  {
    absl::MutexLock lock(&clock_mutex);
    now = start + absl::Minutes(6);  // inside the refresh margin
  }
  {
    absl::MutexLock lock(&gated->mutex);
    gated->next = Keys("SECOND");
  }
  std::string refreshed;
  std::thread refresher([&] { refreshed = provider.GetCredentials()->access_key_id; });
  gated->entered.WaitForNotification();
  // The refresh is stuck in the source; others still get the valid FIRST.
  EXPECT_EQ(provider.GetCredentials()->access_key_id, "FIRST");
  gated->gate.Notify();
  refresher.join();
  EXPECT_EQ(refreshed, "SECOND");
  EXPECT_EQ(provider.GetCredentials()->access_key_id, "SECOND");
  EXPECT_EQ(gated->calls.load(), 2);
}

TEST(CachingCredentialsTest, CallersWithoutValidCredentialsWaitForTheRefresh) {
  auto source = std::make_unique<GatedProvider>();
  GatedProvider* gated = source.get();
  gated->calls = 1;  // gate the very first fetch
  {
    absl::MutexLock lock(&gated->mutex);
    gated->next = Keys("ONLY");
  }
  CachingCredentialsProvider provider(std::move(source));
  std::string first, second;
  std::thread a([&] { first = provider.GetCredentials()->access_key_id; });
  gated->entered.WaitForNotification();
  std::thread b([&] { second = provider.GetCredentials()->access_key_id; });
  absl::SleepFor(absl::Milliseconds(50));  // let b reach the wait
  gated->gate.Notify();
  a.join();
  b.join();
  EXPECT_EQ(first, "ONLY");
  EXPECT_EQ(second, "ONLY");
  EXPECT_EQ(gated->calls.load(), 2);  // the preset 1 plus a single fetch
}

TEST(DefaultChainTest, EnvironmentThenFileThenContainer) {
  testing::TempDir dir;
  const std::string file = dir.WriteFile("credentials",
                                         "[default]\naws_access_key_id = AKIDFILE\n"
                                         "aws_secret_access_key = file-secret\n");
  testing::TestHttpServer endpoint([](const testing::RecordedRequest&) {
    return testing::CannedResponse{
        200, R"({"AccessKeyId":"AKIDCONTAINER","SecretAccessKey":"s","Token":"t",
                 "Expiration":"2099-01-01T00:00:00Z"})"};
  });
  CurlHttpClient http;
  std::map<std::string, std::string> variables = {
      {"AWS_ACCESS_KEY_ID", "AKIDENV"},
      {"AWS_SECRET_ACCESS_KEY", "env-secret"},
      {"AWS_SHARED_CREDENTIALS_FILE", file},
      {"AWS_CONTAINER_CREDENTIALS_FULL_URI", endpoint.base_url() + "/creds"}};
  EXPECT_EQ(
      NewDefaultCredentialsChain(MapEnvironment(variables), http)->GetCredentials()->access_key_id,
      "AKIDENV");
  variables.erase("AWS_ACCESS_KEY_ID");
  variables.erase("AWS_SECRET_ACCESS_KEY");
  EXPECT_EQ(
      NewDefaultCredentialsChain(MapEnvironment(variables), http)->GetCredentials()->access_key_id,
      "AKIDFILE");
  variables.erase("AWS_SHARED_CREDENTIALS_FILE");
  variables["HOME"] = dir.path();  // no .aws/credentials there
  EXPECT_EQ(
      NewDefaultCredentialsChain(MapEnvironment(variables), http)->GetCredentials()->access_key_id,
      "AKIDCONTAINER");
  EXPECT_EQ(endpoint.requests().size(), 1u);

  variables.erase("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  absl::StatusOr<Credentials> none =
      NewDefaultCredentialsChain(MapEnvironment(variables), http)->GetCredentials();
  EXPECT_EQ(none.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(none.status().message(), HasSubstr("AWS_ACCESS_KEY_ID"));
  EXPECT_THAT(none.status().message(), HasSubstr(".aws/credentials: cannot be opened"));
  EXPECT_THAT(none.status().message(), HasSubstr("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"));
}

}  // namespace
}  // namespace inkdex::aws
