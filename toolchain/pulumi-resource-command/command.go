package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"time"

	kit "golive/toolchain/providerkit"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// commandKind runs shell commands locally or over SSH. The object it manages is whatever the
// create command made; its delete command undoes it.
type commandKind struct{ remote bool }

func (c commandKind) Fields() map[string]kit.Field {
	f := map[string]kit.Field{
		"create": {Kind: "string"}, "update": {Kind: "string"}, "delete": {Kind: "string"},
		"environment": {Kind: "map"}, "stdin": {Kind: "string"}, "triggers": {Kind: "any"},
		"addPreviousOutputInEnv": {Kind: "bool"}, "logging": {Kind: "string"},
	}
	if c.remote {
		f["connection"] = kit.Field{Kind: "object", Need: true, Fields: map[string]kit.Field{
			"host": {Kind: "string", Need: true}, "port": {Kind: "number"}, "user": {Kind: "string"},
			"password": {Kind: "string"}, "privateKey": {Kind: "string"}, "privateKeyPassword": {Kind: "string"},
			"hostKey": {Kind: "string"}, "agentSocketPath": {Kind: "string"}, "dialErrorLimit": {Kind: "number"}, "perDialTimeout": {Kind: "number"},
		}}
	} else {
		f["dir"] = kit.Field{Kind: "string"}
		f["interpreter"] = kit.Field{Kind: "strings"}
	}
	return f
}

// InPlace: with an update command, a changed create, environment or stdin is applied by running
// update; without one it replaces. Triggers and the connection always replace, as upstream.
func (c commandKind) InPlace(news kit.Args) map[string]bool {
	m := map[string]bool{"update": true, "delete": true, "logging": true, "addPreviousOutputInEnv": true}
	if news.Str("update") != "" {
		m["create"], m["environment"], m["stdin"] = true, true, true
	}
	return m
}

func (commandKind) Computed() []string { return []string{"stdout", "stderr"} }

// SecretOutputs: a command's output is as secret as anything it was given.
func (commandKind) SecretOutputs(inputs resource.PropertyMap) []string {
	if inputs.ContainsSecrets() {
		return []string{"stdout", "stderr"}
	}
	return nil
}

func (c commandKind) Create(ctx context.Context, _ any, a kit.Args) (string, map[string]any, error) {
	id := newID()
	if a.Str("create") == "" {
		return id, map[string]any{"stdout": "", "stderr": ""}, nil
	}
	stdout, stderr, err := c.run(ctx, a, a.Str("create"), nil)
	if err != nil {
		return "", nil, err
	}
	return id, map[string]any{"stdout": stdout, "stderr": stderr}, nil
}

func (c commandKind) Update(ctx context.Context, _ any, _ string, olds, news kit.Args) (map[string]any, error) {
	script := news.Str("update")
	if script == "" {
		// Only settings that steer delete or logging changed.
		return map[string]any{"stdout": olds.Str("stdout"), "stderr": olds.Str("stderr")}, nil
	}
	stdout, stderr, err := c.run(ctx, news, script, olds)
	if err != nil {
		return nil, err
	}
	return map[string]any{"stdout": stdout, "stderr": stderr}, nil
}

func (commandKind) Exists(context.Context, any, string, kit.Args) (bool, error) { return true, nil }

func (c commandKind) Delete(ctx context.Context, _ any, _ string, a kit.Args) error {
	if a.Str("delete") == "" {
		return nil
	}
	_, _, err := c.run(ctx, a, a.Str("delete"), a)
	return err
}

// run executes script with the resource's environment. previous, when set, supplies the last
// stdout/stderr as PULUMI_COMMAND_STDOUT/STDERR, as upstream does.
func (c commandKind) run(ctx context.Context, a kit.Args, script string, previous kit.Args) (string, string, error) {
	env := a.StringMap("environment")
	if previous != nil && a.Bool("addPreviousOutputInEnv", true) {
		env["PULUMI_COMMAND_STDOUT"] = previous.Str("stdout")
		env["PULUMI_COMMAND_STDERR"] = previous.Str("stderr")
	}
	var stdout, stderr bytes.Buffer
	var err error
	if c.remote {
		err = runRemote(ctx, a.Object("connection"), script, env, a.Str("stdin"), &stdout, &stderr)
	} else {
		err = runLocal(ctx, a, script, env, &stdout, &stderr)
	}
	out, errOut := strings.TrimSuffix(stdout.String(), "\n"), strings.TrimSuffix(stderr.String(), "\n")
	if err != nil {
		return out, errOut, fmt.Errorf("%w\nstderr: %s", err, tail(errOut, 2000))
	}
	return out, errOut, nil
}

func runLocal(ctx context.Context, a kit.Args, script string, env map[string]string, stdout, stderr *bytes.Buffer) error {
	interp := a.Strs("interpreter")
	if len(interp) == 0 {
		interp = []string{"/bin/sh", "-c"}
	}
	cmd := exec.CommandContext(ctx, interp[0], append(interp[1:], script)...)
	cmd.Dir = a.Str("dir")
	cmd.Env = os.Environ()
	for _, k := range sortedKeys(env) {
		cmd.Env = append(cmd.Env, k+"="+env[k])
	}
	cmd.Stdin = strings.NewReader(a.Str("stdin"))
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("local command failed: %w", err)
	}
	return nil
}

// runRemote runs script through `sh -s` over SSH. The environment travels inside the script on
// standard input, not on the remote command line and not through SSH's SetEnv (which sshd refuses
// unless AcceptEnv allows it), so secrets never show in the remote process list.
func runRemote(ctx context.Context, conn kit.Args, script string, env map[string]string, stdin string,
	stdout, stderr *bytes.Buffer,
) error {
	if stdin != "" && len(env) > 0 {
		return errors.New("remote commands take stdin or environment, not both")
	}
	client, err := dial(ctx, conn)
	if err != nil {
		return err
	}
	defer client.Close()
	session, err := client.NewSession()
	if err != nil {
		return fmt.Errorf("ssh session to %s: %w", conn.Str("host"), err)
	}
	defer session.Close()
	session.Stdout, session.Stderr = stdout, stderr
	remoteCmd := script
	if len(env) > 0 {
		var b strings.Builder
		for _, k := range sortedKeys(env) {
			fmt.Fprintf(&b, "export %s=%s\n", k, shellQuote(env[k]))
		}
		b.WriteString(script)
		b.WriteString("\n")
		session.Stdin = strings.NewReader(b.String())
		remoteCmd = "sh -s"
	} else if stdin != "" {
		session.Stdin = strings.NewReader(stdin)
	}
	done := make(chan error, 1)
	go func() { done <- session.Run(remoteCmd) }()
	select {
	case <-ctx.Done():
		_ = session.Signal(ssh.SIGKILL)
		return ctx.Err()
	case err := <-done:
		if err != nil {
			return fmt.Errorf("remote command on %s failed: %w", conn.Str("host"), err)
		}
		return nil
	}
}

func dial(ctx context.Context, conn kit.Args) (*ssh.Client, error) {
	user := conn.Str("user")
	if user == "" {
		user = "root"
	}
	var auth []ssh.AuthMethod
	if key := conn.Str("privateKey"); key != "" {
		var signer ssh.Signer
		var err error
		if pass := conn.Str("privateKeyPassword"); pass != "" {
			signer, err = ssh.ParsePrivateKeyWithPassphrase([]byte(key), []byte(pass))
		} else {
			signer, err = ssh.ParsePrivateKey([]byte(key))
		}
		if err != nil {
			return nil, fmt.Errorf("connection.privateKey: %w", err)
		}
		auth = append(auth, ssh.PublicKeys(signer))
	}
	if pw := conn.Str("password"); pw != "" {
		auth = append(auth, ssh.Password(pw))
	}
	if len(auth) == 0 {
		// No key or password given: ask the SSH agent, as upstream does.
		sock := conn.Str("agentSocketPath")
		if sock == "" {
			sock = os.Getenv("SSH_AUTH_SOCK")
		}
		if sock == "" {
			return nil, errors.New("connection: give privateKey, password or agentSocketPath (or run an SSH agent)")
		}
		agentConn, err := net.Dial("unix", sock)
		if err != nil {
			return nil, fmt.Errorf("connection.agentSocketPath %s: %w", sock, err)
		}
		auth = append(auth, ssh.PublicKeysCallback(agent.NewClient(agentConn).Signers))
	}
	hostKey := ssh.InsecureIgnoreHostKey() // upstream's default too; hostKey pins it
	if hk := conn.Str("hostKey"); hk != "" {
		pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(hk))
		if err != nil {
			return nil, fmt.Errorf("connection.hostKey: %w", err)
		}
		hostKey = ssh.FixedHostKey(pub)
	}
	port := int(conn.Num("port", 22))
	timeout := time.Duration(conn.Num("perDialTimeout", 15)) * time.Second
	addr := net.JoinHostPort(conn.Str("host"), strconv.Itoa(port))
	cfg := &ssh.ClientConfig{User: user, Auth: auth, HostKeyCallback: hostKey, Timeout: timeout}
	attempts := int(conn.Num("dialErrorLimit", 10))
	var lastErr error
	for i := 0; i < attempts || attempts <= 0; i++ {
		client, err := ssh.Dial("tcp", addr, cfg)
		if err == nil {
			return client, nil
		}
		lastErr = err
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
	return nil, fmt.Errorf("ssh to %s failed after %d attempts: %w", addr, attempts, lastErr)
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
