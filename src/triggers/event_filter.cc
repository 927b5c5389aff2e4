#include "triggers/event_filter.h"

#include <strings.h>

#include <cmath>

namespace basalt::triggers {
namespace {

Status Invalid(const std::string& why) { return Status::Validation("Invalid filter pattern definition: " + why); }

Result<FilterLiteral> ReadLiteral(const api::JsonValue& v) {
  FilterLiteral lit;
  if (v.IsString()) {
    lit.kind = FilterLiteral::kString;
    lit.text.assign(v.GetString(), v.GetStringLength());
  } else if (v.IsNumber()) {
    lit.kind = FilterLiteral::kNumber;
    lit.number = v.GetDouble();
  } else if (v.IsBool()) {
    lit.kind = FilterLiteral::kBool;
    lit.boolean = v.GetBool();
  } else if (v.IsNull()) {
    lit.kind = FilterLiteral::kNull;
  } else {
    return Invalid("a value must be a string, a number, a boolean or null");
  }
  return lit;
}

Result<std::string> ReadText(const api::JsonValue& v, const char* op) {
  if (!v.IsString()) return Invalid(std::string(op) + " takes a string");
  return std::string(v.GetString(), v.GetStringLength());
}

Result<FilterMatcher> ReadMatcher(const api::JsonValue& v) {
  FilterMatcher m;
  if (!v.IsObject()) {
    BASALT_ASSIGN_OR_RETURN(FilterLiteral lit, ReadLiteral(v));
    m.values.push_back(std::move(lit));
    return m;
  }
  if (v.MemberCount() != 1) return Invalid("a matcher object has exactly one operator");
  const auto& member = *v.MemberBegin();
  std::string_view op(member.name.GetString(), member.name.GetStringLength());
  const api::JsonValue& arg = member.value;
  if (op == "prefix" || op == "suffix" || op == "equals-ignore-case") {
    m.kind = op == "prefix" ? FilterMatcher::kPrefix
             : op == "suffix" ? FilterMatcher::kSuffix
                              : FilterMatcher::kEqualsIgnoreCase;
    BASALT_ASSIGN_OR_RETURN(m.text, ReadText(arg, member.name.GetString()));
  } else if (op == "anything-but") {
    m.kind = FilterMatcher::kAnythingBut;
    if (arg.IsArray()) {
      if (arg.Empty()) return Invalid("anything-but takes a non-empty list");
      for (const auto& e : arg.GetArray()) {
        BASALT_ASSIGN_OR_RETURN(FilterLiteral lit, ReadLiteral(e));
        m.values.push_back(std::move(lit));
      }
    } else if (arg.IsObject()) {
      if (arg.MemberCount() != 1) return Invalid("anything-but takes one of prefix or suffix");
      const auto& inner = *arg.MemberBegin();
      std::string_view inner_op(inner.name.GetString(), inner.name.GetStringLength());
      if (inner_op == "prefix") {
        m.kind = FilterMatcher::kAnythingButPrefix;
      } else if (inner_op == "suffix") {
        m.kind = FilterMatcher::kAnythingButSuffix;
      } else {
        return Invalid("anything-but takes one of prefix or suffix");
      }
      BASALT_ASSIGN_OR_RETURN(m.text, ReadText(inner.value, inner.name.GetString()));
    } else {
      BASALT_ASSIGN_OR_RETURN(FilterLiteral lit, ReadLiteral(arg));
      m.values.push_back(std::move(lit));
    }
  } else if (op == "numeric") {
    m.kind = FilterMatcher::kNumeric;
    if (!arg.IsArray() || (arg.Size() != 2 && arg.Size() != 4)) {
      return Invalid("numeric takes [op, number] or [op, number, op, number]");
    }
    for (rapidjson::SizeType i = 0; i < arg.Size(); i += 2) {
      if (!arg[i].IsString() || !arg[i + 1].IsNumber()) return Invalid("numeric takes operators and numbers");
      std::string o = arg[i].GetString();
      if (o != "=" && o != "<" && o != "<=" && o != ">" && o != ">=") {
        return Invalid("unknown numeric operator " + o);
      }
      m.bounds.emplace_back(o, arg[i + 1].GetDouble());
    }
  } else if (op == "exists") {
    m.kind = FilterMatcher::kExists;
    if (!arg.IsBool()) return Invalid("exists takes true or false");
    m.exists = arg.GetBool();
  } else {
    return Invalid("unknown operator " + std::string(op));
  }
  return m;
}

Result<FilterPattern> ReadPattern(const api::JsonValue& v) {
  if (!v.IsObject()) return Invalid("a pattern is a JSON object");
  FilterPattern p;
  for (const auto& member : v.GetObject()) {
    std::string name(member.name.GetString(), member.name.GetStringLength());
    if (name == "$or") {
      if (!member.value.IsArray() || member.value.Size() < 2) return Invalid("$or takes a list of two patterns or more");
      for (const auto& alt : member.value.GetArray()) {
        BASALT_ASSIGN_OR_RETURN(FilterPattern sub, ReadPattern(alt));
        p.any_of.push_back(std::move(sub));
      }
      continue;
    }
    FilterPattern::Field field;
    if (member.value.IsObject()) {
      BASALT_ASSIGN_OR_RETURN(FilterPattern sub, ReadPattern(member.value));
      field.nested = std::make_unique<FilterPattern>(std::move(sub));
    } else if (member.value.IsArray()) {
      if (member.value.Empty()) return Invalid("the matchers of " + name + " are an empty list");
      for (const auto& e : member.value.GetArray()) {
        BASALT_ASSIGN_OR_RETURN(FilterMatcher m, ReadMatcher(e));
        field.matchers.push_back(std::move(m));
      }
    } else {
      return Invalid("the value of " + name + " must be a list of matchers or a pattern");
    }
    p.fields.emplace(std::move(name), std::move(field));
  }
  return p;
}

bool LiteralEquals(const FilterLiteral& lit, const api::JsonValue& v) {
  switch (lit.kind) {
    case FilterLiteral::kString:
      return v.IsString() && std::string_view(v.GetString(), v.GetStringLength()) == lit.text;
    case FilterLiteral::kNumber: return v.IsNumber() && v.GetDouble() == lit.number;
    case FilterLiteral::kBool: return v.IsBool() && v.GetBool() == lit.boolean;
    case FilterLiteral::kNull: return v.IsNull();
  }
  return false;
}

bool Compare(const std::string& op, double x, double bound) {
  if (op == "=") return x == bound;
  if (op == "<") return x < bound;
  if (op == "<=") return x <= bound;
  if (op == ">") return x > bound;
  return x >= bound;
}

// One matcher against one present, non-array value.
bool MatchValue(const FilterMatcher& m, const api::JsonValue& v) {
  std::string_view s = v.IsString() ? std::string_view(v.GetString(), v.GetStringLength()) : std::string_view();
  switch (m.kind) {
    case FilterMatcher::kEquals: return LiteralEquals(m.values[0], v);
    case FilterMatcher::kPrefix: return v.IsString() && s.starts_with(m.text);
    case FilterMatcher::kSuffix: return v.IsString() && s.ends_with(m.text);
    case FilterMatcher::kEqualsIgnoreCase:
      return v.IsString() && s.size() == m.text.size() && strncasecmp(s.data(), m.text.data(), s.size()) == 0;
    case FilterMatcher::kAnythingBut:
      for (const FilterLiteral& lit : m.values) {
        if (LiteralEquals(lit, v)) return false;
      }
      return true;
    case FilterMatcher::kAnythingButPrefix: return v.IsString() && !s.starts_with(m.text);
    case FilterMatcher::kAnythingButSuffix: return v.IsString() && !s.ends_with(m.text);
    case FilterMatcher::kNumeric:
      if (!v.IsNumber()) return false;
      for (const auto& [op, bound] : m.bounds) {
        if (!Compare(op, v.GetDouble(), bound)) return false;
      }
      return true;
    case FilterMatcher::kExists: return m.exists && !v.IsObject();
  }
  return false;
}

bool MatchField(const std::vector<FilterMatcher>& matchers, const api::JsonValue* v) {
  for (const FilterMatcher& m : matchers) {
    if (!v) {
      if (m.kind == FilterMatcher::kExists && !m.exists) return true;
      continue;
    }
    if (v->IsArray()) {
      if (m.kind == FilterMatcher::kExists) {
        if (m.exists && !v->Empty()) return true;
        continue;
      }
      for (const auto& e : v->GetArray()) {
        if (MatchValue(m, e)) return true;
      }
    } else if (MatchValue(m, *v)) {
      return true;
    }
  }
  return false;
}

// `v` is null when the event has no value at this place.
bool MatchPattern(const FilterPattern& p, const api::JsonValue* v) {
  for (const auto& [name, field] : p.fields) {
    const api::JsonValue* child = nullptr;
    if (v && v->IsObject()) {
      auto it = v->FindMember(name.c_str());
      if (it != v->MemberEnd()) child = &it->value;
    }
    bool ok = field.nested ? MatchPattern(*field.nested, child && child->IsObject() ? child : nullptr)
                           : MatchField(field.matchers, child);
    if (!ok) return false;
  }
  if (p.any_of.empty()) return true;
  for (const FilterPattern& alt : p.any_of) {
    if (MatchPattern(alt, v)) return true;
  }
  return false;
}

}  // namespace

Result<EventFilter> EventFilter::Parse(const std::vector<std::string>& patterns) {
  EventFilter f;
  for (const std::string& text : patterns) {
    rapidjson::Document doc;
    doc.Parse(text.data(), text.size());
    if (doc.HasParseError()) return Invalid("not JSON: " + text);
    BASALT_ASSIGN_OR_RETURN(FilterPattern p, ReadPattern(doc));
    f.patterns_.push_back(std::move(p));
  }
  return f;
}

bool EventFilter::Matches(const api::JsonValue& event) const {
  if (patterns_.empty()) return true;
  for (const FilterPattern& p : patterns_) {
    if (MatchPattern(p, &event)) return true;
  }
  return false;
}

bool EventFilter::MatchesText(std::string_view event_json) const {
  rapidjson::Document doc;
  doc.Parse(event_json.data(), event_json.size());
  return !doc.HasParseError() && Matches(doc);
}

}  // namespace basalt::triggers
