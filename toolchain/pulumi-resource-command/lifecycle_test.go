package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"golive/toolchain/providerkit/lifecycle/lifecycletest"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// The lifecycle tests run this test binary as the provider (lifecycletest.StartPlugin).
const runAsProvider = "GOLIVE_TEST_RUN_COMMAND_PROVIDER"

func TestMain(m *testing.M) { lifecycletest.RunAs(m, runAsProvider, main) }

// startCreate asks the provider, in the background, to create a local command that starts a
// background grandchild and then blocks, writing both pids to pidsFile.
func startCreate(t *testing.T, provider *lifecycletest.Plugin, pidsFile string) {
	t.Helper()
	conn, err := grpc.NewClient(provider.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	client := pulumirpc.NewResourceProviderClient(conn)
	in := props(t, inputs(map[string]any{"create": "sleep 300 & echo $$ $! > " + pidsFile + "; wait"}))
	go func() {
		_, _ = client.Create(context.Background(), &pulumirpc.CreateRequest{Urn: localURN, Properties: in})
	}()
}

// Upstream's provider.Main stops the provider when rpcutil.Healthcheck finds the engine gone (every
// 5 minutes there; every second in golive). golive's also kills the running command's process
// group: exec.CommandContext alone kills the shell and leaves its children (and the call, waiting
// on their output) behind.
func TestTheProviderExitsWithItsCommandsWhenTheEngineGoesAway(t *testing.T) {
	pidsFile := filepath.Join(t.TempDir(), "pids")
	engine := lifecycletest.StartEngine(t)
	provider := lifecycletest.StartPlugin(t, []string{runAsProvider + "=1"}, engine.Addr, false)
	startCreate(t, provider, pidsFile)
	pids := lifecycletest.ReadPids(t, pidsFile, 2, 10*time.Second)

	engine.Stop()
	took := provider.WaitExit(t, 8*time.Second)
	lifecycletest.WaitGone(t, 2*time.Second, pids...)
	t.Logf("the provider exited %v after the engine went away; its command and the command's child gone",
		took.Round(time.Millisecond))
}

// The engine closes a provider with SIGINT to its process group, then SIGKILL 5 s later
// (sdk/go/common/resource/plugin/plugin.go); upstream's provider.Main catches SIGINT with
// signal.NotifyContext, so it stops at once even when it inherited SIGINT ignored. An operation
// still running is cancelled and its command's group killed.
func TestTheProviderStopsAtOnceOnSIGINTEvenWhenSIGINTWasIgnored(t *testing.T) {
	pidsFile := filepath.Join(t.TempDir(), "pids")
	engine := lifecycletest.StartEngine(t)
	provider := lifecycletest.StartPlugin(t, []string{runAsProvider + "=1"}, engine.Addr, true)
	startCreate(t, provider, pidsFile)
	pids := lifecycletest.ReadPids(t, pidsFile, 2, 10*time.Second)

	if err := provider.Interrupt(); err != nil {
		t.Fatal(err)
	}
	took := provider.WaitExit(t, 2*time.Second)
	lifecycletest.WaitGone(t, 2*time.Second, pids...)
	t.Logf("the provider stopped %v after SIGINT", took.Round(time.Millisecond))
}

// A call whose caller goes away (the engine's connection breaks) is cancelled by gRPC: the
// command's whole process group is killed, and the provider keeps serving while its engine answers.
func TestACancelledCreateKillsTheCommandsProcessGroup(t *testing.T) {
	pidsFile := filepath.Join(t.TempDir(), "pids")
	engine := lifecycletest.StartEngine(t)
	provider := lifecycletest.StartPlugin(t, []string{runAsProvider + "=1"}, engine.Addr, false)
	conn, err := grpc.NewClient(provider.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	in := props(t, inputs(map[string]any{"create": "sleep 300 & echo $$ $! > " + pidsFile + "; wait"}))
	go func() {
		_, _ = pulumirpc.NewResourceProviderClient(conn).Create(context.Background(),
			&pulumirpc.CreateRequest{Urn: localURN, Properties: in})
	}()
	pids := lifecycletest.ReadPids(t, pidsFile, 2, 10*time.Second)
	_ = conn.Close()
	lifecycletest.WaitGone(t, 3*time.Second, pids...)
	if !lifecycletest.Alive(provider.Cmd.Process.Pid) {
		t.Error("the provider exited although its engine still answers")
	}
}
