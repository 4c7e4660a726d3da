// examples/quickstart: a tiny key-value "store" whose save can be made to fail, slow down or
// crash without changing a line of it, by setting FAILPOINTS:
//   FAILPOINTS='quickstart.SaveFails=1*return(true)' ./failpoint_quickstart
//   FAILPOINTS='quickstart.SlowSave=sleep("200ms")' ./failpoint_quickstart
//   FAILPOINTS='quickstart.Crash=panic("after saving a")' ./failpoint_quickstart
#include <cstdio>
#include <map>
#include <string>

#include "failpoint/failpoint.hpp"

namespace {

std::map<std::string, std::string> store;

bool save(const std::string& key, const std::string& value) {
  if (auto fp = FAILPOINT_VALUE("quickstart.SaveFails", bool)) {
    if (*fp)
      return false;
  }
  if (FAILPOINT("quickstart.SlowSave")) {
  }
  store[key] = value;
  return true;
}

}  // namespace

int main() {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each line is out before a crash, even into a pipe
  for (const char* key : {"a", "b", "c"}) {
    const bool ok = save(key, std::string("value of ") + key);
    std::printf("save %s: %s\n", key, ok ? "ok" : "FAILED");
    if (FAILPOINT("quickstart.Crash")) {
    }
  }
  std::printf("stored %zu of 3\n", store.size());
  return store.size() == 3 ? 0 : 1;
}
