package cost

import (
	"fmt"
	"math"
	"os"
	"reflect"
	"strconv"
	"strings"
)

// Workload is the traffic and the operating choices a cost is computed
// for. Each field has a flag of the same name (dashes for underscores), a
// YAML key in a --workload file, and a documented default (WorkloadFields).
// Shares are fractions (0.2, not 20).
type Workload struct {
	MonthlyInferences float64 `yaml:"monthly" json:"monthly"`
	// MonthlyRequests and MonthlyOutputTokens size an LLM run's month (0:
	// not given; then --monthly is read as requests).
	MonthlyRequests     float64   `yaml:"monthly_requests" json:"monthly_requests"`
	MonthlyOutputTokens float64   `yaml:"monthly_output_tokens" json:"monthly_output_tokens"`
	PeakToAverage       float64   `yaml:"peak_to_average" json:"peak_to_average"`
	HourlyProfile       []float64 `yaml:"hourly_profile" json:"hourly_profile"`
	Headroom            float64   `yaml:"headroom" json:"headroom"`
	MinReplicas         int       `yaml:"min_replicas" json:"min_replicas"`
	Autoscale           bool      `yaml:"autoscale" json:"autoscale"`
	Regions             int       `yaml:"regions" json:"regions"`
	ModelSizeGB         float64   `yaml:"model_size_gb" json:"model_size_gb"`
	VersionsKept        int       `yaml:"versions_kept" json:"versions_kept"`
	ModelPulls          float64   `yaml:"model_pulls" json:"model_pulls"`
	ResponseBytes       float64   `yaml:"response_bytes" json:"response_bytes"`
	LogBytes            float64   `yaml:"log_bytes" json:"log_bytes"`
	LogSampling         float64   `yaml:"log_sampling" json:"log_sampling"`
	MetricSeries        float64   `yaml:"metric_series" json:"metric_series"`
	CanaryShare         float64   `yaml:"canary_share" json:"canary_share"`
	OpsOverhead         float64   `yaml:"ops_overhead" json:"ops_overhead"`
	Buffer              float64   `yaml:"buffer" json:"buffer"`
	K8sOverhead         float64   `yaml:"k8s_overhead" json:"k8s_overhead"`
	Pricing             string    `yaml:"pricing" json:"pricing"`
	SpotOverhead        float64   `yaml:"spot_overhead" json:"spot_overhead"`
	ColdStartShare      float64   `yaml:"cold_start_share" json:"cold_start_share"`
	ColdStartS          float64   `yaml:"cold_start_s" json:"cold_start_s"`
	// KWhPriceUSD and PUE price the on-premises energy line (0: no price).
	KWhPriceUSD float64 `yaml:"kwh_price" json:"kwh_price"`
	PUE         float64 `yaml:"pue" json:"pue"`

	// Origin says where each key's value came from: "default", "flag",
	// "file", or "measured" (read from a run). Keys absent are defaults.
	Origin map[string]string `yaml:"-" json:"origin"`
}

// Pricing models.
const (
	PricingOnDemand = "on-demand"
	PricingSpot     = "spot"
	PricingReserved = "reserved"
)

// WorkloadField documents one workload setting.
type WorkloadField struct {
	Key     string // YAML key; the flag is the key with '-' for '_'
	Default string
	Help    string // what it means, with its unit
}

// Flag is the command-line flag of the field.
func (f WorkloadField) Flag() string { return strings.ReplaceAll(f.Key, "_", "-") }

// Type names the field's value type as flag help shows it: float, int,
// bool, string or floats (a comma-separated list).
func (f WorkloadField) Type() string {
	idx := yamlFields(reflect.TypeOf(Workload{}))[f.Key]
	switch reflect.TypeOf(Workload{}).FieldByIndex(idx).Type.Kind() {
	case reflect.Float64:
		return "float"
	case reflect.Int:
		return "int"
	case reflect.Bool:
		return "bool"
	case reflect.Slice:
		return "floats"
	}
	return "string"
}

// WorkloadFields lists every workload setting with its default and
// meaning; the flags' --help and CATALOG.md are written from it.
var WorkloadFields = []WorkloadField{
	{"monthly", "10000000", "inferences a month (the seed's medium scale); for an LLM run, requests a month unless --monthly-requests or --monthly-output-tokens is given"},
	{"monthly_requests", "none", "LLM runs: requests a month (default: --monthly, read as requests); output tokens = requests x the run's mean output tokens per request"},
	{"monthly_output_tokens", "none", "LLM runs: output tokens a month, instead of requests"},
	{"peak_to_average", "2", "busiest hour's rate / the month's average rate"},
	{"hourly_profile", "none", "24 comma-separated relative weights, one per hour of the day; the peak is the highest hour (replaces --peak-to-average)"},
	{"headroom", "0.7", "share (0-1] of a replica's measured capacity used at peak"},
	{"min_replicas", "2", "replicas kept running at any volume (two for availability)"},
	{"autoscale", "false", "bill each hour of --hourly-profile at its own replica count (needs --hourly-profile)"},
	{"regions", "1", "regions the model is deployed in (storage copies)"},
	{"model_size_gb", "1", "model size in GB (1e9 bytes); a run's weight_bytes is used when this is not given"},
	{"versions_kept", "3", "model versions kept in storage"},
	{"model_pulls", "30", "model downloads across regions a month (priced as inter-region transfer)"},
	{"response_bytes", "1024", "response bytes per inference sent to clients (a run's measured size is used when this is not given)"},
	{"log_bytes", "512", "log bytes written per logged inference"},
	{"log_sampling", "0.1", "share [0-1] of inferences logged"},
	{"metric_series", "50", "custom metric series kept"},
	{"canary_share", "0.05", "share of compute spent on A/B or canary copies"},
	{"ops_overhead", "0.1", "operations overhead as a share of compute, storage, transfer, monitoring and A/B"},
	{"buffer", "0.2", "contingency buffer as a share of everything above"},
	{"k8s_overhead", "0.1", "share [0-1) of each Kubernetes node taken by system pods"},
	{"pricing", PricingOnDemand, "instance pricing: on-demand, spot or reserved (1-year)"},
	{"spot_overhead", "0.05", "extra capacity share kept on spot for interruptions"},
	{"cold_start_share", "0.01", "share [0-1] of serverless requests that start a cold instance"},
	{"cold_start_s", "2", "seconds a serverless cold start is billed for"},
	{"kwh_price", "none", "USD per kWh of electricity: prices the on-premises energy line from the run's measured joules (never mixed into cloud prices)"},
	{"pue", "1", "power usage effectiveness applied to the GPUs' measured board power (1 = the GPUs alone; give your data centre's, e.g. 1.4)"},
}

// DefaultWorkload returns every field at its documented default.
func DefaultWorkload() Workload {
	w := Workload{Origin: map[string]string{}}
	for _, f := range WorkloadFields {
		if f.Default == "none" {
			continue
		}
		if err := w.set(f.Key, f.Default); err != nil {
			panic("workload default " + f.Key + ": " + err.Error()) // a bug in WorkloadFields
		}
	}
	return w
}

// Set sets one field from text, as a flag gives it, and records origin.
func (w *Workload) Set(key, value, origin string) error {
	if err := w.set(key, value); err != nil {
		return err
	}
	if err := w.checkField(key); err != nil {
		return err
	}
	if (key == "monthly_requests" || key == "monthly_output_tokens" || key == "kwh_price") && value != "" && w.Value(key) == "0" {
		return fmt.Errorf("--%s: want a number above 0, got 0", strings.ReplaceAll(key, "_", "-"))
	}
	w.setOrigin(key, origin)
	return nil
}

func (w *Workload) setOrigin(key, origin string) {
	if w.Origin == nil {
		w.Origin = map[string]string{}
	}
	w.Origin[key] = origin
}

func (w *Workload) set(key, value string) error {
	idx, ok := yamlFields(reflect.TypeOf(*w))[key]
	if !ok {
		return fmt.Errorf("unknown workload setting %q", key)
	}
	v := reflect.ValueOf(w).Elem().FieldByIndex(idx)
	value = strings.TrimSpace(value)
	switch v.Kind() {
	case reflect.Float64:
		f, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return fmt.Errorf("%s: %q is not a number", key, value)
		}
		v.SetFloat(f)
	case reflect.Int:
		n, err := strconv.Atoi(value)
		if err != nil {
			return fmt.Errorf("%s: %q is not a whole number", key, value)
		}
		v.SetInt(int64(n))
	case reflect.Bool:
		b, err := strconv.ParseBool(value)
		if err != nil {
			return fmt.Errorf("%s: %q is not true or false", key, value)
		}
		v.SetBool(b)
	case reflect.String:
		v.SetString(value)
	case reflect.Slice:
		var out []float64
		for _, part := range strings.Split(value, ",") {
			f, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
			if err != nil {
				return fmt.Errorf("%s: %q is not a number", key, part)
			}
			out = append(out, f)
		}
		v.Set(reflect.ValueOf(out))
	}
	return nil
}

// Value returns a field's value as text, the way output prints it.
func (w *Workload) Value(key string) string {
	idx, ok := yamlFields(reflect.TypeOf(*w))[key]
	if !ok {
		return ""
	}
	v := reflect.ValueOf(*w).FieldByIndex(idx)
	switch v.Kind() {
	case reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'f', -1, 64)
	case reflect.Slice:
		if v.Len() == 0 {
			return "none"
		}
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = strconv.FormatFloat(v.Index(i).Float(), 'g', -1, 64)
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprint(v.Interface())
}

// DefaultsUsed lists "key=value" for each setting left at its default, so
// output can say which defaults a figure rests on.
func (w *Workload) DefaultsUsed() []string {
	out := []string{}
	for _, f := range WorkloadFields {
		if o := w.Origin[f.Key]; o == "" || o == "default" {
			if f.Default == "none" || (f.Key == "peak_to_average" && len(w.HourlyProfile) > 0) {
				continue
			}
			if (f.Key == "autoscale" && !w.Autoscale) || (f.Key == "pue" && w.KWhPriceUSD == 0) {
				continue
			}
			out = append(out, f.Key+"="+w.Value(f.Key))
		}
	}
	return out
}

// checkField checks one field's range; the message names the flag.
func (w *Workload) checkField(key string) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("--%s: "+format, append([]any{strings.ReplaceAll(key, "_", "-")}, args...)...)
	}
	finite := func(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
	share := func(f float64, hiOpen bool) error {
		if !finite(f) || f < 0 || f > 1 || (hiOpen && f == 1) {
			if hiOpen {
				return bad("want a share in [0, 1) (a fraction, 0.2 not 20), got %g", f)
			}
			return bad("want a share in [0, 1] (a fraction, 0.2 not 20), got %g", f)
		}
		return nil
	}
	nonNeg := func(f float64) error {
		if !finite(f) || f < 0 {
			return bad("want 0 or more, got %g", f)
		}
		return nil
	}
	switch key {
	case "monthly":
		if !finite(w.MonthlyInferences) || w.MonthlyInferences <= 0 {
			return bad("want a number of inferences above 0, got %g", w.MonthlyInferences)
		}
	case "peak_to_average":
		if !finite(w.PeakToAverage) || w.PeakToAverage < 1 {
			return bad("want 1 or more (the peak is at least the average), got %g", w.PeakToAverage)
		}
	case "hourly_profile":
		return checkProfile(w.HourlyProfile)
	case "headroom":
		if !finite(w.Headroom) || w.Headroom <= 0 || w.Headroom > 1 {
			return bad("want a share in (0, 1], got %g", w.Headroom)
		}
	case "min_replicas", "regions", "versions_kept":
		n := map[string]int{"min_replicas": w.MinReplicas, "regions": w.Regions, "versions_kept": w.VersionsKept}[key]
		if n < 1 {
			return bad("want 1 or more, got %d", n)
		}
	case "pue":
		if !finite(w.PUE) || w.PUE < 1 {
			return bad("want 1 or more (facility power over IT power), got %g", w.PUE)
		}
	case "kwh_price", "monthly_requests", "monthly_output_tokens":
		return nonNeg(reflect.ValueOf(*w).FieldByIndex(yamlFields(reflect.TypeOf(*w))[key]).Float())
	case "model_size_gb", "model_pulls", "response_bytes", "log_bytes", "metric_series", "ops_overhead", "buffer", "spot_overhead", "cold_start_s":
		return nonNeg(reflect.ValueOf(*w).FieldByIndex(yamlFields(reflect.TypeOf(*w))[key]).Float())
	case "log_sampling", "canary_share", "cold_start_share":
		return share(reflect.ValueOf(*w).FieldByIndex(yamlFields(reflect.TypeOf(*w))[key]).Float(), false)
	case "k8s_overhead":
		return share(w.K8sOverhead, true)
	case "pricing":
		if w.Pricing != PricingOnDemand && w.Pricing != PricingSpot && w.Pricing != PricingReserved {
			return bad("want on-demand, spot or reserved, got %q", w.Pricing)
		}
	}
	return nil
}

func checkProfile(p []float64) error {
	if len(p) == 0 {
		return nil
	}
	if len(p) != 24 {
		return fmt.Errorf("--hourly-profile: want 24 weights (one per hour), got %d", len(p))
	}
	sum := 0.0
	for i, x := range p {
		if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
			return fmt.Errorf("--hourly-profile: hour %d weight %g must be 0 or more", i, x)
		}
		sum += x
	}
	if sum <= 0 {
		return fmt.Errorf("--hourly-profile: the weights add up to 0; at least one hour must carry traffic")
	}
	return nil
}

// Validate checks every field and the rules between fields.
func (w *Workload) Validate() error {
	for _, f := range WorkloadFields {
		if err := w.checkField(f.Key); err != nil {
			return err
		}
	}
	if len(w.HourlyProfile) > 0 && w.Origin["peak_to_average"] != "" && w.Origin["peak_to_average"] != "default" {
		return fmt.Errorf("give --peak-to-average or --hourly-profile, not both: the profile sets the peak")
	}
	if w.MonthlyRequests > 0 && w.MonthlyOutputTokens > 0 {
		return fmt.Errorf("give --monthly-requests or --monthly-output-tokens, not both: one sizes the other through the run's tokens per request")
	}
	if w.Autoscale && len(w.HourlyProfile) == 0 {
		return fmt.Errorf("--autoscale needs --hourly-profile (24 weights): autoscaling follows the hours of the day")
	}
	return nil
}

// LoadWorkload reads a --workload YAML file over the defaults.
func LoadWorkload(path string) (Workload, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Workload{}, fmt.Errorf("read workload: %w", err)
	}
	return ParseWorkload(path, data)
}

// ParseWorkload reads workload YAML (keys as in WorkloadFields) over the
// defaults. Unknown keys, wrong types and values out of range are refused
// with the file, the line and the reason.
func ParseWorkload(file string, data []byte) (Workload, error) {
	w := DefaultWorkload()
	top, err := parseYAMLDoc(file, data)
	if err != nil {
		return Workload{}, err
	}
	d := &strictDecoder{file: file}
	d.decodeStruct(top, reflect.ValueOf(&w).Elem(), "")
	if len(d.errs) == 0 {
		for i := 0; i+1 < len(top.Content); i += 2 {
			k := resolve(top.Content[i])
			w.setOrigin(k.Value, "file")
			if err := w.checkField(k.Value); err != nil {
				d.fail(k, "", "%s: %s", k.Value, strings.TrimPrefix(err.Error(), "--"+strings.ReplaceAll(k.Value, "_", "-")+": "))
			}
		}
	}
	if len(d.errs) == 0 {
		if err := w.Validate(); err != nil {
			d.fail(top, "", "%v", err)
		}
	}
	if err := joinLineErrors(d.errs); err != nil {
		return Workload{}, err
	}
	return w, nil
}
