//go:build tools

// Package kubescore pins, through go.mod and go.sum, the module graph from which
// toolchain/build.sh builds kube-score. The blank import keeps `go mod tidy` from dropping it.
package kubescore

import _ "github.com/zegl/kube-score/cmd/kube-score"
