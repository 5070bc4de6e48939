package modelserver

import (
	"encoding/json"
	"errors"
	"math"
	"testing"
)

// FuzzDecodeInferRequest checks that no body makes the decoder panic or
// hang, that every refusal is a *RequestError with a message, and that an
// accepted request holds exactly what the model can run and its response
// is valid JSON. Seeds: testdata/fuzz/FuzzDecodeInferRequest (good and bad
// requests of the unit tests).
func FuzzDecodeInferRequest(f *testing.F) {
	f.Add([]byte(request("input", "FP32", "[1,64]", "["+values(64, "1")+"]")))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := DecodeInferRequest(body)
		if err != nil {
			var re *RequestError
			if !errors.As(err, &re) || re.Msg == "" {
				t.Fatalf("refusal %v (%T) is not a *RequestError with a message", err, err)
			}
			return
		}
		if req.Rows < 1 || len(req.Pixels) != req.Rows*InputWidth {
			t.Fatalf("accepted %d rows with %d pixels", req.Rows, len(req.Pixels))
		}
		for i, v := range req.Pixels {
			if math.IsNaN(float64(v)) || v < 0 || v > PixelMax {
				t.Fatalf("accepted pixel %d = %g", i, v)
			}
		}
		for _, o := range req.Outputs {
			if o != OutputProbs && o != OutputLabel {
				t.Fatalf("accepted output %q", o)
			}
		}
		resp := appendInferResponse(nil, "digits", req.ID, req.Outputs, make([]float32, req.Rows*OutputWidth), make([]int64, req.Rows))
		if !json.Valid(resp) {
			t.Fatalf("response is not valid JSON: %.200s", resp)
		}
	})
}
