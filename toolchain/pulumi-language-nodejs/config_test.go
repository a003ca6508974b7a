package main

import (
	"encoding/json"
	"strings"
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

func TestExecLimitsRefuseAConfigLargerThanOneEnvironmentString(t *testing.T) {
	value := `{"golive:environment":"` + strings.Repeat("x", 327_680-25) + `"}`
	if len(value) != 327_680 {
		t.Fatalf("test value is %d bytes", len(value))
	}
	err := checkExecLimitsWith([]string{"run"}, []string{"HOME=/root", configVar + "=" + value}, 6<<20)
	if err == nil {
		t.Fatal("a 320 KiB PULUMI_CONFIG was accepted")
	}
	want := "golive: the stack config is 327,680 bytes; the language host passes config to the program in one " +
		"environment variable (PULUMI_CONFIG), which Linux limits to 131,072 bytes (MAX_ARG_STRLEN): keep the " +
		"environment in a spec file (golive:specFile, see README)"
	if err.Error() != want {
		t.Errorf("got  %q\nwant %q", err, want)
	}
}

func TestExecLimitsAtTheBoundary(t *testing.T) {
	// "PULUMI_CONFIG=" + value + NUL is exactly MAX_ARG_STRLEN: accepted; one byte more: refused.
	fits := configVar + "=" + strings.Repeat("x", maxArgStrlen-len(configVar)-2)
	if err := checkExecLimitsWith(nil, []string{fits}, 6<<20); err != nil {
		t.Errorf("a config of exactly the limit was refused: %v", err)
	}
	if err := checkExecLimitsWith(nil, []string{fits + "x"}, 6<<20); err == nil {
		t.Error("a config one byte over the limit was accepted")
	}
}

func TestExecLimitsNameAnyOtherOversizedVariable(t *testing.T) {
	err := checkExecLimitsWith(nil, []string{"BIG=" + strings.Repeat("y", 200_000)}, 6<<20)
	if err == nil || !strings.Contains(err.Error(), "environment variable BIG is 200,000 bytes") {
		t.Errorf("got %v", err)
	}
}

func TestExecLimitsRefuseATotalOverArgMax(t *testing.T) {
	env := make([]string, 0, 25)
	for range 25 {
		env = append(env, "V="+strings.Repeat("z", 100_000))
	}
	err := checkExecLimitsWith([]string{"run"}, env, 2<<20)
	if err == nil || !strings.Contains(err.Error(), "limits them to 2,097,152 bytes (ARG_MAX") {
		t.Errorf("got %v", err)
	}
	if err := checkExecLimitsWith([]string{"run"}, env[:5], 2<<20); err != nil {
		t.Errorf("500 KB in five strings under a 2 MiB ARG_MAX was refused: %v", err)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 131072: "131,072", 1234567: "1,234,567"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
