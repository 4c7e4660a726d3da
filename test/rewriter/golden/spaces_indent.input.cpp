int f() {
    // failpoint: var SpacesIndent int
    // return SpacesIndent;
    return 0;
}
