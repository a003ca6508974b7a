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
	kit "golive/toolchain/providerkit"
)

// version is stamped at build time with -ldflags "-X main.version=…".
var version = "0.0.0-dev"

func main() {
	kit.Main(&kit.Provider{Name: "command", Version: version, Kinds: map[string]kit.Kind{
		"command:local:Command":  commandKind{remote: false},
		"command:remote:Command": commandKind{remote: true},
	}})
}
