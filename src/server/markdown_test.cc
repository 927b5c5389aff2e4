#include "server/markdown.h"

#include <gtest/gtest.h>

namespace basalt::server {
namespace {

// A report in the shape the access-pattern report writes: headings, a
// paragraph with emphasis and code, a table with alignment, lists (one
// nested), a fenced block and a quote.
constexpr const char* kReport = R"(# DynamoDB Data Model

## Design Philosophy
Traffic is **read-heavy**: 92% of requests are `Query` on *Orders*.

## Access Pattern Mapping
| Pattern | Table/Index | Operation | Avg RPS | Cost ($/month) |
|:--------|:-----------:|-----------|--------:|---:|
| AP1 | Orders | `Query PK = :v` | 12.5 | 3.24 |
| AP2 | GSI1 | Scan \| filter | 0.2 |

## Findings
- Scan on **Orders** reads 1000 items per 3 returned
  (ScannedCount/Count = 333)
- Hot key `USER#42`:
  - 2,400 RCU/s against 3,000
  - shard it
1. first
2. second

```json
{"PK": "<b>"}
```

> Prices: on-demand, us-east-1.
)";

TEST(MarkdownTest, RendersTheReportSubset) {
  EXPECT_EQ(
      "<h1 id=\"dynamodb-data-model\">DynamoDB Data Model</h1>\n"
      "<h2 id=\"design-philosophy\">Design Philosophy</h2>\n"
      "<p>Traffic is <strong>read-heavy</strong>: 92% of requests are <code>Query</code> on <em>Orders</em>.</p>\n"
      "<h2 id=\"access-pattern-mapping\">Access Pattern Mapping</h2>\n"
      "<table>\n<thead>\n"
      "<tr><th class=\"align-left\">Pattern</th><th class=\"align-center\">Table/Index</th>"
      "<th>Operation</th><th class=\"align-right\">Avg RPS</th>"
      "<th class=\"align-right\">Cost ($/month)</th></tr>\n"
      "</thead>\n<tbody>\n"
      "<tr><td class=\"align-left\">AP1</td><td class=\"align-center\">Orders</td>"
      "<td><code>Query PK = :v</code></td><td class=\"align-right\">12.5</td>"
      "<td class=\"align-right\">3.24</td></tr>\n"
      "<tr><td class=\"align-left\">AP2</td><td class=\"align-center\">GSI1</td><td>Scan | filter</td>"
      "<td class=\"align-right\">0.2</td><td class=\"align-right\"></td></tr>\n"
      "</tbody>\n</table>\n"
      "<h2 id=\"findings\">Findings</h2>\n"
      "<ul>\n"
      "<li>Scan on <strong>Orders</strong> reads 1000 items per 3 returned\n(ScannedCount/Count = 333)</li>\n"
      "<li>Hot key <code>USER#42</code>:\n"
      "<ul>\n<li>2,400 RCU/s against 3,000</li>\n<li>shard it</li>\n</ul>\n"
      "</li>\n"
      "</ul>\n"
      "<ol>\n<li>first</li>\n<li>second</li>\n</ol>\n"
      "<pre><code class=\"language-json\">{&quot;PK&quot;: &quot;&lt;b&gt;&quot;}\n</code></pre>\n"
      "<blockquote>\n<p>Prices: on-demand, us-east-1.</p>\n</blockquote>\n",
      MarkdownToHtml(kReport));
}

TEST(MarkdownTest, EscapesEverythingItDoesNotWrite) {
  EXPECT_EQ("<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;</p>\n",
            MarkdownToHtml("<script>alert('x')</script> & \"q\""));
  EXPECT_EQ("<h2 id=\"a-img-srcx\">a &lt;img src=x&gt;</h2>\n", MarkdownToHtml("## a <img src=x>"));
  EXPECT_EQ("<table>\n<thead>\n<tr><th>&lt;k&gt;</th></tr>\n</thead>\n<tbody>\n<tr><td>&lt;/td&gt;</td></tr>\n"
            "</tbody>\n</table>\n",
            MarkdownToHtml("| <k> |\n|---|\n| </td> |"));
  EXPECT_EQ("<p><code>&lt;b&gt; **not bold**</code></p>\n", MarkdownToHtml("`<b> **not bold**`"));
}

TEST(MarkdownTest, LinksOnlyToSafeTargets) {
  EXPECT_EQ("<p><a href=\"https://aws.amazon.com/dynamodb/pricing/\">pricing</a></p>\n",
            MarkdownToHtml("[pricing](https://aws.amazon.com/dynamodb/pricing/)"));
  EXPECT_EQ("<p><a href=\"#hot-partition-analysis\">below</a></p>\n", MarkdownToHtml("[below](#hot-partition-analysis)"));
  EXPECT_EQ("<p>x (javascript:alert(1))</p>\n", MarkdownToHtml("[x](javascript:alert(1))"));
  EXPECT_EQ("<p>x (JavaScript:void)</p>\n", MarkdownToHtml("[x](JavaScript:void)"));
  EXPECT_EQ("<p><a href=\"a&quot;onmouseover=&quot;b\">x</a></p>\n", MarkdownToHtml("[x](a\"onmouseover=\"b)"));
}

TEST(MarkdownTest, EmphasisNeedsClosingMarkersAndIgnoresSnakeCase) {
  EXPECT_EQ("<p>items_returned and items_scanned</p>\n", MarkdownToHtml("items_returned and items_scanned"));
  EXPECT_EQ("<p>2 * 3 * 4</p>\n", MarkdownToHtml("2 * 3 * 4"));
  EXPECT_EQ("<p>a <em>b</em> <strong>c</strong> <strong>d</strong></p>\n", MarkdownToHtml("a _b_ **c** __d__"));
  EXPECT_EQ("<p>**open</p>\n", MarkdownToHtml("**open"));
  EXPECT_EQ("<p>*literal* `tick</p>\n", MarkdownToHtml("\\*literal\\* `tick"));
}

TEST(MarkdownTest, BlocksEndParagraphsAndRulesSeparate) {
  EXPECT_EQ("<p>text</p>\n<h3 id=\"next\">Next</h3>\n<hr>\n<p>after</p>\n",
            MarkdownToHtml("text\n### Next\n---\nafter"));
  EXPECT_EQ("<p>one\ntwo</p>\n<p>three</p>\n", MarkdownToHtml("one\ntwo\n\nthree\n"));
  EXPECT_EQ("<p>#notaheading</p>\n", MarkdownToHtml("#notaheading"));
  EXPECT_EQ("", MarkdownToHtml(""));
  EXPECT_EQ("<pre><code>unterminated &amp;\n</code></pre>\n", MarkdownToHtml("```\nunterminated &"));
}

TEST(MarkdownTest, ATableNeedsItsDelimiterRow) {
  EXPECT_EQ("<p>| a | b |\n| c | d |</p>\n", MarkdownToHtml("| a | b |\n| c | d |"));
  // a delimiter with another number of cells than the header is not a table either
  EXPECT_EQ("<p>| a | b |\n|---|</p>\n", MarkdownToHtml("| a | b |\n|---|"));
}

}  // namespace
}  // namespace basalt::server
