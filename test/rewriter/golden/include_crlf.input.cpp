//
#include <string>

std::string name() {
  // failpoint: var NameFails std::string
  // return NameFails;
  return "x";
}
