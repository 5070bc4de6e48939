package modelserver

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
)

// Platform is the "platform" the model metadata names.
const Platform = "infercost_go_mlp"

// ModelVersion is the only version of the served model.
const ModelVersion = "1"

// TensorMetadata describes one input or output; -1 in Shape is the batch
// dimension.
type TensorMetadata struct {
	Name     string  `json:"name"`
	Datatype string  `json:"datatype"`
	Shape    []int64 `json:"shape"`
}

// ModelMetadata is the body of GET /v2/models/{name}. Parameters carries
// what the protocol has no field for; the cost engine reads its
// weight_bytes as the model size.
type ModelMetadata struct {
	Name       string           `json:"name"`
	Versions   []string         `json:"versions"`
	Platform   string           `json:"platform"`
	Inputs     []TensorMetadata `json:"inputs"`
	Outputs    []TensorMetadata `json:"outputs"`
	Parameters ModelParameters  `json:"parameters"`
}

// ModelParameters are the model's and the server's figures.
type ModelParameters struct {
	// Accuracy is the held-out accuracy, a fraction.
	Accuracy       float64 `json:"accuracy"`
	HeldOutRows    int     `json:"held_out_rows"`
	ParameterCount int     `json:"parameter_count"`
	// WeightBytes is the size of the float32 parameters.
	WeightBytes     int64   `json:"weight_bytes"`
	Layers          []int   `json:"layers"`
	Preset          string  `json:"preset"`
	Dataset         string  `json:"dataset"`
	InputRange      []int   `json:"input_range"`
	MaxBatchSize    int     `json:"max_batch_size"`
	MaxQueueDelayMS float64 `json:"max_queue_delay_ms"`
	Instances       int     `json:"instances"`
	MaxQueue        int     `json:"max_queue"`
	MaxBodyBytes    int64   `json:"max_body_bytes"`
}

func modelMetadata(cfg Config, info ModelInfo) ModelMetadata {
	return ModelMetadata{
		Name:     cfg.ModelName,
		Versions: []string{ModelVersion},
		Platform: Platform,
		Inputs:   []TensorMetadata{{Name: InputName, Datatype: datatypeFP32, Shape: []int64{-1, InputWidth}}},
		Outputs: []TensorMetadata{
			{Name: OutputProbs, Datatype: datatypeFP32, Shape: []int64{-1, OutputWidth}},
			{Name: OutputLabel, Datatype: datatypeINT64, Shape: []int64{-1}},
		},
		Parameters: ModelParameters{
			Accuracy:        info.Accuracy,
			HeldOutRows:     info.HeldOutRows,
			ParameterCount:  info.ParameterCount,
			WeightBytes:     info.WeightBytes,
			Layers:          info.Layers,
			Preset:          info.Preset,
			Dataset:         "UCI optical recognition of handwritten digits (Alpaydin and Kaynak 1998, CC BY 4.0)",
			InputRange:      []int{0, PixelMax},
			MaxBatchSize:    cfg.MaxBatchSize,
			MaxQueueDelayMS: float64(cfg.MaxQueueDelay.Microseconds()) / 1000,
			Instances:       cfg.Instances,
			MaxQueue:        cfg.MaxQueue,
			MaxBodyBytes:    cfg.MaxBodyBytes,
		},
	}
}

// appendInferResponse writes the v2 infer response: the outputs asked for
// (all when wanted is empty) in the order asked, data flat and row-major.
// Floats use the shortest form that reads back as the same float32.
func appendInferResponse(b []byte, modelName string, id *string, wanted []string, probs []float32, labels []int64) []byte {
	b = append(b, `{"model_name":`...)
	b = appendJSONString(b, modelName)
	b = append(b, `,"model_version":"`+ModelVersion+`"`...)
	if id != nil {
		b = append(b, `,"id":`...)
		b = appendJSONString(b, *id)
	}
	b = append(b, `,"outputs":[`...)
	if len(wanted) == 0 {
		wanted = []string{OutputProbs, OutputLabel}
	}
	n := len(labels)
	for i, name := range wanted {
		if i > 0 {
			b = append(b, ',')
		}
		switch name {
		case OutputProbs:
			b = append(b, `{"name":"`+OutputProbs+`","datatype":"`+datatypeFP32+`","shape":[`...)
			b = strconv.AppendInt(b, int64(n), 10)
			b = append(b, `,`+strconv.Itoa(OutputWidth)+`],"data":[`...)
			for k, p := range probs {
				if k > 0 {
					b = append(b, ',')
				}
				b = strconv.AppendFloat(b, float64(p), 'g', -1, 32)
			}
		case OutputLabel:
			b = append(b, `{"name":"`+OutputLabel+`","datatype":"`+datatypeINT64+`","shape":[`...)
			b = strconv.AppendInt(b, int64(n), 10)
			b = append(b, `],"data":[`...)
			for k, l := range labels {
				if k > 0 {
					b = append(b, ',')
				}
				b = strconv.AppendInt(b, l, 10)
			}
		}
		b = append(b, "]}"...)
	}
	return append(b, "]}"...)
}

// allFinite reports whether every value can be written as a JSON number.
func allFinite(vs []float32) bool {
	for _, v := range vs {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return false
		}
	}
	return true
}

func appendJSONString(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always marshals
	return append(b, q...)
}

// writeJSON answers with code and v encoded as JSON.
func writeJSON(w http.ResponseWriter, code int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		code, body = http.StatusInternalServerError, []byte(`{"error":"could not encode the response"}`)
	}
	writeJSONBytes(w, code, body)
}

func writeJSONBytes(w http.ResponseWriter, code int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	w.Write(body) //nolint:errcheck // the client may be gone; nothing to do
}

// errorBody is the v2 protocol's error response.
type errorBody struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, errorBody{Error: msg})
}
