package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/structpb"
)

func programInfo(t *testing.T, options map[string]any) *pulumirpc.ProgramInfo {
	t.Helper()
	opts, err := structpb.NewStruct(options)
	if err != nil {
		t.Fatal(err)
	}
	return &pulumirpc.ProgramInfo{Options: opts}
}

func TestACompiledPackRunsWithoutRunPolicyPack(t *testing.T) {
	// No node_modules at all: the compiled-pack runner must not look for @pulumi/pulumi's runner.
	dir := t.TempDir()
	args, err := policyPackArgs(programInfo(t, map[string]any{"typescript": false}), dir, []string{"127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	if args[0] != "--eval" || args[1] != compiledPackRunner || args[2] != "--" {
		t.Errorf("args start %q, want --eval <runner> --", args[:3])
	}
	if got := strings.Join(args[3:], " "); got != "127.0.0.1:1 "+dir {
		t.Errorf("runner arguments %q", got)
	}
}

func TestATypeScriptPackRunsThroughRunPolicyPack(t *testing.T) {
	dir := t.TempDir()
	runner := filepath.Join(dir, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack")
	if err := os.MkdirAll(runner, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(runner, "index.js"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, options := range []map[string]any{{}, {"typescript": true, "nodeargs": "--max-old-space-size=512"}} {
		args, err := policyPackArgs(programInfo(t, options), dir, []string{"127.0.0.1:1"})
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Join(args, " ")
		want := runner + " 127.0.0.1:1 " + dir
		if options["nodeargs"] != nil {
			want = "--max-old-space-size=512 " + want
		}
		if got != want {
			t.Errorf("options %v: args %q, want %q", options, got, want)
		}
	}
}

func TestTheCompiledPackRunnerLoadsThePackAndReportsWhatItThrows(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH")
	}
	dir := t.TempDir()
	marker := filepath.Join(dir, "loaded")
	write := func(main string) {
		pkg := `{"name": "pack", "main": "bin/index.js"}`
		if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(pkg), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(dir, "bin"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "bin", "index.js"), []byte(main), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(`require("fs").writeFileSync(process.env.MARKER, typeof require("path").join);`)
	cmd := exec.Command(node, "--eval", compiledPackRunner, "--", "127.0.0.1:1", dir)
	cmd.Env = append(os.Environ(), "MARKER="+marker)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("runner failed: %v\n%s", err, out)
	}
	if got, _ := os.ReadFile(marker); string(got) != "function" {
		t.Errorf("the pack did not run (marker %q)", got)
	}

	write(`throw new Error("broken pack");`)
	out, err := exec.Command(node, "--eval", compiledPackRunner, "--", "127.0.0.1:1", dir).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "broken pack") {
		t.Errorf("a pack that throws: err %v, output %s", err, out)
	}
}
