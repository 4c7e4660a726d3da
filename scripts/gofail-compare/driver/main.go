// The driver of scripts/gofail-compare.sh: runs every case against the gofail target (go/) and
// the failpoint target (cpp/) and prints a Markdown table: case, what gofail did, what
// failpoint did, and whether that is the same.
//
// Both targets declare FpInt (int), FpStr (string), FpBool (bool) and FpVoid (no value: gofail's
// struct{}) and answer these commands on stdin with one "@@ " line on stdout:
//
//	hit NAME        evaluate once: "fired VALUE", "fired" or "skipped"
//	hits NAME N     evaluate N times: "fired K of N"
//	par NAME N      N threads evaluate once at the same time: "ms ELAPSED"
//	bg NAME         one evaluation on another thread: "started"
//	spin NAME       evaluate in a loop on another thread: "spinning"
//	quit            "bye", then exit 0
//
// A case is a list of steps run against a fresh process of each tool; each step gives what is
// shown and a key; two tools behave the same in a case when every key is equal. Keys leave out
// the wording of error messages (a status code, an exit status, which stream and how many lines)
// but keep every successful answer byte for byte.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// tool is one side of the comparison: its program and the names of its variables.
type tool struct {
	name     string
	bin      string
	envTerms string // GOFAIL_FAILPOINTS or FAILPOINTS
	envHTTP  string // GOFAIL_HTTP or FAILPOINTS_HTTP
}

// proc is a running target.
type proc struct {
	t       tool
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	answers chan string
	done    chan struct{} // closed once the process has exited and its output is read
	mu      sync.Mutex
	stdout  []string // lines of stdout that are not answers: the tool's own output
	stderr  bytes.Buffer
	addr    string
}

// Bounds of every wait, so that a hung target cannot hang the comparison.
const (
	answerTimeout  = 5 * time.Second
	startTimeout   = 10 * time.Second
	requestTimeout = 3 * time.Second
)

// setup is how a case starts a target.
type setup struct {
	terms    *string // the value of the terms variable, or nil for none
	http     bool    // start the endpoint on a free loopback port
	httpAddr string  // instead: this exact value of the HTTP variable
	noGDB    bool    // a PATH without gdb (gofail's break runs it)
}

func (p *proc) output() (stdout []string, stderr string) {
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.stdout...), p.stderr.String()
}

type syncWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w syncWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(b)
}

func freePort() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// start runs the target; the string is empty when it is ready, else what happened instead.
func start(t tool, s setup) (*proc, string) {
	p := &proc{t: t, answers: make(chan string, 16), done: make(chan struct{})}
	env := []string{}
	for _, e := range os.Environ() {
		if strings.HasPrefix(e, "GOFAIL_") || strings.HasPrefix(e, "FAILPOINTS") ||
			(s.noGDB && strings.HasPrefix(e, "PATH=")) {
			continue
		}
		env = append(env, e)
	}
	if s.noGDB {
		env = append(env, "PATH=/nonexistent")
	}
	if s.terms != nil {
		env = append(env, t.envTerms+"="+*s.terms)
	}
	if s.http {
		p.addr = freePort()
		env = append(env, t.envHTTP+"="+p.addr)
	} else if s.httpAddr != "" {
		env = append(env, t.envHTTP+"="+s.httpAddr)
	}
	p.cmd = exec.Command(t.bin)
	p.cmd.Env = env
	p.cmd.Stderr = syncWriter{&p.mu, &p.stderr}
	out, _ := p.cmd.StdoutPipe()
	p.stdin, _ = p.cmd.StdinPipe()
	if err := p.cmd.Start(); err != nil {
		return nil, "cannot start: " + err.Error()
	}
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "@@ ") {
				p.answers <- line[3:]
				continue
			}
			p.mu.Lock()
			p.stdout = append(p.stdout, line)
			p.mu.Unlock()
		}
		_ = p.cmd.Wait()
		close(p.done)
	}()
	if a := p.answer(startTimeout); a != "ready" {
		p.kill()
		return p, "did not start: " + p.exitText()
	}
	if s.http {
		deadline := time.Now().Add(startTimeout)
		for {
			if r := p.do("GET", "/", "", nil); r.status != 0 {
				break
			}
			if time.Now().After(deadline) {
				p.kill()
				return p, "the endpoint did not answer"
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return p, ""
}

// answer waits for the next "@@" line; "" when the process ended or did not answer in time.
func (p *proc) answer(timeout time.Duration) string {
	select {
	case a := <-p.answers:
		return a
	case <-p.done:
		select {
		case a := <-p.answers:
			return a
		default:
			return ""
		}
	case <-time.After(timeout):
		return ""
	}
}

func (p *proc) send(line string) string {
	if _, err := io.WriteString(p.stdin, line+"\n"); err != nil {
		return ""
	}
	return p.answer(answerTimeout)
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func (p *proc) kill() {
	if !p.exited() {
		_ = p.cmd.Process.Kill()
	}
	<-p.done
}

// exitText describes how the process ended ("exit 1", "SIGABRT"), with the first line it wrote.
func (p *proc) exitText() string {
	<-p.done
	return exitStatus(p.cmd.ProcessState) + firstLine(p)
}

func exitStatus(st *os.ProcessState) string {
	ws, ok := st.Sys().(syscall.WaitStatus)
	if ok && ws.Signaled() {
		return "killed by " + signalName(ws.Signal())
	}
	return "exit " + strconv.Itoa(st.ExitCode())
}

func signalName(s syscall.Signal) string {
	switch s {
	case syscall.SIGABRT:
		return "SIGABRT"
	case syscall.SIGTRAP:
		return "SIGTRAP"
	case syscall.SIGKILL:
		return "SIGKILL"
	case syscall.SIGSEGV:
		return "SIGSEGV"
	}
	return s.String()
}

func firstLine(p *proc) string {
	out, errText := p.output()
	for _, l := range append(out, strings.Split(errText, "\n")...) {
		if strings.TrimSpace(l) != "" {
			return ": " + clip(l, 70)
		}
	}
	return ""
}

func clip(s string, n int) string {
	s = strings.ReplaceAll(s, "|", "\\|")
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// response of one HTTP request; status 0 when there was none.
type response struct {
	status int
	body   string
	err    string
}

func (p *proc) do(method, path, body string, headers map[string]string) response {
	return request(p.addr, method, path, body, headers, requestTimeout)
}

func request(addr, method, path, body string, headers map[string]string, timeout time.Duration) response {
	req, err := http.NewRequest(method, "http://"+addr+"/", strings.NewReader(body))
	if err != nil {
		return response{err: err.Error()}
	}
	req.URL.Opaque = path // sent exactly as written: no normalization, no re-encoding
	req.Close = true
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	c := &http.Client{Timeout: timeout}
	res, err := c.Do(req)
	if err != nil {
		if strings.Contains(err.Error(), "Timeout") {
			return response{err: "no answer within " + timeout.String()}
		}
		return response{err: "connection closed without an answer"}
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, body: string(b)}
}

// A step of a case: what it showed, and the key compared between the tools.
type result struct{ show, key string }

type step func(p *proc) result

// req: one request. Successful answers are compared byte for byte, errors by status code.
func req(method, path, body string) step {
	return reqH(method, path, body, nil)
}

func reqH(method, path, body string, headers map[string]string) step {
	return func(p *proc) result {
		return showResponse(p.do(method, path, body, headers))
	}
}

func showResponse(r response) result {
	if r.status == 0 {
		return result{r.err, "no answer"}
	}
	if r.status < 300 {
		return result{fmt.Sprintf("%d %q", r.status, r.body), fmt.Sprintf("%d %q", r.status, r.body)}
	}
	msg := strings.TrimSpace(r.body)
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return result{fmt.Sprintf("%d (%s)", r.status, clip(msg, 60)), strconv.Itoa(r.status)}
}

// rawReq: a request whose target is sent exactly as given, even where Go's client would rewrite
// it (a target starting with "//" is sent as an absolute URL by net/http).
func rawReq(method, target string) step {
	return func(p *proc) result {
		c, err := net.DialTimeout("tcp", p.addr, requestTimeout)
		if err != nil {
			return result{"cannot connect", "no answer"}
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(requestTimeout))
		fmt.Fprintf(c, "%s %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", method, target)
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			return result{"connection closed without an answer", "no answer"}
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return showResponse(response{status: res.StatusCode, body: string(b)})
	}
}

// statusOnly: one request whose body (a listing, JSON) is shown but not compared.
func statusOnly(method, path, body string) step {
	return func(p *proc) result {
		r := p.do(method, path, body, nil)
		if r.status == 0 {
			return result{r.err, "no answer"}
		}
		return result{fmt.Sprintf("%d %s", r.status, clip(strings.ReplaceAll(r.body, "\n", "\\n"), 40)),
			strconv.Itoa(r.status)}
	}
}

func cmdStep(line string) step {
	return func(p *proc) result {
		a := p.send(line)
		if a == "" {
			return result{"no answer (" + p.exitTextNow() + ")", "no answer"}
		}
		return result{a, a}
	}
}

func (p *proc) exitTextNow() string {
	select {
	case <-p.done:
		return exitStatus(p.cmd.ProcessState)
	case <-time.After(answerTimeout):
		return "still running"
	}
}

func hit(name string) step { return cmdStep("hit " + name) }

func hits(name string, n int) step { return cmdStep(fmt.Sprintf("hits %s %d", name, n)) }

// hitsBucket: N hits whose exact number of fires is random; the key is none, some or all.
func hitsBucket(name string, n int) step {
	return func(p *proc) result {
		a := p.send(fmt.Sprintf("hits %s %d", name, n))
		var k int
		if _, err := fmt.Sscanf(a, "fired %d of", &k); err != nil {
			return result{"no answer (" + p.exitTextNow() + ")", "no answer"}
		}
		key := "some"
		if k == 0 {
			key = "none"
		} else if k == n {
			key = "all"
		}
		return result{a, key}
	}
}

// par: n threads hit a failpoint set to sleep(ms) at once; serialized when it took about n*ms.
func par(name string, n, ms int) step {
	return func(p *proc) result {
		a := p.send(fmt.Sprintf("par %s %d", name, n))
		var took int
		if _, err := fmt.Sscanf(a, "ms %d", &took); err != nil {
			return result{"no answer", "no answer"}
		}
		key := "in parallel"
		if took >= n*ms*8/10 {
			key = "one after another"
		}
		return result{fmt.Sprintf("%s (%d ms)", key, took), key}
	}
}

func pause(d time.Duration) step {
	return func(p *proc) result { time.Sleep(d); return result{} }
}

// timed: a request that must be answered within `within` (while something else goes on).
func timed(method, path, body string, within time.Duration) step {
	return func(p *proc) result {
		start := time.Now()
		r := request(p.addr, method, path, body, nil, within)
		if r.status == 0 {
			return result{r.err, "no answer"}
		}
		return result{fmt.Sprintf("%d in %d ms", r.status, time.Since(start).Milliseconds()),
			fmt.Sprintf("%d in time", r.status)}
	}
}

// stalledPut: opens a connection that sends a PUT's headers and part of its body, then waits.
func stalledPut(path string) step {
	return func(p *proc) result {
		c, err := net.Dial("tcp", p.addr)
		if err != nil {
			return result{"cannot connect", "no answer"}
		}
		fmt.Fprintf(c, "PUT %s HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nre", path)
		go func() { time.Sleep(2 * requestTimeout); c.Close() }()
		return result{}
	}
}

// died: the process ends by itself within the time limit; how.
func died() step {
	return func(p *proc) result {
		select {
		case <-p.done:
			st := exitStatus(p.cmd.ProcessState)
			return result{st, st}
		case <-time.After(answerTimeout):
			return result{"still running", "still running"}
		}
	}
}

// out: the tool's own output lines containing `word` so far, per stream.
func out(word string) step {
	return func(p *proc) result {
		time.Sleep(100 * time.Millisecond)
		p.mu.Lock()
		var so, se []string
		for _, l := range p.stdout {
			if strings.Contains(l, word) {
				so = append(so, l)
			}
		}
		for _, l := range strings.Split(p.stderr.String(), "\n") {
			if strings.Contains(l, word) {
				se = append(se, l)
			}
		}
		p.mu.Unlock()
		show := fmt.Sprintf("stdout %d, stderr %d lines", len(so), len(se))
		if len(so)+len(se) > 0 {
			show += ": " + clip(directories.ReplaceAllString(append(so, se...)[0], ""), 60)
		}
		return result{show, fmt.Sprintf("stdout %d stderr %d", len(so), len(se))}
	}
}

// The directories of a path in a message: the table should not depend on where it was built.
var directories = regexp.MustCompile(`/[^ :"]*/`)

// A case: how to start each target, then the steps.
type kase struct {
	group string // the section of the table
	name  string
	setup setup
	steps []step
	// custom replaces setup and steps: it runs the tool its own way.
	custom func(t tool) result
}

func terms(s string) *string { return &s }

// run runs one case against one tool.
func run(t tool, c kase) result {
	if c.custom != nil {
		return c.custom(t)
	}
	p, failed := start(t, c.setup)
	if failed != "" {
		key := "did not start"
		if p != nil && p.cmd.ProcessState != nil {
			key += ": " + exitStatus(p.cmd.ProcessState)
		}
		return result{failed, key}
	}
	var shows, keys []string
	for _, s := range c.steps {
		r := s(p)
		if r.show == "" && r.key == "" {
			continue
		}
		shows = append(shows, r.show)
		keys = append(keys, r.key)
	}
	if !p.exited() {
		p.send("quit")
		select {
		case <-p.done:
		case <-time.After(answerTimeout):
			p.kill()
		}
	}
	return result{strings.Join(shows, "; "), strings.Join(keys, "; ")}
}

func main() {
	gofailBin := flag.String("gofail", "", "the gofail target (go/ built after `gofail enable`)")
	failpointBin := flag.String("failpoint", "", "the failpoint target (cpp/)")
	only := flag.String("only", "", "run only the cases whose name contains this")
	flag.Parse()
	if *gofailBin == "" || *failpointBin == "" {
		fmt.Fprintln(os.Stderr, "usage: driver -gofail BIN -failpoint BIN [-only TEXT]")
		os.Exit(2)
	}
	tools := []tool{
		{"gofail", *gofailBin, "GOFAIL_FAILPOINTS", "GOFAIL_HTTP"},
		{"failpoint", *failpointBin, "FAILPOINTS", "FAILPOINTS_HTTP"},
	}
	all := cases()
	fmt.Println("| # | case | gofail | failpoint | |")
	fmt.Println("|---|---|---|---|---|")
	type tally struct{ n, same int }
	var order []string
	per := map[string]*tally{}
	total := tally{}
	for _, c := range all {
		if *only != "" && !strings.Contains(c.name, *only) {
			continue
		}
		if per[c.group] == nil {
			per[c.group] = &tally{}
			order = append(order, c.group)
		}
		total.n++
		per[c.group].n++
		g := run(tools[0], c)
		f := run(tools[1], c)
		verdict := "different"
		if g.key == f.key {
			verdict = "same"
			total.same++
			per[c.group].same++
		}
		fmt.Printf("| %d | %s: %s | %s | %s | %s |\n", total.n, c.group, clip(c.name, 200),
			clip(g.show, 400), clip(f.show, 400), verdict)
	}
	fmt.Printf("\n%d cases: %d the same, %d different.\n\n", total.n, total.same, total.n-total.same)
	fmt.Println("| cases | number | same | different |")
	fmt.Println("|---|---|---|---|")
	for _, g := range order {
		t := per[g]
		fmt.Printf("| %s | %d | %d | %d |\n", g, t.n, t.same, t.n-t.same)
	}
}
