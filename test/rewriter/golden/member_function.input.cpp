class store {
 public:
  bool put(int key) {
    // failpoint: var PutFails
    // return false;
    last_ = key;
    return true;
  }
  int get() const;

 private:
  int last_ = 0;
};

int store::get() const {
  // failpoint: var GetValue int
  // return GetValue;
  return last_;
}
