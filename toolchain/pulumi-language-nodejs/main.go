// Command pulumi-language-nodejs is golive's Node.js language host for the Pulumi engine.
//
// Why golive ships its own: the upstream host lives in a Go module of its own
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) that carries no tags, and the
// module proxy these machines reach serves no version of it. The protocol it speaks is defined by
// github.com/pulumi/pulumi/sdk/v3, which the proxy does serve, so this host is written against that
// module's generated gRPC types. It does what `pulumi preview/up` and a Node.js policy pack need:
// report the plugins a program requires, run the program through @pulumi/pulumi's own `cmd/run`,
// and run policy packs and plugins through `cmd/run-policy-pack` and `cmd/run-plugin`.
// Code generation, templates and `pulumi new` prompts are not implemented.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"golive/toolchain/providerkit/lifecycle"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

// version is stamped at build time with -ldflags "-X main.version=…".
var version = "0.0.0-dev"

// bailExitCode is what @pulumi/pulumi's runners exit with after they have already reported an
// actionable error to the engine: the host must not print a second, generic one.
const bailExitCode = 32

func main() {
	// The engine passes its address as the last argument (after flags such as -tracing=… or
	// -root=…, which change nothing here).
	engineAddress := lifecycle.EngineAddress(os.Args[1:])
	host := &languageHost{engineAddress: engineAddress}
	// As upstream's host: stop on SIGINT and when the engine's health check fails; then the
	// programs, policy packs and plugins this host started are killed (their process groups).
	err := lifecycle.Serve(engineAddress, func(srv *grpc.Server) error {
		pulumirpc.RegisterLanguageRuntimeServer(srv, host)
		return nil
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
		os.Exit(1)
	}
}

type languageHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	mu            sync.Mutex
	engineAddress string
}

func (h *languageHost) engine() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engineAddress
}

func (h *languageHost) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *languageHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (h *languageHost) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, errors.New("node was not found on PATH")
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("node --version: %w", err)
	}
	return &pulumirpc.AboutResponse{
		Executable: node,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
	}, nil
}

// pulumiPackage is the part of a package.json that names a Pulumi plugin.
type pulumiPackage struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Pulumi  *struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

// requiredPlugins lists the resource plugins named by the packages in the program's node_modules
// (one level, scoped packages included), sorted by name for a stable answer.
func requiredPlugins(programDir string) ([]*pulumirpc.PluginDependency, error) {
	seen := map[string]*pulumirpc.PluginDependency{}
	for dir := programDir; ; dir = filepath.Dir(dir) {
		modules := filepath.Join(dir, "node_modules")
		if err := collectPlugins(modules, seen); err != nil {
			return nil, err
		}
		if parent := filepath.Dir(dir); parent == dir {
			break
		}
	}
	names := make([]string, 0, len(seen))
	for name := range seen {
		names = append(names, name)
	}
	sort.Strings(names)
	deps := make([]*pulumirpc.PluginDependency, 0, len(names))
	for _, name := range names {
		deps = append(deps, seen[name])
	}
	return deps, nil
}

func collectPlugins(modules string, seen map[string]*pulumirpc.PluginDependency) error {
	entries, err := os.ReadDir(modules)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	var packageDirs []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "@") {
			scoped, err := os.ReadDir(filepath.Join(modules, e.Name()))
			if err != nil {
				return err
			}
			for _, s := range scoped {
				packageDirs = append(packageDirs, filepath.Join(modules, e.Name(), s.Name()))
			}
			continue
		}
		packageDirs = append(packageDirs, filepath.Join(modules, e.Name()))
	}
	for _, dir := range packageDirs {
		raw, err := os.ReadFile(filepath.Join(dir, "package.json"))
		if err != nil {
			continue // not a package (e.g. .bin)
		}
		var pkg pulumiPackage
		if json.Unmarshal(raw, &pkg) != nil || pkg.Pulumi == nil || !pkg.Pulumi.Resource {
			continue
		}
		name := pkg.Pulumi.Name
		if name == "" {
			name = strings.TrimPrefix(pkg.Name, "@pulumi/")
		}
		v := pkg.Pulumi.Version
		if v == "" {
			v = pkg.Version
		}
		if _, ok := seen[name]; ok {
			continue // the nearest node_modules wins, as Node's resolution does
		}
		seen[name] = &pulumirpc.PluginDependency{
			Name: name, Kind: "resource", Version: "v" + strings.TrimPrefix(v, "v"), Server: pkg.Pulumi.Server,
		}
	}
	return nil
}

func (h *languageHost) GetRequiredPlugins(
	_ context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	plugins, err := requiredPlugins(programDirectory(req.GetInfo(), req.GetPwd()))
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: plugins}, nil
}

func (h *languageHost) GetRequiredPackages(
	_ context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	plugins, err := requiredPlugins(programDirectory(req.GetInfo(), ""))
	if err != nil {
		return nil, err
	}
	pkgs := make([]*pulumirpc.PackageDependency, 0, len(plugins))
	for _, p := range plugins {
		pkgs = append(pkgs, &pulumirpc.PackageDependency{
			Name: p.Name, Kind: p.Kind, Version: p.Version, Server: p.Server,
		})
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: pkgs}, nil
}

func programDirectory(info *pulumirpc.ProgramInfo, fallback string) string {
	if info != nil && info.GetProgramDirectory() != "" {
		return info.GetProgramDirectory()
	}
	if fallback != "" {
		return fallback
	}
	wd, _ := os.Getwd()
	return wd
}

// locateRunner finds @pulumi/pulumi's runner script `cmd/<name>` from dir upwards, as Node's own
// module resolution would.
func locateRunner(dir, name string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		candidate := filepath.Join(d, "node_modules", "@pulumi", "pulumi", "cmd", name)
		if _, err := os.Stat(filepath.Join(candidate, "index.js")); err == nil {
			return candidate, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf(
				"@pulumi/pulumi was not found in node_modules above %s: run npm ci in that folder", dir)
		}
	}
}

// runtimeEnv turns the project's runtime options into the environment variables @pulumi/pulumi's
// runners read. TypeScript is on unless the options turn it off, as upstream does.
func runtimeEnv(info *pulumirpc.ProgramInfo) []string {
	opts := map[string]any{}
	if info != nil && info.GetOptions() != nil {
		opts = info.GetOptions().AsMap()
	}
	env := []string{}
	typescript := true
	if v, ok := opts["typescript"].(bool); ok {
		typescript = v
	}
	env = append(env, "PULUMI_NODEJS_TYPESCRIPT="+strconv.FormatBool(typescript))
	if v, ok := opts["tsconfig"].(string); ok && v != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+v)
	}
	return env
}

func nodeArgs(info *pulumirpc.ProgramInfo) []string {
	if info == nil || info.GetOptions() == nil {
		return nil
	}
	if v, ok := info.GetOptions().AsMap()["nodeargs"].(string); ok && v != "" {
		return strings.Fields(v)
	}
	return nil
}

func (h *languageHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	programDir := programDirectory(req.GetInfo(), req.GetPwd())
	runner, err := locateRunner(programDir, "run")
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	config, secretKeys, err := programConfig(req)
	if err != nil {
		return nil, err
	}

	args := append(nodeArgs(req.GetInfo()), runner,
		"--monitor="+req.GetMonitorAddress(),
		"--engine="+h.engine(),
		"--project="+req.GetProject(),
		"--stack="+req.GetStack(),
		"--pwd="+req.GetPwd(),
		"--parallel="+strconv.Itoa(int(req.GetParallel())),
	)
	if req.GetOrganization() != "" {
		args = append(args, "--organization="+req.GetOrganization())
	}
	if req.GetInfo() != nil && req.GetInfo().GetRootDirectory() != "" {
		args = append(args, "--root-directory="+req.GetInfo().GetRootDirectory())
	}
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	entry := "."
	if req.GetInfo() != nil && req.GetInfo().GetEntryPoint() != "" {
		entry = req.GetInfo().GetEntryPoint()
	}
	args = append(args, filepath.Join(programDir, entry))
	args = append(args, req.GetArgs()...)

	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = req.GetPwd()
	cmd.Env = append(os.Environ(), runtimeEnv(req.GetInfo())...)
	cmd.Env = append(cmd.Env, configVar+"="+config, secretKeysVar+"="+secretKeys)
	if err := checkExecLimits(args, cmd.Env); err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	if err := lifecycle.Run(cmd); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			if exitCode(exit) == bailExitCode {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{
				Error: fmt.Sprintf("the Node.js program exited with code %d", exitCode(exit)),
			}, nil
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not start node: %v", err)}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

func exitCode(exit *exec.ExitError) int {
	if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return exit.ExitCode()
}

// streamWriter forwards a child's output to the engine as RunPlugin messages.
type streamWriter struct {
	mu     *sync.Mutex
	server grpc.ServerStreamingServer[pulumirpc.RunPluginResponse]
	stderr bool
}

func (w streamWriter) Write(p []byte) (int, error) {
	chunk := append([]byte(nil), p...)
	msg := &pulumirpc.RunPluginResponse{}
	if w.stderr {
		msg.Output = &pulumirpc.RunPluginResponse_Stderr{Stderr: chunk}
	} else {
		msg.Output = &pulumirpc.RunPluginResponse_Stdout{Stdout: chunk}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.server.Send(msg); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (h *languageHost) RunPlugin(
	req *pulumirpc.RunPluginRequest, server grpc.ServerStreamingServer[pulumirpc.RunPluginResponse],
) error {
	programDir := programDirectory(req.GetInfo(), req.GetProgram())
	var args []string
	if req.GetKind() == "analyzer" {
		var err error
		if args, err = policyPackArgs(req.GetInfo(), programDir, req.GetArgs()); err != nil {
			return status.Error(codes.FailedPrecondition, err.Error())
		}
	} else {
		runner, err := locateRunner(programDir, "run-plugin")
		if err != nil {
			return status.Error(codes.FailedPrecondition, err.Error())
		}
		args = append(nodeArgs(req.GetInfo()), runner)
		args = append(args, req.GetArgs()...)
		args = append(args, programDir)
	}

	cmd := exec.CommandContext(server.Context(), "node", args...)
	cmd.Dir = programDir
	cmd.Env = append(append(os.Environ(), req.GetEnv()...), runtimeEnv(req.GetInfo())...)
	if err := checkExecLimits(args, cmd.Env); err != nil {
		return status.Error(codes.InvalidArgument, err.Error())
	}
	var mu sync.Mutex
	cmd.Stdout = streamWriter{mu: &mu, server: server}
	cmd.Stderr = streamWriter{mu: &mu, server: server, stderr: true}
	code := int32(0)
	if err := lifecycle.Run(cmd); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			return status.Errorf(codes.Internal, "could not start node for %s: %v", programDir, err)
		}
		code = int32(exitCode(exit))
	}
	return server.Send(&pulumirpc.RunPluginResponse{
		Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: code},
	})
}

// InstallDependencies runs `npm ci` (or `npm install` without a lockfile) in the program folder,
// streaming its output to the engine.
func (h *languageHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest,
	server grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	dir := programDirectory(req.GetInfo(), req.GetDirectory())
	verb := "install"
	if _, err := os.Stat(filepath.Join(dir, "package-lock.json")); err == nil {
		verb = "ci"
	}
	cmd := exec.CommandContext(server.Context(), "npm", verb, "--no-audit", "--no-fund")
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := lifecycle.Run(cmd)
	if sendErr := server.Send(&pulumirpc.InstallDependenciesResponse{Stdout: out.Bytes()}); sendErr != nil {
		return sendErr
	}
	if err != nil {
		return fmt.Errorf("npm %s in %s: %w", verb, dir, err)
	}
	return nil
}

func (h *languageHost) GetProgramDependencies(
	_ context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir := programDirectory(req.GetInfo(), req.GetPwd())
	raw, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return nil, fmt.Errorf("reading package.json: %w", err)
	}
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	if err := json.Unmarshal(raw, &pkg); err != nil {
		return nil, fmt.Errorf("parsing package.json: %w", err)
	}
	names := make([]string, 0, len(pkg.Dependencies))
	for name := range pkg.Dependencies {
		names = append(names, name)
	}
	sort.Strings(names)
	deps := make([]*pulumirpc.DependencyInfo, 0, len(names))
	for _, name := range names {
		deps = append(deps, &pulumirpc.DependencyInfo{Name: name, Version: installedVersion(dir, name, pkg.Dependencies[name])})
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

func installedVersion(dir, name, declared string) string {
	f, err := os.Open(filepath.Join(dir, "node_modules", name, "package.json"))
	if err != nil {
		return declared
	}
	defer f.Close()
	raw, err := io.ReadAll(f)
	if err != nil {
		return declared
	}
	var pkg struct {
		Version string `json:"version"`
	}
	if json.Unmarshal(raw, &pkg) != nil || pkg.Version == "" {
		return declared
	}
	return pkg.Version
}
