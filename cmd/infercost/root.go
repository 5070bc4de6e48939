package main

import (
	"github.com/spf13/cobra"
)

// commands holds the constructors of the subcommands; each command's file
// registers its own in an init function, so adding a command touches no
// other file.
var commands []func() *cobra.Command

func register(c func() *cobra.Command) { commands = append(commands, c) }

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "infercost",
		Short: "Measure what it costs to serve a machine-learning model",
		Long: `infercost drives a real model endpoint (KServe v2 / Open Inference Protocol) at a
configured load, watches CPU, memory and GPUs while it does, finds the peak
throughput within a latency SLO for each batch size, and turns the measured
curves into cost per inference and per month across instance types and
deployment options.

Units: rates are requests/s; every request carries --batch inputs, so
inferences/s = successful requests/s x batch. Latency is in milliseconds,
measured from each request's intended send time (corrected for coordinated
omission), with the uncorrected figure beside it.

` + exitCodesHelp,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &flagError{err: err}
	})
	for _, c := range commands {
		root.AddCommand(c())
	}
	// Stray arguments are usage errors (exit 2), like bad flags: cobra
	// reports them through each command's Args (an unknown command, through
	// the root's legacy rule: see exitCodeOf).
	for _, c := range root.Commands() {
		if args := c.Args; args != nil {
			c.Args = func(cmd *cobra.Command, a []string) error {
				if err := args(cmd, a); err != nil {
					return &flagError{err: err}
				}
				return nil
			}
		}
	}
	return root
}
