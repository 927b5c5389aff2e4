// Lambda's event filtering (FilterCriteria) for stream triggers: a record
// is delivered when it matches at least one filter's pattern; the others
// count as processed. The grammar is EventBridge's, as Lambda documents it:
//
//   pattern  := { field: (pattern | [matcher, ...]), ..., ["$or": [pattern, ...]] }
//   matcher  := "string" | number | true | false | null
//             | {"prefix": "s"} | {"suffix": "s"} | {"equals-ignore-case": "s"}
//             | {"anything-but": value | [value, ...] | {"prefix": "s"} | {"suffix": "s"}}
//             | {"numeric": [op, number (, op, number)]}   op: = < <= > >=
//             | {"exists": true | false}
//
// Fields of a pattern must all match (AND); the matchers of one field and
// the members of "$or" are alternatives (OR). A field whose value in the
// event is an array matches when any element does. Numbers compare as
// numbers, so {"numeric"} applies to JSON numbers only: a DynamoDB number
// in an image is {"N": "12"}, a string, and is matched as text.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/json.h"
#include "common/status.h"

namespace basalt::triggers {

struct FilterLiteral {
  enum Kind { kString, kNumber, kBool, kNull } kind = kNull;
  std::string text;
  double number = 0;
  bool boolean = false;
};

struct FilterMatcher {
  enum Kind { kEquals, kPrefix, kSuffix, kEqualsIgnoreCase, kAnythingBut, kAnythingButPrefix, kAnythingButSuffix,
              kNumeric, kExists } kind = kEquals;
  std::vector<FilterLiteral> values;  // kEquals: one; kAnythingBut: the excluded values
  std::string text;                   // prefix, suffix, equals-ignore-case
  std::vector<std::pair<std::string, double>> bounds;  // kNumeric
  bool exists = true;
};

struct FilterPattern {
  struct Field {
    std::vector<FilterMatcher> matchers;         // a leaf: [matcher, ...]
    std::unique_ptr<FilterPattern> nested;       // or a nested pattern
  };
  std::map<std::string, Field> fields;
  std::vector<FilterPattern> any_of;  // "$or"
};

// One FilterCriteria: the patterns, any of which admits a record.
class EventFilter {
 public:
  // Parses the patterns (each a JSON text); an error names what is wrong.
  static Result<EventFilter> Parse(const std::vector<std::string>& patterns);

  bool empty() const { return patterns_.empty(); }
  bool Matches(const api::JsonValue& event) const;
  // Parses `event_json` and matches it (for tests and callers without a DOM).
  bool MatchesText(std::string_view event_json) const;

 private:
  std::vector<FilterPattern> patterns_;
};

}  // namespace basalt::triggers
