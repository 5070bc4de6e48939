package loadgen

import (
	"strconv"
	"strings"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/infercost/infercost/result"
)

// classify sorts a vegeta result by its status and transport error: "" is a
// 2xx whose body still has to be judged; otherwise one of result.ErrorKinds.
func classify(res *vegeta.Result) string {
	switch {
	case res.Code == 0:
		return transportErrorKind(res.Error)
	case res.Code >= 200 && res.Code < 300:
		return ""
	case res.Code >= 400 && res.Code < 500:
		return result.ErrHTTP4xx
	case res.Code >= 500 && res.Code < 600:
		return result.ErrHTTP5xx
	default:
		return result.ErrOther
	}
}

// connectMarks are the words of Go's errors for a connection that could not
// be made (dial, refused, DNS, TLS); timeoutMarks those of a request that ran
// past its deadline.
var (
	connectMarks = []string{"dial ", "connection refused", "no such host", "network is unreachable",
		"no route to host", "tls: ", "x509: ", "certificate"}
	timeoutMarks = []string{"Client.Timeout", "deadline exceeded", "timeout", "i/o timeout"}
)

// transportErrorKind reads vegeta's error string (all it keeps of a
// transport failure).
func transportErrorKind(msg string) string {
	for _, m := range connectMarks {
		if strings.Contains(msg, m) {
			return result.ErrConnect
		}
	}
	for _, m := range timeoutMarks {
		if strings.Contains(msg, m) {
			return result.ErrTimeout
		}
	}
	return result.ErrOther
}

// responseBytes is the response body size as the client saw it: vegeta
// keeps at most MaxBody bytes and drains the rest, so a larger declared
// Content-Length wins.
func responseBytes(res *vegeta.Result) int64 {
	n := int64(len(res.Body))
	if cl := res.Headers.Get("Content-Length"); cl != "" {
		if v, err := strconv.ParseInt(cl, 10, 64); err == nil && v > n {
			n = v
		}
	}
	return n
}
