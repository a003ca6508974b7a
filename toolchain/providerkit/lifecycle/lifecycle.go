// Package lifecycle is the process lifecycle golive's plugins (the Node.js language host and the
// command and docker providers) share with upstream's: serve gRPC on a port printed on the first
// line of standard output, stop on SIGINT (how the engine closes a plugin) and when the engine's
// health check stops answering (the engine was killed), and take down the processes the plugin
// started.
//
// Upstream's plugins (sdk/go/pulumi/provider.MainContext and the language hosts' main) do the same
// with signal.NotifyContext(os.Interrupt) and rpcutil.Healthcheck. Two things are golive's own:
//   - the health check runs every HealthInterval instead of every 5 minutes, so a killed `pulumi up`
//     leaves no plugin behind for more than a few seconds;
//   - children run in a process group of their own that is killed at shutdown (upstream's
//     exec.CommandContext kills only the direct child, and a shell's children outlive it).
package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"google.golang.org/grpc"
)

// HealthInterval is how often the engine's health is checked.
var HealthInterval = time.Second

// StopBound is how long in-flight calls may take to return once shutdown began (their contexts are
// cancelled and their children killed first); then the process exits anyway.
var StopBound = 5 * time.Second

// EngineAddress is the last non-flag argument: the engine passes flags such as -tracing=… or
// -root=… before its address, and none of them changes what golive's plugins do.
func EngineAddress(args []string) string {
	addr := ""
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			addr = a
		}
	}
	return addr
}

// Serve registers the plugin's services, prints the port and serves until SIGINT or until the
// engine at engineAddress stops answering its health check (none when the address is empty).
// Every call's context is cancelled at shutdown, and the children started through Start are
// killed; Serve returns once the server stopped, at most StopBound later.
func Serve(engineAddress string, register func(*grpc.Server) error) error {
	// NotifyContext also re-enables a SIGINT the plugin inherited ignored (a script's `cmd &`):
	// without it the engine's SIGINT does nothing and every close waits 5 s for its SIGKILL.
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	if engineAddress != "" {
		if err := rpcutil.Healthcheck(ctx, engineAddress, HealthInterval, cancel); err != nil {
			return fmt.Errorf("could not start the health check of the engine at %s: %w", engineAddress, err)
		}
	}
	stopping := make(chan bool)
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: stopping,
		Init:   register,
		Options: append(rpcutil.OpenTracingServerInterceptorOptions(nil),
			grpc.ChainUnaryInterceptor(func(c context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
				c, done := tie(c, ctx)
				defer done()
				return h(c, req)
			}),
			grpc.ChainStreamInterceptor(func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
				c, done := tie(ss.Context(), ctx)
				defer done()
				return h(srv, &stream{ServerStream: ss, ctx: c})
			}),
		),
	})
	if err != nil {
		return fmt.Errorf("could not start the gRPC server: %w", err)
	}
	// The engine reads the port from the first line of standard output.
	fmt.Printf("%d\n", handle.Port)

	go func() {
		<-ctx.Done()
		children.killAll()
		close(stopping) // GracefulStop: waits for the calls, now cancelled, to return
		time.AfterFunc(StopBound, func() { os.Exit(1) })
	}()
	return <-handle.Done
}

// tie returns a context of c that is also cancelled when shutdown is.
func tie(c, shutdown context.Context) (context.Context, func()) {
	c, cancel := context.WithCancel(c)
	stop := context.AfterFunc(shutdown, cancel)
	return c, func() { stop(); cancel() }
}

type stream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *stream) Context() context.Context { return s.ctx }

// group tracks the children a plugin started, each leading a process group of its own.
type group struct {
	mu      sync.Mutex
	pids    map[int]bool
	stopped bool
}

var children = &group{pids: map[int]bool{}}

// ErrStopping is returned by Start once the plugin is shutting down.
var ErrStopping = errors.New("the plugin is shutting down")

// Start starts cmd as the leader of a new process group. Cancelling cmd's context (an
// exec.CommandContext) kills the whole group, not only cmd's process, and so does the plugin's
// shutdown; Wait returns at most a second after the group is killed even if a grandchild that
// escaped the group still holds cmd's output pipes.
func Start(cmd *exec.Cmd) error {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	cmd.Cancel = func() error { return killGroup(cmd.Process.Pid) }
	cmd.WaitDelay = time.Second
	children.mu.Lock()
	defer children.mu.Unlock()
	if children.stopped {
		return ErrStopping
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	children.pids[cmd.Process.Pid] = true
	return nil
}

// Wait waits for a command started by Start and forgets its group.
func Wait(cmd *exec.Cmd) error {
	err := cmd.Wait()
	children.mu.Lock()
	delete(children.pids, cmd.Process.Pid)
	children.mu.Unlock()
	return err
}

// Run is Start then Wait.
func Run(cmd *exec.Cmd) error {
	if err := Start(cmd); err != nil {
		return err
	}
	return Wait(cmd)
}

func (g *group) killAll() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.stopped = true
	for pid := range g.pids {
		_ = killGroup(pid)
	}
}

func killGroup(pid int) error {
	err := syscall.Kill(-pid, syscall.SIGKILL)
	if errors.Is(err, syscall.ESRCH) {
		return os.ErrProcessDone
	}
	return err
}
