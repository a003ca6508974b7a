package main

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// Import reads a container by id or name, as upstream's Read does for `pulumi import`: the inputs
// the live container shows (name, image, command, entrypoint, hostname, user, restart policy,
// privileged mode, memory). Like upstream, envs, labels and uploads are not read back (the image
// adds its own, and files cannot be told from the image's), so a program that sets them replaces
// an imported container at its next `up`.
func (containerKind) Import(ctx context.Context, cfg any, id string) (bool, map[string]any, map[string]any, error) {
	e := cfg.(*engine)
	var c struct {
		ID     string `json:"Id"`
		Name   string `json:"Name"`
		Config struct {
			Image      string   `json:"Image"`
			Cmd        []string `json:"Cmd"`
			Entrypoint []string `json:"Entrypoint"`
			Hostname   string   `json:"Hostname"`
			User       string   `json:"User"`
			WorkingDir string   `json:"WorkingDir"`
		} `json:"Config"`
		HostConfig struct {
			Privileged    bool  `json:"Privileged"`
			Memory        int64 `json:"Memory"`
			RestartPolicy struct {
				Name string `json:"Name"`
			} `json:"RestartPolicy"`
		} `json:"HostConfig"`
		containerInspect
	}
	if err := e.do(ctx, http.MethodGet, "/containers/"+url.PathEscape(id)+"/json", nil, nil, &c); err != nil {
		if errors.Is(err, errNotFound) {
			return false, nil, nil, nil
		}
		return false, nil, nil, err
	}
	in := map[string]any{"name": strings.TrimPrefix(c.Name, "/"), "image": c.Config.Image}
	setStrings(in, "command", c.Config.Cmd)
	setStrings(in, "entrypoints", c.Config.Entrypoint)
	setString(in, "hostname", c.Config.Hostname)
	setString(in, "user", c.Config.User)
	setString(in, "workingDir", c.Config.WorkingDir)
	if r := c.HostConfig.RestartPolicy.Name; r != "" && r != "no" {
		in["restart"] = r
	}
	if c.HostConfig.Privileged {
		in["privileged"] = true
	}
	if c.HostConfig.Memory > 0 {
		in["memory"] = float64(c.HostConfig.Memory / 1024 / 1024)
	}
	return true, in, map[string]any{"containerId": c.ID, "ipAddress": c.firstIP()}, nil
}

// Import reads a network by id or name: name, driver, flags, options and labels, as upstream.
func (networkKind) Import(ctx context.Context, cfg any, id string) (bool, map[string]any, map[string]any, error) {
	e := cfg.(*engine)
	var n struct {
		ID         string            `json:"Id"`
		Name       string            `json:"Name"`
		Driver     string            `json:"Driver"`
		Scope      string            `json:"Scope"`
		Internal   bool              `json:"Internal"`
		Attachable bool              `json:"Attachable"`
		EnableIPv6 bool              `json:"EnableIPv6"`
		Options    map[string]string `json:"Options"`
		Labels     map[string]string `json:"Labels"`
	}
	if err := e.do(ctx, http.MethodGet, "/networks/"+url.PathEscape(id), nil, nil, &n); err != nil {
		if errors.Is(err, errNotFound) {
			return false, nil, nil, nil
		}
		return false, nil, nil, err
	}
	in := map[string]any{"name": n.Name, "driver": n.Driver}
	for k, v := range map[string]bool{"internal": n.Internal, "attachable": n.Attachable, "ipv6": n.EnableIPv6} {
		if v {
			in[k] = true
		}
	}
	if len(n.Options) > 0 {
		in["options"] = stringMap(n.Options)
	}
	setLabels(in, n.Labels)
	return true, in, map[string]any{"scope": n.Scope}, nil
}

// Import reads a volume by name: name, driver, driver options and labels, as upstream.
func (volumeKind) Import(ctx context.Context, cfg any, id string) (bool, map[string]any, map[string]any, error) {
	e := cfg.(*engine)
	var v struct {
		Name       string            `json:"Name"`
		Driver     string            `json:"Driver"`
		Mountpoint string            `json:"Mountpoint"`
		Options    map[string]string `json:"Options"`
		Labels     map[string]string `json:"Labels"`
	}
	if err := e.do(ctx, http.MethodGet, "/volumes/"+url.PathEscape(id), nil, nil, &v); err != nil {
		if errors.Is(err, errNotFound) {
			return false, nil, nil, nil
		}
		return false, nil, nil, err
	}
	in := map[string]any{"name": v.Name, "driver": v.Driver}
	if len(v.Options) > 0 {
		in["driverOpts"] = stringMap(v.Options)
	}
	setLabels(in, v.Labels)
	return true, in, map[string]any{"mountpoint": v.Mountpoint}, nil
}

func setString(m map[string]any, k, v string) {
	if v != "" {
		m[k] = v
	}
}

func setStrings(m map[string]any, k string, v []string) {
	if len(v) > 0 {
		out := make([]any, len(v))
		for i, s := range v {
			out[i] = s
		}
		m[k] = out
	}
}

func stringMap(m map[string]string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// setLabels writes Docker's label map as the SDK's [{label, value}] list, sorted like golive's.
func setLabels(m map[string]any, labels map[string]string) {
	if len(labels) == 0 {
		return
	}
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []any
	for _, k := range keys {
		out = append(out, map[string]any{"label": k, "value": labels[k]})
	}
	m["labels"] = out
}
