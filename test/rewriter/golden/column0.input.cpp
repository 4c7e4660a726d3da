int f() {
// failpoint: var ColumnZero int
// return ColumnZero;
return 0;
}
