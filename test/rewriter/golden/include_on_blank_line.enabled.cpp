#include <cstddef>
#include <failpoint/failpoint.hpp> //@failpoint-include:  	 
std::size_t size() {
  if (auto failpoint_hit_ = FAILPOINT_VALUE("Size", std::size_t)) { std::size_t Size = *failpoint_hit_; (void)Size; //@failpoint // failpoint: var Size std::size_t
  return Size; } //@failpoint // return Size;
  return 0;
}
