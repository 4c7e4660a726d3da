// test/frameworks/store.hpp: the code under test of the Catch2 and GoogleTest examples: a
// key-value store whose save and load have failpoints.
#ifndef FAILPOINT_TEST_FRAMEWORKS_STORE_HPP
#define FAILPOINT_TEST_FRAMEWORKS_STORE_HPP

#include <map>
#include <optional>
#include <string>

namespace example {

class store {
 public:
  // Saves `value` under `key`; false when the failpoint example.SaveFails returns true.
  bool save(const std::string& key, const std::string& value);
  // The value under `key`; nullopt when missing or when example.LoadFails returns true.
  std::optional<std::string> load(const std::string& key) const;

 private:
  std::map<std::string, std::string> data_;
};

}  // namespace example

#endif  // FAILPOINT_TEST_FRAMEWORKS_STORE_HPP
