#include <failpoint/failpoint.hpp> //@failpoint-include: int kept; //@failpoint-include: // edited: a marker in the kept text
void f() {
  if (FAILPOINT("X")) {} //@failpoint // failpoint: var X
  f();
}
