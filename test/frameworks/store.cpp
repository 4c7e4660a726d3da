// test/frameworks/store.cpp: the examples' store, its sites written with the macros (the
// rewriter turns `// failpoint: var SaveFails bool` comments into the same).
#include "store.hpp"

#include <failpoint/failpoint.hpp>

namespace example {

bool store::save(const std::string& key, const std::string& value) {
  if (auto fp = FAILPOINT_VALUE("example.SaveFails", bool)) {
    if (*fp)
      return false;
  }
  data_[key] = value;
  return true;
}

std::optional<std::string> store::load(const std::string& key) const {
  if (auto fp = FAILPOINT_VALUE("example.LoadFails", bool)) {
    if (*fp)
      return std::nullopt;
  }
  const auto it = data_.find(key);
  if (it == data_.end())
    return std::nullopt;
  return it->second;
}

}  // namespace example
