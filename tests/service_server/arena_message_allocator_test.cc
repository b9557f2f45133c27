#include "server/arena_message_allocator.h"

#include <string>

#include "gtest/gtest.h"
#include "inkdex/v1/artist_search.pb.h"

namespace inkdex::server {
namespace {

using SearchMessages = ArenaMessageAllocator<v1::SearchRequest, v1::SearchResponse>;

TEST(ArenaMessageAllocatorTest, RequestAndResponseShareOneArenaPerCall) {
  SearchMessages allocator;
  grpc::MessageHolder<v1::SearchRequest, v1::SearchResponse>* a = allocator.AllocateMessages();
  grpc::MessageHolder<v1::SearchRequest, v1::SearchResponse>* b = allocator.AllocateMessages();
  ASSERT_NE(a->request()->GetArena(), nullptr);
  EXPECT_EQ(a->request()->GetArena(), a->response()->GetArena());
  EXPECT_NE(a->response()->GetArena(), b->response()->GetArena());
  // Fresh messages, as gRPC expects to parse into.
  EXPECT_EQ(a->request()->ByteSizeLong(), 0u);
  EXPECT_EQ(a->response()->ByteSizeLong(), 0u);
  a->Release();
  b->Release();
}

TEST(ArenaMessageAllocatorTest, ResponsesPastTheInlineBlockKeepTheirContents) {
  SearchMessages allocator;
  auto* holder = allocator.AllocateMessages();
  v1::SearchResponse* response = holder->response();
  // ~200 KB of hits: many times the inline block.
  for (int i = 0; i < 1000; ++i) {
    v1::SearchHit* hit = response->add_hits();
    hit->set_id("artist-" + std::to_string(i));
    hit->set_name(std::string(150, static_cast<char>('a' + i % 26)));
    hit->add_styles("blackwork");
  }
  std::string wire;
  ASSERT_TRUE(response->SerializeToString(&wire));
  v1::SearchResponse parsed;
  ASSERT_TRUE(parsed.ParseFromString(wire));
  ASSERT_EQ(parsed.hits_size(), 1000);
  EXPECT_EQ(parsed.hits(999).id(), "artist-999");
  EXPECT_EQ(parsed.hits(999).name(), std::string(150, static_cast<char>('a' + 999 % 26)));
  EXPECT_GT(response->GetArena()->SpaceUsed(), SearchMessages::kInlineBytes);
  holder->Release();
}

}  // namespace
}  // namespace inkdex::server
