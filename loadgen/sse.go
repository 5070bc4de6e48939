package loadgen

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"time"

	"github.com/infercost/infercost/result"
)

// maxSSELineBytes bounds one line of an event stream; a longer line is a
// malformed stream, never unbounded memory.
const maxSSELineBytes = 1 << 20

// completionChunk is what infercost reads of an OpenAI-compatible chunk
// (chat.completion.chunk or text_completion), and of a whole non-streamed
// completion, which has the same outline.
type completionChunk struct {
	Error   json.RawMessage `json:"error"`
	Choices []struct {
		Delta *struct {
			Content          *string `json:"content"`
			ReasoningContent *string `json:"reasoning_content"`
		} `json:"delta"`
		Message *struct {
			Content *string `json:"content"`
		} `json:"message"`
		Text *string `json:"text"`
	} `json:"choices"`
	Usage *struct {
		PromptTokens     int64 `json:"prompt_tokens"`
		CompletionTokens int64 `json:"completion_tokens"`
	} `json:"usage"`
}

// hasContent reports whether the chunk carries generated text.
func (c *completionChunk) hasContent() bool {
	nonEmpty := func(s *string) bool { return s != nil && *s != "" }
	for _, ch := range c.Choices {
		if nonEmpty(ch.Text) || (ch.Delta != nil && (nonEmpty(ch.Delta.Content) || nonEmpty(ch.Delta.ReasoningContent))) ||
			(ch.Message != nil && nonEmpty(ch.Message.Content)) {
			return true
		}
	}
	return false
}

// readStream reads an OpenAI-compatible response to its end and keeps its
// digest: each content chunk's arrival time (from start), the usage when
// the server sent one, and what went wrong. An event stream (SSE) must end
// with "data: [DONE]"; a server that answered with one JSON completion
// instead is read as a stream of one chunk.
func readStream(body io.Reader, contentType string, start time.Time) digest {
	cr := &countingReader{r: body}
	var d digest
	if mt, _, err := mime.ParseMediaType(contentType); err == nil && mt == "application/json" {
		readWholeCompletion(cr, start, &d)
	} else {
		readEvents(cr, start, &d)
	}
	d.bytesIn = cr.n
	d.finish()
	return d
}

// readEvents reads an event stream (https://html.spec.whatwg.org/#event-stream-interpretation):
// "data:" lines gather into an event, a blank line dispatches it, comments
// and other fields are skipped.
func readEvents(r io.Reader, start time.Time, d *digest) {
	br := bufio.NewReaderSize(r, 4<<10) // lines are short; a long one is gathered by readLine
	var data []byte
	hasData := false
	for {
		line, err := readLine(br)
		if err != nil {
			if errors.Is(err, errLineTooLong) {
				d.kind, d.detail = result.ErrBadBody, fmt.Sprintf("an event-stream line is over %d bytes", maxSSELineBytes)
				return
			}
			endStream(d, err)
			return
		}
		switch {
		case len(line) == 0:
			if hasData && !dispatch(data, start, d) {
				return
			}
			data, hasData = data[:0], false
		case line[0] == ':':
			// a comment (keep-alive)
		default:
			field, value, found := bytes.Cut(line, []byte(":"))
			if !found {
				value = nil
			}
			value = bytes.TrimPrefix(value, []byte(" "))
			if string(field) == "data" {
				if hasData {
					data = append(data, '\n')
				}
				data = append(data, value...)
				hasData = true
			}
		}
	}
}

var errLineTooLong = errors.New("line too long")

// readLine returns the next line without its end (LF or CRLF), reading past
// the buffer up to maxSSELineBytes. A last line without an end is returned
// with io.EOF's absence; the next call returns io.EOF.
func readLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		long := append([]byte(nil), line...)
		for errors.Is(err, bufio.ErrBufferFull) {
			if len(long) > maxSSELineBytes {
				return nil, errLineTooLong
			}
			line, err = br.ReadSlice('\n')
			long = append(long, line...)
		}
		line = long
	}
	if err != nil && !(errors.Is(err, io.EOF) && len(line) > 0) {
		return nil, err
	}
	if len(line) > maxSSELineBytes {
		return nil, errLineTooLong
	}
	line = bytes.TrimSuffix(line, []byte("\n"))
	return bytes.TrimSuffix(line, []byte("\r")), nil
}

// dispatch handles one event's data; false ends the stream (done, or an
// error that makes the rest meaningless).
func dispatch(data []byte, start time.Time, d *digest) bool {
	at := time.Since(start)
	if string(bytes.TrimSpace(data)) == "[DONE]" {
		d.done = true
		return false
	}
	var c completionChunk
	if err := json.Unmarshal(data, &c); err != nil {
		d.kind, d.detail = result.ErrBadBody, fmt.Sprintf("an event is not JSON: %v (%s)", err, clip(data, 120))
		return false
	}
	if len(c.Error) > 0 && string(c.Error) != "null" {
		d.kind, d.detail = result.ErrStreamError, "the stream carried an error: "+clip(c.Error, 300)
		return false
	}
	takeChunk(&c, at, d)
	return true
}

// takeChunk records a chunk's content time and usage.
func takeChunk(c *completionChunk, at time.Duration, d *digest) {
	if c.hasContent() {
		d.chunkCount++
		if len(d.chunks) < maxDigestChunks {
			d.chunks = append(d.chunks, at)
		}
	}
	if c.Usage != nil {
		d.usage = true
		d.inputTokens, d.outputTokens = c.Usage.PromptTokens, c.Usage.CompletionTokens
	}
}

// endStream judges a stream that ended without [DONE].
func endStream(d *digest, err error) {
	if errors.Is(err, io.EOF) {
		d.kind, d.detail = result.ErrStreamCut, fmt.Sprintf("the stream ended before [DONE] after %d content chunks", d.chunkCount)
		return
	}
	d.readErr = err
	d.kind, d.detail = result.ErrStreamCut, fmt.Sprintf("the stream broke after %d content chunks: %v", d.chunkCount, err)
}

// readWholeCompletion reads a non-streamed completion as one chunk that
// arrived when the body ended.
func readWholeCompletion(r io.Reader, start time.Time, d *digest) {
	body, err := io.ReadAll(io.LimitReader(r, MaxKServeResponseBytes+1))
	if err != nil {
		d.readErr = err
		d.kind, d.detail = result.ErrStreamCut, fmt.Sprintf("the response broke: %v", err)
		return
	}
	if len(body) > MaxKServeResponseBytes {
		d.kind, d.detail = result.ErrBadBody, fmt.Sprintf("the response is over %d bytes", MaxKServeResponseBytes)
		return
	}
	var c completionChunk
	if err := json.Unmarshal(body, &c); err != nil {
		d.kind, d.detail = result.ErrBadBody, fmt.Sprintf("the response is not JSON: %v", err)
		return
	}
	if len(c.Error) > 0 && string(c.Error) != "null" {
		d.kind, d.detail = result.ErrStreamError, "the response is an error: "+clip(c.Error, 300)
		return
	}
	takeChunk(&c, time.Since(start), d)
	d.done = true
}

// finish applies the rules every complete response follows: it generated
// something.
func (d *digest) finish() {
	if d.kind == "" && d.chunkCount == 0 {
		d.kind, d.detail = result.ErrBadBody, "the response generated no content"
	}
}

func clip(b []byte, n int) string {
	s := string(bytes.Join(bytes.Fields(b), []byte(" ")))
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
