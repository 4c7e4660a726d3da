#ifndef GUARDED_H
#define GUARDED_H

inline int guarded() {
  // failpoint: var Guarded int
  // return Guarded;
  return 0;
}

#endif
