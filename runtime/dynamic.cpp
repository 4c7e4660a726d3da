// runtime/dynamic.cpp: failpoints named at run time (failpoint/dynamic.hpp).
//
// Each (name, type) gets one site, allocated once and never freed: the registry keeps a pointer
// to every site it registered, for the life of the process, exactly as it does for the static
// sites of comment-made failpoints. Registration goes through the same register_site() path.
#include "failpoint/dynamic.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace failpoint {
namespace {

// A run-time site and the strings its site_info points at (stable: the entry never moves).
struct dynamic_site {
  dynamic_site(std::string_view n, std::string_view t, const char* f, int line)
      : name(n),
        type(t),
        file(f != nullptr ? f : "(run time)"),
        site(detail::site_info{name.c_str(), file.c_str(), line, type.c_str()}) {}
  const std::string name;
  const std::string type;
  const std::string file;
  detail::site site;
};

struct dynamic_sites {
  std::mutex mutex;
  std::map<std::string, std::unique_ptr<dynamic_site>, std::less<>> by_name;
};

dynamic_sites& sites() {
  static dynamic_sites* const all = new dynamic_sites();  // never destroyed, like the registry
  return *all;
}

}  // namespace

named::named(std::string_view name, std::string_view type, const char* file, int line) {
  if (name.empty())
    throw std::invalid_argument("failpoint::named: the name is empty");
  dynamic_sites& all = sites();
  std::lock_guard<std::mutex> lock(all.mutex);
  auto it = all.by_name.find(name);
  if (it != all.by_name.end()) {
    if (it->second->type != type)
      throw std::invalid_argument(
          fmt::format("failpoint::named: \"{}\" was created with type \"{}\", not \"{}\"", name,
                      it->second->type, type));
    site_ = &it->second->site;
    return;
  }
  auto entry = std::make_unique<dynamic_site>(name, type, file, line);
  site_ = &entry->site;
  all.by_name.emplace(std::string(name), std::move(entry));
  detail::register_site(site_);
}

}  // namespace failpoint
