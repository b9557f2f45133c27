#include "text/caching_stemmer.h"

#include <algorithm>

namespace inkdex::text {

CachingStemmer::CachingStemmer(const std::string& language, size_t max_words)
    : stem_(language), max_words_(std::max<size_t>(1, max_words)) {}

std::string CachingStemmer::operator()(const std::string& word) {
  if (auto it = cache_.find(word); it != cache_.end()) return it->second;
  std::string stem = stem_(word);
  if (cache_.size() >= max_words_) cache_.clear();
  cache_.emplace(word, stem);
  return stem;
}

std::string CachingStemmer::get_description() const {
  return "CachingStemmer(" + stem_.get_description() + ")";
}

}  // namespace inkdex::text
