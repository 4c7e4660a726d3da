bool save() {
  // failpoint: var SaveFails
  // return false;
  return true;
}
