package providerkit

import (
	"context"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Importer is a Kind whose objects can be read by id alone (`pulumi import`, and the engine's
// import of a pending create): the object's inputs as the live object shows them, and its
// outputs. found is false when there is no object of that id.
type Importer interface {
	Import(ctx context.Context, cfg any, id string) (found bool, inputs map[string]any, outputs map[string]any, err error)
}

// importRead answers a Read that carries no recorded inputs or properties, which is an import.
func (p *Provider) importRead(ctx context.Context, r Importer, id string) (*pulumirpc.ReadResponse, error) {
	found, inputs, extra, err := r.Import(ctx, p.cfg, id)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("there is no object with id %q to import", id)
	}
	in := resource.NewPropertyMapFromMap(inputs)
	inStruct, err := plugin.MarshalProperties(in, Keep)
	if err != nil {
		return nil, err
	}
	props, err := outputs(in, extra, nil)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.ReadResponse{Id: id, Properties: props, Inputs: inStruct}, nil
}
