// Package fps holds the failpoints of the Go target (gofail derives the binding's package name
// from the directory, so they live apart from main).
package fps

import (
	"fmt"
	"strconv"
	"strings"
)

// escape writes printable ASCII as is and every other byte (and the backslash) as \xHH.
func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '\\' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "\\x%02x", c)
		}
	}
	return b.String()
}

// HitInt, HitStr, HitBool and HitVoid each evaluate one failpoint of the matching type.
func HitInt() string {
	// gofail: var FpInt int
	// return "fired " + strconv.Itoa(FpInt)
	return "skipped"
}

func HitStr() string {
	// gofail: var FpStr string
	// return "fired \"" + escape(FpStr) + "\""
	return "skipped"
}

func HitBool() string {
	// gofail: var FpBool bool
	// return "fired " + strconv.FormatBool(FpBool)
	return "skipped"
}

func HitVoid() string {
	// gofail: var FpVoid struct{}
	// return "fired"
	return "skipped"
}

// Hit evaluates the failpoint `name` once and says whether its code ran.
func Hit(name string) string {
	switch name {
	case "FpInt":
		return HitInt()
	case "FpStr":
		return HitStr()
	case "FpBool":
		return HitBool()
	case "FpVoid":
		return HitVoid()
	}
	return "no such failpoint in the program"
}
