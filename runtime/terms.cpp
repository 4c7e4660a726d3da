// runtime/terms.cpp: parser of the term language and of FAILPOINTS specifications.
// The grammar is in runtime/terms.hpp; each production is repeated above the code that parses it.
#include "runtime/terms.hpp"

#include <cmath>
#include <cstdlib>
#include <set>
#include <utility>

#include <fmt/format.h>

namespace failpoint {
namespace runtime_internal {
namespace {

// The table's rows are indexed by the enum: check that they are in its order.
constexpr bool table_in_enum_order() {
  for (std::size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); ++i) {
    if (static_cast<std::size_t>(actions[i].act) != i)
      return false;
  }
  return true;
}
static_assert(table_in_enum_order(), "runtime_internal::actions must follow enum class action");

// "one of off, return, ...", from the table.
std::string expected_actions() {
  std::string out = "one of ";
  for (const action_spec& spec : actions) {
    if (&spec != &actions[0])
      out += ", ";
    out += spec.name;
  }
  return out;
}

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_lower(char c) {
  return c >= 'a' && c <= 'z';
}

// The error for `problem` found at byte `pos` of `input`.
error malformed(std::string_view input, std::size_t pos, std::string_view problem) {
  error e;
  e.message = fmt::format("in {} at byte {}: {}", quote_for_message(input), pos, problem);
  e.position = pos;
  return e;
}

// The term parser: one instance per input, each grammar production a member function that
// returns false after recording the first error.
class term_parser {
 public:
  explicit term_parser(std::string_view input) : in_(input) {}

  result<parsed_terms> parse() {
    parsed_terms out;
    if (!parse_chain(out))
      return std::move(*error_);
    return out;
  }

 private:
  // terms := term ("->" term)*
  bool parse_chain(parsed_terms& out) {
    if (in_.size() > max_terms_length)
      return fail(max_terms_length,
                  fmt::format("terms are longer than {} bytes", max_terms_length));
    skip_blanks();
    if (at_end())
      return fail(pos_, "empty terms; expected a term such as off or return(true)");
    for (;;) {
      if (out.terms.size() == max_terms)
        return fail(pos_, fmt::format("more than {} terms in one chain", max_terms));
      out.terms.emplace_back();
      if (!parse_term(out.terms.back()))
        return false;
      skip_blanks();
      if (at_end())
        break;
      if (in_.substr(pos_, 2) != "->")
        return fail(pos_,
                    fmt::format("unexpected {}; expected \"->\" or the end", describe_here()));
      pos_ += 2;
      skip_blanks();
      if (at_end())
        return fail(pos_, "nothing after \"->\"; expected a term");
    }
    std::size_t begin = 0, end = in_.size();
    while (begin < end && is_blank(in_[begin]))
      ++begin;
    while (end > begin && is_blank(in_[end - 1]))
      --end;
    out.source = std::string(in_.substr(begin, end - begin));
    for (term& t : out.terms)
      t.action_offset -= begin;
    out.fix_pointers();
    return true;
  }

  // term := [mods] action ["(" [value] ")"]
  // mods := count [prob] | prob [count]
  bool parse_term(term& t) {
    while (!at_end() && (is_digit(peek()) || peek() == '.')) {
      if (!parse_mod(t))
        return false;
    }
    std::size_t action_pos = pos_;
    std::string_view word = take_word();
    if (word.empty())
      return fail(pos_,
                  fmt::format("unexpected {}; expected {}", describe_here(), expected_actions()));
    const action_spec* spec = nullptr;
    for (const action_spec& candidate : actions) {
      if (word == candidate.name)
        spec = &candidate;
    }
    if (spec == nullptr)
      return fail(action_pos,
                  fmt::format("unknown action \"{}\"; expected {}", word, expected_actions()));
    t.act = spec->act;
    t.action_offset = action_pos;  // in the input; parse_chain makes it relative to the source
    skip_blanks();
    std::optional<std::size_t> value_pos;
    if (!at_end() && peek() == '(') {
      ++pos_;
      skip_blanks();
      if (at_end())
        return fail(pos_, "missing \")\"; expected a value or \")\"");
      value_pos = pos_;  // an empty "()" reports a missing value at the ")"
      if (peek() != ')') {
        if (!parse_value(t))
          return false;
        skip_blanks();
      }
      if (at_end())
        return fail(pos_, "missing \")\" after the value");
      if (peek() != ')')
        return fail(pos_, fmt::format("unexpected {}; expected \")\"", describe_here()));
      ++pos_;
    }
    return check_value(t, *spec, action_pos, value_pos);
  }

  // count := UINT "*"
  // prob  := NUMBER "%"
  bool parse_mod(term& t) {
    std::size_t start = pos_;
    bool has_dot = false;
    while (!at_end() && (is_digit(peek()) || peek() == '.')) {
      if (peek() == '.') {
        if (has_dot)
          return fail(pos_, "a second \".\" in a number");
        has_dot = true;
      }
      ++pos_;
    }
    std::string_view number = in_.substr(start, pos_ - start);
    skip_blanks();
    if (at_end())
      return fail(pos_, fmt::format("\"{}\" is not followed by \"*\" or \"%\"; expected a count "
                                    "like 3* or a probability like 50%",
                                    number));
    if (peek() == '*') {
      if (has_dot)
        return fail(start, fmt::format("count \"{}\" is not a whole number", number));
      if (t.count)
        return fail(start, fmt::format("a second count \"{}*\" in one term; a term takes at most "
                                       "one count and one probability (write \"{}*\" once, or "
                                       "chain terms with \"->\")",
                                       number, *t.count));
      std::uint64_t n = 0;
      for (char c : number) {
        if (n > (UINT64_MAX - 9) / 10)
          return fail(start, "count is too large");
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
      }
      if (n == 0)
        return fail(start, "a count of 0 never runs; expected 1 or more");
      t.count = n;
    } else if (peek() == '%') {
      if (t.percent)
        return fail(start,
                    "a second probability in one term; a term takes at most one count "
                    "and one probability");
      if (number == "." || number.back() == '.' || number.front() == '.')
        return fail(start, fmt::format("malformed number \"{}\"", number));
      double p = std::strtod(std::string(number).c_str(), nullptr);
      if (!(p >= 0.0 && p <= 100.0))
        return fail(start,
                    fmt::format("probability {}% is out of range; expected 0 to 100", number));
      t.percent = p;
    } else {
      return fail(pos_, fmt::format("unexpected {} after \"{}\"; expected \"*\" (count) or \"%\" "
                                    "(probability)",
                                    describe_here(), number));
    }
    ++pos_;
    skip_blanks();
    return true;
  }

  // value := ["+"|"-"] DIGITS | '"' chars '"' | '`' rawchars '`' | true | false
  bool parse_value(term& t) {
    char c = peek();
    if (c == '"')
      return parse_string(t);
    if (c == '`')
      return parse_raw_string(t);
    if (c == '+' || c == '-' || is_digit(c))
      return parse_integer(t);
    if (is_lower(c)) {
      std::size_t start = pos_;
      std::string_view word = take_word();
      if (word != "true" && word != "false")
        return fail(start, fmt::format("unknown value \"{}\"; expected an integer, a \"string\", "
                                       "true or false (strings need double quotes)",
                                       word));
      t.val.kind = value_kind::boolean;
      t.val.integer = word == "true" ? 1 : 0;
      return true;
    }
    return fail(pos_, fmt::format("unexpected {}; expected an integer, a \"string\", true or false",
                                  describe_here()));
  }

  bool parse_integer(term& t) {
    std::size_t start = pos_;
    bool negative = false;
    if (peek() == '+' || peek() == '-') {
      negative = peek() == '-';
      ++pos_;
    }
    if (at_end() || !is_digit(peek()))
      return fail(pos_, fmt::format("unexpected {}; expected digits", describe_here()));
    // Accumulate as a negative number so INT64_MIN fits.
    std::int64_t acc = 0;
    while (!at_end() && is_digit(peek())) {
      int d = peek() - '0';
      if (acc < (INT64_MIN + d) / 10)
        return fail(start, "integer does not fit in 64 bits");
      acc = acc * 10 - d;
      ++pos_;
    }
    if (!negative) {
      if (acc == INT64_MIN)
        return fail(start, "integer does not fit in 64 bits");
      acc = -acc;
    }
    if (!at_end() && (is_lower(peek()) || peek() == '.'))
      return fail(pos_, fmt::format("unexpected {} after an integer; durations and other text "
                                    "need double quotes, e.g. sleep(\"150ms\")",
                                    describe_here()));
    t.val.kind = value_kind::integer;
    t.val.integer = acc;
    return true;
  }

  bool parse_string(term& t) {
    std::size_t start = pos_;
    ++pos_;  // opening quote
    std::string text;
    for (;;) {
      if (at_end())
        return fail(start, "unclosed string; expected a closing '\"'");
      char c = in_[pos_];
      if (c == '"') {
        ++pos_;
        break;
      }
      if (c != '\\') {
        text += c;
        ++pos_;
        continue;
      }
      std::size_t escape_pos = pos_;
      ++pos_;
      if (at_end())
        return fail(start, "unclosed string; expected a closing '\"'");
      char e = in_[pos_++];
      switch (e) {
        case '"':
          text += '"';
          break;
        case '\\':
          text += '\\';
          break;
        case 'n':
          text += '\n';
          break;
        case 't':
          text += '\t';
          break;
        case 'r':
          text += '\r';
          break;
        case 'x': {
          int v = 0;
          for (int i = 0; i < 2; ++i) {
            int h = at_end() ? -1 : hex_digit(in_[pos_]);
            if (h < 0)
              return fail(escape_pos, "\\x needs two hex digits, e.g. \\x41");
            v = v * 16 + h;
            ++pos_;
          }
          text += static_cast<char>(v);
          break;
        }
        default:
          return fail(escape_pos, fmt::format("unknown escape \"\\{}\"; expected one of \\\" \\\\ "
                                              "\\n \\t \\r \\xHH",
                                              e));
      }
    }
    t.val.kind = value_kind::string;
    t.text = std::move(text);
    return true;
  }

  // '`' rawchars '`': Go's raw string literal (gofail's terms use it), every byte kept as is.
  bool parse_raw_string(term& t) {
    const std::size_t start = pos_;
    const std::size_t close = in_.find('`', start + 1);
    if (close == std::string_view::npos)
      return fail(start, "unclosed raw string; expected a closing '`'");
    t.val.kind = value_kind::string;
    t.text = std::string(in_.substr(start + 1, close - start - 1));
    pos_ = close + 1;
    return true;
  }

  // Checks the value (or its absence) against the action's value_rule.
  bool check_value(term& t, const action_spec& spec, std::size_t action_pos,
                   std::optional<std::size_t> value_pos) {
    const value_kind kind = t.val.kind;
    const std::size_t where = value_pos.value_or(pos_);
    switch (spec.rule) {
      case value_rule::none:
        if (kind != value_kind::none)
          return fail(where, fmt::format("{} takes no value", spec.name));
        return true;
      case value_rule::any:
        return true;
      case value_rule::message:
        if (kind != value_kind::none && kind != value_kind::string)
          return fail(where, fmt::format("{} takes an optional \"message\"", spec.name));
        return true;
      case value_rule::duration:
        return check_duration(t, spec, action_pos, value_pos);
    }
    return true;
  }

  // An integer in the action's unit (sleep: ms, delay: us) or a "duration" string.
  bool check_duration(term& t, const action_spec& spec, std::size_t action_pos,
                      std::optional<std::size_t> value_pos) {
    const std::size_t where = value_pos.value_or(pos_);
    const char* unit = spec.unit_ns == 1000000 ? "milliseconds" : "microseconds";
    switch (t.val.kind) {
      case value_kind::none:
        return fail(value_pos.value_or(action_pos),
                    fmt::format("{0} needs a duration, e.g. {0}(100) ({1}) or {0}(\"150ms\")",
                                spec.name, unit));
      case value_kind::integer:
        if (t.val.integer < 0)
          return fail(where, "a duration cannot be negative");
        if (t.val.integer > INT64_MAX / spec.unit_ns)
          return fail(where, "duration is too long");
        t.duration = std::chrono::nanoseconds(t.val.integer * spec.unit_ns);
        return true;
      case value_kind::string:
        if (auto d = parse_duration(t.text)) {
          t.duration = *d;
          return true;
        }
        return fail(where, fmt::format("malformed duration \"{}\"; expected e.g. \"150ms\", "
                                       "\"1.5s\", \"1m30s\" (units ns, us, ms, s, m, h)",
                                       t.text));
      case value_kind::boolean:
        break;
    }
    return fail(where, fmt::format("{} needs a duration, not true/false", spec.name));
  }

  static int hex_digit(char c) {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
      return c - 'A' + 10;
    return -1;
  }

  std::string_view take_word() {
    std::size_t start = pos_;
    while (!at_end() && is_lower(peek()))
      ++pos_;
    return in_.substr(start, pos_ - start);
  }

  std::string describe_here() const {
    if (at_end())
      return "end of input";
    return fmt::format("\"{}\"", in_.substr(pos_, 1));
  }

  // Records the first error; returns false so that productions can `return fail(...)`.
  bool fail(std::size_t pos, std::string_view problem) {
    if (!error_)
      error_ = malformed(in_, pos, problem);
    return false;
  }

  void skip_blanks() {
    while (!at_end() && is_blank(peek()))
      ++pos_;
  }
  bool at_end() const { return pos_ >= in_.size(); }
  char peek() const { return in_[pos_]; }

  std::string_view in_;
  std::size_t pos_ = 0;
  std::optional<error> error_;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back()))
    s.remove_suffix(1);
  return s;
}

}  // namespace

std::string quote_for_message(std::string_view text) {
  constexpr std::size_t shown = 200;  // long inputs are cut: the position still locates the error
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < shown; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > shown)
    out += "...";
  out += '"';
  return out;
}

void parsed_terms::fix_pointers() noexcept {
  for (term& t : terms) {
    if (t.val.kind == value_kind::string) {
      t.val.text = t.text.c_str();
      t.val.size = t.text.size();
    }
  }
}

result<parsed_terms> parse_terms(std::string_view input) {
  return term_parser(input).parse();
}

bool may_end_process(const parsed_terms& parsed) noexcept {
  for (const term& t : parsed.terms) {
    if (spec_of(t.act).may_end_process)
      return true;
  }
  return false;
}

// duration := (NUMBER unit)+ ; unit := ns | us | ms | s | m | h
std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text) {
  if (text.empty())
    return std::nullopt;
  double total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t start = i;
    while (i < text.size() && (is_digit(text[i]) || text[i] == '.'))
      ++i;
    if (i == start)
      return std::nullopt;
    std::string number(text.substr(start, i - start));
    char* end = nullptr;
    double n = std::strtod(number.c_str(), &end);
    if (end != number.c_str() + number.size())
      return std::nullopt;
    std::size_t unit_start = i;
    while (i < text.size() && is_lower(text[i]))
      ++i;
    std::string_view unit = text.substr(unit_start, i - unit_start);
    double scale = 0;
    if (unit == "ns")
      scale = 1;
    else if (unit == "us")
      scale = 1e3;
    else if (unit == "ms")
      scale = 1e6;
    else if (unit == "s")
      scale = 1e9;
    else if (unit == "m")
      scale = 60e9;
    else if (unit == "h")
      scale = 3600e9;
    else
      return std::nullopt;
    total += n * scale;
  }
  if (!std::isfinite(total) || total > 9.2e18)
    return std::nullopt;
  return std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(total)));
}

// spec  := entry ((";" | newline) entry)*
// entry := ["?"] NAME "=" [terms]  |  blanks
result<std::vector<spec_entry>> split_spec(std::string_view spec) {
  std::vector<spec_entry> out;
  std::set<std::string, std::less<>> seen;
  std::size_t entry_start = 0;
  std::size_t eq = std::string_view::npos;
  char in_string = 0;  // the quote of the string being skipped: '"' or '`'
  std::size_t string_start = 0;
  for (std::size_t i = 0; i <= spec.size(); ++i) {
    const bool end = i == spec.size();
    const char c = end ? ';' : spec[i];
    if (in_string != 0) {
      if (end)
        return malformed(spec, string_start,
                         fmt::format("unclosed string; expected a closing '{}'", in_string));
      if (c == '\\' && in_string == '"') {
        ++i;
      } else if (c == in_string) {
        in_string = 0;
      }
      continue;
    }
    if (c == '"' || c == '`') {
      if (eq == std::string_view::npos)
        return malformed(spec, i, fmt::format("'{}' in a failpoint name; expected \"=\"", c));
      in_string = c;
      string_start = i;
    } else if (c == '=' && eq == std::string_view::npos) {
      eq = i;
    } else if (c == ';' || c == '\n') {
      std::string_view entry = trim(spec.substr(entry_start, i - entry_start));
      if (!entry.empty()) {
        const std::size_t entry_pos = static_cast<std::size_t>(entry.data() - spec.data());
        if (eq == std::string_view::npos)
          return malformed(spec, entry_pos,
                           fmt::format("entry \"{}\" has no \"=\"; expected name=terms", entry));
        std::string_view name = trim(spec.substr(entry_start, eq - entry_start));
        std::string_view terms = trim(spec.substr(eq + 1, i - eq - 1));
        const bool later = !name.empty() && name.front() == '?';
        if (later)
          name = trim(name.substr(1));
        if (name.empty())
          return malformed(spec, eq, "empty failpoint name before \"=\"");
        if (!seen.insert(std::string(name)).second)
          return malformed(spec, eq, fmt::format("failpoint \"{}\" is given twice", name));
        out.push_back(spec_entry{std::string(name), std::string(terms), later});
      }
      entry_start = i + 1;
      eq = std::string_view::npos;
    }
  }
  return out;
}

}  // namespace runtime_internal
}  // namespace failpoint
