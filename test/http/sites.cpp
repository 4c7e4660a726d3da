// test/http/sites.cpp: see sites.hpp.
#include "sites.hpp"

#include "failpoint/failpoint.hpp"

namespace sites {

bool plain() {
  return static_cast<bool>(FAILPOINT("http.plain"));
}

int value() {
  if (auto fp = FAILPOINT_VALUE("http.value", int))
    return *fp;
  return 0;
}

bool slash() {
  return static_cast<bool>(FAILPOINT("dir/name"));
}
bool slash_count() {
  return static_cast<bool>(FAILPOINT("dir/name/count"));
}
bool odd() {
  return static_cast<bool>(FAILPOINT("odd name?#%&+"));
}
bool waited() {
  return static_cast<bool>(FAILPOINT("http.wait"));
}

bool load(int i) {
  switch (i) {
    case 0:
      return static_cast<bool>(FAILPOINT("http.load.0"));
    case 1:
      return static_cast<bool>(FAILPOINT("http.load.1"));
    case 2:
      return static_cast<bool>(FAILPOINT("http.load.2"));
    default:
      return static_cast<bool>(FAILPOINT("http.load.3"));
  }
}

}  // namespace sites
