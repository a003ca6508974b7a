package main

// Conformance with upstream: each test states the behaviour of @pulumi/docker 5.2.0 (the
// kreuzwerker provider it wraps) that golive's stand-in reproduces, and checks it against the real
// Docker engine (DOCKER_HOST, else the default socket). No engine is a failure, not a skip: the
// stand-in is built only once it conforms.

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	kit "golive/toolchain/providerkit"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
)

// conformanceImage holds nothing but /etc/passwd: containers are created, never started, which is
// all create, update, upload, import and delete need, and it builds offline.
const conformanceImage = "golive-conformance:1"

func daemon(t *testing.T) (*engine, context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	e, err := newEngine("")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.ping(ctx); err != nil {
		t.Fatalf("the conformance tests need a Docker engine (start one: scripts/docker-engine.sh start): %v", err)
	}
	if _, err := e.inspectImage(ctx, conformanceImage); errors.Is(err, errNotFound) {
		var layer bytes.Buffer
		tw := tar.NewWriter(&layer)
		passwd := "root:x:0:0:root:/root:/bin/sh\nsvc:x:4242:4343::/:/bin/false\n"
		for _, h := range []*tar.Header{
			{Name: "etc/", Typeflag: tar.TypeDir, Mode: 0o755},
			{Name: "etc/passwd", Mode: 0o644, Size: int64(len(passwd))},
		} {
			if err := tw.WriteHeader(h); err != nil {
				t.Fatal(err)
			}
		}
		_, _ = tw.Write([]byte(passwd))
		_ = tw.Close()
		q := url.Values{"fromSrc": {"-"}, "repo": {"golive-conformance"}, "tag": {"1"}}
		if err := e.do(ctx, http.MethodPost, "/images/create", q, &layer, nil); err != nil {
			t.Fatalf("importing the conformance image: %v", err)
		}
	} else if err != nil {
		t.Fatal(err)
	}
	return e, ctx
}

// unique names each test's objects, so that runs never meet each other's leftovers.
func unique(t *testing.T, what string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "golive-conformance-" + what + "-" + hex.EncodeToString(b)
}

func diff(t *testing.T, k kit.Kind, olds, news map[string]any) (replaces []string, deleteFirst bool, changed []string) {
	t.Helper()
	marshal := func(m map[string]any) *resource.PropertyMap {
		pm := resource.NewPropertyMapFromMap(m)
		return &pm
	}
	o, err := plugin.MarshalProperties(*marshal(olds), kit.Keep)
	if err != nil {
		t.Fatal(err)
	}
	n, err := plugin.MarshalProperties(*marshal(news), kit.Keep)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := kit.DiffInputs(o, n, k.InPlace(kit.Args(news)), true)
	if err != nil {
		t.Fatal(err)
	}
	return resp.GetReplaces(), resp.GetDeleteBeforeReplace(), resp.GetDiffs()
}

func with(base map[string]any, key string, v any) map[string]any {
	out := map[string]any{}
	for k, x := range base {
		out[k] = x
	}
	out[key] = v
	return out
}

var baseContainer = map[string]any{
	"name": "c", "image": conformanceImage, "command": []any{"serve"}, "envs": []any{"A=1"},
	"labels":  []any{map[string]any{"label": "l", "value": "1"}},
	"uploads": []any{map[string]any{"file": "/etc/app.conf", "content": "x"}},
	"restart": "no", "memory": 64.0, "cpuShares": 512.0, "maxRetryCount": 0.0,
	"user": "svc", "hostname": "c", "ports": []any{map[string]any{"internal": 80.0}},
}

// Upstream: every container input but the restart policy and resources is ForceNew, uploaded files
// included; with a fixed name the old container is deleted before the new one is created.
func TestContainerInputsThatReplace(t *testing.T) {
	for key, v := range map[string]any{
		"image": "other:1", "command": []any{"other"}, "envs": []any{"A=2"}, "user": "root",
		"labels":   []any{map[string]any{"label": "l", "value": "2"}},
		"uploads":  []any{map[string]any{"file": "/etc/app.conf", "content": "y"}},
		"hostname": "d", "ports": []any{map[string]any{"internal": 81.0}}, "name": "d",
	} {
		replaces, deleteFirst, _ := diff(t, containerKind{}, baseContainer, with(baseContainer, key, v))
		if len(replaces) != 1 || replaces[0] != key {
			t.Errorf("a change of %s: replaces %v, want [%s]", key, replaces, key)
		}
		if !deleteFirst {
			t.Errorf("a change of %s: a named container must be deleted before its replacement", key)
		}
	}
}

// Upstream's resourceDockerContainerUpdate: restart, max_retry_count, cpu_shares and memory are
// changed on the running container (Docker's container update), not by a replacement.
func TestContainerInputsUpdatedInPlace(t *testing.T) {
	for key, v := range map[string]any{"restart": "unless-stopped", "memory": 128.0, "cpuShares": 1024.0, "maxRetryCount": 3.0} {
		replaces, _, changed := diff(t, containerKind{}, baseContainer, with(baseContainer, key, v))
		if len(replaces) != 0 || len(changed) != 1 {
			t.Errorf("a change of %s: replaces %v, changes %v; want an update in place", key, replaces, changed)
		}
	}
	e, ctx := daemon(t)
	name := unique(t, "update")
	olds := kit.Args{"name": name, "image": conformanceImage, "command": []any{"serve"}, "start": false, "memory": 64.0}
	id, _, err := containerKind{}.Create(ctx, e, olds)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = containerKind{}.Delete(context.Background(), e, id, olds) })
	news := kit.Args(with(olds, "memory", 128.0))
	news["restart"] = "on-failure"
	news["maxRetryCount"] = 2.0
	if _, err := (containerKind{}).Update(ctx, e, id, olds, news); err != nil {
		t.Fatal(err)
	}
	var c struct {
		HostConfig struct {
			Memory        int64
			RestartPolicy struct {
				Name              string
				MaximumRetryCount int
			}
		}
	}
	if err := e.do(ctx, http.MethodGet, "/containers/"+id+"/json", nil, nil, &c); err != nil {
		t.Fatal(err)
	}
	if c.HostConfig.Memory != 128*1024*1024 || c.HostConfig.RestartPolicy.Name != "on-failure" || c.HostConfig.RestartPolicy.MaximumRetryCount != 2 {
		t.Errorf("after the update: memory %d, restart %+v", c.HostConfig.Memory, c.HostConfig.RestartPolicy)
	}
}

// Upstream: every Network and Volume input is ForceNew.
func TestNetworkAndVolumeInputsReplace(t *testing.T) {
	net := map[string]any{"name": "n", "driver": "bridge", "labels": []any{map[string]any{"label": "l", "value": "1"}}}
	for key, v := range map[string]any{"name": "m", "driver": "macvlan", "internal": true, "labels": []any{}} {
		if replaces, _, _ := diff(t, networkKind{}, net, with(net, key, v)); len(replaces) != 1 {
			t.Errorf("network %s: replaces %v", key, replaces)
		}
	}
	vol := map[string]any{"name": "v", "driver": "local"}
	for key, v := range map[string]any{"name": "w", "driver": "other", "driverOpts": map[string]any{"o": "1"}} {
		if replaces, _, _ := diff(t, volumeKind{}, vol, with(vol, key, v)); len(replaces) != 1 {
			t.Errorf("volume %s: replaces %v", key, replaces)
		}
	}
}

// Upstream fails a create whose name is taken with Docker's conflict, prefixed as kreuzwerker
// does ("Unable to create container: … Conflict. The container name … is already in use …"),
// and never adopts or removes what holds the name. Docker answers a volume create of an existing
// name with that volume, and upstream passes that on.
func TestCreateMeetingATakenName(t *testing.T) {
	e, ctx := daemon(t)
	a := kit.Args{"name": unique(t, "taken"), "image": conformanceImage, "command": []any{"serve"}, "start": false}
	id, _, err := containerKind{}.Create(ctx, e, a)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = containerKind{}.Delete(context.Background(), e, id, a) })
	if _, _, err := (containerKind{}).Create(ctx, e, a); err == nil ||
		!strings.HasPrefix(err.Error(), "Unable to create container: ") || !strings.Contains(err.Error(), "is already in use") {
		t.Errorf("a second container of one name: %v", err)
	}
	if found, _ := (containerKind{}).Exists(ctx, e, id, a); !found {
		t.Error("the container holding the name must be left alone")
	}

	n := kit.Args{"name": unique(t, "net"), "driver": "bridge"}
	nid, _, err := networkKind{}.Create(ctx, e, n)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = networkKind{}.Delete(context.Background(), e, nid, n) })
	if _, _, err := (networkKind{}).Create(ctx, e, n); err == nil ||
		!strings.HasPrefix(err.Error(), "Unable to create network: ") || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("a second network of one name: %v", err)
	}

	v := kit.Args{"name": unique(t, "vol")}
	vid, _, err := volumeKind{}.Create(ctx, e, v)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = volumeKind{}.Delete(context.Background(), e, vid, v) })
	if again, _, err := (volumeKind{}).Create(ctx, e, v); err != nil || again != vid {
		t.Errorf("a second volume of one name: %q, %v; want the same volume", again, err)
	}
}

// Upstream's delete removes the container (force, volumes as removeVolumes says), the network and
// the volume; retainOnDelete is the engine's and never reaches the provider.
func TestDelete(t *testing.T) {
	e, ctx := daemon(t)
	a := kit.Args{"name": unique(t, "delete"), "image": conformanceImage, "command": []any{"serve"}, "start": false}
	id, _, err := containerKind{}.Create(ctx, e, a)
	if err != nil {
		t.Fatal(err)
	}
	n := kit.Args{"name": unique(t, "delete-net")}
	nid, _, err := networkKind{}.Create(ctx, e, n)
	if err != nil {
		t.Fatal(err)
	}
	v := kit.Args{"name": unique(t, "delete-vol")}
	vid, _, err := volumeKind{}.Create(ctx, e, v)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []struct {
		k  kit.Kind
		id string
		a  kit.Args
	}{{containerKind{}, id, a}, {networkKind{}, nid, n}, {volumeKind{}, vid, v}} {
		if err := d.k.Delete(ctx, e, d.id, d.a); err != nil {
			t.Fatalf("delete %s: %v", d.id, err)
		}
		if found, err := d.k.Exists(ctx, e, d.id, d.a); err != nil || found {
			t.Errorf("%s is still there after its delete (%v)", d.id, err)
		}
	}
}

// Upstream's Read by id (what `pulumi import` and refresh call): the live object's name, image and
// settings; a container's envs, labels and uploads are not read back. An id that names nothing
// is not found.
func TestImportReadsTheLiveObject(t *testing.T) {
	e, ctx := daemon(t)
	name := unique(t, "import")
	a := kit.Args{
		"name": name, "image": conformanceImage, "command": []any{"serve", "--port=1"}, "user": "svc",
		"hostname": "imp", "restart": "unless-stopped", "memory": 96.0, "envs": []any{"A=1"}, "start": false,
	}
	id, _, err := containerKind{}.Create(ctx, e, a)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = containerKind{}.Delete(context.Background(), e, id, a) })
	found, in, out, err := containerKind{}.Import(ctx, e, name)
	if err != nil || !found {
		t.Fatalf("import %s: %v %v", name, found, err)
	}
	want := map[string]any{
		"name": name, "image": conformanceImage, "command": []any{"serve", "--port=1"}, "user": "svc",
		"hostname": "imp", "restart": "unless-stopped", "memory": 96.0,
	}
	if !jsonEqual(in, want) {
		t.Errorf("imported inputs %v, want %v", in, want)
	}
	if out["containerId"] != id {
		t.Errorf("containerId %v, want %s", out["containerId"], id)
	}

	n := kit.Args{"name": unique(t, "import-net"), "driver": "bridge", "labels": []any{map[string]any{"label": "app", "value": "x"}}}
	nid, _, err := networkKind{}.Create(ctx, e, n)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = networkKind{}.Delete(context.Background(), e, nid, n) })
	if found, in, _, err := (networkKind{}).Import(ctx, e, nid); err != nil || !found || !jsonEqual(in, map[string]any(n)) {
		t.Errorf("imported network %v (%v, %v), want %v", in, found, err, n)
	}

	v := kit.Args{"name": unique(t, "import-vol"), "driver": "local", "labels": []any{map[string]any{"label": "app", "value": "y"}}}
	vid, _, err := volumeKind{}.Create(ctx, e, v)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = volumeKind{}.Delete(context.Background(), e, vid, v) })
	if found, in, _, err := (volumeKind{}).Import(ctx, e, vid); err != nil || !found || !jsonEqual(in, map[string]any(v)) {
		t.Errorf("imported volume %v (%v, %v), want %v", in, found, err, v)
	}

	for _, k := range []interface {
		Import(context.Context, any, string) (bool, map[string]any, map[string]any, error)
	}{containerKind{}, networkKind{}, volumeKind{}} {
		if found, _, _, err := k.Import(ctx, e, unique(t, "absent")); err != nil || found {
			t.Errorf("%T: an absent object is found=%v (%v)", k, found, err)
		}
	}
}

// Upstream uploads each file as one tar entry of its whole path extracted at "/": Docker makes
// the folders the image lacks, owned by root with mode 0755, and the file gets the upload's
// permissions and owner.
func TestUploadsMakeParentFolders(t *testing.T) {
	e, ctx := daemon(t)
	a := kit.Args{
		"name": unique(t, "upload"), "image": conformanceImage, "command": []any{"serve"}, "start": false,
		"uploads": []any{map[string]any{"file": "/opt/app/conf.d/app.conf", "content": "hello", "permissions": "0600", "owner": "4242", "group": "4343"}},
	}
	id, _, err := containerKind{}.Create(ctx, e, a)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = containerKind{}.Delete(context.Background(), e, id, a) })
	for _, dir := range []string{"/opt", "/opt/app", "/opt/app/conf.d"} {
		h := stat(t, e, ctx, id, dir)
		if !h.FileInfo().IsDir() || h.FileInfo().Mode().Perm() != 0o755 || h.Uid != 0 {
			t.Errorf("%s: mode %v uid %d, want a root folder 0755", dir, h.FileInfo().Mode(), h.Uid)
		}
	}
	h := stat(t, e, ctx, id, "/opt/app/conf.d/app.conf")
	if h.FileInfo().Mode().Perm() != 0o600 || h.Uid != 4242 || h.Gid != 4343 || h.Size != 5 {
		t.Errorf("the file: mode %v uid %d gid %d size %d", h.FileInfo().Mode(), h.Uid, h.Gid, h.Size)
	}
}

// Upstream's upload owner and group: "Names are resolved using the Terraform host's user database;
// numeric IDs can be used directly" (the @pulumi/docker 5.2.0 SDK's ContainerUpload). So a name
// the image knows but this machine does not is refused, and a name this machine knows (root)
// gives this machine's ID, whatever the image's /etc/passwd says.
func TestUploadOwnerNamesAreTheHostsNotTheImages(t *testing.T) {
	e, ctx := daemon(t)
	upload := func(owner string) (string, error) {
		a := kit.Args{
			"name": unique(t, "owner"), "image": conformanceImage, "command": []any{"serve"}, "start": false,
			"uploads": []any{map[string]any{"file": "/etc/app.conf", "content": "x", "owner": owner}},
		}
		id, _, err := containerKind{}.Create(ctx, e, a)
		if id != "" {
			t.Cleanup(func() { _ = containerKind{}.Delete(context.Background(), e, id, a) })
		}
		return id, err
	}
	// svc is in the image's /etc/passwd (4242), not this machine's.
	if _, err := upload("svc"); err == nil || !strings.Contains(err.Error(), `owner "svc"`) {
		t.Errorf("an owner only the image knows: %v, want an error naming it", err)
	}
	id, err := upload("root")
	if err != nil {
		t.Fatal(err)
	}
	if h := stat(t, e, ctx, id, "/etc/app.conf"); h.Uid != 0 || h.Gid != 0 {
		t.Errorf("owner root: uid %d gid %d, want this machine's root (0) and group 0 when none is set", h.Uid, h.Gid)
	}
}

// stat reads one path's tar header out of a container.
func stat(t *testing.T, e *engine, ctx context.Context, id, p string) *tar.Header {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.base+"/containers/"+id+"/archive?path="+url.QueryEscape(p), nil)
	resp, err := e.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		raw, _ := io.ReadAll(resp.Body)
		t.Fatalf("%s: %d %s", p, resp.StatusCode, raw)
	}
	h, err := tar.NewReader(resp.Body).Next()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func jsonEqual(a, b map[string]any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}
