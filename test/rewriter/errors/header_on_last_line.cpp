int f() { return 0; }
// failpoint: var AtTheEnd
