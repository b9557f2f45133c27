#include "stream/item_mapping.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "aws/crypto.h"

namespace inkdex::stream {

namespace {

using nlohmann::json;

constexpr size_t kMaxItemTypeBytes = 64;

// Record fields a mapping may target (data-model.md, older spellings, the
// fields inkdex itself writes back). artistId is decided by "artistId".
constexpr absl::string_view kTopLevelFields[] = {"artistName",      "name",
                                                 "latitude",        "longitude",
                                                 "locationDisplay", "location",
                                                 "locationCity",    "locationCountry",
                                                 "geohash",         "instagramHandle",
                                                 "styles",          "specialties",
                                                 "biography",       "bio",
                                                 "rating",          "reviewCount",
                                                 "studioInfo",      "studioName",
                                                 "pricing",         "availability",
                                                 "experience",      "portfolioImages",
                                                 "contactInfo",     "guestSpots",
                                                 "opted_out",       "optedOut",
                                                 "isActive",        "createdAt",
                                                 "updatedAt",       "version"};
// Map fields whose members a dotted target may set.
constexpr absl::string_view kMapFields[] = {"studioInfo", "pricing", "availability", "experience",
                                            "contactInfo"};

bool Contains(const auto& list, absl::string_view name) {
  for (absl::string_view known : list) {
    if (known == name) return true;
  }
  return false;
}

std::string TypeName(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return "number";
    case json::value_t::string:
      return "string";
    case json::value_t::array:
      return "array";
    case json::value_t::object:
      return "object";
    default:
      return "another type";
  }
}

// A key attribute's value: {"S": "..."} or a plain string. Borrows `item`.
std::optional<std::string_view> KeyString(const json& item, const std::string& name) {
  auto it = item.find(name);
  if (it == item.end()) return std::nullopt;
  if (it->is_string()) return it->get_ref<const std::string&>();
  if (it->is_object()) {
    auto s = it->find("S");
    if (s != it->end() && s->is_string()) return s->get_ref<const std::string&>();
  }
  return std::nullopt;
}

std::string TypeOfKey(std::string_view key) {
  std::string type(key.substr(0, std::min(key.find('#'), kMaxItemTypeBytes)));
  return type;
}

// Errors of Parse: "<origin>: <path>: <reason>".
class Problems {
 public:
  explicit Problems(std::string_view origin) : origin_(origin) {}
  absl::Status Error(absl::string_view path, absl::string_view reason) const {
    return absl::InvalidArgumentError(absl::StrCat(origin_, ": ", path, ": ", reason));
  }

 private:
  std::string origin_;
};

absl::StatusOr<KeyPattern> ParsePattern(const json& value, const std::string& path,
                                        const Problems& problems) {
  if (!value.is_string()) {
    return problems.Error(path, absl::StrCat("must be a string (exact text, or a prefix "
                                             "ending in '*'), got ",
                                             TypeName(value)));
  }
  std::string text = value.get<std::string>();
  KeyPattern pattern;
  if (!text.empty() && text.back() == '*') {
    pattern.prefix = true;
    text.pop_back();
  }
  if (text.find('*') != std::string::npos) {
    return problems.Error(path, "'*' may only end a pattern (a prefix)");
  }
  if (text.empty() && !pattern.prefix) return problems.Error(path, "must not be empty");
  pattern.text = std::move(text);
  return pattern;
}

// "a.b.c" -> {"a", "b", "c"}; InvalidArgument on an empty part.
absl::StatusOr<std::vector<std::string>> SplitPath(const std::string& dotted,
                                                   const std::string& path,
                                                   const Problems& problems, const char* what) {
  std::vector<std::string> parts = absl::StrSplit(dotted, '.');
  for (const std::string& part : parts) {
    if (part.empty()) {
      return problems.Error(path, absl::StrCat(what, " '", dotted, "': empty name between dots"));
    }
  }
  return parts;
}

absl::Status CheckMembers(const json& object, const std::string& path,
                          std::initializer_list<absl::string_view> known,
                          const Problems& problems) {
  for (const auto& [name, value] : object.items()) {
    if (!Contains(known, name)) {
      return problems.Error(
          absl::StrCat(path, ".", name),
          absl::StrCat("unknown member (known: ", absl::StrJoin(known, ", "), ")"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ParseAttributeName(const json& value, const std::string& path,
                                               const Problems& problems) {
  if (!value.is_string()) {
    return problems.Error(
        path, absl::StrCat("must be a string (an attribute name), got ", TypeName(value)));
  }
  std::string name = value.get<std::string>();
  if (name.empty()) return problems.Error(path, "must not be empty");
  return name;
}

// The value at `path` in an attribute map: the first part is an attribute,
// each further part a member of an M value. nullptr when it leads nowhere.
const json* Resolve(const json& image, const std::vector<std::string>& path) {
  const json* at = &image;
  for (size_t i = 0; i < path.size(); ++i) {
    if (i > 0) {
      auto m = at->find("M");
      if (m == at->end() || !m->is_object()) return nullptr;
      at = &*m;
    }
    auto next = at->find(path[i]);
    if (next == at->end()) return nullptr;
    at = &*next;
  }
  return at;
}

// The object holding the last part of `target` in `item` (creating M maps
// on the way when `create`), or nullptr.
json* TargetParent(json& item, const std::vector<std::string>& target, bool create) {
  json* at = &item;
  for (size_t i = 0; i + 1 < target.size(); ++i) {
    auto next = at->find(target[i]);
    if (next == at->end() || !next->is_object() || !next->contains("M") ||
        !(*next)["M"].is_object()) {
      if (!create) return nullptr;
      (*at)[target[i]] = json{{"M", json::object()}};
      next = at->find(target[i]);
    }
    at = &(*next)["M"];
  }
  return at;
}

}  // namespace

bool KeyPattern::Matches(std::string_view value) const {
  if (prefix) return value.substr(0, text.size()) == text;
  return value == text;
}

std::string ItemMapping::Fingerprint() const {
  std::vector<std::string> sort_keys;
  for (const KeyPattern& p : artist_sk_) sort_keys.push_back(p.ToString());
  std::sort(sort_keys.begin(), sort_keys.end());
  std::vector<std::pair<std::string, std::string>> fields;
  for (const FieldMapping& f : fields_) fields.emplace_back(f.target_name, f.source_name);
  std::sort(fields.begin(), fields.end());
  // JSON escapes every name, so no two mappings share a text.
  const json canonical = {partition_key_,
                          sort_key_,
                          artist_pk_.ToString(),
                          sort_keys,
                          id_source_ == IdSource::kPartitionKey ? "" : id_attribute_,
                          fields};
  return aws::Sha256Hex(canonical.dump()).substr(0, 16);
}

ItemMapping ItemMapping::Default() {
  ItemMapping mapping;
  mapping.partition_key_ = "PK";
  mapping.sort_key_ = "SK";
  mapping.artist_pk_ = KeyPattern{"ARTIST#", true};
  mapping.artist_sk_ = {KeyPattern{"METADATA", false}, KeyPattern{"PROFILE", false}};
  mapping.id_source_ = IdSource::kPartitionKey;
  return mapping;
}

absl::StatusOr<ItemMapping> ItemMapping::Parse(std::string_view json_text,
                                               std::string_view origin) {
  const Problems problems(origin);
  json root;
  try {
    root = json::parse(json_text);
  } catch (const json::parse_error& e) {
    // nlohmann's message: "[json.exception.parse_error.101] parse error at
    // line 3, column 5: syntax error ..."; the part after the id is enough.
    std::string message = e.what();
    if (size_t close = message.find("] "); close != std::string::npos) {
      message = message.substr(close + 2);
    }
    return absl::InvalidArgumentError(absl::StrCat(absl::string_view(origin.data(), origin.size()),
                                                   ": not valid JSON: ", message));
  }
  if (!root.is_object()) {
    return problems.Error("$", absl::StrCat("must be an object, got ", TypeName(root)));
  }
  if (absl::Status s = CheckMembers(
          root, "$",
          {"description", "partitionKey", "sortKey", "artistItems", "artistId", "fields"},
          problems);
      !s.ok()) {
    return s;
  }
  ItemMapping mapping = Default();
  if (auto it = root.find("description"); it != root.end() && !it->is_string()) {
    return problems.Error("$.description", absl::StrCat("must be a string, got ", TypeName(*it)));
  }
  if (auto it = root.find("partitionKey"); it != root.end()) {
    absl::StatusOr<std::string> name = ParseAttributeName(*it, "$.partitionKey", problems);
    if (!name.ok()) return name.status();
    mapping.partition_key_ = *name;
  }
  if (auto it = root.find("sortKey"); it != root.end()) {
    if (it->is_null() || (it->is_string() && it->get<std::string>().empty())) {
      mapping.sort_key_.clear();
      mapping.artist_sk_.clear();
    } else {
      absl::StatusOr<std::string> name = ParseAttributeName(*it, "$.sortKey", problems);
      if (!name.ok()) return name.status();
      mapping.sort_key_ = *name;
    }
  }
  if (auto items = root.find("artistItems"); items != root.end()) {
    if (!items->is_object()) {
      return problems.Error("$.artistItems",
                            absl::StrCat("must be an object, got ", TypeName(*items)));
    }
    if (absl::Status s =
            CheckMembers(*items, "$.artistItems", {"partitionKey", "sortKey"}, problems);
        !s.ok()) {
      return s;
    }
    if (auto pk = items->find("partitionKey"); pk != items->end()) {
      absl::StatusOr<KeyPattern> pattern =
          ParsePattern(*pk, "$.artistItems.partitionKey", problems);
      if (!pattern.ok()) return pattern.status();
      mapping.artist_pk_ = *pattern;
    }
    if (auto sk = items->find("sortKey"); sk != items->end()) {
      if (mapping.sort_key_.empty()) {
        return problems.Error("$.artistItems.sortKey",
                              "the table has no sort key ($.sortKey is empty)");
      }
      mapping.artist_sk_.clear();
      if (sk->is_array()) {
        if (sk->empty()) {
          return problems.Error("$.artistItems.sortKey",
                                "must hold at least one pattern (\"*\" matches any sort key)");
        }
        for (size_t i = 0; i < sk->size(); ++i) {
          absl::StatusOr<KeyPattern> pattern =
              ParsePattern((*sk)[i], absl::StrCat("$.artistItems.sortKey[", i, "]"), problems);
          if (!pattern.ok()) return pattern.status();
          mapping.artist_sk_.push_back(*pattern);
        }
      } else {
        absl::StatusOr<KeyPattern> pattern = ParsePattern(*sk, "$.artistItems.sortKey", problems);
        if (!pattern.ok()) return pattern.status();
        mapping.artist_sk_.push_back(*pattern);
      }
    }
  }
  if (auto id = root.find("artistId"); id != root.end()) {
    if (!id->is_object()) {
      return problems.Error("$.artistId", absl::StrCat("must be an object such as {\"from\": "
                                                       "\"partitionKey\"}, got ",
                                                       TypeName(*id)));
    }
    if (absl::Status s = CheckMembers(*id, "$.artistId", {"from", "attribute"}, problems);
        !s.ok()) {
      return s;
    }
    auto from = id->find("from");
    if (from == id->end() || !from->is_string() ||
        (*from != "partitionKey" && *from != "attribute")) {
      return problems.Error("$.artistId.from", "must be \"partitionKey\" or \"attribute\"");
    }
    if (*from == "partitionKey") {
      if (id->contains("attribute")) {
        return problems.Error("$.artistId.attribute", "only with \"from\": \"attribute\"");
      }
      mapping.id_source_ = IdSource::kPartitionKey;
    } else {
      auto attribute = id->find("attribute");
      if (attribute == id->end()) {
        return problems.Error("$.artistId.attribute",
                              "missing (the attribute holding the artist id, e.g. \"artistId\")");
      }
      absl::StatusOr<std::string> name =
          ParseAttributeName(*attribute, "$.artistId.attribute", problems);
      if (!name.ok()) return name.status();
      mapping.id_source_ = IdSource::kAttribute;
      mapping.id_attribute_ = *name;
    }
  }
  if (mapping.id_source_ == IdSource::kPartitionKey && !mapping.artist_pk_.prefix) {
    return problems.Error(
        "$.artistItems.partitionKey",
        absl::StrCat("the artist id comes from the partition key ($.artistId), so the pattern "
                     "must end in '*' (the id is the part it matches), got '",
                     mapping.artist_pk_.ToString(), "'"));
  }
  if (auto fields = root.find("fields"); fields != root.end()) {
    if (!fields->is_object()) {
      return problems.Error("$.fields", absl::StrCat("must be an object (record field -> "
                                                     "attribute path), got ",
                                                     TypeName(*fields)));
    }
    for (const auto& [target, source] : fields->items()) {
      const std::string path = absl::StrCat("$.fields.", target);
      if (!source.is_string()) {
        return problems.Error(path, absl::StrCat("must be a string (an attribute path such as "
                                                 "\"geo.lat\"), got ",
                                                 TypeName(source)));
      }
      FieldMapping field;
      field.target_name = target;
      field.source_name = source.get<std::string>();
      absl::StatusOr<std::vector<std::string>> target_parts =
          SplitPath(target, path, problems, "field");
      if (!target_parts.ok()) return target_parts.status();
      if (field.source_name.empty()) return problems.Error(path, "must not be empty");
      absl::StatusOr<std::vector<std::string>> source_parts =
          SplitPath(field.source_name, path, problems, "attribute path");
      if (!source_parts.ok()) return source_parts.status();
      const std::string& head = target_parts->front();
      if (head == "artistId") {
        return problems.Error(path, "the artist id is set by $.artistId, not by a field mapping");
      }
      if (target_parts->size() == 1 && !Contains(kTopLevelFields, head)) {
        return problems.Error(
            path, absl::StrCat("unknown record field '", head, "' (see README \"Record format\")"));
      }
      if (target_parts->size() > 2 || (target_parts->size() == 2 && !Contains(kMapFields, head))) {
        return problems.Error(
            path, absl::StrCat("a dotted field must be <map field>.<member>, the map field one "
                               "of ",
                               absl::StrJoin(kMapFields, ", ")));
      }
      field.target = *std::move(target_parts);
      field.source = *std::move(source_parts);
      mapping.fields_.push_back(std::move(field));
    }
  }
  return mapping;
}

ItemKind ItemMapping::Classify(const json& item) const {
  ItemKind kind;
  if (!item.is_object()) return kind;
  std::optional<std::string_view> pk = KeyString(item, partition_key_);
  if (!pk) return kind;
  if (!artist_pk_.Matches(*pk)) {
    kind.kind = ItemKind::Kind::kOther;
    kind.item_type = pk->empty() ? std::string("(empty partition key)") : TypeOfKey(*pk);
    return kind;
  }
  // Every item of a table has its sort key; a record without one comes from
  // a hand-written file, and its partition key decides.
  if (std::optional<std::string_view> sk;
      !sort_key_.empty() && (sk = KeyString(item, sort_key_)).has_value()) {
    for (size_t i = 0; i < artist_sk_.size() && kind.sort_key_rank == 0; ++i) {
      if (artist_sk_[i].Matches(*sk)) kind.sort_key_rank = static_cast<uint32_t>(i + 1);
    }
    if (kind.sort_key_rank == 0) {
      kind.kind = ItemKind::Kind::kOther;
      kind.item_type = absl::StrCat(TypeOfKey(*pk), "/", TypeOfKey(*sk));
      return kind;
    }
  }
  kind.kind = ItemKind::Kind::kArtist;
  if (id_source_ == IdSource::kPartitionKey) kind.artist_id = pk->substr(artist_pk_.text.size());
  return kind;
}

std::string ItemMapping::DescribeRank(uint32_t rank) const {
  if (rank == 0 || rank > artist_sk_.size()) return absl::StrCat("sort-key rank ", rank);
  return absl::StrCat(sort_key_, " ", artist_sk_[rank - 1].ToString());
}

absl::StatusOr<std::string> ItemMapping::ArtistId(const ItemKind& kind, const json* image) const {
  if (id_source_ == IdSource::kPartitionKey) {
    if (kind.artist_id.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(partition_key_, ": no artist id after '", artist_pk_.text, "'"));
    }
    return kind.artist_id;
  }
  if (image == nullptr || !image->is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(id_attribute_, ": missing (no image)"));
  }
  auto it = image->find(id_attribute_);
  if (it == image->end())
    return absl::InvalidArgumentError(absl::StrCat(id_attribute_, ": missing"));
  std::optional<std::string_view> id = KeyString(*image, id_attribute_);
  if (!id) {
    return absl::InvalidArgumentError(
        absl::StrCat(id_attribute_, ": must be a string attribute (S)"));
  }
  if (id->empty()) return absl::InvalidArgumentError(absl::StrCat(id_attribute_, ": empty"));
  return std::string(*id);
}

json ItemMapping::ArtistOverlay(const json& image, const std::string& artist_id,
                                std::vector<std::string>* warnings) const {
  const json absent(json::value_t::discarded);
  json overlay = json::object();
  if (!fields_.empty()) {
    // The members the fields change, copied, then changed as one record:
    // every source is read before any target is written, so mappings that
    // exchange two names read the original values.
    json edited = json::object();
    for (const FieldMapping& field : fields_) {
      const std::string& top = field.target.front();
      if (overlay.contains(top)) continue;
      overlay[top] = absent;
      if (auto it = image.find(top); it != image.end()) edited[top] = *it;
    }
    std::vector<const json*> values;
    values.reserve(fields_.size());
    for (const FieldMapping& field : fields_) values.push_back(Resolve(image, field.source));
    for (const FieldMapping& field : fields_) {
      if (json* parent = TargetParent(edited, field.target, /*create=*/false)) {
        parent->erase(field.target.back());
      }
    }
    for (size_t i = 0; i < fields_.size(); ++i) {
      if (values[i] == nullptr) continue;
      (*TargetParent(edited, fields_[i].target, /*create=*/true))[fields_[i].target.back()] =
          *values[i];
    }
    for (auto it = edited.begin(); it != edited.end(); ++it) overlay[it.key()] = std::move(*it);
  }
  overlay[partition_key_] = absent;
  if (!sort_key_.empty()) overlay[sort_key_] = absent;
  if (!overlay.contains("artistId")) {
    if (std::optional<std::string_view> own = KeyString(image, "artistId");
        own && *own != artist_id && warnings != nullptr) {
      warnings->push_back(absl::StrCat("artistId: '", std::string(own->substr(0, 256)),
                                       "' differs from the item key's id '", artist_id,
                                       "'; the key's id is used"));
    }
  }
  overlay["artistId"] = json{{"S", artist_id}};
  return overlay;
}

json ItemMapping::ArtistAttributes(const json& image, const std::string& artist_id,
                                   std::vector<std::string>* warnings) const {
  json record = image;
  json overlay = ArtistOverlay(image, artist_id, warnings);
  for (auto it = overlay.begin(); it != overlay.end(); ++it) {
    if (it->is_discarded()) {
      record.erase(it.key());
    } else {
      record[it.key()] = std::move(*it);
    }
  }
  return record;
}

std::string ItemMapping::ExplainReason(const std::string& reason) const {
  const size_t colon = reason.find(':');
  if (colon == std::string::npos) return reason;
  const absl::string_view field(reason.data(), colon);
  for (const FieldMapping& mapped : fields_) {
    if (mapped.target_name == field) {
      return absl::StrCat(reason, " (mapped from ", mapped.source_name, ")");
    }
  }
  return reason;
}

absl::StatusOr<ItemMapping> LoadItemMapping(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": cannot read the mapping file: ", std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": cannot read the mapping file"));
  }
  return ItemMapping::Parse(text.str(), path);
}

}  // namespace inkdex::stream
