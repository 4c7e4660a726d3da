int f() {
 	 // failpoint: var Mixed int
	  // return Mixed;
  return 0;
}
