#include <string>
#include <failpoint/failpoint.hpp> //@failpoint-include:
std::string name() {
  if (auto failpoint_hit_ = FAILPOINT_VALUE("NameFails", std::string)) { std::string NameFails = *failpoint_hit_; (void)NameFails; //@failpoint // failpoint: var NameFails std::string
  return "failed: " + NameFails; } //@failpoint // return "failed: " + NameFails;
  return "ok";
}
