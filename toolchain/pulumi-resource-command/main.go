// Command pulumi-resource-command is golive's command resource provider for the Pulumi engine.
//
// Why golive ships its own: the upstream provider module (github.com/pulumi/pulumi-command/provider)
// has no tags of its own and the module proxy these machines reach serves none of its commits. This
// provider speaks the tokens and property names of the @pulumi/command 1.2.1 npm SDK for
// command:local:Command and command:remote:Command: create, update and delete commands, environment,
// stdin, triggers, and for remote commands an SSH connection (password, private key or agent). Every
// other input is refused at Check with its name, never ignored. Its tests (command_test.go,
// remote_test.go, lifecycle_test.go) check it against upstream's behaviour before every build.
package main

import (
	"fmt"
	"os"

	kit "golive/toolchain/providerkit"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// version is stamped at build time with -ldflags "-X main.version=…".
var version = "0.0.0-dev"

func main() {
	err := kit.Main("command", func(*provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return &kit.Provider{Name: "command", Version: version, Kinds: map[string]kit.Kind{
			"command:local:Command":  commandKind{remote: false},
			"command:remote:Command": commandKind{remote: true},
		}}, nil
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-command: %v\n", err)
		os.Exit(1)
	}
}
