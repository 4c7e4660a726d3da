// failpoint-rewrite: turns `// failpoint:` comments into failpoint sites and back.
//
//   failpoint-rewrite enable   [--prefix P] [--Werror] [PATH...]   rewrite in place (atomic)
//   failpoint-rewrite disable  [--prefix P] [PATH...]   restore the comments exactly
//   failpoint-rewrite generate --output-dir DIR [--root R] [--prefix P] [--Werror] PATH...
//   failpoint-rewrite list     [--json] [--prefix P] [--Werror] [PATH...]
//
// A directory PATH is walked recursively; no PATH means the current directory. Diagnostics are
// printed as `file:line:col: error: ...` (or `warning:`, `note:`) with the source line and a
// caret; the exit status is 1 when any file had an error (that file is left as it was), 0
// otherwise. Warnings change nothing, unless --Werror makes them errors.
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <llvm/Support/CommandLine.h>
#include <llvm/Support/raw_ostream.h>
#include <nlohmann/json.hpp>

#include "rewriter/files.hpp"
#include "rewriter/rewriter.hpp"

namespace cl = llvm::cl;
namespace fs = std::filesystem;
namespace rw = failpoint::rewrite;

namespace {

cl::OptionCategory category("failpoint-rewrite options");

cl::SubCommand enable_cmd("enable",
                          "Rewrite `// failpoint:` comments into code, in place (atomic per "
                          "file; files without failpoints are not touched)");
cl::SubCommand disable_cmd("disable",
                           "Restore the comments of enabled files exactly; refuse a file whose "
                           "enabled lines were edited");
cl::SubCommand generate_cmd("generate",
                            "Write rewritten copies under --output-dir, each starting with "
                            "#line so diagnostics point at the original");
cl::SubCommand list_cmd("list", "Print every failpoint: full name, type, file:line and body");

cl::list<std::string> enable_paths(cl::Positional, cl::desc("[PATH...]"), cl::sub(enable_cmd),
                                   cl::cat(category));
cl::list<std::string> disable_paths(cl::Positional, cl::desc("[PATH...]"), cl::sub(disable_cmd),
                                    cl::cat(category));
cl::list<std::string> generate_paths(cl::Positional, cl::desc("PATH..."), cl::OneOrMore,
                                     cl::sub(generate_cmd), cl::cat(category));
cl::list<std::string> list_paths(cl::Positional, cl::desc("[PATH...]"), cl::sub(list_cmd),
                                 cl::cat(category));

cl::opt<std::string> prefix("prefix",
                            cl::desc("Prepend P to every failpoint name (the full name is P+NAME)"),
                            cl::value_desc("P"), cl::sub(enable_cmd), cl::sub(disable_cmd),
                            cl::sub(generate_cmd), cl::sub(list_cmd), cl::cat(category));
cl::opt<std::string> output_dir("output-dir", cl::desc("Directory for the rewritten copies"),
                                cl::value_desc("DIR"), cl::Required, cl::sub(generate_cmd),
                                cl::cat(category));
cl::opt<std::string> root("root",
                          cl::desc("Each PATH's copy goes to DIR/<PATH relative to R> (default: "
                                   "the current directory)"),
                          cl::value_desc("R"), cl::sub(generate_cmd), cl::cat(category));
cl::opt<bool> json("json", cl::desc("Print a JSON array"), cl::sub(list_cmd), cl::cat(category));
cl::opt<bool> warnings_as_errors(
    "Werror", cl::desc("Treat warnings as errors (a file with a warning is left as it was)"),
    cl::sub(enable_cmd), cl::sub(generate_cmd), cl::sub(list_cmd), cl::cat(category));

void print(const std::vector<rw::diagnostic>& diags) {
  for (const rw::diagnostic& d : diags)
    std::cerr << rw::format(d);
}

void print_error(const std::string& message) {
  std::cerr << "failpoint-rewrite: error: " << message << "\n";
}

rw::options options_for(const std::string& path, rw::type_registry* types) {
  rw::options o;
  o.prefix = prefix;
  o.c_language = rw::is_c_path(path);
  o.warnings_as_errors = warnings_as_errors;
  o.types = types;
  return o;
}

bool valid_prefix(const std::string& p) {
  for (char c : p) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return false;
  }
  return true;
}

// Runs `fn(file, text, options)` on every file of `paths` (the current directory when empty);
// `fn` returns whether the file went well. Returns the exit status: 1 when any file failed.
template <class Fn>
int for_each_file(const std::vector<std::string>& paths, Fn&& fn) {
  std::vector<std::string> args = paths;
  if (args.empty())
    args.push_back(".");
  const rw::result<std::vector<std::string>> files = rw::collect_sources(args);
  if (!files) {
    print_error(files.message());
    return 1;
  }
  rw::type_registry types;  // one name, one type: across every file of the run
  bool ok = true;
  for (const std::string& file : *files) {
    const rw::result<std::string> text = rw::read_file(file);
    if (!text) {
      print_error(text.message());
      ok = false;
      continue;
    }
    if (!fn(file, *text, options_for(file, &types)))
      ok = false;
  }
  return ok ? 0 : 1;
}

// Writes a rewrite's text to `path` when it succeeded (and, for in-place edits, changed).
bool finish(const rw::rewrite_result& r, const std::string& path, bool in_place) {
  print(r.diagnostics);
  if (!r.ok)
    return false;
  if (in_place && !r.changed)
    return true;
  const rw::result<void> written = rw::write_file_atomic(path, r.text, /*durable=*/in_place);
  if (!written) {
    print_error(written.message());
    return false;
  }
  return true;
}

enum class mode { enable, disable };

int run_in_place(const std::vector<std::string>& paths, mode m) {
  return for_each_file(paths, [&](const std::string& file, const std::string& text,
                                  const rw::options& o) {
    return finish(m == mode::enable ? rw::enable(file, text, o) : rw::disable(file, text, o), file,
                  /*in_place=*/true);
  });
}

int run_generate() {
  std::error_code ec;
  const fs::path base =
      fs::absolute(root.empty() ? fs::current_path() : fs::path(root.getValue()), ec)
          .lexically_normal();
  return for_each_file(
      generate_paths, [&](const std::string& file, const std::string& text, const rw::options& o) {
        const fs::path absolute = fs::absolute(file, ec).lexically_normal();
        const fs::path relative = absolute.lexically_relative(base);
        if (relative.empty() || *relative.begin() == "..") {
          print_error(file + ": not under the root " + base.string() + " (set --root)");
          return false;
        }
        const fs::path out = fs::path(output_dir.getValue()) / relative;
        fs::create_directories(out.parent_path(), ec);
        if (ec) {
          print_error(out.parent_path().string() + ": cannot create: " + ec.message());
          return false;
        }
        return finish(rw::generate(absolute.string(), text, o), out.string(), /*in_place=*/false);
      });
}

const char* kind_name(rw::block_kind k) {
  return k == rw::block_kind::value ? "value" : k == rw::block_kind::no_value ? "none" : "label";
}

int run_list() {
  nlohmann::json all = nlohmann::json::array();
  const int status = for_each_file(
      list_paths, [&](const std::string& file, const std::string& text, const rw::options& o) {
        const rw::scan_result s = rw::scan(file, text, o);
        print(s.diagnostics);
        for (const rw::block& b : s.blocks) {
          if (b.kind == rw::block_kind::label)
            continue;
          if (json) {
            all.push_back({{"name", rw::full_name(o, b)},
                           {"var", b.name},
                           {"type", b.type},
                           {"kind", kind_name(b.kind)},
                           {"file", file},
                           {"line", b.first_line},
                           {"column", b.column},
                           {"body", b.body}});
          } else {
            std::cout << rw::full_name(o, b) << '\t' << (b.type.empty() ? "-" : b.type) << '\t'
                      << file << ':' << b.first_line << '\n';
            for (const std::string& line : b.body)
              std::cout << "\t| " << line << '\n';
          }
        }
        return s.ok();
      });
  if (json) {
    std::cout << all.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  }
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  for (cl::SubCommand* sub :
       {&*cl::TopLevelSubCommand, &enable_cmd, &disable_cmd, &generate_cmd, &list_cmd}) {
    cl::HideUnrelatedOptions(category, *sub);
  }
  cl::SetVersionPrinter(
      [](llvm::raw_ostream& os) { os << "failpoint-rewrite " << FAILPOINT_VERSION << "\n"; });
  cl::ParseCommandLineOptions(
      argc, argv,
      "failpoint-rewrite: turns `// failpoint:` comments into failpoint sites and back\n\n"
      "  // failpoint: var NAME [TYPE]   a failpoint (TYPE: the C++ type of its value)\n"
      "  // CODE                         its body: the `//` lines right below\n"
      "  // failpoint: LABEL:            a label for `goto LABEL;` in a body\n"
      "(the grammar: rewriter/scan.hpp; the manual: README.md, \"Writing failpoints\")\n");
  if (!valid_prefix(prefix)) {
    print_error("--prefix must not contain control characters");
    return 1;
  }
  if (enable_cmd)
    return run_in_place(enable_paths, mode::enable);
  if (disable_cmd)
    return run_in_place(disable_paths, mode::disable);
  if (generate_cmd)
    return run_generate();
  if (list_cmd)
    return run_list();
  print_error("expected a command: enable, disable, generate or list (see --help)");
  return 1;
}
