const char* text() {
  const char* s = R"(
  // failpoint: var InRawString int
  )";
  // failpoint: var AfterRaw
  // return R"x(})x";
  return s;
}
