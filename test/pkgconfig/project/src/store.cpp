// store.cpp: C++ with failpoints written as comments.
#include "store.hpp"

std::string save(const std::string& key) {
  // failpoint: var SaveFails std::string
  // return "save failed: " + SaveFails;
  return "saved " + key;
}
