package main

import (
	"encoding/json"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func TestProgramConfigOfAStackWithNoConfigIsAnEmptyObject(t *testing.T) {
	for name, req := range map[string]*pulumirpc.RunRequest{
		"nil maps":   {},
		"empty maps": {Config: map[string]string{}, ConfigSecretKeys: []string{}},
	} {
		config, keys, err := programConfig(req)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if config != "{}" || keys != "[]" {
			t.Errorf("%s: got PULUMI_CONFIG=%s PULUMI_CONFIG_SECRET_KEYS=%s, want {} and []", name, config, keys)
		}
	}
}

func TestProgramConfigCarriesEveryKey(t *testing.T) {
	req := &pulumirpc.RunRequest{
		Config:           map[string]string{"golive:environment": `{"runtime":"docker"}`, "golive:token": "s3cret"},
		ConfigSecretKeys: []string{"golive:token"},
	}
	config, keys, err := programConfig(req)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	if err := json.Unmarshal([]byte(config), &got); err != nil {
		t.Fatalf("PULUMI_CONFIG is not a JSON object: %v", err)
	}
	if got["golive:environment"] != `{"runtime":"docker"}` || got["golive:token"] != "s3cret" {
		t.Errorf("PULUMI_CONFIG = %s", config)
	}
	if keys != `["golive:token"]` {
		t.Errorf("PULUMI_CONFIG_SECRET_KEYS = %s", keys)
	}
}
