// Command infercost measures what it costs to serve a machine-learning model:
// it drives a real endpoint at a configured load, watches the machine, finds
// the peak within a latency budget, and turns the curves into cost per
// inference and per month. Run `infercost --help` for the commands.
package main

import (
	"fmt"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

// run executes the CLI and returns the process exit code (see exitcodes.go).
func run(args []string) int {
	root := newRootCmd()
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return ExitOK
	}
	code := exitCodeOf(err)
	if !isSilent(err) {
		fmt.Fprintf(os.Stderr, "infercost: %v\n", err)
	}
	return code
}
