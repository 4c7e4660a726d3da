#include <failpoint/failpoint.hpp>
void f() {
  if (FAILPOINT("X")) {} //@failpoint //@failpoint // failpoint: var X
  f();
}
