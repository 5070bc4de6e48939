package cost

// Every formula of the cost model (DESIGN "Cost model") lives in this file,
// as small pure functions tested against values worked out by hand
// (formulas_test.go). Money is USD; rates are inferences/s; a month is 730
// hours, as cloud price lists count it.

import "math"

const (
	// HoursPerMonth is the billing month of cloud price lists.
	HoursPerMonth = 730.0
	// SecondsPerHour converts hourly prices to per-second capacity.
	SecondsPerHour = 3600.0
	// bytesPerGB is the decimal GB that transfer and storage are sold in.
	bytesPerGB = 1e9
	// bytesPerMB is the serverless platforms' MB (2^20 bytes); they bill
	// GB-seconds with 1024 MB to the GB.
	bytesPerMB = 1 << 20
	mbPerGB    = 1024.0
)

// ceilCount rounds a replica or instance demand up to a whole number,
// ignoring float noise below one part in 1e12 (8.000000000001 is 8).
func ceilCount(x float64) int {
	if x <= 0 || math.IsNaN(x) {
		return 0
	}
	if x > 1e15 {
		return int(1e15) // more than any catalog could bill; keeps int conversion defined
	}
	return int(math.Ceil(x * (1 - 1e-12)))
}

// AverageRatePerS is the month's average rate: V / (730 x 3600).
func AverageRatePerS(monthly float64) float64 {
	return monthly / (HoursPerMonth * SecondsPerHour)
}

// HourlyRatesPerS spreads the month's volume over the 24 hours of a day by
// the profile's relative weights: hour i runs at average x 24 x w_i / sum(w).
func HourlyRatesPerS(monthly float64, profile []float64) []float64 {
	avg := AverageRatePerS(monthly)
	sum := 0.0
	for _, w := range profile {
		sum += w
	}
	out := make([]float64, len(profile))
	for i, w := range profile {
		out[i] = avg * float64(len(profile)) * w / sum
	}
	return out
}

// PeakRatePerS is the rate the replicas are sized for: the average times
// the peak-to-average ratio, or the highest hour of a 24-value profile.
func PeakRatePerS(monthly, peakToAverage float64, profile []float64) float64 {
	if len(profile) > 0 {
		peak := 0.0
		for _, r := range HourlyRatesPerS(monthly, profile) {
			peak = math.Max(peak, r)
		}
		return peak
	}
	return AverageRatePerS(monthly) * peakToAverage
}

// PricePerReplicaHour is an instance's hourly price shared by the replicas
// it holds (its GPUs, for a run that measured one GPU).
func PricePerReplicaHour(instanceUSDPerHour float64, replicasPerInstance int) float64 {
	return instanceUSDPerHour / float64(max(1, replicasPerInstance))
}

// UnitCostUSD is the cost of one inference at full use: price per
// replica-hour / (C x 3600).
func UnitCostUSD(pricePerReplicaHour, capacityPerS float64) float64 {
	return pricePerReplicaHour / (capacityPerS * SecondsPerHour)
}

// Replicas is max(m, ceil(demand / (C x h))): enough replicas to serve the
// demand at headroom h of their capacity, never fewer than the minimum.
func Replicas(demandPerS, capacityPerS, headroom float64, minReplicas int) int {
	return max(minReplicas, ceilCount(demandPerS/(capacityPerS*headroom)))
}

// InstancesFor is max(ceil(R / replicas per instance), min(m, R)): whole
// instances, and the replicas kept for availability (the minimum m) on
// different machines, since two replicas packed on one 8-GPU box are not
// redundant.
func InstancesFor(replicas, replicasPerInstance, minReplicas int) int {
	return max(ceilCount(float64(replicas)/float64(max(1, replicasPerInstance))), min(minReplicas, replicas))
}

// MonthlyComputeUSD is instances x hourly price x 730.
func MonthlyComputeUSD(instances int, usdPerHour float64) float64 {
	return float64(instances) * usdPerHour * HoursPerMonth
}

// SpotDemandPerS adds the spot overhead: extra capacity kept for
// interruptions, demand x (1 + overhead).
func SpotDemandPerS(demandPerS, spotOverhead float64) float64 {
	return demandPerS * (1 + spotOverhead)
}

// K8sCapacityPerS is a replica's capacity on a Kubernetes CPU node once
// system pods take their share: C x (1 - overhead). On a GPU node the pods
// take CPU and memory, not GPU time: the capacity stays C.
func K8sCapacityPerS(capacityPerS, k8sOverhead float64) float64 {
	return capacityPerS * (1 - k8sOverhead)
}

// ControlPlaneMonthlyUSD is a cluster's control-plane fee for a month.
func ControlPlaneMonthlyUSD(usdPerClusterHour float64) float64 {
	return usdPerClusterHour * HoursPerMonth
}

// Fleet is what a deployment runs and pays for compute.
type Fleet struct {
	// Replicas and Instances are those of the peak hour.
	Replicas  int
	Instances int
	// Spread: the minimum replicas, spread one to an instance for
	// availability, needed more instances than packing them would.
	Spread bool
	// InstanceHours is the month's billed instance-hours.
	InstanceHours float64
	MonthlyUSD    float64
}

// SizeFleet sizes a deployment. Without autoscaling every hour runs the
// peak's instances; the minimum replicas are always on as many instances. With autoscaling each hour of the profile runs its own
// replica count (each a 24th of the month's 730 hours), never below the
// minimum.
func SizeFleet(hourlyRates []float64, peakPerS, capacityPerS, headroom float64, minReplicas, replicasPerInstance int, usdPerHour float64, autoscale bool) Fleet {
	r := Replicas(peakPerS, capacityPerS, headroom, minReplicas)
	n := InstancesFor(r, replicasPerInstance, minReplicas)
	f := Fleet{Replicas: r, Instances: n, InstanceHours: float64(n) * HoursPerMonth, Spread: n > InstancesFor(r, replicasPerInstance, 0)}
	if autoscale && len(hourlyRates) > 0 {
		hours := 0.0
		for _, rate := range hourlyRates {
			hours += float64(InstancesFor(Replicas(rate, capacityPerS, headroom, minReplicas), replicasPerInstance, minReplicas))
		}
		f.InstanceHours = hours * HoursPerMonth / float64(len(hourlyRates))
	}
	f.MonthlyUSD = f.InstanceHours * usdPerHour
	return f
}

// CPUCapacityPerS scales a capacity measured on a host with measuredCPUs
// logical CPUs to an instance with vcpu vCPUs, linearly: an estimate, since
// real scaling is rarely linear.
func CPUCapacityPerS(measuredPerS float64, measuredCPUs, vcpu int) float64 {
	return measuredPerS * float64(vcpu) / float64(measuredCPUs)
}

// ServerlessMemoryMB is the memory a function is given: the measured RSS in
// MB (2^20 bytes) rounded up to the platform's step (1 MB when it has none),
// at least its minimum.
func ServerlessMemoryMB(rssBytes, stepMB, minMB float64) float64 {
	if stepMB <= 0 {
		stepMB = 1
	}
	mb := math.Ceil(rssBytes/bytesPerMB/stepMB-1e-9) * stepMB
	return math.Max(mb, minMB)
}

// BilledMS is a duration as a platform that rounds each invocation bills
// it: rounded up to the increment (1 ms on Lambda); as measured when the
// increment is 0. Float noise below a part in 1e9 does not round up.
func BilledMS(ms, incrementMS float64) float64 {
	if incrementMS <= 0 {
		return ms
	}
	return math.Ceil(ms/incrementMS-1e-9) * incrementMS
}

// ServerlessUsage is what a month of serverless inference bills.
type ServerlessUsage struct {
	Requests        float64
	GBSeconds       float64
	VCPUSeconds     float64
	InstanceSeconds float64
	RequestsUSD     float64
	GBSecondsUSD    float64
	VCPUUSD         float64
	InstanceUSD     float64
	MonthlyUSD      float64
}

// ServerlessSeconds is the time V requests of one inference each (batch
// 1) keep a function busy: V x latency + V x cold-start share x cold-start
// seconds, one request at a time per instance.
func ServerlessSeconds(monthly, latencyMS, coldStartShare, coldStartS float64) float64 {
	return monthly*latencyMS/1000 + monthly*coldStartShare*coldStartS
}

// ServerlessMonthly prices V requests of one inference each (batch 1):
// requests x per-request price + GB-seconds x per-GB-second price, where
// GB-seconds = ServerlessSeconds x memory in GB of 1024 MB; vCPU-seconds
// (seconds x vCPUs) and instance-seconds (the seconds themselves, for a
// platform that bills an instance, a GPU one, while it serves) likewise
// for the platforms that bill them.
func ServerlessMonthly(monthly, latencyMS, memoryMB, coldStartShare, coldStartS, perMillionRequestsUSD, perGBSecondUSD, perVCPUSecondUSD, vcpu, perInstanceSecondUSD float64) ServerlessUsage {
	billedS := ServerlessSeconds(monthly, latencyMS, coldStartShare, coldStartS)
	u := ServerlessUsage{
		Requests:    monthly,
		GBSeconds:   billedS * memoryMB / mbPerGB,
		VCPUSeconds: billedS * vcpu,
	}
	if perInstanceSecondUSD > 0 {
		u.InstanceSeconds = billedS
	}
	u.RequestsUSD = u.Requests / 1e6 * perMillionRequestsUSD
	u.GBSecondsUSD = u.GBSeconds * perGBSecondUSD
	u.VCPUUSD = u.VCPUSeconds * perVCPUSecondUSD
	u.InstanceUSD = u.InstanceSeconds * perInstanceSecondUSD
	u.MonthlyUSD = u.RequestsUSD + u.GBSecondsUSD + u.VCPUUSD + u.InstanceUSD
	return u
}

// StorageUSD = model size GB x versions kept x regions x $/GB-month.
func StorageUSD(modelSizeGB float64, versionsKept, regions int, usdPerGBMonth float64) float64 {
	return modelSizeGB * float64(versionsKept) * float64(regions) * usdPerGBMonth
}

// TransferUSD = V x response bytes / 1e9 x egress $/GB + model size GB x
// model pulls a month x inter-region $/GB.
func TransferUSD(monthly, responseBytes, egressUSDPerGB, modelSizeGB, modelPulls, interRegionUSDPerGB float64) float64 {
	return monthly*responseBytes/bytesPerGB*egressUSDPerGB + modelSizeGB*modelPulls*interRegionUSDPerGB
}

// MonitoringUSD = metric series x $/series-month + V x log bytes x log
// sampling / 1e9 x ingest $/GB.
func MonitoringUSD(metricSeries, usdPerSeriesMonth, monthly, logBytes, logSampling, ingestUSDPerGB float64) float64 {
	return metricSeries*usdPerSeriesMonth + monthly*logBytes*logSampling/bytesPerGB*ingestUSDPerGB
}

// TCO is a month's total cost of ownership, line by line, USD.
type TCO struct {
	ComputeUSD    float64 `json:"compute_usd"`
	StorageUSD    float64 `json:"storage_usd"`
	TransferUSD   float64 `json:"transfer_usd"`
	MonitoringUSD float64 `json:"monitoring_usd"`
	ABUSD         float64 `json:"ab_usd"`
	OverheadUSD   float64 `json:"overhead_usd"`
	BufferUSD     float64 `json:"buffer_usd"`
	TotalUSD      float64 `json:"total_usd"`
}

// BuildTCO adds the derived lines: A/B = canary share x compute; overhead =
// ops share x (compute + storage + transfer + monitoring + A/B); buffer =
// buffer share x (all of the above, overhead included); total = the sum.
func BuildTCO(compute, storage, transfer, monitoring, canaryShare, opsOverhead, buffer float64) TCO {
	t := TCO{ComputeUSD: compute, StorageUSD: storage, TransferUSD: transfer, MonitoringUSD: monitoring}
	t.ABUSD = canaryShare * compute
	t.OverheadUSD = opsOverhead * (compute + storage + transfer + monitoring + t.ABUSD)
	t.BufferUSD = buffer * (compute + storage + transfer + monitoring + t.ABUSD + t.OverheadUSD)
	t.TotalUSD = compute + storage + transfer + monitoring + t.ABUSD + t.OverheadUSD + t.BufferUSD
	return t
}

// Shares returns each line's fraction of the total (all 0 when it is 0).
func (t TCO) Shares() map[string]float64 {
	lines := map[string]float64{"compute": t.ComputeUSD, "storage": t.StorageUSD, "transfer": t.TransferUSD,
		"monitoring": t.MonitoringUSD, "ab": t.ABUSD, "overhead": t.OverheadUSD, "buffer": t.BufferUSD}
	out := map[string]float64{}
	for k, v := range lines {
		out[k] = 0
		if t.TotalUSD > 0 {
			out[k] = v / t.TotalUSD
		}
	}
	return out
}

// UtilizationPercent is the month's average rate over the capacity paid
// for: average / (mean instances x replicas per instance x a replica's
// capacity) x 100, where mean instances = billed instance-hours / 730.
func UtilizationPercent(averagePerS, instanceHours float64, replicasPerInstance int, capacityPerS float64) float64 {
	paid := PaidCapacityPerS(instanceHours, replicasPerInstance, capacityPerS)
	if paid <= 0 {
		return 0
	}
	return averagePerS / paid * 100
}

// PaidCapacityPerS is the capacity a month of instances pays for: mean
// instances (instance-hours / 730) x replicas per instance x capacity.
func PaidCapacityPerS(instanceHours float64, replicasPerInstance int, capacityPerS float64) float64 {
	return instanceHours / HoursPerMonth * float64(max(1, replicasPerInstance)) * capacityPerS
}

// joulesPerKWh converts energy: 1 kWh = 3.6e6 J.
const joulesPerKWh = 3.6e6

// EnergyKWh is a month's electricity for the work: units x joules per
// unit x PUE / 3.6e6 (the GPUs' measured board power, scaled to the
// facility by the power usage effectiveness).
func EnergyKWh(units, joulesPerUnit, pue float64) float64 {
	return units * joulesPerUnit * pue / joulesPerKWh
}

// MarginPercent is how much more the runner-up costs than the cheapest:
// (runner-up / cheapest - 1) x 100.
func MarginPercent(cheapest, runnerUp float64) float64 {
	return (runnerUp/cheapest - 1) * 100
}

// SavingPercent is a saving as a share of the cost before it, x 100.
func SavingPercent(before, after float64) float64 {
	if before <= 0 {
		return 0
	}
	return (before - after) / before * 100
}

// Crossover grid: volumes from 1e3 to 1e11 a month, ten points a decade,
// refined by bisection until the bracket is within 1%.
const (
	crossoverLow       = 1e3
	crossoverHigh      = 1e11
	crossoverPerDecade = 10
	crossoverTolerance = 1.01
)

// Crossover returns the lowest monthly volume at which dedicated(V) costs
// less than serverless(V), scanning a log grid from 1e3 to 1e11 and
// bisecting the first bracket to 1%. ok is false when it never happens in
// the range; below is true when dedicated is already cheaper at 1e3 (no
// crossing to report: serverless never wins in the range).
func Crossover(dedicated, serverless func(monthly float64) float64) (volume float64, ok, below bool) {
	steps := int(math.Round(math.Log10(crossoverHigh/crossoverLow) * crossoverPerDecade))
	prev := 0.0
	for i := 0; i <= steps; i++ {
		v := crossoverLow * math.Pow(10, float64(i)/crossoverPerDecade)
		if dedicated(v) < serverless(v) {
			if i == 0 {
				return 0, false, true
			}
			lo, hi := prev, v
			for hi/lo > crossoverTolerance {
				mid := math.Sqrt(lo * hi)
				if dedicated(mid) < serverless(mid) {
					hi = mid
				} else {
					lo = mid
				}
			}
			return hi, true, false
		}
		prev = v
	}
	return 0, false, false
}
