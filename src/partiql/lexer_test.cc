// Tests for the PartiQL tokenizer: each row is a statement and its tokens
// rendered as one string, or the error. Observations of DynamoDB Local are
// noted where they decided a rule.
#include "partiql/lexer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace basalt::partiql {
namespace {

std::string KindName(TokenKind k) {
  switch (k) {
    case TokenKind::kKeyword: return "KW";
    case TokenKind::kIdentifier: return "ID";
    case TokenKind::kQuotedIdentifier: return "QID";
    case TokenKind::kString: return "STR";
    case TokenKind::kNumber: return "NUM";
    case TokenKind::kParameter: return "PARAM";
    case TokenKind::kPunctuation: return "P";
    case TokenKind::kEof: return "EOF";
  }
  return "?";
}

// "KW:SELECT P:* ..." (EOF omitted), or the error message.
std::string Tokens(std::string_view text) {
  Result<std::vector<Token>> r = Tokenize(text);
  if (!r.ok()) return r.status().message();
  std::string out;
  for (const Token& t : *r) {
    if (t.kind == TokenKind::kEof) break;
    if (!out.empty()) out += " ";
    out += KindName(t.kind) + ":" + t.value;
  }
  return out;
}

// "line:column:length" of every token, EOF included.
std::string Locations(std::string_view text) {
  Result<std::vector<Token>> r = Tokenize(text);
  if (!r.ok()) return r.status().message();
  std::string out;
  for (const Token& t : *r) {
    if (!out.empty()) out += " ";
    out += std::to_string(t.loc.line) + ":" + std::to_string(t.loc.column) + ":" + std::to_string(t.loc.length);
  }
  return out;
}

const std::string kSyntax = "Statement wasn't well formed, can't be processed: Unexpected token";

TEST(LexerTest, TokenTable) {
  struct Row {
    std::string text;
    std::string tokens;
  };
  const std::vector<Row> rows = {
      {"SELECT * FROM \"Music\"", "KW:SELECT P:* KW:FROM QID:Music"},
      // Keywords are case-insensitive and come out upper-cased; identifiers keep their case.
      {"select Artist from music", "KW:SELECT ID:Artist KW:FROM ID:music"},
      {"_a $b a1_$", "ID:_a ID:$b ID:a1_$"},
      // Reserved words are keywords even where an attribute name was meant.
      {"value size key date count new old string list", "KW:VALUE KW:SIZE KW:KEY KW:DATE KW:COUNT KW:NEW KW:OLD "
                                                         "KW:STRING KW:LIST"},
      // ...but not words outside PartiQL's list.
      {"name status data year values add", "ID:name ID:status ID:data ID:year ID:values ID:add"},
      {"\"a\"\"b\" 'it''s' '' \"\"", "QID:a\"b STR:it's STR: QID:"},
      {"'é' \"ü x\"", "STR:é QID:ü x"},
      {"1 1.5 .5 5. 1e3 1E-3 2.5e+10 007", "NUM:1 NUM:1.5 NUM:.5 NUM:5. NUM:1e3 NUM:1E-3 NUM:2.5e+10 NUM:007"},
      // A number ends where digits end: DynamoDB Local reads `1x` as `1 x` (an alias).
      {"1x 1e 1e+", "NUM:1 ID:x NUM:1 ID:e NUM:1 ID:e P:+"},
      // After a name, a dot starts a path step, not a number.
      {"a.b a.5", "ID:a P:. ID:b ID:a P:. NUM:5"},
      {"? ?,?", "PARAM:? PARAM:? P:, PARAM:?"},
      {"= <> != < <= > >= + - * / % ||", "P:= P:<> P:!= P:< P:<= P:> P:>= P:+ P:- P:* P:/ P:% P:||"},
      {"<<1, 2>> [3] {'a': 4} (5);", "P:<< NUM:1 P:, NUM:2 P:>> P:[ NUM:3 P:] P:{ STR:a P:: NUM:4 P:} P:( NUM:5 P:) P:;"},
      // Comments (DynamoDB Local accepts both kinds).
      {"a -- rest of line\nb /* block\n */ c", "ID:a ID:b ID:c"},
      {"a--", "ID:a"},
      {"", ""},
      {"  \t\n ", ""},
      // Characters that start no token.
      {"a é", kSyntax},
      {"a ! b", kSyntax},
      {"a | b", kSyntax},
      {"a @ b", kSyntax},
      {"`1`", kSyntax},
      {"#a", kSyntax},
      {"'unterminated", kSyntax},
      {"\"unterminated", kSyntax},
      {"'a''", kSyntax},
      {"/* unterminated", kSyntax},
  };
  for (const Row& row : rows) EXPECT_EQ(Tokens(row.text), row.tokens) << "statement: " << row.text;
}

// DynamoDB's messages end with " at line:column:length" of a token; columns
// and lengths count UTF-16 code units, as Java does.
TEST(LexerTest, LocationsAreOneBasedWithLengths) {
  EXPECT_EQ(Locations("SELECT * FROM \"Tbl\""), "1:1:6 1:8:1 1:10:4 1:15:5 1:20:0");
  EXPECT_EQ(Locations("a\n  'x''y' <<"), "1:1:1 2:3:6 2:10:2 2:12:0");
  EXPECT_EQ(Locations("'é' x"), "1:1:3 1:5:1 1:6:0");
  EXPECT_EQ(Locations("'😀' x"), "1:1:4 1:6:1 1:7:0");
  EXPECT_EQ(Locations("/* c */ a -- d\n b"), "1:9:1 2:2:1 2:3:0");
}

TEST(LexerTest, TokensKnowTheirByteRanges) {
  Result<std::vector<Token>> r = Tokenize("ab  'c'");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].begin, 0u);
  EXPECT_EQ((*r)[0].end, 2u);
  EXPECT_EQ((*r)[1].begin, 4u);
  EXPECT_EQ((*r)[1].end, 7u);
  EXPECT_EQ((*r)[2].begin, 7u);
}

TEST(LexerTest, ReservedWords) {
  EXPECT_TRUE(IsReservedWord("SELECT"));
  EXPECT_TRUE(IsReservedWord("MISSING"));
  EXPECT_TRUE(IsReservedWord("RETURNING"));
  EXPECT_TRUE(IsReservedWord("CHAR_LENGTH"));
  EXPECT_FALSE(IsReservedWord("select"));  // callers upper-case first
  EXPECT_FALSE(IsReservedWord("BEGINS_WITH"));
  EXPECT_FALSE(IsReservedWord("CONTAINS"));
  EXPECT_FALSE(IsReservedWord("VALUES"));
}

TEST(LexerTest, AtLocationFormat) { EXPECT_EQ(AtLocation(Location{1, 8, 5}), " at 1:8:5"); }

}  // namespace
}  // namespace basalt::partiql
