//go:build tools

// Package pulumi pins, through go.mod and go.sum, the module graph from which toolchain/build.sh
// builds the upstream engine. The blank import keeps `go mod tidy` from dropping it.
package pulumi

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
