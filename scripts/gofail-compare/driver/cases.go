// The cases of the comparison: terms over HTTP, the routes, the terms variable, the HTTP
// variable, concurrency, and the answers around a change.
package main

import (
	"fmt"
	"net"
	"strings"
	"time"
)

var withHTTP = setup{http: true}

// putThenHit: PUT the terms, hit `n` times, then read the terms back and the count.
func putThenHit(fp, t string, n int, extra ...step) kase {
	steps := []step{req("PUT", "/"+fp, t)}
	if n > 4 {
		steps = append(steps, hits(fp, n))
	} else {
		for i := 0; i < n; i++ {
			steps = append(steps, hit(fp))
		}
	}
	steps = append(steps, termsAndCount(fp))
	steps = append(steps, extra...)
	what := fmt.Sprintf("%d hits", n)
	if n == 1 {
		what = "one hit"
	}
	return kase{name: fmt.Sprintf("PUT /%s %s, %s, GET /%s (and /count)", fp, show(t), what, fp),
		setup: withHTTP, steps: steps}
}

// termsAndCount: GET /NAME, and GET /NAME/count when it is enabled (the count of a disabled
// failpoint differs on purpose and has cases of its own).
func termsAndCount(fp string) step {
	terms, count := req("GET", "/"+fp, ""), req("GET", "/"+fp+"/count", "")
	return func(p *proc) result {
		t := terms(p)
		if !strings.HasPrefix(t.key, "200 ") {
			return t
		}
		c := count(p)
		return result{t.show + "; " + c.show, t.key + "; " + c.key}
	}
}

// putCrash: PUT terms that end the process, then one hit.
func putCrash(fp, t string, s setup) kase {
	s.http = true
	return kase{name: fmt.Sprintf("PUT /%s %s, one hit", fp, show(t)), setup: s,
		steps: []step{req("PUT", "/"+fp, t), hit(fp), died()}}
}

// env: start with the terms variable, then the steps.
func env(spec string, steps ...step) kase {
	return kase{name: show(spec), setup: setup{terms: terms(spec)},
		steps: steps}
}

// route: one or more requests against a fresh process.
func route(name string, steps ...step) kase {
	return kase{name: name, setup: withHTTP, steps: steps}
}

// show: terms as Markdown code, newlines visible, long ones cut.
func show(s string) string {
	s = strings.ReplaceAll(s, "\n", `\n`)
	if len(s) > 60 {
		s = s[:40] + fmt.Sprintf("... (%d bytes)", len(s))
	}
	if strings.Contains(s, "`") {
		return "`` " + s + " ``"
	}
	return "`" + s + "`"
}

// group names the cases of cs that have no group yet.
func group(cs []kase, name string) []kase {
	for i := range cs {
		if cs[i].group == "" {
			cs[i].group = name
		}
	}
	return cs
}

// chain: n terms, `off` then a final `return(1)`.
func chain(n int) string {
	return strings.Repeat("off->", n-1) + "return(1)"
}

func cases() []kase {
	var cs []kase

	// Terms over HTTP on the failpoint of the matching type.
	for _, t := range []string{
		"return(1)", "return(-5)", "return(+3)", "return(0)", "return(9223372036854775807)",
		"return(9223372036854775808)", "return(0x10)", "return(1.5)", "return( 1 )", "return (1)",
		" return(1)", "return(1) ", "return(1)\n", "return", "return()", `return("x")`,
		"return(true)", "return(1", "return(1))", "return(1)x", "returned(1)", "retrun(1)",
		"RETURN(1)", "", " ", "1*return(1)", "0*return(1)", "off", "return(1)->return(2)",
		"return(1) -> return(2)", "return(1)->", "->return(1)", "return(1)->->return(2)", "3*",
		"3*3", "-1*return(1)", "1.5*return(1)", "*return(1)", "%return(1)", "50%%return(1)",
		"100%return(1)", "100.0%return(1)", "0%return(1)", "0.0%return(1)", "150%return(1)",
		"150.0%return(1)", "pause", "yield", "delay(1)", "throw", "callback",
		"99999999999999999999*return(1)",
	} {
		cs = append(cs, putThenHit("FpInt", t, 1))
	}
	cs = append(cs,
		putThenHit("FpInt", "2*return(1)", 3),
		putThenHit("FpInt", "2*off->1*return(7)", 4),
		putThenHit("FpInt", "1*off->return(2)", 2),
		putThenHit("FpInt", "1*return(1)->return(2)", 2),
		putThenHit("FpInt", "2*3*return(1)", 3),
		putThenHit("FpInt", chain(64), 64),
		putThenHit("FpInt", chain(65), 65),
	)
	for _, t := range []string{
		`return("abc")`, `return("")`, `return("a\"b")`, `return("a\nb")`, `return("a\tb")`,
		`return("\x41")`, `return("\u00e9")`, `return("é")`, "return(`raw`)", "return(`a\\nb`)",
		"return('a')", `return("abc"`, `return("abc)`, "return(abc)", "return(1)",
		`return("a;b")`, `return("a->b")`, `return("a)")`, `return("breakfast")`,
	} {
		cs = append(cs, putThenHit("FpStr", t, 1))
	}
	for _, t := range []string{
		"return(true)", "return(false)", "return(t)", "return(True)", "return(TRUE)", "return(1)",
		`return("true")`,
	} {
		cs = append(cs, putThenHit("FpBool", t, 1))
	}
	for _, t := range []string{"return", "return()", "return(1)", `return("x")`, "return(true)"} {
		cs = append(cs, putThenHit("FpVoid", t, 1))
	}

	cs = group(cs, "terms over HTTP")

	// What a term writes, and where.
	cs = append(cs,
		putThenHit("FpVoid", "print", 3, out("print")),
		putThenHit("FpVoid", `print("hello")`, 1, out("print")),
		putThenHit("FpInt", `return("x")`, 3, out("FpInt")),
		putThenHit("FpVoid", "return(1)", 3, out("FpVoid")),
		putThenHit("FpVoid", "sleep(10)", 1),
		putThenHit("FpVoid", `sleep("10ms")`, 1),
		putThenHit("FpVoid", `sleep("10")`, 1, out("sleep")),
		putThenHit("FpVoid", `sleep("x")`, 1, out("sleep")),
		putThenHit("FpVoid", "sleep(true)", 1, out("sleep")),
		putThenHit("FpVoid", "sleep", 1, out("sleep")),
		putThenHit("FpVoid", "sleep(-5)", 1),
		route("a rejected PUT /FpInt `retrun(1)`: what the program writes",
			req("PUT", "/FpInt", "retrun(1)"), out("retrun")),
	)

	cs = group(cs, "output of a term")

	// Terms that end the process.
	cs = append(cs,
		putCrash("FpVoid", "panic", setup{}),
		putCrash("FpVoid", `panic("boom")`, setup{}),
		putCrash("FpVoid", "break", setup{noGDB: true}),
		env("FpVoid=panic", hit("FpVoid"), died()),
		env("FpVoid=1*off->panic", hit("FpVoid"), hit("FpVoid"), died()),
	)

	cs = group(cs, "terms that end the process")

	// The routes.
	cs = append(cs,
		route("GET / with every failpoint off", req("GET", "/", "")),
		route("GET / after PUT /FpInt `return(1)`", req("PUT", "/FpInt", "return(1)"),
			req("GET", "/", "")),
		route("GET /FpInt when enabled", req("PUT", "/FpInt", "return(1)"), req("GET", "/FpInt", "")),
		route("GET /FpInt when disabled", req("GET", "/FpInt", "")),
		route("GET /Nope (unknown)", req("GET", "/Nope", "")),
		route("GET /FpInt/count never enabled", req("GET", "/FpInt/count", "")),
		route("GET /FpInt/count after two hits", req("PUT", "/FpInt", "return(1)"), hit("FpInt"),
			hit("FpInt"), req("GET", "/FpInt/count", "")),
		route("GET /FpInt/count after two hits and a new PUT", req("PUT", "/FpInt", "return(1)"),
			hit("FpInt"), hit("FpInt"), req("PUT", "/FpInt", "return(2)"),
			req("GET", "/FpInt/count", "")),
		route("GET /FpInt/count after two hits and DELETE", req("PUT", "/FpInt", "return(1)"),
			hit("FpInt"), hit("FpInt"), req("DELETE", "/FpInt", ""), req("GET", "/FpInt/count", "")),
		route("GET /FpInt/count: `0%return(1)`, three hits", req("PUT", "/FpInt", "0%return(1)"),
			hits("FpInt", 3), req("GET", "/FpInt/count", "")),
		route("GET /Nope/count (unknown)", req("GET", "/Nope/count", "")),
		route("PUT /Nope (unknown)", req("PUT", "/Nope", "return(1)")),
		route("DELETE /FpInt when enabled", req("PUT", "/FpInt", "return(1)"),
			req("DELETE", "/FpInt", ""), hit("FpInt")),
		route("DELETE /FpInt when disabled", req("DELETE", "/FpInt", "")),
		route("DELETE /FpInt twice", req("PUT", "/FpInt", "return(1)"), req("DELETE", "/FpInt", ""),
			req("DELETE", "/FpInt", "")),
		route("DELETE /Nope (unknown)", req("DELETE", "/Nope", "")),
		route("POST /FpInt", req("POST", "/FpInt", "return(1)")),
		route("PATCH /", req("PATCH", "/", "")),
		route("HEAD /FpInt", req("PUT", "/FpInt", "return(1)"), req("HEAD", "/FpInt", "")),
		route("PUT /", req("PUT", "/", "return(1)")),
		route("DELETE /", req("DELETE", "/", "")),
		route("GET /FpInt/ (trailing slash)", req("PUT", "/FpInt", "return(1)"),
			req("GET", "/FpInt/", "")),
		route("GET //FpInt", req("PUT", "/FpInt", "return(1)"), rawReq("GET", "//FpInt")),
		route("GET http://x/FpInt (absolute form)", req("PUT", "/FpInt", "return(1)"),
			rawReq("GET", "http://x/FpInt")),
		route("GET /fpint (other case)", req("PUT", "/FpInt", "return(1)"), req("GET", "/fpint", "")),
		route("GET /Fp%49nt (percent-encoded name)", req("PUT", "/FpInt", "return(1)"),
			req("GET", "/Fp%49nt", "")),
		route("PUT /Fp%49nt (percent-encoded name)", req("PUT", "/Fp%49nt", "return(1)"),
			hit("FpInt")),
		route("GET /FpInt?x=1 (a query)", req("PUT", "/FpInt", "return(1)"),
			req("GET", "/FpInt?x=1", "")),
		route("GET /?format=json", statusOnly("GET", "/?format=json", "")),
		route("GET / with Accept: application/json",
			func(p *proc) result {
				r := p.do("GET", "/", "", map[string]string{"Accept": "application/json"})
				return result{fmt.Sprintf("%d, starts with %q", r.status, clip(r.body, 1)),
					fmt.Sprintf("%d %s", r.status, clip(r.body, 1))}
			}),
		route("GET /FpInt/wait?count=1 after one hit", req("PUT", "/FpInt", "return(1)"),
			hit("FpInt"), req("GET", "/FpInt/wait?count=1", "")),
		route("PUT /FpInt/count", req("PUT", "/FpInt/count", "return(1)")),
		route("PUT /FpInt with a 70 KB body", req("PUT", "/FpInt", "return(1)"+strings.Repeat(" ", 70000))),
		route("GET /FpInt after `1*return(1)` is used up", req("PUT", "/FpInt", "1*return(1)"),
			hit("FpInt"), hit("FpInt"), req("GET", "/FpInt", ""), req("GET", "/", "")),
		route("GET /FpInt/count after `2*off->return(1)` and three hits",
			req("PUT", "/FpInt", "2*off->return(1)"), hit("FpInt"), hit("FpInt"), hit("FpInt"),
			req("GET", "/FpInt/count", "")),
		route("GET /FpInt/count after `1*return(1)` and three hits",
			req("PUT", "/FpInt", "1*return(1)"), hits("FpInt", 3), req("GET", "/FpInt/count", "")),
		route("GET /FpVoid/count after `sleep(1)` and two hits",
			req("PUT", "/FpVoid", "sleep(1)"), hits("FpVoid", 2), req("GET", "/FpVoid/count", "")),
	)

	cs = group(cs, "routes")

	// The batch routes.
	batch := func(path, body string, then ...step) kase {
		steps := append([]step{req("PUT", path, body)}, then...)
		return route(fmt.Sprintf("PUT %s %s", path, show(body)), steps...)
	}
	both := []step{hit("FpInt"), hit("FpStr")}
	cs = append(cs,
		batch("/failpoints", `FpInt=return(1);FpStr=return("x")`, both...),
		batch("/FAILPOINTS", `FpInt=return(1);FpStr=return("x")`, both...),
		batch("/Failpoints", `FpInt=return(1)`, hit("FpInt")),
		batch("/failpoints", `FpInt=return(1); FpStr=return("x")`, both...),
		batch("/failpoints", `FpInt=return(1);FpInt=return(2)`, hit("FpInt")),
		batch("/failpoints", "FpInt=return(1)\nFpStr=return(\"x\")", both...),
		batch("/failpoints", "FpInt=", hit("FpInt")),
		batch("/failpoints", "", hit("FpInt")),
		batch("/failpoints", ";;FpInt=return(1);", hit("FpInt")),
		batch("/failpoints", `FpStr=return("a;b")`, hit("FpStr")),
		batch("/failpoints", `FpStr=return("a=b")`, hit("FpStr")),
		batch("/failpoints", "FpInt", hit("FpInt")),
		batch("/failpoints", "=return(1)"),
		batch("/failpoints", `FpInt=return(1);FpStr=return("no panic")`, both...),
		route("DELETE /failpoints", req("PUT", "/FpInt", "return(1)"), req("DELETE", "/failpoints", ""),
			hit("FpInt")),
		route("GET /failpoints", req("GET", "/failpoints", "")),
		kase{name: "PUT /failpoints `FpInt=return(1);FpStr=retrun(1)` twenty times: is FpInt applied?",
			custom: partialBatch(`FpInt=return(1);FpStr=retrun(1)`)},
		kase{name: "PUT /failpoints `FpInt=return(1);Nope=return(1)` twenty times: is FpInt applied?",
			custom: partialBatch(`FpInt=return(1);Nope=return(1)`)},
	)

	cs = group(cs, "batch routes")

	// The terms variable (GOFAIL_FAILPOINTS, FAILPOINTS).
	cs = append(cs,
		env("FpInt=return(1)", hit("FpInt")),
		env(`FpInt=return(1);FpStr=return("x")`, hit("FpInt"), hit("FpStr")),
		env(`FpInt=return(1); FpStr=return("x")`, hit("FpInt"), hit("FpStr")),
		env(`FpInt=return(1);FpInt=return(2)`, hit("FpInt")),
		env("FpInt=return(1)\nFpStr=return(\"x\")", hit("FpInt"), hit("FpStr")),
		env("Nope=return(1)", hit("FpInt")),
		env("FpInt=retrun(1)", hit("FpInt")),
		env("FpInt", hit("FpInt")),
		env("FpInt=return(1", hit("FpInt")),
		env(`FpStr=return("abc"`, hit("FpStr")),
		env("FpStr=return('a')", hit("FpStr")),
		env("FpInt=return(t)", hit("FpInt")),
		env(`FpStr=return("a;b")`, hit("FpStr")),
		env(`FpStr=return("a=b")`, hit("FpStr")),
		env("FpInt=3*", hit("FpInt"), died()),
		env(";;FpInt=return(1);", hit("FpInt")),
		env("FpInt=", hit("FpInt")),
		env("=return(1)", hit("FpInt")),
		env("FpInt=return(1)->", hit("FpInt")),
		env("FpInt=2*3*return(1)", hits("FpInt", 10)),
		env("FpInt=5*10.0%return(1)", hits("FpInt", 2000)),
		env("FpInt=10.0%5*return(1)", hits("FpInt", 2000)),
		env("FpInt=50.0%return(1)", hitsBucket("FpInt", 1000)),
		env("FpInt=50%return(1)", hitsBucket("FpInt", 1000)),
		env("FpVoid=sleep(-5)", hit("FpVoid")),
		env("FpStr=return(`raw`)", hit("FpStr")),
		env("FpInt="+chain(65), hits("FpInt", 65)),
		env("FpVoid=print", hits("FpVoid", 3), out("print")),
		env(`FpInt=return("x")`, hits("FpInt", 3), out("FpInt")),
		env("FpInt=return(1);FpStr=retrun(1)", hit("FpInt")),
		env("FpInt=pause", hit("FpVoid")),
	)

	cs = group(cs, "GOFAIL_FAILPOINTS / FAILPOINTS")

	// The HTTP variable (GOFAIL_HTTP, FAILPOINTS_HTTP).
	httpVar := func(value string) kase {
		return kase{name: show(value), setup: setup{httpAddr: value},
			steps: []step{hit("FpInt")}}
	}
	cs = append(cs,
		httpVar("nonsense"),
		httpVar("127.0.0.1:99999"),
		httpVar("0.0.0.0:0"),
		httpVar(":0"),
		httpVar("localhost:0"),
		httpVar("127.0.0.1:0"),
		kase{name: "a port already in use", custom: portInUse},
	)

	cs = group(cs, "GOFAIL_HTTP / FAILPOINTS_HTTP")

	// Concurrency, and the answer around a change.
	cs = append(cs,
		route("four threads hit `sleep(200)` at once", req("PUT", "/FpVoid", "sleep(200)"),
			par("FpVoid", 4, 200)),
		route("control while a thread sleeps in `sleep(3000)`: GET /, PUT, GET /count",
			req("PUT", "/FpVoid", "sleep(3000)"), cmdStep("bg FpVoid"), pause(100*time.Millisecond),
			timed("GET", "/", "", time.Second), timed("PUT", "/FpInt", "return(1)", time.Second),
			timed("GET", "/FpVoid/count", "", time.Second)),
		route("PUT the sleeping failpoint itself while a thread sleeps in it",
			req("PUT", "/FpVoid", "sleep(3000)"), cmdStep("bg FpVoid"), pause(100*time.Millisecond),
			timed("PUT", "/FpVoid", "off", time.Second)),
		route("a client stalls in the middle of a PUT body: is another client answered?",
			stalledPut("/FpInt"), pause(100*time.Millisecond), timed("GET", "/", "", time.Second)),
		kase{name: "PUT /FpStr `return(\"breakfast\")` then hit at once, 300 times: misses",
			custom: armThenHit("/FpStr", `return("breakfast")`, 300)},
		kase{name: "PUT /failpoints `FpStr=return(\"no panic\")` then hit at once, 300 times: misses",
			custom: armThenHit("/failpoints", `FpStr=return("no panic")`, 300)},
		kase{name: "PUT /FpVoid `panic` while another thread hits FpVoid in a loop, 10 times",
			custom: panicAnswer("/FpVoid", "panic", 10)},
		kase{name: "PUT /failpoints `FpVoid=panic` while another thread hits FpVoid in a loop, 10 times",
			custom: panicAnswer("/failpoints", "FpVoid=panic", 10)},
	)
	cs = group(cs, "concurrency and answers")
	return cs
}

// repeatArm: n times, PUT `body` at `path`, hit `fp` at once, then DELETE it. Counts the hits
// that fired and the PUTs not answered 204; status is the last PUT's.
type armed struct{ fired, refused, status int }

func repeatArm(t tool, path, body, fp string, n int) (armed, string) {
	p, failed := start(t, withHTTP)
	if failed != "" {
		return armed{}, failed
	}
	defer p.kill()
	var a armed
	for i := 0; i < n; i++ {
		a.status = p.do("PUT", path, body, nil).status
		if a.status != 204 {
			a.refused++
		}
		if p.send("hit "+fp) != "skipped" {
			a.fired++
		}
		p.do("DELETE", "/"+fp, "", nil)
	}
	return a, ""
}

// partialBatch: a batch with one bad entry, 20 times; whether the good entry was applied.
func partialBatch(body string) func(t tool) result {
	return func(t tool) result {
		a, failed := repeatArm(t, "/failpoints", body, "FpInt", 20)
		if failed != "" {
			return result{failed, "did not start"}
		}
		key := "applied sometimes"
		if a.fired == 0 {
			key = "never applied"
		} else if a.fired == 20 {
			key = "always applied"
		}
		return result{fmt.Sprintf("%d; FpInt applied %d of 20 times", a.status, a.fired),
			fmt.Sprintf("%d %s", a.status, key)}
	}
}

// armThenHit: PUT terms for FpStr and hit at once, n times; a miss is a hit that did not fire.
func armThenHit(path, body string, n int) func(t tool) result {
	return func(t tool) result {
		a, failed := repeatArm(t, path, body, "FpStr", n)
		if failed != "" {
			return result{failed, "did not start"}
		}
		misses := n - a.fired
		key := "no misses"
		if misses > 0 || a.refused > 0 {
			key = "misses"
		}
		return result{fmt.Sprintf("%d misses, %d refused, of %d", misses, a.refused, n), key}
	}
}

// panicAnswer: another thread hits FpVoid in a loop while `panic` is PUT; did the 204 arrive
// before the process ended, and how did it end.
func panicAnswer(path, body string, n int) func(t tool) result {
	return func(t tool) result {
		answered, endings := 0, map[string]int{}
		for i := 0; i < n; i++ {
			p, failed := start(t, withHTTP)
			if failed != "" {
				return result{failed, "did not start"}
			}
			p.send("spin FpVoid")
			if p.do("PUT", path, body, nil).status == 204 {
				answered++
			}
			select {
			case <-p.done:
				endings[exitStatus(p.cmd.ProcessState)]++
			case <-time.After(answerTimeout):
				endings["still running"]++
				p.kill()
			}
		}
		var e []string
		for k, v := range endings {
			e = append(e, fmt.Sprintf("%s %d", k, v))
		}
		show := fmt.Sprintf("204 arrived %d of %d times; %s", answered, n, strings.Join(e, ", "))
		return result{show, fmt.Sprintf("answered %v", answered == n)}
	}
}

// portInUse: the HTTP variable names a port another socket listens on.
func portInUse(t tool) result {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return result{err.Error(), "error"}
	}
	defer l.Close()
	return run(t, kase{setup: setup{httpAddr: l.Addr().String()}, steps: []step{hit("FpInt")}})
}
