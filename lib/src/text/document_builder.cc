#include "text/document_builder.h"

#include <initializer_list>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "engine/row_builder.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "text/caching_stemmer.h"
#include "text/fold.h"

namespace inkdex::text {

std::string PhraseText(std::string_view text) {
  std::string out = " ";
  out.reserve(text.size() + 2);
  auto separate = [&out] {
    if (out.back() != ' ') out.push_back(' ');
  };
  bool after_foldable = false;  // AppendFolded's state
  std::string folded;
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      after_foldable = absl::ascii_isalpha(c);
      if (absl::ascii_isalnum(c)) {
        out.push_back(static_cast<char>(absl::ascii_tolower(c)));
      } else {
        separate();
      }
      ++i;
      continue;
    }
    // A multi-byte character: accent-folded as the indexed text is (fold.h),
    // then lowercased as Xapian's TermGenerator does, which also reads
    // invalid UTF-8 bytes as Latin-1 characters.
    folded.clear();
    AppendFolded(NextChar(text, &i), &after_foldable, &folded);
    for (Xapian::Utf8Iterator f(folded); f != Xapian::Utf8Iterator(); ++f) {
      if (Xapian::Unicode::is_wordchar(*f)) {
        Xapian::Unicode::append_utf8(out, Xapian::Unicode::tolower(*f));
      } else {
        separate();
      }
    }
  }
  separate();
  return out;
}

void AppendPhraseField(std::string_view text, std::string* phrase_text) {
  if (text.empty()) return;
  if (!phrase_text->empty()) phrase_text->push_back(kPhraseFieldSeparator);
  phrase_text->append(PhraseText(text));
}

namespace {

// FNV-1a, 64 bits: a stable (unseeded) hash for change detection.
uint64_t Fnv1a64(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

}  // namespace

Artist TextProjection(const Artist& a) {
  Artist p;
  p.set_id(a.id());
  p.set_name(a.name());
  p.set_instagram_handle(a.instagram_handle());
  p.set_biography(a.biography());
  *p.mutable_styles() = a.styles();
  *p.mutable_specialties() = a.specialties();
  p.mutable_studio()->set_name(a.studio().name());
  auto copy_location = [](const Location& from, Location* to) {
    to->set_display(from.display());
    to->set_city(from.city());
    to->set_country(from.country());
  };
  copy_location(a.location(), p.mutable_location());
  for (const GuestSpot& g : a.guest_spots()) {
    copy_location(g.location(), p.add_guest_spots()->mutable_location());
  }
  return p;
}

uint64_t ContentHash(const Artist& a) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    TextProjection(a).SerializeToCodedStream(&coded);
  }
  const uint64_t h = Fnv1a64(bytes);
  return h == 0 ? 1 : h;
}

std::string EncodeContentHash(uint64_t hash) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, hash >>= 8) out[i] = static_cast<char>(hash & 0xff);
  return out;
}

namespace {

// Xapian's SimpleStopper keeps its words in a std::set: ~7 string compares a
// lookup, for every word of every biography. A hash set answers in one.
class HashStopper final : public Xapian::Stopper {
 public:
  explicit HashStopper(std::initializer_list<std::string_view> words)
      : words_(words.begin(), words.end()) {}
  bool operator()(const std::string& term) const override { return words_.contains(term); }
  std::string get_description() const override { return "HashStopper"; }

 private:
  absl::flat_hash_set<std::string> words_;
};

}  // namespace

const Xapian::Stopper& EnglishStopper() {
  // Function words that say nothing about an artist; biographies are full of
  // them and each would cost a posting per document.
  static const HashStopper* stopper = new HashStopper(
      {"a",     "about", "after", "all",   "also", "am",   "an",    "and",   "any",  "are",
       "as",    "at",    "be",    "been",  "but",  "by",   "can",   "do",    "for",  "from",
       "had",   "has",   "have",  "he",    "her",  "here", "him",   "his",   "how",  "i",
       "if",    "in",    "into",  "is",    "it",   "its",  "just",  "me",    "more", "my",
       "no",    "not",   "of",    "on",    "or",   "our",  "out",   "she",   "so",   "some",
       "than",  "that",  "the",   "their", "them", "then", "there", "these", "they", "this",
       "those", "to",    "too",   "up",    "us",   "very", "was",   "we",    "were", "what",
       "when",  "where", "which", "while", "who",  "will", "with",  "would", "you",  "your"});
  return *stopper;
}

DocumentBuilder::DocumentBuilder(const StyleTaxonomy& taxonomy) : taxonomy_(taxonomy) {
  termgen_.set_stemmer(Xapian::Stem(new CachingStemmer("english")));
}

Xapian::Document DocumentBuilder::Build(const Artist& a, uint64_t content_hash) {
  Xapian::Document doc;
  termgen_.set_document(doc);
  std::string phrase_text;
  // Short fields: unstemmed and Z-stemmed terms.
  termgen_.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
  termgen_.set_stopper(nullptr);
  // Terms are of the accent-folded text (fold.h; ASCII text is not copied),
  // and so is the phrase text (PhraseText folds).
  std::string folded;
  auto field = [&](std::string_view text, Xapian::termcount weight) {
    if (text.empty()) return;
    const std::string_view terms = FoldedView(text, &folded);
    termgen_.index_text_without_positions(Xapian::Utf8Iterator(terms.data(), terms.size()), weight);
    AppendPhraseField(text, &phrase_text);
  };
  field(a.name(), 3);
  field(a.studio().name(), 2);
  for (const std::string& s : a.specialties()) field(s, 2);
  for (const std::string& id : a.styles()) {
    std::optional<int> idx = taxonomy_.Find(id);
    if (!idx) continue;
    const StyleInfo& info = taxonomy_.style(*idx);
    // Aliases are not indexed: the query side maps them to this term
    // (StyleAwareQuery), which keeps documents small.
    field(info.display_name, 2);
    doc.add_boolean_term(absl::StrCat(kStylePrefix, info.id));
  }
  field(a.location().display(), 1);
  field(a.location().city(), 1);
  for (const GuestSpot& g : a.guest_spots()) {
    field(g.location().display(), 1);
    field(g.location().city(), 1);
  }
  field(a.instagram_handle(), 1);
  // The biography is most of the text and most of the indexing cost: stemmed
  // terms only, stopwords dropped.
  if (!a.biography().empty()) {
    termgen_.set_stemming_strategy(Xapian::TermGenerator::STEM_ALL_Z);
    termgen_.set_stopper(&EnglishStopper());
    termgen_.set_stopper_strategy(Xapian::TermGenerator::STOP_ALL);
    const std::string_view bio = FoldedView(a.biography(), &folded);
    termgen_.index_text_without_positions(Xapian::Utf8Iterator(bio.data(), bio.size()));
    AppendPhraseField(a.biography(), &phrase_text);
  }
  if (!phrase_text.empty()) doc.add_value(kPhraseTextSlot, phrase_text);

  // No id term: documents are addressed by slot (docid), and an id may be
  // longer than Xapian's 245-byte term limit.
  doc.set_data(a.id());
  doc.add_value(kContentHashSlot, EncodeContentHash(content_hash));
  // Drop the generator's handle: the document may be handed to another
  // thread, and Xapian's reference counts are not atomic.
  termgen_.set_document(Xapian::Document());
  return doc;
}

}  // namespace inkdex::text
