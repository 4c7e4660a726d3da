// Rewriter tests: golden input/enabled pairs (byte for byte, both ways), one error file per
// diagnostic, generate, partial states, and the file helpers.
#include "rewriter/rewriter.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "files.hpp"
#include "rewriter/files.hpp"
#include "rewriter/source.hpp"

namespace fs = std::filesystem;
namespace rw = failpoint::rewrite;

namespace {

const fs::path data_dir = FAILPOINT_REWRITER_TEST_DATA;

// The whole file; the test fails when it does not exist.
std::string slurp(const fs::path& p) {
  REQUIRE(fs::exists(p));
  return failpoint_test::read_file(p.string());
}

std::string formatted(const std::vector<rw::diagnostic>& diags) {
  std::string out;
  for (const auto& d : diags)
    out += rw::format(d);
  return out;
}

rw::options options_for(const fs::path& p, std::string prefix = "") {
  rw::options o;
  o.prefix = std::move(prefix);
  o.c_language = rw::is_c_path(p.string());
  return o;
}

// A fresh directory, removed when the test process exits.
struct temp_dir {
  fs::path path = failpoint_test::temp_dir();
};

// The test inputs of a data directory whose file names contain `marker`, sorted.
std::vector<fs::path> inputs_in(const char* dir, const std::string& marker) {
  std::vector<fs::path> inputs;
  for (const auto& e : fs::directory_iterator(data_dir / dir)) {
    if (e.path().filename().string().find(marker) != std::string::npos)
      inputs.push_back(e.path());
  }
  std::sort(inputs.begin(), inputs.end());
  return inputs;
}

void spit(const fs::path& p, const std::string& text) {
  failpoint_test::write_file(p.string(), text);
}

}  // namespace

TEST_CASE("every golden input enables to its expected output byte for byte, and back",
          "[rewriter][golden]") {
  const std::vector<fs::path> inputs = inputs_in("golden", ".input.");
  REQUIRE(inputs.size() >= 37);
  for (const fs::path& input : inputs) {
    const std::string name = input.filename().string();
    const std::string base = name.substr(0, name.find(".input."));
    const fs::path expected_path =
        input.parent_path() / (base + ".enabled" + input.extension().string());
    const fs::path prefix_path = input.parent_path() / (base + ".prefix");
    const std::string prefix = fs::exists(prefix_path) ? slurp(prefix_path) : "";
    DYNAMIC_SECTION(base) {
      const std::string in = slurp(input);
      const std::string expected = slurp(expected_path);
      const rw::options o = options_for(input, prefix);

      const rw::rewrite_result on = rw::enable(name, in, o);
      INFO(formatted(on.diagnostics));
      REQUIRE(on.ok);
      CHECK(on.changed);
      CHECK(on.text == expected);

      const rw::rewrite_result off = rw::disable(name, expected, o);
      INFO(formatted(off.diagnostics));
      REQUIRE(off.ok);
      CHECK(off.text == in);

      // Enabling twice changes nothing; disabling a disabled file changes nothing.
      const rw::rewrite_result again = rw::enable(name, expected, o);
      REQUIRE(again.ok);
      CHECK_FALSE(again.changed);
      CHECK(again.text == expected);
      const rw::rewrite_result off_again = rw::disable(name, in, o);
      REQUIRE(off_again.ok);
      CHECK_FALSE(off_again.changed);
      CHECK(off_again.text == in);
    }
  }
}

TEST_CASE("every malformed input gets its diagnostic and nothing is rewritten",
          "[rewriter][errors]") {
  const std::vector<fs::path> inputs = inputs_in("errors", ".cpp");
  REQUIRE(inputs.size() >= 26);
  for (const fs::path& input : inputs) {
    const std::string name = input.filename().string();
    DYNAMIC_SECTION(name) {
      const std::string text = slurp(input);
      std::string expected = slurp(fs::path(input).replace_extension(".err"));
      const bool disabling = name.rfind("disable_", 0) == 0;
      const rw::rewrite_result r =
          disabling ? rw::disable(name, text, {}) : rw::enable(name, text, {});
      CHECK_FALSE(r.ok);
      CHECK(formatted(r.diagnostics) == expected);
    }
  }
}

TEST_CASE("scan reports names, types, lines and bodies", "[rewriter][scan]") {
  const std::string text =
      "int f() {\n"
      "  // failpoint: var A std :: string\n"
      "  // return A.size();\n"
      "  // failpoint: var B\n"
      "  // failpoint: L:\n"
      "  return 0;\n"
      "}\n";
  rw::options o;
  o.prefix = "p.";
  const rw::scan_result s = rw::scan("x.cpp", text, o);
  REQUIRE(s.ok());
  REQUIRE(s.blocks.size() == 3);
  CHECK(s.blocks[0].kind == rw::block_kind::value);
  CHECK(rw::full_name(o, s.blocks[0]) == "p.A");
  CHECK(s.blocks[0].type == "std::string");
  CHECK(s.blocks[0].first_line == 2);
  CHECK(s.blocks[0].last_line == 3);
  CHECK(s.blocks[0].column == 3);
  CHECK(s.blocks[0].body == std::vector<std::string>{"return A.size();"});
  CHECK(s.blocks[1].kind == rw::block_kind::no_value);
  CHECK(s.blocks[1].body.empty());
  CHECK(s.blocks[2].kind == rw::block_kind::label);
  CHECK(s.blocks[2].name == "L");
}

TEST_CASE("a text without failpoints is returned unchanged by every command", "[rewriter]") {
  const std::string text = "int main() { return 0; } // failpoints are mentioned, not declared\n";
  CHECK_FALSE(rw::enable("x.cpp", text, {}).changed);
  CHECK_FALSE(rw::disable("x.cpp", text, {}).changed);
  CHECK(rw::scan("x.cpp", text, {}).blocks.empty());
}

TEST_CASE("generate starts with the include and a #line naming the original", "[rewriter]") {
  const std::string text = "\xEF\xBB\xBFvoid f() {\n  // failpoint: var G\n  // return;\n}\n";
  const rw::rewrite_result r = rw::generate("/src/dir \"q\"\\x.cpp", text, {});
  REQUIRE(r.ok);
  CHECK(r.text ==
        "\xEF\xBB\xBF#include <failpoint/failpoint.hpp>\n"
        "#line 1 \"/src/dir \\\"q\\\"\\\\x.cpp\"\n"
        "void f() {\n"
        "  if (FAILPOINT(\"G\")) { //@failpoint // failpoint: var G\n"
        "  return; } //@failpoint // return;\n"
        "}\n");

  const rw::rewrite_result plain = rw::generate("/src/y.cpp", "int y;\n", {});
  REQUIRE(plain.ok);
  CHECK(plain.text == "#line 1 \"/src/y.cpp\"\nint y;\n");

  const rw::rewrite_result bad = rw::generate("/src/z.cpp", "// failpoint: var\nint z;\n", {});
  CHECK_FALSE(bad.ok);
}

TEST_CASE("a comment added to an enabled file is enabled too, with the include added once",
          "[rewriter]") {
  const std::string original = "void f() {\n  // failpoint: var One\n  int x = 0;\n  (void)x;\n}\n";
  const rw::rewrite_result once = rw::enable("x.cpp", original, {});
  REQUIRE(once.ok);
  // Add a second failpoint to the enabled text.
  std::string edited = once.text;
  edited.insert(edited.find("  int x"), "  // failpoint: var Two\n");
  const rw::rewrite_result twice = rw::enable("x.cpp", edited, {});
  REQUIRE(twice.ok);
  CHECK(twice.text.find("#include <failpoint/failpoint.hpp>") ==
        twice.text.rfind("#include <failpoint/failpoint.hpp>"));
  CHECK(twice.text.find("if (FAILPOINT(\"Two\")) {}") != std::string::npos);
  // And disabling restores both comments.
  const rw::rewrite_result off = rw::disable("x.cpp", twice.text, {});
  REQUIRE(off.ok);
  std::string expected = original;
  expected.insert(expected.find("  int x"), "  // failpoint: var Two\n");
  CHECK(off.text == expected);
}

TEST_CASE("one name with two types is an error across files sharing a registry",
          "[rewriter][errors]") {
  rw::type_registry types;
  rw::options o;
  o.types = &types;
  CHECK(rw::scan("a.cpp", "void f() {\n  // failpoint: var N int\n  f();\n}\n", o).ok());
  CHECK(rw::scan("b.cpp", "void g() {\n  // failpoint: var N int\n  g();\n}\n", o).ok());
  const rw::scan_result s = rw::scan("c.cpp", "void h() {\n  // failpoint: var N\n  h();\n}\n", o);
  REQUIRE_FALSE(s.ok());
  CHECK(formatted(s.diagnostics) ==
        "c.cpp:2:3: error: failpoint 'N' declared with type '(no value)' here but with type "
        "'int' elsewhere\n"
        "  // failpoint: var N\n"
        "  ^\n"
        "a.cpp:2:3: note: failpoint 'N' first declared here\n"
        "  // failpoint: var N int\n"
        "  ^\n");
}

TEST_CASE("labels are per function: lambdas and other functions may reuse a label",
          "[rewriter][labels]") {
  const std::string ok_text =
      "void f() {\n"
      "  // failpoint: L:\n"
      "  auto g = [](int x) mutable -> int {\n"
      "    // failpoint: L:\n"
      "    return x;\n"
      "  };\n"
      "  auto h = [] {\n"
      "    // failpoint: L:\n"
      "    return 1;\n"
      "  };\n"
      "  struct local { void m() {\n"
      "    // failpoint: L:\n"
      "    return;\n"
      "  } };\n"
      "}\n"
      "namespace n { struct s { void m() {\n"
      "  // failpoint: L:\n"
      "  return;\n"
      "} }; }\n";
  const rw::scan_result ok = rw::scan("x.cpp", ok_text, {});
  INFO(formatted(ok.diagnostics));
  CHECK(ok.ok());
  CHECK(ok.blocks.size() == 5);

  const std::string dup_text =
      "void f(int a) {\n"
      "  if (a) {\n"
      "    // failpoint: L:\n"
      "    a++;\n"
      "  }\n"
      "  for (;;) {\n"
      "    // failpoint: L:\n"
      "    break;\n"
      "  }\n"
      "}\n";
  CHECK_FALSE(rw::scan("x.cpp", dup_text, {}).ok());
}

TEST_CASE("disable refuses a file whose marker was damaged and returns no text",
          "[rewriter][errors]") {
  const std::string text =
      "#include <failpoint/failpoint.hpp> //@failpoint-include\n#line 1\n"
      "void f() {\n  if (FAILPOINT(\"X\")) {} //@failpoint failpoint: var X\n}\n";
  const rw::rewrite_result r = rw::disable("x.cpp", text, {});
  CHECK_FALSE(r.ok);
  CHECK(formatted(r.diagnostics).find("malformed failpoint marker") != std::string::npos);
}

TEST_CASE("source paths are recognised by extension", "[rewriter][files]") {
  for (const char* p : {"a.c", "a.cc", "a.cpp", "a.cxx", "a.c++", "a.C", "a.h", "a.hh", "a.hpp",
                        "a.hxx", "a.ipp", "d.x/a.inl", "a.tcc"})
    CHECK(rw::is_source_path(p));
  for (const char* p : {"a.txt", "a.cpp.orig", "Makefile", "dir.cpp/README", "a.py", "a.CPP", "a."})
    CHECK_FALSE(rw::is_source_path(p));
  CHECK(rw::is_c_path("x/a.c"));
  CHECK_FALSE(rw::is_c_path("x/a.cc"));
  CHECK_FALSE(rw::is_c_path("x/a.C"));  // C++ by the usual convention
}

TEST_CASE("directories are walked recursively for sources, skipping hidden directories",
          "[rewriter][files]") {
  temp_dir dir;
  fs::create_directories(dir.path / "src" / "deep");
  fs::create_directories(dir.path / ".git");
  spit(dir.path / "src" / "a.cpp", "");
  spit(dir.path / "src" / "deep" / "b.hpp", "");
  spit(dir.path / "src" / "notes.txt", "");
  spit(dir.path / ".git" / "c.cpp", "");
  const rw::result<std::vector<std::string>> files = rw::collect_sources({dir.path.string()});
  REQUIRE(files.ok());
  REQUIRE(files->size() == 2);
  CHECK((*files)[0] == (dir.path / "src" / "a.cpp").string());
  CHECK((*files)[1] == (dir.path / "src" / "deep" / "b.hpp").string());
  const auto missing = rw::collect_sources({(dir.path / "missing").string()});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.message().find("no such file") != std::string::npos);
}

TEST_CASE("atomic writes replace the file, keep its mode and leave no temporary file",
          "[rewriter][files]") {
  temp_dir dir;
  const fs::path p = dir.path / "x.cpp";
  spit(p, "old");
  REQUIRE(::chmod(p.c_str(), 0640) == 0);
  REQUIRE(rw::write_file_atomic(p.string(), "new contents").ok());
  CHECK(slurp(p) == "new contents");
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0640);
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
  // A directory that does not exist: an error, nothing written.
  const rw::result<void> failed = rw::write_file_atomic((dir.path / "no" / "y.cpp").string(), "x");
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.message().find("y.cpp") != std::string::npos);
}

TEST_CASE("an atomic write through a symbolic link replaces its target and keeps the link",
          "[rewriter][files]") {
  temp_dir dir;
  const fs::path real = dir.path / "real.cpp";
  const fs::path link = dir.path / "link.cpp";
  spit(real, "old");
  fs::create_symlink(real, link);
  REQUIRE(rw::write_file_atomic(link.string(), "new").ok());
  CHECK(fs::is_symlink(fs::symlink_status(link)));
  CHECK(slurp(real) == "new");
}

TEST_CASE("a /* */ comment after code on its line is not taken for a misplaced header",
          "[rewriter][errors]") {
  // A body line holding such a comment must enable twice to the same text.
  const std::string text =
      "int f() {\n"
      "  // failpoint: var X int\n"
      "  // int y = /*failpoint: L:*/ X; (void)y;\n"
      "  int z = /* failpoint: var Y int */ 0;\n"
      "  return z;\n"
      "}\n";
  const rw::rewrite_result once = rw::enable("x.cpp", text, {});
  INFO(formatted(once.diagnostics));
  REQUIRE(once.ok);
  const rw::rewrite_result twice = rw::enable("x.cpp", once.text, {});
  INFO(formatted(twice.diagnostics));
  REQUIRE(twice.ok);
  CHECK(twice.text == once.text);
  CHECK_FALSE(rw::scan("x.cpp", "void f() {\n  /* failpoint: var Y int */\n  f();\n}\n", {}).ok());
}

TEST_CASE("every warning input gets its warnings and notes, and is rewritten all the same",
          "[rewriter][warnings]") {
  const std::vector<fs::path> inputs = inputs_in("warnings", ".cpp");
  REQUIRE(inputs.size() >= 9);
  for (const fs::path& input : inputs) {
    const std::string name = input.filename().string();
    DYNAMIC_SECTION(name) {
      const std::string text = slurp(input);
      const std::string expected = slurp(fs::path(input).replace_extension(".err"));
      const rw::rewrite_result on = rw::enable(name, text, {});
      REQUIRE(on.ok);
      CHECK(formatted(on.diagnostics) == expected);
      CHECK(on.changed == !rw::scan(name, text, {}).blocks.empty());
      // The warnings change nothing: the text is what the blocks alone give, and it goes back.
      const rw::rewrite_result off = rw::disable(name, on.text, {});
      REQUIRE(off.ok);
      CHECK(off.text == text);
      CHECK(off.diagnostics.empty());
      // As errors: the file is refused with the same messages.
      rw::options strict;
      strict.warnings_as_errors = true;
      const rw::rewrite_result refused = rw::enable(name, text, strict);
      CHECK(refused.ok == expected.empty());
      if (!expected.empty()) {
        CHECK(formatted(refused.diagnostics).find(": error: ") != std::string::npos);
        CHECK(formatted(refused.diagnostics).find(" [--Werror]") != std::string::npos);
      }
    }
  }
}

TEST_CASE("the README shows the comment grammar exactly as rewriter/scan.hpp defines it",
          "[rewriter][docs]") {
  const std::string header = slurp(data_dir / ".." / ".." / "rewriter" / "scan.hpp");
  const std::size_t begin = header.find("// <grammar>\n");
  const std::size_t end = header.find("// </grammar>\n");
  REQUIRE(begin != std::string::npos);
  REQUIRE(end != std::string::npos);
  std::string grammar;
  std::istringstream lines(header.substr(begin, end - begin));
  std::string line;
  std::getline(lines, line);  // the <grammar> marker
  while (std::getline(lines, line)) {
    REQUIRE(line.rfind("//", 0) == 0);
    grammar += line.size() > 3 ? line.substr(3) : "";
    grammar += '\n';
  }
  REQUIRE(grammar.find("var-header") != std::string::npos);
  const std::string readme = slurp(data_dir / ".." / ".." / "README.md");
  CHECK(readme.find("```\n" + grammar + "```\n") != std::string::npos);
}

namespace {
// The line enable puts the include on, or 0 for the form that adds two lines.
unsigned include_line_of(const std::string& text) {
  const rw::rewrite_result r = rw::enable("x.cpp", text, {});
  REQUIRE(r.ok);
  const rw::line_table lines(r.text);
  for (unsigned l = 1; l <= lines.count(); ++l) {
    if (rw::parse_include_here_line(lines.content(l))) {
      CHECK(lines.count() == rw::line_table(text).count());  // no line added
      return l;
    }
  }
  REQUIRE(rw::has_include_lines(lines));
  return 0;
}
const std::string fp = "void f() {\n  // failpoint: var X\n  f();\n}\n";
}  // namespace

TEST_CASE("enable puts the include on the first blank or // line before any code",
          "[rewriter][include]") {
  CHECK(include_line_of("// Copyright\n\n" + fp) == 1);
  CHECK(include_line_of("\xEF\xBB\xBF// after a byte order mark\n" + fp) == 1);
  CHECK(include_line_of("#include <a>\n\n#include <b>\n" + fp) == 2);
  CHECK(include_line_of("#include <a>\n   \t\n" + fp) == 2);  // blanks only
  CHECK(include_line_of("#pragma once\n// about x\n" + fp) == 2);
  // Not inside a /* */ comment, a raw string or a preprocessor conditional.
  CHECK(include_line_of("/* license\n\n*/\n\n" + fp) == 4);
  CHECK(include_line_of("#ifndef X_H\n#define X_H\n\n#endif\n// after\n" + fp) == 5);
  CHECK(include_line_of("#if A\n\n#else\n\n#endif\n" + fp) == 0);
  // Not on a line a backslash joins to the previous one, nor on one ending in a backslash.
  CHECK(include_line_of("#define M \\\n\n" + fp) == 0);
  CHECK(include_line_of("// ends in a backslash \\\nint y;\n" + fp) == 0);
  // Not after the first code token, nor on a line with code, nor after the first failpoint.
  CHECK(include_line_of("int y;\n\n" + fp) == 0);
  CHECK(include_line_of("int y; // trailing\n" + fp) == 0);
  CHECK(include_line_of(fp) == 0);
  // A comment after a comment that opens a line still counts as code after it.
  CHECK(include_line_of("/* a */ int y;\n\n" + fp) == 0);
  CHECK(include_line_of("/* a */ #include <a>\n\n" + fp) == 2);
}

TEST_CASE("disable restores the line under an in-place include, byte for byte",
          "[rewriter][include]") {
  for (const std::string head : {"// Copyright (c) 2026\r\n", "\r\n", "  \t \n", "\n", "//\n"}) {
    const std::string text = head + fp;
    const rw::rewrite_result on = rw::enable("x.cpp", text, {});
    REQUIRE(on.ok);
    CHECK(on.text.rfind("#include <failpoint/failpoint.hpp> //@failpoint-include:", 0) == 0);
    const rw::rewrite_result off = rw::disable("x.cpp", on.text, {});
    REQUIRE(off.ok);
    CHECK(off.text == text);
  }
  // An include line whose marker was edited: refused.
  const std::string edited =
      "#include <failpoint/failpoint.hpp> //@failpoint-include:// x\n"
      "void f() {\n  if (FAILPOINT(\"X\")) {} //@failpoint // failpoint: var X\n  f();\n}\n";
  const rw::rewrite_result r = rw::disable("x.cpp", edited, {});
  CHECK_FALSE(r.ok);
  CHECK(formatted(r.diagnostics).find("malformed failpoint include line") != std::string::npos);
}

TEST_CASE("types are normalized, and words no type has after them are found", "[rewriter][scan]") {
  struct row {
    const char* type;
    const char* spelling;
    std::size_t prose_at;
  };
  const std::size_t none = std::string::npos;
  for (const row& r : std::initializer_list<row>{
           {"unsigned  long long", "unsigned long long", none},
           {"std::map<int,int>", "std::map<int, int>", none},
           {"const std::string", "const std::string", none},
           {"std::string const&", "std::string const&", none},
           {"struct stat*", "struct stat*", none},
           {"typename T::value_type", "typename T::value_type", none},
           {"decltype(x)", "decltype(x)", none},
           {"std::array<int, 4>", "std::array<int, 4>", none},
           {"int // a comment", "int", none},
           {"int the limit", "int the limit", 4},
           {"std::string name", "std::string name", 12},
           {"int* p", "int*p", 5},
           {"std::vector<int> values", "std::vector<int>values", 17},
           {"decltype(x) y", "decltype(x)y", 12},
       }) {
    CAPTURE(r.type);
    const rw::result<rw::normalized_type> t = rw::normalize_type(r.type, false);
    REQUIRE(t.ok());
    CHECK(t->spelling == r.spelling);
    CHECK(t->prose_at == r.prose_at);
  }
  struct bad {
    const char* type;
    std::size_t position;
    const char* message;
  };
  for (const bad& b : std::initializer_list<bad>{
           {"std::vector<int", 0, "unbalanced '<'"},
           {"int; abort()", 3, "unexpected ';'"},
           {"int[4]", 3, "'[' outside template arguments (arrays are not allowed)"},
           {"std::", 5, "the type ends too early"},
       }) {
    CAPTURE(b.type);
    const rw::result<rw::normalized_type> t = rw::normalize_type(b.type, false);
    REQUIRE_FALSE(t.ok());
    CHECK(t.failure().position == b.position);
    CHECK(t.message() == b.message);
  }
}
