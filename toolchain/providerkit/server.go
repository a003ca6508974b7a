package providerkit

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"

	"golive/toolchain/providerkit/lifecycle"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// Main serves a provider the way upstream's provider.Main does (the engine's address as the one
// argument, the port on standard output, stop on SIGINT or when the engine's health check fails),
// with the lifecycle of package lifecycle: the health check every second, and every call cancelled
// and the commands it started killed at shutdown. A provider that cannot serve exits 1, naming
// itself and why, as upstream's do.
func Main(p *Provider) {
	addr := lifecycle.EngineAddress(os.Args[1:])
	err := fmt.Errorf("fatal: could not connect to host RPC; missing argument")
	if addr != "" {
		err = lifecycle.Serve(addr, func(srv *grpc.Server) error {
			pulumirpc.RegisterResourceProviderServer(srv, p)
			return nil
		})
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-%s: %v\n", p.Name, err)
		os.Exit(1)
	}
}

// Kind is one resource type of a provider.
type Kind interface {
	// Fields lists the accepted inputs for Check.
	Fields() map[string]Field
	// InPlace names the inputs whose change is applied by Update instead of a replacement, given
	// the new inputs (values not known yet are absent).
	InPlace(news Args) map[string]bool
	// Computed names the outputs that only exist once created (unknown at preview).
	Computed() []string
	// Create makes the object. On an error after the object exists, it returns its id too.
	Create(ctx context.Context, cfg any, a Args) (id string, outs map[string]any, err error)
	// Update applies a change of in-place inputs; it may return new outputs.
	Update(ctx context.Context, cfg any, id string, olds, news Args) (map[string]any, error)
	// Exists reports whether the object behind id is still there (refresh).
	Exists(ctx context.Context, cfg any, id string, a Args) (bool, error)
	// Delete removes the object.
	Delete(ctx context.Context, cfg any, id string, a Args) error
}

// Provider serves a set of Kinds over the Pulumi resource provider protocol. ConfigureFunc turns the
// provider's configuration into the value handed to every Kind call.
type Provider struct {
	pulumirpc.UnimplementedResourceProviderServer

	Name          string
	Version       string
	Kinds         map[string]Kind
	ConfigureFunc func(ctx context.Context, vars map[string]string, args map[string]any) (any, error)

	cfg any
}

// Keep keeps unknowns and secrets as they are while (un)marshalling.
var Keep = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, SkipNulls: true}

func (p *Provider) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: p.Version}, nil
}

// GetSchema answers with the resource tokens and input names this provider accepts.
func (p *Provider) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	resources := map[string]any{}
	for t, k := range p.Kinds {
		props := map[string]any{}
		for name := range k.Fields() {
			props[name] = map[string]any{}
		}
		resources[t] = map[string]any{"inputProperties": props}
	}
	raw, err := json.Marshal(map[string]any{"name": p.Name, "version": p.Version, "resources": resources})
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetSchemaResponse{Schema: string(raw)}, nil
}

func (p *Provider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *Provider) DiffConfig(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return DiffInputs(req.GetOldInputs(), req.GetNews(), nil, false)
}

func (p *Provider) Configure(ctx context.Context, req *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	args := map[string]any{}
	if req.GetArgs() != nil {
		args = req.GetArgs().AsMap()
	}
	if p.ConfigureFunc != nil {
		cfg, err := p.ConfigureFunc(ctx, req.GetVariables(), args)
		if err != nil {
			return nil, err
		}
		p.cfg = cfg
	}
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true}, nil
}

func (p *Provider) kind(urn, typ string) (Kind, error) {
	if typ == "" {
		typ = string(resource.URN(urn).Type())
	}
	k, ok := p.Kinds[typ]
	if !ok {
		return nil, status.Errorf(codes.Unimplemented, "golive's %s provider does not implement %s", p.Name, typ)
	}
	return k, nil
}

func (p *Provider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	k, err := p.kind(req.GetUrn(), req.GetType())
	if err != nil {
		return nil, err
	}
	news, err := plugin.UnmarshalProperties(req.GetNews(), Keep)
	if err != nil {
		return nil, err
	}
	values, _ := PlainMap(news)
	var failures []*pulumirpc.CheckFailure
	for _, f := range CheckFields("", values, k.Fields()) {
		failures = append(failures, &pulumirpc.CheckFailure{Property: f.Property, Reason: f.Reason})
	}
	return &pulumirpc.CheckResponse{Inputs: req.GetNews(), Failures: failures}, nil
}

// DiffInputs compares old and new inputs key by key. A key whose new value is not known yet counts
// as changed. With replaceable set, keys outside inPlace force a replacement; with a fixed name the
// old object goes first, since two objects of one name cannot coexist.
func DiffInputs(oldStruct, newStruct *structpb.Struct, inPlace map[string]bool, replaceable bool) (*pulumirpc.DiffResponse, error) {
	olds, err := plugin.UnmarshalProperties(oldStruct, Keep)
	if err != nil {
		return nil, err
	}
	news, err := plugin.UnmarshalProperties(newStruct, Keep)
	if err != nil {
		return nil, err
	}
	keys := map[resource.PropertyKey]bool{}
	for k := range olds {
		keys[k] = true
	}
	for k := range news {
		keys[k] = true
	}
	var diffs, replaces []string
	for k := range keys {
		oldV, _ := Plain(olds[k])
		newV, unknown := Plain(news[k])
		if !unknown && reflect.DeepEqual(oldV, newV) {
			continue
		}
		diffs = append(diffs, string(k))
		if replaceable && !inPlace[string(k)] {
			replaces = append(replaces, string(k))
		}
	}
	sort.Strings(diffs)
	sort.Strings(replaces)
	resp := &pulumirpc.DiffResponse{Diffs: diffs, Replaces: replaces, Changes: pulumirpc.DiffResponse_DIFF_NONE}
	if len(diffs) > 0 {
		resp.Changes = pulumirpc.DiffResponse_DIFF_SOME
	}
	if len(replaces) > 0 {
		if n, ok := news["name"]; ok && !n.IsNull() {
			resp.DeleteBeforeReplace = true
		}
	}
	return resp, nil
}

func (p *Provider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	k, err := p.kind(req.GetUrn(), req.GetType())
	if err != nil {
		return nil, err
	}
	olds := req.GetOldInputs()
	if olds == nil {
		olds = req.GetOlds()
	}
	news, err := plugin.UnmarshalProperties(req.GetNews(), Keep)
	if err != nil {
		return nil, err
	}
	values, _ := PlainMap(news)
	return DiffInputs(olds, req.GetNews(), k.InPlace(Args(values)), true)
}

// outputs are the inputs as given (secrets stay secret) plus what the Kind reported.
func outputs(inputs resource.PropertyMap, extra map[string]any, unknown []string) (*structpb.Struct, error) {
	out := inputs.Copy()
	for k, v := range extra {
		pv := resource.NewPropertyValue(v)
		if old, ok := inputs[resource.PropertyKey(k)]; ok && old.ContainsSecrets() {
			pv = resource.MakeSecret(pv)
		}
		out[resource.PropertyKey(k)] = pv
	}
	for _, k := range unknown {
		out[resource.PropertyKey(k)] = resource.MakeComputed(resource.NewStringProperty(""))
	}
	return plugin.MarshalProperties(out, Keep)
}

func (p *Provider) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	k, err := p.kind(req.GetUrn(), req.GetType())
	if err != nil {
		return nil, err
	}
	inputs, err := plugin.UnmarshalProperties(req.GetProperties(), Keep)
	if err != nil {
		return nil, err
	}
	if req.GetPreview() {
		props, err := outputs(inputs, nil, k.Computed())
		if err != nil {
			return nil, err
		}
		return &pulumirpc.CreateResponse{Properties: props}, nil
	}
	values, unknown := PlainMap(inputs)
	if unknown {
		return nil, status.Error(codes.InvalidArgument, "inputs are still unknown at create")
	}
	id, extra, createErr := k.Create(ctx, p.cfg, Args(values))
	if createErr != nil {
		if id == "" {
			return nil, createErr
		}
		// The object exists but is not ready: tell the engine, so that state records it and the
		// next `up` replaces or deletes it instead of leaving an orphan behind.
		props, err := outputs(inputs, extra, nil)
		if err != nil {
			return nil, err
		}
		st, err := status.New(codes.Unknown, createErr.Error()).WithDetails(&pulumirpc.ErrorResourceInitFailed{
			Id: id, Properties: props, Inputs: req.GetProperties(), Reasons: []string{createErr.Error()},
		})
		if err != nil {
			return nil, createErr
		}
		return nil, st.Err()
	}
	props, err := outputs(inputs, extra, nil)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: props}, nil
}

func (p *Provider) Read(ctx context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	k, err := p.kind(req.GetUrn(), req.GetType())
	if err != nil {
		return nil, err
	}
	if r, ok := k.(Importer); ok && len(req.GetInputs().GetFields()) == 0 && len(req.GetProperties().GetFields()) == 0 {
		return p.importRead(ctx, r, req.GetId())
	}
	props, err := plugin.UnmarshalProperties(req.GetProperties(), Keep)
	if err != nil {
		return nil, err
	}
	values, _ := PlainMap(props)
	ok, err := k.Exists(ctx, p.cfg, req.GetId(), Args(values))
	if err != nil {
		return nil, err
	}
	if !ok {
		return &pulumirpc.ReadResponse{}, nil // gone: the engine drops it from state
	}
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

func (p *Provider) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	k, err := p.kind(req.GetUrn(), req.GetType())
	if err != nil {
		return nil, err
	}
	news, err := plugin.UnmarshalProperties(req.GetNews(), Keep)
	if err != nil {
		return nil, err
	}
	olds, err := plugin.UnmarshalProperties(req.GetOlds(), Keep)
	if err != nil {
		return nil, err
	}
	if req.GetPreview() {
		props, err := outputs(news, nil, k.Computed())
		if err != nil {
			return nil, err
		}
		return &pulumirpc.UpdateResponse{Properties: props}, nil
	}
	oldValues, _ := PlainMap(olds)
	newValues, unknown := PlainMap(news)
	if unknown {
		return nil, status.Error(codes.InvalidArgument, "inputs are still unknown at update")
	}
	extra, err := k.Update(ctx, p.cfg, req.GetId(), Args(oldValues), Args(newValues))
	if err != nil {
		return nil, err
	}
	// Outputs the update did not report carry over from the old state.
	for _, name := range k.Computed() {
		if _, ok := extra[name]; !ok {
			if v, ok := oldValues[name]; ok {
				if extra == nil {
					extra = map[string]any{}
				}
				extra[name] = v
			}
		}
	}
	props, err := outputs(news, extra, nil)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: props}, nil
}

func (p *Provider) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	k, err := p.kind(req.GetUrn(), req.GetType())
	if err != nil {
		return nil, err
	}
	props, err := plugin.UnmarshalProperties(req.GetProperties(), Keep)
	if err != nil {
		return nil, err
	}
	values, _ := PlainMap(props)
	if err := k.Delete(ctx, p.cfg, req.GetId(), Args(values)); err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, nil
}

func (p *Provider) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}
