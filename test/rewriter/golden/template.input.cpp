template <class T>
T clamp_or_fail(T v) {
  // failpoint: var ClampFails int
  // return static_cast<T>(ClampFails);
  return v < T{} ? T{} : v;
}

int use() { return clamp_or_fail(3) + static_cast<int>(clamp_or_fail(2.5)); }
