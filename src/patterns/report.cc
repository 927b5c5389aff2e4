#include "patterns/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

namespace basalt::patterns {
namespace {

constexpr double kHotShare = 0.10;           // a key with a tenth of a table's requests
constexpr double kHotMinRequests = 100;      // ... once there are enough to tell
constexpr double kFilterRatio = 10;          // the method: filtering out more than 90%
constexpr double kMonotonicShare = 0.9;
constexpr uint64_t kMonotonicMinWrites = 20;
constexpr double kLargeItemBytes = 300 * 1024;  // the method: "approaching 300KB creates risk"

bool Transactional(Op op) {
  return op == Op::kTransactWriteItems || op == Op::kTransactGetItems || op == Op::kExecuteTransaction;
}

std::string Join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += sep;
    out += v[i];
  }
  return out;
}

std::string Percent(double share) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", share * 100);
  return buf;
}

std::string Display(const std::string& key) {
  std::string out;
  for (char c : key) out.push_back(c == '\0' ? '|' : c);  // partition + sort keys are NUL-joined
  return out;
}

const double* FindCount(const std::vector<HeavyHitter>& hs, const std::string& key) {
  for (const HeavyHitter& h : hs) {
    if (h.key == key) return &h.count;
  }
  return nullptr;
}

struct Builder {
  const RecorderSnapshot& snap;
  const std::vector<TableInfo>& infos;
  const ReportOptions& opt;
  Report r;

  double PerSecond(double total) const { return r.window_seconds > 0 ? total / r.window_seconds : 0; }

  void Patterns() {
    double first = snap.started_at, last = 0;
    for (const PatternStats& p : snap.patterns) {
      last = std::max(last, p.last_seen);
      if (first == 0 || (p.first_seen > 0 && p.first_seen < first)) first = p.first_seen;
    }
    r.started_at = first;
    r.window_seconds = snap.patterns.empty() ? 0 : std::floor(last) - std::floor(first) + 1;
    int n = 0;
    for (const PatternStats& p : snap.patterns) {
      PatternRow row;
      row.id = "AP" + std::to_string(++n);
      row.stats = p;
      row.avg_rps = PerSecond(static_cast<double>(p.count));
      row.avg_rcu = PerSecond(p.rcu);
      row.avg_wcu = PerSecond(p.wcu);
      row.monthly_cost = OnDemandReadMonthly(row.avg_rcu, opt.prices) + OnDemandWriteMonthly(row.avg_wcu, opt.prices);
      row.transactional = Transactional(p.op);
      r.patterns.push_back(std::move(row));
    }
  }

  TableRow Row(const TableInfo& t, const IndexInfo* idx) {
    TableRow row;
    row.name = t.name;
    row.on_demand = t.on_demand;
    if (idx) {
      row.index = idx->name;
      row.pk = idx->pk;
      row.sk = idx->sk;
      row.projection = idx->projection;
      row.non_key_attributes = idx->non_key_attributes;
      row.global = idx->global;
      row.item_count = idx->item_count;
      row.size_bytes = idx->size_bytes;
    } else {
      row.pk = t.pk;
      row.sk = t.sk;
      row.item_count = t.item_count;
      row.size_bytes = t.size_bytes;
      row.collections = t.collections;
    }
    // Units: what each pattern consumed here; the peak from the per-second
    // counts, each second's requests at the pattern's average units.
    std::map<int64_t, std::pair<double, double>> units_at;  // second -> (rcu, wcu)
    std::map<int64_t, std::pair<double, double>> requests_at;
    double read = 0, write = 0, peak_r = 0, peak_w = 0;
    for (const PatternRow& pr : r.patterns) {
      const PatternStats& p = pr.stats;
      bool touches = false;
      double pr_read = 0, pr_write = 0;
      for (const TargetUnits& tu : p.targets) {
        if (tu.table != row.name || tu.index != row.index) continue;
        touches = true;
        pr_read += tu.read;
        pr_write += tu.write;
      }
      bool names_it = p.table == row.name && p.index == row.index;
      if (!touches && !names_it) continue;
      row.patterns.push_back(pr.id);
      if (names_it) {
        auto add = [](std::vector<std::string>* into, const std::vector<std::string>& from) {
          for (const std::string& a : from) {
            if (std::find(into->begin(), into->end(), a) == into->end()) into->push_back(a);
          }
        };
        add(&row.attributes_read, p.attributes.read);
        add(&row.attributes_written, p.attributes.written);
        add(&row.attributes_filtered, p.attributes.filtered);
        row.all_read = row.all_read || p.attributes.all_read;
      }
      read += pr_read;
      write += pr_write;
      if (p.count == 0) continue;
      double r_per = pr_read / static_cast<double>(p.count), w_per = pr_write / static_cast<double>(p.count);
      peak_r = std::max(peak_r, static_cast<double>(p.peak_rps) * r_per);
      peak_w = std::max(peak_w, static_cast<double>(p.peak_rps) * w_per);
      auto secs = snap.seconds.find(p.hash);
      if (secs == snap.seconds.end()) continue;
      bool reads = IsRead(p.op) || (p.op == Op::kExecuteStatement && p.wcu == 0);
      for (const auto& [sec, count] : secs->second) {
        units_at[sec].first += static_cast<double>(count) * r_per;
        units_at[sec].second += static_cast<double>(count) * w_per;
        (reads ? requests_at[sec].first : requests_at[sec].second) += static_cast<double>(count);
      }
    }
    for (auto* v : {&row.attributes_read, &row.attributes_written, &row.attributes_filtered}) {
      std::sort(v->begin(), v->end());
    }
    for (const auto& [sec, u] : units_at) {
      peak_r = std::max(peak_r, u.first);
      peak_w = std::max(peak_w, u.second);
    }
    for (const auto& [sec, q] : requests_at) row.per_second.push_back(SecondRow{sec, q.first, q.second});
    row.avg_rcu = PerSecond(read);
    row.avg_wcu = PerSecond(write);
    row.peak_rcu = peak_r;
    row.peak_wcu = peak_w;
    row.read_cost = OnDemandReadMonthly(row.avg_rcu, opt.prices);
    row.write_cost = OnDemandWriteMonthly(row.avg_wcu, opt.prices);
    row.storage_cost = StorageMonthly(static_cast<double>(row.size_bytes), opt.prices);
    row.total_cost = row.read_cost + row.write_cost + row.storage_cost;
    row.provisioned_cost = ProvisionedReadMonthly(peak_r, opt.prices) + ProvisionedWriteMonthly(peak_w, opt.prices) +
                           row.storage_cost;
    for (const KeyHeatStats& h : snap.heat) {
      if (h.table != row.name || h.index != row.index) continue;
      row.key_requests = h.total_requests;
      for (size_t i = 0; i < h.requests.size() && i < 10; ++i) {
        const HeavyHitter& k = h.requests[i];
        HotKey hk;
        hk.key = k.key;
        hk.rps = PerSecond(k.count);
        const double* ru = FindCount(h.read_units, k.key);
        const double* wu = FindCount(h.write_units, k.key);
        hk.rcu_per_s = PerSecond(ru ? *ru : 0);
        hk.wcu_per_s = PerSecond(wu ? *wu : 0);
        hk.share = h.total_requests > 0 ? k.count / h.total_requests : 0;
        row.hot_keys.push_back(std::move(hk));
      }
    }
    return row;
  }

  void Tables() {
    std::vector<const TableInfo*> sorted;
    for (const TableInfo& t : infos) sorted.push_back(&t);
    std::sort(sorted.begin(), sorted.end(), [](const TableInfo* a, const TableInfo* b) { return a->name < b->name; });
    for (const TableInfo* t : sorted) {
      r.tables.push_back(Row(*t, nullptr));
      std::vector<const IndexInfo*> idx;
      for (const IndexInfo& i : t->indexes) idx.push_back(&i);
      std::sort(idx.begin(), idx.end(), [](const IndexInfo* a, const IndexInfo* b) { return a->name < b->name; });
      for (const IndexInfo* i : idx) r.tables.push_back(Row(*t, i));
    }
    for (const TableRow& row : r.tables) r.total_cost += row.total_cost;
  }

  void Add(std::string kind, const std::string& table, const std::string& index, std::string text) {
    r.findings.push_back(Finding{std::move(kind), table, index, std::move(text)});
  }

  const TableRow* RowOf(const std::string& table, const std::string& index) const {
    for (const TableRow& row : r.tables) {
      if (row.name == table && row.index == index) return &row;
    }
    return nullptr;
  }

  void Scans() {
    for (const PatternRow& pr : r.patterns) {
      const PatternStats& p = pr.stats;
      if ((p.op != Op::kScan && p.op != Op::kQuery) || !p.has_filter || p.scanned < kFilterRatio) continue;
      double ratio = static_cast<double>(p.scanned) / static_cast<double>(std::max<uint64_t>(p.returned, 1));
      if (ratio < kFilterRatio) continue;
      double kept = p.scanned > 0 ? static_cast<double>(p.returned) / static_cast<double>(p.scanned) : 0;
      std::string on = p.attributes.filtered.empty() ? "the filtered attribute" : Join(p.attributes.filtered);
      Add("scan_should_be_query", p.table, p.index,
          pr.id + " (" + p.shape + ") read " + FormatCount(static_cast<double>(p.scanned)) + " items to return " +
              FormatCount(static_cast<double>(p.returned)) + " in " + FormatCount(static_cast<double>(p.count)) +
              " requests (ScannedCount/Count = " + FormatRate(ratio) + "): it filters out " + Percent(1 - kept) +
              " of what it reads and consumed " + FormatRate(p.rcu) + " RCU (" + FormatUsd(pr.monthly_cost) +
              "/month at the average rate). " +
              (p.op == Op::kScan ? "Query a key that holds these items, or a sparse GSI keyed on " + on
                                 : "Put " + on + " in the sort key, or query a sparse GSI keyed on it") +
              ", so that only the " + FormatCount(static_cast<double>(p.returned)) + " matching items are read (about " +
              FormatUsd(pr.monthly_cost * kept) + "/month).");
    }
  }

  void Indexes() {
    for (const TableRow& row : r.tables) {
      if (row.index.empty()) continue;
      std::vector<const PatternRow*> reads;
      bool all_read = false;
      std::set<std::string> asked;
      for (const PatternRow& pr : r.patterns) {
        if (pr.stats.table != row.name || pr.stats.index != row.index || !IsRead(pr.stats.op)) continue;
        reads.push_back(&pr);
        all_read = all_read || pr.stats.attributes.all_read;
        for (const std::string& a : pr.stats.attributes.read) asked.insert(a);
      }
      const std::string what = (row.global ? "GSI " : "LSI ") + row.index + " of " + row.name;
      const std::string costs = "it holds " + FormatCount(static_cast<double>(row.item_count)) + " items in " +
                                FormatBytes(static_cast<double>(row.size_bytes)) + " (" + FormatUsd(row.storage_cost) +
                                "/month) and its upkeep took " + FormatRate(row.avg_wcu) + " WCU/s on average (" +
                                FormatUsd(row.write_cost) + "/month)";
      if (reads.empty()) {
        Add("gsi_never_read", row.name, row.index,
            what + " was never read (no Query or Scan named it) yet " + costs +
                ". Drop it, or serve its pattern from the table's own key (an identifying relationship).");
        continue;
      }
      if (all_read || row.projection == "KEYS_ONLY") continue;
      const TableRow* base = RowOf(row.name, "");
      std::set<std::string> needed(asked.begin(), asked.end());
      for (const std::string* k : {&row.pk, &row.sk}) {
        if (!k->empty()) needed.insert(*k);
      }
      if (base) {
        if (!base->pk.empty()) needed.insert(base->pk);
        if (!base->sk.empty()) needed.insert(base->sk);
      }
      std::set<std::string> projected;
      if (row.projection == "INCLUDE") {
        projected.insert(row.non_key_attributes.begin(), row.non_key_attributes.end());
      } else {  // ALL: every attribute written to the table
        for (const PatternRow& pr : r.patterns) {
          if (pr.stats.table != row.name) continue;
          projected.insert(pr.stats.attributes.written.begin(), pr.stats.attributes.written.end());
        }
      }
      std::vector<std::string> extra;
      for (const std::string& a : projected) {
        if (!needed.count(a)) extra.push_back(a);
      }
      if (extra.empty()) continue;
      std::vector<std::string> ids, asked_list(asked.begin(), asked.end());
      for (const PatternRow* pr : reads) ids.push_back(pr->id);
      Add("gsi_over_projected", row.name, row.index,
          what + " projects " + row.projection + " but its reads (" + Join(ids) + ") ask only for " +
              (asked_list.empty() ? std::string("its keys") : Join(asked_list)) + ": " +
              FormatCount(static_cast<double>(extra.size())) + " attributes (" + Join(extra) +
              ") are copied into it on every write for nothing; " + costs + ". Project " +
              (asked_list.empty() ? std::string("KEYS_ONLY") : "INCLUDE (" + Join(asked_list) + ")") + ".");
    }
  }

  void Heat() {
    for (const TableRow& row : r.tables) {
      if (row.hot_keys.empty()) continue;
      const HotKey& k = row.hot_keys[0];
      double load = PartitionLoad(k.rcu_per_s, k.wcu_per_s);
      if (!(row.key_requests >= kHotMinRequests && k.share >= kHotShare) && load < 1) continue;
      bool writes = k.wcu_per_s * kPartitionRcu >= k.rcu_per_s * kPartitionWcu;
      double key_unit_share = 0;
      double total_units = writes ? row.avg_wcu : row.avg_rcu;
      if (total_units > 0) key_unit_share = (writes ? k.wcu_per_s : k.rcu_per_s) / total_units;
      double at_limit = RateAtPartitionLimit(key_unit_share, writes ? kPartitionWcu : kPartitionRcu);
      std::string where = row.index.empty() ? row.name : row.name + "." + row.index;
      Add("hot_key", row.name, row.index,
          "Partition key " + Display(k.key) + " of " + where + " took " + Percent(k.share) + " of its " +
              FormatCount(row.key_requests) + " keyed requests (" + FormatRate(k.rps) + " requests/s, " +
              FormatRate(k.rcu_per_s) + " RCU/s and " + FormatRate(k.wcu_per_s) + " WCU/s on average: " +
              Percent(load) + " of one partition's 3,000 RCU / 1,000 WCU). At this share its partition reaches " +
              (writes ? "1,000 WCU/s" : "3,000 RCU/s") + " when " + where + " takes " +
              (std::isinf(at_limit) ? std::string("any rate") : FormatRate(at_limit)) + (writes ? " WCU/s" : " RCU/s") +
              " in all (now " + FormatRate(total_units) + "). " +
              (writes ? "Shard its writes (" + Display(k.key) + "#0 .. #9, a hash of another attribute modulo 10)."
                      : "Cache it (DAX) or shard it by a suffix.") );
    }
    for (const KeyHeatStats& h : snap.heat) {
      uint64_t n = h.increasing + h.not_increasing;
      if (h.increasing < kMonotonicMinWrites || static_cast<double>(h.increasing) < kMonotonicShare * n) continue;
      Add("monotonic_key", h.table, h.index,
          "The partition key of " + h.table + (h.index.empty() ? "" : "." + h.index) + " increased in " +
              FormatCount(static_cast<double>(h.increasing)) + " of " + FormatCount(static_cast<double>(n)) +
              " consecutive writes (" + Percent(static_cast<double>(h.increasing) / n) +
              "): keys from a clock or a counter send each period's writes to the newest key. Add a shard suffix "
              "(key#0 .. key#N, a hash of the item's id) or lead with a high-cardinality attribute.");
    }
    for (const KeyHeatStats& h : snap.heat) {
      if (static_cast<double>(h.max_item_bytes) < kLargeItemBytes) continue;
      Add("large_item", h.table, h.index,
          "Items of " + h.table + " reach " + FormatBytes(static_cast<double>(h.max_item_bytes)) + " (" +
              Percent(static_cast<double>(h.max_item_bytes) / kItemLimitBytes) +
              " of the 400 KB item limit; each read of one costs " +
              FormatRate(std::ceil(static_cast<double>(h.max_item_bytes) / 4096)) + " RCU and each write " +
              FormatRate(std::ceil(static_cast<double>(h.max_item_bytes) / 1024)) +
              " WCU). Split the large attributes into items of their own (vertical partitioning) or store them "
              "in S3 with a pointer.");
    }
    for (const TableInfo& t : infos) {
      for (const auto& [key, bytes] : t.collections) {
        if (static_cast<double>(bytes) < opt.item_collection_limit_bytes / 2) continue;
        Add("large_collection", t.name, "",
            "The item collection of " + Display(key) + " in " + t.name + " holds " +
                FormatBytes(static_cast<double>(bytes)) + ", " +
                Percent(static_cast<double>(bytes) / opt.item_collection_limit_bytes) + " of the " +
                FormatBytes(opt.item_collection_limit_bytes) +
                " an item collection may hold on a table with LSIs. Spread it over more partition key values "
                "(a suffix) or move the LSI to a GSI.");
      }
    }
  }

  void Costs() {
    double total = 0, txn = 0;
    std::vector<std::string> txn_ids;
    for (const PatternRow& pr : r.patterns) {
      total += pr.monthly_cost;
      if (pr.transactional) {
        txn += pr.monthly_cost;
        txn_ids.push_back(pr.id);
      }
      const PatternStats& p = pr.stats;
      if (!p.consistent || !IsRead(p.op) || p.count == 0) continue;
      double writes = 0;
      for (const PatternRow& w : r.patterns) {
        if (w.stats.table == p.table && !IsRead(w.stats.op)) writes += w.avg_rps;
      }
      Add("strong_reads", p.table, p.index,
          pr.id + " (" + p.shape + ") reads strongly consistent: " + FormatRate(pr.avg_rcu) + " RCU/s (" +
              FormatUsd(pr.monthly_cost) + "/month). " + p.table + " takes " + FormatRate(writes) +
              " writes/s against this pattern's " + FormatRate(pr.avg_rps) +
              " reads/s; unless a read must see a write made an instant before, eventually consistent reads "
              "cost half (" + FormatUsd(pr.monthly_cost / 2) + "/month saved).");
    }
    if (total > 0 && txn / total >= 0.5) {
      Add("transactions_cost", "", "",
          "Transactions (" + Join(txn_ids) + ") are " + Percent(txn / total) + " of the request cost (" +
              FormatUsd(txn) + " of " + FormatUsd(total) +
              "/month): each transactional read or write costs twice a plain one. Keep transactions for "
              "the writes that must be atomic; plain writes and idempotent retries do for the rest.");
    }
    for (const TableRow& row : r.tables) {
      if (!row.index.empty()) continue;
      double od = 0, prov = 0, avg_r = 0, avg_w = 0, peak_r = 0, peak_w = 0;
      for (const TableRow& x : r.tables) {
        if (x.name != row.name) continue;
        od += x.read_cost + x.write_cost;
        prov += x.provisioned_cost - x.storage_cost;
        avg_r += x.avg_rcu;
        avg_w += x.avg_wcu;
        peak_r += x.peak_rcu;
        peak_w += x.peak_wcu;
      }
      if (avg_r + avg_w <= 0) continue;
      // Utilisation weighted by price: what provisioning at the peak would be paid for and used.
      double utilisation = prov > 0 ? (OnDemandReadMonthly(avg_r, opt.prices) * ReadBreakEven(opt.prices) +
                                       OnDemandWriteMonthly(avg_w, opt.prices) * WriteBreakEven(opt.prices)) / prov
                                    : 0;
      double even = ReadBreakEven(opt.prices);
      bool provision = prov < od;
      Add("billing_mode", row.name, "",
          row.name + " (with its indexes): on-demand " + FormatUsd(od) + "/month at the average (" +
              FormatRate(avg_r) + " RCU/s, " + FormatRate(avg_w) + " WCU/s); provisioned at the peak (" +
              FormatRate(peak_r) + " RCU/s, " + FormatRate(peak_w) + " WCU/s) " + FormatUsd(prov) +
              "/month. Average/peak utilisation is " + Percent(utilisation) +
              " against a break-even of " + Percent(even) + ": " +
              (provision ? "provisioned capacity (with auto scaling) saves " + FormatUsd(od - prov) + "/month."
                         : std::string("stay on demand") + (row.on_demand ? "." : " (it is provisioned now).")));
    }
  }

  void Sort() {
    static const char* const kOrder[] = {"scan_should_be_query", "gsi_never_read", "gsi_over_projected",
                                         "hot_key",             "monotonic_key",  "large_item",
                                         "large_collection",    "strong_reads",   "transactions_cost",
                                         "billing_mode"};
    auto rank = [](const std::string& k) {
      for (size_t i = 0; i < sizeof kOrder / sizeof kOrder[0]; ++i) {
        if (k == kOrder[i]) return i;
      }
      return sizeof kOrder / sizeof kOrder[0];
    };
    std::stable_sort(r.findings.begin(), r.findings.end(), [&](const Finding& a, const Finding& b) {
      if (rank(a.kind) != rank(b.kind)) return rank(a.kind) < rank(b.kind);
      if (a.table != b.table) return a.table < b.table;
      if (a.index != b.index) return a.index < b.index;
      return a.text < b.text;
    });
  }
};

}  // namespace

Report BuildReport(const RecorderSnapshot& snapshot, const std::vector<TableInfo>& tables,
                   const ReportOptions& options) {
  Builder b{snapshot, tables, options, {}};
  b.r.generated_at = options.generated_at;
  b.r.dropped = snapshot.dropped;
  b.r.prices = options.prices;
  b.Patterns();
  b.Tables();
  b.Scans();
  b.Indexes();
  b.Heat();
  b.Costs();
  b.Sort();
  return std::move(b.r);
}

std::string FormatCount(double n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f", std::round(n));
  std::string digits = buf, out;
  size_t start = digits[0] == '-' ? 1 : 0;
  for (size_t i = 0; i < digits.size(); ++i) {
    out.push_back(digits[i]);
    size_t left = digits.size() - i - 1;
    if (i >= start && left > 0 && left % 3 == 0) out.push_back(',');
  }
  return out;
}

std::string FormatRate(double x) {
  if (x == 0) return "0";
  if (std::fabs(x) >= 1000) return FormatCount(x);
  char buf[64];
  if (std::fabs(x) >= 100) {
    std::snprintf(buf, sizeof buf, "%.1f", x);
  } else if (std::fabs(x) >= 0.1) {
    std::snprintf(buf, sizeof buf, "%.2f", x);
  } else {
    std::snprintf(buf, sizeof buf, "%.4f", x);
  }
  std::string s = buf;
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

std::string FormatUsd(double x) {
  char buf[64];
  if (x != 0 && std::fabs(x) < 0.01) {
    std::snprintf(buf, sizeof buf, "$%.4f", x);
  } else {
    std::snprintf(buf, sizeof buf, "$%.2f", x);
  }
  return buf;
}

std::string FormatBytes(double bytes) {
  char buf[64];
  if (bytes >= 1024.0 * 1024 * 1024) {
    std::snprintf(buf, sizeof buf, "%.2f GB", bytes / (1024.0 * 1024 * 1024));
  } else if (bytes >= 1024.0 * 1024) {
    std::snprintf(buf, sizeof buf, "%.2f MB", bytes / (1024.0 * 1024));
  } else if (bytes >= 1024) {
    std::snprintf(buf, sizeof buf, "%.1f KB", bytes / 1024);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f bytes", bytes);
  }
  return buf;
}

}  // namespace basalt::patterns
