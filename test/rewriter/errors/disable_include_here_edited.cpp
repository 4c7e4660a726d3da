#include <failpoint/failpoint.hpp> //@failpoint-include:// edited: the blank after the marker is gone
void f() {
  if (FAILPOINT("X")) {} //@failpoint // failpoint: var X
  f();
}
