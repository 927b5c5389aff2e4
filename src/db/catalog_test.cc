// The catalog's lookups by (namespace, name): Find, List and Count, across
// namespaces that are prefixes of one another, rendered as strings.
#include "db/catalog.h"

#include <gtest/gtest.h>

#include <string>

#include "common/testing.h"

namespace basalt::db {
namespace {

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = storage::OpenRocksDb(storage::RocksDbOptions{"", true, storage::Durability::kRelaxed});
    ASSERT_OK(engine);
    engine_ = std::move(*engine);
    catalog_ = std::make_unique<Catalog>(&engine_->meta(), &clock_);
    ASSERT_OK(catalog_->Load());
    for (const char* ns : {"a", "ab", "a\x01", ""}) {
      for (const char* name : {"t", "t1", "T", "u"}) {
        TableMeta meta;
        meta.ns = ns;
        meta.name = name;
        meta.key_schema = {{"pk", model::Type::kS}, std::nullopt};
        std::shared_ptr<const TableMeta> created;
        ASSERT_OK(catalog_->Create(std::move(meta), &created));
      }
    }
  }

  std::string Listed(const std::string& ns, const std::string& after, size_t limit) {
    std::string out;
    for (const auto& meta : catalog_->List(ns, after, limit)) out += meta->name + " ";
    return out;
  }

  FakeClock clock_;
  std::unique_ptr<storage::Engine> engine_;
  std::unique_ptr<Catalog> catalog_;
};

TEST_F(CatalogTest, FindsListsAndCountsByNamespaceAndName) {
  ASSERT_NE(catalog_->Find("ab", "t1"), nullptr);
  EXPECT_EQ(catalog_->Find("ab", "t1")->ns + "/" + catalog_->Find("ab", "t1")->name, "ab/t1");
  EXPECT_EQ(catalog_->Find("a", "t2"), nullptr);
  EXPECT_EQ(catalog_->Find("b", "t"), nullptr);
  EXPECT_EQ(catalog_->Find("a\x01", "u")->ns, "a\x01");
  EXPECT_EQ(Listed("a", "", 10), "T t t1 u ");
  EXPECT_EQ(Listed("a", "t", 10), "t1 u ");
  EXPECT_EQ(Listed("ab", "T", 2), "t t1 ");
  EXPECT_EQ(Listed("", "", 10), "T t t1 u ");
  EXPECT_EQ(Listed("b", "", 10), "");
  EXPECT_EQ(catalog_->Count("a"), 4u);
  EXPECT_EQ(catalog_->Count("a\x01"), 4u);
  EXPECT_EQ(catalog_->Count("abc"), 0u);
  EXPECT_EQ(catalog_->All().size(), 16u);
  TableMeta again;
  again.ns = "ab";
  again.name = "u";
  again.key_schema = {{"pk", model::Type::kS}, std::nullopt};
  std::shared_ptr<const TableMeta> created;
  EXPECT_EQ(catalog_->Create(std::move(again), &created).code(), Code::kResourceInUse);
}

}  // namespace
}  // namespace basalt::db
