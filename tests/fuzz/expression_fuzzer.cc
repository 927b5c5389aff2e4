// libFuzzer target for the expression parser and evaluator. The first input
// byte picks the grammar; the rest is the expression text, parsed against a
// fixed set of placeholders and, when it parses, evaluated or applied to a
// sample item. A crash, sanitizer report or hang is a finding; every error
// must be a ValidationException-style Status.
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>

#include "expr/expression.h"
#include "expr/key_condition.h"
#include "expr/projection.h"

namespace {

using basalt::model::AttributeValue;
using basalt::model::Number;

AttributeValue Num(const char* text) { return AttributeValue::N(*Number::Parse(text)); }

const basalt::expr::NameMap& Names() {
  static const basalt::expr::NameMap names = {{"#a", "a"}, {"#b", "b"}, {"#n", "name"}, {"#k", "pk"}};
  return names;
}

const basalt::expr::ValueMap& Values() {
  static const basalt::expr::ValueMap values = {
      {":n", Num("1.5")},
      {":big", Num("9.9999999999999999999999999999999999999E+125")},
      {":s", AttributeValue::S("ab")},
      {":b", AttributeValue::B(std::string("\x00\x01", 2))},
      {":ss", AttributeValue::SS({"x", "y"})},
      {":ns", AttributeValue::NS({*Number::Parse("1"), *Number::Parse("2")})},
      {":l", AttributeValue::L({Num("1"), AttributeValue::S("z")})},
      {":m", AttributeValue::M({{"q", AttributeValue::Bool(true)}})},
      {":t", AttributeValue::S("SS")},
      {":null", AttributeValue::Null()},
  };
  return values;
}

const basalt::model::Item& SampleItem() {
  static const basalt::model::Item item = {
      {"pk", AttributeValue::S("key")},
      {"a", Num("3")},
      {"b", AttributeValue::L({Num("1"), AttributeValue::M({{"c", AttributeValue::SS({"x"})}})})},
      {"name", AttributeValue::S("n")},
      {"m", AttributeValue::M({{"x", AttributeValue::M({{"y", Num("-1")}})}})},
  };
  return item;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > 8192) return 0;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  std::set<std::string> used_names, used_values;
  basalt::expr::Bindings b{&Names(), &Values(), &used_names, &used_values};
  switch (data[0] % 5) {
    case 0:
    case 1:
    case 2: {
      auto kind = static_cast<basalt::expr::ConditionKind>(data[0] % 3);
      auto c = basalt::expr::ParseCondition(text, kind, b);
      if (!c.ok()) {
        if (c.status().code() != basalt::Code::kValidation) std::abort();
        return 0;
      }
      if (kind == basalt::expr::ConditionKind::kKeyCondition) {
        auto terms = basalt::expr::KeyTermsOf(*c);
        if (!terms.ok() && terms.status().code() != basalt::Code::kValidation) std::abort();
      } else {
        auto r = basalt::expr::Evaluate(*c, SampleItem());
        if (!r.ok() && r.status().code() != basalt::Code::kValidation) std::abort();
      }
      return 0;
    }
    case 3: {
      auto u = basalt::expr::ParseUpdate(text, b);
      if (!u.ok()) {
        if (u.status().code() != basalt::Code::kValidation) std::abort();
        return 0;
      }
      auto r = basalt::expr::ApplyUpdate(*u, SampleItem(), {"pk"});
      if (!r.ok() && r.status().code() != basalt::Code::kValidation) std::abort();
      (void)basalt::expr::UpdatedPaths(*u);
      return 0;
    }
    default: {
      auto p = basalt::expr::ParseProjection(text, Names(), &used_names);
      if (!p.ok()) {
        if (p.status().code() != basalt::Code::kValidation) std::abort();
        return 0;
      }
      (void)basalt::expr::ApplyProjection(*p, SampleItem());
      return 0;
    }
  }
}
