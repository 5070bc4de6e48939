// Package version holds the infercost version, set at build time with
// -ldflags "-X github.com/infercost/infercost/version.Version=v1.2.3".
package version

import "runtime/debug"

// Version is the release this binary was built from. The Makefile stamps it
// from `git describe`; a plain `go build` falls back to the module version
// recorded in the build info, then to "dev".
var Version = ""

// String returns the version to print and to record in run.json.
func String() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
