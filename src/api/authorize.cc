#include "api/authorize.h"

#include <strings.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <ctime>
#include <set>

#include "db/account.h"
#include "partiql/binder.h"
#include "partiql/parser.h"
#include "partiql/planner.h"

namespace basalt::api {
namespace {

std::string TableArn(const Context& ctx, std::string_view table) {
  return "arn:aws:dynamodb:" + ctx.scope.region + ":" + std::string(db::AccountOfNamespace(ctx.scope.ns)) +
         ":table/" + std::string(table);
}

std::string Str(const JsonValue& obj, const char* field) {
  if (!obj.IsObject()) return "";
  auto it = obj.FindMember(field);
  if (it == obj.MemberEnd() || !it->value.IsString()) return "";
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

const JsonValue* Member(const JsonValue& obj, const char* field) {
  if (!obj.IsObject()) return nullptr;
  auto it = obj.FindMember(field);
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

// An attribute value's text for a condition: S and N as written, B as base64.
std::optional<std::string> ScalarText(const JsonValue& av) {
  if (!av.IsObject()) return std::nullopt;
  for (const char* t : {"S", "N", "B"}) {
    if (auto* v = Member(av, t); v && v->IsString()) return std::string(v->GetString(), v->GetStringLength());
  }
  return std::nullopt;
}

std::string ResolveName(std::string_view token, const JsonValue& request) {
  if (!token.starts_with("#")) return std::string(token);
  const JsonValue* names = Member(request, "ExpressionAttributeNames");
  std::string key(token);
  if (names && names->IsObject()) {
    auto it = names->FindMember(key.c_str());
    if (it != names->MemberEnd() && it->value.IsString()) return it->value.GetString();
  }
  return key;
}

// The top-level attribute names an expression mentions: the first element
// of each path (names and #placeholders, skipping :values, functions,
// keywords and the elements after '.').
void ExpressionNames(std::string_view expr, const JsonValue& request, std::set<std::string>* out) {
  static const std::set<std::string> kWords = {"SET", "REMOVE", "ADD", "DELETE", "AND", "OR", "NOT", "BETWEEN",
                                               "IN", "set", "remove", "add", "delete", "and", "or", "not",
                                               "between", "in"};
  for (size_t i = 0; i < expr.size();) {
    char c = expr[i];
    if (c == '#' || std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t j = i + 1;
      while (j < expr.size() && (std::isalnum(static_cast<unsigned char>(expr[j])) || expr[j] == '_')) ++j;
      std::string_view tok = expr.substr(i, j - i);
      size_t k = j;
      while (k < expr.size() && expr[k] == ' ') ++k;
      bool after_dot = i > 0 && expr[i - 1] == '.';
      bool function = k < expr.size() && expr[k] == '(';
      std::string upper(tok);
      for (char& u : upper) u = static_cast<char>(std::toupper(static_cast<unsigned char>(u)));
      if (!after_dot && !function && !kWords.count(upper)) out->insert(ResolveName(tok, request));
      i = j;
    } else if (c == ':') {
      ++i;
      while (i < expr.size() && (std::isalnum(static_cast<unsigned char>(expr[i])) || expr[i] == '_')) ++i;
    } else {
      ++i;
    }
  }
}

std::vector<std::string> Keys(const JsonValue* obj) {
  std::vector<std::string> out;
  if (obj && obj->IsObject()) {
    for (const auto& m : obj->GetObject()) out.emplace_back(m.name.GetString(), m.name.GetStringLength());
  }
  return out;
}

struct TableKeys {
  std::string hash;
  std::vector<std::string> key_names;  // every key attribute of the table and its indexes
};

std::optional<TableKeys> KeysOf(Context& ctx, const std::string& table) {
  auto d = ctx.db->DescribeTable(ctx.scope, table);
  if (!d.ok()) return std::nullopt;
  TableKeys k;
  k.hash = d->meta->key_schema.hash.name;
  for (const auto& a : d->meta->attribute_definitions) k.key_names.push_back(a.name);
  return k;
}

struct ItemRequest {
  std::string action;
  std::string table;
  const JsonValue* key = nullptr;   // Key or Item
  const JsonValue* body = nullptr;  // the object holding expressions and names
  bool whole_item = false;          // Item: its names are the attributes
};

auth::RequestContext ItemContext(Context& ctx, const ItemRequest& r, const char* enclosing,
                                 const JsonValue& top) {
  auth::RequestContext c;
  c.action = "dynamodb:" + r.action;
  c.resource = TableArn(ctx, r.table);
  const JsonValue& body = r.body ? *r.body : top;
  auto keys = KeysOf(ctx, r.table);
  if (keys && r.key) {
    if (auto* hv = Member(*r.key, keys->hash.c_str())) {
      if (auto text = ScalarText(*hv)) c.Set("dynamodb:LeadingKeys", {*text});
    }
  }
  std::set<std::string> attrs;
  if (r.whole_item) {
    for (auto& n : Keys(r.key)) attrs.insert(n);
  }
  for (const char* e : {"ProjectionExpression", "UpdateExpression"}) {
    std::string text = Str(body, e);
    if (!text.empty()) ExpressionNames(text, body, &attrs);
  }
  if (auto* atg = Member(body, "AttributesToGet"); atg && atg->IsArray()) {
    for (const auto& a : atg->GetArray()) {
      if (a.IsString()) attrs.insert(a.GetString());
    }
  }
  for (auto& n : Keys(Member(body, "AttributeUpdates"))) attrs.insert(n);
  bool reads = r.action == "GetItem" || r.action == "BatchGetItem";
  if (!attrs.empty()) {
    if (keys && r.key) {
      for (auto& n : Keys(r.key)) attrs.insert(n);  // the key comes back with every item
    }
    c.Set("dynamodb:Attributes", std::vector<std::string>(attrs.begin(), attrs.end()));
  }
  if (reads) c.Set("dynamodb:Select", {attrs.empty() ? "ALL_ATTRIBUTES" : "SPECIFIC_ATTRIBUTES"});
  if (std::string rv = Str(body, "ReturnValues"); !rv.empty()) c.Set("dynamodb:ReturnValues", {rv});
  if (std::string rc = Str(top, "ReturnConsumedCapacity"); !rc.empty()) c.Set("dynamodb:ReturnConsumedCapacity", {rc});
  if (enclosing) c.Set("dynamodb:EnclosingOperation", {enclosing});
  return c;
}

// The partition-key value a Query's key condition names, if it is there.
std::optional<std::string> QueryLeadingKey(const JsonValue& req, const std::string& hash) {
  if (auto* kc = Member(req, "KeyConditions"); kc && kc->IsObject()) {
    if (auto* h = Member(*kc, hash.c_str())) {
      if (auto* list = Member(*h, "AttributeValueList"); list && list->IsArray() && list->Size() == 1) {
        return ScalarText((*list)[0]);
      }
    }
  }
  std::string expr = Str(req, "KeyConditionExpression");
  const JsonValue* values = Member(req, "ExpressionAttributeValues");
  // Terms "name = :v" or ":v = name" separated by AND.
  size_t pos = 0;
  while (pos < expr.size()) {
    size_t eq = expr.find('=', pos);
    if (eq == std::string::npos) break;
    auto word_before = [&](size_t end) {
      size_t e = end;
      while (e > 0 && expr[e - 1] == ' ') --e;
      size_t b = e;
      while (b > 0 && (std::isalnum(static_cast<unsigned char>(expr[b - 1])) || expr[b - 1] == '_' ||
                       expr[b - 1] == '#' || expr[b - 1] == ':')) --b;
      return expr.substr(b, e - b);
    };
    auto word_after = [&](size_t start) {
      size_t b = start;
      while (b < expr.size() && expr[b] == ' ') ++b;
      size_t e = b;
      while (e < expr.size() && (std::isalnum(static_cast<unsigned char>(expr[e])) || expr[e] == '_' ||
                                 expr[e] == '#' || expr[e] == ':')) ++e;
      return expr.substr(b, e - b);
    };
    std::string l = word_before(eq), r = word_after(eq + 1);
    if (!l.empty() && l[0] == ':') std::swap(l, r);
    if (!r.empty() && r[0] == ':' && ResolveName(l, req) == hash && values) {
      if (auto* v = Member(*values, r.c_str())) return ScalarText(*v);
    }
    pos = eq + 1;
  }
  return std::nullopt;
}

auth::RequestContext ReadContext(Context& ctx, std::string_view op, const JsonValue& req) {
  auth::RequestContext c;
  std::string table = Str(req, "TableName");
  c.action = "dynamodb:" + std::string(op);
  c.resource = TableArn(ctx, table);
  if (std::string index = Str(req, "IndexName"); !index.empty()) c.resource += "/index/" + index;
  std::set<std::string> attrs;
  if (std::string p = Str(req, "ProjectionExpression"); !p.empty()) ExpressionNames(p, req, &attrs);
  if (auto* atg = Member(req, "AttributesToGet"); atg && atg->IsArray()) {
    for (const auto& a : atg->GetArray()) {
      if (a.IsString()) attrs.insert(a.GetString());
    }
  }
  auto keys = KeysOf(ctx, table);
  if (!attrs.empty()) {
    if (keys) attrs.insert(keys->key_names.begin(), keys->key_names.end());
    c.Set("dynamodb:Attributes", std::vector<std::string>(attrs.begin(), attrs.end()));
  }
  std::string select = Str(req, "Select");
  if (select.empty()) select = attrs.empty() ? "ALL_ATTRIBUTES" : "SPECIFIC_ATTRIBUTES";
  c.Set("dynamodb:Select", {select});
  if (op == "Query" && keys) {
    if (auto lk = QueryLeadingKey(req, keys->hash)) c.Set("dynamodb:LeadingKeys", {*lk});
  }
  if (std::string rc = Str(req, "ReturnConsumedCapacity"); !rc.empty()) c.Set("dynamodb:ReturnConsumedCapacity", {rc});
  return c;
}

// A key value's text for dynamodb:LeadingKeys, as Contributor Insights
// renders keys (S as is, N in canonical form, B as base64); key values are
// only ever those three.
std::optional<std::string> KeyText(const model::AttributeValue& v) {
  const model::Type t = v.type();
  if (t != model::Type::kS && t != model::Type::kN && t != model::Type::kB) return std::nullopt;
  return db::KeyText(v);
}

// The condition keys of a planned PartiQL statement, set as the item
// operation it stands for sets them (reference, "Keys per action":
// PartiQLSelect A E F L S; PartiQLInsert A E L; PartiQLUpdate and
// PartiQLDelete A E L R): the partition-key values it reads or writes, the
// attributes it projects, writes or updates (with the key attributes of the
// table and its indexes, as the JSON operations), whether a SELECT scans, and RETURNING.
void SetStatementKeys(const partiql::Plan& plan, const db::TableMeta& table, auth::RequestContext* c) {
  const std::string& hash = table.key_schema.hash.name;
  std::vector<std::string> leading;
  auto leading_of = [&](const model::Item& item) {
    auto it = item.find(hash);
    if (it == item.end()) return;
    if (auto text = KeyText(it->second)) leading.push_back(*text);
  };
  std::set<std::string> attrs;
  auto name_of = [&](const expr::Path& p) {
    if (!p.empty() && !p[0].is_index) attrs.insert(p[0].name);
  };
  auto with_keys = [&] {
    if (attrs.empty()) return;
    for (const auto& a : table.attribute_definitions) attrs.insert(a.name);  // as ItemContext: every key attribute
  };
  auto returning = [&](partiql::ReturnValues r) {
    static constexpr const char* kNames[] = {"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"};
    if (r != partiql::ReturnValues::kNone) c->Set("dynamodb:ReturnValues", {kNames[static_cast<int>(r)]});
  };
  if (const auto* select = std::get_if<partiql::SelectPlan>(&plan)) {
    using Access = partiql::SelectPlan::Access;
    if (select->access == Access::kGetItem) leading_of(select->key);
    // Each partition a Query reads: `hash = v`, alone or first under an AND.
    for (const expr::Condition& kc : select->key_conditions) {
      const expr::Condition& eq = kc.kind == expr::Condition::Kind::kAnd ? kc.children.at(0) : kc;
      if (eq.args.size() == 2 && eq.args[0].path.size() == 1 && eq.args[0].path[0].name == hash) {
        if (auto text = KeyText(eq.args[1].value)) leading.push_back(*text);
      }
    }
    c->Set("dynamodb:FullTableScan", {select->access == Access::kScan ? "true" : "false"});
    for (const expr::Path& p : select->projection.paths) name_of(p);
    c->Set("dynamodb:Select", {attrs.empty() ? "ALL_ATTRIBUTES" : "SPECIFIC_ATTRIBUTES"});
    with_keys();
  } else if (const auto* insert = std::get_if<partiql::InsertPlan>(&plan)) {
    leading_of(insert->item);
    for (const auto& [name, value] : insert->item) attrs.insert(name);
  } else if (const auto* update = std::get_if<partiql::UpdatePlan>(&plan)) {
    leading_of(update->key);
    for (const expr::UpdateAction& a : update->update.actions) name_of(a.path);
    with_keys();
    returning(update->returning);
  } else if (const auto* del = std::get_if<partiql::DeletePlan>(&plan)) {
    leading_of(del->key);
    returning(del->returning);
  } else if (const auto* check = std::get_if<partiql::ConditionCheckPlan>(&plan)) {
    leading_of(check->key);
  }
  if (!leading.empty()) c->Set("dynamodb:LeadingKeys", std::move(leading));
  if (!attrs.empty()) c->Set("dynamodb:Attributes", std::vector<std::string>(attrs.begin(), attrs.end()));
}

// The context of one PartiQL statement: its action and the table (or index)
// its parse tree names, and the condition keys of its plan. A statement that
// does not parse gets none: it cannot run either (execution parses the same
// text, from the same cache, and answers its ValidationException). One that
// parses but does not bind or plan (bad parameters, a missing table, a
// write without its full key) gets the action and resource only; it fails
// at execution with the same checks, before it reads or writes anything.
std::optional<auth::RequestContext> StatementContext(Context& ctx, const JsonValue& request,
                                                     partiql::Context where) {
  auto parsed = partiql::ParseCached(Str(request, "Statement"));
  if (!parsed->statement.ok()) return std::nullopt;
  auto target = partiql::TargetOf(*parsed->statement);
  if (!target.ok() || target->table.empty()) return std::nullopt;
  auth::RequestContext c;
  c.action = "dynamodb:" + target->action;
  c.resource = TableArn(ctx, target->table);
  if (target->index) c.resource += "/index/" + *target->index;

  std::vector<model::AttributeValue> params;
  if (const JsonValue* list = Member(request, "Parameters"); list && list->IsArray()) {
    for (const auto& p : list->GetArray()) {
      auto v = DecodeAttributeValue(p);
      if (!v.ok()) return c;
      params.push_back(std::move(*v));
    }
  }
  auto bound = partiql::Bind(*parsed->statement, params, where);
  if (!bound.ok()) return c;
  auto table = ctx.db->DescribeTable(ctx.scope, target->table);
  if (!table.ok()) return c;
  partiql::KeySchemas keys{table->meta->key_schema, std::nullopt};
  if (target->index) {
    const db::IndexMeta* index = table->meta->FindIndex(*target->index);
    if (!index) return c;
    keys.index = index->key_schema;
  }
  auto plan = partiql::PlanStatement(std::move(*bound), keys, where);
  if (plan.ok()) SetStatementKeys(*plan, *table->meta, &c);
  return c;
}

// Whether a policy has a condition on aws:ResourceTag/... (looked up only then).
bool MentionsResourceTags(const auth::Policy& policy) {
  for (const auth::Statement& s : policy.statements) {
    for (const auth::Condition& c : s.conditions) {
      if (c.key.size() > 16 && strncasecmp(c.key.c_str(), "aws:ResourceTag/", 16) == 0) return true;
    }
  }
  return false;
}

// aws:ResourceTag/<key> of a table, one of its indexes or one of its
// streams (the resources that have it, reference "Resource ARNs"): the
// table's tags.
void SetResourceTags(Context& ctx, auth::RequestContext* c) {
  const std::string prefix = TableArn(ctx, "");
  if (!c->resource.starts_with(prefix)) return;
  std::string_view rest = std::string_view(c->resource).substr(prefix.size());
  std::string_view name = rest.substr(0, rest.find('/'));
  std::string_view tail = rest.substr(name.size());
  if (!tail.empty() && !tail.starts_with("/index/") && !tail.starts_with("/stream/")) return;
  auto table = ctx.db->DescribeTable(ctx.scope, std::string(name));
  if (!table.ok()) return;
  for (const db::Tag& tag : table->meta->tags) c->Set("aws:ResourceTag/" + tag.key, {tag.value});
}

}  // namespace

std::vector<auth::RequestContext> ContextsFor(std::string_view op, bool streams, const JsonValue& req, Context& ctx) {
  std::vector<auth::RequestContext> out;
  auto simple = [&](std::string resource) {
    auth::RequestContext c;
    c.action = "dynamodb:" + std::string(op);
    c.resource = std::move(resource);
    out.push_back(std::move(c));
  };
  if (streams) {
    if (op == "ListStreams") {
      simple("*");
    } else if (op == "GetRecords") {
      std::string it = Str(req, "ShardIterator");
      simple(it.substr(0, it.find('|')));
    } else {
      simple(Str(req, "StreamArn"));
    }
    return out;
  }
  if (op == "GetItem" || op == "DeleteItem" || op == "UpdateItem") {
    out.push_back(ItemContext(ctx, {std::string(op), Str(req, "TableName"), Member(req, "Key"), &req, false}, nullptr, req));
  } else if (op == "PutItem") {
    out.push_back(ItemContext(ctx, {"PutItem", Str(req, "TableName"), Member(req, "Item"), &req, true}, nullptr, req));
  } else if (op == "Query" || op == "Scan") {
    out.push_back(ReadContext(ctx, op, req));
  } else if (op == "BatchGetItem") {
    if (auto* items = Member(req, "RequestItems"); items && items->IsObject()) {
      for (const auto& t : items->GetObject()) {
        std::string table(t.name.GetString(), t.name.GetStringLength());
        if (auto* keys = Member(t.value, "Keys"); keys && keys->IsArray()) {
          for (const auto& k : keys->GetArray()) out.push_back(ItemContext(ctx, {"BatchGetItem", table, &k, &t.value, false}, nullptr, req));
        }
      }
    }
  } else if (op == "BatchWriteItem") {
    if (auto* items = Member(req, "RequestItems"); items && items->IsObject()) {
      for (const auto& t : items->GetObject()) {
        std::string table(t.name.GetString(), t.name.GetStringLength());
        if (!t.value.IsArray()) continue;
        for (const auto& w : t.value.GetArray()) {
          if (auto* put = Member(w, "PutRequest")) {
            out.push_back(ItemContext(ctx, {"BatchWriteItem", table, Member(*put, "Item"), put, true}, nullptr, req));
          } else if (auto* del = Member(w, "DeleteRequest")) {
            out.push_back(ItemContext(ctx, {"BatchWriteItem", table, Member(*del, "Key"), del, false}, nullptr, req));
          }
        }
      }
    }
  } else if (op == "TransactWriteItems" || op == "TransactGetItems") {
    static const std::pair<const char*, const char*> kKinds[] = {
        {"Put", "PutItem"}, {"Update", "UpdateItem"}, {"Delete", "DeleteItem"}, {"ConditionCheck", "ConditionCheckItem"},
        {"Get", "GetItem"}};
    std::string enclosing(op);
    if (auto* items = Member(req, "TransactItems"); items && items->IsArray()) {
      for (const auto& item : items->GetArray()) {
        for (auto [kind, action] : kKinds) {
          const JsonValue* body = Member(item, kind);
          if (!body) continue;
          bool put = std::string_view(kind) == "Put";
          out.push_back(ItemContext(ctx, {action, Str(*body, "TableName"), Member(*body, put ? "Item" : "Key"), body, put},
                                    enclosing.c_str(), req));
        }
      }
    }
  } else if (op == "ExecuteStatement" || op == "BatchExecuteStatement" || op == "ExecuteTransaction") {
    std::vector<const JsonValue*> statements;
    if (op == "ExecuteStatement") {
      statements.push_back(&req);
    } else if (auto* list = Member(req, op == "ExecuteTransaction" ? "TransactStatements" : "Statements");
               list && list->IsArray()) {
      for (const auto& s : list->GetArray()) statements.push_back(&s);
    }
    partiql::Context where = op == "ExecuteStatement"    ? partiql::Context::kExecuteStatement
                             : op == "ExecuteTransaction" ? partiql::Context::kTransaction
                                                          : partiql::Context::kBatch;
    for (const JsonValue* s : statements) {
      auto c = StatementContext(ctx, *s, where);
      if (!c) continue;
      if (op == "ExecuteTransaction") c->Set("dynamodb:EnclosingOperation", {"ExecuteTransaction"});
      out.push_back(std::move(*c));
    }
  } else if (op == "CreateTable") {
    // With a ResourcePolicy the caller also needs PutResourcePolicy on the new table (reference).
    simple(TableArn(ctx, Str(req, "TableName")));
    if (Member(req, "ResourcePolicy")) {
      auth::RequestContext c = out.back();
      c.action = "dynamodb:PutResourcePolicy";
      out.push_back(std::move(c));
    }
  } else if (op == "ListTables" || op == "DescribeLimits" || op == "DescribeEndpoints") {
    simple("*");
  } else if (op == "TagResource" || op == "UntagResource" || op == "ListTagsOfResource" ||
             op == "PutResourcePolicy" || op == "GetResourcePolicy" || op == "DeleteResourcePolicy") {
    simple(Str(req, "ResourceArn"));
  } else {
    simple(TableArn(ctx, Str(req, "TableName")));
  }
  return out;
}

Status Authorize(const Caller& caller, std::string_view op, bool streams, const JsonValue& request, Context& ctx) {
  if (!caller.principal || caller.principal->root) return Status::Ok();
  std::vector<auth::RequestContext> contexts = ContextsFor(op, streams, request, ctx);
  std::time_t t = static_cast<std::time_t>(caller.now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char now[32];
  std::strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
  const bool identity_tags = std::any_of(caller.principal->policies.begin(), caller.principal->policies.end(),
                                         [](const auth::NamedPolicy& p) { return MentionsResourceTags(*p.policy); });
  for (auto& c : contexts) {
    c.Set("aws:PrincipalArn", {caller.principal->arn});
    c.Set("aws:PrincipalAccount", {caller.principal->account});
    if (size_t slash = caller.principal->arn.rfind('/'); slash != std::string::npos &&
                                                          caller.principal->arn.find(":user/") != std::string::npos) {
      c.Set("aws:username", {caller.principal->arn.substr(slash + 1)});
    }
    if (!caller.source_ip.empty()) c.Set("aws:SourceIp", {std::string(caller.source_ip)});
    c.Set("aws:CurrentTime", {now});
    c.Set("aws:EpochTime", {std::to_string(static_cast<long long>(caller.now))});
    // The resource's own policy (a table's covers its indexes; a stream has its own).
    std::optional<auth::ResourcePolicy> rp;
    if (caller.resource_policies && c.resource.starts_with("arn:")) {
      rp = caller.resource_policies->Get(c.resource.substr(0, c.resource.find("/index/")));
    }
    if (identity_tags || (rp && MentionsResourceTags(*rp->policy))) SetResourceTags(ctx, &c);
    auth::Decision d = auth::Evaluate(caller.principal->policies, c);
    if (d == auth::Decision::kExplicitDeny) {
      return Status(Code::kAccessDenied, auth::AccessDeniedMessage(caller.principal->arn, c, d));
    }
    // The resource policy's explicit deny wins too, and its allow grants where no identity policy does.
    if (rp) {
      auth::Decision r = auth::EvaluateResourcePolicy(*rp->policy, caller.principal->arn, caller.principal->account, c);
      if (r == auth::Decision::kExplicitDeny) {
        return Status(Code::kAccessDenied, auth::AccessDeniedMessage(caller.principal->arn, c, r, "resource-based"));
      }
      if (r == auth::Decision::kAllow) d = r;
    }
    if (d != auth::Decision::kAllow) {
      return Status(Code::kAccessDenied, auth::AccessDeniedMessage(caller.principal->arn, c, d));
    }
  }
  return Status::Ok();
}

}  // namespace basalt::api
