// failpoint: var AtFileScope
int f() {
  return 0;
}

struct store {
  // failpoint: var InClassBody
  int size() const { return 0; }
};
