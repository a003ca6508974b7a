//go:build tools

// Package kubernetes pins, through go.mod and go.sum, the module graph from which
// toolchain/build-cluster.sh builds the cluster's Kubernetes binaries. The blank imports keep
// `go mod tidy` from dropping them.
package kubernetes

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-proxy"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
	_ "k8s.io/kubernetes/cmd/kubelet"
)
