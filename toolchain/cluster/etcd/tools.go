//go:build tools

// Package etcd pins, through go.mod and go.sum, the module graph from which
// toolchain/build-cluster.sh builds etcd. The blank import keeps `go mod tidy` from dropping it.
package etcd

import _ "go.etcd.io/etcd/server/v3"
