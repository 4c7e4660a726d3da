// Unit tests of the function tracker (rewriter/structure.hpp) on its own: token streams from
// small programs, probed at `//?` comments.
#include "rewriter/structure.hpp"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "rewriter/source.hpp"

namespace rw = failpoint::rewrite;

namespace {

// What the tracker says at one `//?` comment.
struct probe {
  unsigned function;
  bool needs_statement;
  bool declaration_scope;
};

std::vector<probe> probes(const std::string& text) {
  rw::function_tracker tracker;
  std::vector<probe> out;
  rw::lex(text.data(), text.data() + text.size(), false,
          [&](const clang::Token& tok, const char* b, const char* e) {
            const std::string_view spelling(b, static_cast<std::size_t>(e - b));
            if (tok.is(clang::tok::comment) && spelling.substr(0, 3) == "//?") {
              out.push_back({tracker.current_function(), tracker.needs_statement(),
                             tracker.at_declaration_scope()});
              return;
            }
            tracker.token(tok.getKind(), tok.isAtStartOfLine(), spelling);
          });
  return out;
}

}  // namespace

TEST_CASE("file, namespace and class scope are outside every function", "[rewriter][structure]") {
  const auto p = probes(
      "//?\n"
      "namespace n {\n"
      "//?\n"
      "struct s {\n"
      "  //?\n"
      "  int x = 1;\n"
      "  //?\n"
      "};\n"
      "}\n"
      "//?\n");
  REQUIRE(p.size() == 5);
  for (const probe& x : p) {
    CHECK(x.function == 0);
    CHECK(x.declaration_scope);
    CHECK_FALSE(x.needs_statement);
  }
}

TEST_CASE("each function body, lambda and local class member is a function of its own",
          "[rewriter][structure]") {
  const auto p = probes(
      "int f(int a) {\n"
      "  //?\n"
      "  if (a) {\n"
      "    //?\n"
      "  }\n"
      "  auto g = [a](int b) mutable -> int {\n"
      "    //?\n"
      "    return a + b;\n"
      "  };\n"
      "  struct local {\n"
      "    //?\n"
      "    void m() {\n"
      "      //?\n"
      "    }\n"
      "  };\n"
      "  //?\n"
      "  return g(1);\n"
      "}\n"
      "void h() {\n"
      "  //?\n"
      "}\n");
  REQUIRE(p.size() == 7);
  const unsigned f = p[0].function;
  CHECK(f != 0);
  CHECK(p[1].function == f);  // a block is part of its function
  CHECK(p[2].function != 0);  // the lambda
  CHECK(p[2].function != f);
  CHECK(p[3].function == f);  // a local class body is inside f, yet no statement goes there
  CHECK(p[3].declaration_scope);
  CHECK(p[4].function != 0);  // its member function
  CHECK(p[4].function != f);
  CHECK(p[4].function != p[2].function);
  CHECK(p[5].function == f);  // back in f after the lambda and the class
  CHECK(p[6].function != 0);
  CHECK(p[6].function != f);
  for (std::size_t i : {0, 1, 2, 4, 5, 6})
    CHECK_FALSE(p[i].declaration_scope);
}

TEST_CASE("the only statement of an unbraced if, for, while, switch, else or do is seen",
          "[rewriter][structure]") {
  const auto p = probes(
      "void f(int a) {\n"
      "  if (a)\n"
      "    //?\n"
      "    f(0);\n"
      "  else\n"
      "    //?\n"
      "    f(1);\n"
      "  for (int i = 0; i < a; ++i)\n"
      "    //?\n"
      "    f(i);\n"
      "  while (a--)\n"
      "    //?\n"
      "    f(a);\n"
      "  do\n"
      "    //?\n"
      "    f(a);\n"
      "  while (a);\n"
      "  if constexpr (sizeof(int) == 4)\n"
      "    //?\n"
      "    f(2);\n"
      "  if (a) {\n"
      "    //?\n"
      "  }\n"
      "  g(a);\n"
      "  //?\n"
      "}\n");
  REQUIRE(p.size() == 8);
  for (std::size_t i = 0; i < 6; ++i)
    CHECK(p[i].needs_statement);
  CHECK_FALSE(p[6].needs_statement);
  CHECK_FALSE(p[7].needs_statement);
}

TEST_CASE("preprocessor lines, initializers and constructors do not open functions",
          "[rewriter][structure]") {
  const auto p = probes(
      "#define BODY(x) { return (x); }\n"
      "//?\n"
      "int table[] = {1, 2, 3};\n"
      "//?\n"
      "class c {\n"
      "  c(int a) : a_{a} {\n"
      "    //?\n"
      "  }\n"
      "  int a_;\n"
      "};\n"
      "//?\n");
  REQUIRE(p.size() == 4);
  CHECK(p[0].declaration_scope);
  CHECK(p[0].function == 0);
  CHECK(p[1].declaration_scope);
  CHECK(p[1].function == 0);
  // A constructor body after a brace-initialized member: the tracker cannot name it, so it does
  // not claim it is a declaration scope (no false "outside any function" warning).
  CHECK_FALSE(p[2].declaration_scope);
  CHECK(p[3].declaration_scope);
}
