#include <failpoint/failpoint.hpp> //@failpoint-include
#line 1
bool save() {
  if (FAILPOINT("SaveFails")) { //@failpoint // failpoint: var SaveFails
  return false; } //@failpoint // return false;
  return true;
}
