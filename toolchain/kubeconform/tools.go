//go:build tools

// Package kubeconform pins, through go.mod and go.sum, the module graph from which
// toolchain/build.sh builds kubeconform. The blank import keeps `go mod tidy` from dropping it.
package kubeconform

import _ "github.com/yannh/kubeconform/cmd/kubeconform"
