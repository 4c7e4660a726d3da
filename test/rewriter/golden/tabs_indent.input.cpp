int f() {
	// failpoint: var TabsIndent int
	// return TabsIndent;
	return 0;
}
