package main

// Conformance tests of golive's command provider against upstream @pulumi/command 1.2.1 (the
// provider at github.com/pulumi/pulumi-command tag v1.2.1 and the npm SDK golive pins). Each test
// names the upstream behaviour it reproduces. They drive the provider through its gRPC methods
// (kit.Provider), with real shells and, for remote commands, a real SSH server in the test.

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	kit "golive/toolchain/providerkit"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/structpb"
)

const (
	localURN  = "urn:pulumi:test::golive::command:local:Command::c"
	remoteURN = "urn:pulumi:test::golive::command:remote:Command::c"
)

func newProvider() *kit.Provider {
	return &kit.Provider{Name: "command", Version: "test", Kinds: map[string]kit.Kind{
		"command:local:Command":  commandKind{remote: false},
		"command:remote:Command": commandKind{remote: true},
	}}
}

// props marshals a property map as the engine sends it (secrets and unknowns kept).
func props(t *testing.T, m resource.PropertyMap) *structpb.Struct {
	t.Helper()
	s, err := plugin.MarshalProperties(m, kit.Keep)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func unmarshal(t *testing.T, s *structpb.Struct) resource.PropertyMap {
	t.Helper()
	m, err := plugin.UnmarshalProperties(s, kit.Keep)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func inputs(kv map[string]any) resource.PropertyMap { return resource.NewPropertyMapFromMap(kv) }

// lifecycle runs create, then (when news is given) diff and update, as the engine does for one
// resource, and returns the state after each step.
type run struct {
	t   *testing.T
	p   *kit.Provider
	urn string
	id  string
	// state is the resource's last outputs.
	state *structpb.Struct
	olds  *structpb.Struct
}

func create(t *testing.T, urn string, in resource.PropertyMap) *run {
	t.Helper()
	r := &run{t: t, p: newProvider(), urn: urn}
	resp, err := r.p.Create(context.Background(), &pulumirpc.CreateRequest{Urn: urn, Properties: props(t, in)})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	r.id, r.state, r.olds = resp.GetId(), resp.GetProperties(), props(t, in)
	return r
}

func (r *run) diff(news resource.PropertyMap) *pulumirpc.DiffResponse {
	r.t.Helper()
	resp, err := r.p.Diff(context.Background(), &pulumirpc.DiffRequest{
		Urn: r.urn, Id: r.id, Olds: r.state, OldInputs: r.olds, News: props(r.t, news),
	})
	if err != nil {
		r.t.Fatalf("diff: %v", err)
	}
	return resp
}

func (r *run) update(news resource.PropertyMap) error {
	r.t.Helper()
	resp, err := r.p.Update(context.Background(), &pulumirpc.UpdateRequest{
		Urn: r.urn, Id: r.id, Olds: r.state, OldInputs: r.olds, News: props(r.t, news),
	})
	if err == nil {
		r.state, r.olds = resp.GetProperties(), props(r.t, news)
	}
	return err
}

func (r *run) delete() error {
	r.t.Helper()
	_, err := r.p.Delete(context.Background(), &pulumirpc.DeleteRequest{Urn: r.urn, Id: r.id, Properties: r.state})
	return err
}

func (r *run) out(key string) string {
	r.t.Helper()
	v := unmarshal(r.t, r.state)[resource.PropertyKey(key)]
	p, _ := kit.Plain(v)
	s, _ := p.(string)
	return s
}

func lines(t *testing.T, file string) []string {
	t.Helper()
	raw, err := os.ReadFile(file)
	if os.IsNotExist(err) {
		return nil
	} else if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
}

// Upstream: common.ResourceInputs tags only `triggers` with provider:"replaceOnChanges", and the SDK
// adds replaceOnChanges: ["triggers[*]"] (local/command.js, remote/command.js); every other input
// is applied by Update (infer's Diff marks a changed field replace only when its schema says so).
func TestOnlyTriggersReplace(t *testing.T) {
	base := map[string]any{"create": "true", "triggers": []any{"a"}}
	r := create(t, localURN, inputs(base))
	changes := map[string]any{
		"create": "echo changed", "update": "echo u", "delete": "echo d", "stdin": "x",
		"environment": map[string]any{"K": "v"}, "dir": os.TempDir(), "interpreter": []any{"/bin/bash", "-c"},
		"logging": "none", "addPreviousOutputInEnv": false,
	}
	for key, v := range changes {
		news := map[string]any{}
		for k, bv := range base {
			news[k] = bv
		}
		news[key] = v
		d := r.diff(inputs(news))
		if d.GetChanges() != pulumirpc.DiffResponse_DIFF_SOME || len(d.GetReplaces()) != 0 {
			t.Errorf("a change of %s: changes %v replaces %v, want an in-place update", key, d.GetChanges(), d.GetReplaces())
		}
	}
	for _, triggers := range [][]any{{"b"}, {"a", "b"}, nil} {
		news := map[string]any{"create": "true"}
		if triggers != nil {
			news["triggers"] = triggers
		}
		d := r.diff(inputs(news))
		if strings.Join(d.GetReplaces(), ",") != "triggers" || d.GetDeleteBeforeReplace() {
			t.Errorf("triggers %v: replaces %v (deleteBeforeReplace %v), want triggers, create before delete",
				triggers, d.GetReplaces(), d.GetDeleteBeforeReplace())
		}
	}
	// A trigger not known yet at preview (e.g. the id of a container still to be created) replaces.
	news := inputs(map[string]any{"create": "true"})
	news["triggers"] = resource.NewArrayProperty([]resource.PropertyValue{resource.MakeComputed(resource.NewStringProperty(""))})
	if d := r.diff(news); strings.Join(d.GetReplaces(), ",") != "triggers" {
		t.Errorf("an unknown trigger: replaces %v", d.GetReplaces())
	}
	if d := r.diff(inputs(base)); d.GetChanges() != pulumirpc.DiffResponse_DIFF_NONE {
		t.Errorf("unchanged inputs: changes %v", d.GetChanges())
	}
}

// Upstream local/commandController.go Update: "Use Create command if Update is unspecified", and
// common/inputs.go: "If an `update` command isn't provided, then `create` will also be run when the
// resource's inputs are modified." Outputs are the new run's stdout/stderr, a trailing newline
// trimmed (commandOutputs.go: strings.TrimSuffix(…, "\n")).
func TestAChangedCreateWithoutUpdateRunsTheNewCreateInPlace(t *testing.T) {
	log := filepath.Join(t.TempDir(), "log")
	r := create(t, localURN, inputs(map[string]any{
		"create": "echo v1 >> " + log + "; echo v1; echo warn-v1 >&2", "delete": "echo deleted >> " + log,
	}))
	if r.out("stdout") != "v1" || r.out("stderr") != "warn-v1" {
		t.Errorf("create outputs %q / %q", r.out("stdout"), r.out("stderr"))
	}
	if err := r.update(inputs(map[string]any{
		"create": "echo v2 >> " + log + "; echo v2", "delete": "echo deleted >> " + log,
	})); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(lines(t, log), ","); got != "v1,v2" {
		t.Errorf("commands run: %s, want v1,v2 (the new create, no delete)", got)
	}
	if r.out("stdout") != "v2" || r.out("stderr") != "" {
		t.Errorf("update outputs %q / %q", r.out("stdout"), r.out("stderr"))
	}
}

// Upstream common/inputs.go (update, delete): "The environment variables PULUMI_COMMAND_STDOUT and
// PULUMI_COMMAND_STDERR are set to the stdout and stderr properties of the Command resource from
// previous create or update steps"; local/commandOutputs.go sets each only when not empty, and not
// at all with addPreviousOutputInEnv false; create has no previous outputs.
func TestPreviousOutputsReachUpdateAndDelete(t *testing.T) {
	log := filepath.Join(t.TempDir(), "log")
	show := `echo "$0 out=${PULUMI_COMMAND_STDOUT-unset} err=${PULUMI_COMMAND_STDERR-unset}" >> ` + log
	in := func(extra map[string]any) resource.PropertyMap {
		m := map[string]any{
			"create": "sh -c '" + strings.ReplaceAll(show, "$0", "create") + "'; echo first",
			"update": "sh -c '" + strings.ReplaceAll(show, "$0", "update") + "'; echo second; echo oops >&2",
			"delete": "sh -c '" + strings.ReplaceAll(show, "$0", "delete") + "'",
		}
		for k, v := range extra {
			m[k] = v
		}
		return inputs(m)
	}
	r := create(t, localURN, in(nil))
	if err := r.update(in(map[string]any{"environment": map[string]any{"A": "1"}})); err != nil {
		t.Fatal(err)
	}
	if err := r.delete(); err != nil {
		t.Fatal(err)
	}
	want := []string{"create out=unset err=unset", "update out=first err=unset", "delete out=second err=oops"}
	if got := lines(t, log); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("environments seen:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	os.Remove(log)
	r = create(t, localURN, in(map[string]any{"addPreviousOutputInEnv": false}))
	if err := r.delete(); err != nil {
		t.Fatal(err)
	}
	if got := lines(t, log); len(got) != 2 || got[1] != "delete out=unset err=unset" {
		t.Errorf("with addPreviousOutputInEnv false: %q", got)
	}
}

// Upstream local/commandController.go Delete: "if props.Delete == nil { return … nil }" — no
// command runs; Update with neither update nor create keeps the outputs.
func TestWithoutADeleteCommandDeleteRunsNothing(t *testing.T) {
	log := filepath.Join(t.TempDir(), "log")
	r := create(t, localURN, inputs(map[string]any{"create": "echo ran >> " + log + "; echo out"}))
	if err := r.delete(); err != nil {
		t.Fatal(err)
	}
	if got := lines(t, log); len(got) != 1 {
		t.Errorf("commands run: %q, want only the create", got)
	}
	r = create(t, localURN, inputs(map[string]any{"triggers": []any{"x"}}))
	if err := r.update(inputs(map[string]any{"triggers": []any{"x"}, "logging": "none"})); err != nil {
		t.Fatal(err)
	}
	if err := r.delete(); err != nil {
		t.Fatal(err)
	}
}

// Upstream local/commandOutputs.go: a failing command is an error
// "<exit status>: running "<command>":\n<stdout and stderr as printed>", and the resource is not
// created (no id reaches the engine: infer returns the plain error).
func TestANonZeroExitIsAnErrorCarryingWhatTheCommandPrinted(t *testing.T) {
	p := newProvider()
	_, err := p.Create(context.Background(), &pulumirpc.CreateRequest{Urn: localURN, Properties: props(t, inputs(map[string]any{
		"create": "echo progress; echo 'no such backend' >&2; exit 3",
	}))})
	if err == nil {
		t.Fatal("a command exiting 3 was created")
	}
	for _, want := range []string{"exit status 3", `running "echo progress;`, "progress\n", "no such backend"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

// Upstream local/base.go: stdin "Pass a string to the command's process as standard in";
// environment "Additional environment variables available to the command's process"; the
// interpreter (default ["/bin/sh", "-c"]) gets the command as its last argument. So a script on
// stdin and secrets in the environment never show on a command line; and upstream's default
// secret flow (infer: an output is secret when the input of the same name is) keeps
// `environment` secret in state while stdout stays plain (use additionalSecretOutputs for it).
func TestStdinAndSecretEnvironmentNeverReachTheCommandLine(t *testing.T) {
	const secret = "s3cret-value-0a9f"
	const script = "echo script-ran; printf '%s' \"$TOKEN\" | wc -c; tr '\\0' ' ' < /proc/$$/cmdline"
	in := inputs(map[string]any{"create": "/bin/sh -s", "stdin": script})
	in["environment"] = resource.MakeSecret(resource.NewObjectProperty(inputs(map[string]any{"TOKEN": secret})))
	r := create(t, localURN, in)
	out := r.out("stdout")
	got := strings.Split(out, "\n")
	if len(got) != 3 || got[0] != "script-ran" || strings.TrimSpace(got[1]) != "17" {
		t.Fatalf("stdout %q: the script did not run from stdin with TOKEN set", out)
	}
	if strings.Contains(got[2], secret) || strings.Contains(got[2], "script-ran") {
		t.Errorf("the shell's command line %q carries the secret or the script", got[2])
	}
	state := unmarshal(t, r.state)
	if !state["environment"].IsSecret() {
		t.Error("environment lost its secretness in state")
	}
	if state["stdout"].IsSecret() {
		t.Error("stdout became secret; upstream keeps it plain unless additionalSecretOutputs says so")
	}
}

// Upstream local/commandController.go Create: "If in preview, don't run the command"; infer marks
// outputs that do not mirror an input unknown during a create's preview.
func TestPreviewRunsNothingAndLeavesOutputsUnknown(t *testing.T) {
	log := filepath.Join(t.TempDir(), "log")
	p := newProvider()
	resp, err := p.Create(context.Background(), &pulumirpc.CreateRequest{
		Urn: localURN, Preview: true, Properties: props(t, inputs(map[string]any{"create": "echo ran >> " + log})),
	})
	if err != nil {
		t.Fatal(err)
	}
	if lines(t, log) != nil {
		t.Error("preview ran the create command")
	}
	if out := unmarshal(t, resp.GetProperties()); !out["stdout"].IsComputed() {
		t.Errorf("stdout at preview is %v, want unknown", out["stdout"])
	}
}

// Upstream local/base.go dir: "The directory from which to run the command from"; interpreter:
// "The program and arguments to run the command".
func TestDirAndInterpreter(t *testing.T) {
	dir := t.TempDir()
	r := create(t, localURN, inputs(map[string]any{
		"create": `echo "$(pwd) ${BASH_VERSION:+bash}"`, "dir": dir, "interpreter": []any{"/bin/bash", "-c"},
	}))
	if r.out("stdout") != dir+" bash" {
		t.Errorf("stdout %q, want %q", r.out("stdout"), dir+" bash")
	}
}

// The pattern golive's blue/green switch uses to drive HAProxy's runtime API: a local command whose
// script is on stdin, triggered by the gateway container's id. Upstream: a new script (stdin) or a
// new create is an update that runs create again with the new values (commandController.Update);
// a new container id in triggers replaces, so the replacement's create runs against the new
// container (replaceOnChanges: ["triggers[*]"]).
func TestAScriptOnStdinTriggeredByAContainerId(t *testing.T) {
	log := filepath.Join(t.TempDir(), "log")
	in := func(script, container string) resource.PropertyMap {
		return inputs(map[string]any{
			"create":      "/bin/sh -s >> " + log,
			"stdin":       "echo \"" + script + " on $CONTAINER\"",
			"environment": map[string]any{"CONTAINER": container},
			"triggers":    []any{container},
		})
	}
	r := create(t, localURN, in("set weight blue 100", "c1"))
	next := in("set weight green 100", "c1")
	if d := r.diff(next); len(d.GetReplaces()) != 0 || d.GetChanges() != pulumirpc.DiffResponse_DIFF_SOME {
		t.Fatalf("a new script: replaces %v changes %v, want an update", d.GetReplaces(), d.GetChanges())
	}
	if err := r.update(next); err != nil {
		t.Fatal(err)
	}
	replacement := in("set weight green 100", "c2")
	if d := r.diff(replacement); strings.Join(d.GetReplaces(), ",") != "triggers" {
		t.Fatalf("a new container id: replaces %v, want triggers", d.GetReplaces())
	}
	create(t, localURN, replacement)
	want := "set weight blue 100 on c1\nset weight green 100 on c1\nset weight green 100 on c2"
	if got := strings.Join(lines(t, log), "\n"); got != want {
		t.Errorf("runs:\n%s\nwant:\n%s", got, want)
	}
}
