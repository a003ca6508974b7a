// Command pulumi-resource-kubernetes serves the upstream Kubernetes provider
// (github.com/pulumi/pulumi-kubernetes/provider/v4) unchanged. The upstream main package embeds
// files that its release build generates (schema-embed.json, terraform-mapping-embed.json) and that
// the module zip does not carry; toolchain/build.sh generates them from the module's schema.json and
// terraform-mapping.json, with the pinned version set, before building this package.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, pulumiSchema, terraformMapping)
}
