// failpointctl: switch failpoints in one or many running processes over their HTTP endpoints.
//
//   failpointctl [--endpoint host:port|dns:NAME:PORT,...] [--endpoints-file FILE]
//                [--hosts-file FILE] [--token T] [--json] COMMAND
//     list | get NAME | set NAME TERMS | unset NAME | count NAME
//     | wait NAME N [--timeout MS] | apply 'a=..;b=..' | reset
//
// The command runs against every endpoint at once; the output is a table with an ENDPOINT
// column (or a JSON array with --json). Exit status: 0 when every endpoint succeeded, 1 when any
// failed, 2 for a usage error.
#include <algorithm>
#include <cstdint>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "client.hpp"
#include "endpoints.hpp"
#include "url.hpp"

namespace {

using nlohmann::json;

// Without --timeout a wait has no limit of its own; the request still ends after this.
constexpr std::chrono::milliseconds k_unbounded_wait{24 * 60 * 60 * 1000};

// What the user asked for.
struct command {
  std::string name;  // list, get, set, unset, count, wait, apply, reset
  std::string failpoint;
  std::string terms;  // set: terms; apply: the spec
  std::uint64_t count = 0;
  std::int64_t wait_timeout_ms = -1;  // -1: none
  std::string token;
  std::chrono::milliseconds request_timeout{10000};
};

// The outcome at one endpoint: `columns` for the table rows, `data` for --json.
struct outcome {
  std::string endpoint;
  bool ok = false;
  int status = 0;
  std::string error;
  std::vector<std::vector<std::string>> rows;
  json data = json::object();
};

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' '))
    s.pop_back();
  return s;
}

failpoint::ctl::request make_request(const command& cmd) {
  failpoint::ctl::request req;
  req.token = cmd.token;
  req.timeout = cmd.request_timeout;
  const std::string path = "/" + failpoint::http_internal::percent_encode_name(cmd.failpoint);
  if (cmd.name == "list") {
    req.target = "/?format=json";
  } else if (cmd.name == "get") {
    req.target = path;
  } else if (cmd.name == "set") {
    req.method = "PUT";
    req.target = path;
    req.body = cmd.terms;
  } else if (cmd.name == "unset") {
    req.method = "DELETE";
    req.target = path;
  } else if (cmd.name == "count") {
    req.target = path + "/count";
  } else if (cmd.name == "wait") {
    req.target = path + "/wait?count=" + std::to_string(cmd.count);
    if (cmd.wait_timeout_ms >= 0) {
      req.target += "&timeout_ms=" + std::to_string(cmd.wait_timeout_ms);
      req.timeout += std::chrono::milliseconds(cmd.wait_timeout_ms);
    } else {
      req.timeout += k_unbounded_wait;
    }
  } else if (cmd.name == "apply") {
    req.method = "PUT";
    req.target = "/failpoints";
    req.body = cmd.terms;
  } else if (cmd.name == "reset") {
    req.method = "DELETE";
    req.target = "/failpoints";
  }
  return req;
}

outcome run_one(const std::string& endpoint, const command& cmd) {
  outcome out;
  out.endpoint = endpoint;
  const failpoint::ctl::response res = failpoint::ctl::send(endpoint, make_request(cmd));
  out.status = res.status;
  if (!res.error.empty()) {
    out.error = res.error;
    return out;
  }
  const bool success = res.status >= 200 && res.status < 300;
  if (!success) {
    out.error = "HTTP " + std::to_string(res.status) + ": " + trim(res.body);
    return out;
  }
  out.ok = true;
  const std::string body = trim(res.body);
  if (cmd.name == "list") {
    json list;
    try {
      list = json::parse(res.body);
    } catch (const json::exception& e) {
      out.ok = false;
      out.error = std::string("the endpoint sent bad JSON: ") + e.what();
      return out;
    }
    for (const auto& fp : list) {
      out.rows.push_back({fp.value("name", ""), fp.value("terms", ""),
                          std::to_string(fp.value("count", std::uint64_t{0}))});
    }
    out.data["failpoints"] = std::move(list);
  } else if (cmd.name == "get") {
    out.rows.push_back({body});
    out.data["terms"] = body;
  } else if (cmd.name == "count" || cmd.name == "wait") {
    out.rows.push_back({body});
    std::uint64_t n = 0;
    try {
      n = std::stoull(body);
    } catch (const std::exception&) {
    }
    out.data["count"] = n;
  } else {
    out.rows.push_back({"ok"});
  }
  return out;
}

// Prints rows under a header, columns padded to their widest cell.
void print_table(std::ostream& os, const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width(header.size(), 0);
  // A short row (an error) ends with free text that no column needs to be as wide as.
  auto measure = [&](const std::vector<std::string>& row) {
    const std::size_t n = row.size() < header.size() ? row.size() - 1 : row.size();
    for (std::size_t i = 0; i < n && i < width.size(); ++i) {
      width[i] = std::max(width[i], row[i].size());
    }
  };
  measure(header);
  for (const auto& row : rows)
    measure(row);
  auto print = [&](const std::vector<std::string>& row) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size())
        line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    os << line << "\n";
  };
  print(header);
  for (const auto& row : rows)
    print(row);
}

std::vector<std::string> header_for(const std::string& name) {
  if (name == "list")
    return {"ENDPOINT", "NAME", "TERMS", "COUNT"};
  if (name == "get")
    return {"ENDPOINT", "TERMS"};
  if (name == "count" || name == "wait")
    return {"ENDPOINT", "COUNT"};
  return {"ENDPOINT", "RESULT"};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "failpointctl: switch failpoints in running processes over their HTTP control endpoints.\n"
      "Runs the command against every endpoint; exits 0 only when all succeeded."};
  app.require_subcommand(1, 1);
  std::vector<std::string> endpoints;
  command cmd;
  bool as_json = false;
  std::int64_t request_timeout_ms = 10000;
  app.add_option("-e,--endpoint", endpoints,
                 "host:port of an endpoint, or dns:NAME:PORT for every address of NAME (a "
                 "headless service's pods); repeat or separate with commas")
      ->delimiter(',')
      ->envname("FAILPOINTS_HTTP");
  std::vector<std::string> endpoint_files;
  app.add_option("--endpoints-file", endpoint_files,
                 "a file with one endpoint (host:port or dns:NAME:PORT) per line, # comments; "
                 "may be repeated");
  failpoint::ctl::resolver_options resolving;
  app.add_option("--hosts-file", resolving.hosts_file,
                 "resolve dns: names from this file in /etc/hosts format instead of the system's "
                 "resolver (for tests)");
  app.add_option("--token", cmd.token,
                 "send `Authorization: Bearer TOKEN` (default: "
                 "$FAILPOINTS_HTTP_TOKEN)")
      ->envname("FAILPOINTS_HTTP_TOKEN");
  app.add_flag("--json", as_json, "print a JSON array, one object per endpoint");
  app.add_option("--request-timeout", request_timeout_ms,
                 "milliseconds to connect and get an answer (added to a wait's --timeout)")
      ->check(CLI::PositiveNumber);

  app.add_subcommand("list", "every failpoint with its terms and count");
  auto* get = app.add_subcommand("get", "the terms of a failpoint (fails when disabled)");
  get->add_option("NAME", cmd.failpoint, "the failpoint's name")->required();
  auto* set = app.add_subcommand("set", "enable a failpoint with terms, e.g. '1*return(true)'");
  set->add_option("NAME", cmd.failpoint, "the failpoint's name")->required();
  set->add_option("TERMS", cmd.terms, "the terms, e.g. '50%return(1)->sleep(\"10ms\")'")
      ->required();
  auto* unset = app.add_subcommand("unset", "disable a failpoint");
  unset->add_option("NAME", cmd.failpoint, "the failpoint's name")->required();
  auto* count = app.add_subcommand("count", "how many times a term ran since it was enabled");
  count->add_option("NAME", cmd.failpoint, "the failpoint's name")->required();
  auto* wait = app.add_subcommand("wait", "wait until a term of NAME ran N times");
  wait->add_option("NAME", cmd.failpoint, "the failpoint's name")->required();
  wait->add_option("N", cmd.count, "how many runs since the failpoint was enabled")->required();
  wait->add_option("--timeout", cmd.wait_timeout_ms, "give up after MS milliseconds")
      ->check(CLI::NonNegativeNumber);
  auto* apply = app.add_subcommand("apply", "apply 'a=terms;b=terms' all at once, or nothing");
  apply->add_option("SPEC", cmd.terms, "a FAILPOINTS specification")->required();
  app.add_subcommand("reset", "disable every failpoint");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  cmd.name = app.get_subcommands().front()->get_name();
  cmd.request_timeout = std::chrono::milliseconds(request_timeout_ms);
  const failpoint::ctl::expansion expanded =
      failpoint::ctl::expand_endpoints(endpoints, endpoint_files, resolving);
  if (!expanded.error.empty()) {
    std::cerr << "failpointctl: " << expanded.error << "\n";
    return 2;
  }
  endpoints = expanded.endpoints;
  if (endpoints.empty()) {
    std::cerr
        << "failpointctl: no endpoint: pass --endpoint host:port, --endpoints-file FILE or set "
           "FAILPOINTS_HTTP\n";
    return 2;
  }

  // Every endpoint at once: a cluster's waits run in parallel.
  std::vector<outcome> outcomes(endpoints.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < endpoints.size(); ++i) {
    threads.emplace_back([&, i] { outcomes[i] = run_one(endpoints[i], cmd); });
  }
  for (auto& t : threads)
    t.join();

  std::size_t failed = 0;
  for (const auto& o : outcomes)
    failed += o.ok ? 0 : 1;
  if (as_json) {
    json out = json::array();
    for (auto& o : outcomes) {
      json item = {{"endpoint", o.endpoint}, {"ok", o.ok}, {"status", o.status}};
      if (!o.ok)
        item["error"] = o.error;
      for (auto& [key, value] : o.data.items())
        item[key] = value;
      out.push_back(std::move(item));
    }
    std::cout << out.dump(2) << "\n";
  } else {
    const std::vector<std::string> header = header_for(cmd.name);
    std::vector<std::vector<std::string>> rows;
    for (const auto& o : outcomes) {
      if (!o.ok) {
        std::vector<std::string> row(header.size(), "-");
        row[0] = o.endpoint;
        row[1] = "error: " + o.error;
        row.resize(2);
        rows.push_back(std::move(row));
        continue;
      }
      for (const auto& r : o.rows) {
        std::vector<std::string> row{o.endpoint};
        row.insert(row.end(), r.begin(), r.end());
        rows.push_back(std::move(row));
      }
    }
    print_table(std::cout, header, rows);
  }
  for (const auto& o : outcomes) {
    if (!o.ok)
      std::cerr << "failpointctl: " << o.endpoint << ": " << o.error << "\n";
  }
  return failed == 0 ? 0 : 1;
}
