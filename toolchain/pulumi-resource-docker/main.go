// Command pulumi-resource-docker is golive's Docker resource provider for the Pulumi engine.
//
// Why golive ships its own: the upstream provider module
// (github.com/pulumi/pulumi-docker/provider/v5) has no tags of its own, and the module proxy these
// machines reach serves none of its commits, nor the kreuzwerker Terraform provider release it wraps.
// This provider speaks the same resource tokens and property names as the @pulumi/docker npm SDK
// (docker:index/container:Container, …/network:Network, …/volume:Volume, …/remoteImage:RemoteImage)
// for the subset of inputs golive uses, and drives the real Docker Engine API over its socket.
// Any input outside that subset is refused at Check with the property's name, never ignored.
package main

import (
	"context"
	"fmt"

	kit "golive/toolchain/providerkit"
)

// version is stamped at build time with -ldflags "-X main.version=…".
var version = "0.0.0-dev"

func main() {
	kit.Main(&kit.Provider{Name: "docker", Version: version, Kinds: kinds, ConfigureFunc: configure})
}

// configure connects to the daemon and pings it: like the upstream provider, a preview on the docker
// runtime needs a daemon that answers, and says so at once when there is none.
func configure(ctx context.Context, vars map[string]string, args map[string]any) (any, error) {
	host := vars["docker:config:host"]
	if h, ok := args["host"].(string); ok && h != "" {
		host = h
	}
	eng, err := newEngine(host)
	if err != nil {
		return nil, err
	}
	if err := eng.ping(ctx); err != nil {
		label := host
		if label == "" {
			label = "DOCKER_HOST or unix:///var/run/docker.sock"
		}
		return nil, fmt.Errorf("cannot reach the Docker daemon (%s); start one, e.g. scripts/docker-engine.sh start: %w", label, err)
	}
	return eng, nil
}
