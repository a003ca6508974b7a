package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"golang.org/x/crypto/ssh"
)

// sshServer is a real SSH server on a local port that runs each exec request with /bin/sh -c on
// this machine, and records the command lines it was asked to run and the env requests it got
// (which it refuses, as an sshd without AcceptEnv does).
type sshServer struct {
	addr string
	mu   sync.Mutex
	// execs are the command lines of exec requests, as the remote process list would show them.
	execs []string
	envs  []string
}

func startSSHServer(t *testing.T, password string) *sshServer {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(key)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &ssh.ServerConfig{PasswordCallback: func(_ ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
		if string(pw) != password {
			return nil, errors.New("wrong password")
		}
		return nil, nil
	}}
	cfg.AddHostKey(signer)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lis.Close() })
	s := &sshServer{addr: lis.Addr().String()}
	go func() {
		for {
			c, err := lis.Accept()
			if err != nil {
				return
			}
			go s.serve(c, cfg)
		}
	}()
	return s
}

func (s *sshServer) serve(c net.Conn, cfg *ssh.ServerConfig) {
	_, chans, reqs, err := ssh.NewServerConn(c, cfg)
	if err != nil {
		return
	}
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		if nc.ChannelType() != "session" {
			_ = nc.Reject(ssh.UnknownChannelType, "session only")
			continue
		}
		ch, reqs, err := nc.Accept()
		if err != nil {
			return
		}
		go s.session(ch, reqs)
	}
}

func (s *sshServer) session(ch ssh.Channel, reqs <-chan *ssh.Request) {
	defer ch.Close()
	for req := range reqs {
		switch req.Type {
		case "env":
			s.mu.Lock()
			s.envs = append(s.envs, string(req.Payload))
			s.mu.Unlock()
			_ = req.Reply(false, nil)
		case "exec":
			n := binary.BigEndian.Uint32(req.Payload[:4])
			line := string(req.Payload[4 : 4+n])
			s.mu.Lock()
			s.execs = append(s.execs, line)
			s.mu.Unlock()
			_ = req.Reply(true, nil)
			cmd := exec.Command("/bin/sh", "-c", line)
			cmd.Stdin, cmd.Stdout, cmd.Stderr = ch, ch, ch.Stderr()
			code := 0
			if err := cmd.Run(); err != nil {
				code = 255
				var exit *exec.ExitError
				if errors.As(err, &exit) {
					code = exit.ExitCode()
				}
			}
			status := make([]byte, 4)
			binary.BigEndian.PutUint32(status, uint32(code))
			_, _ = ch.SendRequest("exit-status", false, status)
			return
		default:
			_ = req.Reply(false, nil)
		}
	}
}

func (s *sshServer) connection(password string) resource.PropertyValue {
	host, port, _ := net.SplitHostPort(s.addr)
	p, _ := strconv.Atoi(port)
	// The SDK wraps the connection in pulumi.secret (remote/command.js).
	return resource.MakeSecret(resource.NewObjectProperty(inputs(map[string]any{
		"host": host, "port": float64(p), "user": "golive", "password": password,
	})))
}

// Upstream remote/commandOutputs.go sets the environment with SSH env requests, which an sshd
// refuses unless AcceptEnv allows it (then upstream fails: "could not set environment variable").
// golive's provider sends the environment inside the script on standard input instead (a
// documented difference, toolchain/README.md), so it works against any sshd and a secret never
// shows on the remote command line. Create, update (with the previous outputs in
// PULUMI_COMMAND_STDOUT/STDERR, as upstream) and delete run as for local commands.
func TestRemoteCommandsCarryTheirEnvironmentOnStdin(t *testing.T) {
	const password, secret = "pw-for-test", "remote-s3cret-77"
	srv := startSSHServer(t, password)
	log := t.TempDir() + "/log"
	in := func(create string) resource.PropertyMap {
		m := inputs(map[string]any{
			"create": create,
			"update": `echo "update prev=$PULUMI_COMMAND_STDOUT" >> ` + log + `; echo updated`,
			"delete": `echo "delete prev=$PULUMI_COMMAND_STDOUT token=${#TOKEN}" >> ` + log,
		})
		m["connection"] = srv.connection(password)
		m["environment"] = resource.NewObjectProperty(inputs(map[string]any{"TOKEN": secret}))
		m["environment"] = resource.MakeSecret(m["environment"])
		return m
	}
	r := create(t, remoteURN, in(`echo "create token=${#TOKEN}" >> `+log+`; echo created`))
	if r.out("stdout") != "created" {
		t.Errorf("create stdout %q", r.out("stdout"))
	}
	if err := r.update(in(`echo "create v2 token=${#TOKEN}" >> ` + log + `; echo created`)); err != nil {
		t.Fatal(err)
	}
	if err := r.delete(); err != nil {
		t.Fatal(err)
	}
	want := "create token=16\nupdate prev=created\ndelete prev=updated token=16"
	if got := strings.Join(lines(t, log), "\n"); got != want {
		t.Errorf("remote runs:\n%s\nwant:\n%s", got, want)
	}
	for _, line := range srv.execs {
		if strings.Contains(line, secret) {
			t.Errorf("a remote command line carries the secret: %q", line)
		}
	}
	if len(srv.envs) != 0 {
		t.Errorf("env requests were sent: %q", srv.envs)
	}
	if !unmarshal(t, r.state)["connection"].IsSecret() {
		t.Error("the connection is not secret in state")
	}
}

// Upstream remote/command.go: stdin "Pass a string to the command's process as standard in". A
// remote command with stdin and without environment gets it as is; the previous outputs, which
// upstream sets optimistically and drops with a warning when the server refuses them, are left
// out (there is no room on stdin). stdin and environment together are refused.
func TestRemoteStdin(t *testing.T) {
	const password = "pw"
	srv := startSSHServer(t, password)
	in := inputs(map[string]any{"create": "cat; echo \" prev=${PULUMI_COMMAND_STDOUT-unset}\"", "stdin": "from-stdin"})
	in["connection"] = srv.connection(password)
	r := create(t, remoteURN, in)
	if r.out("stdout") != "from-stdin prev=unset" {
		t.Errorf("stdout %q", r.out("stdout"))
	}
	in["stdin"] = resource.NewStringProperty("again")
	if err := r.update(in); err != nil {
		t.Fatal(err)
	}
	if r.out("stdout") != "again prev=unset" {
		t.Errorf("update stdout %q", r.out("stdout"))
	}
	in["environment"] = resource.NewObjectProperty(inputs(map[string]any{"A": "1"}))
	if err := r.update(in); err == nil || !strings.Contains(err.Error(), "stdin or environment, not both") {
		t.Errorf("stdin and environment together: %v", err)
	}
}

// Upstream remote/commandOutputs.go: a failing remote command is an error carrying what it printed.
func TestAFailingRemoteCommandIsAnErrorCarryingItsOutput(t *testing.T) {
	const password = "pw"
	srv := startSSHServer(t, password)
	in := inputs(map[string]any{"create": "echo 'pct: no such container' >&2; exit 2"})
	in["connection"] = srv.connection(password)
	p := newProvider()
	_, err := p.Create(t.Context(), &pulumirpc.CreateRequest{Urn: remoteURN, Properties: props(t, in)})
	if err == nil || !strings.Contains(err.Error(), "pct: no such container") || !strings.Contains(err.Error(), "exited with status 2") {
		t.Errorf("error %v", err)
	}
}
