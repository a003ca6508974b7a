// Package lifecycletest holds what the conformance tests of golive's plugins share: a fake engine
// that answers the gRPC health check, a plugin started the way the engine starts one (its own
// process group, the engine's address as its argument, the port read from its first output line),
// and a check that a process is gone.
package lifecycletest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// RunAs makes a test binary the plugin under test: started with env=1 (as the tests start it,
// through StartPlugin), it runs the plugin's main and exits; otherwise it runs the tests.
func RunAs(m *testing.M, env string, main func()) {
	if os.Getenv(env) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// Engine is a stand-in for the engine's host server: it answers grpc.health.v1.Health/Check.
type Engine struct {
	Addr string
	srv  *grpc.Server
}

// StartEngine serves the health service on a free local port until Stop (or the test's end).
func StartEngine(t *testing.T) *Engine {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	healthpb.RegisterHealthServer(srv, health.NewServer())
	go func() { _ = srv.Serve(lis) }()
	e := &Engine{Addr: lis.Addr().String(), srv: srv}
	t.Cleanup(e.Stop)
	return e
}

// Stop makes the engine go away as a SIGKILL would: the listener and every connection close.
func (e *Engine) Stop() { e.srv.Stop() }

// Plugin is a plugin process started as the engine starts one.
type Plugin struct {
	Cmd    *exec.Cmd
	Port   int
	exited chan error
}

// StartPlugin runs the test binary itself as the plugin (the test's TestMain runs the plugin's
// main when env holds the variable it looks for), with engineAddr as its last argument. With
// ignoreSIGINT, SIGINT is ignored when the plugin starts, as in a script's `cmd &` job.
func StartPlugin(t *testing.T, env []string, engineAddr string, ignoreSIGINT bool) *Plugin {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var cmd *exec.Cmd
	if ignoreSIGINT {
		// trap '' INT sets SIGINT to SIG_IGN, which exec keeps.
		cmd = exec.Command("/bin/sh", "-c", `trap '' INT; exec "$0" "$@"`, self, "-test.run=^$", engineAddr)
	} else {
		cmd = exec.Command(self, "-test.run=^$", engineAddr)
	}
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &Plugin{Cmd: cmd, exited: make(chan error, 1)}
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the plugin's port: %v", err)
	}
	if p.Port, err = strconv.Atoi(strings.TrimSpace(line)); err != nil {
		t.Fatalf("the plugin's first line %q is not a port", line)
	}
	go func() { p.exited <- cmd.Wait() }()
	return p
}

// Addr is the plugin's gRPC address.
func (p *Plugin) Addr() string { return fmt.Sprintf("127.0.0.1:%d", p.Port) }

// Interrupt closes the plugin as the engine's plugin.Close does first: SIGINT to its process group.
func (p *Plugin) Interrupt() error { return syscall.Kill(-p.Cmd.Process.Pid, syscall.SIGINT) }

// WaitExit waits up to bound for the plugin to exit and says how long it took.
func (p *Plugin) WaitExit(t *testing.T, bound time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	select {
	case <-p.exited:
		return time.Since(start)
	case <-time.After(bound):
		t.Fatalf("the plugin (pid %d) was still running %v later", p.Cmd.Process.Pid, bound)
		return 0
	}
}

// Alive reports whether pid is a running process (a zombie waiting to be reaped counts as gone).
func Alive(pid int) bool {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the command name, which is in parentheses and may hold spaces.
	s := string(raw)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

// WaitGone waits up to bound for every pid to be gone.
func WaitGone(t *testing.T, bound time.Duration, pids ...int) {
	t.Helper()
	deadline := time.Now().Add(bound)
	for {
		var alive []int
		for _, pid := range pids {
			if Alive(pid) {
				alive = append(alive, pid)
			}
		}
		if len(alive) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("processes %v were still running %v later", alive, bound)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ReadPids waits up to bound for file to hold at least n whitespace-separated pids.
func ReadPids(t *testing.T, file string, n int, bound time.Duration) []int {
	t.Helper()
	deadline := time.Now().Add(bound)
	for {
		raw, _ := os.ReadFile(file)
		var pids []int
		for _, f := range strings.Fields(string(raw)) {
			if pid, err := strconv.Atoi(f); err == nil {
				pids = append(pids, pid)
			}
		}
		if len(pids) >= n {
			return pids
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s held %q after %v, want %d pids", file, raw, bound, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
