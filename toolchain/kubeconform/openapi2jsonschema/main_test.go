package main

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestFileNameFollowsKubeconformsKindSuffix(t *testing.T) {
	for _, c := range []struct {
		k    gvk
		want string
	}{
		{gvk{"", "v1", "Service"}, "service-v1.json"},
		{gvk{"apps", "v1", "Deployment"}, "deployment-apps-v1.json"},
		{gvk{"networking.k8s.io", "v1", "Ingress"}, "ingress-networking-v1.json"},
		{gvk{"policy", "v1", "PodDisruptionBudget"}, "poddisruptionbudget-policy-v1.json"},
		{gvk{"flowcontrol.apiserver.k8s.io", "v1", "FlowSchema"}, "flowschema-flowcontrol-v1.json"},
	} {
		if got := FileName(c.k); got != c.want {
			t.Errorf("FileName(%v) = %s, want %s", c.k, got, c.want)
		}
	}
}

// defs is a small spec: a kind with a nested object, an IntOrString, a Quantity, a map, and a
// recursive schema type whose properties are named like JSON schema keywords.
func defs(t *testing.T) map[string]map[string]any {
	t.Helper()
	var d map[string]map[string]any
	err := json.Unmarshal([]byte(`{
	  "x.Widget": {
	    "description": "a widget",
	    "type": "object",
	    "x-kubernetes-group-version-kind": [{"group": "example.io", "version": "v1", "kind": "Widget"}],
	    "properties": {
	      "spec": {"$ref": "#/definitions/x.Spec", "description": "its spec"},
	      "labels": {"type": "object", "additionalProperties": {"type": "string"}}
	    }
	  },
	  "x.Spec": {
	    "type": "object",
	    "required": ["port"],
	    "properties": {
	      "port": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString"},
	      "cpu": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity"},
	      "schema": {"$ref": "#/definitions/x.Props"}
	    }
	  },
	  "x.Props": {
	    "type": "object",
	    "properties": {
	      "$ref": {"type": "string"},
	      "description": {"type": "string"},
	      "properties": {"type": "object", "additionalProperties": {"$ref": "#/definitions/x.Props"}}
	    }
	  },
	  "x.Unused": {"type": "object", "properties": {"a": {"type": "string"}}},
	  "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {"type": "string", "format": "int-or-string"},
	  "io.k8s.apimachinery.pkg.api.resource.Quantity": {"type": "string", "description": "q"}
	}`), &d)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestStandaloneHoldsWhatTheKindReaches(t *testing.T) {
	doc, err := Standalone(defs(t), "x.Widget", false)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for n := range doc["definitions"].(map[string]any) {
		got = append(got, n)
	}
	want := map[string]bool{
		"x.Spec": true, "x.Props": true,
		"io.k8s.apimachinery.pkg.util.intstr.IntOrString": true,
		"io.k8s.apimachinery.pkg.api.resource.Quantity":   true,
	}
	if len(got) != len(want) {
		t.Fatalf("definitions %v, want %v", got, want)
	}
	for _, n := range got {
		if !want[n] {
			t.Errorf("unexpected definition %s", n)
		}
	}
	if doc["$schema"] != draft4 || doc["description"] != nil || doc["x-kubernetes-group-version-kind"] != nil {
		t.Errorf("root: %v", doc)
	}
	if _, ok := doc["additionalProperties"]; ok {
		t.Error("the plain variant must not close objects")
	}
}

func TestConversions(t *testing.T) {
	doc, err := Standalone(defs(t), "x.Widget", true)
	if err != nil {
		t.Fatal(err)
	}
	d := doc["definitions"].(map[string]any)
	intOrString := map[string]any{"oneOf": []any{map[string]any{"type": "integer"}, map[string]any{"type": "string"}}}
	if !reflect.DeepEqual(d["io.k8s.apimachinery.pkg.util.intstr.IntOrString"], intOrString) {
		t.Errorf("IntOrString: %v", d["io.k8s.apimachinery.pkg.util.intstr.IntOrString"])
	}
	quantity := map[string]any{"oneOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "number"}}}
	if !reflect.DeepEqual(d["io.k8s.apimachinery.pkg.api.resource.Quantity"], quantity) {
		t.Errorf("Quantity: %v", d["io.k8s.apimachinery.pkg.api.resource.Quantity"])
	}
	// Strict: objects listing properties are closed; maps (additionalProperties given) stay maps.
	if doc["additionalProperties"] != false {
		t.Error("root not closed")
	}
	labels := doc["properties"].(map[string]any)["labels"].(map[string]any)
	if !reflect.DeepEqual(labels["additionalProperties"], map[string]any{"type": "string"}) {
		t.Errorf("labels: %v", labels)
	}
	// Properties named like keywords stay properties.
	props := d["x.Props"].(map[string]any)["properties"].(map[string]any)
	for _, name := range []string{"$ref", "description", "properties"} {
		if _, ok := props[name]; !ok {
			t.Errorf("property %q dropped", name)
		}
	}
	// The reference keeps pointing into the document's own definitions.
	spec := doc["properties"].(map[string]any)["spec"].(map[string]any)
	if !reflect.DeepEqual(spec, map[string]any{"$ref": "#/definitions/x.Spec"}) {
		t.Errorf("spec: %v", spec)
	}
}

func TestMissingReferenceIsAnError(t *testing.T) {
	d := defs(t)
	d["x.Spec"]["properties"].(map[string]any)["bad"] = map[string]any{"$ref": "#/definitions/x.Nowhere"}
	if _, err := Standalone(d, "x.Widget", true); err == nil {
		t.Error("a reference to a missing definition must fail")
	}
}
