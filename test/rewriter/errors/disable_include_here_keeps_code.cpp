#include <failpoint/failpoint.hpp> //@failpoint-include: int kept; // edited: enable keeps only a blank or comment line here
void f() {
  if (FAILPOINT("X")) {} //@failpoint // failpoint: var X
  f();
}
