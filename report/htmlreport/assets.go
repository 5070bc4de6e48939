package htmlreport

import (
	_ "embed"
	"html/template"
)

// The chart library, inlined into every report (assets/echarts/README.md
// says where it came from and how to update it).
var (
	//go:embed assets/echarts/echarts.common.min.js
	echartsJS string
	// LibraryName names it in every report's footer.
	LibraryName = "Apache ECharts 6.1.0 (Apache License 2.0)"
)

// The page's own style and the script that hands each chart's data to the
// library (no drawing of its own).
var (
	//go:embed assets/report.css
	reportCSS string
	//go:embed assets/report.js
	reportJS string
	//go:embed assets/report.html.tmpl
	pageTemplate string
)

// page is parsed once, when the program starts.
var page = template.Must(template.New("report").Parse(pageTemplate))
