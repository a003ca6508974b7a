//go:build tools

// Package localpathprovisioner pins, through go.mod and go.sum, the module graph from which
// toolchain/build-cluster.sh builds local-path-provisioner. The blank import keeps `go mod tidy` from dropping it.
package localpathprovisioner

import _ "github.com/rancher/local-path-provisioner"
