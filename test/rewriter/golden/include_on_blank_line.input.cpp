#include <cstddef>
 	 
std::size_t size() {
  // failpoint: var Size std::size_t
  // return Size;
  return 0;
}
