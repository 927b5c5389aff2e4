#include "server/markdown.h"

#include <cctype>
#include <optional>
#include <vector>

namespace basalt::server {
namespace {

bool IsBlank(std::string_view line) { return line.find_first_not_of(" \t\r") == std::string_view::npos; }

size_t Indent(std::string_view line) {
  size_t n = 0;
  while (n < line.size() && line[n] == ' ') ++n;
  return n;
}

std::string_view Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// A link target that cannot run script: http(s), mailto, a fragment or a
// relative path (no scheme before the first '/', '?' or '#').
bool SafeUrl(std::string_view url) {
  if (url.empty()) return false;
  for (std::string_view scheme : {"http://", "https://", "mailto:"}) {
    if (url.size() >= scheme.size()) {
      bool same = true;
      for (size_t i = 0; i < scheme.size(); ++i) {
        same = same && std::tolower(static_cast<unsigned char>(url[i])) == scheme[i];
      }
      if (same) return true;
    }
  }
  size_t colon = url.find(':');
  return colon == std::string_view::npos || url.find_first_of("/?#") < colon;
}

std::string Inline(std::string_view s);

// Emphasis or strong text opened by `marker` at `at`: where its closing
// marker starts, or npos.
size_t CloseOf(std::string_view s, size_t at, std::string_view marker) {
  size_t open_end = at + marker.size();
  if (open_end >= s.size() || s[open_end] == ' ') return std::string_view::npos;
  if (marker[0] == '_' && at > 0 && IsWordChar(s[at - 1])) return std::string_view::npos;
  for (size_t close = s.find(marker, open_end + 1); close != std::string_view::npos;
       close = s.find(marker, close + 1)) {
    if (s[close - 1] == ' ' || s[close - 1] == '\\') continue;
    size_t after = close + marker.size();
    if (marker[0] == '_' && after < s.size() && IsWordChar(s[after])) continue;
    if (marker.size() == 1 && after < s.size() && s[after] == marker[0]) {  // part of a longer run
      ++close;
      continue;
    }
    return close;
  }
  return std::string_view::npos;
}

std::string Inline(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    if (c == '\\' && i + 1 < s.size() && std::ispunct(static_cast<unsigned char>(s[i + 1]))) {
      out += HtmlEscape(s.substr(i + 1, 1));
      i += 2;
      continue;
    }
    if (c == '`') {
      size_t run = s.find_first_not_of('`', i) == std::string_view::npos ? s.size() - i
                                                                          : s.find_first_not_of('`', i) - i;
      std::string fence(run, '`');
      size_t close = s.find(fence, i + run);
      while (close != std::string_view::npos && close + run < s.size() && s[close + run] == '`') {
        close = s.find(fence, s.find_first_not_of('`', close));
      }
      if (close == std::string_view::npos) {
        out += fence;
        i += run;
        continue;
      }
      std::string_view code = s.substr(i + run, close - i - run);
      if (code.size() >= 2 && code.front() == ' ' && code.back() == ' ') code = code.substr(1, code.size() - 2);
      out += "<code>" + HtmlEscape(code) + "</code>";
      i = close + run;
      continue;
    }
    if (c == '*' || c == '_') {
      bool twice = i + 1 < s.size() && s[i + 1] == c;
      std::string marker(twice ? 2 : 1, c);
      size_t close = CloseOf(s, i, marker);
      if (close != std::string_view::npos) {
        const char* tag = twice ? "strong" : "em";
        out += std::string("<") + tag + ">" + Inline(s.substr(i + marker.size(), close - i - marker.size())) + "</" +
               tag + ">";
        i = close + marker.size();
        continue;
      }
      out += marker;
      i += marker.size();
      continue;
    }
    if (c == '[') {
      size_t mid = s.find("](", i);
      size_t end = mid == std::string_view::npos ? mid : s.find(')', mid);
      if (end != std::string_view::npos && s.substr(i + 1, mid - i - 1).find('[') == std::string_view::npos) {
        std::string_view text = s.substr(i + 1, mid - i - 1);
        std::string_view url = Trim(s.substr(mid + 2, end - mid - 2));
        if (SafeUrl(url)) {
          out += "<a href=\"" + HtmlEscape(url) + "\">" + Inline(text) + "</a>";
        } else {
          out += Inline(text) + " (" + HtmlEscape(url) + ")";
        }
        i = end + 1;
        continue;
      }
    }
    out += HtmlEscape(s.substr(i, 1));
    ++i;
  }
  return out;
}

std::string Slug(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (IsWordChar(c)) {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if ((c == ' ' || c == '-') && !out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

int HeadingLevel(std::string_view line) {
  size_t n = 0;
  while (n < line.size() && line[n] == '#') ++n;
  return n >= 1 && n <= 6 && n < line.size() && line[n] == ' ' ? static_cast<int>(n) : 0;
}

bool IsRule(std::string_view line) {
  std::string_view t = Trim(line);
  return t == "---" || t == "***" || t == "___";
}

bool IsFence(std::string_view line) { return Trim(line).starts_with("```"); }

struct ListMarker {
  size_t indent;
  bool ordered;
  size_t content;  // where the item's text starts
};

std::optional<ListMarker> ListItem(std::string_view line) {
  size_t indent = Indent(line);
  std::string_view rest = line.substr(indent);
  if (rest.size() >= 2 && (rest[0] == '-' || rest[0] == '*' || rest[0] == '+') && rest[1] == ' ') {
    return ListMarker{indent, false, indent + 2};
  }
  size_t digits = 0;
  while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) ++digits;
  if (digits > 0 && digits <= 9 && rest.size() > digits + 1 && rest[digits] == '.' && rest[digits + 1] == ' ') {
    return ListMarker{indent, true, indent + digits + 2};
  }
  return std::nullopt;
}

// The cells of a table row; "\|" is a pipe inside a cell.
std::vector<std::string> Cells(std::string_view line) {
  std::string_view t = Trim(line);
  if (t.starts_with('|')) t.remove_prefix(1);
  if (t.ends_with('|') && !t.ends_with("\\|")) t.remove_suffix(1);
  std::vector<std::string> cells(1);
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '\\' && i + 1 < t.size() && t[i + 1] == '|') {
      cells.back() += '|';
      ++i;
    } else if (t[i] == '|') {
      cells.emplace_back();
    } else {
      cells.back() += t[i];
    }
  }
  for (std::string& c : cells) c = std::string(Trim(c));
  return cells;
}

// The alignments of a delimiter row ("left", "center", "right" or ""), or
// nothing when `line` is not one.
std::optional<std::vector<std::string>> Delimiter(std::string_view line) {
  if (line.find('-') == std::string_view::npos) return std::nullopt;
  std::vector<std::string> aligns;
  for (const std::string& cell : Cells(line)) {
    std::string_view c = cell;
    bool left = c.starts_with(':'), right = c.ends_with(':');
    if (left) c.remove_prefix(1);
    if (right && !c.empty()) c.remove_suffix(1);
    if (c.empty() || c.find_first_not_of('-') != std::string_view::npos) return std::nullopt;
    aligns.push_back(left && right ? "center" : right ? "right" : left ? "left" : "");
  }
  return aligns;
}

class Renderer {
 public:
  explicit Renderer(std::string_view text) {
    for (size_t start = 0; start <= text.size();) {
      size_t nl = text.find('\n', start);
      if (nl == std::string_view::npos) nl = text.size();
      std::string_view line = text.substr(start, nl - start);
      if (line.ends_with('\r')) line.remove_suffix(1);
      lines_.push_back(line);
      start = nl + 1;
    }
  }

  std::string Render() {
    while (i_ < lines_.size()) Block();
    return std::move(out_);
  }

 private:
  bool StartsTable(size_t at) const {
    return at + 1 < lines_.size() && lines_[at].find('|') != std::string_view::npos && Delimiter(lines_[at + 1]) &&
           Delimiter(lines_[at + 1])->size() == Cells(lines_[at]).size();
  }

  bool StartsBlock(size_t at) const {
    std::string_view l = lines_[at];
    return HeadingLevel(l) || IsRule(l) || IsFence(l) || l.starts_with('>') || ListItem(l) || StartsTable(at);
  }

  void Block() {
    std::string_view line = lines_[i_];
    if (IsBlank(line)) {
      ++i_;
    } else if (int level = HeadingLevel(line)) {
      std::string_view text = Trim(line.substr(static_cast<size_t>(level)));
      std::string tag = "h" + std::to_string(level);
      out_ += "<" + tag + " id=\"" + Slug(text) + "\">" + Inline(text) + "</" + tag + ">\n";
      ++i_;
    } else if (IsRule(line)) {
      out_ += "<hr>\n";
      ++i_;
    } else if (IsFence(line)) {
      Fence();
    } else if (line.starts_with('>')) {
      std::string inner;
      for (; i_ < lines_.size() && lines_[i_].starts_with('>'); ++i_) {
        std::string_view l = lines_[i_].substr(1);
        if (l.starts_with(' ')) l.remove_prefix(1);
        inner += std::string(l) + "\n";
      }
      out_ += "<blockquote>\n" + MarkdownToHtml(inner) + "</blockquote>\n";
    } else if (ListItem(line)) {
      List(ListItem(line)->indent);
    } else if (StartsTable(i_)) {
      Table();
    } else {
      std::string text;
      for (; i_ < lines_.size() && !IsBlank(lines_[i_]) && (text.empty() || !StartsBlock(i_)); ++i_) {
        text += (text.empty() ? "" : "\n") + std::string(Trim(lines_[i_]));
      }
      out_ += "<p>" + Inline(text) + "</p>\n";
    }
  }

  void Fence() {
    std::string_view info = Trim(Trim(lines_[i_]).substr(3));
    info = info.substr(0, info.find(' '));
    size_t indent = Indent(lines_[i_]);
    out_ += "<pre><code" + (info.empty() ? std::string() : " class=\"language-" + HtmlEscape(info) + "\"") + ">";
    for (++i_; i_ < lines_.size() && !IsFence(lines_[i_]); ++i_) {
      std::string_view l = lines_[i_];
      l.remove_prefix(std::min(indent, Indent(l)));
      out_ += HtmlEscape(l) + "\n";
    }
    if (i_ < lines_.size()) ++i_;  // the closing fence
    out_ += "</code></pre>\n";
  }

  static constexpr size_t kNone = static_cast<size_t>(-1);

  // The indent of the list item at *at or after blank lines (*at moved to
  // it), or kNone when the next non-blank line is not one.
  size_t NextItemIndent(size_t* at) const {
    while (*at < lines_.size() && IsBlank(lines_[*at])) ++*at;
    if (*at == lines_.size()) return kNone;
    auto item = ListItem(lines_[*at]);
    return item ? item->indent : kNone;
  }

  // The items at `indent` and, inside them, the lists indented further.
  void List(size_t indent) {
    bool ordered = ListItem(lines_[i_])->ordered;
    const char* tag = ordered ? "ol" : "ul";
    out_ += std::string("<") + tag + ">\n";
    while (i_ < lines_.size()) {
      auto item = ListItem(lines_[i_]);
      if (!item || item->indent != indent || item->ordered != ordered) break;
      std::string text(Trim(lines_[i_].substr(item->content)));
      for (++i_; i_ < lines_.size() && !IsBlank(lines_[i_]) && !ListItem(lines_[i_]) &&
                 (Indent(lines_[i_]) > indent || !StartsBlock(i_));
           ++i_) {
        text += "\n" + std::string(Trim(lines_[i_]));
      }
      out_ += "<li>" + Inline(text);
      // A blank line between items keeps the list going.
      size_t next = i_;
      size_t following = NextItemIndent(&next);
      if (following != kNone && following >= indent + 2) {
        i_ = next;
        out_ += "\n";
        List(following);
        next = i_;
        following = NextItemIndent(&next);
      }
      out_ += "</li>\n";
      if (following == indent) i_ = next;
    }
    out_ += std::string("</") + tag + ">\n";
  }

  void Table() {
    std::vector<std::string> header = Cells(lines_[i_]);
    std::vector<std::string> aligns = *Delimiter(lines_[i_ + 1]);
    auto cell = [&](const char* tag, size_t col, const std::string& text) {
      std::string open = std::string("<") + tag;
      if (!aligns[col].empty()) open += " class=\"align-" + aligns[col] + "\"";  // no inline style: the CSP forbids it
      return open + ">" + Inline(text) + "</" + tag + ">";
    };
    out_ += "<table>\n<thead>\n<tr>";
    for (size_t c = 0; c < header.size(); ++c) out_ += cell("th", c, header[c]);
    out_ += "</tr>\n</thead>\n<tbody>\n";
    for (i_ += 2; i_ < lines_.size() && !IsBlank(lines_[i_]) && lines_[i_].find('|') != std::string_view::npos;
         ++i_) {
      std::vector<std::string> row = Cells(lines_[i_]);
      out_ += "<tr>";
      for (size_t c = 0; c < header.size(); ++c) out_ += cell("td", c, c < row.size() ? row[c] : "");
      out_ += "</tr>\n";
    }
    out_ += "</tbody>\n</table>\n";
  }

  std::vector<std::string_view> lines_;
  size_t i_ = 0;
  std::string out_;
};

}  // namespace

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string MarkdownToHtml(std::string_view markdown) { return Renderer(markdown).Render(); }

}  // namespace basalt::server
