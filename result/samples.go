package result

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// SamplesFile is the run directory's CSV of every sampler reading.
const SamplesFile = "samples.csv"

// Sample is one sampler reading of the machine. Host CPU % is of the whole
// machine (0-100); process and generator CPU % are of one core. Process
// fields are -1 when the target's PID is unknown.
type Sample struct {
	Time time.Time
	// Step is the index of the step being measured, -1 outside a step
	// (warm-up, start-up, between steps).
	Step                int
	HostCPUPercent      float64
	HostMemoryUsedBytes float64
	ProcessCPUPercent   float64
	ProcessRSSBytes     float64
	GeneratorCPUPercent float64
	GeneratorRSSBytes   float64
	GPUs                []GPUSample
	// Scraped holds the --scrape figures read back from samples.csv, by
	// column name (ScrapeColumnPrefix + "NAME.figure"); nil when the file
	// has none. A missing figure has no key. Writers pass scraped columns
	// as SampleColumns instead, so that samples in memory stay small.
	Scraped map[string]float64
}

// ScrapeColumnPrefix starts the name of every samples.csv column that holds
// a --scrape figure: "scrape.NAME.cpu_percent", "scrape.NAME.gpu0.
// utilization_percent", "scrape.NAME.raw.<series>" (--scrape-keep).
const ScrapeColumnPrefix = "scrape."

// SampleColumns adds columns to samples.csv, valued by each row's time:
// the --scrape figures, read on their own schedule, are matched to the
// samplers' rows when the file is written.
type SampleColumns interface {
	// Names lists the columns, each starting with ScrapeColumnPrefix.
	Names() []string
	// Fill sets row[i] to the value of Names()[i] at time t, or leaves it
	// "" when there is none.
	Fill(t time.Time, row []string)
}

// GPUSample is one GPU's reading within a Sample.
type GPUSample struct {
	Index              int
	UtilizationPercent float64
	MemoryUsedBytes    float64
	MemoryTotalBytes   float64
	PowerWatts         float64
	TemperatureC       float64
	SMClockMHz         float64
}

var sampleHeader = []string{"time_unix_ms", "step", "host_cpu_percent", "host_memory_used_bytes",
	"process_cpu_percent", "process_rss_bytes", "generator_cpu_percent", "generator_rss_bytes"}

var gpuFields = []string{"utilization_percent", "memory_used_bytes", "memory_total_bytes", "power_watts", "temperature_c", "sm_clock_mhz"}

// WriteSamplesCSV writes samples with a header; gpus is the number of GPU
// column groups (gpu0_..., gpu1_...), the same on every row. The scraped
// columns follow, sorted by name: those of the samples' own Scraped maps
// (a resumed run's earlier rows) and those of extra; a row's value comes
// from its map when it has one, else from extra.
func WriteSamplesCSV(w io.Writer, samples []Sample, gpus int, extra ...SampleColumns) error {
	cw := csv.NewWriter(w)
	header := append([]string{}, sampleHeader...)
	for g := 0; g < gpus; g++ {
		for _, f := range gpuFields {
			header = append(header, fmt.Sprintf("gpu%d_%s", g, f))
		}
	}
	scraped := scrapedColumns(samples, extra)
	for _, c := range scraped.names {
		header = append(header, c)
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, s := range samples {
		rec := []string{strconv.FormatInt(s.Time.UnixMilli(), 10), strconv.Itoa(s.Step),
			fmtFloat(s.HostCPUPercent), fmtFloat(s.HostMemoryUsedBytes),
			fmtFloat(s.ProcessCPUPercent), fmtFloat(s.ProcessRSSBytes),
			fmtFloat(s.GeneratorCPUPercent), fmtFloat(s.GeneratorRSSBytes)}
		for g := 0; g < gpus; g++ {
			if g < len(s.GPUs) {
				x := s.GPUs[g]
				rec = append(rec, fmtFloat(x.UtilizationPercent), fmtFloat(x.MemoryUsedBytes), fmtFloat(x.MemoryTotalBytes),
					fmtFloat(x.PowerWatts), fmtFloat(x.TemperatureC), fmtFloat(x.SMClockMHz))
			} else {
				rec = append(rec, "", "", "", "", "", "")
			}
		}
		rec = append(rec, scraped.row(s)...)
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ReadSamplesCSV reads what WriteSamplesCSV wrote.
func ReadSamplesCSV(r io.Reader) ([]Sample, error) {
	recs, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("samples CSV: %w", err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("samples CSV: empty (no header)")
	}
	head := recs[0]
	if len(head) < len(sampleHeader) || strings.Join(head[:len(sampleHeader)], ",") != strings.Join(sampleHeader, ",") {
		return nil, fmt.Errorf("samples CSV: unexpected header %q", strings.Join(head, ","))
	}
	// Scraped columns (files written before --scrape have none) come last.
	scrapeFrom := len(head)
	for j := len(sampleHeader); j < len(head); j++ {
		if strings.HasPrefix(head[j], ScrapeColumnPrefix) {
			scrapeFrom = j
			break
		}
	}
	for j := scrapeFrom; j < len(head); j++ {
		if !strings.HasPrefix(head[j], ScrapeColumnPrefix) {
			return nil, fmt.Errorf("samples CSV: column %q after the scraped columns", head[j])
		}
	}
	extra := scrapeFrom - len(sampleHeader)
	if extra%len(gpuFields) != 0 {
		return nil, fmt.Errorf("samples CSV: %d GPU columns is not a multiple of %d", extra, len(gpuFields))
	}
	gpus := extra / len(gpuFields)
	out := make([]Sample, 0, len(recs)-1)
	for i, rec := range recs[1:] {
		line := i + 2
		if len(rec) != len(head) {
			return nil, fmt.Errorf("samples CSV line %d: %d fields, want %d", line, len(rec), len(head))
		}
		f := make([]float64, len(rec))
		for j, v := range rec {
			if v == "" {
				continue
			}
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return nil, fmt.Errorf("samples CSV line %d column %s: %w", line, head[j], err)
			}
			f[j] = x
		}
		s := Sample{Time: time.UnixMilli(int64(f[0])), Step: int(f[1]),
			HostCPUPercent: f[2], HostMemoryUsedBytes: f[3], ProcessCPUPercent: f[4], ProcessRSSBytes: f[5],
			GeneratorCPUPercent: f[6], GeneratorRSSBytes: f[7]}
		for g := 0; g < gpus; g++ {
			b := len(sampleHeader) + g*len(gpuFields)
			if rec[b] == "" {
				continue
			}
			s.GPUs = append(s.GPUs, GPUSample{Index: g, UtilizationPercent: f[b], MemoryUsedBytes: f[b+1],
				MemoryTotalBytes: f[b+2], PowerWatts: f[b+3], TemperatureC: f[b+4], SMClockMHz: f[b+5]})
		}
		for j := scrapeFrom; j < len(rec); j++ {
			if rec[j] == "" {
				continue
			}
			if s.Scraped == nil {
				s.Scraped = map[string]float64{}
			}
			s.Scraped[head[j]] = f[j]
		}
		out = append(out, s)
	}
	return out, nil
}

// scrapedCols are the scraped columns of one samples.csv.
type scrapedCols struct {
	names []string
	// from maps each column to its provider and the column's index there;
	// -1 for columns only the samples' own maps hold.
	from  []colSource
	extra []SampleColumns
	bufs  [][]string
	out   []string
}

type colSource struct{ provider, index int }

func scrapedColumns(samples []Sample, extra []SampleColumns) *scrapedCols {
	sc := &scrapedCols{}
	where := map[string]colSource{}
	for _, e := range extra {
		if e == nil {
			continue
		}
		p := len(sc.extra)
		names := e.Names()
		for i, n := range names {
			if _, ok := where[n]; !ok {
				where[n] = colSource{p, i}
			}
		}
		sc.extra = append(sc.extra, e)
		sc.bufs = append(sc.bufs, make([]string, len(names)))
	}
	for _, s := range samples {
		for k := range s.Scraped {
			if _, ok := where[k]; !ok {
				where[k] = colSource{-1, -1}
			}
		}
	}
	for n := range where {
		sc.names = append(sc.names, n)
	}
	slices.Sort(sc.names)
	for _, n := range sc.names {
		sc.from = append(sc.from, where[n])
	}
	sc.out = make([]string, len(sc.names))
	return sc
}

// row is the scraped part of s's row (reused between calls).
func (sc *scrapedCols) row(s Sample) []string {
	if len(sc.names) == 0 {
		return nil
	}
	for p, e := range sc.extra {
		clear(sc.bufs[p])
		e.Fill(s.Time, sc.bufs[p])
	}
	for i, n := range sc.names {
		sc.out[i] = ""
		if v, ok := s.Scraped[n]; ok {
			sc.out[i] = fmtFloat(v)
			continue
		}
		if src := sc.from[i]; src.provider >= 0 {
			sc.out[i] = sc.bufs[src.provider][src.index]
		}
	}
	return sc.out
}
