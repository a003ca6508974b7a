package main

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	kit "golive/toolchain/providerkit"
	"net/http"
	"net/url"
	"os/user"
	"path"
	"strconv"
	"strings"
	"time"
)

// kinds are the resource types served, by the @pulumi/docker SDK's tokens.
var kinds = map[string]kit.Kind{
	"docker:index/container:Container":     containerKind{},
	"docker:index/network:Network":         networkKind{},
	"docker:index/volume:Volume":           volumeKind{},
	"docker:index/remoteImage:RemoteImage": remoteImageKind{},
}

var labelFields = map[string]kit.Field{"label": {Kind: "string", Need: true}, "value": {Kind: "string", Need: true}}

// ---- Container ----

type containerKind struct{}

func (containerKind) Fields() map[string]kit.Field {
	return map[string]kit.Field{
		"name":                {Kind: "string"},
		"image":               {Kind: "string", Need: true},
		"command":             {Kind: "strings"},
		"entrypoints":         {Kind: "strings"},
		"envs":                {Kind: "strings"},
		"hostname":            {Kind: "string"},
		"workingDir":          {Kind: "string"},
		"user":                {Kind: "string"},
		"restart":             {Kind: "string"},
		"maxRetryCount":       {Kind: "number"},
		"memory":              {Kind: "number"},
		"memoryReservation":   {Kind: "number"},
		"cpus":                {Kind: "string"},
		"cpuShares":           {Kind: "number"},
		"privileged":          {Kind: "bool"},
		"readOnly":            {Kind: "bool"},
		"networkMode":         {Kind: "string"},
		"securityOpts":        {Kind: "strings"},
		"tmpfs":               {Kind: "map"},
		"sysctls":             {Kind: "map"},
		"gpus":                {Kind: "string"},
		"logDriver":           {Kind: "string"},
		"logOpts":             {Kind: "map"},
		"start":               {Kind: "bool"},
		"mustRun":             {Kind: "bool"},
		"wait":                {Kind: "bool"},
		"waitTimeout":         {Kind: "number"},
		"stopTimeout":         {Kind: "number"},
		"destroyGraceSeconds": {Kind: "number"},
		"removeVolumes":       {Kind: "bool"},
		"attach":              {Kind: "bool"},
		"logs":                {Kind: "bool"},
		"labels":              {Kind: "objects", Fields: labelFields},
		"capabilities": {Kind: "object", Fields: map[string]kit.Field{
			"adds": {Kind: "strings"}, "drops": {Kind: "strings"},
		}},
		"ports": {Kind: "objects", Fields: map[string]kit.Field{
			"internal": {Kind: "number", Need: true}, "external": {Kind: "number"},
			"ip": {Kind: "string"}, "protocol": {Kind: "string"},
		}},
		"volumes": {Kind: "objects", Fields: map[string]kit.Field{
			"volumeName": {Kind: "string"}, "hostPath": {Kind: "string"},
			"containerPath": {Kind: "string"}, "readOnly": {Kind: "bool"},
		}},
		"networksAdvanced": {Kind: "objects", Fields: map[string]kit.Field{
			"name": {Kind: "string", Need: true}, "aliases": {Kind: "strings"},
		}},
		"healthcheck": {Kind: "object", Fields: map[string]kit.Field{
			"tests": {Kind: "strings", Need: true}, "interval": {Kind: "string"}, "timeout": {Kind: "string"},
			"retries": {Kind: "number"}, "startPeriod": {Kind: "string"}, "startInterval": {Kind: "string"},
		}},
		"deviceRequests": {Kind: "objects", Fields: map[string]kit.Field{
			"driver": {Kind: "string"}, "count": {Kind: "number"}, "deviceIds": {Kind: "strings"},
			"capabilities": {Kind: "strings"},
		}},
		"uploads": {Kind: "objects", Fields: map[string]kit.Field{
			"file": {Kind: "string", Need: true}, "content": {Kind: "string"}, "contentBase64": {Kind: "string"},
			"executable": {Kind: "bool"}, "permissions": {Kind: "string"}, "owner": {Kind: "string"},
			"group": {Kind: "string"},
		}},
	}
}

// containerUpdatable are the inputs upstream changes on a running container (Docker's
// ContainerUpdate: restart policy, CPU shares, memory); upstream's own list also has cpuSet and
// memorySwap, which golive's subset does not accept.
var containerUpdatable = []string{"restart", "maxRetryCount", "cpuShares", "memory"}

// InPlace: as upstream, every other input of the container forces a replacement (envs, labels,
// uploads, image, …: Docker cannot change them on a created container), except the settings that
// only steer this provider's create and delete.
func (containerKind) InPlace(kit.Args) map[string]bool {
	m := map[string]bool{
		"wait": true, "waitTimeout": true, "mustRun": true, "destroyGraceSeconds": true, "removeVolumes": true,
		"logs": true,
	}
	for _, k := range containerUpdatable {
		m[k] = true
	}
	return m
}

func (containerKind) Computed() []string {
	return []string{"containerId", "ipAddress", "exitCode", "containerLogs"}
}

func (containerKind) Create(ctx context.Context, cfg any, a kit.Args) (string, map[string]any, error) {
	e := cfg.(*engine)
	image := a.Str("image")
	if _, err := e.ensureImage(ctx, image); err != nil {
		return "", nil, err
	}
	config, hostConfig, netConfig, err := containerSpec(a)
	if err != nil {
		return "", nil, err
	}
	body := map[string]any{}
	for k, v := range config {
		body[k] = v
	}
	body["HostConfig"] = hostConfig
	body["NetworkingConfig"] = netConfig
	q := url.Values{}
	if n := a.Str("name"); n != "" {
		q.Set("name", n)
	}
	var created struct {
		ID string `json:"Id"`
	}
	// A taken name fails, as upstream: "Unable to create container: Error response from daemon:
	// Conflict. The container name … is already in use …". After a killed `up`, the operator
	// imports or removes that container (scripts/recover.sh); the provider never guesses.
	if err := e.do(ctx, http.MethodPost, "/containers/create", q, body, &created); err != nil {
		return "", nil, fmt.Errorf("Unable to create container: %w", err)
	}
	id := created.ID
	fail := func(err error) (string, map[string]any, error) {
		return id, map[string]any{"containerId": id}, err
	}
	nets := a.Objects("networksAdvanced")
	for i, n := range nets {
		if i == 0 {
			continue // attached at create
		}
		connect := map[string]any{"Container": id, "EndpointConfig": map[string]any{"Aliases": n.Strs("aliases")}}
		if err := e.do(ctx, http.MethodPost, "/networks/"+url.PathEscape(n.Str("name"))+"/connect", nil, connect, nil); err != nil {
			return fail(fmt.Errorf("connecting to network %s: %w", n.Str("name"), err))
		}
	}
	for _, u := range a.Objects("uploads") {
		if err := upload(ctx, e, id, u); err != nil {
			return fail(err)
		}
	}
	if a.Bool("start", true) {
		if err := e.do(ctx, http.MethodPost, "/containers/"+id+"/start", nil, nil, nil); err != nil {
			return fail(err)
		}
		if a.Bool("attach", false) {
			// Run to completion (jobs such as migrations): wait for the exit, as upstream's attach.
			var done struct {
				StatusCode int `json:"StatusCode"`
			}
			if err := e.do(ctx, http.MethodPost, "/containers/"+id+"/wait", nil, nil, &done); err != nil {
				return fail(err)
			}
			outs := map[string]any{"containerId": id, "exitCode": float64(done.StatusCode)}
			if a.Bool("logs", false) {
				outs["containerLogs"] = logsTail(ctx, e, id)
			}
			if done.StatusCode != 0 {
				return id, outs, fmt.Errorf("container %s exited with code %d:\n%s", a.Str("name"), done.StatusCode, logsTail(ctx, e, id))
			}
			return id, outs, nil
		}
		if err := waitFor(ctx, e, id, a); err != nil {
			return fail(err)
		}
	}
	var inspect containerInspect
	if err := e.do(ctx, http.MethodGet, "/containers/"+id+"/json", nil, nil, &inspect); err != nil {
		return fail(err)
	}
	return id, map[string]any{"containerId": id, "ipAddress": inspect.firstIP()}, nil
}

type containerInspect struct {
	State struct {
		Status   string `json:"Status"`
		Running  bool   `json:"Running"`
		ExitCode int    `json:"ExitCode"`
		Health   *struct {
			Status string `json:"Status"`
		} `json:"Health"`
	} `json:"State"`
	NetworkSettings struct {
		Networks map[string]struct {
			IPAddress string `json:"IPAddress"`
		} `json:"Networks"`
	} `json:"NetworkSettings"`
}

func (c containerInspect) firstIP() string {
	for _, n := range c.NetworkSettings.Networks {
		if n.IPAddress != "" {
			return n.IPAddress
		}
	}
	return ""
}

// waitFor holds the create until the container is healthy (wait=true) and checks it kept running
// (mustRun, on by default, as upstream).
func waitFor(ctx context.Context, e *engine, id string, a kit.Args) error {
	deadline := time.Now().Add(time.Duration(a.Num("waitTimeout", 60)) * time.Second)
	for {
		var inspect containerInspect
		if err := e.do(ctx, http.MethodGet, "/containers/"+id+"/json", nil, nil, &inspect); err != nil {
			return err
		}
		st := inspect.State
		if !st.Running && a.Bool("mustRun", true) && st.Status != "created" && st.Status != "restarting" {
			return fmt.Errorf("container %s exited with code %d right after start:\n%s", a.Str("name"), st.ExitCode, logsTail(ctx, e, id))
		}
		if !a.Bool("wait", false) {
			return nil
		}
		if st.Health == nil {
			if st.Running {
				return nil
			}
		} else if st.Health.Status == "healthy" {
			return nil
		} else if st.Health.Status == "unhealthy" {
			return fmt.Errorf("container %s is unhealthy:\n%s", a.Str("name"), logsTail(ctx, e, id))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("container %s was not healthy within %ds", a.Str("name"), int(a.Num("waitTimeout", 60)))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func logsTail(ctx context.Context, e *engine, id string) string {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		e.base+"/containers/"+id+"/logs?stdout=1&stderr=1&tail=20", nil)
	if err != nil {
		return ""
	}
	resp, err := e.http.Do(req)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	// Strip the 8-byte stream headers of the multiplexed log format.
	raw, out := buf.Bytes(), strings.Builder{}
	for len(raw) >= 8 {
		size := int(raw[4])<<24 | int(raw[5])<<16 | int(raw[6])<<8 | int(raw[7])
		if 8+size > len(raw) {
			break
		}
		out.Write(raw[8 : 8+size])
		raw = raw[8+size:]
	}
	return out.String()
}

// containerSpec maps the SDK's inputs onto the Engine API's create body.
func containerSpec(a kit.Args) (map[string]any, map[string]any, map[string]any, error) {
	config := map[string]any{
		"Image":  a.Str("image"),
		"Env":    a.Strs("envs"),
		"Labels": labels(a),
	}
	if cmd := a.Strs("command"); len(cmd) > 0 {
		config["Cmd"] = cmd
	}
	if ep := a.Strs("entrypoints"); len(ep) > 0 {
		config["Entrypoint"] = ep
	}
	for key, field := range map[string]string{"hostname": "Hostname", "workingDir": "WorkingDir", "user": "User"} {
		if v := a.Str(key); v != "" {
			config[field] = v
		}
	}
	if st, ok := a["stopTimeout"].(float64); ok {
		config["StopTimeout"] = int(st)
	}
	if hc := a.Object("healthcheck"); hc != nil {
		health := map[string]any{"Test": hc.Strs("tests"), "Retries": int(hc.Num("retries", 0))}
		for key, field := range map[string]string{
			"interval": "Interval", "timeout": "Timeout", "startPeriod": "StartPeriod", "startInterval": "StartInterval",
		} {
			d, err := duration(hc.Str(key))
			if err != nil {
				return nil, nil, nil, fmt.Errorf("healthcheck.%s: %w", key, err)
			}
			if d > 0 {
				health[field] = d.Nanoseconds()
			}
		}
		config["Healthcheck"] = health
	}

	host := map[string]any{
		"Privileged":     a.Bool("privileged", false),
		"ReadonlyRootfs": a.Bool("readOnly", false),
		"SecurityOpt":    a.Strs("securityOpts"),
		"Tmpfs":          a.StringMap("tmpfs"),
		"Sysctls":        a.StringMap("sysctls"),
	}
	restart := a.Str("restart")
	if restart == "" {
		restart = "no"
	}
	host["RestartPolicy"] = map[string]any{"Name": restart, "MaximumRetryCount": int(a.Num("maxRetryCount", 0))}
	if m := a.Num("memory", 0); m > 0 {
		host["Memory"] = int64(m) * 1024 * 1024
	}
	if m := a.Num("memoryReservation", 0); m > 0 {
		host["MemoryReservation"] = int64(m) * 1024 * 1024
	}
	if c := a.Str("cpus"); c != "" {
		cpus, err := strconv.ParseFloat(c, 64)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("cpus: %q is not a number", c)
		}
		host["NanoCpus"] = int64(cpus * 1e9)
	}
	if s := a.Num("cpuShares", 0); s > 0 {
		host["CpuShares"] = int(s)
	}
	if caps := a.Object("capabilities"); caps != nil {
		host["CapAdd"] = caps.Strs("adds")
		host["CapDrop"] = caps.Strs("drops")
	}
	if d := a.Str("logDriver"); d != "" {
		host["LogConfig"] = map[string]any{"Type": d, "Config": a.StringMap("logOpts")}
	}
	var devices []map[string]any
	if g := a.Str("gpus"); g != "" {
		count := -1
		if g != "all" {
			n, err := strconv.Atoi(strings.TrimPrefix(g, "count="))
			if err != nil {
				return nil, nil, nil, fmt.Errorf("gpus: %q is neither \"all\" nor a count", g)
			}
			count = n
		}
		devices = append(devices, map[string]any{"Count": count, "Capabilities": [][]string{{"gpu"}}})
	}
	for _, d := range deviceRequests(a) {
		devices = append(devices, d)
	}
	if len(devices) > 0 {
		host["DeviceRequests"] = devices
	}

	bindings := map[string][]map[string]string{}
	exposed := map[string]any{}
	for _, p := range a.Objects("ports") {
		proto := p.Str("protocol")
		if proto == "" {
			proto = "tcp"
		}
		key := fmt.Sprintf("%d/%s", int(p.Num("internal", 0)), proto)
		exposed[key] = map[string]any{}
		binding := map[string]string{"HostIp": p.Str("ip")}
		if ext := p.Num("external", 0); ext > 0 {
			binding["HostPort"] = strconv.Itoa(int(ext))
		}
		bindings[key] = append(bindings[key], binding)
	}
	config["ExposedPorts"] = exposed
	host["PortBindings"] = bindings

	var binds []string
	for _, v := range a.Objects("volumes") {
		source := v.Str("volumeName")
		if source == "" {
			source = v.Str("hostPath")
		}
		if source == "" || v.Str("containerPath") == "" {
			return nil, nil, nil, errors.New("volumes: each entry needs containerPath and volumeName or hostPath")
		}
		bind := source + ":" + v.Str("containerPath")
		if v.Bool("readOnly", false) {
			bind += ":ro"
		}
		binds = append(binds, bind)
	}
	host["Binds"] = binds

	net := map[string]any{}
	nets := a.Objects("networksAdvanced")
	mode := a.Str("networkMode")
	if len(nets) > 0 {
		if mode == "" {
			mode = nets[0].Str("name")
		}
		net["EndpointsConfig"] = map[string]any{nets[0].Str("name"): map[string]any{"Aliases": nets[0].Strs("aliases")}}
	}
	if mode != "" {
		host["NetworkMode"] = mode
	}
	return config, host, net, nil
}

func deviceRequests(a kit.Args) []map[string]any {
	var out []map[string]any
	for _, d := range a.Objects("deviceRequests") {
		var caps [][]string
		if c := d.Strs("capabilities"); len(c) > 0 {
			caps = [][]string{c}
		}
		out = append(out, map[string]any{
			"Driver": d.Str("driver"), "Count": int(d.Num("count", 0)), "DeviceIDs": d.Strs("deviceIds"),
			"Capabilities": caps,
		})
	}
	return out
}

// upload copies one file into the created container before it starts, as a tar archive.
func upload(ctx context.Context, e *engine, id string, u kit.Args) error {
	content := []byte(u.Str("content"))
	if b64 := u.Str("contentBase64"); b64 != "" {
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return fmt.Errorf("uploads %s: contentBase64 is not base64: %w", u.Str("file"), err)
		}
		content = raw
	}
	mode := int64(0o644)
	if u.Bool("executable", false) {
		mode = 0o755
	}
	if p := u.Str("permissions"); p != "" {
		m, err := strconv.ParseInt(p, 8, 32)
		if err != nil {
			return fmt.Errorf("uploads %s: permissions %q is not octal", u.Str("file"), p)
		}
		mode = m
	}
	uid, err := uploadID(u.Str("owner"), func(name string) (string, error) {
		usr, err := user.Lookup(name)
		if err != nil {
			return "", err
		}
		return usr.Uid, nil
	})
	if err != nil {
		return fmt.Errorf("uploads %s: owner %q: %w", u.Str("file"), u.Str("owner"), err)
	}
	gid, err := uploadID(u.Str("group"), func(name string) (string, error) {
		grp, err := user.LookupGroup(name)
		if err != nil {
			return "", err
		}
		return grp.Gid, nil
	})
	if err != nil {
		return fmt.Errorf("uploads %s: group %q: %w", u.Str("file"), u.Str("group"), err)
	}
	file := u.Str("file")
	// As upstream: one tar entry named by the file's whole path, extracted at "/", so that Docker
	// makes the folders the image lacks (owned by root, 0755, as its archive extraction does).
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Name: strings.TrimPrefix(path.Clean(file), "/"), Mode: mode, Size: int64(len(content)), Uid: uid, Gid: gid}); err != nil {
		return err
	}
	if _, err := tw.Write(content); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	q := url.Values{"path": {"/"}}
	if err := e.do(ctx, http.MethodPut, "/containers/"+id+"/archive", q, &buf, nil); err != nil {
		return fmt.Errorf("Unable to upload volume content: %w", err)
	}
	return nil
}

func (containerKind) Exists(ctx context.Context, cfg any, id string, _ kit.Args) (bool, error) {
	e := cfg.(*engine)
	return found(e.do(ctx, http.MethodGet, "/containers/"+id+"/json", nil, nil, nil))
}

func (containerKind) Delete(ctx context.Context, cfg any, id string, a kit.Args) error {
	e := cfg.(*engine)
	grace := strconv.Itoa(int(a.Num("destroyGraceSeconds", 10)))
	if err := e.do(ctx, http.MethodPost, "/containers/"+id+"/stop", url.Values{"t": {grace}}, nil, nil); err != nil &&
		!errors.Is(err, errNotFound) && !strings.Contains(err.Error(), "not running") {
		return err
	}
	q := url.Values{"force": {"true"}, "v": {strconv.FormatBool(a.Bool("removeVolumes", true))}}
	return ignoreNotFound(e.do(ctx, http.MethodDelete, "/containers/"+id, q, nil, nil))
}

// ---- Network ----

type networkKind struct{}

func (networkKind) Fields() map[string]kit.Field {
	return map[string]kit.Field{
		"name": {Kind: "string"}, "driver": {Kind: "string"}, "internal": {Kind: "bool"},
		"attachable": {Kind: "bool"}, "ipv6": {Kind: "bool"}, "options": {Kind: "map"},
		"labels": {Kind: "objects", Fields: labelFields},
		"ipamConfigs": {Kind: "objects", Fields: map[string]kit.Field{
			"subnet": {Kind: "string"}, "gateway": {Kind: "string"}, "ipRange": {Kind: "string"},
		}},
	}
}

func (networkKind) InPlace(kit.Args) map[string]bool { return nil }
func (networkKind) Computed() []string               { return []string{"scope"} }

func (networkKind) Create(ctx context.Context, cfg any, a kit.Args) (string, map[string]any, error) {
	e := cfg.(*engine)
	driver := a.Str("driver")
	if driver == "" {
		driver = "bridge"
	}
	body := map[string]any{
		"Name": a.Str("name"), "Driver": driver, "Internal": a.Bool("internal", false),
		"Attachable": a.Bool("attachable", false), "EnableIPv6": a.Bool("ipv6", false),
		"Options": a.StringMap("options"), "Labels": labels(a), "CheckDuplicate": true,
	}
	if ipam := a.Objects("ipamConfigs"); len(ipam) > 0 {
		var configs []map[string]string
		for _, c := range ipam {
			configs = append(configs, map[string]string{"Subnet": c.Str("subnet"), "Gateway": c.Str("gateway"), "IPRange": c.Str("ipRange")})
		}
		body["IPAM"] = map[string]any{"Config": configs}
	}
	var created struct {
		ID string `json:"Id"`
	}
	// A taken name fails (CheckDuplicate), as upstream; nothing is adopted.
	if err := e.do(ctx, http.MethodPost, "/networks/create", nil, body, &created); err != nil {
		return "", nil, fmt.Errorf("Unable to create network: %w", err)
	}
	return created.ID, map[string]any{"scope": "local", "driver": driver}, nil
}

func (networkKind) Exists(ctx context.Context, cfg any, id string, _ kit.Args) (bool, error) {
	e := cfg.(*engine)
	return found(e.do(ctx, http.MethodGet, "/networks/"+id, nil, nil, nil))
}

func (networkKind) Delete(ctx context.Context, cfg any, id string, _ kit.Args) error {
	e := cfg.(*engine)
	return ignoreNotFound(e.do(ctx, http.MethodDelete, "/networks/"+id, nil, nil, nil))
}

// ---- Volume ----

type volumeKind struct{}

func (volumeKind) Fields() map[string]kit.Field {
	return map[string]kit.Field{
		"name": {Kind: "string"}, "driver": {Kind: "string"}, "driverOpts": {Kind: "map"},
		"labels": {Kind: "objects", Fields: labelFields},
	}
}

func (volumeKind) InPlace(kit.Args) map[string]bool { return nil }
func (volumeKind) Computed() []string               { return []string{"mountpoint"} }

func (volumeKind) Create(ctx context.Context, cfg any, a kit.Args) (string, map[string]any, error) {
	e := cfg.(*engine)
	driver := a.Str("driver")
	if driver == "" {
		driver = "local"
	}
	body := map[string]any{"Name": a.Str("name"), "Driver": driver, "DriverOpts": a.StringMap("driverOpts"), "Labels": labels(a)}
	var created struct {
		Name       string `json:"Name"`
		Mountpoint string `json:"Mountpoint"`
	}
	// Docker answers a create of an existing volume's name with that volume (its data kept), and
	// upstream passes that on: a volume is never a conflict.
	if err := e.do(ctx, http.MethodPost, "/volumes/create", nil, body, &created); err != nil {
		return "", nil, fmt.Errorf("Unable to create volume: %w", err)
	}
	return created.Name, map[string]any{"mountpoint": created.Mountpoint, "driver": driver}, nil
}

func (volumeKind) Exists(ctx context.Context, cfg any, id string, _ kit.Args) (bool, error) {
	e := cfg.(*engine)
	return found(e.do(ctx, http.MethodGet, "/volumes/"+url.PathEscape(id), nil, nil, nil))
}

func (volumeKind) Delete(ctx context.Context, cfg any, id string, _ kit.Args) error {
	e := cfg.(*engine)
	return ignoreNotFound(e.do(ctx, http.MethodDelete, "/volumes/"+url.PathEscape(id), nil, nil, nil))
}

// ---- RemoteImage ----

type remoteImageKind struct{}

func (remoteImageKind) Fields() map[string]kit.Field {
	return map[string]kit.Field{"name": {Kind: "string", Need: true}, "keepLocally": {Kind: "bool"}}
}

func (remoteImageKind) InPlace(kit.Args) map[string]bool { return map[string]bool{"keepLocally": true} }
func (remoteImageKind) Computed() []string               { return []string{"imageId", "repoDigest"} }

func (remoteImageKind) Create(ctx context.Context, cfg any, a kit.Args) (string, map[string]any, error) {
	e := cfg.(*engine)
	img, err := e.ensureImage(ctx, a.Str("name"))
	if err != nil {
		return "", nil, err
	}
	digest := ""
	if len(img.RepoDigests) > 0 {
		digest = img.RepoDigests[0]
	}
	return img.ID + a.Str("name"), map[string]any{"imageId": img.ID, "repoDigest": digest}, nil
}

func (remoteImageKind) Exists(ctx context.Context, cfg any, id string, _ kit.Args) (bool, error) {
	e := cfg.(*engine)
	// The ID is "<sha256:…><name>": the image is there while its content ID is.
	if i := strings.Index(id, "sha256:"); i == 0 && len(id) >= 71 {
		return found(e.do(ctx, http.MethodGet, "/images/"+id[:71]+"/json", nil, nil, nil))
	}
	return found(e.do(ctx, http.MethodGet, "/images/"+url.PathEscape(id)+"/json", nil, nil, nil))
}

func (remoteImageKind) Delete(ctx context.Context, cfg any, _ string, a kit.Args) error {
	e := cfg.(*engine)
	if a.Bool("keepLocally", false) {
		return nil
	}
	return ignoreNotFound(e.do(ctx, http.MethodDelete, "/images/"+url.PathEscape(a.Str("name")), nil, nil, nil))
}

func found(err error) (bool, error) {
	if errors.Is(err, errNotFound) {
		return false, nil
	}
	return err == nil, err
}

func ignoreNotFound(err error) error {
	if errors.Is(err, errNotFound) {
		return nil
	}
	return err
}

// labels turns the SDK's [{label, value}] list into Docker's label map.
func labels(a kit.Args) map[string]string {
	out := map[string]string{}
	for _, l := range a.Objects("labels") {
		out[l.Str("label")] = l.Str("value")
	}
	return out
}

// duration parses Docker-style durations ("5s", "1m30s"); empty means zero.
func duration(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	return time.ParseDuration(s)
}

// Update sees changes to in-place inputs only: the restart policy and resources, applied with
// Docker's container update as upstream does, or settings of this provider's create and delete,
// with nothing to do on the daemon.
func (containerKind) Update(ctx context.Context, cfg any, id string, olds, news kit.Args) (map[string]any, error) {
	changed := false
	for _, k := range containerUpdatable {
		if fmt.Sprint(olds[k]) != fmt.Sprint(news[k]) {
			changed = true
		}
	}
	if !changed {
		return nil, nil
	}
	restart := news.Str("restart")
	if restart == "" {
		restart = "no"
	}
	body := map[string]any{
		"RestartPolicy": map[string]any{"Name": restart, "MaximumRetryCount": int(news.Num("maxRetryCount", 0))},
		"CpuShares":     int(news.Num("cpuShares", 0)),
		"Memory":        int64(news.Num("memory", 0)) * 1024 * 1024,
	}
	e := cfg.(*engine)
	if err := e.do(ctx, http.MethodPost, "/containers/"+id+"/update", nil, body, nil); err != nil {
		return nil, fmt.Errorf("Unable to update a container: %w", err)
	}
	return nil, nil
}

func (networkKind) Update(context.Context, any, string, kit.Args, kit.Args) (map[string]any, error) {
	return nil, nil
}

func (volumeKind) Update(context.Context, any, string, kit.Args, kit.Args) (map[string]any, error) {
	return nil, nil
}

func (remoteImageKind) Update(context.Context, any, string, kit.Args, kit.Args) (map[string]any, error) {
	return nil, nil
}

// uploadID is an upload's owner or group as upstream documents them: a numeric ID as it is, a
// name through the user or group database of the machine the provider runs on (upstream: "the
// Terraform host's"), not the image's; unset, 0 (root).
func uploadID(v string, lookup func(string) (string, error)) (int, error) {
	if v == "" {
		return 0, nil
	}
	if n, err := strconv.Atoi(v); err == nil {
		return n, nil
	}
	id, err := lookup(v)
	if err != nil {
		return 0, fmt.Errorf("not a numeric ID, and this machine does not know the name: %w", err)
	}
	return strconv.Atoi(id)
}
