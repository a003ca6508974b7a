// Package providerkit holds what golive's own resource providers share: turning property values
// into plain Go values, a shallow input schema check, and the generic Diff and output handling.
package providerkit

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// plain turns a property value into ordinary Go values (map[string]any, []any, string, float64,
// bool, nil), unwrapping secrets. unknown reports whether any part is not known yet (preview).
func Plain(v resource.PropertyValue) (out any, unknown bool) {
	switch {
	case v.IsComputed() || (v.IsOutput() && !v.OutputValue().Known):
		return nil, true
	case v.IsOutput():
		return Plain(v.OutputValue().Element)
	case v.IsSecret():
		return Plain(v.SecretValue().Element)
	case v.IsNull():
		return nil, false
	case v.IsBool():
		return v.BoolValue(), false
	case v.IsNumber():
		return v.NumberValue(), false
	case v.IsString():
		return v.StringValue(), false
	case v.IsArray():
		arr := make([]any, 0, len(v.ArrayValue()))
		for _, e := range v.ArrayValue() {
			p, u := Plain(e)
			unknown = unknown || u
			arr = append(arr, p)
		}
		return arr, unknown
	case v.IsObject():
		m, u := PlainMap(v.ObjectValue())
		return m, u
	default:
		return nil, false
	}
}

func PlainMap(pm resource.PropertyMap) (map[string]any, bool) {
	m := make(map[string]any, len(pm))
	unknown := false
	for k, v := range pm {
		p, u := Plain(v)
		unknown = unknown || u
		if p != nil || u {
			m[string(k)] = p
		}
	}
	return m, unknown
}

// Args is a typed view of a resource's plain inputs, used by Create and Update.
type Args map[string]any

func (a Args) Str(key string) string {
	if s, ok := a[key].(string); ok {
		return s
	}
	return ""
}

func (a Args) Num(key string, def float64) float64 {
	if n, ok := a[key].(float64); ok {
		return n
	}
	return def
}

func (a Args) Bool(key string, def bool) bool {
	if b, ok := a[key].(bool); ok {
		return b
	}
	return def
}

func (a Args) Strs(key string) []string {
	raw, _ := a[key].([]any)
	out := make([]string, 0, len(raw))
	for _, e := range raw {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func (a Args) Objects(key string) []Args {
	raw, _ := a[key].([]any)
	out := make([]Args, 0, len(raw))
	for _, e := range raw {
		if m, ok := e.(map[string]any); ok {
			out = append(out, Args(m))
		}
	}
	return out
}

func (a Args) Object(key string) Args {
	if m, ok := a[key].(map[string]any); ok {
		return Args(m)
	}
	return nil
}

func (a Args) StringMap(key string) map[string]string {
	raw, _ := a[key].(map[string]any)
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

// Failure is one Check problem, reported against its property path.
type Failure struct{ Property, Reason string }

// Field describes an accepted input: its kind for a shallow type check, and for lists of
// objects or objects the nested fields accepted.
type Field struct {
	Kind   string // "string", "number", "bool", "strings", "objects", "object", "map"
	Fields map[string]Field
	Need   bool
}

func CheckFields(path string, value map[string]any, fields map[string]Field) []Failure {
	var fails []Failure
	keys := make([]string, 0, len(value))
	for k := range value {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f, ok := fields[k]
		p := joinPath(path, k)
		if !ok {
			fails = append(fails, Failure{p, "is not an input this provider supports"})
			continue
		}
		fails = append(fails, checkValue(p, value[k], f)...)
	}
	for name, f := range fields {
		if _, ok := value[name]; f.Need && !ok {
			fails = append(fails, Failure{joinPath(path, name), "is required"})
		}
	}
	return fails
}

func checkValue(path string, v any, f Field) []Failure {
	if v == nil {
		return nil // unknown at preview, or explicitly null
	}
	bad := func(expected string) []Failure {
		return []Failure{{path, fmt.Sprintf("expected %s, got %T", expected, v)}}
	}
	switch f.Kind {
	case "string":
		if _, ok := v.(string); !ok {
			return bad("a string")
		}
	case "number":
		if _, ok := v.(float64); !ok {
			return bad("a number")
		}
	case "bool":
		if _, ok := v.(bool); !ok {
			return bad("a boolean")
		}
	case "strings":
		arr, ok := v.([]any)
		if !ok {
			return bad("a list of strings")
		}
		for i, e := range arr {
			if _, ok := e.(string); !ok && e != nil {
				return []Failure{{path + "[" + strconv.Itoa(i) + "]", "expected a string"}}
			}
		}
	case "map":
		if _, ok := v.(map[string]any); !ok {
			return bad("a map of strings")
		}
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			return bad("an object")
		}
		return CheckFields(path, m, f.Fields)
	case "objects":
		arr, ok := v.([]any)
		if !ok {
			return bad("a list of objects")
		}
		var fails []Failure
		for i, e := range arr {
			m, ok := e.(map[string]any)
			if !ok {
				if e != nil {
					fails = append(fails, Failure{path + "[" + strconv.Itoa(i) + "]", "expected an object"})
				}
				continue
			}
			fails = append(fails, CheckFields(path+"["+strconv.Itoa(i)+"]", m, f.Fields)...)
		}
		return fails
	}
	return nil
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
