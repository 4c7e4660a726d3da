#include <string>

std::string json() {
  // failpoint: var Json
  // return "{ \"broken\": } // not a comment";
  return "{}";
}
