package lmserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"unicode/utf8"
)

// fields is a request body split into its top-level members. Members this
// server does not know are ignored, as OpenAI's API allows; a JSON null is
// the same as an absent member.
type fields map[string]json.RawMessage

func parseObject(body []byte) (fields, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, &RequestError{Msg: "empty request body: want a JSON object"}
	}
	var f fields
	if err := json.Unmarshal(body, &f); err != nil {
		return nil, &RequestError{Msg: "request body is not a JSON object: " + jsonProblem(err)}
	}
	if f == nil {
		return nil, &RequestError{Msg: "request body is null: want a JSON object"}
	}
	for k, v := range f {
		if string(v) == "null" {
			delete(f, k)
		}
	}
	return f, nil
}

// jsonProblem words a JSON error without Go type names.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("%s (at byte %d)", syn.Error(), syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("got a JSON %s where an object was expected", typ.Value)
	}
	return err.Error()
}

func (f fields) has(name string) bool { _, ok := f[name]; return ok }

func (f fields) str(name string) (string, bool, error) {
	raw, ok := f[name]
	if !ok {
		return "", false, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", true, badField(name, "want a string, got %s", quote(raw))
	}
	return s, true, nil
}

func (f fields) boolean(name string) (bool, error) {
	raw, ok := f[name]
	if !ok {
		return false, nil
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err != nil {
		return false, badField(name, "want true or false, got %s", quote(raw))
	}
	return b, nil
}

// integer reads a whole number (1e3 and 10.0 are accepted, 1.5 is not).
func (f fields) integer(name string) (int64, bool, error) {
	raw, ok := f[name]
	if !ok {
		return 0, false, nil
	}
	var v float64
	if err := json.Unmarshal(raw, &v); err != nil || v != math.Trunc(v) || math.Abs(v) > 1<<53 {
		return 0, true, badField(name, "want an integer, got %s", quote(raw))
	}
	return int64(v), true, nil
}

func (f fields) number(name string) (float64, bool, error) {
	raw, ok := f[name]
	if !ok {
		return 0, false, nil
	}
	var v float64
	if err := json.Unmarshal(raw, &v); err != nil {
		return 0, true, badField(name, "want a number, got %s", quote(raw))
	}
	return v, true, nil
}

// quote shows a piece of the request in an error, clipped.
func quote(raw []byte) string {
	s := string(raw)
	if len(s) > quoteLimit {
		cut := quoteLimit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return s
}
