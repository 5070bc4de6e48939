package main

import (
	"github.com/infercost/infercost/report/cost"
	"github.com/spf13/cobra"
)

func init() { register(newCatalogCmd) }

func newCatalogCmd() *cobra.Command {
	var provider, gpu, catalog, format string
	cmd := &cobra.Command{
		Use:   "catalog",
		Short: "List the pricing catalog: GPUs, instances, endpoints, serverless, storage and transfer prices",
		Long: `catalog lists the prices infercost uses, each with its source date, and
flags those that are unconfirmed, derived, undated or older than 12 months.
The default catalog is embedded; --catalog FILE extends or overrides it
(schema: report/cost/CATALOG.md). A bad row is refused with its file, line
and reason.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorf("catalog takes no arguments (filter with --provider and --gpu)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := cost.CheckFormat(format); err != nil {
				return usageErrorf("%v", err)
			}
			cat, err := cost.LoadCatalog(catalog)
			if err != nil {
				return usageErrorf("%v", err)
			}
			filtered, err := cat.Filter(cost.CatalogFilter{Provider: provider, GPU: gpu})
			if err != nil {
				return costErr(err)
			}
			return cost.RenderCatalog(cmd.OutOrStdout(), filtered, costClock(), format)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&provider, "provider", "", "only this provider's rows (aws, gcp, azure, ...)")
	fs.StringVar(&gpu, "gpu", "", "only GPUs, instances and endpoints with this GPU (name or alias, e.g. A10G)")
	fs.StringVar(&catalog, "catalog", "", "pricing catalog YAML that extends or overrides the embedded one")
	fs.StringVar(&format, "format", cost.FormatTable, "output format: table, markdown or json")
	return cmd
}
