package main

import (
	"encoding/json"
	"fmt"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// The environment variables @pulumi/pulumi's runner reads the stack config from.
const (
	configVar     = "PULUMI_CONFIG"
	secretKeysVar = "PULUMI_CONFIG_SECRET_KEYS"
)

// programConfig is the stack config and its secret keys as the program reads them: JSON objects
// and arrays, an empty object and an empty array when the stack has none (as upstream sends; the
// SDK's Config throws on `null`).
func programConfig(req *pulumirpc.RunRequest) (config, secretKeys string, err error) {
	config, secretKeys = "{}", "[]"
	if m := req.GetConfig(); len(m) > 0 {
		raw, err := json.Marshal(m)
		if err != nil {
			return "", "", fmt.Errorf("serialising the stack config: %w", err)
		}
		config = string(raw)
	}
	if keys := req.GetConfigSecretKeys(); len(keys) > 0 {
		raw, err := json.Marshal(keys)
		if err != nil {
			return "", "", fmt.Errorf("serialising the stack config's secret keys: %w", err)
		}
		secretKeys = string(raw)
	}
	return config, secretKeys, nil
}
