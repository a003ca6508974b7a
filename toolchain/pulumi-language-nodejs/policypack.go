package main

import (
	_ "embed"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// compiledPackRunner starts a policy pack that is already JavaScript. @pulumi/pulumi's
// cmd/run-policy-pack registers ts-node with type checking whatever the pack's runtime options
// say (its `typeScript` flag is hard-wired on), which loads the TypeScript compiler at every
// preview even when `main` is compiled output; and it primes the V8 inspector hooks that only
// closure serialisation needs. A pack whose PulumiPolicy.yaml sets `typescript: false` is run by
// this instead: load the pack, report what it throws, nothing else.
//
//go:embed policypack.js
var compiledPackRunner string

// typescriptOn reads the runtime option `typescript` (on unless set to false, as upstream).
func typescriptOn(info *pulumirpc.ProgramInfo) bool {
	if info == nil || info.GetOptions() == nil {
		return true
	}
	if v, ok := info.GetOptions().AsMap()["typescript"].(bool); ok {
		return v
	}
	return true
}

// policyPackArgs are node's arguments for a policy pack: the compiled-pack runner when the pack
// turns TypeScript off, else @pulumi/pulumi's run-policy-pack (found from the pack's folder).
func policyPackArgs(info *pulumirpc.ProgramInfo, programDir string, engineArgs []string) ([]string, error) {
	args := nodeArgs(info)
	if !typescriptOn(info) {
		args = append(args, "--eval", compiledPackRunner, "--")
	} else {
		runner, err := locateRunner(programDir, "run-policy-pack")
		if err != nil {
			return nil, err
		}
		args = append(args, runner)
	}
	args = append(args, engineArgs...)
	return append(args, programDir), nil
}
