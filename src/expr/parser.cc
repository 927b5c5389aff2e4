// Parsing of ConditionExpression, FilterExpression, KeyConditionExpression,
// UpdateExpression and ProjectionExpression. DynamoDB checks an expression
// in stages, and the stage decides which error a request with several
// problems gets; we follow the order DynamoDB Local shows:
//   1. syntax (the whole text), then list indexes out of range;   syntax.cc
//   2. redundant parentheses anywhere;                            syntax.cc
//   3. left to right: reserved words used as names, function
//      names and where each function may be used;                 syntax.cc
//   4. (UpdateExpression) overlapping or conflicting paths;       resolve.cc
//   5. bottom-up, left to right: #name and :value placeholders,
//      operand counts and types, distinct operands, BETWEEN
//      bounds;                                                    resolve.cc
//   6. (KeyConditionExpression) the shape of a key condition.     key_condition.cc
// Stages 1-3 depend only on the text and are cached here.
#include <memory>
#include <string>
#include <utility>

#include "common/bounded_cache.h"
#include "expr/expression.h"
#include "expr/key_condition.h"
#include "expr/resolve.h"
#include "expr/syntax.h"

namespace basalt::expr {
namespace {

constexpr size_t kMaxExpressionBytes = 4096;

std::string Prefix(ConditionKind kind) {
  switch (kind) {
    case ConditionKind::kCondition: return "Invalid ConditionExpression: ";
    case ConditionKind::kFilter: return "Invalid FilterExpression: ";
    case ConditionKind::kKeyCondition: return "Invalid KeyConditionExpression: ";
  }
  return "";
}

Status CheckSize(std::string_view text, const std::string& prefix, bool with_size) {
  if (text.size() <= kMaxExpressionBytes) return Status::Ok();
  return Status::Validation(prefix + "Expression size has exceeded the maximum allowed size;" +
                            (with_size ? " expression size: " + std::to_string(text.size()) : ""));
}

// The stages of parsing that do not depend on a request's placeholders
// (syntax, index range, redundant parentheses, names and functions) give the
// same result for the same text, and real traffic sends the same few
// expressions again and again. Their outcome is cached per (grammar, text);
// the raw trees point into the entry's own copy of the text.
template <typename Raw>
struct Parsed {
  std::string text;
  Raw raw;
  Status error;  // the outcome of the cached stages
};

constexpr size_t kCacheCapacity = 4096;  // entries per grammar

BoundedCache<Parsed<RawCond>>& ConditionCache() {
  static BoundedCache<Parsed<RawCond>> cache(kCacheCapacity);
  return cache;
}

BoundedCache<Parsed<std::vector<RawAction>>>& UpdateCache() {
  static BoundedCache<Parsed<std::vector<RawAction>>> cache(kCacheCapacity);
  return cache;
}

// The cached stages of `text` in `grammar` (a ConditionKind, or 'U'), run by `parse` on a miss.
template <typename Raw, typename ParseFn>
std::shared_ptr<const Parsed<Raw>> Cached(BoundedCache<Parsed<Raw>>& cache, char grammar, std::string_view text,
                                          ParseFn parse) {
  std::string key(1, grammar);
  key.append(text);
  return cache.Get(key, [&](Parsed<Raw>* p) {
    p->text.assign(text);
    p->error = parse(p);
  });
}


}  // namespace

Result<Condition> ParseCondition(std::string_view text, ConditionKind kind, const Bindings& bindings) {
  const std::string prefix = Prefix(kind);
  if (text.empty()) return Status::Validation(prefix + "The expression can not be empty;");
  BASALT_RETURN_IF_ERROR(CheckSize(text, prefix, /*with_size=*/true));
  auto parsed = Cached(ConditionCache(), static_cast<char>(kind), text, [&](Parsed<RawCond>* p) {
    return ParseConditionSyntax(p->text, prefix, &p->raw);
  });
  BASALT_RETURN_IF_ERROR(parsed->error);
  return ResolveCondition(parsed->raw, prefix, bindings);
}

Result<KeyTerms> ParseKeyCondition(std::string_view text, const Bindings& bindings) {
  BASALT_ASSIGN_OR_RETURN(Condition c, ParseCondition(text, ConditionKind::kKeyCondition, bindings));
  return KeyTermsOf(c);
}

Result<Projection> ParseProjection(std::string_view text, const NameMap& names, std::set<std::string>* used_names) {
  const std::string prefix = "Invalid ProjectionExpression: ";
  if (text.empty()) return Status::Validation(prefix + "The expression can not be empty;");
  BASALT_RETURN_IF_ERROR(CheckSize(text, prefix, /*with_size=*/false));
  std::vector<std::vector<RawElem>> raw;
  BASALT_RETURN_IF_ERROR(ParseProjectionSyntax(text, prefix, &raw));
  return ResolveProjection(raw, prefix, names, used_names);
}

Result<Update> ParseUpdate(std::string_view text, const Bindings& bindings) {
  const std::string prefix = "Invalid UpdateExpression: ";
  if (text.empty()) return Status::Validation(prefix + "The expression can not be empty;");
  BASALT_RETURN_IF_ERROR(CheckSize(text, prefix, /*with_size=*/false));
  auto parsed = Cached(UpdateCache(), 'U', text, [&](Parsed<std::vector<RawAction>>* p) {
    return ParseUpdateSyntax(p->text, prefix, &p->raw);
  });
  BASALT_RETURN_IF_ERROR(parsed->error);
  return ResolveUpdate(parsed->raw, prefix, bindings);
}

}  // namespace basalt::expr
