// libFuzzer target for the PartiQL front end: the lexer, parser, binder and
// planner, and what an executor would then do with a plan (evaluate its
// conditions, apply its update, shape a SELECT row) on a sample item. The
// first input byte picks the operation context and how many parameters are
// bound; the rest is the statement. A crash, sanitizer report or hang is a
// finding; every error must be a ValidationException-style Status, and a
// statement that binds must name the table and index TargetOf (authorization)
// names.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "expr/expression.h"
#include "partiql/binder.h"
#include "partiql/parser.h"
#include "partiql/planner.h"
#include "partiql/select_output.h"

namespace {

using basalt::model::AttributeValue;
using basalt::model::Number;
namespace partiql = basalt::partiql;

AttributeValue Num(const char* text) { return AttributeValue::N(*Number::Parse(text)); }

// Parameters of every type, bound in this order.
const std::vector<AttributeValue>& Parameters() {
  static const std::vector<AttributeValue> params = {
      AttributeValue::S("k"),
      Num("1"),
      AttributeValue::B(std::string("\x00\x01", 2)),
      AttributeValue::SS({"x", "y"}),
      AttributeValue::NS({*Number::Parse("1"), *Number::Parse("2")}),
      AttributeValue::BS({std::string("\x01", 1)}),
      AttributeValue::L({Num("1"), AttributeValue::S("z")}),
      AttributeValue::M({{"q", AttributeValue::Bool(true)}}),
      AttributeValue::Bool(false),
      AttributeValue::Null(),
      AttributeValue::S(""),
      Num("-9.9999999999999999999999999999999999999E+125"),
  };
  return params;
}

const basalt::model::Item& SampleItem() {
  static const basalt::model::Item item = {
      {"pk", AttributeValue::S("k")},
      {"sk", Num("1")},
      {"a", Num("3")},
      {"b", AttributeValue::L({Num("1"), AttributeValue::M({{"c", AttributeValue::SS({"x"})}})})},
      {"m", AttributeValue::M({{"x", AttributeValue::M({{"y", Num("-1")}})}})},
      {"ss", AttributeValue::SS({"x", "y"})},
  };
  return item;
}

// Tables "T" (pk S, sk N) and "H" (pk S), index "G" (g S); others look like T.
partiql::KeySchemas Schemas(const partiql::BoundStatement& b) {
  using basalt::model::KeyAttribute;
  using basalt::model::KeySchema;
  using basalt::model::Type;
  partiql::KeySchemas k;
  k.table = b.table == "H" ? KeySchema{{"pk", Type::kS}, std::nullopt}
                           : KeySchema{{"pk", Type::kS}, KeyAttribute{"sk", Type::kN}};
  if (b.index) k.index = KeySchema{{"g", Type::kS}, std::nullopt};
  return k;
}

void Check(const basalt::Status& s) {
  if (!s.ok() && s.code() != basalt::Code::kValidation) std::abort();
}

void Evaluate(const basalt::expr::Condition& c) {
  auto r = basalt::expr::Evaluate(c, SampleItem());
  Check(r.status());
  auto empty = basalt::expr::Evaluate(c, basalt::model::Item{});
  Check(empty.status());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > 9000) return 0;
  const auto context = static_cast<partiql::Context>(data[0] % 3);
  const size_t given = (data[0] >> 2) % (Parameters().size() + 1);
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  auto st = partiql::Parse(text);
  if (!st.ok()) return Check(st.status()), 0;
  (void)partiql::ast::ToString(*st);
  std::vector<AttributeValue> params(Parameters().begin(), Parameters().begin() + given);
  auto target = partiql::TargetOf(*st);
  if (!target.ok()) Check(target.status());
  auto bound = partiql::Bind(*st, params, context);
  if (!bound.ok()) return Check(bound.status()), 0;
  // What authorization sees (TargetOf) is what runs (Bind): the same table and index.
  if (!target.ok() || target->table != bound->table || target->index != bound->index) std::abort();
  auto plan = partiql::PlanStatement(*bound, Schemas(*bound), context);
  if (!plan.ok()) return Check(plan.status()), 0;
  (void)partiql::ToString(*plan);

  if (const auto* p = std::get_if<partiql::SelectPlan>(&*plan)) {
    for (const auto& k : p->key_conditions) {
      Evaluate(k);
    }
    if (p->filter) Evaluate(*p->filter);
    (void)partiql::SelectRow(p->projection, SampleItem());
  } else if (const auto* p = std::get_if<partiql::UpdatePlan>(&*plan)) {
    Evaluate(p->condition);
    auto r = basalt::expr::ApplyUpdate(p->update, SampleItem(), {"pk", "sk"});
    Check(r.status());
  } else if (const auto* p = std::get_if<partiql::DeletePlan>(&*plan)) {
    if (p->condition) Evaluate(*p->condition);
  } else if (const auto* p = std::get_if<partiql::ConditionCheckPlan>(&*plan)) {
    Evaluate(p->condition);
  }
  return 0;
}
