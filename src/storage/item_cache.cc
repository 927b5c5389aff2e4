// The RocksDB engine's cache of recently read records; see item_cache.h.
#include "storage/item_cache.h"

#include <functional>
#include <utility>

namespace basalt::storage {

ItemCache::ItemCache(size_t capacity_bytes, size_t shards)
    : capacity_(capacity_bytes),
      shard_count_(shards),
      shard_capacity_(capacity_bytes / shards),
      shards_(new Shard[shards]) {}

size_t ItemCache::ShardOf(std::string_view key) const {
  // The high half: the shard maps take the hash modulo their (prime) bucket counts.
  return (std::hash<std::string_view>()(key) >> 32) % shard_count_;
}

bool ItemCache::Lookup(std::string_view key, Record* out, Ticket* ticket) {
  if (!enabled()) return false;
  ticket->shard = ShardOf(key);
  Shard& s = shards_[ticket->shard];
  std::lock_guard lock(s.mu);
  auto it = s.index.find(key);
  if (it == s.index.end()) {
    ++s.misses;
    ticket->epoch = s.epoch;
    return false;
  }
  ++s.hits;
  s.lru.splice(s.lru.begin(), s.lru, it->second);
  *out = it->second->rec;
  return true;
}

void ItemCache::Fill(std::string_view key, const Record& rec, const Ticket& ticket) {
  if (!enabled()) return;
  Shard& s = shards_[ticket.shard];
  std::lock_guard lock(s.mu);
  if (s.epoch != ticket.epoch || s.writing > 0 || s.index.contains(key)) return;
  InsertLocked(s, key, rec);
}

void ItemCache::BeginWrite(std::span<Change> changes) {
  if (!enabled()) return;
  for (Change& c : changes) {
    Shard& s = shards_[ShardOf(c.key)];
    std::lock_guard lock(s.mu);
    ++s.writing;
    ++s.epoch;
    c.all_epoch = s.all_epoch;
    if (auto it = s.index.find(c.key); it != s.index.end()) {
      c.was_cached = true;
      EraseLocked(s, it->second);
    }
  }
}

void ItemCache::EndWrite(std::span<const Change> changes, bool landed) {
  if (!enabled()) return;
  for (const Change& c : changes) {
    Shard& s = shards_[ShardOf(c.key)];
    std::lock_guard lock(s.mu);
    --s.writing;
    ++s.epoch;
    if (landed && c.value && c.was_cached && s.writing_all == 0 && s.all_epoch == c.all_epoch &&
        !s.index.contains(c.key)) {
      InsertLocked(s, c.key, Record{*c.value, c.version});
    }
  }
}

void ItemCache::BeginWriteAll() {
  if (!enabled()) return;
  for (size_t i = 0; i < shard_count_; ++i) {
    Shard& s = shards_[i];
    std::lock_guard lock(s.mu);
    ++s.writing;
    ++s.writing_all;
    ++s.epoch;
    ++s.all_epoch;
    s.index.clear();
    s.lru.clear();
    s.bytes = 0;
  }
}

void ItemCache::EndWriteAll() {
  if (!enabled()) return;
  for (size_t i = 0; i < shard_count_; ++i) {
    Shard& s = shards_[i];
    std::lock_guard lock(s.mu);
    --s.writing;
    --s.writing_all;
    ++s.epoch;
    ++s.all_epoch;
  }
}

void ItemCache::EraseLocked(Shard& s, std::list<Entry>::iterator it) {
  s.bytes -= it->Bytes();
  s.index.erase(it->key);
  s.lru.erase(it);
}

void ItemCache::InsertLocked(Shard& s, std::string_view key, Record rec) {
  Entry e{std::string(key), std::move(rec)};
  const size_t bytes = e.Bytes();
  if (bytes > shard_capacity_) return;
  while (s.bytes + bytes > shard_capacity_) EraseLocked(s, std::prev(s.lru.end()));
  s.lru.push_front(std::move(e));
  s.index.emplace(s.lru.front().key, s.lru.begin());
  s.bytes += bytes;
}

ItemCache::Stats ItemCache::stats() const {
  Stats out;
  for (size_t i = 0; i < shard_count_; ++i) {
    const Shard& s = shards_[i];
    std::lock_guard lock(s.mu);
    out.entries += s.index.size();
    out.bytes += s.bytes;
    out.hits += s.hits;
    out.misses += s.misses;
  }
  return out;
}

std::string ItemCache::Render() const {
  std::string out;
  for (size_t i = 0; i < shard_count_; ++i) {
    const Shard& s = shards_[i];
    std::lock_guard lock(s.mu);
    if (s.lru.empty()) continue;
    if (!out.empty()) out += ' ';
    out += '[';
    for (const Entry& e : s.lru) {
      if (out.back() != '[') out += ' ';
      out += e.key + "=" + e.rec.value + "@" + std::to_string(e.rec.version);
    }
    out += ']';
  }
  return out;
}

}  // namespace basalt::storage
