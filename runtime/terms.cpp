// runtime/terms.cpp: parser of the term language and of FAILPOINTS specifications.
#include "runtime/terms.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <set>

#include "failpoint/control.hpp"

namespace failpoint {
namespace detail {
namespace {

struct action_spelling {
  const char* name;
  action act;
};

constexpr action_spelling action_spellings[] = {
    {"off", action::off},      {"return", action::return_},    {"sleep", action::sleep},
    {"panic", action::panic},  {"break", action::break_},      {"print", action::print},
    {"pause", action::pause},  {"yield", action::yield},       {"delay", action::delay},
    {"throw", action::throw_}, {"callback", action::callback},
};

constexpr const char* expected_actions =
    "one of off, return, sleep, panic, break, print, pause, yield, delay, throw, callback";

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_lower(char c) {
  return c >= 'a' && c <= 'z';
}

// Quotes a piece of input for an error message, escaping what would not print.
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

[[noreturn]] void fail(std::string_view input, std::size_t pos, std::string_view problem) {
  throw config_error(fmt::format("in {} at byte {}: {}", quote_for_message(input), pos, problem),
                     pos);
}

// The term parser: one instance per input, each grammar production a member function.
class term_parser {
 public:
  explicit term_parser(std::string_view input) : in_(input) {}

  // terms := term ("->" term)*
  parsed_terms parse_chain() {
    if (in_.size() > max_terms_length)
      fail(in_, max_terms_length, fmt::format("terms are longer than {} bytes", max_terms_length));
    parsed_terms out;
    skip_blanks();
    if (at_end())
      fail(in_, pos_, "empty terms; expected a term such as off or return(true)");
    for (;;) {
      if (out.terms.size() == max_terms)
        fail(in_, pos_, fmt::format("more than {} terms in one chain", max_terms));
      out.terms.push_back(parse_term());
      skip_blanks();
      if (at_end())
        break;
      if (in_.substr(pos_, 2) != "->")
        fail(in_, pos_, fmt::format("unexpected {}; expected \"->\" or the end", describe_here()));
      pos_ += 2;
      skip_blanks();
      if (at_end())
        fail(in_, pos_, "nothing after \"->\"; expected a term");
    }
    std::size_t begin = 0, end = in_.size();
    while (begin < end && is_blank(in_[begin]))
      ++begin;
    while (end > begin && is_blank(in_[end - 1]))
      --end;
    out.source = std::string(in_.substr(begin, end - begin));
    out.fix_pointers();
    return out;
  }

 private:
  // term := mod* action ["(" [value] ")"]
  term parse_term() {
    term t;
    while (!at_end() && (is_digit(peek()) || peek() == '.'))
      parse_mod(t);
    std::size_t action_pos = pos_;
    std::string_view word = take_word();
    if (word.empty())
      fail(in_, pos_, fmt::format("unexpected {}; expected {}", describe_here(), expected_actions));
    bool known = false;
    for (const auto& spelling : action_spellings) {
      if (word == spelling.name) {
        t.act = spelling.act;
        known = true;
      }
    }
    if (!known)
      fail(in_, action_pos,
           fmt::format("unknown action \"{}\"; expected {}", word, expected_actions));
    skip_blanks();
    std::optional<std::size_t> value_pos;
    if (!at_end() && peek() == '(') {
      ++pos_;
      skip_blanks();
      if (at_end())
        fail(in_, pos_, "missing \")\"; expected a value or \")\"");
      value_pos = pos_;  // an empty "()" reports a missing value at the ")"
      if (peek() != ')') {
        parse_value(t);
        skip_blanks();
      }
      if (at_end())
        fail(in_, pos_, "missing \")\" after the value");
      if (peek() != ')')
        fail(in_, pos_, fmt::format("unexpected {}; expected \")\"", describe_here()));
      ++pos_;
    }
    check_value(t, action_pos, value_pos);
    return t;
  }

  // mod := UINT "*" | NUMBER "%"
  void parse_mod(term& t) {
    std::size_t start = pos_;
    bool has_dot = false;
    while (!at_end() && (is_digit(peek()) || peek() == '.')) {
      if (peek() == '.') {
        if (has_dot)
          fail(in_, pos_, "a second \".\" in a number");
        has_dot = true;
      }
      ++pos_;
    }
    std::string_view number = in_.substr(start, pos_ - start);
    skip_blanks();
    if (at_end())
      fail(in_, pos_,
           fmt::format("\"{}\" is not followed by \"*\" or \"%\"; expected a count like 3* or a "
                       "probability like 50%",
                       number));
    if (peek() == '*') {
      if (has_dot)
        fail(in_, start, fmt::format("count \"{}\" is not a whole number", number));
      if (t.count)
        fail(in_, start, "a second count in one term");
      std::uint64_t n = 0;
      for (char c : number) {
        if (n > (UINT64_MAX - 9) / 10)
          fail(in_, start, "count is too large");
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
      }
      if (n == 0)
        fail(in_, start, "a count of 0 never runs; expected 1 or more");
      t.count = n;
    } else if (peek() == '%') {
      if (t.percent)
        fail(in_, start, "a second probability in one term");
      if (number == "." || number.back() == '.' || number.front() == '.')
        fail(in_, start, fmt::format("malformed number \"{}\"", number));
      double p = std::strtod(std::string(number).c_str(), nullptr);
      if (!(p >= 0.0 && p <= 100.0))
        fail(in_, start, fmt::format("probability {}% is out of range; expected 0 to 100", number));
      t.percent = p;
    } else {
      fail(in_, pos_,
           fmt::format("unexpected {} after \"{}\"; expected \"*\" (count) or \"%\" (probability)",
                       describe_here(), number));
    }
    ++pos_;
    skip_blanks();
  }

  // value := ["+"|"-"] DIGITS | '"' chars '"' | true | false
  void parse_value(term& t) {
    char c = peek();
    if (c == '"') {
      parse_string(t);
    } else if (c == '+' || c == '-' || is_digit(c)) {
      parse_integer(t);
    } else if (is_lower(c)) {
      std::size_t start = pos_;
      std::string_view word = take_word();
      if (word == "true" || word == "false") {
        t.val.kind = value_kind::boolean;
        t.val.integer = word == "true" ? 1 : 0;
      } else {
        fail(in_, start,
             fmt::format("unknown value \"{}\"; expected an integer, a \"string\", true or false "
                         "(strings need double quotes)",
                         word));
      }
    } else {
      fail(in_, pos_,
           fmt::format("unexpected {}; expected an integer, a \"string\", true or false",
                       describe_here()));
    }
  }

  void parse_integer(term& t) {
    std::size_t start = pos_;
    bool negative = false;
    if (peek() == '+' || peek() == '-') {
      negative = peek() == '-';
      ++pos_;
    }
    if (at_end() || !is_digit(peek()))
      fail(in_, pos_, fmt::format("unexpected {}; expected digits", describe_here()));
    // Accumulate as a negative number so INT64_MIN fits.
    std::int64_t acc = 0;
    while (!at_end() && is_digit(peek())) {
      int d = peek() - '0';
      if (acc < (INT64_MIN + d) / 10)
        fail(in_, start, "integer does not fit in 64 bits");
      acc = acc * 10 - d;
      ++pos_;
    }
    if (!negative) {
      if (acc == INT64_MIN)
        fail(in_, start, "integer does not fit in 64 bits");
      acc = -acc;
    }
    if (!at_end() && (is_lower(peek()) || peek() == '.'))
      fail(in_, pos_,
           fmt::format("unexpected {} after an integer; durations and other text need double "
                       "quotes, e.g. sleep(\"150ms\")",
                       describe_here()));
    t.val.kind = value_kind::integer;
    t.val.integer = acc;
  }

  void parse_string(term& t) {
    std::size_t start = pos_;
    ++pos_;  // opening quote
    std::string text;
    for (;;) {
      if (at_end())
        fail(in_, start, "unclosed string; expected a closing '\"'");
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
        fail(in_, start, "unclosed string; expected a closing '\"'");
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
              fail(in_, escape_pos, "\\x needs two hex digits, e.g. \\x41");
            v = v * 16 + h;
            ++pos_;
          }
          text += static_cast<char>(v);
          break;
        }
        default:
          fail(in_, escape_pos,
               fmt::format("unknown escape \"\\{}\"; expected one of \\\" \\\\ \\n \\t \\r \\xHH",
                           e));
      }
    }
    t.val.kind = value_kind::string;
    t.text = std::move(text);
  }

  // Checks that the action accepts the value it was given (or its absence).
  void check_value(term& t, std::size_t action_pos, std::optional<std::size_t> value_pos) {
    const value_kind kind = t.val.kind;
    const std::size_t where = value_pos.value_or(pos_);
    auto no_value = [&] {
      if (kind != value_kind::none)
        fail(in_, where, fmt::format("{} takes no value", action_name(t.act)));
    };
    auto message_only = [&] {
      if (kind != value_kind::none && kind != value_kind::string)
        fail(in_, where, fmt::format("{} takes an optional \"message\"", action_name(t.act)));
    };
    switch (t.act) {
      case action::off:
      case action::break_:
      case action::pause:
      case action::yield:
      case action::callback:
        no_value();
        break;
      case action::return_:
        break;
      case action::panic:
      case action::print:
      case action::throw_:
        message_only();
        break;
      case action::sleep:
      case action::delay: {
        // sleep(ms) and delay(us) take an integer in their unit, or a "duration" string.
        const bool is_sleep = t.act == action::sleep;
        if (kind == value_kind::none)
          fail(in_, value_pos.value_or(action_pos),
               fmt::format("{} needs a duration, e.g. {}", action_name(t.act),
                           is_sleep ? "sleep(100) (milliseconds) or sleep(\"150ms\")"
                                    : "delay(50) (microseconds) or delay(\"2ms\")"));
        if (kind == value_kind::integer) {
          if (t.val.integer < 0)
            fail(in_, where, "a duration cannot be negative");
          const std::int64_t unit = is_sleep ? 1000000 : 1000;
          if (t.val.integer > INT64_MAX / unit)
            fail(in_, where, "duration is too long");
          t.duration = std::chrono::nanoseconds(t.val.integer * unit);
        } else if (kind == value_kind::string) {
          auto d = parse_duration(t.text);
          if (!d)
            fail(in_, where,
                 fmt::format("malformed duration \"{}\"; expected e.g. \"150ms\", \"1.5s\", "
                             "\"1m30s\" (units ns, us, ms, s, m, h)",
                             t.text));
          t.duration = *d;
        } else {
          fail(in_, where, fmt::format("{} needs a duration, not true/false", action_name(t.act)));
        }
        break;
      }
    }
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

  void skip_blanks() {
    while (!at_end() && is_blank(peek()))
      ++pos_;
  }
  bool at_end() const { return pos_ >= in_.size(); }
  char peek() const { return in_[pos_]; }

  std::string_view in_;
  std::size_t pos_ = 0;
};

}  // namespace

const char* action_name(action a) noexcept {
  for (const auto& spelling : action_spellings) {
    if (spelling.act == a)
      return spelling.name;
  }
  return "?";
}

void parsed_terms::fix_pointers() noexcept {
  for (term& t : terms) {
    if (t.val.kind == value_kind::string) {
      t.val.text = t.text.c_str();
      t.val.size = t.text.size();
    }
  }
}

parsed_terms parse_terms(std::string_view input) {
  return term_parser(input).parse_chain();
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
// entry := NAME "=" terms  |  empty
std::vector<std::pair<std::string, std::string>> split_spec(std::string_view spec) {
  std::vector<std::pair<std::string, std::string>> out;
  std::set<std::string, std::less<>> seen;
  auto trim = [](std::string_view s) {
    while (!s.empty() && is_blank(s.front()))
      s.remove_prefix(1);
    while (!s.empty() && is_blank(s.back()))
      s.remove_suffix(1);
    return s;
  };
  std::size_t entry_start = 0;
  std::size_t eq = std::string_view::npos;
  bool in_string = false;
  for (std::size_t i = 0; i <= spec.size(); ++i) {
    const bool end = i == spec.size();
    const char c = end ? ';' : spec[i];
    if (in_string) {
      if (end)
        fail(spec, i, "unclosed string; expected a closing '\"'");
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      if (eq == std::string_view::npos)
        fail(spec, i, "'\"' in a failpoint name; expected \"=\"");
      in_string = true;
    } else if (c == '=' && eq == std::string_view::npos) {
      eq = i;
    } else if (c == ';' || c == '\n') {
      std::string_view entry = trim(spec.substr(entry_start, i - entry_start));
      if (!entry.empty()) {
        if (eq == std::string_view::npos)
          fail(spec, entry_start + (entry.data() - spec.substr(entry_start).data()),
               fmt::format("entry \"{}\" has no \"=\"; expected name=terms", entry));
        std::string_view name = trim(spec.substr(entry_start, eq - entry_start));
        std::string_view terms = trim(spec.substr(eq + 1, i - eq - 1));
        if (name.empty())
          fail(spec, eq, "empty failpoint name before \"=\"");
        if (!seen.insert(std::string(name)).second)
          fail(spec, eq, fmt::format("failpoint \"{}\" is given twice", name));
        out.emplace_back(std::string(name), std::string(terms));
      }
      entry_start = i + 1;
      eq = std::string_view::npos;
    }
  }
  return out;
}

}  // namespace detail
}  // namespace failpoint
