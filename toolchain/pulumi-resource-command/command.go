package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	kit "golive/toolchain/providerkit"
	"golive/toolchain/providerkit/lifecycle"

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

// InPlace: every input but triggers is changed in place, by running update (or create when there
// is no update command). Upstream 1.2.1 declares only `triggers` replaceOnChanges (its
// common.ResourceInputs; the SDK adds replaceOnChanges: ["triggers[*]"] to every Command).
func (c commandKind) InPlace(kit.Args) map[string]bool {
	m := map[string]bool{}
	for name := range c.Fields() {
		m[name] = name != "triggers"
	}
	return m
}

func (commandKind) Computed() []string { return []string{"stdout", "stderr"} }

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

// Update runs update, or create when there is no update command, with the previous outputs in
// PULUMI_COMMAND_STDOUT/STDERR; with neither command the outputs stay as they were (upstream's
// local and remote commandController.Update).
func (c commandKind) Update(ctx context.Context, _ any, _ string, olds, news kit.Args) (map[string]any, error) {
	script := news.Str("update")
	if script == "" {
		script = news.Str("create")
	}
	if script == "" {
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
// stdout/stderr as PULUMI_COMMAND_STDOUT/STDERR (each only when not empty, and unless
// addPreviousOutputInEnv is false), as upstream does. A failure carries what the command printed,
// stdout and stderr interleaved, in upstream's words: "<exit status>: running "<script>":\n<output>".
func (c commandKind) run(ctx context.Context, a kit.Args, script string, previous kit.Args) (string, string, error) {
	env := a.StringMap("environment")
	prev := map[string]string{}
	if previous != nil && a.Bool("addPreviousOutputInEnv", true) {
		for name, key := range map[string]string{"PULUMI_COMMAND_STDOUT": "stdout", "PULUMI_COMMAND_STDERR": "stderr"} {
			if v := previous.Str(key); v != "" {
				prev[name] = v
			}
		}
	}
	var stdout, stderr bytes.Buffer
	combined := &lockedBuffer{}
	outW, errW := io.MultiWriter(&stdout, combined), io.MultiWriter(&stderr, combined)
	var err error
	if c.remote {
		err = runRemote(ctx, a.Object("connection"), script, env, prev, a.Str("stdin"), outW, errW)
	} else {
		for k, v := range prev {
			env[k] = v
		}
		err = runLocal(ctx, a, script, env, outW, errW)
	}
	out, errOut := strings.TrimSuffix(stdout.String(), "\n"), strings.TrimSuffix(stderr.String(), "\n")
	if err != nil {
		return out, errOut, fmt.Errorf("%w: running %q:\n%s", err, script, combined.String())
	}
	return out, errOut, nil
}

// lockedBuffer is written by the stdout and the stderr copier at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// runLocal runs the interpreter (default /bin/sh -c) with the script as its last argument, as
// upstream does; the environment and stdin never reach its command line. The command leads a
// process group of its own, killed whole when the call is cancelled or the provider stops.
func runLocal(ctx context.Context, a kit.Args, script string, env map[string]string, stdout, stderr io.Writer) error {
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
	if stdin := a.Str("stdin"); stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	return lifecycle.Run(cmd)
}

// runRemote runs script through `sh -s` over SSH. The environment travels inside the script on
// standard input, not on the remote command line and not through SSH's SetEnv (which sshd refuses
// unless AcceptEnv allows it), so secrets never show in the remote process list.
//
// With stdin there is no room for them: environment and stdin together are refused, and the
// previous outputs (prev) are left out, as upstream leaves them out (with a warning) when the
// server refuses them.
func runRemote(ctx context.Context, conn kit.Args, script string, env, prev map[string]string, stdin string,
	stdout, stderr io.Writer,
) error {
	if stdin != "" && len(env) > 0 {
		return errors.New("golive's command provider passes a remote command's environment on its standard input: " +
			"give stdin or environment, not both")
	}
	if stdin == "" {
		for k, v := range prev {
			env[k] = v
		}
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
		return err
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

func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
