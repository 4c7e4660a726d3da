bool save() {
  // failpoint: var SaveFails
  // return false;
  // see the retry loop below
  return true;
}
