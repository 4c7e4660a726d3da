int limit() {
  // failpoint: var Limit int the largest batch
  // return Limit;
  return 100;
}
