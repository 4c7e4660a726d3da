// http-control/ctl/endpoints.cpp: see endpoints.hpp.
#include "endpoints.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace failpoint {
namespace ctl {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

// A failed step: the message names what was wrong.
struct bad_endpoint : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string trim(std::string s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string::npos)
    return {};
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

// " http://host:port/ " -> "host:port".
std::string normalize(std::string e) {
  e = trim(std::move(e));
  if (e.rfind("http://", 0) == 0)
    e.erase(0, 7);
  while (!e.empty() && e.back() == '/')
    e.pop_back();
  return e;
}

std::string joined(const net::ip::address& a, const std::string& port) {
  return a.is_v6() ? "[" + a.to_string() + "]:" + port : a.to_string() + ":" + port;
}

// The addresses `name` has in a file of /etc/hosts format (hosts(5)): each line is an address
// followed by names, `#` starts a comment.
std::set<net::ip::address> from_hosts_file(const std::string& path, const std::string& name) {
  std::ifstream in(path);
  if (!in)
    throw bad_endpoint("cannot read the hosts file " + path);
  std::set<net::ip::address> found;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    line = line.substr(0, line.find('#'));
    std::istringstream fields(line);
    std::string address;
    if (!(fields >> address))
      continue;
    boost::system::error_code ec;
    const net::ip::address parsed = net::ip::make_address(address, ec);
    if (ec) {
      throw bad_endpoint(path + ":" + std::to_string(number) + ": \"" + address +
                         "\" is not an IP address");
    }
    for (std::string alias; fields >> alias;) {
      if (alias == name)
        found.insert(parsed);
    }
  }
  return found;
}

// Every address of `name` from the system's resolver.
std::set<net::ip::address> from_resolver(const std::string& name, const std::string& port) {
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  boost::system::error_code ec;
  const auto results = resolver.resolve(name, port, tcp::resolver::numeric_service, ec);
  if (ec)
    throw bad_endpoint("cannot resolve " + name + ": " + ec.message());
  std::set<net::ip::address> found;
  for (const auto& entry : results)
    found.insert(entry.endpoint().address());
  return found;
}

// Appends the endpoints one spec stands for to `out`, skipping ones already there.
void expand_one(const std::string& raw, const resolver_options& options,
                std::vector<std::string>& out) {
  const std::string spec = normalize(raw);
  if (spec.empty())
    return;
  auto add = [&](const std::string& endpoint) {
    if (std::find(out.begin(), out.end(), endpoint) == out.end())
      out.push_back(endpoint);
  };
  if (spec.rfind(k_dns_prefix, 0) != 0) {
    add(spec);
    return;
  }
  const std::string rest = spec.substr(std::string(k_dns_prefix).size());
  const auto colon = rest.rfind(':');
  const std::string name = colon == std::string::npos ? rest : rest.substr(0, colon);
  const std::string port = colon == std::string::npos ? "" : rest.substr(colon + 1);
  const bool numeric_port =
      !port.empty() && port.size() <= 5 &&
      std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
      std::stoul(port) <= 65535;
  if (name.empty() || !numeric_port)
    throw bad_endpoint("\"" + spec + "\": expected dns:NAME:PORT with a port number");
  const std::set<net::ip::address> addresses = options.hosts_file.empty()
                                                   ? from_resolver(name, port)
                                                   : from_hosts_file(options.hosts_file, name);
  if (addresses.empty()) {
    throw bad_endpoint("\"" + spec + "\": " + name + " has no address" +
                       (options.hosts_file.empty() ? "" : " in " + options.hosts_file));
  }
  for (const auto& a : addresses)
    add(joined(a, port));
}

}  // namespace

expansion expand_endpoints(const std::vector<std::string>& specs,
                           const std::vector<std::string>& files, const resolver_options& options) {
  expansion out;
  try {
    for (const std::string& spec : specs)
      expand_one(spec, options, out.endpoints);
    for (const std::string& file : files) {
      std::ifstream in(file);
      if (!in)
        throw bad_endpoint("cannot read the endpoints file " + file);
      std::string line;
      for (int number = 1; std::getline(in, line); ++number) {
        line = trim(line.substr(0, line.find('#')));
        try {
          expand_one(line, options, out.endpoints);
        } catch (const bad_endpoint& e) {
          throw bad_endpoint(file + ":" + std::to_string(number) + ": " + e.what());
        }
      }
    }
  } catch (const bad_endpoint& e) {
    out.endpoints.clear();
    out.error = e.what();
  }
  return out;
}

}  // namespace ctl
}  // namespace failpoint
