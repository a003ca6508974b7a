package main

import (
	"testing"
	"time"

	"golive/toolchain/providerkit/lifecycle/lifecycletest"
)

// The lifecycle tests run this test binary as the provider (lifecycletest.StartPlugin).
const runAsProvider = "GOLIVE_TEST_RUN_DOCKER_PROVIDER"

func TestMain(m *testing.M) { lifecycletest.RunAs(m, runAsProvider, main) }

// Upstream's provider.Main stops the provider when rpcutil.Healthcheck finds the engine gone (every
// 5 minutes there; every second in golive, through providerkit.Main): a killed `pulumi up` leaves
// no docker provider behind.
func TestTheProviderExitsWhenTheEngineGoesAway(t *testing.T) {
	engine := lifecycletest.StartEngine(t)
	provider := lifecycletest.StartPlugin(t, []string{runAsProvider + "=1"}, engine.Addr, false)
	engine.Stop()
	took := provider.WaitExit(t, 8*time.Second)
	t.Logf("the provider exited %v after the engine went away", took.Round(time.Millisecond))
}

// The engine closes a provider with SIGINT to its process group, then SIGKILL 5 s later
// (sdk/go/common/resource/plugin/plugin.go); upstream's provider.Main catches SIGINT with
// signal.NotifyContext, so it stops at once even when it inherited SIGINT ignored.
func TestTheProviderStopsAtOnceOnSIGINTEvenWhenSIGINTWasIgnored(t *testing.T) {
	engine := lifecycletest.StartEngine(t)
	provider := lifecycletest.StartPlugin(t, []string{runAsProvider + "=1"}, engine.Addr, true)
	if err := provider.Interrupt(); err != nil {
		t.Fatal(err)
	}
	took := provider.WaitExit(t, 2*time.Second)
	t.Logf("the provider stopped %v after SIGINT", took.Round(time.Millisecond))
}
