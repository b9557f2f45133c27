// Index: an inkdex index directory, opened for reading and writing.
//
// An index directory holds two stores:
//   docs/   RocksDB: the canonical documents with their versions, tombstones
//           of deletes, the commit log and caller metadata (checkpoints).
//   text/   Xapian: the searchable index (text terms, style and S2 cell
//           terms, sort values), derived from docs/.
// RocksDB is the source of truth. A commit is written to RocksDB first (one
// synced atomic write batch), then to Xapian; on open, any commit that reached
// RocksDB but not Xapian is re-applied, so a crash (kill -9) at any point
// leaves the index equal to the last committed state (a text/ that the
// commit log cannot bring up to date, say lost or restored from an old copy,
// is rebuilt from docs/ instead). Xapian's own commits
// are not fsynced (on Linux): a clean close syncs them, and an open after the
// machine restarted with unsynced Xapian commits rebuilds text/ from docs/
// (seconds per 100,000 artists) before it returns (the running kernel's boot
// id, recorded in docs/ with the first unsynced commit, tells the two apart).
//
// Versions: every change carries a version. An upsert or delete applies only
// when its version is greater than the version stored for that id (a live
// document or a tombstone). So an older change never overwrites a newer one,
// a newer delete wins over an older upsert, and replaying a change is
// harmless (it is reported stale).
//
// A version is either a number (uint64 `version`, > 0) or a stream sequence
// number (`stream_sequence`: the decimal SequenceNumber of a DynamoDB stream
// record, 1..40 digits, too long for 64 bits). The order: any stream version
// outranks any numeric version (so a stream replayed over a bootstrap scan
// always wins), and stream versions compare as unsigned decimal numbers
// (leading zeros ignored).
//
// Source ranks: several table items may map to one artist (an artist item
// under SK METADATA and an older one under PROFILE). A change may carry the
// rank of its item (Artist.source_rank, Change::source_rank; 1 outranks 2;
// 0 = unranked). For ranked changes of an artist whose document is ranked,
// the index keeps each item's latest state (its image or a tombstone, at
// its version) and serves the highest-ranked live item
// (lib/src/index/item_states.h has the rules and a table of the cases):
//   - versions are compared per item only (an item's change is stale when
//     not newer than that item's kept state), so each item's changes are
//     idempotent and ordered on their own, whatever the other item's
//     sequence numbers;
//   - a change of a lower-ranked item while a higher-ranked live item is
//     served is kept as its item's state but is not served: it is reported
//     kStale with ChangeResult::outranked_by naming the served rank (a
//     stale change with outranked_by 0 was not kept: older than its item's
//     state);
//   - a change of a higher-ranked item replaces the document (the replaced
//     item's image is kept);
//   - a delete of the served item serves the next live item's kept image,
//     at that item's version and rank, exactly as an upsert of it would;
//     with none live, the artist is deleted (a tombstone). The deleted
//     item's tombstone is kept, so its older changes replayed later stay
//     stale.
// The kept states are stored in the same commit as the documents, survive
// a crash, and are forgotten with the artist's tombstone (PurgeTombstones).
// An unranked change (the CLI, UpsertArtists, JSON Lines builds) or a
// document stored unranked (before ranks existed) compares by version
// only, as without ranks; an unranked change that applies replaces the
// artist whole and drops its items' kept states. An index written before
// items' states were kept knows none: a lower-ranked item's earlier
// changes count from its next change on.
//
// Thread safety: Search, Suggest, Get, Stats and Verify may be called from
// any number of threads concurrently with each other and with Apply. Apply
// calls are serialized internally, and with Verify (which holds writes off
// while it checks one commit). A search sees exactly one commit (all of it)
// and never waits for a writer.
//
// Example:
//   auto index = inkdex::Index::Open("/var/lib/inkdex", {});
//   inkdex::WriteBatch batch;
//   batch.Upsert(artist);  // artist.version() set by the caller
//   auto results = (*index)->Apply(batch);
//   inkdex::SearchRequest q;
//   q.point = inkdex::GeoPoint{53.7997, -1.5492};
//   q.radius_km = 5;
//   q.styles = {"fine line"};
//   absl::StatusOr<inkdex::SearchResponse> r = (*index)->Search(q);
#ifndef INKDEX_INDEX_H_
#define INKDEX_INDEX_H_

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "inkdex/artist.pb.h"
#include "inkdex/query.h"
#include "inkdex/taxonomy.h"

namespace inkdex {

// IndexOptions::min_free_disk_bytes by default; the server's and the build's
// --min-free-disk-mb default to it too.
inline constexpr uint64_t kDefaultMinFreeDiskBytes = uint64_t{128} << 20;

struct SlotLayout;  // below: Index::MeasureSlotLayout

struct IndexOptions {
  bool create_if_missing = true;
  // Refuse to open when the directory holds no index (for readers and tools).
  bool error_if_missing = false;
  // A taxonomy file in data/styles.tsv format; empty = the built-in one.
  std::string taxonomy_path;
  // Make each commit durable: RocksDB's WAL is synced per commit; Xapian is
  // synced at a clean close and rebuilt after a machine restart (above). Turn
  // off only for offline builds that are verified and renamed into place
  // afterwards.
  bool sync = true;
  // RocksDB block cache for documents, bytes.
  size_t document_cache_bytes = 64 << 20;
  // Discard the search index (text/) at open and rebuild it from the stored
  // documents before Open returns (`inkdex repair`): for a search index that
  // Verify finds out of step with the documents, or one ahead of them (Open
  // refuses that with DATA_LOSS). Costs about what `inkdex build` does.
  bool rebuild_search_index = false;
  // With the rebuild, also give every artist a new slot (its row and its
  // search document number) in the S2 cell order of its primary location,
  // as `inkdex build` does (`inkdex repair` by default). New artists get
  // the next free slot and moved ones keep theirs, so an index fed for long
  // by a stream slowly loses that order, and text-in-region searches slow
  // down with it (at 1,000,000 artists after 150,000 moves: ~3.5 times as
  // long; bench/RESULTS.md). Costs a rewrite of every stored document on
  // top of the rebuild. An open interrupted during it (a crash, a cancel)
  // leaves the index to be renumbered by the next open, whatever its
  // options. Implies rebuild_search_index.
  bool renumber_slots = false;
  // Renumber the slots as above when the open finds them drifted this far
  // or further (Index::MeasureSlotLayout's SlotLayout::Drift, measured
  // after the load): for servers that restart now and then, so that the
  // layout mends itself. The open then loads the snapshot twice and costs
  // about a build more. 0: never (the default). In (0, 1].
  double renumber_slots_at_drift = 0;
  // Called (on Open's thread) with the layout found, just before an open
  // renumbers because of renumber_slots_at_drift: for a server's log, so
  // that a start a build longer than usual says why. Like `cancelled`, only
  // Open calls it. Empty: not called.
  std::function<void(const SlotLayout&)> on_renumber_slots;
  // Every commit (Apply, PurgeTombstones) first checks that the index's
  // volume has at least this much available, else fails with
  // RESOURCE_EXHAUSTED and writes nothing: a commit that runs the disk out of
  // space can take the process down (Xapian) and leaves RocksDB refusing
  // writes until 64 MiB are free again. 0: no check.
  uint64_t min_free_disk_bytes = kDefaultMinFreeDiskBytes;
  // For bulk loads (`inkdex build`, a server's load from the table):
  // commits update the document store and the in-memory snapshot, and hand
  // their new artists' documents to background writers (one per core, each
  // into a Xapian database of its own) instead of the search index's single
  // writer; Index::BuildDeferredSearchIndex merges them into the search
  // index. Until then text queries and Verify fail with FAILED_PRECONDITION
  // (geo, style and filter queries, Get and Suggest work). A commit that
  // changes an artist already loaded (or reuses a purged slot) stops the
  // hand-over, and the build then re-indexes every stored document instead
  // (as slow as a single writer). A process that stops before the build
  // leaves a search index behind the store, which the next open brings up
  // to date (as after a crash). Memory: ~1.3 KB per artist waiting to be
  // written, at most (3 x writers + 1) x 20,000 of them (140,000 on 2 cores).
  bool defer_search_index = false;
  // Polled while Open reads the stored records into memory (between runs of
  // ~1,000) and while it rebuilds the search index (as
  // BuildSearchIndexOptions::cancelled): once it returns true, Open stops
  // with CANCELLED and leaves the directory as a crash at that point would
  // (the next open starts its work again; nothing committed is lost). For a
  // server that must stop, or a swap whose caller went away, while a large
  // index opens (~3-6 s per 1,000,000 artists, a minute or more with a
  // rebuild). Only Open calls it: the index keeps no copy, so it may refer
  // to things that end when Open returns. Empty: Open never stops early.
  std::function<bool()> cancelled;
};

// One change to apply: an upsert of a whole artist or a delete of an id.
struct Change {
  enum class Kind { kUpsert, kDelete };
  Kind kind = Kind::kUpsert;
  // kUpsert: the document; artist.version() or, when set,
  // artist.stream_sequence() is the version.
  Artist artist;
  std::string id;               // kDelete: the artist id
  uint64_t version = 0;         // kDelete: the numeric version
  std::string stream_sequence;  // kDelete: the stream version; when set, `version` is ignored
  uint32_t source_rank = 0;     // kDelete: the deleted item's source rank (see "Source ranks")
};

// A set of changes applied as one atomic commit, plus caller metadata
// (for example stream checkpoints) committed atomically with them.
class WriteBatch {
 public:
  void Upsert(Artist artist);
  void Delete(std::string id, uint64_t version);
  // A delete whose version is a stream sequence number (see "Versions").
  // `source_rank`: the deleted item's (see "Source ranks"); 0: unranked.
  void DeleteAtStreamSequence(std::string id, std::string stream_sequence,
                              uint32_t source_rank = 0);
  // Stores `value` under `key` (caller metadata, see Index::GetMetadata) in
  // the same commit; an empty value deletes the key. Keys are at most 1 KiB.
  void PutMetadata(std::string key, std::string value);
  // Appends a copy of every change and metadata entry of `other`, whole
  // (stream sequences and source ranks included), after this batch's own:
  // applying the result is applying this batch, then `other`, in one commit.
  // `other` may be this batch (which then holds its changes twice).
  void Append(const WriteBatch& other);

  const std::vector<Change>& changes() const { return changes_; }
  const std::vector<std::pair<std::string, std::string>>& metadata() const { return metadata_; }
  size_t size() const { return changes_.size(); }
  bool empty() const { return changes_.empty() && metadata_.empty(); }
  void Clear();

 private:
  std::vector<Change> changes_;
  std::vector<std::pair<std::string, std::string>> metadata_;
};

struct ChangeResult {
  enum class Outcome { kApplied, kStale, kRejected };
  Outcome outcome = Outcome::kApplied;
  std::string reason;  // kStale/kRejected: why ("version 3 <= stored 5", "latitude: ...")
  // kStale by source rank: the rank of the served item, which outranks the
  // change's; the change was kept as its item's latest state and is served
  // if the items above it are deleted (see "Source ranks"). 0 otherwise.
  uint32_t outranked_by = 0;
};

struct IndexStats {
  uint64_t documents = 0;   // live documents in the store (including opted-out/inactive)
  uint64_t searchable = 0;  // of which searchable
  uint64_t tombstones = 0;
  // Artists (documents or tombstones) with kept states of other table items
  // than the one they serve (see "Source ranks"); not documents themselves.
  uint64_t item_states = 0;
  uint64_t commit_seq = 0;  // sequence number of the last commit
  int64_t last_commit_unix_micros = 0;
  uint64_t disk_bytes = 0;  // both stores
  // In-memory search structures: rows, cell indexes, suggest indexes and
  // interned strings (locations, studios, currencies; unused ones too, up
  // to about as many as are used plus 65,536: then the index lets them go).
  uint64_t memory_bytes = 0;
  // Available on the index's volume (statvfs; 0 when it cannot be read).
  // Commits are refused under IndexOptions::min_free_disk_bytes.
  uint64_t disk_free_bytes = 0;
};

// Index::MeasureSlotLayout: how closely the slots (each artist's row and
// search document number) follow the S2 cell order of the searchable
// artists' primary locations, which a build and a renumbering
// (IndexOptions::renumber_slots, `inkdex repair`) give them and new and
// moved artists wear away.
struct SlotLayout {
  uint64_t artists = 0;  // searchable artists measured
  // Neighbours in cell order whose slots are not near each other (more than
  // 64 apart, or in reverse): 0 after a build or a renumbering; each artist
  // added or moved since adds about two.
  uint64_t breaks = 0;
  // breaks / (2 * artists), at most 1: about the share of artists out of
  // place. At 1,000,000 artists, text-in-region searches took 3.6 times as
  // long at 0.15 as at 0 (bench/RESULTS.md "Fortieth session").
  double Drift() const {
    return artists == 0 ? 0.0 : std::min(1.0, static_cast<double>(breaks) / (2.0 * artists));
  }
};

// Index::PurgeTombstones: which tombstones to forget.
struct TombstonePurgeOptions {
  // Tombstones of deletes committed before this time are forgotten.
  absl::Time deleted_before = absl::InfinitePast();
  // At most this many records are written per call (one commit, holding the
  // writer meanwhile); TombstonePurge::more says whether to call again.
  // REQUIRES: > 0.
  size_t max_records = 100000;
};

struct TombstonePurge {
  uint64_t purged = 0;  // tombstones forgotten: their ids and slots are free
  // Tombstones stored without a deletion time (before inkdex recorded one),
  // now given this call's time: they expire a horizon from now.
  uint64_t dated = 0;
  uint64_t remaining = 0;   // tombstones still held after this call
  bool more = false;        // stopped at max_records; call again for the rest
  uint64_t commit_seq = 0;  // the index's commit sequence afterwards
};

// Index::Verify: how to stop it early.
struct VerifyOptions {
  // Polled between runs of ~1,000 documents; once it returns true, Verify
  // stops with CANCELLED (a caller that went away, a server draining).
  // Empty: never stops early.
  std::function<bool()> cancelled;
  // Also rebuilds every searchable artist's search document from its stored
  // record and checks that the search index's posting lists, document
  // lengths and phrase texts are exactly that document's. Without it the
  // search index is checked by the content hash each document carries,
  // which a damaged posting list does not change. Cost: ~25 s more per
  // 1,000,000 artists on 2 cores (~15 us an artist to rebuild, plus a read
  // of every posting), during which writes wait.
  bool check_postings = false;
};

struct BuildSearchIndexOptions {
  // Polled between parts of ~1,000 documents (and between runs of the
  // stored records a re-index reads); once it returns true the build stops
  // with CANCELLED, as a failed build does: commits stay deferred (a server
  // draining, a caller that went away). A merge already started (~3.5 s per
  // 1,000,000 documents) is finished first. Empty: never stops early.
  std::function<bool()> cancelled;
};

// Index::PrefetchSearchIndex: how much to read, and how to stop it early.
struct PrefetchOptions {
  // At most this many bytes are read; 0 reads nothing.
  uint64_t max_bytes = UINT64_MAX;
  // Polled between reads of 4 MiB; once it returns true, the prefetch stops
  // with CANCELLED (what was read stays cached). Empty: never stops early.
  std::function<bool()> cancelled;
};

struct PrefetchReport {
  uint64_t bytes_read = 0;
  uint64_t search_index_bytes = 0;  // the size of the search index's files
  uint64_t files = 0;               // files read, wholly or in part
};

struct VerifyReport {
  uint64_t commit_seq = 0;  // the commit checked
  // Stored records checked: documents (searchable or hidden) and the
  // tombstones of deleted artists, which IndexStats counts apart.
  uint64_t documents_checked = 0;
  uint64_t tombstones_checked = 0;    // of documents_checked
  uint64_t searchable_checked = 0;    // of documents_checked: live and visible
  uint64_t postings_checked = 0;      // with check_postings: every posting read
  std::vector<std::string> problems;  // empty: store and search index agree
  bool ok() const { return problems.empty(); }
};

class Index {
 public:
  // Opens or creates the index in `dir`. Recovers from a crash (see above).
  // Cost: reads every stored record into the in-memory snapshot, ~3 s per
  // 1,000,000 artists on a 2-core machine (more when text/ is rebuilt);
  // IndexOptions::cancelled stops it early.
  // FAILED_PRECONDITION "index: 'DIR' is open for writing in another
  // process" (or "in this process already") when another Index holds it.
  static absl::StatusOr<std::unique_ptr<Index>> Open(const std::string& dir,
                                                     const IndexOptions& options = {});
  virtual ~Index() = default;

  // Applies `batch` as one commit. Returns one result per change, in order;
  // a rejected or stale change does not fail the batch. A non-OK status means
  // nothing of the batch was committed (I/O failure), and the index stays
  // usable. Cost per change: a numeric unranked change of a known id is
  // judged by the in-memory row; a stream version or a ranked change reads
  // the stored record (one RocksDB get), and a ranked change of an artist
  // with kept item states reads those too (a second get).
  virtual absl::StatusOr<std::vector<ChangeResult>> Apply(const WriteBatch& batch) = 0;

  virtual absl::StatusOr<SearchResponse> Search(const SearchRequest& request) const = 0;
  virtual absl::StatusOr<std::vector<Suggestion>> Suggest(const SuggestRequest& request) const = 0;

  // The stored document. NOT_FOUND for an unknown or deleted id, and for an
  // artist who is hidden: opted out or inactive (unless include_hidden).
  virtual absl::StatusOr<Artist> Get(const std::string& id, bool include_hidden = false) const = 0;

  // Calls fn with every stored artist, in id order, as Get returns them (with
  // the version or stream sequence number): deleted ids never, hidden ones
  // (opted out, inactive) only with include_hidden. One consistent view: the
  // store as it was at the call, whatever commits meanwhile. Stops at fn's
  // first non-OK status and returns it. fn runs on the calling thread;
  // writes and searches go on meanwhile.
  // Cost: reads and parses every stored record, on a helper thread while fn
  // runs; `inkdex export` (which writes JSON Lines of what it yields) takes
  // ~6 s at 1,000,000 artists beyond opening the index.
  virtual absl::Status ForEachArtist(const std::function<absl::Status(const Artist&)>& fn,
                                     bool include_hidden) const = 0;

  // Caller metadata stored with WriteBatch::PutMetadata; nullopt if never set.
  virtual absl::StatusOr<std::optional<std::string>> GetMetadata(const std::string& key) const = 0;
  virtual absl::StatusOr<std::map<std::string, std::string>> ListMetadata(
      const std::string& prefix) const = 0;

  // Live searchable artists per style id (for listing the taxonomy).
  virtual std::vector<int64_t> StyleCounts() const = 0;

  virtual IndexStats Stats() const = 0;

  // Measures the slot layout of the current commit (SlotLayout). Cost: a
  // pass over every artist's cell entry and row, tens of milliseconds at
  // 1,000,000 artists: for a monitor's minute, not for every request.
  virtual absl::StatusOr<SlotLayout> MeasureSlotLayout() const = 0;

  // Forgets the tombstones of deletes committed before
  // `options.deleted_before`: the id's version and its slot (the row the
  // in-memory snapshot and Xapian keep per id) are freed, and a new artist
  // may reuse the slot. Without purging, every id ever deleted costs a row
  // (~200 bytes of memory) and a stored record forever.
  //
  // The cost of forgetting: a change of a purged id is then judged against
  // nothing, so an upsert older than the delete, arriving after the purge,
  // brings the artist back. Choose a horizon longer than any change can be
  // delayed or replayed: a DynamoDB stream keeps records 24 hours (a Lambda
  // retrying a batch stops there too); inkdex-server's default is 7 days.
  //
  // An artist's kept item states (see "Source ranks") are forgotten with
  // its tombstone; a live artist keeps them.
  //
  // One commit (like Apply, serialized with it); searches are unaffected
  // (tombstones are never returned). Cost: a stored-record read per
  // tombstone plus copying the row pages the purged rows sit on (tombstones
  // are taken in slot order, so a batch's rows share pages): at 1,000,000
  // artists ~15 ms for 1,000 tombstones scattered over the index and ~90 ms
  // for 10,000 (bench/stream/apply_bench.cc, purge_tombstones); nothing to
  // purge costs ~1 us.
  // Tombstones stored before deletion times were recorded are dated now,
  // not purged (see TombstonePurge::dated).
  virtual absl::StatusOr<TombstonePurge> PurgeTombstones(const TombstonePurgeOptions& options) = 0;

  // Writes a new index directory at `dir` holding this index's document
  // store as of the last commit (a RocksDB checkpoint: its table files are
  // hard links to this index's where the volume allows, so it costs a flush
  // of the store's write buffer and little space until the two diverge),
  // and no search index: Open(dir) rebuilds that from the documents, and
  // with IndexOptions::renumber_slots lays the slots out afresh. For a
  // server that renumbers its index while serving it: copy, open the copy
  // renumbered, re-apply the commits made since (by their versions they
  // apply to the copy exactly as they did here), then serve the copy.
  // Returns the commit sequence number the copy holds (IndexStats
  // commit_seq). Serialized with Apply; searches go on. `dir` must not
  // exist (INVALID_ARGUMENT); its parent must. On failure no copy is left.
  virtual absl::StatusOr<uint64_t> CopyDocumentStore(const std::string& dir) const = 0;

  // Cross-checks the document store against the search index: every
  // searchable document indexed once with its version, nothing else indexed;
  // the in-memory snapshot against both (rows, counts, the names
  // completion offers); and the kept item states (see "Source ranks")
  // against their documents: each belongs to a stored, ranked record that
  // says it has them, and none would be served instead of it. Cost: reads
  // every document and every kept item state, the store in id order and the
  // search index in docid order; O(n) time and ~60 bytes an artist of
  // memory: ~3 s at 1,000,000 artists on a 2-core machine.
  // It checks one commit: Apply, PurgeTombstones and other Verify calls wait
  // until it returns (searches and reads go on). problems holds at most
  // 1,000.
  virtual absl::StatusOr<VerifyReport> Verify(const VerifyOptions& options = {}) const = 0;

  // Reads the search index's files into the operating system's page cache,
  // the posting lists first, so that the first searches after a start on a
  // cold machine, or after an index swap, do not wait for the disk: on the
  // 1,000,000-artist benchmark index, the first 5 s of 3,000 searches/s had
  // a median p99 of 19 ms (and refused calls) cold against 8 ms with this
  // done first (bench/RESULTS.md, "Twenty-eighth session"). Nothing is held
  // in the process's memory: the kernel may evict the pages again under
  // memory pressure, so keep max_bytes well under the memory the machine
  // has free. Cost: the bytes read, through one 4 MiB buffer (0.73 GB at
  // 1,000,000 artists, 1.2-1.5 s from this machine's disk). Safe beside
  // searches and writes; a file that disappears meanwhile (a rebuild) is
  // skipped.
  virtual absl::StatusOr<PrefetchReport> PrefetchSearchIndex(
      const PrefetchOptions& options = {}) const = 0;

  // Completes the search index that IndexOptions::defer_search_index held
  // back: waits for the background writers and merges their databases (and
  // the search index's own documents) with Xapian's compactor, or, when a
  // commit stopped the hand-over, re-indexes every stored document.
  // Afterwards text queries and Verify work and commits index as usual. OK
  // at once when no commit was deferred. On failure (CANCELLED included:
  // BuildSearchIndexOptions::cancelled) nothing is lost: commits stay
  // deferred, and a later call (or the next open) indexes them again from
  // the stored documents. Serialized with Apply. Cost at 1,000,000 artists
  // on a 2-core machine: ~12 s after the last commit of a load (the
  // writers' backlog, then ~3.5 s of merging); a re-index ~50 s
  // (bench/ANALYSIS.md "Build: writers beside the load", "Rebuilds by the
  // parallel writers").
  virtual absl::Status BuildDeferredSearchIndex(const BuildSearchIndexOptions& options = {}) = 0;

  virtual const StyleTaxonomy& taxonomy() const = 0;
};

}  // namespace inkdex

#endif  // INKDEX_INDEX_H_
