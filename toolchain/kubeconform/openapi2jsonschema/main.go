// Command openapi2jsonschema turns the definitions of a Kubernetes OpenAPI v2 spec
// (api/openapi-spec/swagger.json of the k8s.io/kubernetes module) into the JSON schema layout
// kubeconform reads from a local schema location:
//
//	OUT/v<version>-standalone/<kind>[-<group>]-<version>.json         (plain)
//	OUT/v<version>-standalone-strict/<kind>[-<group>]-<version>.json  (additionalProperties: false)
//
// where <group> is the first label of the API group, as kubeconform's {{ .KindSuffix }} spells it
// (deployment-apps-v1.json, ingress-networking-v1.json, service-v1.json). Each file stands alone:
// the kind's schema at the root and every definition it reaches, by reference or through a chain
// of references, under "definitions"; references stay local ("#/definitions/…"), so the recursive
// ones (JSONSchemaProps of a CustomResourceDefinition) need no special case.
//
// Changes from the spec, each one what the API server itself accepts:
//   - IntOrString (format int-or-string) becomes oneOf integer | string;
//   - resource.Quantity becomes oneOf string | number;
//   - descriptions and x-kubernetes-* extensions are dropped (kubeconform reads neither; they are
//     most of the size);
//   - in the strict variant, every object schema that lists its properties and says nothing of
//     others gets additionalProperties: false, so `kubeconform -strict` refuses unknown fields.
//
// The walk follows schema keywords only (properties, items, additionalProperties, allOf, …), so
// properties that happen to be named like keywords (JSONSchemaProps has "$ref", "description",
// "properties") stay properties.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

const (
	refPrefix   = "#/definitions/"
	quantityDef = "io.k8s.apimachinery.pkg.api.resource.Quantity"
	draft4      = "http://json-schema.org/draft-04/schema#"
)

type gvk struct {
	Group   string `json:"group"`
	Version string `json:"version"`
	Kind    string `json:"kind"`
}

func main() {
	in := flag.String("in", "", "the Kubernetes OpenAPI v2 spec (swagger.json)")
	out := flag.String("out", "", "folder to write the schema folders into")
	version := flag.String("kubernetes-version", "", "the Kubernetes version of the spec, e.g. 1.33.13")
	flag.Parse()
	if *in == "" || *out == "" || *version == "" {
		fmt.Fprintln(os.Stderr, "usage: openapi2jsonschema -in swagger.json -out DIR -kubernetes-version X.Y.Z")
		os.Exit(2)
	}
	if err := run(*in, *out, strings.TrimPrefix(*version, "v")); err != nil {
		fmt.Fprintln(os.Stderr, "openapi2jsonschema:", err)
		os.Exit(1)
	}
}

func run(in, out, version string) error {
	raw, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	var spec struct {
		Definitions map[string]map[string]any `json:"definitions"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&spec); err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	if len(spec.Definitions) == 0 {
		return fmt.Errorf("%s has no definitions", in)
	}

	// file name -> definition name; two definitions for one file would make the layout ambiguous.
	files := map[string]string{}
	for name, def := range spec.Definitions {
		kinds, err := groupVersionKinds(def)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		for _, k := range kinds {
			file := FileName(k)
			if other, ok := files[file]; ok && other != name {
				return fmt.Errorf("%s and %s both map to %s", other, name, file)
			}
			files[file] = name
		}
	}

	for _, strict := range []bool{false, true} {
		dir := filepath.Join(out, "v"+version+"-standalone")
		if strict {
			dir += "-strict"
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		for file, name := range files {
			doc, err := Standalone(spec.Definitions, name, strict)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(doc); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, file), buf.Bytes(), 0o644); err != nil {
				return err
			}
		}
	}
	fmt.Printf("openapi2jsonschema: %d definitions, %d kind files per variant (plain and strict) for Kubernetes %s\n",
		len(spec.Definitions), len(files), version)
	return nil
}

func groupVersionKinds(def map[string]any) ([]gvk, error) {
	v, ok := def["x-kubernetes-group-version-kind"]
	if !ok {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var kinds []gvk
	if err := json.Unmarshal(b, &kinds); err != nil {
		return nil, fmt.Errorf("x-kubernetes-group-version-kind: %w", err)
	}
	return kinds, nil
}

// FileName is the file kubeconform looks for: lower-case kind, then "-" and the first label of
// the group (none for the core group), then "-" and the version.
func FileName(k gvk) string {
	name := strings.ToLower(k.Kind)
	if k.Group != "" {
		name += "-" + strings.ToLower(strings.Split(k.Group, ".")[0])
	}
	return name + "-" + strings.ToLower(k.Version) + ".json"
}

// Standalone is the schema document for definition root: its schema, plus the definitions it
// reaches.
func Standalone(defs map[string]map[string]any, root string, strict bool) (map[string]any, error) {
	reached := map[string]bool{}
	if err := reach(defs, defs[root], reached); err != nil {
		return nil, err
	}
	doc := convert(defs[root], root, strict)
	doc["$schema"] = draft4
	if len(reached) > 0 {
		names := make([]string, 0, len(reached))
		for n := range reached {
			names = append(names, n)
		}
		sort.Strings(names)
		d := map[string]any{}
		for _, n := range names {
			d[n] = convert(defs[n], n, strict)
		}
		doc["definitions"] = d
	}
	return doc, nil
}

// reach records in seen every definition that node references, directly or transitively.
func reach(defs map[string]map[string]any, node any, seen map[string]bool) error {
	switch n := node.(type) {
	case map[string]any:
		if ref, ok := n["$ref"].(string); ok {
			name, found := strings.CutPrefix(ref, refPrefix)
			if !found {
				return fmt.Errorf("unsupported reference %q", ref)
			}
			def, ok := defs[name]
			if !ok {
				return fmt.Errorf("reference to a missing definition %q", name)
			}
			if !seen[name] {
				seen[name] = true
				if err := reach(defs, def, seen); err != nil {
					return err
				}
			}
		}
		for _, v := range n {
			if err := reach(defs, v, seen); err != nil {
				return err
			}
		}
	case []any:
		for _, v := range n {
			if err := reach(defs, v, seen); err != nil {
				return err
			}
		}
	}
	return nil
}

// convert returns a converted copy of the schema s (name is its definition name, or "").
func convert(s map[string]any, name string, strict bool) map[string]any {
	if name == quantityDef {
		return map[string]any{"oneOf": []any{
			map[string]any{"type": "string"},
			map[string]any{"type": "number"},
		}}
	}
	if s["format"] == "int-or-string" {
		return map[string]any{"oneOf": []any{
			map[string]any{"type": "integer"},
			map[string]any{"type": "string"},
		}}
	}
	out := map[string]any{}
	for k, v := range s {
		switch {
		case k == "description" || strings.HasPrefix(k, "x-kubernetes-"):
			// kubeconform reads neither
		case k == "properties":
			props := map[string]any{}
			for p, ps := range v.(map[string]any) {
				props[p] = convertAny(ps, strict)
			}
			out[k] = props
		case k == "items" || k == "additionalProperties" || k == "not":
			out[k] = convertAny(v, strict)
		case k == "allOf" || k == "anyOf" || k == "oneOf":
			list := []any{}
			for _, e := range v.([]any) {
				list = append(list, convertAny(e, strict))
			}
			out[k] = list
		default:
			out[k] = v
		}
	}
	if _, has := out["properties"]; has && strict {
		if _, says := out["additionalProperties"]; !says {
			out["additionalProperties"] = false
		}
	}
	return out
}

// convertAny converts a schema that may also be a boolean (additionalProperties: true).
func convertAny(v any, strict bool) any {
	if m, ok := v.(map[string]any); ok {
		return convert(m, "", strict)
	}
	return v
}
