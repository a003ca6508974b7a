//go:build tools

// Package coredns pins, through go.mod and go.sum, the module graph from which
// toolchain/build-cluster.sh builds CoreDNS. The blank import keeps `go mod tidy` from dropping it.
package coredns

import _ "github.com/coredns/coredns"
