package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golive/toolchain/providerkit/lifecycle/lifecycletest"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// The lifecycle tests run this test binary as the language host (lifecycletest.StartPlugin).
const runAsHost = "GOLIVE_TEST_RUN_LANGUAGE_HOST"

func TestMain(m *testing.M) { lifecycletest.RunAs(m, runAsHost, main) }

// fakeProgram is a program folder whose @pulumi/pulumi `cmd/run` is a stand-in: it starts a
// grandchild (`sleep 300`), writes "<its pid> <the grandchild's pid>" to $PIDS_FILE and waits
// forever, like a program blocked on the engine.
func fakeProgram(t *testing.T) (dir, pidsFile string) {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not on PATH")
	}
	dir = t.TempDir()
	runner := filepath.Join(dir, "node_modules", "@pulumi", "pulumi", "cmd", "run")
	if err := os.MkdirAll(runner, 0o755); err != nil {
		t.Fatal(err)
	}
	script := `const child = require("child_process").spawn("sleep", ["300"], { stdio: "ignore" });
require("fs").writeFileSync(process.env.PIDS_FILE, process.pid + " " + child.pid + "\n");
setInterval(() => {}, 1000);
`
	if err := os.WriteFile(filepath.Join(runner, "index.js"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, filepath.Join(dir, "pids")
}

// startRun calls Run on the host as the engine does, in the background; the returned function
// closes the caller's connection (what an engine's death does to it).
func startRun(t *testing.T, host *lifecycletest.Plugin, dir string) (closeCaller func()) {
	t.Helper()
	conn, err := grpc.NewClient(host.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	client := pulumirpc.NewLanguageRuntimeClient(conn)
	go func() {
		_, _ = client.Run(context.Background(), &pulumirpc.RunRequest{
			Project: "p", Stack: "s", Pwd: dir, MonitorAddress: "127.0.0.1:1",
			Info: &pulumirpc.ProgramInfo{RootDirectory: dir, ProgramDirectory: dir, EntryPoint: "."},
		})
	}()
	t.Cleanup(func() { _ = conn.Close() })
	return func() { _ = conn.Close() }
}

// Upstream's language hosts (e.g. sdk/nodejs/cmd/pulumi-language-nodejs/main.go) poll the engine
// with rpcutil.Healthcheck and cancel their server when it stops answering. golive's host does the
// same every second and also kills what it started: a killed `pulumi up` leaves nothing running.
func TestTheHostExitsWithItsProgramWhenTheEngineGoesAway(t *testing.T) {
	dir, pidsFile := fakeProgram(t)
	engine := lifecycletest.StartEngine(t)
	host := lifecycletest.StartPlugin(t, []string{runAsHost + "=1", "PIDS_FILE=" + pidsFile}, engine.Addr, false)
	startRun(t, host, dir)
	pids := lifecycletest.ReadPids(t, pidsFile, 2, 20*time.Second)

	engine.Stop()
	took := host.WaitExit(t, 8*time.Second)
	lifecycletest.WaitGone(t, 2*time.Second, pids...)
	t.Logf("the host exited %v after the engine went away; program and grandchild gone", took.Round(time.Millisecond))
}

// A Run whose caller goes away (the engine's connection breaks) is cancelled by gRPC; the program's
// whole process group goes with it, not only node (a shell's or node's children would outlive it).
func TestACancelledRunKillsTheProgramsProcessGroup(t *testing.T) {
	dir, pidsFile := fakeProgram(t)
	engine := lifecycletest.StartEngine(t)
	host := lifecycletest.StartPlugin(t, []string{runAsHost + "=1", "PIDS_FILE=" + pidsFile}, engine.Addr, false)
	closeCaller := startRun(t, host, dir)
	pids := lifecycletest.ReadPids(t, pidsFile, 2, 20*time.Second)

	closeCaller()
	lifecycletest.WaitGone(t, 3*time.Second, pids...)
	if !lifecycletest.Alive(host.Cmd.Process.Pid) {
		t.Error("the host exited although its engine still answers")
	}
}

// The engine closes a plugin with SIGINT to its process group and kills it 5 s later
// (sdk/go/common/resource/plugin/plugin.go, Plugin.Close/kill). Upstream's hosts catch SIGINT with
// signal.NotifyContext, which also re-enables a SIGINT inherited ignored; so does golive's.
func TestTheHostStopsAtOnceOnSIGINTEvenWhenSIGINTWasIgnored(t *testing.T) {
	dir, pidsFile := fakeProgram(t)
	engine := lifecycletest.StartEngine(t)
	host := lifecycletest.StartPlugin(t, []string{runAsHost + "=1", "PIDS_FILE=" + pidsFile}, engine.Addr, true)
	startRun(t, host, dir)
	pids := lifecycletest.ReadPids(t, pidsFile, 2, 20*time.Second)

	if err := host.Interrupt(); err != nil {
		t.Fatal(err)
	}
	took := host.WaitExit(t, 2*time.Second)
	lifecycletest.WaitGone(t, 2*time.Second, pids...)
	t.Logf("the host stopped %v after SIGINT", took.Round(time.Millisecond))
}

// The prompt-shutdown test relies on a shell trap with an empty action, then exec, starting the
// host with SIGINT ignored.
func TestTheTestHarnessReallyStartsPluginsWithSIGINTIgnored(t *testing.T) {
	out, err := exec.Command("/bin/sh", "-c", `trap '' INT; exec grep SigIgn /proc/self/status`).Output()
	if err != nil {
		t.Fatal(err)
	}
	// SigIgn is a hexadecimal mask; SIGINT (2) is bit 1.
	mask := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(out)), "SigIgn:"))
	last := mask[len(mask)-1]
	if !strings.ContainsRune("2367abefABEF", rune(last)) {
		t.Errorf("SigIgn %s: SIGINT is not ignored", mask)
	}
}
