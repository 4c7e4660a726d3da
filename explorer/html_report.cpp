// explorer/html_report.cpp: the report page: the template with the report and its
// counterexamples embedded; reading and checking a report file.
#include "explorer/html_report.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

#include "explorer/explore.hpp"

namespace failpoint {
namespace explorer {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// A counterexample file named by a report, as the page gets it: its content, or why not.
json counterexample_entry(const std::string& file, const std::string& report_dir) {
  std::vector<fs::path> candidates{fs::path(file)};
  if (fs::path(file).is_relative() && !report_dir.empty())
    candidates.push_back(fs::path(report_dir) / file);
  for (const fs::path& path : candidates) {
    std::ifstream in(path);
    if (!in)
      continue;
    try {
      return {{"file", file}, {"found", true}, {"data", json::parse(in)}};
    } catch (const json::exception& e) {
      return {{"file", file}, {"found", false}, {"reason", fmt::format("not JSON: {}", e.what())}};
    }
  }
  return {{"file", file}, {"found", false}, {"reason", "not found"}};
}

}  // namespace

json read_report(const std::string& file) {
  std::ifstream in(file);
  if (!in)
    throw std::runtime_error(
        fmt::format("cannot read the report \"{}\": {}", file, std::strerror(errno)));
  json report;
  try {
    report = json::parse(in);
  } catch (const json::exception& e) {
    throw std::runtime_error(fmt::format("\"{}\" is not JSON: {}", file, e.what()));
  }
  if (!report.is_object() || report.value("format", json()) != "failpoint-explore report")
    throw std::runtime_error(fmt::format(
        "\"{}\" is not a failpoint-explore report (its \"format\" is not \"failpoint-explore "
        "report\")",
        file));
  const json version = report.value("version", json());
  if (!version.is_number_integer() || version.get<long>() != file_version)
    throw std::runtime_error(
        fmt::format("\"{}\" has version {}; this failpoint-explore reads "
                    "version {}",
                    file, version.dump(), file_version));
  for (const char* field : {"runs", "failures"}) {
    if (!report.contains(field) || !report[field].is_array())
      throw std::runtime_error(fmt::format("\"{}\" has no \"{}\" array", file, field));
  }
  return report;
}

std::string script_json(const json& value) {
  const std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  // Outside strings JSON has none of these characters, so escaping them keeps the same value.
  for (char c : text) {
    if (c == '<')
      out += "\\u003c";
    else if (c == '>')
      out += "\\u003e";
    else if (c == '&')
      out += "\\u0026";
    else
      out += c;
  }
  return out;
}

std::string html_page(const json& report, const std::string& report_dir,
                      std::vector<std::string>& missing) {
  json data = {{"report", report}, {"counterexamples", json::array()}};
  if (report.contains("failures") && report["failures"].is_array()) {
    for (const json& f : report["failures"]) {
      const json file = f.is_object() ? f.value("counterexample", json()) : json();
      json entry = file.is_string() ? counterexample_entry(file.get<std::string>(), report_dir)
                                    : json{{"found", false}, {"reason", "no file named"}};
      if (!entry["found"].get<bool>())
        missing.push_back(
            fmt::format("{} ({})", entry.value("file", "?"), entry["reason"].get<std::string>()));
      data["counterexamples"].push_back(std::move(entry));
    }
  }
  const std::string_view page = report_page_template();
  const std::size_t at = page.find(report_data_marker);
  if (at == std::string_view::npos)
    throw std::logic_error("the report page's template has no data marker");
  std::string out;
  out.reserve(page.size() + 4096);
  out.append(page.substr(0, at));
  out += script_json(data);
  out.append(page.substr(at + report_data_marker.size()));
  return out;
}

std::string write_html_report(const json& report, const std::string& dir,
                              const std::string& report_dir, std::vector<std::string>& missing) {
  const std::string page = html_page(report, report_dir, missing);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    throw std::runtime_error(
        fmt::format("cannot create the directory \"{}\": {}", dir, ec.message()));
  const std::string file = (fs::path(dir) / "index.html").string();
  std::ofstream out(file, std::ios::binary);
  out << page;
  out.close();
  if (!out)
    throw std::runtime_error(fmt::format("cannot write \"{}\"", file));
  return file;
}

}  // namespace explorer
}  // namespace failpoint
