// CachingStemmer: an English stemmer that remembers the stems it computed.
//
// Indexing stems every word of every biography (DocumentBuilder), and
// Snowball's English stemmer costs ~0.3-0.5 us a word: about a tenth of a
// bulk load's writer time. Words repeat (biographies share a vocabulary), so
// a hash map from word to stem answers most of them for ~50 ns.
//
// The stems are exactly Xapian::Stem(language)'s (tested). Memory: at most
// `max_words` entries (~100 bytes each); when full the map is cleared and
// refilled, which keeps the cost bounded for any vocabulary.
//
// Usage (the Xapian::Stem takes ownership and deletes it with its last copy):
//   termgen.set_stemmer(Xapian::Stem(new text::CachingStemmer("english")));
//
// Thread safety: none. Give each thread its own (Xapian::Stem copies share
// one implementation, and Xapian's reference counts are not atomic).
#ifndef INKDEX_TEXT_CACHING_STEMMER_H_
#define INKDEX_TEXT_CACHING_STEMMER_H_

#include <cstddef>
#include <string>

#include <xapian.h>

#include "absl/container/flat_hash_map.h"

namespace inkdex::text {

class CachingStemmer final : public Xapian::StemImplementation {
 public:
  static constexpr size_t kDefaultMaxWords = 50000;

  // REQUIRES: `language` is one Xapian::Stem knows (else Xapian throws
  // InvalidArgumentError, as Xapian::Stem(language) does).
  explicit CachingStemmer(const std::string& language, size_t max_words = kDefaultMaxWords);

  std::string operator()(const std::string& word) override;
  std::string get_description() const override;

  // Words remembered now (for tests).
  size_t cached_words() const { return cache_.size(); }

 private:
  Xapian::Stem stem_;
  const size_t max_words_;
  absl::flat_hash_map<std::string, std::string> cache_;
};

}  // namespace inkdex::text

#endif  // INKDEX_TEXT_CACHING_STEMMER_H_
