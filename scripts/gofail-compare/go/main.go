// The Go target of scripts/gofail-compare.sh, built with `gofail enable`; cpp/target.cpp is the
// same program for failpoint. Both declare the same failpoints and answer the same commands on
// stdin ("@@ " lines on stdout; see driver/main.go).
package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"gofailcompare/fps"
)

func answer(line string) {
	fmt.Printf("@@ %s\n", line)
}

func main() {
	answer("ready")
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		f := strings.Fields(in.Text())
		for len(f) < 3 {
			f = append(f, "0")
		}
		cmd, name := f[0], f[1]
		n, _ := strconv.Atoi(f[2])
		switch cmd {
		case "hit":
			answer(fps.Hit(name))
		case "hits": // hits NAME N: how many of N hits fired
			fired := 0
			for i := 0; i < n; i++ {
				if fps.Hit(name) != "skipped" {
					fired++
				}
			}
			answer(fmt.Sprintf("fired %d of %d", fired, n))
		case "par": // par NAME N: N goroutines hit once at the same time; elapsed ms
			start := time.Now()
			var wg sync.WaitGroup
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func() { defer wg.Done(); fps.Hit(name) }()
			}
			wg.Wait()
			answer(fmt.Sprintf("ms %d", time.Since(start).Milliseconds()))
		case "bg": // bg NAME: one hit on another goroutine, answered at once
			go fps.Hit(name)
			answer("started")
		case "spin": // spin NAME: hit in a loop on another goroutine until the end
			go func() {
				for {
					fps.Hit(name)
				}
			}()
			answer("spinning")
		case "quit":
			answer("bye")
			os.Exit(0)
		default:
			answer("unknown command " + cmd)
		}
	}
	answer("bye")
	os.Exit(0)
}
