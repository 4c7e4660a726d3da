#include <failpoint/failpoint.hpp> //@failpoint-include
#line 1
void f() {
  g(); if (FAILPOINT("Header")) {} //@failpoint // failpoint: var Header
}
