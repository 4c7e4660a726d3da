// failpoint-gate: TCP gates in front of servers, their faults switched as failpoints.
//
//   failpoint-gate --listen 127.0.0.1:6432 --upstream 127.0.0.1:5432 --name db
//   failpoint-gate --route db=127.0.0.1:6432,127.0.0.1:5432 --route
//   cache=127.0.0.1:0,127.0.0.1:6379
//
// Every gate's behaviours are failpoints (`gate.NAME.*`, docs/gate.md), set at start with
// FAILPOINTS and while running through FAILPOINTS_HTTP (the program links failpoint::http).
// Runs until SIGINT or SIGTERM. Exit status: 0 after a signal, 2 for bad arguments or an address
// it cannot resolve or listen on.
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "failpoint/gate.hpp"

namespace {

constexpr int k_usage_error = 2;

struct route {
  std::string name;
  std::string listen;
  std::string upstream;
};

// Parses a --route value "NAME=LISTEN,UPSTREAM".
route parse_route(const std::string& text) {
  const auto eq = text.find('=');
  const auto comma = text.find(',', eq == std::string::npos ? 0 : eq);
  if (eq == std::string::npos || comma == std::string::npos)
    throw std::invalid_argument(fmt::format(
        "bad --route \"{}\": expected NAME=LISTEN,UPSTREAM, e.g. db=127.0.0.1:0,127.0.0.1:5432",
        text));
  return {text.substr(0, eq), text.substr(eq + 1, comma - eq - 1), text.substr(comma + 1)};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"failpoint-gate: TCP gates whose network faults are failpoints (gate.NAME.*)"};
  std::string listen = "127.0.0.1:0";
  std::string upstream;
  std::string name = "main";
  std::vector<std::string> route_texts;
  std::string address_file;
  auto* listen_opt =
      app.add_option("--listen", listen, "HOST:PORT clients connect to (port 0: a free one)");
  auto* upstream_opt = app.add_option("--upstream", upstream, "HOST:PORT of the server");
  auto* name_opt =
      app.add_option("--name", name, "the gate's name in its failpoints")->capture_default_str();
  app.add_option("--route", route_texts, "another gate, NAME=LISTEN,UPSTREAM (repeatable)");
  app.add_option("--address-file", address_file,
                 "write one 'NAME HOST:PORT' line per gate once all listen");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "failpoint-gate: %s\nRun with --help for usage.\n", e.what());
    return k_usage_error;
  }

  std::vector<route> routes;
  try {
    const bool single = upstream_opt->count() > 0;
    if (!single && (listen_opt->count() > 0 || name_opt->count() > 0))
      throw std::invalid_argument("--listen and --name need --upstream");
    if (single)
      routes.push_back({name, listen, upstream});
    for (const auto& text : route_texts)
      routes.push_back(parse_route(text));
    if (routes.empty())
      throw std::invalid_argument("nothing to do: give --upstream (and --listen) or --route");
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "failpoint-gate: %s\n", e.what());
    return k_usage_error;
  }

  // Block the stop signals before any thread starts, so that every thread inherits the mask
  // and sigwait below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::vector<std::unique_ptr<failpoint::tcp_gate>> gates;
  try {
    for (const auto& r : routes)
      gates.push_back(std::make_unique<failpoint::tcp_gate>(r.name, r.upstream, r.listen));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "failpoint-gate: %s\n", e.what());
    return k_usage_error;
  }
  std::string lines;
  for (const auto& g : gates)
    lines += fmt::format("{} {}\n", g->name(), g->address());
  std::fputs(lines.c_str(), stderr);
  if (!address_file.empty()) {
    const std::string temporary = address_file + ".tmp";
    std::ofstream(temporary) << lines;
    if (std::rename(temporary.c_str(), address_file.c_str()) != 0) {
      std::fprintf(stderr, "failpoint-gate: cannot write %s\n", address_file.c_str());
      return 1;
    }
  }
  int signal = 0;
  sigwait(&stop_signals, &signal);
  for (auto& g : gates)
    g->stop();
  return 0;
}
