// test/runtime/plugin.cpp: a shared library with a failpoint, loaded after startup by dlopen().
#include "failpoint/failpoint.hpp"

extern "C" __attribute__((visibility("default"))) int failpoint_test_plugin_value() {
  if (auto fp = FAILPOINT_VALUE("plugin.value", int))
    return *fp;
  return 0;
}
