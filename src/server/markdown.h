// A Markdown-to-HTML renderer for the subset Basalt's own documents use (the
// access-pattern report the console shows without JavaScript). Every
// character of the input is escaped; the only markup in the output is what
// this renderer writes. The subset, by line:
//
//   heading    := "#"{1,6} " " inline             -> <h1>..<h6 id="slug">
//   rule       := ("---" | "***" | "___") alone     -> <hr>
//   fence      := "```" info? NL line* "```"      -> <pre><code class="language-INFO">
//   quote      := "> " inline                       -> <blockquote><p>
//   list item  := ("- " | "* " | "+ " | DIGITS ". ") inline, continued by
//                 indented lines; an item indented by 2+ more spaces than
//                 the one before it opens a nested list  -> <ul>/<ol><li>
//   table      := row NL delimiter NL row*, row := "|" cell ("|" cell)* "|"?,
//                 delimiter cells := ":"? "-"+ ":"?  -> <table> with
//                 <thead>, <tbody>, class align-left|center|right from the colons
//   paragraph  := the other non-blank lines, up to a blank line or a block
//
// Inline: `code`, **strong**, __strong__, *emphasis*, _emphasis_ (not
// inside words), [text](url) for http:, https:, mailto:, relative and
// #fragment urls (others stay text), and backslash escapes of punctuation.
#pragma once

#include <string>
#include <string_view>

namespace basalt::server {

// `&<>"'` as entities: safe in element content and in quoted attributes.
std::string HtmlEscape(std::string_view text);

// The HTML of a Markdown document (block elements, one per line).
std::string MarkdownToHtml(std::string_view markdown);

}  // namespace basalt::server
