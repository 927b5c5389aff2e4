// Recursive descent for DynamoDB's PartiQL statements.
//
// The grammar accepted (keywords case-insensitive; see lexer.h for tokens):
//
//   statement    := (select | insert | update | delete | exists | expr) [';'] EOF
//   select       := SELECT [DISTINCT | ALL] select_list FROM source
//                   [WHERE expr] [ORDER BY order_item (',' order_item)*] [LIMIT expr]
//   select_list  := '*' | (VALUE | PIVOT) expr | select_item (',' select_item)*
//   select_item  := expr [[AS] identifier]
//   source       := primary [[AS] identifier] [AT identifier] [BY identifier] (',' source)*
//   order_item   := expr [ASC | DESC]
//   insert       := INSERT INTO path VALUE expr [AT expr] [returning]
//   update       := UPDATE path (SET assignment (',' assignment)* | REMOVE path)+
//                   [WHERE expr] [returning]
//   assignment   := path '=' expr
//   delete       := DELETE FROM path [WHERE expr] [returning]
//   returning    := RETURNING element (',' element)*
//   element      := (ALL | MODIFIED) (OLD | NEW) ('*' | expr)
//   exists       := EXISTS '(' select ')'
//
//   expr         := or
//   or           := and (OR and)*
//   and          := not (AND not)*
//   not          := NOT not | equality
//   equality     := comparison (('=' | '<>' | '!=') comparison)*
//   comparison   := additive ( ('<' | '<=' | '>' | '>=') additive
//                            | [NOT] BETWEEN additive AND additive
//                            | [NOT] IN ('(' expr (',' expr)* ')' | additive)
//                            | [NOT] LIKE additive [ESCAPE additive]
//                            | IS [NOT] type_name )*
//   additive     := multiplicative (('+' | '-' | '||') multiplicative)*
//   multiplicative := unary (('*' | '/' | '%') unary)*
//   unary        := ('-' | '+') unary | postfix        -- a sign before a number literal is folded into it
//   postfix      := primary ('.' (identifier | quoted | '*') | '[' (expr | '*') ']')*   -- paths
//   primary      := string | number | TRUE | FALSE | NULL | MISSING | '?'
//                 | (DATE | TIME | TIMESTAMP) string
//                 | identifier | quoted
//                 | function '(' [ '*' | select | expr (',' expr)* ] ')'
//                 | '(' expr ')'
//                 | '[' [expr (',' expr)*] ']'
//                 | '{' [expr ':' expr (',' expr ':' expr)*] '}'
//                 | '<<' [expr (',' expr)*] '>>'
//   path         := (identifier | quoted) ('.' (identifier | quoted | '*') | '[' (expr | '*') ']')*
//   function     := identifier | SIZE | EXISTS | COUNT | ... (keywords that name functions)
//   type_name    := MISSING | NULL | BOOLEAN | STRING | INT | ... (keywords that name types)
//
// Precedence follows PartiQL: OR < AND < NOT < equality < comparison <
// additive < multiplicative < unary. Steps after something other than a name
// (`[1][0]`) parse, and the binder refuses them.
//
// The statements are parsed here, the expressions in expression_parser.cc.
#include "partiql/parser.h"

#include <string>
#include <utility>

#include "common/bounded_cache.h"
#include "partiql/errors.h"
#include "partiql/expression_parser.h"

namespace basalt::partiql {
namespace {

using ast::Expr;

class Parser : public ExpressionParser {
 public:
  explicit Parser(std::vector<Token> tokens) : ExpressionParser(std::move(tokens)) {}

  Result<ast::Statement> ParseStatement() {
    ast::Statement st(ParseBody(), 0);
    if (Peek().Is(";")) Next();
    if (!failed() && Peek().kind != TokenKind::kEof) Fail(Peek());
    if (failed()) return error_;
    st.parameter_count = parameters_;
    return st;
  }

 private:
  // ---- statements ----

  ast::Statement::Body ParseBody() {
    const Token& t = Peek();
    if (t.IsKeyword("SELECT")) return ParseSelect();
    if (t.IsKeyword("INSERT")) return ParseInsert();
    if (t.IsKeyword("UPDATE")) return ParseUpdate();
    if (t.IsKeyword("DELETE")) return ParseDelete();
    if (t.IsKeyword("EXISTS") && Peek(1).Is("(") && Peek(2).IsKeyword("SELECT")) {
      ast::ExistsStatement e;
      e.loc = Next().loc;
      Expect("(");
      e.select = ParseSelect();
      Expect(")");
      return e;
    }
    return ast::ExpressionStatement{ParseExpr()};
  }

  ast::SelectStatement ParseSelect() {
    ast::SelectStatement s;
    s.loc = Next().loc;  // SELECT
    if (Peek().IsKeyword("DISTINCT")) {
      s.distinct = true;
      Next();
    } else if (Peek().IsKeyword("ALL")) {
      Next();
    }
    if (Peek().IsKeyword("FROM")) {
      FailWith(kEmptySelectList);
      return s;
    }
    if (Peek().Is("*")) {
      Next();
      s.star = true;
      if (Peek().Is(",")) FailWith(kStarWithOthers);
    } else if (Peek().IsKeyword("VALUE") || Peek().IsKeyword("PIVOT")) {
      Next();
      s.value = true;
      s.projection.push_back(ParseExpr());
      if (Peek().IsKeyword("AT")) {
        Next();
        s.projection.push_back(ParseExpr());
      }
    } else {
      while (!failed()) {
        if (Peek().Is("*")) {
          FailWith(kStarWithOthers);
          break;
        }
        s.projection.push_back(ParseExpr());
        // DynamoDB Local: `SELECT a[*]` is a syntax error (`SELECT a.*` is not).
        for (const ast::PathStep& step : s.projection.back().steps) {
          if (step.kind == ast::PathStep::Kind::kBracketStar) FailWith(kUnexpectedToken);
        }
        if (SkipAlias()) s.aliased = true;
        if (!Peek().Is(",")) break;
        Next();
      }
    }
    if (failed()) return s;
    if (!Peek().IsKeyword("FROM")) {
      FailWith(kExpectedFromAfterSelect);
      return s;
    }
    Next();
    s.from = ParseSource();
    if (Peek().IsKeyword("WHERE")) {
      Next();
      s.where = ParseExpr();
    }
    if (Peek().IsKeyword("ORDER")) {
      Next();
      ExpectKeyword("BY");
      while (!failed()) {
        ast::OrderBy o;
        o.key = ParseExpr();
        if (Peek().IsKeyword("ASC")) {
          Next();
        } else if (Peek().IsKeyword("DESC")) {
          Next();
          o.descending = true;
        }
        s.order_by.push_back(std::move(o));
        if (!Peek().Is(",")) break;
        Next();
      }
    }
    if (Peek().IsKeyword("LIMIT")) {
      Next();
      s.limit = ParseExpr();
    }
    return s;
  }

  // `[AS] identifier` after a select item or source; true when one was there.
  bool SkipAlias() {
    if (Peek().IsKeyword("AS")) {
      Next();
      if (!IsName(Peek())) {
        Fail(Peek());
        return false;
      }
      Next();
      return true;
    }
    if (IsName(Peek())) {
      Next();
      return true;
    }
    return false;
  }

  ast::Source ParseSource() {
    ast::Source src;
    src.path = ParsePostfix();
    while (!failed()) {
      if (SkipAlias()) {
        src.aliased = true;
      } else if (Peek().IsKeyword("AT") || Peek().IsKeyword("BY")) {
        Next();
        if (!IsName(Peek())) {
          Fail(Peek());
          break;
        }
        Next();
        src.aliased = true;
      } else if (Peek().Is(",")) {
        Next();
        (void)ParsePostfix();
        src.several = true;
      } else {
        break;
      }
    }
    return src;
  }

  ast::InsertStatement ParseInsert() {
    ast::InsertStatement s;
    s.loc = Next().loc;  // INSERT
    ExpectKeyword("INTO");
    s.target = ParsePath();
    // reference/partiql.md: the service answers the SQL form
    // `INSERT INTO t (a, b) VALUES (...)` with "Unexpected keyword".
    ExpectKeyword("VALUE", kUnexpectedKeyword);
    s.value = ParseExpr();
    if (Peek().IsKeyword("AT")) {
      Next();
      (void)ParseExpr();
      s.at = true;
    }
    if (Peek().IsKeyword("RETURNING")) {
      (void)ParseReturning();
      s.returning = true;
    }
    return s;
  }

  ast::UpdateStatement ParseUpdate() {
    ast::UpdateStatement s;
    s.loc = Next().loc;  // UPDATE
    s.target = ParsePath();
    // reference/partiql.md: `UPDATE Payment-x SET ...` (an unquoted hyphen
    // ends the table name) is "Expected data manipulation".
    if (!failed() && !Peek().IsKeyword("SET") && !Peek().IsKeyword("REMOVE")) FailWith(kExpectedDml);
    while (!failed() && (Peek().IsKeyword("SET") || Peek().IsKeyword("REMOVE"))) {
      const bool set = Next().value == "SET";
      while (!failed()) {
        ast::UpdateAction a;
        a.kind = set ? ast::UpdateAction::Kind::kSet : ast::UpdateAction::Kind::kRemove;
        a.target = ParsePath();
        if (set) {
          if (!failed() && !Peek().Is("=")) {
            FailWith(kExpectedAssignment);
            break;
          }
          Next();
          a.value = ParseExpr();
        }
        s.actions.push_back(std::move(a));
        // REMOVE takes one path (DynamoDB Local: `REMOVE a, b` is a syntax
        // error; write `REMOVE a REMOVE b`); SET takes a list.
        if (!set || !Peek().Is(",")) break;
        Next();
      }
    }
    if (Peek().IsKeyword("WHERE")) {
      Next();
      s.where = ParseExpr();
    }
    if (Peek().IsKeyword("RETURNING")) s.returning = ParseReturning();
    return s;
  }

  ast::DeleteStatement ParseDelete() {
    ast::DeleteStatement s;
    s.loc = Next().loc;  // DELETE
    if (!ExpectKeyword("FROM", kExpectedFromAfterDelete)) return s;
    s.from.path = ParsePath();
    if (Peek().IsKeyword("WHERE")) {
      Next();
      s.where = ParseExpr();
    }
    if (Peek().IsKeyword("RETURNING")) s.returning = ParseReturning();
    return s;
  }

  ast::Returning ParseReturning() {
    ast::Returning r;
    Next();  // RETURNING
    while (!failed()) {
      const Token& mode = Peek();
      const Token& age = Peek(1);
      if (!(mode.IsKeyword("ALL") || mode.IsKeyword("MODIFIED")) || !(age.IsKeyword("OLD") || age.IsKeyword("NEW"))) {
        FailWith(kExpectedReturning);
        break;
      }
      Next();
      Next();
      if (r.elements++ == 0) {
        r.all = mode.value == "ALL";
        r.old = age.value == "OLD";
      }
      if (Peek().Is("*")) {
        Next();
      } else {
        (void)ParseExpr();
        r.star = false;
      }
      if (!Peek().Is(",")) break;
      Next();
    }
    return r;
  }

  void ParseSubquery() override { (void)ParseSelect(); }
};

}  // namespace

Result<ast::Statement> Parse(std::string_view statement) {
  if (Utf16Length(statement) > kMaxStatementLength) {
    return Status::Validation("1 validation error detected: Value '" + std::string(statement) +
                              "' at 'statement' failed to satisfy constraint: Member must have length less than or "
                              "equal to " +
                              std::to_string(kMaxStatementLength));
  }
  BASALT_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(statement));
  Parser parser(std::move(tokens));
  return parser.ParseStatement();
}

std::shared_ptr<const ParsedStatement> ParseCached(std::string_view statement) {
  // A statement's tree depends only on its text; parameters are bound later.
  static BoundedCache<ParsedStatement> cache(4096);
  return cache.Get(statement, [&](ParsedStatement* p) { p->statement = Parse(statement); });
}

}  // namespace basalt::partiql
