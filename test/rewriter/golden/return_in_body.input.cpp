#include <string>

std::string name() {
  // failpoint: var NameFails std::string
  // return "failed: " + NameFails;
  return "ok";
}
