package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
)

// apiVersion is the Engine API version golive speaks: 1.41 is served by Docker 20.10 and every
// later engine.
const apiVersion = "v1.41"

// engine is a minimal Docker Engine API client over a Unix socket or TCP.
type engine struct {
	http *http.Client
	base string
}

var errNotFound = errors.New("not found")

// errConflict is the daemon's 409: a name already in use (container, network).
var errConflict = errors.New("conflict")

// newEngine resolves the daemon address from the provider's `host` config, then DOCKER_HOST, then
// the default socket, as the docker CLI does.
func newEngine(host string) (*engine, error) {
	if host == "" {
		host = os.Getenv("DOCKER_HOST")
	}
	if host == "" {
		host = "unix:///var/run/docker.sock"
	}
	u, err := url.Parse(host)
	if err != nil {
		return nil, fmt.Errorf("docker host %q is not a URL: %w", host, err)
	}
	switch u.Scheme {
	case "unix":
		sock := u.Path
		transport := &http.Transport{
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, "unix", sock)
			},
		}
		return &engine{http: &http.Client{Transport: transport}, base: "http://docker/" + apiVersion}, nil
	case "tcp", "http":
		return &engine{http: &http.Client{}, base: "http://" + u.Host + "/" + apiVersion}, nil
	default:
		return nil, fmt.Errorf("docker host %q: only unix:// and tcp:// are supported", host)
	}
}

// do sends a request and decodes a JSON answer into out (when non-nil). A 404 is errNotFound, a 409
// errConflict; any other status of 400 or more is an error carrying the daemon's message.
func (e *engine) do(ctx context.Context, method, path string, query url.Values, body any, out any) error {
	var reader io.Reader
	contentType := ""
	switch b := body.(type) {
	case nil:
	case io.Reader:
		reader = b
		contentType = "application/x-tar"
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			return err
		}
		reader = bytes.NewReader(raw)
		contentType = "application/json"
	}
	target := e.base + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, target, reader)
	if err != nil {
		return err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := e.http.Do(req)
	if err != nil {
		return fmt.Errorf("the Docker daemon does not answer: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 400 {
		return &daemonError{status: resp.StatusCode, message: daemonMessage(raw)}
	}
	if out != nil && len(raw) > 0 {
		// Image pulls stream JSON lines; only the last one matters to callers.
		if err := json.Unmarshal(raw, out); err != nil {
			lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
			return json.Unmarshal([]byte(lines[len(lines)-1]), out)
		}
	}
	return nil
}

// daemonError is an answer of 400 or more, worded as the docker CLI and upstream's provider word
// it ("Error response from daemon: …"); errors.Is tells a 404 (errNotFound) and a 409 (errConflict).
type daemonError struct {
	status  int
	message string
}

func (d *daemonError) Error() string { return "Error response from daemon: " + d.message }

func (d *daemonError) Is(target error) bool {
	return (target == errNotFound && d.status == http.StatusNotFound) ||
		(target == errConflict && d.status == http.StatusConflict)
}

func daemonMessage(raw []byte) string {
	var msg struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &msg) == nil && msg.Message != "" {
		return msg.Message
	}
	return strings.TrimSpace(string(raw))
}

func (e *engine) ping(ctx context.Context) error {
	return e.do(ctx, http.MethodGet, "/_ping", nil, nil, nil)
}

type imageInspect struct {
	ID          string   `json:"Id"`
	RepoDigests []string `json:"RepoDigests"`
}

func (e *engine) inspectImage(ctx context.Context, name string) (*imageInspect, error) {
	var img imageInspect
	if err := e.do(ctx, http.MethodGet, "/images/"+url.PathEscape(name)+"/json", nil, nil, &img); err != nil {
		return nil, err
	}
	return &img, nil
}

// ensureImage returns the local image, pulling it when the engine does not have it.
func (e *engine) ensureImage(ctx context.Context, name string) (*imageInspect, error) {
	img, err := e.inspectImage(ctx, name)
	if err == nil {
		return img, nil
	}
	if !errors.Is(err, errNotFound) {
		return nil, err
	}
	repo, tag := splitImage(name)
	var last struct {
		Error string `json:"error"`
	}
	q := url.Values{"fromImage": {repo}, "tag": {tag}}
	if err := e.do(ctx, http.MethodPost, "/images/create", q, nil, &last); err != nil {
		return nil, fmt.Errorf("image %q is not on the Docker engine and pulling it failed: %w", name, err)
	}
	if last.Error != "" {
		return nil, fmt.Errorf("image %q is not on the Docker engine and pulling it failed: %s", name, last.Error)
	}
	return e.inspectImage(ctx, name)
}

// splitImage separates "registry:5000/repo:tag" into repository and tag ("latest" when absent).
func splitImage(name string) (string, string) {
	if at := strings.Index(name, "@"); at >= 0 {
		return name[:at], name[at+1:]
	}
	slash := strings.LastIndex(name, "/")
	if colon := strings.LastIndex(name, ":"); colon > slash {
		return name[:colon], name[colon+1:]
	}
	return name, "latest"
}
