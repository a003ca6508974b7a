package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"syscall"

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

// maxArgStrlen is Linux's MAX_ARG_STRLEN (32 pages of 4 KiB): execve refuses with E2BIG any single
// argument or "NAME=value" environment string longer than this, its terminating NUL included.
const maxArgStrlen = 32 * 4096

// minArgMax is the floor the kernel keeps for all arguments and environment strings together
// (ARG_MAX), whatever the stack limit; above it the limit is a quarter of RLIMIT_STACK, capped at
// three quarters of the default 8 MiB stack.
const (
	minArgMax = 128 * 1024
	capArgMax = 6 * 1024 * 1024
)

// argMax is the kernel's limit on the arguments and environment of one execve together.
func argMax() int {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_STACK, &lim); err != nil {
		return minArgMax
	}
	n := capArgMax
	if lim.Cur/4 < uint64(n) {
		n = int(lim.Cur / 4)
	}
	if n < minArgMax {
		n = minArgMax
	}
	return n
}

// checkExecLimits tells, before node is started, whether execve would refuse its arguments or
// environment (E2BIG, "argument list too long"), naming what is too large and the limit. The
// stack config travels in one environment variable (PULUMI_CONFIG), as with upstream's host, so a
// large inline config is the usual cause.
func checkExecLimits(args, env []string) error {
	return checkExecLimitsWith(args, env, argMax())
}

func checkExecLimitsWith(args, env []string, limit int) error {
	for _, kv := range env {
		if len(kv)+1 <= maxArgStrlen {
			continue
		}
		name, value, _ := strings.Cut(kv, "=")
		if name == configVar {
			return fmt.Errorf("golive: the stack config is %s bytes; the language host passes config to the "+
				"program in one environment variable (%s), which Linux limits to %s bytes (MAX_ARG_STRLEN): "+
				"keep the environment in a spec file (golive:specFile, see README)",
				thousands(len(value)), configVar, thousands(maxArgStrlen))
		}
		return fmt.Errorf("golive: the environment variable %s is %s bytes; Linux limits one environment "+
			"string to %s bytes (MAX_ARG_STRLEN), so node cannot be started with it",
			name, thousands(len(value)), thousands(maxArgStrlen))
	}
	for _, a := range args {
		if len(a)+1 > maxArgStrlen {
			return fmt.Errorf("golive: a node argument is %s bytes; Linux limits one argument to %s bytes "+
				"(MAX_ARG_STRLEN)", thousands(len(a)), thousands(maxArgStrlen))
		}
	}
	// The kernel counts each string with its NUL and a pointer to it; node itself is argv[0].
	total, config := len("node")+1+8, 0
	for _, s := range append(append([]string{}, args...), env...) {
		total += len(s) + 1 + 8
		if strings.HasPrefix(s, configVar+"=") {
			config = len(s) - len(configVar) - 1
		}
	}
	if total > limit {
		return fmt.Errorf("golive: node's arguments and environment are %s bytes together (the stack config "+
			"%s of them); Linux limits them to %s bytes (ARG_MAX, a quarter of the stack limit): keep the "+
			"environment in a spec file (golive:specFile, see README)",
			thousands(total), thousands(config), thousands(limit))
	}
	return nil
}

// thousands writes n with a comma every three digits (327680 -> "327,680").
func thousands(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
