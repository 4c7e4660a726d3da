// test/fuzz/rewriter_fuzzer.cpp: libFuzzer target for failpoint-rewrite's logic (rewriter/):
// the scanner and the enable/disable round trip, text in, text out.
//
// The first byte picks the options (C or C++, a name prefix or none, warnings as errors or
// not); the rest is the file. Properties checked on every input:
// - scan, enable, disable and generate never crash; each returns a result or diagnostics.
// - scan and enable agree: enable fails exactly when scan reports an error, or when the text
//   holds enabled lines that disable cannot restore.
// - Round trip: when enable accepts x, disable(enable(x)) == x byte for byte (== disable(x) when
//   x holds enabled lines already), and enabling the enabled text again changes nothing.
// - Warnings change nothing: with warnings as errors enable either fails or gives the same text.
// - Enabling moves no line: the enabled text has the lines of x, or two more (the include and
//   `#line 1` at the top) when x had no place for the include.
// - disable of a text that enable did not produce either fails or returns a text whose enable
//   gives the input back (nothing is lost).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "property.hpp"
#include "rewriter/rewriter.hpp"
#include "rewriter/source.hpp"

namespace {

namespace rw = failpoint::rewrite;

// Shows the input after the property's name.
[[noreturn]] void property_failed(const char* what, const std::string& text) {
  failpoint_fuzz::property_failed(what, "--- input ---\n" + text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  const std::uint8_t selector = data[0];
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  rw::options opts;
  opts.c_language = (selector & 1) != 0;
  if (selector & 2)
    opts.prefix = "pkg/";
  opts.warnings_as_errors = (selector & 4) != 0;
  rw::options lenient = opts;
  lenient.warnings_as_errors = false;
  const char* path = opts.c_language ? "fuzz.c" : "fuzz.cpp";

  // Every call gets its own type registry (a per-scan one): inputs must not influence each other.
  const rw::scan_result scanned = rw::scan(path, text, opts);
  const rw::rewrite_result enabled = rw::enable(path, text, opts);
  const bool has_markers = text.find("//@failpoint") != std::string::npos;
  if (!scanned.ok() && enabled.ok)
    property_failed("enable accepts what scan rejects", text);
  if (scanned.ok() && !enabled.ok && (!has_markers || rw::disable(path, text, opts).ok))
    property_failed("enable rejects a text scan and disable accept", text);
  for (const auto& d : enabled.diagnostics)
    (void)rw::format(d);

  // A text holding markers is (partly) enabled already: disable restores all of it, so the
  // round trip gives disable(x) rather than x.
  if (enabled.ok) {
    if (!scanned.blocks.empty() && !enabled.changed)
      property_failed("enable found blocks but changed nothing", text);
    const rw::rewrite_result restored = rw::disable(path, enabled.text, opts);
    if (!restored.ok)
      property_failed("disable rejects what enable produced", text);
    if (!has_markers && restored.text != text)
      property_failed("disable(enable(x)) != x", text);
    if (has_markers) {
      const rw::rewrite_result direct = rw::disable(path, text, opts);
      if (!direct.ok || restored.text != direct.text)
        property_failed("disable(enable(x)) != disable(x) for an enabled x", text);
    }
    const rw::rewrite_result twice = rw::enable(path, enabled.text, opts);
    if (!twice.ok || twice.text != enabled.text)
      property_failed("enabling an enabled text changed it", text);
    const unsigned before = rw::line_table(text).count();
    const unsigned after = rw::line_table(enabled.text).count();
    if (after != before &&
        !(after == before + 2 && rw::has_include_lines(rw::line_table(enabled.text))))
      property_failed("enable moved lines", text);
    if (opts.warnings_as_errors && rw::enable(path, text, lenient).text != enabled.text)
      property_failed("warnings changed enable's text", text);
  }

  // The input read as an already enabled file (it may hold markers the fuzzer made up).
  // (Disabling keeps the comments that gave warnings: read them leniently.)
  const rw::rewrite_result disabled = rw::disable(path, text, opts);
  if (disabled.ok && disabled.changed) {
    const rw::rewrite_result again = rw::enable(path, disabled.text, lenient);
    if (!again.ok)
      property_failed("enable rejects what disable produced", text);
    const rw::rewrite_result back = rw::disable(path, again.text, lenient);
    if (!back.ok || back.text != disabled.text)
      property_failed("disable(enable(disable(x))) != disable(x)", text);
  }

  (void)rw::generate(path, text, opts);
  return 0;
}
