// FilterCriteria patterns against the examples of Lambda's "Lambda event
// filtering" guide (the comparison-operator table, and its DynamoDB
// section's patterns on a stream record).
#include "triggers/event_filter.h"

#include <gtest/gtest.h>

#include "common/testing.h"

namespace basalt::triggers {
namespace {

bool Match(const std::string& pattern, const std::string& event) {
  auto f = EventFilter::Parse({pattern});
  EXPECT_OK(f.status());
  return f.ok() && f->MatchesText(event);
}

TEST(EventFilterTest, NullMatchesOnlyNull) {
  EXPECT_TRUE(Match(R"({"UserID": [null]})", R"({"UserID": null})"));
  EXPECT_FALSE(Match(R"({"UserID": [null]})", R"({"UserID": "x"})"));
  EXPECT_FALSE(Match(R"({"UserID": [null]})", R"({})"));
}

TEST(EventFilterTest, EmptyStringMatchesEmpty) {
  EXPECT_TRUE(Match(R"({"LastName": [""]})", R"({"LastName": ""})"));
  EXPECT_FALSE(Match(R"({"LastName": [""]})", R"({"LastName": "Doe"})"));
}

TEST(EventFilterTest, EqualsAndEqualsIgnoreCase) {
  EXPECT_TRUE(Match(R"({"Name": ["Alice"]})", R"({"Name": "Alice"})"));
  EXPECT_FALSE(Match(R"({"Name": ["Alice"]})", R"({"Name": "alice"})"));
  EXPECT_TRUE(Match(R"({"Name": [{"equals-ignore-case": "alice"}]})", R"({"Name": "ALICE"})"));
  EXPECT_FALSE(Match(R"({"Name": [{"equals-ignore-case": "alice"}]})", R"({"Name": "Alicia"})"));
}

TEST(EventFilterTest, FieldsAreAndValuesAreOr) {
  std::string and_pattern = R"({"Location": ["New York"], "Day": ["Monday"]})";
  EXPECT_TRUE(Match(and_pattern, R"({"Location": "New York", "Day": "Monday"})"));
  EXPECT_FALSE(Match(and_pattern, R"({"Location": "New York", "Day": "Tuesday"})"));
  std::string or_pattern = R"({"PaymentType": ["Credit", "Debit"]})";
  EXPECT_TRUE(Match(or_pattern, R"({"PaymentType": "Debit"})"));
  EXPECT_FALSE(Match(or_pattern, R"({"PaymentType": "Cash"})"));
}

TEST(EventFilterTest, OrOfFields) {
  std::string p = R"({"$or": [{"Location": ["New York"]}, {"Day": ["Monday"]}]})";
  EXPECT_TRUE(Match(p, R"({"Location": "New York", "Day": "Sunday"})"));
  EXPECT_TRUE(Match(p, R"({"Location": "Boston", "Day": "Monday"})"));
  EXPECT_FALSE(Match(p, R"({"Location": "Boston", "Day": "Sunday"})"));
}

TEST(EventFilterTest, AnythingBut) {
  std::string p = R"({"Weather": [{"anything-but": ["Raining"]}]})";
  EXPECT_TRUE(Match(p, R"({"Weather": "Sunny"})"));
  EXPECT_FALSE(Match(p, R"({"Weather": "Raining"})"));
  EXPECT_FALSE(Match(p, R"({})"));  // a missing field is not "anything"
  EXPECT_TRUE(Match(R"({"Weather": [{"anything-but": {"prefix": "Rain"}}]})", R"({"Weather": "Snow"})"));
  EXPECT_FALSE(Match(R"({"Weather": [{"anything-but": {"prefix": "Rain"}}]})", R"({"Weather": "Rainy"})"));
}

TEST(EventFilterTest, NumericEqualsAndRanges) {
  EXPECT_TRUE(Match(R"({"Price": [{"numeric": ["=", 100]}]})", R"({"Price": 100})"));
  EXPECT_TRUE(Match(R"({"Price": [{"numeric": ["=", 100]}]})", R"({"Price": 100.0})"));
  EXPECT_FALSE(Match(R"({"Price": [{"numeric": ["=", 100]}]})", R"({"Price": "100"})"));
  std::string range = R"({"Price": [{"numeric": [">", 10, "<=", 20]}]})";
  EXPECT_TRUE(Match(range, R"({"Price": 20})"));
  EXPECT_TRUE(Match(range, R"({"Price": 10.5})"));
  EXPECT_FALSE(Match(range, R"({"Price": 10})"));
  EXPECT_FALSE(Match(range, R"({"Price": 21})"));
}

TEST(EventFilterTest, ExistsAndDoesNotExist) {
  EXPECT_TRUE(Match(R"({"ProductName": [{"exists": true}]})", R"({"ProductName": "x"})"));
  EXPECT_FALSE(Match(R"({"ProductName": [{"exists": true}]})", R"({"Other": "x"})"));
  EXPECT_TRUE(Match(R"({"ProductName": [{"exists": false}]})", R"({"Other": "x"})"));
  EXPECT_FALSE(Match(R"({"ProductName": [{"exists": false}]})", R"({"ProductName": "x"})"));
}

TEST(EventFilterTest, PrefixAndSuffix) {
  EXPECT_TRUE(Match(R"({"Region": [{"prefix": "us-"}]})", R"({"Region": "us-east-1"})"));
  EXPECT_FALSE(Match(R"({"Region": [{"prefix": "us-"}]})", R"({"Region": "eu-west-1"})"));
  EXPECT_TRUE(Match(R"({"FileName": [{"suffix": ".png"}]})", R"({"FileName": "cat.png"})"));
  EXPECT_FALSE(Match(R"({"FileName": [{"suffix": ".png"}]})", R"({"FileName": "cat.jpg"})"));
}

TEST(EventFilterTest, ArraysInTheEventMatchAnyElement) {
  EXPECT_TRUE(Match(R"({"tags": ["b"]})", R"({"tags": ["a", "b"]})"));
  EXPECT_FALSE(Match(R"({"tags": ["c"]})", R"({"tags": ["a", "b"]})"));
}

// The DynamoDB section's patterns, on a record as Basalt delivers it.
const char* kRecord = R"({"eventID":"1","eventName":"INSERT","eventVersion":"1.1","eventSource":"aws:dynamodb",
  "awsRegion":"us-east-1","dynamodb":{"ApproximateCreationDateTime":1700000000,
  "Keys":{"CustomerName":{"S":"AnyCompany Industries"}},
  "NewImage":{"CustomerName":{"S":"AnyCompany Industries"},"AccountManager":{"S":"Pat Candella"},
  "PaymentTerms":{"S":"60 days"},"Quantity":{"N":"50"}},
  "SequenceNumber":"000000000000000000001","SizeBytes":110,"StreamViewType":"NEW_AND_OLD_IMAGES"},
  "eventSourceARN":"arn:aws:dynamodb:us-east-1:000000000000:table/Customers/stream/2024-01-01T00:00:00.000"})";

TEST(EventFilterTest, DynamoDbRecordPatterns) {
  EXPECT_TRUE(Match(R"({"dynamodb": {"Keys": {"CustomerName": {"S": ["AnyCompany Industries"]}}}})", kRecord));
  EXPECT_FALSE(Match(R"({"dynamodb": {"Keys": {"CustomerName": {"S": ["Other"]}}}})", kRecord));
  EXPECT_TRUE(Match(R"({"eventName": ["INSERT"]})", kRecord));
  EXPECT_FALSE(Match(R"({"eventName": ["REMOVE", "MODIFY"]})", kRecord));
  EXPECT_TRUE(Match(R"({"dynamodb": {"NewImage": {"AccountManager": {"S": [{"prefix": "Pat"}]}}}})", kRecord));
  EXPECT_TRUE(Match(R"({"dynamodb": {"NewImage": {"PaymentTerms": {"S": [{"anything-but": ["30 days"]}]}}}})", kRecord));
  EXPECT_TRUE(Match(R"({"dynamodb": {"OldImage": {"Quantity": [{"exists": false}]}}})", kRecord));
  EXPECT_TRUE(Match(R"({"dynamodb": {"SizeBytes": [{"numeric": [">", 100]}]}})", kRecord));
  // A DynamoDB number is a string in the record: matched as text.
  EXPECT_TRUE(Match(R"({"dynamodb": {"NewImage": {"Quantity": {"N": ["50"]}}}})", kRecord));
  EXPECT_FALSE(Match(R"({"dynamodb": {"NewImage": {"Quantity": {"N": [{"numeric": [">", 10]}]}}}})", kRecord));
}

TEST(EventFilterTest, FiltersAreAlternatives) {
  auto f = EventFilter::Parse({R"({"eventName": ["REMOVE"]})", R"({"eventName": ["INSERT"]})"});
  ASSERT_OK(f.status());
  EXPECT_TRUE(f->MatchesText(kRecord));
  auto none = EventFilter::Parse({});
  ASSERT_OK(none.status());
  EXPECT_TRUE(none->MatchesText(kRecord));  // no filter: every record
}

TEST(EventFilterTest, InvalidPatternsAreRejected) {
  for (const char* bad : {"[1]", "not json", R"({"a": "b"})", R"({"a": []})", R"({"a": [{"wat": 1}]})",
                          R"({"a": [{"numeric": [">", "x"]}]})", R"({"a": [{"numeric": ["!", 1]}]})",
                          R"({"a": [{"exists": "yes"}]})", R"({"a": [{"prefix": 1}]})"}) {
    EXPECT_FALSE(EventFilter::Parse({bad}).ok()) << bad;
  }
}

}  // namespace
}  // namespace basalt::triggers
